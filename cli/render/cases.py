"""Words for ``junheng test`` (data-driven test cases): a case that does not hold, rule by rule."""

from __future__ import annotations

from fractions import Fraction

from junheng.cli.render.words import outcome_word
from junheng.engine.numbers import decimal_text
from junheng.engine.results import Outcome

_FIELD = {
    "outcome": ("结果", "outcome"),
    "shortfall_total": ("缺额", "shortfall"),
    "points": ("得分", "points"),
    "actual": ("实际值", "actual"),
    "required": ("要求值", "required"),
    "rule": ("规则", "rule"),
}


def _value(v: Outcome | Fraction | None, lang: str) -> str:
    if v is None:
        return "无" if lang == "zh" else "none"
    if isinstance(v, Outcome):
        return f"{outcome_word(v, lang)}（{v.value}）" if lang == "zh" else f"{outcome_word(v, lang)} ({v.value})"
    if 10**12 % v.denominator == 0:
        return decimal_text(v, 12)  # exact: 3026.2
    return f"{v.numerator}/{v.denominator} ≈ {decimal_text(v, 6)}"  # 4450/1289 ≈ 3.452289


def mismatch_line(rule_id: str, what: str, expected: Outcome | Fraction | None, got: Outcome | Fraction | None,
                  lang: str) -> str:
    """``resource.teaching_area 缺额：期望 3026.2，实际 3026.3``."""
    if what == "rule":
        return f"{rule_id}：规则集中没有此规则" if lang == "zh" else f"{rule_id}: no such rule in the ruleset"
    zh, en = _FIELD[what]
    if lang == "zh":
        return f"{rule_id} {zh}：期望 {_value(expected, lang)}，得到 {_value(got, lang)}"
    return f"{rule_id} {en}: expected {_value(expected, lang)}, got {_value(got, lang)}"


def case_header(name: str, file: str, line: int | None, passed: bool, lang: str) -> str:
    where = f"{file}:{line}" if line is not None else file
    if lang == "zh":
        return f"{'通过' if passed else '失败'} {name}（{where}）"
    return f"{'PASS' if passed else 'FAIL'} {name} ({where})"


def summary(total: int, failed: int, lang: str) -> str:
    if lang == "zh":
        return f"共 {total} 个用例，{total - failed} 个通过，{failed} 个失败"
    return f"{total} cases, {total - failed} passed, {failed} failed"

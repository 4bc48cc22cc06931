"""Test cases as data (规则集测试用例): YAML files next to the rulesets, as OpenFisca's YAML tests.

A case file is a list of cases; each names one school section, the ruleset (id, ``id@version`` or
path) and the day it is read at, and what some rules must give::

    - name: 示例A初级中学：生均教学及辅助用房 3.45 < 5.8，缺额 1289×5.8−4450 = 3026.2 平方米
      ruleset: national/quality-2017
      at: 2024-09-01
      school: {level: junior, students: 1289, teaching_aux_area_m2: 4450}
      expect:
        resource.teaching_area: {outcome: failed, shortfall_total: 3026.2}
        resource.six_of_seven: failed

Read with the safe loader of :mod:`junheng.policy.yaml_source` (numbers keep their written decimal
text, so ``3026.2`` is exactly 30262/10). Nothing here evaluates: :mod:`junheng.testing` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from junheng.engine.results import Outcome
from junheng.policy.yaml_source import YamlDocument, YamlSourceError, read_yaml

NUMBER_FIELDS = ("shortfall_total", "points", "actual", "required")
"""What a rule's expectation may pin besides its outcome: the shortfall's amount (缺额), the points
awarded (得分, scored items), the measured value and the requirement."""
_OUTCOME_WORDS: dict[str, Outcome] = {
    **{o.value: o for o in Outcome},
    "达标": Outcome.passed, "未达标": Outcome.failed, "无法判定": Outcome.unknown, "计分": Outcome.scored,
}
_Bad = Callable[[tuple[str | int, ...], str, str], "CaseFileError"]
_CASE_KEYS = {"name", "ruleset", "at", "school", "expect"}


class CaseFileError(ValueError):
    """A case file that cannot be read: file, line, zh and en."""

    def __init__(self, file: str, line: int | None, zh: str, en: str) -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {zh} / {en}")
        self.file, self.line, self.zh, self.en = file, line, zh, en


@dataclass(frozen=True)
class RuleExpectation:
    rule_id: str
    outcome: Outcome | None = None
    numbers: dict[str, Fraction] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    name: str
    ruleset: str
    at: dt.date | None
    school: dict[str, str]
    expect: tuple[RuleExpectation, ...]
    file: str
    line: int | None


def _number(value: object) -> Fraction | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value.strip())  # "4450/1289": a value with no finite decimal expansion
        except (ValueError, ZeroDivisionError):
            return None
    return None


def _outcome(value: object) -> Outcome | None:
    return _OUTCOME_WORDS.get(value) if isinstance(value, str) else None


def _cell(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | Decimal | str):
        return str(value)
    return None


def _case(doc: YamlDocument, i: int, item: object) -> Case:
    def bad(path: tuple[str | int, ...], zh: str, en: str) -> CaseFileError:
        return CaseFileError(doc.file, doc.line_of((i, *path)), zh, en)

    if not isinstance(item, dict):
        raise bad((), f"第 {i + 1} 个用例不是映射", f"case {i + 1} is not a mapping")
    extra = sorted(set(item) - _CASE_KEYS)
    if extra:
        raise bad((extra[0],), f"未知的键 {extra[0]}（可用：{'、'.join(sorted(_CASE_KEYS))}）",
                  f"unknown key {extra[0]} (allowed: {', '.join(sorted(_CASE_KEYS))})")
    for key in ("name", "ruleset", "school", "expect"):
        if key not in item:
            raise bad((), f"第 {i + 1} 个用例缺少 {key}", f"case {i + 1} has no {key}")
    name, ruleset, at = item["name"], item["ruleset"], item.get("at")
    if not isinstance(name, str) or not name.strip():
        raise bad(("name",), "name 须为非空文本", "name must be non-empty text")
    if not isinstance(ruleset, str) or not ruleset.strip():
        raise bad(("ruleset",), "ruleset 须为规则集标识或路径", "ruleset must be a ruleset id or path")
    if at is not None and not (isinstance(at, dt.date) and not isinstance(at, dt.datetime)):
        raise bad(("at",), f"at 须为日期 YYYY-MM-DD，得到 {at!r}", f"at must be a date YYYY-MM-DD, got {at!r}")
    school = item["school"]
    if not isinstance(school, dict) or not school:
        raise bad(("school",), "school 须为非空映射（事实名: 值）", "school must be a non-empty mapping (fact: value)")
    cells: dict[str, str] = {}
    for key, value in school.items():
        text = _cell(value)
        if text is None:
            raise bad(("school", key), f"school.{key} 的值 {value!r} 不是数字或文本",
                      f"school.{key}: value {value!r} is not a number or text")
        cells[str(key)] = text
    expect = item["expect"]
    if not isinstance(expect, dict) or not expect:
        raise bad(("expect",), "expect 须为非空映射（规则标识: 期望）",
                  "expect must be a non-empty mapping (rule id: expected)")
    rules = tuple(_rule(bad, str(rule_id), value) for rule_id, value in expect.items())
    return Case(name.strip(), ruleset.strip(), at, cells, rules, doc.file, doc.line_of((i,)))


def _rule(bad: _Bad, rule_id: str, value: object) -> RuleExpectation:
    path = ("expect", rule_id)
    words = "、".join(sorted(_OUTCOME_WORDS))
    if not isinstance(value, dict):
        outcome = _outcome(value)
        if outcome is None:
            raise bad(path, f"{rule_id}：{value!r} 不是结果词（{words}）",
                      f"{rule_id}: {value!r} is not an outcome word ({', '.join(o.value for o in Outcome)})")
        return RuleExpectation(rule_id, outcome)
    allowed = ("outcome", *NUMBER_FIELDS)
    numbers: dict[str, Fraction] = {}
    outcome = None
    for key, v in value.items():
        if key == "outcome":
            outcome = _outcome(v)
            if outcome is None:
                raise bad((*path, key), f"{rule_id}.outcome：{v!r} 不是结果词（{words}）",
                          f"{rule_id}.outcome: {v!r} is not an outcome word")
        elif key in NUMBER_FIELDS:
            n = _number(v)
            if n is None:
                raise bad((*path, key), f"{rule_id}.{key}：{v!r} 不是精确数（如 3026.2 或 4450/1289）",
                          f"{rule_id}.{key}: {v!r} is not an exact number (e.g. 3026.2 or 4450/1289)")
            numbers[str(key)] = n
        else:
            raise bad((*path, key), f"{rule_id}：未知的键 {key}（可用：{'、'.join(allowed)}）",
                      f"{rule_id}: unknown key {key} (allowed: {', '.join(allowed)})")
    if outcome is None and not numbers:
        raise bad(path, f"{rule_id}：期望为空", f"{rule_id}: nothing expected")
    return RuleExpectation(rule_id, outcome, numbers)


def read_cases(path: Path) -> list[Case]:
    """The cases of one file; raises :class:`CaseFileError` (file, line; zh and en)."""
    try:
        doc = read_yaml(path)
    except YamlSourceError as exc:
        raise CaseFileError(exc.file, exc.line, f"无法读取用例文件：{exc.detail}",
                            f"cannot read the case file: {exc.detail}") from None
    except OSError as exc:
        raise CaseFileError(str(path), None, f"无法读取用例文件：{exc.strerror}",
                            f"cannot read the case file: {exc.strerror}") from None
    if not isinstance(doc.data, list) or not doc.data:
        raise CaseFileError(doc.file, 1, "用例文件须为非空列表（- name: …）",
                            "a case file must be a non-empty list (- name: …)")
    return [_case(doc, i, item) for i, item in enumerate(doc.data)]


def case_files(paths: list[Path]) -> list[Path]:
    """The ``*.yaml``/``*.yml`` files of ``paths`` (directories searched recursively), sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml") and q.is_file())
        else:
            out.append(p)
    return out

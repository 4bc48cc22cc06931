"""Consistency checks a reviewer (督导评估人员) would raise about one school section's figures.

The row validator in :mod:`junheng.policy.readers` already rejects impossible rows (sub-counts of
teachers larger than the teachers, teachers more than staff, a largest class bigger than the
school) and warns about 超大班额 (classes × 66 < students). This module adds the checks that need
more than one column's meaning:

* **Stated derived values** (生均…, 人均…, 每百名学生…, 平均班额, 师生比 1:x) typed beside the
  totals are compared with total ÷ enrolment. They agree when the stated value is the computed
  one rounded *or* truncated to the decimals typed (|computed − stated| < one unit of the last
  decimal). Otherwise a warning names both numbers and the enrolment the stated value fits —
  the pattern of two published self-assessment reports: school C (figures per 1865 students while 2091 are stated) and D
  (生均图书 45.5 while 62500 ÷ 1476 = 42.34).
* **Part larger than whole**: 教学及辅助用房 is part of 校舍建筑面积 (不含宿舍).

Everything here is a warning: the row is still evaluated with the totals as typed. Stated
derived columns stay listed as unused: the evaluation never uses them, only this check does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from junheng.engine.numbers import decimal_text
from junheng.policy.cells import CellError, parse_number
from junheng.policy.facts import FACTS
from junheng.policy.inputs import FactsBatch, InputIssue, SchoolSection

__all__ = ["DerivedColumn", "check_consistency", "match_derived_header"]

PARTS_OF_WHOLES: tuple[tuple[str, str], ...] = (("teaching_aux_area_m2", "building_area_m2"),)
"""(part, whole) pairs: the part cannot be larger than the whole."""

_PER_STUDENT_PREFIXES = ("生均", "人均")
_PER_100_PREFIXES = ("每百名学生拥有", "每百名学生", "百名学生")
_TRAILING_UNIT_RE = re.compile(r"\([^()]*\)$")


@dataclass(frozen=True)
class DerivedColumn:
    """A column stating ``numerator ÷ denominator × scale`` (or ``1 : denominator ÷ numerator``)."""

    header: str
    numerator: str
    denominator: str
    scale: int = 1
    one_to: bool = False
    """师生比 written as 1:x, where x = students ÷ teachers."""

    def formula(self, lang: str) -> str:
        num, den = FACTS[self.numerator].label(lang), FACTS[self.denominator].label(lang)
        text = f"{num} ÷ {den}" if not self.one_to else f"{den} ÷ {num}"
        return f"{text} × {self.scale}" if self.scale != 1 else text


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def match_derived_header(header: str) -> DerivedColumn | None:
    """Recognise a stated derived value column such as ``生均图书（册）`` or ``平均班额``."""
    from junheng.policy.readers import match_header  # readers calls this module

    key = _TRAILING_UNIT_RE.sub("", _norm(header))
    if key in ("平均班额", "班额(平均)", "averageclasssize"):
        return DerivedColumn(header, "students", "classes")
    if key in ("师生比", "生师比"):
        return DerivedColumn(header, "teachers", "students", one_to=True)
    for prefixes, scale in ((_PER_STUDENT_PREFIXES, 1), (_PER_100_PREFIXES, 100)):
        for prefix in prefixes:
            if key.startswith(prefix) and len(key) > len(prefix):
                fact = match_header(key[len(prefix):]).fact
                if fact is not None and fact in FACTS and FACTS[fact].unit != "text" \
                        and fact not in ("students", "year", "classes", "max_class_size"):
                    return DerivedColumn(header, fact, "students", scale)
    return None


_ONE_TO_RE = re.compile(r"^1[:：]\s*(?P<x>.+)$")


def _stated(raw: str, one_to: bool) -> tuple[Fraction, int] | None:
    """The stated number and how many decimals were typed, or None when it is not one number."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if one_to:
        m = _ONE_TO_RE.match(text)
        if m is None:
            return None
        text = m.group("x")
    try:
        parsed = parse_number(text)
    except CellError:
        return None
    if parsed.value is None or parsed.percent or parsed.multiplier:
        return None
    digits = re.search(r"[.。](\d+)", text)
    return parsed.value, len(digits.group(1)) if digits else 0


def _check_derived(section: SchoolSection, col: DerivedColumn, raw: str) -> InputIssue | None:
    stated = _stated(raw, col.one_to)
    num, den = section.values.get(col.numerator), section.values.get(col.denominator)
    if stated is None or num is None or not den or (col.one_to and not num):
        return None
    value, places = stated
    computed = den / num if col.one_to else num / den * col.scale
    if abs(computed - value) < Fraction(1, 10**places):
        return None
    # The denominator the stated value fits: students = numerator × scale ÷ stated.
    fits = ""
    fits_en = ""
    if not col.one_to and value and col.denominator == "students":
        n = num * col.scale / value
        fits = f"；{decimal_text(value)}约对应在校生{decimal_text(n, 0)}人"
        fits_en = f"; {decimal_text(value)} fits about {decimal_text(n, 0)} students"
    shown = f"1:{decimal_text(computed)}" if col.one_to else decimal_text(computed)
    den_zh = decimal_text(den)
    num_zh = decimal_text(num)
    calc = f"{den_zh} ÷ {num_zh}" if col.one_to else (
        f"{num_zh} ÷ {den_zh}" + (f" × {col.scale}" if col.scale != 1 else ""))
    return InputIssue(
        file=section.source, row=section.row, column=col.header, value=raw,
        severity="warning",
        message_zh=f"填写的数值与总量÷人数不一致：{col.formula('zh')} = {calc} = {shown}"
                   f"{fits}（评估按总量计算）",
        message_en=f"the stated value does not match the totals: {col.formula('en')} = {calc} = "
                   f"{shown}{fits_en} (the evaluation uses the totals)",
    )


def _check_parts(section: SchoolSection) -> list[InputIssue]:
    out: list[InputIssue] = []
    for part, whole in PARTS_OF_WHOLES:
        p, w = section.values.get(part), section.values.get(whole)
        if p is not None and w is not None and p > w:
            pz, wz = FACTS[part], FACTS[whole]
            out.append(InputIssue(
                file=section.source, row=section.row, column=pz.zh, value=decimal_text(p),
                severity="warning",
                message_zh=f"{pz.zh}（{decimal_text(p)}）大于{wz.zh}（{decimal_text(w)}），"
                           "部分不应大于整体，请核对",
                message_en=f"{part} ({decimal_text(p)}) exceeds {whole} ({decimal_text(w)}): "
                           "a part cannot be larger than the whole; check both",
            ))
    return out


def check_consistency(batch: FactsBatch) -> FactsBatch:
    """``batch`` with reviewer warnings added and stated derived columns marked as used."""
    derived = {h: c for h in batch.unused_columns if (c := match_derived_header(h)) is not None}
    if not derived and not batch.sections:
        return batch
    issues: list[InputIssue] = []
    for section in batch.sections:
        for header, raw in section.extra.items():
            col = derived.get(header)
            if col is not None:
                issue = _check_derived(section, col, raw)
                if issue is not None:
                    issues.append(issue)
        issues.extend(_check_parts(section))
    if not issues:
        return batch
    return batch.model_copy(update={"issues": [*batch.issues, *issues]})

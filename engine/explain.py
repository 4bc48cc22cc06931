"""Explanation sentences (说明) for every result, in Chinese and English.

The engine writes both languages; renderers pick one. Every sentence ends with the rule's
source and provenance status, so a principal or a 督导 reviewer can check it against the 办法.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from junheng.engine.numbers import decimal_text, percent_text
from junheng.engine.results import GateMember, Outcome, Shortfall
from junheng.policy.facts import FACTS, Level
from junheng.policy.model import Localized, Op, Status
from junheng.policy.units import unit


def _unit(code: str | None, lang: str) -> str:
    return unit(code).label(lang) if code else ""


def _qty_both(value: Fraction, code: str | None) -> tuple[str, str]:
    """A quantity with its unit, in Chinese and in English ("4.5平方米", "4.5 m²"); the number is
    rounded once for both."""
    text = decimal_text(value)
    zh, en = _unit(code, "zh"), _unit(code, "en")
    return (f"{text}{zh}" if zh else text), (f"{text} {en}" if en else text)


@lru_cache(maxsize=4096)
def _requirement_words(op: Op, required: Fraction, unit_code: str, level: Level) -> tuple[str, str]:
    """"要求不低于4.2人/百名学生（小学）" in both languages: the same for every section of a level."""
    zh, en = _qty_both(required, unit_code)
    return f"要求{op.words('zh')}{zh}（{level.zh}）", f"required {op.words('en')} {en} ({level.value})"


def citation(source: str, status: Status, parameter_status: Status | None = None) -> Localized:
    zh = f"依据：{source}（{status.label('zh')}）"
    en = f"Source: {source} ({status.label('en')})"
    if parameter_status is not None and parameter_status is not status:
        zh += f"；所用参数为{parameter_status.label('zh')}数值"
        en += f"; the parameter used is {parameter_status.label('en')}"
    return Localized(zh=zh, en=en)


def shortfall_sentence(s: Shortfall, students: Fraction | None) -> Localized:
    spec = FACTS[s.fact]
    verb_zh = "增加" if s.direction == "increase" else "减少"
    verb_en = "add" if s.direction == "increase" else "reduce by"
    basis_zh = basis_en = ""
    if students is not None:
        count = decimal_text(students)
        basis_zh, basis_en = f"按在校生{count}人计，", f"with {count} students, "
    amount_zh, amount_en = _qty_both(s.amount, s.unit)
    target_zh, target_en = _qty_both(s.target, s.unit)
    return Localized(
        zh=f"{basis_zh}需{verb_zh}{spec.zh}{amount_zh}（达到{target_zh}）",
        en=f"{basis_en}{verb_en} {amount_en} of {spec.en} (to {target_en})",
    )


def threshold_explanation(*, title: Localized, outcome: Outcome, level: Level,
                          actual: Fraction | None, required: Fraction | None, op: Op,
                          unit_code: str, gap: Fraction | None, shortfall: Shortfall | None,
                          students: Fraction | None, missing: tuple[str, ...],
                          unbounded: bool, cite: Localized, undefined: bool = False) -> Localized:
    req_zh = req_en = ""
    if required is not None:
        req_zh, req_en = _requirement_words(op, required, unit_code, level)
    if outcome is Outcome.unknown:
        names_zh = "、".join(f"“{FACTS[n].zh if n in FACTS else n}”({n})" for n in missing)
        names_en = ", ".join(missing)
        if undefined:
            return Localized(
                zh=f"{title.zh}：无法判定，计算时除数为0（如在校生数为0），该指标没有意义；{req_zh}。{cite.zh}",
                en=f"{title.en}: cannot decide, the formula divides by zero (e.g. 0 students); "
                   f"{req_en}. {cite.en}",
            )
        if required is None:
            return Localized(zh=f"{title.zh}：无法判定，规则没有{level.zh}的要求值。{cite.zh}",
                             en=f"{title.en}: cannot decide, no requirement for {level.value}. {cite.en}")
        return Localized(
            zh=f"{title.zh}：无法判定，缺少数据{names_zh}；{req_zh}。缺少的数据不视为达标。{cite.zh}",
            en=f"{title.en}: cannot decide, missing {names_en}; {req_en}. "
               f"A missing fact is never a pass. {cite.en}",
        )
    if unbounded:
        actual_zh, actual_en = "无穷大（分母为0）", "unbounded (zero denominator)"
    else:
        actual_zh, actual_en = _qty_both(actual or Fraction(0), unit_code)
    if outcome is Outcome.passed:
        return Localized(zh=f"{title.zh}为{actual_zh}，{req_zh}，达标。{cite.zh}",
                         en=f"{title.en} is {actual_en}, {req_en}: met. {cite.en}")
    gap_zh = gap_en = ""
    if gap is not None and gap > 0:
        gap_zh, gap_en = _qty_both(gap, unit_code)
        gap_zh, gap_en = f"，差{gap_zh}", f", short by {gap_en}"
    more_zh = more_en = ""
    if shortfall is not None:
        s = shortfall_sentence(shortfall, students)
        more_zh, more_en = f"；{s.zh}", f"; {s.en}"
    return Localized(
        zh=f"{title.zh}为{actual_zh}，{req_zh}，未达标{gap_zh}{more_zh}。{cite.zh}",
        en=f"{title.en} is {actual_en}, {req_en}: not met{gap_en}{more_en}. {cite.en}",
    )


def gate_explanation(*, title: Localized, outcome: Outcome, members: tuple[GateMember, ...],
                     met_count: int, min_met: int, floor: Fraction, cite: Localized) -> Localized:
    total = len(members)
    missed = [m for m in members if m.outcome is Outcome.failed]
    unknown = [m for m in members if m.outcome is Outcome.unknown]

    def reach(m: GateMember, lang: str) -> str:
        if m.attainment is None:
            return m.title.get(lang)
        pct = percent_text(m.attainment)
        return f"{m.title.zh}（达到要求的{pct}）" if lang == "zh" else f"{m.title.en} ({pct} of requirement)"

    missed_zh = "、".join(reach(m, "zh") for m in missed) or "无"
    missed_en = "; ".join(reach(m, "en") for m in missed) or "none"
    floor_pct = percent_text(floor, 0)
    head_zh = f"{title.zh}：{total}项中{met_count}项达标（要求至少{min_met}项，余项不低于要求的{floor_pct}）"
    head_en = (f"{title.en}: {met_count} of {total} met (at least {min_met} required, "
               f"the rest at least {floor_pct} of requirement)")
    if outcome is Outcome.passed:
        tail_zh, tail_en = (f"，合格；未达标项：{missed_zh}。", f": passed; not met: {missed_en}.")
    elif outcome is Outcome.unknown:
        names_zh = "、".join(m.title.zh for m in unknown)
        names_en = "; ".join(m.title.en for m in unknown)
        tail_zh = f"，无法判定：{names_zh}缺少数据；未达标项：{missed_zh}。"
        tail_en = f": cannot decide, missing data for {names_en}; not met: {missed_en}."
    else:
        below = [m for m in missed if m.meets_floor is False]
        need = max(min_met - met_count, 0)
        tail_zh = f"，不合格；未达标项：{missed_zh}"
        tail_en = f": failed; not met: {missed_en}"
        if need:
            tail_zh += f"；需至少再有{need}项达标"
            tail_en += f"; at least {need} more must be met"
        if below:
            tail_zh += f"，且其余项不低于要求的{floor_pct}（低于者：{'、'.join(m.title.zh for m in below)}）"
            tail_en += (f", and the rest must reach {floor_pct} of requirement (below it: "
                        f"{'; '.join(m.title.en for m in below)})")
        tail_zh += "。"
        tail_en += "."
    return Localized(zh=head_zh + tail_zh + cite.zh, en=head_en + tail_en + " " + cite.en)

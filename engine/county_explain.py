"""Explanation sentences for county criteria (县域评估说明), in Chinese and English.

Like school results, every sentence ends with the criterion's source and provenance status.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from junheng.engine.county_results import CvDriver, LevelDispersion
from junheng.engine.explain import citation
from junheng.engine.numbers import decimal_text, percent_text
from junheng.engine.results import Outcome
from junheng.policy.county_facts import fact_spec
from junheng.policy.inputs import RejectedRow
from junheng.policy.model import Localized, Op, Status

_VERDICT = {Outcome.passed: ("达标", "met"), Outcome.failed: ("未达标", "not met"),
            Outcome.unknown: ("无法判定", "cannot decide")}


def cv_text(value: Fraction) -> str:
    """A CV to three decimals, as published (0.515)."""
    return decimal_text(value, 3)


def fact_label(name: str, lang: str) -> str:
    spec = fact_spec(name)
    return name if spec is None else spec.label(lang)


def missing_text(missing: Sequence[str], lang: str) -> str:
    """Missing facts by name: ``books@QH-B/junior`` → “图书册数”(books，QH-B/junior)."""
    parts = []
    for item in missing:
        name, _, where = item.partition("@")
        label = fact_label(name, lang)
        if lang == "zh":
            parts.append(f"“{label}”({name}{'，' + where if where else ''})")
        else:
            parts.append(f"{name}{' at ' + where if where else ''}")
    return ("、" if lang == "zh" else ", ").join(parts)


def _value_text(value: Fraction, unit: str, lang: str) -> str:
    if unit == "bool":
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if unit == "ratio":
        return percent_text(value, 2)
    if unit == "level":
        roman = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}
        return roman.get(int(value), decimal_text(value)) + ("级" if lang == "zh" else "")
    label = {"points": ("分", "points"), "yuan": ("元", "yuan")}.get(unit)
    text = decimal_text(value)
    return text if label is None else (text + label[0] if lang == "zh" else f"{text} {label[1]}")


def fact_explanation(*, title: Localized, fact: str, unit: str, outcome: Outcome,
                     actual: Fraction | None, required: Fraction, op: Op, veto: bool,
                     cite: Localized) -> Localized:
    if unit == "bool":
        want = bool(required)  # ≥ 1: must be yes; ≤ 0: must be no
        req_zh = f"须为“{'是' if want else '否'}”" + ("（一票否决项）" if veto else "")
        req_en = f"must be {'yes' if want else 'no'}" + (" (veto item)" if veto else "")
    else:
        req_zh = f"要求{op.words('zh')}{_value_text(required, unit, 'zh')}"
        req_en = f"required {op.words('en')} {_value_text(required, unit, 'en')}"
    if actual is None:
        return Localized(
            zh=f"{title.zh}：无法判定，缺少县级数据{missing_text([fact], 'zh')}；{req_zh}。"
               f"缺少的数据不视为达标。{cite.zh}",
            en=f"{title.en}: cannot decide, missing county fact {fact}; {req_en}. "
               f"A missing fact is never a pass. {cite.en}")
    zh, en = _VERDICT[outcome]
    return Localized(
        zh=f"{title.zh}：{_value_text(actual, unit, 'zh')}，{req_zh}，{zh}。{cite.zh}",
        en=f"{title.en}: {_value_text(actual, unit, 'en')}, {req_en}: {en}. {cite.en}")


def dispersion_explanation(*, title: Localized, outcome: Outcome,
                           levels: Sequence[LevelDispersion], names: dict[str, str],
                           cite: Localized) -> Localized:
    """One sentence per level: the composite or the failing CVs, and what drives them."""
    zh_parts: list[str] = []
    en_parts: list[str] = []
    for lv in levels:
        weighting_zh = "按在校生数加权" if lv.weighted else "不加权"
        weighting_en = "enrolment-weighted" if lv.weighted else "unweighted"
        missing = [m for ind in lv.indicators for m in ind.missing]
        head_zh = f"{lv.level.zh}（{lv.schools}所学校，{weighting_zh}）"
        head_en = f"{lv.level.value} ({lv.schools} schools, {weighting_en})"
        verdict_zh, verdict_en = _VERDICT[lv.outcome]
        if lv.rejected_rows:
            zh_parts.append(f"{head_zh}无法判定，{rejected_text(lv.rejected_rows, 'zh')}")
            en_parts.append(f"{head_en}: cannot decide, {rejected_text(lv.rejected_rows, 'en')}")
            continue
        if missing:
            zh_parts.append(f"{head_zh}无法判定，缺少数据{missing_text(missing, 'zh')}")
            en_parts.append(f"{head_en}: cannot decide, missing {missing_text(missing, 'en')}")
            continue
        if lv.judge == "composite":
            assert lv.composite is not None
            worst = max(lv.indicators, key=lambda i: i.cv or 0)
            zh_parts.append(
                f"{head_zh}综合差异系数{cv_text(lv.composite)}（{len(lv.indicators)}项差异系数的平均值），"
                f"要求不超过{decimal_text(lv.limit)}，{verdict_zh}；最大的是{worst.title.zh}"
                f"{cv_text(worst.cv or Fraction(0))}{_driver_zh(worst.drivers, names)}")
            en_parts.append(
                f"{head_en}: composite CV {cv_text(lv.composite)} (mean of {len(lv.indicators)} CVs), "
                f"limit {decimal_text(lv.limit)}: {verdict_en}; largest: {worst.title.en} "
                f"{cv_text(worst.cv or Fraction(0))}{_driver_en(worst.drivers, names)}")
            continue
        failing = [i for i in lv.indicators if i.passed is False]
        if not failing:
            top = max(lv.indicators, key=lambda i: i.cv or 0)
            zh_parts.append(f"{head_zh}{len(lv.indicators)}项差异系数均不超过{decimal_text(lv.limit)}"
                            f"（最大为{top.title.zh}{cv_text(top.cv or Fraction(0))}），{verdict_zh}")
            en_parts.append(f"{head_en}: all {len(lv.indicators)} CVs at most {decimal_text(lv.limit)} "
                            f"(largest {top.title.en} {cv_text(top.cv or Fraction(0))}): {verdict_en}")
            continue
        items_zh = "；".join(f"{i.title.zh}{cv_text(i.cv or Fraction(0))}{_driver_zh(i.drivers, names)}"
                            for i in failing)
        items_en = "; ".join(f"{i.title.en} {cv_text(i.cv or Fraction(0))}{_driver_en(i.drivers, names)}"
                            for i in failing)
        zh_parts.append(f"{head_zh}{len(failing)}项差异系数超过{decimal_text(lv.limit)}：{items_zh}")
        en_parts.append(f"{head_en}: {len(failing)} CVs above {decimal_text(lv.limit)}: {items_en}")
    verdict_zh, verdict_en = _VERDICT[outcome]
    return Localized(zh=f"{title.zh}：{'。'.join(zh_parts)}。结论：{verdict_zh}。{cite.zh}",
                     en=f"{title.en}: {'. '.join(en_parts)}. Verdict: {verdict_en}. {cite.en}")


def _top(drivers: Sequence[CvDriver]) -> tuple[str, Fraction] | None:
    for d in drivers:
        if d.share_of_variance:
            return d.school_id, d.share_of_variance
    return None


def _driver_zh(drivers: Sequence[CvDriver], names: dict[str, str]) -> str:
    top = _top(drivers)
    return "" if top is None else f"（{names.get(top[0], top[0])}占加权方差的{percent_text(top[1], 0)}）"


def _driver_en(drivers: Sequence[CvDriver], names: dict[str, str]) -> str:
    top = _top(drivers)
    return "" if top is None else f" ({names.get(top[0], top[0])}: {percent_text(top[1], 0)} of the variance)"


def rejected_text(rows: Sequence[RejectedRow], lang: str, limit: int = 5) -> str:
    """“2行数据有误未读入：a.xlsx 第12行（…）、…” — the rows a verdict would need."""
    shown = ("、" if lang == "zh" else "; ").join(r.label(lang) for r in rows[:limit])
    more = len(rows) - limit
    if lang == "zh":
        return f"{len(rows)}行数据有误未读入：{shown}" + (f"等（另{more}行）" if more > 0 else "")
    return f"{len(rows)} input rows rejected: {shown}" + (f" (and {more} more)" if more > 0 else "")


def schools_explanation(*, title: Localized, outcome: Outcome, total: int, failed: Sequence[str],
                        unknown: Sequence[str], missing: Sequence[str], no_ruleset: bool,
                        cite: Localized, rejected: Sequence[RejectedRow] = ()) -> Localized:
    if no_ruleset:
        return Localized(
            zh=f"{title.zh}：无法判定，未指定省级办学基本标准规则集（请用 --school-ruleset 指定，"
               f"如 anhui/school-2007）。缺少的数据不视为达标。{cite.zh}",
            en=f"{title.en}: cannot decide, no provincial school ruleset named (use --school-ruleset, "
               f"e.g. anhui/school-2007). A missing fact is never a pass. {cite.en}")
    verdict_zh, verdict_en = _VERDICT[outcome]
    zh = f"{title.zh}：{total}个学段中{total - len(failed) - len(unknown)}个达标"
    en = f"{title.en}: {total - len(failed) - len(unknown)} of {total} sections meet it"
    if failed:
        zh += f"，未达标：{'、'.join(failed)}"
        en += f"; not met: {', '.join(failed)}"
    if unknown:
        zh += f"，无法判定：{'、'.join(unknown)}"
        en += f"; cannot decide: {', '.join(unknown)}"
        if missing:
            zh += f"（缺少数据{missing_text(missing, 'zh')}）"
            en += f" (missing {missing_text(missing, 'en')})"
    if rejected:
        zh += f"；另有{rejected_text(rejected, 'zh')}，这些学段无法判定"
        en += f"; also {rejected_text(rejected, 'en')}, which cannot be decided"
    return Localized(zh=f"{zh}；结论：{verdict_zh}。{cite.zh}", en=f"{en}. Verdict: {verdict_en}. {cite.en}")


def county_explanation(outcome: Outcome, failed: Sequence[Localized],
                       unknown: Sequence[Localized], county: str,
                       rejected: Sequence[RejectedRow] = ()) -> Localized:
    name = county or "本县"
    if outcome is Outcome.passed:
        return Localized(zh=f"{name}：各项评估标准均达到，达标。", en=f"{county or 'The county'}: every criterion met.")
    zh = f"{name}：{'未达标' if outcome is Outcome.failed else '无法判定'}"
    en = f"{county or 'The county'}: {'not met' if outcome is Outcome.failed else 'cannot decide'}"
    if failed:
        zh += f"；未达到：{'、'.join(t.zh for t in failed)}"
        en += f"; not met: {'; '.join(t.en for t in failed)}"
    if unknown:
        zh += f"；无法判定（缺少数据）：{'、'.join(t.zh for t in unknown)}"
        en += f"; cannot decide (missing facts): {'; '.join(t.en for t in unknown)}"
    if rejected:
        zh += f"；数据不完整，{rejected_text(rejected, 'zh')}，不能判定为达标"
        en += f"; the data are incomplete, {rejected_text(rejected, 'en')}: the county cannot be met"
    return Localized(zh=zh + "。", en=en + ".")


def cite(source: str, status: Status, parameter_status: Status | None = None) -> Localized:
    return citation(source, status, parameter_status)


__all__ = ["cite", "county_explanation", "cv_text", "dispersion_explanation",
           "fact_explanation", "missing_text", "rejected_text", "schools_explanation"]

"""The county's application forms (申报表) built from a county run, as plain tables.

``junheng county --format xlsx|html`` writes these forms; this module lays them out once and
:mod:`junheng.cli.county_forms_xlsx` / :mod:`junheng.cli.county_forms_html` render the same tables:

* **县域结论** — the verdict, every criterion with its figure, requirement and result, and what is
  missing (facts not given, input rows that could not be read);
* **表Ⅱ-1** — per resource indicator: how many sections of each level meet it, and the share;
* **表Ⅱ-2** — one row per school section: 在校生数, 班级数, the seven indicators to 2 decimals
  (a missed indicator marked red, one missed but at 85% of its requirement or more amber),
  是否达标 and the 备注 the form asks for ("第1、2项达标…，第4项达到要求的85%以上");
* **表Ⅲ** — per level and indicator: 全县平均值 (2 decimals) and 差异系数 (3 decimals) against the
  level's limit (printed 0.50 / 0.45);
* **表Ⅳ / 表Ⅴ** — each 政府保障程度 / 教育质量 item with its figure and 是否达标 (ratios as
  percentages to 1 decimal).

Numbers print as the forms print them. Every verdict, mark and count comes from the run
(outcomes, the gate members' ``meets_floor``, each CV's ``passed``); counting sections per
outcome is formatting, not judging.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from junheng.cli.county_cmd import _GROUPS  # the county table's area names
from junheng.cli.render.explain import explain_county, explain_criterion, missing_text
from junheng.cli.report_common import level_name, outcome_label
from junheng.engine.county_results import CountyRun, CriterionResult, LevelDispersion
from junheng.engine.numbers import decimal_text, to_decimal
from junheng.engine.results import MissingFact, Outcome, RuleResult, SchoolResult
from junheng.policy.facts import Level
from junheng.policy.units import unit

__all__ = ["ChartSeries", "Form", "FormCell", "Forms", "Head", "Mark", "county_forms"]


class Mark(StrEnum):
    """How a cell is highlighted: a missed indicator red, one missed but ≥ 85% of its requirement
    amber, an undecidable one yellow, a met result green."""

    none = ""
    passed = "pass"
    failed = "fail"
    near = "near"
    unknown = "unknown"


@dataclass(frozen=True)
class FormCell:
    """One cell: ``text`` as printed; ``number`` the same value for a workbook (a percentage is
    the ratio, shown with ``num_format``)."""

    text: str
    number: Decimal | int | None = None
    num_format: str | None = None
    mark: Mark = Mark.none
    wrap: bool = False


@dataclass(frozen=True)
class Head:
    """A header cell spanning ``cols`` columns and ``rows`` header rows."""

    text: str
    cols: int = 1
    rows: int = 1


@dataclass(frozen=True)
class Form:
    key: str
    """``conclusion``, ``II-1``, ``II-2``, ``III``, ``IV`` or ``V``."""
    sheet: str
    title: str
    subtitle: str
    header: tuple[tuple[Head, ...], ...]
    rows: tuple[tuple[FormCell, ...], ...]
    widths: tuple[int, ...]
    notes: tuple[str, ...] = ()
    landscape: bool = False
    lead: tuple[tuple[str, FormCell], ...] = ()
    """Label–value lines above the table (the verdict and its explanation)."""


@dataclass(frozen=True)
class ChartSeries:
    """One chart's data: category labels, values, the line to compare against (``limits``; empty
    for a distribution, which has none), and marks."""

    title: str
    value_name: str
    limit_name: str
    labels: tuple[str, ...]
    values: tuple[Decimal, ...]
    limits: tuple[Decimal, ...]
    marks: tuple[Mark, ...]
    num_format: str


@dataclass(frozen=True)
class Forms:
    title: str
    county: str
    year: int | None
    outcome: Outcome
    explanation: str
    forms: tuple[Form, ...]
    charts: tuple[ChartSeries, ...] = field(default=())
    provenance: str = ""


_W: dict[str, tuple[str, str]] = {
    "title": ("县域义务教育优质均衡发展督导评估申报表",
              "County application forms: high-quality balanced compulsory education"),
    "conclusion": ("县域结论", "County verdict"),
    "conclusion_title": ("县域义务教育优质均衡发展评估结论", "County evaluation verdict"),
    "II-1": ("表Ⅱ-1", "Form II-1"),
    "II-1_title": ("义务教育学校资源配置7项指标达标情况", "Schools meeting each of the seven resource indicators"),
    "II-2": ("表Ⅱ-2", "Form II-2"),
    "II-2_title": ("义务教育学校资源配置7项指标情况", "The seven resource indicators of each school"),
    "III": ("表Ⅲ", "Form III"),
    "III_title": ("义务教育学校资源配置校际差异系数",
                  "Between-school coefficients of variation of the resource indicators"),
    "IV": ("表Ⅳ", "Form IV"),
    "IV_title": ("政府保障程度", "Government assurance"),
    "V": ("表Ⅴ", "Form V"),
    "V_title": ("教育质量", "Education quality"),
    "unit_line": ("填报单位：{county}　学年：{year}", "County: {county}   School year: {year}"),
    "no": ("序号", "No."),
    "indicator": ("指标", "Indicator"),
    "school": ("学校名称", "School"),
    "level": ("学段", "Level"),
    "students": ("在校生数", "Students"),
    "classes": ("班级数", "Classes"),
    "met": ("是否达标", "Met?"),
    "remark": ("备注", "Remarks"),
    "required": ("要求", "Required"),
    "schools_met": ("达标校数", "Schools meeting it"),
    "share": ("比例", "Share"),
    "total": ("全县", "County"),
    "gate_row": ("综合（至少6项达标、余项不低于要求的85%）", "All seven (at least 6 met, the rest ≥ 85%)"),
    "item": ("项目", "Item"),
    "mean": ("全县平均值", "County mean"),
    "cv": ("差异系数", "CV"),
    "composite": ("综合", "Composite"),
    "limit": ("要求", "Limit"),
    "figure": ("填报数值", "Figure"),
    "area": ("方面", "Area"),
    "criterion": ("评估内容", "Criterion"),
    "actual": ("实际", "Actual"),
    "result": ("结果", "Result"),
    "explanation": ("说明", "Explanation"),
    "yes": ("是", "yes"),
    "no_": ("否", "no"),
    "unknown": ("无法判定", "cannot decide"),
    "required_of": ("要求（{level}）", "Required ({level})"),
    "verdict": ("结论", "Verdict"),
    "county": ("县（市、区）", "County"),
    "year": ("学年", "School year"),
    "basis": ("评估依据", "Standard"),
    "missing_head": ("缺少的数据", "What is missing"),
    "missing_none": ("无：每项评估内容所需的数据均已提供。", "Nothing: every figure the criteria need was given."),
    "missing_facts": ("{title}：缺少{facts}", "{title}: missing {facts}"),
    "rejected": ("未能评估的输入行：{row}", "Input row not evaluated: {row}"),
    "rejected_remark": ("该行数据有误，未能评估（见数据问题）",
                        "this row has errors and was not evaluated (see data issues)"),
    "rejected_note": ("另有{n}行数据有误未能评估，未计入比例，其结果无法判定。",
                      "{n} more input rows have errors and were not evaluated: not counted, outcome undecided."),
    "remark_met": ("第{items}项达标", "{item} {items} met"),
    "remark_near": ("第{items}项达到要求的85%以上", "{item} {items} at 85% of the requirement or more"),
    "remark_below": ("第{items}项未达到要求的85%", "{item} {items} below 85% of the requirement"),
    "remark_unknown": ("第{items}项无法判定（缺少数据）", "{item} {items} cannot be decided (missing data)"),
    "III_note": ("全县平均值保留两位小数，差异系数保留三位小数；“综合”为{n}项差异系数的平均值，不是判定标准，"
                 "逐项差异系数须不超过要求。",
                 "County means to 2 decimals, CVs to 3 decimals; 'composite' is the mean of the {n} CVs, not a "
                 "criterion: each CV must be within the limit."),
    "III_note_composite": ("全县平均值保留两位小数，差异系数保留三位小数；"
                           "“综合”为{n}项差异系数的平均值（综合差异系数），以其判定是否达标。",
                           "County means to 2 decimals, CVs to 3 decimals; 'composite' is the mean of the {n} CVs "
                           "(综合差异系数), the figure judged against the limit."),
    "II-2_note": ("红色：未达到要求；橙色：未达到要求但达到要求的85%以上；黄色：无法判定。",
                  "Red: below the requirement; amber: below it but at 85% or more; yellow: cannot be decided."),
    "chart_cv": ("{level}：各指标差异系数与限值", "{level}: CV per indicator against the limit"),
    "chart_attain": ("各校资源配置达标项数（7项中）", "Resource indicators met per school (of 7)"),
    "met_count": ("达标项数", "Indicators met"),
    "chart_spread": ("资源配置达标项数分布（学段数）", "Sections by number of resource indicators met"),
    "sections_n": ("学段数", "Sections"),
    "items_n": ("{n}项达标", "{n} met"),
    "needed": ("要求项数", "Needed"),
    "sections_met": ("{met}/{total}个学段达标", "{met} of {total} sections meet it"),
    "every_section": ("全部{total}个学段达标", "all {total} sections"),
}

CHART_SCHOOLS = 60
"""Up to this many sections the attainment chart has a bar per section; above it, a distribution."""

_ROMAN = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}
_OP = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
_SEP = {"zh": "、", "en": ", "}


def _w(key: str, lang: str, **values: object) -> str:
    zh, en = _W[key]
    return (zh if lang == "zh" else en).format(**values)


def _fixed(value: Fraction, places: int) -> FormCell:
    """A number printed with exactly ``places`` decimals (3.45, 5.80, 0.214)."""
    number = to_decimal(value, places)
    return FormCell(str(number), number, "0." + "0" * places if places else "0")


def _percent(value: Fraction) -> FormCell:
    """A ratio as a percentage to 1 decimal (75.0%)."""
    return FormCell(f"{to_decimal(value * 100, 1)}%", to_decimal(value, 3), "0.0%")


def _text(text: str, mark: Mark = Mark.none, wrap: bool = False) -> FormCell:
    return FormCell(text, mark=mark, wrap=wrap)


def _int(value: Fraction | int | None) -> FormCell:
    if value is None:
        return _text("—", Mark.unknown)
    return FormCell(decimal_text(Fraction(value)), int(value) if Fraction(value).denominator == 1 else None)


def _outcome_mark(outcome: Outcome) -> Mark:
    return {Outcome.passed: Mark.passed, Outcome.failed: Mark.failed, Outcome.unknown: Mark.unknown}[outcome]


def _yes_no(outcome: Outcome, lang: str) -> FormCell:
    word = {Outcome.passed: "yes", Outcome.failed: "no_", Outcome.unknown: "unknown"}[outcome]
    return _text(_w(word, lang), _outcome_mark(outcome))


def _limit_text(limit: Fraction) -> str:
    """A CV limit as the standard writes it: 0.50, 0.45."""
    return f"≤{to_decimal(limit, 2)}"


# --- 表Ⅱ: the all-schools resource criterion -------------------------------------------------------


def _resource_criterion(run: CountyRun) -> CriterionResult | None:
    """The criterion every school is judged on by the seven-indicator gate (its school results
    hold a count gate)."""
    for c in run.criteria:
        results = run.school_results.get(c.criterion_id, ())
        if any(r.kind == "count_gate" for s in results for r in s.results):
            return c
    return None


def _gate(s: SchoolResult) -> RuleResult | None:
    return next((r for r in s.results if r.kind == "count_gate"), None)


def _indicators(s: SchoolResult) -> list[RuleResult]:
    gate = _gate(s)
    members = {m.rule_id for m in gate.members} if gate is not None else None
    return [r for r in s.results if r.kind != "count_gate" and (members is None or r.rule_id in members)]


def _indicator_mark(r: RuleResult, gate: RuleResult | None) -> Mark:
    if r.outcome is Outcome.passed:
        return Mark.none
    if r.outcome is Outcome.unknown:
        return Mark.unknown
    member = next((m for m in gate.members if m.rule_id == r.rule_id), None) if gate is not None else None
    return Mark.near if member is not None and member.meets_floor else Mark.failed


def _unit_suffix(r: RuleResult, lang: str) -> str:
    """The unit as the form's header gives it: what is counted (人, 平方米, 元, 间), the "per student"
    being in the indicator's name."""
    label = unit(r.unit).label(lang) if r.unit and r.unit not in ("count", "ratio", "bool") else ""
    label = label.split("/")[0] if lang == "zh" else label.split(" per ")[0]
    return "" if not label else (f"（{label}）" if lang == "zh" else f" ({label})")


def _remark(indicators: Sequence[RuleResult], gate: RuleResult | None, lang: str) -> str:
    groups: dict[str, list[str]] = {"remark_met": [], "remark_near": [], "remark_below": [], "remark_unknown": []}
    for i, r in enumerate(indicators, start=1):
        mark = _indicator_mark(r, gate)
        key = {Mark.none: "remark_met", Mark.near: "remark_near", Mark.failed: "remark_below",
               Mark.unknown: "remark_unknown"}[mark]
        groups[key].append(str(i))
    parts = [_w(key, lang, items=_SEP[lang].join(items), item="items" if len(items) > 1 else "item")
             for key, items in groups.items() if items]
    return ("，" if lang == "zh" else "; ").join(parts)


def _sections(run: CountyRun) -> list[SchoolResult]:
    c = _resource_criterion(run)
    schools = list(run.school_results.get(c.criterion_id, ())) if c is not None else []
    order = list(Level)
    return sorted(schools, key=lambda s: order.index(s.level))  # stable: input order within a level


def _form_ii_2(run: CountyRun, lang: str, sections: Sequence[SchoolResult], levels: Sequence[Level],
               classes: dict[tuple[str, Level], Fraction | None]) -> Form:
    sample = _indicators(sections[0]) if sections else []
    header = (Head(_w("no", lang)), Head(_w("school", lang)), Head(_w("level", lang)), Head(_w("students", lang)),
              Head(_w("classes", lang)),
              *(Head(f"{i}. {r.title.get(lang)}{_unit_suffix(r, lang)}") for i, r in enumerate(sample, start=1)),
              Head(_w("met", lang)), Head(_w("remark", lang)))
    rows: list[tuple[FormCell, ...]] = []
    for level in levels:
        first = next((s for s in sections if s.level is level), None)
        if first is None:
            continue
        required = [(_fixed(r.required, 2) if r.required is not None else _text("—")) for r in _indicators(first)]
        rows.append((_text(""), _text(_w("required_of", lang, level=level_name(level, lang))), _text(""),
                     _text(""), _text(""), *(FormCell(c.text, c.number, c.num_format) for c in required),
                     _text(""), _text("")))
    for n, s in enumerate(sections, start=1):
        gate = _gate(s)
        indicators = _indicators(s)
        cells = [(_fixed(r.actual, 2) if r.actual is not None else _text("—"))for r in indicators]
        marked = [FormCell(c.text, c.number, c.num_format, _indicator_mark(r, gate))
                  for c, r in zip(cells, indicators, strict=True)]
        outcome = gate.outcome if gate is not None else s.outcome
        rows.append((_int(n), _text(s.school_name or s.school_id), _text(level_name(s.level, lang)),
                     _int(s.students), _int(classes.get((s.school_id, s.level))), *marked,
                     _yes_no(outcome, lang), _text(_remark(indicators, gate, lang), wrap=True)))
    for k, rejected in enumerate(run.rejected_rows, start=len(sections) + 1):
        rows.append((_int(k), _text(rejected.school_name or rejected.school_id or rejected.label(lang)),
                     _text(level_name(rejected.level, lang) if rejected.level else ""), _text("—"), _text("—"),
                     *(_text("—", Mark.unknown) for _ in sample), _yes_no(Outcome.unknown, lang),
                     _text(_w("rejected_remark", lang), wrap=True)))
    return Form("II-2", _w("II-2", lang), f"{_w('II-2', lang)} {_w('II-2_title', lang)}", _unit_line(run, lang),
                (header,), tuple(rows), (6, 26, 8, 9, 8, *(11 for _ in sample), 8, 40),
                (_w("II-2_note", lang),), landscape=True)


def _form_ii_1(run: CountyRun, lang: str, sections: Sequence[SchoolResult], levels: Sequence[Level]) -> Form:
    top = [Head(_w("no", lang), rows=2), Head(_w("indicator", lang), rows=2)]
    sub: list[Head] = []
    for level in levels:
        top.append(Head(level_name(level, lang), cols=3))
        sub += [Head(_w("required", lang)), Head(_w("schools_met", lang)), Head(_w("share", lang))]
    top.append(Head(_w("total", lang), cols=2))
    sub += [Head(_w("schools_met", lang)), Head(_w("share", lang))]
    by_level = {lv: [s for s in sections if s.level is lv] for lv in levels}
    sample = _indicators(sections[0]) if sections else []
    rows: list[tuple[FormCell, ...]] = []

    def counts(pick: list[RuleResult | None]) -> tuple[FormCell, FormCell]:
        met = sum(1 for r in pick if r is not None and r.outcome is Outcome.passed)
        total = len(pick)
        share = Fraction(met, total) if total else None
        return _int(met), (_percent(share) if share is not None else _text("—"))

    for i, r0 in enumerate([*sample, None], start=1):
        cells: list[FormCell] = []
        every: list[RuleResult | None] = []
        for level in levels:
            if r0 is None:
                pick = [_gate(s) for s in by_level[level]]
                req = _text("")
            else:
                pick = [next((r for r in _indicators(s) if r.rule_id == r0.rule_id), None) for s in by_level[level]]
                first = next((r for r in pick if r is not None and r.required is not None), None)
                req = _fixed(first.required, 2) if first is not None and first.required is not None else _text("—")
            every += pick
            cells += [req, *counts(pick)]
        cells += list(counts(every))
        title = _w("gate_row", lang) if r0 is None else f"{r0.title.get(lang)}{_unit_suffix(r0, lang)}"
        rows.append((_int(i) if r0 is not None else _text(""), _text(title, wrap=True), *cells))
    notes = (_w("rejected_note", lang, n=len(run.rejected_rows)),) if run.rejected_rows else ()
    return Form("II-1", _w("II-1", lang), f"{_w('II-1', lang)} {_w('II-1_title', lang)}", _unit_line(run, lang),
                (tuple(top), tuple(sub)), tuple(rows), (6, 40, *([9, 9, 9] * len(levels)), 9, 9), notes)


# --- 表Ⅲ: dispersion -------------------------------------------------------------------------------


def _dispersion(run: CountyRun) -> list[LevelDispersion]:
    """The per-indicator CV criterion's levels (the first dispersion criterion of the run)."""
    first = run.levels[0].criterion_id if run.levels else None
    return [lv for lv in run.levels if lv.criterion_id == first]


def _form_iii(run: CountyRun, lang: str) -> Form:
    levels = _dispersion(run)
    titles = [ind.title.get(lang) for ind in levels[0].indicators] if levels else []
    header = (Head(_w("level", lang)), Head(_w("item", lang)), *(Head(t) for t in titles),
              Head(_w("composite", lang)), Head(_w("limit", lang)), Head(_w("met", lang)))
    rows: list[tuple[FormCell, ...]] = []
    for lv in levels:
        means = [(_fixed(ind.mean, 2) if ind.mean is not None else _text("—", Mark.unknown)) for ind in lv.indicators]
        rows.append((_text(level_name(lv.level, lang)), _text(_w("mean", lang)), *means, _text(""), _text(""),
                     _text("")))
        cvs = []
        for ind in lv.indicators:
            if ind.cv is None:
                cvs.append(_text("—", Mark.unknown))
                continue
            cell = _fixed(ind.cv, 3)
            mark = (Mark.failed if ind.passed is False
                    else Mark.unknown if ind.passed is None and ind.missing else Mark.none)
            cvs.append(FormCell(cell.text, cell.number, cell.num_format, mark))
        composite = _fixed(lv.composite, 3) if lv.composite is not None else _text("—")
        limit = FormCell(_limit_text(lv.limit), to_decimal(lv.limit, 2), '"≤"0.00')
        rows.append((_text(level_name(lv.level, lang)), _text(_w("cv", lang)), *cvs, composite, limit,
                     _yes_no(lv.outcome, lang)))
    judged = any(lv.judge == "composite" for lv in levels)
    note = _w("III_note_composite" if judged else "III_note", lang, n=len(titles))
    return Form("III", _w("III", lang), f"{_w('III', lang)} {_w('III_title', lang)}", _unit_line(run, lang),
                (header,), tuple(rows), (7, 11, *(12 for _ in titles), 8, 8, 9), (note,),
                landscape=True)


# --- 表Ⅳ / 表Ⅴ and the conclusion: county criteria -----------------------------------------------


def _figure(value: Fraction | None, unit_code: str | None, lang: str, total: Fraction | None = None) -> str:
    """A criterion's figure as the forms print it: 是/否, 10.1%, Ⅲ级, 6200元, 7/8个学段达标."""
    if value is None:
        return "—"
    if unit_code == "bool":
        return _w("yes" if value else "no_", lang)
    if unit_code == "ratio":
        return f"{to_decimal(value * 100, 1)}%"
    if unit_code == "level":
        return _ROMAN.get(int(value), decimal_text(value)) + ("级" if lang == "zh" else "")
    if unit_code == "sections":
        return _w("sections_met", lang, met=decimal_text(value), total=decimal_text(total or value))
    label = unit(unit_code).label(lang) if unit_code and unit_code not in ("count",) else ""
    return f"{decimal_text(value)}{'' if lang == 'zh' else ' '}{label}".strip()


def _required(c: CriterionResult, lang: str) -> str:
    if c.required is None:
        return "—"
    if c.unit == "sections":
        return _w("every_section", lang, total=decimal_text(c.required))
    if c.unit == "bool":  # 是 for a condition to hold, 否 for a veto item that must not
        return _figure(c.required, c.unit, lang)
    return f"{_OP.get(c.op or '', c.op or '')}{_figure(c.required, c.unit, lang)}"


def _actual(c: CriterionResult, lang: str) -> str:
    return _figure(c.actual, c.unit, lang, c.required)


def _criteria_form(run: CountyRun, lang: str, key: str, group: str) -> Form:
    header = (Head(_w("no", lang)), Head(_w("item", lang)), Head(_w("required", lang)), Head(_w("figure", lang)),
              Head(_w("met", lang)), Head(_w("explanation", lang)))
    rows = tuple(
        (_int(i), _text(c.title.get(lang), wrap=True), _text(_required(c, lang)), _text(_actual(c, lang)),
         _yes_no(c.outcome, lang),
         _text("" if c.outcome is Outcome.passed else explain_criterion(c, run, lang), wrap=True))
        for i, c in enumerate((c for c in run.criteria if c.group == group), start=1))
    return Form(key, _w(key, lang), f"{_w(key, lang)} {_w(f'{key}_title', lang)}", _unit_line(run, lang),
                (header,), rows, (6, 40, 14, 16, 9, 60))


def _missing_lines(run: CountyRun, lang: str) -> list[str]:
    lines = []
    for c in run.criteria:
        if c.missing_facts:
            facts = _SEP[lang].join(_fact_where(m, lang) for m in c.missing_facts)
            lines.append(_w("missing_facts", lang, title=c.title.get(lang), facts=facts))
    lines += [_w("rejected", lang, row=r.label(lang)) for r in run.rejected_rows]
    return lines


def _fact_where(item: MissingFact, lang: str) -> str:
    return missing_text((item,), lang)


def _form_conclusion(run: CountyRun, lang: str) -> Form:
    header = (Head(_w("area", lang)), Head(_w("criterion", lang)), Head(_w("required", lang)),
              Head(_w("actual", lang)), Head(_w("result", lang)), Head(_w("explanation", lang)))
    rows: list[tuple[FormCell, ...]] = []
    for c in run.criteria:
        area = _GROUPS.get(c.group, (c.group, c.group))[0 if lang == "zh" else 1]
        rows.append((_text(area), _text(c.title.get(lang), wrap=True), _text(_required(c, lang)),
                     _text(_actual(c, lang)), _text(outcome_label(c.outcome, lang), _outcome_mark(c.outcome)),
                     _text("" if c.outcome is Outcome.passed else explain_criterion(c, run, lang), wrap=True)))
    missing = _missing_lines(run, lang)
    notes = (_w("missing_head", lang) + ("：" if lang == "zh" else ": "), *(missing or [_w("missing_none", lang)]))
    basis = f"{_w('basis', lang)}：{run.ruleset.title.get(lang)}（{run.ruleset.document}）" if lang == "zh" else (
        f"{_w('basis', lang)}: {run.ruleset.title.get(lang)} ({run.ruleset.document})")
    lead = ((_w("verdict", lang), _text(outcome_label(run.outcome, lang), _outcome_mark(run.outcome))),
            (_w("explanation", lang), _text(explain_county(run, lang), wrap=True)))
    return Form("conclusion", _w("conclusion", lang), _w("conclusion_title", lang),
                f"{_unit_line(run, lang)}{'　' if lang == 'zh' else '   '}{basis}", (header,), tuple(rows),
                (12, 40, 16, 16, 10, 70), notes,
                lead=lead)


def _unit_line(run: CountyRun, lang: str) -> str:
    return _w("unit_line", lang, county=run.county or "—", year=run.year or "—")


# --- charts ------------------------------------------------------------------------------------------


def _charts(run: CountyRun, lang: str, sections: Sequence[SchoolResult]) -> list[ChartSeries]:
    charts = []
    for lv in _dispersion(run):
        known = [ind for ind in lv.indicators if ind.cv is not None]
        if not known:
            continue
        charts.append(ChartSeries(
            _w("chart_cv", lang, level=level_name(lv.level, lang)), _w("cv", lang), _w("limit", lang),
            tuple(f"{i}. {ind.title.get(lang)}" for i, ind in enumerate(lv.indicators, start=1) if ind.cv is not None),
            tuple(to_decimal(ind.cv, 3) for ind in known if ind.cv is not None),
            tuple(to_decimal(lv.limit, 2) for _ in known),
            tuple(Mark.failed if ind.passed is False else Mark.passed for ind in known), "0.000"))
    gated = [(s, g) for s in sections if (g := _gate(s)) is not None and g.met_count is not None]
    if len(gated) > CHART_SCHOOLS:  # one bar per school would be unreadable: how many meet 0 … 7 items
        most = max(len(g.members) for _, g in gated)
        needed = max(g.min_met or 0 for _, g in gated)
        charts.append(ChartSeries(
            _w("chart_spread", lang), _w("sections_n", lang), "",
            tuple(_w("items_n", lang, n=k) for k in range(most + 1)),
            tuple(Decimal(sum(1 for _, g in gated if g.met_count == k)) for k in range(most + 1)), (),
            tuple(Mark.passed if k >= needed else Mark.failed for k in range(most + 1)), "0"))
    elif gated:
        charts.append(ChartSeries(
            _w("chart_attain", lang), _w("met_count", lang), _w("needed", lang),
            tuple(f"{s.school_name or s.school_id}（{level_name(s.level, lang)}）" if lang == "zh"
                  else f"{s.school_name or s.school_id} ({level_name(s.level, lang)})" for s, _ in gated),
            tuple(Decimal(g.met_count or 0) for _, g in gated),
            tuple(Decimal(g.min_met or 0) for _, g in gated),
            tuple(_outcome_mark(g.outcome) for _, g in gated), "0"))
    return charts


def county_forms(run: CountyRun, lang: str = "zh") -> Forms:
    """Every form of the county run, in the order they are attached to an application."""
    sections = _sections(run)
    levels = [lv for lv in Level if any(s.level is lv for s in sections)]
    classes = {(s.school_id, s.level): s.classes for s in run.schools}
    forms = [_form_conclusion(run, lang)]
    if sections:
        forms += [_form_ii_1(run, lang, sections, levels), _form_ii_2(run, lang, sections, levels, classes)]
    if _dispersion(run):
        forms.append(_form_iii(run, lang))
    for key, group in (("IV", "government"), ("V", "quality")):
        if any(c.group == group for c in run.criteria):
            forms.append(_criteria_form(run, lang, key, group))
    provenance = (f"junheng {run.junheng_version} · {run.engine} · {run.ruleset.id}（{run.ruleset.version}）"
                  f" sha256 {run.ruleset.sha256[:12]}… · {run.input_file} sha256 {run.input_sha256[:12]}…")
    heading = " ".join(x for x in (run.county, str(run.year or "")) if x)
    return Forms(f"{heading} {_w('title', lang)}".strip(), run.county, run.year, run.outcome,
                 explain_county(run, lang), tuple(forms), tuple(_charts(run, lang, sections)), provenance)

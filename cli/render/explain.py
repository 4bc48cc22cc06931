"""Explanations (说明) rendered from the judgement trace, in Chinese or English.

Every sentence is a template of :mod:`junheng.cli.render.templates` filled from trace values;
numbers are formatted by :mod:`junheng.cli.render.numbers`. Nothing here decides or recomputes a
verdict: the outcome, gap, shortfall, points and members all come from the trace.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import NamedTuple

from junheng.cli.render import numbers as n
from junheng.cli.render.cache import Rendered, literal
from junheng.cli.render.templates import SEP, SEP_LONG, template
from junheng.cli.render.words import fact_name, fact_noun, level_name, op_words, outcome_word
from junheng.engine.county_results import CountyRun, CriterionResult, CvDriver, Exclusion, LevelDispersion
from junheng.engine.results import (
    Judgement,
    MissingFact,
    Outcome,
    RequirementCheck,
    RuleResult,
    Shortfall,
)
from junheng.policy.facts import FACTS, Level
from junheng.policy.inputs import RejectedRow
from junheng.policy.model import (
    AllOrNothingSchedule,
    Localized,
    Op,
    ProportionalSchedule,
    Schedule,
    Status,
    StepSchedule,
    TieredSchedule,
)
from junheng.policy.units import unit

LANGS = ("zh", "en")


def explanation(r: RuleResult) -> Localized:
    """A rule's explanation in both languages (for callers that keep both)."""
    return Localized(zh=explain_rule(r, "zh"), en=explain_rule(r, "en"))


# --- pieces ----------------------------------------------------------------------------------


def citation(j: Judgement, lang: str) -> str:
    """依据: the public source of the rule, its status, and weaker parameter/schedule statuses."""
    return _CITATIONS[(j.source, j.status, j.parameter_status, j.schedule_status, lang)]


def _citation(key: tuple[str, Status, Status | None, Status | None, str]) -> str:
    source, status, parameter_status, schedule_status, lang = key
    text = template("cite", "plain").fill(lang, source=source, status=status.label(lang))
    if parameter_status is not None and parameter_status is not status:
        text += template("cite", "parameter").fill(lang, status=parameter_status.label(lang))
    if schedule_status is not None and schedule_status is not status:
        text += template("cite", "schedule").fill(lang, status=schedule_status.label(lang))
    return text


_CITATIONS: Rendered[tuple[str, Status, Status | None, Status | None, str], str] = Rendered(_citation)


def missing_text(missing: Iterable[MissingFact], lang: str, titles: dict[str, str] | None = None) -> str:
    """The missing figures by name (never an id in Chinese text): “图书册数”（QH-B，初中）."""
    parts = []
    for m in missing:
        if m.reason == "no_ruleset":
            parts.append(template("missing", "no_ruleset").get(lang))
            continue
        name = (titles or {}).get(m.fact) or fact_name(m.fact, lang)
        if m.reason == "zero_everywhere":
            parts.append(template("missing", "zero_everywhere").fill(lang, fact=name))
        elif m.school_id is not None:
            level = level_name(m.level, lang) if m.level is not None else ""
            case = "not_positive" if m.reason == "not_positive" else "at"
            parts.append(template("missing", case).fill(lang, fact=name, school=m.school_id, level=level))
        else:
            parts.append(template("missing", "fact").fill(lang, fact=name))
    return SEP.get(lang).join(parts)


def rejected_text(rows: Sequence[RejectedRow], lang: str, limit: int = 5) -> str:
    """“2行数据有误未读入：a.xlsx 第12行（…）、…” — the rows a verdict would need."""
    shown = (SEP if lang == "zh" else SEP_LONG).get(lang).join(r.label(lang) for r in rows[:limit])
    more = len(rows) - limit
    return template("rejected", "rows").fill(
        lang, n=str(len(rows)), rows=shown,
        more=template("rejected", "more").fill(lang, more=str(more)) if more > 0 else "")


def shortfall_text(s: Shortfall, lang: str) -> str:
    """需增加教学及辅助用房面积675平方米（达到…）, counted on its base when it has one."""
    b = s.base
    sentence, base = _SHORTFALLS[(s.direction, s.fact, None if b is None else b.fact, lang)]
    return sentence.format(
        base="" if b is None else base.format(value=n.quantity(b.value, FACTS[b.fact].unit if b.fact in FACTS else None,
                                                                lang)),
        amount=n.quantity(s.amount, s.unit, lang), target=n.quantity(s.target, s.unit, lang))


def _shortfall_sentences(key: tuple[str, str, str | None, str]) -> tuple[str, str]:
    """A shortfall's sentence and its base clause, the facts named once: left with {base}, {amount},
    {target} and the base's {value}."""
    direction, fact, base_fact, lang = key
    sentence = template("shortfall", direction).fill(lang, fact=literal(fact_noun(fact, lang)), base="{base}",
                                                     amount="{amount}", target="{target}")
    base = "" if base_fact is None else template("shortfall", "base").fill(
        lang, fact=literal(fact_noun(base_fact, lang)), value="{value}")
    return sentence, base


_SHORTFALLS: Rendered[tuple[str, str, str | None, str], tuple[str, str]] = Rendered(_shortfall_sentences)


def shortfall_cell(s: Shortfall | None, lang: str) -> str:
    """A table cell: 增加675平方米 / 减少2人."""
    if s is None:
        return ""
    return template("shortfall_cell", s.direction).fill(lang, amount=n.quantity(s.amount, s.unit, lang))


class _Requirement(NamedTuple):
    """A requirement's texts under the number policy, rendered once per value, unit and language."""

    text: str
    """As a sentence states it (50%, 5.80平方米/生)."""
    indicator: str
    """As an indicator value prints (to tell a near actual value apart from it)."""
    suffix: str
    """What follows an indicator value of this unit (平方米/生, ' teachers per 100 students')."""


def _requirement(key: tuple[int, int, str | None, str]) -> _Requirement:
    numerator, denominator, unit_code, lang = key
    required = Fraction(numerator, denominator)
    return _Requirement(n.required(required, unit_code, lang), n.indicator(required, unit_code),
                        n.with_unit("", unit_code, lang))


_REQUIREMENTS: Rendered[tuple[int, int, str | None, str], _Requirement] = Rendered(_requirement)


def _value_and_gap(actual: Fraction | None, required: Fraction, op: str, unit_code: str | None,
                   gap: Fraction | None, lang: str, *, unbounded: bool = False) -> tuple[str, str, str]:
    """(actual, required, gap clause) texts under the number policy, never self-contradicting."""
    req = _REQUIREMENTS[(required.numerator, required.denominator, unit_code, lang)]
    if unbounded or actual is None:
        return (template("unbounded", "value").get(lang) if unbounded else "—", req.text, "")
    a_text = n.indicator(actual, unit_code)
    if a_text == req.indicator and actual != required:  # both print alike: n.distinct tells them apart
        near = n.distinct(actual, required, unit_code)
        if near is not None:
            near_a, near_r = near
            clause = "" if gap is None or gap <= 0 else template(
                "gap", "just_below" if Op(op).is_lower_bound else "just_above").get(lang)
            return n.with_unit(near_a, unit_code, lang), n.with_unit(near_r, unit_code, lang), clause
    clause = ""
    if gap is not None and gap.numerator > 0:  # a Fraction: its sign, without a comparison
        clause = template("gap", "by").fill(lang, gap=gap_text_of(gap, unit_code, lang)) if not n.rounds_to_zero(
            gap, unit_code) else template("gap", "just_below" if Op(op).is_lower_bound else "just_above").get(lang)
    return a_text + req.suffix, req.text, clause


def gap_text_of(gap: Fraction, unit_code: str | None, lang: str) -> str:
    """How far from the requirement: percentage points for a share, else the indicator's unit."""
    if unit_code in n.PERCENT_UNITS:
        return n.percent_points(gap) + ("个百分点" if lang == "zh" else " percentage points")
    return n.measured(gap, unit_code, lang)


_THRESHOLD_CASES = ("passed", "failed", "unknown", "undefined")
_SCHOOL_SLOTS = {slot: "{" + slot + "}" for slot in ("actual", "required", "gap", "shortfall", "missing")}
"""The slots a school's own values fill; the others (title, level, op, cite) are the rule's."""


def _threshold_sentences(key: tuple[str, Level, str, str, str]) -> dict[str, str]:
    """The threshold sentences of one rule at one level, its words filled in once: templates left
    with the slots of :data:`_SCHOOL_SLOTS`."""
    title, level, op, cite, lang = key
    rule = {"title": literal(title), "level": literal(level_name(level, lang)), "op": literal(op_words(op, lang)),
            "cite": literal(cite)}
    return {case: template("threshold", case).fill(lang, **rule, **_SCHOOL_SLOTS) for case in _THRESHOLD_CASES}


_THRESHOLDS: Rendered[tuple[str, Level, str, str, str], dict[str, str]] = Rendered(_threshold_sentences)


def _threshold(title: str, outcome: Outcome, level: Level, actual: Fraction | None,
               required: Fraction | None, op: str, unit_code: str | None, gap: Fraction | None,
               shortfall: Shortfall | None, missing: Sequence[MissingFact], unbounded: bool,
               undefined: bool, cite: str, lang: str, at_least: bool = False) -> str:
    if required is None:
        return template("threshold", "no_requirement").fill(lang, title=title, level=level_name(level, lang), cite=cite)
    sentences = _THRESHOLDS[(title, level, op, cite, lang)]
    a_text, r_text, gap_text = _value_and_gap(actual, required, op, unit_code, gap, lang, unbounded=unbounded)
    if at_least:  # a lower bound decided the rule: the true value is this or more
        a_text = template("at_least", "value").fill(lang, value=a_text)
        if gap:
            gap_text = template("gap", "at_least").fill(lang, gap=gap_text_of(gap, unit_code, lang))
    if outcome is Outcome.unknown:
        if undefined:
            return sentences["undefined"].format(required=r_text)
        return sentences["unknown"].format(required=r_text, missing=missing_text(missing, lang))
    if outcome is Outcome.passed:
        return sentences["passed"].format(actual=a_text, required=r_text)
    more = (SEP_LONG.get(lang) + shortfall_text(shortfall, lang)) if shortfall is not None else ""
    return sentences["failed"].format(actual=a_text, required=r_text, gap=gap_text, shortfall=more)


def _strip_end(text: str) -> str:
    return text.rstrip("。").rstrip(". ").rstrip()


# --- school rules -----------------------------------------------------------------------------


def explain_rule(r: RuleResult, lang: str) -> str:
    """The explanation of one school rule result (threshold, count gate or scored item)."""
    level = r.level or Level.primary
    if r.kind == "count_gate":
        return _gate(r, lang)
    if r.score is not None:
        return _scored(r, level, lang)
    cite = relaxation_citation(r, lang) if r.relaxation is not None and r.relaxation.applied else citation(r, lang)
    return _threshold(r.title.get(lang), r.outcome, level, r.actual, r.required, r.op or ">=", r.unit,
                      r.gap, r.shortfall, r.missing_facts, r.unbounded, r.undefined, cite, lang,
                      r.actual_at_least)


def relaxation_citation(r: RuleResult, lang: str) -> str:
    """Which relaxation applied and why (each condition the school meets), then its own 依据."""
    rel = r.relaxation
    assert rel is not None
    reasons = SEP.get(lang).join(
        template("relaxation", "reason").fill(
            lang, fact=fact_name(c.fact, lang), op=op_words(c.op, lang),
            actual=n.quantity(c.actual, FACTS[c.fact].unit, lang) if c.actual is not None else "",
            value=n.quantity(c.value, FACTS[c.fact].unit, lang))
        for c in rel.conditions if c.holds)
    required = n.quantity(rel.required, r.unit, lang) if rel.required is not None else ""
    without = n.quantity(rel.required_without, r.unit, lang) if rel.required_without is not None else ""
    return (template("relaxation", "applied").fill(lang, title=rel.title.get(lang), reasons=reasons,
                                                   required=required, without=without)
            + template("cite", "plain").fill(lang, source=rel.source, status=rel.status.label(lang)))


class _GateWords(NamedTuple):
    """A count gate's sentences, its title, size, floor and 依据 filled in once."""

    head: str
    """Left with {met}."""
    floor: str
    passed: str
    unknown: str
    failed: str


def _gate_words(key: tuple[str, int, int, Fraction, str, str]) -> _GateWords:
    title, total, min_met, floor_value, cite, lang = key
    floor = n.percent_as_written(floor_value)
    head = template("count_gate", "head").fill(lang, title=literal(title), total=str(total), met="{met}",
                                               min_met=str(min_met), floor=literal(floor))
    rest = {"head": "{head}", "missed": "{missed}", "unknown": "{unknown}", "need": "{need}", "below": "{below}",
            "cite": literal(cite)}
    return _GateWords(head, floor, *(template("count_gate", case).fill(lang, **rest)
                                     for case in ("passed", "unknown", "failed")))


_GATES: Rendered[tuple[str, int, int, Fraction, str, str], _GateWords] = Rendered(_gate_words)


def _gate(r: RuleResult, lang: str) -> str:
    members = r.members
    words = _GATES[(r.title.get(lang), len(members), r.min_met or 0, r.floor or Fraction(0), citation(r, lang), lang)]
    missed = [m for m in members if m.outcome is Outcome.failed]
    missed_text = SEP.get(lang).join(
        m.title.get(lang) if m.attainment is None
        else template("count_gate", "reach").fill(lang, title=m.title.get(lang), reach=n.percent(m.attainment))
        for m in missed) or template("count_gate", "none").get(lang)
    head = words.head.format(met=str(r.met_count or 0))
    if r.outcome is Outcome.passed:
        return words.passed.format(head=head, missed=missed_text)
    if r.outcome is Outcome.unknown:
        unknown = SEP.get(lang).join(m.title.get(lang) for m in members if m.outcome is Outcome.unknown)
        return words.unknown.format(head=head, unknown=unknown, missed=missed_text)
    need_n = max((r.min_met or 0) - (r.met_count or 0), 0)
    need = template("count_gate", "need").fill(lang, need=str(need_n)) if need_n else ""
    below_members = [m for m in missed if m.meets_floor is False]
    below = template("count_gate", "below").fill(
        lang, floor=words.floor, below=SEP.get(lang).join(m.title.get(lang) for m in below_members)
    ) if below_members else ""
    return words.failed.format(head=head, missed=missed_text, need=need, below=below)


def schedule_text(schedule: Schedule, unit_code: str | None, lang: str) -> str:
    """A deduction schedule in words; the document's own wording when the ruleset gives it (zh)."""
    if lang == "zh" and schedule.text:
        return schedule.text + ("，扣完为止" if isinstance(schedule, StepSchedule) and "扣完" not in schedule.text
                                else "")
    if isinstance(schedule, StepSchedule):
        per = n.quantity(schedule.per, unit_code, lang)
        return template("schedule", "step").fill(lang, per=per, deduct=n.trimmed(schedule.deduct))
    if isinstance(schedule, TieredSchedule):
        parts = []
        for tier in schedule.tiers:
            share = (template("schedule", "tier_full").get(lang) if tier.share == 1
                     else template("schedule", "tier_share").fill(lang, share=_pct0(tier.share)))
            parts.append(template("schedule", "tier").fill(lang, at_least=_pct0(tier.at_least), share=share))
        low = _pct0(schedule.tiers[-1].at_least)
        parts.append(template("schedule", "tier_else_zero").fill(lang, below=low) if schedule.otherwise == 0
                     else template("schedule", "tier_else").fill(lang, below=low, share=_pct0(schedule.otherwise)))
        return ("，" if lang == "zh" else "; ").join(parts)
    if isinstance(schedule, ProportionalSchedule):
        case = schedule.rounding if schedule.rounding != "half_up" or schedule.places else "half_up0"
        rounding = template("rounding", case).fill(lang, places=str(schedule.places))
        return template("schedule", "proportional").fill(lang, rounding=rounding)
    if isinstance(schedule, AllOrNothingSchedule):
        return template("schedule", "all_or_nothing").get(lang)
    return template("schedule", "assessed").get(lang)


def _pct0(value: Fraction) -> str:
    """Tier bounds as the documents write them: 80%, 100%."""
    return n.percent_as_written(value)


def _check_text(c: RequirementCheck, level: Level, lang: str) -> str:
    return _strip_end(_threshold(c.title.get(lang), c.outcome, level, c.actual, c.required, c.op, c.unit,
                                 c.gap, None, c.missing_facts, c.unbounded, c.undefined, "", lang))


def _scored(r: RuleResult, level: Level, lang: str) -> str:
    s = r.score
    assert s is not None
    points = n.trimmed(s.points) if s.points is not None else ""
    head = template("scored", "head" if s.points is not None else "head_unweighted").fill(
        lang, id=r.rule_id, title=r.title.get(lang), points=points)
    parts = [_check_text(c, level, lang) for c in s.checks]
    if r.shortfall is not None and parts:
        parts[0] += SEP_LONG.get(lang) + shortfall_text(r.shortfall, lang)
    if s.note is not None:
        kind = s.note.kind + ("_unweighted" if s.points is None and s.note.kind == "invalid_assessed_score" else "")
        parts.append(template("scored", kind).fill(lang, id=r.rule_id, value=s.note.value, points=points,
                                                   level=level_name(level, lang)))
    words = schedule_text(s.schedule, s.schedule_unit, lang)
    if s.awarded is None:
        tail = template("scored", "unscored").get(lang)
    elif s.assessed and s.points is None:
        tail = template("scored", "assessed_unweighted").fill(lang, awarded=n.trimmed(s.awarded))
    elif s.assessed:
        tail = template("scored", "assessed").fill(lang, schedule=words, awarded=n.trimmed(s.awarded))
    elif not s.deducted:
        tail = template("scored", "full").fill(lang, points=points)
    else:
        tail = template("scored", "deducted").fill(lang, schedule=words, deducted=n.trimmed(s.deducted),
                                                   awarded=n.trimmed(s.awarded))
    checks = "".join(p + SEP_LONG.get(lang) for p in parts)
    return template("scored", "line").fill(lang, head=head, checks=checks, tail=tail, cite=citation(r, lang))


# --- county ------------------------------------------------------------------------------------


def _county_value(value: Fraction, unit_code: str, fact: str | None, lang: str, *, stated: bool = False) -> str:
    """A county figure; ``stated``: a requirement as the document writes it (20%, not 20.0%)."""
    if unit_code == "ratio" and fact in n.DECIMAL_RATIO_FACTS:
        return n.trimmed(value, 4)
    if unit_code == "ratio" and stated:
        return n.percent_as_written(value)
    if unit_code == "level":
        roman = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}
        return roman.get(int(value), n.whole(value)) + ("级" if lang == "zh" else "")
    return n.quantity(value, unit_code, lang)


def explain_criterion(c: CriterionResult, run: CountyRun, lang: str) -> str:
    cite = citation(c, lang)
    title = c.title.get(lang)
    verdict = outcome_word(c.outcome, lang)
    if c.kind == "dispersion":
        levels = [lv for lv in run.levels if lv.criterion_id == c.criterion_id]
        names = {s.school_id: s.school_name for s in run.schools}
        parts = [_dispersion_level(lv, names, lang) for lv in levels]
        joined = ("。" if lang == "zh" else ". ").join(parts)
        return template("dispersion", "line").fill(lang, title=title, levels=joined, verdict=verdict, cite=cite)
    if c.fact is not None:
        unit_code = c.unit or ""
        required = c.required if c.required is not None else Fraction(0)
        if unit_code == "bool" and c.veto and c.actual is not None:
            return template("county_fact", "veto_clear" if c.outcome is Outcome.passed else "veto_found").fill(
                lang, title=title, cite=cite)
        if unit_code == "bool":
            want = bool(required)
            yes_no = ("是" if want else "否") if lang == "zh" else ("yes" if want else "no")
            requirement = template("county_fact", "yes_no").fill(lang, want=yes_no)
            if c.veto:
                requirement += template("county_fact", "veto").get(lang)
        else:
            requirement = template("county_fact", "requirement").fill(
                lang, op=op_words(c.op, lang), required=_county_value(required, unit_code, c.fact, lang, stated=True))
        if c.actual is None:
            return template("county_fact", "unknown").fill(
                lang, title=title, missing=missing_text(c.missing_facts, lang), requirement=requirement, cite=cite)
        if unit_code == "bool":
            actual = ("是" if c.actual else "否") if lang == "zh" else ("yes" if c.actual else "no")
        else:
            actual = _county_value(c.actual, unit_code, c.fact, lang)
        return template("county_fact", "decided").fill(lang, title=title, actual=actual, requirement=requirement,
                                                       verdict=verdict, cite=cite)
    # every school (所有学校达到…)
    if any(m.reason == "no_ruleset" for m in c.missing_facts):
        return template("all_schools", "no_ruleset").fill(lang, title=title, cite=cite)
    failed = template("all_schools", "failed").fill(
        lang, sections=section_names(run, c.failing, lang)) if c.failing else ""
    unknown = ""
    if c.unknown:
        missing = template("all_schools", "missing").fill(
            lang, missing=missing_text(c.missing_facts, lang)) if c.missing_facts else ""
        unknown = template("all_schools", "unknown").fill(
            lang, sections=section_names(run, c.unknown, lang), missing=missing)
    if c.rejected_rows:
        unknown += template("all_schools", "rejected").fill(lang, rejected=rejected_text(c.rejected_rows, lang))
    total = c.sections or 0
    met = total - len(c.failing) - len(c.unknown)
    return template("all_schools", "line").fill(lang, title=title, total=str(total), met=str(met), failed=failed,
                                                unknown=unknown, verdict=verdict, cite=cite)


def section_names(run: CountyRun, keys: Sequence[str], lang: str) -> str:
    """``school_id/level`` keys as a reader knows them: 示例A初级中学（初中）."""
    names = {s.school_id: s.school_name for s in run.schools}
    out = []
    for key in keys:
        school_id, _, level = key.partition("/")
        lv = level_name(Level(level), lang) if level in Level.__members__ else level
        out.append(template("section", "label").fill(lang, name=names.get(school_id) or school_id, level=lv))
    return SEP.get(lang).join(out)


def _driver(drivers: Sequence[CvDriver], names: dict[str, str], lang: str) -> str:
    for d in drivers:
        if d.share_of_variance:
            return template("dispersion", "driver").fill(
                lang, school=names.get(d.school_id) or d.school_id, share=n.percent(d.share_of_variance))
    return ""


def _dispersion_level(lv: LevelDispersion, names: dict[str, str], lang: str) -> str:
    head = template("dispersion", "head").fill(
        lang, level=level_name(lv.level, lang), schools=str(lv.schools),
        weighting=template("dispersion", "weighted" if lv.weighted else "unweighted").get(lang))
    verdict = outcome_word(lv.outcome, lang)
    if lv.rejected_rows:
        return template("dispersion", "rejected").fill(lang, head=head, rejected=rejected_text(lv.rejected_rows, lang))
    missing = [m for ind in lv.indicators for m in ind.missing]
    if missing:
        titles = {i.indicator: i.title.get(lang) for i in lv.indicators}
        return template("dispersion", "unknown").fill(lang, head=head, missing=missing_text(missing, lang, titles))
    limit = n.limit(lv.limit)
    worst = max(lv.indicators, key=lambda i: i.cv or 0)
    if lv.judge == "composite":
        assert lv.composite is not None
        return template("dispersion", "composite").fill(
            lang, head=head, composite=n.cv(lv.composite), n=str(len(lv.indicators)), limit=limit, verdict=verdict,
            worst=worst.title.get(lang), worst_cv=n.cv(worst.cv or Fraction(0)),
            driver=_driver(worst.drivers, names, lang))
    failing = [i for i in lv.indicators if i.passed is False]
    if not failing:
        return template("dispersion", "all_within").fill(
            lang, head=head, n=str(len(lv.indicators)), limit=limit, worst=worst.title.get(lang),
            worst_cv=n.cv(worst.cv or Fraction(0)), verdict=verdict)
    items = SEP_LONG.get(lang).join(
        template("dispersion", "item").fill(lang, title=i.title.get(lang), cv=n.cv(i.cv or Fraction(0)),
                                            driver=_driver(i.drivers, names, lang)) for i in failing)
    return template("dispersion", "some_above").fill(lang, head=head, n=str(len(failing)), limit=limit, items=items)


def explain_county(run: CountyRun, lang: str) -> str:
    county = run.county or template("county", "this_county").get(lang)
    if run.outcome is Outcome.passed:
        return template("county", "passed").fill(lang, county=county)
    failed = [c.title.get(lang) for c in run.criteria if c.outcome is Outcome.failed]
    unknown = [c.title.get(lang) for c in run.criteria if c.outcome is Outcome.unknown]
    f = template("county", "failed_list").fill(lang, titles=SEP.get(lang).join(failed)) if failed else ""
    u = template("county", "unknown_list").fill(lang, titles=SEP.get(lang).join(unknown)) if unknown else ""
    if run.rejected_rows:
        u += template("county", "rejected").fill(lang, rejected=rejected_text(run.rejected_rows, lang))
    case = "failed" if run.outcome is Outcome.failed else "unknown"
    return template("county", case).fill(lang, county=county, failed=f, unknown=u)


def exclusion_text(e: Exclusion, lang: str) -> str:
    if e.below_students is None:
        return template("exclusion", "all").fill(lang, school_type=e.school_type, source=e.source)
    return template("exclusion", "below").fill(lang, school_type=e.school_type, source=e.source,
                                               n=n.whole(e.below_students))


def unit_label(unit_code: str | None, lang: str) -> str:
    """A unit's label for a column heading ('' for counts and ratios)."""
    if not unit_code or unit_code in ("count", "ratio", "bool", "text"):
        return ""
    return unit(unit_code).label(lang)

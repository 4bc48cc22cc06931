"""Scored items (计分项): points awarded and deducted, exactly, on top of engine verdicts.

Each requirement of a scored item is measured exactly (:mod:`measure`) and becomes an integer
margin atom; whether it holds — and, for a tiered schedule, which attainment tier is reached —
is decided by the inference engine like every other rule (:mod:`predicates`,
:mod:`durable_backend`). Points are then plain exact arithmetic on those verdicts:

* step — ⌊shortfall ÷ per⌋ × deduct points off ("每少0.5扣1分，缺额不足0.5不扣分");
* tiered — the share of the highest attainment tier reached (100% → full, 80% → 80% …);
* proportional — points × attainment, rounded as the ruleset says;
* all-or-nothing — full points when every requirement holds, else zero ("未达标，不得分");
* assessed — the assessor's (or the school's self-) score, when the rule is not known.

Every deduction stops at zero (扣完为止) and never exceeds the item's points.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from junheng.engine.measure import Measurement, attainment, gap, margin, measure, shortfall
from junheng.engine.numbers import to_decimal
from junheng.engine.predicates import CompiledPredicates
from junheng.engine.results import (
    GroupScore,
    ItemScore,
    Outcome,
    RequirementCheck,
    RuleResult,
    ScoreNote,
    ScoreSummary,
    Shortfall,
    missing_facts,
)
from junheng.engine.verdicts import Atom, Verdict
from junheng.policy.inputs import SchoolSection
from junheng.policy.model import (
    AllOrNothingSchedule,
    AssessedSchedule,
    LevelValues,
    Op,
    ProportionalSchedule,
    Requirement,
    Ruleset,
    ScoredRule,
    Status,
    StepSchedule,
    ThresholdRule,
    TieredSchedule,
    to_fraction,
)

_WEAKNESS = [Status.confirmed, Status.secondary, Status.inferred, Status.unconfirmed]


def weakest(*statuses: Status | None) -> Status | None:
    """The least certain of some provenance statuses (confirmed < … < unconfirmed)."""
    known = [s for s in statuses if s is not None]
    return max(known, key=_WEAKNESS.index) if known else None


# --- the schedules as pure exact arithmetic ---------------------------------------------------


def clamp_points(value: Fraction, points: Fraction) -> Fraction:
    """扣完为止: never below zero, never above the item's points."""
    return min(max(value, Fraction(0)), points)


def step_points(points: Fraction, shortfall_value: Fraction, per: Fraction, deduct: Fraction) -> Fraction:
    """Points after ⌊shortfall ÷ per⌋ × deduct are taken off (a remainder under ``per`` is free)."""
    steps = math.floor(max(shortfall_value, Fraction(0)) / per)
    return clamp_points(points - steps * deduct, points)


def tiered_points(points: Fraction, schedule: TieredSchedule, reached: int | None) -> Fraction:
    """Points for the highest tier reached (index into ``schedule.tiers``), or ``otherwise``."""
    share = schedule.tiers[reached].share if reached is not None else schedule.otherwise
    return clamp_points(points * share, points)


def round_points(value: Fraction, places: int, rounding: str) -> Fraction:
    if rounding == "exact":
        return value
    if rounding == "floor":
        step = Fraction(1, 10**places)
        return Fraction(math.floor(value / step)) * step
    return Fraction(to_decimal(value, places))


def proportional_points(points: Fraction, reach: Fraction, schedule: ProportionalSchedule) -> Fraction:
    """points × attainment (capped at 100%), rounded as the schedule says."""
    return clamp_points(round_points(points * min(max(reach, Fraction(0)), Fraction(1)),
                                     schedule.places, schedule.rounding), points)


def full_marks_attainment(points: Fraction, schedule: ProportionalSchedule) -> Fraction:
    """The least attainment whose rounded points are full: 1 − ½·10⁻ᵖ ÷ points (half up)."""
    if schedule.rounding != "half_up":
        return Fraction(1)
    return max(Fraction(0), 1 - Fraction(1, 2 * 10**schedule.places) / points)


# --- preparing one scored item for one school section ---------------------------------------


@dataclass(frozen=True)
class _Check:
    """One requirement as a threshold rule with a literal (or parameter) value, and its measurement."""

    rule: ThresholdRule | None
    """None when the requirement has no value for this school (a size table without its row)."""
    m: Measurement | None
    table_status: Status | None = None
    missing: tuple[str, ...] = ()


def _as_threshold(item: ScoredRule, j: int, req: Requirement, value: LevelValues) -> ThresholdRule:
    return ThresholdRule(
        kind="threshold", id=f"{item.id}#{j}", title=item.title, indicator=req.indicator, op=req.op,
        value=value, levels=item.levels, source=item.source, status=item.status, text=item.text,
        article=item.article,
    )


def prepare_check(ruleset: Ruleset, item: ScoredRule, j: int, section: SchoolSection) -> _Check:
    req = item.requirements[j]
    level = section.level
    if req.table is not None:
        table = ruleset.tables[req.table]
        classes = section.values.get("classes")
        if classes is None:
            return _Check(None, None, table.status, ("classes",))
        row = table.lookup(level, int(classes))
        if row is None:
            return _Check(None, None, table.status)
        rule = _as_threshold(item, j, req, LevelValues(primary=row.value, junior=row.value))
        m = measure(ruleset, rule, level, section.values, section.school_type)
        return _Check(rule, m, table.status, m.missing)
    assert req.value is not None
    rule = _as_threshold(item, j, req, req.value)
    m = measure(ruleset, rule, level, section.values, section.school_type)
    return _Check(rule, m, None, m.missing)


def _key(index: int, j: int) -> str:
    return f"s{index}_{j}"


def _tier_key(index: int, k: int) -> str:
    return f"s{index}_t{k}"


def _tier_atom(op: Op, key: str) -> Atom:
    return Atom(key, ">=" if op.is_lower_bound else "<=")


def item_verdicts(item: ScoredRule, index: int) -> dict[str, Verdict]:
    """``<id>#met``: every requirement holds; ``<id>#tier<k>``: attainment ≥ tier k."""
    verdicts: dict[str, Verdict] = {}
    if item.requirements:
        verdicts[f"{item.id}#met"] = (tuple(Atom(_key(index, j), r.op.value)
                                            for j, r in enumerate(item.requirements)),)
        for j, r in enumerate(item.requirements):
            verdicts[f"{item.id}#req{j}"] = ((Atom(_key(index, j), r.op.value),),)
    if isinstance(item.schedule, TieredSchedule):
        op = item.requirements[0].op
        for k, _tier in enumerate(item.schedule.tiers):
            verdicts[f"{item.id}#tier{k}"] = ((_tier_atom(op, _tier_key(index, k)),),)
    return verdicts


def item_fact(item: ScoredRule, index: int, checks: Sequence[_Check]) -> dict[str, int]:
    """Integer margins (their numerators: same sign, exact) for the decidable requirements."""
    fact: dict[str, int] = {}
    for j, c in enumerate(checks):
        if c.rule is None or c.m is None or not c.m.decidable:
            continue
        if c.m.unbounded:
            fact[_key(index, j)] = 1
        else:
            fact[_key(index, j)] = margin(c.rule, c.m).numerator
    if isinstance(item.schedule, TieredSchedule) and checks:
        c = checks[0]
        if c.rule is not None and c.m is not None and c.m.decidable:
            for k, tier in enumerate(item.schedule.tiers):
                if c.m.unbounded:
                    fact[_tier_key(index, k)] = 1
                elif c.rule.op.is_lower_bound:  # actual ≥ share × required
                    fact[_tier_key(index, k)] = margin(c.rule, c.m, tier.at_least).numerator
                elif tier.at_least == 0:  # required ÷ actual ≥ 0 always holds
                    fact[_tier_key(index, k)] = -1
                else:  # required ÷ actual ≥ s  ⇔  actual ≤ required ÷ s
                    fact[_tier_key(index, k)] = margin(c.rule, c.m, 1 / tier.at_least).numerator
    return fact


# --- assessed points ----------------------------------------------------------------------------


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _assessed_headers(rule_id: str) -> set[str]:
    """The headers an item's assessed score may be given under (normalised)."""
    return {_norm(x) for x in (f"score:{rule_id}", f"score.{rule_id}", f"{rule_id}得分",
                               f"{rule_id}自评得分", f"{rule_id}评估得分")}


def assessed_columns(ruleset: Ruleset, headers: Iterable[str]) -> list[str]:
    """The input columns among ``headers`` that ``ruleset`` reads as assessed scores (``B3得分``
    for an ``assessed`` item B3): not facts, yet used — so not "unused columns"."""
    wanted = set().union(*(_assessed_headers(r.id) for r in ruleset.rules
                           if isinstance(r, ScoredRule) and isinstance(r.schedule, AssessedSchedule)))
    return [h for h in headers if _norm(h) in wanted]


def assessed_score(section: SchoolSection, rule_id: str) -> tuple[Fraction | None, str | None]:
    """The assessed score of an item from the input column ``score:<id>`` / ``<id>得分`` /
    ``<id>自评得分``; (None, None) when absent, (None, text) when not a number."""
    wanted = _assessed_headers(rule_id)
    for column, written in section.extra.items():
        if _norm(column) in wanted:
            try:
                return to_fraction(written.strip()), None
            except ValueError:
                return None, written
    return None, None


# --- the result of one item ---------------------------------------------------------------------


def _full_marks(ruleset: Ruleset, item: ScoredRule, checks: Sequence[_Check],
                section: SchoolSection) -> tuple[Shortfall, ...]:
    """The least change per resource that restores full points."""
    out: list[Shortfall] = []
    schedule = item.schedule
    for c in checks:
        if c.rule is None or c.m is None or c.m.required is None or not c.m.decidable:
            continue
        rule, target = c.rule, c.m.required
        lower = rule.op.is_lower_bound
        if isinstance(schedule, StepSchedule):
            # full points while the shortfall stays under one step: strictly within ``per``
            rule = rule.model_copy(update={"op": Op.more_than if lower else Op.less_than})
            target = c.m.required - schedule.per if lower else c.m.required + schedule.per
        elif isinstance(schedule, ProportionalSchedule) and item.points is not None:
            reach = full_marks_attainment(item.points, schedule)
            target = c.m.required * reach if lower else (c.m.required / reach if reach else c.m.required)
        elif isinstance(schedule, TieredSchedule):
            full = [t.at_least for t in schedule.tiers if t.share == 1]
            if full:
                target = c.m.required * full[-1] if lower else c.m.required / full[-1]
        s = shortfall(ruleset, rule, section.level, section.values, c.m, target_value=target)
        if s is not None:
            out.append(s)
    return tuple(out)


def scored_result(ruleset: Ruleset, item: ScoredRule, checks: Sequence[_Check],
                  held: frozenset[str], section: SchoolSection) -> RuleResult:
    """One scored item for one section: outcome from the verdicts, points by the schedule."""
    schedule = item.schedule
    first = checks[0] if checks else None
    unit_code = ruleset.indicators[item.requirements[0].indicator].unit if item.requirements else None
    param_status = weakest(*(c.m.parameter_status for c in checks if c.m is not None),
                           *(c.table_status for c in checks))
    awarded: Fraction | None = None
    outcome = Outcome.unknown
    note: ScoreNote | None = None
    raw: Fraction | None = None
    steps: int | None = None
    if isinstance(schedule, AssessedSchedule):
        value, bad = assessed_score(section, item.id)
        if value is not None and item.points is None and value >= 0:
            # weight not public: the score as assessed, out of no known maximum — a score, not a verdict
            awarded = value
            outcome = Outcome.scored
        elif value is not None and item.points is not None and 0 <= value <= item.points:
            awarded = value
            outcome = Outcome.passed if value == item.points else Outcome.failed
        elif value is not None or bad is not None:
            note = ScoreNote(kind="invalid_assessed_score",
                             value=bad if bad is not None else str(value))
        else:
            note = ScoreNote(kind="no_assessed_score")
    elif item.points is None:  # pragma: no cover - the model allows unknown points only when assessed
        raise AssertionError(item.id)
    elif all(c.rule is not None and c.m is not None and c.m.decidable for c in checks):
        met = f"{item.id}#met" in held
        outcome = Outcome.passed if met else Outcome.failed
        assert first is not None and first.rule is not None and first.m is not None
        if met:
            awarded = item.points
        elif isinstance(schedule, AllOrNothingSchedule):
            awarded = Fraction(0)
        elif isinstance(schedule, StepSchedule):
            short_by = gap(first.rule, first.m) or Fraction(0)
            steps = math.floor(max(short_by, Fraction(0)) / schedule.per)
            awarded = step_points(item.points, short_by, schedule.per, schedule.deduct)
        elif isinstance(schedule, TieredSchedule):
            reached = next((k for k in range(len(schedule.tiers)) if f"{item.id}#tier{k}" in held), None)
            awarded = tiered_points(item.points, schedule, reached)
        elif isinstance(schedule, ProportionalSchedule):
            reach = attainment(first.rule, first.m)
            reach = reach if reach is not None else Fraction(0)
            raw = item.points * min(max(reach, Fraction(0)), Fraction(1))
            awarded = proportional_points(item.points, reach, schedule)
    elif any(c.rule is None and not c.missing for c in checks):
        classes = section.values.get("classes")
        note = ScoreNote(kind="no_table_row", value=str(classes) if classes is not None else "")
    deducted = None if awarded is None or item.points is None else item.points - awarded
    full = (_full_marks(ruleset, item, checks, section)
            if awarded is not None and item.points is not None and awarded < item.points else ())
    m = first.m if first is not None else None
    frule = first.rule if first is not None else None
    short = None
    the_gap = None
    if outcome is Outcome.failed and frule is not None and m is not None:
        short = shortfall(ruleset, frule, section.level, section.values, m)
        the_gap = gap(frule, m)
    return RuleResult(
        rule_id=item.id, level=section.level, kind=item.kind, title=item.title, outcome=outcome,
        actual=m.actual if m is not None else (awarded if isinstance(schedule, AssessedSchedule) else None),
        required=m.required if m is not None else None,
        op=item.requirements[0].op.value if item.requirements else None,
        unit=unit_code if item.requirements else "points",
        gap=the_gap, shortfall=short,
        missing_facts=missing_facts(tuple(n for c in checks for n in c.missing)),
        unbounded=bool(m is not None and m.unbounded), undefined=bool(m is not None and m.undefined),
        text=item.text, article=item.article, source=item.source,
        status=item.status, parameter_status=param_status,
        schedule_status=schedule.status if schedule.status is not item.status else None,
        score=ItemScore(points=item.points, awarded=awarded, deducted=deducted, group=item.group,
                        schedule_kind=schedule.kind, schedule=schedule, schedule_unit=unit_code,
                        schedule_status=schedule.status,
                        assessed=isinstance(schedule, AssessedSchedule), full_marks=full,
                        raw=raw, steps=steps, checks=_requirement_checks(ruleset, item, checks, held),
                        note=note),
    )


def _requirement_checks(ruleset: Ruleset, item: ScoredRule, checks: Sequence[_Check],
                        held: frozenset[str]) -> tuple[RequirementCheck, ...]:
    out = []
    for j, c in enumerate(checks):
        if c.rule is None or c.m is None:
            continue
        ind = ruleset.indicators[c.rule.indicator]
        o = Outcome.unknown if not c.m.decidable else (
            Outcome.passed if f"{item.id}#req{j}" in held else Outcome.failed)
        out.append(RequirementCheck(
            indicator=c.rule.indicator, title=ind.title, outcome=o, actual=c.m.actual,
            required=c.m.required, op=c.rule.op.value, unit=ind.unit,
            gap=gap(c.rule, c.m) if o is Outcome.failed else None,
            missing_facts=missing_facts(c.m.missing), unbounded=c.m.unbounded, undefined=c.m.undefined))
    return tuple(out)


# --- a batch ---------------------------------------------------------------------------------


def score_sections(ruleset: Ruleset, sections: Sequence[SchoolSection],
                   engine: Literal["durable", "direct"] = "durable") -> list[dict[str, RuleResult]]:
    """Every scored item of every section, with one engine call for the batch."""
    from junheng.engine.evaluate import decide

    items = [(i, r) for i, r in enumerate(ruleset.rules) if isinstance(r, ScoredRule)]
    if not items:
        return [{} for _ in sections]
    verdicts: dict[str, Verdict] = {}
    for i, item in items:
        verdicts.update(item_verdicts(item, i))
    prepared: list[dict[str, list[_Check]]] = []
    facts: list[dict[str, int]] = []
    for section in sections:
        checks: dict[str, list[_Check]] = {}
        fact: dict[str, int] = {}
        for i, item in items:
            if section.level not in item.levels:
                continue
            checks[item.id] = [prepare_check(ruleset, item, j, section)
                               for j in range(len(item.requirements))]
            fact.update(item_fact(item, i, checks[item.id]))
        prepared.append(checks)
        facts.append(fact)
    held_all = decide(CompiledPredicates(verdicts, {}), facts, engine) if verdicts else [frozenset()
                                                                                        for _ in facts]
    out: list[dict[str, RuleResult]] = []
    for section, checks, held in zip(sections, prepared, held_all, strict=True):
        out.append({item.id: scored_result(ruleset, item, checks[item.id], held, section)
                    for _, item in items if item.id in checks})
    return out


def score_summary(ruleset: Ruleset, results: Sequence[RuleResult]) -> ScoreSummary | None:
    """Total and group points of one section (None when the ruleset has no scored items)."""
    items = [r.score for r in results if r.score is not None]
    if not items:
        return None
    maxima = [s.points for s in items]
    group_points = {name: g.points for name, g in ruleset.groups.items()}
    if None in maxima or None in group_points.values():
        return None  # a weight is not public: no total, no group sums (never a made-up score)
    known = [(s, s.points) for s in items if s.points is not None]
    groups = []
    for name, group in ruleset.groups.items():
        members = [(s, p) for s, p in known if s.group == name]
        group_max = group_points[name]
        assert group_max is not None
        groups.append(GroupScore(
            group=name, title=group.title, points=group_max,
            awarded=sum((s.awarded for s, _ in members if s.awarded is not None), Fraction(0)),
            undecided=sum((p for s, p in members if s.awarded is None), Fraction(0)),
        ))
    points = sum((p for _, p in known), Fraction(0))
    awarded = sum((s.awarded for s, _ in known if s.awarded is not None), Fraction(0))
    undecided = sum((p for s, p in known if s.awarded is None), Fraction(0))
    return ScoreSummary(points=points, awarded=awarded, deducted=points - awarded - undecided,
                        undecided=undecided, groups=tuple(groups))


def scores_by_rule(results: Sequence[RuleResult]) -> Mapping[str, ItemScore]:
    return {r.rule_id: r.score for r in results if r.score is not None}

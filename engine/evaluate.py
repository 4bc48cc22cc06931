"""Evaluating school sections against a ruleset (学校评估).

Flow: validated facts → exact measurements (:mod:`measure`) → integer margins → verdicts from
the inference engine (durable_rules, :mod:`durable_backend`) → results with shortfalls and
explanations. ``engine="direct"`` decides the same predicates in plain Python: the two paths
must agree, which the differential tests check.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Literal

import junheng
from junheng.engine.measure import (
    Measurement,
    apply_relaxations,
    attainment,
    gap,
    holds,
    measure,
    measure_in_scope,
    parameter_values,
    requirement,
    shortfall,
)
from junheng.engine.predicates import (
    CompiledPredicates,
    compile_predicates,
    could_hold,
    engine_fact,
)
from junheng.engine.relaxation import relaxation_record
from junheng.engine.results import (
    EvaluationRun,
    GateMember,
    GatePath,
    GateStep,
    InputInfo,
    Outcome,
    RuleResult,
    RulesetInfo,
    RunEnvelope,
    SchoolResult,
    missing_facts,
)
from junheng.engine.verdicts import evaluate_directly
from junheng.policy.facts import Level
from junheng.policy.inputs import FactsBatch, InputIssue, SchoolSection
from junheng.policy.loader import LoadedRuleset
from junheng.policy.model import (
    CountGateRule,
    Indicator,
    Ruleset,
    ScoredRule,
    Status,
    ThresholdRule,
)

EngineName = Literal["durable", "direct"]


@dataclass(frozen=True)
class _ThresholdPlan:
    """One threshold rule as it applies to every section of one level and school type."""

    rule: ThresholdRule
    indicator: Indicator
    required: Fraction | None
    parameter_status: Status | None


@dataclass(frozen=True)
class _GatePlan:
    """One count gate for one level: its floor factor, members and the floor's status."""

    gate: CountGateRule
    floor: Fraction
    members: tuple[ThresholdRule, ...]
    floor_status: Status | None


@dataclass(frozen=True)
class _Plan:
    """What the ruleset says for one level and school type, worked out once per batch (not once
    per section and rule): parameter values, requirements and gate floors."""

    level: Level
    parameters: dict[str, Fraction]
    rules: tuple[_ThresholdPlan | _GatePlan | ScoredRule, ...]
    """The rules of this level, in the ruleset's order."""
    floors: dict[str, Fraction]
    """Floor factors (e.g. 85%) for every rule that is a member of a count gate."""

    @property
    def thresholds(self) -> Iterator[_ThresholdPlan]:
        return (r for r in self.rules if isinstance(r, _ThresholdPlan))


def _plan(ruleset: Ruleset, level: Level, school_type: str | None) -> _Plan:
    rules: list[_ThresholdPlan | _GatePlan | ScoredRule] = []
    floors: dict[str, Fraction] = {}
    for rule in ruleset.rules:
        if level not in rule.levels:
            continue
        if isinstance(rule, ThresholdRule):
            required, param_status = requirement(ruleset, rule, level, school_type)
            rules.append(_ThresholdPlan(rule, ruleset.indicators[rule.indicator], required, param_status))
        elif isinstance(rule, CountGateRule):
            floor = ruleset.resolve(rule.floor, level)
            assert floor is not None
            members = tuple(ruleset.rule(m) for m in rule.rules)
            assert all(isinstance(m, ThresholdRule) for m in members)
            rules.append(_GatePlan(rule, floor, members,  # type: ignore[arg-type]
                                   ruleset.parameters[rule.floor.param].status
                                   if not isinstance(rule.floor, Fraction) else None))
            for member in rule.rules:
                floors[member] = floor
        else:
            rules.append(rule)
    return _Plan(level, parameter_values(ruleset, level), tuple(rules), floors)


class _Plans:
    """The plans of one batch, by level and school type."""

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self._plans: dict[tuple[Level, str | None], _Plan] = {}

    def __call__(self, section: SchoolSection) -> _Plan:
        key = (section.level, section.school_type)
        if key not in self._plans:
            self._plans[key] = _plan(self.ruleset, *key)
        return self._plans[key]


@dataclass(frozen=True)
class _Prepared:
    section: SchoolSection
    plan: _Plan
    measurements: dict[str, Measurement]
    fact: dict[str, int]

    def scope(self) -> dict[str, Fraction]:
        """:func:`formula_scope` of the section (rebuilt when needed rather than kept per section)."""
        return {**self.plan.parameters, **self.section.values}


def _prepare(ruleset: Ruleset, compiled: CompiledPredicates, plan: _Plan,
             section: SchoolSection) -> _Prepared:
    scope = {**plan.parameters, **section.values}
    measurements = {
        t.rule.id: apply_relaxations(
            ruleset, t.rule, measure_in_scope(t.rule, t.indicator.formula, t.required, t.parameter_status, scope,
                                     bound=t.indicator.at_least),
            section.level, section.school_type, section.values)
        for t in plan.thresholds
    }
    fact = engine_fact(compiled, ruleset, measurements, plan.floors)
    return _Prepared(section, plan, measurements, fact)


def decide(compiled: CompiledPredicates, facts: list[dict[str, int]],
           engine: EngineName) -> list[frozenset[str]]:
    """Which verdicts hold for each fact, from the inference engine or directly."""
    if engine == "durable":
        # Imported here: the direct engine (and ``import junheng``) never loads durable_rules.
        from junheng.engine import durable_backend

        handle = durable_backend.compile_verdicts(compiled.verdicts)
        return durable_backend.evaluate(handle, facts)
    return evaluate_directly(compiled.verdicts, facts)


_ZERO = Fraction(0)


def _threshold_result(ruleset: Ruleset, t: _ThresholdPlan, prepared: _Prepared,
                      held: frozenset[str]) -> RuleResult:
    section = prepared.section
    rule = t.rule
    m = prepared.measurements[rule.id]
    if not m.decidable:
        outcome = Outcome.unknown
    else:
        outcome = Outcome.passed if rule.id in held else Outcome.failed
    short = the_gap = None
    if outcome is Outcome.failed:
        short = shortfall(ruleset, rule, section.level, section.values, m, scope=prepared.scope())
        the_gap = gap(rule, m)
    elif outcome is Outcome.passed:
        the_gap = _ZERO
    return RuleResult(
        rule_id=rule.id, level=section.level, kind=rule.kind, title=rule.title, outcome=outcome, actual=m.actual,
        required=m.required, op=rule.op.value, unit=t.indicator.unit, gap=the_gap, shortfall=short,
        missing_facts=missing_facts(m.missing), unbounded=m.unbounded, undefined=m.undefined,
        text=rule.text, article=rule.article,
        source=rule.source, status=rule.status, parameter_status=m.parameter_status,
        actual_at_least=m.at_least,
        relaxation=relaxation_record(m, section.values, t.required),
    )


def _gate_paths(ruleset: Ruleset, g: _GatePlan, prepared: _Prepared, members: Sequence[GateMember],
                by_rule: dict[str, RuleResult]) -> tuple[GatePath, ...]:
    """Every minimal way to pass a failed gate: for each choice of which missed members stay
    below the requirement (as many as the gate allows), bring the others to the requirement and
    the chosen ones to the floor. A member with an unknown outcome leaves no path; a path whose
    shortfall cannot be worked out (no resource, a missing fact) is left out."""
    if any(m.outcome is Outcome.unknown for m in members):
        return ()
    missed = [m for m in members if m.outcome is Outcome.failed]
    allowed = min(len(g.members) - g.gate.min_met, len(missed))
    if allowed < 0:
        return ()
    rules = {r.id: r for r in g.members}
    section = prepared.section
    scope = prepared.scope()

    def to_floor(m: GateMember) -> GateStep | bool | None:
        """The step to the floor; True when the member already reaches it; None when unknown."""
        if m.meets_floor:
            return True
        rule, measurement = rules[m.rule_id], prepared.measurements[m.rule_id]
        if measurement.required is None:
            return None
        # attainment is actual ÷ required (lower bound) or required ÷ actual (upper bound)
        goal = (g.floor * measurement.required if rule.op.is_lower_bound
                else measurement.required / g.floor)
        short = shortfall(ruleset, rule, section.level, section.values, measurement,
                          target_value=goal, scope=scope)
        return None if short is None else GateStep(rule_id=m.rule_id, title=m.title, shortfall=short)

    paths = []
    for chosen in combinations(missed, allowed):
        kept = {m.rule_id for m in chosen}
        full: list[GateStep] = []
        floor_steps: list[GateStep] = []
        for m in missed:
            if m.rule_id in kept:
                step = to_floor(m)
                if step is None:
                    break
                if isinstance(step, GateStep):
                    floor_steps.append(step)
            else:
                short = by_rule[m.rule_id].shortfall
                if short is None:
                    break
                full.append(GateStep(rule_id=m.rule_id, title=m.title, shortfall=short))
        else:
            if full or floor_steps:
                paths.append(GatePath(full=tuple(full), to_floor=tuple(floor_steps)))
    return tuple(paths)


def _gate_result(ruleset: Ruleset, compiled: CompiledPredicates, g: _GatePlan, prepared: _Prepared,
                 held: frozenset[str], by_rule: dict[str, RuleResult]) -> RuleResult:
    gate, floor = g.gate, g.floor
    members = []
    for member in g.members:
        m = prepared.measurements.get(member.id)
        result = by_rule.get(member.id)
        reach = attainment(member, m) if m is not None else None
        members.append(GateMember(
            rule_id=member.id, title=member.title,
            outcome=result.outcome if result is not None else Outcome.unknown,
            attainment=reach,
            meets_floor=None if reach is None else reach >= floor,
        ))
    met = sum(1 for m in members if m.outcome is Outcome.passed)
    if gate.id in held:
        outcome = Outcome.passed
    elif could_hold(compiled.verdicts[gate.id], prepared.fact):
        outcome = Outcome.unknown
    else:
        outcome = Outcome.failed
    return RuleResult(
        rule_id=gate.id, level=prepared.section.level, kind=gate.kind, title=gate.title, outcome=outcome,
        actual=Fraction(met), required=Fraction(gate.min_met), op=">=", unit="count",
        text=gate.text, article=gate.article, source=gate.source,
        status=gate.status, parameter_status=g.floor_status if g.floor_status is not gate.status else None,
        members=tuple(members), met_count=met, min_met=gate.min_met,
        floor=floor,
        paths=_gate_paths(ruleset, g, prepared, members, by_rule) if outcome is Outcome.failed else (),
    )


def gated_rules(ruleset: Ruleset) -> set[str]:
    """The members of count gates."""
    return {m for r in ruleset.rules if isinstance(r, CountGateRule) for m in r.rules}


def school_outcome(results: Sequence[RuleResult], ruleset: Ruleset,
                   gated: set[str] | None = None) -> Outcome:
    """A school passes when its gates pass (or, without gates, every rule passes).

    Members of a count gate are judged through the gate: one may miss if the gate allows it.
    Scored items (计分项) give points, not a verdict: a scheme whose only rules are scored items
    and that states no gate has the outcome ``scored`` — its result is the score. A scored item
    that is a member of a gate is judged through the gate like any other member.
    ``gated`` is :func:`gated_rules` of the ruleset, when already known.
    """
    if gated is None:
        gated = gated_rules(ruleset)
    deciding = [r for r in results if r.rule_id not in gated and r.score is None]
    if not deciding and results and all(r.score is not None for r in results):
        return Outcome.scored
    if any(r.outcome is Outcome.failed for r in deciding):
        return Outcome.failed
    if any(r.outcome is Outcome.unknown for r in deciding):
        return Outcome.unknown
    return Outcome.passed


def evaluate_sections(ruleset: Ruleset, sections: Sequence[SchoolSection],
                      engine: EngineName = "durable") -> list[SchoolResult]:
    """Evaluate every section; one engine call for the whole batch."""
    compiled = compile_predicates(ruleset)
    plans = _Plans(ruleset)
    prepared = [_prepare(ruleset, compiled, plans(s), s) for s in sections]
    decisions = decide(compiled, [p.fact for p in prepared], engine)
    from junheng.engine.scoring import score_sections, score_summary  # scored items (issue 4)

    scored = score_sections(ruleset, sections, engine)
    gated = gated_rules(ruleset)
    out: list[SchoolResult] = []
    for p, held, points in zip(prepared, decisions, scored, strict=True):
        by_rule: dict[str, RuleResult] = {}
        for rule in p.plan.rules:
            if isinstance(rule, _ThresholdPlan):
                by_rule[rule.rule.id] = _threshold_result(ruleset, rule, p, held)
            elif isinstance(rule, _GatePlan):
                by_rule[rule.gate.id] = _gate_result(ruleset, compiled, rule, p, held, by_rule)
            elif rule.id in points:
                by_rule[rule.id] = points[rule.id]
        results = tuple(by_rule.values())
        s = p.section
        out.append(SchoolResult(
            school_id=s.school_id, level=s.level, school_name=s.school_name, county=s.county or "",
            school_type=s.school_type, students=s.values.get("students"),
            outcome=school_outcome(results, ruleset, gated), results=results, source=s.source, row=s.row,
            score=score_summary(ruleset, results),
        ))
    return out


def direct_verdicts(ruleset: Ruleset, section: SchoolSection) -> dict[str, bool]:
    """Each threshold rule decided straight from the exact measurement (no engine, no margins):
    the reference the property tests compare the engine path against."""
    out = {}
    for rule in ruleset.rules:
        if isinstance(rule, ThresholdRule) and section.level in rule.levels:
            m = measure(ruleset, rule, section.level, section.values, section.school_type)
            if m.decidable:
                out[rule.id] = holds(rule, m)
    return out


def ruleset_info(loaded: LoadedRuleset | Ruleset) -> RulesetInfo:
    """What a run records of its ruleset (a bare :class:`Ruleset` has no file: no hash, no path)."""
    r = loaded.ruleset if isinstance(loaded, LoadedRuleset) else loaded
    sha256, path = (loaded.sha256, loaded.path) if isinstance(loaded, LoadedRuleset) else ("", "")
    return RulesetInfo(id=r.id, version=r.version, title=r.title, document=r.document.number,
                       document_title=r.document.title, sha256=sha256, path=path)


def engine_label(engine: EngineName) -> str:
    """How a run records the engine it used."""
    return "durable_rules 2.0.28" if engine == "durable" else "direct"


def run_evaluation(loaded: LoadedRuleset, batch: FactsBatch,
                   engine: EngineName = "durable") -> EvaluationRun:
    """Evaluate an imported batch and record what was run on what."""
    schools = evaluate_sections(loaded.ruleset, batch.sections, engine)
    return EvaluationRun(envelope=evaluation_envelope(loaded, batch, engine), schools=tuple(schools))


def evaluation_envelope(loaded: LoadedRuleset, batch: FactsBatch, engine: EngineName = "durable") -> RunEnvelope:
    """The envelope of :func:`run_evaluation` for ``batch`` (needs no result: a run that evaluates
    the sections chunk by chunk records the same header)."""
    from junheng.engine.scoring import assessed_columns
    from junheng.policy.versions import validity_warnings

    # the reader knows no ruleset: columns this ruleset reads (assessed scores) are not unused
    used = set(assessed_columns(loaded.ruleset, batch.unused_columns))
    return run_envelope((loaded,), batch, engine, unused_columns=tuple(h for h in batch.unused_columns
                                                                      if h not in used),
                        issues=(*batch.issues, *validity_warnings(loaded, _data_years(batch), batch.file)))


def run_envelope(rulesets: Sequence[LoadedRuleset | None], batch: FactsBatch | None, engine: EngineName,
                 issues: Sequence[InputIssue] | None = None, unused_columns: tuple[str, ...] = ()) -> RunEnvelope:
    """The header of a run: the rulesets given (``None`` left out), the input read, the engine;
    ``issues`` defaults to the batch's."""
    info = None if batch is None else InputInfo(
        file=batch.file, sha256=batch.file_sha256, rows_read=batch.rows_read,
        rows_evaluated=len(batch.sections), rows_rejected=batch.rejected_rows, unused_columns=unused_columns)
    return RunEnvelope(
        rulesets=tuple(ruleset_info(r) for r in rulesets if r is not None), input=info,
        junheng_version=junheng.__version__, engine=engine_label(engine),
        issues=tuple(issues if issues is not None else batch.issues if batch is not None else ()))


def _data_years(batch: FactsBatch) -> list[int]:
    """The 学年 of the data (the ``year`` fact of each section that gives one)."""
    return [s.year for s in batch.sections if s.year is not None]

"""Evaluating school sections against a ruleset (学校评估).

Flow: validated facts → the ruleset compiled once (:mod:`compile`) → exact measurements and integer
margins, in closed form for the common indicator shapes and through :mod:`measure` otherwise →
verdicts from the inference engine (durable_rules, :mod:`durable_backend`) → results with
shortfalls and gate paths. ``engine="direct"`` decides the same predicates in plain Python: the two
engines must agree, and so must the closed form and the general path (``closed_form=False``),
which the differential tests check.

The results are built without pydantic validation (:func:`junheng.engine.results.trusted`): the
per-rule constant part of each record comes from the compiled plan, the rest is exact values the
engine has already checked.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from itertools import combinations
from typing import Any, Literal

import junheng
from junheng.engine.compile import (
    GATE_MEMBER_GIVEN,
    GATE_PATH_GIVEN,
    GATE_STEP_GIVEN,
    SCHOOL_GIVEN,
    GatePlan,
    LevelPlan,
    RulesetPlan,
    ThresholdPlan,
    closed_shortfall,
    compile_ruleset,
    holds_code,
    ratio_terms,
)
from junheng.engine.measure import (
    Measurement,
    apply_relaxations,
    attainment,
    gap,
    holds,
    measure,
    measure_in_scope,
    shortfall,
)
from junheng.engine.numbers import fraction
from junheng.engine.predicates import (
    CompiledPredicates,
    add_margins,
    could_hold,
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
    Shortfall,
    missing_facts,
    trusted,
)
from junheng.engine.verdicts import evaluate_directly
from junheng.policy.inputs import FactsBatch, InputIssue, SchoolSection
from junheng.policy.loader import LoadedRuleset
from junheng.policy.model import CountGateRule, Ruleset, ThresholdRule

EngineName = Literal["durable", "direct"]

_ZERO = Fraction(0)
_PASSED, _FAILED, _UNKNOWN = Outcome.passed, Outcome.failed, Outcome.unknown

Terms = tuple[int, int]
"""A rule measured in closed form: actual = A ÷ B (B > 0)."""


class _Prepared:
    """One section measured: per threshold of its plan, the closed-form terms or the general
    :class:`Measurement`; and the integer facts handed to the engine."""

    __slots__ = ("fact", "measured", "plan", "scope_", "section")

    def __init__(self, section: SchoolSection, plan: LevelPlan, measured: list[Terms | Measurement],
                 fact: dict[str, int], scope: dict[str, Fraction] | None) -> None:
        self.section = section
        self.plan = plan
        self.measured = measured
        self.fact = fact
        self.scope_ = scope

    def scope(self) -> dict[str, Fraction]:
        """:func:`~junheng.engine.measure.formula_scope` of the section (built when first needed)."""
        if self.scope_ is None:
            self.scope_ = {**self.plan.parameters, **self.section.values}
        return self.scope_


def _measure_general(ruleset: Ruleset, t: ThresholdPlan, section: SchoolSection,
                     scope: dict[str, Fraction]) -> Measurement:
    return apply_relaxations(
        ruleset, t.rule, measure_in_scope(t.rule, t.indicator.formula, t.required, t.parameter_status, scope,
                                          bound=t.indicator.at_least),
        section.level, section.school_type, section.values)


def _prepare(ruleset: Ruleset, plan: LevelPlan, section: SchoolSection, closed_form: bool) -> _Prepared:
    values = section.values
    fact: dict[str, int] = {}
    measured: list[Terms | Measurement] = []
    scope: dict[str, Fraction] | None = None
    for t in plan.thresholds:
        if closed_form and t.ratio is not None:
            terms = ratio_terms(t, values)
            if terms is not None:
                a, b = terms
                margin = a * t.rq - t.rp * b  # sign of actual − required
                if not t.relaxable or holds_code(t.op, margin, 0):
                    fact[t.key] = margin
                    if t.floor_key is not None:
                        fact[t.floor_key] = a * t.rq * t.fq - t.fp * t.rp * b  # actual − floor × required
                    measured.append(terms)
                    continue
        if scope is None:
            scope = {**plan.parameters, **values}
        m = _measure_general(ruleset, t, section, scope)
        add_margins(fact, t.rule, m, t.key, t.floor_key, t.floor)
        measured.append(m)
    return _Prepared(section, plan, measured, fact, scope)


def decide(compiled: CompiledPredicates, facts: list[dict[str, int]],
           engine: EngineName) -> list[frozenset[str]]:
    """Which verdicts hold for each fact, from the inference engine or directly."""
    if engine == "durable":
        # Imported here: the direct engine (and ``import junheng``) never loads durable_rules.
        from junheng.engine import durable_backend

        handle = durable_backend.compile_verdicts(compiled.verdicts)
        return durable_backend.evaluate(handle, facts)
    return evaluate_directly(compiled.verdicts, facts)



def _closed_measurement(t: ThresholdPlan, terms: Terms) -> Measurement:
    """The general :class:`Measurement` of a rule measured in closed form."""
    return Measurement(fraction(*terms), t.required, (), parameter_status=t.parameter_status)


def _threshold_result(ruleset: Ruleset, t: ThresholdPlan, p: _Prepared, m: Terms | Measurement,
                      held: frozenset[str]) -> RuleResult:
    section = p.section
    rule = t.rule
    d = t.template.copy()
    if type(m) is tuple:
        a, b = m
        d["actual"] = fraction(a, b)
        if rule.id in held:
            d["outcome"] = _PASSED
            d["gap"] = _ZERO
        else:
            d["outcome"] = _FAILED
            diff = t.rp * b - a * t.rq if t.lower else a * t.rq - t.rp * b
            d["gap"] = fraction(diff, t.rq * b) if diff > 0 else _ZERO
            if t.shortfall == "closed":
                d["shortfall"] = closed_shortfall(t, section.values, t.rp, t.rq)
            elif t.shortfall == "general":
                d["shortfall"] = shortfall(ruleset, rule, section.level, section.values, _closed_measurement(t, m),
                                           scope=p.scope())
        return trusted(RuleResult, d, t.given)
    assert isinstance(m, Measurement)
    if not m.decidable:
        outcome = _UNKNOWN
    else:
        outcome = _PASSED if rule.id in held else _FAILED
    d["outcome"] = outcome
    if outcome is _FAILED:
        d["shortfall"] = shortfall(ruleset, rule, section.level, section.values, m, scope=p.scope())
        d["gap"] = gap(rule, m)
    elif outcome is _PASSED:
        d["gap"] = _ZERO
    d["actual"] = m.actual
    d["required"] = m.required
    d["missing_facts"] = missing_facts(m.missing)
    d["unbounded"] = m.unbounded
    d["undefined"] = m.undefined
    d["parameter_status"] = m.parameter_status
    d["actual_at_least"] = m.at_least
    d["relaxation"] = relaxation_record(m, section.values, t.required)
    return trusted(RuleResult, d, t.given)


def _reach(t: ThresholdPlan, m: Terms | Measurement, floor: Fraction) -> tuple[Fraction | None, bool | None]:
    """A gate member's attainment (actual ÷ required for a lower bound, required ÷ actual for an
    upper bound) and whether it reaches the gate's floor."""
    if type(m) is tuple:
        a, b = m
        if t.lower:
            num, den = a * t.rq, b * t.rp
        else:
            num, den = t.rp * b, t.rq * a
        if not den:
            return None, None
        if den < 0:
            num, den = -num, -den
        return fraction(num, den), num * floor.denominator >= floor.numerator * den  # reach ≥ floor
    assert isinstance(m, Measurement)
    reach = attainment(t.rule, m)
    return reach, None if reach is None else reach >= floor


def _step(rule_id: str, title: Any, short: Shortfall) -> GateStep:
    return trusted(GateStep, {"rule_id": rule_id, "title": title, "shortfall": short}, GATE_STEP_GIVEN)


def _gate_paths(ruleset: Ruleset, g: GatePlan, p: _Prepared, members: Sequence[GateMember],
                results: Sequence[RuleResult | None]) -> tuple[GatePath, ...]:
    """Every minimal way to pass a failed gate: for each choice of which missed members stay
    below the requirement (as many as the gate allows), bring the others to the requirement and
    the chosen ones to the floor. A member with an unknown outcome leaves no path; a path whose
    shortfall cannot be worked out (no resource, a missing fact) is left out."""
    if any(m.outcome is _UNKNOWN for m in members):
        return ()
    missed = [(i, m) for i, m in enumerate(members) if m.outcome is _FAILED]
    allowed = min(len(g.members) - g.gate.min_met, len(missed))
    if allowed < 0:
        return ()
    section = p.section
    thresholds = p.plan.thresholds

    def to_floor(i: int, m: GateMember) -> GateStep | bool | None:
        """The step to the floor; True when the member already reaches it; None when unknown."""
        if m.meets_floor:
            return True
        position = g.positions[i]
        assert position is not None
        t, measured = thresholds[position], p.measured[position]
        rule = t.rule
        if type(measured) is tuple and t.shortfall != "general":
            if t.shortfall == "none":
                return None
            # attainment is actual ÷ required (lower bound) or required ÷ actual (upper bound)
            fp, fq = g.floor.numerator, g.floor.denominator
            if t.lower:
                short = closed_shortfall(t, section.values, fp * t.rp, fq * t.rq)
            elif fp:
                num, den = t.rp * fq, t.rq * fp
                short = closed_shortfall(t, section.values, -num if den < 0 else num, abs(den))
            else:  # pragma: no cover - a zero floor under an upper bound (the general path divides by it)
                raise ZeroDivisionError("gate floor 0")
        else:
            measurement = _closed_measurement(t, measured) if type(measured) is tuple else measured
            assert isinstance(measurement, Measurement)
            if measurement.required is None:
                return None
            goal = (g.floor * measurement.required if rule.op.is_lower_bound
                    else measurement.required / g.floor)
            short = shortfall(ruleset, rule, section.level, section.values, measurement,
                              target_value=goal, scope=p.scope())
        return None if short is None else _step(m.rule_id, m.title, short)

    paths = []
    for chosen in combinations(missed, allowed):
        kept = {i for i, _ in chosen}
        full: list[GateStep] = []
        floor_steps: list[GateStep] = []
        for i, m in missed:
            if i in kept:
                step = to_floor(i, m)
                if step is None:
                    break
                if isinstance(step, GateStep):
                    floor_steps.append(step)
            else:
                result = results[i]
                short = None if result is None else result.shortfall
                if short is None:
                    break
                full.append(_step(m.rule_id, m.title, short))
        else:
            if full or floor_steps:
                paths.append(trusted(GatePath, {"full": tuple(full), "to_floor": tuple(floor_steps)},
                                     GATE_PATH_GIVEN))
    return tuple(paths)


def _gate_result(ruleset: Ruleset, compiled: CompiledPredicates, g: GatePlan, p: _Prepared,
                 held: frozenset[str], by_position: Sequence[RuleResult]) -> RuleResult:
    floor = g.floor
    thresholds = p.plan.thresholds
    members: list[GateMember] = []
    results: list[RuleResult | None] = []
    met = 0
    for member, position in zip(g.members, g.positions, strict=True):
        if position is None:  # not judged at this level
            result, reach, meets = None, None, None
        else:  # (a member listed after the gate in the ruleset has no result yet: unknown)
            result = by_position[position] if position < len(by_position) else None
            reach, meets = _reach(thresholds[position], p.measured[position], floor)
        outcome = _UNKNOWN if result is None else result.outcome
        if outcome is _PASSED:
            met += 1
        results.append(result)
        members.append(trusted(GateMember, {
            "rule_id": member.id, "title": member.title, "outcome": outcome, "attainment": reach,
            "meets_floor": meets,
        }, GATE_MEMBER_GIVEN))
    gate = g.gate
    if gate.id in held:
        outcome = _PASSED
    elif p.fact.keys() >= g.keys or not could_hold(compiled.verdicts[gate.id], p.fact):
        outcome = _FAILED  # (every member decided, and the engine found the gate not met)
    else:
        outcome = _UNKNOWN
    d = g.template.copy()
    d["outcome"] = outcome
    d["actual"] = g.counts[met]
    d["members"] = tuple(members)
    d["met_count"] = met
    if outcome is _FAILED:
        d["paths"] = _gate_paths(ruleset, g, p, members, results)
    return trusted(RuleResult, d, g.given)


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
        # an item whose weight is not public leaves no total to report: 无法判定, never a guessed score
        return Outcome.unknown if any(r.score is not None and r.score.points is None for r in results) else (
            Outcome.scored)
    if any(r.outcome is Outcome.failed for r in deciding):
        return Outcome.failed
    if any(r.outcome is Outcome.unknown for r in deciding):
        return Outcome.unknown
    return Outcome.passed



def evaluate_sections(ruleset: Ruleset, sections: Sequence[SchoolSection], engine: EngineName = "durable", *,
                      closed_form: bool = True) -> list[SchoolResult]:
    """Evaluate every section; one engine call for the whole batch.

    ``closed_form=False`` measures every rule on the general path (:mod:`measure`), the reference
    the closed form is tested against; the results are the same either way."""
    with _collector_paused():
        compiled = compile_ruleset(ruleset)
        level_plan = compiled.level
        prepared = [_prepare(ruleset, level_plan(ruleset, s.level, s.school_type), s, closed_form)
                    for s in sections]
        decisions = decide(compiled.predicates, [p.fact for p in prepared], engine)
        if compiled.has_scored:
            from junheng.engine.scoring import score_sections  # scored items (issue 4)

            scored = score_sections(ruleset, sections, engine)
        else:
            scored = [{}] * len(sections)
        return [_school_result(ruleset, compiled, p, held, points)
                for p, held, points in zip(prepared, decisions, scored, strict=True)]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a batch is evaluated.

    An evaluation allocates ~30 records per section and keeps them: the collector, triggered by
    every 700 allocations, traversed the growing heap again and again and took more CPU than the
    evaluation itself (10k national sections: 2.4 s with it, 0.9 s without). The records are
    trees (no reference cycles), so nothing the collector would free is made meanwhile; memory
    is freed by reference counting as usual. A collector already paused by the caller stays so.

    On the way out the batch's objects are moved to the oldest generation (``gc.freeze()`` then
    ``gc.unfreeze()``, two list splices): otherwise the first allocation after ``gc.enable()``
    traverses all of them as young objects, and the next collection of the middle generation
    again (0.3 s and 0.55 s per 10k national sections). Young objects the caller made before are
    moved with them: garbage among them is collected by the next full collection instead of an
    earlier one. Skipped when the caller has frozen objects itself (``gc.get_freeze_count()``):
    unfreezing would undo that.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        gc.enable()


def _school_result(ruleset: Ruleset, compiled: RulesetPlan, p: _Prepared, held: frozenset[str],
                   points: dict[str, RuleResult]) -> SchoolResult:
    results: list[RuleResult] = []
    by_position: list[RuleResult] = []
    measured = p.measured
    for rule in p.plan.rules:
        if type(rule) is ThresholdPlan:
            result = _threshold_result(ruleset, rule, p, measured[len(by_position)], held)
            by_position.append(result)
            results.append(result)
        elif type(rule) is GatePlan:
            results.append(_gate_result(ruleset, compiled.predicates, rule, p, held, by_position))
        elif rule.id in points:  # type: ignore[union-attr]
            results.append(points[rule.id])  # type: ignore[union-attr]
    s = p.section
    outcome = school_outcome(results, ruleset, compiled.gated)
    score = None
    if compiled.has_scored:
        from junheng.engine.scoring import score_summary

        score = score_summary(ruleset, results)
    return trusted(SchoolResult, {
        "school_id": s.school_id, "level": s.level, "school_name": s.school_name, "county": s.county or "",
        "school_type": s.school_type, "students": s.values.get("students"), "outcome": outcome,
        "results": tuple(results), "source": s.source, "row": s.row, "score": score,
    }, SCHOOL_GIVEN)


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

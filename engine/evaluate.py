"""Evaluating school sections against a ruleset (学校评估).

Flow: validated facts → exact measurements (:mod:`measure`) → integer margins → verdicts from
the inference engine (durable_rules, :mod:`durable_backend`) → results with shortfalls and
explanations. ``engine="direct"`` decides the same predicates in plain Python: the two paths
must agree, which the differential tests check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import junheng
from junheng.engine import durable_backend
from junheng.engine.explain import citation, gate_explanation, threshold_explanation
from junheng.engine.measure import Measurement, attainment, gap, holds, measure, shortfall
from junheng.engine.predicates import (
    CompiledPredicates,
    compile_predicates,
    could_hold,
    engine_fact,
    holds_directly,
)
from junheng.engine.results import (
    EvaluationRun,
    GateMember,
    InputInfo,
    Outcome,
    RuleResult,
    RulesetInfo,
    SchoolResult,
)
from junheng.policy.inputs import FactsBatch, SchoolSection
from junheng.policy.loader import LoadedRuleset
from junheng.policy.model import CountGateRule, Ruleset, ThresholdRule

EngineName = Literal["durable", "direct"]


@dataclass(frozen=True)
class _Prepared:
    section: SchoolSection
    measurements: dict[str, Measurement]
    fact: dict[str, int]


def _floors(ruleset: Ruleset, section: SchoolSection) -> dict[str, Fraction]:
    """Floor factors (e.g. 85%) for every rule that is a member of a count gate."""
    floors: dict[str, Fraction] = {}
    for rule in ruleset.rules:
        if isinstance(rule, CountGateRule) and section.level in rule.levels:
            factor = ruleset.resolve(rule.floor, section.level)
            if factor is not None:
                for member in rule.rules:
                    floors[member] = factor
    return floors


def _prepare(ruleset: Ruleset, compiled: CompiledPredicates, section: SchoolSection) -> _Prepared:
    measurements = {
        rule.id: measure(ruleset, rule, section.level, section.values, section.school_type)
        for rule in ruleset.rules
        if isinstance(rule, ThresholdRule) and section.level in rule.levels
    }
    fact = engine_fact(compiled, ruleset, measurements, _floors(ruleset, section))
    return _Prepared(section, measurements, fact)


def decide(compiled: CompiledPredicates, facts: list[dict[str, int]],
           engine: EngineName) -> list[frozenset[str]]:
    """Which verdicts hold for each fact, from the inference engine or directly."""
    if engine == "durable":
        handle = durable_backend.compile_verdicts(compiled.verdicts)
        return durable_backend.evaluate(handle, facts)
    return [
        frozenset(name for name, verdict in compiled.verdicts.items() if holds_directly(verdict, f))
        for f in facts
    ]


def _threshold_result(ruleset: Ruleset, rule: ThresholdRule, prepared: _Prepared,
                      held: frozenset[str]) -> RuleResult:
    section = prepared.section
    m = prepared.measurements[rule.id]
    indicator = ruleset.indicators[rule.indicator]
    if not m.decidable:
        outcome = Outcome.unknown
    else:
        outcome = Outcome.passed if rule.id in held else Outcome.failed
    short = shortfall(ruleset, rule, section.level, section.values, m) if outcome is Outcome.failed else None
    the_gap = gap(rule, m) if outcome is Outcome.failed else (Fraction(0) if outcome is Outcome.passed else None)
    cite = citation(f"{rule.source}", rule.status, m.parameter_status)
    explanation = threshold_explanation(
        title=rule.title, outcome=outcome, level=section.level, actual=m.actual,
        required=m.required, op=rule.op, unit_code=indicator.unit, gap=the_gap, shortfall=short,
        students=section.values.get("students"), missing=m.missing, unbounded=m.unbounded,
        undefined=m.undefined,
        cite=cite,
    )
    return RuleResult(
        rule_id=rule.id, kind=rule.kind, title=rule.title, outcome=outcome, actual=m.actual,
        required=m.required, op=rule.op.value, unit=indicator.unit, gap=the_gap, shortfall=short,
        missing_facts=m.missing, explanation=explanation, text=rule.text, article=rule.article,
        source=rule.source, status=rule.status, parameter_status=m.parameter_status,
    )


def _gate_result(ruleset: Ruleset, compiled: CompiledPredicates, gate: CountGateRule,
                 prepared: _Prepared, held: frozenset[str],
                 by_rule: dict[str, RuleResult]) -> RuleResult:
    floor = ruleset.resolve(gate.floor, prepared.section.level)
    assert floor is not None
    members = []
    for member_id in gate.rules:
        member = ruleset.rule(member_id)
        assert isinstance(member, ThresholdRule)
        m = prepared.measurements.get(member_id)
        result = by_rule.get(member_id)
        reach = attainment(member, m) if m is not None else None
        members.append(GateMember(
            rule_id=member_id, title=member.title,
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
    explanation = gate_explanation(
        title=gate.title, outcome=outcome, members=tuple(members), met_count=met,
        min_met=gate.min_met, floor=floor,
        cite=citation(gate.source, gate.status, ruleset.parameters[gate.floor.param].status
                      if not isinstance(gate.floor, Fraction) else None),
    )
    return RuleResult(
        rule_id=gate.id, kind=gate.kind, title=gate.title, outcome=outcome,
        actual=Fraction(met), required=Fraction(gate.min_met), op=">=", unit="count",
        explanation=explanation, text=gate.text, article=gate.article, source=gate.source,
        status=gate.status, members=tuple(members), met_count=met, min_met=gate.min_met,
        floor=floor,
    )


def school_outcome(results: Sequence[RuleResult], ruleset: Ruleset) -> Outcome:
    """A school passes when its gates pass (or, without gates, every rule passes).

    Members of a count gate are judged through the gate: one may miss if the gate allows it.
    """
    gated = {m for r in ruleset.rules if isinstance(r, CountGateRule) for m in r.rules}
    deciding = [r for r in results if r.rule_id not in gated]
    if any(r.outcome is Outcome.failed for r in deciding):
        return Outcome.failed
    if any(r.outcome is Outcome.unknown for r in deciding):
        return Outcome.unknown
    return Outcome.passed


def evaluate_sections(ruleset: Ruleset, sections: Sequence[SchoolSection],
                      engine: EngineName = "durable") -> list[SchoolResult]:
    """Evaluate every section; one engine call for the whole batch."""
    compiled = compile_predicates(ruleset)
    prepared = [_prepare(ruleset, compiled, s) for s in sections]
    decisions = decide(compiled, [p.fact for p in prepared], engine)
    from junheng.engine.scoring import score_sections, score_summary  # scored items (issue 4)

    scored = score_sections(ruleset, sections, engine)
    out: list[SchoolResult] = []
    for p, held, points in zip(prepared, decisions, scored, strict=True):
        by_rule: dict[str, RuleResult] = {}
        for rule in ruleset.rules:
            if p.section.level not in rule.levels:
                continue
            if isinstance(rule, ThresholdRule):
                by_rule[rule.id] = _threshold_result(ruleset, rule, p, held)
            elif isinstance(rule, CountGateRule):
                by_rule[rule.id] = _gate_result(ruleset, compiled, rule, p, held, by_rule)
            elif rule.id in points:
                by_rule[rule.id] = points[rule.id]
        results = tuple(by_rule.values())
        s = p.section
        out.append(SchoolResult(
            school_id=s.school_id, level=s.level, school_name=s.school_name,
            school_type=s.school_type, students=s.values.get("students"),
            outcome=school_outcome(results, ruleset), results=results, source=s.source, row=s.row,
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


def ruleset_info(loaded: LoadedRuleset) -> RulesetInfo:
    r = loaded.ruleset
    return RulesetInfo(id=r.id, version=r.version, title=r.title, document=r.document.number,
                       sha256=loaded.sha256, path=loaded.path)


def engine_label(engine: EngineName) -> str:
    """How a run records the engine it used."""
    return "durable_rules 2.0.28" if engine == "durable" else "direct"


def run_evaluation(loaded: LoadedRuleset, batch: FactsBatch,
                   engine: EngineName = "durable") -> EvaluationRun:
    """Evaluate an imported batch and record what was run on what."""
    schools = evaluate_sections(loaded.ruleset, batch.sections, engine)
    from junheng.engine.scoring import assessed_columns

    # the reader knows no ruleset: columns this ruleset reads (assessed scores) are not unused
    used = set(assessed_columns(loaded.ruleset, batch.unused_columns))
    return EvaluationRun(
        ruleset=ruleset_info(loaded),
        input=InputInfo(file=batch.file, sha256=batch.file_sha256, rows_read=batch.rows_read,
                        rows_evaluated=len(batch.sections), rows_rejected=batch.rejected_rows,
                        unused_columns=tuple(h for h in batch.unused_columns if h not in used)),
        junheng_version=junheng.__version__,
        engine=engine_label(engine),
        schools=tuple(schools),
        issues=tuple(batch.issues),
    )

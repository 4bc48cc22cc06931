"""Exact measurement of one school section against one threshold rule (指标测算).

Pure functions: the indicator value, the requirement for this level and school type, the gap,
and the shortfall (缺额) in the resource fact's own unit. No verdict is formed here; the verdict
comes from the inference engine over the margins computed here (see :mod:`predicates`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cache

from junheng.engine.numbers import ceil_to, floor_to
from junheng.engine.results import Shortfall, ShortfallBase
from junheng.policy.facts import FACTS, Level
from junheng.policy.formula import (
    Expr,
    FormulaError,
    MissingFact,
    NotSolvable,
    as_function_of,
    evaluate,
    names,
    parse_formula,
)
from junheng.policy.model import LowerBound, ParamRef, Relaxation, Ruleset, Status, ThresholdRule
from junheng.policy.units import unit


@cache
def compiled_formula(text: str) -> Expr:
    return parse_formula(text)


@cache
def formula_names(text: str) -> frozenset[str]:
    """The fact and parameter names a formula refers to."""
    return names(compiled_formula(text))


def parameter_values(ruleset: Ruleset, level: Level) -> dict[str, Fraction]:
    """Parameters usable by name inside formulas, for one level."""
    out: dict[str, Fraction] = {}
    for name, param in ruleset.parameters.items():
        value = param.value.for_level(level)
        if isinstance(value, Fraction):
            out[name] = value
    return out


def formula_scope(ruleset: Ruleset, level: Level, values: Mapping[str, Fraction]) -> dict[str, Fraction]:
    """What the names in a formula stand for: the level's parameters, then the section's facts
    (a fact wins over a parameter of the same name)."""
    return {**parameter_values(ruleset, level), **values}


@dataclass(frozen=True)
class Measurement:
    """An indicator measured against one requirement, exactly."""

    actual: Fraction | None
    """None when a fact is missing, or when the value is unbounded (a zero denominator)."""
    required: Fraction | None
    missing: tuple[str, ...]
    unbounded: bool = False
    """The formula divides by a zero fact under an upper bound: students ÷ 0 computers is an
    unbounded students-per-computer ratio, which fails every "不超过" requirement."""
    undefined: bool = False
    """The formula divides by a zero fact under a lower bound (e.g. area ÷ 0 students): the
    value is undefined and the rule cannot be decided — degenerate data is never a pass."""
    parameter_status: Status | None = None
    at_least: bool = False
    """``actual`` is a lower bound from the indicator's ``at_least`` formula (the largest class
    is at least the average), used because the indicator's own facts are missing: it decides
    only a failure of an upper bound ("不超过"); the true value is this or more."""

    relaxation: Relaxation | None = None
    """The relaxation whose requirement was applied: its window contains the evaluation date
    and the school meets its conditions (the 2019 规程's transitional values)."""
    relaxation_pending: Relaxation | None = None
    """A relaxation that would decide a pass, but a fact of its condition is missing: the rule is
    undecided, and that fact is listed as missing."""

    @property
    def decidable(self) -> bool:
        return self.required is not None and not self.missing and not self.undefined and (
            self.actual is not None or self.unbounded
        )


def requirement(ruleset: Ruleset, rule: ThresholdRule, level: Level,
                school_type: str | None) -> tuple[Fraction | None, Status | None]:
    """The required value for this level (and school type), with the parameter's status."""
    if school_type is not None and school_type in rule.value_by_school_type:
        return rule.value_by_school_type[school_type], None
    raw = rule.value.for_level(level)
    if isinstance(raw, ParamRef):
        param = ruleset.parameters[raw.param]
        return ruleset.resolve(raw, level), param.status
    return raw, None


def measure(ruleset: Ruleset, rule: ThresholdRule, level: Level,
            values: Mapping[str, Fraction], school_type: str | None = None) -> Measurement:
    required, param_status = requirement(ruleset, rule, level, school_type)
    indicator = ruleset.indicators[rule.indicator]
    m = measure_in_scope(rule, indicator.formula, required, param_status,
                         formula_scope(ruleset, level, values), bound=indicator.at_least)
    return apply_relaxations(ruleset, rule, m, level, school_type, values)


def lower_bound(bound: LowerBound, scope: Mapping[str, Fraction]) -> Fraction | None:
    """The value the indicator is known to be at least, or None when it cannot be worked out."""
    if any(n not in scope for n in formula_names(bound.formula)):
        return None
    try:
        value = evaluate(compiled_formula(bound.formula), scope)
    except FormulaError:  # a zero denominator: nothing is known
        return None
    return Fraction(math.ceil(value)) if bound.whole else value


def measure_in_scope(rule: ThresholdRule, formula: str, required: Fraction | None,
                     param_status: Status | None, scope: Mapping[str, Fraction],
                     bound: LowerBound | None = None) -> Measurement:
    """:func:`measure` with the requirement and the :func:`formula_scope` already known (the
    evaluation works them out once per level and section, not once per rule)."""
    missing = tuple(sorted(n for n in formula_names(formula) if n not in scope))
    if missing:
        if bound is not None and required is not None and not rule.op.is_lower_bound:
            # the indicator is at least `least`: a `least` above an upper bound already fails
            least = lower_bound(bound, scope)
            if least is not None and not rule.op.holds(least, required):
                return Measurement(least, required, (), parameter_status=param_status, at_least=True)
        return Measurement(None, required, missing, parameter_status=param_status)
    try:
        actual = evaluate(compiled_formula(formula), scope)
    except MissingFact as exc:  # pragma: no cover - guarded above
        return Measurement(None, required, (exc.name,), parameter_status=param_status)
    except FormulaError:
        # Division by a zero fact. Under an upper bound the value is unbounded and fails
        # (students ÷ 0 computers); under a lower bound it is undefined and cannot be decided
        # (area ÷ 0 students would otherwise be "infinitely much per student" and pass).
        if rule.op.is_lower_bound:
            return Measurement(None, required, (), undefined=True, parameter_status=param_status)
        return Measurement(None, required, (), unbounded=True, parameter_status=param_status)
    return Measurement(actual, required, (), parameter_status=param_status)


def condition_holds(relaxation: Relaxation, values: Mapping[str, Fraction]) -> tuple[bool | None, tuple[str, ...]]:
    """Whether a school meets a relaxation's conditions: True, False, or None with the missing
    facts (one of ``when_any`` and each of ``when_all``)."""
    def one(fact: str, check: bool | None) -> bool | None:
        return check if fact in values else None

    anys = [one(c.fact, c.fact in values and c.op.holds(values[c.fact], c.value)) for c in relaxation.when_any]
    alls = [one(c.fact, c.fact in values and c.op.holds(values[c.fact], c.value)) for c in relaxation.when_all]
    any_ok = True if not anys else (True if True in anys else (None if None in anys else False))
    all_ok = False if False in alls else (None if None in alls else True)
    if any_ok is False or all_ok is False:
        return False, ()
    if any_ok is None or all_ok is None:
        missing = sorted({c.fact for c in (*relaxation.when_any, *relaxation.when_all) if c.fact not in values})
        return None, tuple(missing)
    return True, ()


def relaxed_requirement(rule: ThresholdRule, relaxation: Relaxation, level: Level,
                        school_type: str | None) -> Fraction | None:
    """The relaxed requirement for this level and school type; a school type the relaxation does
    not name keeps the rule's own type value (a relaxation never tightens)."""
    if school_type is not None and school_type in relaxation.value_by_school_type:
        return relaxation.value_by_school_type[school_type]
    if school_type is not None and school_type in rule.value_by_school_type:
        return rule.value_by_school_type[school_type]
    value = relaxation.value.for_level(level)
    return value if isinstance(value, Fraction) else None


def apply_relaxations(ruleset: Ruleset, rule: ThresholdRule, m: Measurement, level: Level,
                      school_type: str | None, values: Mapping[str, Fraction]) -> Measurement:
    """The measurement against a relaxed requirement when one applies. A school that meets the
    rule's own requirement needs none; one whose relaxation condition cannot be checked (a
    missing fact) but would pass under it is undecided, naming that fact."""
    if not rule.relaxations or not m.decidable or m.actual is None or m.required is None:
        return m
    if rule.op.holds(m.actual, m.required):
        return m
    for relaxation in rule.relaxations:
        if not ruleset.relaxation_applies(relaxation):
            continue
        relaxed = relaxed_requirement(rule, relaxation, level, school_type)
        if relaxed is None:
            continue
        ok, missing = condition_holds(relaxation, values)
        if ok:
            return replace(m, required=relaxed, relaxation=relaxation)
        if ok is None and rule.op.holds(m.actual, relaxed):
            return replace(m, missing=missing, relaxation_pending=relaxation)
    return m


def holds(rule: ThresholdRule, m: Measurement) -> bool:
    """Direct (non-engine) decision, used for shortfalls and the differential check."""
    assert m.required is not None
    if m.unbounded:
        return rule.op.is_lower_bound
    assert m.actual is not None
    return rule.op.holds(m.actual, m.required)


def margin(rule: ThresholdRule, m: Measurement, factor: Fraction = Fraction(1)) -> Fraction:
    """actual − factor × required: its sign decides the rule (≥ 0 / > 0 / ≤ 0 / < 0)."""
    assert m.actual is not None and m.required is not None
    return m.actual - factor * m.required


def attainment(rule: ThresholdRule, m: Measurement) -> Fraction | None:
    """How much of the requirement is reached (达到要求的%): actual ÷ required for a lower bound,
    required ÷ actual for an upper bound."""
    if m.required is None:
        return None
    if m.unbounded:
        return None if rule.op.is_lower_bound else Fraction(0)
    if m.actual is None:
        return None
    if rule.op.is_lower_bound:
        return m.actual / m.required if m.required else None
    return m.required / m.actual if m.actual else None


def gap(rule: ThresholdRule, m: Measurement) -> Fraction | None:
    """How far the indicator is from the requirement, in the indicator's own unit (≥ 0)."""
    if m.actual is None or m.required is None:
        return None
    diff = m.required - m.actual if rule.op.is_lower_bound else m.actual - m.required
    return max(diff, Fraction(0))


def shortfall_base(formula: str, resource: str, values: Mapping[str, Fraction]) -> ShortfallBase | None:
    """What the requirement is counted on: the one other fact the indicator reads (students for
    a per-student area, teachers for a share of teachers); None for a plain value (最大班额)."""
    others = [n for n in formula_names(formula) if n != resource and n in FACTS]
    if len(others) != 1 or others[0] not in values:
        return None
    return ShortfallBase(fact=others[0], value=values[others[0]])


def shortfall(ruleset: Ruleset, rule: ThresholdRule, level: Level, values: Mapping[str, Fraction],
              m: Measurement, target_value: Fraction | None = None, *,
              scope: Mapping[str, Fraction] | None = None) -> Shortfall | None:
    """The change to the indicator's resource fact that makes the rule hold (or reach
    ``target_value`` of the indicator instead of the requirement, e.g. 85% of it).

    Indivisible units (teachers, rooms, books) round up to whole units; divisible ones (m², 元)
    to the unit's resolution, so that adding the reported amount always closes the gap.
    Returns None when the rule already holds, the formula has no resource, or the resource
    cannot close the gap. ``scope`` is :func:`formula_scope` of the section, when already built.
    """
    indicator = ruleset.indicators[rule.indicator]
    goal = target_value if target_value is not None else m.required
    formula, resource = indicator.formula, indicator.resource
    if indicator.at_least is not None and indicator.at_least.resource is not None:
        # the remedy acts on the bound (classes to add), whether the value was known or bounded
        formula, resource = indicator.at_least.formula, indicator.at_least.resource
    if resource is None or goal is None or m.missing:
        return None
    current = values.get(resource)
    if current is None:
        return None
    if scope is None:
        scope = formula_scope(ruleset, level, values)
    try:
        f = as_function_of(compiled_formula(formula), resource, scope)
    except (NotSolvable, FormulaError):
        return None

    def ok(r: Fraction) -> bool:
        denominator = f.c + f.d * r  # f(r) = (a + b·r) / denominator
        if denominator == 0:
            return rule.op.is_lower_bound
        return rule.op.holds((f.a + f.b * r) / denominator, goal)

    if ok(current):
        return None
    slope = f.b * f.c - f.a * f.d  # sign of f′(r) on each branch
    if slope == 0:
        return None
    solution = f.solve(goal)
    if solution is None:
        return None
    spec = FACTS[resource]
    res_unit = unit(spec.unit)
    step = Fraction(1) if res_unit.integral else res_unit.resolution
    increase = (slope > 0) == rule.op.is_lower_bound
    if increase:
        target = max(ceil_to(solution, step), current)
        if not ok(target):
            target += step  # strict comparison at an exact solution
    else:
        target = max(floor_to(solution, step), Fraction(0))
        if not ok(target):
            target -= step
    if target < 0 or not ok(target):
        return None
    amount = abs(target - current)
    if res_unit.integral:
        amount = Fraction(math.ceil(amount))
    return Shortfall(
        fact=resource,
        unit=spec.unit,
        direction="increase" if increase else "decrease",
        amount=amount,
        target=target,
        current=current,
        base=shortfall_base(formula, resource, values),
    )

"""A ruleset compiled once for evaluation (评估编译).

Per level and school type, each rule's requirement, parameter status, gate floor and the constant
part of its result record are worked out once, and cached on the ruleset object (not per batch, not
per section). A threshold whose indicator has the common shape ``k × fact ÷ fact`` or ``k × fact``
(生均面积, 每百名学生教师数, 生机比, 最大班额 …) is also compiled to exact integer arithmetic:

* the measurement ``actual = A ÷ B`` with integers A, B (B > 0) from the facts' numerators and
  denominators, and the margin's sign by cross-multiplication (A ÷ B ≥ p ÷ q ⇔ A·q − p·B ≥ 0), which
  is what the inference engine is handed;
* the shortfall (缺额) by the very steps of :func:`junheng.engine.measure.shortfall` — solve for the
  resource, round to whole units or to the unit's resolution, step once more at an exact strict
  bound — carried out on integer pairs instead of fractions.

A section takes this closed form for a rule only when every fact of the formula is given, the
denominator is positive, the numerator is not negative and no relaxation could change the
requirement (the rule passes on its own, or none applies on the ruleset's date). Anything else — a
missing fact, a zero or negative figure, a relaxation, another formula, a bound (最大班额 ≥ ⌈学生 ÷
班级⌉), a scored item — takes the general path of :mod:`junheng.engine.measure`. The two paths are
checked against each other by ``tests/engine/test_fast_path.py`` (whole results equal).
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Literal

from junheng.engine.measure import compiled_formula, formula_names, parameter_values, requirement
from junheng.engine.numbers import fraction
from junheng.engine.predicates import CompiledPredicates, atom_key, compile_predicates, floor_key
from junheng.engine.results import (
    GateMember,
    GatePath,
    GateStep,
    RuleResult,
    SchoolResult,
    Shortfall,
    ShortfallBase,
    layout,
    trusted,
)
from junheng.policy.facts import FACTS, Level
from junheng.policy.formula import Binary, Expr, Name, Number, names
from junheng.policy.model import CountGateRule, Indicator, Op, Ruleset, ScoredRule, Status, ThresholdRule
from junheng.policy.units import unit

# ---------------------------------------------------------------------------------------------
# The common formula shape


@dataclass(frozen=True)
class Ratio:
    """An indicator formula of the shape ``k × num ÷ den`` (``den`` None: ``k × num``), k > 0, over
    two different facts."""

    num: str
    den: str | None
    k: Fraction
    kn: int
    kd: int
    """k = kn ÷ kd (both positive)."""


def _monomial(expr: Expr) -> tuple[Fraction, dict[str, int]] | None:
    """``expr`` as k × Π fact^e when it is built from numbers, names, × and ÷ only."""
    match expr:
        case Number(value):
            return value, {}
        case Name(name):
            return Fraction(1), {name: 1}
        case Binary(op, left, right) if op in "*/":
            lhs, rhs = _monomial(left), _monomial(right)
            if lhs is None or rhs is None:
                return None
            sign = 1 if op == "*" else -1
            if sign < 0 and rhs[0] == 0:
                return None
            k = lhs[0] * rhs[0] if sign > 0 else lhs[0] / rhs[0]
            exps = dict(lhs[1])
            for name, e in rhs[1].items():
                exps[name] = exps.get(name, 0) + sign * e
            return k, {n: e for n, e in exps.items() if e}
    return None


def ratio_of(formula: str, parameters: set[str]) -> Ratio | None:
    """The formula's :class:`Ratio`, or None when it has another shape or names a parameter (a
    section's fact of the same name would win over it: the general path decides which)."""
    expr = compiled_formula(formula)
    found = _monomial(expr)
    if found is None:
        return None
    k, exps = found
    if k <= 0 or set(exps) != formula_names(formula) or any(n in parameters or n not in FACTS for n in exps):
        return None  # (a fact that cancels out is still read: missing, it makes the rule undecided)
    nums = [n for n, e in exps.items() if e == 1]
    dens = [n for n, e in exps.items() if e == -1]
    if len(nums) != 1 or len(dens) > 1 or len(nums) + len(dens) != len(exps):
        return None
    if not _divisors(expr) <= set(dens):
        return None  # 100 ÷ (computers ÷ students): a zero student count is a zero divisor there
    return Ratio(nums[0], dens[0] if dens else None, k, k.numerator, k.denominator)


def _divisors(expr: Expr) -> set[str]:
    """The names that appear anywhere under the right-hand side of a division."""
    match expr:
        case Binary(op, left, right):
            inner = _divisors(left) | _divisors(right)
            return inner | names(right) if op == "/" else inner
    return set()


# ---------------------------------------------------------------------------------------------
# Compiled rules

_ONE = Fraction(1)
_GE, _GT, _LE, _LT = 0, 1, 2, 3
_OP_CODE = {Op.at_least: _GE, Op.more_than: _GT, Op.at_most: _LE, Op.less_than: _LT}


def holds_code(op: int, x: int, y: int) -> bool:
    """x <op> y for the op codes above."""
    if op == _GE:
        return x >= y
    if op == _GT:
        return x > y
    if op == _LE:
        return x <= y
    return x < y


@dataclass(frozen=True)
class ShortfallForm:
    """How a closed-form shortfall is worked out for one rule: the resource and where it sits in
    the :class:`Ratio`, and the step it is rounded to (1 ÷ ``per_unit``)."""

    resource: str
    in_denominator: bool
    per_unit: int
    """Steps per unit: 1 for whole units (teachers, rooms), 100 for 0.01 m² or 元."""
    integral: bool
    unit: str
    base: str | None
    """The fact the requirement is counted on (:func:`junheng.engine.measure.shortfall_base`)."""


_RESULT_GIVEN = ("rule_id", "level", "kind", "title", "outcome", "actual", "required", "op", "unit", "gap",
                 "shortfall", "missing_facts", "unbounded", "undefined", "text", "article", "source", "status",
                 "parameter_status", "actual_at_least", "relaxation")
"""The fields a threshold's :class:`RuleResult` is given (its ``model_fields_set``)."""
_GATE_GIVEN = ("rule_id", "level", "kind", "title", "outcome", "actual", "required", "op", "unit", "text",
               "article", "source", "status", "parameter_status", "members", "met_count", "min_met", "floor",
               "paths")
_, GATE_MEMBER_GIVEN = layout(GateMember, GateMember.model_fields)
_, GATE_STEP_GIVEN = layout(GateStep, GateStep.model_fields)
_, GATE_PATH_GIVEN = layout(GatePath, GatePath.model_fields)
_, SHORTFALL_GIVEN = layout(Shortfall, Shortfall.model_fields)
_, BASE_GIVEN = layout(ShortfallBase, ShortfallBase.model_fields)
_, SCHOOL_GIVEN = layout(SchoolResult, SchoolResult.model_fields)


@dataclass(frozen=True)
class ThresholdPlan:
    """One threshold rule as it applies to every section of one level and school type."""

    rule: ThresholdRule
    indicator: Indicator
    required: Fraction | None
    parameter_status: Status | None
    key: str
    """The engine fact's key for the rule's margin (``r<i>``)."""
    floor_key: str | None
    """The key of the margin to the gate floor, when the rule is a member of a count gate."""
    floor: Fraction | None
    template: dict[str, Any]
    """The result's constant fields, in field order (copied and completed per section)."""
    given: set[str]
    ratio: Ratio | None = None
    """Set when the closed form applies (common shape, a requirement)."""
    relaxable: bool = False
    """A relaxation applies on the ruleset's date: a failure takes the general path."""
    form: ShortfallForm | None = None
    shortfall: Literal["none", "closed", "general"] = "none"
    """How a failure's shortfall is worked out: none (no resource), closed form, or the general path."""
    op: int = _GE
    lower: bool = True
    rp: int = 0
    rq: int = 1
    """The requirement p ÷ q (closed form only)."""
    fp: int = 0
    fq: int = 1
    """The gate floor p ÷ q (closed form of a gate member only)."""


@dataclass(frozen=True)
class GatePlan:
    """One count gate for one level: its floor factor, members and the floor's status."""

    gate: CountGateRule
    floor: Fraction
    members: tuple[ThresholdRule, ...]
    positions: tuple[int | None, ...]
    """Each member's position among the level's thresholds (None: not judged at this level)."""
    floor_status: Status | None
    template: dict[str, Any]
    given: set[str]
    counts: tuple[Fraction, ...] = field(default=())
    """Fraction(n) for every possible number of members met."""
    keys: frozenset[str] = frozenset()
    """The engine fact keys the gate's verdict reads."""


@dataclass(frozen=True)
class LevelPlan:
    """What the ruleset says for one level and school type: parameters and every rule, compiled."""

    level: Level
    school_type: str | None
    parameters: dict[str, Fraction]
    rules: tuple[ThresholdPlan | GatePlan | ScoredRule, ...]
    """The rules of this level, in the ruleset's order."""
    thresholds: tuple[ThresholdPlan, ...]


class RulesetPlan:
    """A ruleset compiled for evaluation: its engine predicates, its gated rules and one
    :class:`LevelPlan` per level and school type (made when first needed). It holds no reference
    to its ruleset, so that the cache entry goes when the ruleset does."""

    def __init__(self, ruleset: Ruleset) -> None:
        self.predicates: CompiledPredicates = compile_predicates(ruleset)
        self.gated: set[str] = {m for r in ruleset.rules if isinstance(r, CountGateRule) for m in r.rules}
        self.has_scored = any(isinstance(r, ScoredRule) for r in ruleset.rules)
        self._levels: dict[tuple[Level, str | None], LevelPlan] = {}

    def level(self, ruleset: Ruleset, level: Level, school_type: str | None) -> LevelPlan:
        """The plan of ``level`` and ``school_type`` (``ruleset`` is the one this plan was compiled from)."""
        key = (level, school_type)
        plan = self._levels.get(key)
        if plan is None:
            plan = self._levels[key] = _level_plan(ruleset, self.predicates, level, school_type)
        return plan


_PLANS: dict[int, tuple[weakref.ref[Ruleset], RulesetPlan]] = {}


def compile_ruleset(ruleset: Ruleset) -> RulesetPlan:
    """The ruleset's plan, compiled once per ruleset object (rulesets are immutable) and dropped
    when the ruleset is."""
    key = id(ruleset)
    entry = _PLANS.get(key)
    if entry is not None and entry[0]() is ruleset:
        return entry[1]
    plan = RulesetPlan(ruleset)
    plans = _PLANS  # the callback may run at interpreter exit, after the module's globals are gone

    def forget(ref: weakref.ref[Ruleset]) -> None:
        entry = plans.get(key)
        if entry is not None and entry[0] is ref:
            del plans[key]

    _PLANS[key] = (weakref.ref(ruleset, forget), plan)
    return plan


def _shortfall_form(ruleset: Ruleset, indicator: Indicator,
                    ratio: Ratio) -> tuple[Literal["none", "closed", "general"], ShortfallForm | None]:
    bound = indicator.at_least
    if bound is not None and bound.resource is not None:
        return "general", None  # the remedy acts on the bound's formula (classes to add)
    resource = indicator.resource
    if resource is None:
        return "none", None
    if resource not in (ratio.num, ratio.den):
        # the formula does not change with the resource: measure.shortfall finds no slope
        return "none", None
    res_unit = unit(FACTS[resource].unit)
    step = Fraction(1) if res_unit.integral else res_unit.resolution
    if step.numerator != 1:
        return "general", None
    others = [n for n in formula_names(indicator.formula) if n != resource and n in FACTS]
    return "closed", ShortfallForm(resource, resource == ratio.den, step.denominator, res_unit.integral,
                                   FACTS[resource].unit, others[0] if len(others) == 1 else None)


def _threshold_plan(ruleset: Ruleset, predicates: CompiledPredicates, rule: ThresholdRule, level: Level,
                    school_type: str | None, floors: dict[str, Fraction]) -> ThresholdPlan:
    required, param_status = requirement(ruleset, rule, level, school_type)
    indicator = ruleset.indicators[rule.indicator]
    index = predicates.rule_index[rule.id]
    template, given = layout(
        RuleResult, _RESULT_GIVEN, rule_id=rule.id, level=level, kind=rule.kind, title=rule.title,
        required=required, op=rule.op.value, unit=indicator.unit, missing_facts=(), unbounded=False,
        undefined=False, text=rule.text, article=rule.article, source=rule.source, status=rule.status,
        parameter_status=param_status, actual_at_least=False, relaxation=None)
    plan = ThresholdPlan(rule, indicator, required, param_status, atom_key(index),
                         floor_key(index) if rule.id in floors else None, floors.get(rule.id), template, given)
    ratio = ratio_of(indicator.formula, set(ruleset.parameters))
    if ratio is None or required is None:
        return plan
    how, form = _shortfall_form(ruleset, indicator, ratio)
    floor = floors.get(rule.id, Fraction(0))
    return replace(plan, ratio=ratio, form=form, shortfall=how, op=_OP_CODE[rule.op], lower=rule.op.is_lower_bound,
                   relaxable=any(ruleset.relaxation_applies(r) for r in rule.relaxations),
                   rp=required.numerator, rq=required.denominator, fp=floor.numerator, fq=floor.denominator)


def _level_plan(ruleset: Ruleset, predicates: CompiledPredicates, level: Level,
                school_type: str | None) -> LevelPlan:
    floors: dict[str, Fraction] = {}
    gates: dict[str, tuple[CountGateRule, Fraction]] = {}
    for rule in ruleset.rules:
        if isinstance(rule, CountGateRule) and level in rule.levels:
            floor = ruleset.resolve(rule.floor, level)
            assert floor is not None
            gates[rule.id] = (rule, floor)
            for member in rule.rules:
                floors[member] = floor
    thresholds = [_threshold_plan(ruleset, predicates, rule, level, school_type, floors)
                  for rule in ruleset.rules if isinstance(rule, ThresholdRule) and level in rule.levels]
    position = {t.rule.id: i for i, t in enumerate(thresholds)}
    by_id = {t.rule.id: t for t in thresholds}
    rules: list[ThresholdPlan | GatePlan | ScoredRule] = []
    for rule in ruleset.rules:
        if level not in rule.levels:
            continue
        if isinstance(rule, ThresholdRule):
            rules.append(by_id[rule.id])
        elif isinstance(rule, ScoredRule):
            rules.append(rule)
        else:
            gate, floor = gates[rule.id]
            members = tuple(ruleset.rule(m) for m in gate.rules)
            assert all(isinstance(m, ThresholdRule) for m in members)
            floor_status = (ruleset.parameters[gate.floor.param].status
                            if not isinstance(gate.floor, Fraction) else None)
            template, given = layout(
                RuleResult, _GATE_GIVEN, rule_id=gate.id, level=level, kind=gate.kind, title=gate.title,
                required=Fraction(gate.min_met), op=">=", unit="count", text=gate.text, article=gate.article,
                source=gate.source, status=gate.status,
                parameter_status=floor_status if floor_status is not gate.status else None,
                min_met=gate.min_met, floor=floor)
            rules.append(GatePlan(gate, floor, members,  # type: ignore[arg-type]
                                  tuple(position.get(m.id) for m in members), floor_status, template, given,
                                  tuple(Fraction(n) for n in range(len(members) + 1)),
                                  frozenset(a.key for clause in predicates.verdicts[gate.id] for a in clause)))
    return LevelPlan(level, school_type, parameter_values(ruleset, level), tuple(rules), tuple(thresholds))


# ---------------------------------------------------------------------------------------------
# The closed form


def ratio_terms(t: ThresholdPlan, values: dict[str, Fraction]) -> tuple[int, int] | None:
    """(A, B) with actual = A ÷ B and B > 0, or None when the section needs the general path."""
    ratio = t.ratio
    assert ratio is not None
    n = values.get(ratio.num)
    if n is None or n.numerator < 0:  # (denominators are positive)
        return None
    if ratio.den is None:
        return ratio.kn * n.numerator, ratio.kd * n.denominator
    d = values.get(ratio.den)
    if d is None or d.numerator <= 0:
        return None
    return ratio.kn * n.numerator * d.denominator, ratio.kd * n.denominator * d.numerator


def closed_shortfall(t: ThresholdPlan, values: dict[str, Fraction], goal_num: int,
                     goal_den: int) -> Shortfall | None:
    """:func:`junheng.engine.measure.shortfall` for a rule measured in closed form, towards the
    goal ``goal_num ÷ goal_den`` (goal_den > 0), with the same steps on integers.

    The formula in its resource r is f(r) = (a + b·r) ÷ (c + d·r) with integers: k·r ÷ den
    (resource in the numerator) or k·num ÷ r (in the denominator); a value x ÷ S of r (S the steps
    per unit) is checked by cross-multiplication."""
    form, ratio = t.form, t.ratio
    assert form is not None and ratio is not None
    current = values[form.resource]
    if form.in_denominator:
        n = values[ratio.num]
        a, b, c, d = ratio.kn * n.numerator, 0, 0, ratio.kd * n.denominator
    else:
        den = values[ratio.den] if ratio.den is not None else _ONE
        a, b, c, d = 0, ratio.kn * den.denominator, ratio.kd * den.numerator, 0
    op, lower = t.op, t.lower

    def ok(xn: int, xd: int) -> bool:  # the rule holds at r = xn ÷ xd (xd > 0)
        den_ = c * xd + d * xn
        if den_ == 0:
            return lower
        num_ = a * xd + b * xn
        if den_ < 0:
            num_, den_ = -num_, -den_
        return holds_code(op, num_ * goal_den, goal_num * den_)

    cn, cd = current.numerator, current.denominator
    if ok(cn, cd):
        return None
    slope = b * c - a * d
    if slope == 0:
        return None
    sd = goal_den * b - goal_num * d  # f.solve(goal): r = (goal·c − a) ÷ (b − goal·d)
    if sd == 0:
        return None
    sn = goal_num * c - goal_den * a
    if sd < 0:
        sn, sd = -sn, -sd
    per = form.per_unit
    increase = (slope > 0) == lower
    if increase:
        tn, td = -((-sn * per) // sd), per  # ceil_to(solution, step)
        if tn * cd < cn * td:  # max(…, current)
            tn, td = cn, cd
        if not ok(tn, td):
            tn, td = tn * per + td, td * per  # + step: a strict bound at an exact solution
    else:
        tn, td = max((sn * per) // sd, 0), per  # max(floor_to(solution, step), 0)
        if not ok(tn, td):
            tn, td = tn * per - td, td * per
    if tn < 0 or not ok(tn, td):
        return None
    diff = tn * cd - cn * td
    amount = fraction(abs(diff), td * cd)
    if form.integral:
        amount = Fraction(math.ceil(amount))
    base = None
    if form.base is not None:
        base_value = values.get(form.base)
        if base_value is not None:
            base = trusted(ShortfallBase, {"fact": form.base, "value": base_value}, BASE_GIVEN)
    return trusted(Shortfall, {
        "fact": form.resource, "unit": form.unit, "direction": "increase" if increase else "decrease",
        "amount": amount, "target": fraction(tn, td), "current": current, "base": base,
    }, SHORTFALL_GIVEN)

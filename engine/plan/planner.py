"""The cheapest way to pass (最省达标方案): what to add, where, so that every section passes its
school rules and (county scope) every 差异系数 falls within its limit, at least total cost.

Flow: facts → the ordinary evaluation (school results, county run) → exact needs per section
and rule (:func:`junheng.engine.measure.shortfall`: full requirement and count-gate floor, whole
units for indivisible things) and 差异系数 cones → :mod:`solver` (HiGHS MILP, outer
approximation for the cones) → exact amounts → the plan applied to the facts and re-evaluated by
the ordinary engine (durable_rules verdicts) → :class:`PlanRun`, ``verified`` only when that
re-evaluation passes. Criteria that additions cannot fix are listed with what would fix them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import junheng
from junheng.engine.county import all_schools_ruleset, evaluate_county, exclusion, section_key
from junheng.engine.county_results import CountyRun, LevelDispersion
from junheng.engine.evaluate import EngineName, engine_label, evaluate_sections, gated_rules, ruleset_info
from junheng.engine.measure import attainment, compiled_formula, holds, measure, parameter_values, shortfall
from junheng.engine.plan import solver
from junheng.engine.plan.records import (
    Addition,
    CompositeChange,
    CvChange,
    PlanRun,
    Remedy,
    Scope,
    SectionPlan,
    SolverInfo,
    Target,
    Unfixable,
    UnfixableKind,
)
from junheng.engine.results import Outcome, RuleResult, SchoolResult
from junheng.policy.costs import UnitCosts
from junheng.policy.county_facts import CountyFacts
from junheng.policy.county_inputs import split_shared_assets
from junheng.policy.county_model import (
    AllSchoolsCriterion,
    CountyFactCriterion,
    DispersionCriterion,
    fraction_or_param,
)
from junheng.policy.facts import FACTS, Level
from junheng.policy.formula import FormulaError, Name, NotSolvable, as_function_of
from junheng.policy.inputs import FactsBatch, SchoolSection
from junheng.policy.loader import LoadedRuleset
from junheng.policy.model import CountGateRule, Localized, Ruleset, ScoredRule, ThresholdRule
from junheng.policy.units import unit

__all__ = ["MissingCostError", "PlanError", "make_plan"]


class PlanError(ValueError):
    """The plan cannot be made: ``reason`` says why (words are the command line's)."""

    def __init__(self, reason: str, ruleset_id: str = "") -> None:
        super().__init__(f"{reason}: {ruleset_id}")
        self.reason, self.ruleset_id = reason, ruleset_id


class MissingCostError(PlanError):
    """Levers the plan may need have no unit cost in the costs file."""

    def __init__(self, facts: Sequence[str], file: str) -> None:
        super().__init__("missing_costs")
        self.facts, self.file = tuple(facts), file


# --- needs --------------------------------------------------------------------------------------


@dataclass
class _Need:
    """One rule at one section: how much of ``fact`` to add to meet it in full, and to reach the
    count gate's floor (0: already there; None: additions cannot get there)."""

    rule_id: str
    fact: str
    full: Fraction | None
    floor: Fraction | None = Fraction(0)


@dataclass
class _Gate:
    members: list[_Need]
    """The members not met now."""
    extra: int
    """How many of them must be met in full."""


@dataclass
class _SectionNeeds:
    fixed: list[_Need] = field(default_factory=list)
    gates: list[_Gate] = field(default_factory=list)
    blocked: bool = False
    """An item additions cannot fix: the section cannot be brought to pass (its fixable needs are
    still planned)."""


def _resource(ruleset: Ruleset, rule: ThresholdRule) -> str | None:
    return ruleset.indicators[rule.indicator].resource


def _remedies(ruleset: Ruleset, rule: ThresholdRule, rr: RuleResult, section: SchoolSection) -> tuple[Remedy, ...]:
    """What would fix a rule additions cannot: the single fact it reads changed to the limit
    (students to place elsewhere, the largest class reduced), and classes to open for a class size."""
    expr = compiled_formula(ruleset.indicators[rule.indicator].formula)
    if not isinstance(expr, Name) or rr.actual is None or rr.required is None:
        return ()
    fact = expr.name
    out = []
    if rule.op.is_lower_bound:
        out.append(Remedy(action="raise", fact=fact, amount=rr.required - rr.actual))
    else:
        out.append(Remedy(action="reduce", fact=fact, amount=rr.actual - rr.required))
    students, classes = section.values.get("students"), section.values.get("classes")
    if fact == "max_class_size" and students is not None and classes is not None and rr.required > 0:
        wanted = math.ceil(students / rr.required)
        if wanted > classes:
            out.append(Remedy(action="open_classes", fact="classes", amount=Fraction(wanted) - classes))
    return tuple(out)


def _unfixable_rule(kind: UnfixableKind, rule: ThresholdRule | CountGateRule | ScoredRule, rr: RuleResult,
                    section: SchoolSection, criterion_id: str | None,
                    remedies: tuple[Remedy, ...] = ()) -> Unfixable:
    return Unfixable(kind=kind, title=rule.title, criterion_id=criterion_id, rule_id=rule.id,
                     school_id=section.school_id, level=section.level, outcome=rr.outcome, actual=rr.actual,
                     required=rr.required, op=rr.op, missing_facts=rr.missing_facts, remedies=remedies)


def _threshold_need(ruleset: Ruleset, rule: ThresholdRule, section: SchoolSection,
                    floor: Fraction | None) -> _Need | None:
    """The need of one threshold rule (None when its resource cannot meet it in full and, for a
    gate member, cannot reach the floor either)."""
    m = measure(ruleset, rule, section.level, section.values, section.school_type)
    fact = _resource(ruleset, rule)
    if fact is None or not m.decidable:
        return None
    full: Fraction | None = Fraction(0)
    if not holds(rule, m):
        sf = shortfall(ruleset, rule, section.level, section.values, m)
        full = sf.amount if sf is not None and sf.direction == "increase" and sf.fact == fact else None
    low: Fraction | None = Fraction(0)
    if floor is not None and full != 0:
        reach = attainment(rule, m)
        if reach is None or reach < floor:
            assert m.required is not None
            goal = floor * m.required if rule.op.is_lower_bound else m.required / floor
            sf = shortfall(ruleset, rule, section.level, section.values, m, target_value=goal)
            low = sf.amount if sf is not None and sf.direction == "increase" and sf.fact == fact else None
    if full is None and (floor is None or low is None):
        return None
    return _Need(rule.id, fact, full, low if floor is not None else full)


def _section_needs(ruleset: Ruleset, result: SchoolResult, section: SchoolSection, rules: tuple[str, ...],
                   target: Target, criterion_id: str | None, unfixable: list[Unfixable]) -> _SectionNeeds:
    """What one section needs under one set of school rules (``rules``: the deciding rule ids;
    empty: the school outcome's rules, gates and the rules outside them)."""
    out = _SectionNeeds()
    by_id = {r.rule_id: r for r in result.results}
    gated = gated_rules(ruleset)
    deciding = [r for r in result.results if (r.rule_id in rules if rules else r.rule_id not in gated)]
    if target is Target.all:  # every threshold in full, gate members included
        expanded: list[RuleResult] = []
        for rr in deciding:
            rule = ruleset.rule(rr.rule_id)
            if isinstance(rule, CountGateRule):
                expanded += [by_id[m] for m in rule.rules if m in by_id]
            else:
                expanded.append(rr)
        deciding = expanded
    for rr in deciding:
        rule = ruleset.rule(rr.rule_id)
        if isinstance(rule, ScoredRule):
            if rr.outcome is not Outcome.passed:
                out.blocked = True
                unfixable.append(_unfixable_rule(UnfixableKind.not_modelled, rule, rr, section, criterion_id))
            continue
        if rr.outcome is Outcome.passed:
            continue
        if isinstance(rule, ThresholdRule):
            if rr.outcome is Outcome.unknown:
                out.blocked = True
                unfixable.append(_unfixable_rule(UnfixableKind.missing_data, rule, rr, section, criterion_id,
                                                 tuple(Remedy(action="supply", fact=f.fact) for f in rr.missing_facts)))
                continue
            need = _threshold_need(ruleset, rule, section, None)
            if need is None or need.full is None:
                out.blocked = True
                kind = UnfixableKind.no_lever if _resource(ruleset, rule) is None else UnfixableKind.decrease
                unfixable.append(_unfixable_rule(kind, rule, rr, section, criterion_id,
                                                 _remedies(ruleset, rule, rr, section)))
                continue
            out.fixed.append(need)
            continue
        # a count gate that fails (or cannot be decided)
        floor = ruleset.resolve(rule.floor, section.level)
        members: list[_Need] = []
        met = 0
        blocked = False
        for member_id in rule.rules:
            member = ruleset.rule(member_id)
            mr = by_id.get(member_id)
            if not isinstance(member, ThresholdRule) or mr is None:
                continue
            if mr.outcome is Outcome.passed:
                met += 1
                continue
            if mr.outcome is Outcome.unknown:
                blocked = True
                unfixable.append(_unfixable_rule(UnfixableKind.missing_data, member, mr, section, criterion_id,
                                                 tuple(Remedy(action="supply", fact=f.fact) for f in mr.missing_facts)))
                continue
            need = _threshold_need(ruleset, member, section, floor)
            if need is None:
                blocked = True
                kind = UnfixableKind.no_lever if _resource(ruleset, member) is None else UnfixableKind.decrease
                unfixable.append(_unfixable_rule(kind, member, mr, section, criterion_id,
                                                 _remedies(ruleset, member, mr, section)))
                continue
            members.append(need)
        extra = rule.min_met - met
        fullable = sum(1 for n in members if n.full is not None)
        if blocked or extra > fullable:
            out.blocked = True
            if not blocked:
                unfixable.append(_unfixable_rule(UnfixableKind.no_lever, rule, rr, section, criterion_id))
            continue
        out.gates.append(_Gate(members, max(extra, 0)))
    return out


# --- the model ----------------------------------------------------------------------------------


@dataclass
class _Lever:
    section: int
    fact: str


@dataclass
class _Built:
    model: solver.Model = field(default_factory=solver.Model)
    levers: dict[tuple[int, str], int] = field(default_factory=dict)
    picks: list[tuple[int, _Need, int | None]] = field(default_factory=list)
    """(section, need, binary var or None for a fixed need) — to repair rounding exactly."""
    used: set[str] = field(default_factory=set)
    """Facts some constraint may need more of (each needs a price)."""

    prices: dict[int, float] = field(default_factory=dict)
    """Lever variable → 元 per unit."""

    def lever(self, section: int, fact: str, price: Fraction | None) -> int:
        key = (section, fact)
        if key not in self.levers:
            integral = unit(FACTS[fact].unit).integral
            self.levers[key] = self.model.var(float(price or 0), integral)
            self.prices[self.levers[key]] = float(price or 0)
        return self.levers[key]


def _add_section(b: _Built, index: int, needs: _SectionNeeds, costs: UnitCosts) -> None:
    for need in needs.fixed:
        assert need.full is not None
        if need.full > 0:
            b.used.add(need.fact)
            a = b.lever(index, need.fact, costs.price(need.fact))
            b.model.rows.append(solver.Row({a: 1.0}, float(need.full)))
            b.picks.append((index, need, None))
    for gate in needs.gates:
        binaries: list[int] = []
        for need in gate.members:
            low = need.floor if need.floor is not None else need.full
            assert low is not None
            if (need.full or 0) > 0 or low > 0:
                b.used.add(need.fact)
            a = b.lever(index, need.fact, costs.price(need.fact))
            if need.full is None or need.floor is None:  # only one way: to the floor, or in full
                b.model.rows.append(solver.Row({a: 1.0}, float(low)))
                b.picks.append((index, _Need(need.rule_id, need.fact, low, low), None))
                if need.floor is None:
                    binaries.append(-1)  # met in full, necessarily
                continue
            y = b.model.var(0.0, True, 1.0)
            binaries.append(y)
            b.model.rows.append(solver.Row({a: 1.0, y: -float(need.full - need.floor)}, float(need.floor)))
            b.picks.append((index, need, y))
        forced = binaries.count(-1)
        free = [y for y in binaries if y >= 0]
        if gate.extra - forced > 0:
            b.model.rows.append(solver.Row({y: 1.0 for y in free}, float(gate.extra - forced)))


@dataclass
class _ConeInfo:
    criterion_id: str
    level: Level
    indicator: str
    fact: str


def _cones(b: _Built, ruleset: Ruleset, sections: Sequence[SchoolSection], included: Sequence[int],
           costs: UnitCosts, before: CountyRun, unfixable: list[Unfixable]) -> list[_ConeInfo]:
    """One cone per judged CV (judge "each"), and per indicator of a composite over its limit
    (each CV capped in proportion, so that their mean is within the limit)."""
    spec = ruleset.county
    assert spec is not None
    indicators = {**ruleset.indicators, **spec.indicators}
    infos: list[_ConeInfo] = []
    levels = {(lv.criterion_id, lv.level): lv for lv in before.levels}
    for c in spec.criteria:
        if not isinstance(c, DispersionCriterion):
            continue
        weighted = bool(fraction_or_param(ruleset, c.weighted))
        for level in c.levels:
            lv = levels.get((c.id, level))
            if lv is None:
                continue
            members = [i for i in included if sections[i].level is level]
            limit = lv.limit
            caps: dict[str, Fraction] = {}
            if c.judge == "composite":
                if lv.outcome is Outcome.passed or lv.composite is None:
                    caps = {}  # within the limit now: the plan keeps it there (checked exactly afterwards)
                else:
                    caps = {i.indicator: (i.cv or Fraction(0)) * limit / lv.composite for i in lv.indicators}
            for ind in lv.indicators:
                if ind.missing:
                    unfixable.append(Unfixable(
                        kind=UnfixableKind.missing_data, title=ind.title, criterion_id=c.id, level=level,
                        outcome=Outcome.unknown, missing_facts=ind.missing,
                        remedies=tuple(Remedy(action="supply", fact=m.fact) for m in ind.missing)))
                    continue
                if c.judge == "composite" and ind.indicator not in caps:
                    continue
                cap = caps.get(ind.indicator, limit)
                indicator = indicators[ind.indicator]
                fact = indicator.resource
                expr = compiled_formula(indicator.formula)
                params = parameter_values(ruleset, level)
                weights: list[Fraction] = []
                alpha: list[float] = []
                beta: list[float] = []
                var: list[int | None] = []
                ok = fact is not None
                for i in members:
                    s = sections[i]
                    if not ok or fact is None:
                        break
                    try:
                        f = as_function_of(expr, fact, {**params, **s.values})
                    except (NotSolvable, FormulaError):
                        ok = False
                        break
                    if f.d != 0 or f.c == 0:
                        ok = False
                        break
                    weights.append(s.values[c.weight])
                    alpha.append(float(f.at(s.values[fact])))  # X_i now; the addition moves it by β_i each
                    beta.append(float(f.b / f.c))
                    var.append(b.lever(i, fact, costs.price(fact)) if f.b != 0 else None)
                if not ok or fact is None:
                    if ind.passed is False or lv.outcome is Outcome.failed:
                        unfixable.append(Unfixable(kind=UnfixableKind.not_modelled, title=ind.title,
                                                   criterion_id=c.id, level=level, outcome=Outcome.failed,
                                                   actual=ind.cv, required=limit, op="<="))
                    continue
                total = sum(weights, Fraction(0))
                w = [float(x / total) if weighted else 1.0 / len(weights) for x in weights]
                cone = solver.Cone(w, alpha, beta, var, float(cap) * (1 - solver.CONE_MARGIN),
                                   key=(c.id, level, ind.indicator))
                b.model.cones.append(cone)
                infos.append(_ConeInfo(c.id, level, ind.indicator, fact))
                if ind.passed is False or (c.judge == "composite" and caps):
                    b.used.add(fact)
    return infos


# --- exact amounts ------------------------------------------------------------------------------


def _exact_amount(value: float, fact: str) -> Fraction:
    u = unit(FACTS[fact].unit)
    if u.integral:
        return Fraction(max(0, round(value)))
    step = u.resolution
    q = Fraction(value) / step
    nearest = round(q)
    k = nearest if abs(q - nearest) < Fraction(1, 10**6) else math.ceil(q)
    return max(Fraction(0), k * step)


def _amounts(b: _Built, x: Sequence[float]) -> dict[tuple[int, str], Fraction]:
    amounts = {key: _exact_amount(x[v], key[1]) for key, v in b.levers.items()}
    for index, need, y in b.picks:  # rounding never leaves a requirement short
        key = (index, need.fact)
        if y is None:
            wanted = need.full or Fraction(0)
        else:
            assert need.full is not None and need.floor is not None
            wanted = need.full if x[y] > 0.5 else need.floor
        if amounts[key] < wanted:
            amounts[key] = wanted
    return {k: v for k, v in amounts.items() if v > 0}


# --- the run ------------------------------------------------------------------------------------


def _key(school_id: str, level: Level) -> str:
    """The key :func:`junheng.engine.county.section_key` gives a section."""
    return f"{school_id}/{level.value}"


def _worst(outcomes: Sequence[Outcome]) -> Outcome:
    if Outcome.failed in outcomes:
        return Outcome.failed
    if Outcome.unknown in outcomes:
        return Outcome.unknown
    return Outcome.passed


@dataclass
class _Source:
    """School rules deciding whether a section passes: a ruleset and the deciding rule ids."""

    criterion_id: str | None
    ruleset: Ruleset
    rules: tuple[str, ...]


def _gate_met(result: SchoolResult | None) -> int | None:
    if result is None:
        return None
    return next((r.met_count for r in result.results if r.met_count is not None), None)


def _path_cost(result: SchoolResult, costs: UnitCosts, rules: tuple[str, ...], ruleset: Ruleset) -> Fraction | None:
    """The cheapest minimal gate path priced with the costs, plus the other failing rules in full."""
    gated = gated_rules(ruleset)
    deciding = [r for r in result.results if (r.rule_id in rules if rules else r.rule_id not in gated)]
    total = Fraction(0)
    for rr in deciding:
        if rr.outcome is Outcome.passed:
            continue
        if rr.kind == "count_gate":
            prices = []
            for path in rr.paths:
                steps = (*path.full, *path.to_floor)
                p = [costs.price(s.shortfall.fact) for s in steps]
                if all(x is not None for x in p):
                    prices.append(sum((x * s.shortfall.amount for x, s in zip(p, steps, strict=True) if x is not None),
                                      Fraction(0)))
            if not prices:
                return None
            total += min(prices)
        elif rr.shortfall is not None and costs.price(rr.shortfall.fact) is not None:
            total += (costs.price(rr.shortfall.fact) or 0) * rr.shortfall.amount
        else:
            return None
    return total


def make_plan(loaded: LoadedRuleset, batch: FactsBatch, costs: UnitCosts, *, scope: Scope | None = None,
              target: Target = Target.gate, county_facts: CountyFacts | None = None,
              school_ruleset: LoadedRuleset | None = None, budget: Fraction | None = None,
              engine: EngineName = "durable", time_limit: float = 60.0) -> PlanRun:
    """The least-cost plan (see the module docstring). Raises :class:`MissingCostError` when a
    lever the plan may need has no price, :class:`PlanError` when the ruleset has nothing to plan."""
    ruleset = loaded.ruleset
    if scope is None:
        scope = Scope.county if ruleset.county is not None else Scope.school
    if scope is Scope.county and ruleset.county is None:
        raise PlanError("no_county_part", ruleset.id)
    unfixable: list[Unfixable] = []
    before: CountyRun | None = None
    if scope is Scope.county:
        spec = ruleset.county
        assert spec is not None
        sections, _, _ = split_shared_assets(ruleset, batch.sections, county_facts)
        included = [i for i, s in enumerate(sections) if exclusion(spec, s) is None]
        before = evaluate_county(loaded, batch, county_facts, school_ruleset, engine)
        sources: list[_Source] = []
        for c in spec.criteria:
            if isinstance(c, AllSchoolsCriterion):
                target_rules = all_schools_ruleset(ruleset, c, school_ruleset)
                if target_rules is None:
                    if before.criteria and next(r for r in before.criteria if r.criterion_id == c.id).outcome \
                            is not Outcome.passed:
                        unfixable.append(Unfixable(kind=UnfixableKind.no_ruleset, title=c.title, criterion_id=c.id,
                                                   outcome=Outcome.unknown,
                                                   remedies=(Remedy(action="school_ruleset"),)))
                    continue
                deciding = [r for r in target_rules.rules if not c.rules or r.id in c.rules]
                members = [target_rules.rule(m) for r in deciding if isinstance(r, CountGateRule) for m in r.rules]
                has_levers = any(isinstance(r, ThresholdRule) and _resource(target_rules, r) is not None
                                 for r in (*deciding, *members))
                if c.per == "school" or not has_levers:  # 学校规模, 班额: nothing to add, only to list
                    for sr in before.school_results.get(c.id, ()):
                        s = next(x for x in sections if x.school_id == sr.school_id and x.level is sr.level)
                        merged = s.model_copy(update={"values": {
                            **s.values, "students": sr.students} if sr.students is not None else s.values})
                        _section_needs(target_rules, sr, merged, c.rules, target, c.id, unfixable)
                    continue
                sources.append(_Source(c.id, target_rules, c.rules))
            elif isinstance(c, CountyFactCriterion):
                crit = next(r for r in before.criteria if r.criterion_id == c.id)
                if crit.outcome is not Outcome.passed:
                    remedy = (Remedy(action="supply", fact=c.fact) if crit.actual is None
                              else Remedy(action="reach", fact=c.fact, amount=crit.required))
                    unfixable.append(Unfixable(kind=UnfixableKind.county_fact, title=c.title, criterion_id=c.id,
                                               outcome=crit.outcome, actual=crit.actual, required=crit.required,
                                               op=crit.op, missing_facts=crit.missing_facts, remedies=(remedy,)))
        results_of = {c: {_key(r.school_id, r.level): r for r in before.school_results.get(c or "", ())}
                      for c in (s.criterion_id for s in sources)}
    else:
        sections = list(batch.sections)
        included = list(range(len(sections)))
        sources = [_Source(None, ruleset, ())]
        results_of = {None: {_key(r.school_id, r.level): r for r in evaluate_sections(ruleset, sections, engine)}}

    b = _Built()
    blocked: set[int] = set()
    outcome_before: dict[int, Outcome] = {}
    for i in included:
        s = sections[i]
        outs = []
        for src in sources:
            r = results_of[src.criterion_id].get(section_key(s))
            if r is None:
                continue
            outs.append(_rules_outcome(r, src.rules, src.ruleset, target))
            needs = _section_needs(src.ruleset, r, s, src.rules, target, src.criterion_id, unfixable)
            if needs.blocked:
                blocked.add(i)
            _add_section(b, i, needs, costs)
        outcome_before[i] = _worst(outs) if outs else Outcome.passed
    cone_infos: list[_ConeInfo] = []
    if scope is Scope.county and before is not None:
        cone_infos = _cones(b, ruleset, sections, included, costs, before, unfixable)
    missing = costs.missing(f for f in FACTS if f in b.used)
    if missing:
        raise MissingCostError(missing, costs.file)

    cones = list(b.model.cones)
    passes = _budget_mode(b, budget, blocked) if budget is not None else {}
    solution = solver.solve(b.model, time_limit=time_limit)
    if budget is not None and cones and solution.x is not None:
        solution = _budget_ties(b, budget, passes, cones, solution, time_limit)
    x = list(solution.x) if solution.x is not None else None
    chosen = {i for i, v in passes.items() if x is not None and x[v] > 0.5}
    if x is not None and budget is not None:  # requirements of the sections left out are off
        b.picks = [p for p in b.picks if p[0] in chosen]
    amounts = _amounts(b, x) if x is not None else {}

    # apply and re-evaluate with the ordinary engine
    after_sections = list(sections)
    for (i, fact), amount in amounts.items():
        s = after_sections[i]
        grown = {**s.values, fact: s.values.get(fact, Fraction(0)) + amount}
        after_sections[i] = s.model_copy(update={"values": grown})
    after_batch = batch.model_copy(update={"sections": after_sections})
    after: CountyRun | None = None
    outcome_after: dict[int, Outcome] = {}
    met_before: dict[int, int | None] = {}
    met_after: dict[int, int | None] = {}
    if scope is Scope.county:
        facts_after = county_facts.model_copy(update={"shared_assets": ()}) if county_facts is not None else None
        after = evaluate_county(loaded, after_batch, facts_after, school_ruleset, engine)
        after_of = {c: {_key(r.school_id, r.level): r for r in after.school_results.get(c or "", ())}
                    for c in (s.criterion_id for s in sources)}
    else:
        after_of = {None: {_key(r.school_id, r.level): r for r in evaluate_sections(ruleset, after_sections, engine)}}
    for i in included:
        key = section_key(sections[i])
        outs = []
        for src in sources:
            r = after_of[src.criterion_id].get(key)
            if r is not None:
                outs.append(_rules_outcome(r, src.rules, src.ruleset, target))
            if met_before.get(i) is None:
                met_before[i] = _gate_met(results_of[src.criterion_id].get(key))
                met_after[i] = _gate_met(r)
        outcome_after[i] = _worst(outs) if outs else Outcome.passed

    # exact costs
    by_section: dict[int, list[Addition]] = {}
    cost_by_fact: dict[str, Fraction] = {}
    for (i, fact), amount in sorted(amounts.items(), key=lambda kv: (kv[0][0], list(FACTS).index(kv[0][1]))):
        price = costs.price(fact) or Fraction(0)
        title = Localized(zh=FACTS[fact].zh, en=FACTS[fact].en)
        by_section.setdefault(i, []).append(Addition(fact=fact, title=title, unit=FACTS[fact].unit,
                                                     amount=amount, yuan_per_unit=price, cost=price * amount))
        cost_by_fact[fact] = cost_by_fact.get(fact, Fraction(0)) + price * amount
    total = sum(cost_by_fact.values(), Fraction(0))

    plans: list[SectionPlan] = []
    for i in included:
        s = sections[i]
        adds = tuple(by_section.get(i, ()))
        path_cost = None
        if outcome_before[i] is Outcome.failed and target is Target.gate:
            for src in sources:
                r = results_of[src.criterion_id].get(section_key(s))
                if r is not None:
                    p = _path_cost(r, costs, src.rules, src.ruleset)
                    path_cost = None if p is None else (path_cost or Fraction(0)) + p
        plans.append(SectionPlan(
            school_id=s.school_id, level=s.level, school_name=s.school_name, students=s.values.get("students"),
            additions=adds, cost=sum((a.cost for a in adds), Fraction(0)), outcome_before=outcome_before[i],
            outcome_after=outcome_after.get(i) if solution.x is not None else None,
            met_before=met_before.get(i), met_after=met_after.get(i), cheapest_path_cost=path_cost))

    cv, composites = _cv_changes(before, after) if before is not None and after is not None else ((), ())
    claimed_sections = [i for i in included if i not in blocked]
    dispersion_ok = True
    if after is not None and before is not None and ruleset.county is not None:
        modelled = {(ci.criterion_id, ci.level) for ci in cone_infos}
        for lv in after.levels:
            if (lv.criterion_id, lv.level) in modelled and not any(
                    u.criterion_id == lv.criterion_id and u.level is lv.level for u in unfixable):
                dispersion_ok = dispersion_ok and lv.outcome is Outcome.passed
    feasible = solution.x is not None
    verified = feasible and (budget is not None or (
        all(outcome_after[i] is Outcome.passed for i in claimed_sections) and dispersion_ok))
    if budget is not None and feasible:
        verified = all(outcome_after[i] is Outcome.passed for i in chosen)
    lower = None if solution.lower_bound is None else Fraction(solution.lower_bound)
    if budget is not None:
        lower = None
    if lower is not None and any(c.outcome_before is Outcome.failed for c in composites):
        lower = None  # the composite is planned through per-indicator caps: a restriction, no proven bound
    gap = None
    if feasible and lower is not None:
        gap = Fraction(0) if total == 0 or lower >= total else (total - max(lower, Fraction(0))) / total
    info = SolverInfo(
        name=solver.SOLVER_NAME,
        method="outer-approximation" if b.model.cones else "milp",
        status=solution.status if b.model.cost else "not_needed",
        rounds=solution.rounds, cuts=solution.cuts, seconds=solution.seconds, lower_bound=lower, gap=gap)
    remainder = None
    if budget is not None:  # what completing the plan would cost, starting from the budgeted additions
        rest = make_plan(loaded, after_batch, costs, scope=scope, target=target,
                         county_facts=county_facts.model_copy(update={"shared_assets": ()})
                         if county_facts is not None else None,
                         school_ruleset=school_ruleset, engine=engine, time_limit=time_limit)
        remainder = rest.total_cost
    county = before.county if before is not None else next((s.county for s in sections if s.county), "")
    year = before.year if before is not None else next((s.year for s in sections if s.year is not None), None)
    return PlanRun(
        ruleset=ruleset_info(loaded), scope=scope, target=target, budget=budget, county=county, year=year,
        sections=tuple(plans), total_cost=total, cost_by_fact=cost_by_fact, cv=cv, composites=composites,
        unfixable=tuple(unfixable), solver=info, verified=verified, feasible=feasible,
        sections_passing_before=sum(1 for i in included if outcome_before[i] is Outcome.passed),
        sections_passing_after=sum(1 for i in included if outcome_after.get(i) is Outcome.passed) if feasible else 0,
        remainder_cost=remainder, costs_file=costs.file, costs_sha256=costs.sha256,
        cost_notes={f: c.note for f, c in costs.costs.items() if c.note},
        input_file=batch.file, input_sha256=batch.file_sha256, junheng_version=junheng.__version__,
        engine=engine_label(engine), issues=(*batch.issues, *costs.issues))


def _rules_outcome(result: SchoolResult, rules: tuple[str, ...], ruleset: Ruleset,
                   target: Target = Target.gate) -> Outcome:
    """The section's outcome under the deciding rules (every threshold in full for ``all``)."""
    if target is Target.all:
        return _worst([r.outcome for r in result.results if r.kind == "threshold"
                       and (not rules or r.rule_id in rules or any(
                           isinstance(g := ruleset.rule(x), CountGateRule) and r.rule_id in g.rules for x in rules))])
    if not rules:
        return result.outcome
    return _worst([r.outcome for r in result.results if r.rule_id in rules] or [Outcome.unknown])


def _budget_mode(b: _Built, budget: Fraction, blocked: set[int]) -> dict[int, int]:
    """Most sections passing within the budget: each section's requirements hold only when its
    "passes" binary is 1; maximise their number (the CV limits are left out; ties: :func:`_budget_ties`).
    Returns section → its "passes" binary."""
    model = b.model
    model.cones = []
    lever_section = {v: key[0] for key, v in b.levers.items()}
    binary_section = {y: i for i, _, y in b.picks if y is not None}
    passes = {i: model.var(0.0, True, 0.0 if i in blocked else 1.0) for i in sorted({i for i, _, _ in b.picks})}
    rows: list[solver.Row] = []
    for row in model.rows:  # "lever − k·y ≥ rhs" of one section, or its gate count "Σ y ≥ k"
        section = next((lever_section[v] for v in row.coeffs if v in lever_section), None)
        if section is None:
            section = next(binary_section[v] for v in row.coeffs if v in binary_section)
        coeffs = dict(row.coeffs)
        coeffs[passes[section]] = coeffs.get(passes[section], 0.0) - row.lb
        rows.append(solver.Row(coeffs, 0.0))
    for y, i in binary_section.items():
        rows.append(solver.Row({y: -1.0, passes[i]: 1.0}, 0.0))  # met in full only when passing
    rows.append(solver.Row({v: model.cost[v] for v in lever_section}, -math.inf, float(budget)))
    scale = 1.0 / (2.0 * max(float(budget), 1.0))  # the cost term stays below one section's worth
    model.cost = [c * scale for c in model.cost]
    for v in passes.values():
        model.cost[v] = -1.0
    model.rows = rows
    return passes


def _budget_ties(b: _Built, budget: Fraction, passes: dict[int, int], cones: list[solver.Cone],
                 first: solver.Solution, time_limit: float) -> solver.Solution:
    """Among the plans within the budget that make as many sections pass as the first solve, the one
    that brings the 差异系数 over their limits furthest down: minimise Σ_k τ_k / X̄_k,before with
    S_k ≤ L_k·X̄_k + τ_k, τ_k ≥ 0 (each a cone; τ_k / X̄_k,before is the CV's excess over its limit
    measured against the mean before the plan — the CVs themselves are not convex in the additions).
    Ties after that go to the cheaper plan; a CV within its limit costs nothing more."""
    assert first.x is not None
    model = b.model
    count = sum(1 for v in passes.values() if first.x[v] > 0.5)
    model.rows.append(solver.Row({v: 1.0 for v in passes.values()}, count - 0.5))
    tiny = 1e-6 / max(float(budget), 1.0)
    model.cost = [0.0] * len(model.cost)
    for v in b.levers.values():
        model.cost[v] = tiny * b.prices[v]
    for cone in cones:
        mean = sum(w * a for w, a in zip(cone.weights, cone.alpha, strict=True))
        if mean <= 0:
            continue
        cone.bound = model.var(1.0 / mean, False)
        cone.limit = cone.limit / (1 - solver.CONE_MARGIN)  # the limit itself: no margin needed here
        model.cones.append(cone)
    second = solver.solve(model, time_limit=time_limit)
    if second.x is None:
        return first
    return solver.Solution(second.status, second.x, None, first.rounds + second.rounds, first.cuts + second.cuts,
                           first.seconds + second.seconds)


def _cv_changes(before: CountyRun, after: CountyRun) -> tuple[tuple[CvChange, ...], tuple[CompositeChange, ...]]:
    after_levels = {(lv.criterion_id, lv.level): lv for lv in after.levels}
    changes: list[CvChange] = []
    composites: list[CompositeChange] = []
    for lv in before.levels:
        la: LevelDispersion | None = after_levels.get((lv.criterion_id, lv.level))
        after_ind = {i.indicator: i for i in la.indicators} if la is not None else {}
        for ind in lv.indicators:
            ia = after_ind.get(ind.indicator)
            changes.append(CvChange(
                criterion_id=lv.criterion_id, level=lv.level, indicator=ind.indicator, title=ind.title,
                limit=lv.limit, judge=lv.judge, cv_before=ind.cv, cv_after=ia.cv if ia is not None else None,
                passed_before=ind.passed, passed_after=ia.passed if ia is not None else None))
        if lv.judge == "composite":
            composites.append(CompositeChange(
                criterion_id=lv.criterion_id, level=lv.level, limit=lv.limit, before=lv.composite,
                after=la.composite if la is not None else None, outcome_before=lv.outcome,
                outcome_after=la.outcome if la is not None else None))
    return tuple(changes), tuple(composites)


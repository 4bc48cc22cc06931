"""Property checks of a ruleset (规则集性质检验): what ``junheng check`` runs.

Each invariant is searched with hypothesis, used programmatically (``hypothesis.find`` with
``database=None``; derandomised by default so CI is reproducible): a failure comes back as the
*smallest* counter-example school hypothesis could shrink to. Results are typed records (a
:class:`Finding` code per problem or reason, with its rule ids, facts and exact numbers) and no
words: :mod:`junheng.cli.render.check` words them, :mod:`junheng.cli.check_cmd` prints them.

Invariants:

* **well_formed** — every formula's facts exist, every rule and indicator is reachable (and the
  generated schools make each threshold both pass and fail), points bounded 0..max, thresholds
  positive, every rule and parameter has a source and a status;
* **monotonic** — adding resources never lowers a score or turns a pass into a fail;
* **exact** — adding the reported shortfall makes the rule pass, one unit less does not; a
  school exactly at a boundary passes (fails for a strict comparison);
* **deterministic** — same facts, same results, in any row order, every time;
* **engines_agree** — the durable_rules path and direct evaluation give identical results;
* **update_intent** (with an old ruleset) — ``tighter``: no school failing OLD passes NEW, and
  some school passes OLD but fails NEW; ``looser`` the reverse; ``unchanged`` the same verdicts.
  With ``only`` the comparison is per listed rule and every other shared rule must not change.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any, Literal

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, Unsatisfiable

from junheng.engine.evaluate import EngineName, evaluate_sections
from junheng.engine.measure import compiled_formula, parameter_values
from junheng.engine.results import Outcome, RuleResult, SchoolResult
from junheng.policy.facts import FACTS, SCHOOL_TYPES, Level
from junheng.policy.formula import FormulaError, as_function_of, names
from junheng.policy.inputs import SchoolSection
from junheng.policy.model import (
    CountGateRule,
    LevelValues,
    Op,
    ParamRef,
    Ruleset,
    ScoredRule,
    ThresholdRule,
)
from junheng.policy.units import unit

Expectation = Literal["tighter", "looser", "unchanged"]

INVARIANTS: tuple[str, ...] = ("well_formed", "monotonic", "exact", "deterministic", "engines_agree",
                              "update_intent")
"""The invariants, in report order (their titles are words: :mod:`junheng.cli.render.check`)."""


class Code(StrEnum):
    """What a finding says; the fields of :class:`Finding` it uses are listed per group."""

    # well_formed, static (indicator / parameter / rule, level, school_type, value, detail)
    formula_unparsed = "formula_unparsed"
    unknown_name = "unknown_name"
    parameter_no_source = "parameter_no_source"
    rule_no_source = "rule_no_source"
    rule_no_status = "rule_no_status"
    rule_unreachable = "rule_unreachable"
    no_value = "no_value"
    value_not_positive = "value_not_positive"
    school_type_value_not_positive = "school_type_value_not_positive"
    floor_out_of_range = "floor_out_of_range"
    points_not_positive = "points_not_positive"
    item_value_not_positive = "item_value_not_positive"
    indicator_unused = "indicator_unused"
    # well_formed, generated (rule, value, other, count)
    points_out_of_range = "points_out_of_range"
    never_passed = "never_passed"
    never_failed = "never_failed"
    # any search (error, detail)
    evaluation_raised = "evaluation_raised"
    # monotonic (added, rule, before, after, value, other)
    more_turned_rule = "more_turned_rule"
    more_lowered_item = "more_lowered_item"
    more_turned_school = "more_turned_school"
    more_lowered_total = "more_lowered_total"
    # exact (rule, fact, value, other, required)
    shortfall_off_target = "shortfall_off_target"
    shortfall_not_enough = "shortfall_not_enough"
    shortfall_not_minimal = "shortfall_not_minimal"
    boundary_should_pass = "boundary_should_pass"
    boundary_should_fail = "boundary_should_fail"
    # deterministic, engines_agree (school, rule, before, after)
    rerun_differs = "rerun_differs"
    reorder_differs = "reorder_differs"
    engines_differ_on_rule = "engines_differ_on_rule"
    engines_differ = "engines_differ"
    # update_intent (rule, before, after)
    only_unknown_rule = "only_unknown_rule"
    rule_added_not_only = "rule_added_not_only"
    rule_removed_not_only = "rule_removed_not_only"
    unlisted_rule_changed = "unlisted_rule_changed"
    rule_not_tighter = "rule_not_tighter"
    school_not_tighter = "school_not_tighter"
    rule_not_looser = "rule_not_looser"
    school_not_looser = "school_not_looser"
    rule_changed = "rule_changed"
    school_changed = "school_changed"
    no_tighter_witness = "no_tighter_witness"
    no_looser_witness = "no_looser_witness"


@dataclass(frozen=True)
class Finding:
    """One problem or counter-example reason: a :class:`Code` and the data it names (no words)."""

    code: Code
    rule: str = ""
    """A rule or scored item id."""
    name: str = ""
    """An indicator, parameter or unknown name."""
    school: str = ""
    fact: str = ""
    level: Level | None = None
    school_type: str = ""
    value: Fraction | None = None
    other: Fraction | None = None
    """A second number: a target, the lowered score, the upper bound of the points."""
    required: Fraction | None = None
    before: Outcome | None = None
    after: Outcome | None = None
    added: tuple[tuple[str, Fraction], ...] = ()
    """Resources added (fact, amount)."""
    count: int = 0
    error: str = ""
    """An exception's type name."""
    detail: str = ""
    """An exception's or the formula parser's own message, verbatim."""


NON_RESOURCE_FACTS = frozenset({"students", "classes", "max_class_size", "staff_quota", "year"})
"""Facts that are not resources a school adds (enrolment, class counts and sizes, the quota)."""

_FACTORS: tuple[Fraction, ...] = (
    Fraction(1), Fraction(99, 100), Fraction(101, 100), Fraction(17, 20), Fraction(21, 25),
    Fraction(1, 2), Fraction(2), Fraction(0), Fraction(9, 10), Fraction(11, 10),
)
"""Multiples of a requirement the generator puts facts at (1 = exactly at the boundary)."""


@dataclass(frozen=True)
class Counterexample:
    """The smallest school (or schools, in input order) that breaks an invariant, and why."""

    sections: tuple[SchoolSection, ...]
    reason: Finding


@dataclass(frozen=True)
class InvariantResult:
    name: str
    passed: bool
    examples: int = 0
    """Generated inputs tried."""
    problems: tuple[Finding, ...] = ()
    """Static findings (well-formedness, update scope)."""
    counterexample: Counterexample | None = None


@dataclass(frozen=True)
class CheckReport:
    ruleset: str
    against: str | None
    expect: Expectation | None
    results: tuple[InvariantResult, ...]

    @property
    def ok(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def examples(self) -> int:
        return sum(r.examples for r in self.results)


@dataclass(frozen=True)
class CheckSettings:
    max_examples: int = 150
    derandomize: bool = True
    """Fixed search order (CI). ``False`` explores new schools on every run."""
    engine: EngineName = "durable"

    def hypothesis(self, factor: float = 1.0) -> settings:
        return settings(
            database=None, derandomize=self.derandomize, deadline=None,
            max_examples=max(1, int(self.max_examples * factor)),
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
        )


# --------------------------------------------------------------------------------------------
# Requirements a generator aims at (threshold rules and scored-item requirements)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """One comparison ``indicator op value`` of a rule, for one level."""

    rule_id: str
    formula: str
    op: Op
    value: LevelValues
    by_school_type: dict[str, Fraction] = field(default_factory=dict)
    levels: tuple[Level, ...] = (Level.primary, Level.junior)


def bounds(ruleset: Ruleset) -> list[Bound]:
    out: list[Bound] = []
    for rule in ruleset.rules:
        if isinstance(rule, ThresholdRule) and rule.indicator in ruleset.indicators:
            out.append(Bound(rule.id, ruleset.indicators[rule.indicator].formula, rule.op, rule.value,
                             dict(rule.value_by_school_type), rule.levels))
        elif isinstance(rule, ScoredRule):
            for req in rule.requirements:
                if req.value is not None and req.indicator in ruleset.indicators:
                    out.append(Bound(rule.id, ruleset.indicators[req.indicator].formula, req.op,
                                     req.value, {}, rule.levels))
    return out


def _required(ruleset: Ruleset, b: Bound, level: Level, school_type: str | None) -> Fraction | None:
    if school_type is not None and school_type in b.by_school_type:
        return b.by_school_type[school_type]
    raw = b.value.for_level(level)
    if isinstance(raw, ParamRef):
        return ruleset.resolve(raw, level) if raw.param in ruleset.parameters else None
    return raw


def formula_facts(ruleset: Ruleset) -> set[str]:
    """Facts (not parameters) used by the ruleset's indicator formulas."""
    used: set[str] = set()
    for indicator in ruleset.indicators.values():
        try:
            used |= names(compiled_formula(indicator.formula))
        except FormulaError:
            continue
    return {n for n in used if n in FACTS and n not in ruleset.parameters}


@dataclass(frozen=True)
class _Anchor:
    value: Fraction
    at_least: bool
    """The rule holds for values of the fact at least (True) or at most (False) ``value``."""


def _anchors(rulesets: Sequence[Ruleset], fact: str, level: Level, school_type: str | None,
             values: dict[str, Fraction]) -> list[_Anchor]:
    """Values of ``fact`` at which some requirement is exactly met, given the facts so far."""
    out: list[_Anchor] = []
    for ruleset in rulesets:
        if level not in ruleset.levels:
            continue
        scope = {**parameter_values(ruleset, level), **values}
        floors = [Fraction(1)]
        for rule in ruleset.rules:
            if isinstance(rule, CountGateRule):
                f = ruleset.resolve(rule.floor, level) if not isinstance(rule.floor, ParamRef) or \
                    rule.floor.param in ruleset.parameters else None
                if f is not None and f not in floors:
                    floors.append(f)
        for b in bounds(ruleset):
            if level not in b.levels:
                continue
            required = _required(ruleset, b, level, school_type)
            if required is None:
                continue
            try:
                expr = compiled_formula(b.formula)
                if fact not in names(expr):
                    continue
                fn = as_function_of(expr, fact, scope)
            except FormulaError:
                continue
            slope = fn.b * fn.c - fn.a * fn.d
            if slope == 0:
                continue
            for factor in floors:
                r = fn.solve(required * factor)
                if r is None or r < 0:
                    continue
                out.append(_Anchor(r, (slope > 0) == b.op.is_lower_bound))
    return out


def _integral(fact: str) -> bool:
    spec = FACTS.get(fact)
    return spec is not None and unit(spec.unit).integral


def _round(value: Fraction, fact: str, up: bool) -> Fraction:
    if not _integral(fact):
        return value
    return Fraction(math.ceil(value) if up else math.floor(value))


def _clamp(value: Fraction, fact: str, anchors: Sequence[_Anchor]) -> Fraction:
    """Move ``value`` into the region where every requirement on ``fact`` holds."""
    lows = [a.value for a in anchors if a.at_least]
    highs = [a.value for a in anchors if not a.at_least]
    if lows:
        value = max(value, _round(max(lows), fact, up=True))
    if highs:
        value = min(value, _round(min(highs), fact, up=False))
    return value


class SchoolFactory:
    """Hypothesis strategies for school sections aimed at a ruleset's requirements.

    Every fact is drawn either at random or clamped into the region where every requirement on
    it holds (so whole schools pass), and a few facts "deviate" to a multiple of one of their
    requirements (0.99×, 1×, 1.01×, 85% …): passes, fails and exact boundaries all occur, and a
    counter-example shrinks towards a passing school with one or two facts off.
    """

    def __init__(self, rulesets: Sequence[Ruleset]) -> None:
        self.rulesets = list(rulesets)
        used: set[str] = set()
        levels: list[Level] = []
        types: set[str] = set()
        for r in self.rulesets:
            used |= formula_facts(r)
            levels += [lv for lv in r.levels if lv not in levels]
            for b in bounds(r):
                types |= set(b.by_school_type)
        rest = sorted(used - {"students"})
        self.facts: list[str] = ["students", *rest]
        self.levels = levels or [Level.primary]
        self.school_types: list[str | None] = [None, *sorted(types)]
        if types:
            self.school_types += sorted(set(SCHOOL_TYPES.values()) - types)[:2]

    def section(self, school_id: str = "S1", *, complete: bool = True) -> st.SearchStrategy[SchoolSection]:
        return _section(self, school_id, complete)

    def probe_sections(self, students: Sequence[int] = (120, 1800, 2600)) -> list[SchoolSection]:
        """A fixed, systematic set: for each level and enrolment, a school where every
        requirement holds, and schools with one fact moved to a multiple of one requirement."""
        out: list[SchoolSection] = []
        for level in self.levels:
            for size in students:
                base: dict[str, Fraction] = {}
                for fact in self.facts:
                    anchors = _anchors(self.rulesets, fact, level, None, base)
                    start = Fraction(size) if fact == "students" else (
                        Fraction(0) if any(a.at_least for a in anchors) or not anchors else Fraction(10**6))
                    base[fact] = _clamp(start, fact, anchors)
                variants: list[dict[str, Fraction]] = [base]
                for fact in self.facts:
                    others = {k: v for k, v in base.items() if k != fact}
                    for anchor in _anchors(self.rulesets, fact, level, None, others):
                        for factor in _FACTORS:
                            value = _round(anchor.value * factor, fact, up=factor >= 1)
                            if fact != "students" or value >= 1:
                                variants.append({**base, fact: value})
                seen: set[tuple[tuple[str, Fraction], ...]] = set()
                for values in variants:
                    key = tuple(sorted(values.items()))
                    if key not in seen:
                        seen.add(key)
                        out.append(SchoolSection(school_id=f"P{len(out) + 1}", level=level, values=values,
                                                 source="generated"))
        return out

    def sections(self, max_size: int = 6, *, complete: bool = False) -> st.SearchStrategy[list[SchoolSection]]:
        @st.composite
        def build(draw: st.DrawFn) -> list[SchoolSection]:
            n = draw(st.integers(1, max_size))
            return [draw(self.section(f"S{i + 1}", complete=complete)) for i in range(n)]

        return build()


@st.composite
def _section(draw: st.DrawFn, factory: SchoolFactory, school_id: str, complete: bool) -> SchoolSection:
    level = draw(st.sampled_from(factory.levels))
    school_type = draw(st.sampled_from(factory.school_types))
    deviate: set[str] = set()
    if factory.facts:  # usually one or two facts off the passing region
        deviate = {draw(st.sampled_from(factory.facts)) for _ in range(draw(st.sampled_from((1, 2, 0))))}
    values: dict[str, Fraction] = {}
    for fact in factory.facts:
        if not complete and not draw(st.sampled_from((True, True, True, False))):
            continue  # a missing fact: the rules using it cannot be decided
        anchors = _anchors(factory.rulesets, fact, level, school_type, values)
        if fact == "students":
            raw = Fraction(draw(st.integers(1, 3000)))
        elif _integral(fact):
            raw = Fraction(draw(st.integers(0, 5000)))
        else:
            raw = Fraction(draw(st.integers(0, 5_000_000)), 100)
        if fact in deviate and anchors and draw(st.sampled_from((True, True, False))):
            anchor = anchors[draw(st.integers(0, len(anchors) - 1))]
            value = _round(anchor.value * draw(st.sampled_from(_FACTORS)), fact, draw(st.booleans()))
        elif fact in deviate:
            value = raw
        else:  # clamp into the region where every requirement on this fact holds
            value = _clamp(raw, fact, anchors)
        if fact == "students":
            value = max(value, Fraction(1))
        values[fact] = max(value, Fraction(0))
    return SchoolSection(school_id=school_id, level=level, school_type=school_type, values=values,
                         source="generated")


# --------------------------------------------------------------------------------------------
# Searching
# --------------------------------------------------------------------------------------------


class _Search:
    """Counts the inputs tried, turns exceptions into counter-examples."""

    def __init__(self, check: CheckSettings) -> None:
        self.check = check
        self.tried = 0
        self.reason: Finding | None = None

    def violation(self, strategy: st.SearchStrategy[Any],
                  test: Callable[[Any], Finding | None], factor: float = 1.0) -> tuple[Any, Finding] | None:
        """The smallest input for which ``test`` returns a reason (or raises), if any."""

        def condition(value: Any) -> bool:
            self.tried += 1
            try:
                reason = test(value)
            except Exception as exc:  # an exception is a finding, not a crash of the checker
                reason = Finding(Code.evaluation_raised, error=type(exc).__name__, detail=str(exc))
            if reason is not None:
                self.reason = reason
            return reason is not None

        try:
            found = find(strategy, condition, settings=self.check.hypothesis(factor))
        except (NoSuchExample, Unsatisfiable):
            return None
        # the last recorded reason may belong to a shrink attempt that failed: recompute
        self.reason = None
        condition(found)
        assert self.reason is not None
        return found, self.reason

    def witness(self, strategy: st.SearchStrategy[Any], test: Callable[[Any], bool],
                factor: float = 1.0) -> Any | None:
        def condition(value: Any) -> bool:
            self.tried += 1
            try:
                return test(value)
            except Exception:
                return False

        try:
            return find(strategy, condition, settings=self.check.hypothesis(factor))
        except (NoSuchExample, Unsatisfiable):
            return None


def _evaluate(ruleset: Ruleset, sections: Sequence[SchoolSection], check: CheckSettings) -> list[SchoolResult]:
    return evaluate_sections(ruleset, list(sections), check.engine)


def _as_list(value: SchoolSection | Sequence[SchoolSection]) -> tuple[SchoolSection, ...]:
    return (value,) if isinstance(value, SchoolSection) else tuple(value)


def _awarded(result: RuleResult | SchoolResult) -> Fraction | None:
    score = result.score
    if score is None:
        return None
    return score.awarded


# --------------------------------------------------------------------------------------------
# Invariants
# --------------------------------------------------------------------------------------------


def check_well_formed(ruleset: Ruleset, check: CheckSettings) -> InvariantResult:
    problems: list[Finding] = []
    add = problems.append
    used_indicators: set[str] = set()
    for name, indicator in ruleset.indicators.items():
        try:
            used = names(compiled_formula(indicator.formula))
        except FormulaError as exc:
            add(Finding(Code.formula_unparsed, name=name, detail=str(exc)))
            continue
        for fact in sorted(used - set(FACTS) - set(ruleset.parameters)):
            add(Finding(Code.unknown_name, name=name, fact=fact))
    for name, param in ruleset.parameters.items():
        if not param.source.strip():
            add(Finding(Code.parameter_no_source, name=name))
    for rule in ruleset.rules:
        rid = rule.id
        if not rule.source.strip():
            add(Finding(Code.rule_no_source, rid))
        if rule.status is None:  # pragma: no cover - the schema requires it
            add(Finding(Code.rule_no_status, rid))
        if not set(rule.levels) & set(ruleset.levels):
            add(Finding(Code.rule_unreachable, rid))
        if isinstance(rule, ThresholdRule):
            used_indicators.add(rule.indicator)
            for level in rule.levels:
                value = ruleset.resolve(rule.value.for_level(level), level) \
                    if not isinstance(rule.value.for_level(level), ParamRef) or \
                    rule.value.for_level(level).param in ruleset.parameters else None  # type: ignore[union-attr]
                if value is None:
                    add(Finding(Code.no_value, rid, level=level))
                elif value <= 0:
                    add(Finding(Code.value_not_positive, rid, level=level, value=value))
            for school_type, value in rule.value_by_school_type.items():
                if value <= 0:
                    add(Finding(Code.school_type_value_not_positive, rid, school_type=school_type, value=value))
        elif isinstance(rule, CountGateRule):
            for level in rule.levels:
                floor = ruleset.resolve(rule.floor, level) if not isinstance(rule.floor, ParamRef) or \
                    rule.floor.param in ruleset.parameters else None
                if floor is None or not 0 < floor <= 1:
                    add(Finding(Code.floor_out_of_range, rid, value=floor))
        elif isinstance(rule, ScoredRule):
            used_indicators |= {req.indicator for req in rule.requirements}
            if rule.points is not None and rule.points <= 0:
                add(Finding(Code.points_not_positive, rid, value=Fraction(rule.points)))
            for req in rule.requirements:
                for level in rule.levels:
                    raw = req.value.for_level(level) if req.value is not None else None
                    if isinstance(raw, Fraction) and raw <= 0:
                        add(Finding(Code.item_value_not_positive, rid, value=raw))
    for name in sorted(set(ruleset.indicators) - used_indicators):
        add(Finding(Code.indicator_unused, name=name))

    # dynamic part: every threshold both passes and fails on some generated school; points stay
    # within 0..max
    search = _Search(check)
    factory = SchoolFactory([ruleset])
    seen: dict[str, set[Outcome]] = {}
    thresholds = [r.id for r in ruleset.rules if isinstance(r, ThresholdRule)]

    def points_out_of_range(section: SchoolSection) -> Finding | None:
        (result,) = evaluate_sections(ruleset, [section], "direct")
        for rr in result.results:
            seen.setdefault(rr.rule_id, set()).add(rr.outcome)
            s = rr.score
            if s is not None and s.awarded is not None and s.points is not None and \
                    not 0 <= s.awarded <= s.points:
                return Finding(Code.points_out_of_range, rr.rule_id, value=s.awarded, other=Fraction(s.points))
        return None

    found = search.violation(factory.section(), points_out_of_range)
    counterexample = Counterexample((found[0],), found[1]) if found else None
    probes = factory.probe_sections()
    search.tried += len(probes)
    for result in evaluate_sections(ruleset, probes, "direct"):
        for rr in result.results:
            seen.setdefault(rr.rule_id, set()).add(rr.outcome)
    for rid in thresholds:
        outcomes = seen.get(rid, set())
        for outcome, code in ((Outcome.passed, Code.never_passed), (Outcome.failed, Code.never_failed)):
            if outcome not in outcomes:
                add(Finding(code, rid, count=search.tried))
    return InvariantResult("well_formed", not problems and counterexample is None,
                           search.tried, tuple(problems), counterexample)


def _more_resources(factory: SchoolFactory) -> st.SearchStrategy[tuple[SchoolSection, dict[str, Fraction]]]:
    resources = [f for f in factory.facts if f not in NON_RESOURCE_FACTS]

    @st.composite
    def build(draw: st.DrawFn) -> tuple[SchoolSection, dict[str, Fraction]]:
        section = draw(factory.section())
        chosen = draw(st.sets(st.sampled_from(resources), min_size=1, max_size=3)) if resources else set()
        added = {f: Fraction(draw(st.integers(1, 2000))) if _integral(f) else
                 Fraction(draw(st.integers(1, 200_000)), 100) for f in sorted(chosen)}
        return section, added

    return build()


_RANK = {Outcome.failed: 0, Outcome.unknown: 1, Outcome.passed: 2}


def check_monotonic(ruleset: Ruleset, check: CheckSettings) -> InvariantResult:
    search = _Search(check)
    factory = SchoolFactory([ruleset])

    def test(case: tuple[SchoolSection, dict[str, Fraction]]) -> Finding | None:
        section, added = case
        more = section.model_copy(update={"values": {
            k: v + added.get(k, Fraction(0)) for k, v in section.values.items()}})
        before, after = _evaluate(ruleset, [section, more], check)
        what = tuple(added.items())
        by_rule = {r.rule_id: r for r in after.results}
        for r in before.results:
            r2 = by_rule.get(r.rule_id)
            if r2 is None:
                continue
            if r.outcome is Outcome.passed and r2.outcome is not Outcome.passed:
                return Finding(Code.more_turned_rule, r.rule_id, added=what, before=r.outcome, after=r2.outcome)
            a, b = _awarded(r), _awarded(r2)
            if a is not None and b is not None and b < a:
                return Finding(Code.more_lowered_item, r.rule_id, added=what, value=a, other=b)
        if _RANK[after.outcome] < _RANK[before.outcome]:
            return Finding(Code.more_turned_school, added=what, before=before.outcome, after=after.outcome)
        a, b = _awarded(before), _awarded(after)
        if a is not None and b is not None and b < a:
            return Finding(Code.more_lowered_total, added=what, value=a, other=b)
        return None

    found = search.violation(_more_resources(factory), test)
    counterexample = None
    if found is not None:
        (section, _), reason = found
        counterexample = Counterexample((section,), reason)
    return InvariantResult("monotonic", found is None, search.tried,
                           counterexample=counterexample)


def _with(section: SchoolSection, fact: str, value: Fraction, school_id: str) -> SchoolSection:
    return section.model_copy(update={"values": {**section.values, fact: value}, "school_id": school_id})


def check_exact(ruleset: Ruleset, check: CheckSettings) -> InvariantResult:
    search = _Search(check)
    factory = SchoolFactory([ruleset])
    thresholds = {r.id: r for r in ruleset.rules if isinstance(r, ThresholdRule)}

    def test(section: SchoolSection) -> Finding | None:
        (result,) = _evaluate(ruleset, [section], check)
        probes: list[tuple[SchoolSection, str, bool, Finding]] = []
        for r in result.results:
            rule = thresholds.get(r.rule_id)
            if rule is None:
                continue
            if r.outcome is Outcome.failed and r.shortfall is not None:
                sf = r.shortfall
                current = section.values.get(sf.fact, Fraction(0))
                sign = 1 if sf.direction == "increase" else -1
                if sf.target != current + sign * sf.amount:
                    return Finding(Code.shortfall_off_target, r.rule_id, fact=sf.fact, value=sf.amount,
                                   other=sf.target)
                probes.append((_with(section, sf.fact, sf.target, "fix"), r.rule_id, True,
                               Finding(Code.shortfall_not_enough, r.rule_id, fact=sf.fact, value=sf.target)))
                step = Fraction(1) if _integral(sf.fact) else unit(FACTS[sf.fact].unit).resolution
                less = sf.target - sign * step
                if sf.amount >= step and less >= 0:
                    probes.append((_with(section, sf.fact, less, "less"), r.rule_id, False,
                                   Finding(Code.shortfall_not_minimal, r.rule_id, fact=sf.fact, value=less)))
            # the exact boundary: put a fact of the formula where the indicator equals the requirement
            required = r.required
            if required is None or r.outcome is Outcome.unknown or r.kind != "threshold":
                continue
            expr = compiled_formula(ruleset.indicators[rule.indicator].formula)
            scope = {**parameter_values(ruleset, section.level), **section.values}
            for fact in sorted(n for n in names(expr) if n in section.values):
                try:
                    fn = as_function_of(expr, fact, scope)
                except FormulaError:
                    continue
                at = fn.solve(required)
                if at is None or at < 0 or (fact == "students" and at == 0) or \
                        fn.c + fn.d * at == 0 or fn.at(at) != required:
                    continue
                probes.append((_with(section, fact, at, "edge"), r.rule_id, not rule.op.is_strict,
                               Finding(Code.boundary_should_fail if rule.op.is_strict else Code.boundary_should_pass,
                                       r.rule_id, fact=fact, value=at, required=required)))
                break
        if not probes:
            return None
        results = _evaluate(ruleset, [p[0] for p in probes], check)
        for (_, rule_id, should_pass, reason), res in zip(probes, results, strict=True):
            outcome = next(x.outcome for x in res.results if x.rule_id == rule_id)
            if (outcome is Outcome.passed) != should_pass:
                return reason
        return None

    found = search.violation(factory.section(), test)
    counterexample = Counterexample((found[0],), found[1]) if found else None
    return InvariantResult("exact", found is None, search.tried,
                           counterexample=counterexample)


def _permuted(factory: SchoolFactory) -> st.SearchStrategy[tuple[list[SchoolSection], list[int]]]:
    @st.composite
    def build(draw: st.DrawFn) -> tuple[list[SchoolSection], list[int]]:
        sections = draw(factory.sections())
        order = draw(st.permutations(range(len(sections))))
        return sections, list(order)

    return build()


def check_deterministic(ruleset: Ruleset, check: CheckSettings) -> InvariantResult:
    search = _Search(check)
    factory = SchoolFactory([ruleset])

    def test(case: tuple[list[SchoolSection], list[int]]) -> Finding | None:
        sections, order = case
        first = _evaluate(ruleset, sections, check)
        again = _evaluate(ruleset, sections, check)
        shuffled = _evaluate(ruleset, [sections[i] for i in order], check)
        if first != again:
            return Finding(Code.rerun_differs)
        by_key = {(r.school_id, r.level): r for r in shuffled}
        for r in first:
            if by_key.get((r.school_id, r.level)) != r:
                return Finding(Code.reorder_differs, school=r.school_id)
        return None

    found = search.violation(_permuted(factory), test, factor=0.5)
    counterexample = Counterexample(tuple(found[0][0]), found[1]) if found else None
    return InvariantResult("deterministic", found is None, search.tried,
                           counterexample=counterexample)


def check_engines_agree(ruleset: Ruleset, check: CheckSettings) -> InvariantResult:
    search = _Search(check)
    factory = SchoolFactory([ruleset])

    def test(sections: list[SchoolSection]) -> Finding | None:
        durable = evaluate_sections(ruleset, sections, "durable")
        direct = evaluate_sections(ruleset, sections, "direct")
        for a, b in zip(durable, direct, strict=True):
            if a == b:
                continue
            by_rule = {r.rule_id: r for r in b.results}
            for r in a.results:
                other = by_rule.get(r.rule_id)
                if other is None or other != r:
                    return Finding(Code.engines_differ_on_rule, r.rule_id, school=a.school_id, before=r.outcome,
                                   after=other.outcome if other else None)
            return Finding(Code.engines_differ, school=a.school_id)
        return None

    found = search.violation(factory.sections(), test, factor=0.5)
    counterexample = Counterexample(tuple(found[0]), found[1]) if found else None
    return InvariantResult("engines_agree", found is None, search.tried,
                           counterexample=counterexample)


def check_update_intent(new: Ruleset, old: Ruleset, expect: Expectation, only: Sequence[str],
                        check: CheckSettings) -> InvariantResult:
    new_ids = [r.id for r in new.rules]
    old_ids = [r.id for r in old.rules]
    problems: list[Finding] = []
    for rid in only:
        if rid not in new_ids and rid not in old_ids:
            problems.append(Finding(Code.only_unknown_rule, rid))
    if only:
        for rid in sorted(set(new_ids) ^ set(old_ids)):
            if rid not in only:
                problems.append(Finding(Code.rule_added_not_only if rid in new_ids else Code.rule_removed_not_only,
                                        rid))
    if problems:
        return InvariantResult("update_intent", False, 0, tuple(problems))
    shared = [rid for rid in new_ids if rid in old_ids]
    # a count gate over a listed rule changes with it: it is judged with the listed rules
    gates = {r.id for rs in (new, old) for r in rs.rules
             if isinstance(r, CountGateRule) and set(r.rules) & set(only)}
    others = [rid for rid in shared if rid not in only and rid not in gates]
    scope = [rid for rid in [*only, *sorted(gates)] if rid in new_ids and rid in old_ids]
    search = _Search(check)
    factory = SchoolFactory([new, old])

    def pair(section: SchoolSection) -> tuple[SchoolResult, SchoolResult]:
        (o,) = _evaluate(old, [section], check)
        (n,) = _evaluate(new, [section], check)
        return o, n

    def outcome_of(result: SchoolResult, rid: str) -> Outcome:
        return next((r.outcome for r in result.results if r.rule_id == rid), Outcome.unknown)

    def scoped(o: SchoolResult, n: SchoolResult) -> list[tuple[str, Outcome, Outcome]]:
        if only:
            return [(rid, outcome_of(o, rid), outcome_of(n, rid)) for rid in scope]
        return [("", o.outcome, n.outcome)]

    def test(section: SchoolSection) -> Finding | None:
        o, n = pair(section)
        return compare(o, n)

    def compare(o: SchoolResult, n: SchoolResult) -> Finding | None:
        if only:
            for rid in others:
                a, b = outcome_of(o, rid), outcome_of(n, rid)
                if a is not b:
                    return Finding(Code.unlisted_rule_changed, rid, before=a, after=b)
        for rid, a, b in scoped(o, n):
            if expect == "tighter" and a is Outcome.failed and b is Outcome.passed:
                return Finding(Code.rule_not_tighter if rid else Code.school_not_tighter, rid)
            if expect == "looser" and a is Outcome.passed and b is Outcome.failed:
                return Finding(Code.rule_not_looser if rid else Code.school_not_looser, rid)
            if expect == "unchanged" and a is not b and not only:
                return Finding(Code.rule_changed if rid else Code.school_changed, rid, before=a, after=b)
        if expect == "unchanged" and not only:
            for rid in others:
                a, b = outcome_of(o, rid), outcome_of(n, rid)
                if a is not b:
                    return Finding(Code.rule_changed, rid, before=a, after=b)
        return None

    probes = factory.probe_sections()
    search.tried += len(probes)
    old_results = _evaluate(old, probes, check)
    new_results = _evaluate(new, probes, check)
    verdicts = list(zip(probes, old_results, new_results, strict=True))
    found: tuple[SchoolSection, Finding] | None = None
    for section, o, n in verdicts:
        reason = compare(o, n)
        if reason is not None:
            found = (section, reason)
            break
    if found is None:
        found = search.violation(factory.section(), test, factor=2.0)
    if found is not None:
        return InvariantResult("update_intent", False, search.tried,
                               counterexample=Counterexample((found[0],), found[1]))
    if expect == "unchanged":
        return InvariantResult("update_intent", True, search.tried)
    want_old, want_new = ((Outcome.passed, Outcome.failed) if expect == "tighter"
                          else (Outcome.failed, Outcome.passed))

    def is_witness(section: SchoolSection) -> bool:
        return witnessed(*pair(section))

    def witnessed(o: SchoolResult, n: SchoolResult) -> bool:
        return any(a is want_old and b is want_new for _, a, b in scoped(o, n))

    if any(witnessed(o, n) for _, o, n in verdicts):
        return InvariantResult("update_intent", True, search.tried)
    witness = search.witness(factory.section(), is_witness, factor=2.0)
    if witness is None:
        code = Code.no_tighter_witness if expect == "tighter" else Code.no_looser_witness
        return InvariantResult("update_intent", False, search.tried, (Finding(code),))
    return InvariantResult("update_intent", True, search.tried)


def run_checks(ruleset: Ruleset, *, against: Ruleset | None = None, expect: Expectation | None = None,
               only: Iterable[str] = (), check: CheckSettings | None = None,
               invariants: Iterable[str] | None = None, ruleset_name: str | None = None,
               against_name: str | None = None) -> CheckReport:
    """Run every invariant (or the named ones) and return their results."""
    check = check or CheckSettings()
    wanted = set(invariants) if invariants is not None else set(INVARIANTS)
    unknown = wanted - set(INVARIANTS)
    if unknown:
        raise ValueError(f"unknown invariants: {', '.join(sorted(unknown))}")
    results: list[InvariantResult] = []
    runners: list[tuple[str, Callable[[Ruleset, CheckSettings], InvariantResult]]] = [
        ("well_formed", check_well_formed), ("monotonic", check_monotonic), ("exact", check_exact),
        ("deterministic", check_deterministic), ("engines_agree", check_engines_agree),
    ]
    for name, runner in runners:
        if name in wanted:
            results.append(runner(ruleset, check))
    if "update_intent" in wanted and against is not None:
        results.append(check_update_intent(ruleset, against, expect or "tighter", tuple(only), check))
    return CheckReport(ruleset_name or ruleset.id, against_name or (against.id if against else None),
                       expect if against is not None else None, tuple(results))

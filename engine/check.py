"""Property checks of a ruleset (规则集性质检验): what ``junheng check`` runs.

Each invariant is searched with hypothesis, used programmatically (``hypothesis.find`` with
``database=None``; derandomised by default so CI is reproducible): a failure comes back as the
*smallest* counter-example school hypothesis could shrink to. Results are data (bilingual
sentences, exact numbers); :mod:`junheng.cli.check_cmd` formats them.

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
    Localized,
    Op,
    ParamRef,
    Ruleset,
    ScoredRule,
    ThresholdRule,
)
from junheng.policy.units import unit

Expectation = Literal["tighter", "looser", "unchanged"]

INVARIANTS: dict[str, Localized] = {
    "well_formed": Localized(zh="结构完整", en="well-formed"),
    "monotonic": Localized(zh="单调性（增加资源不会降低结果）", en="monotonic (more resources never hurt)"),
    "exact": Localized(zh="精确性（缺额恰好补齐差距，边界值达标）",
                       en="exact (the shortfall closes the gap; boundary values pass)"),
    "deterministic": Localized(zh="确定性（任意行序结果相同）", en="deterministic (any row order)"),
    "engines_agree": Localized(zh="引擎一致（durable_rules 与直接计算）",
                               en="engines agree (durable_rules vs direct)"),
    "update_intent": Localized(zh="修订意图", en="update intent"),
}

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
    reason: Localized


@dataclass(frozen=True)
class InvariantResult:
    name: str
    title: Localized
    passed: bool
    examples: int = 0
    """Generated inputs tried."""
    problems: tuple[Localized, ...] = ()
    """Static findings (well-formedness, update scope)."""
    counterexample: Counterexample | None = None
    skipped: Localized | None = None


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
        self.reason: Localized | None = None

    def violation(self, strategy: st.SearchStrategy[Any],
                  test: Callable[[Any], Localized | None], factor: float = 1.0) -> tuple[Any, Localized] | None:
        """The smallest input for which ``test`` returns a reason (or raises), if any."""

        def condition(value: Any) -> bool:
            self.tried += 1
            try:
                reason = test(value)
            except Exception as exc:  # an exception is a finding, not a crash of the checker
                reason = Localized(zh=f"评估出错：{type(exc).__name__}: {exc}",
                                   en=f"evaluation raised {type(exc).__name__}: {exc}")
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


def _t(zh: str, en: str) -> Localized:
    return Localized(zh=zh, en=en)


def _awarded(result: RuleResult | SchoolResult) -> Fraction | None:
    score = result.score
    if score is None:
        return None
    return score.awarded


# --------------------------------------------------------------------------------------------
# Invariants
# --------------------------------------------------------------------------------------------


def check_well_formed(ruleset: Ruleset, check: CheckSettings) -> InvariantResult:
    problems: list[Localized] = []
    add = problems.append
    used_indicators: set[str] = set()
    for name, indicator in ruleset.indicators.items():
        try:
            used = names(compiled_formula(indicator.formula))
        except FormulaError as exc:
            add(_t(f"指标 {name} 的公式无法解析：{exc}", f"indicator {name}: formula does not parse: {exc}"))
            continue
        for fact in sorted(used - set(FACTS) - set(ruleset.parameters)):
            add(_t(f"指标 {name} 的公式引用了不存在的事实或参数 {fact}",
                   f"indicator {name}: formula uses unknown fact or parameter {fact}"))
    for name, param in ruleset.parameters.items():
        if not param.source.strip():
            add(_t(f"参数 {name} 缺少来源", f"parameter {name} has no source"))
    for rule in ruleset.rules:
        rid = rule.id
        if not rule.source.strip():
            add(_t(f"规则 {rid} 缺少来源", f"rule {rid} has no source"))
        if rule.status is None:  # pragma: no cover - the schema requires it
            add(_t(f"规则 {rid} 缺少来源状态", f"rule {rid} has no status"))
        if not set(rule.levels) & set(ruleset.levels):
            add(_t(f"规则 {rid} 不适用于规则集的任何学段（不可达）",
                   f"rule {rid} applies to none of the ruleset's levels (unreachable)"))
        if isinstance(rule, ThresholdRule):
            used_indicators.add(rule.indicator)
            for level in rule.levels:
                value = ruleset.resolve(rule.value.for_level(level), level) \
                    if not isinstance(rule.value.for_level(level), ParamRef) or \
                    rule.value.for_level(level).param in ruleset.parameters else None  # type: ignore[union-attr]
                if value is None:
                    add(_t(f"规则 {rid} 没有{level.zh}的要求值", f"rule {rid} has no value for {level.value}"))
                elif value <= 0:
                    add(_t(f"规则 {rid} 的{level.zh}要求值 {value} 不是正数",
                           f"rule {rid}: the {level.value} threshold {value} is not positive"))
            for school_type, value in rule.value_by_school_type.items():
                if value <= 0:
                    add(_t(f"规则 {rid} 对 {school_type} 的要求值 {value} 不是正数",
                           f"rule {rid}: the threshold {value} for {school_type} is not positive"))
        elif isinstance(rule, CountGateRule):
            for level in rule.levels:
                floor = ruleset.resolve(rule.floor, level) if not isinstance(rule.floor, ParamRef) or \
                    rule.floor.param in ruleset.parameters else None
                if floor is None or not 0 < floor <= 1:
                    add(_t(f"规则 {rid} 的下限比例 {floor} 应在 0 与 1 之间",
                           f"rule {rid}: the floor {floor} must be in (0, 1]"))
        elif isinstance(rule, ScoredRule):
            used_indicators |= {req.indicator for req in rule.requirements}
            if rule.points <= 0:
                add(_t(f"计分项 {rid} 的分值 {rule.points} 不是正数",
                       f"scored item {rid}: points {rule.points} not positive"))
            for req in rule.requirements:
                for level in rule.levels:
                    raw = req.value.for_level(level) if req.value is not None else None
                    if isinstance(raw, Fraction) and raw <= 0:
                        add(_t(f"计分项 {rid} 的要求值 {raw} 不是正数",
                               f"scored item {rid}: the threshold {raw} is not positive"))
    for name in sorted(set(ruleset.indicators) - used_indicators):
        add(_t(f"指标 {name} 未被任何规则使用（不可达）", f"indicator {name} is used by no rule (unreachable)"))

    # dynamic part: every threshold both passes and fails on some generated school; points stay
    # within 0..max
    search = _Search(check)
    factory = SchoolFactory([ruleset])
    seen: dict[str, set[Outcome]] = {}
    thresholds = [r.id for r in ruleset.rules if isinstance(r, ThresholdRule)]

    def points_out_of_range(section: SchoolSection) -> Localized | None:
        (result,) = evaluate_sections(ruleset, [section], "direct")
        for rr in result.results:
            seen.setdefault(rr.rule_id, set()).add(rr.outcome)
            if rr.score is not None and rr.score.awarded is not None and \
                    not 0 <= rr.score.awarded <= rr.score.points:
                return _t(f"计分项 {rr.rule_id} 得分 {rr.score.awarded} 超出 0–{rr.score.points}",
                          f"scored item {rr.rule_id}: {rr.score.awarded} points outside 0..{rr.score.points}")
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
        for outcome, zh, en in ((Outcome.passed, "达标", "passed"), (Outcome.failed, "未达标", "failed")):
            if outcome not in outcomes:
                add(_t(f"规则 {rid} 在 {search.tried} 所生成的学校中从未{zh}（要求值可能无法达到或形同虚设）",
                       f"rule {rid} never {en} on {search.tried} generated schools "
                       "(its requirement may be unreachable or vacuous)"))
    return InvariantResult("well_formed", INVARIANTS["well_formed"], not problems and counterexample is None,
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

    def test(case: tuple[SchoolSection, dict[str, Fraction]]) -> Localized | None:
        section, added = case
        more = section.model_copy(update={"values": {
            k: v + added.get(k, Fraction(0)) for k, v in section.values.items()}})
        before, after = _evaluate(ruleset, [section, more], check)
        what = "、".join(f"{k} +{v}" for k, v in added.items())
        what_en = ", ".join(f"{k} +{v}" for k, v in added.items())
        by_rule = {r.rule_id: r for r in after.results}
        for r in before.results:
            r2 = by_rule.get(r.rule_id)
            if r2 is None:
                continue
            if r.outcome is Outcome.passed and r2.outcome is not Outcome.passed:
                return _t(f"增加资源（{what}）后规则 {r.rule_id} 由达标变为{r2.outcome.value}",
                          f"adding resources ({what_en}) turned rule {r.rule_id} from passed to {r2.outcome.value}")
            a, b = _awarded(r), _awarded(r2)
            if a is not None and b is not None and b < a:
                return _t(f"增加资源（{what}）后计分项 {r.rule_id} 得分由 {a} 降为 {b}",
                          f"adding resources ({what_en}) lowered item {r.rule_id} from {a} to {b} points")
        if _RANK[after.outcome] < _RANK[before.outcome]:
            return _t(f"增加资源（{what}）后学校结果由{before.outcome.value}变为{after.outcome.value}",
                      f"adding resources ({what_en}) turned the school from {before.outcome.value} "
                      f"to {after.outcome.value}")
        a, b = _awarded(before), _awarded(after)
        if a is not None and b is not None and b < a:
            return _t(f"增加资源（{what}）后总分由 {a} 降为 {b}",
                      f"adding resources ({what_en}) lowered the total from {a} to {b}")
        return None

    found = search.violation(_more_resources(factory), test)
    counterexample = None
    if found is not None:
        (section, _), reason = found
        counterexample = Counterexample((section,), reason)
    return InvariantResult("monotonic", INVARIANTS["monotonic"], found is None, search.tried,
                           counterexample=counterexample)


def _with(section: SchoolSection, fact: str, value: Fraction, school_id: str) -> SchoolSection:
    return section.model_copy(update={"values": {**section.values, fact: value}, "school_id": school_id})


def check_exact(ruleset: Ruleset, check: CheckSettings) -> InvariantResult:
    search = _Search(check)
    factory = SchoolFactory([ruleset])
    thresholds = {r.id: r for r in ruleset.rules if isinstance(r, ThresholdRule)}

    def test(section: SchoolSection) -> Localized | None:
        (result,) = _evaluate(ruleset, [section], check)
        probes: list[tuple[SchoolSection, str, bool, Localized]] = []
        for r in result.results:
            rule = thresholds.get(r.rule_id)
            if rule is None:
                continue
            if r.outcome is Outcome.failed and r.shortfall is not None:
                sf = r.shortfall
                current = section.values.get(sf.fact, Fraction(0))
                sign = 1 if sf.direction == "increase" else -1
                if sf.target != current + sign * sf.amount:
                    return _t(f"规则 {r.rule_id} 的缺额 {sf.amount} 与目标值 {sf.target} 不一致",
                              f"rule {r.rule_id}: shortfall {sf.amount} does not lead to its target {sf.target}")
                probes.append((_with(section, sf.fact, sf.target, "fix"), r.rule_id, True,
                               _t(f"补足缺额（{sf.fact} = {sf.target}）后规则 {r.rule_id} 仍未达标",
                                  f"after adding the shortfall ({sf.fact} = {sf.target}) "
                                  f"rule {r.rule_id} still fails")))
                step = Fraction(1) if _integral(sf.fact) else unit(FACTS[sf.fact].unit).resolution
                less = sf.target - sign * step
                if sf.amount >= step and less >= 0:
                    probes.append((_with(section, sf.fact, less, "less"), r.rule_id, False,
                                   _t(f"缺额不是最小值：{sf.fact} = {less} 已经达标（规则 {r.rule_id}）",
                                      f"the shortfall is not minimal: {sf.fact} = {less} "
                                      f"already passes rule {r.rule_id}")))
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
                               _t(f"边界值（{fact} = {at}，指标恰好等于 {required}）时规则 {r.rule_id} 应"
                                  f"{'达标' if not rule.op.is_strict else '未达标'}",
                                  f"at the boundary ({fact} = {at}, indicator exactly {required}) rule "
                                  f"{r.rule_id} should {'pass' if not rule.op.is_strict else 'fail'}")))
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
    return InvariantResult("exact", INVARIANTS["exact"], found is None, search.tried,
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

    def test(case: tuple[list[SchoolSection], list[int]]) -> Localized | None:
        sections, order = case
        first = _evaluate(ruleset, sections, check)
        again = _evaluate(ruleset, sections, check)
        shuffled = _evaluate(ruleset, [sections[i] for i in order], check)
        if first != again:
            return _t("同一输入两次评估结果不同", "the same input evaluated twice gave different results")
        by_key = {(r.school_id, r.level): r for r in shuffled}
        for r in first:
            if by_key.get((r.school_id, r.level)) != r:
                return _t(f"改变行序后学校 {r.school_id} 的结果不同",
                          f"school {r.school_id}: results differ when the rows are reordered")
        return None

    found = search.violation(_permuted(factory), test, factor=0.5)
    counterexample = Counterexample(tuple(found[0][0]), found[1]) if found else None
    return InvariantResult("deterministic", INVARIANTS["deterministic"], found is None, search.tried,
                           counterexample=counterexample)


def check_engines_agree(ruleset: Ruleset, check: CheckSettings) -> InvariantResult:
    search = _Search(check)
    factory = SchoolFactory([ruleset])

    def test(sections: list[SchoolSection]) -> Localized | None:
        durable = evaluate_sections(ruleset, sections, "durable")
        direct = evaluate_sections(ruleset, sections, "direct")
        for a, b in zip(durable, direct, strict=True):
            if a == b:
                continue
            by_rule = {r.rule_id: r for r in b.results}
            for r in a.results:
                other = by_rule.get(r.rule_id)
                if other is None or other != r:
                    return _t(f"学校 {a.school_id} 规则 {r.rule_id}：durable_rules 为 {r.outcome.value}，"
                              f"直接计算为 {other.outcome.value if other else '无'}",
                              f"school {a.school_id}, rule {r.rule_id}: durable_rules says {r.outcome.value}, "
                              f"direct says {other.outcome.value if other else 'nothing'}")
            return _t(f"学校 {a.school_id}：两种引擎结果不同", f"school {a.school_id}: the engines differ")
        return None

    found = search.violation(factory.sections(), test, factor=0.5)
    counterexample = Counterexample(tuple(found[0]), found[1]) if found else None
    return InvariantResult("engines_agree", INVARIANTS["engines_agree"], found is None, search.tried,
                           counterexample=counterexample)


def check_update_intent(new: Ruleset, old: Ruleset, expect: Expectation, only: Sequence[str],
                        check: CheckSettings) -> InvariantResult:
    title = Localized(zh=f"修订意图：{ {'tighter': '更严', 'looser': '更宽', 'unchanged': '不变'}[expect]}",
                      en=f"update intent: {expect}")
    new_ids = [r.id for r in new.rules]
    old_ids = [r.id for r in old.rules]
    problems: list[Localized] = []
    for rid in only:
        if rid not in new_ids and rid not in old_ids:
            problems.append(_t(f"--only 规则 {rid} 在两个规则集中都不存在", f"--only rule {rid} is in neither ruleset"))
    if only:
        for rid in sorted(set(new_ids) ^ set(old_ids)):
            if rid not in only:
                side = ("新增", "added") if rid in new_ids else ("删除", "removed")
                problems.append(_t(f"规则 {rid} 被{side[0]}，但不在 --only 之列",
                                   f"rule {rid} was {side[1]} but is not listed in --only"))
    if problems:
        return InvariantResult("update_intent", title, False, 0, tuple(problems))
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

    def label(rid: str) -> tuple[str, str]:
        return (f"规则 {rid}", f"rule {rid}") if rid else ("学校", "the school")

    def test(section: SchoolSection) -> Localized | None:
        o, n = pair(section)
        return compare(o, n)

    def compare(o: SchoolResult, n: SchoolResult) -> Localized | None:
        if only:
            for rid in others:
                a, b = outcome_of(o, rid), outcome_of(n, rid)
                if a is not b:
                    return _t(f"未列入 --only 的规则 {rid} 发生了变化：{a.value} → {b.value}",
                              f"rule {rid}, not listed in --only, changed: {a.value} → {b.value}")
        for rid, a, b in scoped(o, n):
            zh, en = label(rid)
            if expect == "tighter" and a is Outcome.failed and b is Outcome.passed:
                return _t(f"{zh}按旧标准未达标，按新标准却达标（新标准并非更严）",
                          f"{en} fails the old ruleset but passes the new one (not tighter)")
            if expect == "looser" and a is Outcome.passed and b is Outcome.failed:
                return _t(f"{zh}按旧标准达标，按新标准却未达标（新标准并非更宽）",
                          f"{en} passes the old ruleset but fails the new one (not looser)")
            if expect == "unchanged" and a is not b and not only:
                return _t(f"{zh}的结果改变：{a.value} → {b.value}", f"{en} changed: {a.value} → {b.value}")
        if expect == "unchanged" and not only:
            for rid in others:
                a, b = outcome_of(o, rid), outcome_of(n, rid)
                if a is not b:
                    return _t(f"规则 {rid} 的结果改变：{a.value} → {b.value}",
                              f"rule {rid} changed: {a.value} → {b.value}")
        return None

    probes = factory.probe_sections()
    search.tried += len(probes)
    old_results = _evaluate(old, probes, check)
    new_results = _evaluate(new, probes, check)
    verdicts = list(zip(probes, old_results, new_results, strict=True))
    found: tuple[SchoolSection, Localized] | None = None
    for section, o, n in verdicts:
        reason = compare(o, n)
        if reason is not None:
            found = (section, reason)
            break
    if found is None:
        found = search.violation(factory.section(), test, factor=2.0)
    if found is not None:
        return InvariantResult("update_intent", title, False, search.tried,
                               counterexample=Counterexample((found[0],), found[1]))
    if expect == "unchanged":
        return InvariantResult("update_intent", title, True, search.tried)
    want_old, want_new = ((Outcome.passed, Outcome.failed) if expect == "tighter"
                          else (Outcome.failed, Outcome.passed))

    def is_witness(section: SchoolSection) -> bool:
        return witnessed(*pair(section))

    def witnessed(o: SchoolResult, n: SchoolResult) -> bool:
        return any(a is want_old and b is want_new for _, a, b in scoped(o, n))

    if any(witnessed(o, n) for _, o, n in verdicts):
        return InvariantResult("update_intent", title, True, search.tried)
    witness = search.witness(factory.section(), is_witness, factor=2.0)
    if witness is None:
        zh = "没有找到按旧标准达标、按新标准未达标的学校（新标准并未更严）" if expect == "tighter" else \
            "没有找到按旧标准未达标、按新标准达标的学校（新标准并未更宽）"
        en = ("no school found that passes the old ruleset and fails the new one (not tighter)"
              if expect == "tighter" else
              "no school found that fails the old ruleset and passes the new one (not looser)")
        return InvariantResult("update_intent", title, False, search.tried, (_t(zh, en),))
    return InvariantResult("update_intent", title, True, search.tried)


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

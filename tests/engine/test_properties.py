"""Hypothesis properties of school evaluation against ``national/quality-2017``.

Generated school sections (小学 and 初中, realistic and extreme values, some facts missing) are
evaluated through the durable_rules path and the direct path. Properties: monotonicity in every
resource, bounds, shortfall closes the gap exactly, boundary exactness, tightening a threshold
never turns a fail into a pass, and the differential durable ≡ direct ≡ ``direct_verdicts``.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from junheng.engine.evaluate import direct_verdicts, evaluate_sections
from junheng.engine.results import MissingFact, Outcome, RuleResult, SchoolResult
from junheng.policy.facts import FACTS, Level
from junheng.policy.inputs import SchoolSection
from junheng.policy.model import CountGateRule, LevelValues, Ruleset, ThresholdRule
from junheng.policy.registry import load_ruleset
from junheng.policy.units import unit

RULESET: Ruleset = load_ruleset("national/quality-2017").ruleset
THRESHOLDS: list[ThresholdRule] = [r for r in RULESET.rules if isinstance(r, ThresholdRule)]
GATE: CountGateRule = next(r for r in RULESET.rules if isinstance(r, CountGateRule))
RESOURCE: dict[str, str] = {r.id: RULESET.indicators[r.indicator].resource or "" for r in THRESHOLDS}
RESOURCE_FACTS: tuple[str, ...] = tuple(RESOURCE.values())

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ----------------------------------------------------------------------------------------------
# Strategies
# ----------------------------------------------------------------------------------------------

_integral = {f: unit(FACTS[f].unit).integral for f in RESOURCE_FACTS}
_RULE_OF = {fact: rule for rule in THRESHOLDS for fact in [RESOURCE[rule.id]]}
# fractions of the requirement that sit on or next to the edges the rules care about
_NEAR = [Fraction(k, 1000) for k in (0, 500, 840, 849, 850, 851, 900, 990, 999, 1000, 1001, 1010, 1500)]


def _scale_of_fact(fact: str) -> int:
    return 100 if RULESET.indicators[_RULE_OF[fact].indicator].formula.endswith("* 100") else 1


def _amount(fact: str, students: int, level: Level) -> st.SearchStrategy[Fraction]:
    """A value of one resource fact for a section of ``students`` students: realistic, near the
    requirement (on it, just below it, around 85% of it), or huge; m² and 元 keep 2 decimals."""
    required = _RULE_OF[fact].value.for_level(level)
    assert isinstance(required, Fraction)
    need = required * students / _scale_of_fact(fact)  # the fact value that meets it exactly
    step = Fraction(1) if _integral[fact] else Fraction(1, 100)

    def near(pair: tuple[Fraction, int]) -> Fraction:
        factor, nudge = pair
        value = (need * factor / step).__floor__() * step + nudge * step
        return max(value, Fraction(0))

    near_values = st.tuples(st.sampled_from(_NEAR), st.integers(-1, 1)).map(near)
    top = int(need * 2) + 1
    realistic = (st.integers(0, top).map(Fraction) if _integral[fact]
                 else st.integers(0, top * 100).map(lambda c: Fraction(c, 100)))
    # comfortably met: the requirement plus up to 20% (most real sections meet most indicators,
    # so that "exactly one miss" — the gate's interesting case — is common)
    met = st.integers(0, int(need / 5 / step) + 1).map(lambda k: (need / step).__ceil__() * step + k * step)
    huge = st.integers(10**15, 10**22).map(Fraction)  # margins beyond 2**53 in the engine
    return st.one_of(met, met, met, near_values, realistic, huge if not _integral[fact] else met)


@st.composite
def sections(draw: st.DrawFn, *, complete: bool = False, level: Level | None = None) -> SchoolSection:
    lvl = level or draw(st.sampled_from(list(Level)))
    students = draw(st.one_of(st.integers(1, 3000), st.sampled_from([1, 7, 100, 999, 1000, 1289])))
    values: dict[str, Fraction] = {"students": Fraction(students)}
    for fact in RESOURCE_FACTS:
        if complete or draw(st.integers(0, 9)) > 0:  # ~10% of facts missing unless complete
            values[fact] = draw(_amount(fact, students, lvl))
    sid = draw(st.text("ABCDEFGHJK0123456789", min_size=1, max_size=6))
    return SchoolSection(school_id=sid, level=lvl, values=values)


def evaluate(s: SchoolSection, engine: str = "direct", ruleset: Ruleset = RULESET) -> SchoolResult:
    [result] = evaluate_sections(ruleset, [s], engine)  # type: ignore[arg-type]
    return result


def by_id(result: SchoolResult) -> dict[str, RuleResult]:
    return {r.rule_id: r for r in result.results}


def with_value(s: SchoolSection, fact: str, value: Fraction) -> SchoolSection:
    return s.model_copy(update={"values": {**s.values, fact: value}})


def scale(rule: ThresholdRule) -> int:
    """100 for the 每百名学生 indicators (formula ``x / students * 100``), 1 for 生均 ones."""
    return 100 if RULESET.indicators[rule.indicator].formula.endswith("* 100") else 1


def step_of(fact: str) -> Fraction:
    u = unit(FACTS[fact].unit)
    return Fraction(1) if u.integral else u.resolution


_RANK = {Outcome.failed: 0, Outcome.unknown: 1, Outcome.passed: 2}

# ----------------------------------------------------------------------------------------------
# Monotonicity
# ----------------------------------------------------------------------------------------------


@FAST
@given(s=sections(), fact=st.sampled_from(RESOURCE_FACTS), delta=st.integers(1, 10**6),
       cents=st.integers(0, 99))
def test_adding_a_resource_never_hurts(s: SchoolSection, fact: str, delta: int, cents: int) -> None:
    if fact not in s.values:
        return
    add = Fraction(delta) if _integral[fact] else Fraction(delta) + Fraction(cents, 100)
    before = by_id(evaluate(s))
    after = by_id(evaluate(with_value(s, fact, s.values[fact] + add)))
    for rule_id, b in before.items():  # every threshold rule and the gate
        a = after[rule_id]
        if b.outcome is Outcome.passed:
            assert a.outcome is Outcome.passed, rule_id
        assert _RANK[a.outcome] >= _RANK[b.outcome], rule_id  # failed < unknown < passed
    assert (after[GATE.id].met_count or 0) >= (before[GATE.id].met_count or 0)
    for member in after[GATE.id].members:
        old = {m.rule_id: m for m in before[GATE.id].members}[member.rule_id]
        if old.attainment is not None:
            assert member.attainment is not None and member.attainment >= old.attainment


@FAST
@given(s=sections(complete=True), extra=st.integers(1, 2000))
def test_more_students_never_helps(s: SchoolSection, extra: int) -> None:
    """The dual of resource monotonicity: every indicator is per student."""
    before = by_id(evaluate(s))
    after = by_id(evaluate(with_value(s, "students", s.values["students"] + extra)))
    for rule_id, b in before.items():
        if b.outcome is Outcome.failed:
            assert after[rule_id].outcome is Outcome.failed, rule_id


# ----------------------------------------------------------------------------------------------
# Bounds and internal consistency
# ----------------------------------------------------------------------------------------------


@FAST
@given(s=sections())
def test_bounds(s: SchoolSection) -> None:
    result = evaluate(s)
    r = by_id(result)
    assert set(r) == {*RESOURCE, GATE.id}
    students = s.values["students"]
    for rule in THRESHOLDS:
        res = r[rule.id]
        fact = RESOURCE[rule.id]
        if fact not in s.values:
            assert res.outcome is Outcome.unknown and res.missing_facts == (MissingFact(fact=fact),)
            assert res.actual is None and res.shortfall is None and res.gap is None
            continue
        expected = s.values[fact] / students * scale(rule)
        assert res.actual == expected
        assert res.required == rule.value.for_level(s.level)
        assert res.gap is not None and res.gap >= 0
        if res.outcome is Outcome.passed:
            assert res.actual >= res.required and res.gap == 0 and res.shortfall is None
        else:
            assert res.outcome is Outcome.failed
            assert res.actual < res.required and res.gap == res.required - res.actual
            assert res.shortfall is not None and res.shortfall.amount > 0
            assert res.shortfall.fact == fact and res.shortfall.direction == "increase"
            assert res.shortfall.target == s.values[fact] + res.shortfall.amount
    gate = r[GATE.id]
    assert gate.met_count is not None and 0 <= gate.met_count <= 7
    assert gate.met_count == sum(1 for rule in THRESHOLDS if r[rule.id].outcome is Outcome.passed)
    if gate.outcome is Outcome.passed:
        assert gate.met_count >= 6
        assert all(m.meets_floor for m in gate.members)
    if gate.met_count == 7:
        assert gate.outcome is Outcome.passed
    if gate.met_count < 6:  # a pass needs 6 members *known* to be met
        assert gate.outcome is not Outcome.passed
    for m in gate.members:
        assert m.attainment is None or m.attainment >= 0
    assert result.outcome is gate.outcome  # the gate is the only deciding rule of this ruleset


# ----------------------------------------------------------------------------------------------
# Shortfall closes the gap exactly
# ----------------------------------------------------------------------------------------------


@FAST
@given(s=sections(complete=True))
def test_shortfall_closes_the_gap_exactly(s: SchoolSection) -> None:
    results = by_id(evaluate(s))
    for rule in THRESHOLDS:
        res = results[rule.id]
        if res.outcome is not Outcome.failed:
            continue
        assert res.shortfall is not None
        fact = res.shortfall.fact
        amount = res.shortfall.amount
        step = step_of(fact)
        enough = with_value(s, fact, s.values[fact] + amount)
        assert direct_verdicts(RULESET, enough)[rule.id] is True
        assert by_id(evaluate(enough, "durable"))[rule.id].outcome is Outcome.passed
        # one unit (or one 0.01 m²/元 step) less is not enough
        short = with_value(s, fact, s.values[fact] + amount - step)
        assert direct_verdicts(RULESET, short)[rule.id] is False
        if _integral[fact]:
            assert amount.denominator == 1


# ----------------------------------------------------------------------------------------------
# Boundary exactness
# ----------------------------------------------------------------------------------------------


@FAST
@given(level=st.sampled_from(list(Level)), thousands=st.integers(1, 40),
       rule=st.sampled_from(THRESHOLDS), engine=st.sampled_from(["durable", "direct"]))
def test_boundary_exactness(level: Level, thousands: int, rule: ThresholdRule, engine: str) -> None:
    """A fact that puts the indicator exactly on the requirement passes; one step below fails.

    With students a multiple of 1000, every requirement here (x.y per 100 students, x.y m²/生,
    whole 元/生) times the students is a whole number of the fact's unit.
    """
    students = 1000 * thousands
    required = rule.value.for_level(level)
    assert isinstance(required, Fraction)
    exact = required * students / scale(rule)
    assert exact.denominator == 1
    fact = RESOURCE[rule.id]
    on = SchoolSection(school_id="B", level=level, values={"students": Fraction(students), fact: exact})
    below = with_value(on, fact, exact - step_of(fact))
    assert by_id(evaluate(on, engine))[rule.id].outcome is Outcome.passed
    assert by_id(evaluate(below, engine))[rule.id].outcome is Outcome.failed
    assert direct_verdicts(RULESET, on)[rule.id] is True
    assert direct_verdicts(RULESET, below)[rule.id] is False


def test_boundary_float_trap_is_real() -> None:
    """Some boundaries the exact path gets right are wrong in naive floating point."""
    wrong = []
    for students in range(1000, 40001, 1000):
        for rule in THRESHOLDS:
            for level in Level:
                required = rule.value.for_level(level)
                assert isinstance(required, Fraction)
                k = scale(rule)
                exact = required * students / k
                if float(exact) / students * k < float(required):
                    wrong.append((rule.id, level, students))
    assert ("resource.pe_art_teachers", Level.primary, 1000) in wrong  # 9/1000*100 = 0.8999…


# ----------------------------------------------------------------------------------------------
# Tightening a threshold never turns a fail into a pass
# ----------------------------------------------------------------------------------------------


def tightened(rule_id: str, level: Level, bump: Fraction) -> Ruleset:
    rules: list[Any] = []
    for rule in RULESET.rules:
        if isinstance(rule, ThresholdRule) and rule.id == rule_id:
            old = rule.value
            new = LevelValues(
                primary=old.primary + bump if level is Level.primary else old.primary,  # type: ignore[operator]
                junior=old.junior + bump if level is Level.junior else old.junior,  # type: ignore[operator]
            )
            rule = rule.model_copy(update={"value": new})
        rules.append(rule)
    return RULESET.model_copy(update={"rules": rules})


@FAST
@given(s=sections(), rule=st.sampled_from(THRESHOLDS),
       bump=st.fractions(min_value=Fraction(1, 1000), max_value=50, max_denominator=1000))
def test_tightening_never_turns_a_fail_into_a_pass(s: SchoolSection, rule: ThresholdRule,
                                                     bump: Fraction) -> None:
    strict = tightened(rule.id, s.level, bump)
    assert strict.rule(rule.id).value.for_level(s.level) == rule.value.for_level(s.level) + bump  # type: ignore[attr-defined, operator]
    before = by_id(evaluate(s))
    after = by_id(evaluate(s, ruleset=strict))
    for rule_id, b in before.items():
        if b.outcome is Outcome.failed:
            assert after[rule_id].outcome is Outcome.failed, rule_id
        if b.outcome is not Outcome.passed:
            assert after[rule_id].outcome is not Outcome.passed, rule_id
    assert (after[GATE.id].met_count or 0) <= (before[GATE.id].met_count or 0)


# ----------------------------------------------------------------------------------------------
# Differential: durable_rules ≡ direct ≡ direct_verdicts
# ----------------------------------------------------------------------------------------------


def _outcomes(results: list[SchoolResult]) -> list[tuple[Any, ...]]:
    return [(s.school_id, s.level, s.outcome, tuple((r.rule_id, r.outcome, r.met_count) for r in s.results))
            for s in results]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(sections(), min_size=1, max_size=40))
def test_durable_and_direct_agree(batch: list[SchoolSection]) -> None:
    durable = evaluate_sections(RULESET, batch, engine="durable")
    direct = evaluate_sections(RULESET, batch, engine="direct")
    assert _outcomes(durable) == _outcomes(direct)
    for s, result in zip(batch, durable, strict=True):
        reference = direct_verdicts(RULESET, s)
        r = by_id(result)
        for rule in THRESHOLDS:
            if rule.id in reference:
                expected = Outcome.passed if reference[rule.id] else Outcome.failed
                assert r[rule.id].outcome is expected, rule.id
            else:
                assert r[rule.id].outcome is Outcome.unknown, rule.id
        # the gate, decided from the reference verdicts and exact attainments by hand
        assert r[GATE.id].outcome is _gate_by_hand(s, reference)


def _gate_by_hand(s: SchoolSection, reference: dict[str, bool]) -> Outcome:
    floor = Fraction(85, 100)

    def reach(rule: ThresholdRule) -> Fraction:
        required = rule.value.for_level(s.level)
        assert isinstance(required, Fraction)
        return s.values[RESOURCE[rule.id]] / s.values["students"] * scale(rule) / required

    known_misses = [rule for rule in THRESHOLDS if reference.get(rule.id) is False]
    unknown = [rule for rule in THRESHOLDS if rule.id not in reference]
    if len(known_misses) > 1 or any(reach(rule) < floor for rule in known_misses):
        return Outcome.failed
    if unknown:
        return Outcome.unknown
    return Outcome.passed


@pytest.mark.parametrize("engine", ["durable", "direct"])
def test_large_batch_agrees_with_reference(engine: str) -> None:
    """One batch larger than the backend's 500-fact chunk, drawn deterministically."""
    import random

    rng = random.Random(20170523)
    batch = []
    for i in range(1203):
        n = rng.randint(1, 3000)
        values = {"students": Fraction(n)}
        for fact in RESOURCE_FACTS:
            if rng.random() < 0.95:
                if _integral[fact]:  # teachers, rooms: 0 … 10 per 100 students
                    values[fact] = Fraction(rng.randint(0, max(1, n // 10)))
                else:  # m², 元 with cents: 0 … 3000 per student
                    values[fact] = Fraction(rng.randint(0, n * 300_000), 100)
        batch.append(SchoolSection(school_id=f"S{i}", level=rng.choice(list(Level)), values=values))
    results = evaluate_sections(RULESET, batch, engine=engine)  # type: ignore[arg-type]
    check: Callable[[SchoolSection, SchoolResult], None] = _check_against_reference
    for s, result in zip(batch, results, strict=True):
        check(s, result)


def _check_against_reference(s: SchoolSection, result: SchoolResult) -> None:
    reference = direct_verdicts(RULESET, s)
    r = by_id(result)
    for rule_id, ok in reference.items():
        assert r[rule_id].outcome is (Outcome.passed if ok else Outcome.failed)
    assert r[GATE.id].outcome is _gate_by_hand(s, reference)

"""The closed form (:mod:`junheng.engine.compile`) and the general path (:mod:`junheng.engine.measure`)
give equal results, and durable_rules decides what the direct engine decides.

Generated sections (小学 and 初中, school types, missing facts, zeros, huge values, values on and
next to the requirements and the 85% floor, the 2019 规程's relaxation conditions) are evaluated
against bundled rulesets and variants with unusual formulas and strict comparisons: every
:class:`SchoolResult` — each rule's result, shortfall, gate members and paths — must be equal
whether measured in closed form or on the general path, and whichever engine decides.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from junheng.engine.compile import compile_ruleset, ratio_of
from junheng.engine.county import all_schools_ruleset
from junheng.engine.evaluate import evaluate_sections
from junheng.engine.numbers import fraction
from junheng.engine.results import SchoolResult
from junheng.policy.county_model import AllSchoolsCriterion
from junheng.policy.facts import Level
from junheng.policy.inputs import SchoolSection
from junheng.policy.model import Op, Ruleset, ThresholdRule
from junheng.policy.registry import load_ruleset

F = Fraction
NATIONAL = load_ruleset("national/quality-2017").ruleset
ANHUI = load_ruleset("anhui/school-standard").ruleset


def _school_checks(at: dt.date) -> Ruleset:
    """national/quality-2017's every-school checks (music and art rooms, class and school size),
    applied on ``at`` (inside the 2019 规程's relaxation window or not)."""
    spec = NATIONAL.county
    assert spec is not None
    criterion = next(c for c in spec.criteria if isinstance(c, AllSchoolsCriterion) and c.ruleset == "self")
    ruleset = all_schools_ruleset(NATIONAL, criterion, None)
    assert ruleset is not None
    return ruleset.in_force_on(at)


def _variant(ruleset: Ruleset, formulas: dict[str, str], ops: dict[str, Op]) -> Ruleset:
    """``ruleset`` with some indicator formulas and rule comparisons changed."""
    indicators = {name: ind.model_copy(update={"formula": formulas[name]}) if name in formulas else ind
                  for name, ind in ruleset.indicators.items()}
    rules = [r.model_copy(update={"op": ops[r.id]}) if isinstance(r, ThresholdRule) and r.id in ops else r
             for r in ruleset.rules]
    return ruleset.model_copy(update={"indicators": indicators, "rules": rules})


STRICT = _variant(NATIONAL, {}, {r.id: Op.more_than for r in NATIONAL.rules if isinstance(r, ThresholdRule)})
UNUSUAL = _variant(NATIONAL, {
    # resource divided twice: a zero student count is a zero divisor inside → general path
    "multimedia_classrooms_per_100": "100 / (students / multimedia_classrooms)",
    # a monomial written another way (closed form), and one that is not a monomial (general)
    "teaching_area_per_student": "teaching_aux_area_m2 * 2 / students / 2",
    "sports_area_per_student": "sports_area_m2 / students + 0",
    # the resource in the denominator, an upper bound, as a gate member: students per PE teacher
    "pe_art_teachers_per_100": "students / pe_art_teachers",
    # a fact that cancels out is still read (missing → undecided)
    "backbone_teachers_per_100": "backbone_teachers * teachers / teachers / students * 100",
}, {"resource.pe_art_teachers": Op.at_most, "resource.equipment_value": Op.more_than})
DECREASING = _variant(NATIONAL, {
    # the resource in the denominator under a lower bound: the shortfall is a decrease, and no
    # resource at all (a zero divisor) passes in the general path's solver
    "sports_area_per_student": "students / sports_area_m2",
    # a gate member with no resource to add
    "pe_art_teachers_per_100": "students / teachers * 100",
}, {"resource.teaching_area": Op.at_most, "resource.equipment_value": Op.less_than,
    "resource.multimedia_classrooms": Op.less_than})
RULESETS = {
    "national": NATIONAL, "strict": STRICT, "unusual": UNUSUAL, "decreasing": DECREASING, "anhui": ANHUI,
    "guangxi": load_ruleset("guangxi/school-b").ruleset,
    "checks_2020": _school_checks(dt.date(2020, 9, 1)), "checks_2024": _school_checks(dt.date(2024, 9, 1)),
}

# per-student (or per-class) figures on and around the requirements of these rulesets
_RATES = [F(42, 1000), F(53, 1000), F(1, 100), F(9, 1000), F(9, 2), F(29, 5), F(15, 2), F(51, 5), F(2000),
          F(2500), F(23, 1000), F(24, 1000), F(1, 10), F(12), F(96), F(73), F(54), F(8), F(30), F(45)]
_FACTORS = [F(1), F(85, 100), F(17, 20) - F(1, 10**6), F(1, 2), F(3, 2)]
FACTS = ["teachers", "teachers_above_required_degree", "backbone_teachers", "pe_art_teachers",
         "multimedia_classrooms", "teaching_aux_area_m2", "sports_area_m2", "equipment_value_yuan",
         "building_area_m2", "books", "computers", "max_class_size", "classes", "music_rooms",
         "music_room_area_m2", "art_rooms", "art_room_area_m2", "built_year", "rural_small_school"]


@st.composite
def _value(draw: st.DrawFn, students: int) -> Fraction | None:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return None
    if kind == 1:
        return F(0)
    if kind == 2:
        return F(draw(st.integers(10**15, 10**22)))
    if kind == 3:
        return F(draw(st.integers(0, 10**6)), 100)
    if kind == 4:
        return F(draw(st.sampled_from([1, 2, 3, 11, 12, 13, 29, 30, 31, 2016, 2017, 2400, 2500])))
    base = F(draw(st.sampled_from([1, students or 1])))
    exact = draw(st.sampled_from(_RATES)) * base * draw(st.sampled_from(_FACTORS))
    step = draw(st.sampled_from([F(1), F(1, 100)]))
    return max(F(0), (exact / step).__floor__() * step + draw(st.integers(-1, 1)) * step)


@st.composite
def _section(draw: st.DrawFn, index: int) -> SchoolSection:
    level = draw(st.sampled_from(list(Level)))
    students = draw(st.one_of(st.sampled_from([0, 1, 7, 100, 999, 1000, 1289, 2718]), st.integers(1, 5000)))
    values: dict[str, Fraction] = {}
    if draw(st.integers(0, 19)):
        values["students"] = F(students)
    for fact in FACTS:
        v = draw(_value(students))
        if v is not None:
            values[fact] = v
    school_type = draw(st.sampled_from([None, None, "nine_year", "twelve_year", "junior_school"]))
    return SchoolSection(school_id=f"S{index}", level=level, school_type=school_type, values=values)


@st.composite
def _batch(draw: st.DrawFn) -> list[SchoolSection]:
    return [draw(_section(i)) for i in range(draw(st.integers(1, 6)))]


def _in_field_order(obj: object) -> None:
    if isinstance(obj, BaseModel):
        assert list(obj.__dict__) == list(type(obj).model_fields), type(obj).__name__
        for name in type(obj).model_fields:
            _in_field_order(getattr(obj, name))
    elif isinstance(obj, tuple | list):
        for item in obj:
            _in_field_order(item)


def _evaluate(ruleset: Ruleset, batch: list[SchoolSection], engine: Any, closed_form: bool) -> list[SchoolResult]:
    return evaluate_sections(ruleset, batch, engine, closed_form=closed_form)


@pytest.mark.parametrize("name", list(RULESETS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=_batch())
def test_closed_form_equals_general_path_and_durable_equals_direct(name: str, batch: list[SchoolSection]) -> None:
    ruleset = RULESETS[name]
    general = _evaluate(ruleset, batch, "direct", closed_form=False)
    closed = _evaluate(ruleset, batch, "direct", closed_form=True)
    assert closed == general
    assert _evaluate(ruleset, batch, "durable", closed_form=True) == closed
    _in_field_order(closed)


def test_the_variants_exercise_both_paths() -> None:
    """The closed form covers the common shapes and leaves the others to the general path."""
    params = set(NATIONAL.parameters)
    assert ratio_of("teaching_aux_area_m2 * 2 / students / 2", params) is not None
    assert ratio_of("students / pe_art_teachers", params) is not None
    assert ratio_of("100 / (students / multimedia_classrooms)", params) is None  # students divides
    assert ratio_of("sports_area_m2 / students + 0", params) is None
    assert ratio_of("backbone_teachers * teachers / teachers / students * 100", params) is None
    assert ratio_of("max_class_size", params) is not None
    plan = compile_ruleset(RULESETS["checks_2020"]).level(RULESETS["checks_2020"], Level.primary, None)
    relaxable = [t.rule.id for t in plan.thresholds if t.relaxable]
    assert relaxable == ["county.music_room_area", "county.art_room_area", "county.school_size"]


# Shortfalls the closed form works out, by hand (national/quality-2017, 初中 1289 students):
# 生均教学及辅助用房 5.8 m²: 1289 × 5.8 = 7476.2 m² needed, 4450 given → 3026.2 m².
# 每百名学生多媒体教室 2.4 间: 1289 × 2.4 ÷ 100 = 30.936 → 31 rooms, 18 given → 13 rooms.
def test_closed_form_shortfalls_by_hand() -> None:
    s = SchoolSection(school_id="A", level=Level.junior, values={
        "students": F(1289), "teaching_aux_area_m2": F(4450), "multimedia_classrooms": F(18)})
    [result] = evaluate_sections(NATIONAL, [s])
    by_id = {r.rule_id: r for r in result.results}
    teaching = by_id["resource.teaching_area"].shortfall
    assert teaching is not None and teaching.amount == F(30262, 10) and teaching.target == F(74762, 10)
    rooms = by_id["resource.multimedia_classrooms"].shortfall
    assert rooms is not None and rooms.amount == 13 and rooms.target == 31
    assert by_id["resource.backbone_teachers"].outcome.value == "unknown"


@settings(max_examples=300, deadline=None)
@given(n=st.integers(-(10**40), 10**40), d=st.integers(-(10**40), 10**40).filter(bool))
def test_fraction_is_fractions_fraction(n: int, d: int) -> None:
    """engine.numbers.fraction builds the very Fraction(n, d): same value, type, hash, text."""
    made, expected = fraction(n, d), Fraction(n, d)
    assert type(made) is Fraction and made == expected and hash(made) == hash(expected)
    assert (made.numerator, made.denominator) == (expected.numerator, expected.denominator)
    assert str(made) == str(expected) and made + 1 == expected + 1


def test_fraction_by_zero() -> None:
    with pytest.raises(ZeroDivisionError):
        fraction(1, 0)


def test_the_collector_is_paused_only_while_a_batch_is_evaluated() -> None:
    """The cyclic garbage collector is enabled again afterwards, stays off when the caller turned
    it off, and objects the caller froze stay frozen."""
    import gc

    batch = [SchoolSection(school_id="A", level=Level.junior, values={"students": F(1289)})]
    assert gc.isenabled()
    evaluate_sections(NATIONAL, batch)
    assert gc.isenabled()
    gc.disable()
    try:
        evaluate_sections(NATIONAL, batch)
        assert not gc.isenabled()
    finally:
        gc.enable()
    gc.freeze()
    try:
        assert gc.get_freeze_count() > 0
        evaluate_sections(NATIONAL, batch)
        assert gc.get_freeze_count() > 0 and gc.isenabled()  # not unfrozen (a few may have been freed)
    finally:
        gc.unfreeze()

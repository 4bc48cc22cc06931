"""Deduction schedules as exact arithmetic, and properties of points (hypothesis)."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from junheng.engine.evaluate import evaluate_sections
from junheng.engine.scoring import (
    full_marks_attainment,
    proportional_points,
    round_points,
    step_points,
    tiered_points,
)
from junheng.policy.facts import Level
from junheng.policy.inputs import SchoolSection
from junheng.policy.model import ProportionalSchedule, TieredSchedule
from junheng.policy.registry import load_ruleset

fractions = st.fractions(min_value=0, max_value=1000, max_denominator=1000)
points = st.integers(min_value=1, max_value=30).map(Fraction)
GUIZHOU_TIERS = TieredSchedule.model_validate(
    {"kind": "tiered", "tiers": [{"at_least": 1, "share": 1}, {"at_least": "0.8", "share": "0.8"},
                                 {"at_least": "0.6", "share": "0.5"}]})
HALF_UP = ProportionalSchedule.model_validate({"kind": "proportional", "places": 0})


@given(points, fractions, st.sampled_from([Fraction(1, 2), Fraction(1), Fraction(2)]),
       st.sampled_from([Fraction(1), Fraction(2), Fraction(1, 2)]))
def test_step_bounded_monotone_and_exact(p: Fraction, short: Fraction, per: Fraction, d: Fraction) -> None:
    got = step_points(p, short, per, d)
    assert 0 <= got <= p
    assert got == max(p - math.floor(short / per) * d, 0)  # 扣完为止
    assert step_points(p, short + per / 3, per, d) <= got  # more shortfall never scores more
    assert step_points(p, per - Fraction(1, 10**6), per, d) == p  # under one step: nothing off


def test_step_hand_cases() -> None:
    assert step_points(Fraction(18), Fraction("0.9377"), Fraction("0.5"), Fraction(1)) == 17  # ⌊1.875⌋ = 1
    assert step_points(Fraction(18), Fraction("0.5"), Fraction("0.5"), Fraction(1)) == 17  # ⌊1⌋ = 1
    assert step_points(Fraction(3), Fraction(100), Fraction("0.5"), Fraction(1)) == 0  # 200 steps, floored


def test_tiered_hand_cases() -> None:
    # 5 points: 100% → 5; 80–99% → 0.8 × 5 = 4; 60–79% → 0.5 × 5 = 2.5; < 60% → 0
    assert [tiered_points(Fraction(5), GUIZHOU_TIERS, k) for k in (0, 1, 2, None)] == [5, 4, Fraction(5, 2), 0]


@given(points, st.lists(st.sampled_from([0, 1, 2, None]), min_size=2, max_size=2))
def test_tiered_bounded_and_monotone(p: Fraction, reached: list[int | None]) -> None:
    def rank(k: int | None) -> int:
        return 3 if k is None else k  # a lower index is a higher tier
    a, b = sorted(reached, key=rank)
    assert 0 <= tiered_points(p, GUIZHOU_TIERS, b) <= tiered_points(p, GUIZHOU_TIERS, a) <= p


@given(points, fractions, fractions)
def test_proportional_bounded_and_monotone(p: Fraction, x: Fraction, y: Fraction) -> None:
    lo, hi = sorted((x / 100, y / 100))
    assert 0 <= proportional_points(p, lo, HALF_UP) <= proportional_points(p, hi, HALF_UP) <= p


def test_proportional_hand_cases() -> None:
    # B8: 6 × (31/96 ÷ 1/2) = 3.875 → 4 (half up); 6 × 0.64 = 3.84 → 4 (the report's 32%/50%)
    assert proportional_points(Fraction(6), Fraction(31, 48), HALF_UP) == 4
    assert proportional_points(Fraction(6), Fraction(64, 100), HALF_UP) == 4
    assert round_points(Fraction(5, 2), 0, "half_up") == 3 and round_points(Fraction(5, 2), 0, "floor") == 2
    # full marks from 1 − 1/(2 × 6) = 11/12: 6 × 11/12 = 5.5 → 6
    assert full_marks_attainment(Fraction(6), HALF_UP) == Fraction(11, 12)
    assert proportional_points(Fraction(6), Fraction(11, 12), HALF_UP) == 6
    assert proportional_points(Fraction(6), Fraction(11, 12) - Fraction(1, 10**9), HALF_UP) == 5


GUANGXI = load_ruleset("guangxi/school-b").ruleset
GUIZHOU = load_ruleset("guizhou/conditions-2014").ruleset


def junior(**values: Fraction) -> SchoolSection:
    return SchoolSection(school_id="P", level=Level.junior, values=dict(values))


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=8000), st.integers(min_value=0, max_value=600),
       st.integers(min_value=0, max_value=96), st.integers(min_value=0, max_value=40))
def test_total_points_bounded_and_monotone_in_resources(area: int, more_area: int, titled: int, more: int) -> None:
    base = dict(students=Fraction(1289), classes=Fraction(18), teachers=Fraction(96), staff=Fraction(96),
                staff_quota=Fraction(95), computers=Fraction(88), multimedia_classrooms=Fraction(18),
                sports_area_m2=Fraction(13247))
    before = junior(**base, teaching_aux_area_m2=Fraction(area), teachers_mid_senior_title=Fraction(titled))
    after = junior(**base, teaching_aux_area_m2=Fraction(area + more_area),
                   teachers_mid_senior_title=Fraction(min(titled + more, 96)))
    r0, r1 = evaluate_sections(GUANGXI, [before, after])  # one durable_rules call for both
    for r in (r0, r1):
        for x in r.results:
            assert x.score is not None
            if x.score.awarded is not None:
                assert 0 <= x.score.awarded <= x.score.points
    assert r0.score is not None and r1.score is not None
    assert r0.score.awarded <= r1.score.awarded


def test_guizhou_tiers_and_all_or_nothing_through_the_engine() -> None:
    # building 8900 m² / 1476 = 6.03 ≥ 5.5 → 5; computers 140/1476 × 100 = 9.49 per 100 → 94.9% of 10
    # → 80% tier → 0.8 × 5 = 4; sports 7957/1476 = 5.39 < 5.5 → all or nothing → 0 (school D)
    d = junior(students=Fraction(1476), building_area_m2=Fraction(8900), computers=Fraction(140),
               sports_area_m2=Fraction(7957))
    r = evaluate_sections(GUIZHOU, [d])[0]
    got = {x.rule_id: x.score.awarded for x in r.results if x.score is not None}
    assert got["S2.building_area"] == 5 and got["S3.computers"] == 4 and got["S3.sports_area"] == 0
    # 70% of 5.5 m²: 3.85 × 1476 = 5682.6 m² → 60–79% tier → 2.5 points
    r = evaluate_sections(GUIZHOU, [junior(students=Fraction(1476), building_area_m2=Fraction("5682.6"))])[0]
    assert next(x for x in r.results if x.rule_id == "S2.building_area").score.awarded == Fraction(5, 2)  # type: ignore[union-attr]

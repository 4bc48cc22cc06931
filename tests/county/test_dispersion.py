"""差异系数: the published five-school example, hand-computed CVs, exact comparisons, and the
invariants of issue 3 as hypothesis properties."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from junheng.engine.dispersion import (
    Point,
    compare_mean_of_roots,
    cv_squared,
    drivers,
    exact_sqrt,
    moments,
    sqrt_value,
    with_value,
)

F = Fraction

# standards.md §1: books in five primary schools, (enrolment, volumes).
FIVE = [(45, 279), (37, 137), (89, 935), (76, 160), (55, 402)]


def five() -> list[Point]:
    return [Point(f"s{i}", F(p), F(x)) for i, (p, x) in enumerate(FIVE)]


def test_five_school_example_reproduces_0_515() -> None:
    pts = five()
    m = moments(pts)
    # X̄ = Σx / ΣP = (279+137+935+160+402) / (45+37+89+76+55) = 1913 / 302 = 6.3344…
    assert m.mean == F(1913, 302)
    cv = sqrt_value(cv_squared(pts) or F(0))
    # published 0.515 (0.52 rounded): 0.5152566… rounds to 0.515
    assert F("0.5152") < cv < F("0.5153")
    # unweighted: mean of the five X_i and population standard deviation → 0.489
    cv_u = sqrt_value(cv_squared(pts, weighted=False) or F(0))
    assert F("0.4887") < cv_u < F("0.4888")


def test_five_school_variance_by_hand() -> None:
    # S² = Σ (P_i/P)(X_i − X̄)² with X̄ = 1913/302; computed term by term in fractions.
    pts = five()
    mean = F(1913, 302)
    by_hand = sum(F(p, 302) * (F(x, p) - mean) ** 2 for p, x in FIVE)
    assert moments(pts).variance == by_hand
    assert cv_squared(pts) == by_hand / mean**2


def test_small_county_hand_computed() -> None:
    # Primary: S1 100 students, 400 books (X=4); 一贯制 小学部 300 students, 1800 books (X=6).
    # X̄ = 2200/400 = 11/2; S² = 1/4·(4−11/2)² + 3/4·(6−11/2)² = 1/4·9/4 + 3/4·1/4 = 12/16 = 3/4
    # CV² = (3/4) / (121/4) = 3/121 → CV = √3/11 = 0.157459…
    primary = [Point("S1", F(100), F(400)), Point("Y", F(300), F(1800))]
    assert moments(primary).mean == F(11, 2)
    assert moments(primary).variance == F(3, 4)
    assert cv_squared(primary) == F(3, 121)
    assert F("0.15745") < sqrt_value(F(3, 121)) < F("0.15746")
    # Junior: 一贯制 初中部 200 students, 1600 books (X=8); J2 200, 2400 (X=12).
    # X̄ = 4000/400 = 10; S² = 1/2·4 + 1/2·4 = 4; CV² = 4/100 → CV = 1/5 exactly.
    junior = [Point("Y", F(200), F(1600)), Point("J2", F(200), F(2400))]
    assert cv_squared(junior) == F(1, 25)
    assert exact_sqrt(F(1, 25)) == F(1, 5)


def test_drivers_shares_by_hand() -> None:
    # From the primary case above: S1 contributes 1/4·9/4 = 9/16 of S² = 3/4 → 3/4;
    # the 一贯制 section 1/4·... = 3/16 ÷ 3/4 = 1/4.
    primary = [Point("S1", F(100), F(400)), Point("Y", F(300), F(1800))]
    shares = {d.key: d.share_of_variance for d in drivers(primary)}
    assert shares == {"S1": F(3, 4), "Y": F(1, 4)}
    # Raising S1 to the county mean 11/2: totals 550 and 1800, X̄' = 2350/400 = 47/8;
    # S² = 1/4·(11/2−47/8)² + 3/4·(6−47/8)² = 1/4·9/64 + 3/4·1/64 = 12/256 = 3/64;
    # CV² = (3/64)/(2209/64) = 3/2209.
    assert cv_squared(with_value(primary, "S1", F(11, 2))) == F(3, 2209)


def test_composite_comparison_is_exact() -> None:
    # mean(1/5, 3/10) = 1/4 exactly: at the limit passes (sign 0), just above fails.
    assert compare_mean_of_roots([F(1, 25), F(9, 100)], F(1, 4)) == 0
    assert compare_mean_of_roots([F(1, 25), F(9, 100)], F(1, 4) - F(1, 10**30)) == 1
    # √2/2 = 0.70710678… irrational: never equal to a rational limit, decided either side.
    assert compare_mean_of_roots([F(1, 2)], F("0.7071067811865475")) == 1
    assert compare_mean_of_roots([F(1, 2)], F("0.7071067811865476")) == -1


schools = st.lists(
    st.tuples(st.integers(1, 3000), st.integers(0, 100_000)), min_size=1, max_size=8
).filter(lambda xs: any(x for _, x in xs))


def pts_of(xs: list[tuple[int, int]]) -> list[Point]:
    return [Point(f"s{i}", F(p), F(x)) for i, (p, x) in enumerate(xs)]


@settings(max_examples=150, deadline=None)
@given(schools, st.integers(1, 1000), st.booleans())
def test_cv_invariant_under_scaling_resources(xs: list[tuple[int, int]], k: int, weighted: bool) -> None:
    scaled = [Point(p.key, p.weight, p.total * k) for p in pts_of(xs)]
    assert cv_squared(scaled, weighted) == cv_squared(pts_of(xs), weighted)


@settings(max_examples=150, deadline=None)
@given(schools, st.integers(1, 1000), st.booleans())
def test_cv_invariant_under_scaling_enrolment(xs: list[tuple[int, int]], k: int, weighted: bool) -> None:
    # every school's enrolment × k, per-student values unchanged (totals × k as well)
    scaled = [Point(p.key, p.weight * k, p.total * k) for p in pts_of(xs)]
    assert cv_squared(scaled, weighted) == cv_squared(pts_of(xs), weighted)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 3000), min_size=1, max_size=8), st.fractions(F(1, 100), 1000),
       st.booleans())
def test_cv_zero_when_all_schools_equal(enrolments: list[int], value: Fraction, weighted: bool) -> None:
    pts = [Point(f"s{i}", F(p), value * p) for i, p in enumerate(enrolments)]
    assert cv_squared(pts, weighted) == 0


@settings(max_examples=150, deadline=None)
@given(schools, st.integers(1, 3000))
def test_adding_a_school_at_the_mean_never_raises_cv(xs: list[tuple[int, int]], p: int) -> None:
    pts = pts_of(xs)
    mean = moments(pts).mean
    more = [*pts, Point("new", F(p), mean * p)]
    before, after = cv_squared(pts), cv_squared(more)
    assert before is not None and after is not None
    assert after <= before

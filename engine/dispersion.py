"""差异系数 (coefficient of variation between schools), exactly.

For the schools of one level (教督〔2012〕3号, 附件): x_i a school's raw total, P_i its
enrolment, X_i = x_i / P_i, P = Σ P_i, X̄ = Σ x_i / P (the ratio of totals, i.e. the P-weighted
mean), S = √(Σ (P_i / P)(X_i − X̄)²), CV = S / X̄. Unweighted ("标准差 ÷ 平均值"): X̄ the plain
mean of the X_i and S the population standard deviation.

Exactness: the mean, the variance and CV² = S² / X̄² are exact fractions. A verdict on one CV
compares CV² with limit² exactly (both are non-negative), so a CV exactly at the limit passes.
The 2012 composite (the plain mean of several CVs, i.e. of square roots) is compared by
bracketing each root between integer square roots at increasing precision
(:func:`compare_mean_of_roots`): when every CV² is the square of a fraction the comparison is
exact in fractions; otherwise the mean is irrational (square roots of distinct square-free
integers are linearly independent over Q and the coefficients are positive), so it never equals
the rational limit and the refinement always ends. Reported CV values are these brackets' lower
ends at 40 digits (exact when the root is rational).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

REPORT_DIGITS = 40
_MAX_DIGITS = 4000


@dataclass(frozen=True)
class Point:
    """One school section of one level: its enrolment (weight) and its raw total."""

    key: str
    weight: Fraction
    total: Fraction

    @property
    def value(self) -> Fraction:
        """The per-student value X_i = x_i / P_i."""
        return self.total / self.weight


@dataclass(frozen=True)
class Moments:
    mean: Fraction
    variance: Fraction
    weights: tuple[Fraction, ...]
    """Each point's weight in the variance: P_i / P (weighted) or 1 / n (unweighted)."""


def moments(points: Sequence[Point], weighted: bool = True) -> Moments:
    """Exact mean and variance of the per-student values."""
    if not points:
        raise ValueError("no schools")
    if any(p.weight <= 0 for p in points):
        raise ValueError("every school needs a positive enrolment")
    if weighted:
        total_weight = sum((p.weight for p in points), Fraction(0))
        weights = tuple(p.weight / total_weight for p in points)
        mean = sum((p.total for p in points), Fraction(0)) / total_weight
    else:
        weights = tuple(Fraction(1, len(points)) for _ in points)
        mean = sum((p.value for p in points), Fraction(0)) / len(points)
    variance = sum((w * (p.value - mean) ** 2 for w, p in zip(weights, points, strict=True)),
                   Fraction(0))
    return Moments(mean, variance, weights)


def cv_squared(points: Sequence[Point], weighted: bool = True) -> Fraction | None:
    """CV² = S² / X̄², exactly; None when the mean is 0 (the CV is undefined)."""
    m = moments(points, weighted)
    if m.mean == 0:
        return None
    return m.variance / m.mean**2


def exact_sqrt(q: Fraction) -> Fraction | None:
    """√q when it is a fraction (numerator and denominator perfect squares), else None."""
    if q < 0:
        raise ValueError("negative")
    n, d = math.isqrt(q.numerator), math.isqrt(q.denominator)
    return Fraction(n, d) if n * n == q.numerator and d * d == q.denominator else None


def sqrt_bounds(q: Fraction, digits: int) -> tuple[Fraction, Fraction]:
    """lo ≤ √q ≤ hi with hi − lo ≤ 10^−digits (lo = hi when the root is exact)."""
    exact = exact_sqrt(q)
    if exact is not None:
        return exact, exact
    scale = 10**digits
    s = math.isqrt(q.numerator * scale * scale // q.denominator)
    return Fraction(s, scale), Fraction(s + 1, scale)


def sqrt_value(q: Fraction, digits: int = REPORT_DIGITS) -> Fraction:
    """√q, exact when rational, else its lower bound at ``digits`` decimals (for reporting)."""
    return sqrt_bounds(q, digits)[0]


def compare_mean_of_roots(squares: Sequence[Fraction], limit: Fraction) -> int:
    """The sign of mean(√q_i) − limit, decided exactly (see the module docstring)."""
    if not squares:
        raise ValueError("no values")
    roots = [exact_sqrt(q) for q in squares]
    if all(r is not None for r in roots):
        diff = sum((r for r in roots if r is not None), Fraction(0)) / len(roots) - limit
        return (diff > 0) - (diff < 0)
    digits = 30
    target = limit * len(squares)
    while digits <= _MAX_DIGITS:
        bounds = [sqrt_bounds(q, digits) for q in squares]
        lo = sum((b[0] for b in bounds), Fraction(0))
        hi = sum((b[1] for b in bounds), Fraction(0))
        if lo > target:
            return 1
        if hi < target:
            return -1
        digits *= 2
    raise ArithmeticError("composite CV too close to the limit to separate")  # pragma: no cover


@dataclass(frozen=True)
class Driver:
    """One school's part in an indicator's CV."""

    key: str
    value: Fraction
    weight: Fraction
    share_of_variance: Fraction | None
    """(P_i / P)(X_i − X̄)² ÷ S²: how much of the (weighted) variance this school causes."""


def drivers(points: Sequence[Point], weighted: bool = True) -> tuple[Driver, ...]:
    """Each school's share of the variance, largest first."""
    m = moments(points, weighted)
    out = [
        Driver(p.key, p.value, w,
               None if m.variance == 0 else w * (p.value - m.mean) ** 2 / m.variance)
        for w, p in zip(m.weights, points, strict=True)
    ]
    return tuple(sorted(out, key=lambda d: (-(d.share_of_variance or 0), d.key)))


def with_value(points: Sequence[Point], key: str, value: Fraction) -> list[Point]:
    """The points with one school's per-student value set to ``value`` (its total rescaled)."""
    return [Point(p.key, p.weight, value * p.weight) if p.key == key else p for p in points]


def lowest(points: Sequence[Point]) -> Point:
    """The school with the lowest per-student value (ties: the first by key)."""
    return min(points, key=lambda p: (p.value, p.key))

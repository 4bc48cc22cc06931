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
from functools import cached_property

REPORT_DIGITS = 40
_MAX_DIGITS = 4000


@dataclass(frozen=True)
class Point:
    """One school section of one level: its enrolment (weight) and its raw total."""

    key: str
    weight: Fraction
    total: Fraction

    @cached_property
    def value(self) -> Fraction:
        """The per-student value X_i = x_i / P_i."""
        return self.total / self.weight

    @classmethod
    def of(cls, key: str, weight: Fraction, value: Fraction) -> Point:
        """The point of a school whose per-student value is known (its total is value × weight)."""
        point = cls(key, weight, value * weight)
        point.__dict__["value"] = value  # what the cached property would compute: total ÷ weight
        return point


@dataclass(frozen=True)
class Moments:
    mean: Fraction
    variance: Fraction
    weights: tuple[Fraction, ...]
    """Each point's weight in the variance: P_i / P (weighted) or 1 / n (unweighted)."""


class _Sums:
    """The moments of one set of points in exact integers (one pass, one Fraction per result).

    Weights become integers q_i (the weights times the lcm of their denominators, or 1 each when
    unweighted: the shares q_i / Q are unchanged), the per-student values integers n_i over their
    common denominator L (X_i = n_i / L). With Q = Σ q_i, m = Σ q_i n_i and d_i = Q n_i − m:
    X̄ = m / (Q L), S² = Σ q_i d_i² / (Q³ L²), CV² = V / (Q m²) with V = Σ q_i d_i², and school i's
    share of the variance q_i d_i² / V — the same fractions as the definitions, without a gcd per step."""

    __slots__ = ("l", "m", "q", "qs", "sq", "v", "values")

    def __init__(self, points: Sequence[Point], weighted: bool) -> None:
        if not points:
            raise ValueError("no schools")
        if any(p.weight.numerator <= 0 for p in points):  # a Fraction's denominator is positive
            raise ValueError("every school needs a positive enrolment")
        self.values = [p.value for p in points]
        if weighted:
            scale = math.lcm(*(p.weight.denominator for p in points))
            self.qs = [p.weight.numerator * (scale // p.weight.denominator) for p in points]
        else:
            self.qs = [1] * len(points)
        self.l = math.lcm(*(v.denominator for v in self.values))
        ns = [v.numerator * (self.l // v.denominator) for v in self.values]
        self.q = sum(self.qs)
        self.m = sum(q * n for q, n in zip(self.qs, ns, strict=True))
        self.sq = [q * (self.q * n - self.m) ** 2 for q, n in zip(self.qs, ns, strict=True)]
        self.v = sum(self.sq)

    @property
    def mean(self) -> Fraction:
        return Fraction(self.m, self.q * self.l)

    @property
    def variance(self) -> Fraction:
        return Fraction(self.v, self.q**3 * self.l**2)

    @property
    def cv_squared(self) -> Fraction | None:
        return None if self.m == 0 else Fraction(self.v, self.q * self.m * self.m)


def moments(points: Sequence[Point], weighted: bool = True) -> Moments:
    """Exact mean and variance of the per-student values."""
    s = _Sums(points, weighted)
    return Moments(s.mean, s.variance, tuple(Fraction(q, s.q) for q in s.qs))


def cv_squared(points: Sequence[Point], weighted: bool = True) -> Fraction | None:
    """CV² = S² / X̄², exactly; None when the mean is 0 (the CV is undefined)."""
    return _Sums(points, weighted).cv_squared


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
    return spread(points, weighted)[2]


def spread(points: Sequence[Point], weighted: bool = True,
           ) -> tuple[Fraction, Fraction | None, tuple[Driver, ...]]:
    """X̄, CV² (None when X̄ is 0) and the drivers (:func:`drivers`) from one pass over the points."""
    s = _Sums(points, weighted)
    order = sorted(range(len(points)), key=lambda i: (-s.sq[i], points[i].key))  # share_i = sq_i / V
    out = tuple(Driver(points[i].key, s.values[i], Fraction(s.qs[i], s.q),
                       None if s.v == 0 else Fraction(s.sq[i], s.v)) for i in order)
    return s.mean, s.cv_squared, out


def with_value(points: Sequence[Point], key: str, value: Fraction) -> list[Point]:
    """The points with one school's per-student value set to ``value`` (its total rescaled)."""
    return [Point(p.key, p.weight, value * p.weight) if p.key == key else p for p in points]


def lowest(points: Sequence[Point]) -> Point:
    """The school with the lowest per-student value (ties: the first by key)."""
    return min(points, key=lambda p: (p.value, p.key))

"""Exact number helpers: rounding fractions up to a resolution, and decimal text for people."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

_new = object.__new__


def _fraction(numerator: int, denominator: int) -> Fraction:
    if not denominator:
        raise ZeroDivisionError(f"Fraction({numerator}, 0)")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    g = math.gcd(numerator, denominator)
    f = _new(Fraction)
    f._numerator = numerator // g  # type: ignore[attr-defined]
    f._denominator = denominator // g  # type: ignore[attr-defined]
    return f


def _works() -> bool:
    try:
        probes = [(6, -4), (0, 7), (-9, 3), (10**30 + 1, 10**20)]
        return all(_fraction(n, d) == Fraction(n, d) and hash(_fraction(n, d)) == hash(Fraction(n, d))
                   and str(_fraction(n, d)) == str(Fraction(n, d)) for n, d in probes)
    except (AttributeError, TypeError):
        return False


def fraction(numerator: int, denominator: int) -> Fraction:
    """numerator ÷ denominator as an exact :class:`Fraction` (the same value, normalised), built
    in a third of ``Fraction(n, d)``'s time by skipping its type dispatch: the evaluation builds
    ~20 per school section. Falls back to ``Fraction(n, d)`` if this Python's Fraction does not keep
    its value in the two slots it has kept them in since 3.0 (checked on import)."""
    return Fraction(numerator, denominator)


if _works():
    fraction = _fraction


def ceil_to(value: Fraction, step: Fraction) -> Fraction:
    """The smallest multiple of ``step`` that is ≥ ``value``."""
    return Fraction(math.ceil(value / step)) * step


def floor_to(value: Fraction, step: Fraction) -> Fraction:
    """The largest multiple of ``step`` that is ≤ ``value``."""
    return Fraction(math.floor(value / step)) * step


def _scaled_half_up(value: Fraction, places: int) -> int:
    """round(value × 10^places), halves away from zero, in integer arithmetic (exact, fast)."""
    num, den = value.numerator, value.denominator
    scaled: int = abs(num) * 10**places
    rounded = (2 * scaled + den) // (2 * den)
    return -rounded if num < 0 else rounded


def to_decimal(value: Fraction, places: int) -> Decimal:
    """Round half up to ``places`` decimals (as people round by hand): 0.125 → 0.13."""
    return Decimal(_scaled_half_up(value, places)).scaleb(-places)


def decimal_text(value: Fraction, places: int | None = None) -> str:
    """Plain decimal text without trailing zeros: 4.5, 1353.45, 0.0663, 2000.

    By default values below 1 keep 4 decimals (teachers per student) and others 2.
    """
    if places is None:
        places = 4 if abs(value.numerator) < value.denominator else 2
    rounded = _scaled_half_up(value, places)
    digits = str(abs(rounded)).rjust(places + 1, "0")
    whole, frac = (digits[:-places], digits[-places:].rstrip("0")) if places else (digits, "")
    if rounded == 0:
        return "0"
    sign = "-" if rounded < 0 else ""
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def percent_text(value: Fraction, places: int = 1) -> str:
    """A ratio as a percentage: 17/20 → '85%'."""
    return decimal_text(value * 100, places) + "%"


def json_number(value: Fraction, places: int = 6) -> int | float:
    """A JSON number for a fraction: an int when whole, else rounded to ``places`` decimals.

    The float is the one nearest to the rounded decimal (``float(to_decimal(value, places))``),
    computed without Decimal: ``int / int`` is correctly rounded in Python. Called for every
    number of every document, so written out in full."""
    den = value.denominator
    if den == 1:
        return value.numerator
    num = value.numerator
    scale: int = 10**places
    try:
        if num >= 0:
            return (2 * scale * num + den) // (2 * den) / scale
        return -((2 * scale * -num + den) // (2 * den)) / scale  # halves away from zero; −0 → 0.0
    except OverflowError:  # beyond a float's range: as Decimal converts it (±inf)
        return float(to_decimal(value, places))

"""Exact number helpers: rounding fractions up to a resolution, and decimal text for people."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction


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
    computed without Decimal: ``int / int`` is correctly rounded in Python."""
    num, den = value.numerator, value.denominator
    if den == 1:
        return num
    scale: int = 10**places
    rounded = (2 * abs(num) * scale + den) // (2 * den)
    try:
        return (-rounded if num < 0 else rounded) / scale
    except OverflowError:  # beyond a float's range: as Decimal converts it (±inf)
        return float(to_decimal(value, places))

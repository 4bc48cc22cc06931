"""Exact number helpers: rounding fractions up to a resolution, and decimal text for people."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction


def ceil_to(value: Fraction, step: Fraction) -> Fraction:
    """The smallest multiple of ``step`` that is ≥ ``value``."""
    return Fraction(math.ceil(value / step)) * step


def floor_to(value: Fraction, step: Fraction) -> Fraction:
    """The largest multiple of ``step`` that is ≤ ``value``."""
    return Fraction(math.floor(value / step)) * step


def to_decimal(value: Fraction, places: int) -> Decimal:
    """Round half up to ``places`` decimals (as people round by hand)."""
    quantum = Decimal(1).scaleb(-places)
    with localcontext() as ctx:
        ctx.prec = max(60, len(str(abs(value.numerator))) + places + 5)
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(quantum, rounding=ROUND_HALF_UP)


def decimal_text(value: Fraction, places: int | None = None) -> str:
    """Plain decimal text without trailing zeros: 4.5, 1353.45, 0.0663, 2000.

    By default values below 1 keep 4 decimals (teachers per student) and others 2.
    """
    if places is None:
        places = 4 if abs(value) < 1 else 2
    text = format(to_decimal(value, places), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent_text(value: Fraction, places: int = 1) -> str:
    """A ratio as a percentage: 17/20 → '85%'."""
    return decimal_text(value * 100, places) + "%"


def json_number(value: Fraction, places: int = 6) -> int | float:
    """A JSON number for a fraction: an int when whole, else rounded to ``places`` decimals."""
    if value.denominator == 1:
        return int(value)
    return float(to_decimal(value, places))

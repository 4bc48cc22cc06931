"""The number policy (数字格式): how every renderer prints a number of the trace.

One module, used by the table, JSON ``explanation``, XLSX, HTML and the letter alike. It follows
how the official forms print (written down in the README, "Numbers"):

* indicator values (生均…, 每百名学生…, 生师比) — 2 decimals, zeros kept (3.45, 0.96, 1.40), as in 表Ⅱ;
* 差异系数 — 3 decimals (0.515); their limits 2 decimals (0.50, 0.45), as in 表Ⅲ;
* ratios and attainment — percentages to 1 decimal (32.3%, 85.0%);
* money — 元 to 2 decimals at most; 10 000 元 and more in 万元 to 2 decimals (67.40万元);
* people, rooms, books, computers, classes — whole units;
* other quantities (m²) — at most 2 decimals, trailing zeros dropped (3026.2平方米).

A rounded value that would print equal to its requirement while the verdict says otherwise is
printed with the digits that tell them apart and "…" (0.8999…), and the sentence says "略低于"
(:func:`distinct`): no sentence may look self-contradicting. JSON keeps exact numbers.
"""

from __future__ import annotations

from fractions import Fraction

from junheng.engine.numbers import _scaled_half_up as scaled_half_up  # the exact integer rounding
from junheng.engine.numbers import decimal_text, to_decimal
from junheng.policy.units import UNITS, unit

INDICATOR_PLACES = 2
CV_PLACES = 3
LIMIT_PLACES = 2
PERCENT_PLACES = 1
QUANTITY_PLACES = 2
WAN = 10_000
"""Sums of money from this many 元 up are printed in 万元."""

PERCENT_UNITS = frozenset({"ratio", "percent_of_teachers"})
AMOUNT_UNITS = frozenset({"m2", "yuan"})
"""Indicators that are amounts (a school's whole area), printed like quantities, not as rates."""
DECIMAL_RATIO_FACTS = frozenset({"quality_monitoring_between_school_ratio"})
"""County facts the document states as a decimal (校际差异率 < 0.15), printed as written."""

_SINGULAR = {"persons": "person", "items": "item", "classes": "class", "rooms": "room",
             "computers": "computer", "volumes": "volume", "points": "point"}


def fixed(value: Fraction, places: int) -> str:
    """Half-up rounding to exactly ``places`` decimals, zeros kept: 1.4 → '1.40'.

    Integer digits (the text ``to_decimal(value, places)`` formats to, without building the
    Decimal: every renderer calls this for every number it prints)."""
    return _point(scaled_half_up(value, places), places)


def _point(rounded: int, places: int) -> str:
    """The integer ``rounded`` (a value × 10^places) as decimal text with ``places`` decimals."""
    digits = str(-rounded if rounded < 0 else rounded)
    if places:
        digits = digits.rjust(places + 1, "0")
        digits = f"{digits[:-places]}.{digits[-places:]}"
    return "-" + digits if rounded < 0 else digits


def trimmed(value: Fraction, places: int = QUANTITY_PLACES) -> str:
    """Half-up rounding to at most ``places`` decimals, trailing zeros dropped: 3026.20 → '3026.2'."""
    return decimal_text(value, places)


def whole(value: Fraction) -> str:
    return decimal_text(value, 0)


def indicator(value: Fraction, unit_code: str | None = None) -> str:
    """An indicator value, per its unit: a share of teachers as a percentage, else 2 decimals."""
    if unit_code in PERCENT_UNITS:
        return percent(value)
    if unit_code in UNITS and UNITS[unit_code].integral:
        return whole(value) if value.denominator == 1 else fixed(value, INDICATOR_PLACES)  # 班额52人
    if unit_code in AMOUNT_UNITS:
        return trimmed(value)  # an amount, not a rate: 13247平方米
    return fixed(value, INDICATOR_PLACES)


def cv(value: Fraction) -> str:
    """A 差异系数 as published: 0.515."""
    return fixed(value, CV_PLACES)


def limit(value: Fraction) -> str:
    """A 差异系数 limit as the standard writes it: 0.50, 0.45."""
    return fixed(value, LIMIT_PLACES)


def percent(value: Fraction, places: int = PERCENT_PLACES) -> str:
    """A ratio or attainment as a percentage: 0.3229 → '32.3%'; 0.5 → '50.0%'."""
    return _point(scaled_half_up(value, places + 2), places) + "%"  # value × 100, rounded to places


def percent_as_written(value: Fraction) -> str:
    """A percentage a document states (a requirement, a floor, a tier): as written, 0.85 → '85%'."""
    return trimmed(value * 100, 2) + "%"


def required(value: Fraction, unit_code: str | None, lang: str) -> str:
    """A requirement with its unit: a stated percentage as written (50%), else like an indicator."""
    if unit_code in PERCENT_UNITS:
        return percent_as_written(value)
    return measured(value, unit_code, lang)


def percent_points(value: Fraction) -> str:
    """A difference of two ratios in percentage points (without the word): 0.177 → '17.7'."""
    return _point(scaled_half_up(value, PERCENT_PLACES + 2), PERCENT_PLACES)


def money(value: Fraction, lang: str) -> str:
    """元, or 万元 from 10 000 元: 674000 → '67.40万元' / '674,000 yuan'."""
    if lang != "zh":
        return f"{float(to_decimal(value, 2)):,.2f}".removesuffix(".00") + " yuan"
    if abs(value) >= WAN:
        return fixed(value / WAN, 2) + "万元"
    return trimmed(value) + "元"


def quantity(value: Fraction, unit_code: str | None, lang: str) -> str:
    """An amount of a resource with its unit: whole units for people/rooms/books, money per
    :func:`money`, percentages for ratios, at most 2 decimals otherwise."""
    if unit_code is None or unit_code in ("text", "bool", "count"):
        return whole(value) if value.denominator == 1 else trimmed(value)
    if unit_code == "yuan":
        return money(value, lang)
    if unit_code in PERCENT_UNITS:
        return percent(value)
    u = unit(unit_code)
    text = whole(value) if u.integral else trimmed(value)
    label = u.label(lang)
    if lang == "zh":
        return text + label
    if label in _SINGULAR and text == "1":
        label = _SINGULAR[label]
    return f"{text} {label}".strip()


def with_unit(text: str, unit_code: str | None, lang: str) -> str:
    """A number's text followed by an indicator unit ('3.45平方米/生', '1.00 teachers per 100 students')."""
    if unit_code is None or unit_code in ("count", "points", "text") or unit_code in PERCENT_UNITS:
        return text
    label = unit(unit_code).label(lang)
    if not label:
        return text
    return text + label if lang == "zh" else f"{text} {label}"


def measured(value: Fraction, unit_code: str | None, lang: str) -> str:
    """An indicator value with its unit, under the policy (2 decimals, or a percentage)."""
    return with_unit(indicator(value, unit_code), unit_code, lang)


def rounds_to_zero(value: Fraction, unit_code: str | None) -> bool:
    """True when a non-zero gap would print as 0 (0.00, 0.0 percentage points)."""
    if unit_code in PERCENT_UNITS:
        return scaled_half_up(value, PERCENT_PLACES + 2) == 0  # value × 100 to PERCENT_PLACES
    return scaled_half_up(value, INDICATOR_PLACES) == 0


def distinct(actual: Fraction, required: Fraction, unit_code: str | None) -> tuple[str, str] | None:
    """When ``actual`` ≠ ``required`` but both print alike under the policy, the texts that tell
    them apart: actual cut (not rounded) to the first decimal that differs, with '…' (0.899965 →
    0.8999…), and the requirement as written (0.9). None when the plain texts already differ."""
    if actual == required:
        return None
    if indicator(actual, unit_code) != indicator(required, unit_code):
        return None
    scale = Fraction(100) if unit_code in PERCENT_UNITS else Fraction(1)
    a, r = actual * scale, required * scale
    for places in range(INDICATOR_PLACES + 2, 14):
        step = Fraction(1, 10**places)
        cut = (a // step) * step  # ≤ a: below r when a < r, above r once enough digits are kept
        if cut != r and (cut < r) == (a < r):
            suffix = "%" if unit_code in PERCENT_UNITS else ""
            more = "…" if cut != a else ""  # digits cut off, or the exact value
            return decimal_text(cut, places) + more + suffix, decimal_text(r, places) + suffix
    return None

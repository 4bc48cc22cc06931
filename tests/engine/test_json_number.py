"""``json_number``: whole fractions as ints, others as the float nearest to the value rounded half
up to 6 decimals — computed in integer arithmetic, the same float the Decimal route gives."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from junheng.engine.numbers import json_number, to_decimal


@settings(max_examples=2000, deadline=None)
@given(st.fractions(max_denominator=10**9) | st.fractions())
def test_json_number_is_the_decimal_route(value: Fraction) -> None:
    got = json_number(value)
    if value.denominator == 1:
        assert type(got) is int and got == value
    else:
        assert type(got) is float and got == float(to_decimal(value, 6))


def test_json_number_by_hand() -> None:
    assert json_number(Fraction(4450, 1289)) == 3.452289  # 4450/1289 = 3.4522886… → 3.452289
    assert json_number(Fraction(1, 8_000_000)) == 0.0  # 0.000000125 rounds to 0
    assert json_number(Fraction(-1, 2_000_000)) == -1e-06  # −0.0000005: half away from zero
    assert json_number(Fraction(-1, 3_000_000)) == 0.0  # −0.00000033… → 0 (never −0.0)
    assert str(json_number(Fraction(-1, 3_000_000))) == "0.0"
    assert json_number(Fraction(3026)) == 3026 and type(json_number(Fraction(3026))) is int

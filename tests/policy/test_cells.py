"""Cell parsing: every accepted and every rejected form, exact values, recorded conversions."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from junheng.policy.cells import CellError, ParsedNumber, parse_boolean, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1289", Fraction(1289)),
        ("1,289", Fraction(1289)),
        ("１２８９", Fraction(1289)),
        ("3。45", Fraction(345, 100)),
        ("36447。46", Fraction(3644746, 100)),
        (" 4450平方米 ", Fraction(4450)),
        ("4450 m²", Fraction(4450)),
        ("4450㎡", Fraction(4450)),
        ("4450 M2", Fraction(4450)),
        ("140.8万元", Fraction(1408000)),
        ("140.8万", Fraction(1408000)),
        ("85%", Fraction(17, 20)),
        ("８５％", Fraction(17, 20)),
        ("1.2e3", Fraction(1200)),
        ("-5", Fraction(-5)),
        ("−5", Fraction(-5)),  # U+2212 minus sign
        ("+5", Fraction(5)),
        ("1,289.5万", Fraction(12895000)),
        ("0.9", Fraction(9, 10)),
        ("0.1", Fraction(1, 10)),  # exact: no binary float involved
        (".5", Fraction(1, 2)),
        ("1041人", Fraction(1041)),
        ("49个班", Fraction(49)),
        ("23146册", Fraction(23146)),
        ("146台", Fraction(146)),
        ("1,408,000元", Fraction(1408000)),
        ("1.5亿", Fraction(150_000_000)),
        ("１，２８９．５", Fraction(2579, 2)),
        ("\u30001289\u3000", Fraction(1289)),  # ideographic spaces around
        ("0", Fraction(0)),
    ],
)
def test_accepted(text: str, value: Fraction) -> None:
    parsed = parse_number(text)
    assert parsed.value == value
    assert isinstance(parsed.value, Fraction)


@pytest.mark.parametrize("text", ["", "  ", "—", "——", "-", "－", "/", "／", "无", "\u3000", "N/A"])
def test_missing(text: str) -> None:
    assert parse_number(text) == ParsedNumber(None)


def test_conversions_are_recorded() -> None:
    assert parse_number("1289").conversions == ()
    assert parse_number("１２８９").conversions == ("full-width digits → ASCII / 全角数字转半角",)
    assert parse_number("1,289").conversions == ("thousands separator removed / 去除千分位",)
    assert parse_number("3。45").conversions == ("。 read as decimal point / 句号按小数点处理",)
    assert parse_number("85%").conversions == ("% ÷100",)
    wan = parse_number("140.8万元")
    assert wan.conversions == ("万 ×10000", "unit 元 stripped / 去除单位")
    assert (wan.unit_text, wan.unit_code, wan.multiplier) == ("元", "yuan", "万")
    assert parse_number("1.2e3").conversions == ("scientific notation expanded / 科学计数法展开",)
    mixed = parse_number("1,289.5万")
    assert mixed.conversions == ("thousands separator removed / 去除千分位", "万 ×10000")


@pytest.mark.parametrize(
    ("text", "unit_text", "unit_code"),
    [
        (" 4450平方米 ", "平方米", "m2"),
        ("4450 m²", "m²", "m2"),
        ("4450㎡", "㎡", "m2"),
        ("1289", None, None),
        ("88台", "台", "computers"),
        ("12 个", "个", "count"),
    ],
)
def test_unit_text(text: str, unit_text: str | None, unit_code: str | None) -> None:
    parsed = parse_number(text)
    assert parsed.unit_text == unit_text
    assert parsed.unit_code == unit_code
    if unit_text is not None:
        assert f"unit {unit_text} stripped / 去除单位" in parsed.conversions


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1,28", "group three digits"),
        ("1,2345", "group three digits"),
        ("1.289,5", "thousands separator"),
        ("1.2.3", "more than one decimal point"),
        ("3。4。5", "more than one decimal point"),
        ("3.4。5", "more than one decimal point"),
        ("12abc", "not a number"),
        ("abc", "not a number"),
        ("NaN", "NaN"),
        ("nan", "NaN"),
        ("inf", "infinity"),
        ("-inf", "infinity"),
        ("Infinity", "infinity"),
        ("∞", "infinity"),
        ("1/2", "fractions"),
        ("12 34", "more than one number"),
        ("10-20", "more than one number"),
        ("1 289", "more than one number"),
        ("85万%", "ambiguous"),
        ("约60000", "approximate"),
        ("60000余", "approximate"),
        ("6万余册", "approximate"),
        ("60000左右", "approximate"),
        ("~60000", "approximate"),
        ("#DIV/0!", "spreadsheet error"),
        ("1２e3", "scientific notation"),
        ("1,200e3", "scientific notation"),
        ("1.2e3万", "scientific notation"),
        ("4450元/生", "not a number"),
        ("(5)", "not a number"),
    ],
)
def test_rejected(text: str, fragment: str) -> None:
    with pytest.raises(CellError) as info:
        parse_number(text)
    assert fragment in info.value.message_en
    assert info.value.message_zh  # always bilingual
    assert isinstance(info.value, ValueError)


def test_approximate_message_says_type_a_number() -> None:
    with pytest.raises(CellError) as info:
        parse_number("约60000")
    assert "type the value as a number" in info.value.message_en
    assert "确切的数值" in info.value.message_zh


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4,
                   min_value=-(10**15) + 1, max_value=10**15 - 1))  # beyond: rejected (cells.MAX_INTEGER_DIGITS)
def test_decimal_text_round_trips_exactly(d: object) -> None:
    text = str(d)
    assert parse_number(text).value == Fraction(text)


@given(st.integers(min_value=0, max_value=10**12))
def test_grouped_integers(n: int) -> None:
    assert parse_number(f"{n:,}").value == n
    assert parse_number(str(n)).value == n


# --- yes/no facts (rural_small_school; the county's 是/否 items): one parser, policy/cells.py ----


@pytest.mark.parametrize("written", ["是", "1", "√", "✓", "✔", "true", "TRUE", "yes", "Y", "y", "１", 1, True,
                                     "1.0"])
def test_yes_forms(written: object) -> None:
    assert parse_boolean(written) == 1


@pytest.mark.parametrize("written", ["否", "0", "×", "✗", "✘", "x", "X", "false", "no", "N", "n", 0, False])
def test_no_forms(written: object) -> None:
    assert parse_boolean(written) == 0


@pytest.mark.parametrize("written", ["", " ", "—", "无", "/", None])
def test_blank_and_missing_marks_are_missing_not_no(written: object) -> None:
    assert parse_boolean(written) is None


@pytest.mark.parametrize("written", ["2", "有", "是的", "yes!", "0.5", 2, "对", "农村"])
def test_anything_else_is_an_error_in_both_languages(written: object) -> None:
    with pytest.raises(CellError) as err:
        parse_boolean(written)
    assert f"“{written}”不是是/否" in err.value.message_zh and "是/否" in err.value.message_zh
    assert f"{written!r} is not yes/no" in err.value.message_en

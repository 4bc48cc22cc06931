"""The reader's fast path for plain cells (issue 12 item 1) changes nothing a caller can see.

* :func:`plain_number` reads a plain cell (``"2718"``, ``" 17232.12 "``) to the value
  :func:`parse_number` gives it, with no conversion recorded; every other text is left to
  ``parse_number`` (None).
* A whole file read with the fast path and without it (``FAST_CELLS`` off: every cell through
  ``parse_number`` and every section validated by pydantic) gives equal batches: the same sections,
  values, issues (file, sheet, row, column, value, zh and en), rejected rows and unused columns —
  for generated cells of every shape, a generated national-style file and the workbooks of the
  reader tests.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_workbook_layouts import shenbao_workbook
from test_xlsx_reader import county_workbook

from junheng.policy.cells import CellError, ParsedNumber, parse_number, plain_number
from junheng.policy.inputs import FactsBatch
from junheng.policy.readers import FAST_CELLS, read_facts_text
from junheng.policy.xlsx_reader import read_xlsx_bytes

F = Fraction

_DIGITS = st.text(alphabet="0123456789", min_size=0, max_size=18)
_SPACE = st.sampled_from(["", " ", "  ", "\t", "\u3000", "\u00a0", "\n"])
_AFFIX = st.sampled_from([
    "", "", "", "-", "+", "−", "万", "万元", "亿", "元", "%", "％", "平方米", "㎡", " m²", "人", "个班", "e3",
    "E-2", "是", "否", "约", "左右", "余", "/2", "abc", "#DIV/0!", "。", ",", ".", "..", "1/2", "NaN", "∞",
])


@st.composite
def cell_texts(draw: st.DrawFn) -> str:
    """Cell texts of every shape: plain integers and decimals (short, long, with leading zeros,
    at and beyond the 15-digit / 12-place bounds), thousands separators, full-width digits, an
    ideographic point, units, 万/亿, percent, signs, exponents, words, and arbitrary text."""
    kind = draw(st.integers(0, 5))
    if kind == 5:
        return draw(st.text(max_size=20))
    whole = draw(_DIGITS)
    places = draw(st.one_of(st.none(), _DIGITS))
    number = whole if places is None else f"{whole}{draw(st.sampled_from(['.', '.', '。']))}{places}"
    if kind == 1 and len(whole) > 3:  # thousands separators, right or wrong
        cut = draw(st.integers(1, len(whole) - 1))
        number = f"{whole[:cut]},{number[cut:]}"
    if kind == 2:  # full-width digits
        number = number.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    prefix = draw(_AFFIX) if kind == 3 else ""
    suffix = draw(_AFFIX) if kind in (3, 4) else ""
    return f"{draw(_SPACE)}{prefix}{number}{suffix}{draw(_SPACE)}"


def _general(text: str) -> ParsedNumber | tuple[str, str]:
    try:
        return parse_number(text)
    except CellError as exc:
        return (exc.message_zh, exc.message_en)


@pytest.mark.parametrize(("text", "value"), [
    ("2718", F(2718)),                      # the synthetic national file's cells
    ("17232.12", F(1723212, 100)),
    (" 7691940 ", F(7691940)),
    ("0", F(0)),
    ("0.50", F(1, 2)),
    ("007", F(7)),
    ("999999999999999", F(10**15 - 1)),    # 15 integer digits: the largest accepted
    ("1.000000000001", F(10**12 + 1, 10**12)),  # 12 places
])
def test_plain_cells_take_the_fast_path(text: str, value: Fraction) -> None:
    assert plain_number(text) == value
    assert parse_number(text) == ParsedNumber(value)


@pytest.mark.parametrize("text", [
    "", "  ", "-", "—", "1,289", "１２８９", "3。45", "140.8万元", "85%", "4450平方米", "1.2e3", "-5", "+5",
    ".5", "5.", "1.2.3", "是", "否", "约60000", "1/2", "NaN", "²", "٣", "1_000",
    "1000000000000000",                     # 16 digits: too large, parse_number says so
    "0.0000000000001",                      # 13 places: too many, parse_number says so
])
def test_unusual_cells_take_the_general_path(text: str) -> None:
    assert plain_number(text) is None


@settings(max_examples=600, deadline=None)
@given(text=cell_texts())
def test_property_fast_path_agrees_with_the_general_path(text: str) -> None:
    fast = plain_number(text)
    if fast is not None:
        assert _general(text) == ParsedNumber(fast)  # same value, no conversion, unit, 万 or %


# --- whole files: fast path on and off --------------------------------------------------------


def _both(read: Callable[[], FactsBatch]) -> tuple[FactsBatch, FactsBatch]:
    token = FAST_CELLS.set(False)
    try:
        general = read()
    finally:
        FAST_CELLS.reset(token)
    return general, read()


def _assert_same(general: FactsBatch, fast: FactsBatch) -> None:
    assert fast == general
    assert [s.model_dump() for s in fast.sections] == [s.model_dump() for s in general.sections]
    assert [s.model_fields_set for s in fast.sections] == [s.model_fields_set for s in general.sections]
    assert fast.issues == general.issues and fast.rejected == general.rejected


HEADER = ["school_id", "school_name", "level", "students", "teachers", "teachers_above_required_degree",
          "backbone_teachers", "pe_art_teachers", "multimedia_classrooms", "teaching_aux_area_m2",
          "sports_area_m2", "equipment_value_yuan", "classes", "校舍建筑面积(万平方米)", "生均图书(册)", "随迁子女占比",
          "rural_small_school", "学年", "备注"]
"""Canonical and Chinese headers, a 万 column, a per-student column, a ratio, a 0/1 flag, a label, remarks."""


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _national_rows(n: int, seed: int) -> list[list[str]]:
    """A file like the synthetic national one (plain integers and two-place decimals), with every
    fifth cell of a few rows replaced by an unusual one."""
    rng = random.Random(seed)
    odd = ["1,289", "１２８９", "2.5", "-3", "85%", "140.8万元", "约60", "是", "", "—", "4450平方米", "1e3",
           "1000000000000000", "0.0000000000001", " 12 ", "12 34", "3。5"]
    rows = []
    for i in range(n):
        students = rng.randint(50, 3000)
        teachers = max(5, students * rng.randint(55, 90) // 1000)
        row = [f"S{i:05d}" if i % 97 else "S00000", f"学校{i}", rng.choice(["primary", "junior", "小学", "初中"]),
               str(students), str(teachers), str(teachers * 3 // 4), str(students // 100), str(students // 90),
               str(students // 40), f"{students * rng.randint(400, 900) / 100:.2f}",
               f"{students * rng.randint(500, 1200) / 100:.2f}", str(students * rng.randint(1500, 3000)),
               str(max(1, students // 45)), f"{rng.randint(1, 9999) / 100:.2f}", f"{rng.randint(10, 60)}",
               rng.choice(["0.25", "30%", "0"]), rng.choice(["0", "1"]), "2024", ""]
        if i % 7 == 3:
            row[rng.randint(3, 16)] = rng.choice(odd)
        rows.append(row)
    return rows


def test_a_generated_national_file_reads_the_same_on_both_paths() -> None:
    text = _csv(_national_rows(400, seed=12))
    general, fast = _both(lambda: read_facts_text(text, "csv", "national.csv"))
    assert len(general.sections) > 300 and general.errors  # good rows and rejected ones
    _assert_same(general, fast)


@settings(max_examples=40, deadline=None)
@given(cells=st.lists(st.lists(cell_texts(), min_size=14, max_size=14), min_size=1, max_size=6))
def test_property_generated_cells_read_the_same_on_both_paths(cells: list[list[str]]) -> None:
    rows = [[f"S{i}", f"学校{i}", "小学", *row, "2024", ""] for i, row in enumerate(cells)]
    text = _csv(rows)
    _assert_same(*_both(lambda: read_facts_text(text, "csv", "cells.csv")))


@pytest.mark.parametrize("workbook", [shenbao_workbook, county_workbook])
def test_the_reader_test_workbooks_read_the_same_on_both_paths(workbook: Callable[[], object]) -> None:
    import openpyxl

    book = workbook()
    assert isinstance(book, openpyxl.Workbook)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    general, fast = _both(lambda: read_xlsx_bytes(data, "book.xlsx"))
    assert general.sections and general.issues
    _assert_same(general, fast)


def test_json_and_yaml_records_read_the_same_on_both_paths() -> None:
    records = '[{"school_id": "A", "level": "小学", "students": "1,289", "teachers": 80, "pe_art_teachers": "8"},' \
              ' {"school_id": "B", "level": "初中", "students": " 900 ", "teachers": "2.5"}]'
    _assert_same(*_both(lambda: read_facts_text(records, "json", "r.json")))
    yaml_text = "- {school_id: A, level: 小学, students: 1289, teachers: 80.0, sports_area_m2: '7,000'}\n"
    _assert_same(*_both(lambda: read_facts_text(yaml_text, "yaml", "r.yaml")))


_STORED = st.one_of(
    st.integers(min_value=-10, max_value=10**16),                        # past the 15-digit bound too
    st.integers(0, 14).flatmap(lambda places: st.decimals(
        min_value=-1, max_value=10**16, places=places, allow_nan=False, allow_infinity=False)),
    st.sampled_from([Decimal(t) for t in ("-0.0", "0.0", "1E+3", "2.50", "1E-13", "0.000000000001")]),
    cell_texts(),                                                        # a text cell among them
)


@settings(max_examples=60, deadline=None)
@given(cells=st.lists(st.lists(_STORED, min_size=4, max_size=4), min_size=1, max_size=6))
def test_property_stored_numbers_read_the_same_on_both_paths(cells: list[list[object]]) -> None:
    """Numbers as a JSON file (or a workbook) stores them — integers, exact decimals, negative zero,
    out-of-bounds magnitudes — through the fast path and the general path: equal batches."""
    import json

    def literal(value: object) -> str:
        return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)

    facts = ("students", "teachers", "sports_area_m2", "equipment_value_yuan")
    records = ",".join(
        "{" + f'"school_id": "S{i}", "level": "小学", '
        + ", ".join(f'"{fact}": {literal(v)}' for fact, v in zip(facts, row, strict=True)) + "}"
        for i, row in enumerate(cells))
    text = f"[{records}]"
    _assert_same(*_both(lambda: read_facts_text(text, "json", "stored.json")))

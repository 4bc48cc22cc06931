"""Every hostile input ends in a clear error record (file, part, row/cell, value, zh + en) or a
correct result, within seconds and bounded memory: the reproducers of the hardening attack run."""

from __future__ import annotations

import io
import json
import resource
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest

from junheng.policy import xlsx_limits
from junheng.policy.inputs import FactsBatch
from junheng.policy.readers import MAX_DEPTH, MAX_FIELD_CHARS, MAX_ROWS, read_facts, read_facts_text
from junheng.policy.xlsx_reader import read_xlsx_bytes

HEADER = "学校标识码,学校名称,学段,在校生数"


@pytest.fixture(autouse=True)
def _quick() -> Iterator[None]:
    """Each reproducer ends within 10 s (the memory bound is checked in a subprocess below)."""
    start = time.monotonic()
    yield
    assert time.monotonic() - start < 10


def _errors(batch: FactsBatch) -> list[str]:
    for issue in batch.issues:
        assert issue.message_zh and issue.message_en and issue.file
    return [i.message_en for i in batch.errors]


def _workbook(rows: int = 2) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "小学"
    ws.append(["学校标识码", "学校名称", "在校生数"])
    for i in range(rows):
        ws.append([f"S{i}", f"学校{i}", 100 + i])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _patched(edit: Callable[[str], str], part: str = "xl/worksheets/sheet1.xml",
             level: int = zipfile.ZIP_DEFLATED) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", level) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                data = edit(data.decode()).encode()
            dst.writestr(info.filename, data)
    return out.getvalue()


# --- XLSX -----------------------------------------------------------------------------------------


def test_a_valid_workbook_still_reads() -> None:
    batch = read_xlsx_bytes(_workbook(), "ok.xlsx")
    assert (batch.rows_read, len(batch.sections), _errors(batch)) == (2, 2, [])


def test_one_cell_at_xfd1048576_is_a_clear_error() -> None:
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    batch = read_xlsx_bytes(_patched(lambda x: x.replace("</sheetData>", far)), "far.xlsx")
    [error] = batch.errors
    assert error.sheet == "小学" and "row 1048576" in error.message_en and "第 1048576 行" in error.message_zh


def test_a_bogus_dimension_is_ignored() -> None:
    data = _patched(lambda x: x.replace('<dimension ref="A1:C3" />', '<dimension ref="A1:XFD1048576" />'))
    batch = read_xlsx_bytes(data, "dim.xlsx")
    assert (batch.rows_read, len(batch.sections)) == (2, 2)


def test_a_huge_merged_range_is_refused_before_parsing() -> None:
    merge = '</sheetData><mergeCells count="1"><mergeCell ref="H1:XFD1048576"/></mergeCells>'
    batch = read_xlsx_bytes(_patched(lambda x: x.replace("</sheetData>", merge)), "merge.xlsx")
    [message] = _errors(batch)
    assert "H1:XFD1048576" in message and "merged" in message


def test_a_zip_bomb_is_refused_by_its_ratio() -> None:
    # 40 MB of blanks inside the sheet compresses ~1000:1
    bomb = _patched(lambda x: x.replace("<sheetData>", "<sheetData>" + " " * 40_000_000))
    assert len(bomb) < 200_000
    [message] = _errors(read_xlsx_bytes(bomb, "bomb.xlsx"))
    assert "zip bomb" in message and "xl/worksheets/sheet1.xml" in message


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>',
    '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!doctype x>',
])
def test_entity_bombs_and_xxe_are_refused(doctype: str) -> None:
    data = _patched(lambda x: doctype + x)
    [message] = _errors(read_xlsx_bytes(data, "xxe.xlsx"))
    assert "DOCTYPE/ENTITY" in message and "sheet1.xml" in message


@pytest.mark.parametrize("edit", [
    lambda x: x.replace("</sheetData>", "<row><c"),  # malformed XML
    lambda x: x.replace('<c r="A1"', '<c r="A1" s="oops"', 1),  # a bad attribute value
    lambda x: x.replace('<c r="A1"', '<c r="1A"', 1),  # a bad cell reference
])
def test_damaged_sheet_xml_is_a_clear_error(edit: Callable[[str], str]) -> None:
    [message] = _errors(read_xlsx_bytes(_patched(edit), "bad.xlsx"))
    assert "cannot be read" in message or "cannot open" in message


def test_too_many_cells_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_limits, "MAX_CELLS", 5)
    [message] = _errors(read_xlsx_bytes(_workbook(rows=3), "cells.xlsx"))
    assert "more than 5 cells" in message


# --- CSV, JSON, YAML --------------------------------------------------------------------------


def test_duplicate_header_is_an_error() -> None:
    batch = read_facts_text(f"{HEADER},在校生数\nA,甲,小学,100,5\n", "csv", "dup.csv")
    [message] = _errors(batch)
    assert "在校生数" in message and batch.sections == []


def test_unterminated_quote_is_an_error_and_keeps_the_rows_before() -> None:
    text = f'{HEADER}\nA,甲,小学,100\nB,"乙,小学,200\nC,丙,小学,300\n'
    batch = read_facts_text(text, "csv", "quote.csv")
    assert [s.school_id for s in batch.sections] == ["A"]
    [error] = batch.errors
    assert error.row == 3 and "never closed" in error.message_en and "引号没有闭合" in error.message_zh


def test_a_field_over_the_csv_limit_rejects_its_row_only() -> None:
    text = f"{HEADER}\nA,{'x' * 200_000},小学,100\nB,乙,小学,200\n"
    batch = read_facts_text(text, "csv", "long.csv")
    assert [s.school_id for s in batch.sections] == ["B"]
    [error] = batch.errors
    assert error.row == 2 and "cannot be read as CSV" in error.message_en


def test_a_long_cell_is_an_error_with_a_short_value() -> None:
    batch = read_facts_text(f"{HEADER}\nA,{'x' * (MAX_FIELD_CHARS + 1)},小学,100\n", "csv", "long.csv")
    [error] = batch.errors
    assert "too long" in error.message_en and error.value is not None and len(error.value) < 50


def test_the_national_file_fits_the_row_limit() -> None:
    # issue 12: about 200,000 sections (2,900 counties × ~70) in one file, CSV or one XLSX sheet
    from junheng.policy.xlsx_reader import MAX_SHEET_ROWS

    assert MAX_ROWS >= 200_000 and MAX_SHEET_ROWS >= 200_000 + 15


def test_too_many_rows_is_a_clear_error() -> None:
    text = HEADER + "\n" + "A,甲,小学,100\n" * (MAX_ROWS + 5)
    [message] = _errors(read_facts_text(text, "csv", "rows.csv"))
    assert f"more than {MAX_ROWS}" in message


@pytest.mark.parametrize("data", [b"\xff\xfe" + "学校".encode("utf-16-le") + b"\x00",
                                  b"\xff\xfe\x00\xd8a\x00"])
def test_odd_or_broken_utf16_is_a_clear_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes(data)
    [message] = _errors(read_facts(path))
    assert "UTF-16" in message


@pytest.mark.parametrize(("text", "fmt"), [
    ("[" * 100_000, "json"), ('{"a":' * 600 + "1" + "}" * 600, "json"),
    ("- " * 600 + "x", "yaml"), ("[" * 600 + "]" * 600, "yaml"), ("a:\n" + "".join(
        " " * i + "b:\n" for i in range(1, 600)), "yaml"),
])
def test_deep_nesting_is_a_clear_error(text: str, fmt: str) -> None:
    [message] = _errors(read_facts_text(text, fmt, f"deep.{fmt}"))
    assert f"{MAX_DEPTH} levels" in message or "nested" in message


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_megabyte_of_digits_is_rejected_in_linear_time(fmt: str) -> None:
    digits = "1." + "1" * 1_000_000
    record = {"school_id": "A", "level": "primary", "students": "DIGITS"}
    text = (json.dumps([record]) if fmt == "json" else
            "- {school_id: A, level: primary, students: DIGITS}\n").replace('"DIGITS"', digits).replace(
        "DIGITS", digits)
    batch = read_facts_text(text, fmt, f"digits.{fmt}")
    assert batch.sections == [] and len(batch.errors) == 1


def test_decimal_places_cap_holds_past_28_significant_digits() -> None:
    # 13 integer digits + 22 decimals = 35 significant digits: Decimal's 28-digit context used to
    # round the trailing 1 away before the 12-decimal check
    batch = read_facts_text(f"{HEADER}\nA,甲,小学,1000000000000.0000000000000000000001\n", "csv", "p.csv")
    [error] = batch.errors
    assert "decimal places" in error.message_en


def test_control_characters_in_names_are_shown_escaped_with_a_warning() -> None:
    batch = read_facts_text(f'{HEADER}\nA,"\x1b]0;pwned\x07\x1b[2J",小学,100\n', "csv", "esc.csv")
    [section] = batch.sections
    assert section.school_name == "\\x1b]0;pwned\\x07\\x1b[2J"
    assert [i.severity for i in batch.issues if "control" in i.message_en] == ["warning"]


# --- memory: the worst reproducers stay far under 500 MB ----------------------------------------


def test_reproducers_stay_under_500_mb() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    merge = '</sheetData><mergeCells count="1"><mergeCell ref="H1:XFD1048576"/></mergeCells>'
    read_xlsx_bytes(_patched(lambda x: x.replace("</sheetData>", merge)), "merge.xlsx")
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    read_xlsx_bytes(_patched(lambda x: x.replace("</sheetData>", far)), "far.xlsx")
    read_facts_text(HEADER + "\n" + "A,甲,小学,100\n" * 1_000_000, "csv", "rows.csv")
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 500


@pytest.mark.parametrize("data", [b"[" * 100_000, b'{"a":' * 5000 + b"1" + b"}" * 5000, "县".encode("gb18030") * 3])
def test_county_facts_and_costs_files_report_deep_or_undecodable_json(tmp_path: Path, data: bytes) -> None:
    from junheng.policy.costs import CostsFileError, read_costs
    from junheng.policy.county_facts import read_county_facts

    path = tmp_path / "f.json"
    path.write_bytes(data)
    facts = read_county_facts(path)
    assert facts.issues and all(i.message_zh and i.message_en for i in facts.issues)
    with pytest.raises(CostsFileError):
        read_costs(path)

"""Report cells are data, never formulas: hostile names reach every XLSX writer and none of them
comes out as a live formula (``<f>`` in the sheet XML), an error cell, or a crash."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.xlsx_cells import CELL_LIMIT, append, put, workbook_bytes
from junheng.examples import example_path
from junheng.policy.registry import bundled_root

HOSTILE = ["=1+1", '=HYPERLINK("http://x","click")', "@SUM(1)", "-1+2", "+1", "\t=1+1", "\r=1+1", "#N/A",
           "=cmd|' /C calc'!A0", "a\x07b", "\x1b]0;pwned\x07"]
"""Names a spreadsheet would run or re-interpret; the last two hold control characters XML cannot."""

SHOWN = {"a\x07b": "a\\x07b", "\x1b]0;pwned\x07": "\\x1b]0;pwned\\x07", "\r=1+1": "\n=1+1"}
"""What a name reads back as when not as typed: control characters escaped (with a note on the
cell); a carriage return as the line feed every XML parser normalises it to."""


def _sheet_xml(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")}


def _assert_data_only(data: bytes) -> set[str]:
    """No formula and no error cell in any sheet; returns every text value in the workbook."""
    for name, xml in _sheet_xml(data).items():
        assert "<f>" not in xml and "<f " not in xml, name
        assert not re.search(r'<c [^>]*t="e"', xml), name
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)}


def _hostile_csv(tmp_path: Path) -> Path:
    """The demo county with hostile school names, and a hostile value in a figure (a data issue)."""
    with example_path("demo_county.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    for row, name in zip(rows[1:], HOSTILE, strict=False):
        row[1] = name
    rows[1][6] = "=1+1"  # 在校生数: an unreadable figure, reported on the data-issues sheet
    path = tmp_path / "hostile.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def test_helper_writes_every_trigger_as_literal_text() -> None:
    wb = Workbook()
    ws = wb.active
    append(ws, HOSTILE)
    cell = put(ws, 2, 1, "=SUM(A1:A9)")
    ws.cell(row=3, column=1, value="=1+2")  # written past the helper: workbook_bytes still neutralises it
    long = put(ws, 4, 1, "x" * (CELL_LIMIT + 10))
    assert cell.quotePrefix and cell.data_type == "s"
    assert long.comment is not None and len(str(long.value)) == CELL_LIMIT
    data = workbook_bytes(wb)
    texts = _assert_data_only(data)
    assert {SHOWN.get(h, h) for h in HOSTILE} | {"=SUM(A1:A9)", "=1+2"} <= texts  # values kept as typed
    back = openpyxl.load_workbook(io.BytesIO(data)).active
    assert back["J1"].comment is not None and "\\xNN" in back["J1"].comment.text  # the note says why
    assert all(back.cell(row=1, column=i + 1).quotePrefix for i, h in enumerate(HOSTILE) if h[0] in "=+-@\t\r")


@pytest.mark.parametrize("fmt_args", [
    ["evaluate", "--engine", "direct"],
    ["compare", "--ruleset", "anhui/school-2007", "--against", "anhui/school-2018"],
    ["county", "--engine", "direct", "--county-facts", str(example_path("demo_county_facts.yaml"))],
])
def test_reports_from_hostile_names_hold_no_formula(tmp_path: Path, fmt_args: list[str]) -> None:
    source = _hostile_csv(tmp_path)
    out = tmp_path / "report.xlsx"
    command, *options = fmt_args
    result = CliRunner().invoke(app, [command, str(source), *options, "-f", "xlsx", "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    texts = _assert_data_only(out.read_bytes())
    # the demo's other 7 sections carry hostile names 2-8 (the reader trims the tab and CR; the
    # first section, with its =1+1 students, is rejected and shown only on the data-issues sheet)
    assert {SHOWN.get(h, h).strip() for h in HOSTILE[1:8]} <= texts
    assert "=1+1" in texts  # the rejected figure, shown literally on the data-issues sheet


def test_template_from_a_hostile_ruleset_holds_no_formula(tmp_path: Path) -> None:
    text = (bundled_root() / "national" / "quality-2017.yaml").read_text(encoding="utf-8")
    text = text.replace("id: national/quality-2017", "id: test/hostile", 1)
    title = "zh: 县域义务教育优质均衡发展督导评估办法（资源配置·学校）"
    text = text.replace(title, 'zh: "=HYPERLINK(\\"http://x\\",\\"click\\")"', 1)
    ruleset = tmp_path / "hostile.yaml"
    ruleset.write_text(text, encoding="utf-8")
    out = tmp_path / "template.xlsx"
    result = CliRunner().invoke(app, ["template", "--ruleset", str(ruleset), "-o", str(out)])
    assert result.exit_code == 0, result.output
    texts = _assert_data_only(out.read_bytes())
    assert any(t.startswith('=HYPERLINK("http://x","click")') for t in texts)

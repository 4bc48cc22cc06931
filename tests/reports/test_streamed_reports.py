"""Reports written section by section (issue 12 item 4): fed in chunks, the HTML, XLSX and table
writers give the same output as for the whole run at once; a section that brings a new indicator
after earlier rows were written still gives every grid row one cell per indicator; XLSX rows
written in one piece are the XML XlsxWriter writes for them."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import openpyxl
from rich.console import Console

from junheng.cli.html_report import EvaluationHtml, evaluation_html
from junheng.cli.table_output import EvaluationTable, print_evaluation
from junheng.cli.xlsx_cells import FAST_ROWS, Book, CellValue, number_text
from junheng.cli.xlsx_report import FILLS, EvaluationXlsx, evaluation_workbook
from junheng.engine.results import EvaluationRun, Outcome


def _streamed_html(run: EvaluationRun, chunk: int) -> str:
    out = io.StringIO()
    with EvaluationHtml(out, run.envelope, "zh") as html:
        html.write_header()
        for i in range(0, len(run.schools), chunk):
            html.write_sections(run.schools[i:i + chunk])
        html.write_tail()
    return out.getvalue()


def test_html_in_chunks_is_the_whole_report(demo_run: EvaluationRun) -> None:
    whole = evaluation_html(demo_run, "zh")
    assert _streamed_html(demo_run, 1) == whole
    assert _streamed_html(demo_run, 3) == whole


def test_html_grid_row_written_before_a_new_indicator(demo_run: EvaluationRun) -> None:
    """The first section lacks the last indicator (8 in the demo run: 7 indicators and the count gate; it keeps 7): its
    row is spooled before the indicator is seen, and still ends with the empty 8th cell."""
    first = demo_run.schools[0]
    columns = list(dict.fromkeys(r.rule_id for s in demo_run.schools for r in s.results))
    assert len(columns) == 8
    fewer = first.model_copy(update={"results": tuple(r for r in first.results if r.rule_id != columns[-1])})
    others = [s.model_copy(update={"results": tuple(r for r in s.results if r.rule_id != columns[-1])})
              for s in demo_run.schools[1:4]]
    run = demo_run.model_copy(update={"schools": (fewer, *others, *demo_run.schools[4:])})
    html = _streamed_html(run, 2)
    rows = re.findall(r'<tr class="school [a-z]+">.*?</tr>', html)
    assert len(rows) == len(run.schools)
    for row in rows:
        assert row.count('<td class="mark') == 8  # one cell per indicator, every row
    for row in rows[:4]:  # the four sections without the 8th: an empty last cell
        assert re.search(r'<td class="mark"></td><td class="[a-z]+"><b>[^<]+</b></td></tr>$', row)
    assert html == evaluation_html(run, "zh")


def test_html_chunk_that_saw_the_indicators_in_another_order(demo_run: EvaluationRun) -> None:
    """From the third section on, each section lists its results in reverse: the second chunk
    (sections 3–4 with chunks of 2) first sees the indicators in reverse order, and its grid cells
    are put back in the report's column order (the first section's) — as in one chunk."""
    flipped = [s.model_copy(update={"results": s.results[::-1]}) for s in demo_run.schools[2:]]
    run = demo_run.model_copy(update={"schools": (*demo_run.schools[:2], *flipped)})
    whole = evaluation_html(run, "zh")
    assert _streamed_html(run, 2) == whole
    first_row = re.search(r'<tr class="school [a-z]+">.*?</tr>', whole)
    last_row = re.findall(r'<tr class="school [a-z]+">.*?</tr>', whole)[-1]
    assert first_row is not None
    titles = [re.findall(r'title="([^:"]+):', row) for row in (first_row.group(), last_row)]
    assert titles[0] == titles[1] and len(titles[0]) == 8  # the same column order in every row


# --- XLSX ---------------------------------------------------------------------------------------

def _parts(data: bytes) -> dict[str, bytes]:
    """A workbook's parts, without docProps/core.xml (it holds the time of writing)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"}


HOSTILE: list[CellValue] = [
    "=1+1", "@SUM(1)", "-1+2", "+1", "\tx", "\rx", " lead", "trail ", "\u3000全角空格", "a\x01b", "a\x0bb\x7f",
    "line\nbreak", "cr\rinside", "_x0041_", "<r>x</r>", "a & b < c > d \"q\" 'a'", "𝕏 astral", "中文",
    "x" * 40_000, "𝕏" * 20_000, Decimal("1.20"), Decimal("0.0000001"), Decimal("-0.00"), 5, 0, 123456789012345678,
    None, "",
]


def _book(fast: bool) -> bytes:
    """One sheet of every hostile value, with and without formats: through :meth:`Sheet.rows`
    (``fast``) or :meth:`Sheet.append` (XlsxWriter's own calls)."""
    buffer = io.BytesIO()
    book = Book(buffer)
    book.key("fill", pattern=1, bg_color="#FFC7CE")
    book.key("wrap", text_wrap=True, valign="top")
    ws = book.sheet("s")
    ws.append(["head", 1], default=book.fmt(bold=True))
    keys: list[str | None] = [None, "fill", "wrap"]
    rows = [[(keys[(i + j) % 3], v) for j, v in enumerate(HOSTILE[i:] + HOSTILE[:i])] for i in range(len(HOSTILE))]
    if fast:
        ws.rows([[(k, number_text(v)) for k, v in row] for row in rows])
    else:
        for row in rows:
            ws.append([v for _, v in row], {j: book.keyed(k) for j, (k, _) in enumerate(row)})
    ws.append(["after", 2])
    book.close()
    return buffer.getvalue()


def test_rows_in_one_piece_are_what_xlsxwriter_writes() -> None:
    """Sheet XML, styles and notes (comments) the same both ways, for formulas-to-be, whitespace,
    control characters, XlsxWriter's own _xHHHH_ escapes, its rich-string form, over-long text
    (cut with a note), astral characters, numbers and blanks with and without formats."""
    assert FAST_ROWS
    fast, ordinary = _parts(_book(True)), _parts(_book(False))
    assert fast.keys() == ordinary.keys()
    for name in fast:
        assert fast[name] == ordinary[name], name
    sheet = fast["xl/worksheets/sheet1.xml"].decode()
    assert "<f>" not in sheet and 'xml:space="preserve"' in sheet and "_x005F_x0041_" in sheet


def test_xlsx_in_chunks_is_the_whole_workbook(demo_run: EvaluationRun) -> None:
    whole = _parts(evaluation_workbook(demo_run, "zh"))
    for chunk in (1, 3):
        buffer = io.BytesIO()
        book = Book(buffer)
        with EvaluationXlsx(book, demo_run.envelope, "zh") as xlsx:
            xlsx.write_header()
            for i in range(0, len(demo_run.schools), chunk):
                xlsx.write_sections(demo_run.schools[i:i + chunk])
            xlsx.write_tail()
        book.close()
        assert _parts(buffer.getvalue()) == whole


def test_xlsx_rows_by_hand(demo_run: EvaluationRun) -> None:
    """School A's teaching area (4450 m² for 1289 students: 3.45 m²/生 < 5.8, 缺额 3026.2 m²) on
    the junior sheet as numbers, the result filled red; the summary counts the demo's 8 sections."""
    wb = openpyxl.load_workbook(io.BytesIO(evaluation_workbook(demo_run, "zh")))
    summary = wb["汇总"]
    counts = {summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(1, 12)}
    assert counts["学段数"] == 8
    assert counts["达标"] + counts["未达标"] + counts["无法判定"] == 8
    junior = wb["初中"]
    head = [c.value for c in junior[1]]
    rows = [[c for c in row] for row in junior.iter_rows(min_row=2)]
    area = next(r for r in rows if r[4].value == "生均教学及辅助用房面积" and r[10].value is not None
                and float(r[10].value) == 3026.2)
    assert float(area[5].value) == 3.45 and area[8].value == "未达标"
    assert area[8].fill.fgColor.rgb.endswith(FILLS[Outcome.failed])
    assert head[-3:] == ["来源状态", "说明", "依据"] and "得分" not in head  # no points: no points column


# --- the terminal table ---------------------------------------------------------------------------

def test_table_in_chunks_is_the_whole_table(demo_run: EvaluationRun) -> None:
    """Sections printed chunk by chunk, the summary from the counts kept: the same text; the demo's
    8 sections are counted in the summary line (达标 + 未达标 + 无法判定 = 8)."""
    whole = Console(file=io.StringIO(), width=120)
    print_evaluation(demo_run, whole, "zh")
    streamed = Console(file=io.StringIO(), width=120)
    table = EvaluationTable(streamed, demo_run.envelope, "zh")
    table.write_header()
    for i in range(0, len(demo_run.schools), 3):
        table.write_sections(demo_run.schools[i:i + 3])
    table.write_tail()
    text = streamed.file.getvalue()  # type: ignore[attr-defined]
    assert text == whole.file.getvalue()  # type: ignore[attr-defined]
    summary = re.search(r"共(\d+)个学段：达标(\d+)，未达标(\d+)，无法判定(\d+)。", text)
    assert summary is not None and summary.group(1) == "8"
    assert sum(int(summary.group(k)) for k in (2, 3, 4)) == 8

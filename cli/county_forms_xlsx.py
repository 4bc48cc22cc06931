"""The county's application forms as a workbook (``junheng county --format xlsx``).

One sheet per form (:mod:`junheng.cli.county_forms`: 县域结论, 表Ⅱ-1, 表Ⅱ-2, 表Ⅲ, 表Ⅳ, 表Ⅴ), each
laid out to print as the form: title and 填报单位 line on top, the header rows repeated on every
printed page, A4 (the wide forms landscape), fitted to the page width, page numbers in the
footer. Numbers are numbers with the form's number format (indicators ``0.00``, CVs ``0.000``,
shares ``0.0%``), so they print as the form prints them and still sort and sum. Then a 图表 sheet
with native Excel charts (each level's CV per indicator against its limit; the indicators met
per school against the six needed) over their data, and the detail and data-issues sheets.

Every cell goes through :class:`junheng.cli.xlsx_cells.Sheet` (literal text, streamed rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from junheng.cli.county_forms import ChartSeries, Form, FormCell, Forms, Mark, county_forms
from junheng.cli.xlsx_cells import Book, Sheet, write_book
from junheng.cli.xlsx_report import write_detail_sheets
from junheng.engine.county_results import CountyRun
from junheng.engine.results import SchoolResult

__all__ = ["MARK_FILLS", "write_county_forms_xlsx"]

MARK_FILLS: dict[Mark, str] = {Mark.failed: "FFC7CE", Mark.near: "F8CBAD", Mark.unknown: "FFEB9C",
                               Mark.passed: "C6EFCE"}
"""Cell fill per mark: red (not met), amber (not met, at 85% of the requirement or more),
yellow (cannot be decided), green (met)."""

_BAR = {Mark.failed: "#D64532", Mark.passed: "#3A9D57", Mark.unknown: "#D9A400", Mark.near: "#E8833A",
        Mark.none: "#3A9D57"}
_BORDER = {"border": 1, "valign": "vcenter", "font_size": 10}
_A4 = 9


def _cell_format(book: Book, cell: FormCell) -> Any:
    props: dict[str, Any] = dict(_BORDER)
    if cell.num_format:
        props["num_format"] = cell.num_format
    if cell.wrap:
        props["text_wrap"] = True
    if cell.mark in MARK_FILLS:
        props.update(pattern=1, bg_color=f"#{MARK_FILLS[cell.mark]}")
    if cell.number is not None:
        props["align"] = "right"
    return book.fmt(**props)


def _header(ws: Sheet, form: Form) -> None:
    """The header rows: a heading over several columns is merged; one over several header rows
    is drawn as one cell (no border between its parts) — rows are streamed, so a merge may not
    reach a row below the one being written."""
    book = ws.book
    base = {"bold": True, "text_wrap": True, "align": "center", "pattern": 1, "bg_color": "#DDEBF7", **_BORDER}
    fmt = book.fmt(**base)
    top_part = book.fmt(**{**base, "bottom": 0})
    lower_part = book.fmt(**{**base, "top": 0})
    below: dict[tuple[int, int], Any] = {}
    for r, heads in enumerate(form.header):
        row, col = ws.row + r, 0
        for head in heads:
            while (r, col) in below:
                ws.write(row, col, None, below.pop((r, col)))
                col += 1
            if head.cols > 1:
                ws.ws.merge_range(row, col, row, col + head.cols - 1, "", fmt)
            ws.write(row, col, head.text, top_part if head.rows > 1 else fmt)
            for dr in range(1, head.rows):
                below[(r + dr, col)] = lower_part
            col += head.cols
        for (rr, cc) in sorted(k for k in below if k[0] == r):
            ws.write(row, cc, None, below.pop((rr, cc)))
    ws.skip(len(form.header))


def _form_sheet(book: Book, form: Form) -> None:
    ws = book.sheet(form.sheet)
    width = len(form.widths)
    ws.widths(form.widths)
    ws.ws.merge_range(0, 0, 0, width - 1, "", book.fmt(bold=True, font_size=14, align="center"))
    ws.write(0, 0, form.title, book.fmt(bold=True, font_size=14, align="center"))
    ws.ws.merge_range(1, 0, 1, width - 1, "", book.fmt(font_size=10))
    ws.write(1, 0, form.subtitle, book.fmt(font_size=10))
    ws.skip(2)
    label = book.fmt(**{**_BORDER, "bold": True, "valign": "top"})
    for name, cell in form.lead:
        fmt = _cell_format(book, cell)
        ws.ws.merge_range(ws.row, 1, ws.row, width - 1, "", fmt)
        ws.write(ws.row, 0, name, label)
        ws.write(ws.row, 1, cell.text, fmt)
        # a merged cell does not grow with its text: about two width units per Chinese character
        lines = -(-2 * len(cell.text) // max(sum(form.widths[1:]), 1))
        if lines > 1:
            ws.ws.set_row(ws.row, 15 * lines)
        ws.skip()
    if form.lead:
        ws.skip()
    first_header = ws.row
    _header(ws, form)
    for cells in form.rows:
        row = ws.row
        for col, cell in enumerate(cells):
            ws.write(row, col, cell.number if cell.number is not None else cell.text, _cell_format(book, cell))
        ws.skip()
    note = book.fmt(font_size=9, text_wrap=True, valign="top")
    for text in form.notes:
        ws.ws.merge_range(ws.row, 0, ws.row, width - 1, "", note)
        ws.write(ws.row, 0, text, note)
        ws.skip()
    page = ws.ws
    page.set_paper(_A4)
    if form.landscape:
        page.set_landscape()
    else:
        page.set_portrait()
    page.repeat_rows(first_header, first_header + len(form.header) - 1)  # the header on every page
    page.fit_to_pages(1, 0)  # the page width, as many pages down as needed
    page.center_horizontally()
    page.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    page.set_footer("&C&P / &N")
    page.freeze_panes(first_header + len(form.header), 0)


def _chart_sheet(book: Book, charts: Sequence[ChartSeries], name: str) -> None:
    """Each chart's data (label, value, limit) in a block, the native chart beside it."""
    ws = book.sheet(name)
    ws.widths([34, 10, 10])
    head = book.fmt(bold=True, pattern=1, bg_color="#DDEBF7", **_BORDER)
    for chart_data in charts:
        top = ws.row
        ws.write(top, 0, chart_data.title, book.fmt(bold=True, font_size=12))
        ws.skip()
        ws.append([None, chart_data.value_name, chart_data.limit_name or None], default=head)
        first = ws.row
        number = book.fmt(num_format=chart_data.num_format, **_BORDER)
        limits = chart_data.limits or (None,) * len(chart_data.values)
        for label, value, limit in zip(chart_data.labels, chart_data.values, limits, strict=True):
            ws.write(ws.row, 0, label, book.fmt(**_BORDER))
            ws.write(ws.row, 1, value, number)
            ws.write(ws.row, 2, limit, number)
            ws.skip()
        last = ws.row - 1
        column = book.wb.add_chart({"type": "column"})
        column.add_series({
            "name": chart_data.value_name,
            "categories": [name, first, 0, last, 0],
            "values": [name, first, 1, last, 1],
            "points": [{"fill": {"color": _BAR[m]}} for m in chart_data.marks],
            "data_labels": {"value": True, "num_format": chart_data.num_format},
        })
        if chart_data.limits:
            line = book.wb.add_chart({"type": "line"})
            line.add_series({
                "name": chart_data.limit_name,
                "categories": [name, first, 0, last, 0],
                "values": [name, first, 2, last, 2],
                "line": {"color": "#1F2933", "width": 2, "dash_type": "dash"},
                "marker": {"type": "none"},
            })
            column.combine(line)
        column.set_title({"name": chart_data.title, "name_font": {"size": 12}})
        column.set_legend({"position": "bottom"})
        column.set_y_axis({"num_format": chart_data.num_format, "min": 0, "major_gridlines": {"visible": True}})
        column.set_x_axis({"num_font": {"rotation": -30, "size": 8}})
        column.set_size({"width": 760, "height": 360})
        ws.ws.insert_chart(top, 4, column)
        ws.row = max(ws.row, top + 19) + 1
    ws.ws.set_paper(_A4)
    ws.ws.set_landscape()
    ws.ws.fit_to_pages(1, 0)


def write_forms(book: Book, forms: Forms, run: CountyRun, lang: str, details: Sequence[SchoolResult] = ()) -> None:
    """Every form sheet, the charts, and the detail sheets of ``details``, into ``book``."""
    for form in forms.forms:
        _form_sheet(book, form)
    if forms.charts:
        _chart_sheet(book, forms.charts, "图表" if lang == "zh" else "Charts")
    write_detail_sheets(book, details, run.issues, lang)


def write_county_forms_xlsx(path: Path, run: CountyRun, lang: str = "zh", details: Sequence[SchoolResult] = ()) -> None:
    """Write the county's forms workbook atomically (streamed): complete, or not there; ``details``
    (the school results the criteria were decided on) add one detail sheet per level."""
    with write_book(path) as book:
        write_forms(book, county_forms(run, lang), run, lang, details)

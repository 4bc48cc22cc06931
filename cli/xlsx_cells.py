"""Every cell an XLSX writer puts in a report is data, never a formula.

School names, file names, values and ruleset titles come from files we do not control. openpyxl
turns any text starting with ``=`` into a live formula (``<f>`` in the sheet XML: ``=HYPERLINK(…)``
shows a working link) and ``#N/A``-like text into an error cell; spreadsheet programs re-interpret
text starting with ``+``, ``-``, ``@``, tab or CR when a cell is edited (OWASP "CSV injection").
So every writer goes through :func:`append` / :func:`put`:

- text is always a string cell (``t="s"``), never ``f`` or ``e``; text starting with one of
  :data:`TRIGGERS` also gets Excel's *quote prefix* style, so it is shown — and stays, when
  edited — literal text. The value itself is unchanged (``=1+1`` reads back as ``=1+1``);
- control characters (which XML 1.0 cannot hold and openpyxl refuses) are shown escaped as
  ``\\xNN`` and the cell carries a note saying so; text over Excel's 32,767-character cell limit is
  cut with a note instead of silently;

and every workbook is saved through :func:`workbook_bytes`, which refuses to let any formula or
error cell through whichever way it was written.

Report workbooks (evaluate, compare, county) are written through :class:`Book` / :class:`Sheet`
instead, with the same rules: XlsxWriter in ``constant_memory`` mode keeps one row in memory and
flushes it to a temporary file, so writing is linear in rows and memory stays bounded (openpyxl
holds every cell, and the old writer asked ``ws.max_row`` — a scan of every cell — three times per
row: 2,000 sections took 105 s). Text goes through :func:`literal_text` and ``write_string`` (never
``write``, which would guess formulas and links); a formula is written only by code, through
:meth:`Sheet.formula`. Rows are written top to bottom; a sheet knows its next row.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

import xlsxwriter  # type: ignore[import-untyped]
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment

from junheng.cli.atomic import atomic_open
from junheng.engine.numbers import decimal_text, to_decimal

__all__ = ["CELL_LIMIT", "TRIGGERS", "Book", "CellValue", "Sheet", "append", "cell_number", "literal_text", "put",
           "workbook_bytes", "write_book"]

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters a spreadsheet may read as the start of a formula."""

CELL_LIMIT = 32_767
"""Excel's limit on the characters in one cell."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_NOTE = ("此单元格原文含控制字符，已显示为 \\xNN。"
                 " / The original text contained control characters, shown as \\xNN.")
_CUT_NOTE = (f"原文超过 Excel 单元格上限 {CELL_LIMIT} 个字符，已截断。"
             f" / The original text exceeded Excel's {CELL_LIMIT}-character cell limit and was cut.")
_AUTHOR = "junheng"


def literal_text(text: str) -> tuple[str, str | None]:
    """``text`` as a cell can hold it, and the note to attach when it had to be changed."""
    note = None
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
        note = _CONTROL_NOTE
    if len(text) > CELL_LIMIT:
        text = text[:CELL_LIMIT - 1] + "…"
        note = f"{note}\n{_CUT_NOTE}" if note else _CUT_NOTE
    return text, note


def _assign(cell: Any, value: Any) -> Any:
    if not isinstance(value, str):
        cell.value = value
        return cell
    text, note = literal_text(value)
    cell.value = text
    if cell.data_type != "s" or text.startswith(TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True
    if note is not None:
        cell.comment = Comment(note, _AUTHOR)
    return cell


def put(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write ``value`` to one cell of ``ws`` as data; returns the cell (for styling)."""
    return _assign(ws.cell(row=row, column=column), value)


def append(ws: Any, values: Iterable[Any]) -> None:
    """``ws.append(values)`` with every text cell written as data (see the module notes)."""
    ws.append([_assign(Cell(ws), v) if isinstance(v, str) else v for v in values])


def workbook_bytes(wb: Any) -> bytes:
    """Save ``wb`` to bytes after turning any formula or error cell into literal text."""
    for ws in wb.worksheets:
        for cell in ws._cells.values():  # every stored cell; iter_rows would create the empty ones
            if cell.data_type in ("f", "e"):
                cell.data_type = "s"
                cell.quotePrefix = True
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


CellValue = str | int | float | Decimal | bool | None
"""What a cell may hold: text is always literal text."""

_BOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def cell_number(value: Fraction | None, places: int | None = None) -> Decimal | int | None:
    """A number for a cell: whole numbers exact; others to ``places`` decimals (half up), or as
    :func:`decimal_text` shows them when ``places`` is None."""
    if value is None:
        return None
    if places is None:
        if value.denominator == 1:
            return int(value)
        return Decimal(decimal_text(value))
    return to_decimal(value, places)


class Book:
    """One workbook being written; formats are cached by their properties."""

    def __init__(self, target: IO[bytes] | Any) -> None:
        self.wb = xlsxwriter.Workbook(target, _BOOK_OPTIONS)
        self._formats: dict[tuple[tuple[str, Any], ...], Any] = {}
        self._props: dict[int, dict[str, Any]] = {}
        self._quoted: dict[int | None, Any] = {}

    def fmt(self, **props: Any) -> Any:
        """An XlsxWriter format with these properties (one object per distinct set)."""
        if not props:
            return None
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            made = self.wb.add_format(props)
            self._formats[key] = made
            self._props[id(made)] = props
        return self._formats[key]

    def quoted(self, fmt: Any) -> Any:
        """``fmt`` with Excel's quote prefix: the cell stays literal text when edited."""
        key = None if fmt is None else id(fmt)
        if key not in self._quoted:
            self._quoted[key] = self.fmt(**(self._props.get(key, {}) if key is not None else {}),
                                         quote_prefix=True)
        return self._quoted[key]

    def fill(self, rgb: str, **props: Any) -> Any:
        """A solid fill of ``rgb`` (``"FFC7CE"``), with any further properties."""
        return self.fmt(pattern=1, bg_color=f"#{rgb}", **props)

    def sheet(self, name: str) -> Sheet:
        return Sheet(self, self.wb.add_worksheet(name[:31]))

    def close(self) -> None:
        self.wb.close()


class Sheet:
    """A worksheet written row by row; :attr:`row` is the 0-based index of the next row."""

    def __init__(self, book: Book, ws: Any) -> None:
        self.book = book
        self.ws = ws
        self.row = 0

    def write(self, row: int, col: int, value: CellValue, fmt: Any = None) -> None:
        """One cell as data: text through :func:`literal_text`, never a formula or a link."""
        ws = self.ws
        if value is None or value == "":
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float | Decimal):
            ws.write_number(row, col, value, fmt)
        else:
            text, note = literal_text(str(value))
            if text.startswith(TRIGGERS):
                fmt = self.book.quoted(fmt)
            ws.write_string(row, col, text, fmt)
            if note is not None:
                ws.write_comment(row, col, note, {"author": _AUTHOR})

    def append(self, values: Sequence[CellValue], formats: Mapping[int, Any] | None = None, default: Any = None) -> int:
        """Write ``values`` on the next row (``formats``: column → format) and return its index."""
        row = self.row
        for col, value in enumerate(values):
            self.write(row, col, value, formats.get(col, default) if formats else default)
        self.row += 1
        return row

    def formula(self, row: int, col: int, formula: str, fmt: Any = None, value: CellValue = None) -> None:
        """A formula written by code (never from input data), with its cached ``value``."""
        self.ws.write_formula(row, col, formula, fmt, value)

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def widths(self, widths: Sequence[float], first: int = 0) -> None:
        for i, width in enumerate(widths, start=first):
            self.ws.set_column(i, i, width)


@contextmanager
def write_book(path: Path) -> Iterator[Book]:
    """A workbook written atomically to ``path``: complete, or not there."""
    with atomic_open(path, "wb", encoding=None) as handle:
        book = Book(handle)
        yield book
        book.close()

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

from junheng.cli.atomic import atomic_open
from junheng.engine.numbers import decimal_text, to_decimal

__all__ = ["CELL_LIMIT", "FAST_ROWS", "TRIGGERS", "Book", "CellValue", "KeyedCell", "NumberText", "Sheet", "append",
           "cell_number", "literal_text", "number_text", "put", "text_cell", "workbook_bytes", "write_book"]

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
        from openpyxl.comments import Comment  # openpyxl only when a workbook is made, not at every start

        cell.comment = Comment(note, _AUTHOR)
    return cell


def put(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write ``value`` to one cell of ``ws`` as data; returns the cell (for styling)."""
    return _assign(ws.cell(row=row, column=column), value)


def append(ws: Any, values: Iterable[Any]) -> None:
    """``ws.append(values)`` with every text cell written as data (see the module notes)."""
    from openpyxl.cell.cell import Cell  # openpyxl only when a workbook is made, not at every start

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

NumberText = tuple[str]
"""A number as XlsxWriter writes it (``%.16G``), in a 1-tuple: what :func:`number_text` makes of a
Decimal for :meth:`Sheet.rows` (cheap to pickle, formatted once)."""

KeyedCell = tuple[str | None, CellValue | NumberText]
"""A cell for :meth:`Sheet.rows`: its format key (:meth:`Book.keyed`) and value."""


def number_text(value: CellValue) -> CellValue | NumberText:
    """A cell for :meth:`Sheet.rows`: a Decimal as its text, anything else as it is."""
    return (f"{value:.16G}",) if isinstance(value, Decimal) else value

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
        self._keyed: dict[str, Any] = {}

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

    def keyed(self, key: str | None) -> Any:
        """The format a :meth:`Sheet.rows` key names: ``None`` (no format), a key registered with
        :meth:`key`, either with ``"|q"`` added (the same with Excel's quote prefix)."""
        if key is None:
            return None
        if key.endswith("|q"):
            return self.quoted(self.keyed(key[:-2] or None))
        return self._keyed[key]

    def key(self, key: str, **props: Any) -> str:
        """Register ``key`` for the format with ``props`` (see :meth:`keyed`); returns ``key``."""
        if key not in self._keyed:
            self._keyed[key] = self.fmt(**props)
        return key

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

    def rows(self, rows: Iterable[Sequence[KeyedCell]], columns: Sequence[int] | None = None) -> None:
        """Write rows from :attr:`row` on: each row's cells (format key — see :meth:`Book.keyed` —
        and value) in column order, ``columns`` giving each cell's column (``-1``: left out; by
        default the cells' own order). The same sheet XML as :meth:`append` of the same values, written
        in one piece per row (see the notes above :data:`FAST_ROWS`)."""
        book, ws = self.book, self.ws
        if not FAST_ROWS or not ws.constant_memory:
            for cells in rows:
                for i, (key, value) in enumerate(cells):
                    col = i if columns is None else columns[i]
                    if col >= 0:
                        self.write(self.row, col, Decimal(value[0]) if isinstance(value, tuple) else value,
                                   book.keyed(key))
                self.row += 1
            return
        ws._write_single_row(self.row)  # the row written the ordinary way before, if any
        xf: dict[str | None, str] = {None: ""}
        texts: dict[str, tuple[bool, str, str | None]] = {}  # a section's id, name … repeat on its rows
        places: list[tuple[int, str]] | None = None  # (column, its letters) per cell
        write = ws.fh.write
        row = self.row
        low = high = -1
        for cells in rows:
            if places is None or len(places) != len(cells):
                places = [(c, _col_name(c)) for c in (range(len(cells)) if columns is None else columns)]
                assert [c for c, _ in places if c >= 0] == sorted(c for c, _ in places if c >= 0), \
                    "cells are written in column order"
            out = []
            notes = []
            r = str(row + 1)
            first = last = -1
            for (col, name), (key, value) in zip(places, cells, strict=True):
                if col < 0:
                    continue
                if value is None or value == "":
                    if key is None:
                        continue
                    body = note = None
                elif type(value) is str:
                    made = texts.get(value)
                    if made is None:
                        if len(texts) > 4096:
                            texts.clear()
                        made = texts[value] = _text_xml(value)
                    quoted, body, note = made
                    if quoted:
                        key = f"{key or ''}|q"
                elif type(value) is tuple:
                    body, note = f"><v>{value[0]}</v>", None
                elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                    body, note = f"><v>{value:.16G}</v>", None
                elif isinstance(value, bool):
                    raise TypeError("a yes/no cell is written with Sheet.write")
                else:  # as Sheet.write: any other value as its text
                    quoted, body, note = _text_xml(str(value))
                    if quoted:
                        key = f"{key or ''}|q"
                s = xf.get(key)
                if s is None:
                    s = xf[key] = f' s="{book.keyed(key)._get_xf_index()}"'
                out.append(f'<c r="{name}{r}"{s}/>' if body is None else f'<c r="{name}{r}"{s}{body}</c>')
                if first < 0:
                    first = col
                last = col
                if note is not None:
                    notes.append((col, note))
            if out:
                write(f'<row r="{r}">{"".join(out)}</row>')
                if ws.dim_rowmin is None or row < ws.dim_rowmin:
                    ws.dim_rowmin = row
                if ws.dim_rowmax is None or row > ws.dim_rowmax:
                    ws.dim_rowmax = row
                low = first if low < 0 else min(low, first)
                high = max(high, last)
            ws.previous_row = row
            for col, note in notes:
                ws.write_comment(row, col, note, {"author": _AUTHOR})
            row += 1
        if low >= 0:
            ws.dim_colmin = low if ws.dim_colmin is None else min(ws.dim_colmin, low)
            ws.dim_colmax = high if ws.dim_colmax is None else max(ws.dim_colmax, high)
        ws.previous_row = row  # nothing pending: the next ordinary write starts a new row
        self.row = row

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


# --- rows written in one piece (the report sheets' many rows) ----------------------------------
#
# XlsxWriter spends most of a big report in its per-cell machinery (a dict per row, a namedtuple
# per cell, attribute lists, four escaping passes). In constant_memory mode it writes each finished
# row as XML to the worksheet's row file; :meth:`Sheet.rows` writes that same XML itself, from
# cells prepared beforehand (:func:`text_cell`, :func:`number_cell`, which apply the rules above:
# literal text, quote prefix, notes). A test compares the sheet XML of both paths; where the
# XlsxWriter in use lacks what this relies on, :data:`FAST_ROWS` is False and the ordinary path
# writes the rows.

try:
    from xlsxwriter.utility import _preserve_whitespace, _utf16_len, _utf16_truncate  # type: ignore[import-untyped]
    from xlsxwriter.worksheet import Worksheet as _Worksheet  # type: ignore[import-untyped]

    FAST_ROWS = all(hasattr(_Worksheet, a) for a in ("_write_single_row", "_escape_control_characters"))
except ImportError:  # pragma: no cover - an XlsxWriter older than this code knows
    FAST_ROWS = False

_XLSX_CONTROL = re.compile("_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_STRMAX = 32_767

def text_cell(value: str, key: str | None = None) -> tuple[str | None, str, str | None]:
    """Text as data — :func:`literal_text`, the quote prefix (format key + ``"|q"``) for a leading
    trigger — and the inline-string XML XlsxWriter writes for it in constant_memory mode:
    (format key, the cell's XML after its attributes, the note to attach or None)."""
    quoted, body, note = _text_xml(value)
    return (f"{key or ''}|q" if quoted else key), body, note


_PLAIN = re.compile(r"[\x00-\x1f\x7f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
"""Text that needs more than escaping: control characters, XlsxWriter's _xHHHH_ escapes, leading or
trailing whitespace."""


def _text_xml(value: str) -> tuple[bool, str, str | None]:
    """(quote prefix?, inline-string XML, note) for one text cell: the steps of :meth:`Sheet.write`
    (literal text; the quote prefix decided on it), then XlsxWriter's (UTF-16 length limit,
    _xHHHH_ escapes, rich-string form, whitespace, XML escapes)."""
    if len(value) <= _STRMAX // 2 and not _PLAIN.search(value):
        escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if value.startswith("<r>") and value.endswith("</r>"):
            return False, f' t="inlineStr"><is>{value}</is>', None
        return value.startswith(TRIGGERS), f' t="inlineStr"><is><t>{escaped}</t></is>', None
    text, note = literal_text(value)
    quoted = text.startswith(TRIGGERS)
    if len(text) > _STRMAX // 2 and _utf16_len(text) > _STRMAX:
        text = _utf16_truncate(text, _STRMAX)
    if _XLSX_CONTROL.search(text):
        text = _Worksheet._escape_control_characters(text)
    if text.startswith("<r>") and text.endswith("</r>"):  # XlsxWriter's rich-string rule
        return quoted, f' t="inlineStr"><is>{text}</is>', note
    space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return quoted, f' t="inlineStr"><is><t{space}>{text}</t></is>', note


def _col_name(col: int) -> str:
    name = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        name = chr(65 + rest) + name
    return name

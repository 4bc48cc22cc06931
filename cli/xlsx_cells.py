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
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment

__all__ = ["CELL_LIMIT", "TRIGGERS", "append", "literal_text", "put", "workbook_bytes"]

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

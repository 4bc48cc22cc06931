"""Reading school-section facts from Excel workbooks (.xlsx / .xlsm, and legacy .xls through
python-calamine) into a :class:`FactsBatch`.

County 督导 offices keep their data the way people lay out a sheet, so this reader accepts:

* **several sheets**: each sheet with a recognisable header (a 学校标识码 or 学校名称 column) is read; the
  level comes from a 学段 column or, when there is none, from the sheet name (``小学``,
  ``初中部``, ``primary`` …). A blank 学段 cell takes the sheet's level; a 学段 that contradicts
  the sheet name is an error for that row. Instruction sheets (说明, 填表说明, README) and empty
  sheets are skipped; any other sheet without a header, and every hidden sheet, is skipped with a
  warning.
* **title rows and two-row headers**: the header may start on any of the first 15 rows (a merged
  title row above it is fine; see :func:`junheng.policy.readers.find_header`). A second header row
  is used when it adds facts: grouped headers (``校舍面积（平方米）`` over ``教学及辅助用房面积``), a unit
  row (``平方米`` under ``教学及辅助用房面积``), a quantity or per-student sub-header (``教学及辅助用房`` over
  ``面积（平方米）｜生均（平方米）``) or vertically merged header cells.
* **total, subtotal and signature rows** (小计, 合计, 全县, 填表人, 联系电话 … in any text column) are
  skipped with a note before anything in them (formulas, merged cells) is reported.
* **merged data cells**: a text cell (学校标识码, 学校名称, 县, 学年, 学校类型) merged over the
  rows of one school's two sections applies to every row; a *number* merged over several rows
  cannot be split between sections and is an error for each of those rows.
* **cell values**: typed text goes through :func:`junheng.policy.cells.parse_number` like a CSV
  cell; numbers stored by Excel are read from their shortest decimal text (``36447.46``, never the
  binary float's expansion); a formula is read from the value Excel saved with it, and a formula
  without a saved value is an error (open and save the file in Excel, or type the number).

Each issue names the file, the sheet, the row and column as Excel shows them and the cell
reference (``D5``). Rows after the header are the spreadsheet's own row numbers.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from junheng.policy.facts import LEVEL_ALIASES, Level
from junheng.policy.inputs import FactsBatch, InputIssue, RejectedRow
from junheng.policy.readers import (
    HEADER_SEARCH_ROWS,
    MAX_INPUT_BYTES,
    MAX_ROWS,
    _batch,
    _fatal,
    _file_issue,
    _Record,
    _Table,
    find_header,
    input_too_large,
    match_header,
    summary_row_mark,
    unique_headers,
)
from junheng.policy.xlsx_limits import workbook_problem

__all__ = ["INSTRUCTION_SHEETS", "read_xls", "read_xls_bytes", "read_xlsx", "read_xlsx_bytes", "sheet_level"]

MAX_SHEET_ROWS = MAX_ROWS + HEADER_SEARCH_ROWS
"""Last row a sheet may hold data in (see :data:`junheng.policy.readers.MAX_ROWS`)."""
MAX_SHEET_COLUMNS = 1_000
"""Last column a sheet may hold data in (a facts sheet has a few dozen)."""
INSTRUCTION_SHEETS = frozenset({"说明", "填表说明", "填报说明", "readme", "instructions", "notes"})
TEXT_FACTS = frozenset({"school_id", "school_name", "county", "year", "school_type", "level"})


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def sheet_level(title: str) -> Level | None:
    """The level a sheet name states: ``小学``/``小学部``/``primary`` or ``初中``/``junior``."""
    key = _norm(title)
    if key in LEVEL_ALIASES:
        return LEVEL_ALIASES[key]
    if "中小学" in key:  # both levels
        return None
    primary = "小学" in key or "primary" in key
    junior = "初中" in key or "junior" in key
    if primary != junior:
        return Level.primary if primary else Level.junior
    return None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


@dataclass
class _SheetGrid:
    """The values of one sheet, with merged ranges known."""

    title: str
    values: dict[tuple[int, int], Any]
    max_row: int
    max_col: int
    merged_from: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    """Covered cell → the top-left cell of its merged range."""
    merged_rows: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    """Top-left cell → (first row, last row) of its merged range."""

    def raw(self, row: int, col: int) -> Any:
        return self.values.get(self.merged_from.get((row, col), (row, col)))

    def text(self, row: int, col: int) -> str:
        return _cell_text(self.raw(row, col))


def _find_header(grid: _SheetGrid) -> tuple[int, int, list[str]] | None:
    """(first header row, last header row, column headers) or None."""
    return find_header(grid.text, grid.max_row, grid.max_col)


class _WorkbookValues:
    """Cell values as Excel saved them: formulas are replaced by their saved results."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._cached: Any = None

    def saved_result(self, sheet: str, row: int, col: int) -> Any:
        if self._cached is None:
            self._cached = openpyxl.load_workbook(io.BytesIO(self._data), data_only=True)
        cell = self._cached[sheet]._cells.get((row, col))  # never creates a cell
        return None if cell is None else cell.value


def _read_value(value: Any) -> Any:
    """An Excel cell value as the readers expect it (str, int, Decimal, bool, date or None)."""
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest text that is this stored number
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


@dataclass
class _SheetResult:
    batch: FactsBatch | None
    issues: list[InputIssue]
    letters: dict[str, str]
    bad_rows: set[int]


class _SheetTooLarge(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def _grid(ws: Any) -> _SheetGrid:
    values: dict[tuple[int, int], Any] = {}
    # Only the cells the sheet stores: iter_rows() would visit (and create) every cell of the
    # declared extent, and one value at XFD1048576 makes that 17 billion cells.
    for (r, c), cell in ws._cells.items():
        value = cell.value
        if value is not None and not (isinstance(value, str) and not value.strip()):
            values[(r, c)] = value
    grid = _merged(ws.title, values, ((rng.min_row, rng.min_col, rng.max_row, rng.max_col)
                                      for rng in ws.merged_cells.ranges))
    ws._cells.clear()  # read once: openpyxl's cell objects (most of the memory) go before the rows are
    return grid


def _merged(title: str, values: dict[tuple[int, int], Any],
            ranges: Iterable[tuple[int, int, int, int]]) -> _SheetGrid:
    """The grid of ``values`` (1-based cells) with its merged ranges (first row, first column,
    last row, last column), within the sheet limits."""
    max_row = max((r for r, _ in values), default=0)
    max_col = max((c for _, c in values), default=0)
    if max_row > MAX_SHEET_ROWS:
        raise _SheetTooLarge(f"工作表“{title}”第 {max_row} 行有数据，超过 {MAX_SHEET_ROWS:,} 行的上限",
                             f"sheet {title!r} has data in row {max_row}, beyond the {MAX_SHEET_ROWS:,}-row limit")
    if max_col > MAX_SHEET_COLUMNS:
        raise _SheetTooLarge(
            f"工作表“{title}”第 {get_column_letter(max_col)} 列有数据，超过 {MAX_SHEET_COLUMNS} 列的上限",
            f"sheet {title!r} has data in column {get_column_letter(max_col)}, beyond the "
            f"{MAX_SHEET_COLUMNS}-column limit")
    grid = _SheetGrid(title, values, max_row, max_col)
    for min_row, min_col, last_row, last_col in ranges:
        top_left = (min_row, min_col)
        grid.merged_rows[top_left] = (min_row, last_row)
        # covered cells beyond the data never matter (the area is bounded by xlsx_limits anyway)
        for r in range(min_row, min(last_row, max_row) + 1):
            for c in range(min_col, min(last_col, max_col) + 1):
                if (r, c) != top_left:
                    grid.merged_from[(r, c)] = top_left
    return grid


def _unique(headers: list[str], grid: _SheetGrid, first_data: int) -> list[str]:
    return unique_headers(
        headers,
        has_data=lambda p: any((r, p + 1) in grid.values for r in range(first_data, grid.max_row + 1)),
        fallback=lambda p: f"column {get_column_letter(p + 1)}",
    )


def _read_sheet(name: str, sha: str, grid: _SheetGrid, saved: _WorkbookValues | None) -> _SheetResult | None:
    """One sheet; ``saved`` gives formulas' saved results (None: the cells already hold them)."""
    title = grid.title
    if not grid.values or _norm(title) in INSTRUCTION_SHEETS:
        return None
    found = _find_header(grid)
    if found is None:
        return _SheetResult(None, [InputIssue(
            file=name, sheet=title, severity="warning",
            message_zh=f"前{HEADER_SEARCH_ROWS}行中没有找到含“学校标识码”或“学校名称”的表头，已跳过此工作表",
            message_en=f"no header with a school_id (学校标识码) or school name (学校名称) column in the "
                       f"first {HEADER_SEARCH_ROWS} rows; sheet skipped",
        )], {}, set())
    _first, last, raw_headers = found
    headers = _unique(raw_headers, grid, last + 1)
    columns = {h: i for i, h in enumerate(headers, start=1) if h}
    letters = {h: get_column_letter(i) for h, i in columns.items()}
    facts = {h: match_header(h) for h in columns}
    level_col = next((h for h, c in facts.items() if c.fact == "level"), None)
    level = sheet_level(title)
    issues: list[InputIssue] = []
    if level_col is None and level is None:
        return _SheetResult(_fatal(name, sha, [_file_issue(
            name, f"工作表“{title}”没有“学段”列，工作表名称也不是“小学”或“初中”",
            f"sheet {title!r} has no level (学段) column and its name is not a level "
            "(小学/初中, primary/junior)")]), [], letters, set())

    post: dict[int, list[tuple[str, Any, str, str]]] = {}
    records: list[_Record] = []
    for r in range(last + 1, grid.max_row + 1):
        cells: dict[str, Any] = {}
        problems: list[tuple[str, Any, str, str]] = []
        for h, c in columns.items():
            fact = facts[h].fact
            origin = grid.merged_from.get((r, c))
            value = grid.values.get((r, c))
            if origin is not None and origin[0] != r:  # covered by a merge from a row above
                if origin[0] <= last:
                    value = None  # a header cell merged down into the data: not data
                elif fact in TEXT_FACTS or fact is None:
                    value = grid.values.get(origin)
                else:
                    value = None
                    problems.append((h, grid.values.get(origin), *_merged_number(
                        get_column_letter(origin[1]) + str(origin[0]))))
            elif fact not in TEXT_FACTS and fact is not None and (r, c) in grid.merged_rows \
                    and grid.merged_rows[(r, c)][1] > r:
                problems.append((h, value, *_merged_number(f"{letters[h]}{r}")))
                value = None
            if saved is not None and isinstance(value, str) and value.startswith("="):
                formula = value
                value = saved.saved_result(title, r, c) if origin is None else None
                if value is None:
                    problems.append((
                        h, formula, "公式没有保存的计算结果；请在Excel中打开并保存文件，或直接填写数值",
                        "the formula has no saved result; open and save the file in Excel, or "
                        "type the number"))
            cells[h] = _read_value(value)
        texts = [_cell_text(v) for v in cells.values() if v is not None]
        if not any(texts):
            continue
        # Before anything is reported for it: a total row's formulas and merged cells are not data.
        mark = summary_row_mark(str(cells[h]) for h in columns if cells[h] is not None
                                and (facts[h].fact is None or facts[h].fact in TEXT_FACTS))
        if mark is not None:
            issues.append(InputIssue(
                file=name, sheet=title, row=r, severity="warning", value=mark,
                message_zh="合计/小计或签名行，不是学校数据，已跳过",
                message_en="a total, subtotal or signature row, not a school: skipped"))
            continue
        if level is not None:
            if level_col is None:
                cells["学段"] = level.zh
            elif not _cell_text(cells[level_col]):
                cells[level_col] = level.zh
            else:
                given = LEVEL_ALIASES.get(_cell_text(cells[level_col]).lower())
                if given is not None and given is not level:
                    problems.append((
                        level_col, cells[level_col],
                        f"学段与工作表名称“{title}”（{level.zh}）不一致",
                        f"the level contradicts the sheet name {title!r} ({level.value})"))
        if problems:
            post[r] = problems
        records.append(_Record(r, cells))
    table_headers = [h for h in headers if h] + (["学段"] if level is not None and level_col is None else [])
    batch = _batch(name, sha, _Table(table_headers, records, fixed_columns=True))
    # A cell this reader already reported (merged number, formula without a result) is not
    # reported again as "missing".
    reported = {(r, h) for r, problems in post.items() for h, *_ in problems}
    batch.issues = [i for i in batch.issues if (i.row, i.column) not in reported]
    bad_rows: set[int] = set()
    for r, problems in post.items():
        for h, value, zh, en in problems:
            issues.append(InputIssue(
                file=name, sheet=title, row=r, column=h, value=None if value is None else str(value),
                message_zh=zh, message_en=en))
            bad_rows.add(r)
    return _SheetResult(batch, issues, letters, bad_rows)


def _merged_number(ref: str) -> tuple[str, str]:
    return (f"数值单元格跨多行合并（{ref}），无法确定属于哪个学段；请在每一行分别填写",
            f"a number merged across several rows ({ref}) cannot be split between sections; "
            "type it in each row")


def _locate(issue: InputIssue, sheet: str, letters: dict[str, str]) -> InputIssue:
    update: dict[str, Any] = {"sheet": sheet}
    if issue.column is not None and issue.row is not None and issue.column in letters:
        update["cell"] = f"{letters[issue.column]}{issue.row}"
    return issue.model_copy(update=update)


def read_xlsx_bytes(data: bytes, name: str) -> FactsBatch:
    """Read facts from the bytes of an .xlsx/.xlsm workbook; ``name`` names it in issues."""
    sha = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_INPUT_BYTES:
        return _fatal(name, sha, [_file_issue(
            name, f"文件过大（{len(data):,} 字节，上限 {MAX_INPUT_BYTES:,} 字节）",
            f"the file is too large ({len(data):,} bytes; the limit is {MAX_INPUT_BYTES:,})")])
    problem = workbook_problem(data)  # sizes, zip bombs, DTDs, merged areas: before any parsing
    if problem is not None:
        return _fatal(name, sha, [_file_issue(name, *problem)])
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return _fatal(name, sha, [_file_issue(
            name, f"无法打开Excel工作簿（{type(exc).__name__}）；请确认文件是 .xlsx 格式",
            f"cannot open the Excel workbook ({type(exc).__name__}); is it an .xlsx file?")])
    except Exception as exc:  # openpyxl on damaged XML raises ParseError, TypeError, …
        detail = str(exc)[:200]
        return _fatal(name, sha, [_file_issue(
            name, f"Excel 工作簿内容损坏，无法读取（{type(exc).__name__}: {detail}）",
            f"the Excel workbook is damaged and cannot be read ({type(exc).__name__}: {detail})")])
    sheets = ((ws.title, ws.sheet_state == "visible", lambda ws=ws: _grid(ws)) for ws in wb.worksheets)
    return _read_sheets(name, sha, sheets, _WorkbookValues(data))


def _read_sheets(name: str, sha: str, sheets: Iterable[tuple[str, bool, Callable[[], _SheetGrid]]],
                 saved: _WorkbookValues | None) -> FactsBatch:
    """Every visible sheet of a workbook: (title, visible, its grid) in order."""
    sections = []
    issues: list[InputIssue] = []
    unused: list[str] = []
    rows_read = 0
    rejected: list[RejectedRow] = []
    seen: dict[tuple[str, Level], tuple[str, int | None]] = {}
    for title, visible, grid in sheets:
        if not visible:
            issues.append(InputIssue(
                file=name, sheet=title, severity="warning",
                message_zh="隐藏的工作表，未读取", message_en="hidden sheet: not read"))
            continue
        try:
            result = _read_sheet(name, sha, grid(), saved)
        except _SheetTooLarge as exc:
            return _fatal(name, sha, [InputIssue(file=name, sheet=title, message_zh=exc.zh, message_en=exc.en)])
        if result is None:
            continue
        issues.extend(_locate(i, title, result.letters) for i in result.issues)
        if result.batch is None:
            continue
        b = result.batch
        issues.extend(_locate(i, title, result.letters) for i in b.issues)
        rows_read += b.rows_read
        unused.extend(h for h in b.unused_columns if h not in unused)
        id_col = next((h for h in result.letters if match_header(h).fact == "school_id"), None)
        rejected.extend(r.model_copy(update={"sheet": title}) for r in b.rejected)
        for s in b.sections:
            if s.row in result.bad_rows or s.key in seen:
                rejected.append(RejectedRow(file=name, sheet=title, row=s.row, school_id=s.school_id,
                                            school_name=s.school_name, level=s.level))
            if s.row in result.bad_rows:
                continue
            if s.key in seen:
                first_sheet, first_row = seen[s.key]
                issues.append(_locate(InputIssue(
                    file=name, row=s.row, column=id_col, value=s.school_id,
                    message_zh=f"学校标识码“{s.school_id}”的{s.level.zh}学段重复（首次出现在工作表"
                               f"“{first_sheet}”第{first_row}行）",
                    message_en=f"duplicate school_id {s.school_id!r} / level {s.level.value} "
                               f"(first in sheet {first_sheet!r}, row {first_row})"),
                    title, result.letters))
                continue
            seen[s.key] = (title, s.row)
            sections.append(s)
    if rows_read == 0 and not any(i.severity == "error" for i in issues):
        issues.append(_file_issue(
            name, "工作簿中没有找到学校数据（需要含“学校标识码”列的表头）",
            "no school data in the workbook (a header with a school_id / 学校标识码 column is needed)"))
    return FactsBatch(file=name, file_sha256=sha, rows_read=rows_read, sections=sections,
                      issues=issues, unused_columns=unused, rejected=rejected)


def read_xls_bytes(data: bytes, name: str) -> FactsBatch:
    """Read facts from the bytes of a legacy Excel 97–2003 workbook (.xls), through calamine; the
    layout rules are those of .xlsx. Cells hold what Excel saved (a formula's result)."""
    sha = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_INPUT_BYTES:
        return _fatal(name, sha, [_file_issue(
            name, f"文件过大（{len(data):,} 字节，上限 {MAX_INPUT_BYTES:,} 字节）",
            f"the file is too large ({len(data):,} bytes; the limit is {MAX_INPUT_BYTES:,})")])
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = list(wb.sheets_metadata)
    except ImportError:  # pragma: no cover - a dependency of junheng
        return _fatal(name, sha, [_file_issue(
            name, "读取 .xls 需要 python-calamine（pip install python-calamine），或在 Excel 中另存为 .xlsx",
            "reading .xls needs python-calamine (pip install python-calamine), or save it as .xlsx in Excel")])
    except Exception as exc:  # calamine raises its own errors on a damaged or mislabelled file
        detail = str(exc)[:200]
        return _fatal(name, sha, [_file_issue(
            name, f"无法打开 .xls 工作簿（{detail}）；请在 Excel 中打开并另存为 .xlsx 后再试",
            f"cannot open the .xls workbook ({detail}); open it in Excel and save it as .xlsx")])

    def grid(title: str) -> _SheetGrid:
        sheet = wb.get_sheet_by_name(title)
        top, left = sheet.start or (0, 0)
        values: dict[tuple[int, int], Any] = {}
        for r, row in enumerate(sheet.iter_rows(), start=top + 1):
            if r > MAX_SHEET_ROWS:
                raise _SheetTooLarge(f"工作表“{title}”超过 {MAX_SHEET_ROWS:,} 行的上限",
                                     f"sheet {title!r} is beyond the {MAX_SHEET_ROWS:,}-row limit")
            for c, value in enumerate(row, start=left + 1):
                if value is not None and not (isinstance(value, str) and not value.strip()):
                    values[(r, c)] = value
        ranges = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()]
        return _merged(title, values, ranges)

    sheets = ((m.name, str(m.visible).endswith("Visible"), lambda t=m.name: grid(t)) for m in metadata
              if str(m.typ).endswith("WorkSheet"))
    return _read_sheets(name, sha, sheets, None)


def read_xls(path: Path) -> FactsBatch:
    """Read facts from a legacy .xls workbook file (see :func:`read_xls_bytes`)."""
    too_big = input_too_large(path, MAX_INPUT_BYTES)
    if too_big is not None:
        return too_big
    return read_xls_bytes(path.read_bytes(), path.name)


def read_xlsx(path: Path) -> FactsBatch:
    """Read facts from an Excel workbook file (see the module docstring)."""
    too_big = input_too_large(path, MAX_INPUT_BYTES)
    if too_big is not None:
        return too_big
    return read_xlsx_bytes(path.read_bytes(), path.name)

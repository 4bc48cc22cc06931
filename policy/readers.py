"""Reading school-section facts from CSV, JSON and YAML files into a :class:`FactsBatch`.

* CSV: UTF-8 (with or without BOM), falling back to GB18030 (a superset of GBK). The header is
  row 1; the first data row is row 2 — the numbers a spreadsheet shows. Comma- or tab-separated.
* JSON: a list of records, or ``{"schools": [...]}``; numbers are read exactly
  (``parse_float=Decimal``); ``NaN``/``Infinity`` are reported, not read.
* YAML: :func:`yaml.safe_load` semantics through a ``SafeLoader`` subclass whose float
  constructor returns the :class:`~decimal.Decimal` of the written text; integers and YAML 1.1
  booleans (``yes``/``no``) keep their written text, so ``school_id: 012345`` stays ``"012345"``
  (no octal surprise) and numbers are parsed like spreadsheet cells.

For JSON/YAML the row number is the 1-based record number. Headers are matched by canonical
name, Chinese name or alias after NFKC normalisation, with spaces removed and a trailing unit
in parentheses stripped (``教学仪器设备值(万元)``: 万 scales every cell of that column by 10 000).

Every row read is either in ``sections`` or rejected with at least one error issue:
``len(sections) + rejected_rows == rows_read``. A file-level problem (unreadable file, no data
rows, two columns for one fact, a column unit that does not fit its fact, no ``school_id`` or
``level`` column) is reported as an issue with ``row=None``; then no row is read
(``rows_read == 0``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from junheng.policy.cells import CELL_UNITS, CellError, exact_decimal, parse_number
from junheng.policy.facts import LEVEL_ALIASES, SCHOOL_FACTS, SCHOOL_TYPES, FactSpec, Level
from junheng.policy.inputs import FactsBatch, InputIssue, RejectedRow, SchoolSection
from junheng.policy.units import unit

__all__ = [
    "FORMATS",
    "ColumnInfo",
    "UnsupportedFormatError",
    "match_header",
    "read_facts",
    "read_facts_text",
]

FORMATS: dict[str, str] = {".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
WORKBOOK_FORMATS: dict[str, str] = {".xlsx": "xlsx", ".xlsm": "xlsx"}
"""Excel workbooks, read by :mod:`junheng.policy.xlsx_reader` (binary: not for ``read_facts_text``)."""

MAX_INPUT_BYTES = 48 * 2**20
"""Largest facts file read (CSV, JSON, XLSX): a province of 30,000 rows is ~10 MB of CSV."""
MAX_YAML_INPUT_BYTES = 5 * 2**20
"""Largest YAML facts file (the YAML parser is ~100x slower than CSV; use CSV or XLSX for more)."""
MAX_ROWS = 100_000
"""Most data rows (records) in one facts file."""
MAX_FIELD_CHARS = 10_000
"""Longest text in one cell or field."""
MAX_DEPTH = 32
"""Deepest nesting of JSON/YAML lists and mappings in a facts file (records are 2 deep)."""
MAX_NUMBER_TEXT = 64
"""Longest JSON/YAML number text converted (longer ones are rejected as cells, in linear time)."""

CLASS_SIZE_WARNING = 66
"""An average class of this size or more is 超大班额; the reader warns about it."""

SUBCOUNTS_OF_TEACHERS: tuple[str, ...] = (
    "teachers_above_required_degree",
    "teachers_mid_senior_title",
    "backbone_teachers",
    "pe_art_teachers",
)

_TEXT_FACTS = ("school_id", "school_name", "county", "level", "school_type", "year")
_NUMERIC_FACTS: dict[str, FactSpec] = {
    f.name: f for f in SCHOOL_FACTS if f.name not in _TEXT_FACTS
}


REMARK_HEADERS = frozenset({"备注", "说明", "remarks", "notes", "note", "data_note", "数据说明"})
"""Free-text columns kept in each row's ``extra`` without being reported as unused."""


class UnsupportedFormatError(ValueError):
    """The file suffix is not one this reader understands."""

    def __init__(self, suffix: str) -> None:
        known = ", ".join(sorted({**FORMATS, **WORKBOOK_FORMATS}))
        self.message_zh = f"不支持的文件格式“{suffix}”；可用格式：{known}"
        self.message_en = f"unsupported file format {suffix!r}; use one of {known}"
        super().__init__(f"{self.message_en} / {self.message_zh}")


# --- headers ---------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for f in SCHOOL_FACTS:
        for label in (f.name, f.zh, f.en, *f.aliases):
            key = _norm(label)
            if lookup.setdefault(key, f.name) != f.name:  # pragma: no cover - catalogue bug
                raise RuntimeError(f"header {label!r} maps to two facts")
    return lookup


_HEADER_LOOKUP: dict[str, str] = _build_lookup()
_HEADER_UNIT_RE = re.compile(r"^(?P<base>.+?)\((?:单位[:：])?(?P<unit>[^()]*)\)$")


@dataclass(frozen=True)
class ColumnInfo:
    """How one column header was understood."""

    header: str
    """The header as written in the file."""
    fact: str | None
    """Canonical fact name, or None for an unused column."""
    unit_code: str | None = None
    """Unit stated in the header (``"m2"``, ``"yuan"`` …), if any."""
    scale: int = 1
    """Multiplier stated in the header (10 000 for ``(万元)``)."""
    conversion: str | None = None
    """The conversion the header applies to every cell, e.g. ``"万 ×10000 (列单位万元)"``."""
    problem: tuple[str, str] | None = None
    """(zh, en) when the header names a fact with a unit that does not fit it."""


def _units_compatible(given: str, fact: FactSpec) -> bool:
    if given == fact.unit:
        return True
    if given == "count":
        return unit(fact.unit).integral and fact.unit not in ("persons", "year")
    return False


def match_header(header: str) -> ColumnInfo:
    """Understand one column header (canonical name, Chinese name or alias, optional unit)."""
    key = _norm(header)
    if key in _HEADER_LOOKUP:
        return ColumnInfo(header, _HEADER_LOOKUP[key])
    m = _HEADER_UNIT_RE.match(key)
    if m is None or m.group("base") not in _HEADER_LOOKUP:
        return ColumnInfo(header, None)
    fact_name = _HEADER_LOOKUP[m.group("base")]
    unit_text = m.group("unit")
    scale = 1
    if unit_text.startswith("万"):
        scale, unit_text = 10_000, unit_text[1:]
    if unit_text and unit_text not in CELL_UNITS:
        return ColumnInfo(header, None)  # "(秋季)" etc. is not a unit: the column is unused
    unit_code = CELL_UNITS[unit_text] if unit_text else None
    conversion = f"万 ×10000 (column unit {m.group('unit')} / 列单位)" if scale != 1 else None
    fact = _NUMERIC_FACTS.get(fact_name)
    if fact is None or (unit_code is not None and not _units_compatible(unit_code, fact)):
        want = fact.unit if fact is not None else "text"
        return ColumnInfo(
            header, fact_name, unit_code, scale, conversion,
            problem=(
                f"列“{header}”的单位与事实“{fact_name}”的单位（{unit(want).zh or '文本'}）不符",
                f"column {header!r}: its unit does not fit fact {fact_name!r} "
                f"({unit(want).en or 'text'})",
            ),
        )
    return ColumnInfo(header, fact_name, unit_code, scale, conversion)


# --- raw tables ------------------------------------------------------------------------------


@dataclass
class _Record:
    row: int
    cells: dict[str, Any]  # header as written → raw value (str for CSV)
    problem: tuple[str, str] | None = None


@dataclass
class _Table:
    headers: list[str]
    records: list[_Record]
    fixed_columns: bool  # CSV: one header row for every record


class _FileProblem(Exception):
    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:  # odd length, a lone surrogate, a truncated file
            raise _FileProblem(
                f"UTF-16 文件在第 {exc.start} 字节处无法解码（{exc.reason}），文件可能被截断",
                f"the UTF-16 file cannot be decoded at byte {exc.start} ({exc.reason}); is it truncated?",
            ) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _FileProblem(  # pragma: no cover - gb18030 decodes nearly any byte string
        "无法识别文件编码（请使用 UTF-8 或 GBK）", "cannot decode the file (use UTF-8 or GBK)"
    )


_REPEATED = re.compile(r"(.+) #\d+")
"""A header :func:`unique_headers` numbered because it repeats an earlier one."""


def unique_headers(raw: Sequence[str], has_data: Callable[[int], bool],
                   fallback: Callable[[int], str]) -> list[str]:
    """Column names as written, made unique ("名称 #2" for a repeat). A blank header over data
    gets ``fallback(position)`` (e.g. "column 5"); a blank header over a blank column is "" and
    the column is ignored."""
    headers: list[str] = []
    seen: set[str] = set()
    for position, header in enumerate(raw):
        if not header:
            if not has_data(position):
                headers.append("")
                continue
            header = fallback(position)
        base, n = header, 2
        while header in seen:
            header, n = f"{base} #{n}", n + 1
        seen.add(header)
        headers.append(header)
    return headers


_CSV_FIELD_LIMIT = max(csv.field_size_limit(), MAX_FIELD_CHARS + 1)
csv.field_size_limit(_CSV_FIELD_LIMIT)  # over-long fields are rejected per row, not by the csv module


def _csv_rows(text: str, delimiter: str) -> tuple[list[list[str]], dict[int, tuple[str, str]]]:
    """The CSV rows, and the problem of each row the csv module could not read (by row index)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    problems: dict[int, tuple[str, str]] = {}
    starts: list[int] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a field longer than the csv module's limit
            problems[len(rows)] = (f"第 {start} 行无法按 CSV 读取（{exc}）",
                                   f"line {start} cannot be read as CSV ({exc})")
            row = []
        rows.append(row)
        starts.append(start)
        if len(rows) > MAX_ROWS + 1:
            raise _FileProblem(f"数据行超过 {MAX_ROWS} 行；请分成几个文件",
                               f"more than {MAX_ROWS} data rows; split the file")
    if rows and text.count('"') % 2 == 1 and _ends_in_quote(text, delimiter):
        last = len(rows) - 1
        swallowed = reader.line_num - starts[last]
        problems[last] = (
            f"第 {starts[last]} 行的引号没有闭合，其后 {swallowed} 行都被读进了同一个单元格",
            f"the quote opened on line {starts[last]} is never closed: the {swallowed} lines after it "
            "were read into one cell")
    return rows, problems


def _ends_in_quote(text: str, delimiter: str) -> bool:
    """Whether the text ends inside a quoted field (the csv module reads that silently)."""
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _csv_table(text: str) -> _Table:
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    rows, row_problems = _csv_rows(text, delimiter)
    if not rows or not any(c.strip() for c in rows[0]):
        raise _FileProblem("文件为空（没有表头）", "the file is empty (no header row)")
    if 0 in row_problems:
        raise _FileProblem(*row_problems[0])
    raw_headers = rows[0]
    data = rows[1:]
    width = max([len(raw_headers), *(len(r) for r in data)])
    headers = unique_headers(
        [raw_headers[i].strip() if i < len(raw_headers) else "" for i in range(width)],
        has_data=lambda i: any(i < len(r) and r[i].strip() for r in data),
        fallback=lambda i: f"column {i + 1}",
    )
    records: list[_Record] = []
    for index, cells in enumerate(data, start=2):
        if index - 1 in row_problems:
            records.append(_Record(index, {}, problem=row_problems[index - 1]))
            continue
        if not any(c.strip() for c in cells):
            continue  # blank spreadsheet row: not a row read
        record = _Record(index, {})
        for i, h in enumerate(headers):
            if h:
                record.cells[h] = cells[i] if i < len(cells) else ""
        records.append(record)
    return _Table([h for h in headers if h], records, fixed_columns=True)


def _records_table(obj: Any, what: str) -> _Table:
    if isinstance(obj, Mapping) and "schools" in obj:
        obj = obj["schools"]
    if obj is None:
        raise _FileProblem("文件为空（没有记录）", "the file is empty (no records)")
    if not isinstance(obj, list):
        raise _FileProblem(
            f"{what} 文件应为记录列表，或 {{\"schools\": [...]}}",
            f"a {what} file must be a list of records, or {{\"schools\": [...]}}",
        )
    if len(obj) > MAX_ROWS:
        raise _FileProblem(f"记录超过 {MAX_ROWS} 条；请分成几个文件", f"more than {MAX_ROWS} records; split the file")
    headers: dict[str, None] = {}
    records: list[_Record] = []
    for index, item in enumerate(obj, start=1):
        if not isinstance(item, Mapping):
            records.append(_Record(index, {}, problem=(
                "记录不是“名称: 值”的映射", "the record is not a mapping of names to values"
            )))
            continue
        cells = {str(k).strip(): v for k, v in item.items()}
        headers.update(dict.fromkeys(cells))
        records.append(_Record(index, cells))
    return _Table(list(headers), records, fixed_columns=False)


def _json_constant(name: str) -> str:
    return name  # NaN / Infinity stay text and are rejected as cells


def _json_number(text: str) -> Decimal | str:
    # Probing: a 1 MB digit string took 23 s to convert; long texts stay text (rejected as cells)
    return text if len(text) > MAX_NUMBER_TEXT else Decimal(text)


def _json_int(text: str) -> int | str:
    return text if len(text) > MAX_NUMBER_TEXT else int(text)


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _json_depth_ok(text: str) -> bool:
    """Whether JSON nesting stays within MAX_DEPTH (linear scan; strings skipped)."""
    depth = 0
    for m in _JSON_TOKENS.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif c in "]}":
            depth -= 1
    return True


def _json_table(text: str) -> _Table:
    if not _json_depth_ok(text):
        raise _FileProblem(f"JSON 嵌套超过 {MAX_DEPTH} 层", f"JSON is nested more than {MAX_DEPTH} levels deep")
    try:
        obj = json.loads(text.lstrip("\ufeff"), parse_float=_json_number, parse_int=_json_int,
                         parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        raise _FileProblem(
            f"JSON 格式错误（第{exc.lineno}行第{exc.colno}列）：{exc.msg}",
            f"invalid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}",
        ) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits (int max str digits)
        raise _FileProblem(f"JSON 数值无法读取：{exc}", f"invalid JSON number: {exc}") from None
    except RecursionError:  # pragma: no cover - the depth scan above refuses this first
        raise _FileProblem("JSON 嵌套过深", "JSON is nested too deeply") from None
    return _records_table(obj, "JSON")


class ExactSafeLoader(yaml.SafeLoader):
    """``SafeLoader`` that never produces a binary float: see the module docstring."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        # Aliases are refused: fuzzing found ``&a [*a]`` (a self-containing cell) crashing the
        # reader, and nested aliases expand exponentially ("billion laughs").
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in a facts file", mark)
        # Probing: 500 nested lists ended in RecursionError; nesting is bounded before that.
        depth = getattr(self, "_junheng_depth", 0)
        if depth >= MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
        self._junheng_depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._junheng_depth = depth


def _yaml_float(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal | str:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if len(text) > MAX_NUMBER_TEXT:
        return text  # rejected as a cell, in linear time
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text  # .inf, .nan, 1_000.5, 1:30.5 … — left for the cell parser to reject
    return value if value.is_finite() else text


def _yaml_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


ExactSafeLoader.add_constructor("tag:yaml.org,2002:float", _yaml_float)
ExactSafeLoader.add_constructor("tag:yaml.org,2002:int", _yaml_text)
ExactSafeLoader.add_constructor("tag:yaml.org,2002:bool", _yaml_text)
# a date-looking cell (2024-13-45 raised ValueError from the default constructor) stays text
ExactSafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _yaml_text)


def _yaml_table(text: str) -> _Table:
    try:
        obj = yaml.load(text.lstrip("\ufeff"), Loader=ExactSafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where_zh = f"（第{mark.line + 1}行）" if mark is not None else ""
        where_en = f" (line {mark.line + 1})" if mark is not None else ""
        raise _FileProblem(
            f"YAML 格式错误{where_zh}：{exc}", f"invalid YAML{where_en}: {exc}"
        ) from None
    return _records_table(obj, "YAML")


# --- rows ------------------------------------------------------------------------------------


def _as_written(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | str):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters (C0 but tab and line feed, DEL, C1) a name must not carry to a terminal or a
report: ESC starts terminal escape sequences (title changes, screen clears), CR overwrites a line."""


def _text(value: Any) -> str:
    written = _as_written(value)
    return "" if written is None else unicodedata.normalize("NFKC", written).strip()


class _RowBuilder:
    def __init__(self, file: str, row: int) -> None:
        self.file = file
        self.row = row
        self.issues: list[InputIssue] = []

    def error(self, column: str | None, value: Any, zh: str, en: str,
              severity: str = "error") -> None:
        self.issues.append(InputIssue(
            file=self.file, row=self.row, column=column, value=_as_written(value),
            message_zh=zh, message_en=en, severity=severity,
        ))

    @property
    def failed(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


def _number(b: _RowBuilder, col: ColumnInfo, raw: Any, fact: FactSpec) -> Fraction | None:
    """Parse one numeric cell of ``fact``; report a problem and return None on failure."""
    header = col.header
    if raw is None:
        return None
    if isinstance(raw, bool):
        b.error(header, raw, "真/假值不是数值", "true/false is not a number")
        return None
    if isinstance(raw, Decimal):
        if not raw.is_finite():  # pragma: no cover - readers never produce these
            b.error(header, raw, "不是有限数值（NaN 或无穷大）", "not a finite number")
            return None
        try:
            value: Fraction | None = exact_decimal(raw)
        except CellError as exc:
            b.error(header, raw, exc.message_zh, exc.message_en)
            return None
        cell_unit, cell_mult, percent = None, None, False
    elif isinstance(raw, int):
        try:
            value = exact_decimal(Decimal(raw))
        except CellError as exc:
            b.error(header, raw, exc.message_zh, exc.message_en)
            return None
        cell_unit, cell_mult, percent = None, None, False
    elif isinstance(raw, str):
        try:
            parsed = parse_number(raw)
        except CellError as exc:
            b.error(header, raw, exc.message_zh, exc.message_en)
            return None
        value, cell_unit = parsed.value, parsed.unit_code
        cell_mult, percent = parsed.multiplier, parsed.percent
    else:
        b.error(header, raw, "单元格应为单个数值", "the cell must hold a single number")
        return None
    if value is None:
        return None
    uz, ue = unit(fact.unit).zh, unit(fact.unit).en
    if percent:
        b.error(header, raw, f"“{fact.zh}”不能用百分数填写（单位：{uz}）",
                f"{fact.name} cannot be a percentage (unit: {ue})")
        return None
    if cell_unit is not None and not _units_compatible(cell_unit, fact):
        b.error(header, raw, f"单元格中的单位与“{fact.zh}”的单位（{uz}）不符",
                f"the unit in the cell does not fit {fact.name} ({ue})")
        return None
    if col.scale != 1:
        if cell_mult is not None or cell_unit is not None:
            b.error(header, raw, "表头已注明单位（万），单元格中不应再写单位或“万”，含义不明确",
                    "the header already states the unit (万); a unit or 万 in the cell is "
                    "ambiguous")
            return None
        value *= col.scale
    elif col.unit_code is not None and cell_unit is not None and cell_unit != col.unit_code:
        b.error(header, raw, "单元格中的单位与表头单位不一致",
                "the unit in the cell differs from the unit in the header")
        return None
    if value < 0:
        b.error(header, raw, f"“{fact.zh}”不能为负数", f"{fact.name} cannot be negative")
        return None
    if unit(fact.unit).integral and value.denominator != 1:
        b.error(header, raw, f"“{fact.zh}”应为整数（单位：{uz}）",
                f"{fact.name} must be a whole number ({ue})")
        return None
    return value


def _section(
    b: _RowBuilder, record: _Record, columns: Mapping[str, ColumnInfo], check_columns: bool
) -> SchoolSection | None:
    by_fact: dict[str, tuple[ColumnInfo, Any]] = {}
    extra: dict[str, str] = {}
    for name_written, cell in record.cells.items():
        col = columns[name_written]
        if isinstance(cell, str) and len(cell) > MAX_FIELD_CHARS:
            b.error(name_written, cell[:40] + "…", f"单元格过长（{len(cell):,} 个字符，上限 {MAX_FIELD_CHARS:,}）",
                    f"the cell is too long ({len(cell):,} characters; the limit is {MAX_FIELD_CHARS:,})")
            continue
        if col.fact is None:
            written = _as_written(cell)
            if written is not None and written.strip():
                extra[name_written] = written
            continue
        if col.fact in by_fact and check_columns:
            other = by_fact[col.fact][0].header
            b.error(name_written, cell, f"“{other}”与“{name_written}”是同一项事实（{col.fact}）",
                    f"{other!r} and {name_written!r} are the same fact ({col.fact})")
            continue
        if col.problem is not None and check_columns:
            b.error(name_written, cell, *col.problem)
            continue
        by_fact[col.fact] = (col, cell)

    def text_of(name: str) -> tuple[str | None, Any]:
        col_raw = by_fact.get(name)
        return (None, None) if col_raw is None else (col_raw[0].header, col_raw[1])

    def shown_text(name: str) -> str:
        """A name as it may be shown: control characters (terminal escapes …) as visible \\xNN."""
        header, raw = text_of(name)
        text = _text(raw)
        if _CONTROL.search(text):
            text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
            b.error(header, text, "含有控制字符（如终端转义序列），已显示为 \\xNN",
                    "holds control characters (e.g. terminal escape sequences); shown as \\xNN",
                    severity="warning")
        return text

    header: str | None
    header, raw = text_of("school_id")
    school_id = shown_text("school_id")
    if not school_id:
        b.error(header or "school_id", raw, "缺少学校标识码", "school_id is missing")

    header, raw = text_of("level")
    level: Level | None = None
    if not _text(raw):
        b.error(header or "level", raw, "缺少学段（小学/初中）",
                "level is missing (primary/junior)")
    else:
        level = LEVEL_ALIASES.get(_text(raw).lower())
        if level is None:
            b.error(header, raw, "学段应为“小学”或“初中”",
                    "level must be primary or junior (小学/初中)")

    header, raw = text_of("school_type")
    school_type: str | None = None
    if _text(raw):
        t = _text(raw)
        school_type = SCHOOL_TYPES.get(t, t if t in SCHOOL_TYPES.values() else None)
        if school_type is None:
            b.error(header, raw, f"无法识别的学校类型；可用：{'、'.join(SCHOOL_TYPES)}",
                    f"unknown school type; use one of {', '.join(SCHOOL_TYPES.values())}")

    header, raw = text_of("year")
    year: int | None = None
    if _text(raw):
        try:
            parsed = parse_number(_text(raw))
        except CellError as exc:
            b.error(header, raw, exc.message_zh, exc.message_en)
        else:
            ok_unit = parsed.unit_code in (None, "year") and not parsed.percent
            v = parsed.value
            if v is None:
                pass
            elif not ok_unit or parsed.multiplier or v.denominator != 1 or not 1900 <= v <= 2200:
                b.error(header, raw, "学年应为四位年份，如 2024",
                        "year must be a year such as 2024")
            else:
                year = int(v)

    values: dict[str, Fraction] = {}
    for name, (col, raw) in by_fact.items():
        fact = _NUMERIC_FACTS.get(name)
        if fact is None:
            continue
        v = _number(b, col, raw, fact)
        if v is not None:
            values[name] = v

    cell_failed = {i.column for i in b.issues if i.severity == "error"}

    def col_of(name: str) -> str:
        found = by_fact.get(name)
        return found[0].header if found is not None else name

    def raw_of(name: str) -> Any:
        found = by_fact.get(name)
        return found[1] if found is not None else None

    students = values.get("students")
    if students is None and col_of("students") not in cell_failed:
        b.error(col_of("students"), raw_of("students"), "缺少在校生数", "students is missing")
    elif students == 0:
        b.error(col_of("students"), raw_of("students"), "在校生数不能为 0", "students cannot be 0")

    teachers = values.get("teachers")
    if teachers is not None:
        for name in SUBCOUNTS_OF_TEACHERS:
            sub = values.get(name)
            if sub is not None and sub > teachers:
                zh = _NUMERIC_FACTS[name].zh
                b.error(col_of(name), raw_of(name),
                        f"{zh}（{sub}）大于专任教师数（{teachers}）",
                        f"{name} ({sub}) exceeds teachers ({teachers})")
        staff = values.get("staff")
        if staff is not None and teachers > staff:
            b.error(col_of("teachers"), raw_of("teachers"),
                    f"专任教师数（{teachers}）大于教职工数（{staff}）",
                    f"teachers ({teachers}) exceeds staff ({staff})")
    max_class = values.get("max_class_size")
    if max_class is not None and students is not None and max_class > students:
        b.error(col_of("max_class_size"), raw_of("max_class_size"),
                f"最大班额（{max_class}）大于在校生数（{students}）",
                f"max_class_size ({max_class}) exceeds students ({students})")

    classes = values.get("classes")
    if students and classes == 0:
        b.error(col_of("classes"), raw_of("classes"), "班级数为 0，但在校生数不为 0",
                "classes is 0 but students is not", severity="warning")
    elif students and classes is not None:
        if classes * CLASS_SIZE_WARNING < students:
            b.error(col_of("classes"), raw_of("classes"),
                    f"平均班额 {students}/{classes} 超过 {CLASS_SIZE_WARNING} 人（超大班额），"
                    "请核对在校生数与班级数",
                    f"average class size {students}/{classes} exceeds {CLASS_SIZE_WARNING} "
                    "(超大班额); check students and classes",
                    severity="warning")
        if classes and max_class is not None and students / classes > max_class:
            b.error(col_of("max_class_size"), raw_of("max_class_size"),
                    f"平均班额（{students}/{classes}）大于最大班额（{max_class}），数据不一致",
                    f"average class size ({students}/{classes}) exceeds max_class_size "
                    f"({max_class}): inconsistent",
                    severity="warning")

    if b.failed or level is None:
        return None
    return SchoolSection(
        school_id=school_id,
        level=level,
        school_name=shown_text("school_name"),
        county=shown_text("county"),
        year=year,
        school_type=school_type,
        values=values,
        extra=extra,
        source=b.file,
        row=record.row,
    )


def _file_issue(name: str, zh: str, en: str, column: str | None = None) -> InputIssue:
    return InputIssue(file=name, row=None, column=column, message_zh=zh, message_en=en)


def _fatal(name: str, sha: str, issues: Iterable[InputIssue]) -> FactsBatch:
    return FactsBatch(file=name, file_sha256=sha, rows_read=0, sections=[], issues=list(issues))


def _batch(name: str, sha: str, table: _Table) -> FactsBatch:
    columns = {h: match_header(h) for h in table.headers}
    # A remarks column (备注) is kept with each row, and is not an unused fact column.
    unused = [h for h, c in columns.items() if c.fact is None and _norm(h) not in REMARK_HEADERS]
    if table.fixed_columns:
        problems: list[InputIssue] = []
        first: dict[str, str] = {}
        for h, c in columns.items():
            repeat = _REPEATED.fullmatch(h)
            if c.fact is None and repeat is not None and columns.get(repeat[1], c).fact is not None:
                # two columns with one header (unique_headers numbered the second): never ignore one
                problems.append(_file_issue(
                    name, f"有两列的表头都是“{repeat[1]}”，无法确定用哪一列",
                    f"two columns are both headed {repeat[1]!r}; which one holds the data is unclear", h))
                continue
            if c.fact is None:
                continue
            if c.fact in first:
                problems.append(_file_issue(
                    name, f"“{first[c.fact]}”与“{h}”两列是同一项事实（{c.fact}）",
                    f"columns {first[c.fact]!r} and {h!r} are the same fact ({c.fact})", h))
            first.setdefault(c.fact, h)
            if c.problem is not None:
                problems.append(_file_issue(name, *c.problem, column=h))
        for required in ("school_id", "level"):
            if required not in first:
                problems.append(_file_issue(
                    name, f"找不到“{required}”列（表头须在第1行）",
                    f"no {required!r} column (the header must be row 1)"))
        if problems:
            return _fatal(name, sha, problems)
    if not table.records:
        return FactsBatch(
            file=name, file_sha256=sha, rows_read=0, sections=[], unused_columns=unused,
            issues=[_file_issue(name, "文件没有数据行", "the file has no data rows")],
        )

    sections: list[SchoolSection] = []
    issues: list[InputIssue] = []
    rejected: list[RejectedRow] = []
    seen: dict[tuple[str, Level], int] = {}
    for record in table.records:
        b = _RowBuilder(name, record.row)
        if record.problem is not None:
            b.error(None, None, *record.problem)
            issues.extend(b.issues)
            rejected.append(RejectedRow(file=name, row=record.row))
            continue
        section = _section(b, record, columns, check_columns=not table.fixed_columns)
        key = _row_key(record, columns)
        if key is not None:
            if key in seen:
                col = next((h for h in record.cells if columns[h].fact == "school_id"), None)
                b.error(col, key[0],
                        f"学校标识码“{key[0]}”的{key[1].zh}学段重复（首次出现在第{seen[key]}行）",
                        f"duplicate school_id {key[0]!r} / level {key[1].value} "
                        f"(first in row {seen[key]})")
                section = None
            else:
                seen[key] = record.row
        issues.extend(b.issues)
        if section is not None:
            sections.append(section)
        elif b.failed:
            rejected.append(_rejected_row(name, record, columns))
    from junheng.policy.consistency import check_consistency  # it uses match_header

    return check_consistency(FactsBatch(
        file=name, file_sha256=sha, rows_read=len(table.records), sections=sections,
        issues=issues, unused_columns=unused, rejected=rejected,
    ))


def _rejected_row(name: str, record: _Record, columns: Mapping[str, ColumnInfo]) -> RejectedRow:
    """What a rejected row says about itself (school and level when readable)."""
    found: dict[str, str] = {}
    for header, raw in record.cells.items():
        fact = columns[header].fact
        if fact in ("school_id", "school_name", "level") and fact not in found and _text(raw):
            found[fact] = _text(raw)
    return RejectedRow(file=name, row=record.row, school_id=found.get("school_id", ""),
                       school_name=found.get("school_name", ""),
                       level=LEVEL_ALIASES.get(found.get("level", "").lower()))


def _row_key(record: _Record, columns: Mapping[str, ColumnInfo]) -> tuple[str, Level] | None:
    school_id: str | None = None
    level: Level | None = None
    for header, raw in record.cells.items():
        fact = columns[header].fact
        if fact == "school_id" and _text(raw):
            school_id = _text(raw)
        elif fact == "level":
            level = LEVEL_ALIASES.get(_text(raw).lower(), level)
    return (school_id, level) if school_id is not None and level is not None else None


# --- public API ------------------------------------------------------------------------------


def _parse_text(text: str, fmt: str) -> _Table:
    if fmt == "csv":
        return _csv_table(text)
    if fmt == "json":
        return _json_table(text)
    return _yaml_table(text)


def _read(text: str | None, fmt: str, name: str, sha: str,
          decode_problem: _FileProblem | None = None) -> FactsBatch:
    try:
        if decode_problem is not None:
            raise decode_problem
        assert text is not None
        table = _parse_text(text, fmt)
    except _FileProblem as exc:
        return _fatal(name, sha, [_file_issue(name, exc.message_zh, exc.message_en)])
    return _batch(name, sha, table)


def read_facts_text(text: str, fmt: str, name: str) -> FactsBatch:
    """Read facts from ``text`` in format ``fmt`` (``csv``, ``json``, ``yaml``/``yml``).

    ``name`` is used as the file name in issues and ``source``; the hash is of the UTF-8 text.
    """
    key = fmt.lower().lstrip(".")
    normalised = FORMATS.get(f".{key}")
    if normalised is None:
        raise UnsupportedFormatError(fmt)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _read(text, normalised, name, sha)


def input_too_large(path: Path, limit: int) -> FactsBatch | None:
    """The fatal batch for a file larger than ``limit`` bytes (checked before reading it)."""
    size = path.stat().st_size
    if size <= limit:
        return None
    return _fatal(path.name, "", [_file_issue(
        path.name, f"文件过大（{size:,} 字节，上限 {limit:,} 字节）；请分成几个文件",
        f"the file is too large ({size:,} bytes; the limit is {limit:,}); split it")])


def read_facts(path: Path) -> FactsBatch:
    """Read one facts file; the format comes from the suffix (.csv, .json, .yaml, .yml, .xlsx)."""
    if path.suffix.lower() in WORKBOOK_FORMATS:
        from junheng.policy.xlsx_reader import read_xlsx  # it builds on this module

        return read_xlsx(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnsupportedFormatError(path.suffix or path.name)
    too_big = input_too_large(path, MAX_YAML_INPUT_BYTES if fmt == "yaml" else MAX_INPUT_BYTES)
    if too_big is not None:
        return too_big
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        return _fatal(path.name, sha, [_file_issue(path.name, "文件为空", "the file is empty")])
    try:
        text = _decode(data)
    except _FileProblem as exc:  # pragma: no cover - see _decode
        return _read(None, fmt, path.name, sha, exc)
    return _read(text, fmt, path.name, sha)

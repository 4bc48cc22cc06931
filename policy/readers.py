"""Reading school-section facts from CSV, JSON and YAML files into a :class:`FactsBatch`.

* CSV: UTF-8 (with or without BOM), falling back to GB18030 (a superset of GBK). The header is
  found in the first rows like a workbook's (:func:`find_header`: title rows above it, a group row
  over a sub-header row); row numbers are the ones a spreadsheet shows. Comma- or tab-separated.
* JSON: a list of records, or ``{"schools": [...]}``; numbers are read exactly
  (``parse_float=Decimal``); ``NaN``/``Infinity`` are reported, not read.
* YAML: :func:`yaml.safe_load` semantics through a ``SafeLoader`` subclass whose float
  constructor returns the :class:`~decimal.Decimal` of the written text; integers and YAML 1.1
  booleans (``yes``/``no``) keep their written text, so ``school_id: 012345`` stays ``"012345"``
  (no octal surprise) and numbers are parsed like spreadsheet cells.

For JSON/YAML the row number is the 1-based record number. Headers are matched by canonical
name, Chinese name or alias after NFKC normalisation, with spaces removed and a trailing unit
in parentheses stripped (``教学仪器设备值(万元)``: 万 scales every cell of that column by 10 000).

A plain cell (ASCII digits with at most one point: ``2718``, ``17232.12``) is read straight to an
exact Fraction (:func:`~junheng.policy.cells.plain_number`; equal texts of a file share one
value); every other cell goes through :func:`~junheng.policy.cells.parse_number`. A CSV's rows
become records and sections one at a time, each row let go once read.

Every row read is either in ``sections`` or rejected with at least one error issue:
``len(sections) + rejected_rows == rows_read``. A file-level problem (unreadable file, no data
rows, two columns for one fact, a column unit that does not fit its fact, no ``school_id`` or
``level`` column) is reported as an issue with ``row=None``; then no row is read
(``rows_read == 0``).
"""

from __future__ import annotations

import csv
import difflib
import gc
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple, cast

import yaml

from junheng.policy.cells import (
    CELL_UNITS,
    MAX_INTEGER_DIGITS,
    CellError,
    exact_decimal,
    parse_boolean,
    parse_number,
    plain_number,
)
from junheng.policy.facts import LEVEL_ALIASES, SCHOOL_FACTS, SCHOOL_TYPES, FactKind, FactSpec, Level
from junheng.policy.inputs import FactsBatch, InputIssue, RejectedRow, SchoolSection
from junheng.policy.units import unit

__all__ = [
    "FORMATS",
    "ColumnInfo",
    "ColumnMapError",
    "UnsupportedFormatError",
    "match_header",
    "read_column_map",
    "read_facts",
    "read_facts_text",
]

FORMATS: dict[str, str] = {".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
WORKBOOK_FORMATS: dict[str, str] = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls"}
"""Excel workbooks, read by :mod:`junheng.policy.xlsx_reader` (binary: not for ``read_facts_text``)."""

MAX_INPUT_BYTES = 48 * 2**20
"""Largest facts file read (CSV, JSON, XLSX): a province of 30,000 rows is ~10 MB of CSV."""
MAX_YAML_INPUT_BYTES = 5 * 2**20
"""Largest YAML facts file (the YAML parser is ~100x slower than CSV; use CSV or XLSX for more)."""
MAX_ROWS = 300_000
"""Most data rows (records) in one facts file: the national file (~200,000 sections) with room to
spare; memory measured in docs/LIMITS.md."""
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
_PLAIN_FACTS: dict[str, bool] = {
    name: unit(f.unit).integral for name, f in _NUMERIC_FACTS.items() if f.kind is not FactKind.boolean
}
"""Facts a plain cell may give directly (yes/no facts read 是/否, 1/0 their own way), and whether
each must be a whole number (persons, rooms, volumes …)."""


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
    per_student: int = 0
    """Not 0 when the column states the fact per student (生均, ``1``) or per 100 students
    (每百名学生, ``100``) and no column holds its total: the total is the value × students ÷ this."""


def _units_compatible(given: str, fact: FactSpec) -> bool:
    if given == fact.unit:
        return True
    if given == "count":
        return unit(fact.unit).integral and fact.unit not in ("persons", "year")
    return False


_COUNT_SUFFIXES = ("人数", "间数", "台数", "册数", "个数", "数量")


def _lookup(key: str) -> str | None:
    """The fact a normalised header names: exactly, or with the count word people write or leave
    out (``高于规定学历教师`` / ``…人数`` for ``高于规定学历教师数``, ``网络多媒体教室间数``)."""
    found = _HEADER_LOOKUP.get(key) or _HEADER_LOOKUP.get(key + "数")
    if found is None:
        for suffix in _COUNT_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                found = _HEADER_LOOKUP.get(key[: -len(suffix)] + "数")
                break
    return found


_COLUMN_MAP: ContextVar[Mapping[str, str | None] | None] = ContextVar("junheng_column_map", default=None)
"""The ``--columns`` mapping in force while a file is read (normalised header → fact, None = ignore)."""


class ColumnMapError(ValueError):
    """A ``--columns`` mapping file that cannot be used (bilingual)."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_en} / {message_zh}")
        self.message_zh, self.message_en = message_zh, message_en


def read_column_map(path: Path) -> dict[str, str | None]:
    """A column mapping: a YAML (or JSON) mapping ``表头: fact`` (or ``{columns: {…}}``), where the
    fact is a canonical name or Chinese name, optionally with a unit (``教学仪器设备值（万元）``); an
    empty value ignores the column. Every entry is checked; all problems are raised together."""
    try:
        obj = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=ExactSafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ColumnMapError(f"无法读取列映射文件 {path}：{exc}", f"cannot read the column map {path}: {exc}") from None
    if isinstance(obj, Mapping) and isinstance(obj.get("columns"), Mapping):
        obj = obj["columns"]
    if not isinstance(obj, Mapping):
        raise ColumnMapError(f"列映射文件 {path} 应为“表头: 事实名称”的映射",
                             f"the column map {path} must be a mapping of header: fact")
    out: dict[str, str | None] = {}
    bad_zh: list[str] = []
    bad_en: list[str] = []
    for header, target in obj.items():
        text = None if target is None else str(target).strip() or None
        if text is not None and _match_header(text).fact is None:
            hint = difflib.get_close_matches(_norm(text), list(_HEADER_LOOKUP), n=1, cutoff=0.6)
            fact = _HEADER_LOOKUP[hint[0]] if hint else None
            bad_zh.append(f"“{header}: {text}”不是已知的学校数据名称" + (f"（是否指 {fact}？）" if fact else ""))
            bad_en.append(f"{header!r}: {text!r} is not a known school fact"
                          + (f" (did you mean {fact}?)" if fact else ""))
            continue
        out[_norm(str(header))] = text
    if bad_zh:
        raise ColumnMapError(f"列映射文件 {path}：" + "；".join(bad_zh), f"column map {path}: " + "; ".join(bad_en))
    return out


def match_header(header: str) -> ColumnInfo:
    """Understand one column header: as the ``--columns`` mapping in force says, else by canonical
    name, Chinese name or alias, with an optional unit."""
    mapping = _COLUMN_MAP.get()
    if mapping is not None and (key := _norm(header)) in mapping:
        target = mapping[key]
        if target is None:
            return ColumnInfo(header, None)
        info = _match_header(target)
        stated = _split_unit(key)[1]
        if info.unit_code is None and info.scale == 1 and stated and info.fact is not None:
            with_unit = _match_header(f"{target}({stated})")  # the header's own unit still applies
            info = with_unit if with_unit.fact == info.fact else info
        return replace(info, header=header)
    return _match_header(header)


def _match_header(header: str) -> ColumnInfo:
    key = _norm(header)
    exact = _lookup(key)
    if exact is not None:
        return ColumnInfo(header, exact)
    m = _HEADER_UNIT_RE.match(key)
    base = _lookup(m.group("base")) if m is not None else None
    if m is None or base is None:
        return ColumnInfo(header, None)
    fact_name = base
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


HEADER_SEARCH_ROWS = 15
"""The header may start on any of the first rows (a title and a 填报单位 row above it are fine)."""
_QUANTITY_WORDS = frozenset({"数量", "数", "人数", "间数", "台数", "册数", "个数", "面积", "建筑面积", "总值",
                             "总额", "金额", "价值", "值", "总量", "总数", "合计", "总计"})
"""A sub-header that only says "how much" of the group above it (``网络多媒体教室 / 间数``)."""
_PER_STUDENT_WORDS = ("每百名学生拥有", "每百名学生", "百名学生", "生均", "人均")
_PER_STUDENT_TAILS = frozenset({"", "值", "面积", "数", "册数", "台数", "间数", "拥有", "拥有量", "数量"})


def _split_unit(key: str) -> tuple[str, str]:
    m = _HEADER_UNIT_RE.match(key)
    return (m.group("base"), m.group("unit")) if m is not None else (key, "")


def _as_unit(text: str) -> str | None:
    """``平方米`` / ``（平方米）`` / ``单位：万元`` as a header unit, else None."""
    key = _norm(text).strip("()")
    for prefix in ("单位:", "单位"):
        if key.startswith(prefix):
            key = key[len(prefix):]
    bare = key[1:] if key.startswith("万") else key
    return key if key and bare in CELL_UNITS else None


def header_for(top: str, bottom: str) -> str:
    """The header one column states across two header rows: a group over a unit
    (``教学及辅助用房面积`` / ``平方米``), over a fact (``校舍面积（平方米）`` / ``教学及辅助用房面积``), over a
    quantity word (``网络多媒体教室`` / ``间数``) or over a per-student word (``教学仪器设备值`` /
    ``生均（元）`` → ``生均教学仪器设备值(元)``: a per-student column, never the total)."""
    if not bottom or bottom == top:
        return top
    if not top:
        return bottom
    unit_text = _as_unit(bottom)
    if unit_text is not None:
        return f"{top}（{unit_text}）"
    top_base, top_unit = _split_unit(_norm(top))
    bottom_base, bottom_unit = _split_unit(_norm(bottom))
    for word in _PER_STUDENT_WORDS:
        if bottom_base.startswith(word) and bottom_base[len(word):] in _PER_STUDENT_TAILS:
            return f"{word}{top_base}" + (f"({bottom_unit})" if bottom_unit else "")
    if bottom_base in _QUANTITY_WORDS:
        unit_part = bottom_unit or top_unit
        return top_base + (f"({unit_part})" if unit_part else "")
    if match_header(bottom).fact is not None:
        if top_unit and _as_unit(top_unit) and match_header(f"{bottom}({top_unit})").fact:
            return f"{bottom}（{top_unit}）"
        return bottom
    if match_header(top + bottom).fact is not None:
        return top + bottom
    if match_header(top).fact is not None:
        return top
    return f"{top} {bottom}"


def _score(headers: Iterable[str]) -> tuple[int, bool]:
    """(facts and per-student columns named, whether a 学校标识码 or 学校名称 column is among them)."""
    from junheng.policy.consistency import match_derived_header  # it uses match_header

    facts: set[str] = set()
    derived: set[str] = set()
    for h in headers:
        if not h:
            continue
        fact = match_header(h).fact
        if fact is not None:
            facts.add(fact)
        elif (d := match_derived_header(h)) is not None:
            derived.add(d.numerator)
    return len(facts) + len(derived), bool(facts & {"school_id", "school_name"})


def _header_word(top: str, bottom: str) -> bool:
    """Whether ``bottom`` reads as a sub-header of ``top`` (a unit, a quantity or per-student
    word, or a header of its own), not as a data cell."""
    from junheng.policy.consistency import match_derived_header  # it uses match_header

    base = _split_unit(_norm(bottom))[0]
    return (_as_unit(bottom) is not None or base in _QUANTITY_WORDS
            or any(base.startswith(w) and base[len(w):] in _PER_STUDENT_TAILS for w in _PER_STUDENT_WORDS)
            or match_header(bottom).fact is not None or match_derived_header(bottom) is not None
            or match_header(top + bottom).fact is not None)


def _sub_header_row(top: Sequence[str], below: Sequence[str]) -> bool:
    """A row under a header row is a sub-header row when it holds no number, no 学段 value, and at
    least one sub-header word (a row of data is never read as headers)."""
    new = [(t, b) for t, b in zip(top, below, strict=True) if b and b != t]
    return (bool(new) and not any(_is_number(b) or _norm(b) in LEVEL_ALIASES for _, b in new)
            and any(_header_word(t, b) for t, b in new))


def _is_number(text: str) -> bool:
    try:
        return bool(text) and parse_number(text).value is not None
    except CellError:
        return False


def find_header(text: Callable[[int, int], str], max_row: int, max_col: int,
                ) -> tuple[int, int, list[str]] | None:
    """(first header row, last header row, column headers) of a sheet whose cells ``text(row,
    col)`` gives (1-based), or None when no row names a 学校标识码 or 学校名称 column.

    One header row or two (a group row over a sub-header row). The reading that names most facts
    wins; on a tie, the one followed by a row with numbers (data, not a sub-header); then the
    first. A banner row (one text across the sheet: a title, 填报单位) is never a group row."""
    cols = range(1, max_col + 1)

    def row(r: int) -> list[str]:
        cells = [text(r, c) for c in cols]
        return [""] * len(cells) if len({c for c in cells if c}) == 1 and sum(1 for c in cells if c) > 1 else cells

    def has_number(r: int) -> bool:
        return any(_is_number(text(r, c)) for c in cols)

    best: tuple[tuple[int, bool], int, int, list[str]] | None = None
    for r in range(1, min(max_row, HEADER_SEARCH_ROWS) + 1):
        one = row(r)
        below = row(r + 1) if r < max_row else [""] * len(one)
        readings = [(r, one)]
        if _sub_header_row(one, below):
            readings.append((r + 1, [header_for(t, b) for t, b in zip(one, below, strict=True)]))
        for last, headers in readings:
            score, has_key = _score(headers)
            key = (score, has_number(last + 1))
            if has_key and (best is None or key > best[0]):
                best = (key, r, last, headers)
    return None if best is None else (best[1], best[2], best[3])


# --- raw tables ------------------------------------------------------------------------------


@dataclass
class _Record:
    row: int
    cells: dict[str, Any]  # header as written → raw value (str for CSV)
    problem: tuple[str, str] | None = None


@dataclass
class _Table:
    headers: list[str]
    records: Iterable[_Record]
    """Read once, in order (a CSV's are made as they are read)."""
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
    if not rows or not any(c.strip() for r in rows for c in r):
        raise _FileProblem("文件为空（没有表头）", "the file is empty (no header row)")
    width = max(len(r) for r in rows)

    def cell(r: int, c: int) -> str:
        row = rows[r - 1] if r <= len(rows) else []
        return row[c - 1].strip() if c <= len(row) else ""

    found = find_header(cell, len(rows), width)
    first, last, raw_headers = found if found is not None else (1, 1, [cell(1, c) for c in range(1, width + 1)])
    for index in range(first - 1, last):
        if index in row_problems:
            raise _FileProblem(*row_problems[index])
    del rows[:last]  # the data rows stay, and go one by one as _csv_records reads them
    width = max([len(raw_headers), *(len(r) for r in rows)])
    headers = unique_headers(
        [raw_headers[i].strip() if i < len(raw_headers) else "" for i in range(width)],
        has_data=lambda i: any(i < len(r) and r[i].strip() for r in rows),
        fallback=lambda i: f"column {i + 1}",
    )
    return _Table([h for h in headers if h], _csv_records(rows, last, headers, row_problems), fixed_columns=True)


_READ: list[str] = []
"""What a CSV row is replaced by once its record is made (never changed)."""


def _csv_records(data: list[list[str]], last: int, headers: list[str],
                 row_problems: Mapping[int, tuple[str, str]]) -> Iterable[_Record]:
    """The records of the CSV rows ``data`` (the rows after header row ``last``), each row let go
    once its record is made."""
    named = [h for h in headers if h]
    width = len(headers)
    every = len(named) == width  # no blank header: a full row's cells zip with the headers
    for position, cells in enumerate(data):
        data[position] = _READ
        index = position + last + 1
        if index - 1 in row_problems:
            yield _Record(index, {}, problem=row_problems[index - 1])
            continue
        if not "".join(cells).strip():
            continue  # blank spreadsheet row: not a row read
        if every and len(cells) == width:
            yield _Record(index, dict(zip(named, cells, strict=True)))
            continue
        record = _Record(index, {})
        for i, h in enumerate(headers):
            if h:
                record.cells[h] = cells[i] if i < len(cells) else ""
        yield record


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


def load_json(text: str) -> Any:
    """``json.loads`` for untrusted files: nesting at most MAX_DEPTH (else JSONDecodeError, never
    RecursionError), exact decimals, number texts over MAX_NUMBER_TEXT kept as text."""
    if not _json_depth_ok(text):
        raise json.JSONDecodeError(f"nested more than {MAX_DEPTH} levels deep", text, 0)
    return json.loads(text.lstrip("\ufeff"), parse_float=_json_number, parse_int=_json_int,
                      parse_constant=_json_constant)


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
    if type(value) is str:
        return unicodedata.normalize("NFKC", value).strip()
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
    if fact.kind is FactKind.boolean:  # 是/否, 1/0, √/× (policy/cells.py)
        try:
            return parse_boolean(raw)
        except CellError as exc:
            b.error(header, raw, f"“{fact.zh}”：{exc.message_zh}", f"{fact.name}: {exc.message_en}")
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
    if percent and fact.unit == "ratio":  # a share such as 随迁子女占比 "60%" is 0.6, said explicitly
        value, percent = value / 100, False
    if percent:
        b.error(header, raw, f"“{fact.zh}”不能用百分数填写（单位：{uz}）",
                f"{fact.name} cannot be a percentage (unit: {ue})")
        return None
    if cell_unit is not None and not _units_compatible(cell_unit, fact):
        b.error(header, raw, f"单元格中的单位与“{fact.zh}”的单位（{uz}）不符",
                f"the unit in the cell does not fit {fact.name} ({ue})")
        return None
    if col.scale != 1:
        if cell_mult == "万" and cell_unit in (None, col.unit_code):
            pass  # 410.5万元 under （万元）: the cell says what the header says, 万 already applied
        elif cell_mult is not None or cell_unit is not None:
            b.error(header, raw, "表头已注明单位（万），单元格中的单位与表头不一致，含义不明确",
                    "the header states the unit (万); the unit in the cell differs from it: "
                    "ambiguous")
            return None
        else:
            value *= col.scale
    elif col.unit_code is not None and cell_unit is not None and cell_unit != col.unit_code:
        b.error(header, raw, "单元格中的单位与表头单位不一致",
                "the unit in the cell differs from the unit in the header")
        return None
    if value < 0:
        b.error(header, raw, f"“{fact.zh}”不能为负数", f"{fact.name} cannot be negative")
        return None
    if unit(fact.unit).integral and value.denominator != 1 and not col.per_student:
        b.error(header, raw, f"“{fact.zh}”应为整数（单位：{uz}）",
                f"{fact.name} must be a whole number ({ue})")
        return None
    return value


FAST_CELLS: ContextVar[bool] = ContextVar("junheng_fast_cells", default=True)
"""Whether plain cells take :func:`_plain_cell` (tests switch it off to compare with the general
path; nothing else does)."""


def _plain_cell(col: ColumnInfo, raw: Any, integral: bool, shared: dict[str, Fraction]) -> Fraction | None:
    """The value of a plain cell (``"2718"``, ``" 17232.12 "``: :func:`plain_number`; or a number
    a workbook or JSON file stored, not negative, within the bounds) that :func:`_number` accepts
    without a word, or None: then :func:`_number` reads it (and reports).

    ``shared`` maps cell texts already read to their values, so equal cells of one file share one
    (immutable) Fraction."""
    kind = type(raw)
    if kind is int:
        if not 0 <= raw < _INTEGER_BOUND:
            return None
        value: Fraction | None = Fraction(raw)
    elif kind is Decimal:
        if not raw.is_finite() or raw.is_signed():
            return None
        try:
            value = exact_decimal(raw)
        except CellError:
            return None
    elif kind is not str:
        return None
    else:
        value = shared.get(raw)
        if value is None:
            value = plain_number(raw)
            if value is None:
                return None
            if len(shared) < _SHARED_VALUES:
                shared[raw] = value
    assert value is not None
    if integral and value.denominator != 1 and not col.per_student:
        return None  # "2.5" teachers: the general path says why not
    return value * col.scale if col.scale != 1 else value


_INTEGER_BOUND = 10**MAX_INTEGER_DIGITS
_PLAIN_TYPES = (str, int, Decimal)
"""The cell types :func:`_plain_cell` reads (a bool is not an int here: ``type(raw) is int``)."""

_SHARED_VALUES = 4096
"""Most distinct cell texts remembered per column and per file (their values shared between rows:
enough for counts such as students; a column of amounts, each different, gains nothing past it)."""


def _exceeds(a: Fraction, b: Fraction) -> bool:
    """``a > b`` by integer cross-multiplication (denominators are positive): exact, and without
    the Fraction comparison machinery in the per-row checks."""
    an, ad = a.as_integer_ratio()
    bn, bd = b.as_integer_ratio()
    return an * bd > bn * ad


def _shown_text(b: _RowBuilder, found: tuple[ColumnInfo, Any] | None) -> str:
    """A name as it may be shown: control characters (terminal escapes …) as visible \\xNN."""
    if found is None:
        return ""
    text = _text(found[1])
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
        b.error(found[0].header, text, "含有控制字符（如终端转义序列），已显示为 \\xNN",
                "holds control characters (e.g. terminal escape sequences); shown as \\xNN",
                severity="warning")
    return text


class _Column(NamedTuple):
    """What a table's column is, worked out once for all its rows."""

    info: ColumnInfo
    spec: FactSpec | None
    """The numeric fact the column holds, if it holds one."""
    integral: bool
    """Whether that fact is a whole number."""
    known: dict[str | int | Decimal, Fraction] | None
    """For a column whose plain cells take :func:`_plain_cell`: the values of the cells (texts, numbers) read
    so far (at most :data:`_SHARED_VALUES`); None for every other column (text, yes/no,
    per-student), and with the fast path off."""


def _plan(columns: Mapping[str, ColumnInfo]) -> dict[str, _Column]:
    fast = FAST_CELLS.get()
    plan: dict[str, _Column] = {}
    for header, info in columns.items():
        spec = _NUMERIC_FACTS.get(info.fact) if info.fact is not None else None
        integral = _PLAIN_FACTS.get(spec.name) if spec is not None and not info.per_student else None
        plan[header] = _Column(info, spec, bool(integral), {} if fast and integral is not None else None)
    return plan


def _section(
    b: _RowBuilder, record: _Record, plan: Mapping[str, _Column], check_columns: bool,
    shared: dict[str, Fraction] | None = None,
) -> SchoolSection | None:
    by_fact: dict[str, tuple[ColumnInfo, Any]] = {}
    extra: dict[str, str] = {}
    # Numbers in column order; a plain cell's value at once, None until the other cells are read
    # below (after the text fields, so that the issues come in the same order).
    read: dict[str, Fraction | None] = {}
    pending: list[str] = []
    for name_written, cell in record.cells.items():
        col, spec, integral, known = plan[name_written]
        if isinstance(cell, str) and len(cell) > MAX_FIELD_CHARS:
            b.error(name_written, cell[:40] + "…", f"单元格过长（{len(cell):,} 个字符，上限 {MAX_FIELD_CHARS:,}）",
                    f"the cell is too long ({len(cell):,} characters; the limit is {MAX_FIELD_CHARS:,})")
            continue
        fact = col.fact
        if fact is None:
            written = cell if type(cell) is str else _as_written(cell)
            if written is not None and written.strip():
                extra[name_written] = written
            continue
        if check_columns:
            if fact in by_fact:
                other = by_fact[fact][0].header
                b.error(name_written, cell, f"“{other}”与“{name_written}”是同一项事实（{fact}）",
                        f"{other!r} and {name_written!r} are the same fact ({fact})")
                continue
            if col.problem is not None:
                b.error(name_written, cell, *col.problem)
                continue
        by_fact[fact] = (col, cell)
        if spec is not None:
            v = None
            if known is not None and shared is not None and type(cell) in _PLAIN_TYPES:
                v = known.get(cell)
                if v is None:
                    v = _plain_cell(col, cell, integral, shared)
                    if v is not None and len(known) < _SHARED_VALUES:
                        known[cell] = v
            if v is None:
                pending.append(fact)
            read[fact] = v

    found = by_fact.get("school_id")
    school_id = _shown_text(b, found)
    if not school_id:
        b.error((found[0].header if found else None) or "school_id", found[1] if found else None,
                "缺少学校标识码", "school_id is missing")

    found = by_fact.get("level")
    header, raw = (found[0].header, found[1]) if found is not None else (None, None)
    level: Level | None = None
    level_text = _text(raw)
    if not level_text:
        b.error(header or "level", raw, "缺少学段（小学/初中）",
                "level is missing (primary/junior)")
    else:
        level = LEVEL_ALIASES.get(level_text.lower())
        if level is None:
            b.error(header, raw, "学段应为“小学”或“初中”",
                    "level must be primary or junior (小学/初中)")

    school_type: str | None = None
    found = by_fact.get("school_type")
    if found is not None and (t := _text(found[1])):
        school_type = SCHOOL_TYPES.get(t, t if t in SCHOOL_TYPES.values() else None)
        if school_type is None:
            b.error(found[0].header, found[1], f"无法识别的学校类型；可用：{'、'.join(SCHOOL_TYPES)}",
                    f"unknown school type; use one of {', '.join(SCHOOL_TYPES.values())}")

    year: int | None = None
    found = by_fact.get("year")
    if found is not None and (t := _text(found[1])):
        # A label: no rule reads it, so a year written another way (2025—2026学年) is a warning
        # and the row is still evaluated.
        try:
            parsed = parse_number(t)
        except CellError:
            parsed = None
        v = parsed.value if parsed is not None else None
        if parsed is not None and v is None:
            pass
        elif (parsed is None or v is None or parsed.unit_code not in (None, "year") or parsed.percent
              or parsed.multiplier or v.denominator != 1 or not 1900 <= v <= 2200):
            b.error(found[0].header, found[1], "学年不是四位年份（如 2024），未使用；不影响评估",
                    "the year is not a year such as 2024: not used (the evaluation does not need it)",
                    severity="warning")
        else:
            year = int(v)

    per_student: dict[str, Fraction] = {}
    for name in pending:
        col, raw = by_fact[name]
        v = _number(b, col, raw, _NUMERIC_FACTS[name])
        if v is not None and not col.per_student:
            read[name] = v
            continue
        read.pop(name, None)
        if v is not None:
            per_student[name] = v / col.per_student
    values = cast(dict[str, Fraction], read)  # every None replaced or removed above
    if per_student and values.get("students") is not None:
        # 生均 X alone: the total is X × students (the column note says so), never X itself.
        for name, v in per_student.items():
            values[name] = v * values["students"]

    cell_failed = {i.column for i in b.issues if i.severity == "error"} if b.issues else set()

    def col_of(name: str) -> str:
        found = by_fact.get(name)
        return found[0].header if found is not None else name

    def raw_of(name: str) -> Any:
        found = by_fact.get(name)
        return found[1] if found is not None else None

    students = values.get("students")
    if students is None:
        if col_of("students") not in cell_failed:
            b.error(col_of("students"), raw_of("students"), "缺少在校生数", "students is missing")
    elif not students.numerator:
        b.error(col_of("students"), raw_of("students"), "在校生数不能为 0", "students cannot be 0")

    teachers = values.get("teachers")
    if teachers is not None:
        for name in SUBCOUNTS_OF_TEACHERS:
            sub = values.get(name)
            if sub is not None and _exceeds(sub, teachers):
                zh = _NUMERIC_FACTS[name].zh
                b.error(col_of(name), raw_of(name),
                        f"{zh}（{sub}）大于专任教师数（{teachers}）",
                        f"{name} ({sub}) exceeds teachers ({teachers})")
        staff = values.get("staff")
        if staff is not None and _exceeds(teachers, staff):
            b.error(col_of("teachers"), raw_of("teachers"),
                    f"专任教师数（{teachers}）大于教职工数（{staff}）",
                    f"teachers ({teachers}) exceeds staff ({staff})")
    max_class = values.get("max_class_size")
    if max_class is not None and students is not None and _exceeds(max_class, students):
        b.error(col_of("max_class_size"), raw_of("max_class_size"),
                f"最大班额（{max_class}）大于在校生数（{students}）",
                f"max_class_size ({max_class}) exceeds students ({students})")

    classes = values.get("classes")
    if students and classes == 0:
        b.error(col_of("classes"), raw_of("classes"), "班级数为 0，但在校生数不为 0",
                "classes is 0 but students is not", severity="warning")
    elif students and classes is not None:
        if _exceeds(students, classes * CLASS_SIZE_WARNING):
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
    school_name = _shown_text(b, by_fact.get("school_name"))
    county = _shown_text(b, by_fact.get("county"))
    # Every field has its type already (built above from checked cells): validating would only
    # copy the dicts. The twin is equal (a test compares them).
    build = SchoolSection.checked if shared is not None and FAST_CELLS.get() else SchoolSection
    return build(school_id=school_id, level=level, school_name=school_name, county=county, year=year,
                 school_type=school_type, values=values, extra=extra, source=b.file, row=record.row)


def _file_issue(name: str, zh: str, en: str, column: str | None = None) -> InputIssue:
    return InputIssue(file=name, row=None, column=column, message_zh=zh, message_en=en)


def _fatal(name: str, sha: str, issues: Iterable[InputIssue]) -> FactsBatch:
    return FactsBatch(file=name, file_sha256=sha, rows_read=0, sections=[], issues=list(issues))


SUMMARY_MARKS: tuple[str, ...] = ("合计", "小计", "总计")
"""A cell containing one of these (``全县合计``, ``小学小计``) marks a total row, not a school."""
SUMMARY_CELLS = frozenset({"全县", "全区", "全市", "平均", "全县平均", "平均值", "总体", "total", "sum",
                           "subtotal", "average"})
SIGNATURE_MARKS: tuple[str, ...] = (
    "填表人", "填报人", "制表人", "审核人", "审核", "负责人", "单位负责人", "校长签字", "签字", "盖章",
    "联系电话", "电话", "填报日期", "填表日期", "制表日期", "填报单位", "注:", "说明:", "备注:",
)
"""A cell starting with one of these is a signature or footnote row under the table."""
NAME_KEY = "\0name-key"
"""Internal column: the 学校名称 read as the section key when the sheet has no id column."""


def summary_row_mark(texts: Iterable[str]) -> str | None:
    """The cell text that makes a row a total, subtotal, signature or footnote row, or None."""
    for text in texts:
        key = _norm(text).replace("：", ":")
        if not key:
            continue
        if key in SUMMARY_CELLS or _SUMMARY_MARK.search(key) or key.startswith(SIGNATURE_MARKS):
            return text.strip()
    return None


_SUMMARY_MARK = re.compile("|".join(map(re.escape, SUMMARY_MARKS)))


def _per_student(name: str, columns: dict[str, ColumnInfo]) -> list[InputIssue]:
    """Read a 生均 (per-student) column as per student — never as a total. With the total beside
    it, the consistency check compares the two; alone, the total is the value × students (noted)."""
    from junheng.policy.consistency import match_derived_header  # it uses match_header

    notes: list[InputIssue] = []
    stated = {c.fact for c in columns.values() if c.fact is not None}
    for h, c in list(columns.items()):
        derived = match_derived_header(h) if c.fact is None else None
        if derived is None or derived.denominator != "students" or derived.one_to \
                or derived.numerator in stated or derived.numerator not in _NUMERIC_FACTS:
            continue
        fact = _NUMERIC_FACTS[derived.numerator]
        stated.add(fact.name)
        columns[h] = ColumnInfo(h, fact.name, per_student=derived.scale)
        per = "生均" if derived.scale == 1 else "每百名学生"
        notes.append(_file_issue(
            name, f"列“{h}”是{per}值，没有“{fact.zh}”总量列：总量按 {per}值 × 在校生数"
                  + (" ÷ 100" if derived.scale != 1 else "") + " 计算",
            f"column {h!r} is a per-{'student' if derived.scale == 1 else '100-students'} value and "
            f"there is no {fact.name} column: the total is the value × students"
            + (" ÷ 100" if derived.scale != 1 else ""), h).model_copy(update={"severity": "warning"}))
    return notes


def _did_you_mean(name: str, headers: Iterable[str]) -> list[InputIssue]:
    """A warning for each unused header that looks like a fact's name."""
    from junheng.policy.consistency import match_derived_header

    labels = {_HEADER_UNIT_RE.sub(r"\g<base>", k): f for k, f in _HEADER_LOOKUP.items()}
    out: list[InputIssue] = []
    mapped = _COLUMN_MAP.get() or {}
    for h in headers:
        key = _norm(h)
        if key in mapped:
            continue  # ignored on purpose (--columns)
        m = _HEADER_UNIT_RE.match(key)
        base = m.group("base") if m is not None else key
        if match_derived_header(h) is not None or len(base) < 2:
            continue
        close = difflib.get_close_matches(base, list(labels), n=1, cutoff=0.6)
        if not close:
            continue
        spec = _NUMERIC_FACTS.get(labels[close[0]]) or next(
            f for f in SCHOOL_FACTS if f.name == labels[close[0]])
        out.append(_file_issue(
            name, f"未识别的列“{h}”（未使用）；是否指“{spec.zh}”（{spec.name}）？可改表头或用 --columns 指定",
            f"unrecognised column {h!r} (not used); did you mean {spec.name} ({spec.zh})? "
            "Rename the header or map it with --columns", h).model_copy(update={"severity": "warning"}))
    return out


def _batch(name: str, sha: str, table: _Table) -> FactsBatch:
    columns = {h: match_header(h) for h in table.headers}
    notes: list[InputIssue] = []
    if table.fixed_columns:
        notes += _per_student(name, columns)
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
        if "school_id" not in first and "school_name" in first:
            # No id column: a section is keyed by 学校名称 + 学段 (two schools of one name clash).
            name_col = first["school_name"]
            columns[NAME_KEY] = ColumnInfo(name_col, "school_id")  # each row's cell: below
            first["school_id"] = name_col
            notes.append(_file_issue(
                name, "没有“学校标识码”列：以“学校名称 + 学段”区分各学段（同名学校会被视为重复）",
                "no school_id column: sections are keyed by school name + level (two schools of "
                "one name count as a duplicate)", name_col).model_copy(update={"severity": "warning"}))
        for required, label_zh in (("school_id", "学校标识码或学校名称"), ("level", "学段")):
            if required not in first:
                problems.append(_file_issue(
                    name, f"找不到“{label_zh}”列（{required}）",
                    f"no {required!r} column" + (" (nor a school name)" if required == "school_id" else "")))
        if problems:
            return _fatal(name, sha, problems)
        notes += _did_you_mean(name, unused)
    key_source = columns[NAME_KEY].header if NAME_KEY in columns else None  # no id column: the name
    marks = {h: c for h, c in columns.items() if c.fact in (None, *_TEXT_FACTS) and _norm(h) not in REMARK_HEADERS}
    sections: list[SchoolSection] = []
    issues: list[InputIssue] = []
    rejected: list[RejectedRow] = []
    seen: dict[tuple[str, Level], int] = {}
    shared: dict[str, Fraction] = {}
    key_columns = {h: c.fact for h, c in columns.items() if c.fact in ("school_id", "level")}
    plan = _plan(columns)
    rows_read = 0
    # One pass, one record at a time: a CSV's records are made from its rows as they are read
    # here (and the rows let go), so a large file is never held three times over.
    for record in table.records:
        cells = record.cells
        if key_source is not None:
            cells[NAME_KEY] = cells.get(key_source)
        mark = summary_row_mark(_text(cells[h]) for h in marks if h in cells) if table.fixed_columns \
            else summary_row_mark(_text(v) for h, v in cells.items() if h in marks)
        if mark is not None:
            notes.append(InputIssue(
                file=name, row=record.row, value=mark, severity="warning",
                message_zh="合计/小计或签名行，不是学校数据，已跳过",
                message_en="a total, subtotal or signature row, not a school: skipped"))
            continue
        rows_read += 1
        b = _RowBuilder(name, record.row)
        if record.problem is not None:
            b.error(None, None, *record.problem)
            issues.extend(b.issues)
            rejected.append(RejectedRow(file=name, row=record.row))
            continue
        section = _section(b, record, plan, check_columns=not table.fixed_columns, shared=shared)
        key = _row_key(record, key_columns, table.fixed_columns)
        if key is not None:
            if key in seen:
                col = next((columns[h].header for h in record.cells if columns[h].fact == "school_id"), None)
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
    if not rows_read:
        return FactsBatch(
            file=name, file_sha256=sha, rows_read=0, sections=[], unused_columns=unused,
            issues=[*notes, _file_issue(name, "文件没有数据行", "the file has no data rows")],
        )
    from junheng.policy.consistency import check_consistency  # it uses match_header

    return check_consistency(FactsBatch(
        file=name, file_sha256=sha, rows_read=rows_read, sections=sections,
        issues=[*notes, *issues], unused_columns=unused, rejected=rejected,
    ))


def _rejected_row(name: str, record: _Record, columns: Mapping[str, ColumnInfo]) -> RejectedRow:
    """What a rejected row says about itself (school and level when readable)."""
    found: dict[str, str] = {}
    for header, raw in record.cells.items():
        fact = columns[header].fact
        if fact in ("school_id", "school_name", "level", "county") and fact not in found and _text(raw):
            found[fact] = _text(raw)
    return RejectedRow(file=name, row=record.row, school_id=found.get("school_id", ""),
                       school_name=found.get("school_name", ""),
                       level=LEVEL_ALIASES.get(found.get("level", "").lower()), county=found.get("county", ""))


def _row_key(record: _Record, key_columns: Mapping[str, str | None], fixed: bool) -> tuple[str, Level] | None:
    """(school id, level) of a row, from the columns ``key_columns`` names school_id or level (the
    last one of each in the row; every row of a ``fixed`` table has its cells in column order)."""
    school_id: str | None = None
    level: Level | None = None
    cells = record.cells
    for header, raw in ((h, cells.get(h)) for h in key_columns) if fixed else cells.items():
        fact = key_columns.get(header)
        if fact == "school_id":
            school_id = _text(raw) or school_id
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


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a file is read.

    Reading makes millions of objects (cells, values, sections) and no reference cycles; the
    collector would walk the growing heap again and again for nothing — 3.5 of 9.6 CPU seconds for
    200,000 rows. Reference counting still frees everything; the collector runs again after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_facts_text(text: str, fmt: str, name: str,
                    columns: Mapping[str, str | None] | None = None) -> FactsBatch:
    """Read facts from ``text`` in format ``fmt`` (``csv``, ``json``, ``yaml``/``yml``).

    ``name`` is used as the file name in issues and ``source``; the hash is of the UTF-8 text.
    ``columns``: as for :func:`read_facts`.
    """
    key = fmt.lower().lstrip(".")
    normalised = FORMATS.get(f".{key}")
    if normalised is None:
        raise UnsupportedFormatError(fmt)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    token = _COLUMN_MAP.set({_norm(k): v for k, v in columns.items()} if columns else None)
    try:
        with _no_cycle_collection():
            return _read(text, normalised, name, sha)
    finally:
        _COLUMN_MAP.reset(token)


def input_too_large(path: Path, limit: int) -> FactsBatch | None:
    """The fatal batch for a file larger than ``limit`` bytes (checked before reading it)."""
    size = path.stat().st_size
    if size <= limit:
        return None
    return _fatal(path.name, "", [_file_issue(
        path.name, f"文件过大（{size:,} 字节，上限 {limit:,} 字节）；请分成几个文件",
        f"the file is too large ({size:,} bytes; the limit is {limit:,}); split it")])


def read_facts(path: Path, columns: Mapping[str, str | None] | None = None) -> FactsBatch:
    """Read one facts file; the format comes from the suffix (.csv, .json, .yaml, .yml, .xlsx,
    .xls). ``columns`` (see :func:`read_column_map`) says which fact a header holds."""
    token = _COLUMN_MAP.set({_norm(k): v for k, v in columns.items()} if columns else None)
    try:
        with _no_cycle_collection():
            return _read_path(path)
    finally:
        _COLUMN_MAP.reset(token)


def _read_path(path: Path) -> FactsBatch:
    if path.suffix.lower() in WORKBOOK_FORMATS:
        from junheng.policy import xlsx_reader  # it builds on this module

        return xlsx_reader.read_xls(path) if path.suffix.lower() == ".xls" else xlsx_reader.read_xlsx(path)
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

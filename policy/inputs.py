"""Validated input records: school sections (学校学段) and input problems.

Everything that crosses the boundary from a user's file into the engine is one of these
pydantic models. Numbers are exact :class:`fractions.Fraction` values, parsed from the text the
user typed (never through a binary float).
"""

from __future__ import annotations

from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field

from junheng.policy.facts import Level


class InputIssue(BaseModel):
    """One problem with one input cell or row, in Chinese and English.

    ``row`` is the 1-based row number as a spreadsheet shows it (the header is row 1 in CSV/XLSX);
    for JSON/YAML it is the 1-based record number.
    """

    model_config = ConfigDict(frozen=True)

    file: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    message_zh: str
    message_en: str
    severity: str = "error"  # "error" rejects the row; "warning" keeps it
    sheet: str | None = None
    """Worksheet name (XLSX only)."""
    cell: str | None = None
    """Spreadsheet cell reference such as ``"D5"`` (XLSX only)."""

    def message(self, lang: str = "zh") -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"工作表“{self.sheet}”" if lang == "zh" else f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"第{self.row}行" if lang == "zh" else f"row {self.row}")
        if self.column is not None:
            ref = f"（{self.cell}）" if lang == "zh" and self.cell else (f" ({self.cell})" if self.cell else "")
            where.append(f"列“{self.column}”{ref}" if lang == "zh" else f"column {self.column!r}{ref}")
        if self.value is not None:
            where.append(f"值“{self.value}”" if lang == "zh" else f"value {self.value!r}")
        text = self.message_zh if lang == "zh" else self.message_en
        sep = "，" if lang == "zh" else ", "
        return sep.join(where) + ("：" if lang == "zh" else ": ") + text


class SchoolSection(BaseModel):
    """One school section (学段): a 小学 or 初中, or one 部 of an 一贯制 school / 完全中学."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    school_id: str
    level: Level
    school_name: str = ""
    county: str = ""
    year: int | None = None
    school_type: str | None = None
    values: dict[str, Fraction] = Field(default_factory=dict)
    """Numeric facts by canonical name (see :mod:`junheng.policy.facts`). A missing fact is absent."""
    extra: dict[str, str] = Field(default_factory=dict)
    """Columns the importer did not recognise: kept and reported as unused."""
    source: str = ""
    row: int | None = None

    @property
    def key(self) -> tuple[str, Level]:
        return (self.school_id, self.level)

    @classmethod
    def checked(cls, *, school_id: str, level: Level, school_name: str, county: str, year: int | None,
                school_type: str | None, values: dict[str, Fraction], extra: dict[str, str], source: str,
                row: int | None) -> SchoolSection:
        """A section of values the reader has already checked (each of the declared type), made
        without validating them again or copying the dicts: what ``model_construct`` does, without
        its per-field loop (which took longer than validation, 9.5 against 5 µs). Every field
        counts as given, as in the validated twin, which it equals (tests/policy/test_reader_fast_path.py)."""
        section = cls.__new__(cls)
        setattr_ = object.__setattr__
        setattr_(section, "__dict__", {
            "school_id": school_id, "level": level, "school_name": school_name, "county": county, "year": year,
            "school_type": school_type, "values": values, "extra": extra, "source": source, "row": row})
        setattr_(section, "__pydantic_fields_set__", _SECTION_FIELDS)
        setattr_(section, "__pydantic_extra__", None)
        setattr_(section, "__pydantic_private__", None)
        return section


_SECTION_FIELDS: set[str] = set(SchoolSection.model_fields)
"""The one field-name set of every :meth:`SchoolSection.checked` section (never changed: frozen)."""


class RejectedRow(BaseModel):
    """A row that was read but not accepted (it has an error), or a whole part that could not be
    read (``row`` None: a file or sheet with a file-level error). Its section's outcome cannot be
    decided, so nothing that needs every section (a county verdict) can be decided either.
    ``school_id`` / ``level`` are filled in when the row states them readably."""

    model_config = ConfigDict(frozen=True)

    file: str
    sheet: str | None = None
    row: int | None = None
    school_id: str = ""
    school_name: str = ""
    level: Level | None = None
    county: str = ""
    """The row's 县（市、区）, when it states one: a rejected row leaves only its own county undecided."""

    def label(self, lang: str = "zh") -> str:
        """``demo.xlsx 工作表“小学”第12行（S01 一小，小学）`` / ``demo.xlsx sheet '小学' row 12 (…)``."""
        zh = lang == "zh"
        where = [self.file]
        if self.sheet is not None:
            where.append(f"工作表“{self.sheet}”" if zh else f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"第{self.row}行" if zh else f"row {self.row}")
        else:
            where.append("（未能读取）" if zh else "(not read)")
        who = [x for x in (self.school_id, self.school_name) if x]
        if self.level is not None:
            who.append(self.level.zh if zh else self.level.value)
        text = " ".join(where)
        if who:
            text += f"（{' '.join(who)}）" if zh else f" ({', '.join(who)})"
        return text


class FactsBatch(BaseModel):
    """What an importer returns: the good rows, and an issue for every bad row or cell."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    file: str
    file_sha256: str
    rows_read: int
    sections: list[SchoolSection]
    issues: list[InputIssue] = Field(default_factory=list)
    unused_columns: list[str] = Field(default_factory=list)
    rejected: list[RejectedRow] = Field(default_factory=list)
    """What the reader knows about each rejected row (school and level when readable)."""

    @property
    def incomplete(self) -> list[RejectedRow]:
        """Every rejected row and every unread part, once: :attr:`rejected`, plus a bare entry for
        each error row the reader gave no details for, plus one entry per file/sheet-level error."""
        out = list(self.rejected)
        seen = {(r.sheet, r.row) for r in out}
        for issue in self.errors:
            key = (issue.sheet, issue.row)
            if key not in seen:
                seen.add(key)
                out.append(RejectedRow(file=issue.file, sheet=issue.sheet, row=issue.row))
        return out

    @property
    def errors(self) -> list[InputIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def rejected_rows(self) -> int:
        return len({(i.sheet, i.row) for i in self.errors if i.row is not None})

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


class FactsBatch(BaseModel):
    """What an importer returns: the good rows, and an issue for every bad row or cell."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    file: str
    file_sha256: str
    rows_read: int
    sections: list[SchoolSection]
    issues: list[InputIssue] = Field(default_factory=list)
    unused_columns: list[str] = Field(default_factory=list)

    @property
    def errors(self) -> list[InputIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def rejected_rows(self) -> int:
        return len({(i.sheet, i.row) for i in self.errors if i.row is not None})

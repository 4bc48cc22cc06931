"""Excel report (``--format xlsx``): a summary sheet, one sheet per level, the data issues and,
for a county run, a 差异系数 sheet.

Each level sheet has one row per school section and rule: actual value, requirement, the result
cell filled green / red / yellow, the gap, the shortfall in the resource's own unit, points when
a scoring ruleset gives them, and the explanation. Numbers are written as numbers (rounded for
display the way the terminal shows them), so a 督导 office can sort and filter them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from junheng.cli.atomic import write_bytes_atomic
from junheng.cli.report_common import (
    CvBar,
    by_level,
    level_name,
    outcome_counts,
    outcome_label,
    points_of,
    required_text,
    rt,
    run_title,
)
from junheng.engine.numbers import decimal_text, to_decimal
from junheng.engine.results import EvaluationRun, Outcome, SchoolResult
from junheng.policy.inputs import InputIssue
from junheng.policy.units import unit

__all__ = ["FILLS", "evaluation_workbook", "write_evaluation_xlsx"]

FILLS: dict[Outcome, str] = {Outcome.passed: "C6EFCE", Outcome.failed: "FFC7CE", Outcome.unknown: "FFEB9C"}
"""Cell fill per outcome (Excel's own good / bad / neutral colours)."""

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _fill(outcome: Outcome) -> PatternFill:
    return PatternFill("solid", fgColor=FILLS[outcome])


def _number(value: Fraction | None) -> Decimal | int | None:
    """A cell number: whole numbers exact, others rounded as :func:`decimal_text` shows them."""
    if value is None:
        return None
    if value.denominator == 1:
        return int(value)
    return Decimal(decimal_text(value))


def _header(ws: Any, headers: Sequence[str], widths: Sequence[int]) -> None:
    ws.append(list(headers))
    for i, width in enumerate(widths, start=1):
        cell = ws.cell(row=ws.max_row, column=i)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
        ws.column_dimensions[get_column_letter(i)].width = width


def _summary(ws: Any, run: EvaluationRun, lang: str) -> None:
    ws.title = rt("summary_sheet", lang)
    ws.append([run_title(run, lang)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([rt("ruleset", lang), f"{run.ruleset.id}（{run.ruleset.version}）"
               if lang == "zh" else f"{run.ruleset.id} ({run.ruleset.version})"])
    ws.append([rt("document", lang), run.ruleset.document])
    if run.input is not None:
        ws.append([rt("input", lang), run.input.file, f"sha256 {run.input.sha256}"])
    ws.append([rt("generated", lang), f"junheng {run.junheng_version}", run.engine])
    counts = outcome_counts(run.schools)
    ws.append([])
    ws.append([rt("sections", lang), len(run.schools)])
    for outcome, key in ((Outcome.passed, "passed"), (Outcome.failed, "failed"), (Outcome.unknown, "unknown")):
        ws.append([rt(key, lang), counts[outcome]])
        ws.cell(row=ws.max_row, column=1).fill = _fill(outcome)
    ws.append([])
    _header(ws, [rt("school_id", lang), rt("school_name", lang), rt("level", lang), rt("students", lang),
                 rt("school_outcome", lang), rt("failed", lang)], [16, 34, 10, 12, 14, 60])
    for s in run.schools:
        missed = "、".join(r.title.get(lang) for r in s.results if r.outcome is not Outcome.passed)
        ws.append([s.school_id, s.school_name, level_name(s.level, lang), _number(s.students),
                   outcome_label(s.outcome, lang), missed])
        ws.cell(row=ws.max_row, column=5).fill = _fill(s.outcome)


def _level_sheet(ws: Any, schools: Sequence[SchoolResult], lang: str) -> None:
    with_points = any(points_of(r) is not None for s in schools for r in s.results)
    headers = [rt("school_id", lang), rt("school_name", lang), rt("students", lang), rt("school_outcome", lang),
               rt("indicator", lang), rt("actual", lang), rt("unit", lang), rt("required", lang),
               rt("result", lang), rt("gap", lang), rt("shortfall", lang), rt("shortfall_unit", lang),
               rt("target", lang)]
    widths = [14, 28, 10, 12, 36, 12, 16, 16, 10, 10, 12, 10, 12]
    if with_points:
        headers.append(rt("points", lang))
        widths.append(8)
    headers += [rt("status", lang), rt("explanation", lang), rt("source", lang)]
    widths += [10, 80, 40]
    _header(ws, headers, widths)
    result_col = headers.index(rt("result", lang)) + 1
    for s in schools:
        for r in s.results:
            short = r.shortfall
            if r.kind == "count_gate":
                actual: Any = f"{r.met_count}/{len(r.members)}"
                required: Any = required_text(r, lang)
            else:
                actual = _number(r.actual)
                required = _number(r.required)
            row: list[Any] = [
                s.school_id, s.school_name, _number(s.students), outcome_label(s.outcome, lang),
                r.title.get(lang), actual,
                unit(r.unit).label(lang) if r.unit and r.unit != "count" else "",
                required, outcome_label(r.outcome, lang), _number(r.gap) if r.gap else None,
                _number(short.amount) if short else None,
                unit(short.unit).label(lang) if short else "",
                _number(short.target) if short else None,
            ]
            if with_points:
                row.append(_number(points_of(r)))
            row += [r.status.label(lang), r.explanation.get(lang), r.source]
            ws.append(row)
            ws.cell(row=ws.max_row, column=result_col).fill = _fill(r.outcome)
            ws.cell(row=ws.max_row, column=4).fill = _fill(s.outcome)
            ws.cell(row=ws.max_row, column=len(row) - 1).alignment = _WRAP
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{ws.max_row}"


def _issues_sheet(ws: Any, issues: Sequence[InputIssue], lang: str) -> None:
    _header(ws, [rt(k, lang) for k in ("severity", "file", "sheet", "row", "column", "cell", "value",
                                         "message")],
            [8, 20, 12, 6, 28, 8, 16, 90])
    if not issues:
        ws.append([rt("no_issues", lang)])
    for i in issues:
        ws.append([rt(i.severity, lang), i.file, i.sheet, i.row, i.column, i.cell, i.value,
                   i.message_zh if lang == "zh" else i.message_en])
        fill = Outcome.failed if i.severity == "error" else Outcome.unknown
        ws.cell(row=ws.max_row, column=1).fill = _fill(fill)
    ws.freeze_panes = "A2"


def _cv_sheet(ws: Any, bars: Sequence[CvBar], lang: str) -> None:
    _header(ws, [rt("indicator", lang), rt("level", lang), "CV", rt("limit", lang), rt("result", lang)],
            [40, 10, 12, 10, 12])
    for b in bars:
        ws.append([b.label, level_name(b.level, lang), to_decimal(b.cv, 4), _number(b.limit),
                   outcome_label(b.outcome, lang)])
        ws.cell(row=ws.max_row, column=5).fill = _fill(b.outcome)


def evaluation_workbook(run: EvaluationRun, lang: str = "zh", cv: Sequence[CvBar] = ()) -> bytes:
    """The report workbook's bytes; ``cv`` (a county run's 差异系数) adds a CV sheet."""
    wb = Workbook()
    _summary(wb.active, run, lang)
    for level, schools in by_level(run.schools).items():
        _level_sheet(wb.create_sheet(level_name(level, lang)), schools, lang)
    if cv:
        _cv_sheet(wb.create_sheet(rt("cv_sheet", lang)), cv, lang)
    _issues_sheet(wb.create_sheet(rt("issues_sheet", lang)), run.issues, lang)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_evaluation_xlsx(path: Path, run: EvaluationRun, lang: str = "zh", cv: Sequence[CvBar] = ()) -> None:
    """Write the report atomically: the file is complete or not there."""
    write_bytes_atomic(path, evaluation_workbook(run, lang, cv))


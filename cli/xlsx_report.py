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
from fractions import Fraction
from pathlib import Path
from typing import Any

from junheng.cli.compare_text import CHANGES, change_word, score_text, side_value
from junheng.cli.render import numbers as n
from junheng.cli.render.explain import explain_rule
from junheng.cli.report_common import (
    CompareReport,
    CvBar,
    by_level,
    level_name,
    outcome_counts,
    outcome_label,
    points_of,
    required_text,
    result_text,
    rt,
    run_title,
)
from junheng.cli.xlsx_cells import Book, Sheet, cell_number, write_book
from junheng.cli.xlsx_cells import CellValue as Cell
from junheng.engine.compare import SchoolComparison, Side
from junheng.engine.numbers import to_decimal
from junheng.engine.results import EvaluationRun, Outcome, RulesetInfo, SchoolResult
from junheng.policy.facts import FACTS
from junheng.policy.inputs import InputIssue
from junheng.policy.units import unit

__all__ = ["CHANGE_FILLS", "FILLS", "compare_workbook", "evaluation_workbook", "write_compare_xlsx",
           "write_detail_sheets", "write_evaluation_xlsx"]

FILLS: dict[Outcome, str] = {Outcome.passed: "C6EFCE", Outcome.failed: "FFC7CE", Outcome.unknown: "FFEB9C",
                             Outcome.scored: "DDEBF7"}
"""Cell fill per outcome (Excel's own good / bad / neutral colours)."""

CHANGE_FILLS: dict[str, str] = {
    "newly_failing": "FF8F8F", "new_failing": "FFC7CE", "new_passing": "C6EFCE",
    "still_failing": "FFC7CE", "newly_passing": "8FD9A0", "still_passing": "C6EFCE",
    "added": "DDEBF7", "removed": "D9D9D9", "undecided": "FFEB9C",
}
"""Cell fill per change class of a comparison: newly failing the strongest red, newly passing the
strongest green, rules under one ruleset only blue (added) or grey (removed)."""

_HEADER = {"bold": True, "pattern": 1, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top"}


def _fill(book: Book, outcome: Outcome) -> Any:
    return book.fill(FILLS[outcome])


def _number(value: Fraction | None) -> Cell:
    """A cell number: whole numbers exact, others rounded as :func:`decimal_text` shows them."""
    return cell_number(value)


def _indicator(value: Fraction | None, unit_code: str | None) -> Cell:
    """An indicator cell under the number policy: 2 decimals; a share of teachers as the ratio to
    3 decimals, shown as a percentage with one decimal; counts whole."""
    if value is None:
        return None
    if unit_code in n.PERCENT_UNITS:
        return cell_number(value, n.PERCENT_PLACES + 2)
    if value.denominator == 1 and unit_code in ("count", "points", "persons", None):
        return int(value)
    return cell_number(value, n.INDICATOR_PLACES)


def _indicator_format(unit_code: str | None) -> str:
    return "0.0%" if unit_code in n.PERCENT_UNITS else "0.00"


def _header(ws: Sheet, headers: Sequence[str], widths: Sequence[int]) -> None:
    ws.append(list(headers), default=ws.book.fmt(**_HEADER))
    ws.widths(widths)


def _summary(ws: Sheet, run: EvaluationRun, lang: str) -> None:
    book = ws.book
    ws.append([run_title(run, lang)], default=book.fmt(bold=True, font_size=14))
    ws.append([rt("ruleset", lang), f"{run.ruleset.id}（{run.ruleset.version}）"
               if lang == "zh" else f"{run.ruleset.id} ({run.ruleset.version})"])
    ws.append([rt("document", lang), run.ruleset.document])
    if run.input is not None:
        ws.append([rt("input", lang), run.input.file, f"sha256 {run.input.sha256}"])
    ws.append([rt("generated", lang), f"junheng {run.junheng_version}", run.engine])
    counts = outcome_counts(run.schools)
    ws.skip()
    ws.append([rt("sections", lang), len(run.schools)])
    for outcome, key in ((Outcome.passed, "passed"), (Outcome.failed, "failed"), (Outcome.unknown, "unknown")):
        ws.append([rt(key, lang), counts[outcome]], {0: _fill(book, outcome)})
    ws.skip()
    _header(ws, [rt("school_id", lang), rt("school_name", lang), rt("level", lang), rt("students", lang),
                 rt("school_outcome", lang), rt("failed", lang)], [16, 34, 10, 12, 14, 60])
    for s in run.schools:
        missed = "、".join(r.title.get(lang) for r in s.results if r.outcome is not Outcome.passed)
        ws.append([s.school_id, s.school_name, level_name(s.level, lang), _number(s.students),
                   outcome_label(s.outcome, lang), missed], {4: _fill(book, s.outcome)})


def _level_sheet(ws: Sheet, schools: Sequence[SchoolResult], lang: str) -> None:
    book = ws.book
    with_points = any(r.score is not None for s in schools for r in s.results)
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
    result_col = headers.index(rt("result", lang))
    explanation_col = len(headers) - 2
    wrap = book.fmt(text_wrap=True, valign="top")
    for s in schools:
        school_fill = _fill(book, s.outcome)
        for r in s.results:
            short = r.shortfall
            if r.kind == "count_gate":
                actual: Cell = f"{r.met_count}/{len(r.members)}"
                required: Cell = required_text(r, lang)
            else:
                actual = _indicator(r.actual, r.unit)
                required = _indicator(r.required, r.unit)
            row: list[Cell] = [
                s.school_id, s.school_name, _number(s.students), outcome_label(s.outcome, lang),
                r.title.get(lang), actual,
                unit(r.unit).label(lang) if r.unit and r.unit not in ("count", "ratio") else "",
                required, result_text(r, lang), _indicator(r.gap, r.unit) if r.gap else None,
                _number(short.amount) if short else None,
                unit(short.unit).label(lang) if short else "",
                _number(short.target) if short else None,
            ]
            if with_points:
                row.append(_number(points_of(r)))
            row += [r.status.label(lang), explain_rule(r, lang), r.source]
            formats = {result_col: _fill(book, r.outcome), 3: school_fill, explanation_col: wrap}
            if r.kind != "count_gate" and r.unit not in ("count", "points", "persons"):
                number = book.fmt(num_format=_indicator_format(r.unit))
                formats.update({5: number, 7: number, 9: number})
            ws.append(row, formats)
    ws.ws.freeze_panes(1, 2)
    ws.ws.autofilter(0, 0, max(ws.row - 1, 0), len(headers) - 1)


def _issues_sheet(ws: Sheet, issues: Sequence[InputIssue], lang: str) -> None:
    _header(ws, [rt(k, lang) for k in ("severity", "file", "sheet", "row", "column", "cell", "value",
                                         "message")],
            [8, 20, 12, 6, 28, 8, 16, 90])
    if not issues:
        ws.append([rt("no_issues", lang)])
    for i in issues:
        fill = Outcome.failed if i.severity == "error" else Outcome.unknown
        ws.append([rt(i.severity, lang), i.file, i.sheet, i.row, i.column, i.cell, i.value,
                   i.message_zh if lang == "zh" else i.message_en], {0: _fill(ws.book, fill)})
    ws.ws.freeze_panes(1, 0)


def _cv_sheet(ws: Sheet, bars: Sequence[CvBar], lang: str) -> None:
    _header(ws, [rt("indicator", lang), rt("level", lang), "CV", rt("limit", lang), rt("result", lang)],
            [40, 10, 12, 10, 12])
    for b in bars:
        ws.append([b.label, level_name(b.level, lang), to_decimal(b.cv, 4), _number(b.limit),
                   outcome_label(b.outcome, lang)], {4: _fill(ws.book, b.outcome)})


def _write_evaluation_sheets(book: Book, run: EvaluationRun, lang: str, cv: Sequence[CvBar]) -> None:
    _summary(book.sheet(rt("summary_sheet", lang)), run, lang)
    for level, schools in by_level(run.schools).items():
        _level_sheet(book.sheet(level_name(level, lang)), schools, lang)
    if cv:
        _cv_sheet(book.sheet(rt("cv_sheet", lang)), cv, lang)
    _issues_sheet(book.sheet(rt("issues_sheet", lang)), run.issues, lang)


def write_detail_sheets(book: Book, schools: Sequence[SchoolResult], issues: Sequence[InputIssue], lang: str) -> None:
    """A 明细 sheet per level (a row per section and rule: actual, requirement, result, gap,
    shortfall, explanation) and the data-issues sheet, into ``book``."""
    for level, rows in by_level(schools).items():
        _level_sheet(book.sheet(f"{level_name(level, lang)}{rt('details', lang)}"), rows, lang)
    _issues_sheet(book.sheet(rt("issues_sheet", lang)), issues, lang)


def evaluation_workbook(run: EvaluationRun, lang: str = "zh", cv: Sequence[CvBar] = ()) -> bytes:
    """The report workbook's bytes; ``cv`` (a county run's 差异系数) adds a CV sheet."""
    buffer = io.BytesIO()
    book = Book(buffer)
    _write_evaluation_sheets(book, run, lang, cv)
    book.close()
    return buffer.getvalue()


def write_evaluation_xlsx(path: Path, run: EvaluationRun, lang: str = "zh", cv: Sequence[CvBar] = ()) -> None:
    """Write the report atomically (streamed to the file): the file is complete or not there."""
    with write_book(path) as book:
        _write_evaluation_sheets(book, run, lang, cv)


# --- comparison (junheng compare --format xlsx) -------------------------------------------------


def _ruleset_line(info: RulesetInfo, lang: str) -> list[Any]:
    return [f"{info.id}（{info.version}）" if lang == "zh" else f"{info.id} ({info.version})",
            info.title.get(lang), info.document]


def _outcome_fill(book: Book, outcome: Outcome | None) -> Any:
    return None if outcome is None else _fill(book, outcome)


def _compare_summary(ws: Sheet, report: CompareReport, lang: str) -> None:
    c = report.comparison
    book = ws.book
    ws.append([f"{rt('compare_title', lang)} — {c.base.id} → {c.against.id}"],
              default=book.fmt(bold=True, font_size=14))
    ws.append([rt("base", lang), *_ruleset_line(c.base, lang)])
    ws.append([rt("against", lang), *_ruleset_line(c.against, lang)])
    ws.append([rt("input", lang), report.input_file, f"sha256 {report.input_sha256}"])
    ws.append([rt("generated", lang), f"junheng {report.junheng_version}", report.engine])
    ws.skip()
    ws.append([rt("compare_changes", lang)], default=book.fmt(bold=True))
    counts = {k: sum(1 for s in c.schools for ch in s.changes if ch.change == k) for k in CHANGES}
    for change, count in counts.items():
        ws.append([change_word(change, lang), count], {0: book.fill(CHANGE_FILLS[change])})
    ws.skip()
    with_points = any(s.score_before or s.score_after for s in c.schools)
    headers = [rt("school_id", lang), rt("school_name", lang), rt("level", lang), rt("school_before", lang),
               rt("school_after", lang)]
    widths = [16, 34, 10, 14, 14]
    if with_points:
        headers += [rt("points_before", lang), rt("points_after", lang)]
        widths += [10, 10]
    _header(ws, [*headers, change_word("newly_failing", lang)], [*widths, 60])
    for s in c.schools:
        newly = "、".join(ch.title.get(lang) for ch in s.changes if ch.change == "newly_failing")
        row: list[Cell] = [s.school_id, s.school_name, level_name(s.level, lang),
                           outcome_label(s.before, lang) if s.before else "—",
                           outcome_label(s.after, lang) if s.after else "—"]
        if with_points:
            row += [score_text(s.score_before), score_text(s.score_after)]
        ws.append([*row, newly], {3: _outcome_fill(book, s.before), 4: _outcome_fill(book, s.after)})


def _side_cells(side: Side | None, lang: str) -> tuple[str, str]:
    return (outcome_label(side.outcome, lang) if side else "—"), side_value(side)


def _compare_sheet(ws: Sheet, schools: Sequence[SchoolComparison], lang: str) -> None:
    """One row per school section and rule: both verdicts, the change class (filled by its colour),
    both requirements, points, and what is needed under the new standard."""
    book = ws.book
    with_points = any(side is not None and side.max_points is not None
                      for s in schools for ch in s.changes for side in (ch.before, ch.after))
    headers = [rt("school_id", lang), rt("school_name", lang), rt("school_before", lang), rt("school_after", lang),
               rt("indicator", lang), rt("change", lang), rt("base", lang), rt("against", lang),
               rt("required_before", lang), rt("required_after", lang)]
    widths = [14, 28, 12, 12, 36, 12, 10, 10, 12, 12]
    if with_points:
        headers += [rt("points_before", lang), rt("max_before", lang), rt("points_after", lang),
                    rt("max_after", lang)]
        widths += [8, 8, 8, 8]
    headers += [rt("needed", lang), rt("amount", lang), rt("unit", lang), rt("target", lang),
                rt("explanation", lang), rt("source", lang)]
    widths += [28, 10, 10, 12, 80, 40]
    _header(ws, headers, widths)
    col = {h: i for i, h in enumerate(headers)}
    wrap = book.fmt(text_wrap=True, valign="top")
    for s in schools:
        for ch in s.changes:
            shown = ch.after or ch.before
            assert shown is not None
            (before, req_before), (after, req_after) = _side_cells(ch.before, lang), _side_cells(ch.after, lang)
            row: list[Cell] = [s.school_id, s.school_name, outcome_label(s.before, lang) if s.before else "—",
                               outcome_label(s.after, lang) if s.after else "—", ch.title.get(lang),
                               change_word(ch.change, lang), before, after, req_before, req_after]
            if with_points:
                for side in (ch.before, ch.after):
                    row += [_number(side.points), _number(side.max_points)] if side else [None, None]
            main = ch.extra_needed[0] if ch.extra_needed else None
            row += [FACTS[main.fact].label(lang) if main else "", _number(main.amount) if main else None,
                    unit(main.unit).label(lang) if main else "", _number(main.target) if main else None,
                    explain_rule(shown.result, lang), shown.source]
            ws.append(row, {
                col[rt("change", lang)]: book.fill(CHANGE_FILLS[ch.change]),
                2: _outcome_fill(book, s.before), 3: _outcome_fill(book, s.after),
                col[rt("base", lang)]: _outcome_fill(book, ch.before.outcome if ch.before else None),
                col[rt("against", lang)]: _outcome_fill(book, ch.after.outcome if ch.after else None),
                col[rt("explanation", lang)]: wrap,
            })
    ws.ws.freeze_panes(1, 2)
    ws.ws.autofilter(0, 0, max(ws.row - 1, 0), len(headers) - 1)


def _write_compare_sheets(book: Book, report: CompareReport, lang: str) -> None:
    _compare_summary(book.sheet(rt("compare_sheet", lang)), report, lang)
    for level, schools in by_level(report.comparison.schools).items():
        _compare_sheet(book.sheet(level_name(level, lang)), schools, lang)
    _issues_sheet(book.sheet(rt("issues_sheet", lang)), report.issues, lang)


def compare_workbook(report: CompareReport, lang: str = "zh") -> bytes:
    """The comparison workbook's bytes: a summary, one sheet per level, the data issues."""
    buffer = io.BytesIO()
    book = Book(buffer)
    _write_compare_sheets(book, report, lang)
    book.close()
    return buffer.getvalue()


def write_compare_xlsx(path: Path, report: CompareReport, lang: str = "zh") -> None:
    """Write the comparison workbook atomically (streamed): the file is complete or not there."""
    with write_book(path) as book:
        _write_compare_sheets(book, report, lang)

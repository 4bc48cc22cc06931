"""Excel report (``--format xlsx``): a summary sheet, one sheet per level, the data issues and,
for a county run, a 差异系数 sheet.

Each level sheet has one row per school section and rule: actual value, requirement, the result
cell filled green / red / yellow, the gap, the shortfall in the resource's own unit, points when
a scoring ruleset gives them, and the explanation. Numbers are written as numbers (rounded for
display the way the terminal shows them), so a 督导 office can sort and filter them.
"""

from __future__ import annotations

import io
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

from junheng.cli.compare_text import CHANGES, change_word, score_text, side_value
from junheng.cli.render import numbers as n
from junheng.cli.render.explain import explain_rule
from junheng.cli.report_common import (
    CompareReport,
    CvBar,
    by_level,
    level_name,
    outcome_label,
    points_of,
    report_title,
    required_text,
    result_text,
    rt,
)
from junheng.cli.xlsx_cells import Book, KeyedCell, NumberText, Sheet, cell_number, number_text, write_book
from junheng.cli.xlsx_cells import CellValue as Cell
from junheng.engine.compare import SchoolComparison, Side
from junheng.engine.numbers import to_decimal
from junheng.engine.results import EvaluationRun, Outcome, RulesetInfo, RunEnvelope, SchoolResult
from junheng.policy.facts import FACTS, Level
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

_CHUNK = 500
"""Sections rendered at a time when a finished run is written."""

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


_POINTS_COL = 13
"""The points column of a level sheet (written only when some result of the sheet has points)."""

Row = tuple[KeyedCell, ...]


@dataclass
class XlsxChunk:
    """A chunk of sections rendered for the workbook (plain data: a worker process may make it):
    each section's summary row, each result's row of its level's sheet (with the points column,
    left out at the end when no result of the level has points), the outcome counts."""

    summary: list[Row]
    levels: dict[Level, list[Row]]
    points: dict[Level, bool]
    counts: dict[Outcome, int]
    sections: int


_FILL_KEY = {o: f"fill:{o.value}" for o in Outcome}
_WRAP, _PERCENT, _DECIMAL = "wrap", "num:0.0%", "num:0.00"


def _register(book: Book) -> None:
    """The formats :class:`XlsxChunk` rows name by key."""
    for outcome, key in _FILL_KEY.items():
        book.key(key, pattern=1, bg_color=f"#{FILLS[outcome]}")
    book.key(_WRAP, text_wrap=True, valign="top")
    book.key(_PERCENT, num_format="0.0%")
    book.key(_DECIMAL, num_format="0.00")


def render_xlsx_chunk(schools: Iterable[SchoolResult], lang: str) -> XlsxChunk:
    """The workbook rows of ``schools``: words in the one language written; a rule's title, unit
    label and status label made once per chunk."""
    summary: list[Row] = []
    levels: dict[Level, list[Row]] = {}
    points: dict[Level, bool] = {}
    counts = dict.fromkeys(Outcome, 0)
    words: dict[object, str] = {}

    def word(key: object, make: Callable[[], str]) -> str:
        text = words.get(key)
        if text is None:
            text = words[key] = make()
        return text

    n_sections = 0
    for s in schools:
        n_sections += 1
        counts[s.outcome] += 1
        school_key = _FILL_KEY[s.outcome]
        outcome = word(s.outcome, lambda s=s: outcome_label(s.outcome, lang))  # type: ignore[misc]
        missed = "、".join(r.title.get(lang) for r in s.results if r.outcome is not Outcome.passed)
        students = number_text(_number(s.students))
        summary.append(((None, s.school_id), (None, s.school_name),
                        (None, word(s.level, lambda s=s: level_name(s.level, lang))),  # type: ignore[misc]
                        (None, students), (school_key, outcome), (None, missed)))
        rows = levels.setdefault(s.level, [])
        scored = points.get(s.level, False)
        for r in s.results:
            short = r.shortfall
            if r.kind == "count_gate":
                actual: Cell | NumberText = f"{r.met_count}/{len(r.members)}"
                required: Cell | NumberText = required_text(r, lang)
                number = None
            else:
                actual = number_text(_indicator(r.actual, r.unit))
                required = number_text(_indicator(r.required, r.unit))
                number = None if r.unit in ("count", "points", "persons") else (
                    _PERCENT if _indicator_format(r.unit) == "0.0%" else _DECIMAL)
            unit_label = word(("unit", r.unit), lambda r=r: unit(r.unit).label(lang)  # type: ignore[misc]
                              if r.unit and r.unit not in ("count", "ratio") else "")
            scored = scored or r.score is not None
            rows.append((
                (None, s.school_id), (None, s.school_name), (None, students), (school_key, outcome),
                (None, r.title.get(lang)), (number, actual), (None, unit_label), (number, required),
                (_FILL_KEY[r.outcome], result_text(r, lang)),
                (number, number_text(_indicator(r.gap, r.unit)) if r.gap else None),
                (None, number_text(_number(short.amount)) if short else None),
                (None, word(("unit", short.unit), lambda short=short: unit(short.unit).label(lang))  # type: ignore[misc]
                 if short else ""),
                (None, number_text(_number(short.target)) if short else None),
                (None, number_text(_number(points_of(r)))),
                (None, word(r.status, lambda r=r: r.status.label(lang))),  # type: ignore[misc]
                (_WRAP, explain_rule(r, lang)), (None, r.source)))
        points[s.level] = scored
    return XlsxChunk(summary, levels, points, counts, n_sections)


class EvaluationXlsx:
    """The evaluation workbook written as the sections come: :meth:`write_sections` (or :meth:`add`
    for a chunk rendered elsewhere by :func:`render_xlsx_chunk`) once per chunk in input order,
    then :meth:`write_tail`.

    The summary sheet opens with the counts and a level sheet's columns depend on whether any of
    its results has points, so each chunk's rows go to a temporary spool file (one per sheet) and
    the sheets are written at the tail, in XlsxWriter's constant_memory mode: memory stays flat in
    the number of sections, and the workbook is the same however the sections were chunked."""

    def __init__(self, book: Book, envelope: RunEnvelope, lang: str = "zh", cv: Sequence[CvBar] = ()) -> None:
        self.book, self.env, self.lang, self.cv = book, envelope, lang, cv
        self._counts = dict.fromkeys(Outcome, 0)
        self._points: dict[Level, bool] = {}
        self._n = 0
        self._summary = tempfile.TemporaryFile()
        self._levels: dict[Level, IO[bytes]] = {}

    def __enter__(self) -> EvaluationXlsx:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for spool in (self._summary, *self._levels.values()):
            spool.close()

    def write_header(self) -> None:
        """Nothing is written before the counts are known (the sheets are written at the tail)."""

    def write_sections(self, schools: Iterable[SchoolResult]) -> None:
        self.add(render_xlsx_chunk(schools, self.lang))

    def add(self, chunk: XlsxChunk) -> None:
        """Spool a rendered chunk (the next in input order)."""
        for o, k in chunk.counts.items():
            self._counts[o] += k
        self._n += chunk.sections
        pickle.dump(chunk.summary, self._summary, pickle.HIGHEST_PROTOCOL)
        for level, rows in chunk.levels.items():
            spool = self._levels.get(level)
            if spool is None:
                spool = self._levels[level] = tempfile.TemporaryFile()
            pickle.dump(rows, spool, pickle.HIGHEST_PROTOCOL)
            self._points[level] = self._points.get(level, False) or chunk.points[level]

    def write_tail(self) -> None:
        book, lang = self.book, self.lang
        _register(book)
        ws = book.sheet(rt("summary_sheet", lang))
        _summary_head(ws, self.env, self._n, self._counts, lang)
        for rows in _chunks(self._summary):
            ws.rows(rows)
        for level in Level:
            if level in self._levels:
                self._level_sheet(book.sheet(level_name(level, lang)), level)
        if self.cv:
            _cv_sheet(book.sheet(rt("cv_sheet", lang)), self.cv, lang)
        _issues_sheet(book.sheet(rt("issues_sheet", lang)), self.env.issues, lang)

    def write_detail_tail(self) -> None:
        """The tail of a county form's workbook: a 明细 sheet per level and the data issues."""
        _register(self.book)
        for level in Level:
            if level in self._levels:
                self._level_sheet(self.book.sheet(f"{level_name(level, self.lang)}{rt('details', self.lang)}"),
                                  level)
        _issues_sheet(self.book.sheet(rt("issues_sheet", self.lang)), self.env.issues, self.lang)

    def _level_sheet(self, ws: Sheet, level: Level) -> None:
        lang = self.lang
        with_points = self._points[level]
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
        columns = list(range(17)) if with_points else [*range(_POINTS_COL), -1, *range(_POINTS_COL, 16)]
        for rows in _chunks(self._levels[level]):
            ws.rows(rows, columns)
        ws.ws.freeze_panes(1, 2)
        ws.ws.autofilter(0, 0, max(ws.row - 1, 0), len(headers) - 1)


def _chunks(spool: IO[bytes]) -> Iterator[list[Row]]:
    """The chunks pickled to ``spool`` (by this process, a moment ago), in order."""
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def _summary_head(ws: Sheet, env: RunEnvelope, sections: int, counts: dict[Outcome, int], lang: str) -> None:
    book = ws.book
    ruleset = env.rulesets[0]
    ws.append([report_title(ruleset, lang)], default=book.fmt(bold=True, font_size=14))
    ws.append([rt("ruleset", lang), f"{ruleset.id}（{ruleset.version}）"
               if lang == "zh" else f"{ruleset.id} ({ruleset.version})"])
    ws.append([rt("document", lang), ruleset.document])
    if env.input is not None:
        ws.append([rt("input", lang), env.input.file, f"sha256 {env.input.sha256}"])
    ws.append([rt("generated", lang), f"junheng {env.junheng_version}", env.engine])
    ws.skip()
    ws.append([rt("sections", lang), sections])
    for outcome, key in ((Outcome.passed, "passed"), (Outcome.failed, "failed"), (Outcome.unknown, "unknown")):
        ws.append([rt(key, lang), counts[outcome]], {0: _fill(book, outcome)})
    ws.skip()
    _header(ws, [rt("school_id", lang), rt("school_name", lang), rt("level", lang), rt("students", lang),
                 rt("school_outcome", lang), rt("failed", lang)], [16, 34, 10, 12, 14, 60])


def _write_evaluation_sheets(book: Book, run: EvaluationRun, lang: str, cv: Sequence[CvBar]) -> None:
    with EvaluationXlsx(book, run.envelope, lang, cv) as xlsx:
        for i in range(0, len(run.schools), _CHUNK):
            xlsx.write_sections(run.schools[i:i + _CHUNK])
        xlsx.write_tail()


def write_detail_sheets(book: Book, schools: Sequence[SchoolResult], issues: Sequence[InputIssue], lang: str) -> None:
    """A 明细 sheet per level (a row per section and rule: actual, requirement, result, gap,
    shortfall, explanation) and the data-issues sheet, into ``book``."""
    envelope = RunEnvelope(rulesets=(), input=None, junheng_version="", engine="", issues=tuple(issues))
    with EvaluationXlsx(book, envelope, lang) as xlsx:
        for i in range(0, len(schools), _CHUNK):
            xlsx.write_sections(schools[i:i + _CHUNK])
        xlsx.write_detail_tail()


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

"""``junheng county FILE`` when FILE names several counties: every county evaluated on its own
sections and facts in one call, written as one document (JSON, schema county 1.4) or one table line
per county. Only grouping, parsing and formatting: every verdict comes from :mod:`junheng.engine.county`.
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from rich.console import Console
from rich.table import Table

from junheng.cli.atomic import atomic_open, write_text_atomic
from junheng.cli.chunks import CHUNK, MIN_CHUNK, current_job, in_order, start_method
from junheng.cli.county_json import counties_head, counties_tail, county_entries_text
from junheng.cli.json_output import DocumentLayout
from junheng.cli.options import pick, shown
from junheng.cli.progress import progress_count
from junheng.cli.render.words import outcome_word
from junheng.engine.county import CountyInput, evaluate_counties
from junheng.engine.county_results import CountyRun
from junheng.engine.evaluate import EngineName, run_envelope
from junheng.engine.results import Outcome
from junheng.policy.county_facts import CountyFacts, read_county_facts
from junheng.policy.county_facts_keyed import county_key, is_keyed, match_counties, read_county_facts_set
from junheng.policy.county_inputs import counties_of, county_spec, group_by_county
from junheng.policy.county_model import AllSchoolsCriterion
from junheng.policy.inputs import FactsBatch, InputIssue
from junheng.policy.loader import LoadedRuleset

__all__ = ["facts_for_one_county", "print_counties", "run_counties", "select_county"]

_STYLE = {Outcome.passed: "green", Outcome.failed: "bold red", Outcome.unknown: "yellow", Outcome.scored: "cyan"}


def _no_facts(county: str, file: str) -> InputIssue:
    return InputIssue(file=file, column="county", value=county, severity="warning",
                      message_zh=f"没有县“{county}”的县级数据：需要县级数据的项目无法判定",
                      message_en=f"no county facts for {county!r}: what needs them cannot be decided")


def facts_for_one_county(paths: Sequence[Path], county: str) -> tuple[CountyFacts | None, list[InputIssue]]:
    """The facts of the one county in the data: one county's file given alone is read as it always was
    (the document stays the same); files keyed by county, several files or a folder are matched by name."""
    if len(paths) == 1 and paths[0].is_file() and not is_keyed(paths[0]):
        return read_county_facts(paths[0]), []
    matched, issues = match_counties(read_county_facts_set(paths), [county])
    facts = matched[county]
    if facts is None:
        issues.append(_no_facts(county or "—", str(paths[0])))
    return facts, issues


def select_county(batch: FactsBatch, name: str) -> FactsBatch | None:
    """The batch cut to one county (``--select-county``): its sections and rejected rows, and the rows
    that name no county; None when the data do not name it."""
    groups, _ = group_by_county(batch)
    for county, group in groups:
        if county_key(county) == county_key(name):
            return group.model_copy(update={"issues": list(batch.issues),
                                            "unused_columns": list(batch.unused_columns)})
    return None


def nearest_county(batch: FactsBatch, name: str) -> str | None:
    names = {county_key(c): c for c in counties_of(batch)}
    near = difflib.get_close_matches(county_key(name), list(names), n=1, cutoff=0.5)
    return names[near[0]] if near else None


def county_inputs(batch: FactsBatch, facts_paths: Sequence[Path]) -> tuple[list[CountyInput], list[InputIssue]]:
    """One input per county of the data (its sections, rejected rows and facts), and the issues of the
    whole input: the reader's, rows without a county, facts for counties not in the data."""
    groups, issues = group_by_county(batch)
    counties = [c for c, _ in groups]
    top: list[InputIssue] = [*batch.issues, *issues]
    if facts_paths:
        matched, facts_issues = match_counties(read_county_facts_set(facts_paths), counties)
        top += facts_issues
    else:
        matched = dict.fromkeys(counties)
    where = str(facts_paths[0]) if facts_paths else batch.file
    inputs: list[CountyInput] = [(group, matched[c], () if matched[c] is not None else (_no_facts(c, where),))
                                 for c, group in groups]
    return inputs, top


@dataclass(frozen=True)
class _Job:
    """What every chunk of counties of one run needs (``inputs`` None in a spawned worker: each task
    carries its own counties)."""

    loaded: LoadedRuleset
    school: LoadedRuleset | None
    engine: EngineName
    lang: str
    json_out: bool
    indent: int | None
    school_results: bool
    every: str | None
    """The first every-school criterion: its count is the table's 每所学校达标 column."""
    inputs: Sequence[CountyInput] | None


@dataclass(frozen=True)
class _Done:
    """A chunk of counties evaluated and rendered: their JSON text or table rows, and outcomes."""

    start: int
    stop: int
    text: bytes
    rows: list[tuple[str, ...]]
    counted: Counter[str]


def _chunk(index: int, start: int, stop: int, inputs: Sequence[CountyInput] | None = None) -> _Done:
    """Counties ``[start, stop)`` evaluated (each on its own) and rendered; only the text is kept."""
    job: _Job = current_job()
    if inputs is None:
        assert job.inputs is not None
        inputs = job.inputs[start:stop]
    # The cyclic collector paused for the chunk (as engine/evaluate.py does for a batch): the records
    # are trees freed by reference counting, and with a province's sections on the heap each
    # collection walked them all again — it took as long as the county arithmetic itself.
    paused = gc.isenabled()
    gc.disable()
    try:
        runs = evaluate_counties(job.loaded, inputs, job.school, job.engine)
        if job.json_out:
            text, counted = county_entries_text(runs, job.lang, DocumentLayout(job.indent, "counties"),
                                                first=start == 0, school_results=job.school_results)
            return _Done(start, stop, text, [], counted)
        rows: list[tuple[str, ...]] = []
        counted = Counter()
        for run in runs:
            counted[run.outcome.value] += 1
            rows.append(_table_row(run, job.every, job.lang))
        return _Done(start, stop, b"", rows, counted)
    finally:
        if paused:
            gc.enable()


def county_bounds(sizes: Sequence[int], jobs: int) -> list[tuple[int, int]]:
    """``[start, stop)`` of each chunk of counties: whole counties, about :data:`CHUNK` sections
    (fewer when that gives each of ``jobs`` workers about four chunks, never below :data:`MIN_CHUNK`)."""
    target = max(MIN_CHUNK, min(CHUNK, -(-sum(sizes) // (max(jobs, 1) * 4))))
    bounds: list[tuple[int, int]] = []
    start = size = 0
    for i, n in enumerate(sizes):
        size += n
        if size >= target:
            bounds.append((start, i + 1))
            start, size = i + 1, 0
    if start < len(sizes):
        bounds.append((start, len(sizes)))
    return bounds


def _in_order(job: _Job, bounds: list[tuple[int, int]], jobs: int) -> Iterator[_Done]:
    """Each chunk of counties done, in input order, forked where possible, as ``junheng evaluate``
    does (:func:`junheng.cli.chunks.in_order`)."""
    return in_order(_chunk, job, without_data=lambda j: replace(j, inputs=None),
                    data=job.inputs or (), bounds=bounds, jobs=jobs,
                    method=start_method() if jobs > 1 and len(bounds) > 1 else None)


def run_counties(loaded: LoadedRuleset, batch: FactsBatch, facts_paths: Sequence[Path],
                 school: LoadedRuleset | None, engine: EngineName, lang: str, json_out: bool,
                 output: Path | None, indent: int | None, school_results: bool, jobs: int = 1) -> Counter[str]:
    """Evaluate every county of ``batch`` on ``jobs`` processes (chunks of whole counties, joined in
    input order: the same output for any ``jobs``); write the JSON document or the table, a county
    at a time, with a progress bar over the counties (time remaining) on stderr. The outcomes counted."""
    inputs, top = county_inputs(batch, facts_paths)
    spec = county_spec(loaded.ruleset)
    every = next((c for c in spec.criteria if isinstance(c, AllSchoolsCriterion)), None)
    job = _Job(loaded, school, engine, lang, json_out, indent, school_results,
               every.id if every is not None else None, inputs)
    bounds = county_bounds([len(b.sections) for b, _, _ in inputs], jobs)
    counted: Counter[str] = Counter()
    with progress_count(len(inputs), pick("县域评估", "counties", lang)) as advance:
        if json_out:
            layout = DocumentLayout(indent, "counties")
            with (atomic_open(output, "wb", encoding=None) if output is not None
                  else contextlib.nullcontext(sys.stdout)) as opened:
                handle: IO[bytes] = opened if output is not None else sys.stdout.buffer  # type: ignore[assignment]
                head = counties_head(run_envelope((loaded, school), batch, engine), lang,
                                     [str(p) for p in facts_paths])
                handle.write(layout.head(head))
                for done in _in_order(job, bounds, jobs):
                    handle.write(done.text)
                    counted.update(done.counted)
                    advance(done.stop - done.start)
                handle.write(layout.tail(counties_tail(counted, top, lang), True) + b"\n")
                handle.flush()
            return counted
        rows: list[tuple[str, ...]] = []
        for done in _in_order(job, bounds, jobs):
            rows += done.rows
            counted.update(done.counted)
            advance(done.stop - done.start)
    console = Console(record=output is not None, width=160 if output is not None else None)
    print_counties(loaded, every, rows, counted, top, console, lang)
    if output is not None:
        write_text_atomic(output, console.export_text())
    return counted


def _cv_cell(run: CountyRun, lang: str) -> str:
    """Per level: the CVs not met (``小学 2/8``), or the composite's outcome; ``?`` when undecidable."""
    parts = []
    for lv in run.levels:
        if lv.outcome is Outcome.unknown:
            parts.append(f"{lv.level.label(lang)} ?")
        elif lv.judge == "composite":
            parts.append(f"{lv.level.label(lang)} {outcome_word(lv.outcome, lang)}")
        else:
            failing = sum(1 for i in lv.indicators if i.passed is False)
            parts.append(f"{lv.level.label(lang)} {failing}/{len(lv.indicators)}")
    return " · ".join(parts) or "—"


def _table_row(run: CountyRun, every: str | None, lang: str) -> tuple[str, ...]:
    """One county's line: county, year, verdict, CVs not met, sections meeting ``every``, criteria not
    met, criteria undecided."""
    crit = next((c for c in run.criteria if c.criterion_id == every), None)
    schools = "—" if crit is None or crit.sections is None else (
        f"{crit.actual}/{crit.sections}" + (f"（?{len(crit.unknown)}）" if crit.unknown else ""))
    return (shown(run.county), str(run.year or ""), f"[{_STYLE[run.outcome]}]{outcome_word(run.outcome, lang)}[/]",
            _cv_cell(run, lang), schools, str(sum(1 for c in run.criteria if c.outcome is Outcome.failed)),
            str(sum(1 for c in run.criteria if c.outcome is Outcome.unknown)))


def print_counties(loaded: LoadedRuleset, every: AllSchoolsCriterion | None, rows: Sequence[tuple[str, ...]],
                   counted: Counter[str], top: Sequence[InputIssue], console: Console, lang: str) -> None:
    """One line per county: verdict, CVs not met per level, sections meeting the first every-school
    criterion, criteria not met / undecidable; then the totals and the input's problems."""
    title = loaded.ruleset.title.get(lang)
    console.print(f"[bold]{loaded.ruleset.id}[/]（{title}）· {pick('县', 'counties', lang)} {len(rows)}",
                  highlight=False)
    table = Table(title_justify="left")
    for col in (pick("县（市、区）", "County", lang), pick("学年", "Year", lang), pick("结果", "Result", lang),
                pick("差异系数未达标", "CVs not met", lang),
                pick("每所学校达标", "Every school met", lang),
                pick("未达标项", "Not met", lang), pick("无法判定项", "Undecided", lang)):
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if every is not None:
        console.print(pick(f"“每所学校达标”：{every.title.get('zh')}（达标学段/参评学段；? 无法判定）",
                           f"“Every school met”: {every.title.get('en')} (sections met / judged; ? undecided)",
                           lang), style="dim", highlight=False)
    console.print(pick(
        f"达标 {counted['passed']} 个县，未达标 {counted['failed']} 个，无法判定 {counted['unknown']} 个。"
        "各县详情：--format json，或 --select-county 县名",
        f"{counted['passed']} met, {counted['failed']} not met, {counted['unknown']} undecided. "
        "Details: --format json, or --select-county NAME", lang), highlight=False)
    for issue in top:
        mark = "✗" if issue.severity == "error" else "!"
        console.print(f"  {mark} {shown(issue.message(lang))}", highlight=False, soft_wrap=True)

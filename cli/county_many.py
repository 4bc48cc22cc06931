"""``junheng county FILE`` when FILE names several counties: every county evaluated on its own
sections and facts in one call, written as one document (JSON, schema county 1.4) or one table line
per county. Only grouping, parsing and formatting: every verdict comes from :mod:`junheng.engine.county`.
"""

from __future__ import annotations

import difflib
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from junheng.cli.atomic import atomic_open, write_text_atomic
from junheng.cli.county_json import write_counties_json
from junheng.cli.options import pick, shown
from junheng.cli.progress import progress_count
from junheng.cli.render.words import outcome_word
from junheng.engine.county import CountyInput, evaluate_counties
from junheng.engine.county_results import CountyRun
from junheng.engine.evaluate import EngineName
from junheng.engine.results import Outcome
from junheng.policy.county_facts import CountyFacts, read_county_facts
from junheng.policy.county_facts_keyed import county_key, is_keyed, match_counties, read_county_facts_set
from junheng.policy.county_inputs import counties_of, group_by_county
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


def _with_progress(runs: Iterator[CountyRun], total: int, lang: str) -> Iterator[CountyRun]:
    """A bar over the counties with the time remaining, on stderr (terminals only)."""
    with progress_count(total, pick("县域评估", "counties", lang)) as advance:
        for run in runs:
            advance(1)
            yield run


def run_counties(loaded: LoadedRuleset, batch: FactsBatch, facts_paths: Sequence[Path],
                 school: LoadedRuleset | None, engine: EngineName, lang: str, json_out: bool,
                 output: Path | None, indent: int | None, school_results: bool) -> Counter[str]:
    """Evaluate every county of ``batch``; write the JSON document or the table. The outcomes counted."""
    inputs, top = county_inputs(batch, facts_paths)
    runs = _with_progress(evaluate_counties(loaded, inputs, school, engine), len(inputs), lang)
    first = next(runs)
    facts_files = [str(p) for p in facts_paths]
    if json_out:
        if output is not None:
            with atomic_open(output) as handle:
                counted = write_counties_json(handle, first, runs, lang, top, facts_files, indent, school_results)
                handle.write("\n")
            return counted
        counted = write_counties_json(sys.stdout, first, runs, lang, top, facts_files, indent, school_results)
        sys.stdout.write("\n")
        return counted
    console = Console(record=output is not None, width=160 if output is not None else None)
    counted = print_counties([first, *runs], top, console, lang)
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


def print_counties(runs: Sequence[CountyRun], top: Sequence[InputIssue], console: Console,
                   lang: str) -> Counter[str]:
    """One line per county: verdict, CVs not met per level, sections meeting the first every-school
    criterion, criteria not met / undecidable; then the totals and the input's problems."""
    first = runs[0]
    every = next((c for c in first.criteria if c.kind == "all_schools"), None)
    title = first.ruleset.title.get(lang)
    console.print(f"[bold]{first.ruleset.id}[/]（{title}）· {pick('县', 'counties', lang)} {len(runs)}",
                  highlight=False)
    table = Table(title_justify="left")
    for col in (pick("县（市、区）", "County", lang), pick("学年", "Year", lang), pick("结果", "Result", lang),
                pick("差异系数未达标", "CVs not met", lang),
                pick("每所学校达标", "Every school met", lang),
                pick("未达标项", "Not met", lang), pick("无法判定项", "Undecided", lang)):
        table.add_column(col, overflow="fold")
    counted: Counter[str] = Counter()
    for run in runs:
        counted[run.outcome.value] += 1
        crit = next((c for c in run.criteria if every is not None and c.criterion_id == every.criterion_id), None)
        schools = "—" if crit is None or crit.sections is None else (
            f"{crit.actual}/{crit.sections}" + (f"（?{len(crit.unknown)}）" if crit.unknown else ""))
        table.add_row(shown(run.county), str(run.year or ""),
                      f"[{_STYLE[run.outcome]}]{outcome_word(run.outcome, lang)}[/]", _cv_cell(run, lang), schools,
                      str(sum(1 for c in run.criteria if c.outcome is Outcome.failed)),
                      str(sum(1 for c in run.criteria if c.outcome is Outcome.unknown)))
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
    return counted

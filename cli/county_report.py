"""XLSX/HTML reports for ``junheng county``: the county run shown through the report renderers.

The county run already holds every verdict: the school results its ``all_schools`` criteria were
decided on, each 差异系数 with its limit, and each criterion's outcome and explanation. This module
only regroups them for :mod:`junheng.cli.html_report` and :mod:`junheng.cli.xlsx_report`.
"""

from __future__ import annotations

from pathlib import Path

from junheng.cli.county_cmd import _GROUPS  # the county table's area names
from junheng.cli.report_common import CountyPanel, CvBar
from junheng.cli.reports import write_report
from junheng.engine.county_results import CountyRun
from junheng.engine.results import EvaluationRun, InputInfo, Outcome, SchoolResult

__all__ = ["county_cv_bars", "county_panel", "county_school_run", "write_county_report"]



def county_school_run(run: CountyRun) -> EvaluationRun:
    """The school results the county run was decided on, as one evaluation run (first seen wins)."""
    seen: dict[tuple[str, str], SchoolResult] = {}
    for results in run.school_results.values():
        for s in results:
            seen.setdefault((s.school_id, s.level.value), s)
    schools = tuple(seen.values())
    errors = {(i.sheet, i.row) for i in run.issues if i.severity == "error" and i.row is not None}
    return EvaluationRun(
        ruleset=run.ruleset,
        input=InputInfo(file=run.input_file, sha256=run.input_sha256, rows_read=len(run.schools) + len(errors),
                        rows_evaluated=len(schools), rows_rejected=len(errors)),
        junheng_version=run.junheng_version, engine=run.engine, schools=schools, issues=run.issues,
    )


def county_cv_bars(run: CountyRun, lang: str) -> list[CvBar]:
    """Every computed 差异系数 with the limit of its level."""
    bars = []
    for lv in run.levels:
        for ind in lv.indicators:
            if ind.cv is None:
                continue
            outcome = Outcome.unknown if ind.passed is None else (
                Outcome.passed if ind.passed else Outcome.failed)
            bars.append(CvBar(ind.title.get(lang), lv.level, ind.cv, lv.limit, outcome))
    return bars


def county_panel(run: CountyRun, lang: str) -> CountyPanel:
    heading = " ".join(x for x in (run.county, str(run.year or ""), run.ruleset.title.get(lang)) if x)
    criteria = tuple(
        (_GROUPS.get(c.group, (c.group, c.group))[0 if lang == "zh" else 1], c.title.get(lang), c.outcome,
         c.explanation.get(lang))
        for c in run.criteria)
    return CountyPanel(heading, run.outcome, run.explanation.get(lang), criteria)


def write_county_report(fmt: str, path: Path, run: CountyRun, lang: str) -> None:
    """Write the county report as ``xlsx`` or ``html`` (atomically)."""
    write_report(fmt, path, county_school_run(run), lang, county_cv_bars(run, lang), county_panel(run, lang))

"""XLSX/HTML reports for ``junheng county``: the county's application forms (申报表).

The county run already holds every verdict; :mod:`junheng.cli.county_forms` lays the forms out
and :mod:`junheng.cli.county_forms_xlsx` / :mod:`junheng.cli.county_forms_html` write them. The
workbook also carries the detail sheets of the school results the criteria were decided on.
"""

from __future__ import annotations

from pathlib import Path

from junheng.cli.county_forms_html import write_county_forms_html
from junheng.cli.county_forms_xlsx import write_county_forms_xlsx
from junheng.cli.reports import REPORT_FORMATS
from junheng.engine.county_results import CountyRun
from junheng.engine.results import EvaluationRun, InputInfo, SchoolResult

__all__ = ["county_school_run", "write_county_report"]


def county_school_run(run: CountyRun) -> EvaluationRun:
    """The school results the county run was decided on, as one evaluation run (first seen wins)."""
    seen: dict[tuple[str, str], SchoolResult] = {}
    for results in run.school_results.values():
        for s in results:
            seen.setdefault((s.school_id, s.level.value), s)
    schools = tuple(seen.values())
    errors = {(i.sheet, i.row) for i in run.issues if i.severity == "error" and i.row is not None}
    envelope = run.envelope.model_copy(update={
        "rulesets": run.envelope.rulesets[:1],
        "input": InputInfo(file=run.input_file, sha256=run.input_sha256, rows_read=len(run.schools) + len(errors),
                           rows_evaluated=len(schools), rows_rejected=len(errors))})
    return EvaluationRun(envelope=envelope, schools=schools)


def write_county_report(fmt: str, path: Path, run: CountyRun, lang: str) -> None:
    """Write the county's forms as ``xlsx`` (with the detail sheets) or ``html`` (atomically)."""
    if fmt == "xlsx":
        write_county_forms_xlsx(path, run, lang, county_school_run(run).schools)
    elif fmt == "html":
        write_county_forms_html(path, run, lang)
    else:
        raise ValueError(f"not a report format: {fmt!r} (use {', '.join(REPORT_FORMATS)})")

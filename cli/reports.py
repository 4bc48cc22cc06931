"""Writing a report file in the format asked for (``--format xlsx|html -o FILE``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from junheng.cli.html_report import write_compare_html, write_evaluation_html
from junheng.cli.report_common import CompareReport, CountyPanel, CvBar
from junheng.cli.xlsx_report import write_compare_xlsx, write_evaluation_xlsx
from junheng.engine.results import EvaluationRun

__all__ = ["REPORT_FORMATS", "write_compare_report", "write_report"]

REPORT_FORMATS = ("xlsx", "html")
"""Formats that are files, not terminal text: they need ``-o FILE``."""


def _not_a_format(fmt: str) -> ValueError:
    return ValueError(f"not a report format: {fmt!r} (use {', '.join(REPORT_FORMATS)})")


def write_report(fmt: str, path: Path, run: EvaluationRun, lang: str, cv: Sequence[CvBar] = (),
                 county: CountyPanel | None = None, office: str | None = None) -> None:
    """Write ``run`` to ``path`` as ``fmt`` (atomically); ``cv``/``county`` for a county run;
    ``office`` signs the HTML report's letters to principals."""
    if fmt == "xlsx":
        write_evaluation_xlsx(path, run, lang, cv)
    elif fmt == "html":
        write_evaluation_html(path, run, lang, cv, county, office)
    else:
        raise _not_a_format(fmt)


def write_compare_report(fmt: str, path: Path, report: CompareReport, lang: str) -> None:
    """Write a comparison to ``path`` as ``fmt`` (atomically)."""
    if fmt == "xlsx":
        write_compare_xlsx(path, report, lang)
    elif fmt == "html":
        write_compare_html(path, report, lang)
    else:
        raise _not_a_format(fmt)

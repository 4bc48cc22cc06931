"""Writing a report file in the format asked for (``--format xlsx|html -o FILE``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from junheng.cli.html_report import write_evaluation_html
from junheng.cli.report_common import CountyPanel, CvBar
from junheng.cli.xlsx_report import write_evaluation_xlsx
from junheng.engine.results import EvaluationRun

__all__ = ["REPORT_FORMATS", "write_report"]

REPORT_FORMATS = ("xlsx", "html")
"""Formats that are files, not terminal text: they need ``-o FILE``."""


def write_report(fmt: str, path: Path, run: EvaluationRun, lang: str, cv: Sequence[CvBar] = (),
                 county: CountyPanel | None = None) -> None:
    """Write ``run`` to ``path`` as ``fmt`` (atomically); ``cv``/``county`` for a county run."""
    if fmt == "xlsx":
        write_evaluation_xlsx(path, run, lang, cv)
    elif fmt == "html":
        write_evaluation_html(path, run, lang, cv, county)
    else:
        raise ValueError(f"not a report format: {fmt!r} (use {', '.join(REPORT_FORMATS)})")

"""XLSX/HTML reports for ``junheng compare``: a comparison shown through the report renderers.

The comparison already holds every verdict, change class, points and extra resource under both
rulesets (:mod:`junheng.engine.compare`); this module only adds what it was run on — the input
file, its data issues, the junheng version and engine — for :mod:`junheng.cli.xlsx_report` and
:mod:`junheng.cli.html_report`.
"""

from __future__ import annotations

from pathlib import Path

import junheng
from junheng.cli.report_common import CompareReport
from junheng.cli.reports import write_compare_report
from junheng.engine.compare import Comparison
from junheng.engine.evaluate import EngineName, engine_label
from junheng.policy.inputs import FactsBatch

__all__ = ["compare_report", "write_comparison"]


def compare_report(comparison: Comparison, batch: FactsBatch, engine: EngineName = "durable") -> CompareReport:
    """The comparison of ``batch``'s sections with the batch's file, checksum and data issues."""
    return CompareReport(
        comparison=comparison, input_file=batch.file, input_sha256=batch.file_sha256,
        junheng_version=junheng.__version__,
        engine=engine_label(engine),
        issues=tuple(batch.issues),
    )


def write_comparison(fmt: str, path: Path, comparison: Comparison, batch: FactsBatch, lang: str,
                     engine: EngineName = "durable") -> None:
    """Write the comparison report as ``xlsx`` or ``html`` (atomically)."""
    write_compare_report(fmt, path, compare_report(comparison, batch, engine), lang)

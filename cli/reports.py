"""Writing a report file in the format asked for (``--format xlsx|html -o FILE``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path

from junheng.cli.atomic import atomic_open
from junheng.cli.html_report import EvaluationHtml, write_compare_html, write_evaluation_html
from junheng.cli.report_common import CompareReport, CountyPanel, CvBar
from junheng.cli.xlsx_cells import write_book
from junheng.cli.xlsx_report import EvaluationXlsx, write_compare_xlsx, write_evaluation_xlsx
from junheng.engine.evaluate import EngineName, evaluate_sections, evaluation_envelope
from junheng.engine.results import EvaluationRun
from junheng.policy.inputs import FactsBatch
from junheng.policy.loader import LoadedRuleset

__all__ = ["REPORT_FORMATS", "evaluate_report_to_file", "write_compare_report", "write_report"]

REPORT_CHUNK = 1_000
"""Sections evaluated and rendered at a time by :func:`evaluate_report_to_file`."""

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


def evaluate_report_to_file(fmt: str, path: Path, loaded: LoadedRuleset, batch: FactsBatch, lang: str,
                            engine: EngineName = "durable", office: str | None = None,
                            on_chunk: Callable[[int], None] | None = None) -> None:
    """Evaluate ``batch`` chunk by chunk (:data:`REPORT_CHUNK` sections) and write the report as
    each chunk is done (atomically): only one chunk's results are held, and the file is the same
    as :func:`write_report` of the whole run. ``on_chunk(sections)`` after each chunk."""
    envelope = evaluation_envelope(loaded, batch, engine)  # before any work: a bad ruleset fails first
    sections = batch.sections
    bounds = [(start, min(start + REPORT_CHUNK, len(sections))) for start in range(0, len(sections), REPORT_CHUNK)]
    with ExitStack() as stack:
        writer: EvaluationHtml | EvaluationXlsx
        if fmt == "html":
            writer = stack.enter_context(EvaluationHtml(stack.enter_context(atomic_open(path)), envelope, lang,
                                                        office=office))
        elif fmt == "xlsx":
            writer = stack.enter_context(EvaluationXlsx(stack.enter_context(write_book(path)), envelope, lang))
        else:
            raise _not_a_format(fmt)
        writer.write_header()
        for start, stop in bounds:
            writer.write_sections(evaluate_sections(loaded.ruleset, sections[start:stop], engine))
            if on_chunk is not None:
                on_chunk(stop - start)
        writer.write_tail()


def write_compare_report(fmt: str, path: Path, report: CompareReport, lang: str) -> None:
    """Write a comparison to ``path`` as ``fmt`` (atomically)."""
    if fmt == "xlsx":
        write_compare_xlsx(path, report, lang)
    elif fmt == "html":
        write_compare_html(path, report, lang)
    else:
        raise _not_a_format(fmt)

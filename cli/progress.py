"""A progress display (rich) for long runs, on stderr, shown only when stdout is a terminal.

Piped or redirected output (``junheng evaluate … > out.json``, CI logs) stays clean: then the
steps run without any display. The display is transient — it disappears when the run ends.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = ["progress_count", "progress_steps", "show_progress"]


def show_progress() -> bool:
    """True when stdout is an interactive terminal."""
    return sys.stdout.isatty()


@contextlib.contextmanager
def progress_steps(total: int, enabled: bool | None = None) -> Iterator[Callable[[str], None]]:
    """Yield ``step(label)``: call it as each of ``total`` steps starts."""
    if not (show_progress() if enabled is None else enabled):
        yield lambda _label: None
        return
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                        TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=True)
    task = progress.add_task("", total=total)
    started = False

    def step(label: str) -> None:
        nonlocal started
        if started:
            progress.advance(task)
        started = True
        progress.update(task, description=label)

    with progress:
        yield step
        progress.update(task, completed=total)


@contextlib.contextmanager
def progress_count(total: int, label: str, enabled: bool | None = None) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``: call it as each piece of work of ``n`` (of ``total``) items is done;
    the display shows the count, the time elapsed and the time left (ETA). It is redrawn only on
    ``advance`` (no refresh thread: worker processes may be forked while it shows)."""
    if not (show_progress() if enabled is None else enabled):
        yield lambda _n: None
        return
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                        console=Console(stderr=True), transient=True, auto_refresh=False)
    task = progress.add_task(label, total=total)

    def advance(n: int) -> None:
        progress.advance(task, n)
        progress.refresh()

    with progress:
        progress.refresh()
        yield advance

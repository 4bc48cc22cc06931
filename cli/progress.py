"""A progress display (rich) for long runs, on stderr, shown only when stdout is a terminal.

Piped or redirected output (``junheng evaluate … > out.json``, CI logs) stays clean: then the
steps run without any display. The display is transient — it disappears when the run ends.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

__all__ = ["progress_steps", "show_progress"]


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

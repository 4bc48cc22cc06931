"""The JSON document of ``junheng evaluate --format json -o FILE`` made chunk by chunk, on one or
more worker processes (issue 12 items 4 and 6).

The sections are evaluated in chunks (at most :data:`CHUNK`); each chunk's sections are rendered to
their text in the document (:class:`~junheng.cli.json_output.DocumentLayout`) and written to a
spool file, and its results are dropped: memory stays flat in the number of sections, apart from the
sections read. The summary precedes the sections in the document, and its counts are the engine's
outcomes (:func:`~junheng.cli.json_output.outcome_counts` of each chunk, added up), known only when
the last chunk is done; so the document is put together at the end, inside the atomic write
(:func:`~junheng.cli.atomic.atomic_open`): the head with the summary, each chunk's spool in input
order (``os.copy_file_range``: the bytes never pass through Python), then the errors and
warnings. The spool is a directory beside the output, ``.<name>.<pid>.<random>.part``, removed
at the end (or, after a kill, by the next write to the same output).

``jobs`` > 1 evaluates the chunks on that many worker processes. The document is the same bytes
whatever ``jobs`` is: every chunk renders exactly the text it has in the document, and the
chunks are joined in input order. Workers are forked where the platform allows it and the parent
runs no other thread (forking a threaded process can leave a lock held forever in the child), else
spawned (the chunks' sections are then sent to them). A forked child gets a fresh durable_rules
Host (see ``junheng.engine.durable_backend``, "fork"). A worker's error is raised in the parent
(exit 3, one line); a worker that dies ends the run with ``BrokenProcessPool``, never a hang.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Literal

from junheng.cli.atomic import atomic_open
from junheng.cli.json_output import (
    OUTCOME_COUNTS,
    DocumentLayout,
    add_counts,
    evaluation_frame,
    outcome_counts,
)
from junheng.engine.evaluate import EngineName, evaluate_sections, evaluation_envelope
from junheng.policy.inputs import FactsBatch, SchoolSection
from junheng.policy.loader import LoadedRuleset
from junheng.policy.model import Ruleset

CHUNK = 2_000
"""Sections per chunk at most: a chunk's results (≈ 28 KiB a section) and text are what a worker holds."""
MIN_CHUNK = 250
"""Sections per chunk at least, when a batch is cut finer to keep every worker busy."""

StartMethod = Literal["fork", "spawn", "forkserver"]


def default_jobs() -> int:
    """The cores this process may run on (``os.process_cpu_count`` on 3.13, else the affinity mask)."""
    count: Callable[[], int | None] | None = getattr(os, "process_cpu_count", None)
    if count is not None:
        return count() or 1
    with contextlib.suppress(AttributeError):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def chunk_bounds(n: int, jobs: int) -> list[tuple[int, int]]:
    """``[start, stop)`` of each chunk: at most :data:`CHUNK` sections, and cut so that each of
    ``jobs`` workers gets about four chunks (never below :data:`MIN_CHUNK`)."""
    size = max(MIN_CHUNK, min(CHUNK, -(-n // (max(jobs, 1) * 4))))
    return [(start, min(start + size, n)) for start in range(0, n, size)]


@dataclass(frozen=True)
class _Job:
    """What every chunk of one run needs. ``sections`` is None in a spawned worker: each of its
    tasks carries its chunk's sections."""

    ruleset: Ruleset
    engine: EngineName
    lang: str
    indent: int | None
    spool: str
    sections: Sequence[SchoolSection] | None


@dataclass(frozen=True)
class ChunkDone:
    """A chunk evaluated and rendered: where its text is, and its sections' outcomes."""

    start: int
    stop: int
    counts: dict[str, int]
    path: str
    size: int


_JOB: _Job | None = None
"""The run a worker serves (a forked worker inherits it; a spawned one gets it from :func:`_init`)."""


def _init(job: _Job | None) -> None:
    """A worker's start: the job (spawned workers), and Ctrl-C left to the parent, which stops the run."""
    global _JOB
    if job is not None:
        _JOB = job
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_chunk(start: int, stop: int, sections: Sequence[SchoolSection] | None = None) -> ChunkDone:
    """Evaluate sections ``[start, stop)``, write their text to the spool, keep only the counts."""
    job = _JOB
    assert job is not None, "no job: _run_chunk runs inside evaluate_json_to_file"
    if sections is None:
        assert job.sections is not None
        sections = job.sections[start:stop]
    schools = evaluate_sections(job.ruleset, sections, job.engine)
    data = DocumentLayout(job.indent).sections(schools, job.lang, first=start == 0)
    path = os.path.join(job.spool, f"{start:012d}.json")
    with open(path, "wb") as handle:
        handle.write(data)
    return ChunkDone(start, stop, outcome_counts(schools), path, len(data))


def start_method() -> StartMethod:
    """``fork`` where available and the process runs no other thread, else ``spawn``."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return "fork"
    return "spawn"


def _in_order(job: _Job, bounds: list[tuple[int, int]], jobs: int,
              method: StartMethod | None) -> Iterator[ChunkDone]:
    """Each chunk done, in input order: in this process (one job), else on worker processes."""
    global _JOB
    if jobs <= 1 or len(bounds) <= 1:
        _JOB = job
        try:
            for start, stop in bounds:
                yield _run_chunk(start, stop)
        finally:
            _JOB = None
        return
    method = method or start_method()
    sections = job.sections
    assert sections is not None
    forked = method == "fork"
    if forked:
        _JOB = job  # inherited by the forked workers: no section is pickled
        gc.freeze()  # the parent's objects stay out of the children's collections (fewer copied pages)
    executor = ProcessPoolExecutor(max_workers=min(jobs, len(bounds)),
                                   mp_context=multiprocessing.get_context(method), initializer=_init,
                                   initargs=(None if forked else replace(job, sections=None),))
    futures: list[Future[ChunkDone]] = []
    try:
        futures = [executor.submit(_run_chunk, start, stop, None if forked else sections[start:stop])
                   for start, stop in bounds]
        for future in futures:
            yield future.result()
    finally:
        for future in futures:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)
        if forked:
            _JOB = None
            gc.unfreeze()


def _copy(source: str, size: int, out: IO[bytes]) -> None:
    """Append the ``size`` bytes of the file ``source`` to ``out`` (in the kernel where it can)."""
    out.flush()
    with open(source, "rb") as handle:
        done = 0
        with contextlib.suppress(AttributeError, OSError):  # macOS, or not between these two files
            while done < size:
                n = os.copy_file_range(handle.fileno(), out.fileno(), size - done)
                if n == 0:
                    break
                done += n
        handle.seek(done)
        while done < size:
            block = handle.read(min(1 << 20, size - done))
            if not block:
                raise OSError(f"spool file {source} has {done} bytes, {size} were written")
            out.write(block)
            done += len(block)
    out.flush()


@contextlib.contextmanager
def _spool(path: Path | None) -> Iterator[str]:
    """A private directory for the chunks' text (beside ``path``; the temporary folder for a
    stream), removed whatever happens."""
    directory = (tempfile.mkdtemp(prefix="junheng-chunks.") if path is None else
                 tempfile.mkdtemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part", dir=path.parent))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _write_document(out: IO[bytes], spool: str, loaded: LoadedRuleset, batch: FactsBatch, lang: str,
                    indent: int | None, engine: EngineName, jobs: int, on_chunk: Callable[[int], None] | None,
                    method: StartMethod | None) -> dict[str, int]:
    envelope = evaluation_envelope(loaded, batch, engine)
    sections = batch.sections
    layout = DocumentLayout(indent)
    counts = dict.fromkeys(OUTCOME_COUNTS, 0)
    job = _Job(loaded.ruleset, engine, lang, indent, spool, sections)
    done: list[ChunkDone] = []
    for chunk in _in_order(job, chunk_bounds(len(sections), jobs), jobs, method):
        add_counts(counts, chunk.counts)
        done.append(chunk)
        if on_chunk is not None:
            on_chunk(chunk.stop - chunk.start)
    head, tail = evaluation_frame(envelope, len(sections), counts, lang)
    out.write(layout.head(head))
    for chunk in done:
        _copy(chunk.path, chunk.size, out)
        os.unlink(chunk.path)  # its pages leave the cache before the next chunk's are read
    out.write(layout.tail(tail, bool(sections)) + b"\n")
    out.flush()
    return counts


def evaluate_json_to_file(path: Path, loaded: LoadedRuleset, batch: FactsBatch, lang: str,
                          indent: int | None = None, engine: EngineName = "durable", jobs: int = 1,
                          on_chunk: Callable[[int], None] | None = None,
                          method: StartMethod | None = None) -> dict[str, int]:
    """Evaluate ``batch`` and write its evaluation document to ``path`` atomically (the same bytes
    as :func:`~junheng.cli.json_output.write_evaluation_json` of ``run_evaluation``, plus a final
    newline), chunk by chunk on ``jobs`` processes; ``on_chunk(sections)`` after each chunk, in
    input order. Returns the summary's outcome counts."""
    with atomic_open(path, "wb", encoding=None) as raw, _spool(path) as spool:
        return _write_document(raw, spool, loaded, batch, lang, indent,  # type: ignore[arg-type]  # "wb"
                               engine, jobs, on_chunk, method)


def evaluate_json_to_stream(stream: IO[bytes], loaded: LoadedRuleset, batch: FactsBatch, lang: str,
                            indent: int = 2, engine: EngineName = "durable", jobs: int = 1,
                            on_chunk: Callable[[int], None] | None = None,
                            method: StartMethod | None = None) -> dict[str, int]:
    """:func:`evaluate_json_to_file` to a stream (stdout): the spool is in the temporary folder
    and the document goes to ``stream`` once the summary is known."""
    with _spool(None) as spool:
        return _write_document(stream, spool, loaded, batch, lang, indent, engine, jobs, on_chunk, method)

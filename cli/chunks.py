"""The JSON document of ``junheng evaluate --format json`` made chunk by chunk, on one or more
worker processes (issue 12 items 4 and 6).

The sections are evaluated in chunks (at most :data:`CHUNK`); each chunk's sections are rendered to
their text in the document (:class:`~junheng.cli.json_output.DocumentLayout`) and written straight
to their place in the output file, and its results are dropped: memory stays flat in the number of
sections, apart from the sections read. A chunk's place is the head's length plus the lengths of
the chunks before it. The head holds the summary, whose counts are the engine's outcomes
(:func:`~junheng.cli.json_output.outcome_counts` of each chunk, added up) and are known only when
the last chunk is done; but only the number of their digits moves the sections, so the first chunk
estimates it (its counts scaled to the batch) and every chunk is placed by that estimate. At the
end the head is written in front; if the estimate was wrong, the sections are first moved by the
difference (a few bytes — one pass over the file; never a wrong byte). All of it inside the
atomic write (:func:`~junheng.cli.atomic.atomic_file`): the output is complete or not there. On
stdout the sections go to a file in the temporary folder first, then follow the head.

``jobs`` > 1 evaluates the chunks on that many worker processes. The document is the same bytes
whatever ``jobs`` is: every chunk renders exactly the text it has in the document, at the place the
chunks before it leave. Workers are forked where the platform allows it and the parent runs no
other thread (forking a threaded process can leave a lock held forever in the child), else spawned
(the chunks' sections are then sent to them). A forked child gets a fresh durable_rules Host (see
``junheng.engine.durable_backend``, "fork"). A worker's error is raised in the parent (exit 3, one
line); a worker that dies ends the run with ``BrokenProcessPool``; a chunk waiting for the place of
one that failed stops too — never a hang.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, Literal, TypeVar

from junheng.cli.atomic import atomic_file
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


class ChunkFailed(RuntimeError):
    """A chunk stopped because one before it failed (that chunk's error is the one reported)."""


@dataclass(frozen=True)
class _Places:
    """Where each chunk's text goes in ``target``: ``base`` (the head's length, estimated by the
    first chunk unless fixed) plus the sizes of the chunks before it. Shared by the processes of
    one run (``multiprocessing`` shared memory and a condition)."""

    target: str
    sizes: Any  # Array("q"): a chunk's bytes; -1 not rendered yet, -2 failed
    base: Any  # Value("q"): -1 until the first chunk estimates it
    stop: Any  # Value("b"): 1 when the run is abandoned
    ready: Any  # Condition
    head_digits: int  # the head's length less the digits of the four outcome counts
    total: int  # sections in the batch


def _places(ctx: Any, target: str, chunks: int, base: int | None, head_digits: int, total: int) -> _Places:
    sizes = ctx.Array("q", [-1] * max(chunks, 1), lock=False)
    return _Places(target, sizes, ctx.Value("q", -1 if base is None else base, lock=False),
                   ctx.Value("b", 0, lock=False), ctx.Condition(), head_digits, total)


def estimated_base(places: _Places, counts: dict[str, int], sections: int) -> int:
    """The head's length if the first chunk's outcome shares hold for the batch: only the number of
    digits of each count is estimated (0 is one digit)."""
    scale = places.total / max(sections, 1)
    return places.head_digits + sum(len(str(round(counts[k] * scale))) for k in OUTCOME_COUNTS)


_WAIT = 1.0
"""Seconds between checks that the run goes on while a chunk waits for the place of one before it."""


def _place(places: _Places, index: int, size: int, counts: dict[str, int], sections: int) -> int:
    """Record chunk ``index``'s size and return its offset, once every chunk before it is rendered."""
    with places.ready:
        places.sizes[index] = size
        if index == 0 and places.base.value < 0:
            places.base.value = estimated_base(places, counts, sections)
        places.ready.notify_all()
        while True:
            if places.stop.value or any(places.sizes[i] == -2 for i in range(index)):
                raise ChunkFailed(f"chunk {index} abandoned: an earlier chunk failed")
            if places.base.value >= 0 and all(places.sizes[i] >= 0 for i in range(index)):
                return int(places.base.value) + int(sum(places.sizes[i] for i in range(index)))
            places.ready.wait(_WAIT)


def _failed(places: _Places, index: int) -> None:
    with places.ready:
        places.sizes[index] = -2
        places.ready.notify_all()


def _pwrite(fd: int, data: bytes | memoryview, offset: int) -> None:
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


@dataclass(frozen=True)
class _Job:
    """What every chunk of one run needs. ``sections`` is None in a spawned worker: each of its
    tasks carries its chunk's sections."""

    ruleset: Ruleset
    engine: EngineName
    lang: str
    indent: int | None
    places: _Places
    sections: Sequence[SchoolSection] | None


@dataclass(frozen=True)
class ChunkDone:
    """A chunk evaluated and written: where its text is, and its sections' outcomes."""

    index: int
    start: int
    stop: int
    counts: dict[str, int]
    offset: int
    size: int


_JOB: Any = None
"""The run this process serves (a forked worker inherits it; a spawned one gets it from
:func:`_init`); set by :func:`in_order`, read by its run function through :func:`current_job`."""


def _init(job: Any) -> None:
    """A worker's start: the job (spawned workers), and Ctrl-C left to the parent, which stops the run."""
    global _JOB
    if job is not None:
        _JOB = job
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _install(job: Any) -> None:
    """The run this process serves (None: none)."""
    global _JOB
    _JOB = job


def current_job() -> Any:
    """The job of the :func:`in_order` run this process serves (in a worker or in this process)."""
    assert _JOB is not None, "no job: a chunk runs only inside in_order"
    return _JOB


def _run_chunk(index: int, start: int, stop: int, sections: Sequence[SchoolSection] | None = None) -> ChunkDone:
    """Evaluate sections ``[start, stop)`` and write their text at the chunk's place; keep only the counts."""
    job: _Job = current_job()
    try:
        if sections is None:
            assert job.sections is not None
            sections = job.sections[start:stop]
        schools = evaluate_sections(job.ruleset, sections, job.engine)
        data = DocumentLayout(job.indent).sections(schools, job.lang, first=start == 0)
        counts = outcome_counts(schools)
        del schools
    except BaseException:
        _failed(job.places, index)
        raise
    offset = _place(job.places, index, len(data), counts, stop - start)
    fd = os.open(job.places.target, os.O_WRONLY)
    try:
        _pwrite(fd, data, offset)
    finally:
        os.close(fd)
    return ChunkDone(index, start, stop, counts, offset, len(data))


def threads_running() -> int:
    """The process's threads as the system counts them (``/proc/self/task`` where there is one): also
    those a C library started, which :mod:`threading` does not see (numpy's OpenBLAS pool, once an
    XLSX input has loaded openpyxl and with it numpy)."""
    try:
        return max(len(os.listdir("/proc/self/task")), threading.active_count())
    except OSError:
        return threading.active_count()


def start_method() -> StartMethod:
    """``fork`` where available and the process runs no other thread, else ``spawn``."""
    if "fork" in multiprocessing.get_all_start_methods() and threads_running() == 1:
        return "fork"
    return "spawn"


R = TypeVar("R")
J = TypeVar("J")


def in_order(run: Callable[[int, int, int, Any], R], job: J, *, without_data: Callable[[J], J], data: Sequence[Any],
             bounds: Sequence[tuple[int, int]], jobs: int, method: StartMethod | None,
             on_stop: Callable[[], None] | None = None) -> Iterator[R]:
    """Each chunk ``run(index, start, stop, part)`` done, in input order: in this process (one job,
    ``part`` None), else on worker processes; ``run`` reads the job with :func:`current_job`. A forked
    worker inherits ``job`` (set before the fork: nothing is pickled, ``part`` None); a spawned one gets
    ``without_data(job)`` at its start and its ``part`` of ``data``. A done chunk's result is released
    once yielded, not held to the end. The objects made before (the input read) stay out of the collector's full passes
    meanwhile (fewer copied pages in forked workers; 10k sections in one process: ≈ 10-20% less CPU).
    ``on_stop`` runs first when the run ends or fails (e.g. to wake workers waiting on each other).
    Shared by ``junheng evaluate`` (chunks of sections) and ``junheng county`` (chunks of counties)."""
    if jobs <= 1 or len(bounds) <= 1:
        _install(job)
        gc.freeze()
        try:
            for index, (start, stop) in enumerate(bounds):
                yield run(index, start, stop, None)
        finally:
            _install(None)
            gc.unfreeze()
        return
    forked = method == "fork"
    if forked:
        _install(job)  # inherited by the forked workers
        gc.freeze()
    executor = ProcessPoolExecutor(max_workers=min(jobs, len(bounds)),
                                   mp_context=multiprocessing.get_context(method), initializer=_init,
                                   initargs=(None if forked else without_data(job),))
    futures: list[Future[R] | None] = []
    try:
        futures = [executor.submit(run, index, start, stop, None if forked else data[start:stop])
                   for index, (start, stop) in enumerate(bounds)]
        for i, future in enumerate(futures):
            assert future is not None
            futures[i] = None
            yield future.result()
    finally:
        if on_stop is not None:
            on_stop()
        for left in futures:
            if left is not None:
                left.cancel()
        executor.shutdown(wait=True, cancel_futures=True)
        if forked:
            _install(None)
            gc.unfreeze()


def _in_order(job: _Job, bounds: list[tuple[int, int]], jobs: int, method: StartMethod | None,
              ) -> Iterator[ChunkDone]:
    """Each chunk of sections done, in input order (:func:`in_order`)."""
    places = job.places

    def stop() -> None:
        with places.ready:  # a worker waiting for an earlier chunk's place stops waiting
            places.stop.value = 1
            places.ready.notify_all()

    return in_order(_run_chunk, job, without_data=lambda j: replace(j, sections=None), data=job.sections or (),
                    bounds=bounds, jobs=jobs, method=method, on_stop=stop)


def _shift(fd: int, start: int, length: int, delta: int) -> None:
    """Move bytes ``[start, start + length)`` of the file by ``delta`` (the ranges may overlap)."""
    block = 1 << 22
    if delta == 0 or length == 0:
        return
    if delta > 0:  # to the right: from the end backwards, never over bytes not yet moved
        pos = start + length
        while pos > start:
            n = min(block, pos - start)
            pos -= n
            _pwrite(fd, _pread(fd, n, pos), pos + delta)
    else:
        pos = start
        while pos < start + length:
            n = min(block, start + length - pos)
            _pwrite(fd, _pread(fd, n, pos), pos + delta)
            pos += n


def _pread(fd: int, n: int, offset: int) -> bytes:
    data = os.pread(fd, n, offset)
    if len(data) != n:
        raise OSError(f"read {len(data)} of {n} bytes at {offset}: the file is shorter than written")
    return data


def _evaluate_into(fd: int, target: str, loaded: LoadedRuleset, batch: FactsBatch, lang: str,
                   indent: int | None, engine: EngineName, jobs: int, on_chunk: Callable[[int], None] | None,
                   method: StartMethod | None, body_only: bool) -> tuple[dict[str, int], bytes, bytes, int]:
    """Evaluate every chunk into the file ``target`` (open as ``fd``); the counts, the head, the
    tail and the sections' length. ``body_only``: the sections from offset 0 (no head in front),
    else the file is the whole document."""
    envelope = evaluation_envelope(loaded, batch, engine)
    sections = batch.sections
    layout = DocumentLayout(indent)
    zero = dict.fromkeys(OUTCOME_COUNTS, 0)
    head_digits = len(layout.head(evaluation_frame(envelope, len(sections), zero, lang)[0])) - 4
    bounds = chunk_bounds(len(sections), jobs)
    parallel = jobs > 1 and len(bounds) > 1
    method = (method or start_method()) if parallel else None
    ctx = multiprocessing.get_context(method)
    places = _places(ctx, target, len(bounds), 0 if body_only else None, head_digits, len(sections))
    job = _Job(loaded.ruleset, engine, lang, indent, places, sections)
    counts = dict(zero)
    body = 0
    for chunk in _in_order(job, bounds, jobs if parallel else 1, method):
        add_counts(counts, chunk.counts)
        body += chunk.size
        if on_chunk is not None:
            on_chunk(chunk.stop - chunk.start)
    head_dict, tail_dict = evaluation_frame(envelope, len(sections), counts, lang)
    head = layout.head(head_dict)
    tail = layout.tail(tail_dict, bool(sections)) + b"\n"
    if not body_only and bounds:
        _shift(fd, int(places.base.value), body, len(head) - int(places.base.value))  # a wrong estimate
    return counts, head, tail, body


def evaluate_json_to_file(path: Path, loaded: LoadedRuleset, batch: FactsBatch, lang: str,
                          indent: int | None = None, engine: EngineName = "durable", jobs: int = 1,
                          on_chunk: Callable[[int], None] | None = None,
                          method: StartMethod | None = None) -> dict[str, int]:
    """Evaluate ``batch`` and write its evaluation document to ``path`` atomically (the same bytes
    as :func:`~junheng.cli.json_output.write_evaluation_json` of ``run_evaluation``, plus a final
    newline), chunk by chunk on ``jobs`` processes; ``on_chunk(sections)`` after each chunk, in
    input order. Returns the summary's outcome counts."""
    with atomic_file(path) as (fd, tmp):
        counts, head, tail, body = _evaluate_into(fd, str(tmp), loaded, batch, lang, indent, engine, jobs,
                                                  on_chunk, method, body_only=False)
        _pwrite(fd, head, 0)
        _pwrite(fd, tail, len(head) + body)
        os.ftruncate(fd, len(head) + body + len(tail))
    return counts


def evaluate_json_to_stream(stream: IO[bytes], loaded: LoadedRuleset, batch: FactsBatch, lang: str,
                            indent: int = 2, engine: EngineName = "durable", jobs: int = 1,
                            on_chunk: Callable[[int], None] | None = None,
                            method: StartMethod | None = None) -> dict[str, int]:
    """:func:`evaluate_json_to_file` to a stream (stdout): the sections go to a file in the
    temporary folder, then follow the head on ``stream``."""
    fd, spool = tempfile.mkstemp(prefix="junheng-sections.", suffix=".part")
    try:
        counts, head, tail, body = _evaluate_into(fd, spool, loaded, batch, lang, indent, engine, jobs,
                                                  on_chunk, method, body_only=True)
        stream.write(head)
        done = 0
        while done < body:
            block = _pread(fd, min(1 << 22, body - done), done)
            stream.write(block)
            done += len(block)
        stream.write(tail)
        stream.flush()
    finally:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(spool)
    return counts

"""``evaluate --format json -o FILE`` chunk by chunk on ``--jobs`` processes (issue 12 items 4 and 6).

The document must be the very bytes :func:`write_evaluation_json` writes for the whole run (plus the
final newline) whatever the number of jobs, the chunk size and the way workers start (fork or
spawn) and however wrong the first chunk's estimate of the head's length; the summary's counts
are the engine's outcomes; rejected rows are handled the same; a worker's error or death ends the
run with exit 3 and one line, nothing half-written.
"""

from __future__ import annotations

import io
import json
import os
import signal
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from junheng import api
from junheng.cli import chunks
from junheng.cli.json_output import write_evaluation_json
from junheng.cli.progress import progress_count
from junheng.engine.results import SchoolResult
from junheng.policy.inputs import SchoolSection
from tests.cli.clikit import run_cli
from tests.cli.test_json_stream import generated_csv

FORK = "fork" in chunks.multiprocessing.get_all_start_methods()


def whole_run(source: Path, indent: int | None, lang: str = "zh") -> bytes:
    """The document of the in-memory path: every section evaluated at once, then written."""
    result = api.evaluate(api.read_facts(source), api.load_ruleset("national/quality-2017"), lang=lang)
    out = io.BytesIO()
    write_evaluation_json(out, result.run, lang, indent)
    return out.getvalue() + b"\n"


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 7 sections: a 60-row file makes several, the last one short."""
    monkeypatch.setattr(chunks, "CHUNK", 7)
    monkeypatch.setattr(chunks, "MIN_CHUNK", 1)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("indent", [None, 2])
def test_one_job_and_two_give_the_bytes_of_the_whole_run(tmp_path: Path, indent: int | None) -> None:
    source = generated_csv(tmp_path / "g.csv", 60, 5)  # 60 rows, some of them rejected
    expected = whole_run(source, indent)
    loaded, batch = api.load_ruleset("national/quality-2017"), api.read_facts(source)
    assert len(batch.sections) == 50 and batch.errors  # 10 rows rejected (every 11th a 高中, bad figures)
    assert chunks.chunk_bounds(50, 2)[-1] == (49, 50)  # 8 chunks: 7 of 7 sections, the last of 1
    methods: list[chunks.StartMethod | None] = [None, "fork", "spawn"] if FORK else [None, "spawn"]
    for jobs, method in [(1, None), *((2, m) for m in methods[1:])]:
        out = tmp_path / f"out-{jobs}-{method}.json"
        counts = chunks.evaluate_json_to_file(out, loaded, batch, "zh", indent, jobs=jobs, method=method)
        assert out.read_bytes() == expected, (jobs, method)
        summary = json.loads(expected)["summary"]
        assert counts == {k: summary[k] for k in ("passed", "failed", "unknown", "scored")}
    assert leftovers(tmp_path) == []  # no .part left


@pytest.mark.usefixtures("small_chunks")
def test_the_cli_with_one_and_two_jobs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = generated_csv(tmp_path / "g.csv", 60, 9)
    runs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}.json"
        code, stdout, stderr = run_cli(capsys, "evaluate", str(source), "-f", "json", "-o", str(out), "-j", jobs)
        runs.append((code, stdout, stderr.replace(out.name, "OUT"), out.read_bytes()))
    assert runs[0] == runs[1]
    code, _, _, document = runs[0]
    assert code == 1  # rows rejected: the same exit, the same errors in the document
    assert document == whole_run(source, None)
    assert json.loads(document)["errors"]


def test_chunk_bounds_cover_every_section_once() -> None:
    for n in (0, 1, 249, 250, 2_001, 10_000, 200_000):
        for jobs in (1, 2, 8):
            bounds = chunks.chunk_bounds(n, jobs)
            assert [i for a, b in bounds for i in range(a, b)] == list(range(n))
            assert all(b - a <= chunks.CHUNK for a, b in bounds)
    assert len(chunks.chunk_bounds(10_000, 2)) == 8  # ⌈10000 / (2 × 4)⌉ = 1250 a chunk
    assert len(chunks.chunk_bounds(200_000, 2)) == 100  # 2000 a chunk at most


def _failing(how: str) -> Any:
    """evaluate_sections failing in every chunk but the first."""
    real = chunks.evaluate_sections

    def evaluate_sections(ruleset: Any, sections: Sequence[SchoolSection], engine: Any) -> list[SchoolResult]:
        if sections[0].school_id != "S0":
            if how == "raise":
                raise RuntimeError("boom in chunk")
            os.kill(os.getpid(), signal.SIGKILL)  # a worker that dies (OOM killer, segfault)
        return real(ruleset, sections, engine)

    return evaluate_sections


@pytest.mark.skipif(not FORK, reason="the failing worker is patched in, which only fork carries over")
@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize(("how", "words"), [("raise", "RuntimeError: boom in chunk"),
                                            ("kill", "BrokenProcessPool")])
def test_a_worker_error_is_exit_3_in_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch, how: str, words: str) -> None:
    source = generated_csv(tmp_path / "g.csv", 60, 3)
    monkeypatch.setattr(chunks, "evaluate_sections", _failing(how))
    monkeypatch.setattr(chunks, "start_method", lambda: "fork")
    out = tmp_path / "out.json"
    code, _, err = run_cli(capsys, "evaluate", str(source), "-f", "json", "-o", str(out), "-j", "2")
    assert code == 3
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and words in lines[0] and "internal error" in lines[0]
    assert not out.exists() and leftovers(tmp_path) == []  # nothing half-written, no .part left


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("error", [-3, 5])
def test_a_wrong_estimate_of_the_head_moves_the_sections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         error: int) -> None:
    # the first chunk estimates the digits of the summary's counts; a wrong estimate (here forced,
    # by 3 too few and 5 too many bytes) costs a pass over the file, never a wrong byte
    source = generated_csv(tmp_path / "g.csv", 60, 6)
    real = chunks.estimated_base
    monkeypatch.setattr(chunks, "estimated_base", lambda *a: real(*a) + error)
    loaded, batch = api.load_ruleset("national/quality-2017"), api.read_facts(source)
    for jobs, method in [(1, None), (2, "fork" if FORK else "spawn")]:
        out = tmp_path / f"out-{jobs}.json"
        chunks.evaluate_json_to_file(out, loaded, batch, "zh", None, jobs=jobs, method=method)  # type: ignore[arg-type]
        assert out.read_bytes() == whole_run(source, None), jobs


def test_the_estimate_is_the_digits_of_the_counts_scaled_to_the_batch() -> None:
    places = chunks._places(chunks.multiprocessing.get_context(), "unused", 1, None, 100, 200_000)
    # 2,000 sections: 700 passed, 1,300 failed → 70,000 and 130,000 of 200,000: 5 + 6 digits; 0 → 1 digit
    assert chunks.estimated_base(places, {"passed": 700, "failed": 1300, "unknown": 0, "scored": 0}, 2000) \
        == 100 + 5 + 6 + 1 + 1


def test_fork_only_without_other_threads() -> None:
    if not FORK:
        assert chunks.start_method() == "spawn"
        return
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert chunks.start_method() == "spawn"  # a thread could hold a lock the child never gets back
    finally:
        stop.set()
        thread.join()


def test_the_progress_has_no_refresh_thread(capsys: pytest.CaptureFixture[str]) -> None:
    before = threading.active_count()
    with progress_count(30, "evaluating", enabled=True) as advance:
        advance(10)
        assert threading.active_count() == before  # workers may be forked while it shows
        advance(20)
    assert chunks.default_jobs() >= 1


@pytest.mark.usefixtures("small_chunks")
def test_stdout_is_streamed_too(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = generated_csv(tmp_path / "g.csv", 40, 4)
    result = api.evaluate(api.read_facts(source), api.load_ruleset("national/quality-2017"), lang="en")
    for jobs in ("1", "2"):
        code, out, _ = run_cli(capsys, "evaluate", str(source), "-f", "json", "--lang", "en", "-j", jobs)
        assert code == 1 and out == result.to_json() + "\n"  # indented 2, as the whole document printed
        code, out, _ = run_cli(capsys, "evaluate", str(source), "-f", "json", "--indent", "0", "-j", jobs)
        assert out == json.dumps(api.evaluate(api.read_facts(source), api.load_ruleset("national/quality-2017"))
                                 .to_dict(), ensure_ascii=False, indent=0) + "\n"
    assert leftovers(tmp_path) == []

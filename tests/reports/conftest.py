"""The bundled example county, evaluated once for the report tests; Debian's headless Chromium."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from junheng.engine.evaluate import run_evaluation
from junheng.engine.results import EvaluationRun
from junheng.examples import example_path
from junheng.policy.readers import read_facts
from junheng.policy.registry import load_ruleset


@pytest.fixture(scope="session")
def demo_run() -> EvaluationRun:
    return run_evaluation(load_ruleset("national/quality-2017"), read_facts(example_path("demo_county.csv")),
                          "direct")


CHROMIUM = Path("/usr/bin/chromium")


class Chromium:
    """Headless Chromium on a page: ``chromium("--dump-dom", url)`` runs it (stderr carries the
    page's console), :meth:`console_lines` picks the console messages out of stderr."""

    def __init__(self, profile: Path) -> None:
        self.profile = profile

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             f"--user-data-dir={self.profile}", "--enable-logging=stderr", "--v=0", *args],
            capture_output=True, text=True, timeout=60, check=False,
        )

    @staticmethod
    def console_lines(stderr: str) -> list[str]:
        return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture
def chromium(tmp_path: Path) -> Chromium:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium); "
                    "install it with: apt-get install -y chromium")
    return Chromium(tmp_path / "profile")

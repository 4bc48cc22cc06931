"""The progress display is quiet when stdout is not a terminal."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.progress import progress_steps, show_progress
from junheng.examples import example_path


def test_quiet_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert show_progress() is False  # pytest captures stdout
    labels: list[str] = []
    with progress_steps(2) as step:
        step("a")
        labels.append("a")
        step("b")
    assert labels == ["a"] and capsys.readouterr() == ("", "")


def test_shown_steps_finish_cleanly() -> None:
    with progress_steps(3, enabled=True) as step:
        for label in ("reading", "evaluating", "writing"):
            step(label)


def test_piped_json_has_no_progress_noise() -> None:
    result = CliRunner().invoke(app, ["evaluate", str(example_path("demo_county.csv")), "-f", "json",
                                      "--engine", "direct"])
    assert json.loads(result.stdout)["summary"]["sections"] == 8

"""`junheng --help` reads as a user needs it: the main job first, no raw markup, a clean --version."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

import junheng
from junheng.cli.app import app

COMMANDS = ["evaluate", "demo", "county", "compare", "diff", "explain", "plan", "template", "check", "lint", "test",
            "rulesets"]


def _help(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_evaluate_is_listed_first() -> None:
    listed = re.findall(r"^│ (\w+) ", _help().split("Commands")[1], flags=re.M)
    assert listed == COMMANDS


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "rulesets"] + ["rulesets list"])
def test_help_has_no_raw_markup(command: str) -> None:
    assert "``" not in _help(*command.split())


def test_version_has_no_metavar() -> None:
    line = next(x for x in _help().splitlines() if "--version" in x)
    assert "<bool>" not in line
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"junheng {junheng.__version__}"

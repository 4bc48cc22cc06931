"""Runs the ``junheng`` command line in-process for a test: exit code, stdout, stderr."""

from __future__ import annotations

import pytest

from junheng.cli.app import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``junheng ARGS…``; typer always ends in SystemExit, whose code None means 0."""
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), out, err

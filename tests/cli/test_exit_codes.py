"""Exit codes that cannot be confused (0 ok, 1 not met / rows rejected, 2 unreadable input or bad
options, 3 internal error), checked output paths, stale temporary files, hostile names on a terminal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from clikit import run_cli

from junheng import api as api_module
from junheng.cli import atomic
from junheng.examples import example_path

DEMO = example_path("demo_county.csv")
HEADER = "学校标识码,学校名称,学段,在校生数\n"


@pytest.fixture(autouse=True)
def _fresh_protection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic, "_PROTECTED", set())
    monkeypatch.setattr(atomic, "REPLACE_SYMLINKS", False)


def test_ok_rejected_and_usage(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run_cli(capsys, "evaluate", str(DEMO), "-f", "json", "--engine", "direct")[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "A,甲,小学,100\nB,乙,小学,多少\n", encoding="utf-8")
    assert run_cli(capsys, "evaluate", str(bad), "-f", "json")[0] == 1  # one row rejected
    assert run_cli(capsys, "evaluate", str(tmp_path / "missing.csv"))[0] == 2
    assert run_cli(capsys, "evaluate", str(DEMO), "--no-such-option")[0] == 2
    assert run_cli(capsys, "evaluate", str(DEMO), "--ruleset", "no/such")[0] == 2


def test_internal_error_is_exit_3_with_one_line(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("engine exploded\nsecond line")

    monkeypatch.setattr(api_module, "run_evaluation", boom)  # `junheng evaluate` runs through the API
    code, _, err = run_cli(capsys, "evaluate", str(DEMO))
    assert code == 3 and "Traceback" not in err
    [line] = [ln for ln in err.splitlines() if ln.strip()]
    assert "internal error: RuntimeError: engine exploded second line" in line and "--debug" in line
    code, _, err = run_cli(capsys, "evaluate", str(DEMO), "--debug")  # a global flag, anywhere
    assert code == 3 and "Traceback" in err and "engine exploded" in err


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0 and "exit codes" in " ".join(out.split()) and "internal error" in " ".join(out.split())


def test_output_over_the_input_file_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "schools.csv"
    source.write_bytes(DEMO.read_bytes())
    for fmt in ("json", "table"):
        code, _, err = run_cli(capsys, "evaluate", str(source), "-f", fmt, "-o", str(source))
        assert code == 2 and "input file" in err
    assert source.read_bytes() == DEMO.read_bytes()


def test_directories_devices_and_symlinks_are_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run_cli(capsys, "evaluate", str(DEMO), "-f", "json", "-o", str(tmp_path))[0] == 2
    if Path("/dev/null").exists():
        code, _, err = run_cli(capsys, "evaluate", str(DEMO), "-f", "json", "-o", "/dev/null")
        assert code == 2 and "not a regular file" in err
    target = tmp_path / "target.txt"
    target.write_text("keep", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    code, _, err = run_cli(capsys, "evaluate", str(DEMO), "-f", "json", "-o", str(link))
    assert code == 2 and "--replace-symlinks" in err and link.is_symlink()
    code, _, _ = run_cli(capsys, "--replace-symlinks", "evaluate", str(DEMO), "-f", "json", "-o", str(link))
    assert code == 0 and not link.is_symlink() and link.is_file()
    assert target.read_text(encoding="utf-8") == "keep"  # the link was replaced, not followed


def test_stale_part_files_of_dead_writers_are_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    dead = tmp_path / ".report.json.999999999.abcd1234.part"  # no such process
    alive = tmp_path / f".report.json.{os.getpid()}.efgh5678.part"  # a writer still running
    other = tmp_path / ".other.json.999999999.abcd1234.part"  # another target's
    for p in (dead, alive, other):
        p.write_text("partial", encoding="utf-8")
    atomic.write_text_atomic(out, "{}\n")
    assert out.read_text(encoding="utf-8") == "{}\n"
    assert not dead.exists() and alive.exists() and other.exists()


def test_hostile_names_on_the_terminal(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "names.csv"
    source.write_text(HEADER + 'A,[/x],小学,100\nB,"\x1b]0;pwned\x07\x1b[2J",小学,200\nC,丙,小学,[bold]9\n',
                      encoding="utf-8")
    code, out, err = run_cli(capsys, "evaluate", str(source))
    assert code == 1  # C's students cannot be read
    assert "[/x]" in out and "\x1b" not in out + err and "\\x1b]0;pwned" in out
    assert "[bold]9" in out + err  # a rejected value, shown as written, not as markup

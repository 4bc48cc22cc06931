"""Fuzzing the classes the hardening attack found (issue 15): hostile CSV (quotes, long fields,
control characters, repeated headers, UTF-16), deep or digit-heavy JSON/YAML, mutated XLSX parts
(XML damage, DTDs, far cells, huge merges, bombs), hostile rulesets, and hostile names through the
renderers. Every input ends in a result or a clear error record, never an exception.

``JUNHENG_FUZZ_MINUTES=N`` (with ``JUNHENG_FUZZ_LONG=1``) runs :func:`test_long_run` for N minutes
over all of them; the counts are printed at the end (see conftest.py)."""

from __future__ import annotations

import io
import os
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from fuzzkit import EXAMPLES, FUZZ, LONG, record
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from junheng.cli.table_output import print_evaluation
from junheng.cli.xlsx_cells import append, workbook_bytes
from junheng.engine.evaluate import run_evaluation
from junheng.policy.inputs import FactsBatch
from junheng.policy.loader import RulesetError, load_ruleset_file
from junheng.policy.readers import read_facts, read_facts_text
from junheng.policy.registry import bundled_root, load_ruleset
from junheng.policy.xlsx_reader import read_xlsx_bytes

HOSTILE = settings(FUZZ, max_examples=EXAMPLES if LONG else max(1, EXAMPLES // 3))
"""The hostile targets are slower per input (evaluation, ruleset loading): a third of the budget in CI."""

QUALITY = load_ruleset("national/quality-2017")
QUALITY_TEXT = (bundled_root() / "national" / "quality-2017.yaml").read_text(encoding="utf-8")
HEADER = ["学校标识码", "学校名称", "学段", "在校生数", "教学及辅助用房面积（平方米）"]
HOSTILE_TEXT = ["=1+1", '=HYPERLINK("http://x","click")', "@SUM(1)", "-1+2", "+1", "[/x]", "[bold]",
                "\x1b]0;pwned\x07", "\x1b[2J", "\r", "\t", "\x00", "\ufeff", "\u202e", '"', '""', "\n",
                "x" * 20_000, "9" * 200, "1." + "1" * 100, "小学", "初中", "100", "#N/A"]


def _check(batch: FactsBatch) -> None:
    assert len(batch.sections) + batch.rejected_rows == batch.rows_read
    for issue in batch.issues:
        assert issue.message_zh and issue.message_en and issue.file


def _run(target: str, fn: object, *args: object) -> None:
    try:
        fn(*args)  # type: ignore[operator]
    except BaseException:
        record(target, crashed=True)
        raise
    record(target)


cell = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=10), st.integers(0, 5000).map(str))


@HOSTILE
@given(st.lists(st.sampled_from(HEADER), min_size=1, max_size=7),
       st.lists(st.lists(cell, max_size=7), max_size=6),
       st.sampled_from([",", "\t"]), st.booleans(), st.sampled_from(["utf-8", "utf-16", "gb18030", "cut-utf-16"]))
def test_hostile_csv(headers: list[str], rows: list[list[str]], sep: str, quote_all: bool, encoding: str) -> None:
    def go() -> None:
        def field(text: str) -> str:
            return '"' + text.replace('"', '""') + '"' if quote_all else text  # unquoted: raw quotes

        text = "\n".join(sep.join(field(c) for c in row) for row in [headers, *rows]) + "\n"
        if encoding == "cut-utf-16":
            data = text.encode("utf-16")[:-1]
        else:
            try:
                data = text.encode(encoding)
            except UnicodeEncodeError:
                data = text.encode("utf-8")
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "f.csv"
            path.write_bytes(data)
            _check(read_facts(path))

    _run("hostile.csv", go)


@HOSTILE
@given(st.integers(1, 400), st.sampled_from(["json-list", "json-object", "yaml-block", "yaml-flow", "yaml-map"]),
       st.sampled_from(["1", "1." + "5" * 5000, "9" * 5000, "-0", '"x"']))
def test_deep_and_digit_heavy_json_yaml(depth: int, shape: str, leaf: str) -> None:
    def go() -> None:
        if shape == "json-list":
            text, fmt = "[" * depth + leaf + "]" * depth, "json"
        elif shape == "json-object":
            text, fmt = '{"a":' * depth + leaf + "}" * depth, "json"
        elif shape == "yaml-block":
            text, fmt = "- " * depth + leaf, "yaml"
        elif shape == "yaml-flow":
            text, fmt = "[" * depth + leaf + "]" * depth, "yaml"
        else:
            text, fmt = "".join(" " * i + "a:\n" for i in range(depth)) + " " * depth + leaf, "yaml"
        _check(read_facts_text(text, fmt, f"deep.{fmt}"))

    _run("hostile.nesting", go)


def _workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "小学"
    ws.append(["学校标识码", "学校名称", "在校生数", "教学及辅助用房面积（平方米）"])
    ws.append(["A", "甲", 100, 450])
    ws.append(["B", "乙", 200, 900])
    ws.merge_cells("B2:B3")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


WORKBOOK = _workbook()
PARTS = [i.filename for i in zipfile.ZipFile(io.BytesIO(WORKBOOK)).infolist()]
SNIPPETS = ['<!DOCTYPE x [<!ENTITY a "aaaa">]>', '<c r="XFD1048576"><v>1</v></c>', '<mergeCell ref="A1:XFD1048576"/>',
            '<c r="A1" t="s"><v>999</v></c>', '<c r="A1" s="x">', '<row r="0">', "<", "&lt;", "&bogus;",
            '<dimension ref="A1:XFD1048576"/>', " " * 5000, "<![CDATA[", '<c r="1A"/>', '"', "\x00"]


@st.composite
def mutated_workbook(draw: st.DrawFn) -> bytes:
    part = draw(st.sampled_from(PARTS))
    src = zipfile.ZipFile(io.BytesIO(WORKBOOK))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                for _ in range(draw(st.integers(1, 3))):
                    at = draw(st.integers(0, len(data)))
                    action = draw(st.sampled_from(["insert", "delete", "flip"]))
                    if action == "insert":
                        data = data[:at] + draw(st.sampled_from(SNIPPETS)).encode() + data[at:]
                    elif action == "delete":
                        data = data[:at] + data[at + draw(st.integers(1, 40)):]
                    elif data:
                        i = min(at, len(data) - 1)
                        data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
            if not draw(st.integers(0, 30)) == 0:  # sometimes a part goes missing
                dst.writestr(info.filename, data)
    return out.getvalue()


@HOSTILE
@given(st.one_of(mutated_workbook(), st.binary(max_size=300)))
def test_mutated_xlsx_parts(data: bytes) -> None:
    _run("hostile.xlsx", lambda: _check(read_xlsx_bytes(data, "fuzz.xlsx")))


RULESET_SNIPPETS = ["value: -1", "value: 85", "floor: 2", "value: " + "1" * 200, 'zh: "\\e[2J"', "x: " + "[" * 300,
                    "- " * 300 + "x", "rules: [" + ", ".join(f"r{i}" for i in range(70)) + "]", "extends: a\0b.yaml",
                    "extends: ../x.yaml", "min_met: 0", "value: 1e40", "value: .nan", "&a [*a, *a]"]


@st.composite
def hostile_ruleset(draw: st.DrawFn) -> str:
    lines = QUALITY_TEXT.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        snippet = draw(st.sampled_from(RULESET_SNIPPETS))
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        lines[i] = indent + snippet if draw(st.booleans()) else snippet
    return "\n".join(lines) + "\n"


@HOSTILE
@given(hostile_ruleset())
def test_hostile_rulesets(text: str) -> None:
    def go() -> None:
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "r.yaml"
            path.write_text(text, encoding="utf-8")
            try:
                load_ruleset_file(path)
            except RulesetError as exc:
                assert exc.problems and all(p.message for p in exc.problems)

    _run("hostile.ruleset", go)


@HOSTILE
@given(st.lists(st.tuples(cell, cell), min_size=1, max_size=4))
def test_hostile_names_through_the_renderers(names: list[tuple[str, str]]) -> None:
    def go() -> None:
        text = "学校标识码,学校名称,学段,在校生数\n" + "".join(
            f'"{i}{sid.replace(chr(34), "")}","{name.replace(chr(34), "")}",小学,100\n'
            for i, (sid, name) in enumerate(names))
        batch = read_facts_text(text, "csv", "[/x]\x1b.csv")
        run = run_evaluation(QUALITY, batch, "direct")
        console = Console(record=True, width=120, file=io.StringIO())
        print_evaluation(run, console, "zh")
        assert "\x1b" not in console.export_text(styles=False)
        wb = openpyxl.Workbook()
        for s in run.schools:
            append(wb.active, [s.school_id, s.school_name])
        with zipfile.ZipFile(io.BytesIO(workbook_bytes(wb))) as z:
            assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")

    _run("hostile.render", go)


TARGETS = [test_hostile_csv, test_deep_and_digit_heavy_json_yaml, test_mutated_xlsx_parts, test_hostile_rulesets,
           test_hostile_names_through_the_renderers]


@pytest.mark.skipif(not LONG or "JUNHENG_FUZZ_MINUTES" not in os.environ,
                    reason="a timed run: JUNHENG_FUZZ_LONG=1 JUNHENG_FUZZ_MINUTES=N")
def test_long_run() -> None:
    """Every hostile target, round after round, until the time is up."""
    from test_fuzz_inputs import (
        test_parse_number_gives_a_number_or_a_cell_error,
        test_read_facts_on_arbitrary_bytes,
        test_readers_never_crash_and_lose_no_row,
        test_readers_on_arbitrary_text,
        test_ruleset_loader_loads_or_reports,
    )

    targets = [*TARGETS, test_readers_never_crash_and_lose_no_row, test_readers_on_arbitrary_text,
               test_read_facts_on_arbitrary_bytes, test_parse_number_gives_a_number_or_a_cell_error,
               test_ruleset_loader_loads_or_reports]
    end = time.monotonic() + float(os.environ["JUNHENG_FUZZ_MINUTES"]) * 60
    while time.monotonic() < end:
        for target in targets:
            target()
            if time.monotonic() >= end:
                break

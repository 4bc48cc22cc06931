"""Fuzzing the facts readers, the cell parser, the formula grammar, the ruleset loader and the
evaluation: every input ends in a result or a clear error, never a crash, and no row is lost
(evaluated + rejected = rows read)."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from fractions import Fraction
from pathlib import Path

from fuzzkit import FUZZ, record
from hypothesis import given
from hypothesis import strategies as st

from junheng.engine.evaluate import evaluate_sections
from junheng.policy.cells import CellError, parse_number
from junheng.policy.facts import SCHOOL_FACTS, Level
from junheng.policy.formula import FormulaError, evaluate, parse_formula
from junheng.policy.inputs import FactsBatch, SchoolSection
from junheng.policy.loader import RulesetError, load_ruleset_file
from junheng.policy.readers import read_facts_text
from junheng.policy.registry import bundled_root, load_ruleset

QUALITY = load_ruleset("national/quality-2017").ruleset

NASTY_CELLS = [
    "", " ", "0", "-0", "-5", "1", "100", "4.5", "0.9", "1e300", "1e-12", "1e-300", "1E5", "1e999999999",
    "NaN", "nan", "inf", "-inf", "Infinity", "∞", ".inf", "１２３", "１２．５", "1,234", "1,23", "12万",
    "1.2亿", "85%", "约100", "100平方米", "100㎡", "3台", "1/2", "#DIV/0!", "—", "无", "٣", "9" * 5000,
    "0x10", "1_000", "1e", "..", "。5", "1。5", "true", "是", "小学", "初中", "primary", "junior",
    "\x00", "\ufeff12", "１ ２", "-", "+7", "−3", "0.0000000000001", "12345678901234567",
]
HEADERS = ["school_id", "level", "学段", "学校标识码", "school_type", "year", "unknown col", "备注", "",
           "教学仪器设备值(万元)", "在校生数(人)", "students(平方米)", "students", "students"] + \
    [f.name for f in SCHOOL_FACTS] + [f.zh for f in SCHOOL_FACTS]


def cell() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NASTY_CELLS), st.text(max_size=12),
                     st.integers(-10**6, 10**18).map(str),
                     st.decimals(allow_nan=True, allow_infinity=True, places=3).map(str))


@st.composite
def table(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    headers = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=10))
    if draw(st.booleans()):
        headers = ["school_id", "level", "students", *headers]
    rows = draw(st.lists(st.lists(cell(), min_size=0, max_size=len(headers) + 2), max_size=8))
    return headers, rows


def check_batch(batch: FactsBatch) -> None:
    assert len(batch.sections) + batch.rejected_rows == batch.rows_read
    rejected = {i.row for i in batch.errors if i.row is not None}
    assert not rejected & {s.row for s in batch.sections}
    for issue in batch.issues:
        assert issue.message_zh and issue.message_en
    results = evaluate_sections(QUALITY, batch.sections)
    assert len(results) == len(batch.sections)


def _as_csv(headers: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(headers)
    w.writerows(rows)
    return out.getvalue()


def _as_records(headers: list[str], rows: list[list[str]], numbers: bool) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for row in rows:
        rec: dict[str, object] = {}
        for h, v in zip(headers, row, strict=False):
            if numbers:
                try:
                    rec[h] = json.loads(v)
                except ValueError:
                    rec[h] = v
            else:
                rec[h] = v
        records.append(rec)
    return records


def _run(target: str, fn: object, *args: object) -> None:
    try:
        fn(*args)  # type: ignore[operator]
    except BaseException:
        record(target, crashed=True)
        raise
    record(target)


@FUZZ
@given(table(), st.sampled_from(["csv", "json", "json-numbers", "yaml"]))
def test_readers_never_crash_and_lose_no_row(t: tuple[list[str], list[list[str]]], fmt: str) -> None:
    headers, rows = t

    def go() -> None:
        if fmt == "csv":
            text = _as_csv(headers, rows)
        elif fmt == "yaml":
            import yaml

            text = yaml.safe_dump(_as_records(headers, rows, False), allow_unicode=True)
        else:
            text = json.dumps(_as_records(headers, rows, fmt == "json-numbers"), ensure_ascii=False)
        check_batch(read_facts_text(text, fmt.split("-")[0], f"fuzz.{fmt}"))

    _run(f"readers.{fmt.split('-')[0]}", go)


@FUZZ
@given(st.text(max_size=300), st.sampled_from(["csv", "json", "yaml"]))
def test_readers_on_arbitrary_text(text: str, fmt: str) -> None:
    _run(f"readers.{fmt}.text", lambda: check_batch(read_facts_text(text, fmt, "fuzz")))


@FUZZ
@given(st.binary(max_size=200), st.sampled_from([".csv", ".json", ".yaml"]))
def test_read_facts_on_arbitrary_bytes(data: bytes, suffix: str) -> None:
    from junheng.policy.readers import read_facts

    def go() -> None:
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / f"f{suffix}"
            path.write_bytes(data)
            check_batch(read_facts(path))

    _run(f"readers.bytes{suffix}", go)


@FUZZ
@given(cell())
def test_parse_number_gives_a_number_or_a_cell_error(text: str) -> None:
    def go() -> None:
        try:
            parsed = parse_number(text)
        except CellError as exc:
            assert exc.message_zh and exc.message_en
            return
        assert parsed.value is None or isinstance(parsed.value, Fraction)

    _run("cells.parse_number", go)


FORMULA_ATOMS = ["students", "books", "1", "0", "100", "4.5", "(", ")", "+", "-", "*", "/", "__import__",
                 "'os'", ".", "__class__", "[0]", "**", "lambda", "x", "()", ",", "eval", "__builtins__",
                 " ", "1e3", "０", "学生", ";", "import os"]


@FUZZ
@given(st.one_of(st.lists(st.sampled_from(FORMULA_ATOMS), max_size=20).map("".join), st.text(max_size=60)),
       st.dictionaries(st.sampled_from(["students", "books", "x"]),
                       st.fractions(max_denominator=1000), max_size=3))
def test_formula_parses_or_refuses(text: str, values: dict[str, Fraction]) -> None:
    def go() -> None:
        try:
            expr = parse_formula(text)
        except FormulaError:
            return
        try:
            assert isinstance(evaluate(expr, values), Fraction)
        except FormulaError:
            pass

    _run("formula", go)


QUALITY_TEXT = (bundled_root() / "national" / "quality-2017.yaml").read_text(encoding="utf-8")
YAML_SCALARS = ["1e300", "1e-12", ".nan", ".inf", "-1", "0", "!!python/object/apply:os.system ['true']",
                "''", "~", "[]", "{}", "１２", "0x1F", "9" * 5000, "1e999999999", "'1e999999999'", "&a [*a]",
                "!!binary aGVsbG8=", "2026-13-45", "yes", "{param: nope}", "students.__class__"]


@st.composite
def mutated_ruleset(draw: st.DrawFn) -> str:
    lines = QUALITY_TEXT.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["value", "delete", "dup", "text"]))
        if action == "delete":
            del lines[i]
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "text":
            lines[i] = draw(st.text(max_size=30))
        elif ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(st.sampled_from(YAML_SCALARS))}"
    return "\n".join(lines) + "\n"


@FUZZ
@given(st.one_of(mutated_ruleset(), st.text(max_size=200)))
def test_ruleset_loader_loads_or_reports(text: str) -> None:
    def go() -> None:
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "r.yaml"
            path.write_text(text, encoding="utf-8")
            try:
                loaded = load_ruleset_file(path)
            except RulesetError as exc:
                assert exc.problems and all(p.message for p in exc.problems)
                return
            school = SchoolSection(school_id="A", level=Level.primary, values={
                "students": Fraction(500), "books": Fraction(10000), "teaching_aux_area_m2": Fraction(2000)})
            assert len(evaluate_sections(loaded.ruleset, [school])) == 1

    _run("ruleset.loader", go)


EXTREME = [Fraction(0), Fraction(1, 10**12), Fraction(10**14), Fraction(1), Fraction(7, 3), Fraction(10**15 - 1),
           Fraction(1, 3)]


@FUZZ
@given(st.lists(st.fixed_dictionaries(
    {"level": st.sampled_from(list(Level)),
     "values": st.dictionaries(st.sampled_from([f.name for f in SCHOOL_FACTS if f.name not in
                                                ("school_id", "school_name", "county", "level",
                                                 "school_type", "year")]),
                               st.one_of(st.sampled_from(EXTREME), st.fractions(min_value=0, max_denominator=10**6)),
                               max_size=12)}), max_size=6))
def test_engine_on_extreme_sections(specs: list[dict[str, object]]) -> None:
    def go() -> None:
        sections = [SchoolSection(school_id=f"S{i}", level=s["level"], values=s["values"])  # type: ignore[arg-type]
                    for i, s in enumerate(specs)]
        durable = evaluate_sections(QUALITY, sections, "durable")
        assert durable == evaluate_sections(QUALITY, sections, "direct")
        assert [(r.school_id, r.level) for r in durable] == [(s.school_id, s.level) for s in sections]

    _run("engine.extreme", go)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["school_id", "level", "students", "year", "books", "sports_area_m2",
                                           "学段", "x"]),
                          st.one_of(st.sampled_from(YAML_SCALARS + NASTY_CELLS[:40]), st.text(max_size=8))),
                max_size=8), st.integers(1, 3))
def test_raw_yaml_facts(cells: list[tuple[str, str]], copies: int) -> None:
    # scalars written raw (not quoted by a dumper): tags, dates, anchors, .nan, huge ints …
    record = "- {" + ", ".join(f"{k}: {v}" for k, v in cells) + "}\n"
    _run("readers.yaml.raw", lambda: check_batch(read_facts_text(record * copies, "yaml", "raw.yaml")))

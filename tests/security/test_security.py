"""Loading a ruleset or a facts file cannot execute code or read other files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from junheng.engine.check import CheckSettings, run_checks
from junheng.policy.formula import FormulaError, parse_formula
from junheng.policy.loader import RulesetError, load_ruleset_file
from junheng.policy.readers import read_facts, read_facts_text
from junheng.policy.registry import bundled_root, load_ruleset

QUALITY = (bundled_root() / "national" / "quality-2017.yaml").read_text(encoding="utf-8")
MARKER_CODE = "open('{marker}', 'w').write('pwned')"


def _ruleset(tmp_path: Path, text: str, name: str = "r.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("tag", [
    "!!python/object/apply:builtins.exec [\"{code}\"]",
    "!!python/object/apply:os.system [\"touch {marker}\"]",
    "!!python/name:os.system",
    "!!python/object/new:builtins.eval [\"{code}\"]",
    "!<tag:yaml.org,2002:python/object/apply:builtins.exec> [\"{code}\"]",
])
def test_yaml_python_tags_in_a_ruleset_are_refused(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "marker"
    payload = tag.format(code=MARKER_CODE.format(marker=marker), marker=marker)
    text = QUALITY.replace("version: \"2017-05-23\"", f"version: {payload}")
    with pytest.raises(RulesetError) as info:
        load_ruleset_file(_ruleset(tmp_path, text))
    assert "not allowed" in str(info.value)
    assert not marker.exists()


@pytest.mark.parametrize("fmt", ["yaml"])
def test_yaml_python_tags_in_facts_are_refused(tmp_path: Path, fmt: str) -> None:
    marker = tmp_path / "marker"
    text = (f"- school_id: !!python/object/apply:os.system [\"touch {marker}\"]\n"
            "  level: 小学\n  students: 100\n")
    batch = read_facts_text(text, fmt, "facts.yaml")
    assert batch.rows_read == 0 and batch.issues  # a clear file-level error
    assert not marker.exists()


def _with_backbone_formula(formula: str) -> str:
    """The 2017 ruleset with its backbone-teacher indicator defined in full (not from the
    catalogue) with this formula."""
    assert "\nrules:\n" in QUALITY
    return QUALITY.replace("\nrules:\n", "\nindicators:\n  backbone_teachers_per_100:\n"
                           "    title: {zh: 骨干, en: backbone}\n"
                           f"    formula: {formula}\n"
                           "    unit: teachers_per_100_students\n\nrules:\n", 1)


@pytest.mark.parametrize("formula", [
    "__import__('os').system('true')", "students.__class__", "students.__class__.__mro__",
    "(students).real", "students[0]", "students ** 2", "eval('1')", "lambda: 1", "students if 1 else 0",
    "[students]", "students; import os", "open('/etc/passwd')", "getattr(students, 'x')",
    "students @ students", "1 if True else 0", "f'{students}'",
])
def test_formulas_cannot_reach_python(tmp_path: Path, formula: str) -> None:
    with pytest.raises(FormulaError):
        parse_formula(formula)
    text = _with_backbone_formula(f"\"{formula}\"")
    with pytest.raises(RulesetError):
        load_ruleset_file(_ruleset(tmp_path, text))


def test_dunder_names_are_only_unknown_facts(tmp_path: Path) -> None:
    # a bare name is a fact lookup in a dict, never a Python name: __import__ is an unknown fact
    text = _with_backbone_formula("__import__ / students")
    with pytest.raises(RulesetError) as info:
        load_ruleset_file(_ruleset(tmp_path, text))
    assert "unknown fact or parameter '__import__'" in str(info.value)


def _child(parent_ref: str) -> str:
    return f"""schema_version: 1
id: test/child
version: "1"
title: {{zh: 子, en: child}}
jurisdiction: {{zh: 测试, en: test}}
document: {{number: x, title: {{zh: x, en: x}}}}
effective: {{from: 2020-01-01}}
extends: {parent_ref}
"""


@pytest.mark.parametrize("ref", [
    "../secret.yaml", "../../etc/passwd", "/etc/passwd", "sub/../../secret.yaml", "..\\secret.yaml",
    "C:/secret.yaml", "file:///etc/passwd", "national/../../secret", "/tmp/x.yaml", "~/.ssh/id_rsa",
])
def test_extends_cannot_leave_the_folder(tmp_path: Path, ref: str) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(QUALITY.replace("id: national/quality-2017", "id: test/secret"), encoding="utf-8")
    folder = tmp_path / "rulesets"
    folder.mkdir()
    with pytest.raises(RulesetError) as info:
        load_ruleset_file(_ruleset(folder, _child(ref)))
    assert "extends" in str(info.value)


def test_extends_through_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(QUALITY.replace("id: national/quality-2017", "id: test/secret"), encoding="utf-8")
    folder = tmp_path / "rulesets"
    folder.mkdir()
    (folder / "link.yaml").symlink_to(secret)
    with pytest.raises(RulesetError):
        load_ruleset_file(_ruleset(folder, _child("link.yaml")))


def test_ruleset_refs_are_ids_or_yaml_files_only(tmp_path: Path) -> None:
    for ref in ["../../../etc/passwd", "/etc/passwd", "national/../../../etc/hostname", str(tmp_path)]:
        with pytest.raises(RulesetError):
            load_ruleset(ref)


@pytest.mark.parametrize(("value", "loads"), [
    ("1e300", False), ("1e-12", True), (".nan", False), (".inf", False), ("-.inf", False),
    ("'1e999999999'", False), ("9" * 5000, False), ("0.1", True),
])
def test_huge_tiny_and_non_finite_numbers_in_a_ruleset(tmp_path: Path, value: str, loads: bool) -> None:
    text = QUALITY.replace("value: {primary: 1, junior: 1}", f"value: {{primary: {value}, junior: 1}}")
    path = _ruleset(tmp_path, text)
    if loads:
        assert load_ruleset_file(path).ruleset.rule("resource.backbone_teachers")
    else:
        with pytest.raises(RulesetError):
            load_ruleset_file(path)


@pytest.mark.parametrize(("cell", "ok"), [
    ("1e300", False), ("1e-12", True), ("NaN", False), ("inf", False), ("-1", False), ("１２３", True),
    ("1e999999999", False), ("0", True), ("12345678901234567890", False), ("1e-13", False),
])
def test_huge_tiny_and_non_finite_cells(cell: str, ok: bool) -> None:
    batch = read_facts_text(f"school_id,level,students,teaching_aux_area_m2\nA,小学,100,{cell}\n", "csv", "f.csv")
    assert batch.rows_read == 1
    assert len(batch.sections) == (1 if ok else 0)
    assert len(batch.sections) + batch.rejected_rows == 1


def test_json_integer_beyond_the_digit_limit_is_a_clear_error() -> None:
    text = json.dumps([{"school_id": "A", "level": "小学", "students": 1}]).replace(": 1}", ": " + "9" * 5000 + "}")
    batch = read_facts_text(text, "json", "f.json")
    # the number stays text (converted in linear time) and only its row is rejected, naming the cell
    assert batch.rows_read == 1 and batch.sections == []
    [error] = batch.errors
    assert error.column == "students" and "too long" in error.message_en


def test_empty_files_and_duplicate_ids(tmp_path: Path) -> None:
    for suffix in (".csv", ".json", ".yaml"):
        empty = tmp_path / f"empty{suffix}"
        empty.write_bytes(b"")
        batch = read_facts(empty)
        assert batch.rows_read == 0 and batch.issues
    with pytest.raises(RulesetError):
        load_ruleset_file(_ruleset(tmp_path, ""))
    batch = read_facts_text("school_id,level,students\nA,小学,100\nA,小学,200\nA,初中,300\n", "csv", "d.csv")
    assert batch.rows_read == 3 and len(batch.sections) == 2 and batch.rejected_rows == 1


def test_a_gate_that_would_explode_the_engine_is_refused(tmp_path: Path) -> None:
    rules = "".join(f"""
  - id: r{i}
    kind: threshold
    title: {{zh: r, en: r}}
    source: test
    status: confirmed
    indicator: books_per_student
    op: ">="
    value: {i + 1}
""" for i in range(30))
    gate = """
  - id: gate
    kind: count_gate
    title: {zh: g, en: g}
    source: test
    status: confirmed
    rules: [""" + ", ".join(f"r{i}" for i in range(30)) + """]
    min_met: 1
    floor: 0.5
"""
    text = f"""schema_version: 1
id: test/gate
version: "1"
title: {{zh: t, en: t}}
jurisdiction: {{zh: t, en: t}}
document: {{number: x, title: {{zh: x, en: x}}}}
effective: {{from: 2020-01-01}}
indicators:
  books_per_student: {{title: {{zh: b, en: b}}, formula: books / students, unit: volumes_per_student}}
rules:{rules}{gate}"""
    with pytest.raises(RulesetError) as info:
        load_ruleset_file(_ruleset(tmp_path, text))
    assert "engine clauses" in str(info.value)


def test_check_never_runs_code_from_a_ruleset(tmp_path: Path) -> None:
    # the checker only evaluates; a loaded ruleset is data
    report = run_checks(load_ruleset("national/quality-2017").ruleset, invariants=["engines_agree"],
                        check=CheckSettings(max_examples=5))
    assert report.ok


def test_impossible_dates_are_clear_errors(tmp_path: Path) -> None:
    # fuzzing found: 2026-13-45 matches YAML's timestamp pattern and raised ValueError (a crash)
    text = QUALITY.replace("last_checked: 2026-11-25", "last_checked: 2026-13-45", 1)
    with pytest.raises(RulesetError) as info:
        load_ruleset_file(_ruleset(tmp_path, text))
    assert "not a valid date" in str(info.value)
    batch = read_facts_text("- {school_id: A, level: 小学, students: 100, year: 2024-13-45}\n", "yaml", "f.yaml")
    # a clear message, not a crash; 学年 is a label no rule reads, so a warning (issue 11)
    assert batch.rows_read == 1 and [(i.column, i.severity) for i in batch.issues] == [("year", "warning")]


@pytest.mark.parametrize("text", [
    "- {school_id: &a [*a], level: 小学, students: 100}\n",  # fuzzing found: circular cell crashed the reader
    "- &r {school_id: A, level: 小学, students: 100}\n- *r\n",
    "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b]\n",
])
def test_yaml_aliases_in_facts_are_refused(text: str) -> None:
    batch = read_facts_text(text, "yaml", "f.yaml")
    assert batch.rows_read == 0 and "aliases" in batch.issues[0].message_en

"""Loading rulesets: safe YAML, exact numbers, errors naming file, line and key, formula grammar."""

from __future__ import annotations

import hashlib
from fractions import Fraction
from pathlib import Path

import pytest

from junheng.policy.formula import FormulaError, evaluate, names, parse_formula
from junheng.policy.loader import Problem, RulesetError, load_ruleset_file
from junheng.policy.model import ThresholdRule
from junheng.policy.registry import bundled_ids, bundled_root, load_ruleset

# A minimal valid ruleset; tests change one line and check the line number in the error.
MINI = """\
schema_version: 1
id: test/mini
version: "1"
title: {zh: 测试, en: test}
jurisdiction: {zh: 全国, en: National}
document:
  number: 教督〔2017〕6号
  title: {zh: 办法, en: measures}
effective:
  from: 2017-05-23
parameters:
  floor:
    title: {zh: 余项, en: floor}
    value: 0.85
    unit: ratio
    status: secondary
    source: test
indicators:
  pe_art_per_100:
    title: {zh: 体艺, en: PE}
    formula: pe_art_teachers / students * 100
    unit: teachers_per_100_students
    resource: pe_art_teachers
rules:
  - id: r.pe
    kind: threshold
    title: {zh: 体艺, en: PE}
    source: 教督〔2017〕6号 第五条（三）
    status: secondary
    indicator: pe_art_per_100
    op: ">="
    value: {primary: 0.9, junior: 0.9}
"""


def write(tmp_path: Path, text: str, name: str = "ruleset.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    """1-based number of the (unique) line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def problems(path: Path) -> list[Problem]:
    with pytest.raises(RulesetError) as info:
        load_ruleset_file(path)
    assert str(path) in str(info.value)
    return info.value.problems


def only_problem(path: Path) -> Problem:
    found = problems(path)
    assert len(found) == 1, found
    return found[0]


def test_minimal_ruleset_loads_with_exact_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, MINI)
    loaded = load_ruleset_file(path)
    rule = loaded.ruleset.rules[0]
    assert isinstance(rule, ThresholdRule)
    assert rule.value.primary == Fraction(9, 10)
    assert rule.value.primary != Fraction(0.9)  # the binary float 0.9 is not nine tenths
    assert loaded.ruleset.parameters["floor"].value.primary == Fraction(17, 20)
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_bundled_quality_2017_numbers_are_exact() -> None:
    assert "national/quality-2017" in bundled_ids()
    r = load_ruleset("national/quality-2017").ruleset
    pe = r.rule("resource.pe_art_teachers")
    assert isinstance(pe, ThresholdRule)
    assert (pe.value.primary, pe.value.junior) == (Fraction(9, 10), Fraction(9, 10))
    area = r.rule("resource.teaching_area")
    assert isinstance(area, ThresholdRule)
    assert (area.value.primary, area.value.junior) == (Fraction(9, 2), Fraction(29, 5))  # 4.5, 5.8
    assert r.parameters["remaining_indicator_floor"].value.primary == Fraction(85, 100)


def test_bundled_rulesets_all_load() -> None:
    for ruleset_id in bundled_ids():
        loaded = load_ruleset(ruleset_id)
        assert loaded.ruleset.id == ruleset_id
        assert len(loaded.sha256) == 64


def test_load_by_path_gives_the_bundled_hash() -> None:
    path = bundled_root() / "national" / "quality-2017.yaml"
    by_path = load_ruleset(str(path))
    assert by_path.sha256 == load_ruleset("national/quality-2017").sha256


def test_unknown_ruleset_id() -> None:
    with pytest.raises(RulesetError, match="national/nope"):
        load_ruleset("national/nope")


# ----------------------------------------------------------------------------------------------
# Errors name file, line and key
# ----------------------------------------------------------------------------------------------


def test_unknown_top_level_key(tmp_path: Path) -> None:
    text = MINI.replace('version: "1"\n', 'version: "1"\ncolour: red\n')
    p = only_problem(write(tmp_path, text))
    assert (p.line, p.key) == (line_of(text, "colour"), "colour")
    assert "unknown key" in p.message
    assert str(p).startswith(f"{tmp_path / 'ruleset.yaml'}:{p.line}: colour:")


def test_unknown_key_inside_a_rule(tmp_path: Path) -> None:
    text = MINI.replace("    indicator: pe_art_per_100\n", "    indicator: pe_art_per_100\n    treshold: 1\n")
    p = only_problem(write(tmp_path, text))
    assert p.line == line_of(text, "treshold")
    assert p.key == "rules[0].treshold"


def test_unknown_key_inside_an_indicator(tmp_path: Path) -> None:
    text = MINI.replace("    resource: pe_art_teachers\n", "    resource: pe_art_teachers\n    weight: 2\n")
    p = only_problem(write(tmp_path, text))
    assert (p.line, p.key) == (line_of(text, "weight"), "indicators.pe_art_per_100.weight")


def test_unknown_fact_in_a_formula(tmp_path: Path) -> None:
    text = MINI.replace("formula: pe_art_teachers / students", "formula: pe_art_teachers / pupils")
    p = only_problem(write(tmp_path, text))
    assert (p.line, p.key) == (line_of(text, "formula:"), "indicators.pe_art_per_100.formula")
    assert "'pupils'" in p.message


def test_resource_not_a_fact(tmp_path: Path) -> None:
    text = MINI.replace("resource: pe_art_teachers", "resource: gym_teachers")
    p = only_problem(write(tmp_path, text))
    assert (p.line, p.key) == (line_of(text, "resource:"), "indicators.pe_art_per_100.resource")


def test_bad_unit(tmp_path: Path) -> None:
    text = MINI.replace("unit: teachers_per_100_students", "unit: furlongs")
    p = only_problem(write(tmp_path, text))
    assert (p.line, p.key) == (line_of(text, "furlongs"), "indicators.pe_art_per_100.unit")
    assert "furlongs" in p.message


def test_bad_parameter_unit(tmp_path: Path) -> None:
    text = MINI.replace("unit: ratio", "unit: percentage_points")
    p = only_problem(write(tmp_path, text))
    assert (p.line, p.key) == (line_of(text, "percentage_points"), "parameters.floor.unit")


def test_unknown_indicator_and_bad_op(tmp_path: Path) -> None:
    text = MINI.replace("    op: \">=\"", "    op: \"=>\"")
    p = only_problem(write(tmp_path, text))
    assert (p.line, p.key) == (line_of(text, '"=>"'), "rules[0].op")
    text = MINI.replace("indicator: pe_art_per_100", "indicator: pe_per_100")
    p = only_problem(write(tmp_path, text))
    assert (p.line, p.key) == (line_of(text, "pe_per_100"), "rules[0].indicator")


def test_several_problems_reported_at_once(tmp_path: Path) -> None:
    text = MINI.replace('version: "1"\n', 'version: "1"\ncolour: red\n').replace(
        "    indicator: pe_art_per_100\n", "    indicator: pe_art_per_100\n    treshold: 1\n")
    found = problems(write(tmp_path, text))
    assert {p.key for p in found} == {"colour", "rules[0].treshold"}


def test_duplicate_key(tmp_path: Path) -> None:
    text = MINI.replace('version: "1"\n', 'version: "1"\nversion: "2"\n')
    p = only_problem(write(tmp_path, text))
    assert p.line == line_of(text, 'version: "2"')
    assert "duplicate key 'version'" in p.message


def test_duplicate_key_nested(tmp_path: Path) -> None:
    text = MINI.replace("    status: secondary\n    indicator:",
                        "    status: secondary\n    status: confirmed\n    indicator:")
    p = only_problem(write(tmp_path, text))
    assert p.line == line_of(text, "status: confirmed")
    assert "duplicate key 'status'" in p.message


def test_duplicate_rule_id(tmp_path: Path) -> None:
    rule = MINI[MINI.index("  - id: r.pe"):]
    text = MINI + rule
    found = problems(write(tmp_path, text))
    assert any("duplicate rule id 'r.pe'" in p.message and p.key == "rules[1].id" for p in found)


@pytest.mark.parametrize("tagged", [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object:builtins.object {{}}",
    "!!python/name:os.system ''",
    "!!binary aGVsbG8=",
    "!custom 1",
])
def test_python_and_unknown_yaml_tags_are_refused(tmp_path: Path, tagged: str) -> None:
    marker = tmp_path / "executed"
    text = MINI.replace('version: "1"', "version: " + tagged.format(marker=marker))
    p = only_problem(write(tmp_path, text))
    assert p.line == 3  # the version line
    assert "not allowed" in p.message
    assert not marker.exists()


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    text = MINI.replace("  from: 2017-05-23", "  from: [2017-05-23")
    p = only_problem(write(tmp_path, text))
    assert p.line is not None and p.line >= line_of(text, "from:")
    assert "malformed YAML" in p.message


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_non_finite_numbers_are_refused(tmp_path: Path, value: str) -> None:
    text = MINI.replace("value: 0.85", f"value: {value}")
    p = only_problem(write(tmp_path, text))
    assert p.line == line_of(text, f"value: {value}")


def test_floats_are_exact_decimals(tmp_path: Path) -> None:
    text = MINI.replace("{primary: 0.9, junior: 0.9}", "{primary: 0.1, junior: 1.0e-1}")
    rule = load_ruleset_file(write(tmp_path, text)).ruleset.rules[0]
    assert isinstance(rule, ThresholdRule)
    assert rule.value.primary == Fraction(1, 10)
    assert rule.value.junior == Fraction(1, 10)
    assert Fraction(1, 10) + Fraction(2, 10) == Fraction(3, 10)  # unlike 0.1 + 0.2 in floats


def test_not_utf8_and_empty(tmp_path: Path) -> None:
    bad = tmp_path / "gbk.yaml"
    bad.write_bytes(MINI.encode("gb18030"))
    assert "UTF-8" in only_problem(bad).message
    empty = write(tmp_path, "", name="empty.yaml")
    assert "empty" in only_problem(empty).message
    scalar = write(tmp_path, "just text\n", name="scalar.yaml")
    assert "mapping" in only_problem(scalar).message


# ----------------------------------------------------------------------------------------------
# The formula grammar: no way to reach Python
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("formula", [
    "__import__('os').system('echo hi')",
    "__import__(\"os\")",
    "students.__class__",
    "students.real",
    "students ** 2",
    "2 ** 3",
    "'students'",
    '"students"',
    "students[0]",
    "open('x')",
    "lambda: 1",
    "1 if students else 2",
    "students; 1",
    "students, 1",
    "students @ 2",
    "students % 7",
    "students // 2",
    "",
    "   ",
    "(students",
    "students)",
    "students +",
    "Students",  # names are lower case
    "1e3",
    "0x10",
    "(" * 60 + "1" + ")" * 60,
    "1 + " * 300 + "1",
])
def test_formula_grammar_refuses(formula: str) -> None:
    with pytest.raises(FormulaError):
        parse_formula(formula)


def test_formula_with_import_in_a_ruleset_file(tmp_path: Path) -> None:
    text = MINI.replace("formula: pe_art_teachers / students * 100",
                        "formula: __import__('os').system('echo hi')")
    p = only_problem(write(tmp_path, text))
    assert (p.line, p.key) == (line_of(text, "formula:"), "indicators.pe_art_per_100.formula")
    # a bare dunder name parses as a name, and is then an unknown fact: never looked up in Python
    text = MINI.replace("formula: pe_art_teachers / students * 100", "formula: __import__")
    found = problems(write(tmp_path, text))
    assert any("'__import__'" in p.message for p in found)


def test_formula_evaluates_exactly() -> None:
    expr = parse_formula("pe_art_teachers / students * 100")
    assert names(expr) == {"pe_art_teachers", "students"}
    assert evaluate(expr, {"pe_art_teachers": Fraction(9), "students": Fraction(1000)}) == Fraction(9, 10)
    assert evaluate(parse_formula("-(0.1 + 0.2) * 10"), {}) == -3
    with pytest.raises(FormulaError, match="division by zero"):
        evaluate(expr, {"pe_art_teachers": Fraction(9), "students": Fraction(0)})
    with pytest.raises(FormulaError, match="students"):
        evaluate(expr, {"pe_art_teachers": Fraction(9)})

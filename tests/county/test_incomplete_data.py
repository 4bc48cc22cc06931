"""A county is never 达标 on incomplete data (issue 11 item 1).

A rejected input row is a section whose outcome cannot be decided: every criterion that needs it
is 无法判定, and so is the county verdict, with the rows named. The county name and year come from
the data; a county-facts file that says otherwise is a warning.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.compare_json import compare_json
from junheng.cli.county_json import county_json
from junheng.cli.render.explain import explain_county, explain_criterion
from junheng.engine.compare import compare
from junheng.engine.county import evaluate_county
from junheng.engine.results import Outcome
from junheng.policy.county_facts import parse_county_facts
from junheng.policy.facts import Level
from junheng.policy.loader import LoadedRuleset, load_ruleset_file
from junheng.policy.readers import read_facts_text
from junheng.policy.registry import load_ruleset

SCHEMAS = Path(__file__).resolve().parents[2] / "junheng" / "schemas"


def schema(name: str) -> dict[str, object]:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


RULESET = """\
schema_version: 1
id: test/complete
version: "1"
title: {zh: 完整性测试, en: completeness test}
jurisdiction: {zh: 测试, en: test}
document: {number: 测试〔2024〕2号, title: {zh: 测试, en: test}}
effective: {from: 2024-01-01}
scope: county
indicators:
  books_per_student: {title: {zh: 生均图书, en: books per student}, formula: books / students,
                      unit: volumes_per_student, resource: books}
county:
  indicators:
    class_size: {title: {zh: 最大班额, en: largest class}, formula: max_class_size, unit: persons}
  school_checks:
    - {id: check.class_size, kind: threshold, title: {zh: 班额, en: class size}, source: test, status: secondary,
       indicator: class_size, op: "<=", value: {primary: 45, junior: 50}}
  criteria:
    - {id: cv, kind: dispersion, title: {zh: 差异系数, en: CV}, source: test, status: confirmed,
       indicators: [books_per_student], weighted: 1, judge: each, limit: {primary: 0.5, junior: 0.45}}
    - {id: classes, kind: all_schools, title: {zh: 班额, en: class size}, source: test, status: secondary,
       ruleset: self, rules: [check.class_size]}
    - {id: satisfaction, kind: county_fact, title: {zh: 满意度, en: satisfaction}, source: test,
       status: confirmed, fact: public_satisfaction, op: ">=", value: 0.85}
"""

# Every section meets everything: primary X = 400/100 = 4 and 800/200 = 4 → CV 0 ≤ 0.5;
# junior X = 1200/300 = 4 alone → CV 0 ≤ 0.45; largest classes 40, 42 ≤ 45 and 48 ≤ 50;
# satisfaction 90% ≥ 85%. So the county is 达标 — until a row is rejected.
GOOD = """\
school_id,school_name,county,year,level,students,max_class_size,books
P1,一小,示范县,2026,小学,100,40,400
P2,二小,示范县,2026,小学,200,42,800
J1,一中,示范县,2026,初中,300,48,1200
"""
BAD_PRIMARY = "P3,三小,示范县,2026,小学,约820,40,3280\n"  # 约820: not a number → the row is rejected
BAD_JUNIOR = "J2,二中,示范县,2026,初中,310,45,100%\n"  # 100% books: a percentage → rejected


@pytest.fixture(scope="module")
def ruleset(tmp_path_factory: pytest.TempPathFactory) -> LoadedRuleset:
    path = tmp_path_factory.mktemp("rs") / "complete.yaml"
    path.write_text(RULESET, encoding="utf-8")
    return load_ruleset_file(path)


def county_facts(county: str = "示范县", year: int = 2026):  # type: ignore[no-untyped-def]
    return parse_county_facts({"county": county, "year": year,
                               "facts": {"public_satisfaction": "90%"}}, "县级数据.yaml")


@pytest.mark.parametrize("engine", ["durable", "direct"])
def test_complete_county_is_met(ruleset: LoadedRuleset, engine: str) -> None:
    run = evaluate_county(ruleset, read_facts_text(GOOD, "csv", "c.csv"), county_facts(), engine=engine)  # type: ignore[arg-type]
    assert run.outcome is Outcome.passed
    assert run.rejected_rows == ()


@pytest.mark.parametrize("engine", ["durable", "direct"])
def test_rejected_primary_row_makes_primary_cv_and_county_undecidable(ruleset: LoadedRuleset, engine: str) -> None:
    batch = read_facts_text(GOOD + BAD_PRIMARY, "csv", "c.csv")
    assert [(i.row, i.column, i.value) for i in batch.errors] == [(5, "students", "约820")]
    run = evaluate_county(ruleset, batch, county_facts(), engine=engine)  # type: ignore[arg-type]
    by_id = {c.criterion_id: c for c in run.criteria}
    primary, junior = run.levels
    assert primary.outcome is Outcome.unknown and [r.row for r in primary.rejected_rows] == [5]
    assert junior.outcome is Outcome.passed and junior.rejected_rows == ()  # the row is a 小学 row
    assert by_id["cv"].outcome is Outcome.unknown
    assert by_id["classes"].outcome is Outcome.unknown  # P3 might have a class of 46
    assert by_id["satisfaction"].outcome is Outcome.passed  # needs no school row
    assert run.outcome is Outcome.unknown
    (row,) = run.rejected_rows
    assert (row.file, row.row, row.school_id, row.school_name, row.level) == ("c.csv", 5, "P3", "三小", Level.primary)
    assert "c.csv 第5行（P3 三小 小学）" in explain_county(run, "zh")
    assert "c.csv row 5 (P3, 三小, primary)" in explain_county(run, "en")
    assert "第5行" in explain_criterion(by_id["cv"], run, "zh")
    assert "第5行" in explain_criterion(by_id["classes"], run, "zh")
    doc = county_json(run, "zh")
    jsonschema.validate(doc, schema("county-1"))
    assert doc["verdict"]["passed"] is None
    assert doc["verdict"]["rejected_rows"][0]["row"] == 5
    assert [e["value"] for e in doc["errors"]] == ["约820"]


def test_rejected_junior_row_leaves_primary_cv_decided(ruleset: LoadedRuleset) -> None:
    run = evaluate_county(ruleset, read_facts_text(GOOD + BAD_JUNIOR, "csv", "c.csv"), county_facts())
    primary, junior = run.levels
    assert primary.outcome is Outcome.passed
    assert junior.outcome is Outcome.unknown
    assert run.outcome is Outcome.unknown


def test_a_failure_is_still_a_failure_with_rows_rejected(ruleset: LoadedRuleset) -> None:
    # P2's largest class 46 > 45 fails whatever the rejected row holds: the county is 未达标.
    data = GOOD.replace("200,42,800", "200,46,800") + BAD_PRIMARY
    run = evaluate_county(ruleset, read_facts_text(data, "csv", "c.csv"), county_facts())
    assert {c.criterion_id: c.outcome for c in run.criteria}["classes"] is Outcome.failed
    assert run.outcome is Outcome.failed


def test_row_without_a_level_blocks_every_level(ruleset: LoadedRuleset) -> None:
    run = evaluate_county(ruleset, read_facts_text(GOOD + "P9,九小,示范县,2026,高中,100,40,400\n", "csv", "c.csv"),
                          county_facts())
    assert [lv.outcome for lv in run.levels] == [Outcome.unknown, Outcome.unknown]
    assert run.rejected_rows[0].level is None


def test_unreadable_file_is_never_met(ruleset: LoadedRuleset) -> None:
    # No level column: nothing is read (a file-level error) — an empty county is not 达标.
    run = evaluate_county(ruleset, read_facts_text("school_id,students\nP1,100\n", "csv", "c.csv"), county_facts())
    assert run.outcome is Outcome.unknown
    assert run.rejected_rows and run.rejected_rows[0].row is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(books=st.lists(st.integers(1, 5000), min_size=1, max_size=4),
       bad=st.lists(st.sampled_from([BAD_PRIMARY, BAD_JUNIOR]), min_size=1, max_size=2))
def test_property_never_met_with_a_rejected_row(ruleset: LoadedRuleset, books: list[int], bad: list[str]) -> None:
    rows = "".join(f"X{i},校{i},示范县,2026,小学,100,40,{b}\n" for i, b in enumerate(books))
    run = evaluate_county(ruleset, read_facts_text(GOOD + rows + "".join(bad), "csv", "c.csv"), county_facts(),
                          engine="direct")
    assert run.outcome is not Outcome.passed
    assert run.rejected_rows


def test_county_and_year_come_from_the_data(ruleset: LoadedRuleset) -> None:
    run = evaluate_county(ruleset, read_facts_text(GOOD, "csv", "c.csv"), county_facts("示例县", 2024))
    assert (run.county, run.year) == ("示范县", 2026)
    warnings = [i for i in run.issues if i.file == "县级数据.yaml" and i.severity == "warning"]
    assert {(i.column, i.value) for i in warnings} == {("county", "示例县"), ("year", "2024")}
    assert any("示例县" in i.message_zh and "示范县" in i.message_zh for i in warnings)
    assert any("'示例县'" in i.message_en and "'示范县'" in i.message_en for i in warnings)
    assert run.outcome is Outcome.passed  # a warning, not a reason to doubt the verdict
    # No county or year in the data: the county-facts file fills the gap, without a warning.
    plain = GOOD.replace(",示范县,2026,", ",,,")
    run = evaluate_county(ruleset, read_facts_text(plain, "csv", "c.csv"), county_facts("示例县", 2024))
    assert (run.county, run.year) == ("示例县", 2024)
    assert not [i for i in run.issues if i.severity == "warning"]


def test_cli_county_exit_1_and_null_verdict(ruleset: LoadedRuleset, tmp_path: Path) -> None:
    data = tmp_path / "县.csv"
    data.write_text(GOOD + BAD_PRIMARY, encoding="utf-8")
    rs = tmp_path / "rs.yaml"
    rs.write_text(RULESET, encoding="utf-8")
    cf = tmp_path / "cf.yaml"
    cf.write_text("county: 示范县\nyear: 2026\nfacts:\n  public_satisfaction: 90%\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["county", str(data), "-r", str(rs), "--county-facts", str(cf), "-f", "json"])
    assert out.exit_code == 1
    doc = json.loads(out.stdout)
    assert doc["verdict"]["passed"] is None and doc["errors"]
    out = CliRunner().invoke(app, ["county", str(data), "-r", str(rs), "--county-facts", str(cf)])
    assert out.exit_code == 1
    assert "无法判定" in out.stdout and "第5行" in out.stdout and "约820" in out.stdout


def test_compare_lists_errors_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(GOOD + BAD_PRIMARY, encoding="utf-8")
    args = ["compare", str(path), "-r", "anhui/school-2007", "-a", "anhui/school-2018"]
    out = CliRunner().invoke(app, [*args, "-f", "json"])
    assert out.exit_code == 1
    doc = json.loads(out.stdout)
    jsonschema.validate(doc, schema("compare-1"))
    assert [(e["row"], e["column"], e["value"]) for e in doc["errors"]] == [(5, "students", "约820")]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 1 and "约820" in out.stdout
    # the function stays usable without issues
    c = compare(load_ruleset("anhui/school-2007"), load_ruleset("anhui/school-2018"), [])
    assert compare_json(c, "en")["errors"] == []


def test_evaluate_summary_counts_rejected_rows(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(GOOD + BAD_PRIMARY, encoding="utf-8")
    out = CliRunner().invoke(app, ["evaluate", str(path), "-f", "json"])
    assert out.exit_code == 1
    doc = json.loads(out.stdout)
    jsonschema.validate(doc, schema("evaluation-1"))
    assert doc["summary"]["sections"] == 3 and doc["summary"]["rows_rejected"] == 1
    out = CliRunner().invoke(app, ["evaluate", str(path)])
    assert "另有1行数据有误" in out.stdout


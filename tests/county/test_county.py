"""County evaluation end to end: a small hand-computed county with an 一贯制 school, both
engines, missing facts, shared-asset splits, the bundled demo under both national rulesets,
the JSON contract and the CLI."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.county_json import county_json
from junheng.cli.render.explain import explain_criterion
from junheng.engine.county import evaluate_county
from junheng.engine.results import MissingFact, Outcome
from junheng.examples import example_path
from junheng.policy.county_facts import parse_county_facts
from junheng.policy.facts import Level
from junheng.policy.loader import RulesetError, load_ruleset_file
from junheng.policy.readers import read_facts, read_facts_text
from junheng.policy.registry import load_ruleset

F = Fraction
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "junheng/schemas/county-1.schema.json")
                    .read_text(encoding="utf-8"))

RULESET = """\
schema_version: 1
id: test/county
version: "1"
title: {zh: 测试县域规则, en: test county rules}
jurisdiction: {zh: 测试, en: test}
document: {number: 测试〔2024〕1号, title: {zh: 测试, en: test}}
effective: {from: 2024-01-01}
scope: county
parameters:
  weighted: {title: {zh: 加权, en: weighted}, value: 1, unit: bool, status: unconfirmed, source: test}
  junior_weight: {title: {zh: 初中折合, en: junior weight}, value: 1.5, unit: ratio, status: unconfirmed, source: test}
indicators:
  books_per_student: {title: {zh: 生均图书, en: books per student}, formula: books / students,
                      unit: volumes_per_student, resource: books}
county:
  shared_assets: {junior_weight: {param: junior_weight}}
  indicators:
    class_size: {title: {zh: 最大班额, en: largest class}, formula: max_class_size, unit: persons}
  school_checks:
    - {id: check.class_size, kind: threshold, title: {zh: 班额, en: class size}, source: test, status: secondary,
       indicator: class_size, op: "<=", value: {primary: 45, junior: 50}}
  criteria:
    - {id: cv, kind: dispersion, title: {zh: 差异系数, en: CV}, source: test, status: confirmed,
       indicators: [books_per_student], weighted: {param: weighted}, judge: each,
       limit: {primary: 0.16, junior: 0.2}}
    - {id: classes, kind: all_schools, title: {zh: 班额, en: class size}, source: test, status: secondary,
       ruleset: self, rules: [check.class_size]}
    - {id: satisfaction, kind: county_fact, title: {zh: 满意度, en: satisfaction}, source: test,
       status: confirmed, fact: public_satisfaction, op: ">=", value: 0.85}
"""

# Primary: S1 100 students / 400 books (X=4); Y (九年一贯制) 小学部 300 students, books from the
# shared total. Junior: Y 初中部 200 students; J2 200 students / 2400 books (X=12).
# Y reports 3000 books once; junior weight 1.5 → weights 300 and 200×1.5 = 300 → 1500 each.
# Primary: Y X=1500/300=5; X̄ = 1900/400 = 19/4; S² = 1/4·(4−19/4)² + 3/4·(5−19/4)²
#   = 1/4·9/16 + 3/4·1/16 = 12/64 = 3/16; CV² = (3/16)/(361/16) = 3/361 → CV = √3/19 = 0.0912 ≤ 0.16.
# Junior: Y X=1500/200=15/2; X̄ = 3900/400 = 39/4; S² = 1/2·(15/2−39/4)² + 1/2·(12−39/4)²
#   = 1/2·81/16 + 1/2·81/16 = 81/16; CV² = (81/16)/(1521/16) = 81/1521 = 9/169 → CV = 3/13
#   = 0.2308 > 0.2: not met.
SECTIONS = """\
school_id,school_name,level,school_type,students,max_class_size,books
S1,一小,primary,小学,100,40,400
Y,一贯制学校,primary,九年一贯制学校,300,44,
Y,一贯制学校,junior,九年一贯制学校,200,52,
J2,二中,junior,初级中学,200,,2400
"""


@pytest.fixture(scope="module")
def ruleset(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("rs") / "county.yaml"
    path.write_text(RULESET, encoding="utf-8")
    return load_ruleset_file(path)


def facts(**values: object):  # type: ignore[no-untyped-def]
    return parse_county_facts({"county": "测试县", "facts": values,
                               "shared_assets": [{"school_id": "Y", "fact": "books", "total": "3000"}]},
                              "facts.yaml")


@pytest.mark.parametrize("engine", ["durable", "direct"])
def test_small_county_by_hand(ruleset, engine: str) -> None:  # type: ignore[no-untyped-def]
    batch = read_facts_text(SECTIONS, "csv", "county.csv")
    run = evaluate_county(ruleset, batch, facts(public_satisfaction="90%"), engine=engine)  # type: ignore[arg-type]
    assert [sp.parts for sp in run.splits] == [{"primary": F(1500), "junior": F(1500)}]
    primary, junior = run.levels
    assert primary.indicators[0].cv_squared == F(3, 361)
    assert primary.indicators[0].passed is True
    assert junior.indicators[0].cv_squared == F(9, 169)
    assert junior.indicators[0].cv == F(3, 13)
    assert junior.indicators[0].passed is False
    by_id = {c.criterion_id: c for c in run.criteria}
    assert by_id["cv"].outcome is Outcome.failed
    assert by_id["cv"].failing == ("junior:books_per_student",)
    # Y 初中部 52 > 50 fails; J2's largest class is missing → cannot decide, but one failure
    # already decides the criterion.
    assert by_id["classes"].outcome is Outcome.failed
    assert by_id["classes"].failing == ("Y/junior",)
    assert by_id["satisfaction"].outcome is Outcome.passed
    assert run.outcome is Outcome.failed
    # Class sizes: none in 56–65 or ≥ 66 (no bands declared in this ruleset → no summary)
    assert run.class_sizes is None
    jsonschema.validate(county_json(run, "en"), SCHEMA)


def test_missing_fact_is_never_a_pass(ruleset) -> None:  # type: ignore[no-untyped-def]
    sections = SECTIONS.replace("九年一贯制学校,200,52,", "九年一贯制学校,200,48,")
    sections = sections.replace("J2,二中,junior,初级中学,200,,2400", "J2,二中,junior,初级中学,200,30,")
    run = evaluate_county(ruleset, read_facts_text(sections, "csv", "c.csv"), facts())
    by_id = {c.criterion_id: c for c in run.criteria}
    assert by_id["satisfaction"].outcome is Outcome.unknown
    assert by_id["satisfaction"].missing_facts == (MissingFact(fact="public_satisfaction"),)
    assert "“公众满意度”" in explain_criterion(by_id["satisfaction"], run, "zh")  # its name, never its id
    assert "public satisfaction" in explain_criterion(by_id["satisfaction"], run, "en")
    assert by_id["cv"].outcome is Outcome.unknown  # J2's books are missing
    assert MissingFact(fact="books", school_id="J2", level=Level.junior) in by_id["cv"].missing_facts
    assert by_id["classes"].outcome is Outcome.passed
    assert run.outcome is Outcome.unknown


def test_ratio_written_as_percent_number_is_an_error() -> None:
    f = parse_county_facts({"facts": {"public_satisfaction": 85}}, "f.yaml")
    assert "public_satisfaction" not in f.values
    assert f.issues and f.issues[0].severity == "error"
    assert parse_county_facts({"facts": {"public_satisfaction": "85%"}}, "f").values == {
        "public_satisfaction": F(17, 20)}


def test_unknown_county_fact_in_ruleset_names_file_line_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(RULESET.replace("fact: public_satisfaction", "fact: public_happiness"), encoding="utf-8")
    with pytest.raises(RulesetError) as err:
        load_ruleset_file(path)
    assert "county.criteria[2].fact" in str(err.value) and "public_happiness" in str(err.value)


@pytest.fixture(scope="module")
def demo():  # type: ignore[no-untyped-def]
    from junheng.policy.county_facts import read_county_facts

    return read_facts(example_path("demo_county.csv")), read_county_facts(example_path("demo_county_facts.yaml"))


def test_demo_basic_2012(demo) -> None:  # type: ignore[no-untyped-def]
    batch, cf = demo
    assert not cf.issues
    run = evaluate_county(load_ruleset("national/basic-2012"), batch, cf)
    by_id = {c.criterion_id: c for c in run.criteria}
    assert by_id["balance.composite_cv"].outcome is Outcome.passed
    assert by_id["prerequisite.provincial_standard"].outcome is Outcome.unknown
    assert by_id["prerequisite.provincial_standard"].missing_facts == (
        MissingFact(fact="school_ruleset", reason="no_ruleset"),)
    assert run.outcome is Outcome.unknown
    assert {lv.level.value for lv in run.levels} == {"primary", "junior"}
    jsonschema.validate(county_json(run, "zh"), SCHEMA)
    # naming a school ruleset decides the prerequisite (here the national 2017 school rules)
    run2 = evaluate_county(load_ruleset("national/basic-2012"), batch, cf, load_ruleset("national/quality-2017"))
    assert {c.criterion_id: c for c in run2.criteria}["prerequisite.provincial_standard"].outcome is Outcome.failed


def test_demo_quality_2017(demo) -> None:  # type: ignore[no-untyped-def]
    batch, cf = demo
    run = evaluate_county(load_ruleset("national/quality-2017"), batch, cf)
    by_id = {c.criterion_id: c for c in run.criteria}
    assert len([c for c in by_id if c.startswith("government.")]) == 18  # 15 items; (11), (13), (15) in two parts each
    assert len([c for c in by_id if c.startswith("quality.")]) == 10  # 9 items, 9 in two parts
    # G-SYN: 2100 students > 2000 → school size fails; its largest class 62 > 45
    assert by_id["government.04_school_size"].failing == ("G-SYN/primary",)
    assert "G-SYN/primary" in by_id["government.05_class_size"].failing
    # the demo file leaves 校际差异率 out on purpose: listed by name, never a pass
    assert by_id["quality.09b_monitoring_difference"].missing_facts == (
        MissingFact(fact="quality_monitoring_between_school_ratio"),)
    assert by_id["veto.exam_admission"].outcome is Outcome.passed
    assert run.outcome is Outcome.failed
    # G-SYN 62 in 56–65; C-JZ has no largest class but 1865 ÷ 31 = 60.2 → at least 61 (see test_class_size)
    assert run.class_sizes is not None and set(run.class_sizes.large) == {"G-SYN/primary", "C-JZ/junior"}
    jsonschema.validate(county_json(run, "en"), SCHEMA)


def test_cli_county_json_and_table() -> None:
    runner = CliRunner()
    csv, yml = str(example_path("demo_county.csv")), str(example_path("demo_county_facts.yaml"))
    result = runner.invoke(app, ["county", csv, "--ruleset", "national/quality-2017", "--county-facts", yml,
                                 "--format", "json", "--lang", "en"])
    assert result.exit_code == 1, result.output  # not met
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert doc["verdict"]["outcome"] == "failed"
    assert set(doc["levels"]) == {"primary", "junior"}
    result = runner.invoke(app, ["county", csv, "--ruleset", "national/basic-2012", "--county-facts", yml])
    assert result.exit_code == 1
    assert "综合差异系数" in result.stdout and "无法判定" in result.stdout


# A primary school exactly on every 2017 requirement (1000 students): 42/1000×100 = 4.2, 10 → 1,
# 9 → 0.9, 4500/1000 = 4.5 m², 7500/1000 = 7.5 m², 2000000/1000 = 2000 元, 23 → 2.3 rooms.
ON_THE_LINE = """\
school_id,level,school_type,students,teachers_above_required_degree,backbone_teachers,pe_art_teachers,\
teaching_aux_area_m2,sports_area_m2,equipment_value_yuan,multimedia_classrooms
P1,primary,小学,1000,42,10,9,4500,7500,2000000,23
"""


@pytest.mark.parametrize("new_id", ["test/quality-raised", "national/quality-2017"])
def test_county_reads_the_ruleset_it_was_given(tmp_path: Path, new_id: str) -> None:
    """An edited copy of quality-2017 (renamed or not) whose 生均教学及辅助用房 requirement for
    小学 is raised from 4.5 to 9 m²: the every-school criterion must use 9, not the bundled 4.5.
    The school has 4.5 m² = 50% of 9 < 85%, so 6 of 7 are met and the rest is below the floor."""
    bundled = load_ruleset("national/quality-2017")
    text = Path(bundled.path).read_text(encoding="utf-8")
    assert text.count("value: {primary: 4.5, junior: 5.8}") == 1
    edited = (text.replace("value: {primary: 4.5, junior: 5.8}", "value: {primary: 9, junior: 5.8}")
              .replace("id: national/quality-2017", f"id: {new_id}"))
    path = tmp_path / "quality-raised.yaml"
    path.write_text(edited, encoding="utf-8")
    batch = read_facts_text(ON_THE_LINE, "csv", "county.csv")
    criterion = "resource.every_school_six_of_seven"
    before = {c.criterion_id: c for c in evaluate_county(bundled, batch).criteria}[criterion]
    after = {c.criterion_id: c for c in evaluate_county(load_ruleset_file(path), batch).criteria}[criterion]
    assert before.outcome is Outcome.passed  # 7 of 7 on the line
    assert after.outcome is Outcome.failed and after.failing == ("P1/primary",)

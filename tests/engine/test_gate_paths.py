"""Ways to pass a failed count gate (national/quality-2017 "至少6项达标，余项不低于要求的85%").

Every expected number was worked out by hand; the arithmetic is in the comment next to it.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.render.letter import letter_text, write_letter
from junheng.engine.evaluate import evaluate_sections, ruleset_info
from junheng.engine.results import GatePath, RuleResult, SchoolResult
from junheng.examples import example_path
from junheng.policy.facts import Level
from junheng.policy.inputs import SchoolSection
from junheng.policy.model import Ruleset
from junheng.policy.registry import load_ruleset

F = Fraction
GATE = "resource.six_of_seven"
TEACHING = "resource.teaching_area"
MULTIMEDIA = "resource.multimedia_classrooms"
ENGINES = ("durable", "direct")
DEMO = str(example_path("demo_county.csv"))
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "junheng" / "schemas" / "evaluation-1.schema.json")
                    .read_text(encoding="utf-8"))

# examples.md school A (GX-A), junior, 1289 students: 5 of 7 met.
GX_A = {
    "students": 1289, "teaching_aux_area_m2": 4450, "sports_area_m2": 13247,
    "equipment_value_yuan": 3_400_000, "multimedia_classrooms": 18,
    "teachers_above_required_degree": 74, "backbone_teachers": 14, "pe_art_teachers": 12,
}
# A primary section of 1000 students sitting exactly on every requirement.
PRIMARY_EXACT = {
    "students": 1000, "teachers_above_required_degree": 42, "backbone_teachers": 10,
    "pe_art_teachers": 9, "teaching_aux_area_m2": 4500, "sports_area_m2": 7500,
    "equipment_value_yuan": 2_000_000, "multimedia_classrooms": 23,
}


@pytest.fixture(scope="module")
def ruleset() -> Ruleset:
    return load_ruleset("national/quality-2017").ruleset


def section(level: str, values: dict[str, int]) -> SchoolSection:
    return SchoolSection(school_id="T", level=Level(level), values={k: F(v) for k, v in values.items()})


def evaluate_one(ruleset: Ruleset, s: SchoolSection, engine: str = "durable") -> SchoolResult:
    [result] = evaluate_sections(ruleset, [s], engine)  # type: ignore[arg-type]
    return result


def gate(result: SchoolResult) -> RuleResult:
    return next(r for r in result.results if r.rule_id == GATE)


def steps(path: GatePath) -> tuple[list[tuple[str, Fraction, Fraction]], list[tuple[str, Fraction, Fraction]]]:
    def one(s: tuple) -> list[tuple[str, Fraction, Fraction]]:  # type: ignore[type-arg]
        return [(x.rule_id, x.shortfall.amount, x.shortfall.target) for x in s]
    return one(path.full), one(path.to_floor)


@pytest.mark.parametrize("engine", ENGINES)
def test_gx_a_two_paths(ruleset: Ruleset, engine: str) -> None:
    g = gate(evaluate_one(ruleset, section("junior", GX_A), engine))
    assert g.outcome.value == "failed" and g.met_count == 5
    # teaching area 4450 / 1289 = 3.45 m²/生 < 5.8; multimedia 18 / 1289 × 100 = 1.40 < 2.4.
    # Path 甲: multimedia fully: 2.4 × 1289 / 100 = 30.936 → 31 rooms, + 13;
    #   teaching area to 85%: 5.8 × 0.85 = 4.93 m²/生; 4.93 × 1289 = 6354.77 m²; 6354.77 − 4450 = 1904.77.
    # Path 乙: teaching area fully: 5.8 × 1289 = 7476.2 m², + 3026.2;
    #   multimedia to 85%: 2.4 × 0.85 = 2.04; 2.04 × 1289 / 100 = 26.2956 → 27 rooms, 27 − 18 = 9.
    assert [steps(p) for p in g.paths] == [
        ([(MULTIMEDIA, F(13), F(31))], [(TEACHING, F("1904.77"), F("6354.77"))]),
        ([(TEACHING, F("3026.2"), F("7476.2"))], [(MULTIMEDIA, F(9), F(27))]),
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_one_missed_below_floor_one_path(ruleset: Ruleset, engine: str) -> None:
    # 6 of 7 met; teaching area 3000 / 1000 = 3 m²/生 = 66.7% of 4.5 (< 85%): the gate fails.
    # Only way: bring it to 85%: 4.5 × 0.85 = 3.825 m²/生 × 1000 = 3825 m², + 825 (it may stay below 100%).
    g = gate(evaluate_one(ruleset, section("primary", {**PRIMARY_EXACT, "teaching_aux_area_m2": 3000}), engine))
    assert g.outcome.value == "failed" and g.met_count == 6
    assert [steps(p) for p in g.paths] == [([], [(TEACHING, F(825), F(3825))])]


@pytest.mark.parametrize("engine", ENGINES)
def test_passing_gate_has_no_paths(ruleset: Ruleset, engine: str) -> None:
    # 6 met; teaching area 4000 / 1000 = 4 m²/生 = 88.9% of 4.5 (≥ 85%): the gate passes.
    g = gate(evaluate_one(ruleset, section("primary", {**PRIMARY_EXACT, "teaching_aux_area_m2": 4000}), engine))
    assert g.outcome.value == "passed" and g.paths == ()
    g = gate(evaluate_one(ruleset, section("primary", PRIMARY_EXACT), engine))
    assert g.outcome.value == "passed" and g.paths == ()


def test_unknown_member_leaves_no_paths(ruleset: Ruleset) -> None:
    # multimedia rooms missing and two indicators below the floor: failed, but no path can be complete.
    values = {**PRIMARY_EXACT, "teaching_aux_area_m2": 3000, "sports_area_m2": 5000}
    del values["multimedia_classrooms"]
    g = gate(evaluate_one(ruleset, section("primary", values)))
    assert g.outcome.value == "failed" and g.paths == ()


def test_letter_gives_both_options(ruleset: Ruleset) -> None:
    s = section("junior", GX_A)
    result = evaluate_one(ruleset, s)
    zh = letter_text(write_letter(ruleset_info(ruleset), result, "zh"))
    en = letter_text(write_letter(ruleset_info(ruleset), result, "en"))
    assert "按“至少6项达标、余项不低于要求的85%”的规定，只需做到以下任一种：" in zh
    assert ("（甲）再建13间网络多媒体教室（达到31间），并使“生均教学及辅助用房面积”达到要求的85%"
            "（再增加教学及辅助用房1904.77平方米，达到6354.77平方米）") in zh
    assert ("（乙）再增加教学及辅助用房3026.2平方米（达到7476.2平方米），并使“每百名学生拥有网络多媒体教室数”"
            "达到要求的85%（再建9间网络多媒体教室，达到27间）。") in zh
    # the options come after the per-item explanations, before the plan
    assert zh.index("二、") < zh.index("（甲）") < zh.index("建议按下面的顺序着手")
    # 7 indicators: 5 met, 2 not met (the gate is the verdict, not an eighth item)
    assert "5项达到要求、2项没有达到要求。结论：未达标。" in zh
    assert "any one of these is enough: (a) add 13 networked multimedia classrooms (to 31)" in en
    assert "add 1904.77 m² of teaching and auxiliary rooms area, to 6354.77 m²" in en
    assert "(b) add 3026.2 m²" in en and "add 9 networked multimedia classrooms, to 27" in en


def test_explain_cli_prints_options() -> None:
    result = CliRunner().invoke(app, ["explain", DEMO, "--school", "GX-A", "-r", "national/quality-2017"])
    assert result.exit_code == 0, result.output
    assert "（甲）" in result.output and "（乙）" in result.output


def test_json_paths_validate() -> None:
    result = CliRunner().invoke(app, ["evaluate", DEMO, "-r", "national/quality-2017", "-f", "json",
                                      "--engine", "direct"])
    doc = json.loads(result.output)
    jsonschema.validate(doc, SCHEMA)
    assert doc["schema_version"] == "1.4"
    gx_a = next(s for s in doc["schools"] if s["school_id"] == "GX-A")
    g = next(r for r in gx_a["results"] if r["rule_id"] == GATE)["gate"]
    assert g["paths"][0] == {
        "full": [{"rule_id": MULTIMEDIA, "fact": "multimedia_classrooms", "direction": "increase",
                  "amount": 13, "unit": "rooms", "target": 31}],
        "to_floor": [{"rule_id": TEACHING, "fact": "teaching_aux_area_m2", "direction": "increase",
                      "amount": 1904.77, "unit": "m2", "target": 6354.77}],
    }
    assert len(g["paths"]) == 2
    passed = [r["gate"] for s in doc["schools"] for r in s["results"]
              if r["rule_id"] == GATE and r["outcome"] == "passed"]
    assert passed and all("paths" not in x for x in passed)

"""hubei/quality-county: the national 优质均衡 measures under a Hubei id — the province keeps the
seven national resource thresholds (an official provincial page), so nothing may differ."""

from __future__ import annotations

from fractions import Fraction

from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.engine.diff import diff
from junheng.engine.evaluate import evaluate_sections
from junheng.engine.results import Outcome
from junheng.policy.facts import Level
from junheng.policy.inputs import SchoolSection
from junheng.policy.registry import load_ruleset

HUBEI = load_ruleset("hubei/quality-county")


def test_hubei_keeps_the_seven_national_thresholds() -> None:
    national = load_ruleset("national/quality-2017")
    d = diff(national, HUBEI)
    assert d.changes == ()  # no rule, number, source or status differs
    ids = [r.id for r in HUBEI.ruleset.rules]
    assert [i for i in ids if i.startswith("resource.") and i != "resource.six_of_seven"] == [
        "resource.above_degree_teachers", "resource.backbone_teachers", "resource.pe_art_teachers",
        "resource.teaching_area", "resource.sports_area", "resource.equipment_value",
        "resource.multimedia_classrooms"]


def test_hubei_junior_teaching_area_by_hand() -> None:
    # 4450 m² for 1289 junior students: 4450 / 1289 = 3.452 < 5.8 (the national junior value);
    # short 1289 × 5.8 − 4450 = 7476.2 − 4450 = 3026.2 m²
    s = SchoolSection(school_id="X", level=Level.junior, values={
        "students": Fraction(1289), "teaching_aux_area_m2": Fraction(4450)})
    [result] = evaluate_sections(HUBEI.ruleset, [s])
    r = {x.rule_id: x for x in result.results}["resource.teaching_area"]
    assert r.outcome is Outcome.failed and r.required == Fraction("5.8")
    assert r.shortfall is not None and r.shortfall.amount == Fraction("3026.2")


def test_hubei_lint_list_show() -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["lint", "hubei/quality-county"]).exit_code == 0
    assert "hubei/quality-county" in runner.invoke(app, ["rulesets", "list"], env={"COLUMNS": "200"}).output
    shown = runner.invoke(app, ["rulesets", "show", "hubei/quality-county"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "沿用国家七项资源配置指标" in shown.output
    assert "resource.teaching_area" in shown.output

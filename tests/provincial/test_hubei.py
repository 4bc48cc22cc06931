"""hubei/quality-county: the national 优质均衡 measures under a Hubei id — the province keeps the
seven national resource thresholds (an official provincial page), so nothing may differ."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.engine.diff import diff
from junheng.engine.evaluate import evaluate_sections
from junheng.engine.results import Outcome
from junheng.policy.facts import Level
from junheng.policy.inputs import SchoolSection
from junheng.policy.model import ScoredRule
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


# --- hubei/basic-2011: 鄂政督〔2011〕6号, as far as the public sources go -----------------------------

BASIC_2011 = load_ruleset("hubei/basic-2011")


def test_basic_2011_is_two_parts_and_five_areas_of_unknown_weight() -> None:
    # the public page gives the number, the date (2011-09-26) and the two parts; nothing public gives
    # the areas' names, points or weights: every item is assessed with points null, flagged
    r = BASIC_2011.ruleset
    assert (r.document.number, str(r.effective.start)) == ("鄂政督〔2011〕6号", "2011-09-26")
    items = [(x.id, x.points, x.schedule.kind, x.status.value) for x in r.rules if isinstance(x, ScoredRule)]
    assert items == [("P1", None, "assessed", "secondary"), ("P2", None, "assessed", "secondary"),
                     *[(f"a{i}", None, "assessed", "unconfirmed") for i in range(1, 6)]]
    assert len(items) == len(r.rules) and not r.groups


def _hubei_section(**scores: str) -> SchoolSection:
    return SchoolSection(school_id="HB", level=Level.primary, values={"students": Fraction(1200)},
                         extra=scores)


def test_basic_2011_records_assessed_scores_without_a_total() -> None:
    # P1得分 36.5 and a1得分 8 are recorded as given (out of no known maximum): outcome 计分 (scored),
    # no deduction, no total; P2 and a2–a5 have no score: 无法判定; the section: 无法判定 (no total exists)
    [result] = evaluate_sections(BASIC_2011.ruleset, [_hubei_section(**{"P1得分": "36.5", "a1得分": "8"})])
    by = {x.rule_id: x for x in result.results}
    assert by["P1"].outcome is Outcome.scored and by["P1"].score is not None
    assert (by["P1"].score.awarded, by["P1"].score.points, by["P1"].score.deducted) == (Fraction("36.5"), None, None)
    assert by["a1"].score is not None and by["a1"].score.awarded == 8
    assert all(by[i].outcome is Outcome.unknown for i in ("P2", "a2", "a3", "a4", "a5"))
    assert result.score is None and result.outcome is Outcome.unknown and result.passed is None


def test_basic_2011_even_every_score_gives_no_verdict() -> None:
    # seven scores, still no maximum: the section is 无法判定, never 达标 nor a made-up total
    scores = {f"{i}得分": "10" for i in ("P1", "P2", "a1", "a2", "a3", "a4", "a5")}
    [result] = evaluate_sections(BASIC_2011.ruleset, [_hubei_section(**scores)])
    assert all(x.outcome is Outcome.scored for x in result.results)
    assert result.score is None and result.outcome is Outcome.unknown


def test_basic_2011_in_show_json_and_explanations(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["lint", "hubei/basic-2011"]).exit_code == 0
    zh = runner.invoke(app, ["rulesets", "show", "hubei/basic-2011"], env={"COLUMNS": "300"}).output
    assert ("注意：P1、P2、a1、a2、a3、a4、a5 的分值和权重未公开——"
            "结果只记录评估组认定的得分，不合计总分，结论为无法判定。") in zh
    assert "分值未公开" in zh and "鄂政督〔2011〕6号" in zh
    en = runner.invoke(app, ["rulesets", "show", "hubei/basic-2011", "--lang", "en"], env={"COLUMNS": "300"}).output
    assert "the points and weights of P1, P2, a1, a2, a3, a4, a5 are not public" in en
    data = tmp_path / "hb.csv"
    data.write_text("school_id,学段,在校生数,P1得分,a1得分\nHB1,小学,1200,36.5,8\n", encoding="utf-8")
    out = runner.invoke(app, ["evaluate", str(data), "-r", "hubei/basic-2011", "--format", "json"])
    doc = json.loads(out.stdout)
    jsonschema.validate(doc, json.loads((Path(__file__).resolve().parents[2] / "junheng" / "schemas" /
                                         "evaluation-1.schema.json").read_text(encoding="utf-8")))
    [school] = doc["schools"]
    assert "points_total" not in school and "points_max" not in school  # no total of unknown weights
    assert (school["outcome"], school["passed"]) == ("unknown", None)
    p1 = next(r for r in school["results"] if r["rule_id"] == "P1")
    assert (p1["outcome"], p1["points"]["awarded"], p1["points"]["max"]) == ("scored", 36.5, None)
    assert "评估得分36.5（满分和权重未公开，只记录、不计总分，结论无法判定）" in p1["explanation"]
    letter = runner.invoke(app, ["explain", str(data), "--school", "HB1", "-r", "hubei/basic-2011"]).output
    assert "已记录的评估得分（这些项目的分值和权重都没有公开，只记录、不合计、不判定达标）：" in letter
    assert "第一部分 工作评估36.5分" in letter and "结论：无法判定" in letter


def test_basic_2011_reports(tmp_path: Path) -> None:
    # the HTML and XLSX reports carry a result outcome 'scored' (• in the HTML grid) without failing
    data = tmp_path / "hb.csv"
    data.write_text("school_id,学段,在校生数,P1得分,a1得分\nHB1,小学,1200,36.5,8\n", encoding="utf-8")
    runner = CliRunner()
    for suffix in ("html", "xlsx"):
        out = tmp_path / f"r.{suffix}"
        result = runner.invoke(app, ["evaluate", str(data), "-r", "hubei/basic-2011", "--format", suffix,
                                     "-o", str(out)])
        assert result.exit_code == 0, result.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "已记录的评估得分（这些项目的分值和权重都没有公开，只记录、不合计、不判定达标）" in html

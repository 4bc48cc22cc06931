"""compare / diff (JSON contracts validated against their schemas) and the principal's letter."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.compare_json import compare_json, diff_json
from junheng.cli.render.letter import letter_text, write_letter
from junheng.engine.compare import compare
from junheng.engine.diff import diff, direction
from junheng.engine.evaluate import evaluate_sections, ruleset_info
from junheng.examples import example_path
from junheng.policy.facts import Level
from junheng.policy.inputs import SchoolSection
from junheng.policy.readers import read_facts
from junheng.policy.registry import load_ruleset

SCHEMAS = Path(__file__).resolve().parents[2] / "junheng" / "schemas"
A2007, A2018 = load_ruleset("anhui/school-2007"), load_ruleset("anhui/school-2018")


def schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_direction_rules() -> None:
    assert direction(">=", "junior", Fraction(6), Fraction("9.5")) == "tighter"
    assert direction("<=", "primary", Fraction(12), Fraction(8)) == "tighter"  # fewer students per computer
    assert direction("<=", "primary", Fraction(45), Fraction(46)) == "looser"
    assert direction(">", "x", Fraction(1), Fraction(1), ">=") == "tighter"  # strict at the same value
    # a level with no requirement in the base gains one: a new requirement, never "tighter"
    assert direction("<=", "junior", None, Fraction(50)) == "new"
    assert direction("<=", "junior", Fraction(50), None) == "ended"  # and never "looser" when it ends


def test_anhui_diff() -> None:
    d = diff(A2007, A2018)
    kinds = {c.rule_id: c.kind for c in d.changes}
    assert kinds["campus.building_area"] == "tighter"  # 5 → 8.5, 6 → 9.5
    assert kinds["equipment.students_per_computer"] == "tighter"  # ≤ 12 → ≤ 8
    # primary ≤ 46 → ≤ 45 is tighter; junior had no 2007 rule, so ≤ 50 is a new requirement
    cls = next(c for c in d.changes if c.rule_id == "organisation.class_size")
    assert cls.kind == "tighter" and dict(cls.levels) == {"primary": "tighter", "junior": "new"}
    assert kinds["organisation.school_size"] == "added"
    jsonschema.validate(diff_json(d, "zh"), schema("diff-1"))
    back = {c.rule_id: c.kind for c in diff(A2018, A2007).changes}
    assert back["campus.building_area"] == "looser" and back["organisation.school_size"] == "removed"
    # back: primary ≤ 45 → ≤ 46 looser; the junior ≤ 50 ends (not "looser")
    assert dict(next(c for c in diff(A2018, A2007).changes if c.rule_id == "organisation.class_size").levels) == {
        "primary": "looser", "junior": "ended"}


def test_diff_words_new_requirement_not_tightened() -> None:
    out = CliRunner().invoke(app, ["diff", "anhui/school-2007", "anhui/school-2018"],
                             env={"COLUMNS": "240"}).output
    row = out[out.index("班额 "):out.index("organisation.class_size") + 200]
    assert "小学：从严" in row and "初中：新增要求" in row  # ≤ 46 → ≤ 45; junior ≤ 50 with no 2007 rule
    assert "初中：从严" not in row
    en = CliRunner().invoke(app, ["diff", "anhui/school-2007", "anhui/school-2018", "--lang", "en"],
                            env={"COLUMNS": "240"}).output
    assert "junior: new requirement" in en


def test_compare_junior_class_new_requirement() -> None:
    # a junior class of 52 (520 students in 10 classes): 2007 has no junior class-size rule, 2018 says ≤ 50;
    # 52 > 50 fails, but it is a failure under a new requirement, not a regression of a pass
    s = SchoolSection(school_id="J", level=Level.junior, values={
        "students": Fraction(520), "classes": Fraction(10), "max_class_size": Fraction(52)})
    ch = {x.rule_id: x for x in compare(A2007, A2018, [s]).schools[0].changes}
    assert ch["organisation.class_size"].change == "new_failing"
    assert ch["organisation.class_size"].before is None
    # a primary class of 45 (≤ 46 in 2007, ≤ 45 in 2018) is compared on both sides
    p = SchoolSection(school_id="P", level=Level.primary, values={
        "students": Fraction(450), "classes": Fraction(10), "max_class_size": Fraction(45)})
    chp = {x.rule_id: x for x in compare(A2007, A2018, [p]).schools[0].changes}
    assert chp["organisation.class_size"].change == "still_passing"
    # under the 2018 rule a junior class of 48 meets the new ≤ 50 requirement
    ok = SchoolSection(school_id="K", level=Level.junior, values={
        "students": Fraction(480), "classes": Fraction(10), "max_class_size": Fraction(48)})
    assert {x.rule_id: x for x in compare(A2007, A2018, [ok]).schools[0].changes}[
        "organisation.class_size"].change == "new_passing"


def test_jiangsu_diff_shows_overrides_and_parameters() -> None:
    d = diff(load_ruleset("national/quality-2017"), load_ruleset("jiangsu/quality-county"))
    kinds = {c.rule_id: c.kind for c in d.changes}
    assert kinds["county.class_size"] == "tighter"  # 45/50 → 40/45
    assert kinds["quality.02_disabled_enrolment"] == "tighter"  # 0.95 → 0.98
    assert kinds["government.14_high_school_quota"] == "tighter"  # parameter 0.5 → 0.7
    jsonschema.validate(diff_json(d, "en"), schema("diff-1"))


def test_anhui_compare_hand_school() -> None:
    s = SchoolSection(school_id="H", level=Level.junior, values={
        "students": Fraction(100), "sports_area_m2": Fraction(900), "books": Fraction(3200),
        "building_area_m2": Fraction(1000), "computers": Fraction(20)})
    c = compare(A2007, A2018, [s])
    ch = {x.rule_id: x for x in c.schools[0].changes}
    # sports 900/100 = 9 m²: ≥ 8 met (2007), ≥ 10.6 not met (2018): 10.6 × 100 − 900 = 160 m² more
    assert ch["campus.sports_area"].change == "newly_failing" and ch["campus.sports_area"].threshold_moved
    assert ch["campus.sports_area"].extra_needed[0].amount == 160
    # books 32/student: ≥ 30 met, ≥ 35 not: 3500 − 3200 = 300 volumes
    assert ch["equipment.books"].extra_needed[0].amount == 300
    # building 10 m²/student ≥ 6 and ≥ 9.5: still passing; computers 100/20 = 5 ≤ 12 and ≤ 8
    assert ch["campus.building_area"].change == "still_passing"
    assert ch["equipment.students_per_computer"].change == "still_passing"
    assert ch["teachers.backbone"].change == "added"
    assert ch["organisation.class_size"].change == "added"  # 2007: primary only
    jsonschema.validate(compare_json(c, "zh"), schema("compare-1"))


def test_compare_scored_and_cli_json() -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["compare", str(example_path("demo_county.csv")), "-r", "anhui/school-2007",
                              "--against", "anhui/school-2018", "--format", "json"])
    assert out.exit_code == 0, out.output
    jsonschema.validate(json.loads(out.stdout), schema("compare-1"))
    out = runner.invoke(app, ["diff", "anhui/school-2007", "anhui/school-2018", "--format", "json", "--lang", "en"])
    assert out.exit_code == 0 and json.loads(out.stdout)["changes"]
    out = runner.invoke(app, ["diff", "anhui/school-2007", "anhui/school-2018", "--at", "2019-01-01"])
    assert out.exit_code == 2  # the 2007 standard was not in force then


def test_letter_for_school_a() -> None:
    batch = read_facts(example_path("guangxi_school_a.csv"))
    loaded = load_ruleset("guangxi/school-b")
    result = evaluate_sections(loaded.ruleset, batch.sections)[0]
    letter = write_letter(ruleset_info(loaded), result, "zh")
    # 100 − 1 (B1) − 2 (B8) = 97, every item decided
    assert "贵校得97分（满分100分，扣3分）" in letter.opening
    # the larger deduction first: B8 (2 points) before B1 (1 point)
    assert [i.heading.split("（")[0] for i in letter.failed] == ["教师专业技术岗位设置", "生均教学及教学辅助用房"]
    # titles (bureau, step 2) before building work (county project, step 3)
    assert [h for h, _ in letter.plan] == ["需要向县教育局申请的：人员和职称",
                                          "需要县里立项的：校舍和场地（周期最长，建议现在就申报）"]
    b8 = letter.plan[0][1][0]
    # 50% × 96 = 48 → +17 to meet; 4 points need ≥ 3.5/6 = 58.3% of 50% … 44 of 96 → +13
    assert "再有13名教师" in b8 and "再有17名教师" in b8
    assert any("未确认" in c for c in letter.caveats)  # the 4.39 table
    assert "满分100分" in letter_text(letter)  # every item decided: full marks may be promised
    runner = CliRunner()
    for lang in ("zh", "en"):
        out = runner.invoke(app, ["explain", str(example_path("guangxi_school_a.csv")), "--school", "GX-A",
                                  "--ruleset", "guangxi/school-b", "--lang", lang])
        assert out.exit_code == 0, out.output
        assert ("校长" in out.stdout) if lang == "zh" else ("Principal" in out.stdout)

"""County facts people can fill in (issue 11 item 3): Chinese keys, misplaced keys as errors with
a hint, ``junheng template --county`` (.yaml and .xlsx) listing every county fact the ruleset reads,
and XLSX county facts read back."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import openpyxl
import yaml
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.template_cmd import county_facts_needed, county_template_yaml
from junheng.policy.county_facts import parse_county_facts, read_county_facts
from junheng.policy.county_model import CountyFactCriterion
from junheng.policy.registry import load_ruleset

F = Fraction


def test_chinese_keys_are_accepted() -> None:
    facts = {"公众满意度": "91%", "初中三年巩固率": "0.97", "以考试方式招生": False}
    f = parse_county_facts({"县": "示范县", "年度": 2026, "县级数据": facts}, "f.yaml")
    assert f.issues == ()
    assert (f.county, f.year) == ("示范县", 2026)
    assert f.values == {"public_satisfaction": F(91, 100), "junior_retention_rate": F(97, 100),
                        "veto_exam_admission": F(0)}


def test_misplaced_and_unknown_keys_are_errors_with_a_hint() -> None:
    f = parse_county_facts({"county": "示范县", "public_satisfaction": "91%", "公众满意度": "90%",
                            "factz": {}}, "f.yaml")
    assert f.values == {}
    errors = {i.column: i for i in f.issues if i.severity == "error"}
    assert set(errors) == {"public_satisfaction", "公众满意度", "factz"}
    assert "应写在 facts: 下" in errors["公众满意度"].message_zh
    assert "put it under facts:" in errors["public_satisfaction"].message_en
    assert "use county, year, facts, shared_assets" in errors["factz"].message_en


def test_unknown_fact_names_suggest_one() -> None:
    f = parse_county_facts({"facts": {"public_satisfactoin": "91%"}}, "f.yaml")
    (issue,) = f.issues
    assert issue.severity == "warning" and "did you mean public_satisfaction" in issue.message_en


def test_a_fact_given_twice_is_an_error() -> None:
    f = parse_county_facts({"facts": {"公众满意度": "91%", "public_satisfaction": "90%"}}, "f.yaml")
    assert f.values == {"public_satisfaction": F(91, 100)}
    assert [i.severity for i in f.issues] == ["error"]


def test_template_lists_every_county_fact_of_the_ruleset(tmp_path: Path) -> None:
    loaded = load_ruleset("national/quality-2017")
    wanted = [c.fact for c in loaded.ruleset.county.criteria if isinstance(c, CountyFactCriterion)]  # type: ignore[union-attr]
    listed = [f.name for f, _ in county_facts_needed(loaded)]
    assert listed == list(dict.fromkeys(wanted))  # each once, in the 办法's order
    text = county_template_yaml(loaded)
    assert "social_recognition: {value: , origin: \"\"}" in text
    assert "社会认可度（比例：0.85 或 85%，不能写85）" in text
    assert "不低于85%" in text  # the requirement of the item it serves
    blank = read_county_facts(_write(tmp_path / "blank.yaml", text))
    assert blank.issues == () and blank.values == {}  # a blank template: nothing decided, nothing wrong
    filled = text.replace("county:  ", "county: 示范县", 1).replace(
        "social_recognition: {value: ,", "social_recognition: {value: 92%,")
    f = read_county_facts(_write(tmp_path / "filled.yaml", filled))
    assert f.values == {"social_recognition": F(92, 100)} and f.county == "示范县"
    assert yaml.safe_load(text)["facts"].keys() == set(listed)


def test_cli_template_county_xlsx_is_read_back(tmp_path: Path) -> None:
    path = tmp_path / "县级数据.xlsx"
    out = CliRunner().invoke(app, ["template", "--county", "-r", "national/quality-2017", "-o", str(path)])
    assert out.exit_code == 0, out.output
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert [c.value for c in ws[1]] == ["事实名", "名称", "填写方式", "数值", "来源", "用于（评估项及要求）"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert rows["social_recognition"][2].value == "比例：0.85 或 85%，不能写85"
    assert "社会认可度" in rows["social_recognition"][5].value
    rows["county"][3].value = "示范县"
    rows["year"][3].value = 2026
    rows["social_recognition"][3].value = 0.9  # a number Excel stores as a float: read as 0.9 exactly
    rows["social_recognition"][4].value = "第三方调查"
    rows["veto_fraud"][3].value = False
    rows["special_education_funding_per_student"][3].value = "6000元"
    wb.save(path)
    f = read_county_facts(path)
    assert f.issues == ()
    assert (f.county, f.year) == ("示范县", 2026)
    assert f.values == {"social_recognition": F(9, 10), "veto_fraud": F(0),
                        "special_education_funding_per_student": F(6000)}
    assert f.origins["social_recognition"] == "第三方调查"
    # a ruleset without a county part, and a wrong suffix, are usage errors
    out = CliRunner().invoke(app, ["template", "--county", "-r", "anhui/school-2018", "-o", str(tmp_path / "x.yaml")])
    assert out.exit_code == 2
    out = CliRunner().invoke(app, ["template", "--county", "-o", str(tmp_path / "x.csv")])
    assert out.exit_code == 2


def test_xlsx_county_facts_by_chinese_name(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名称", "数值"])
    ws.append(["县（市、区）", "示范县"])
    ws.append(["公众满意度", "88%"])
    ws.append(["公众满意度", "90%"])  # twice: an error naming the row
    path = tmp_path / "县.xlsx"
    wb.save(path)
    f = read_county_facts(path)
    assert f.values == {"public_satisfaction": F(88, 100)} and f.county == "示范县"
    (issue,) = f.issues
    assert issue.severity == "error" and issue.row == 4


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path

"""`junheng template`: exactly the facts a ruleset needs, validation, and the round trip
(write the template, fill it the way people type, evaluate it)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from junheng.cli.app import app

runner = CliRunner()

# The seven resource formulas of 教督〔2017〕6号 use these facts; the county block's class-size
# check adds 最大班额 (formula: max_class_size). Catalogue order.
QUALITY_2017_HEADERS = [
    "学校标识码", "学校名称", "县（市、区）", "学年", "学校类型",
    # 班级数: the largest class is at least ⌈在校生数 ÷ 班级数⌉ (班额 decided from the average)
    "在校生数（人）", "班级数（个班）", "最大班额（人）", "教学及辅助用房面积（平方米）", "体育运动场馆面积（平方米）",
    "教学仪器设备值（元）", "网络多媒体教室数（间）", "高于规定学历教师数（人）", "县级以上骨干教师数（人）",
    "体育、艺术（美术、音乐）专任教师数（人）",
    # the county part's school checks: the 2019 规程's conditions and the music/art rooms
    "建成年份（年）", "随迁子女占比", "音乐专用教室数（间）", "音乐专用教室面积（最小一间）（平方米）",
    "美术专用教室数（间）", "美术专用教室面积（最小一间）（平方米）", "农村小规模学校（是/否）",
]


def _template(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "template.xlsx"
    result = runner.invoke(app, ["template", "--ruleset", "national/quality-2017", "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return out


def test_template_has_exactly_the_facts_the_formulas_use(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_template(tmp_path))
    assert wb.sheetnames == ["小学", "初中", "说明"]
    for level in ("小学", "初中"):
        ws = wb[level]
        assert [c.value for c in ws[1]] == QUALITY_2017_HEADERS
        assert ws["F1"].comment.text == "students: students (persons)"
        rules = {(dv.type, str(dv.sqref)) for dv in ws.data_validations.dataValidation}
        assert ("list", "E2:E501") in rules  # 学校类型
        assert ("whole", "F2:F501") in rules  # 在校生数: a whole number ≥ 0
        assert ("decimal", "I2:I501") in rules  # 教学及辅助用房面积: any number ≥ 0
    readme = [row[1] for row in wb["说明"].iter_rows(min_row=5, values_only=True)]
    assert readme[5:] == ["students", "classes", "max_class_size", "teaching_aux_area_m2", "sports_area_m2",
                          "equipment_value_yuan", "multimedia_classrooms", "teachers_above_required_degree",
                          "backbone_teachers", "pe_art_teachers", "built_year", "migrant_share", "music_rooms",
                          "music_room_area_m2", "art_rooms", "art_room_area_m2", "rural_small_school"]


def test_template_round_trip(tmp_path: Path) -> None:
    path = _template(tmp_path)
    wb = openpyxl.load_workbook(path)
    # examples.md E (124-student version) and A, typed the way reports type them
    wb["小学"].append(["E-XX", "示例E村小学", "示例县", 2024, "小学", 124, 6, 24, "1190.4", "1959.2平方米",
                      "26万元", 6, 8, 2, 2])
    wb["初中"].append(["GX-A", "示例A初级中学", "示例县", "2024", "初级中学", "1,289", 18, "—", "4450平方米",
                      13247, "340万元", "１８", 74, 14, 12])
    wb.save(path)
    result = runner.invoke(app, ["evaluate", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["errors"] == [] and doc["input"]["rows_evaluated"] == 2
    e, a = doc["schools"]
    assert (e["school_id"], e["level"], e["outcome"]) == ("E-XX", "primary", "passed")
    # E: 1190.4 / 124 = 9.6 ≥ 4.5; 1959.2 / 124 = 15.8 ≥ 7.5; 260000 / 124 = 2096.8 ≥ 2000
    assert all(r["outcome"] == "passed" for r in e["results"])
    assert (a["school_id"], a["level"], a["outcome"]) == ("GX-A", "junior", "failed")
    by_rule = {r["rule_id"]: r for r in a["results"]}
    teaching = by_rule["resource.teaching_area"]
    # 4450 / 1289 = 3.452 < 5.8; shortfall 5.8 × 1289 − 4450 = 7476.2 − 4450 = 3026.2 m²
    assert teaching["outcome"] == "failed"
    assert (teaching["shortfall_total"], teaching["shortfall_target"]) == (3026.2, 7476.2)
    rooms = by_rule["resource.multimedia_classrooms"]
    # 18 / 12.89 = 1.40 per 100 < 2.4; 2.4 × 12.89 = 30.94 → 31 rooms, 31 − 18 = 13
    assert (rooms["outcome"], rooms["shortfall_total"]) == ("failed", 13)
    # 3,400,000 / 1289 = 2637.7 ≥ 2500 (typed "340万元")
    assert by_rule["resource.equipment_value"]["outcome"] == "passed"


def test_template_english_and_bad_suffix(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_template(tmp_path, "--lang", "en"))
    assert wb.sheetnames == ["primary", "junior", "README"]
    assert [c.value for c in wb["junior"][1]] == QUALITY_2017_HEADERS  # headers stay Chinese
    result = runner.invoke(app, ["template", "-o", str(tmp_path / "t.csv")])
    assert result.exit_code == 2 and not (tmp_path / "t.csv").exists()


def test_template_has_a_score_column_per_assessed_item(tmp_path: Path) -> None:
    # guangxi/school-b: B3, B5, B6, B9 are assessed (their scoring rules were not found): one column
    # "<id>得分" each, a number from 0 to the item's points (B3 18, B5 10, B6 10, B9 6)
    out = tmp_path / "g.xlsx"
    assert runner.invoke(app, ["template", "-r", "guangxi/school-b", "-o", str(out)]).exit_code == 0
    ws = openpyxl.load_workbook(out)["初中"]
    headers = [c.value for c in ws[1]]
    assert headers[-4:] == ["B3得分", "B5得分", "B6得分", "B9得分"]
    rules = {str(dv.sqref): (dv.type, dv.formula1, dv.formula2) for dv in ws.data_validations.dataValidation}
    letter = openpyxl.utils.get_column_letter(len(headers) - 3)
    assert rules[f"{letter}2:{letter}501"] == ("decimal", "0", "18")
    # hubei/basic-2011: points not public, so a score ≥ 0 without a maximum; filled in, it is read back
    out = tmp_path / "h.xlsx"
    assert runner.invoke(app, ["template", "-r", "hubei/basic-2011", "-o", str(out)]).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert [c.value for c in wb["小学"][1]][6:] == ["P1得分", "P2得分", *(f"a{i}得分" for i in range(1, 6))]
    wb["小学"].append(["HB1", "示例", "示例县", 2011, "小学", 1200, 36.5, None, 8])
    wb.save(out)
    result = runner.invoke(app, ["evaluate", str(out), "-r", "hubei/basic-2011", "--format", "json"])
    [school] = json.loads(result.stdout)["schools"]
    awarded = {r["rule_id"]: r["points"]["awarded"] for r in school["results"]}
    assert awarded == {"P1": 36.5, "P2": None, "a1": 8, "a2": None, "a3": None, "a4": None, "a5": None}

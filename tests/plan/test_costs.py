"""Unit costs as user data: the flat and the rich YAML forms, XLSX, and `junheng template --costs`."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.examples import example_path
from junheng.policy.costs import EXAMPLE_NOTE, CostsFileError, lever_facts, read_costs
from junheng.policy.registry import bundled_ids, load_ruleset

runner = CliRunner()

# The seven resource facts of 教督〔2017〕6号 第五条（一）—（七）, catalogue order.
QUALITY_2017_LEVERS = ["teaching_aux_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_classrooms",
                       "teachers_above_required_degree", "backbone_teachers", "pe_art_teachers"]


def test_flat_yaml_is_fact_to_yuan_per_unit(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("teaching_aux_area_m2: 3200\nsports_area_m2: 350.5\n体育、艺术专任教师数: 0.12万元\n", "utf-8")
    costs = read_costs(path)
    assert costs.issues == ()
    assert costs.price("teaching_aux_area_m2") == 3200
    assert costs.price("sports_area_m2") == Fraction(7010, 20)  # 350.5 exactly, not a binary float
    assert costs.price("pe_art_teachers") == 1200  # 0.12 万元 = 1200 元, Chinese alias resolved
    assert costs.missing(QUALITY_2017_LEVERS) == ["equipment_value_yuan", "multimedia_classrooms",
                                                  "teachers_above_required_degree", "backbone_teachers"]


def test_rich_yaml_keeps_notes_and_reports_each_bad_entry(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "costs:\n"
        "  books: {yuan_per_unit: 30, note: 每册}\n"
        "  computers: {yuan_per_unit: -5}\n"
        "  multimedia_classrooms: {yuan_per_unit: 6万平方米}\n"
        "  flying_carpets: 12\n"
        "  teachers: {yuan_per_unit: }\n", "utf-8")
    costs = read_costs(path)
    assert costs.costs["books"].yuan_per_unit == 30 and costs.costs["books"].note == "每册"
    assert "teachers" not in costs.costs  # blank: no price, never a guess
    bad = {i.column: i for i in costs.issues}
    assert set(bad) == {"computers", "multimedia_classrooms", "flying_carpets"}
    assert bad["computers"].value == "-5" and "负数" in bad["computers"].message_zh
    assert "negative" in bad["computers"].message_en
    assert "元" in bad["multimedia_classrooms"].message_zh
    assert "unknown fact" in bad["flying_carpets"].message_en


def test_not_a_mapping_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("- 1\n- 2\n", "utf-8")
    with pytest.raises(CostsFileError) as exc:
        read_costs(path)
    assert "键值映射" in exc.value.message_zh and "mapping" in exc.value.message_en


def test_levers_are_the_resources_of_every_indicator() -> None:
    assert lever_facts(load_ruleset("national/quality-2017").ruleset) == QUALITY_2017_LEVERS
    # 教督〔2012〕3号: the eight CV indicators' resources
    assert lever_facts(load_ruleset("national/basic-2012").ruleset) == [
        "teaching_aux_area_m2", "sports_area_m2", "equipment_value_yuan", "computers", "books", "teachers",
        "teachers_above_required_degree", "teachers_mid_senior_title"]


def test_levers_are_what_adding_helps() -> None:
    # 安徽 2018: 学校规模 (students ≤ 2000) and 班额 (max_class_size ≤ 50) have resources, but adding
    # students or pupils per class never helps, so they are not priced; students per computer
    # (≤, computers in the denominator) is.
    levers = lever_facts(load_ruleset("anhui/school-2018").ruleset)
    assert "students" not in levers and "max_class_size" not in levers and "computers" in levers
    assert lever_facts(load_ruleset("guangxi/school-b").ruleset) == []  # scored items only: not planned


def test_bundled_example_costs_price_every_lever_and_are_labelled_examples() -> None:
    costs = read_costs(example_path("demo_costs.yaml"))
    assert costs.issues == ()
    for rid in bundled_ids():
        assert costs.missing(lever_facts(load_ruleset(rid).ruleset)) == [], rid
    assert all(c.note.startswith(EXAMPLE_NOTE) for c in costs.costs.values())


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_template_costs_round_trip(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"costs{suffix}"
    result = runner.invoke(app, ["template", "--costs", "-r", "national/quality-2017", "-o", str(out)])
    assert result.exit_code == 0, result.output
    empty = read_costs(out)
    # only equipment (face value, 1 元 per 元) is pre-filled; the rest are for the user
    assert {f: c.yuan_per_unit for f, c in empty.costs.items()} == {"equipment_value_yuan": 1}
    if suffix == ".xlsx":
        wb = openpyxl.load_workbook(out)
        ws = wb.active
        assert [c.value for c in ws[1]] == ["事实名", "名称", "单价单位", "单价", "说明"]
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert [r[0] for r in rows] == QUALITY_2017_LEVERS
        assert rows[0][2] == "元/平方米" and rows[3][2] == "元/间" and rows[4][2] == "元/人"
        ws["D2"] = "3200"
        ws["D5"] = 60000
        wb.save(out)
    else:
        text = out.read_text("utf-8")
        assert "# 教学及辅助用房面积（元/平方米）" in text and "# 网络多媒体教室数（元/间）" in text
        text = text.replace("teaching_aux_area_m2: {yuan_per_unit: ,", "teaching_aux_area_m2: {yuan_per_unit: 3200,")
        text = text.replace("multimedia_classrooms: {yuan_per_unit: ,", "multimedia_classrooms: {yuan_per_unit: 60000,")
        out.write_text(text, "utf-8")
    filled = read_costs(out)
    assert filled.issues == ()
    assert filled.price("teaching_aux_area_m2") == 3200 and filled.price("multimedia_classrooms") == 60000


def test_template_costs_needs_yaml_or_xlsx(tmp_path: Path) -> None:
    result = runner.invoke(app, ["template", "--costs", "-o", str(tmp_path / "c.csv")])
    assert result.exit_code == 2

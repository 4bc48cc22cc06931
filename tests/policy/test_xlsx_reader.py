"""Reading Excel workbooks typed the way the examples.md self-assessment reports are typed."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest

from junheng.policy.facts import Level
from junheng.policy.inputs import FactsBatch, InputIssue
from junheng.policy.readers import UnsupportedFormatError, read_facts
from junheng.policy.xlsx_reader import read_xlsx_bytes, sheet_level


def _bytes(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def check_invariant(batch: FactsBatch) -> None:
    assert len(batch.sections) + batch.rejected_rows == batch.rows_read


def county_workbook() -> openpyxl.Workbook:
    """A county office's workbook: a title row, a two-row header with a grouped unit, one sheet
    per level, hand-typed cells (units, 万元, thousands separators, full-width digits, 。 as a
    decimal point, trailing spaces, — for missing) and a merged school name."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "初中"
    ws["A1"] = "示例县2024年初中学校办学条件统计表"
    ws.merge_cells("A1:J1")
    ws.append(["学校代码", "学校名称", "在校生数", "班级数", "校舍面积（平方米）", None, None,
               "教学仪器设备值", "图书", "生均图书"])
    ws.append([None, None, None, None, "教学及辅助用房面积", "体育运动场馆面积", "占地面积",
               "万元", "册", None])
    for col in "ABCDJ":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("E2:G2")
    # A (Guangxi): 1289 students typed "1,289", 4450平方米 → 3.45 m²/student, land 36447。46
    ws.append(["GX-A", "示例A初级中学 ", "1,289", "１８", "4450平方米", 13247, "36447。46", "340", 53040, "—"])
    # D (Guizhou): books 62500, stated 生均45.5 (62500 / 1476 = 42.34: the report's inconsistency)
    ws.append(["GZ-D", "示例D县城初级中学", 1476, 28, "6100", "7957", None, 390, "62500", "45.5"])
    # D as the report also puts it: "60000余册" is approximate → a cell error, never a guess
    ws.append(["GZ-D2", "示例D（另一版本）", 1476, 28, 6100, 7957, None, 390, "60000余册", None])
    wb.create_sheet("小学")
    ws = wb["小学"]
    ws.append(["学校标识码", "学校名称", "学段", "在校生数", "班级数", "教学及辅助用房面积（平方米）",
               "教学仪器设备值", "教学用计算机台数"])
    # B (Qinghai) primary section; 140.8万元 = 1,408,000 元; a blank 学段 takes the sheet's level
    ws.append(["QH-B", "示例B乡中心学校", None, 1041, 49, "4005", "140.8万元", "146 台"])
    ws.append(["E-XX", "示例E村小学", "小学", 124, 6, "1190.4", "26万元", "—"])
    wb.create_sheet("说明")["A1"] = "填表说明：每个学段一张工作表。"
    return wb


def test_county_workbook_every_number_parsed_exactly() -> None:
    batch = read_xlsx_bytes(_bytes(county_workbook()), "示例县.xlsx")
    check_invariant(batch)
    assert batch.rows_read == 5
    keys = [s.key for s in batch.sections]
    assert keys == [("GX-A", Level.junior), ("GZ-D", Level.junior), ("QH-B", Level.primary),
                    ("E-XX", Level.primary)]
    a, d, b, e = batch.sections
    assert a.school_name == "示例A初级中学"  # trailing space stripped
    assert a.row == 4 and b.row == 2  # spreadsheet row numbers (title + two header rows)
    assert a.values == {
        "students": 1289, "classes": 18, "teaching_aux_area_m2": 4450, "sports_area_m2": 13247,
        "land_area_m2": Fraction("36447.46"),  # "36447。46": 。 read as the decimal point
        "equipment_value_yuan": 3_400_000,  # header unit 万元: 340 × 10000
        "books": 53040,
    }
    # examples.md A: 4450 / 1289 = 3.452… → the report's "3.45 m²/student"
    assert round(float(a.values["teaching_aux_area_m2"] / a.values["students"]), 2) == 3.45
    assert d.values["equipment_value_yuan"] == 3_900_000  # 390 × 10000
    assert b.values["equipment_value_yuan"] == 1_408_000  # "140.8万元" = 140.8 × 10000
    assert b.values["computers"] == 146
    assert "computers" not in e.values  # "—" is missing, not 0
    assert e.values["teaching_aux_area_m2"] == Fraction("1190.4")  # = 9.6 × 124


def test_county_workbook_cell_errors_name_file_sheet_row_column_and_value() -> None:
    batch = read_xlsx_bytes(_bytes(county_workbook()), "示例县.xlsx")
    [error] = batch.errors
    assert (error.file, error.sheet, error.row, error.column, error.cell, error.value) == (
        "示例县.xlsx", "初中", 6, "图书（册）", "I6", "60000余册")
    assert error.message("zh").startswith(
        "示例县.xlsx，工作表“初中”，第6行，列“图书（册）”（I6），值“60000余册”：近似值")
    assert error.message("en").startswith(
        "示例县.xlsx, sheet '初中', row 6, column '图书（册）' (I6), value '60000余册': approximate values")


def test_county_workbook_consistency_warning_for_school_d() -> None:
    batch = read_xlsx_bytes(_bytes(county_workbook()), "示例县.xlsx")
    [books] = [w for w in batch.issues if w.severity == "warning" and w.column == "生均图书"]
    assert (books.sheet, books.row, books.cell, books.value) == ("初中", 5, "J5", "45.5")
    # 62500 / 1476 = 42.344… → 42.34; 45.5 fits 62500 / 45.5 = 1373.6 → about 1374 students
    assert "62500 ÷ 1476 = 42.34" in books.message_zh and "1374" in books.message_zh
    assert "fits about 1374 students" in books.message_en
    assert "生均图书" in batch.unused_columns  # never used by the evaluation itself


def test_one_sheet_with_level_column_and_merged_school_cells() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "学校数据"
    ws.append(["学校标识码", "学校名称", "学段", "在校生数", "教学及辅助用房面积（平方米）", "占地面积（平方米）"])
    ws.append(["QH-B", "示例B乡中心学校", "小学", 1041, 4005, 20000])
    ws.append([None, None, "初中部", 573, 2438, None])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.merge_cells("F2:F3")  # one land area for both sections: cannot be split → error
    batch = read_xlsx_bytes(_bytes(wb), "b.xlsx")
    check_invariant(batch)
    assert batch.rows_read == 2 and batch.sections == []
    assert {(i.row, i.cell) for i in batch.errors} == {(2, "F2"), (3, "F3")}
    assert all("跨多行合并" in i.message_zh and "F2" in i.message_zh for i in batch.errors)
    ws.unmerge_cells("F2:F3")
    batch = read_xlsx_bytes(_bytes(wb), "b.xlsx")
    assert [s.key for s in batch.sections] == [("QH-B", Level.primary), ("QH-B", Level.junior)]
    junior = batch.sections[1]
    assert junior.school_name == "示例B乡中心学校"  # merged text applies to both rows
    # examples.md B: 2438 / 573 = 4.254… → "4.25/生"
    assert junior.values["teaching_aux_area_m2"] / junior.values["students"] == Fraction(2438, 573)


def test_sheet_level_contradiction_duplicates_hidden_and_formulas() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "小学"
    ws.append(["学校标识码", "学段", "在校生数", "班级数"])
    ws.append(["F-SYN", "初中", 860, 20])  # contradicts the sheet name
    ws.append(["G-SYN", None, "=800+60", 20])  # formula saved by openpyxl: no saved result
    ws.append(["合计", None, 1720, 40])  # a total row is skipped with a warning
    ws2 = wb.create_sheet("小学部")
    ws2.append(["学校标识码", "在校生数"])
    ws2.append(["E-XX", 124])
    wb.create_sheet("小学（补充）").append(["学校代码", "在校生数"])
    wb["小学（补充）"].append(["E-XX", 140])  # the same school and level, in another sheet
    wb.create_sheet("lists").sheet_state = "hidden"
    batch = read_xlsx_bytes(_bytes(wb), "x.xlsx")
    check_invariant(batch)
    assert batch.rows_read == 4 and [s.key for s in batch.sections] == [("E-XX", Level.primary)]
    errors = {(i.sheet, i.row, i.cell): i for i in batch.errors}
    assert set(errors) == {("小学", 2, "B2"), ("小学", 3, "C3"), ("小学（补充）", 2, "A2")}
    assert "学段与工作表名称“小学”" in errors[("小学", 2, "B2")].message_zh
    assert "公式没有保存的计算结果" in errors[("小学", 3, "C3")].message_zh
    assert errors[("小学", 3, "C3")].value == "=800+60"
    assert "首次出现在工作表“小学部”第2行" in errors[("小学（补充）", 2, "A2")].message_zh
    assert [i.message_zh for i in batch.errors].count("缺少在校生数") == 0  # reported once, as a formula
    warnings = {(i.sheet, i.row): i.message_en for i in batch.issues if i.severity == "warning"}
    assert warnings[("小学", 4)] == "a total, subtotal or signature row, not a school: skipped"
    assert warnings[("lists", None)] == "hidden sheet: not read"


def test_excel_numbers_read_from_their_shortest_text() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "初中"
    ws.append(["学校标识码", "在校生数", "占地面积", "校舍建筑面积", "教学及辅助用房面积"])
    # 0.1 + 0.2 style floats never leak: 36447.46 stays 36447.46, not 36447.4599999…
    ws.append(["GX-A", 1289, 36447.46, 18082.19, 20000.5])
    batch = read_xlsx_bytes(_bytes(wb), "a.xlsx")
    [a] = batch.sections
    assert a.values["land_area_m2"] == Fraction(3644746, 100)
    assert a.values["building_area_m2"] == Fraction(1808219, 100)
    # 教学及辅助用房 is part of 校舍建筑面积: 20000.5 > 18082.19 is flagged
    [w] = [i for i in batch.issues if i.severity == "warning"]
    assert "部分不应大于整体" in w.message_zh


def test_no_level_anywhere_and_unreadable_files(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["学校标识码", "在校生数"])
    wb.active.append(["X", 1])
    batch = read_xlsx_bytes(_bytes(wb), "n.xlsx")
    assert batch.rows_read == 0
    assert "没有“学段”列" in batch.issues[0].message_zh
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    batch = read_facts(broken)
    assert batch.rows_read == 0 and "无法打开Excel工作簿" in batch.issues[0].message_zh
    with pytest.raises(UnsupportedFormatError, match=r"\.xls, \.xlsm, \.xlsx"):
        read_facts(tmp_path / "old.xlsb")  # .xls is read (issue 11); .xlsb is not


@pytest.mark.parametrize(("title", "level"), [
    ("小学", Level.primary), ("初中部", Level.junior), ("2024年小学学段", Level.primary),
    ("primary", Level.primary), ("Junior schools", Level.junior), ("Sheet1", None), ("中小学", None),
])
def test_sheet_level(title: str, level: Level | None) -> None:
    assert sheet_level(title) is level


def test_issue_message_without_sheet_is_unchanged() -> None:
    issue = InputIssue(file="a.csv", row=2, column="在校生数", value="x", message_zh="错", message_en="bad")
    assert issue.message("zh") == "a.csv，第2行，列“在校生数”，值“x”：错"

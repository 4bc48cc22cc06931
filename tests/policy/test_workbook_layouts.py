"""The workbooks counties keep (issue 11 item 2): the 申报表 layout end to end, per-student
columns, total and signature rows, header wordings, did-you-mean, a name key, a header below a
title in CSV. Expected values are worked out by hand in the comments."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.render.explain import explain_county
from junheng.engine.county import evaluate_county
from junheng.engine.results import Outcome
from junheng.policy.facts import Level
from junheng.policy.inputs import FactsBatch
from junheng.policy.readers import match_header, read_facts_text
from junheng.policy.registry import load_ruleset
from junheng.policy.xlsx_reader import read_xlsx_bytes

F = Fraction


def _bytes(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def check_invariant(batch: FactsBatch) -> None:
    assert len(batch.sections) + batch.rejected_rows == batch.rows_read


# Columns of the form: 序号 学校名称 学校标识码 学段 在校生数 班级数 | 高于规定学历教师 县级以上骨干教师
# 体育、艺术专任教师 (人数 each) | 教学及辅助用房 (面积 | 生均) 体育运动场馆 (面积 | 生均)
# 教学仪器设备值 (总值（万元） | 生均（元）) | 网络多媒体教室 (间数) | 学年 备注
TOP = ["序号", "学校名称", "学校标识码", "学段", "在校生数", "班级数", "高于规定学历教师", "县级以上骨干教师",
       "体育、艺术专任教师", "教学及辅助用房", None, "体育运动场馆", None, "教学仪器设备值", None,
       "网络多媒体教室", "学年", "备注"]
SUB = [None, None, None, None, None, None, "人数", "人数", "人数", "面积（平方米）", "生均（平方米）",
       "面积（平方米）", "生均（平方米）", "总值（万元）", "生均（元）", "间数", None, None]
ROWS: list[list[object]] = [
    # 1000 students: 4500/1000 = 4.5 m²; 410.5万 = 4 105 000 元 / 1000 = 4105 元 — the 生均 cells agree
    [1, "城关一小", "S01", "小学", 1000, 24, 60, 10, 8, 4500, 4.5, 8000, 8, 410.5, 4105, 24, "2025—2026学年", None],
    # 800 students: 211.016万 = 2 110 160 元 / 800 = 2637.7 元; 3000/800 = 3.75 m² — agree
    [2, "城关二小", "S02", "小学", 800, 18, 50, 8, 6, 3000, 3.75, 6000, 7.5, "211.016万元", 2637.7, 18,
     "2025—2026学年", None],
    # 约160 students: not a number — the row is rejected, named by its cell
    [3, "河口小学", "S03", "小学", "约160", 6, 12, 2, 2, 800, 5, 1600, 10, 40, 2500, 6, "2025—2026学年", "村小"],
    ["小学小计", None, None, None, "=SUM(E5:E7)", None, None, None, None, "=SUM(J5:J7)", None, None, None,
     None, None, None, None, None],
    # 500 students: 2500/500 = 5.0 m², but 5.8 is stated beside it → warning, the total is used
    [4, "城关一中", "J01", "初中", 500, 12, 40, 6, 5, 2500, 5.8, 6000, 12, 150, 3000, 12, "2025—2026学年", None],
    # 100% in a room count: a percentage is not a number of rooms — the row is rejected
    [5, "河口中学", "J02", "初中", 300, 8, 25, 3, 3, 1800, 6, 3600, 12, 90, 3000, "100%", "2025—2026学年", None],
    [None, "初中小计", None, None, "=SUM(E9:E10)", None, None, None, None, None, None, None, None, None, None,
     None, None, None],
    ["合计", None, None, None, 2760, None, None, None, None, None, None, None, None, None, None, None, None, None],
    ["填表人：张三      审核人：李四      联系电话：0551-1234567"],
]


def shenbao_workbook() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表Ⅱ-2"
    ws["A1"] = "示范县义务教育学校办学条件情况统计表"
    ws.merge_cells("A1:R1")
    ws["A2"] = "填报单位（盖章）：示范县教育局            填报日期：2026年9月"
    ws.merge_cells("A2:R2")
    ws.append(TOP)
    ws.append(SUB)
    for col in ("A", "B", "C", "D", "E", "F", "Q", "R"):
        ws.merge_cells(f"{col}3:{col}4")
    for first, last in (("J", "K"), ("L", "M"), ("N", "O")):
        ws.merge_cells(f"{first}3:{last}3")
    for row in ROWS:
        ws.append(row)
    ws.merge_cells("A13:R13")  # the signature line
    return wb


def test_shenbao_layout_reads_every_good_section() -> None:
    batch = read_xlsx_bytes(_bytes(shenbao_workbook()), "申报表.xlsx")
    check_invariant(batch)
    assert [s.key for s in batch.sections] == [("S01", Level.primary), ("S02", Level.primary),
                                               ("J01", Level.junior)]
    s01, s02, j01 = batch.sections
    assert s01.values["teaching_aux_area_m2"] == 4500
    assert s01.values["equipment_value_yuan"] == 4105000  # 410.5 万元
    assert s02.values["equipment_value_yuan"] == 2110160  # 211.016万元 under （万元）: agreeing units
    assert s01.values["multimedia_classrooms"] == 24
    assert s01.values["teachers_above_required_degree"] == 60
    assert s01.values["backbone_teachers"] == 10
    assert s01.values["pe_art_teachers"] == 8
    assert s01.values["sports_area_m2"] == 8000
    assert s01.school_name == "城关一小"
    # the two bad cells, named by file, sheet, row, column, value (zh + en)
    errors = [(i.file, i.sheet, i.row, i.cell, i.value) for i in batch.errors]
    assert errors == [("申报表.xlsx", "表Ⅱ-2", 7, "E7", "约160"), ("申报表.xlsx", "表Ⅱ-2", 10, "P10", "100%")]
    students, rooms = batch.errors
    assert (students.column, rooms.column) == ("在校生数", "网络多媒体教室")
    assert "表Ⅱ-2" in students.message("zh") and "第7行" in students.message("zh") and "约160" in students.message("zh")
    assert "row 7" in students.message("en") and "E7" in students.message("en")
    assert "百分数" in rooms.message_zh and "percentage" in rooms.message_en
    assert [(r.row, r.school_id, r.level) for r in batch.rejected] == [(7, "S03", Level.primary),
                                                                      (10, "J02", Level.junior)]
    # total, subtotal and signature rows: skipped with a note, never an error
    skipped = {i.row: i.value for i in batch.issues if "skipped" in i.message_en}
    assert skipped == {8: "小学小计", 11: "初中小计", 12: "合计",
                       13: "填表人：张三      审核人：李四      联系电话：0551-1234567"}
    warnings = [i for i in batch.issues if i.severity == "warning"]
    # 学年 “2025—2026学年” is a label: a warning, never a rejection
    assert {i.row for i in warnings if i.value == "2025—2026学年"} == {5, 6, 7, 9, 10}
    # 城关一中 states 5.8 m² per student beside 2500 m² for 500 students (= 5.0): warned, total used
    (mismatch,) = [i for i in warnings if i.row == 9 and i.value == "5.8"]
    assert "2500 ÷ 500 = 5" in mismatch.message_zh
    assert j01.values["teaching_aux_area_m2"] == 2500
    assert not [i for i in warnings if i.row in (5, 6) and i.value not in ("2025—2026学年",)]


def test_county_from_the_shenbao_workbook_is_not_met_while_a_row_is_rejected(tmp_path: Path) -> None:
    batch = read_xlsx_bytes(_bytes(shenbao_workbook()), "申报表.xlsx")
    run = evaluate_county(load_ruleset("national/quality-2017"), batch, None, engine="direct")
    assert run.outcome is not Outcome.passed
    assert [(r.sheet, r.row) for r in run.rejected_rows] == [("表Ⅱ-2", 7), ("表Ⅱ-2", 10)]
    assert "申报表.xlsx 工作表“表Ⅱ-2” 第7行（S03 河口小学 小学）" in explain_county(run, "zh")
    path = tmp_path / "申报表.xlsx"
    shenbao_workbook().save(path)
    out = CliRunner().invoke(app, ["county", str(path), "-f", "json"])
    assert out.exit_code == 1
    assert '"passed": null' in out.stdout


def test_per_student_column_alone_is_never_a_total() -> None:
    # 教学仪器设备值 over 生均（元）, 800 students: 2637.7 元 per student → total 2637.7 × 800 = 2 110 160 元
    # (read as a total it would be 2637.7 / 800 ≈ 3.3 元 per student).
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "小学"
    ws.append(["学校标识码", "在校生数", "教学仪器设备值"])
    ws.append([None, None, "生均（元）"])
    ws.append(["P1", 800, 2637.7])
    batch = read_xlsx_bytes(_bytes(wb), "p.xlsx")
    (s,) = batch.sections
    assert s.values["equipment_value_yuan"] == 2110160
    assert s.values["equipment_value_yuan"] / s.values["students"] == F(26377, 10)
    (note,) = [i for i in batch.issues if i.severity == "warning"]
    assert note.column == "生均教学仪器设备值(元)" and "× 在校生数" in note.message_zh
    # the same in a one-row CSV header, and per 100 students: 12.5 computers per 100 × 1476 / 100 = 184.5
    text = "学校标识码,学段,在校生数,生均教学仪器设备值（元）,每百名学生计算机台数\nP1,小学,1476,2637.7,12.5\n"
    (s,) = read_facts_text(text, "csv", "p.csv").sections
    assert s.values["equipment_value_yuan"] == F(26377, 10) * 1476
    assert s.values["computers"] == F(1845, 10)


def test_total_and_per_student_side_by_side_takes_the_total() -> None:
    # 62500 books for 1476 students = 42.34 per student; 45.5 stated → warning; the total is used.
    text = "学校标识码,学段,在校生数,图书册数,生均图书（册）\nP1,小学,1476,62500,45.5\nP2,小学,100,4250,42.5\n"
    batch = read_facts_text(text, "csv", "b.csv")
    assert [s.values["books"] for s in batch.sections] == [62500, 4250]
    (warning,) = [i for i in batch.issues if i.severity == "warning"]
    assert warning.row == 2 and "62500 ÷ 1476" in warning.message_zh


@pytest.mark.parametrize(("header", "fact"), [
    ("县级及以上骨干教师数", "backbone_teachers"), ("网络多媒体教室（间）", "multimedia_classrooms"),
    ("体育、艺术专任教师（人）", "pe_art_teachers"), ("计算机（台）", "computers"), ("在校生人数", "students"),
    ("高于规定学历教师人数", "teachers_above_required_degree"), ("网络多媒体教室间数", "multimedia_classrooms"),
    ("专任教师（人）", "teachers"),
])
def test_header_wordings(header: str, fact: str) -> None:
    assert match_header(header).fact == fact


def test_did_you_mean_for_unknown_headers() -> None:
    text = "学校标识码,学段,在校生数,教学仪器设备价值,序号\nP1,小学,100,5,1\n"
    batch = read_facts_text(text, "csv", "d.csv")
    assert batch.unused_columns == ["教学仪器设备价值", "序号"]
    (hint,) = [i for i in batch.issues if i.column == "教学仪器设备价值"]
    assert hint.severity == "warning" and "是否指“教学仪器设备值”" in hint.message_zh
    assert "did you mean equipment_value_yuan" in hint.message_en


def test_no_id_column_keys_by_name_and_level() -> None:
    text = "学校名称,学段,在校生数\n一小,小学,100\n一贯制学校,小学,200\n一贯制学校,初中,150\n一小,小学,90\n"
    batch = read_facts_text(text, "csv", "n.csv")
    check_invariant(batch)
    assert [s.key for s in batch.sections] == [("一小", Level.primary), ("一贯制学校", Level.primary),
                                               ("一贯制学校", Level.junior)]
    assert any(i.severity == "warning" and "学校名称 + 学段" in i.message_zh for i in batch.issues)
    (dup,) = batch.errors
    assert (dup.row, dup.column, dup.value) == (5, "学校名称", "一小")


def test_csv_header_below_a_title_and_total_rows() -> None:
    text = ("示范县学校统计表\n填报单位：示范县教育局,,\n学校标识码,学段,在校生数\nP1,小学,100\nP2,小学,50\n"
            "全县合计,,150\n填表人：张三,,\n")
    batch = read_facts_text(text, "csv", "t.csv")
    check_invariant(batch)
    assert [(s.school_id, s.row) for s in batch.sections] == [("P1", 4), ("P2", 5)]
    assert batch.errors == []
    assert {i.row for i in batch.issues if "skipped" in i.message_en} == {6, 7}


def test_xls_workbook_is_read_like_xlsx(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("小学")
    ws.write_merge(0, 0, 0, 3, "示范县小学统计表")  # a merged title row
    for c, h in enumerate(["学校标识码", "学校名称", "在校生数", "教学仪器设备值"]):
        ws.write(1, c, h)
    ws.write(2, 3, "生均（元）")
    for c, v in enumerate(["P1", "一小", 800, 2637.7]):
        ws.write(3, c, v)
    for c, v in enumerate(["P2", "二小", "约160", 2000]):
        ws.write(4, c, v)
    ws.write(5, 0, "合计")
    ws.write(5, 2, 960)
    path = tmp_path / "县.xls"
    wb.save(str(path))
    from junheng.policy.readers import read_facts

    batch = read_facts(path)
    check_invariant(batch)
    (s,) = batch.sections
    assert (s.key, s.school_name) == (("P1", Level.primary), "一小")
    assert s.values["equipment_value_yuan"] == 2110160  # 2637.7 per student × 800, never a total
    (error,) = batch.errors
    assert (error.sheet, error.row, error.cell, error.value) == ("小学", 5, "C5", "约160")
    assert any(i.row == 6 and "skipped" in i.message_en for i in batch.issues)


def test_damaged_xls_is_a_clear_error(tmp_path: Path) -> None:
    from junheng.policy.readers import read_facts

    path = tmp_path / "坏.xls"
    path.write_bytes(b"not an excel file at all")
    batch = read_facts(path)
    assert batch.rows_read == 0
    (error,) = batch.errors
    assert ".xlsx" in error.message_zh and "save it as .xlsx" in error.message_en


def test_column_map(tmp_path: Path) -> None:
    from junheng.policy.readers import ColumnMapError, read_column_map

    mapping = tmp_path / "列.yaml"
    mapping.write_text("columns:\n  编号: school_id\n  学生: 在校生数\n  设备总值（万元）: equipment_value_yuan\n"
                       "  序号:\n", encoding="utf-8")
    text = "序号,编号,学段,学生,设备总值（万元）\n1,P1,小学,100,2.5\n"
    batch = read_facts_text(text, "csv", "m.csv", read_column_map(mapping))
    (s,) = batch.sections
    assert s.school_id == "P1"
    assert s.values["students"] == 100
    assert s.values["equipment_value_yuan"] == 25000  # the header's 万元 still applies: 2.5 × 10 000
    assert not [i for i in batch.issues if i.severity == "warning"]  # 序号 ignored on purpose
    # without the mapping the same file has no id column: keyed by … nothing, a file error
    assert read_facts_text(text, "csv", "m.csv").rows_read == 0
    bad = tmp_path / "坏.yaml"
    bad.write_text("编号: school_idd\n学生: 在校生\n", encoding="utf-8")
    with pytest.raises(ColumnMapError) as info:
        read_column_map(bad)
    assert "did you mean school_id" in info.value.message_en and "school_idd" in info.value.message_zh
    # the CLI: --columns on evaluate, a bad map is a usage error (exit 2)
    data = tmp_path / "m.csv"
    data.write_text(text, encoding="utf-8")
    out = CliRunner().invoke(app, ["evaluate", str(data), "--columns", str(mapping), "-f", "json"])
    assert out.exit_code == 0, out.stdout
    out = CliRunner().invoke(app, ["evaluate", str(data), "--columns", str(bad)])
    assert out.exit_code == 2


def test_xlsx_sheet_without_id_column_keys_by_name() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "初中"
    ws.append(["学校名称", "在校生人数", "计算机（台）"])
    ws.append(["一中", 500, 60])
    ws.append(["二中", 300, 40])
    batch = read_xlsx_bytes(_bytes(wb), "n.xlsx")
    assert [(s.key, s.values["computers"]) for s in batch.sections] == [
        (("一中", Level.junior), 60), (("二中", Level.junior), 40)]
    assert any("学校名称 + 学段" in i.message_zh and i.sheet == "初中" for i in batch.issues)


@settings(max_examples=60, deadline=None)
@given(per_student=st.decimals(min_value="0.01", max_value="99999.99", places=2),
       students=st.integers(1, 5000))
def test_property_a_per_student_column_alone_is_value_times_students(per_student: object, students: int) -> None:
    text = f"学校标识码,学段,在校生数,生均教学仪器设备值（元）\nP1,小学,{students},{per_student}\n"
    (s,) = read_facts_text(text, "csv", "p.csv").sections
    assert s.values["equipment_value_yuan"] == F(str(per_student)) * students


@settings(max_examples=60, deadline=None)
@given(mark=st.sampled_from(["合计", "小计", "总计", "全县", "全县合计", "小学小计", "填表人：王五", "审核人:赵六",
                             "联系电话：12345", "总 计"]),
       column=st.sampled_from(["序号", "学校名称", "学校标识码"]))
def test_property_total_and_signature_rows_are_never_errors(mark: str, column: str) -> None:
    cells = {"序号": "1", "学校名称": "一小", "学校标识码": "P1"}
    total = {"序号": "", "学校名称": "", "学校标识码": ""}
    total[column] = mark
    text = ("序号,学校名称,学校标识码,学段,在校生数\n" + ",".join(cells.values()) + ",小学,100\n"
            + ",".join(total.values()) + ",,约999\n")
    batch = read_facts_text(text, "csv", "t.csv")
    assert batch.errors == [] and [s.school_id for s in batch.sections] == ["P1"]
    assert [i.row for i in batch.issues if "skipped" in i.message_en] == [3]

"""Yes/no facts read as a Chinese workbook writes them (是/否, √/×, 1/0, true/false, Y/N): the
school fact ``rural_small_school`` and the county's 是/否 items go through one parser
(policy/cells.py ``parse_boolean``); anything else is an error naming the file, row, column and
value, in Chinese and English — never a guess."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import openpyxl

from junheng.policy.county_facts import parse_county_facts, read_county_facts
from junheng.policy.facts import FACTS, FactKind
from junheng.policy.readers import read_facts, read_facts_text

_CSV = """school_id,level,students,农村小规模学校
A,小学,100,是
B,小学,100,否
C,小学,100,√
D,小学,100,×
E,小学,100,1
F,小学,100,0
G,小学,100,
H,小学,100,有
"""


def test_every_boolean_fact_is_declared_boolean() -> None:
    # the class: a fact whose unit is "bool" is read by the yes/no parser, not as a number
    assert [f.name for f in FACTS.values() if f.unit == "bool"] == ["rural_small_school"]
    assert all(f.kind is FactKind.boolean for f in FACTS.values() if f.unit == "bool")


def test_school_csv_yes_no_forms() -> None:
    batch = read_facts_text(_CSV, "csv", "s.csv")
    got = {s.school_id: s.values.get("rural_small_school") for s in batch.sections}
    # 是 √ 1 → 1; 否 × 0 → 0; blank → missing (not 否); 有 → the row is rejected
    assert got == {"A": 1, "B": 0, "C": 1, "D": 0, "E": 1, "F": 0, "G": None}
    (issue,) = [i for i in batch.issues if i.severity == "error"]
    assert (issue.file, issue.row, issue.column, issue.value) == ("s.csv", 9, "农村小规模学校", "有")
    assert issue.message_zh == "“农村小规模学校（是/否）”：“有”不是是/否：应填 是/否（或 1/0、√/×）"
    assert issue.message_en == "rural_small_school: '有' is not yes/no: write 是/否 (or 1/0, yes/no, √/×)"


def test_xlsx_true_false_and_ticks(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "学校"
    ws.append(["学校标识码", "学段", "在校生数", "是否农村小规模学校"])
    ws.append(["A", "小学", 100, True])  # an Excel TRUE
    ws.append(["B", "小学", 100, "✓"])
    ws.append(["C", "小学", 100, "N"])
    ws.append(["D", "小学", 100, 2])  # a number other than 1/0
    path = tmp_path / "学校.xlsx"
    wb.save(path)
    batch = read_facts(path)
    assert {s.school_id: s.values.get("rural_small_school") for s in batch.sections} == {
        "A": 1, "B": 1, "C": 0}
    (issue,) = [i for i in batch.issues if i.severity == "error"]
    assert (issue.sheet, issue.row, issue.column, issue.value) == ("学校", 5, "是否农村小规模学校", "2")
    assert "不是是/否" in issue.message_zh and "is not yes/no" in issue.message_en


def test_county_yes_no_items_take_the_same_forms() -> None:
    f = parse_county_facts({"facts": {"layout_reasonable": "是", "four_unified_standards": "×",
                                      "music_art_rooms_met": "true", "small_school_funding_at_100": "有"}},
                           "县.yaml")
    assert f.values == {"layout_reasonable": Fraction(1), "four_unified_standards": Fraction(0),
                        "music_art_rooms_met": Fraction(1)}
    (issue,) = f.issues
    assert (issue.file, issue.column, issue.value) == ("县.yaml", "small_school_funding_at_100", "有")
    assert issue.message_zh.startswith("“不足100名学生的村小学和教学点按100名学生核定公用经费”：“有”不是是/否")
    assert issue.message_en == "small_school_funding_at_100: '有' is not yes/no: write 是/否 (or 1/0, yes/no, √/×)"


def test_county_xlsx_yes_no(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事实名", "数值"])
    ws.append(["layout_reasonable", "√"])
    ws.append(["four_unified_standards", "否"])
    path = tmp_path / "县.xlsx"
    wb.save(path)
    f = read_county_facts(path)
    assert f.values == {"layout_reasonable": 1, "four_unified_standards": 0} and not f.issues

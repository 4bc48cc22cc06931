"""Reading facts files: encodings, headers, exact numbers, row validation and the row invariant."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from junheng.policy.facts import Level
from junheng.policy.inputs import FactsBatch
from junheng.policy.readers import (
    UnsupportedFormatError,
    match_header,
    read_facts,
    read_facts_text,
)

DATA = Path(__file__).resolve().parent.parent / "data"

# School B of shared/spec/examples.md (Qinghai township central school), two sections.
QINGHAI_B = """\
学校标识码,学校名称,学段,学校类型,在校生数,班级数,教学及辅助用房面积（平方米）,\
体育运动场馆面积（平方米）,教学仪器设备值（万元）,教学用计算机台数,图书册数,专任教师数,\
高于规定学历教师数,中级及以上专业技术职务教师数,平均班额
QH-B,青海某乡中心学校,小学,九年一贯制学校,1041,49,4005,12012,140.8,146,23146,74,69,53,21.2
QH-B,青海某乡中心学校,初中部,九年一贯制学校,573,12,2438,5400,185,119,18300,57,38,36,47.8
"""


def check_invariant(batch: FactsBatch) -> None:
    assert len(batch.sections) + batch.rejected_rows == batch.rows_read


def test_qinghai_b_fixture() -> None:
    batch = read_facts_text(QINGHAI_B, "csv", "qinghai_b.csv")
    check_invariant(batch)
    assert batch.issues == []
    assert batch.unused_columns == ["平均班额"]
    primary, junior = batch.sections
    assert (primary.key, junior.key) == (("QH-B", Level.primary), ("QH-B", Level.junior))
    assert (primary.row, junior.row) == (2, 3)
    assert primary.school_type == "nine_year"
    assert primary.extra == {"平均班额": "21.2"}
    p, j = primary.values, junior.values
    # header （万元）: 140.8 × 10000 = 1,408,000 元; 185 × 10000 = 1,850,000 元
    assert p["equipment_value_yuan"] == 1408000
    assert j["equipment_value_yuan"] == 1850000
    # 4005 / 1041 = 3.847… → the report's "3.85/生"; 2438 / 573 = 4.254… → "4.25/生"
    assert p["teaching_aux_area_m2"] / p["students"] == Fraction(4005, 1041)
    assert round(float(p["teaching_aux_area_m2"] / p["students"]), 2) == 3.85
    assert round(float(j["teaching_aux_area_m2"] / j["students"]), 2) == 4.25
    # 12012 / 1041 = 11.538… → "11.54/生"; 5400 / 573 = 9.424… → "9.42/生"
    assert round(float(p["sports_area_m2"] / p["students"]), 2) == 11.54
    assert round(float(j["sports_area_m2"] / j["students"]), 2) == 9.42
    # 1408000 / 1041 = 1352.55… ("1352.5/生"); 1850000 / 573 = 3228.62… ("3228.6/生")
    assert int(p["equipment_value_yuan"] * 10 / p["students"]) == 13525
    assert int(j["equipment_value_yuan"] * 10 / j["students"]) == 32286
    # computers per 100: 146 / 10.41 = 14.02; 119 / 5.73 = 20.77
    assert round(float(p["computers"] * 100 / p["students"]), 2) == 14.02
    assert round(float(j["computers"] * 100 / j["students"]), 2) == 20.77
    # books: 23146 / 1041 = 22.23; 18300 / 573 = 31.94
    assert round(float(p["books"] / p["students"]), 2) == 22.23
    assert round(float(j["books"] / j["students"]), 2) == 31.94
    # 38 / 573 = 0.0663 (the report's 0.07 is rounded); 36 / 573 = 0.0628 (report says 0.062)
    assert j["teachers_above_required_degree"] / j["students"] == Fraction(38, 573)
    assert round(float(j["teachers_mid_senior_title"] / j["students"]), 4) == 0.0628


def test_qinghai_b_data_file() -> None:
    path = DATA / "qinghai_b.csv"
    batch = read_facts(path)
    check_invariant(batch)
    assert batch.issues == [] and batch.unused_columns == []
    assert batch.file == "qinghai_b.csv"
    assert batch.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [s.values["students"] for s in batch.sections] == [1041, 573]
    assert all(s.source == "qinghai_b.csv" for s in batch.sections)


# --- encodings and formats ---------------------------------------------------------------------

SIMPLE = "学校标识码,学段,在校生数,班级数,专任教师数\nS1,小学,1041,49,74\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "s.csv"
    data = SIMPLE.encode(encoding)
    path.write_bytes(data)
    batch = read_facts(path)
    assert batch.issues == []
    assert batch.sections[0].values == {"students": 1041, "classes": 49, "teachers": 74}
    assert batch.file_sha256 == hashlib.sha256(data).hexdigest()


def test_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(SIMPLE.replace(",", "\t"), encoding="utf-8")
    assert read_facts(path).sections[0].values["students"] == 1041


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text(SIMPLE, encoding="utf-8")
    with pytest.raises(UnsupportedFormatError, match=r"\.txt"):
        read_facts(path)
    with pytest.raises(UnsupportedFormatError):
        read_facts_text(SIMPLE, "xml", "s.xml")


def test_json_exact_numbers(tmp_path: Path) -> None:
    text = json.dumps(
        {"schools": [{"school_id": 12345, "level": "primary", "students": 1041,
                      "land_area_m2": 0.1, "teaching_aux_area_m2": "36447。46"}]}
    )
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    batch = read_facts(path)
    assert batch.issues == []
    s = batch.sections[0]
    assert s.school_id == "12345"
    assert s.values["land_area_m2"] == Fraction(1, 10)
    assert s.values["teaching_aux_area_m2"] == Fraction(3644746, 100)
    assert s.row == 1


def test_json_list_and_bad_values() -> None:
    text = (
        '[{"school_id": "A", "level": "小学", "students": 0.9e3, "building_area_m2": 0.9},'
        ' {"school_id": "B", "level": "初中", "students": NaN},'
        ' {"school_id": "C", "level": "初中", "students": true},'
        ' [1, 2]]'
    )
    batch = read_facts_text(text, "json", "s.json")
    check_invariant(batch)
    assert batch.rows_read == 4
    (a,) = batch.sections
    assert a.values == {"students": 900, "building_area_m2": Fraction(9, 10)}
    by_row = {i.row: i for i in batch.errors}
    assert set(by_row) == {2, 3, 4}
    assert by_row[2].value == "NaN" and "NaN" in by_row[2].message_en
    assert by_row[3].value == "true"


def test_json_two_keys_for_one_fact_rejects_the_record() -> None:
    text = '[{"school_id": "A", "level": "小学", "students": 10, "在校生数": 11}]'
    batch = read_facts_text(text, "json", "s.json")
    check_invariant(batch)
    assert batch.sections == [] and batch.errors[0].row == 1


def test_json_syntax_error_is_a_file_issue() -> None:
    batch = read_facts_text('[{"school_id": ', "json", "s.json")
    assert batch.rows_read == 0 and batch.errors[0].row is None
    assert "invalid JSON" in batch.errors[0].message_en


def test_yaml_exact_numbers(tmp_path: Path) -> None:
    text = """\
schools:
  - school_id: 012345
    level: junior
    students: 573
    building_area_m2: 0.9
    land_area_m2: 26684.53
    school_type: 初级中学
  - school_id: "Y2"
    level: 小学部
    students: 1,041
    sports_area_m2: 1.2e3
"""
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    batch = read_facts(path)
    assert batch.issues == []
    first, second = batch.sections
    assert first.school_id == "012345"  # not octal 5349
    assert first.values["building_area_m2"] == Fraction(9, 10)
    assert first.values["land_area_m2"] == Fraction(2668453, 100)
    assert first.school_type == "junior_school"
    assert second.level is Level.primary
    assert second.values == {"students": 1041, "sports_area_m2": 1200}
    assert read_facts_text(text, "yml", "s.yml").sections == [
        s.model_copy(update={"source": "s.yml"}) for s in batch.sections
    ]


def test_yaml_inf_and_nan_are_rejected() -> None:
    text = "- {school_id: A, level: primary, students: .inf}\n- {school_id: B, level: primary, " \
           "students: 10, land_area_m2: .nan}\n"
    batch = read_facts_text(text, "yaml", "s.yaml")
    check_invariant(batch)
    assert batch.sections == [] and {i.row for i in batch.errors} == {1, 2}


def test_yaml_empty_and_bad() -> None:
    assert read_facts_text("", "yaml", "e.yaml").errors[0].row is None
    assert read_facts_text("a: [", "yaml", "e.yaml").errors[0].message_en.startswith(
        "invalid YAML"
    )
    assert "list of records" in read_facts_text("42", "yaml", "e.yaml").errors[0].message_en


# --- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "fact", "scale"),
    [
        ("students", "students", 1),
        ("在校生数", "students", 1),
        (" 在校 生数 ", "students", 1),
        ("学生数（人）", "students", 1),
        ("教学及辅助用房面积（平方米）", "teaching_aux_area_m2", 1),
        ("教学及辅助用房面积(m²)", "teaching_aux_area_m2", 1),
        ("教学仪器设备值(万元)", "equipment_value_yuan", 10000),
        ("教学仪器设备值（单位：万元）", "equipment_value_yuan", 10000),
        ("校舍建筑面积（不含宿舍）", "building_area_m2", 1),
        ("校舍建筑面积（不含宿舍）（平方米）", "building_area_m2", 1),
        ("县（市、区）", "county", 1),
        ("体育、艺术（美术、音乐）专任教师数", "pe_art_teachers", 1),
        ("ＳＴＵＤＥＮＴＳ", "students", 1),
        ("在校生数（秋季）", None, 1),
        ("备注", None, 1),
    ],
)
def test_match_header(header: str, fact: str | None, scale: int) -> None:
    info = match_header(header)
    assert (info.fact, info.scale, info.problem) == (fact, scale, None)
    assert info.header == header


def test_header_unit_that_does_not_fit_is_a_file_error() -> None:
    batch = read_facts_text("学校标识码,学段,在校生数（平方米）\nA,小学,10\n", "csv", "u.csv")
    assert batch.rows_read == 0 and batch.sections == []
    assert batch.errors[0].column == "在校生数（平方米）" and batch.errors[0].row is None


def test_two_columns_for_one_fact_is_a_file_error() -> None:
    batch = read_facts_text("学校标识码,学段,students,在校生数\nA,小学,10,10\n", "csv", "d.csv")
    assert batch.rows_read == 0 and batch.sections == []
    (issue,) = batch.errors
    assert issue.row is None and issue.column == "在校生数"
    assert "students" in issue.message_en


def test_missing_key_column_is_a_file_error() -> None:
    # A title row above the header is fine (issue 11); a header with neither an id nor a name is not.
    batch = read_facts_text("XX县学校情况表\n学校标识码,学段\n", "csv", "t.csv")
    assert batch.rows_read == 0
    assert {i.message_en for i in batch.errors} == {"the file has no data rows"}
    batch = read_facts_text("学段,在校生数\n小学,100\n", "csv", "t.csv")
    assert {i.message_en for i in batch.errors} >= {"no 'school_id' column (nor a school name)"}


def test_header_unit_and_cell_unit() -> None:
    text = (
        "学校标识码,学段,在校生数,教学仪器设备值（万元）,占地面积（平方米）\n"
        "A,小学,10,140.8,4450平方米\n"
        "B,小学,10,140.8万,4450\n"  # the cell says 万 as the header does: 140.8万 = 1 408 000
        "C,小学,10,1408000元,4450\n"  # 元 in a 万元 column: ambiguous
        "D,小学,10,1,4450元\n"  # 元 in an area column
        "E,小学,10,410.5万元,4450\n"  # header and cell agree: 410.5 × 10 000 = 4 105 000
        "F,小学,10,410.5万平方米,4450\n"  # 万 agrees, the unit does not
    )
    batch = read_facts_text(text, "csv", "u.csv")
    check_invariant(batch)
    a, b, e = batch.sections
    assert a.values["equipment_value_yuan"] == b.values["equipment_value_yuan"] == 1408000
    assert e.values["equipment_value_yuan"] == 4105000
    assert a.values["land_area_m2"] == 4450
    assert [(i.row, i.column) for i in batch.errors] == [
        (4, "教学仪器设备值（万元）"), (5, "占地面积（平方米）"), (7, "教学仪器设备值（万元）"),
    ]


def test_unknown_columns_are_kept() -> None:
    text = "学校标识码,学段,在校生数,备注,其他,\nA,小学,10,新建校,,\nB,小学,10,,y,x\n"
    batch = read_facts_text(text, "csv", "x.csv")
    # 备注 (remarks) is kept with the row but is not an unused fact column
    assert batch.unused_columns == ["其他", "column 6"]
    assert [s.extra for s in batch.sections] == [{"备注": "新建校"}, {"其他": "y", "column 6": "x"}]


# --- row validation ----------------------------------------------------------------------------


def test_bad_middle_row_keeps_the_others() -> None:
    text = (
        "学校标识码,学段,在校生数,班级数\n"
        "A,小学,1041,49\n"
        "B,初中,12abc,12\n"
        "C,初中,573,12\n"
    )
    batch = read_facts_text(text, "csv", "m.csv")
    check_invariant(batch)
    assert batch.rows_read == 3
    assert [s.school_id for s in batch.sections] == ["A", "C"]
    assert [s.row for s in batch.sections] == [2, 4]
    (issue,) = batch.issues
    assert (issue.file, issue.row, issue.column, issue.value) == ("m.csv", 3, "在校生数", "12abc")
    assert issue.severity == "error" and issue.message_zh and issue.message_en
    assert "m.csv" in issue.message("zh") and "第3行" in issue.message("zh")


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ("1041,49,-74,,", "专任教师数", "negative"),
        ("0,49,74,,", "在校生数", "cannot be 0"),
        (",49,74,,", "在校生数", "missing"),
        ("—,49,74,,", "在校生数", "missing"),
        ("1041,49.5,74,,", "班级数", "whole number"),
        ("1041,49,74,75,", "高于规定学历教师数", "exceeds teachers"),
        ("1041,49,74,,70", "专任教师数", "exceeds staff"),
        ("1041,49,74,,inf", "教职工数", "NaN or infinity"),
        ("1041,49,74%,,", "专任教师数", "percentage"),
        ("1041,49,约74,,", "专任教师数", "approximate"),
    ],
)
def test_row_errors(cells: str, column: str, fragment: str) -> None:
    head = "学校标识码,学段,在校生数,班级数,专任教师数,高于规定学历教师数,教职工数"
    text = f"{head}\nA,小学,{cells}\n"
    batch = read_facts_text(text, "csv", "r.csv")
    check_invariant(batch)
    assert batch.sections == []
    assert any(i.column == column and fragment in i.message_en for i in batch.errors), batch.errors


def test_max_class_size_checks() -> None:
    head = "学校标识码,学段,在校生数,班级数,最大班额\n"
    too_big = read_facts_text(head + "A,初中,50,1,60\n", "csv", "c.csv")
    assert too_big.sections == [] and too_big.errors[0].column == "最大班额"
    # 573 / 12 = 47.75 > 45: kept, with a warning
    avg = read_facts_text(head + "A,初中,573,12,45\n", "csv", "c.csv")
    assert len(avg.sections) == 1 and [i.severity for i in avg.issues] == ["warning"]
    assert avg.issues[0].column == "最大班额"
    # 1289 students in 18 classes: 18 × 66 = 1188 < 1289 → 超大班额 warning, row kept
    huge = read_facts_text(head + "A,初中,1289,18,\n", "csv", "c.csv")
    check_invariant(huge)
    assert len(huge.sections) == 1 and huge.rejected_rows == 0
    assert huge.issues[0].severity == "warning" and "超大班额" in huge.issues[0].message_zh


def test_key_fields() -> None:
    text = (
        "学校标识码,学段,学校类型,学年,在校生数\n"
        ",小学,,,10\n"
        "A,高中,,,10\n"
        "B,初中,高中,,10\n"
        "C,初中,complete_secondary,2024,10\n"
        "D,初中,,24,10\n"
    )
    batch = read_facts_text(text, "csv", "k.csv")
    check_invariant(batch)
    c, d = batch.sections
    assert (c.school_type, c.year) == ("complete_secondary", 2024)
    assert [i.row for i in batch.errors] == [2, 3, 4]
    # 学年 is a label no rule reads: "24" is a warning and the row is evaluated without a year
    assert d.year is None
    assert [(i.row, i.column, i.value) for i in batch.issues if i.severity == "warning"] == [(6, "学年", "24")]


def test_duplicate_section_is_an_error_on_the_later_row() -> None:
    text = "学校标识码,学段,在校生数\nA,小学,10\nA,初中,20\nA,小学部,30\n"
    batch = read_facts_text(text, "csv", "d.csv")
    check_invariant(batch)
    assert [s.row for s in batch.sections] == [2, 3]
    (issue,) = batch.errors
    assert (issue.row, issue.column, issue.value) == (4, "学校标识码", "A")
    assert "first in row 2" in issue.message_en


@pytest.mark.parametrize(
    "text", ["", "   \n", "学校标识码,学段,在校生数\n", "学校标识码,学段\n,,\n"]
)
def test_empty_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "e.csv"
    path.write_text(text, encoding="utf-8")
    batch = read_facts(path)
    assert batch.rows_read == 0 and batch.sections == []
    (issue,) = batch.issues
    assert issue.row is None and issue.file == "e.csv"


def test_blank_rows_are_skipped_but_numbering_follows_the_sheet() -> None:
    text = "学校标识码,学段,在校生数\n\nA,小学,x\n,,\n"
    batch = read_facts_text(text, "csv", "b.csv")
    assert batch.rows_read == 1 and batch.errors[0].row == 3


# --- the row invariant ------------------------------------------------------------------------

GOOD_NUMBERS = ["1041", "1,289", "１２", "3。0", "40", "2万", ""]
BAD_NUMBERS = ["-5", "12abc", "1,28", "约60", "NaN", "1/2", "0.5"]
HEADERS = ["学校标识码", "学段", "在校生数", "班级数", "专任教师数", "教职工数", "备注"]


@st.composite
def csv_rows(draw: st.DrawFn) -> list[list[str]]:
    n = draw(st.integers(min_value=1, max_value=12))
    rows = []
    for _ in range(n):
        rows.append([
            draw(st.sampled_from(["A", "B", "C", "D", "", "E"])) or "Z",
            draw(st.sampled_from(["小学", "初中", "primary", "高中", ""])),
            draw(st.sampled_from(GOOD_NUMBERS + BAD_NUMBERS + ["0"])),
            draw(st.sampled_from(GOOD_NUMBERS + BAD_NUMBERS)),
            draw(st.sampled_from(GOOD_NUMBERS + BAD_NUMBERS)),
            draw(st.sampled_from(GOOD_NUMBERS + BAD_NUMBERS)),
            draw(st.sampled_from(["", "注", "x,y"])),
        ])
    return rows


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(csv_rows(), st.sampled_from(["csv", "json", "yaml"]))
def test_every_row_is_kept_or_rejected(rows: list[list[str]], fmt: str) -> None:
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf).writerows([HEADERS, *rows])
        text = buf.getvalue()
    else:
        records = [dict(zip(HEADERS, r, strict=True)) for r in rows]
        text = json.dumps(records, ensure_ascii=False)  # JSON is also valid YAML
    batch = read_facts_text(text, fmt, f"p.{fmt}")
    assert batch.rows_read == len(rows)
    check_invariant(batch)
    keys = [s.key for s in batch.sections]
    assert len(keys) == len(set(keys))
    for section in batch.sections:
        assert section.values["students"] > 0
        assert all(v >= 0 and v.denominator == 1 for v in section.values.values())

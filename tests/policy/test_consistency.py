"""Reviewer consistency warnings on the real inconsistencies of examples.md schools B, C and D."""

from __future__ import annotations

from junheng.policy.consistency import match_derived_header
from junheng.policy.readers import read_facts_text

# School C: 31 classes, enrolment stated 2091, but land 12972 m² "6.96/生", sports 7192 "3.86/生"
# and 校舍 5402 "2.89/生" are all per 1865 students. School D: 1476 students, books 62500
# "生均45.5册", sports 7957 "生均5.8". School B junior: 36 中级 teachers "0.062/生" (truncated),
# 平均班额 47.8, 师生比 1:10.05.
REPORTS = """\
学校标识码,学段,在校生数,班级数,专任教师数,占地面积,生均占地面积（平方米）,体育运动场馆面积,生均体育运动场馆面积,\
校舍建筑面积,生均校舍建筑面积,图书册数,生均图书,中级及以上专业技术职务教师数,生均中级及以上职称教师数,平均班额,师生比
C-JZ,初中,2091,31,109,12972,6.96,7192,3.86,5402,2.89,46532,,60,,,
GZ-D,初中,1476,28,123,,,7957,5.8,8900,,62500,45.5,,,,
QH-B,初中,573,12,57,,,5400,9.42,,,18300,31.94,36,0.062,47.8,1:10.05
"""


def _warnings() -> dict[tuple[int | None, str | None], str]:
    batch = read_facts_text(REPORTS, "csv", "reports.csv")
    assert batch.errors == []
    return {(i.row, i.column): i.message_zh for i in batch.issues
            if i.severity == "warning" and "不一致" in i.message_zh}


def test_school_c_figures_fit_1865_students_not_2091() -> None:
    w = _warnings()
    # 12972 / 2091 = 6.2037 → 6.2, stated 6.96; 12972 / 6.96 = 1863.8 → about 1864 students
    assert "12972 ÷ 2091 = 6.2" in w[(2, "生均占地面积（平方米）")]
    assert "约对应在校生1864人" in w[(2, "生均占地面积（平方米）")]
    # 7192 / 3.86 = 1863.2 → 1863; 5402 / 2.89 = 1869.2 → 1869
    assert "约对应在校生1863人" in w[(2, "生均体育运动场馆面积")]
    assert "约对应在校生1869人" in w[(2, "生均校舍建筑面积")]


def test_school_d_books_and_sports_ground() -> None:
    w = _warnings()
    # 62500 / 1476 = 42.344 → 42.34 ≠ 45.5; 7957 / 1476 = 5.3909 → 5.39 ≠ 5.8
    assert "62500 ÷ 1476 = 42.34" in w[(3, "生均图书")]
    assert "7957 ÷ 1476 = 5.39" in w[(3, "生均体育运动场馆面积")]


def test_rounded_or_truncated_stated_values_agree() -> None:
    w = _warnings()
    # B junior: 5400 / 573 = 9.424 → 9.42 (rounded); 18300 / 573 = 31.937 → 31.94;
    # 36 / 573 = 0.06283 → "0.062" truncated (within 0.001); 573 / 12 = 47.75 → 47.8;
    # 573 / 57 = 10.0526 → 1:10.05
    assert not [k for k in w if k[0] == 4]


def test_derived_headers() -> None:
    books = match_derived_header("生均图书（册）")
    assert books is not None and (books.numerator, books.denominator, books.scale) == ("books", "students", 1)
    per100 = match_derived_header("每百名学生拥有教学用计算机台数")
    assert per100 is not None and (per100.numerator, per100.scale) == ("computers", 100)
    assert match_derived_header("人均教学及辅助用房") is not None  # school E's wording
    assert match_derived_header("生均") is None and match_derived_header("备注") is None

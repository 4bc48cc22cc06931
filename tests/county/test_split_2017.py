"""Splitting 一贯制 schools and 完全中学 under the 2017 办法: exactly four asset indicators
(教学及辅助用房面积, 体育运动场馆面积, 教学仪器设备值, 网络多媒体教室数) are split by weighted enrolment,
one 初中生 = 1.1 小学生 (完全中学: one 高中生 = 1.2 初中生; 十二年一贯制 1 : 1.1 : 1.32); teacher figures
are reported per section and never split."""

from __future__ import annotations

from fractions import Fraction

from junheng.engine.county import evaluate_county
from junheng.policy.county_facts import parse_county_facts
from junheng.policy.readers import read_facts_text
from junheng.policy.registry import load_ruleset

F = Fraction

SECTIONS = """\
school_id,level,school_type,students
Y,primary,九年一贯制学校,300
Y,junior,九年一贯制学校,200
"""


def _run(*shared: dict[str, object]):  # type: ignore[no-untyped-def]
    facts = parse_county_facts({"county": "测试县", "facts": {}, "shared_assets": list(shared)}, "facts.yaml")
    return evaluate_county(load_ruleset("national/quality-2017"), read_facts_text(SECTIONS, "csv", "s.csv"),
                           facts, engine="direct")


def test_nine_year_school_splits_1_to_1_1() -> None:
    # 5200 m² for 300 primary + 200 junior: weights 300 and 200 × 1.1 = 220, sum 520 →
    # 小学 5200 × 300/520 = 3000 (10 m² each), 初中 5200 × 220/520 = 2200 (11 = 1.1 × 10 each)
    run = _run({"school_id": "Y", "fact": "teaching_aux_area_m2", "total": "5200"})
    [split] = run.splits
    assert (split.junior_weight, split.parts) == (F("1.1"), {"primary": F(3000), "junior": F(2200)})


def test_complete_secondary_senior_weight_is_1_2() -> None:
    # a 完全中学-style total with 100 senior students: junior 200 × 1.1 = 220, senior 100 × 1.1 × 1.2 = 132
    # (1 : 1.1 : 1.32), primary 300: sum 652 → junior share 6520 × 220/652 = 2200
    run = _run({"school_id": "Y", "fact": "sports_area_m2", "total": "6520", "senior_students": "100"})
    [split] = run.splits
    assert split.parts["junior"] == F(2200) and split.parts["primary"] == F(3000) and split.senior_weight == F("1.2")


def test_teacher_figures_are_never_split() -> None:
    run = _run({"school_id": "Y", "fact": "backbone_teachers", "total": "10"})
    assert run.splits == ()
    [warning] = [i for i in run.issues if "未分摊" in i.message_zh]
    assert warning.severity == "warning" and "县级以上骨干教师数" in warning.message_zh

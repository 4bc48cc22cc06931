"""Each ruleset says what its source says: placement, quotations, measures (issue 10 findings).

Expected values are read off the quoted source, by hand, in each test's comment.
"""

from __future__ import annotations

from fractions import Fraction

from junheng.policy.model import ScoredRule
from junheng.policy.registry import load_ruleset


def test_guizhou_sections_follow_the_score_sheet() -> None:
    r = load_ruleset("guizhou/conditions-2014").ruleset
    items = {x.id: x for x in r.rules if isinstance(x, ScoredRule)}
    # 生均占地面积 is scored in (一)学校设置与班额; 教师工资按时足额发放 in (四)教师配置 (the school's report:
    # "（四）教师配置 … 教师工资按时足额发放 … 该项得分为10分")
    assert (items["S1.land_area"].group, items["S1.land_area"].article) == ("S1", "（一）")
    assert (items["S4.salary"].group, items["S4.salary"].article) == ("S4", "（四）")
    # every section's items add up to its points: (一) 3 + 12 = 15, (二) 5 + 3 + 22 = 30,
    # (三) 5 + 4 + 1 + 3 + 17 = 30, (四) 2 + 8 = 10, (五) 15
    for gid, group in r.groups.items():
        assert sum((x.points for x in items.values() if x.group == gid), Fraction(0)) == group.points, gid
    # the rules appear in the score sheet's order: (一) … (五)
    order = [x.group for x in items.values()]
    assert order == sorted(order)


def test_guizhou_computer_schedule_is_not_justified_by_a_contradicted_score() -> None:
    # school D: sports 7957 ÷ 1476 = 5.39 < 5.5 → 0 of 3 under this ruleset, so section (三) is at
    # most 30 − 3 − 1 = 26, not the self-scored 29: the tiered computer schedule stays unconfirmed
    computers = load_ruleset("guizhou/conditions-2014").ruleset.rule("S3.computers")
    assert isinstance(computers, ScoredRule)
    assert computers.schedule.status is not None and computers.schedule.status.value == "unconfirmed"
    assert "29" not in computers.schedule.note or "不能佐证" in computers.schedule.note


def test_jiangsu_never_changes_the_meaning_of_a_national_item() -> None:
    js = load_ruleset("jiangsu/quality-county").ruleset
    national = load_ruleset("national/quality-2017").ruleset
    assert js.county is not None and national.county is not None
    # "义务教育巩固率99%" is not 初中三年巩固率; "随迁子女在公办学校就读率90%" leaves out 购买服务民办学校;
    # "约占15%" of 骨干/专任 teachers is not the share of teachers eligible for exchange: none is
    # put on the national item, which keeps the national number
    for item in ("quality.01_retention", "government.15b_migrant_children", "government.11a_teacher_exchange"):
        assert item not in js.overrides
        ours = next(c for c in js.county.criteria if c.id == item)
        theirs = next(c for c in national.county.criteria if c.id == item)
        assert (ours.value, ours.source) == (theirs.value, theirs.source)  # type: ignore[union-attr]
    # the class limits keep the source's "原则上"
    assert "原则上" in js.overrides["county.class_size"].text


def test_quotations_hold_only_the_source_words() -> None:
    r = load_ruleset("national/quality-2017").ruleset
    assert r.county is not None
    texts = {c.id: c.text for c in r.county.criteria}
    # item （九）: "教师5年360学时培训完成率达到100%", nothing added before it
    assert texts["government.09_teacher_training"] == "教师5年360学时培训完成率达到100%"
    # item （十五）: no stray words from item （七） and no ellipsis inside the quotation
    assert "……" not in texts["government.15b_migrant_children"]
    assert "特殊教育" not in texts["government.15b_migrant_children"]
    # Guangxi B1: the report's own words; "扣完为止" is the engine's rule, not part of the quotation
    b1 = load_ruleset("guangxi/school-b").ruleset.rule("B1")
    assert isinstance(b1, ScoredRule)
    assert b1.schedule.text == "每少0.5扣1分，缺额不足0.5不扣分" and "扣完为止" not in b1.text

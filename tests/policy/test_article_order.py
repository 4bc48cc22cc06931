"""Rules appear in the order of the document they encode (issue 10 item 3): a reviewer holding the
YAML next to the printed document reads them in the same order, and every output that lists rules
in ruleset order follows the document too.

An article is ``part（item）`` (资源配置（四）, 政府保障程度（十一）, （三）) or ``A1-B2`` (Guangxi);
a bare part (资源配置) is the part's summary item. Within each list (school rules, county school
checks, county criteria) a part's rules stand together and its items ascend."""

from __future__ import annotations

import re

import pytest

from junheng.policy.registry import bundled_ids, load_ruleset

_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十五 → 15, 二十 → 20 (the item numbers of the documents)."""
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN[tens] if tens else 1) * 10 + (_CN[units] if units else 0)
    return _CN[text]


def test_cn_number() -> None:
    assert [cn_number(t) for t in ("一", "七", "十", "十一", "十五")] == [1, 7, 10, 11, 15]


def article_key(article: str) -> tuple[str, int | None]:
    if m := re.fullmatch(r"(.*?)（([一二三四五六七八九十]+)）", article):
        return m[1], cn_number(m[2])
    if m := re.fullmatch(r"(A\d+)-B(\d+)", article):
        return m[1], int(m[2])
    return article, None


def out_of_order(articles: list[str]) -> list[str]:
    """Every place where a part comes back after another part, or an item number goes down."""
    problems: list[str] = []
    done: set[str] = set()
    last: tuple[str, int] | None = None
    part_now: str | None = None
    for article in articles:
        part, item = article_key(article)
        if part != part_now:
            if part in done:
                problems.append(f"{article}: part {part} resumes after {part_now}")
            if part_now is not None:
                done.add(part_now)
            part_now, last = part, None
        if item is not None:
            if last is not None and item < last[1]:
                problems.append(f"{article} after {last[0]}")
            last = (article, item)
    return problems


def test_out_of_order_finds_both_faults() -> None:
    assert out_of_order(["甲（一）", "甲（三）", "甲", "乙（一）"]) == []
    assert out_of_order(["甲（五）", "甲（四）"]) == ["甲（四） after 甲（五）"]
    assert out_of_order(["甲（一）", "乙（一）", "甲（二）"]) == ["甲（二）: part 甲 resumes after 乙"]
    assert out_of_order(["A1-B1", "A1-B2", "A2-B3"]) == [] and out_of_order(["A1-B2", "A1-B1"]) != []


@pytest.mark.parametrize("ruleset_id", bundled_ids())
def test_rules_follow_the_document(ruleset_id: str) -> None:
    ruleset = load_ruleset(ruleset_id).ruleset
    lists = {"rules": [r.article for r in ruleset.rules if r.article]}
    if ruleset.county is not None:
        lists["school_checks"] = [r.article for r in ruleset.county.school_checks if r.article]
        lists["criteria"] = [c.article for c in ruleset.county.criteria if getattr(c, "article", None)]
    assert {name: out_of_order(articles) for name, articles in lists.items()} == {name: [] for name in lists}


def test_quality_2017_parts_in_the_order_of_the_banfa() -> None:
    # 教督〔2017〕6号: 资源配置, 政府保障程度 (一)–(十五), 教育质量 (一)–(九), 社会认可度, 一票否决
    county = load_ruleset("national/quality-2017").ruleset.county
    assert county is not None
    parts = []
    for c in county.criteria:
        part = article_key(c.article)[0]
        if not parts or parts[-1] != part:
            parts.append(part)
    assert parts == ["资源配置", "政府保障程度", "教育质量", "社会认可度", "一票否决"]
    items = [article_key(c.article)[1] for c in county.criteria if article_key(c.article)[0] == "政府保障程度"]
    assert sorted(set(i for i in items if i is not None)) == list(range(1, 16))

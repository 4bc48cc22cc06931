"""Dated values in one file per standard (anhui/school-standard holds the 2007 and 2018 editions).

A value holds from its date until the next; an entry ``value: null`` ends the item; ``--at`` picks
what is in force. The old ids anhui/school-2007 and anhui/school-2018 are the same file pinned to
one edition, so they give exactly the verdicts of the dated id on those dates.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import pytest

from junheng.engine.evaluate import run_evaluation
from junheng.examples import example_path
from junheng.policy.facts import Level
from junheng.policy.loader import RulesetError, load_ruleset_file
from junheng.policy.readers import read_facts
from junheng.policy.versions import load_at

F = Fraction


def _verdicts(ref: str, at: dt.date | None) -> list[tuple[str, str, str, str]]:
    run = run_evaluation(load_at(ref, at), read_facts(example_path("demo_county.csv")), "direct")
    return [(s.school_id, s.level.value, r.rule_id, r.outcome.value) for s in run.schools for r in s.results]


@pytest.mark.parametrize(("at", "alias"), [(dt.date(2010, 6, 1), "anhui/school-2007"),
                                           (dt.date(2024, 9, 1), "anhui/school-2018")])
def test_one_id_on_a_date_equals_the_pinned_edition(at: dt.date, alias: str) -> None:
    assert _verdicts("anhui/school-standard", at) == _verdicts(alias, None)


def test_values_in_force_on_each_date() -> None:
    r2010 = load_at("anhui/school-standard", dt.date(2010, 6, 1)).ruleset
    r2024 = load_at("anhui/school-standard", dt.date(2024, 9, 1)).ruleset
    assert (r2010.version, r2024.version) == ("2007", "2018-01-09")
    # 生均运动场地面积 小学/初中: 2007 试行 6 / 8, 2018 修订 7.7 / 10.6
    assert r2010.rule("campus.sports_area").value.for_level(Level.junior) == F(8)  # type: ignore[union-attr]
    assert r2024.rule("campus.sports_area").value.for_level(Level.junior) == F("10.6")  # type: ignore[union-attr]
    # 班额: the 2007 text gives only 小学 ≤ 46, so the rule applies to primary only
    assert r2010.rule("organisation.class_size").levels == (Level.primary,)
    # 学校规模 and the teacher items start with the 2018 revision: not in force in 2010
    assert {r.id for r in r2024.rules} - {r.id for r in r2010.rules} == {
        "organisation.school_size", "teachers.above_degree", "teachers.backbone", "teachers.pe_art"}
    # the 2018-01-08 boundary: the day before the revision is still 2007
    assert load_at("anhui/school-standard", dt.date(2018, 1, 8)).ruleset.version == "2007"
    assert load_at("anhui/school-standard", dt.date(2018, 1, 9)).ruleset.version == "2018-01-09"


def test_before_the_first_edition_is_an_error_naming_the_file() -> None:
    with pytest.raises(RulesetError) as err:
        load_at("anhui/school-standard", dt.date(2005, 1, 1))
    assert "school-standard.yaml" in str(err.value) and "2007-01-01" in str(err.value)


def test_data_year_outside_every_edition_warns_in_zh_and_en() -> None:
    batch = read_facts(example_path("guangxi_school_a.csv"))  # 学年 2024
    run = run_evaluation(load_at("anhui/school-2007", None), batch, "direct")
    [w] = [i for i in run.issues if i.column == "学年"]
    assert w.severity == "warning" and "2024" in w.message_zh and "2018-01-08" in w.message_zh
    assert "outside every edition" in w.message_en
    # the dated id applied at 2010 to 2024 data: the 2018 edition covers it — choose it with --at
    run = run_evaluation(load_at("anhui/school-standard", dt.date(2010, 6, 1)), batch, "direct")
    [w] = [i for i in run.issues if i.column == "学年"]
    assert "--at 2024-09-01" in w.message_en and "2018-01-09" in w.message_zh
    # in force: no warning
    run = run_evaluation(load_at("anhui/school-standard", dt.date(2024, 9, 1)), batch, "direct")
    assert not [i for i in run.issues if i.column == "学年"]


DATED = """\
schema_version: 1
id: test/dated
jurisdiction: {zh: 测试, en: test}
editions:
  - {from: 2010-01-01, version: "2010", title: {zh: 甲, en: a}, document: {number: 甲, title: {zh: 甲, en: a}}}
  - {from: 2020-01-01, version: "2020", title: {zh: 乙, en: b}, document: {number: 乙, title: {zh: 乙, en: b}}}
indicators:
  books_per_student: {title: {zh: 生均图书, en: books}, formula: books / students, unit: volumes_per_student,
                      resource: books}
rules:
  - id: books
    kind: threshold
    title: {zh: 生均图书, en: books}
    indicator: books_per_student
    op: ">="
    values:
      - {from: 2010-01-01, primary: 20, junior: 30, text: 甲, source: 甲 第一条, status: secondary}
      - {from: 2015-07-01, primary: 25, junior: 35, text: 甲修正, source: 甲 修正, status: confirmed}
      - {from: 2020-01-01, value: null}
"""


def test_a_value_holds_until_the_next_and_can_end(tmp_path: Path) -> None:
    path = tmp_path / "dated.yaml"
    path.write_text(DATED, encoding="utf-8")
    r = load_ruleset_file(path, dt.date(2012, 1, 1)).ruleset
    assert (r.rule("books").value.for_level(Level.primary), r.rule("books").status.value) == (F(20), "secondary")  # type: ignore[union-attr]
    r = load_ruleset_file(path, dt.date(2019, 12, 31)).ruleset
    assert (r.rule("books").value.for_level(Level.junior), r.rule("books").source) == (F(35), "甲 修正")  # type: ignore[union-attr]
    assert (r.version, r.effective.until) == ("2010", dt.date(2019, 12, 31))
    assert load_ruleset_file(path, dt.date(2021, 1, 1)).ruleset.rules == []  # ended with null


def test_dates_must_increase_and_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "dated.yaml"
    text = DATED.replace("from: 2015-07-01", "from: 2009-07-01")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesetError) as err:
        load_ruleset_file(path, dt.date(2012, 1, 1))
    [problem] = err.value.problems
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "2009-07-01" in t)
    assert problem.line == line and "must increase" in problem.message

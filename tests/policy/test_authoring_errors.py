"""Ruleset errors for authors (issue 10 item 9): every failing location with file:line, zh + en,
and a did-you-mean for unknown keys, facts, parameters, indicators and rules. Expected messages are
written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from junheng.policy.loader import RulesetError, did_you_mean, load_ruleset_file, zh_message

HEAD = """\
schema_version: 1
id: test/child
version: "1"
title: {zh: 子, en: child}
jurisdiction: {zh: 测试, en: test}
document: {number: T1, title: {zh: 测试, en: test}}
effective: {from: 2020-01-01}
"""

MINI = HEAD + """\
indicators:
  books_per_student:
    title: {zh: 生均图书, en: books per student}
    formula: book / students
    unit: volumes_per_student
    resource: books
rules:
  - id: r.books
    kind: threshold
    title: {zh: 图书, en: books}
    source: T1 第1条
    status: secondary
    indicator: books_per_student
    op: ">="
    valeu: {primary: 25, junior: 35}
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesetError) as exc:
        load_ruleset_file(path)
    return [str(p).removeprefix(f"{path}:") for p in exc.value.problems]


def test_unknown_rule_key_suggests_the_schema_key(tmp_path: Path) -> None:
    # 'valeu' is one transposition from the ThresholdRule key 'value' (line 22 of MINI: 7 head lines
    # + 8 indicator lines + 7 rule lines)
    # the misspelt key also leaves 'value' missing: reported on the rule's first line (15)
    assert problems(tmp_path, MINI) == [
        "15: rules[0].value: 缺少必填的键 / Field required",
        "22: rules[0].valeu: 未知的键（不属于规则集格式）——是否应为 'value'？ / "
        "unknown key (not part of the ruleset schema) — did you mean 'value'?",
    ]


def test_unknown_fact_suggests_books(tmp_path: Path) -> None:
    # 'book' is not a fact; 'books' (图书册数) is the closest one; formula on line 11
    text = MINI.replace("valeu:", "value:")
    assert problems(tmp_path, text) == [
        "11: indicators.books_per_student.formula: 未知的事实或参数 'book'——是否应为 'books'？ / "
        "unknown fact or parameter 'book' — did you mean 'books'?",
        "13: indicators.books_per_student.resource: 资源事实 'books' 没有出现在公式中 / "
        "resource 'books' does not appear in the formula",
    ]


def test_every_failing_key_of_an_override_with_its_line(tmp_path: Path) -> None:
    # two mistakes in one override: a misspelt key (line 12) and a status outside the list (line 13);
    # today's message was only "1 validation error for RuleOverride"
    text = HEAD + """\
extends: national/quality-2017
overrides:
  resource.teaching_area:
    value: {primary: 5, junior: 6}
    sorce: test 第1条
    status: official
"""
    got = sorted(problems(tmp_path, text))
    assert got[1] == ("12: overrides.resource.teaching_area.sorce: 未知的键（不属于规则集格式）——是否应为 "
                      "'source'？ / unknown key (not part of the ruleset schema) — did you mean 'source'?")
    assert got[2].startswith("13: overrides.resource.teaching_area.status: 取值应为 ")
    # 'source' is missing (it was misspelt): reported on the override's own line (10)
    assert got[0] == "10: overrides.resource.teaching_area.source: 缺少必填的键 / Field required"
    assert len(got) == 3


def test_override_of_a_misspelt_rule_id_suggests_the_inherited_one(tmp_path: Path) -> None:
    text = HEAD + """\
extends: national/quality-2017
overrides:
  resource.teaching_aera: {value: 5, source: x, status: secondary}
"""
    assert problems(tmp_path, text) == [
        "10: overrides.resource.teaching_aera: national/quality-2017 中没有可覆盖的规则 'resource.teaching_aera'"
        "——是否应为 'resource.teaching_area'？ / national/quality-2017 has no rule 'resource.teaching_aera' "
        "to override — did you mean 'resource.teaching_area'?",
    ]


def test_no_suggestion_when_nothing_is_close() -> None:
    assert did_you_mean("zzzz", ["books", "students"]) == ""
    assert did_you_mean("studnets", ["books", "students"]) == " — did you mean 'students'?"


def test_unknown_message_has_no_invented_chinese() -> None:
    assert zh_message("something the catalogue does not know") == ""
    assert zh_message("unknown parameter 'flor' — did you mean 'floor'?") == "未知的参数 'flor'——是否应为 'floor'？"

"""Every ruleset validation message a ruleset author can trigger is shown in Chinese and English
with file:line (issue 10 item 9): one bad ruleset per message — YAML reading, the models'
validators, the loader's cross-references, the county block, scored items and size tables, dated
files, aliases, inheritance and formulas. The expected Chinese is written by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from junheng.policy.loader import Problem, RulesetError, load_ruleset_file

HEAD = """\
schema_version: 1
id: test/msg
version: "1"
title: {zh: 测试, en: test}
jurisdiction: {zh: 全国, en: National}
document: {number: T1, title: {zh: 办法, en: measures}}
effective: {from: 2017-05-23}
"""
PARAM = """\
parameters:
  floor: {title: {zh: 余项, en: floor}, value: 0.85, unit: ratio, status: secondary, source: T1}
"""
INDICATOR = """\
indicators:
  pe:
    title: {zh: 体艺, en: PE}
    formula: pe_art_teachers / students * 100
    unit: teachers_per_100_students
    resource: pe_art_teachers
"""
RULE = """\
  - id: r.pe
    kind: threshold
    title: {zh: 体艺, en: PE}
    source: T1 第1条
    status: secondary
    indicator: pe
    op: ">="
    value: {primary: 0.9, junior: 0.9}
"""
MINI = HEAD + PARAM + INDICATOR + "rules:\n" + RULE
SCORED = HEAD + INDICATOR + """\
groups:
  A: {title: {zh: 甲, en: A}, points: 10, source: T1, status: secondary}
tables:
  t:
    title: {zh: 表, en: table}
    unit: teachers_per_100_students
    status: unconfirmed
    source: T1
    rows:
      - {level: junior, min_classes: 10, max_classes: 12, value: 1}
      - {level: junior, min_classes: 12, max_classes: 14, value: 1}
rules:
  - id: S1
    kind: scored
    group: A
    points: 8
    title: {zh: 计分, en: scored}
    source: T1
    status: secondary
    requirements: [{indicator: pe, op: ">=", table: t}]
    schedule: {kind: all_or_nothing}
"""
COUNTY = MINI + """\
county:
  school_checks: []
  criteria:
    - id: c.cv
      kind: dispersion
      title: {zh: 差异系数, en: CV}
      source: T1
      status: secondary
      indicators: [pe]
      judge: each
      limit: {primary: 0.5}
    - id: c.fact
      kind: county_fact
      title: {zh: 满意度, en: satisfaction}
      source: T1
      status: secondary
      fact: public_satisfactoin
      op: ">="
      value: 0.85
    - id: c.all
      kind: all_schools
      title: {zh: 每校, en: every school}
      source: T1
      status: secondary
      ruleset: self
      rules: [county.class_sise]
"""
CJK = re.compile(r"[\u4e00-\u9fff]")


def _problems(tmp_path: Path, text: str | bytes, name: str = "r.yaml") -> list[Problem]:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesetError) as err:
        load_ruleset_file(path)
    return err.value.problems


CASES: list[tuple[str, str | bytes, str, str]] = [
    # (case, ruleset text, English (part of the message), Chinese written by hand (part))
    # --- reading the file
    ("malformed", MINI.replace('  - id: r.pe\n', '  - id: r.pe\n   x: : :\n'), "malformed YAML",
     "YAML 格式错误"),
    ("mapping values", HEAD + "title: a: b\n", "malformed YAML: mapping values are not allowed here",
     "YAML 格式错误：此处不能出现“键: 值”"),
    ("tab", HEAD + "rules:\n\t- x\n", "malformed YAML", "YAML 格式错误：含有制表符"),
    ("empty", "", "file is empty", "文件为空"),
    ("not utf-8", b"id: \xff\xfe\n", "not UTF-8 text", "不是 UTF-8 文本"),
    ("tag", MINI + "extra: !!python/object/apply:os.system [ls]\n",
     "is not allowed", "不允许使用标签 'tag:yaml.org,2002:python/object/apply:os.system'"),
    ("flow mapping", MINI.replace("value: {primary: 0.9", "value: {primary: 0.9: 1"),
     "malformed YAML: expected ',' or '}'", "YAML 格式错误：花括号映射中缺少“,”或“}”"),
    ("duplicate key", MINI + "id: again\n", "duplicate key 'id'", "键 'id' 重复"),
    ("key not text", MINI + "? [a, b]\n: x\n", "mapping keys must be text", "映射的键须为文字"),
    ("control", MINI.replace("title: {zh: 测试", 'title: {zh: "测\\e[2J试"'), "control character",
     "文字中含有控制字符"),
    ("not finite", MINI.replace("0.9, junior", ".nan, junior"), "is not a finite", "不是有限"),
    ("bad date", MINI.replace("2017-05-23", "2017-02-30"), "is not a valid date", "不是有效日期"),
    ("long number", MINI.replace("0.9, junior", "1" + "0" * 40 + ", junior"), "out of range",
     "超出范围"),
    # --- the models
    ("not a mapping", "- a\n- b\n", "a ruleset must be a mapping of keys", "规则集须为键值映射"),
    ("missing key", MINI.replace("    source: T1 第1条\n", ""), "Field required", "缺少必填的键"),
    ("unknown key", MINI + "titel: x\n", "unknown key (not part of the ruleset schema)",
     "未知的键（不属于规则集格式）——是否应为 'title'？"),
    ("bad kind", MINI.replace("kind: threshold", "kind: treshold"), "does not match any of the expected tags",
     "kind 'treshold' 不是可用的类型"),
    ("bad id pattern", MINI.replace("id: test/msg", "id: Test"), "String should match pattern",
     "文字应符合格式"),
    ("bad op", MINI.replace('op: ">="', 'op: "=>"'), "Input should be", "取值应为"),
    ("bool number", MINI.replace("0.9, junior", "true, junior"), "a boolean is not a number",
     "是/否值不是数值"),
    ("text number", MINI.replace("0.9, junior", "lots, junior"), "is not a number", "不是数值"),
    ("min_met", MINI + """\
  - {id: g, kind: count_gate, title: {zh: 门槛, en: gate}, source: T1, status: secondary,
     rules: [r.pe], min_met: 2, floor: 0.85}
""", "min_met=2 but only 1 rules listed", "min_met=2，但只列出了 1 条规则"),
    ("relaxation without condition", MINI + """\
    relaxations:
      - {id: x, title: {zh: 放宽, en: relaxed}, from: 2019-01-01, value: 1, source: T1, status: secondary}
""", "a relaxation needs a condition", "放宽条款须有条件"),
    ("min_met 0", MINI + """\
  - {id: g, kind: count_gate, title: {zh: 门槛, en: gate}, source: T1, status: secondary,
     rules: [r.pe], min_met: 0, floor: 0.85}
""", "Input should be greater than or equal to 1", "应不小于 1"),
    # --- cross-references and ranges
    ("unknown fact", MINI.replace("pe_art_teachers / students", "pe_art_teacher / students"),
     "unknown fact or parameter 'pe_art_teacher' — did you mean 'pe_art_teachers'?",
     "未知的事实或参数 'pe_art_teacher'——是否应为 'pe_art_teachers'？"),
    ("unknown unit", MINI.replace("unit: ratio", "unit: ratoi"), "unknown unit 'ratoi' — did you mean 'ratio'?",
     "未知的单位 'ratoi'——是否应为 'ratio'？"),
    ("unknown indicator", MINI.replace("indicator: pe\n", "indicator: pee\n"),
     "unknown indicator 'pee' — did you mean 'pe'?", "未知的指标 'pee'——是否应为 'pe'？"),
    ("unknown parameter", MINI.replace("0.9, junior: 0.9}", "{param: flor}, junior: 0.9}"),
     "unknown parameter 'flor' — did you mean 'floor'?", "未知的参数 'flor'——是否应为 'floor'？"),
    ("resource not in formula", MINI.replace("resource: pe_art_teachers", "resource: books"),
     "resource 'books' does not appear in the formula", "资源事实 'books' 没有出现在公式中"),
    ("duplicate rule", MINI + RULE, "duplicate rule id 'r.pe'", "规则编号 'r.pe' 重复"),
    ("empty source", MINI.replace("source: T1 第1条", "source: ' '"), "every rule needs a source",
     "每条规则都须注明依据"),
    ("level", MINI.replace("    op: \">=\"\n", "    op: \">=\"\n    levels: [primary]\n").replace(
        "effective:", "levels: [junior]\neffective:"), "is not among the ruleset's levels",
     "学段 primary 不在本规则集的学段中"),
    ("no value for level", MINI.replace("{primary: 0.9, junior: 0.9}", "{primary: 0.9}"),
     "no value for level junior", "缺少学段 junior 的取值"),
    ("parameter refers to parameter", MINI.replace("value: 0.85, unit", "value: {param: floor}, unit"),
     "a parameter cannot refer to another parameter", "参数不能引用另一个参数"),
    ("negative", MINI.replace("{primary: 0.9, junior: 0.9}", "{primary: -1, junior: 0.9}"),
     "is negative: a requirement cannot be below 0", "-1 为负数：要求值不能小于0"),
    ("floor", MINI + """\
  - {id: g, kind: count_gate, title: {zh: 门槛, en: gate}, source: T1, status: secondary,
     rules: [r.pe], min_met: 1, floor: 85}
""", "floor 85 must be above 0 and at most 1 (100%)", "下限 85 须大于0且不超过1（100%）"),
    ("unknown gate member", MINI + """\
  - {id: g, kind: count_gate, title: {zh: 门槛, en: gate}, source: T1, status: secondary,
     rules: [r.pee], min_met: 1, floor: 0.85}
""", "unknown rule 'r.pee' — did you mean 'r.pe'?", "未知的规则 'r.pee'——是否应为 'r.pe'？"),
    ("research note", MINI.replace("source: T1 第1条", "source: standards.md §2"), "cites a research note",
     "引用了用户无法查阅的研究笔记"),
    ("formula grammar", MINI.replace("pe_art_teachers / students * 100", "__import__('os')"),
     "unexpected character", "不允许（只能用数字、事实名称、+ - * / 和括号）"),
    ("formula end", MINI.replace("pe_art_teachers / students * 100", "pe_art_teachers /"),
     "ends unexpectedly", "不完整"),
    ("formula paren", MINI.replace("pe_art_teachers / students * 100", "(pe_art_teachers / students 1"),
     "missing ')'", "缺少“)”"),
    ("formula unexpected", MINI.replace("pe_art_teachers / students * 100", "pe_art_teachers students"),
     "unexpected 'students'", "中出现意外的 'students'"),
    ("relaxation fact", MINI + """\
    relaxations:
      - {id: x, title: {zh: 放宽, en: relaxed}, from: 2019-01-01, value: 1, source: T1, status: secondary,
         when_all: [{fact: built_yaer, op: "<=", value: 2010}]}
""", "unknown fact 'built_yaer' — did you mean 'built_year'?", "未知的事实 'built_yaer'——是否应为 'built_year'？"),
    # --- the county block
    ("county limit", COUNTY, "no limit for level junior", "缺少学段 junior 的限值"),
    ("county fact", COUNTY, "unknown county fact 'public_satisfactoin' — did you mean 'public_satisfaction'?",
     "未知的县级数据 'public_satisfactoin'——是否应为 'public_satisfaction'？"),
    ("school check", COUNTY, "unknown school check 'county.class_sise'", "未知的县域学校检查项 'county.class_sise'"),
    # --- scored items and size tables
    ("overlap", SCORED, "overlaps row 0 for junior", "与第 0 行（junior）的班级数范围重叠"),
    ("group sum", SCORED, "the items of group 'A' add up to 8, not 10", "分组 'A' 各项分值合计 8，不等于 10"),
    ("unknown group", SCORED.replace("group: A\n", "group: B\n"), "unknown group 'B'", "未知的一级指标（分组） 'B'"),
    ("no group", SCORED.replace("    group: A\n", ""), "this ruleset has groups: every scored item needs one",
     "每个计分项都须注明 group"),
    ("unknown table", SCORED.replace("table: t}", "table: tt}"), "unknown table 'tt' — did you mean 't'?",
     "未知的参数表 'tt'——是否应为 't'？"),
    ("max below min", SCORED.replace("min_classes: 12, max_classes: 14", "min_classes: 16, max_classes: 14"),
     "max_classes is below min_classes", "max_classes 小于 min_classes"),
    ("value and table", SCORED.replace("table: t}", "table: t, value: 1}"), "give exactly one of value or table",
     "value 与 table 须且只能给出一个"),
    ("assessed with requirements", SCORED.replace("{kind: all_or_nothing}", "{kind: assessed}"),
     "an assessed item has no requirements", "评估认定项不列要求"),
    ("step needs one", SCORED.replace("{kind: all_or_nothing}", "{kind: step, per: 1, deduct: 1}").replace(
        "requirements: [{indicator: pe, op: \">=\", table: t}]", "requirements: []"),
     "a step schedule needs exactly one requirement, not 0", "step 扣分办法须恰有一项要求（现有 0 项）"),
    ("all_or_nothing needs one", SCORED.replace(
        "requirements: [{indicator: pe, op: \">=\", table: t}]", "requirements: []"),
     "an all_or_nothing item needs at least one requirement", "all_or_nothing 计分项至少须有一项要求"),
    ("tiers", SCORED.replace("{kind: all_or_nothing}", "{kind: tiered, tiers: [{at_least: 0.8, share: 0.8}, "
                                                        "{at_least: 1, share: 1}]}"),
     "tiers must be listed from the highest attainment down", "分档须从最高达成度往下排列"),
    ("points", SCORED.replace("points: 8", "points: 0"), "Input should be greater than 0", "应大于 0"),
    ("unknown points", SCORED.replace("points: 8", "points: null"), "only an assessed item may leave its points "
     "unknown (points: null)", "只有评估认定项（schedule: assessed）的分值可以写作未知（points: null）"),
    ("group of unknown points", SCORED.replace("points: 10, source", "points: null, source"),
     "group 'A' has unknown points (null) but items with known points",
     "分组 'A' 的分值未知（null），但其中有已知分值的计分项"),
    ("items of unknown points", SCORED.replace("points: 8", "points: null").replace(
        "{kind: all_or_nothing}", "{kind: assessed}").replace(
        "    requirements: [{indicator: pe, op: \">=\", table: t}]\n", ""),
     "group 'A' has 10 points but items with unknown points (S1)", "分组 'A' 为 10 分，但其中计分项 S1 的分值未知"),
]


@pytest.mark.parametrize(("text", "english", "chinese"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_validation_message_in_both_languages(tmp_path: Path, text: str | bytes, english: str,
                                                   chinese: str) -> None:
    problems = _problems(tmp_path, text)
    hits = [p for p in problems if english in p.message]
    assert hits, [str(p) for p in problems]
    p = hits[0]
    assert chinese in p.message_zh, str(p)
    shown = str(p)
    assert shown.startswith(str(tmp_path / "r.yaml")) and CJK.search(p.message_zh)
    assert f"{p.message_zh} / {p.message_en}" in shown
    if not isinstance(text, bytes) and english not in ("file is empty", "a ruleset must be a mapping of keys"):
        assert p.line is not None, shown  # file:line


def test_every_problem_of_every_case_has_chinese(tmp_path: Path) -> None:
    # the class: not only the message each case aims at — every problem the bad rulesets raise
    untranslated = set()
    for _, text, _, _ in CASES:
        for p in _problems(tmp_path, text):
            if not p.message_zh:
                untranslated.add(p.message)
    assert not untranslated


DATED = HEAD.replace('version: "1"\n', "").replace('title: {zh: 测试, en: test}\n', "").replace(
    "document: {number: T1, title: {zh: 办法, en: measures}}\neffective: {from: 2017-05-23}\n", "") + """\
editions:
  - {from: 2007-01-01, version: "2007", title: {zh: 甲, en: a}, document: {number: T1, title: {zh: 甲, en: a}}}
  - {from: 2018-01-09, version: "2018", title: {zh: 乙, en: b}, document: {number: T2, title: {zh: 乙, en: b}}}
""" + INDICATOR + """\
rules:
  - id: r.pe
    kind: threshold
    title: {zh: 体艺, en: PE}
    indicator: pe
    op: ">="
    values:
      - {from: 2007-01-01, value: 1, source: T1, status: secondary}
      - {from: 2006-01-01, value: 2, source: T2, status: secondary}
"""


@pytest.mark.parametrize(("text", "english", "chinese"), [
    (DATED, "dates must increase: 2006-01-01 is not after 2007-01-01", "日期须递增：2006-01-01 不晚于 2007-01-01"),
    (DATED.replace("from: 2006-01-01", "from: someday"), "'from' must be a date (YYYY-MM-DD), not 'someday'",
     "'from' 应为日期（YYYY-MM-DD），不能是 'someday'"),
    (DATED.replace("      - {from: 2006-01-01, value: 2, source: T2, status: secondary}\n", "      - 7\n"),
     "each dated entry is a mapping with a 'from' date", "每个带日期的条目都应是含 'from' 日期的映射"),
    ("schema_version: 1\nalias: anhui/school-standard\nid: test/a\nedition: '2009'\n",
     "no edition '2009' of anhui/school-standard", "anhui/school-standard 没有版本 '2009'"),
    ("schema_version: 1\nalias: anhui/nothing\nid: test/a\nedition: '2007'\n",
     "alias must name a bundled dated ruleset id", "alias 须为内置的分版本规则集编号"),
    ("schema_version: 1\nalias: national/quality-2017\nid: test/a\nedition: '2007'\n",
     "national/quality-2017 has no editions to pin", "national/quality-2017 没有可固定的版本"),
    ("schema_version: 1\nalias: anhui/school-standard\nid: test/a\nedition: '2007'\nextra: 1\n",
     "unknown key (an alias file holds only", "未知的键（别名文件只能有"),
], ids=["dates", "from", "entry", "edition", "alias", "no editions", "alias key"])
def test_dated_and_alias_messages_in_both_languages(tmp_path: Path, text: str, english: str, chinese: str) -> None:
    hits = [p for p in _problems(tmp_path, text) if english in p.message]
    assert hits and chinese in hits[0].message_zh and hits[0].line is not None, hits


CHILD = HEAD.replace("id: test/msg", "id: test/child") + "extends: {parent}\n"


@pytest.mark.parametrize(("extra", "parent", "english", "chinese"), [
    ("", "national/quality-2071", "no bundled ruleset 'national/quality-2071' — did you mean "
     "'national/quality-2017'?", "没有内置规则集 'national/quality-2071'——是否应为 'national/quality-2017'？"),
    ("", "../x.yaml", "extends may name only a bundled id or a file in this folder tree", "extends 只能是内置编号"),
    ("", "x.txt", "is neither a bundled id nor a .yaml file", "既不是内置编号，也不是 .yaml 文件"),
    ("", "missing.yaml", "no such file 'missing.yaml'", "旁边没有文件 'missing.yaml'"),
    ("", "child.yaml", "extends forms a cycle", "extends 形成循环"),
    ("remove: [resource.teaching_aera]\n", "national/quality-2017", "cannot remove 'resource.teaching_aera'",
     "无法删除 'resource.teaching_aera'"),
    ("overrides: [1]\n", "national/quality-2017", "overrides must be a mapping and remove a list",
     "overrides 须为映射，remove 须为列表"),
    ("rules: {a: 1}\n", "national/quality-2017", "rules must be a list", "rules 须为列表"),
    ("overrides:\n  resource.six_of_seven: {value: 1, source: T1, status: secondary}\n", "national/quality-2017",
     "rule 'resource.six_of_seven' has no single value to override",
     "规则 'resource.six_of_seven' 没有单一的取值可覆盖"),
    ("overrides:\n  resource.teaching_area: {points: 1, source: T1, status: secondary}\n", "national/quality-2017",
     "is not a scored item: it has no points", "不是计分项，没有分值可覆盖"),
], ids=["bundled", "outside", "suffix", "missing", "cycle", "remove", "overrides", "rules", "single", "points"])
def test_inheritance_messages_in_both_languages(tmp_path: Path, extra: str, parent: str, english: str,
                                                chinese: str) -> None:
    text = CHILD.replace("{parent}", parent) + extra
    hits = [p for p in _problems(tmp_path, text, "child.yaml") if english in p.message]
    assert hits, [str(p) for p in _problems(tmp_path, text, "child.yaml")]
    assert chinese in hits[0].message_zh and hits[0].line is not None, str(hits[0])


def test_an_unknown_ruleset_id_suggests_the_bundled_one() -> None:
    from junheng.policy.registry import load_ruleset

    with pytest.raises(RulesetError) as err:
        load_ruleset("hubei/basic-2012")
    [p] = err.value.problems
    assert p.message_zh == "未找到规则集——是否应为 'hubei/basic-2011'？"
    assert p.message_en.startswith("no such ruleset id or file — did you mean 'hubei/basic-2011'? (bundled: ")

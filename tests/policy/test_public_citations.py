"""Public citations: what a user sees as 依据 is a public document or address, never our notes.

The research notes (standards.md, examples.md, facts.md, their §-sections and bracketed source
tags) are not part of the package: no shipped file may cite them, and a ruleset that does is
refused when loaded. The research trail of a number lives in ``evidence``, which is never shown.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from junheng.policy.loader import RulesetError, load_ruleset_file
from junheng.policy.model import CountGateRule, ScoredRule, Status, ThresholdRule
from junheng.policy.registry import bundled_ids, load_ruleset

ROOT = Path(__file__).resolve().parents[2]
NOTE = re.compile(r"standards\.md|examples\.md|facts\.md|\[N[0-9]+\]")
SHIPPED = ("rulesets", "policy", "engine", "cli", "junheng")


def test_no_shipped_file_cites_the_research_notes() -> None:
    hits = []
    for folder in SHIPPED:
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or path.suffix in (".pyc", ".png", ".xlsx"):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if NOTE.search(line):
                    hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert hits == []


def test_sources_md_lists_every_public_address_the_rulesets_cite() -> None:
    sources = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    address = re.compile(r"(?:[a-z0-9-]+\.)+(?:com|cn|org|me)(?![A-Za-z_])(?:/[^\s，、；）)\"]*)?")
    cited = set()
    for path in (ROOT / "rulesets").rglob("*.yaml"):
        cited |= set(address.findall(path.read_text(encoding="utf-8")))
    missing = sorted(a for a in cited if a not in sources)
    assert missing == []


def _mini(source: str, evidence: str = "") -> str:
    extra = f"\n    evidence: {evidence}" if evidence else ""
    return f"""\
schema_version: 1
id: test/mini
version: "1"
title: {{zh: 测试, en: test}}
jurisdiction: {{zh: 全国, en: National}}
document:
  number: 教督〔2017〕6号
  title: {{zh: 办法, en: measures}}
effective:
  from: 2017-05-23
indicators:
  pe_art_per_100:
    title: {{zh: 体艺, en: PE}}
    formula: pe_art_teachers / students * 100
    unit: teachers_per_100_students
    resource: pe_art_teachers
rules:
  - id: r.pe
    kind: threshold
    title: {{zh: 体艺, en: PE}}
    source: {source}{extra}
    status: secondary
    indicator: pe_art_per_100
    op: ">="
    value: {{primary: 0.9, junior: 0.9}}
"""


@pytest.mark.parametrize("source", ["教督〔2017〕6号; standards.md §2.1", "教督〔2017〕6号 [N17]",
                                    "学校自查报告（examples.md A）", "见 §2.1"])
def test_a_ruleset_citing_a_note_is_refused_naming_the_line(tmp_path: Path, source: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(_mini(source), encoding="utf-8")
    with pytest.raises(RulesetError) as err:
        load_ruleset_file(path)
    [problem] = err.value.problems
    assert problem.line == 21 and problem.key == "rules[0].source"  # the `source:` line
    assert "evidence" in problem.message


def test_the_research_trail_may_live_in_evidence(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(_mini("《办法》（教督〔2017〕6号）资源配置（三）", evidence="转述页与表格 [P1] 一致"),
                    encoding="utf-8")
    rule = load_ruleset_file(path).ruleset.rules[0]
    assert rule.source == "《办法》（教督〔2017〕6号）资源配置（三）"
    assert rule.evidence == "转述页与表格 [P1] 一致"


# --- statuses follow the definition strictly ----------------------------------------------------


def _rules(ruleset_id: str) -> dict[str, ThresholdRule | CountGateRule | ScoredRule]:
    return {r.id: r for r in load_ruleset(ruleset_id).ruleset.rules}


@pytest.mark.parametrize("ruleset_id", ["anhui/school-2007", "anhui/school-2018"])
def test_anhui_is_secondary_one_newspaper_article_and_its_repost_are_one_source(ruleset_id: str) -> None:
    rules = _rules(ruleset_id)
    assert rules and {r.status for r in rules.values()} == {Status.secondary}
    assert all("安徽日报" in r.source for r in rules.values())


def test_guangxi_group_points_are_inferred_from_the_item_points() -> None:
    groups = load_ruleset("guangxi/school-b").ruleset.groups
    # A1 = B1 18 + B2 12 = 30; A2 = 18 + 12 + 10 + 10 = 50; A3 = 8 + 6 + 6 = 20
    assert {k: (int(g.points), g.status) for k, g in groups.items()} == {
        "A1": (30, Status.inferred), "A2": (50, Status.inferred), "A3": (20, Status.inferred)}


def test_no_2017_item_claims_an_article_number_no_source_gives() -> None:
    loaded = load_ruleset("national/quality-2017").ruleset
    articles = [r.article for r in loaded.rules]
    assert loaded.county is not None
    articles += [c.article for c in loaded.county.criteria] + [c.article for c in loaded.county.school_checks]
    assert not [a for a in articles if re.search(r"第[一二三四五六七八九十]+[条章]", a)]
    assert _rules("national/quality-2017")["resource.teaching_area"].article == "资源配置（四）"


def test_every_bundled_source_is_a_public_citation() -> None:
    for ruleset_id in bundled_ids():
        loaded = load_ruleset(ruleset_id).ruleset
        for rule in loaded.rules:
            assert rule.source.strip() and not NOTE.search(rule.source), (ruleset_id, rule.id)
            if loaded.document.number.endswith("号") and rule.status is not Status.unconfirmed:
                assert loaded.document.number in rule.source, (ruleset_id, rule.id)

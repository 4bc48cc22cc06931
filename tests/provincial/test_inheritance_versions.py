"""extends + overrides (with provenance), path safety, and versions resolved by date."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest

from junheng.policy import registry, versions
from junheng.policy.loader import RulesetError, load_ruleset_file
from junheng.policy.model import ThresholdRule
from junheng.policy.registry import bundled_ids, load_ruleset

NATIONAL = registry.bundled_root() / "national" / "quality-2017.yaml"

CHILD_HEAD = """\
schema_version: 1
id: test/child
version: "1"
title: {zh: 子, en: child}
jurisdiction: {zh: 测试, en: test}
document: {number: T1, title: {zh: 测试, en: test}}
effective: {from: 2020-01-01}
"""


def test_bundled_ids_are_unchanged() -> None:
    for rid in ("national/quality-2017", "anhui/school-2007", "anhui/school-2018", "guangxi/school-b",
                "guizhou/conditions-2014", "jiangsu/quality-county"):
        assert rid in bundled_ids()
    assert not any("@" in rid for rid in bundled_ids())


def test_jiangsu_overrides_name_what_they_replace() -> None:
    js = load_ruleset("jiangsu/quality-county").ruleset
    assert js.extends == "national/quality-2017"
    # inherited school rules unchanged: 4.5 / 5.8 m² teaching rooms
    rule = js.rule("resource.teaching_area")
    assert isinstance(rule, ThresholdRule) and rule.value.primary == Fraction("4.5")
    o = js.overrides["county.class_size"]
    assert o.value is not None and (o.value.primary, o.value.junior) == (40, 45)
    assert "national/quality-2017" in o.replaces and "45" in o.replaces and "50" in o.replaces
    assert js.overrides["quality.02_disabled_enrolment"].replaces.startswith("national/quality-2017")
    # items Jiangsu measures differently are never put on a national item (see test_fidelity)
    assert "quality.01_retention" not in js.overrides and "government.15b_migrant_children" not in js.overrides
    assert js.parameters["quality_high_school_quota_min"].value.primary == Fraction("0.7")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_override_of_a_school_rule_from_a_file_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", NATIONAL.read_text(encoding="utf-8").replace(
        "id: national/quality-2017", "id: test/base"))
    child = write(tmp_path / "child.yaml", CHILD_HEAD + """\
extends: base.yaml
overrides:
  resource.teaching_area:
    value: {primary: 5, junior: 6}
    source: test source 第1条
    status: inferred
""")
    r = load_ruleset_file(child).ruleset
    rule = r.rule("resource.teaching_area")
    assert isinstance(rule, ThresholdRule)
    assert (rule.value.primary, rule.value.junior) == (5, 6)
    assert rule.source == "test source 第1条" and rule.status.value == "inferred"
    assert "primary >= 4.5" in r.overrides["resource.teaching_area"].replaces


@pytest.mark.parametrize("ref", ["../base.yaml", "/etc/passwd.yaml", "sub/../../base.yaml", "C:\\x.yaml",
                                 "no/such-id", "base.txt"])
def test_extends_refuses_paths_outside_the_folder(tmp_path: Path, ref: str) -> None:
    write(tmp_path / "base.yaml", NATIONAL.read_text(encoding="utf-8"))
    child = write(tmp_path / "inner" / "child.yaml", CHILD_HEAD + f"extends: {ref!r}\n")
    with pytest.raises(RulesetError) as exc:
        load_ruleset_file(child)
    assert "extends" in str(exc.value)


def test_extends_refuses_a_symlink_out_of_the_folder(tmp_path: Path) -> None:
    write(tmp_path / "outside.yaml", NATIONAL.read_text(encoding="utf-8"))
    inner = tmp_path / "inner"
    inner.mkdir()
    os.symlink(tmp_path / "outside.yaml", inner / "link.yaml")
    child = write(inner / "child.yaml", CHILD_HEAD + "extends: link.yaml\n")
    with pytest.raises(RulesetError, match="outside"):
        load_ruleset_file(child)


def test_extends_cycle_and_bad_overrides(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", CHILD_HEAD + "extends: b.yaml\n")
    write(tmp_path / "b.yaml", CHILD_HEAD + "extends: a.yaml\n")
    with pytest.raises(RulesetError, match="cycle"):
        load_ruleset_file(a)
    bad = write(tmp_path / "bad.yaml", CHILD_HEAD + """\
extends: national/quality-2017
overrides:
  no.such.rule: {value: 1, source: x, status: confirmed}
rules:
  - {id: resource.sports_area, kind: threshold, title: {zh: x, en: x}, indicator: sports_area_per_student,
     op: ">=", value: 1, source: x, status: confirmed}
""")
    with pytest.raises(RulesetError) as exc:
        load_ruleset_file(bad)
    assert "no.such.rule" in str(exc.value) and "inherited" in str(exc.value)


@pytest.fixture
def versioned_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "rulesets"
    text = NATIONAL.read_text(encoding="utf-8").replace("id: national/quality-2017", "id: x/std")
    write(root / "x" / "std.yaml", text.replace('version: "2017-05-23"', 'version: "2020"').replace(
        "effective:\n  from: 2017-05-23", "effective:\n  from: 2020-01-01"))
    write(root / "x" / "std@2015.yaml", """\
schema_version: 1
id: x/std
version: "2015"
extends: x/std
title: {zh: 旧版, en: old}
jurisdiction: {zh: 测试, en: test}
document: {number: T2015, title: {zh: 旧版, en: old}}
effective: {from: 2015-01-01, until: 2019-12-31}
overrides:
  resource.sports_area:
    value: {primary: 6, junior: 8}
    source: 旧版 第5条
    status: secondary
""")
    monkeypatch.setattr(registry, "bundled_root", lambda: root)
    monkeypatch.setattr(versions, "bundled_root", lambda: root)
    registry._load_bundled.cache_clear()
    yield root
    registry._load_bundled.cache_clear()


def test_versions_resolve_by_date(versioned_root: Path) -> None:
    assert bundled_ids() == ["x/std"]
    assert [i.version for i, _ in versions.versions("x/std")] == ["2015", "2020"]
    old = versions.load_at("x/std", dt.date(2016, 6, 1)).ruleset
    assert old.version == "2015"
    rule = old.rule("resource.sports_area")
    assert isinstance(rule, ThresholdRule) and rule.value.junior == 8
    assert versions.load_at("x/std", dt.date(2019, 12, 31)).ruleset.version == "2015"  # until is inclusive
    assert versions.load_at("x/std", dt.date(2020, 1, 1)).ruleset.version == "2020"
    assert versions.load_at("x/std", None).ruleset.version == "2020"  # no --at: the base file
    assert load_ruleset("x/std@2015").ruleset.version == "2015"
    with pytest.raises(RulesetError, match="no version in force"):
        versions.load_at("x/std", dt.date(2010, 1, 1))
    with pytest.raises(RulesetError):
        load_ruleset("x/std@1999")


def test_bundled_anhui_dates() -> None:
    assert versions.load_at("anhui/school-2007", dt.date(2010, 1, 1)).ruleset.id == "anhui/school-2007"
    with pytest.raises(RulesetError, match="2018-01-08"):
        versions.load_at("anhui/school-2007", dt.date(2019, 1, 1))

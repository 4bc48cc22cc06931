"""The ruleset loader's limits: every hostile ruleset ends in a RulesetError naming file, line and
key, within seconds — size, nesting, digits, control characters, gate size, signs and ranges,
``extends`` through a symlink loop or with NUL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from junheng.policy.loader import MAX_GATE_MEMBERS, RulesetError, load_ruleset_file
from junheng.policy.registry import bundled_root
from junheng.policy.yaml_source import MAX_DEPTH, MAX_YAML_BYTES

QUALITY = (bundled_root() / "national" / "quality-2017.yaml").read_text(encoding="utf-8")
GATE_MEMBERS = """      - resource.above_degree_teachers
      - resource.backbone_teachers
      - resource.pe_art_teachers
      - resource.teaching_area
      - resource.sports_area
      - resource.equipment_value
      - resource.multimedia_classrooms
"""


@pytest.fixture(autouse=True)
def _quick() -> Iterator[None]:
    start = time.monotonic()
    yield
    assert time.monotonic() - start < 10


def _refused(tmp_path: Path, text: str) -> str:
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset_file(path)
    assert all(p.message for p in info.value.problems)
    return str(info.value)


def test_the_bundled_ruleset_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(QUALITY, encoding="utf-8")
    assert load_ruleset_file(path).ruleset.id == "national/quality-2017"


def test_size_cap_is_enforced_before_reading(tmp_path: Path) -> None:
    big = QUALITY.replace("zh: 县域义务教育优质均衡发展督导评估办法（资源配置·学校）",
                          "zh: " + "长" * MAX_YAML_BYTES, 1)
    assert "limit" in _refused(tmp_path, big)


@pytest.mark.parametrize("nested", ["x:\n" + "".join(" " * i + "y:\n" for i in range(1, 500)) + " " * 500 + "1\n",
                                    "x: " + "[" * 500 + "]" * 500 + "\n", "x:\n  " + "- " * 500 + "1\n"])
def test_deep_nesting_is_refused(tmp_path: Path, nested: str) -> None:
    assert f"{MAX_DEPTH} levels" in _refused(tmp_path, QUALITY + nested)


def test_a_megabyte_of_digits_is_refused_in_linear_time(tmp_path: Path) -> None:
    text = QUALITY.replace("value: 0.85", "value: 0." + "8" * 1_000_000, 1)
    assert "longer than 64 characters" in _refused(tmp_path, text)


def test_control_characters_in_ruleset_text_are_refused(tmp_path: Path) -> None:
    text = QUALITY.replace("zh: 县域义务教育优质均衡发展督导评估办法（资源配置·学校）", 'zh: "\\e]0;pwned\\a"', 1)
    assert "control character" in _refused(tmp_path, text)


def test_a_count_gate_beyond_the_engine_limit_is_refused_at_load(tmp_path: Path) -> None:
    # a gate clause holds one atom per member; one durable ruleset decides at most 60 atoms
    many = "".join(f"      - resource.extra_{i}\n" for i in range(MAX_GATE_MEMBERS + 1 - 7))
    message = _refused(tmp_path, QUALITY.replace(GATE_MEMBERS, GATE_MEMBERS + many, 1))
    assert f"{MAX_GATE_MEMBERS + 1} rules exceeds the engine's limit of {MAX_GATE_MEMBERS}" in message


@pytest.mark.parametrize(("old", "new", "needle"), [
    ("value: 0.85", "value: 85", "floor 85 must be above 0"),  # an 8500% floor
    ("value: 0.85", "value: 0", "floor 0 must be above 0"),
    ("floor: {param: remaining_indicator_floor}", "floor: 1.5", "floor 3/2 must be above 0"),
])
def test_floors_stay_within_0_and_100_percent(tmp_path: Path, old: str, new: str, needle: str) -> None:
    assert needle in _refused(tmp_path, QUALITY.replace(old, new, 1))


def test_negative_thresholds_are_refused(tmp_path: Path) -> None:
    start = QUALITY.index("indicator: equipment_value_per_student")
    value = QUALITY.index("value:", start)
    end = QUALITY.index("\n", value)
    text = QUALITY[:value] + "value: -2000" + QUALITY[end:]
    assert "is negative" in _refused(tmp_path, text)


def test_extends_through_a_symlink_loop_or_with_nul(tmp_path: Path) -> None:
    head = QUALITY.split("\nparameters:", 1)[0].replace("id: national/quality-2017", "id: test/child")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    assert "cannot be resolved" in _refused(tmp_path, head + "\nextends: loop.yaml\n")
    assert "extends" in _refused(tmp_path, head + '\nextends: "a\\0b.yaml"\n')

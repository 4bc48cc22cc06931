"""The 2017 一贯制 split applied in ``evaluate``, ``compare`` and ``explain`` exactly as in ``county``
(issue 10 item 4): a shared whole-school total given in the county-facts file is split by the
ruleset's weights, the same fact is never "missing" in one command while another splits it, and
the output says the figure was split and by which ratio.

Hand computation (国家 2017 办法: one 初中生 counts 1.1 小学生): 600 primary + 400 junior students,
shared 教学及辅助用房 5000 m² → weights 600 : 400 × 1.1 = 440, sum 1040 →
primary 5000 × 600/1040 = 2884.615… ≈ 2884.62 m² (4.81 m²/student ≥ 4.5: met),
junior 5000 × 440/1040 = 2115.384… ≈ 2115.38 m² (5.29 m²/student < 5.8: not met,
short 400 × 5.8 − 2115.38 = 204.62 m²)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from junheng.cli.app import app

SCHOOLS = """\
school_id,school_name,level,school_type,students
Y,一贯制示例学校,primary,九年一贯制学校,600
Y,一贯制示例学校,junior,九年一贯制学校,400
"""
COUNTY_FACTS = """\
county: 测试县
facts: {}
shared_assets:
  - {school_id: Y, fact: teaching_aux_area_m2, total: 5000}
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    schools, facts = tmp_path / "schools.csv", tmp_path / "facts.yaml"
    schools.write_text(SCHOOLS, encoding="utf-8")
    facts.write_text(COUNTY_FACTS, encoding="utf-8")
    return schools, facts


def run(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def _teaching(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for section in doc["schools"]:
        [rule] = [r for r in section["results"] if r["rule_id"] == "resource.teaching_area"]
        out[section["level"]] = rule
    return out


def test_evaluate_splits_what_county_splits(files: tuple[Path, Path]) -> None:
    schools, facts = files
    without = run("evaluate", schools, "-r", "national/quality-2017", "--format", "json")
    assert {lv: r["outcome"] for lv, r in _teaching(json.loads(without.stdout)).items()} == {
        "primary": "unknown", "junior": "unknown"}  # the total is not a section's figure: missing
    split = run("evaluate", schools, "-r", "national/quality-2017", "--format", "json", "--county-facts", facts)
    assert split.exit_code == 0, split.output
    rules = _teaching(json.loads(split.stdout))
    assert (rules["primary"]["outcome"], rules["junior"]["outcome"]) == ("passed", "failed")
    assert "2884.62" in split.stderr and "2115.38" in split.stderr and "1 : 1.1" in split.stderr
    county = run("county", schools, "-r", "national/quality-2017", "--county-facts", facts)
    assert "2884.62" in county.stdout and "2115.38" in county.stdout and "1 : 1.1" in county.stdout


def test_evaluate_table_says_split_and_ratio(files: tuple[Path, Path]) -> None:
    schools, facts = files
    result = run("evaluate", schools, "-r", "national/quality-2017", "--county-facts", facts)
    assert result.exit_code == 0, result.output
    assert "共用资产分摊" in result.stdout and "小学∶初中 = 1 : 1.1" in result.stdout
    en = run("evaluate", schools, "-r", "national/quality-2017", "--county-facts", facts, "--lang", "en")
    assert "primary : junior = 1 : 1.1" in en.stdout


def test_explain_letter_names_the_split(files: tuple[Path, Path]) -> None:
    schools, facts = files
    result = run("explain", schools, "-s", "Y", "--level", "junior", "-r", "national/quality-2017",
                 "--county-facts", facts)
    assert result.exit_code == 0, result.output
    assert "2115.38" in result.stdout and "1 : 1.1" in result.stdout
    assert "204.62" in result.stdout  # 400 × 5.8 − 2115.38: the shortfall from the split figure


def test_compare_splits_too(files: tuple[Path, Path]) -> None:
    schools, facts = files
    result = run("compare", schools, "-r", "national/basic-2012", "-a", "national/quality-2017",
                 "--county-facts", facts)
    assert result.exit_code == 0, result.output
    # each ruleset splits by its own weights: 2012 1 : 1 → 5000 × 600/1000 = 3000, 5000 × 400/1000 = 2000
    assert "national/basic-2012: 共用资产分摊" in result.stdout and "1 : 1）" in result.stdout
    assert "national/quality-2017: 共用资产分摊" in result.stdout and "2115.38" in result.stdout


def test_county_facts_need_a_county_part(files: tuple[Path, Path]) -> None:
    schools, facts = files
    result = run("evaluate", schools, "-r", "anhui/school-standard", "--county-facts", facts)
    assert result.exit_code == 2 and "county part" in result.output

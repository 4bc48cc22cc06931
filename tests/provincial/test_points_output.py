"""Points in ``junheng evaluate`` output (evaluation schema 1.1: optional, backward compatible) and
assessed-score columns (``B3得分``) that a scoring ruleset reads are not "unused columns"."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.xlsx_report import evaluation_workbook
from junheng.engine.evaluate import run_evaluation
from junheng.engine.scoring import assessed_columns
from junheng.examples import example_path
from junheng.policy.readers import read_facts
from junheng.policy.registry import load_ruleset

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "junheng" / "schemas" / "evaluation-1.schema.json")
                    .read_text(encoding="utf-8"))
GUANGXI_A = str(example_path("guangxi_school_a.csv"))


def _evaluate(*args: str) -> Any:
    result = CliRunner().invoke(app, ["evaluate", *args, "--engine", "direct"])
    assert result.exit_code == 0, result.output
    return result.output


def test_json_points_per_item_and_section() -> None:
    doc = json.loads(_evaluate(GUANGXI_A, "-r", "guangxi/school-b", "-f", "json"))
    jsonschema.validate(doc, SCHEMA)
    assert doc["schema_version"] == "1.4"
    [school] = doc["schools"]
    by_id = {r["rule_id"]: r["points"] for r in school["results"]}
    # B1: 4450 / 1289 = 3.452 < 4.39: short 0.9377 → ⌊0.9377 ÷ 0.5⌋ = 1 point off 18
    assert by_id["B1"] == {"awarded": 17, "max": 18, "deducted": 1,
                           # the report's own words (扣完为止 is the engine's rule, added in words)
                           "schedule": "每少0.5扣1分，缺额不足0.5不扣分，扣完为止",
                           "schedule_kind": "step", "schedule_status": None, "group": "A1", "assessed": False}
    # B8: 6 × (31/96) ÷ 0.5 = 3.875 → 4 (rounded half up): 2 off
    assert (by_id["B8"]["awarded"], by_id["B8"]["deducted"], by_id["B8"]["schedule_kind"]) == (4, 2, "proportional")
    assert (by_id["B3"]["awarded"], by_id["B3"]["assessed"]) == (18, True)  # from the column B3得分
    # 97 = 100 − 1 − 2; A1 = 17 + 12 = 29/30, A2 = 18 + 12 + 10 + 10 = 50/50, A3 = 8 + 4 + 6 = 18/20
    assert (school["points_total"], school["points_max"], school["points_deducted"],
            school["points_undecided"]) == (97, 100, 3, 0)
    assert [(g["group"], g["awarded"], g["max"]) for g in school["points_groups"]] == [
        ("A1", 29, 30), ("A2", 50, 50), ("A3", 18, 20)]
    assert doc["input"]["unused_columns"] == []  # B3得分, B5得分, B6得分, B9得分 are read as scores


def test_unscored_output_unchanged_and_old_documents_still_valid() -> None:
    doc = json.loads(_evaluate(str(example_path("demo_county.csv")), "-f", "json"))
    jsonschema.validate(doc, SCHEMA)
    assert not any(k.startswith("points") for s in doc["schools"] for k in s)
    assert not any("points" in r for s in doc["schools"] for r in s["results"])
    old = dict(doc, schema_version="1.0")  # a 1.0 document (no points) is still valid under 1.1
    jsonschema.validate(old, SCHEMA)
    scored = json.loads(_evaluate(GUANGXI_A, "-r", "guangxi/school-b", "-f", "json"))
    bad = copy.deepcopy(scored)
    del bad["schools"][0]["results"][0]["points"]["max"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)


def test_table_shows_points_and_group_subtotals() -> None:
    out = _evaluate(GUANGXI_A, "-r", "guangxi/school-b", "--lang", "en")
    assert "97/100 points" in out and "Points" in out
    assert "17/18" in out and "4/6" in out
    assert "Points: 97/100 (A1" in out and "18/20" in out
    assert "Unused columns" not in out
    assert "得分" not in _evaluate(str(example_path("demo_county.csv")))  # no points for an unscored ruleset


def test_assessed_columns_are_those_of_assessed_items() -> None:
    guangxi = load_ruleset("guangxi/school-b").ruleset
    headers = ["B3得分", "score:B5", "b6 得分", "B9自评得分", "B1得分", "平均班额"]
    # B3, B5, B6, B9 are assessed; B1 is scored by its step schedule from the facts
    assert assessed_columns(guangxi, headers) == ["B3得分", "score:B5", "b6 得分", "B9自评得分"]
    assert assessed_columns(load_ruleset("national/quality-2017").ruleset, headers) == []
    out = _evaluate(GUANGXI_A, "-r", "national/quality-2017", "-f", "json")
    assert json.loads(out)["input"]["unused_columns"] == ["B3得分", "B5得分", "B6得分", "B9得分"]


def test_xlsx_report_shows_points() -> None:
    """The evaluation workbook's 得分 column (it read a ``points`` attribute results never had)."""
    loaded = load_ruleset("guangxi/school-b")
    run = run_evaluation(loaded, read_facts(example_path("guangxi_school_a.csv")), "direct")
    rows = list(openpyxl.load_workbook(io.BytesIO(evaluation_workbook(run, "zh")))["初中"].iter_rows(values_only=True))
    points = {r[rows[0].index("指标")]: r[rows[0].index("得分")] for r in rows[1:]}
    # B1 18 − 1 = 17 (one full 0.5 m² step short); B8 6 × 0.3229 ÷ 0.5 = 3.875 → 4
    assert (points["生均教学及教学辅助用房"], points["教师专业技术岗位设置"]) == (17, 4)

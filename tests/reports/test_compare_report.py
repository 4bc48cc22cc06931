"""``junheng compare --format xlsx|html``: the comparison through the report writers — both verdicts,
the change class highlighted, points, the extra resources needed under the new standard."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.compare_report import compare_report
from junheng.cli.html_report import compare_html
from junheng.cli.report_common import CompareReport
from junheng.cli.xlsx_report import CHANGE_FILLS, FILLS, compare_workbook
from junheng.engine.compare import compare
from junheng.engine.results import Outcome
from junheng.examples import example_path
from junheng.policy.readers import read_facts
from junheng.policy.registry import load_ruleset

if TYPE_CHECKING:
    from conftest import Chromium  # the headless-chromium fixture's type

DEMO = example_path("demo_county.csv")
GUANGXI_A = example_path("guangxi_school_a.csv")
EXTERNAL = re.compile(r"https?:|//[a-z]|<link|@import|\bsrc=|url\(", re.IGNORECASE)


def _report(facts: Path, base: str, against: str) -> CompareReport:
    batch = read_facts(facts)
    return compare_report(compare(load_ruleset(base), load_ruleset(against), batch.sections, "direct"), batch,
                          "direct")


@pytest.fixture(scope="module")
def anhui() -> CompareReport:
    return _report(DEMO, "anhui/school-2007", "anhui/school-2018")


@pytest.fixture(scope="module")
def guangxi() -> CompareReport:
    return _report(GUANGXI_A, "anhui/school-2018", "guangxi/school-b")


def _rows(ws: Any) -> list[tuple[dict[str, Any], int]]:
    """Each data row as {header: value}, with its sheet row number."""
    rows = list(ws.iter_rows(values_only=True))
    return [(dict(zip(rows[0], r, strict=False)), i) for i, r in enumerate(rows[1:], start=2)]


def _fill(ws: Any, row: int, header: str) -> str:
    col = [c.value for c in ws[1]].index(header) + 1
    return str(ws.cell(row=row, column=col).fill.fgColor.rgb)


def test_xlsx_per_level_before_after_and_extra_needed(anhui: CompareReport) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(compare_workbook(anhui, "zh")))
    assert wb.sheetnames == ["对比汇总", "小学", "初中", "数据问题"]
    junior = wb["初中"]
    rows = {(r["学校标识码"], r["指标"]): (r, i) for r, i in _rows(junior)}
    sports, row = rows[("GX-A", "生均运动场地面积")]
    # 2007: 13247 / 1289 = 10.28 ≥ 8 met; 2018: < 10.6, short 1289 × 10.6 − 13247 = 13663.4 − 13247 = 416.4 m²
    assert (sports["变化"], sports["原标准"], sports["新标准"]) == ("新增未达标", "达标", "未达标")
    assert (sports["原要求"], sports["新要求"]) == ("≥8.00", "≥10.60")  # indicator values: 2 decimals
    assert (sports["新标准下需要"], sports["数量"], sports["单位"], sports["补足后"]) == (
        "体育运动场馆面积", 416.4, "平方米", 13663.4)
    assert _fill(junior, row, "变化").endswith(CHANGE_FILLS["newly_failing"])
    assert _fill(junior, row, "原标准").endswith(FILLS[Outcome.passed])
    assert _fill(junior, row, "新标准").endswith(FILLS[Outcome.failed])
    computers, row = rows[("GX-A", "学生与计算机之比")]
    # ≤ 12 → ≤ 8 students per computer: ⌈1289 / 8⌉ = ⌈161.125⌉ = 162 computers, 162 − 88 = 74 more
    assert (computers["变化"], computers["原要求"], computers["新要求"]) == ("仍未达标", "≤12.00", "≤8.00")
    assert (computers["数量"], computers["单位"], computers["补足后"]) == (74, "台", 162)
    assert _fill(junior, row, "变化").endswith(CHANGE_FILLS["still_failing"])
    size, _ = rows[("GX-A", "学校规模")]  # only in 2018: 1289 ≤ 2000
    assert (size["变化"], size["原标准"], size["新标准"], size["原要求"]) == ("新要求下达标", "—", "达标", "—")
    assert "原得分" not in [c.value for c in junior[1]]  # neither Anhui standard is scored
    # the summary counts the engine's change classes; every pair appears on a level sheet once
    engine = Counter(ch.change for s in anhui.comparison.schools for ch in s.changes)
    summary = {r[0]: r[1] for r in wb["对比汇总"].iter_rows(values_only=True) if r and r[0] in
               ("新增未达标", "新要求下未达标", "新达标", "新要求下达标", "仍未达标", "仍达标", "新增要求", "已取消",
                "无法判定")}
    assert summary["新增未达标"] == engine["newly_failing"] and summary["仍达标"] == engine["still_passing"]
    assert sum(summary.values()) == len(_rows(wb["小学"])) + len(_rows(junior)) == engine.total()
    [(issue, _)] = _rows(wb["数据问题"])  # the input's warning: 1289 / 18 = 71.6 > 66 per class
    assert (issue["行"], issue["列"], issue["值"]) == (2, "班级数", "18")


def test_xlsx_points_under_a_scoring_standard(guangxi: CompareReport) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(compare_workbook(guangxi, "en")))
    assert wb.sheetnames == ["Comparison", "Junior", "Data issues"]
    rows = {r["Indicator"]: r for r, _ in _rows(wb["Junior"])}
    b1, b8 = rows["teaching and auxiliary rooms per student"], rows["teachers' professional title posts"]
    # B1: 4450 / 1289 = 3.452 < 4.39, short 0.9377 → ⌊0.9377 / 0.5⌋ = 1 point off 18
    # B1 does not exist in the Anhui 2018 standard (the base): a new requirement, not a regression
    assert (b1["Change"], b1["Base standard"], b1["New standard"]) == ("fails a new requirement", "—", "not met")
    assert (b1["Points before"], b1["Max before"], b1["Points after"], b1["Max after"]) == (None, None, 17, 18)
    # to meet it: 4.39 × 1289 − 4450 = 5658.71 − 4450 = 1208.71 m²
    assert (b1["Needed under the new standard"], b1["Amount"], b1["Unit"], b1["Target"]) == (
        "teaching and auxiliary rooms area", 1208.71, "m²", 5658.71)
    # B8: 31 / 96 = 0.3229 < 0.5 → 6 × 0.3229 / 0.5 = 3.875 → 4 of 6; ⌈0.5 × 96⌉ − 31 = 48 − 31 = 17 teachers
    assert (b8["Points after"], b8["Max after"], b8["Amount"], b8["Target"]) == (4, 6, 17, 48)
    [school] = [r for r in wb["Comparison"].iter_rows(values_only=True) if r and r[0] == "GX-A"]
    # 100 − 1 (B1) − 2 (B8) = 97 under Guangxi, a scheme without a pass mark: its outcome is the score,
    # never "not met"; Anhui is not scored
    assert school[3:7] == ("not met", "scored", None, "97/100")


def test_html_offline_coloured_by_change(anhui: CompareReport, guangxi: CompareReport) -> None:
    html = compare_html(anhui, "zh")
    assert not EXTERNAL.search(html)
    engine = Counter(ch.change for s in anhui.comparison.schools for ch in s.changes)
    assert html.count('<td class="chg-newly_failing">') == engine["newly_failing"]
    assert html.count('<td class="chg-still_passing">') == engine["still_passing"]
    assert f'<div class="kpi chg-newly_failing"><b>{engine["newly_failing"]}</b>新增未达标</div>' in html
    assert html.count('<article class="card ') == 8  # one card per school section
    assert "体育运动场馆面积 增加416.4平方米" in html and "≥8.00 → ≥10.60" in html  # indicators: 2 decimals
    en = compare_html(guangxi, "en")
    assert not EXTERNAL.search(en) and '<html lang="en">' in en
    assert "not met 17/18" in en and "97/100" in en  # B1 under Guangxi, and the section's total


def test_cli_writes_both_reports_atomically(tmp_path: Path, chromium: Chromium) -> None:
    runner = CliRunner()
    args = ["compare", str(DEMO), "--ruleset", "anhui/school-2007", "--against", "anhui/school-2018"]
    result = runner.invoke(app, [*args, "--format", "html"])
    assert result.exit_code == 2 and "-o" in result.output  # a report file needs -o
    xlsx, html = tmp_path / "对比.xlsx", tmp_path / "对比.html"
    assert runner.invoke(app, [*args, "-f", "xlsx", "-o", str(xlsx)]).exit_code == 0
    assert openpyxl.load_workbook(xlsx).sheetnames[0] == "对比汇总"
    assert runner.invoke(app, [*args, "-f", "html", "-o", str(html), "--lang", "en"]).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["对比.html", "对比.xlsx"]  # no .part
    dom = chromium("--dump-dom", html.as_uri())
    assert dom.returncode == 0 and chromium.console_lines(dom.stderr) == []
    assert 'data-ready="yes"' in dom.stdout and dom.stdout.count('class="card ') == 8

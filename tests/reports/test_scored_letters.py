"""The HTML report's letters: the principal's letter rendered from each section's trace, for a
scored ruleset (guangxi/school-b) and for one without scoring (national/quality-2017)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.html_report import evaluation_html
from junheng.engine.evaluate import run_evaluation
from junheng.engine.results import EvaluationRun
from junheng.examples import example_path
from junheng.policy.readers import read_facts
from junheng.policy.registry import load_ruleset


def _letters_section(html: str) -> str:
    return html[html.index('<section id="letters">'):html.index('<section id="issues">')]


def test_scored_section_gets_the_engine_letter(tmp_path: Path) -> None:
    out = tmp_path / "广西.html"
    result = CliRunner().invoke(app, ["evaluate", str(example_path("guangxi_school_a.csv")), "-r", "guangxi/school-b",
                                      "-f", "html", "-o", str(out), "--engine", "direct"])
    assert result.exit_code == 0, result.output
    letters = _letters_section(out.read_text(encoding="utf-8"))
    assert letters.count('<article class="letter">') == 1
    # 100 − 1 (B1: ⌊(4.39 − 3.45) ÷ 0.5⌋ = 1) − 2 (B8: 6 × 32.29% ÷ 50% = 3.875 → 4) = 97
    assert "贵校得97分（满分100分，扣3分）" in letters
    assert "教师专业技术岗位设置（满分6分，得4分，扣2分）" in letters
    # actions in the order a principal takes them: staff (step 2) before building work (step 3);
    # B1 full points once the shortfall is under one 0.5 m² step: (4.39 − 0.5) × 1289 = 5014.21 → +564.22 m²
    staff, building = letters.index("（一）需要向县教育局申请的"), letters.index("（二）需要县里立项的")
    assert staff < letters.index("再有13名教师取得中级及以上职称") < building
    assert building < letters.index("再增加教学及辅助用房564.22平方米（达到5014.22平方米），"
                                    "“生均教学及教学辅助用房”这1分就能拿回来")
    assert '<ol start="2">' in letters  # the numbering runs on across the steps (1 under staff, 2 under building)
    assert "尚未找到官方原文" in letters  # the caveats on unconfirmed numbers
    assert "县教育督导室</p>" not in letters or "示例县人民政府教育督导室" in letters  # named, not generic


def test_unscored_ruleset_gets_the_same_letter(demo_run: EvaluationRun) -> None:
    letters = _letters_section(evaluation_html(demo_run, "zh", office="某某县人民政府教育督导室"))
    assert letters.count('<article class="letter">') == 8
    assert letters.count("某某县人民政府教育督导室") == 8  # signed by the office given
    # school A: 4450 / 1289 = 3.45 < 5.8 → 5.8 × 1289 − 4450 = 3026.2 m²
    assert "再增加教学及辅助用房3026.2平方米" in letters
    assert "《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）" in letters


def test_english_letter() -> None:
    loaded = load_ruleset("guangxi/school-b")
    batch = read_facts(example_path("guangxi_school_a.csv"))
    run = run_evaluation(loaded, batch, "direct")
    html = evaluation_html(run, "en")
    letters = _letters_section(html)
    assert "Dear Principal of" in letters and "give 97 of 100 points (3 off)" in letters
    assert "(桂政办发〔2012〕153号)" in letters  # the 文号 in English too
    assert "(1) What needs the county education bureau" in letters

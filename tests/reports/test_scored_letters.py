"""The HTML report's letters: the engine's principal's letter for a scored ruleset (guangxi/school-b),
the verdict with its explanations for a ruleset without scoring."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.html_report import evaluation_html
from junheng.engine.evaluate import run_evaluation
from junheng.engine.letter import scored_letters
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
    assert "贵校得97分（满分100分），共扣3分" in letters
    assert "教师专业技术岗位设置（B8，满分6分，得4分，扣2分）" in letters
    # actions in the order a principal takes them: staff (step 2) before building work (step 3);
    # B1 full points once the shortfall is under one 0.5 m² step: (4.39 − 0.5) × 1289 = 5014.21 → +564.22 m²
    staff, building = letters.index("（一）需要向县教育局申请的"), letters.index("（二）需要县里立项的")
    assert staff < letters.index("再有13名教师取得中级及以上职称") < building
    assert building < letters.index("再增加教学及辅助用房564.22平方米（达到5014.22平方米），B1这1分就能拿回来")
    assert '<ol start="2">' in letters  # the numbering runs on across the steps (1 under staff, 2 under building)
    assert "尚未找到官方原文" in letters  # the caveats on unconfirmed numbers
    assert "以下指标需要关注" not in letters  # not the generic letter


def test_unscored_ruleset_keeps_the_explanation_letter(demo_run: EvaluationRun) -> None:
    ruleset = load_ruleset("national/quality-2017").ruleset
    sections = read_facts(example_path("demo_county.csv")).sections
    assert scored_letters(ruleset, demo_run.schools, sections) == {}  # no scored items: no engine letter
    letters = _letters_section(evaluation_html(demo_run, "zh", letters={}))
    assert letters.count('<article class="letter">') == 8 and "以下指标需要关注" in letters
    # school A: 4450 / 1289 = 3.45 < 5.8 → 5.8 × 1289 − 4450 = 3026.2 m² (the engine's sentence)
    assert "需增加教学及辅助用房面积3026.2平方米" in letters


def test_english_letter() -> None:
    loaded = load_ruleset("guangxi/school-b")
    batch = read_facts(example_path("guangxi_school_a.csv"))
    run = run_evaluation(loaded, batch, "direct")
    html = evaluation_html(run, "en", letters=scored_letters(loaded.ruleset, run.schools, batch.sections))
    letters = _letters_section(html)
    assert "Dear Principal of" in letters and "give 97 of 100 points, 3 off" in letters
    assert "(1) What needs the county education bureau" in letters

"""The HTML report: self-contained, escaped, with dashboard, cards and letters — and rendered by a
real headless Chromium without console errors, with a screenshot."""

from __future__ import annotations

import re
import struct
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.html_report import evaluation_html
from junheng.cli.report_common import CvBar
from junheng.engine.results import EvaluationRun, Outcome
from junheng.examples import example_path
from junheng.policy.facts import Level

if TYPE_CHECKING:
    from conftest import Chromium  # the headless-chromium fixture's type

def test_self_contained_offline(demo_run: EvaluationRun) -> None:
    html = evaluation_html(demo_run, "zh")
    assert not re.search(r"https?:|//[a-z]|<link|@import|\bsrc=|url\(", html, re.IGNORECASE)
    assert html.count('<article class="letter">') == 8  # one letter per section
    assert html.count('<article class="card ') == 8
    assert html.count("<svg") == 1 and "各指标达标学段比例" in html
    # school A's teaching area: 4450 / 1289 = 3.45 < 5.8, shortfall 3026.2 m² (the engine's sentence)
    assert "需增加教学及辅助用房面积3026.2平方米（达到7476.2平方米）" in html
    assert "page-break-after:always" in html  # each printed letter on its own page


def test_escaped_and_english(demo_run: EvaluationRun) -> None:
    school = demo_run.schools[0].model_copy(update={"school_name": "<script>alert(1)</script> & Co"})
    run = demo_run.model_copy(update={"schools": (school, *demo_run.schools[1:])})
    html = evaluation_html(run, "en")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert '<html lang="en">' in html and "Letters to principals" in html


def test_county_cv_chart(demo_run: EvaluationRun) -> None:
    bars = [CvBar("生均教学及辅助用房面积", Level.primary, Fraction(61, 100), Fraction(1, 2), Outcome.failed),
            CvBar("生均体育运动场馆面积", Level.junior, Fraction(3, 10), Fraction(45, 100), Outcome.passed)]
    html = evaluation_html(demo_run, "zh", bars)
    assert "各指标差异系数与限值" in html
    assert "0.610 / 限值 0.50" in html and "0.300 / 限值 0.45" in html  # CV 3 decimals, limit 2
    assert html.count("stroke-dasharray") == 2  # one limit line per bar


def test_renders_in_headless_chromium(tmp_path: Path, chromium: Chromium) -> None:
    report = tmp_path / "示例县.html"
    result = CliRunner().invoke(app, ["evaluate", str(example_path("demo_county.csv")), "--format", "html",
                                      "-o", str(report), "--engine", "direct"])
    assert result.exit_code == 0, result.output
    html = report.read_text(encoding="utf-8")
    assert "各指标达标学段比例" in html  # the pass-rate chart (the county's forms: test_county_forms.py)
    # The detector works: a page that logs and throws is caught.
    bad = tmp_path / "bad.html"
    bad.write_text("<script>console.error('x'); throw new Error('boom')</script>", encoding="utf-8")
    assert len(chromium.console_lines(chromium("--dump-dom", bad.as_uri()).stderr)) == 2

    dom = chromium("--dump-dom", report.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert chromium.console_lines(dom.stderr) == []
    assert 'data-ready="yes"' in dom.stdout  # the inline script ran to its end
    assert dom.stdout.count('class="letter"') == 8

    shot = tmp_path / "report.png"
    run = chromium(f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri())
    assert run.returncode == 0 and chromium.console_lines(run.stderr) == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1280, 2000)
    assert len(data) > 50_000  # a rendered page, not a blank one


def test_county_report_files(tmp_path: Path) -> None:
    facts = ["--county-facts", str(example_path("demo_county_facts.yaml")), "--engine", "direct"]
    demo = str(example_path("demo_county.csv"))
    out = tmp_path / "county.xlsx"
    result = CliRunner().invoke(app, ["county", demo, *facts, "-f", "xlsx", "-o", str(out), "--lang", "en"])
    assert result.exit_code == 1 and out.is_file()  # 1: the county does not meet the standard
    wb = openpyxl.load_workbook(out)
    # the application forms (cell by cell in test_county_forms.py), then the details and data issues
    assert wb.sheetnames == ["County verdict", "Form II-1", "Form II-2", "Form III", "Form IV", "Form V", "Charts",
                             "Primary details", "Junior details", "Data issues"]
    cv = [r for r in wb["Form III"].iter_rows(min_row=4, values_only=True) if r[1] == "CV"]
    # 7 indicators × 2 levels, each level against its limit (primary 0.50, junior 0.45)
    assert len(cv) == 2 and all(len([x for x in r[2:9] if isinstance(x, float)]) == 7 for r in cv)
    assert [r[10] for r in cv] == [0.5, 0.45]
    result = CliRunner().invoke(app, ["county", demo, *facts, "-f", "html"])
    assert result.exit_code == 2  # a report format needs -o

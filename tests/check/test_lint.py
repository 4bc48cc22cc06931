"""``junheng lint``: provenance, stale dates, unused definitions, looser-than-floor overrides."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.policy.lint import lint_ruleset
from junheng.policy.loader import load_ruleset_file
from junheng.policy.registry import bundled_root, load_ruleset

QUALITY = (bundled_root() / "national" / "quality-2017.yaml").read_text(encoding="utf-8")


def _codes(findings: list[object]) -> set[str]:
    return {f.code for f in findings}  # type: ignore[attr-defined]


def test_bundled_quality_ruleset_is_clean_when_fresh() -> None:
    findings = lint_ruleset(load_ruleset("national/quality-2017"), as_of=dt.date(2026, 12, 7))  # last review
    assert not [f for f in findings if f.severity in ("error", "warning")], findings


def test_stale_and_missing_dates(tmp_path: Path) -> None:
    loaded = load_ruleset("national/quality-2017")
    stale = lint_ruleset(loaded, as_of=dt.date(2029, 1, 1), max_age_days=365)
    assert "stale" in _codes(stale)
    text = QUALITY.replace("    last_checked: 2026-11-25\n    indicator: backbone_teachers_per_100",
                           "    indicator: backbone_teachers_per_100")
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    findings = lint_ruleset(load_ruleset_file(path), as_of=dt.date(2026, 12, 1))
    assert [f.where for f in findings if f.code == "last-checked-missing"] == ["rules[resource.backbone_teachers]"]


def test_unused_parameter_indicator_and_fact(tmp_path: Path) -> None:
    anchor = "# indicators: every one this ruleset uses is defined in the catalogue, rulesets/_indicators.yaml\n"
    assert anchor in QUALITY  # the end of the parameters block
    text = QUALITY.replace(anchor, """  spare:
    title: {zh: 备用, en: spare}
    value: 3
    unit: ratio
    status: unconfirmed
    source: test
    last_checked: 2026-11-25
indicators:
  unused_books:
    title: {zh: 生均图书, en: books per student}
    formula: books / students
    unit: volumes_per_student
""", 1)
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    findings = lint_ruleset(load_ruleset_file(path), as_of=dt.date(2026, 12, 1))
    codes = {(f.code, f.where) for f in findings}
    assert ("unused-parameter", "parameters.spare") in codes
    assert ("unused-indicator", "indicators.unused_books") in codes
    assert any(f.code == "unused-fact" and "books" in f.message.en for f in findings)
    assert ("unconfirmed", "parameters.spare") in codes


def test_looser_than_the_national_floor() -> None:
    # Anhui 2007's sports area (primary 6) is looser than national quality-2017 (7.5)? Different
    # indicators are not compared; the same formula is.
    findings = lint_ruleset(load_ruleset("anhui/school-2007"), as_of=dt.date(2026, 12, 1),
                            floor=load_ruleset("anhui/school-2018").ruleset)
    looser = [f for f in findings if f.code == "looser-than-floor"]
    assert looser and all(f.severity == "error" for f in looser)
    assert any(f.where == "rules[campus.sports_area]" for f in looser)
    tighter = lint_ruleset(load_ruleset("anhui/school-2018"), as_of=dt.date(2026, 12, 1),
                           floor=load_ruleset("anhui/school-2007").ruleset)
    assert "looser-than-floor" not in _codes(tighter)


def test_cli_lint(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["lint", "national/quality-2017", "--as-of", "2026-12-01"])
    assert ok.exit_code == 0, ok.output
    stale = runner.invoke(app, ["lint", "national/quality-2017", "--as-of", "2030-01-01", "--strict",
                                "--lang", "en"])
    assert stale.exit_code == 1 and "stale" in stale.output
    looser = runner.invoke(app, ["lint", "anhui/school-2007", "--floor", "anhui/school-2018", "--as-of", "2026-12-01"])
    assert looser.exit_code == 1 and "looser-than-floor" in looser.output
    assert runner.invoke(app, ["lint", "national/quality-2017", "--as-of", "not-a-date"]).exit_code == 2

"""``junheng check``: the invariants find real defects, pass on the bundled rulesets, and the
command's exit code is 0 only when every invariant holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.render.check import finding
from junheng.engine.check import CheckSettings, run_checks
from junheng.policy.loader import load_ruleset_file
from junheng.policy.registry import bundled_root, load_ruleset

FAST = CheckSettings(max_examples=15)
ROOT = bundled_root()


def _variant(tmp_path: Path, source: str, *replacements: tuple[str, str], name: str = "v.yaml") -> Path:
    text = (ROOT / source).read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def loosened(tmp_path: Path) -> Path:
    """Anhui 2018 with the primary sports area lowered below the 2007 value (6 → 5.5)."""
    return _variant(tmp_path, "anhui/school-standard.yaml",  # latest edition: the 2018 revision
                    ("value: {primary: 7.7, junior: 10.6}", "value: {primary: 5.5, junior: 10.6}"),
                    ("id: anhui/school-standard", "id: anhui/school-2018-loosened"), name="loosened.yaml")


@pytest.mark.parametrize("ruleset_id", ["national/quality-2017", "anhui/school-2018", "anhui/school-2007"])
def test_bundled_rulesets_hold_every_invariant(ruleset_id: str) -> None:
    report = run_checks(load_ruleset(ruleset_id).ruleset, check=FAST)
    assert report.ok, [(r.name, [finding(p, "en") for p in r.problems], r.counterexample) for r in report.results]
    assert report.examples > 0


def test_anhui_2018_is_tighter_than_2007() -> None:
    report = run_checks(load_ruleset("anhui/school-2018").ruleset, against=load_ruleset("anhui/school-2007").ruleset,
                        expect="tighter", invariants=["update_intent"], check=FAST)
    assert report.ok
    looser = run_checks(load_ruleset("anhui/school-2018").ruleset, against=load_ruleset("anhui/school-2007").ruleset,
                        expect="looser", invariants=["update_intent"], check=FAST)
    assert not looser.ok and looser.results[0].counterexample is not None


def test_a_loosened_copy_fails_tighter_with_a_counterexample(tmp_path: Path) -> None:
    new = load_ruleset_file(loosened(tmp_path)).ruleset
    report = run_checks(new, against=load_ruleset("anhui/school-2007").ruleset, expect="tighter",
                        invariants=["update_intent"], check=FAST)
    (result,) = report.results
    assert not result.passed
    ce = result.counterexample
    assert ce is not None and "not tighter" in finding(ce.reason, "en")
    school = ce.sections[0]
    per_student = school.values["sports_area_m2"] / school.values["students"]
    assert school.level.value == "primary" and 5.5 <= per_student < 6  # exactly the loosened window


def test_only_limits_what_may_change(tmp_path: Path) -> None:
    quality = load_ruleset("national/quality-2017").ruleset
    raised = load_ruleset_file(_variant(tmp_path, "national/quality-2017.yaml",
                                        ("value: {primary: 7.5, junior: 10.2}", "value: {primary: 8, junior: 10.2}")))
    ok = run_checks(raised.ruleset, against=quality, expect="tighter", only=["resource.sports_area"],
                    invariants=["update_intent"], check=FAST)
    assert ok.ok
    wrong_rule = run_checks(raised.ruleset, against=quality, expect="tighter", only=["resource.books"],
                            invariants=["update_intent"], check=FAST)
    assert not wrong_rule.ok
    unchanged = run_checks(raised.ruleset, against=quality, expect="unchanged", invariants=["update_intent"],
                           check=FAST)
    assert not unchanged.ok and unchanged.results[0].counterexample is not None
    same = run_checks(quality, against=quality, expect="unchanged", invariants=["update_intent"], check=FAST)
    assert same.ok


def test_negative_threshold_and_unused_indicator_are_not_well_formed(tmp_path: Path) -> None:
    # a negative threshold no longer loads (tests/security/test_ruleset_limits.py); 0 loads and
    # is not well formed
    path = _variant(tmp_path, "national/quality-2017.yaml",
                    ("value: {primary: 1, junior: 1}", "value: {primary: 0, junior: 1}"))
    report = run_checks(load_ruleset_file(path).ruleset, invariants=["well_formed"], check=FAST)
    (result,) = report.results
    assert not result.passed
    texts = " ".join(finding(p, "en") for p in result.problems)
    assert "threshold 0 is not positive" in texts


def test_a_non_monotonic_formula_is_found_with_a_small_counterexample(tmp_path: Path) -> None:
    # "above-degree teachers per 100 teachers" falls when teachers are added
    # (the catalogue's indicator redefined in full inside the ruleset: a full entry wins)
    path = _variant(tmp_path, "national/quality-2017.yaml",
                    ("\nrules:\n", "\nindicators:\n  above_degree_teachers_per_100:\n"
                     "    title: {zh: 高学历, en: above degree}\n"
                     "    formula: teachers_above_required_degree / teachers * 100\n"
                     "    unit: teachers_per_100_students\n    resource: teachers_above_required_degree\n\nrules:\n"),
                    ("value: {primary: 4.2, junior: 5.3}", "value: {primary: 50, junior: 50}"))
    report = run_checks(load_ruleset_file(path).ruleset, invariants=["monotonic"], check=CheckSettings(max_examples=80))
    (result,) = report.results
    assert not result.passed and result.counterexample is not None
    assert "teachers" in finding(result.counterexample.reason, "en")


def test_cli_check_exit_codes_and_counterexample(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["check", "anhui/school-2018", "--against", "anhui/school-2007", "--expect", "tighter",
                             "--examples", "25"])
    assert ok.exit_code == 0, ok.output
    assert "修订意图" in ok.output and "全部" in ok.output
    bad = runner.invoke(app, ["check", str(loosened(tmp_path)), "--against", "anhui/school-2007",
                              "--expect", "tighter", "--examples", "25", "--lang", "en"])
    assert bad.exit_code == 1, bad.output
    assert "Smallest counter-example" in bad.output and "sports_area_m2" in bad.output
    usage = runner.invoke(app, ["check", "anhui/school-2018", "--expect", "tighter"])
    assert usage.exit_code == 2
    missing = runner.invoke(app, ["check", "no/such-ruleset"])
    assert missing.exit_code == 2

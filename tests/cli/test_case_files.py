"""``junheng test``: test cases as data (tests/cases/**/*.yaml), exit codes 0 / 1 / 2, zh and en."""

from __future__ import annotations

from pathlib import Path

import pytest
from clikit import run_cli

from junheng.policy.cases import CaseFileError, read_cases
from junheng.testing import _is_case_file, run_case

CASES = Path(__file__).resolve().parents[1] / "cases"

# examples.md school A: 1289 × 5.8 − 4450 = 3026.2 m² short; a wrong expectation of 3026.3 and "passed"
WRONG = """\
- name: 写错的期望
  ruleset: national/quality-2017
  at: 2024-09-01
  school: {level: junior, students: 1289, teaching_aux_area_m2: 4450}
  expect:
    resource.teaching_area: {outcome: passed, shortfall_total: 3026.3}
    resource.no_such_rule: failed
"""


def test_bundled_cases_hold(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "test", str(CASES), "--lang", "en")
    assert code == 0 and " 0 failed" in out


def test_a_wrong_expectation_names_case_rule_expected_and_got(capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    f = tmp_path / "wrong.yaml"
    f.write_text(WRONG, encoding="utf-8")
    code, out, _ = run_cli(capsys, "test", str(f))
    assert code == 1
    assert "写错的期望" in out and f"{f}:1" in out
    assert "resource.teaching_area 结果：期望 达标（passed），得到 未达标（failed）" in out
    assert "resource.teaching_area 缺额：期望 3026.3，得到 3026.2" in out
    assert "resource.no_such_rule：规则集中没有此规则" in out
    code, out, _ = run_cli(capsys, "test", str(f), "--lang", "en")
    assert code == 1
    assert "resource.teaching_area shortfall: expected 3026.3, got 3026.2" in out
    assert "expected met (passed), got not met (failed)" in out


@pytest.mark.parametrize(("text", "line", "zh", "en"), [
    ("- name: x\n  ruleset: national/quality-2017\n  school: {level: junior}\n  expect:\n"
     "    resource.teaching_area: {outcome: failed, shortfall_total: 3.0.1}\n",
     5, "不是精确数", "is not an exact number"),
    ("- name: x\n  ruleset: national/quality-2017\n  school: {level: junior}\n  expect:\n"
     "    resource.teaching_area: fail\n", 5, "不是结果词", "is not an outcome word"),
    ("- name: x\n  ruleset: national/quality-2017\n  at: someday\n  school: {level: junior}\n"
     "  expect: {a: failed}\n", 3, "须为日期", "must be a date"),
    ("- name: x\n  rulset: national/quality-2017\n", 2, "未知的键 rulset", "unknown key rulset"),
    ("- name: [unclosed\n", None, "无法读取用例文件", "cannot read the case file"),
])
def test_an_unreadable_case_file_exits_2_with_file_line_zh_en(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                              text: str, line: int | None, zh: str, en: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(CaseFileError) as err:
        read_cases(f)
    if line is not None:
        assert err.value.line == line
    code, _, stderr = run_cli(capsys, "test", str(f))
    assert code == 2
    flat = " ".join(stderr.split())
    assert str(f.name) in flat and zh in flat and en in flat


def test_a_rejected_school_figure_is_an_error_not_unknown(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "neg.yaml"
    f.write_text("- name: 负数\n  ruleset: national/quality-2017\n  school: {level: junior, students: -5}\n"
                 "  expect: {resource.teaching_area: unknown}\n", encoding="utf-8")
    [case] = read_cases(f)
    with pytest.raises(CaseFileError):
        run_case(case)
    assert run_cli(capsys, "test", str(f))[0] == 2


def test_pytest_collects_only_tests_cases_yaml() -> None:
    assert _is_case_file(CASES / "national" / "quality-2017" / "resource.yaml")
    assert not _is_case_file(Path("rulesets/national/quality-2017.yaml"))
    assert not _is_case_file(Path("tests/data/cases.yaml"))

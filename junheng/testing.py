"""A pytest entry point for ruleset authors (规则集作者的测试入口).

A test file of a few lines checks a ruleset with every invariant of ``junheng check``, one
pytest test per invariant::

    # tests/test_my_ruleset.py
    from junheng.testing import ruleset_tests

    test_anhui_2018 = ruleset_tests("anhui/school-2018", against="anhui/school-2007", expect="tighter")

``check_ruleset`` is the same as a plain function (raises :class:`AssertionError` with the
counter-example in the message). The search is derandomised (reproducible in CI); set the
environment variable ``JUNHENG_CHECK_EXAMPLES`` to search more schools.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from junheng.cli.render.check import finding, invariant_title
from junheng.engine.check import INVARIANTS, CheckReport, CheckSettings, Expectation, InvariantResult, run_checks
from junheng.engine.numbers import decimal_text
from junheng.engine.results import Outcome, RuleResult
from junheng.policy.cases import Case, CaseFileError, read_cases
from junheng.policy.registry import load_ruleset

__all__ = ["Mismatch", "check_ruleset", "describe_case_failure", "describe_failure", "pytest_collect_file",
           "read_cases", "ruleset_tests", "run_case"]


def _examples(default: int) -> int:
    return int(os.environ.get("JUNHENG_CHECK_EXAMPLES", default))


def describe_failure(result: InvariantResult, lang: str = "en") -> str:
    """A failed invariant in words, with the counter-example's facts."""
    lines = [f"{result.name}: {invariant_title(result, None, lang)}"]
    lines += [f"  - {finding(p, lang)}" for p in result.problems]
    ce = result.counterexample
    if ce is not None:
        lines.append(f"  {finding(ce.reason, lang)}")
        for s in ce.sections:
            facts = ", ".join(f"{k}={decimal_text(v, 6)}" for k, v in s.values.items())
            kind = f", {s.school_type}" if s.school_type else ""
            lines.append(f"  counter-example {s.school_id} ({s.level.value}{kind}): {facts}")
    return "\n".join(lines)


def check_ruleset(ruleset: str, *, against: str | None = None, expect: Expectation | None = None,
                  only: Iterable[str] = (), invariants: Iterable[str] | None = None,
                  examples: int = 100) -> CheckReport:
    """Run the invariants on a ruleset (id or path); raise AssertionError if one fails."""
    old = load_ruleset(against).ruleset if against is not None else None
    wanted = list(invariants) if invariants is not None else None
    report = run_checks(load_ruleset(ruleset).ruleset, against=old, expect=expect, only=tuple(only),
                        invariants=wanted, check=CheckSettings(max_examples=_examples(examples)),
                        ruleset_name=ruleset, against_name=against)
    failed = [r for r in report.results if not r.passed]
    if failed:
        raise AssertionError("\n".join(describe_failure(r) for r in failed))
    return report


def ruleset_tests(ruleset: str, *, against: str | None = None, expect: Expectation | None = None,
                  only: Iterable[str] = (), examples: int = 100) -> Callable[[str], None]:
    """A pytest test function, parametrised over the invariants (update intent only with
    ``against``). Assign it to a ``test_…`` name in a test module."""
    import pytest

    names = [n for n in INVARIANTS if n != "update_intent" or against is not None]
    only_rules = tuple(only)

    @pytest.mark.parametrize("invariant", names)
    def test_ruleset(invariant: str) -> None:
        check_ruleset(ruleset, against=against, expect=expect, only=only_rules, invariants=[invariant],
                      examples=examples)

    return test_ruleset


# --- test cases as data (issue 10 item 10) -----------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """One expectation of a case that does not hold (``what``: a field of :data:`NUMBER_FIELDS`,
    ``outcome``, or ``rule`` when the ruleset has no such rule)."""

    rule_id: str
    what: str
    expected: Outcome | Fraction | None
    got: Outcome | Fraction | None


def _got(r: RuleResult, what: str) -> Fraction | None:
    if what == "shortfall_total":
        return r.shortfall.amount if r.shortfall is not None else None
    if what == "points":
        return r.score.awarded if r.score is not None else None
    value: Fraction | None = getattr(r, what)
    return value


def run_case(case: Case) -> list[Mismatch]:
    """Evaluate the case's school through the public API (:func:`junheng.api.evaluate`) and compare
    each expectation exactly. Raises :class:`CaseFileError` when the school or the ruleset cannot be
    used (a rejected figure is an error of the case, never a silent 无法判定)."""
    from junheng import api
    from junheng.policy.loader import RulesetError
    from junheng.policy.readers import read_facts_text

    row = {"school_id": "case", "school_name": case.name, **case.school}
    batch = read_facts_text(json.dumps([row], ensure_ascii=False), "json", f"{case.file}:{case.line}")
    if batch.errors:
        e = batch.errors[0]
        raise CaseFileError(case.file, case.line, f"用例「{case.name}」的 school 有误：{e.message_zh}",
                            f"case {case.name!r}: bad school: {e.message_en}")
    try:
        evaluation = api.evaluate(batch, case.ruleset, at=case.at)
    except (RulesetError, ValueError, FileNotFoundError) as exc:
        raise CaseFileError(case.file, case.line, f"用例「{case.name}」的规则集无法使用：{exc}",
                            f"case {case.name!r}: the ruleset cannot be used: {exc}") from None
    if len(evaluation.schools) != 1:
        raise CaseFileError(case.file, case.line, f"用例「{case.name}」须恰好描述一个学段",
                            f"case {case.name!r} must describe exactly one school section")
    results = {r.rule_id: r for r in evaluation.schools[0].results}
    out: list[Mismatch] = []
    for want in case.expect:
        r = results.get(want.rule_id)
        if r is None:
            out.append(Mismatch(want.rule_id, "rule", None, None))
            continue
        if want.outcome is not None and r.outcome is not want.outcome:
            out.append(Mismatch(want.rule_id, "outcome", want.outcome, r.outcome))
        for what, expected in want.numbers.items():
            got = _got(r, what)
            if got != expected:
                out.append(Mismatch(want.rule_id, what, expected, got))
    return out


def describe_case_failure(case: Case, mismatches: list[Mismatch], lang: str = "zh") -> str:
    """A failed case in words: its name and place, then each rule's expected vs got."""
    from junheng.cli.render.cases import case_header, mismatch_line

    lines = [case_header(case.name, case.file, case.line, False, lang)]
    lines += [f"  {mismatch_line(m.rule_id, m.what, m.expected, m.got, lang)}" for m in mismatches]
    return "\n".join(lines)


def _is_case_file(path: Path) -> bool:
    parts = path.parts
    return path.suffix in (".yaml", ".yml") and any(
        a == "tests" and b == "cases" for a, b in itertools.pairwise(parts))


def pytest_collect_file(parent: Any, file_path: Path) -> Any:
    """pytest hook: every ``tests/cases/**/*.yaml`` is a test file, one test per case. Enable it with
    ``from junheng.testing import pytest_collect_file`` in a ``conftest.py``."""
    if not _is_case_file(file_path):
        return None
    return _collector_classes()[0].from_parent(parent, path=file_path)


@functools.cache
def _collector_classes() -> tuple[Any, Any]:
    import pytest

    class CaseItem(pytest.Item):
        def __init__(self, *, case: Case, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.case = case

        def runtest(self) -> None:
            mismatches = run_case(self.case)
            if mismatches:
                raise AssertionError(describe_case_failure(self.case, mismatches, "en"))

        def repr_failure(self, excinfo: Any, style: Any = None) -> str:
            if isinstance(excinfo.value, AssertionError | CaseFileError):
                return str(excinfo.value)
            return str(super().repr_failure(excinfo))

        def reportinfo(self) -> tuple[Any, int | None, str]:
            return self.path, (self.case.line or 1) - 1, self.case.name

    class CaseFile(pytest.File):
        def collect(self) -> Iterator[CaseItem]:
            for case in read_cases(self.path):
                yield CaseItem.from_parent(self, name=f"{case.name} [line {case.line}]", case=case)

    return CaseFile, CaseItem

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

import os
from collections.abc import Callable, Iterable

from junheng.cli.render.check import finding, invariant_title
from junheng.engine.check import INVARIANTS, CheckReport, CheckSettings, Expectation, InvariantResult, run_checks
from junheng.engine.numbers import decimal_text
from junheng.policy.registry import load_ruleset

__all__ = ["check_ruleset", "describe_failure", "ruleset_tests"]


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

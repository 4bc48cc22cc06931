"""Lint has no false positives on the bundled rulesets: no errors and no warnings on any of them
(info findings — unconfirmed numbers, which every explanation flags — are expected)."""

from __future__ import annotations

import datetime as dt

import pytest

from junheng.policy.lint import lint_ruleset
from junheng.policy.registry import bundled_ids, load_ruleset


@pytest.mark.parametrize("ruleset_id", bundled_ids())
def test_lint_is_clean_on_every_bundled_ruleset(ruleset_id: str) -> None:
    # as of the last review of the bundled rulesets (lint also reports dates in the future)
    findings = lint_ruleset(load_ruleset(ruleset_id), as_of=dt.date(2026, 12, 7))
    assert [(f.code, f.where) for f in findings if f.severity != "info"] == []

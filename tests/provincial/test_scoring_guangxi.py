"""Scored items: the Guangxi B1–B9 scheme and the seed school A (shared/spec/examples.md A).

The pure input → points cases (B1 17, B8 4, the B1 step edges) are data in tests/cases/guangxi/school-b/."""

from __future__ import annotations

from fractions import Fraction

import pytest

from junheng.cli.render.explain import explanation
from junheng.engine.evaluate import evaluate_sections
from junheng.engine.results import Outcome, RuleResult, SchoolResult
from junheng.examples import example_path
from junheng.policy.facts import Level
from junheng.policy.inputs import SchoolSection
from junheng.policy.readers import read_facts
from junheng.policy.registry import load_ruleset

GUANGXI = load_ruleset("guangxi/school-b").ruleset


def school_a(engine: str = "durable") -> SchoolResult:
    batch = read_facts(example_path("guangxi_school_a.csv"))
    assert not batch.errors
    return evaluate_sections(GUANGXI, batch.sections, engine)[0]  # type: ignore[arg-type]


def item(result: SchoolResult, rule_id: str) -> RuleResult:
    return next(r for r in result.results if r.rule_id == rule_id)


@pytest.mark.parametrize("engine", ["durable", "direct"])
def test_seed_school_a_reproduces_its_self_scores(engine: str) -> None:
    a = school_a(engine)
    b1 = item(a, "B1")
    assert b1.score is not None
    # 4450 m² / 1289 students = 3.4523 m²/student; required 4.39; shortfall 0.9377;
    # ⌊0.9377 ÷ 0.5⌋ = 1 step → 18 − 1 = 17 ("共计扣1分，得分为17分")
    assert b1.score.awarded == 17 and b1.score.deducted == 1
    assert b1.outcome is Outcome.failed
    b8 = item(a, "B8")
    assert b8.score is not None
    # 31 of 96 teachers = 32.29%; 6 × (31/96) ÷ 0.5 = 3.875 → rounds (half up) to 4; 6 − 4 = 2 off
    assert b8.score.awarded == 4 and b8.score.deducted == 2
    # computed: B2 13247 ≥ 11138 → 12; B4 1289/88 = 14.65 ≤ 15 and 18/18 rooms → 12;
    # B7 96 ≥ 95 → 8; assessed (report): B3 18, B5 10, B6 10, B9 6
    expected = {"B1": 17, "B2": 12, "B3": 18, "B4": 12, "B5": 10, "B6": 10, "B7": 8, "B8": 4, "B9": 6}
    got = {r.rule_id: r.score.awarded for r in a.results if r.score is not None}
    assert got == expected
    assert a.score is not None
    # 17 + 12 + 18 + 12 + 10 + 10 + 8 + 4 + 6 = 97; groups A1 17+12 = 29, A2 18+12+10+10 = 50, A3 8+4+6 = 18
    assert a.score.awarded == 97 and a.score.points == 100 and a.score.deducted == 3
    assert {g.group: g.awarded for g in a.score.groups} == {"A1": 29, "A2": 50, "A3": 18}


def test_what_it_takes_for_full_marks_and_for_the_standard() -> None:
    a = school_a()
    b1 = item(a, "B1")
    assert b1.shortfall is not None and b1.score is not None
    # the standard: 4.39 × 1289 = 5658.71 m² → 5658.71 − 4450 = 1208.71 m²
    assert b1.shortfall.amount == Fraction("1208.71")
    # full points: shortfall under 0.5 → area > (4.39 − 0.5) × 1289 = 5014.21 → 5014.22 (0.01 m² steps)
    assert [s.amount for s in b1.score.full_marks] == [Fraction("564.22")]
    b8 = item(a, "B8")
    assert b8.shortfall is not None and b8.score is not None
    # the standard: 50% of 96 = 48 → 17 more; full points: round(6a) = 6 ⇔ a ≥ 11/12 ⇔ share ≥ 11/24
    # ⇔ titled ≥ 96 × 11/24 = 44 → 13 more
    assert b8.shortfall.amount == 17
    assert [s.amount for s in b8.score.full_marks] == [13]


def test_unconfirmed_table_and_schedule_show_in_explanations() -> None:
    a = school_a()
    assert "未确认" in explanation(item(a, "B1")).zh  # the size table (4.39) is unconfirmed
    assert "unconfirmed" in explanation(item(a, "B1")).en
    assert "扣分办法为未确认" in explanation(item(a, "B2")).zh  # all-or-nothing is assumed
    assert "扣分办法为推算" in explanation(item(a, "B8")).zh
    assert "未确认" in explanation(item(a, "B3")).zh  # assessed item


def section(**values: int | str) -> SchoolSection:
    extra = {k: str(v) for k, v in values.items() if k.startswith("score:")}
    facts = {k: Fraction(v) for k, v in values.items() if not k.startswith("score:")}
    return SchoolSection(school_id="T", level=Level.junior, values=facts, extra=extra)


def test_size_table_without_the_row_is_unknown_never_guessed() -> None:
    # 24 classes: the table only knows 18 → B1 and B2 cannot be scored
    s = section(students=1000, classes=24, teaching_aux_area_m2=5000, sports_area_m2=20000)
    r = evaluate_sections(GUANGXI, [s])[0]
    b1 = item(r, "B1")
    assert b1.outcome is Outcome.unknown and b1.score is not None and b1.score.awarded is None
    assert "24个班" in explanation(b1).zh
    assert r.score is not None and r.score.undecided >= 18 + 12


def test_assessed_scores_missing_or_invalid_are_unknown() -> None:
    s = section(students=1289, classes=18, **{"score:B3": "17", "score:B5": "11", "score:B6": "abc"})
    r = evaluate_sections(GUANGXI, [s])[0]
    assert item(r, "B3").score.awarded == 17  # type: ignore[union-attr]
    assert item(r, "B5").score.awarded is None  # type: ignore[union-attr]  # 11 > 10 points
    assert item(r, "B6").score.awarded is None  # type: ignore[union-attr]
    assert item(r, "B9").outcome is Outcome.unknown  # no column at all

"""Engine guards through the whole evaluation path (facts → margins → durable_rules → results).

The durable_rules limits themselves are pinned one test each in test_durable_backend.py (error
303 at 65 true conditions, error 302 beyond 253 properties, 1,024 sids, 513-rule hang, number
encodings, lost actions, swallowed exceptions, thread safety). These tests drive the same limits
from rulesets and school rows: many rules (chunking), margins beyond 2**53 (sign encoding),
large batches (one sid, deleted per batch) and 100k rows in one call.
"""

from __future__ import annotations

import os
import time
from fractions import Fraction

import pytest

from junheng.engine.evaluate import evaluate_sections
from junheng.policy.facts import Level
from junheng.policy.inputs import SchoolSection
from junheng.policy.model import LevelValues, Ruleset
from junheng.policy.registry import load_ruleset

QUALITY = load_ruleset("national/quality-2017").ruleset


def _school(i: int, level: Level = Level.primary, **values: Fraction) -> SchoolSection:
    base = {"students": Fraction(100 + i % 900), "teachers_above_required_degree": Fraction(i % 13),
            "backbone_teachers": Fraction(i % 3), "pe_art_teachers": Fraction(i % 4),
            "teaching_aux_area_m2": Fraction(i % 5000, 7), "sports_area_m2": Fraction(i % 9000),
            "equipment_value_yuan": Fraction(i * 37 % 3_000_000), "multimedia_classrooms": Fraction(i % 30)}
    base.update(values)
    return SchoolSection(school_id=f"S{i}", level=level if i % 2 else Level.junior, values=base)


def _many_rules(n: int) -> Ruleset:
    template = QUALITY.rule("resource.teaching_area")
    rules = [template.model_copy(update={"id": f"area.{i}", "value": LevelValues(primary=Fraction(i + 1, 2),
                                                                                  junior=Fraction(i + 1, 2))})
             for i in range(n)]
    return QUALITY.model_copy(update={"rules": rules})


def test_more_rules_than_one_durable_ruleset_holds_are_chunked() -> None:
    # > 60 atoms per durable ruleset would risk error 303 (65 distinct true conditions)
    ruleset = _many_rules(70)
    sections = [_school(i, teaching_aux_area_m2=Fraction(i * 10)) for i in range(30)]
    durable = evaluate_sections(ruleset, sections, "durable")
    assert durable == evaluate_sections(ruleset, sections, "direct")
    outcomes = {r.passed for s in durable for r in s.results}
    assert {True, False} <= outcomes


@pytest.mark.parametrize("value", [Fraction(10**14), Fraction(1, 10**12), Fraction(10**15 - 1, 10**12), Fraction(0)])
def test_margins_beyond_double_precision_agree(value: Fraction) -> None:
    # 10**14 m² for 1 student gives a margin numerator far beyond 2**53: only its sign is sent
    sections = [_school(i, students=Fraction(1 + i), teaching_aux_area_m2=value, sports_area_m2=value)
                for i in range(4)]
    assert evaluate_sections(QUALITY, sections, "durable") == evaluate_sections(QUALITY, sections, "direct")


def test_exact_boundaries_that_doubles_get_wrong() -> None:
    # 9 pe/art teachers for 1000 students = 0.9 per 100 exactly; in doubles 9/1000*100 < 0.9
    s = _school(1, students=Fraction(1000), pe_art_teachers=Fraction(9))
    (result,) = evaluate_sections(QUALITY, [s], "durable")
    assert next(r for r in result.results if r.rule_id == "resource.pe_art_teachers").passed is True


def test_repeated_calls_never_exhaust_session_ids() -> None:
    # 1,024 live sids per ruleset -> MemoryError: every call deletes its state
    for i in range(1100):
        (result,) = evaluate_sections(QUALITY, [_school(i)], "durable")
        assert result.school_id == f"S{i}"


ROWS = 100_000 if os.environ.get("JUNHENG_SLOW") else 3_000


def test_many_rows_in_one_call() -> None:
    """100k rows with JUNHENG_SLOW=1 (several minutes: ~5 ms a row, mostly explanations);
    CI runs 3k rows through the same path (6 durable batches of 500)."""
    sections = [_school(i) for i in range(ROWS)]
    start = time.perf_counter()
    results = evaluate_sections(QUALITY, sections, "durable")
    elapsed = time.perf_counter() - start
    assert len(results) == ROWS
    assert [r.school_id for r in results[:3]] == ["S0", "S1", "S2"]
    sample = list(range(0, ROWS, 997))
    assert [results[i] for i in sample] == evaluate_sections(QUALITY, [sections[i] for i in sample], "direct")
    assert elapsed < ROWS * 0.05  # generous: shared CI machines

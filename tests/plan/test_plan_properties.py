"""Invariants of `junheng plan` on generated counties (hypothesis): the applied plan passes when
re-evaluated by the ordinary engine, and no school's plan costs more than its cheapest gate path
priced with the same costs."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from junheng.engine.plan import Scope, make_plan
from junheng.policy.costs import UnitCosts
from junheng.policy.facts import Level
from junheng.policy.inputs import FactsBatch, SchoolSection
from junheng.policy.registry import load_ruleset

QUALITY = load_ruleset("national/quality-2017")
# per student (per 100 for people and rooms), primary / junior requirements of 教督〔2017〕6号 第五条
REQUIRED = {
    "teachers_above_required_degree": (Fraction("4.2"), Fraction("5.3"), 100),
    "backbone_teachers": (Fraction(1), Fraction(1), 100),
    "pe_art_teachers": (Fraction("0.9"), Fraction("0.9"), 100),
    "teaching_aux_area_m2": (Fraction("4.5"), Fraction("5.8"), 1),
    "sports_area_m2": (Fraction("7.5"), Fraction("10.2"), 1),
    "equipment_value_yuan": (Fraction(2000), Fraction(2500), 1),
    "multimedia_classrooms": (Fraction("2.3"), Fraction("2.4"), 100),
}
INTEGRAL = {"teachers_above_required_degree", "backbone_teachers", "pe_art_teachers", "multimedia_classrooms"}


@st.composite
def sections(draw: st.DrawFn) -> list[SchoolSection]:
    out = []
    for level in (Level.primary, Level.junior):
        for k in range(draw(st.integers(2, 4))):
            students = draw(st.integers(60, 2000))
            values: dict[str, Fraction] = {"students": Fraction(students)}
            for fact, (prim, jun, per) in REQUIRED.items():
                ratio = Fraction(draw(st.integers(30, 250)), 100)  # 30% … 250% of the requirement
                amount = (prim if level is Level.primary else jun) * students / per * ratio
                values[fact] = Fraction(int(amount)) if fact in INTEGRAL else Fraction(int(amount * 100), 100)
            out.append(SchoolSection(school_id=f"{level.value[0]}{k}", level=level, values=values))
    return out


COSTS = st.fixed_dictionaries({f: st.integers(1, 200_000) for f in REQUIRED})


def _batch(secs: list[SchoolSection]) -> FactsBatch:
    return FactsBatch(file="generated", file_sha256="0" * 64, rows_read=len(secs), sections=secs)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sections(), COSTS)
def test_school_plan_passes_and_never_costs_more_than_the_cheapest_gate_path(
        secs: list[SchoolSection], prices: dict[str, int]) -> None:
    run = make_plan(QUALITY, _batch(secs), UnitCosts.of(dict(prices)), scope=Scope.school)
    assert run.verified and run.feasible
    for s in run.sections:
        assert s.outcome_after is not None and s.outcome_after.value == "passed"
        if s.cheapest_path_cost is not None:
            assert s.cost <= s.cheapest_path_cost
        elif s.outcome_before.value == "passed":
            assert s.cost == 0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sections(), COSTS)
def test_county_plan_when_feasible_passes_every_cv_and_every_section(
        secs: list[SchoolSection], prices: dict[str, int]) -> None:
    run = make_plan(QUALITY, _batch(secs), UnitCosts.of(dict(prices)), scope=Scope.county)
    if run.feasible:
        assert run.verified
        assert all(c.passed_after is not False for c in run.cv)
        assert all(s.outcome_after is not None and s.outcome_after.value == "passed" for s in run.sections)
        assert run.solver.gap is not None and run.solver.gap < Fraction(1, 1000)


def test_json_on_stdout_is_clean_in_a_real_process() -> None:
    """HiGHS prints a banner on file descriptor 1 when first created; the CLI's JSON must not carry it."""
    root = Path(__file__).parents[2]
    proc = subprocess.run([str(Path(sys.executable).parent / "junheng"), "plan", "tests/data/plan_cv_county.csv",
                           "--costs", "junheng/examples/demo_costs.yaml", "--format", "json"],
                          capture_output=True, text=True, check=False, cwd=str(root))
    assert proc.returncode == 0, proc.stderr
    assert abs(json.loads(proc.stdout)["total_cost"] - 3_521_764) <= 30  # test_plan.py: ≈ 3,521,764

"""Class size decided from what is known (班额).

The largest class is at least the average: ⌈students ÷ classes⌉ above a "不超过" limit decides a
failure even when 最大班额 is not given; an average within the limit decides nothing (a single
class may still be too large). The remedy is classes to add: ⌈students ÷ limit⌉ − classes.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from junheng.engine.county import evaluate_county
from junheng.engine.evaluate import evaluate_sections
from junheng.engine.results import MissingFact, Outcome, RuleResult
from junheng.examples import example_path
from junheng.policy.county_facts import read_county_facts
from junheng.policy.facts import Level
from junheng.policy.inputs import FactsBatch, SchoolSection
from junheng.policy.readers import read_facts
from junheng.policy.registry import load_ruleset

F = Fraction


def _section(level: str, sid: str = "T", school_type: str | None = None, **values: int) -> SchoolSection:
    return SchoolSection(school_id=sid, level=Level(level), school_type=school_type,
                         values={k: F(v) for k, v in values.items()})


def _anhui_class_size(s: SchoolSection, engine: str) -> RuleResult:
    [result] = evaluate_sections(load_ruleset("anhui/school-2018").ruleset, [s], engine)  # type: ignore[arg-type]
    return {r.rule_id: r for r in result.results}["organisation.class_size"]


@pytest.mark.parametrize("engine", ["durable", "direct"])
def test_junior_1490_in_28_classes_fails_without_a_largest_class(engine: str) -> None:
    # 1490 ÷ 28 = 53.21… → the largest class is at least ⌈53.21⌉ = 54 > 50 (初中 ≤ 50): failed.
    # Classes to add: ⌈1490 ÷ 50⌉ − 28 = ⌈29.8⌉ − 28 = 30 − 28 = 2.
    r = _anhui_class_size(_section("junior", students=1490, classes=28), engine)
    assert r.outcome is Outcome.failed
    assert (r.actual, r.actual_at_least, r.required) == (F(54), True, F(50))
    assert r.missing_facts == ()
    assert r.shortfall is not None
    assert (r.shortfall.fact, r.shortfall.direction, r.shortfall.amount, r.shortfall.target) == (
        "classes", "increase", F(2), F(30))


@pytest.mark.parametrize("engine", ["durable", "direct"])
def test_an_average_on_the_limit_decides_nothing(engine: str) -> None:
    # 1400 ÷ 28 = 50 ≤ 50: one class may still hold 51 or more, so it cannot be decided.
    r = _anhui_class_size(_section("junior", students=1400, classes=28), engine)
    assert r.outcome is Outcome.unknown and r.missing_facts == (MissingFact(fact="max_class_size"),)
    assert not r.actual_at_least


def test_a_known_largest_class_is_judged_as_given_and_the_remedy_is_classes() -> None:
    # largest class 56 > 50 (初中); the average 1490 ÷ 28 = 53.2 also exceeds 50 → 2 classes to add
    r = _anhui_class_size(_section("junior", students=1490, classes=28, max_class_size=56), "direct")
    assert r.outcome is Outcome.failed and (r.actual, r.actual_at_least) == (F(56), False)
    assert r.shortfall is not None and (r.shortfall.fact, r.shortfall.amount) == ("classes", F(2))
    # largest class 52 > 50 but the average 1300 ÷ 28 = 46.4 is within it: no class to add
    # (the classes are uneven), and never "students to remove"
    r = _anhui_class_size(_section("junior", students=1300, classes=28, max_class_size=52), "direct")
    assert r.outcome is Outcome.failed and r.shortfall is None


def test_county_class_size_and_bands_from_the_average() -> None:
    # The bundled demo county: largest class not given for GX-A (1289 ÷ 18 = 71.6 → at least 72,
    # 超大班额 ≥ 66), C-JZ (1865 ÷ 31 = 60.2 → at least 61, 大班额 56–65), GZ-D (1476 ÷ 28 = 52.7 →
    # at least 53: not yet a band, but over the 初中 limit of 50) and QH-B primary (1041 ÷ 49 = 21.2 →
    # unknown). Given: QH-B junior 52, E-XX 24, F-SYN 45, G-SYN 62 (大班额).
    batch: FactsBatch = read_facts(example_path("demo_county.csv"))
    facts = read_county_facts(example_path("demo_county_facts.yaml"))
    run = evaluate_county(load_ruleset("national/quality-2017"), batch, facts)
    by_id = {c.criterion_id: c for c in run.criteria}
    # 初中 ≤ 50: GX-A 72, C-JZ 61, GZ-D 53, QH-B 52 fail; 小学 ≤ 45: G-SYN 62 fails
    assert set(by_id["government.05_class_size"].failing) == {
        "GX-A/junior", "C-JZ/junior", "GZ-D/junior", "QH-B/junior", "G-SYN/primary"}
    cs = run.class_sizes
    assert cs is not None
    assert cs.super_large == ("GX-A/junior",)
    assert set(cs.large) == {"C-JZ/junior", "G-SYN/primary"}
    assert set(cs.from_average) == {"GX-A/junior", "C-JZ/junior"}
    assert set(cs.unknown) == {"QH-B/primary", "GZ-D/junior"}
    gx = next(s for s in run.schools if s.school_id == "GX-A")
    assert (gx.max_class_size, gx.class_size_at_least, gx.class_size_band) == (None, F(72), "super_large")

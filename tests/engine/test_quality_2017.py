"""Hand-computed cases for ``national/quality-2017`` (教督〔2017〕6号, 资源配置 7 indicators).

Every expected number below was worked out by hand from standards.md §2.1 and examples.md; the
arithmetic is in the comment next to it. Nothing here was copied from program output.

Thresholds (小学 / 初中): above-degree teachers 4.2 / 5.3 per 100 students; backbone 1 / 1;
PE+arts 0.9 / 0.9; teaching rooms 4.5 / 5.8 m²/生; sports 7.5 / 10.2 m²/生; equipment
2000 / 2500 元/生; multimedia rooms 2.3 / 2.4 per 100 students. Gate: ≥ 6 of 7 met, the one
remaining indicator ≥ 85% of its requirement.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from junheng.cli.render.explain import explanation
from junheng.engine.evaluate import direct_verdicts, evaluate_sections
from junheng.engine.results import MissingFact, Outcome, RuleResult, SchoolResult
from junheng.policy.facts import Level
from junheng.policy.inputs import SchoolSection
from junheng.policy.model import Ruleset
from junheng.policy.registry import load_ruleset

F = Fraction

ABOVE = "resource.above_degree_teachers"
BACKBONE = "resource.backbone_teachers"
PE_ART = "resource.pe_art_teachers"
TEACHING = "resource.teaching_area"
SPORTS = "resource.sports_area"
EQUIPMENT = "resource.equipment_value"
MULTIMEDIA = "resource.multimedia_classrooms"
GATE = "resource.six_of_seven"
ENGINES = ("durable", "direct")


@pytest.fixture(scope="module")
def ruleset() -> Ruleset:
    return load_ruleset("national/quality-2017").ruleset


def section(level: str, sid: str = "T", **values: int | str | Fraction) -> SchoolSection:
    """A school section; numbers given as text are read exactly (Fraction("4450.5"))."""
    return SchoolSection(school_id=sid, level=Level(level),
                         values={k: Fraction(v) for k, v in values.items()})


def evaluate_one(ruleset: Ruleset, s: SchoolSection, engine: str = "durable") -> SchoolResult:
    [result] = evaluate_sections(ruleset, [s], engine)  # type: ignore[arg-type]
    return result


def by_id(result: SchoolResult) -> dict[str, RuleResult]:
    return {r.rule_id: r for r in result.results}


# A primary section of 1000 students sitting exactly on every requirement:
PRIMARY_EXACT: dict[str, int] = {
    "students": 1000,
    "teachers_above_required_degree": 42,  # 42 / 1000 × 100 = 4.2 per 100 (≥ 4.2)
    "backbone_teachers": 10,  # 10 / 1000 × 100 = 1 per 100 (≥ 1)
    "pe_art_teachers": 9,  # 9 / 1000 × 100 = 0.9 per 100 (≥ 0.9)
    "teaching_aux_area_m2": 4500,  # 4500 / 1000 = 4.5 m²/生 (≥ 4.5)
    "sports_area_m2": 7500,  # 7500 / 1000 = 7.5 m²/生 (≥ 7.5)
    "equipment_value_yuan": 2_000_000,  # 2 000 000 / 1000 = 2000 元/生 (≥ 2000)
    "multimedia_classrooms": 23,  # 23 / 1000 × 100 = 2.3 per 100 (≥ 2.3)
}


# ----------------------------------------------------------------------------------------------
# examples.md school A: Guangxi junior middle school
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_school_a_guangxi_junior_teaching_area(ruleset: Ruleset, engine: str) -> None:
    a = section("junior", "GX-A",
                students=1289,
                teaching_aux_area_m2=4450,
                sports_area_m2=13247,
                teachers_above_required_degree=74)  # 研究生 1 + 本科 73
    result = evaluate_one(ruleset, a, engine)
    r = by_id(result)

    teaching = r[TEACHING]
    assert teaching.outcome is Outcome.failed
    assert teaching.actual == F(4450, 1289)  # 4450 / 1289 = 3.4523… → "3.45 m²/生" in the report
    assert round(float(teaching.actual), 2) == 3.45
    assert teaching.required == F("5.8")  # 初中 5.8 m²/生
    # gap per student: 5.8 − 4450/1289 = (1289 × 5.8 − 4450) / 1289 = 3026.2 / 1289 = 2.3477…
    assert teaching.gap == F("3026.2") / 1289
    assert teaching.shortfall is not None
    assert teaching.shortfall.fact == "teaching_aux_area_m2"
    assert teaching.shortfall.unit == "m2"
    assert teaching.shortfall.direction == "increase"
    # shortfall total: 1289 × 5.8 − 4450 = 7476.2 − 4450 = 3026.2 m² (already a 0.01 multiple)
    assert teaching.shortfall.amount == F("3026.2")
    assert teaching.shortfall.target == F("7476.2")  # 1289 × 5.8

    sports = r[SPORTS]
    # 13247 / 1289 = 10.277 ≥ 10.2 (1289 × 10.2 = 13147.8 ≤ 13247)
    assert sports.outcome is Outcome.passed
    assert sports.actual == F(13247, 1289)
    assert sports.shortfall is None

    above = r[ABOVE]
    # 74 / 1289 × 100 = 5.74 ≥ 5.3 (1289 × 5.3 / 100 = 68.317 → 69 would be enough)
    assert above.outcome is Outcome.passed
    assert above.actual == F(7400, 1289)

    # backbone, PE/arts, equipment and multimedia are not in the report: unknown, never a pass
    for rule_id in (BACKBONE, PE_ART, EQUIPMENT, MULTIMEDIA):
        assert r[rule_id].outcome is Outcome.unknown
        assert r[rule_id].passed is None
        assert r[rule_id].missing_facts
    # …but the gate is decided anyway: teaching area reaches 4450 / 7476.2 = 59.5% < 85%, so
    # whichever indicator is "the remaining one", no clause of the gate can hold.
    gate = r[GATE]
    assert gate.outcome is Outcome.failed
    assert gate.met_count == 2  # above-degree teachers and sports area
    member = {m.rule_id: m for m in gate.members}[TEACHING]
    assert member.attainment == F(4450) / F("7476.2")  # = 0.59522… (59.5%)
    assert member.meets_floor is False
    assert result.outcome is Outcome.failed
    assert "59.5%" in explanation(gate).zh and "59.5%" in explanation(gate).en
    assert "3026.2平方米" in explanation(teaching).zh
    assert "3026.2 m²" in explanation(teaching).en


# ----------------------------------------------------------------------------------------------
# examples.md school B: Qinghai township central school, two sections
# ----------------------------------------------------------------------------------------------


def _qinghai_primary() -> SchoolSection:
    return section("primary", "QH-B", students=1041, teaching_aux_area_m2=4005, sports_area_m2=12012,
                   equipment_value_yuan=1_408_000, teachers_above_required_degree=69, teachers=74)


def _qinghai_junior() -> SchoolSection:
    return section("junior", "QH-B", students=573, teaching_aux_area_m2=2438, sports_area_m2=5400,
                   equipment_value_yuan=1_850_000, teachers_above_required_degree=38, teachers=57)


@pytest.mark.parametrize("engine", ENGINES)
def test_school_b_qinghai_primary(ruleset: Ruleset, engine: str) -> None:
    r = by_id(evaluate_one(ruleset, _qinghai_primary(), engine))
    # teaching rooms: 4005 / 1041 = 3.847 < 4.5; shortfall 1041 × 4.5 − 4005 = 4684.5 − 4005 = 679.5 m²
    assert r[TEACHING].outcome is Outcome.failed
    assert r[TEACHING].actual == F(4005, 1041)
    assert r[TEACHING].shortfall is not None
    assert r[TEACHING].shortfall.amount == F("679.5")
    assert r[TEACHING].shortfall.target == F("4684.5")
    # sports: 12012 / 1041 = 11.54 ≥ 7.5
    assert r[SPORTS].outcome is Outcome.passed
    # equipment: 1 408 000 / 1041 = 1352.5 < 2000; shortfall 1041 × 2000 − 1 408 000 = 674 000 元
    assert r[EQUIPMENT].outcome is Outcome.failed
    assert r[EQUIPMENT].actual == F(1_408_000, 1041)
    assert r[EQUIPMENT].shortfall is not None
    assert r[EQUIPMENT].shortfall.amount == 674_000
    assert r[EQUIPMENT].shortfall.unit == "yuan"
    # above-degree teachers: 69 / 1041 × 100 = 6.63 ≥ 4.2
    assert r[ABOVE].outcome is Outcome.passed
    # gate: two known misses (teaching rooms, equipment) → fails whatever the unknowns are
    gate = r[GATE]
    assert gate.outcome is Outcome.failed
    assert gate.met_count == 2
    attain = {m.rule_id: m.attainment for m in gate.members}
    # teaching rooms reach 4005 / 4684.5 = 85.49% (above the floor, but a second miss exists)
    assert attain[TEACHING] == F(4005) / F("4684.5")
    assert F(85, 100) < attain[TEACHING] < F(86, 100)
    # equipment reaches 1352.55 / 2000 = 67.6%
    assert attain[EQUIPMENT] == F(1_408_000, 1041 * 2000)
    assert "85.5%" in explanation(gate).zh  # 0.85495 → 85.5% (one decimal, half up)
    assert "67.6%" in explanation(gate).zh


@pytest.mark.parametrize("engine", ENGINES)
def test_school_b_qinghai_junior(ruleset: Ruleset, engine: str) -> None:
    r = by_id(evaluate_one(ruleset, _qinghai_junior(), engine))
    # teaching rooms: 2438 / 573 = 4.25 < 5.8; shortfall 573 × 5.8 − 2438 = 3323.4 − 2438 = 885.4 m²
    assert r[TEACHING].outcome is Outcome.failed
    assert r[TEACHING].shortfall is not None
    assert r[TEACHING].shortfall.amount == F("885.4")
    # sports: 5400 / 573 = 9.42 < 10.2; shortfall 573 × 10.2 − 5400 = 5844.6 − 5400 = 444.6 m²
    assert r[SPORTS].outcome is Outcome.failed
    assert r[SPORTS].actual == F(5400, 573)
    assert r[SPORTS].shortfall is not None
    assert r[SPORTS].shortfall.amount == F("444.6")
    # equipment: 1 850 000 / 573 = 3228.6 ≥ 2500
    assert r[EQUIPMENT].outcome is Outcome.passed
    # above-degree: 38 / 573 × 100 = 6.63 ≥ 5.3
    assert r[ABOVE].outcome is Outcome.passed
    assert r[ABOVE].actual == F(3800, 573)
    gate = r[GATE]
    assert gate.outcome is Outcome.failed
    attain = {m.rule_id: m.attainment for m in gate.members}
    assert attain[SPORTS] == F(5400) / F("5844.6")  # 92.4%
    assert attain[TEACHING] == F(2438) / F("3323.4")  # 73.4%
    assert "92.4%" in explanation(gate).zh and "73.4%" in explanation(gate).zh


def test_both_qinghai_sections_in_one_batch(ruleset: Ruleset) -> None:
    """Two sections of one school (same school_id, different level) are kept apart."""
    results = evaluate_sections(ruleset, [_qinghai_primary(), _qinghai_junior()])
    assert [(s.school_id, s.level) for s in results] == [("QH-B", Level.primary), ("QH-B", Level.junior)]
    # same indicator, different requirement per level: 4.5 (小学) vs 5.8 (初中)
    assert by_id(results[0])[TEACHING].required == F("4.5")
    assert by_id(results[1])[TEACHING].required == F("5.8")


# ----------------------------------------------------------------------------------------------
# Boundary exactness
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_pe_art_09_per_100_at_1000_students_is_met(ruleset: Ruleset, engine: str) -> None:
    # The naive float computation misses the boundary:
    assert 9 / 1000 * 100 == 0.8999999999999999
    assert 9 / 1000 * 100 < 0.9
    # exactly: 9 / 1000 × 100 = 900 / 1000 = 9/10 = 0.9 ≥ 0.9 → met
    r = by_id(evaluate_one(ruleset, section("primary", students=1000, pe_art_teachers=9), engine))
    assert r[PE_ART].actual == F(9, 10)
    assert r[PE_ART].outcome is Outcome.passed
    assert r[PE_ART].gap == 0
    assert r[PE_ART].shortfall is None
    # and 8 teachers: 0.8 < 0.9 → not met, short by 1 teacher (1000 × 0.9 / 100 = 9 needed)
    r = by_id(evaluate_one(ruleset, section("primary", students=1000, pe_art_teachers=8), engine))
    assert r[PE_ART].outcome is Outcome.failed
    assert r[PE_ART].shortfall is not None and r[PE_ART].shortfall.amount == 1


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("teachers", "outcome", "shortfall"), [
    (43, Outcome.passed, None),  # 43 / 1000 × 100 = 4.3 ≥ 4.2
    (42, Outcome.passed, None),  # 42 / 1000 × 100 = 4.2 ≥ 4.2 (exact boundary)
    (41, Outcome.failed, 1),  # 41 / 1000 × 100 = 4.1 < 4.2; 1000 × 4.2 / 100 = 42 needed → 1 more
    (30, Outcome.failed, 12),  # 3.0 < 4.2; 42 − 30 = 12
])
def test_above_degree_42_per_100_at_1000_students(ruleset: Ruleset, engine: str, teachers: int,
                                                  outcome: Outcome, shortfall: int | None) -> None:
    r = by_id(evaluate_one(ruleset, section("primary", students=1000,
                                            teachers_above_required_degree=teachers), engine))
    assert r[ABOVE].outcome is outcome
    amount = r[ABOVE].shortfall.amount if r[ABOVE].shortfall else None
    assert amount == shortfall


@pytest.mark.parametrize("engine", ENGINES)
def test_area_boundary_to_the_hundredth(ruleset: Ruleset, engine: str) -> None:
    # 初中 5.8 m²/生 at 1289 students: 1289 × 5.8 = 7476.2 m² meets it exactly …
    ok = by_id(evaluate_one(ruleset, section("junior", students=1289, teaching_aux_area_m2="7476.2"), engine))
    assert ok[TEACHING].outcome is Outcome.passed
    # … and 7476.19 m² misses by 0.01 m², which is the reported shortfall
    miss = by_id(evaluate_one(ruleset, section("junior", students=1289, teaching_aux_area_m2="7476.19"), engine))
    assert miss[TEACHING].outcome is Outcome.failed
    assert miss[TEACHING].shortfall is not None
    assert miss[TEACHING].shortfall.amount == F("0.01")  # 7476.2 − 7476.19


def test_every_indicator_exactly_on_its_requirement_passes(ruleset: Ruleset) -> None:
    for engine in ENGINES:
        result = evaluate_one(ruleset, section("primary", **PRIMARY_EXACT), engine)
        r = by_id(result)
        assert all(r[i].outcome is Outcome.passed for i in r), engine
        assert r[GATE].met_count == 7
        assert result.outcome is Outcome.passed


# ----------------------------------------------------------------------------------------------
# Whole-unit rounding (teachers, rooms): always up
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_teachers_round_up(ruleset: Ruleset, engine: str) -> None:
    # 1001 students × 4.2 / 100 = 42.042 teachers needed → 43 whole teachers; 41 on staff → 2 more
    r = by_id(evaluate_one(ruleset, section("primary", students=1001,
                                            teachers_above_required_degree=41), engine))
    s = r[ABOVE].shortfall
    assert s is not None
    assert (s.amount, s.target, s.unit) == (2, 43, "persons")
    # 1001 × 1 / 100 = 10.01 backbone teachers → 11; 0 on staff → 11
    r = by_id(evaluate_one(ruleset, section("primary", students=1001, backbone_teachers=0), engine))
    assert r[BACKBONE].shortfall is not None and r[BACKBONE].shortfall.amount == 11
    # 初中 5.3 per 100 at 573 students: 573 × 5.3 / 100 = 30.369 → 31; 30 on staff → 1 more
    r = by_id(evaluate_one(ruleset, section("junior", students=573,
                                            teachers_above_required_degree=30), engine))
    assert r[ABOVE].shortfall is not None and r[ABOVE].shortfall.amount == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_rooms_round_up(ruleset: Ruleset, engine: str) -> None:
    # 小学 2.3 rooms per 100 at 1001 students: 1001 × 2.3 / 100 = 23.023 → 24 rooms; 20 → 4 more
    r = by_id(evaluate_one(ruleset, section("primary", students=1001, multimedia_classrooms=20), engine))
    s = r[MULTIMEDIA].shortfall
    assert s is not None
    assert (s.amount, s.target, s.unit) == (4, 24, "rooms")
    assert "4间" in explanation(r[MULTIMEDIA]).zh
    assert "4 rooms" in explanation(r[MULTIMEDIA]).en
    # examples.md A: 18 rooms, 1289 students, 初中 2.4 per 100: 1289 × 2.4 / 100 = 30.936 → 31; 13 more
    r = by_id(evaluate_one(ruleset, section("junior", students=1289, multimedia_classrooms=18), engine))
    assert r[MULTIMEDIA].shortfall is not None and r[MULTIMEDIA].shortfall.amount == 13


def test_money_shortfall_is_exact_to_a_fraction_of_a_fen(ruleset: Ruleset) -> None:
    # 初中 2500 元/生 at 3 students = 7500 元 needed; 7499.999 元 on hand → 0.001 元 short.
    # The target (7500) is a 0.01 multiple; the amount is target − current, not padded further.
    r = by_id(evaluate_one(ruleset, section("junior", students=3, equipment_value_yuan="7499.999")))
    s = r[EQUIPMENT].shortfall
    assert s is not None
    assert s.target == 7500
    assert s.amount == F("0.001")  # 7500 − 7499.999


# ----------------------------------------------------------------------------------------------
# The 6-of-7 + 85% gate
# ----------------------------------------------------------------------------------------------


def _primary(**changes: int | str) -> SchoolSection:
    values: dict[str, int | str] = {**PRIMARY_EXACT, **changes}
    return section("primary", **values)


@pytest.mark.parametrize("engine", ENGINES)
def test_gate_one_miss_at_exactly_85_percent_passes(ruleset: Ruleset, engine: str) -> None:
    # teaching rooms 3825 m² / 1000 = 3.825 = 0.85 × 4.5 → 85.0% of requirement, the floor itself
    result = evaluate_one(ruleset, _primary(teaching_aux_area_m2=3825), engine)
    r = by_id(result)
    assert r[TEACHING].outcome is Outcome.failed
    gate = r[GATE]
    assert gate.outcome is Outcome.passed
    assert gate.met_count == 6
    member = {m.rule_id: m for m in gate.members}[TEACHING]
    assert member.attainment == F(85, 100)  # 3.825 / 4.5
    assert member.meets_floor is True
    assert result.outcome is Outcome.passed
    assert "生均教学及辅助用房面积（达到要求的85.0%）" in explanation(gate).zh
    assert "85.0% of requirement" in explanation(gate).en


@pytest.mark.parametrize("engine", ENGINES)
def test_gate_one_miss_at_90_percent_passes(ruleset: Ruleset, engine: str) -> None:
    # multimedia rooms: 21 / 1000 × 100 = 2.1 per 100; 2.1 / 2.3 = 91.3% ≥ 85%
    result = evaluate_one(ruleset, _primary(multimedia_classrooms=21), engine)
    assert by_id(result)[GATE].outcome is Outcome.passed
    assert "91.3%" in explanation(by_id(result)[GATE]).zh
    assert result.outcome is Outcome.passed


@pytest.mark.parametrize("engine", ENGINES)
def test_gate_one_miss_at_84_9_percent_fails(ruleset: Ruleset, engine: str) -> None:
    # teaching rooms 3820.5 m² / 1000 = 3.8205 = 0.849 × 4.5 → 84.9% < 85%
    result = evaluate_one(ruleset, _primary(teaching_aux_area_m2="3820.5"), engine)
    gate = by_id(result)[GATE]
    assert gate.outcome is Outcome.failed
    assert gate.met_count == 6
    member = {m.rule_id: m for m in gate.members}[TEACHING]
    assert member.attainment == F(849, 1000)
    assert member.meets_floor is False
    assert result.outcome is Outcome.failed
    assert "84.9%" in explanation(gate).zh and "84.9%" in explanation(gate).en
    assert "生均教学及辅助用房面积" in explanation(gate).zh  # names the missed indicator


@pytest.mark.parametrize("engine", ENGINES)
def test_gate_two_misses_fail_even_above_85_percent(ruleset: Ruleset, engine: str) -> None:
    # teaching 4400 / 1000 = 4.4 (97.8% of 4.5) and sports 7400 / 1000 = 7.4 (98.7% of 7.5)
    result = evaluate_one(ruleset, _primary(teaching_aux_area_m2=4400, sports_area_m2=7400), engine)
    gate = by_id(result)[GATE]
    assert gate.outcome is Outcome.failed
    assert gate.met_count == 5
    assert result.outcome is Outcome.failed
    assert "需至少再有1项达标" in explanation(gate).zh  # 6 − 5 = 1 more must be met
    assert "at least 1 more must be met" in explanation(gate).en


@pytest.mark.parametrize("engine", ENGINES)
def test_gate_missing_fact_is_unknown_never_a_pass(ruleset: Ruleset, engine: str) -> None:
    # six indicators met, multimedia rooms not reported: 7/7 or 6/7+? — cannot decide
    values = {k: v for k, v in PRIMARY_EXACT.items() if k != "multimedia_classrooms"}
    result = evaluate_one(ruleset, section("primary", **values), engine)
    r = by_id(result)
    assert r[MULTIMEDIA].outcome is Outcome.unknown
    assert r[MULTIMEDIA].missing_facts == (MissingFact(fact="multimedia_classrooms"),)
    assert r[GATE].outcome is Outcome.unknown
    assert r[GATE].passed is None
    assert result.outcome is Outcome.unknown
    assert result.passed is None
    assert "缺少的数据不视为达标" in explanation(r[MULTIMEDIA]).zh
    assert "never a pass" in explanation(r[MULTIMEDIA]).en
    assert "无法判定" in explanation(r[GATE]).zh


@pytest.mark.parametrize("engine", ENGINES)
def test_gate_missing_fact_plus_one_miss_is_unknown(ruleset: Ruleset, engine: str) -> None:
    # one miss at 85% + one unknown: passes if the unknown is met, fails otherwise → unknown
    values = {k: v for k, v in PRIMARY_EXACT.items() if k != "backbone_teachers"}
    values["teaching_aux_area_m2"] = 3825  # 85% of 4500
    result = evaluate_one(ruleset, section("primary", **values), engine)
    assert by_id(result)[GATE].outcome is Outcome.unknown
    assert result.outcome is Outcome.unknown


@pytest.mark.parametrize("engine", ENGINES)
def test_gate_missing_fact_plus_miss_below_floor_fails(ruleset: Ruleset, engine: str) -> None:
    # a miss below 85% cannot be rescued by any value of the missing fact
    values = {k: v for k, v in PRIMARY_EXACT.items() if k != "backbone_teachers"}
    values["sports_area_m2"] = 6000  # 6000 / 1000 = 6.0; 6.0 / 7.5 = 80% < 85%
    result = evaluate_one(ruleset, section("primary", **values), engine)
    assert by_id(result)[GATE].outcome is Outcome.failed
    assert result.outcome is Outcome.failed


def test_missing_students_is_unknown_for_every_indicator(ruleset: Ruleset) -> None:
    values = {k: v for k, v in PRIMARY_EXACT.items() if k != "students"}
    result = evaluate_one(ruleset, section("primary", **values))
    assert all(r.outcome is Outcome.unknown for r in result.results)
    assert direct_verdicts(ruleset, section("primary", **values)) == {}


def test_junior_thresholds_differ(ruleset: Ruleset) -> None:
    # the primary "exact" section is far from junior requirements: 4.2 < 5.3, 4.5 < 5.8, …
    r = by_id(evaluate_one(ruleset, section("junior", **PRIMARY_EXACT)))
    assert r[ABOVE].outcome is Outcome.failed  # 4.2 < 5.3; 1000 × 5.3 / 100 = 53 → 11 more
    assert r[ABOVE].shortfall is not None and r[ABOVE].shortfall.amount == 11
    assert r[BACKBONE].outcome is Outcome.passed  # 1 ≥ 1 (same for both levels)
    assert r[PE_ART].outcome is Outcome.passed  # 0.9 ≥ 0.9
    assert r[EQUIPMENT].shortfall is not None
    assert r[EQUIPMENT].shortfall.amount == 500_000  # 1000 × 2500 − 2 000 000
    assert r[MULTIMEDIA].shortfall is not None
    assert r[MULTIMEDIA].shortfall.amount == 1  # 1000 × 2.4 / 100 = 24 − 23


# ----------------------------------------------------------------------------------------------
# Explanations: source and status, zh and en
# ----------------------------------------------------------------------------------------------


def test_explanations_name_source_and_status(ruleset: Ruleset) -> None:
    result = evaluate_one(ruleset, _primary(teaching_aux_area_m2=3825))
    r = by_id(result)
    # confirmed rule, passed
    # a public citation: the document's full title, its 文号 and the item (no article number:
    # no source found gives the 办法's 第X条)
    measures = "《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）"
    assert explanation(r[ABOVE]).zh.endswith(f"依据：{measures} 资源配置（一）（已确认）")
    assert explanation(r[ABOVE]).en.endswith(f"Source: {measures} 资源配置（一） (confirmed)")
    assert "达标" in explanation(r[ABOVE]).zh and ": met." in explanation(r[ABOVE]).en
    # secondary rule, failed, with the shortfall in m²: 1000 × 4.5 − 3825 = 675 m²
    teaching = r[TEACHING]
    assert teaching.status.value == "secondary"
    assert f"{measures} 资源配置（四）；转引：" in explanation(teaching).zh
    assert "（二手来源）" in explanation(teaching).zh
    assert "(secondary)" in explanation(teaching).en
    assert "未达标" in explanation(teaching).zh and "not met" in explanation(teaching).en
    assert "需增加教学及辅助用房面积675平方米" in explanation(teaching).zh
    assert "add 675 m² of teaching and auxiliary rooms area" in explanation(teaching).en
    assert "小学" in explanation(teaching).zh and "(primary)" in explanation(teaching).en
    # gate: names source, status (rule secondary, parameter secondary too)
    gate = r[GATE]
    assert "依据：《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号） 资源配置" in explanation(gate).zh
    assert "Source: 《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号） 资源配置" in explanation(gate).en
    assert "二手来源" in explanation(gate).zh and "secondary" in explanation(gate).en
    assert "达标；" in explanation(gate).zh and ": met;" in explanation(gate).en  # one word for a pass
    # every result carries source and status as fields too
    for res in result.results:
        assert res.source.startswith("《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）")
        assert explanation(res).zh != explanation(res).en


def test_zero_students_is_never_a_pass() -> None:
    """A section with 0 students reaches the engine only through the Python API (the readers
    reject it). Every per-student indicator is then x ÷ 0: undefined, so each rule is
    "cannot decide" and the school is not passed — degenerate data is never a pass."""
    from fractions import Fraction

    from junheng.engine.evaluate import evaluate_sections
    from junheng.engine.results import Outcome
    from junheng.policy.facts import Level
    from junheng.policy.inputs import SchoolSection
    from junheng.policy.registry import load_ruleset

    ruleset = load_ruleset("national/quality-2017").ruleset
    facts = {name: Fraction(100) for name in (
        "teachers_above_required_degree", "backbone_teachers", "pe_art_teachers",
        "teaching_aux_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_classrooms")}
    section = SchoolSection(school_id="Z", level=Level.primary, values={"students": Fraction(0), **facts})
    for engine in ("durable", "direct"):
        (result,) = evaluate_sections(ruleset, [section], engine=engine)  # type: ignore[arg-type]
        assert result.outcome is Outcome.unknown
        thresholds = [r for r in result.results if r.kind == "threshold"]
        assert all(r.outcome is Outcome.unknown for r in thresholds)
        assert "除数为0" in explanation(thresholds[0]).zh


def test_zero_computers_fails_an_upper_bound_on_students_per_computer() -> None:
    """Anhui 2018: 学生与计算机之比 ≤ 8. 400 students and 0 computers: students ÷ 0 is unbounded,
    so the rule fails; the shortfall is ⌈400 ÷ 8⌉ = 50 computers."""
    from fractions import Fraction

    from junheng.engine.evaluate import evaluate_sections
    from junheng.engine.results import Outcome
    from junheng.policy.facts import Level
    from junheng.policy.inputs import SchoolSection
    from junheng.policy.registry import load_ruleset

    ruleset = load_ruleset("anhui/school-2018").ruleset
    section = SchoolSection(school_id="Y", level=Level.junior,
                            values={"students": Fraction(400), "computers": Fraction(0)})
    (result,) = evaluate_sections(ruleset, [section])
    rule = next(r for r in result.results if r.rule_id == "equipment.students_per_computer")
    assert rule.outcome is Outcome.failed
    assert rule.shortfall is not None and rule.shortfall.amount == 50

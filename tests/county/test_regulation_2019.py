"""The 2019 规程 as a dated, conditional layer of national/quality-2017 (国教督办函〔2019〕30号).

In evaluations during its window (from 2019 to the end of the parameter
``regulation_2019_last_year``, 2021 by default) schools planned and built in 2010 or earlier, or
with more than 50% migrant children, are held to 2400 students (小学、初中) / 3000 (九年一贯制)
instead of 2000 / 2500; music and art rooms to 73 / 67 m² (built 2016 or earlier) or 54 / 61 m²
(rural small schools whose largest class is under 30) instead of 96 / 90 m². Outside the window
the 办法's values apply.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from junheng.cli.render.explain import explanation
from junheng.engine.county import evaluate_county
from junheng.engine.results import Outcome, RuleResult
from junheng.policy.facts import Level
from junheng.policy.inputs import FactsBatch, SchoolSection
from junheng.policy.versions import load_at

F = Fraction


def _county(at: dt.date, *sections: SchoolSection):  # type: ignore[no-untyped-def]
    batch = FactsBatch(file="t.csv", file_sha256="0", rows_read=len(sections), sections=list(sections))
    return evaluate_county(load_at("national/quality-2017", at), batch, None, engine="direct")


def _check(run, criterion: str, school: str, rule: str) -> RuleResult:  # type: ignore[no-untyped-def]
    [result] = [r for r in run.school_results[criterion] if r.school_id == school]
    return next(r for r in result.results if r.rule_id == rule)


def _primary(sid: str = "P", **values: int | str) -> SchoolSection:
    return SchoolSection(school_id=sid, level=Level.primary, school_type="primary_school",
                         values={k: F(v) for k, v in values.items()})


@pytest.mark.parametrize(("at", "outcome", "required"), [
    (dt.date(2021, 6, 1), Outcome.passed, F(2400)),   # in the window: 2300 ≤ 2400
    (dt.date(2018, 6, 1), Outcome.failed, F(2000)),   # before the 规程: 2300 > 2000
    (dt.date(2024, 9, 1), Outcome.failed, F(2000)),   # after 2021: the 办法's 2000 again
])
def test_2300_student_primary_built_2008(at: dt.date, outcome: Outcome, required: Fraction) -> None:
    run = _county(at, _primary(students=2300, built_year=2008))
    r = _check(run, "government.04_school_size", "P", "county.school_size")
    assert (r.outcome, r.required) == (outcome, required)
    if outcome is Outcome.passed:
        assert r.relaxation is not None and r.relaxation.applied
        assert r.relaxation.required_without == F(2000)
        [c] = [c for c in r.relaxation.conditions if c.holds]
        assert (c.fact, c.actual, c.value) == ("built_year", F(2008), F(2010))
        zh, en = explanation(r).zh, explanation(r).en
        assert "规程" in zh and "国教督办函〔2019〕30号" in zh and "建成年份为2008年" in zh
        assert "2400" in zh and "原要求2000" in zh
        assert "regulation" in en and "2008" in en
    else:
        assert r.relaxation is None


def test_migrant_share_over_half_and_nine_year_schools() -> None:
    at = dt.date(2020, 9, 1)
    # 60% migrant children (more than 50%): 2300 ≤ 2400 passes; exactly 50% does not relax
    run = _county(at, _primary("M", students=2300, migrant_share="0.6"),
                  _primary("H", students=2300, migrant_share="0.5", built_year=2015))
    assert _check(run, "government.04_school_size", "M", "county.school_size").outcome is Outcome.passed
    assert _check(run, "government.04_school_size", "H", "county.school_size").outcome is Outcome.failed


def test_a_missing_condition_fact_is_never_a_pass() -> None:
    # 2300 > 2000 but ≤ 2400: whether it passes depends on the year built, which is not given
    run = _county(dt.date(2021, 6, 1), _primary(students=2300))
    r = _check(run, "government.04_school_size", "P", "county.school_size")
    assert r.outcome is Outcome.unknown
    assert {m.fact for m in r.missing_facts} == {"built_year", "migrant_share"}
    assert r.relaxation is not None and not r.relaxation.applied
    # 2500 > 2400: fails whatever the year built
    run = _county(dt.date(2021, 6, 1), _primary(students=2500))
    assert _check(run, "government.04_school_size", "P", "county.school_size").outcome is Outcome.failed


def test_music_and_art_rooms() -> None:
    # 24 classes → ⌈24 ÷ 12⌉ = 2 rooms of each; rooms of 80 m² (music) and 70 m² (art)
    rooms = dict(classes=24, music_rooms=2, art_rooms=2, music_room_area_m2=80, art_room_area_m2=70)
    old = _primary("O", students=1000, built_year=2012, **rooms)   # built 2012 ≤ 2016: 73 / 67
    # built 2018 and not a rural small school: 96 / 90 (without rural_small_school the rural
    # relaxation might apply: undecided, see below)
    new = _primary("N", students=1000, built_year=2018, rural_small_school=0, **rooms)
    run = _county(dt.date(2021, 6, 1), old, new)
    assert _check(run, "government.03_music_art_rooms", "O", "county.music_room_area").outcome is Outcome.passed
    assert _check(run, "government.03_music_art_rooms", "O", "county.art_room_area").outcome is Outcome.passed
    assert _check(run, "government.03_music_art_rooms", "N", "county.music_room_area").outcome is Outcome.failed
    assert _check(run, "government.03_music_art_rooms", "O", "county.music_rooms").outcome is Outcome.passed
    unsure = _primary("U", students=1000, built_year=2018, **rooms)
    r = _check(_county(dt.date(2021, 6, 1), unsure), "government.03_music_art_rooms", "U", "county.music_room_area")
    assert r.outcome is Outcome.unknown
    assert {m.fact for m in r.missing_facts} == {"rural_small_school", "max_class_size"}
    # one room for 24 classes: 1 × 12 ÷ 24 = 0.5 < 1
    few = _primary("F", students=1000, built_year=2012, **{**rooms, "music_rooms": 1})
    run = _county(dt.date(2021, 6, 1), few)
    assert _check(run, "government.03_music_art_rooms", "F", "county.music_rooms").outcome is Outcome.failed
    # a rural small school whose largest class is 25 (< 30): 小学 54 m² for both rooms
    small = _primary("R", students=120, classes=6, max_class_size=25, rural_small_school=1, built_year=2018,
                     music_rooms=1, art_rooms=1, music_room_area_m2=55, art_room_area_m2=55)
    run = _county(dt.date(2021, 6, 1), small)
    r = _check(run, "government.03_music_art_rooms", "R", "county.art_room_area")
    assert (r.outcome, r.required) == (Outcome.passed, F(54))
    # after the window: 96 / 90 again
    run = _county(dt.date(2023, 6, 1), small)
    assert _check(run, "government.03_music_art_rooms", "R", "county.art_room_area").outcome is Outcome.failed


def test_the_window_end_is_a_parameter() -> None:
    quality = load_at("national/quality-2017", dt.date(2021, 6, 1)).ruleset
    param = quality.parameters["regulation_2019_last_year"]
    assert param.value.for_level(Level.primary) == 2021 and param.status.value == "unconfirmed"


@pytest.mark.parametrize("ruleset_id", ["jiangsu/quality-county", "hubei/quality-county"])
@pytest.mark.parametrize(("at", "outcome", "required"), [
    (dt.date(2021, 6, 1), Outcome.passed, F(2400)),   # in the window: 2300 ≤ 2400 (relaxed, built 2008 ≤ 2010)
    (dt.date(2018, 6, 1), Outcome.failed, F(2000)),   # before the 规程: 2300 > 2000
])
def test_extending_ruleset_gets_the_dated_layer(ruleset_id: str, at: dt.date, outcome: Outcome,
                                                required: Fraction) -> None:
    # a provincial ruleset that extends quality-2017 is applied on the same date as its parent:
    # neither Jiangsu nor Hubei overrides school size, so the 规程 relaxation applies as nationally
    batch = FactsBatch(file="t.csv", file_sha256="0", rows_read=1,
                       sections=[_primary(students=2300, built_year=2008)])
    run = evaluate_county(load_at(ruleset_id, at), batch, None, engine="direct")
    r = _check(run, "government.04_school_size", "P", "county.school_size")
    assert (r.outcome, r.required) == (outcome, required)

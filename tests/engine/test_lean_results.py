"""The memory and time savings of the evaluation change nothing a caller can see.

* Results share ``model_fields_set`` between instances built with the same fields
  (:func:`junheng.policy.model.share_fields_set`): every model still equals a freshly validated
  twin, with the same ``model_fields_set``, and ``model_copy`` does not touch the shared set.
* The per-batch plan (requirements, citations, scope) gives the same results as evaluating each
  section on its own, across levels and school types.
"""

from __future__ import annotations

from fractions import Fraction

from pydantic import BaseModel

from junheng.engine.evaluate import evaluate_sections
from junheng.engine.results import RuleResult
from junheng.policy.facts import Level
from junheng.policy.inputs import SchoolSection
from junheng.policy.model import Localized
from junheng.policy.registry import load_ruleset

F = Fraction


def _sections() -> list[SchoolSection]:
    out = []
    for i, (level, school_type) in enumerate([(Level.primary, None), (Level.junior, "junior_school"),
                                              (Level.primary, "nine_year"), (Level.junior, None)]):
        students = F(400 + 150 * i)
        out.append(SchoolSection(school_id=f"T{i}", level=level, school_name=f"学校{i}", school_type=school_type,
                                 values={
            "students": students, "teachers": F(30 + i), "teachers_above_required_degree": F(14 + 3 * i),
            "backbone_teachers": F(3 + i), "pe_art_teachers": F(4), "multimedia_classrooms": F(9 + i),
            "teaching_aux_area_m2": students * F(9, 2) - i * 40, "sports_area_m2": students * 8,
            "equipment_value_yuan": students * (1900 + 200 * i), "classes": F(12 + i),
            **({} if i != 3 else {"backbone_teachers": F(0)}),
        }))
    return out


def _models(obj: object) -> list[BaseModel]:
    found: list[BaseModel] = []
    if isinstance(obj, BaseModel):
        found.append(obj)
        for name in type(obj).model_fields:
            found.extend(_models(getattr(obj, name)))
    elif isinstance(obj, tuple | list):
        for item in obj:
            found.extend(_models(item))
    return found


def test_every_result_model_equals_its_validated_twin() -> None:
    for ruleset_id in ("national/quality-2017", "anhui/school-2018", "guangxi/school-b"):
        ruleset = load_ruleset(ruleset_id).ruleset
        results = evaluate_sections(ruleset, _sections())
        models = _models(results)
        assert len(models) > 50
        for model in models:
            given = {name: getattr(model, name) for name in model.model_fields_set}
            twin = type(model)(**given)
            assert twin == model
            assert twin.model_fields_set == model.model_fields_set
            assert twin.model_dump() == model.model_dump()


def test_shared_fields_set_is_not_changed_by_copies() -> None:
    a = Localized(zh="甲", en="a")
    b = Localized(zh="乙", en="b")
    assert a.model_fields_set is b.model_fields_set  # shared
    c = a.model_copy(update={"zh": "丙"})
    assert c.zh == "丙" and a.zh == "甲"
    assert a.model_fields_set == {"zh", "en"} and c.model_fields_set == {"zh", "en"}
    r = evaluate_sections(load_ruleset("national/quality-2017").ruleset, _sections()[:1])[0].results[0]
    copied = r.model_copy(update={"score": None})
    assert "score" in copied.model_fields_set
    assert "score" not in r.model_fields_set
    assert "score" not in RuleResult(**{n: getattr(r, n) for n in r.model_fields_set}).model_fields_set


def test_batch_plan_matches_one_section_at_a_time() -> None:
    for ruleset_id in ("national/quality-2017", "anhui/school-2018", "guangxi/school-b"):
        ruleset = load_ruleset(ruleset_id).ruleset
        sections = _sections()
        together = evaluate_sections(ruleset, sections)
        alone = [evaluate_sections(ruleset, [s])[0] for s in sections]
        assert [s.model_dump() for s in together] == [s.model_dump() for s in alone]
        for direct, durable in zip(evaluate_sections(ruleset, sections, "direct"), together, strict=True):
            assert direct.model_dump() == durable.model_dump()

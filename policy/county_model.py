"""The county part of a ruleset (县域评估): criteria a county is recognised on.

A ruleset's optional ``county:`` block mirrors the county articles of its 办法:

* ``dispersion`` — 差异系数 (CV) of per-student indicators between schools, per 学段; judged on
  the plain mean of the CVs (2012 综合差异系数) or on every CV separately (2017);
* ``county_fact`` — a county-level fact against a number (政府推进工作得分 ≥ 85, 巩固率 ≥ 95%) or
  a yes/no item (布局合理 must be true; a 一票否决 item must be false: booleans are 1/0);
* ``all_schools`` — every school section passes some rules of a school ruleset (the provincial
  办学基本标准 named on the command line, the 2017 "6 of 7" gate, or the block's own
  ``school_checks`` such as class size and school size).

Every criterion carries the sentence it encodes, its article, source and status, like a school
rule. Unconfirmed numbers are ``{param: ...}`` references to the ruleset's parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import Field, field_validator

from junheng.policy.facts import Level
from junheng.policy.formula import FormulaError, names, parse_formula
from junheng.policy.model import (
    Indicator,
    LevelValues,
    Localized,
    Op,
    ParamRef,
    Provenance,
    Ruleset,
    ThresholdRule,
    _level_values,
    _Strict,
    to_fraction,
)

PROVINCIAL = "provincial"
"""``all_schools.ruleset`` value meaning "the provincial ruleset named with --school-ruleset"."""
SELF = "self"
"""``all_schools.ruleset`` value meaning "this block's own ``school_checks``"."""
OWN = "school"
"""``all_schools.ruleset`` value meaning "the school rules (``rules:``) of this very ruleset": a
copy, an edit or an ``extends`` of the ruleset is judged by its own numbers, never by a bundled
ruleset behind the user's back."""


class DispersionCriterion(Provenance):
    """差异系数: CV of each indicator between the schools of one level."""

    kind: Literal["dispersion"]
    id: str
    title: Localized
    group: str = ""
    indicators: tuple[str, ...]
    weight: str = "students"
    """The fact that weights a school (P_i, enrolment) and divides its totals."""
    weighted: bool | ParamRef = True
    """Enrolment-weighted around the ratio of totals (2012 formula) or plain mean / population
    standard deviation of the per-school values ("标准差 ÷ 平均值"). A parameter (1/0) when the
    text does not say."""
    judge: Literal["composite", "each"]
    """``composite``: the plain mean of the CVs ≤ limit; ``each``: every CV ≤ limit."""
    limit: LevelValues
    levels: tuple[Level, ...] = (Level.primary, Level.junior)
    standard_rules: dict[str, str] = Field(default_factory=dict)
    """Indicator → threshold rule of the school ruleset giving the per-school requirement (used
    only to report the CV if the lowest school were raised to that requirement)."""

    @field_validator("limit", mode="before")
    @classmethod
    def _per_level(cls, value: object) -> object:
        return _level_values(value)


class CountyFactCriterion(Provenance):
    """A county-level fact against a number; yes/no facts are 1 (true) or 0 (false)."""

    kind: Literal["county_fact"]
    id: str
    title: Localized
    fact: str
    op: Op
    value: Fraction | ParamRef
    group: str = ""
    """Section of the 办法 (政府保障程度, 教育质量, 一票否决 …), for grouping in reports."""

    @field_validator("value", mode="before")
    @classmethod
    def _exact(cls, value: object) -> object:
        if isinstance(value, dict | ParamRef):
            return value
        if isinstance(value, bool) or value in ("true", "false"):
            return Fraction(1) if value in (True, "true") else Fraction(0)
        return to_fraction(value)


class AllSchoolsCriterion(Provenance):
    """Every (non-excluded) school section passes the named rules of a school ruleset."""

    kind: Literal["all_schools"]
    id: str
    title: Localized
    ruleset: str
    """``school`` (this ruleset's own school rules), ``self`` (the block's school_checks),
    ``provincial`` (named on the command line) or a bundled ruleset id."""
    rules: tuple[str, ...] = ()
    """Rule ids that must pass; empty: the school's overall outcome."""
    per: Literal["section", "school"] = "section"
    """``school``: the sections of one school_id are summed first (学校规模 of an 一贯制 school)."""
    group: str = ""


Criterion = Annotated[DispersionCriterion | CountyFactCriterion | AllSchoolsCriterion,
                      Field(discriminator="kind")]


class Exclusion(Provenance):
    """School sections left out of the county evaluation (e.g. 教学点 under 50 students)."""

    school_type: str
    below_students: Fraction | None = None

    @field_validator("below_students", mode="before")
    @classmethod
    def _exact(cls, value: object) -> object:
        return None if value is None else to_fraction(value)


class ClassSizeBands(Provenance):
    """大班额 / 超大班额 lower bounds (教育部 statistical definition)."""

    large_from: int
    super_large_from: int


class SharedAssetSplit(_Strict):
    """How a total reported once for an 一贯制 school / 完全中学 is split between sections: by
    enrolment, one junior counted as ``junior_weight`` primaries, one senior as
    ``senior_weight`` juniors."""

    junior_weight: Fraction | ParamRef = Fraction(1)
    senior_weight: Fraction | ParamRef = Fraction(1)
    facts: tuple[str, ...] = ()
    """The facts that are split (2017: exactly the four asset indicators' facts — 教学及辅助用房,
    体育运动场馆, 教学仪器设备值, 网络多媒体教室; teacher figures are per section). Empty: any fact
    reported once is split."""

    @field_validator("junior_weight", "senior_weight", mode="before")
    @classmethod
    def _exact(cls, value: object) -> object:
        if isinstance(value, dict | ParamRef):
            return value
        return to_fraction(value)


class CountySpec(_Strict):
    """The ``county:`` block of a ruleset."""

    description: Localized | None = None
    indicators: dict[str, Indicator] = Field(default_factory=dict)
    """County-only indicators (used by ``school_checks``), kept out of the school evaluation."""
    school_checks: list[ThresholdRule] = Field(default_factory=list)
    criteria: list[Criterion]
    exclusions: list[Exclusion] = Field(default_factory=list)
    class_size_bands: ClassSizeBands | None = None
    shared_assets: SharedAssetSplit = Field(default_factory=SharedAssetSplit)


def fraction_or_param(ruleset: Ruleset, value: Fraction | ParamRef | bool,
                      level: Level = Level.primary) -> Fraction | None:
    """A literal or a parameter's value (booleans as 1/0)."""
    if isinstance(value, bool):
        return Fraction(int(value))
    return ruleset.resolve(value, level)


def check_county(ruleset: Ruleset, known_facts: frozenset[str],
                 add: Callable[[tuple[str | int, ...], str], None]) -> None:
    """Cross-references of the county block (facts, indicators, parameters, rule ids)."""
    spec = ruleset.county
    if spec is None:
        return
    indicators = {**ruleset.indicators, **spec.indicators}
    check_ids = {r.id for r in spec.school_checks}

    def param(path: tuple[str | int, ...], value: object) -> None:
        if isinstance(value, ParamRef) and value.param not in ruleset.parameters:
            add(path, f"unknown parameter {value.param!r}")

    for name, indicator in spec.indicators.items():
        try:
            used = names(parse_formula(indicator.formula))
        except FormulaError as exc:
            add(("county", "indicators", name, "formula"), str(exc))
            continue
        for fact in sorted(used - known_facts - set(ruleset.parameters)):
            add(("county", "indicators", name, "formula"), f"unknown fact or parameter {fact!r}")
        for key, message in indicator.bound_problems(set(ruleset.parameters)):
            add(("county", "indicators", name, "at_least", key), message)
    from junheng.policy.loader import relaxation_problems

    for i, rule in enumerate(spec.school_checks):
        if rule.indicator not in indicators:
            add(("county", "school_checks", i, "indicator"), f"unknown indicator {rule.indicator!r}")
        for problem_path, message in relaxation_problems(rule, set(ruleset.parameters)):
            add(("county", "school_checks", i, *problem_path), message)
    seen: set[str] = set()
    for i, c in enumerate(spec.criteria):
        path: tuple[str | int, ...] = ("county", "criteria", i)
        if c.id in seen:
            add((*path, "id"), f"duplicate criterion id {c.id!r}")
        seen.add(c.id)
        if not c.source.strip():
            add((*path, "source"), "every criterion needs a source (文号 + 条款 or address)")
        if isinstance(c, DispersionCriterion):
            for name in c.indicators:
                if name not in indicators:
                    add((*path, "indicators"), f"unknown indicator {name!r}")
            if c.weight not in known_facts:
                add((*path, "weight"), f"unknown fact {c.weight!r}")
            param((*path, "weighted"), c.weighted)
            for level in c.levels:
                v = c.limit.for_level(level)
                if v is None:
                    add((*path, "limit"), f"no limit for level {level}")
                param((*path, "limit"), v)
        elif isinstance(c, CountyFactCriterion):
            if c.fact not in known_facts:
                add((*path, "fact"), f"unknown county fact {c.fact!r}")
            param((*path, "value"), c.value)
        elif c.ruleset == SELF:
            for r in c.rules:
                if r not in check_ids:
                    add((*path, "rules"), f"unknown school check {r!r}")
        elif c.ruleset == OWN:
            own = {r.id for r in ruleset.rules}
            for r in c.rules:
                if r not in own:
                    add((*path, "rules"), f"unknown rule {r!r} (not among this ruleset's rules)")
    split = spec.shared_assets
    param(("county", "shared_assets", "junior_weight"), split.junior_weight)
    param(("county", "shared_assets", "senior_weight"), split.senior_weight)


def _attach() -> None:
    Ruleset.model_rebuild(_types_namespace={"CountySpec": CountySpec})


_attach()

"""Plan records (达标方案): the typed result of :func:`junheng.engine.plan.make_plan`.

Numbers are exact fractions (amounts in the fact's own unit, costs in 元); no sentences — the
words live in the command line's renderers. Titles are the rulesets' own (bilingual) titles.
"""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from junheng.engine.results import MissingFact, Outcome, RulesetInfo
from junheng.policy.facts import Level
from junheng.policy.inputs import InputIssue
from junheng.policy.model import Localized


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class Scope(StrEnum):
    school = "school"  # every failing section passes its school rules
    county = "county"  # … and every 差异系数 is within its limit, jointly


class Target(StrEnum):
    gate = "gate"  # pass the school rules (a count gate: min_met members, the rest at the floor)
    all = "all"  # every threshold rule met in full


class Addition(_Frozen):
    """How much of one fact to add at one section, and what it costs."""

    fact: str
    title: Localized
    unit: str
    amount: Fraction
    """In the fact's own unit: whole units for people, rooms, books; 0.01 for m² and 元."""
    yuan_per_unit: Fraction
    cost: Fraction


class SectionPlan(_Frozen):
    """One school section: what to add, what it costs, and its outcome before → after."""

    school_id: str
    level: Level
    school_name: str
    students: Fraction | None = None
    additions: tuple[Addition, ...] = ()
    cost: Fraction = Fraction(0)
    outcome_before: Outcome
    outcome_after: Outcome | None = None
    """From the ordinary engine on the facts with the additions applied (None in budget mode for a
    section the budget leaves out, or when the plan could not be solved)."""
    met_before: int | None = None
    """Count-gate members met, before and after (None without a count gate)."""
    met_after: int | None = None
    cheapest_path_cost: Fraction | None = None
    """The cheapest of the section's minimal gate paths (see :mod:`junheng.engine.evaluate`)
    priced with the same costs; the plan of a school never costs more (school scope)."""


class CvChange(_Frozen):
    """One 差异系数 before and after the plan (exact squares; values at 40 digits)."""

    criterion_id: str
    level: Level
    indicator: str
    title: Localized
    limit: Fraction
    judge: str  # "each" or "composite"
    cv_before: Fraction | None
    cv_after: Fraction | None
    passed_before: bool | None
    passed_after: bool | None


class CompositeChange(_Frozen):
    """A composite CV (mean of several) of one level, before and after."""

    criterion_id: str
    level: Level
    limit: Fraction
    before: Fraction | None
    after: Fraction | None
    outcome_before: Outcome
    outcome_after: Outcome | None


class UnfixableKind(StrEnum):
    no_lever = "no_lever"  # a rule whose indicator has no resource to add (school size, class size)
    decrease = "decrease"  # only a decrease of the fact closes the gap
    missing_data = "missing_data"  # a fact is missing: nothing can be decided, so nothing planned
    county_fact = "county_fact"  # a county-level item (政府保障程度, 教育质量, 一票否决 …)
    no_ruleset = "no_ruleset"  # the school rules are not given (2012 provincial prerequisite)
    not_modelled = "not_modelled"  # a rule kind or formula the planner does not optimise


class Remedy(_Frozen):
    """What would fix an unfixable item, in the fact's own unit."""

    action: str
    """reduce / raise (the fact by ``amount``), open_classes (``amount`` more), reach (a county fact:
    bring it to ``amount``), supply (the missing figure), school_ruleset (name the school standard)."""
    fact: str | None = None
    amount: Fraction | None = None


class Unfixable(_Frozen):
    kind: UnfixableKind
    title: Localized
    criterion_id: str | None = None
    rule_id: str | None = None
    school_id: str | None = None
    level: Level | None = None
    outcome: Outcome
    actual: Fraction | None = None
    required: Fraction | None = None
    op: str | None = None
    missing_facts: tuple[MissingFact, ...] = ()
    remedies: tuple[Remedy, ...] = ()


class SolverInfo(_Frozen):
    name: str
    """The MILP solver and how it was reached (HiGHS through highspy)."""
    method: str
    """"milp" (no cone) or "outer-approximation" (差异系数 cones as tangent cuts)."""
    status: str  # "optimal", "time_limit", "infeasible", "not_needed"
    rounds: int
    cuts: int
    seconds: float
    lower_bound: Fraction | None
    """A proven lower bound on the cost of any plan meeting the same constraints."""
    gap: Fraction | None
    """(plan cost − lower bound) ÷ plan cost; 0 when proven optimal, None when not solved."""


class PlanRun(_Frozen):
    ruleset: RulesetInfo
    scope: Scope
    target: Target
    budget: Fraction | None
    county: str
    year: int | None = None
    """The school year the data state (the county-facts file fills a gap), as ``junheng county`` reports it."""
    sections: tuple[SectionPlan, ...]
    total_cost: Fraction
    cost_by_fact: dict[str, Fraction]
    cv: tuple[CvChange, ...]
    composites: tuple[CompositeChange, ...]
    unfixable: tuple[Unfixable, ...]
    solver: SolverInfo
    verified: bool
    """True when the plan applied to the facts passes every criterion it addresses, as re-evaluated
    by the ordinary engine (durable_rules verdicts, exact arithmetic)."""
    feasible: bool
    """False when no combination of additions meets the constraints (e.g. a CV cannot be brought
    under its limit by additions alone)."""
    sections_passing_before: int
    sections_passing_after: int
    remainder_cost: Fraction | None = None
    """Budget mode: what the full plan costs beyond the budgeted one."""
    costs_file: str
    costs_sha256: str
    cost_notes: dict[str, str]
    input_file: str
    input_sha256: str
    junheng_version: str
    engine: str
    issues: tuple[InputIssue, ...] = ()

"""Result types: the one shape that flows from the engine to every renderer.

Numbers are exact fractions; renderers format them and never recompute a verdict.
Sentences are produced in both languages by :mod:`junheng.engine.explain`.
"""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from junheng.policy.facts import Level
from junheng.policy.inputs import InputIssue
from junheng.policy.model import Localized, Status, share_fields_set


class Outcome(StrEnum):
    passed = "passed"  # 达标
    failed = "failed"  # 未达标
    unknown = "unknown"  # 无法判定 (a fact is missing: never a pass)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    def model_post_init(self, context: Any, /) -> None:
        share_fields_set(self)


class Shortfall(_Frozen):
    """What it takes to meet a requirement (缺额), in the resource fact's own unit."""

    fact: str
    """The fact to change (e.g. ``teaching_aux_area_m2``)."""
    fact_title: Localized
    unit: str
    direction: str  # "increase" or "decrease"
    amount: Fraction
    """Whole units rounded up for indivisible things; divisible quantities rounded up to the
    unit's resolution (0.01 m², 0.01 元), so adding ``amount`` always closes the gap."""
    target: Fraction
    """The fact's value after the change."""


class GateMember(_Frozen):
    rule_id: str
    title: Localized
    outcome: Outcome
    attainment: Fraction | None
    """actual ÷ required for a lower bound (required ÷ actual for an upper bound)."""
    meets_floor: bool | None


class GateStep(_Frozen):
    """One member's change on a way to pass a count gate: the rule and its shortfall."""

    rule_id: str
    title: Localized
    shortfall: Shortfall


class GatePath(_Frozen):
    """One minimal way to pass a failed count gate (e.g. fix one missed indicator fully and bring
    the other to 85% of its requirement)."""

    full: tuple[GateStep, ...] = ()
    """Missed members brought to their full requirement."""
    to_floor: tuple[GateStep, ...] = ()
    """Missed members left below the requirement, brought to the floor (e.g. 85% of it); a member
    already at the floor needs no step."""


class ItemScore(_Frozen):
    """Points of one scored item (计分项): awarded, deducted, and the schedule in words."""

    points: Fraction
    """The item's maximum (满分)."""
    awarded: Fraction | None
    """None when the item cannot be decided (a fact, a table row or an assessed score is missing)."""
    deducted: Fraction | None
    group: str | None = None
    schedule_kind: str
    schedule: Localized
    """The deduction schedule in words ("每少0.5扣1分，缺额不足0.5不扣分，扣完为止")."""
    schedule_status: Status | None = None
    assessed: bool = False
    """Points taken from the input's assessed/self score, because the scoring rule is not known."""
    full_marks: tuple[Shortfall, ...] = ()
    """The least change to each resource that restores full points (may be less than the change
    that meets the requirement, e.g. a step schedule forgives a remainder under one step)."""


class GroupScore(_Frozen):
    group: str
    title: Localized
    points: Fraction
    awarded: Fraction
    """Points of the group's decided items."""
    undecided: Fraction = Fraction(0)
    """Maximum points of the group's items that cannot be decided."""


class ScoreSummary(_Frozen):
    points: Fraction
    awarded: Fraction
    deducted: Fraction
    undecided: Fraction = Fraction(0)
    groups: tuple[GroupScore, ...] = ()


class Judgement(_Frozen):
    """What every judged item carries, school rule or county criterion: the verdict, the
    numbers it rests on, the explanation, and the provenance of the rule (依据与来源状态)."""

    kind: str
    title: Localized
    outcome: Outcome
    actual: Fraction | None = None
    required: Fraction | None = None
    op: str | None = None
    unit: str | None = None
    missing_facts: tuple[str, ...] = ()
    explanation: Localized
    text: str = ""
    article: str = ""
    source: str = ""
    status: Status
    parameter_status: Status | None = None
    """Status of the parameter the requirement came from, when it is weaker than the rule's."""

    @property
    def passed(self) -> bool | None:
        return None if self.outcome is Outcome.unknown else self.outcome is Outcome.passed


class RuleResult(Judgement):
    """One school rule's result."""

    rule_id: str
    actual_at_least: bool = False
    """``actual`` is a lower bound, not a measurement: the indicator's own facts are missing and
    a bound decided the rule (the largest class is at least ⌈students ÷ classes⌉)."""
    gap: Fraction | None = None
    """required − actual (lower bound) or actual − required (upper bound), in the indicator's
    unit: per student for 生均 indicators, per 100 students for 每百名学生 indicators."""
    shortfall: Shortfall | None = None
    members: tuple[GateMember, ...] = ()
    met_count: int | None = None
    min_met: int | None = None
    floor: Fraction | None = None
    paths: tuple[GatePath, ...] = ()
    """For a failed count gate: every minimal way to pass it (empty otherwise, or when a needed
    shortfall cannot be worked out)."""
    score: ItemScore | None = None
    """Points, for a scored item (issue 4)."""


class SchoolResult(_Frozen):
    school_id: str
    level: Level
    school_name: str
    school_type: str | None = None
    students: Fraction | None = None
    outcome: Outcome
    results: tuple[RuleResult, ...]
    source: str = ""
    row: int | None = None
    score: ScoreSummary | None = None
    """Total and group points, when the ruleset has scored items (issue 4)."""

    @property
    def passed(self) -> bool | None:
        return None if self.outcome is Outcome.unknown else self.outcome is Outcome.passed


class RulesetInfo(_Frozen):
    id: str
    version: str
    title: Localized
    document: str
    sha256: str
    path: str


class InputInfo(_Frozen):
    file: str
    sha256: str
    rows_read: int
    rows_evaluated: int
    rows_rejected: int
    unused_columns: tuple[str, ...] = ()


class EvaluationRun(_Frozen):
    """One run of ``junheng evaluate``: what was run on what, and every result."""

    ruleset: RulesetInfo
    input: InputInfo | None
    junheng_version: str
    engine: str
    schools: tuple[SchoolResult, ...]
    issues: tuple[InputIssue, ...] = Field(default_factory=tuple)

"""Result types: the one shape that flows from the engine to every renderer.

Numbers are exact fractions; renderers format them and never recompute a verdict.
Sentences are produced in both languages by :mod:`junheng.engine.explain`.
"""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field

from junheng.policy.facts import Level
from junheng.policy.inputs import InputIssue
from junheng.policy.model import Localized, Status


class Outcome(StrEnum):
    passed = "passed"  # 达标
    failed = "failed"  # 未达标
    unknown = "unknown"  # 无法判定 (a fact is missing: never a pass)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


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


class RuleResult(_Frozen):
    rule_id: str
    kind: str
    title: Localized
    outcome: Outcome
    actual: Fraction | None = None
    required: Fraction | None = None
    op: str | None = None
    unit: str | None = None
    gap: Fraction | None = None
    """required − actual (lower bound) or actual − required (upper bound), in the indicator's
    unit: per student for 生均 indicators, per 100 students for 每百名学生 indicators."""
    shortfall: Shortfall | None = None
    missing_facts: tuple[str, ...] = ()
    explanation: Localized
    text: str = ""
    article: str = ""
    source: str = ""
    status: Status
    parameter_status: Status | None = None
    """Status of the parameter the requirement came from, when it is weaker than the rule's."""
    members: tuple[GateMember, ...] = ()
    met_count: int | None = None
    min_met: int | None = None
    floor: Fraction | None = None

    @property
    def passed(self) -> bool | None:
        return None if self.outcome is Outcome.unknown else self.outcome is Outcome.passed


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

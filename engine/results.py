"""The judgement trace (评估记录): the one typed shape that flows from the engine to every renderer.

Numbers are exact fractions; facts, units, directions and bases are records, never sentences.
Every word a user reads is rendered from these types by :mod:`junheng.cli.render`; renderers
format them and never recompute a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from fractions import Fraction
from functools import cache
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from junheng.policy.facts import Level
from junheng.policy.inputs import InputIssue
from junheng.policy.model import Localized, Schedule, Status, share_fields_set, shared_fields_set


class Outcome(StrEnum):
    passed = "passed"  # 达标
    failed = "failed"  # 未达标
    unknown = "unknown"  # 无法判定 (a fact is missing: never a pass)
    scored = "scored"
    """计分: a school section under a scored scheme that states no pass mark and no gate — the
    outcome is its score, neither met nor failed (school level only)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    def model_post_init(self, context: Any, /) -> None:
        share_fields_set(self)


_M = TypeVar("_M", bound=BaseModel)
_new = object.__new__
_set = object.__setattr__


def trusted(cls: type[_M], values: dict[str, Any], given: set[str]) -> _M:
    """A ``cls`` from values the engine has already checked, without pydantic validation: the
    evaluation's hot loop builds ~30 results per section, and validating them cost more than
    computing them.

    ``values`` holds every field of ``cls``, in its field order (start from :func:`layout`);
    ``given`` is the shared ``model_fields_set`` (:func:`~junheng.policy.model.shared_fields_set`)
    of the names a validated call would have been given. The object is indistinguishable from a
    validated one (equal, same dump, same ``model_fields_set``): ``tests/engine/test_lean_results.py``
    rebuilds every result of an evaluation through validation and compares.
    """
    obj = _new(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", given)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def layout(cls: type[BaseModel], given: Iterable[str], **values: Any) -> tuple[dict[str, Any], set[str]]:
    """For :func:`trusted`: every field of ``cls`` in field order (``values``, else the field's
    default), and the shared fields set of the names in ``given`` (which the caller fills in)."""
    out: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        if name in values:
            out[name] = values[name]
        elif not field.is_required():
            out[name] = field.get_default(call_default_factory=True)
        elif name not in given:
            raise TypeError(f"{cls.__name__}.{name} is required")
        else:
            out[name] = None  # filled in by the caller
    unknown = set(values) - set(out)
    if unknown:
        raise TypeError(f"{cls.__name__} has no fields {sorted(unknown)}")
    return out, shared_fields_set(cls, given)


class MissingFact(_Frozen):
    """A figure a judgement needed and did not get (缺少的数据): which fact, where."""

    fact: str
    school_id: str | None = None
    level: Level | None = None
    reason: Literal["absent", "not_positive", "zero_everywhere", "no_ruleset"] = "absent"
    """absent: not given; not_positive: a weight (e.g. enrolment) of 0 or less; zero_everywhere:
    no school has any of the resource, so its CV is undefined; no_ruleset: the every-school
    criterion needs a provincial school ruleset that was not named."""


@cache
def missing_fact(fact: str) -> MissingFact:
    """The record of one absent fact (one shared object per fact name)."""
    return MissingFact(fact=fact)


def missing_facts(names: tuple[str, ...]) -> tuple[MissingFact, ...]:
    return tuple(missing_fact(n) for n in names)


class ShortfallBase(_Frozen):
    """What a per-unit requirement is counted on (按…计): the fact the indicator divides by."""

    fact: str
    """``students``, ``teachers``, ``classes`` …"""
    value: Fraction


class Shortfall(_Frozen):
    """What it takes to meet a requirement (缺额), in the resource fact's own unit."""

    fact: str
    """The fact to change (e.g. ``teaching_aux_area_m2``)."""
    unit: str
    direction: Literal["increase", "decrease"]
    amount: Fraction
    """Whole units rounded up for indivisible things; divisible quantities rounded up to the
    unit's resolution (0.01 m², 0.01 元), so adding ``amount`` always closes the gap."""
    target: Fraction
    """The fact's value after the change."""
    current: Fraction
    """The fact's value now."""
    base: ShortfallBase | None = None
    """What the requirement is counted on, when it is per student / teacher / class."""


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


class RequirementCheck(_Frozen):
    """One requirement of a scored item, measured (an item may have several)."""

    indicator: str
    title: Localized
    outcome: Outcome
    actual: Fraction | None
    required: Fraction | None
    op: str
    unit: str
    gap: Fraction | None = None
    missing_facts: tuple[MissingFact, ...] = ()
    unbounded: bool = False
    undefined: bool = False


class ScoreNote(_Frozen):
    """Why a scored item has no points: no assessed score, an invalid one, or no size-table row."""

    kind: Literal["no_assessed_score", "invalid_assessed_score", "no_table_row"]
    value: str = ""
    """The invalid score as written, or the class count without a table row."""


class ItemScore(_Frozen):
    """Points of one scored item (计分项): awarded, deducted, and the schedule it follows."""

    points: Fraction | None
    """The item's maximum (满分); None when the public sources do not give it (an assessed item of
    unknown weight: its assessed score is reported as given and no total is added up)."""
    awarded: Fraction | None
    """None when the item cannot be decided (a fact, a table row or an assessed score is missing)."""
    deducted: Fraction | None
    group: str | None = None
    schedule_kind: str
    schedule: Schedule
    """The deduction schedule, as the ruleset states it (rendered as "每少0.5扣1分…")."""
    schedule_unit: str | None = None
    """The unit the schedule's steps are counted in (the first requirement's indicator unit)."""
    schedule_status: Status | None = None
    assessed: bool = False
    """Points taken from the input's assessed/self score, because the scoring rule is not known."""
    full_marks: tuple[Shortfall, ...] = ()
    """The least change to each resource that restores full points (may be less than the change
    that meets the requirement, e.g. a step schedule forgives a remainder under one step)."""
    raw: Fraction | None = None
    """Proportional points before rounding (points × attainment)."""
    steps: int | None = None
    """Step schedule: the number of full steps in the gap (⌊gap ÷ per⌋)."""
    checks: tuple[RequirementCheck, ...] = ()
    note: ScoreNote | None = None


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
    """What every judged item carries, school rule or county criterion: the rule reference
    (title, original text, article, public source, status), the measurement, the outcome and the
    missing facts. No sentence: renderers word it (:mod:`junheng.cli.render`)."""

    kind: str
    title: Localized
    outcome: Outcome
    actual: Fraction | None = None
    required: Fraction | None = None
    op: str | None = None
    unit: str | None = None
    missing_facts: tuple[MissingFact, ...] = ()
    unbounded: bool = False
    """The value divides by zero under an upper bound (e.g. students ÷ 0 computers): it fails."""
    undefined: bool = False
    """The value divides by zero under a lower bound (e.g. area ÷ 0 students): undecidable."""
    text: str = ""
    article: str = ""
    source: str = ""
    """The public citation (document title + 文号 + article, or a public address): shown as 依据."""
    status: Status
    parameter_status: Status | None = None
    """Status of the parameter the requirement came from, when it is weaker than the rule's."""
    schedule_status: Status | None = None
    """Status of a scored item's deduction schedule, when it differs from the item's."""

    @property
    def passed(self) -> bool | None:
        """True met, False not met, None when it cannot be decided or is a score without a pass mark."""
        return None if self.outcome in (Outcome.unknown, Outcome.scored) else self.outcome is Outcome.passed


class ConditionCheck(_Frozen):
    """One condition of a relaxation, with the school's value (None when not given)."""

    fact: str
    op: str
    value: Fraction
    actual: Fraction | None = None
    holds: bool | None = None


class RelaxationRecord(_Frozen):
    """A dated, conditional relaxation (the 2019 规程's transitional values) considered for a
    rule: ``applied`` when the school meets its conditions and was judged on ``required``
    instead of the rule's own ``required_without``; not applied when a condition fact is
    missing and the relaxed value would decide a pass (the rule is then undecided)."""

    id: str
    title: Localized
    applied: bool
    required: Fraction | None
    required_without: Fraction | None
    conditions: tuple[ConditionCheck, ...]
    text: str = ""
    article: str = ""
    source: str = ""
    status: Status


class RuleResult(Judgement):
    """One school rule's result."""

    rule_id: str
    relaxation: RelaxationRecord | None = None
    """The relaxation that applied (or would, were a missing condition fact known)."""
    actual_at_least: bool = False
    """``actual`` is a lower bound, not a measurement: the indicator's own facts are missing and
    a bound decided the rule (the largest class is at least ⌈students ÷ classes⌉)."""
    level: Level | None = None
    """The section's level the requirement was read for (None only in hand-built results)."""
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
    county: str = ""
    """The county named in the input (县区), for the letter's signature."""
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
        """True met, False not met, None when it cannot be decided or is a score without a pass mark."""
        return None if self.outcome in (Outcome.unknown, Outcome.scored) else self.outcome is Outcome.passed


class RulesetInfo(_Frozen):
    id: str
    version: str
    title: Localized
    document: str
    """The document's 文号 (or its title when it has none)."""
    document_title: Localized | None = None
    """The document's full title (《…》)."""
    sha256: str
    path: str


class InputInfo(_Frozen):
    file: str
    sha256: str
    rows_read: int
    rows_evaluated: int
    rows_rejected: int
    unused_columns: tuple[str, ...] = ()


class RunEnvelope(_Frozen):
    """What was run on what, by which engine and version, and what the input's readers found: the one
    header every run record (:class:`EvaluationRun`, ``CountyRun``, ``Comparison``) carries and every
    renderer reads."""

    rulesets: tuple[RulesetInfo, ...]
    """The ruleset judged by first; a county run: then the school ruleset its every-school checks use
    (when one is given); a comparison: the base, then the ruleset compared against."""
    input: InputInfo | None
    junheng_version: str
    engine: str
    issues: tuple[InputIssue, ...] = Field(default_factory=tuple)
    """The input's rejected rows (``error``) and warnings."""


class EnvelopedRun(_Frozen):
    """A run record with its :class:`RunEnvelope`, and the envelope's fields by their old names."""

    envelope: RunEnvelope

    @property
    def ruleset(self) -> RulesetInfo:
        return self.envelope.rulesets[0]

    @property
    def input(self) -> InputInfo | None:
        return self.envelope.input

    @property
    def junheng_version(self) -> str:
        return self.envelope.junheng_version

    @property
    def engine(self) -> str:
        return self.envelope.engine

    @property
    def issues(self) -> tuple[InputIssue, ...]:
        return self.envelope.issues


class EvaluationRun(EnvelopedRun):
    """One run of ``junheng evaluate``: what was run on what (the envelope), and every result."""

    schools: tuple[SchoolResult, ...]

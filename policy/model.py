"""The ruleset model (规则集): pydantic v2 models for a standard encoded as data.

A ruleset file mirrors its document: the 办法's number and title, the effective dates, the
parameters (dated, sourced numbers), the indicators (formulas over facts) and the rules, each
carrying the original Chinese sentence it encodes, its article, its source and its provenance
status. Unknown keys are errors everywhere (``extra="forbid"``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from junheng.policy.facts import FACTS, Level
from junheng.policy.formula import FormulaError, names, parse_formula

if TYPE_CHECKING:
    from junheng.policy.county_model import CountySpec


class Status(StrEnum):
    """Provenance of a number or rule (来源状态). Strict: two sources count as two only when
    they are independent (a newspaper article and a repost of it are one source)."""

    confirmed = "confirmed"  # C: official text, or two independent sources agree
    secondary = "secondary"  # S: one non-official summary or one score sheet
    inferred = "inferred"  # I: arithmetic from found figures
    unconfirmed = "unconfirmed"  # U: kept a parameter, shown in every explanation

    def label(self, lang: str) -> str:
        zh = {"confirmed": "已确认", "secondary": "二手来源", "inferred": "推算",
              "unconfirmed": "未确认"}
        return zh[self.value] if lang == "zh" else self.value


class Op(StrEnum):
    at_least = ">="  # 不低于 / 达到 / 以上
    more_than = ">"  # 高于
    at_most = "<="  # 不超过
    less_than = "<"  # 低于

    @property
    def is_lower_bound(self) -> bool:
        return self in (Op.at_least, Op.more_than)

    @property
    def is_strict(self) -> bool:
        return self in (Op.more_than, Op.less_than)

    def holds(self, actual: Fraction, required: Fraction) -> bool:
        if self is Op.at_least:
            return actual >= required
        if self is Op.more_than:
            return actual > required
        if self is Op.at_most:
            return actual <= required
        return actual < required

    def words(self, lang: str) -> str:
        zh = {">=": "不低于", ">": "高于", "<=": "不超过", "<": "低于"}
        en = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than"}
        return (zh if lang == "zh" else en)[self.value]


_FIELDS_SETS: dict[tuple[type[BaseModel], frozenset[str]], set[str]] = {}


def shared_fields_set(cls: type[BaseModel], names: Iterable[str]) -> set[str]:
    """The one ``model_fields_set`` shared by every frozen ``cls`` built with exactly ``names``
    (see :func:`share_fields_set`; never to be mutated)."""
    given = set(names)
    return _FIELDS_SETS.setdefault((cls, frozenset(given)), given)


def share_fields_set(model: BaseModel) -> None:
    """Let frozen models built with the same fields share one ``model_fields_set``.

    An evaluation builds dozens of models per school section (results, sentences), each with its
    own set of the field names it was given: ~700 bytes for a rule result, a third of its memory.
    A frozen model's set never changes (``model_copy`` copies it), so one set per model type and
    set of names gives every instance the same ``model_fields_set`` for a fraction of the memory.
    Called from ``model_post_init``, after validation.
    """
    if not model.model_config.get("frozen"):
        return
    given = model.__pydantic_fields_set__
    shared = _FIELDS_SETS.setdefault((type(model), frozenset(given)), given)
    if shared is not given:
        object.__setattr__(model, "__pydantic_fields_set__", shared)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    def model_post_init(self, context: Any, /) -> None:
        share_fields_set(self)


class Localized(_Strict):
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def to_fraction(value: object) -> Fraction:
    """Exact conversion of a YAML/JSON number. Floats are refused: they are already inexact."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a finite number")
        return Fraction(value)
    if isinstance(value, str):
        try:
            dec = Decimal(value.strip())
        except ArithmeticError:
            raise ValueError(f"{value!r} is not a number") from None
        if not dec.is_finite():
            raise ValueError(f"{value!r} is not a finite number")
        if not dec.is_zero() and abs(dec.adjusted()) > 30:  # exact expansion of 1e999999999 hangs
            raise ValueError(f"{value[:40]!r} is out of range (exponent beyond ±30)")
        return Fraction(dec)
    raise ValueError(f"{value!r} is not a number (write it as a decimal literal)")


Exact = Annotated[Fraction, BeforeValidator(to_fraction)]
"""A number field read exactly from its written text (see :func:`to_fraction`)."""


class ParamRef(_Strict):
    """A reference to a named parameter instead of a literal number."""

    param: str


class LevelValues(_Strict):
    """A number per 学段; a value for both levels can be given as a plain number."""

    primary: Fraction | ParamRef | None = None
    junior: Fraction | ParamRef | None = None

    @field_validator("primary", "junior", mode="before")
    @classmethod
    def _exact(cls, value: object) -> object:
        if value is None or isinstance(value, dict | ParamRef):
            return value
        return to_fraction(value)

    def for_level(self, level: Level) -> Fraction | ParamRef | None:
        return self.primary if level is Level.primary else self.junior


def _level_values(value: object) -> object:
    if isinstance(value, dict) and set(value) == {"param"}:
        return {"primary": value, "junior": value}
    if isinstance(value, dict | LevelValues):
        return value
    return {"primary": value, "junior": value}


class Parameter(_Strict):
    """A sourced number (参数). Unconfirmed numbers stay parameters, never literals in logic."""

    value: LevelValues
    unit: str
    title: Localized
    status: Status
    source: str
    """A public citation: document title + 文号 + article or item, or a public address."""
    evidence: str = ""
    """The research trail behind the number (addresses, reports, arithmetic): kept for
    reviewers of the ruleset, never shown to users as 依据 — ``source`` is the citation."""
    note: str = ""
    last_checked: dt.date | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _per_level(cls, value: object) -> object:
        return _level_values(value)


class LowerBound(_Strict):
    """What is known about an indicator when its own facts are missing: it is at least this
    formula's value. The largest class (最大班额) is at least the average ⌈students ÷ classes⌉,
    so an average above a "不超过" limit decides a failure without ``max_class_size``."""

    formula: str
    whole: bool = False
    """The indicator counts whole units (persons): the bound rounds up (⌈students ÷ classes⌉)."""
    resource: str | None = None
    """The fact that closes a gap on this bound, used as the remedy instead of the indicator's
    resource: for class size, classes to add (⌈students ÷ limit⌉ − classes), never "a smaller
    largest class" or students to remove."""


class Indicator(_Strict):
    """An indicator (指标): a formula over facts, its unit, and the resource that closes a gap."""

    title: Localized
    formula: str
    unit: str
    resource: str | None = None
    """The fact a school adds (or reduces) to meet a requirement on this indicator: the
    shortfall is reported in this fact's own unit (m², 元, teachers, rooms, volumes …)."""
    at_least: LowerBound | None = None
    """A lower bound known from other facts (see :class:`LowerBound`)."""

    def bound_problems(self, parameters: set[str]) -> list[tuple[str, str]]:
        """(key, message) for what is wrong with ``at_least``: its formula, facts or resource."""
        bound = self.at_least
        if bound is None:
            return []
        try:
            used = names(parse_formula(bound.formula))
        except FormulaError as exc:
            return [("formula", str(exc))]
        problems = [("formula", f"unknown fact or parameter {fact!r}")
                    for fact in sorted(used - set(FACTS) - parameters)]
        if bound.resource is not None and bound.resource not in used:
            problems.append(("resource", f"resource {bound.resource!r} does not appear in the formula"))
        return problems


class Provenance(_Strict):
    text: str = ""
    """The original Chinese sentence this rule encodes (原文)."""
    article: str = ""
    source: str
    """A public citation shown as 依据: document title + 文号 + article or item; for a
    secondary figure also the public source it is quoted from (title and address)."""
    evidence: str = ""
    """The research trail behind the number (addresses, reports, arithmetic): kept for
    reviewers of the ruleset, never shown to users as 依据 — ``source`` is the citation."""
    status: Status
    last_checked: dt.date | None = None
    note: str = ""


class Condition(_Strict):
    """A condition on one school fact: ``built_year <= 2010``, ``migrant_share > 0.5``,
    ``rural_small_school`` true (booleans are 1 / 0)."""

    fact: str
    op: Op = Op.at_least
    value: Exact

    @field_validator("value", mode="before")
    @classmethod
    def _bool(cls, value: object) -> object:
        return int(value) if isinstance(value, bool) else value


class Relaxation(_Strict):
    """A dated, conditional exception to a threshold (例外): in force from ``from`` to the end of
    ``until_year``, for schools meeting ``when_any`` (one of) and ``when_all`` (each of), the
    requirement is ``value`` instead of the rule's. The 2019 规程's transitional relaxations of
    the 2017 办法 are written this way. It carries its own sentence, source and status."""

    id: str
    title: Localized
    start: dt.date = Field(alias="from")
    until_year: int | ParamRef | None = None
    """Last calendar year of the window (a parameter when the end is not confirmed)."""
    when_any: tuple[Condition, ...] = ()
    when_all: tuple[Condition, ...] = ()
    value: LevelValues
    value_by_school_type: dict[str, Fraction] = Field(default_factory=dict)
    text: str = ""
    article: str = ""
    source: str
    evidence: str = ""
    status: Status
    last_checked: dt.date | None = None
    note: str = ""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("value", mode="before")
    @classmethod
    def _per_level(cls, value: object) -> object:
        return _level_values(value)

    @field_validator("value_by_school_type", mode="before")
    @classmethod
    def _exact_by_type(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: to_fraction(v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _some_condition(self) -> Relaxation:
        if not self.when_any and not self.when_all:
            raise ValueError("a relaxation needs a condition (when_any or when_all)")
        return self

    def last_day(self, ruleset: Ruleset) -> dt.date | None:
        year = self.until_year
        if isinstance(year, ParamRef):
            resolved = ruleset.resolve(year, Level.primary)
            year = None if resolved is None else int(resolved)
        return None if year is None else dt.date(year, 12, 31)


class ThresholdRule(Provenance):
    """A per-level threshold on one indicator: 小学 ≥ x, 初中 ≥ y (or ≤, >, <)."""

    kind: Literal["threshold"]
    id: str
    title: Localized
    indicator: str
    op: Op
    value: LevelValues
    levels: tuple[Level, ...] = (Level.primary, Level.junior)
    value_by_school_type: dict[str, Fraction] = Field(default_factory=dict)
    """Requirement overrides for some school types (e.g. 一贯制 2500 instead of 2000)."""
    relaxations: tuple[Relaxation, ...] = ()
    """Dated, conditional exceptions (the 2019 规程's transitional values); see :class:`Relaxation`."""

    @field_validator("value_by_school_type", mode="before")
    @classmethod
    def _exact_by_type(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: to_fraction(v) for k, v in value.items()}
        return value

    @field_validator("value", mode="before")
    @classmethod
    def _per_level(cls, value: object) -> object:
        return _level_values(value)


class CountGateRule(Provenance):
    """A count gate: at least ``min_met`` of ``rules`` met, and each of the rest at least
    ``floor`` of its requirement ("每所学校至少6项指标达到上述要求，余项不能低于要求的85%")."""

    kind: Literal["count_gate"]
    id: str
    title: Localized
    rules: tuple[str, ...]
    min_met: int = Field(ge=1)
    floor: Fraction | ParamRef
    levels: tuple[Level, ...] = (Level.primary, Level.junior)

    @field_validator("floor", mode="before")
    @classmethod
    def _exact_floor(cls, value: object) -> object:
        if isinstance(value, dict | ParamRef):
            return value
        return to_fraction(value)

    @model_validator(mode="after")
    def _enough_rules(self) -> CountGateRule:
        if self.min_met > len(self.rules):
            raise ValueError(f"min_met={self.min_met} but only {len(self.rules)} rules listed")
        return self


# --- scored items (计分项, issue 4): max points, a requirement, a deduction schedule as data ----------




class _Schedule(_Strict):
    text: str = ""
    """The schedule in the document's own words, e.g. "每少0.5扣1分，缺额不足0.5不扣分"."""
    status: Status | None = None
    """Provenance of the schedule itself, when weaker than the rule's (shown in explanations)."""
    note: str = ""


class StepSchedule(_Schedule):
    """Deduct ``deduct`` points per whole ``per`` of shortfall (in the indicator's unit);
    a remainder smaller than ``per`` is not deducted: ⌊shortfall ÷ per⌋ × deduct."""

    kind: Literal["step"]
    per: Exact = Field(gt=0)
    deduct: Exact = Field(gt=0)



class Tier(_Strict):
    at_least: Exact = Field(ge=0)
    """Attainment (达到要求的比例, 0.8 = 80%) from which this tier applies."""
    share: Exact = Field(ge=0, le=1)
    """Share of the item's points awarded in this tier."""



class TieredSchedule(_Schedule):
    """Points by attainment tier (100% → full, 80–99% → 80%, …); below every tier: ``otherwise``."""

    kind: Literal["tiered"]
    tiers: tuple[Tier, ...] = Field(min_length=1)
    otherwise: Exact = Fraction(0)


    @model_validator(mode="after")
    def _descending(self) -> TieredSchedule:
        bounds = [t.at_least for t in self.tiers]
        if bounds != sorted(bounds, reverse=True) or len(set(bounds)) != len(bounds):
            raise ValueError("tiers must be listed from the highest attainment down, without repeats")
        return self


class ProportionalSchedule(_Schedule):
    """Points × attainment, rounded (half up) to ``places`` decimals, or exact."""

    kind: Literal["proportional"]
    places: int = Field(default=0, ge=0, le=4)
    rounding: Literal["half_up", "floor", "exact"] = "half_up"


class AllOrNothingSchedule(_Schedule):
    """"未达标，不得分": full points when every requirement holds, else zero."""

    kind: Literal["all_or_nothing"]


class AssessedSchedule(_Schedule):
    """Points as assessed (评估组认定或学校自评), because the scoring rule is not known: taken from
    the input column ``score:<rule id>`` (or ``<rule id>得分``) and always flagged."""

    kind: Literal["assessed"]


Schedule = Annotated[
    StepSchedule | TieredSchedule | ProportionalSchedule | AllOrNothingSchedule | AssessedSchedule,
    Field(discriminator="kind"),
]


class Requirement(_Strict):
    """One requirement of a scored item: an indicator compared with a per-level value, or with a
    size table (parameter table keyed by level and number of classes)."""

    indicator: str
    op: Op
    value: LevelValues | None = None
    table: str | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _per_level(cls, value: object) -> object:
        return None if value is None else _level_values(value)

    @model_validator(mode="after")
    def _one_source(self) -> Requirement:
        if (self.value is None) == (self.table is None):
            raise ValueError("give exactly one of value or table")
        return self


class ScoredRule(Provenance):
    """A scored item (计分项, e.g. Guangxi B1): max points, requirements and a deduction schedule.
    Deductions never go below zero (扣完为止)."""

    kind: Literal["scored"]
    id: str
    title: Localized
    group: str | None = None
    """The A-level group (一级指标) this item belongs to."""
    points: Annotated[Fraction, BeforeValidator(to_fraction), Field(gt=0)] | None
    """The item's maximum (满分). ``null`` only for an ``assessed`` item whose weight the public
    sources do not give (湖北 鄂政督〔2011〕6号): its assessed score is reported as given, never out of
    a made-up maximum, and no total is added up (the result is 无法判定)."""
    requirements: tuple[Requirement, ...] = ()
    schedule: Schedule
    levels: tuple[Level, ...] = (Level.primary, Level.junior)


    @model_validator(mode="after")
    def _requirements_fit_schedule(self) -> ScoredRule:
        n = len(self.requirements)
        kind = self.schedule.kind
        if self.points is None and kind != "assessed":
            raise ValueError("only an assessed item may leave its points unknown (points: null)")
        if kind == "assessed" and n:
            raise ValueError("an assessed item has no requirements (its scoring rule is not known)")
        if kind in ("step", "tiered", "proportional") and n != 1:
            raise ValueError(f"a {kind} schedule needs exactly one requirement, not {n}")
        if kind == "all_or_nothing" and n == 0:
            raise ValueError("an all_or_nothing item needs at least one requirement")
        return self


class ScoreGroup(_Strict):
    """An A-level group of scored items (一级指标, e.g. A1 校园校舍建设 30分)."""

    title: Localized
    points: Annotated[Fraction, BeforeValidator(to_fraction)] | None
    """The group's points; ``null`` when not public (then its items' points are unknown too)."""
    source: str
    evidence: str = ""
    """The research trail behind the number (addresses, reports, arithmetic): kept for
    reviewers of the ruleset, never shown to users as 依据 — ``source`` is the citation."""
    status: Status
    article: str = ""
    note: str = ""



class TableRow(_Strict):
    level: Level
    min_classes: int = Field(ge=0)
    max_classes: int | None = None
    value: Exact
    source: str = ""
    evidence: str = ""
    """The research trail behind the number (addresses, reports, arithmetic): kept for
    reviewers of the ruleset, never shown to users as 依据 — ``source`` is the citation."""
    note: str = ""


    def matches(self, level: Level, classes: int) -> bool:
        upper = self.max_classes if self.max_classes is not None else classes
        return self.level is level and self.min_classes <= classes <= upper


class SizeTable(_Strict):
    """A size-dependent requirement (按办学规模的参数表): rows keyed by level and number of classes.
    Rows not listed are unknown (the item cannot be decided), never guessed."""

    title: Localized
    unit: str
    status: Status
    source: str
    evidence: str = ""
    """The research trail behind the number (addresses, reports, arithmetic): kept for
    reviewers of the ruleset, never shown to users as 依据 — ``source`` is the citation."""
    note: str = ""
    last_checked: dt.date | None = None
    rows: tuple[TableRow, ...] = ()

    def lookup(self, level: Level, classes: int) -> TableRow | None:
        for row in self.rows:
            if row.matches(level, classes):
                return row
        return None


class RuleOverride(_Strict):
    """A named override of an inherited rule (``extends``), with the provenance of the new number."""

    value: LevelValues | None = None
    op: Op | None = None
    points: Exact | None = None
    title: Localized | None = None
    text: str = ""
    article: str = ""
    source: str
    evidence: str = ""
    """The research trail behind the number (addresses, reports, arithmetic): kept for
    reviewers of the ruleset, never shown to users as 依据 — ``source`` is the citation."""
    status: Status
    last_checked: dt.date | None = None
    note: str = ""
    replaces: str = ""
    """Filled in when loading: the parent ruleset's number and source that this replaces."""

    @field_validator("value", mode="before")
    @classmethod
    def _per_level(cls, value: object) -> object:
        return None if value is None else _level_values(value)



Rule = Annotated[ThresholdRule | CountGateRule | ScoredRule, Field(discriminator="kind")]


class Document(_Strict):
    number: str
    """文号, e.g. 教督〔2017〕6号."""
    title: Localized
    published: dt.date | None = None
    url: str = ""


class Effective(_Strict):
    start: dt.date = Field(alias="from")
    until: dt.date | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Ruleset(_Strict):
    """One version of one standard."""

    schema_version: Literal[1] = 1
    id: str = Field(pattern=r"^[a-z0-9-]+(/[a-z0-9.-]+)+$")
    version: str
    title: Localized
    jurisdiction: Localized
    document: Document
    effective: Effective
    scope: Literal["school", "county"] = "school"
    levels: tuple[Level, ...] = (Level.primary, Level.junior)
    description: Localized | None = None
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    indicators: dict[str, Indicator] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)
    groups: dict[str, ScoreGroup] = Field(default_factory=dict)
    """A-level groups of scored items (一级指标), in the document's order."""
    tables: dict[str, SizeTable] = Field(default_factory=dict)
    """Size-dependent requirement tables (by level and number of classes)."""
    extends: str | None = None
    """The ruleset this one builds on (a bundled id, or a file in the same folder tree)."""
    overrides: dict[str, RuleOverride] = Field(default_factory=dict)
    """Named overrides of inherited rules, each with its own source and status."""
    remove: tuple[str, ...] = ()
    """Inherited rules this ruleset drops."""
    county: CountySpec | None = None
    """County criteria (县域评估), see :mod:`junheng.policy.county_model`."""
    applied_on: dt.date | None = None
    """The date the ruleset is applied on (``--at``; today without it), set when loading: dated
    relaxations apply only inside their window."""

    def rule(self, rule_id: str) -> ThresholdRule | CountGateRule | ScoredRule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def in_force_on(self, at: dt.date) -> Ruleset:
        """This ruleset applied on ``at``: only relaxations whose window contains it apply (it is
        recorded in ``applied_on``; rulesets without relaxations are returned unchanged)."""
        checks = self.county.school_checks if self.county is not None else []
        if not any(r.relaxations for r in [*self.rules, *checks] if isinstance(r, ThresholdRule)):
            return self
        return self.model_copy(update={"applied_on": at})

    def relaxation_applies(self, relaxation: Relaxation) -> bool:
        """Whether the date the ruleset is applied on lies in the relaxation's window."""
        at = self.applied_on
        if at is None or at < relaxation.start:
            return False
        last = relaxation.last_day(self)
        return last is None or at <= last

    def resolve(self, value: Fraction | ParamRef | None, level: Level) -> Fraction | None:
        """A literal, or the parameter's value for this level."""
        if isinstance(value, ParamRef):
            return self.parameters[value.param].value.for_level(level)  # type: ignore[return-value]
        return value


# The county block's models import the types above; importing them here completes `Ruleset`.
from junheng.policy import county_model as _county_model  # noqa: E402, F401

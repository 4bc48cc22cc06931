"""The ruleset model (规则集): pydantic v2 models for a standard encoded as data.

A ruleset file mirrors its document: the 办法's number and title, the effective dates, the
parameters (dated, sourced numbers), the indicators (formulas over facts) and the rules, each
carrying the original Chinese sentence it encodes, its article, its source and its provenance
status. Unknown keys are errors everywhere (``extra="forbid"``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from junheng.policy.facts import Level


class Status(StrEnum):
    """Provenance of a number or rule, as in shared/spec/standards.md."""

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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


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
        return Fraction(dec)
    raise ValueError(f"{value!r} is not a number (write it as a decimal literal)")


ExactNumber = Annotated[Fraction, Field()]


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
    note: str = ""
    last_checked: dt.date | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _per_level(cls, value: object) -> object:
        return _level_values(value)


class Indicator(_Strict):
    """An indicator (指标): a formula over facts, its unit, and the resource that closes a gap."""

    title: Localized
    formula: str
    unit: str
    resource: str | None = None
    """The fact a school adds (or reduces) to meet a requirement on this indicator: the
    shortfall is reported in this fact's own unit (m², 元, teachers, rooms, volumes …)."""


class Provenance(_Strict):
    text: str = ""
    """The original Chinese sentence this rule encodes (原文)."""
    article: str = ""
    source: str
    status: Status
    last_checked: dt.date | None = None
    note: str = ""


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


Rule = Annotated[ThresholdRule | CountGateRule, Field(discriminator="kind")]


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

    def rule(self, rule_id: str) -> ThresholdRule | CountGateRule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def resolve(self, value: Fraction | ParamRef | None, level: Level) -> Fraction | None:
        """A literal, or the parameter's value for this level."""
        if isinstance(value, ParamRef):
            return self.parameters[value.param].value.for_level(level)  # type: ignore[return-value]
        return value

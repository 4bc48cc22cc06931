"""County result types (县域评估结果): the one shape every county renderer reads.

Numbers are exact fractions (a CV is reported as its exact square ``cv_squared`` and a 40-digit
value ``cv``); renderers format them and never recompute a verdict.
"""

from __future__ import annotations

from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from junheng.engine.results import EnvelopedRun, Judgement, MissingFact, Outcome, RulesetInfo, SchoolResult
from junheng.policy.facts import Level
from junheng.policy.inputs import RejectedRow
from junheng.policy.model import Localized, Status


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class CvDriver(_Frozen):
    school_id: str
    school_name: str
    value: Fraction
    """The school's per-student value X_i."""
    weight: Fraction
    """Its weight in the variance (P_i / P, or 1 / n unweighted)."""
    share_of_variance: Fraction | None


class WhatIf(_Frozen):
    """The CV if the lowest school's per-student value were raised to ``to_value``."""

    school_id: str
    to: str  # "county_mean" or "standard"
    to_value: Fraction
    cv: Fraction
    cv_squared: Fraction


class IndicatorCv(_Frozen):
    indicator: str
    title: Localized
    unit: str
    schools: int
    mean: Fraction | None = None
    """X̄: the ratio of totals (weighted) or the plain mean of the per-school values."""
    cv: Fraction | None = None
    cv_squared: Fraction | None = None
    passed: bool | None = None
    """Only for criteria judging every CV; None for a composite criterion or when undecidable."""
    missing: tuple[MissingFact, ...] = ()
    """Missing facts, each with its school and level (a missing fact makes the CV undecidable)."""
    drivers: tuple[CvDriver, ...] = ()
    what_if: tuple[WhatIf, ...] = ()


class LevelDispersion(_Frozen):
    """One level's CVs for one dispersion criterion."""

    criterion_id: str
    level: Level
    weighted: bool
    judge: str  # "composite" or "each"
    limit: Fraction
    schools: int
    indicators: tuple[IndicatorCv, ...]
    composite: Fraction | None = None
    """Plain mean of the CVs (综合差异系数), when every CV is known."""
    outcome: Outcome
    rejected_rows: tuple[RejectedRow, ...] = ()
    """Rejected input rows that may belong to this level: while there are any, no CV of the level
    is judged (the CVs shown are of the sections read)."""


class CriterionResult(Judgement):
    """One county criterion's result."""

    criterion_id: str
    group: str
    failing: tuple[str, ...] = ()
    """What fails: indicators (dispersion) or ``school_id/level`` sections (all_schools)."""
    unknown: tuple[str, ...] = ()
    """What cannot be decided: ``school_id/level`` sections (all_schools)."""
    sections: int | None = None
    """How many sections an every-school criterion judged."""
    fact: str | None = None
    """The county fact a county-fact criterion reads."""
    veto: bool = False
    """一票否决: a veto item (a yes/no fact that must be no)."""
    note: str = ""
    rejected_rows: tuple[RejectedRow, ...] = ()
    """Rejected input rows this criterion needs: it is never met while there are any."""


class SharedSplit(_Frozen):
    """A shared total split between an 一贯制 school's sections by weighted enrolment."""

    school_id: str
    fact: str
    total: Fraction
    junior_weight: Fraction
    senior_weight: Fraction
    senior_students: Fraction
    parts: dict[str, Fraction]
    """Level (or ``senior``) → its share of the total."""
    origin: str = ""


class Exclusion(_Frozen):
    """The rule that leaves a section out of the county evaluation (e.g. 教学点 under 100 students)."""

    school_type: str
    """The school type as the document names it (教学点)."""
    below_students: Fraction | None = None
    source: str = ""


class CountySchool(_Frozen):
    school_id: str
    level: Level
    school_name: str
    school_type: str | None = None
    students: Fraction | None = None
    classes: Fraction | None = None
    """班级数, as read (the 申报表 prints it next to 在校生数)."""
    max_class_size: Fraction | None = None
    class_size_band: str | None = None
    """normal / large (大班额) / super_large (超大班额); None when the largest class is unknown."""
    class_size_at_least: Fraction | None = None
    """When ``max_class_size`` is missing and the average ⌈students ÷ classes⌉ already reaches
    the 大班额 band: that average, a lower bound of the largest class (the band is "at least")."""
    excluded: Exclusion | None = None
    """Why the section is left out of the county evaluation, if it is."""
    checks: dict[str, Outcome] = {}
    """all_schools criterion id → this section's outcome under it."""


class ClassSizeSummary(_Frozen):
    large_from: int
    super_large_from: int
    sections_known: int
    large: tuple[str, ...]
    super_large: tuple[str, ...]
    from_average: tuple[str, ...] = ()
    """Sections banded from their average class (no largest class given): their band is a lower
    bound, so the counts of 大班额 / 超大班额 are "at least" whenever this or ``unknown`` is not empty."""
    large_share: Fraction | None
    super_large_share: Fraction | None
    unknown: tuple[str, ...]
    source: str
    status: Status


class CountyRun(EnvelopedRun):
    """One run of ``junheng county``: what was run on what (the envelope: the county ruleset, then the
    school ruleset when one is given), and the county's verdict."""

    county: str
    year: int | None
    outcome: Outcome
    levels: tuple[LevelDispersion, ...]
    criteria: tuple[CriterionResult, ...]
    schools: tuple[CountySchool, ...]
    school_results: dict[str, tuple[SchoolResult, ...]]
    """all_schools criterion id → the school results it was decided on."""
    class_sizes: ClassSizeSummary | None
    splits: tuple[SharedSplit, ...]
    parameters: dict[str, Fraction]
    """Parameters the run used (weighting 1/0, shared-asset weights), as applied."""
    county_facts_file: str | None
    county_fact_origins: dict[str, str]
    rejected_rows: tuple[RejectedRow, ...] = ()
    """Every rejected row (and unread part) of the input: the county is never met on incomplete data."""

    @property
    def school_ruleset(self) -> RulesetInfo | None:
        return self.envelope.rulesets[1] if len(self.envelope.rulesets) > 1 else None

    @property
    def input_file(self) -> str:
        return self.envelope.input.file if self.envelope.input is not None else ""

    @property
    def input_sha256(self) -> str:
        return self.envelope.input.sha256 if self.envelope.input is not None else ""

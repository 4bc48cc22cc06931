"""Comparing one set of schools under two rulesets (新旧标准对比), e.g. Anhui 2007 → 2018.

Both evaluations come from :func:`junheng.engine.evaluate.evaluate_sections` (verdicts from the
inference engine, points from :mod:`scoring`); this module only pairs the results up by school
section and rule id and classifies each pair. Nothing is recomputed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict

from junheng.engine.evaluate import EngineName, evaluate_sections, run_envelope
from junheng.engine.results import (
    EnvelopedRun,
    Outcome,
    RuleResult,
    RulesetInfo,
    SchoolResult,
    ScoreSummary,
    Shortfall,
)
from junheng.policy.facts import Level
from junheng.policy.inputs import FactsBatch, SchoolSection
from junheng.policy.loader import LoadedRuleset
from junheng.policy.model import Localized, Status

Change = Literal["newly_failing", "new_failing", "newly_passing", "new_passing", "still_failing",
                 "still_passing", "added", "removed", "undecided"]
"""``new_failing`` / ``new_passing``: the rule binds this section only under the second ruleset (a
new requirement, 新增要求) — failing it is not a regression of an earlier pass. ``added``: a new
requirement whose verdict is undecided or a score."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class Side(_Frozen):
    """One rule's result under one ruleset."""

    outcome: Outcome
    actual: Fraction | None
    required: Fraction | None
    op: str | None
    unit: str | None
    points: Fraction | None = None
    max_points: Fraction | None = None
    status: Status
    source: str
    result: RuleResult
    """The whole judgement under this ruleset (renderers word it)."""


class RuleChange(_Frozen):
    rule_id: str
    title: Localized
    change: Change
    before: Side | None
    after: Side | None
    threshold_moved: bool
    extra_needed: tuple[Shortfall, ...] = ()
    """What it takes under the second ruleset: the shortfall of a failed rule (and, for a scored
    item, the least change that restores full points when that is smaller)."""


class SchoolComparison(_Frozen):
    school_id: str
    level: Level
    school_name: str
    before: Outcome | None
    after: Outcome | None
    score_before: ScoreSummary | None = None
    score_after: ScoreSummary | None = None
    changes: tuple[RuleChange, ...]


class Comparison(EnvelopedRun):
    """One run of ``junheng compare``: the envelope (the base ruleset, then the one compared against)
    and every school's paired results."""

    schools: tuple[SchoolComparison, ...]

    @property
    def base(self) -> RulesetInfo:
        return self.envelope.rulesets[0]

    @property
    def against(self) -> RulesetInfo:
        return self.envelope.rulesets[1]


def side(r: RuleResult) -> Side:
    return Side(outcome=r.outcome, actual=r.actual, required=r.required, op=r.op, unit=r.unit,
                points=r.score.awarded if r.score else None,
                max_points=r.score.points if r.score else None,
                status=r.status, source=r.source, result=r)


def classify(before: RuleResult | None, after: RuleResult | None) -> Change:
    if before is None:
        if after is not None and after.outcome is Outcome.failed:
            return "new_failing"
        if after is not None and after.outcome is Outcome.passed:
            return "new_passing"
        return "added"
    if after is None:
        return "removed"
    if Outcome.unknown in (before.outcome, after.outcome):
        return "undecided"
    was, now = before.outcome is Outcome.passed, after.outcome is Outcome.passed
    if was and now:
        return "still_passing"
    if not was and not now:
        return "still_failing"
    return "newly_passing" if now else "newly_failing"


def _needed(after: RuleResult | None) -> tuple[Shortfall, ...]:
    if after is None or after.outcome is not Outcome.failed:
        return ()
    needed = [after.shortfall] if after.shortfall is not None else []
    if after.score is not None:
        needed += [s for s in after.score.full_marks if s not in needed]
    return tuple(needed)


def compare_school(before: SchoolResult | None, after: SchoolResult | None) -> SchoolComparison:
    first = before or after
    assert first is not None
    a = {r.rule_id: r for r in before.results} if before else {}
    b = {r.rule_id: r for r in after.results} if after else {}
    order = [*a, *(k for k in b if k not in a)]
    changes = []
    for rule_id in order:
        ra, rb = a.get(rule_id), b.get(rule_id)
        shown = rb or ra
        assert shown is not None
        moved = (ra is not None and rb is not None
                 and (ra.required, ra.op) != (rb.required, rb.op))
        changes.append(RuleChange(
            rule_id=rule_id, title=shown.title, change=classify(ra, rb),
            before=side(ra) if ra else None, after=side(rb) if rb else None,
            threshold_moved=moved, extra_needed=_needed(rb),
        ))
    return SchoolComparison(
        school_id=first.school_id, level=first.level, school_name=first.school_name,
        before=before.outcome if before else None, after=after.outcome if after else None,
        score_before=before.score if before else None, score_after=after.score if after else None,
        changes=tuple(changes),
    )


def compare(base: LoadedRuleset, against: LoadedRuleset, sections: Sequence[SchoolSection],
            engine: EngineName = "durable", against_sections: Sequence[SchoolSection] | None = None,
            batch: FactsBatch | None = None) -> Comparison:
    """Evaluate ``sections`` under both rulesets and pair every result. ``against_sections``: the
    same schools as the second ruleset sees them (a shared total split by its own weights);
    ``batch``: the input they were read from (its file and issues go into the envelope)."""
    ra = {(s.school_id, s.level): s for s in evaluate_sections(base.ruleset, sections, engine)}
    rb = {(s.school_id, s.level): s
          for s in evaluate_sections(against.ruleset, sections if against_sections is None else against_sections,
                                     engine)}
    keys = [*ra, *(k for k in rb if k not in ra)]
    return Comparison(envelope=run_envelope((base, against), batch, engine),
                      schools=tuple(compare_school(ra.get(k), rb.get(k)) for k in keys))

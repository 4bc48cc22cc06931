"""County inputs (县域评估的输入): the checks and normalisation the county evaluation needs before it
decides anything, with the reader warnings they raise (words live here and in cli/, never in engine/).

* :func:`county_spec` — the ruleset's county block, or :class:`CountyEvaluationError`;
* :func:`split_shared_assets` — a total reported once per 一贯制 school split between its sections by
  weighted enrolment (recorded as :class:`SharedSplit`), with a warning for each total not split;
* :func:`county_and_year` — the county and year the data state, with a warning when the files disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from junheng.engine.county_results import SharedSplit
from junheng.policy.county_facts import CountyFacts
from junheng.policy.county_model import CountySpec, fraction_or_param
from junheng.policy.facts import FACTS, Level
from junheng.policy.inputs import FactsBatch, InputIssue, RejectedRow, SchoolSection
from junheng.policy.model import Ruleset


class CountyEvaluationError(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{en} / {zh}")
        self.message_zh, self.message_en = zh, en


def county_spec(ruleset: Ruleset) -> CountySpec:
    """The ruleset's county block; :class:`CountyEvaluationError` when it has none."""
    if ruleset.county is None:
        raise CountyEvaluationError(f"规则集 {ruleset.id} 没有县域评估部分（county）",
                                    f"ruleset {ruleset.id} has no county part")
    return ruleset.county


def split_shared_assets(ruleset: Ruleset, sections: Sequence[SchoolSection], facts: CountyFacts | None,
                        ) -> tuple[list[SchoolSection], list[SharedSplit], list[InputIssue]]:
    """Fill a fact reported once per school into its sections, by weighted enrolment."""
    spec = county_spec(ruleset)
    out = list(sections)
    splits: list[SharedSplit] = []
    issues: list[InputIssue] = []
    if facts is None:
        return out, splits, issues
    jw = fraction_or_param(ruleset, spec.shared_assets.junior_weight) or Fraction(1)
    sw = fraction_or_param(ruleset, spec.shared_assets.senior_weight) or Fraction(1)
    split_facts = spec.shared_assets.facts
    for asset in facts.shared_assets:
        if split_facts and asset.fact not in split_facts:
            issues.append(InputIssue(
                file=facts.file, column=f"共用资产（{asset.school_id}）", severity="warning",
                message_zh=f"该规则集只分摊{'、'.join(FACTS[f].zh for f in split_facts)}；"
                           f"{FACTS[asset.fact].zh if asset.fact in FACTS else asset.fact}应按学段分别填报，未分摊",
                message_en=f"this ruleset splits only {', '.join(FACTS[f].en for f in split_facts)}; "
                           f"{FACTS[asset.fact].en if asset.fact in FACTS else asset.fact} is reported per "
                           "section: not split"))
            continue
        idx = [i for i, s in enumerate(out) if s.school_id == asset.school_id]
        students = [out[i].values.get("students") for i in idx]
        if not idx or any(p is None for p in students):
            issues.append(InputIssue(
                file=facts.file, column=f"shared_assets:{asset.school_id}", severity="warning",
                message_zh="找不到该校各学段或其在校生数，共用资产未分摊",
                message_en="the school's sections or their enrolment are missing: total not split"))
            continue
        weight = {out[i].level.value: (p or Fraction(0)) * (jw if out[i].level is Level.junior else 1)
                  for i, p in zip(idx, students, strict=True)}
        weight["senior"] = asset.senior_students * jw * sw
        whole = sum(weight.values(), Fraction(0))
        parts = {k: asset.total * w / whole for k, w in weight.items() if w or k != "senior"}
        for i in idx:
            s = out[i]
            if asset.fact in s.values:
                issues.append(InputIssue(
                    file=facts.file, column=f"shared_assets:{asset.school_id}", severity="warning",
                    value=asset.fact,
                    message_zh=f"{s.school_id}/{s.level.value} 已有该项数据，保留学段数据，不再分摊",
                    message_en=f"{s.school_id}/{s.level.value} already has this fact: the row value is kept"))
                continue
            out[i] = s.model_copy(update={"values": {**s.values, asset.fact: parts[s.level.value]}})
        splits.append(SharedSplit(school_id=asset.school_id, fact=asset.fact, total=asset.total,
                                  junior_weight=jw, senior_weight=sw,
                                  senior_students=asset.senior_students, parts=parts,
                                  origin=asset.origin))
    return out, splits, issues


def county_and_year(sections: Sequence[SchoolSection], facts: CountyFacts | None,
                    ) -> tuple[str, int | None, list[InputIssue]]:
    """The county and year the data state (the county-facts file only fills a gap); a warning when
    the two disagree, or when the sections name more than one county or year."""
    issues: list[InputIssue] = []
    where = sections[0].source if sections else ""
    counties = list(dict.fromkeys(s.county for s in sections if s.county))
    years = list(dict.fromkeys(s.year for s in sections if s.year is not None))
    for what_zh, what_en, found in (("县（市、区）", "county", counties), ("学年", "year", years)):
        if len(found) > 1:
            listed = "、".join(str(x) for x in found)
            issues.append(InputIssue(
                file=where, severity="warning", value=listed,
                message_zh=f"数据中的{what_zh}不止一个：{listed}；报告使用第一个",
                message_en=f"the data name more than one {what_en}: {listed}; the report uses the first"))
    county = counties[0] if counties else (facts.county if facts is not None else "")
    year = years[0] if years else (facts.year if facts is not None else None)
    if facts is not None:
        for what_zh, what_en, data, stated in (("县（市、区）", "county", counties[:1], facts.county),
                                               ("学年", "year", years[:1], facts.year)):
            if data and stated and data[0] != stated:
                issues.append(InputIssue(
                    file=facts.file, column=what_en, value=str(stated), severity="warning",
                    message_zh=f"县级数据文件中的{what_zh}“{stated}”与学校数据中的“{data[0]}”不一致；"
                               f"报告使用学校数据中的“{data[0]}”",
                    message_en=f"the county facts file says {what_en} {stated!r} but the school data say "
                               f"{data[0]!r}; the report uses {data[0]!r}"))
    return county, year, issues


def counties_of(batch: FactsBatch) -> list[str]:
    """The counties the sections (and readable rejected rows) name, in order of first appearance."""
    return list(dict.fromkeys([*(s.county for s in batch.sections if s.county),
                               *(r.county for r in batch.rejected if r.county)]))


def group_by_county(batch: FactsBatch) -> tuple[list[tuple[str, FactsBatch]], list[InputIssue]]:
    """Split a batch naming several counties into one batch per county, in order of first appearance.

    Each county's batch holds its sections and its own rejected rows. A section or rejected row without
    a county (and every part of the file that could not be read) could belong to any county: it is an
    error, and it is a rejected row of every county — so no county is 达标 while it stands, and nothing
    is assigned to a county by guesswork. ``rows_read`` of a county counts its own rows."""
    counties = counties_of(batch)
    sections: dict[str, list[SchoolSection]] = {c: [] for c in counties}
    rejected: dict[str, list[RejectedRow]] = {c: [] for c in counties}
    everywhere: list[RejectedRow] = []
    issues: list[InputIssue] = []
    for s in batch.sections:
        if s.county:
            sections[s.county].append(s)
            continue
        everywhere.append(RejectedRow(file=s.source or batch.file, row=s.row, school_id=s.school_id,
                                      school_name=s.school_name, level=s.level))
        issues.append(InputIssue(
            file=s.source or batch.file, row=s.row, column="county", value="",
            message_zh="未填写县（市、区）：数据中有多个县，此学段无法归入任何县；各县均视为数据不完整（不判为达标）",
            message_en="no county: the data hold several counties and this section belongs to none of them; "
                       "every county is treated as incomplete (never met)"))
    for r in batch.incomplete:
        if r.county:
            rejected[r.county].append(r)
        else:
            everywhere.append(r)
    groups = []
    for c in counties:
        own = rejected[c] + everywhere
        groups.append((c, FactsBatch.model_construct(
            file=batch.file, file_sha256=batch.file_sha256, rows_read=len(sections[c]) + len(rejected[c]),
            sections=sections[c], issues=[], unused_columns=[], rejected=own)))
    return groups, issues

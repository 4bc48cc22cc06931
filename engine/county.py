"""County evaluation (县域评估): does this county pass, and why not?

Flow: school sections (+ shared totals split by enrolment, − excluded sections) and county facts
→ exact county arithmetic (差异系数 in :mod:`dispersion`, county facts, every-school checks run
through :func:`evaluate.evaluate_sections`) → integer margins → verdicts from the inference
engine (the same DNF machinery as school rules: :mod:`predicates`, :mod:`durable_backend`) →
:class:`CountyRun` with explanations. ``engine="direct"`` decides the same verdicts in Python.

Atoms (all ``value <op> 0`` on exact integers):
* one CV judged alone: numerator of CV² − limit², ``<= 0`` (exact, see :mod:`dispersion`);
* a composite (mean of CVs): the exactly decided sign of mean − limit, ``<= 0``;
* a county fact: numerator of actual − required, with the criterion's comparison;
* every school: −(number of failing sections), ``>= 0``; left out (undecidable) when none fails
  but some cannot be decided.
An absent atom never holds, so a missing fact is never a pass: the criterion is "cannot decide"
when it could still hold with the absent atoms, "not met" otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from junheng.engine.county_results import (
    ClassSizeSummary,
    CountyRun,
    CountySchool,
    CriterionResult,
    CvDriver,
    Exclusion,
    IndicatorCv,
    LevelDispersion,
    WhatIf,
)
from junheng.engine.dispersion import (
    Point,
    compare_mean_of_roots,
    cv_squared,
    drivers,
    lowest,
    moments,
    sqrt_value,
    with_value,
)
from junheng.engine.evaluate import EngineName, decide, evaluate_sections, run_envelope
from junheng.engine.measure import compiled_formula, parameter_values, requirement
from junheng.engine.predicates import CompiledPredicates, could_hold
from junheng.engine.results import MissingFact, Outcome, SchoolResult
from junheng.engine.verdicts import Atom, Verdict
from junheng.policy.county_facts import CountyFacts, fact_spec
from junheng.policy.county_inputs import (
    county_and_year,
    county_spec,
    split_shared_assets,
)
from junheng.policy.county_model import (
    OWN,
    PROVINCIAL,
    SELF,
    AllSchoolsCriterion,
    CountyFactCriterion,
    CountySpec,
    DispersionCriterion,
    fraction_or_param,
)
from junheng.policy.facts import SCHOOL_TYPES, Level
from junheng.policy.formula import FormulaError, evaluate, names
from junheng.policy.inputs import FactsBatch, SchoolSection
from junheng.policy.loader import LoadedRuleset
from junheng.policy.model import ParamRef, Ruleset, Status, ThresholdRule
from junheng.policy.registry import load_ruleset


def section_key(s: SchoolSection) -> str:
    return f"{s.school_id}/{s.level.value}"


# --- preparing the sections -------------------------------------------------------------------


def exclusion(spec: CountySpec, s: SchoolSection) -> Exclusion | None:
    for ex_rule in spec.exclusions:
        wanted = SCHOOL_TYPES.get(ex_rule.school_type, ex_rule.school_type)
        if s.school_type != wanted:
            continue
        students = s.values.get("students")
        if ex_rule.below_students is None:
            return Exclusion(school_type=ex_rule.school_type, source=ex_rule.source)
        if students is not None and students < ex_rule.below_students:
            return Exclusion(school_type=ex_rule.school_type, below_students=ex_rule.below_students,
                             source=ex_rule.source)
    return None


# --- dispersion ---------------------------------------------------------------------------------


def _points(ruleset: Ruleset, indicator_name: str, weight_fact: str, level: Level,
            sections: Sequence[SchoolSection]) -> tuple[list[Point], list[MissingFact]]:
    indicator = {**ruleset.indicators, **(ruleset.county.indicators if ruleset.county else {})}[indicator_name]
    expr = compiled_formula(indicator.formula)
    params = parameter_values(ruleset, level)
    needed = sorted((names(expr) - set(params)) | {weight_fact})
    points: list[Point] = []
    missing: list[MissingFact] = []
    for s in sections:
        absent = [f for f in needed if f not in s.values]
        if absent:
            missing += [MissingFact(fact=f, school_id=s.school_id, level=s.level) for f in absent]
            continue
        weight = s.values[weight_fact]
        try:
            value = evaluate(expr, {**params, **s.values})
        except FormulaError:
            value = None
        if weight <= 0 or value is None:
            missing.append(MissingFact(fact=weight_fact, school_id=s.school_id, level=s.level,
                                       reason="not_positive"))
            continue
        points.append(Point(s.school_id, weight, value * weight))
    return points, missing


def indicator_cv(ruleset: Ruleset, criterion: DispersionCriterion, indicator_name: str, level: Level,
                 sections: Sequence[SchoolSection], weighted: bool,
                 standard: Fraction | None) -> IndicatorCv:
    """One indicator's CV for one level, with what drives it."""
    spec = ruleset.county
    indicator = {**ruleset.indicators, **(spec.indicators if spec else {})}[indicator_name]
    names_by_id = {s.school_id: s.school_name for s in sections}
    points, missing = _points(ruleset, indicator_name, criterion.weight, level, sections)
    base = IndicatorCv(indicator=indicator_name, title=indicator.title, unit=indicator.unit,
                       schools=len(sections))
    if missing or not points:
        return base.model_copy(update={"missing": tuple(missing)})
    m = moments(points, weighted)
    q = cv_squared(points, weighted)
    if q is None:  # nothing of this resource anywhere: the CV is undefined
        return base.model_copy(update={"mean": m.mean, "missing": (MissingFact(fact=indicator_name, level=level,
                                                                              reason="zero_everywhere"),)})
    drv = tuple(CvDriver(school_id=d.key, school_name=names_by_id.get(d.key, ""), value=d.value,
                         weight=d.weight, share_of_variance=d.share_of_variance)
                for d in drivers(points, weighted))
    low = lowest(points)
    what_if: list[WhatIf] = []
    for to, target in (("county_mean", m.mean), ("standard", standard)):
        if target is None or low.value >= target:
            continue
        q2 = cv_squared(with_value(points, low.key, target), weighted)
        if q2 is not None:
            what_if.append(WhatIf(school_id=low.key, to=to, to_value=target, cv=sqrt_value(q2),
                                  cv_squared=q2))
    return base.model_copy(update={"mean": m.mean, "cv": sqrt_value(q), "cv_squared": q,
                                   "drivers": drv, "what_if": tuple(what_if)})


def _standard(ruleset: Ruleset, criterion: DispersionCriterion, indicator: str, level: Level) -> Fraction | None:
    rule_id = criterion.standard_rules.get(indicator)
    if rule_id is None:
        return None
    rule = ruleset.rule(rule_id)
    if not isinstance(rule, ThresholdRule) or level not in rule.levels:
        return None
    return requirement(ruleset, rule, level, None)[0]


# --- the run ------------------------------------------------------------------------------------


class _Builder:
    """Collects atoms and verdicts for one county, then asks the engine once."""

    def __init__(self) -> None:
        self.fact: dict[str, int] = {}
        self.verdicts: dict[str, Verdict] = {}

    def atom(self, key: str, op: str, value: Fraction | int | None) -> Atom:
        if value is not None:
            self.fact[key] = value.numerator if isinstance(value, Fraction) else value
        return Atom(key, op)  # type: ignore[arg-type]

    def decide(self, engine: EngineName) -> dict[str, Outcome]:
        held = decide(CompiledPredicates(self.verdicts, {}), [self.fact], engine)[0]
        return {
            name: Outcome.passed if name in held
            else Outcome.unknown if could_hold(verdict, self.fact) else Outcome.failed
            for name, verdict in self.verdicts.items()
        }


def _param_status(ruleset: Ruleset, *values: object) -> Status | None:
    for v in values:
        if isinstance(v, ParamRef):
            return ruleset.parameters[v.param].status
    return None


def _merge_per_school(sections: Sequence[SchoolSection]) -> list[SchoolSection]:
    """One record per school_id: enrolment summed over its sections (学校规模)."""
    merged: dict[str, SchoolSection] = {}
    for s in sections:
        if s.school_id not in merged:
            merged[s.school_id] = s.model_copy(update={"values": dict(s.values)})
            continue
        m = merged[s.school_id]
        values = dict(m.values)
        for fact in ("students", "classes"):
            if fact in values and fact in s.values:
                values[fact] = values[fact] + s.values[fact]
            else:
                values.pop(fact, None)
        merged[s.school_id] = m.model_copy(update={"values": values})
    return list(merged.values())


def _rules_outcome(result: SchoolResult, rules: tuple[str, ...]) -> Outcome:
    if not rules:
        # a score without a pass mark says nothing about meeting a standard
        return Outcome.unknown if result.outcome is Outcome.scored else result.outcome
    picked = [r for r in result.results if r.rule_id in rules]
    if any(r.outcome is Outcome.failed for r in picked):
        return Outcome.failed
    if any(r.outcome is Outcome.unknown for r in picked) or not picked:
        return Outcome.unknown
    return Outcome.passed


def all_schools_ruleset(ruleset: Ruleset, c: AllSchoolsCriterion,
                        school_ruleset: LoadedRuleset | None) -> Ruleset | None:
    """The school rules an every-school criterion is decided by: the county block's own school
    checks (``self``), this ruleset's own school rules (``school``), the provincial ruleset given
    (``provincial``; None when not given), or a named ruleset."""
    spec = ruleset.county
    assert spec is not None
    if c.ruleset == SELF:
        return ruleset.model_copy(update={
            "rules": list(spec.school_checks), "county": None,
            "indicators": {**ruleset.indicators, **spec.indicators}})
    if c.ruleset == PROVINCIAL:
        return school_ruleset.ruleset if school_ruleset is not None else None
    if c.ruleset in (OWN, ruleset.id):  # the ruleset given, never a bundled copy of it
        return ruleset
    return load_ruleset(c.ruleset).ruleset


def evaluate_county(loaded: LoadedRuleset, batch: FactsBatch, county_facts: CountyFacts | None = None,
                    school_ruleset: LoadedRuleset | None = None,
                    engine: EngineName = "durable") -> CountyRun:
    """Evaluate one county (all sections of ``batch``) against the ruleset's county block."""
    ruleset = loaded.ruleset
    spec = county_spec(ruleset)
    sections, splits, issues = split_shared_assets(ruleset, batch.sections, county_facts)
    incomplete = tuple(batch.incomplete)  # a rejected row: a section whose outcome is unknown
    excluded = {section_key(s): exclusion(spec, s) for s in sections}
    included = [s for s in sections if excluded[section_key(s)] is None]
    b = _Builder()
    checks: dict[str, dict[str, Outcome]] = {}
    school_results: dict[str, tuple[SchoolResult, ...]] = {}
    levels_out: list[LevelDispersion] = []
    pending: list[int] = []  # criterion indices, in order
    disp_data: dict[int, list[LevelDispersion]] = {}
    fact_data: dict[int, tuple[Fraction | None, Fraction]] = {}
    school_data: dict[int, tuple[bool, list[SchoolResult]]] = {}
    used_params: dict[str, Fraction] = {}
    for name in ("junior_weight", "senior_weight"):
        v = getattr(spec.shared_assets, name)
        if isinstance(v, ParamRef):
            used_params[v.param] = fraction_or_param(ruleset, v) or Fraction(1)

    for ci, c in enumerate(spec.criteria):
        if isinstance(c, DispersionCriterion):
            weighted = bool(fraction_or_param(ruleset, c.weighted))
            if isinstance(c.weighted, ParamRef):
                used_params[c.weighted.param] = Fraction(int(weighted))
            clause: list[Atom] = []
            lvls: list[LevelDispersion] = []
            for level in c.levels:
                secs = [s for s in included if s.level is level]
                rejected = tuple(r for r in incomplete if r.level in (None, level))
                if not secs and not rejected:
                    continue
                limit = ruleset.resolve(c.limit.for_level(level), level)
                assert limit is not None
                inds = [indicator_cv(ruleset, c, name, level, secs, weighted,
                                     _standard(ruleset, c, name, level)) for name in c.indicators]
                level_atoms: list[Atom] = []
                for k, ind in enumerate(inds):
                    margin = None if ind.cv_squared is None or rejected else ind.cv_squared - limit * limit
                    a = b.atom(f"d{ci}_{level.value}_{k}", "<=", margin)
                    b.verdicts[f"{c.id}@{level.value}#{ind.indicator}"] = ((a,),)
                    level_atoms.append(a)
                composite = None
                if all(i.cv_squared is not None for i in inds):
                    squares = [i.cv_squared for i in inds if i.cv_squared is not None]
                    composite = sum((i.cv or Fraction(0) for i in inds), Fraction(0)) / len(inds)
                if c.judge == "composite":
                    sign = None if composite is None or rejected else compare_mean_of_roots(squares, limit)
                    level_atoms = [b.atom(f"d{ci}_{level.value}", "<=", sign)]
                b.verdicts[f"{c.id}@{level.value}"] = (tuple(level_atoms),)
                clause += level_atoms
                lvls.append(LevelDispersion(criterion_id=c.id, level=level, weighted=weighted,
                                            judge=c.judge, limit=limit, schools=len(secs),
                                            indicators=tuple(inds), composite=composite,
                                            outcome=Outcome.unknown, rejected_rows=rejected))
            b.verdicts[c.id] = (tuple(clause),)
            pending.append(ci)
            disp_data[ci] = lvls
        elif isinstance(c, CountyFactCriterion):
            required = fraction_or_param(ruleset, c.value)
            assert required is not None
            actual = county_facts.values.get(c.fact) if county_facts is not None else None
            a = b.atom(f"f{ci}", c.op.value, None if actual is None else actual - required)
            b.verdicts[c.id] = ((a,),)
            pending.append(ci)
            fact_data[ci] = (actual, required)
        elif isinstance(c, AllSchoolsCriterion):
            target = all_schools_ruleset(ruleset, c, school_ruleset)
            units = _merge_per_school(included) if c.per == "school" else list(included)
            results = evaluate_sections(target, units, engine) if target is not None else []
            school_results[c.id] = tuple(results)
            outcome_of: dict[str, Outcome] = {}
            for r in results:
                o = _rules_outcome(r, c.rules)
                for s in included:
                    if s.school_id == r.school_id and (c.per == "school" or s.level is r.level):
                        outcome_of[section_key(s)] = o
            checks[c.id] = outcome_of
            failed = [k for k, o in outcome_of.items() if o is Outcome.failed]
            unknown = [k for k, o in outcome_of.items() if o is Outcome.unknown]
            value = -len(failed) if failed else (None if unknown or incomplete or target is None else 0)
            a = b.atom(f"s{ci}", ">=", value)
            b.verdicts[c.id] = ((a,),)
            pending.append(ci)
            school_data[ci] = (target is None, results)

    decided = b.decide(engine)
    criteria: list[CriterionResult] = []
    for ci in pending:
        c = spec.criteria[ci]
        outcome = decided[c.id]
        common = {"criterion_id": c.id, "kind": c.kind, "group": getattr(c, "group", ""),
                  "title": c.title, "outcome": outcome, "text": c.text, "article": c.article,
                  "source": c.source, "status": c.status, "note": c.note}
        if isinstance(c, DispersionCriterion):
            lvls = [lv.model_copy(update={
                "outcome": decided[f"{c.id}@{lv.level.value}"],
                "indicators": tuple(i.model_copy(update={"passed": None if c.judge == "composite" else
                                                         {Outcome.passed: True, Outcome.failed: False}.get(
                                                             decided[f"{c.id}@{lv.level.value}#{i.indicator}"])})
                                    for i in lv.indicators)})
                for lv in disp_data[ci]]
            levels_out += lvls
            pstatus = _param_status(ruleset, c.weighted, c.limit.primary, c.limit.junior)
            failing = tuple(f"{lv.level.value}:{i.indicator}" for lv in lvls for i in lv.indicators
                            if i.passed is False) or tuple(lv.level.value for lv in lvls
                                                           if lv.outcome is Outcome.failed)
            criteria.append(CriterionResult(
                **common, op="<=", unit="cv", parameter_status=pstatus, failing=failing,
                rejected_rows=tuple(dict.fromkeys(r for lv in lvls for r in lv.rejected_rows)),
                missing_facts=tuple(m for lv in lvls for i in lv.indicators for m in i.missing)))
        elif isinstance(c, CountyFactCriterion):
            actual, required = fact_data[ci]
            spec_f = fact_spec(c.fact)
            unit = spec_f.unit if spec_f is not None else ""
            pstatus = _param_status(ruleset, c.value)
            criteria.append(CriterionResult(
                **common, actual=actual, required=required, op=c.op.value, unit=unit,
                parameter_status=pstatus, fact=c.fact, veto=c.group == "veto",
                missing_facts=(MissingFact(fact=c.fact),) if actual is None else ()))
        else:
            no_ruleset, results = school_data[ci]
            outcome_of = checks.get(c.id, {})
            failed = [k for k, o in outcome_of.items() if o is Outcome.failed]
            unknown = [k for k, o in outcome_of.items() if o is Outcome.unknown]
            missing = {(f.fact, r.school_id, r.level): MissingFact(fact=f.fact, school_id=r.school_id,
                                                                  level=r.level)
                       for r in results for rr in r.results
                       if rr.outcome is Outcome.unknown for f in rr.missing_facts}
            criteria.append(CriterionResult(
                **common, failing=tuple(failed), unknown=tuple(unknown), sections=len(outcome_of),
                rejected_rows=incomplete,
                missing_facts=(MissingFact(fact="school_ruleset", reason="no_ruleset"),) if no_ruleset
                else tuple(missing[k] for k in sorted(missing, key=lambda k: (k[1], k[2].value, k[0]))),
                actual=Fraction(len(outcome_of) - len(failed) - len(unknown)),
                required=Fraction(len(outcome_of)), op=">=", unit="sections"))

    outcomes = [r.outcome for r in criteria]
    # Never met on incomplete data, even when no criterion happens to need the rejected rows.
    county_outcome = (Outcome.failed if Outcome.failed in outcomes else
                      Outcome.unknown if Outcome.unknown in outcomes or incomplete else Outcome.passed)
    county, year, named = county_and_year(sections, county_facts)
    issues += named
    bands = spec.class_size_bands
    schools = []
    for s in sections:
        size = s.values.get("max_class_size")
        band = None
        band_at_least = False
        if size is None:  # the largest class is at least the average ⌈students ÷ classes⌉
            students, classes = s.values.get("students"), s.values.get("classes")
            if students is not None and classes:
                least = Fraction(math.ceil(students / classes))
                if bands is not None and least >= bands.large_from:
                    size, band_at_least = least, True
        if bands is not None and size is not None:
            band = ("super_large" if size >= bands.super_large_from else
                    "large" if size >= bands.large_from else "normal")
        schools.append(CountySchool(
            school_id=s.school_id, level=s.level, school_name=s.school_name, school_type=s.school_type,
            students=s.values.get("students"), classes=s.values.get("classes"),
            max_class_size=None if band_at_least else size,
            class_size_band=band, class_size_at_least=size if band_at_least else None,
            excluded=excluded[section_key(s)],
            checks={cid: o[section_key(s)] for cid, o in checks.items() if section_key(s) in o}))
    class_sizes = None
    if bands is not None:
        counted = [cs for cs in schools if cs.excluded is None]
        known = [cs for cs in counted if cs.class_size_band is not None]
        large = tuple(f"{cs.school_id}/{cs.level.value}" for cs in known if cs.class_size_band == "large")
        superl = tuple(f"{cs.school_id}/{cs.level.value}" for cs in known if cs.class_size_band == "super_large")
        class_sizes = ClassSizeSummary(
            large_from=bands.large_from, super_large_from=bands.super_large_from,
            sections_known=len(known), large=large, super_large=superl,
            from_average=tuple(f"{cs.school_id}/{cs.level.value}" for cs in known
                               if cs.class_size_at_least is not None),
            large_share=Fraction(len(large), len(known)) if known else None,
            super_large_share=Fraction(len(superl), len(known)) if known else None,
            unknown=tuple(f"{cs.school_id}/{cs.level.value}" for cs in counted if cs.class_size_band is None),
            source=bands.source, status=bands.status)
    all_issues = (*batch.issues, *issues, *(county_facts.issues if county_facts is not None else ()))
    return CountyRun(
        envelope=run_envelope((loaded, school_ruleset), batch, engine, issues=all_issues),
        county=county, year=year, outcome=county_outcome,
        levels=tuple(levels_out), criteria=tuple(criteria), schools=tuple(schools),
        school_results=school_results, class_sizes=class_sizes, splits=tuple(splits),
        parameters=used_params,
        county_facts_file=county_facts.file if county_facts is not None else None,
        county_fact_origins=dict(county_facts.origins) if county_facts is not None else {},
        rejected_rows=incomplete)

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
from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction

from junheng.engine.compile import ratio_of
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
    lowest,
    spread,
    sqrt_value,
    with_value,
)
from junheng.engine.evaluate import EngineName, decide, evaluate_sections, run_envelope
from junheng.engine.measure import compiled_formula, parameter_values, requirement
from junheng.engine.predicates import CompiledPredicates, could_hold
from junheng.engine.results import MissingFact, Outcome, SchoolResult, trusted
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
from junheng.policy.inputs import FactsBatch, InputIssue, SchoolSection
from junheng.policy.loader import LoadedRuleset
from junheng.policy.model import ParamRef, Ruleset, Status, ThresholdRule, shared_fields_set
from junheng.policy.registry import load_ruleset

_DRIVER_FIELDS = shared_fields_set(CvDriver, CvDriver.model_fields)
_SCHOOL_FIELDS = shared_fields_set(CountySchool, CountySchool.model_fields)
_MISSING_FIELDS = shared_fields_set(MissingFact, ("fact", "school_id", "level"))


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
    ratio = ratio_of(indicator.formula, set(params))  # k × fact ÷ fact: two operations, no interpreter
    points: list[Point] = []
    missing: list[MissingFact] = []
    for s in sections:
        values = s.values
        absent = [f for f in needed if f not in values]
        if absent:
            missing += [MissingFact(fact=f, school_id=s.school_id, level=s.level) for f in absent]
            continue
        weight = values[weight_fact]
        value: Fraction | None
        if ratio is None:
            try:
                value = evaluate(expr, {**params, **values})
            except FormulaError:
                value = None
        else:
            den = values[ratio.den] if ratio.den is not None else None
            value = (None if den is not None and den == 0  # a zero divisor, as the formula reports it
                     else ratio.k * values[ratio.num] / den if den is not None else ratio.k * values[ratio.num])
        if weight <= 0 or value is None:
            missing.append(MissingFact(fact=weight_fact, school_id=s.school_id, level=s.level,
                                       reason="not_positive"))
            continue
        points.append(Point.of(s.school_id, weight, value))
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
    mean, q, spread_drivers = spread(points, weighted)
    if q is None:  # nothing of this resource anywhere: the CV is undefined
        return base.model_copy(update={"mean": mean, "missing": (MissingFact(fact=indicator_name, level=level,
                                                                            reason="zero_everywhere"),)})
    drv = tuple(trusted(CvDriver, {"school_id": d.key, "school_name": names_by_id.get(d.key, ""), "value": d.value,
                                   "weight": d.weight, "share_of_variance": d.share_of_variance}, _DRIVER_FIELDS)
                for d in spread_drivers)  # exact values computed here: no validation per school (hot loop)
    low = lowest(points)
    what_if: list[WhatIf] = []
    for to, target in (("county_mean", mean), ("standard", standard)):
        if target is None or low.value >= target:
            continue
        q2 = cv_squared(with_value(points, low.key, target), weighted)
        if q2 is not None:
            what_if.append(WhatIf(school_id=low.key, to=to, to_value=target, cv=sqrt_value(q2),
                                  cv_squared=q2))
    return base.model_copy(update={"mean": mean, "cv": sqrt_value(q), "cv_squared": q,
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
    """Collects one county's atoms and verdicts (decided with other counties' in one engine call)."""

    def __init__(self) -> None:
        self.fact: dict[str, int] = {}
        self.verdicts: dict[str, Verdict] = {}

    def atom(self, key: str, op: str, value: Fraction | int | None) -> Atom:
        if value is not None:
            self.fact[key] = value.numerator if isinstance(value, Fraction) else value
        return Atom(key, op)  # type: ignore[arg-type]


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


class _CountyJob:
    """One county's evaluation in three steps, so that many counties can share each engine call:
    :meth:`units` (what every-school criteria feed the school engine), :meth:`build` (the county's
    arithmetic and atoms, given those school results) and :meth:`finish` (the run, given the verdicts)."""

    def __init__(self, loaded: LoadedRuleset, batch: FactsBatch, county_facts: CountyFacts | None,
                 school_ruleset: LoadedRuleset | None, engine: EngineName,
                 extra_issues: Sequence[InputIssue] = ()) -> None:
        self.loaded, self.batch, self.county_facts = loaded, batch, county_facts
        self.school_ruleset, self.engine = school_ruleset, engine
        self.ruleset = ruleset = loaded.ruleset
        self.spec = spec = county_spec(ruleset)
        self.sections, self.splits, self.issues = split_shared_assets(ruleset, batch.sections, county_facts)
        self.issues += extra_issues
        self.incomplete = tuple(batch.incomplete)  # a rejected row: a section whose outcome is unknown
        self.excluded = {section_key(s): exclusion(spec, s) for s in self.sections}
        self.included = [s for s in self.sections if self.excluded[section_key(s)] is None]
        self.builder = _Builder()
        self.checks: dict[str, dict[str, Outcome]] = {}
        self.school_results: dict[str, tuple[SchoolResult, ...]] = {}
        self.pending: list[int] = []  # criterion indices, in order
        self.disp_data: dict[int, list[LevelDispersion]] = {}
        self.fact_data: dict[int, tuple[Fraction | None, Fraction]] = {}
        self.school_data: dict[int, tuple[bool, list[SchoolResult]]] = {}
        self.used_params: dict[str, Fraction] = {}

    def units(self, c: AllSchoolsCriterion) -> list[SchoolSection]:
        """The sections (or whole schools) an every-school criterion judges."""
        return _merge_per_school(self.included) if c.per == "school" else list(self.included)

    def build(self, school_results: dict[int, list[SchoolResult] | None]) -> _Builder:
        """The county arithmetic and its atoms; ``school_results``: criterion index → the school
        engine's results on :meth:`units` (None when the criterion has no school ruleset)."""
        ruleset, spec, b, incomplete = self.ruleset, self.spec, self.builder, self.incomplete
        for name in ("junior_weight", "senior_weight"):
            v = getattr(spec.shared_assets, name)
            if isinstance(v, ParamRef):
                self.used_params[v.param] = fraction_or_param(ruleset, v) or Fraction(1)
        for ci, c in enumerate(spec.criteria):
            if isinstance(c, DispersionCriterion):
                weighted = bool(fraction_or_param(ruleset, c.weighted))
                if isinstance(c.weighted, ParamRef):
                    self.used_params[c.weighted.param] = Fraction(int(weighted))
                clause: list[Atom] = []
                lvls: list[LevelDispersion] = []
                for level in c.levels:
                    secs = [s for s in self.included if s.level is level]
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
                self.pending.append(ci)
                self.disp_data[ci] = lvls
            elif isinstance(c, CountyFactCriterion):
                required = fraction_or_param(ruleset, c.value)
                assert required is not None
                facts = self.county_facts
                actual = facts.values.get(c.fact) if facts is not None else None
                a = b.atom(f"f{ci}", c.op.value, None if actual is None else actual - required)
                b.verdicts[c.id] = ((a,),)
                self.pending.append(ci)
                self.fact_data[ci] = (actual, required)
            elif isinstance(c, AllSchoolsCriterion):
                given = school_results.get(ci)
                results = given if given is not None else []
                self.school_results[c.id] = tuple(results)
                outcome_of: dict[str, Outcome] = {}
                by_school: dict[str, list[SchoolSection]] = {}
                for s in self.included:
                    by_school.setdefault(s.school_id, []).append(s)
                for r in results:
                    o = _rules_outcome(r, c.rules)
                    for s in by_school.get(r.school_id, ()):
                        if c.per == "school" or s.level is r.level:
                            outcome_of[section_key(s)] = o
                self.checks[c.id] = outcome_of
                failed = [k for k, o in outcome_of.items() if o is Outcome.failed]
                unknown = [k for k, o in outcome_of.items() if o is Outcome.unknown]
                value = -len(failed) if failed else (None if unknown or incomplete or given is None else 0)
                a = b.atom(f"s{ci}", ">=", value)
                b.verdicts[c.id] = ((a,),)
                self.pending.append(ci)
                self.school_data[ci] = (given is None, results)
        return b

    def finish(self, decided: dict[str, Outcome]) -> CountyRun:
        """The county's run, from the verdicts the engine decided on :meth:`build`'s atoms."""
        ruleset, spec, incomplete, county_facts = self.ruleset, self.spec, self.incomplete, self.county_facts
        levels_out: list[LevelDispersion] = []
        criteria: list[CriterionResult] = []
        for ci in self.pending:
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
                    for lv in self.disp_data[ci]]
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
                actual, required = self.fact_data[ci]
                spec_f = fact_spec(c.fact)
                unit = spec_f.unit if spec_f is not None else ""
                pstatus = _param_status(ruleset, c.value)
                criteria.append(CriterionResult(
                    **common, actual=actual, required=required, op=c.op.value, unit=unit,
                    parameter_status=pstatus, fact=c.fact, veto=c.group == "veto",
                    missing_facts=(MissingFact(fact=c.fact),) if actual is None else ()))
            else:
                no_ruleset, results = self.school_data[ci]
                outcome_of = self.checks.get(c.id, {})
                failed = [k for k, o in outcome_of.items() if o is Outcome.failed]
                unknown = [k for k, o in outcome_of.items() if o is Outcome.unknown]
                missing = {(f.fact, r.school_id, r.level) for r in results for rr in r.results
                           if rr.outcome is Outcome.unknown for f in rr.missing_facts}
                criteria.append(CriterionResult(
                    **common, failing=tuple(failed), unknown=tuple(unknown), sections=len(outcome_of),
                    rejected_rows=incomplete,
                    missing_facts=(MissingFact(fact="school_ruleset", reason="no_ruleset"),) if no_ruleset
                    else tuple(trusted(MissingFact, {"fact": fact, "school_id": school, "level": level,
                                                     "reason": "absent"}, _MISSING_FIELDS)
                               for fact, school, level in sorted(missing, key=lambda k: (k[1], k[2].value, k[0]))),
                    actual=Fraction(len(outcome_of) - len(failed) - len(unknown)),
                    required=Fraction(len(outcome_of)), op=">=", unit="sections"))

        outcomes = [r.outcome for r in criteria]
        # Never met on incomplete data, even when no criterion happens to need the rejected rows.
        county_outcome = (Outcome.failed if Outcome.failed in outcomes else
                          Outcome.unknown if Outcome.unknown in outcomes or incomplete else Outcome.passed)
        sections = self.sections
        county, year, named = county_and_year(sections, county_facts)
        issues = self.issues + named
        bands = spec.class_size_bands
        schools = []
        for s in sections:
            key = section_key(s)
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
            schools.append(trusted(CountySchool, {  # values of validated sections: no validation per section
                "school_id": s.school_id, "level": s.level, "school_name": s.school_name,
                "school_type": s.school_type, "students": s.values.get("students"),
                "classes": s.values.get("classes"), "max_class_size": None if band_at_least else size,
                "class_size_band": band, "class_size_at_least": size if band_at_least else None,
                "excluded": self.excluded[key],
                "checks": {cid: o[key] for cid, o in self.checks.items() if key in o}}, _SCHOOL_FIELDS))
        class_sizes = None
        if bands is not None:
            counted = [cs for cs in schools if cs.excluded is None]
            known = [cs for cs in counted if cs.class_size_band is not None]
            large = tuple(f"{cs.school_id}/{cs.level.value}" for cs in known if cs.class_size_band == "large")
            superl = tuple(f"{cs.school_id}/{cs.level.value}" for cs in known
                           if cs.class_size_band == "super_large")
            class_sizes = ClassSizeSummary(
                large_from=bands.large_from, super_large_from=bands.super_large_from,
                sections_known=len(known), large=large, super_large=superl,
                from_average=tuple(f"{cs.school_id}/{cs.level.value}" for cs in known
                                   if cs.class_size_at_least is not None),
                large_share=Fraction(len(large), len(known)) if known else None,
                super_large_share=Fraction(len(superl), len(known)) if known else None,
                unknown=tuple(f"{cs.school_id}/{cs.level.value}" for cs in counted if cs.class_size_band is None),
                source=bands.source, status=bands.status)
        all_issues = (*self.batch.issues, *issues, *(county_facts.issues if county_facts is not None else ()))
        return CountyRun(
            envelope=run_envelope((self.loaded, self.school_ruleset), self.batch, self.engine, issues=all_issues),
            county=county, year=year, outcome=county_outcome,
            levels=tuple(levels_out), criteria=tuple(criteria), schools=tuple(schools),
            school_results=self.school_results, class_sizes=class_sizes, splits=tuple(self.splits),
            parameters=self.used_params,
            county_facts_file=county_facts.file if county_facts is not None else None,
            county_fact_origins=dict(county_facts.origins) if county_facts is not None else {},
            rejected_rows=incomplete)


CountyInput = tuple[FactsBatch, CountyFacts | None, Sequence[InputIssue]]
"""One county to evaluate: its sections (and rejected rows), its facts, and issues of its own."""

CHUNK_SECTIONS = 4_000
"""Counties are evaluated in chunks of about this many sections: the school engine and the
inference engine are each called once per chunk, and only one chunk's results are held."""


def evaluate_counties(loaded: LoadedRuleset, counties: Iterable[CountyInput],
                      school_ruleset: LoadedRuleset | None = None, engine: EngineName = "durable",
                      chunk_sections: int = CHUNK_SECTIONS) -> Iterator[CountyRun]:
    """Evaluate many counties, each on its own sections and facts, yielding each county's run in
    input order. The ruleset is resolved once; counties are taken in chunks: per chunk, one call of
    the school engine for each every-school criterion (all the chunk's sections together) and one
    call of the inference engine per shape of county verdicts (counties without a level differ)."""
    spec = county_spec(loaded.ruleset)
    own_checks: list[Ruleset] = []  # the county block's school checks: one ruleset for every criterion using them

    def target(c: AllSchoolsCriterion) -> Ruleset | None:
        if c.ruleset != SELF:
            return all_schools_ruleset(loaded.ruleset, c, school_ruleset)
        if not own_checks:
            own_checks.append(all_schools_ruleset(loaded.ruleset, c, school_ruleset))  # type: ignore[arg-type]
        return own_checks[0]

    targets = {ci: target(c) for ci, c in enumerate(spec.criteria) if isinstance(c, AllSchoolsCriterion)}
    chunk: list[_CountyJob] = []
    size = 0
    for batch, facts, issues in counties:
        chunk.append(_CountyJob(loaded, batch, facts, school_ruleset, engine, issues))
        size += len(batch.sections)
        if size >= chunk_sections:
            yield from _run_chunk(chunk, targets, engine)
            chunk, size = [], 0
    if chunk:
        yield from _run_chunk(chunk, targets, engine)


def _run_chunk(jobs: list[_CountyJob], targets: dict[int, Ruleset | None], engine: EngineName,
               ) -> Iterator[CountyRun]:
    spec = jobs[0].spec
    per_job: list[dict[int, list[SchoolResult] | None]] = [{} for _ in jobs]
    calls: dict[tuple[int, str], list[int]] = {}  # criteria judged by the same rules on the same units
    for ci, target in targets.items():
        c = spec.criteria[ci]
        assert isinstance(c, AllSchoolsCriterion)
        if target is None:
            for got in per_job:
                got[ci] = None
            continue
        calls.setdefault((id(target), c.per), []).append(ci)
    for criteria in calls.values():
        c = spec.criteria[criteria[0]]
        assert isinstance(c, AllSchoolsCriterion)
        units = [job.units(c) for job in jobs]
        results = evaluate_sections(targets[criteria[0]], [u for us in units for u in us],  # type: ignore[arg-type]
                                    engine)
        at = 0
        for got, us in zip(per_job, units, strict=True):
            for ci in criteria:
                got[ci] = results[at:at + len(us)]
            at += len(us)
    builders = [job.build(got) for job, got in zip(jobs, per_job, strict=True)]
    shapes: dict[tuple[tuple[str, Verdict], ...], list[int]] = {}
    for k, b in enumerate(builders):
        shapes.setdefault(tuple(b.verdicts.items()), []).append(k)
    decided: list[dict[str, Outcome]] = [{} for _ in jobs]
    for members in shapes.values():
        verdicts = builders[members[0]].verdicts
        held = decide(CompiledPredicates(verdicts, {}), [builders[k].fact for k in members], engine)
        for k, h in zip(members, held, strict=True):
            fact = builders[k].fact
            decided[k] = {name: Outcome.passed if name in h
                          else Outcome.unknown if could_hold(verdict, fact) else Outcome.failed
                          for name, verdict in verdicts.items()}
    for job, d in zip(jobs, decided, strict=True):
        yield job.finish(d)


def evaluate_county(loaded: LoadedRuleset, batch: FactsBatch, county_facts: CountyFacts | None = None,
                    school_ruleset: LoadedRuleset | None = None,
                    engine: EngineName = "durable") -> CountyRun:
    """Evaluate one county (all sections of ``batch``) against the ruleset's county block."""
    return next(evaluate_counties(loaded, [(batch, county_facts, ())], school_ruleset, engine))

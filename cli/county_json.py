"""The JSON output contract of ``junheng county --format json`` (schema: county/1).

``junheng/schemas/county-1.schema.json`` describes it; the tests validate outputs against it.
Numbers are JSON numbers rounded to 6 decimals; a CV is also given exactly squared
(``cv_squared`` as a "p/q" string) so the verdict can be re-checked without rounding.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from junheng.cli.json_output import (
    DocumentLayout,
    envelope_json,
    issue_json,
    issues_json,
    missing_names,
    num,
    rejected_row_json,
    school_json,
)
from junheng.cli.render.explain import exclusion_text, explain_county, explain_criterion
from junheng.engine.county_results import CountyRun, IndicatorCv, LevelDispersion
from junheng.engine.results import Outcome, RunEnvelope
from junheng.policy.inputs import InputIssue

COUNTY_SCHEMA_ID = "https://junheng.example/schemas/county-1.schema.json"
COUNTY_SCHEMA_VERSION = "1.3"
"""1.1: school results may carry `gate.paths` (evaluation 1.2); 1.2: `verdict.rejected_rows` and
`criteria[].rejected_rows` (a county is never met on incomplete data), `sheet`/`cell` on issues."""
COUNTIES_SCHEMA_VERSION = "1.4"
"""1.4 adds the several-county document (``counties``, ``summary``): one county's document is unchanged
and still says 1.3."""


def _passed(outcome: Outcome) -> bool | None:
    return None if outcome is Outcome.unknown else outcome is Outcome.passed


def _exact(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _indicator(i: IndicatorCv, lang: str) -> dict[str, Any]:
    return {
        "title": i.title.get(lang), "unit": i.unit, "schools": i.schools, "mean": num(i.mean),
        "cv": num(i.cv), "cv_squared": _exact(i.cv_squared), "passed": i.passed,
        "missing_facts": missing_names(i.missing),
        "drivers": [{"school_id": d.school_id, "school_name": d.school_name, "value": num(d.value),
                     "weight": num(d.weight), "share_of_variance": num(d.share_of_variance)}
                    for d in i.drivers],
        "what_if": [{"school_id": w.school_id, "raised_to": w.to, "to_value": num(w.to_value),
                     "cv": num(w.cv)} for w in i.what_if],
    }


def _level(lv: LevelDispersion, lang: str) -> dict[str, Any]:
    return {
        "criterion_id": lv.criterion_id,
        "judge": lv.judge,
        "weighted": lv.weighted,
        "schools": lv.schools,
        "cv": {i.indicator: num(i.cv) for i in lv.indicators},
        "composite": num(lv.composite),
        "limit": num(lv.limit),
        "passed": _passed(lv.outcome),
        "outcome": lv.outcome.value,
        "drivers": {i.indicator: _indicator(i, lang) for i in lv.indicators},
    }


def _county_members(run: CountyRun, lang: str, school_results: bool = True) -> dict[str, Any]:
    """A county's own members, from ``county`` to ``school_results`` (the envelope left out)."""
    levels: dict[str, Any] = {}
    for lv in run.levels:  # one dispersion criterion per ruleset; a second one is keyed by id
        key = lv.level.value if lv.level.value not in levels else f"{lv.level.value}:{lv.criterion_id}"
        levels[key] = _level(lv, lang)
    cs = run.class_sizes
    out = {
        "county": run.county,
        "year": run.year,
        "verdict": {"passed": _passed(run.outcome), "outcome": run.outcome.value,
                    "explanation": explain_county(run, lang),
                    "rejected_rows": [rejected_row_json(r, lang) for r in run.rejected_rows]},
        "levels": levels,
        "criteria": [{
            "criterion_id": c.criterion_id, "kind": c.kind, "group": c.group,
            "title": c.title.get(lang), "passed": c.passed, "outcome": c.outcome.value,
            "actual": num(c.actual), "required": num(c.required), "op": c.op, "unit": c.unit,
            "failing": list(c.failing), "missing_facts": missing_names(c.missing_facts),
            "explanation": explain_criterion(c, run, lang), "text": c.text, "article": c.article,
            "source": c.source, "status": c.status.value,
            "parameter_status": c.parameter_status.value if c.parameter_status else None,
            "note": c.note, "rejected_rows": [rejected_row_json(r, lang) for r in c.rejected_rows],
        } for c in run.criteria],
        "schools": [{
            "school_id": s.school_id, "level": s.level.value, "school_name": s.school_name,
            "school_type": s.school_type, "students": num(s.students),
            "max_class_size": num(s.max_class_size), "class_size_band": s.class_size_band,
            "class_size_at_least": num(s.class_size_at_least),
            "excluded": None if s.excluded is None else exclusion_text(s.excluded, lang),
            "checks": {k: o.value for k, o in s.checks.items()},
        } for s in run.schools],
        "class_sizes": None if cs is None else {
            "large_from": cs.large_from, "super_large_from": cs.super_large_from,
            "sections_known": cs.sections_known, "large": list(cs.large),
            "super_large": list(cs.super_large), "from_average": list(cs.from_average),
            "large_share": num(cs.large_share),
            "super_large_share": num(cs.super_large_share), "unknown": list(cs.unknown),
            "source": cs.source, "status": cs.status.value},
        "shared_asset_splits": [{
            "school_id": sp.school_id, "fact": sp.fact, "total": num(sp.total),
            "junior_weight": num(sp.junior_weight), "senior_weight": num(sp.senior_weight),
            "parts": {k: num(v) for k, v in sp.parts.items()}, "origin": sp.origin,
        } for sp in run.splits],
        "parameters": {k: num(v) for k, v in run.parameters.items()},
    }
    if school_results:
        out["school_results"] = {cid: [school_json(s, lang) for s in results]
                                 for cid, results in run.school_results.items()}
    return out


def _school_ruleset(run: CountyRun) -> dict[str, Any] | None:
    return None if run.school_ruleset is None else {
        "id": run.school_ruleset.id, "version": run.school_ruleset.version, "sha256": run.school_ruleset.sha256}


def county_json(run: CountyRun, lang: str) -> dict[str, Any]:
    return {
        "$schema": COUNTY_SCHEMA_ID,
        "schema_version": COUNTY_SCHEMA_VERSION,
        **envelope_json(run.envelope, lang),
        "school_ruleset": _school_ruleset(run),
        **_county_members(run, lang),
        "input": {"file": run.input_file, "sha256": run.input_sha256,
                  "county_facts": run.county_facts_file,
                  "county_fact_origins": run.county_fact_origins},
        **issues_json(run.envelope, lang),
    }


def county_entry_json(run: CountyRun, lang: str, school_results: bool = False) -> dict[str, Any]:
    """One county of a several-county document (schema 1.4): its own members, the facts file it was
    given, and its own errors and warnings (the input's are the document's); ``school_results`` only
    when asked for (each section's outcome under each every-school criterion is in ``schools[].checks``)."""
    return {**_county_members(run, lang, school_results), "county_facts": run.county_facts_file,
            "county_fact_origins": run.county_fact_origins, **issues_json(run.envelope, lang)}


def counties_head(envelope: RunEnvelope, lang: str, county_facts: Sequence[str]) -> dict[str, Any]:
    """The members of a several-county document before ``counties`` (schema 1.4)."""
    school = envelope.rulesets[1] if len(envelope.rulesets) > 1 else None
    return {
        "$schema": COUNTY_SCHEMA_ID,
        "schema_version": COUNTIES_SCHEMA_VERSION,
        **envelope_json(envelope, lang),
        "school_ruleset": None if school is None else {"id": school.id, "version": school.version,
                                                        "sha256": school.sha256},
        "input": {"file": envelope.input.file if envelope.input is not None else "",
                  "sha256": envelope.input.sha256 if envelope.input is not None else "",
                  "county_facts": list(county_facts)},
    }


def counties_tail(counted: Counter[str], top_issues: Sequence[InputIssue], lang: str) -> dict[str, Any]:
    """The members after ``counties``: the outcomes counted and the input's errors and warnings."""
    return {"summary": {"counties": sum(counted.values()), "passed": counted["passed"],
                        "failed": counted["failed"], "unknown": counted["unknown"]},
            "errors": [issue_json(i, lang) for i in top_issues if i.severity == "error"],
            "warnings": [issue_json(i, lang) for i in top_issues if i.severity != "error"]}


def county_entries_text(runs: Iterable[CountyRun], lang: str, layout: DocumentLayout, first: bool,
                        school_results: bool = False) -> tuple[bytes, Counter[str]]:
    """The text (UTF-8) of consecutive entries of ``counties`` (``first``: they begin the list) and
    their outcomes."""
    counted: Counter[str] = Counter()
    parts = []
    for run in runs:
        counted[run.outcome.value] += 1
        parts.append(layout.pad2 + layout.value(county_entry_json(run, lang, school_results), layout.pad2))
    text = b",".join(parts)
    return (text if first or not text else b"," + text), counted

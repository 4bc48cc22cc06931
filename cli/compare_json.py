"""JSON contracts of ``junheng compare`` (compare/1) and ``junheng diff`` (diff/1).

Published as ``junheng/schemas/compare-1.schema.json`` and ``diff-1.schema.json``; the tests
validate every output against them. Numbers are exact values rounded to 6 decimals (integers
when whole); text is in the language asked for. Renderers only: nothing is recomputed here.
"""

from __future__ import annotations

from typing import Any

from junheng.cli.json_output import issues_json, num, ruleset_json
from junheng.cli.render.explain import explain_rule
from junheng.engine.compare import Comparison, RuleChange, SchoolComparison, Side
from junheng.engine.diff import RuleDiff, RulesetDiff, RuleView
from junheng.engine.results import ScoreSummary, Shortfall

COMPARE_SCHEMA_ID = "https://junheng.example/schemas/compare-1.schema.json"
DIFF_SCHEMA_ID = "https://junheng.example/schemas/diff-1.schema.json"
SCHEMA_VERSION = "1.0"
COMPARE_SCHEMA_VERSION = "1.2"
"""1.1 adds ``errors`` and ``warnings`` (the input's rejected rows and warnings)."""


def shortfall_json(s: Shortfall) -> dict[str, Any]:
    return {"fact": s.fact, "unit": s.unit, "direction": s.direction, "amount": num(s.amount),
            "target": num(s.target)}


def side_json(s: Side | None, lang: str) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"outcome": s.outcome.value, "actual": num(s.actual), "required": num(s.required), "op": s.op,
            "unit": s.unit, "points": num(s.points), "max_points": num(s.max_points),
            "status": s.status.value, "source": s.source, "explanation": explain_rule(s.result, lang)}


def score_json(s: ScoreSummary | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"points": num(s.points), "awarded": num(s.awarded), "deducted": num(s.deducted),
            "undecided": num(s.undecided)}


def change_json(c: RuleChange, lang: str) -> dict[str, Any]:
    return {"rule_id": c.rule_id, "title": c.title.get(lang), "change": c.change,
            "threshold_moved": c.threshold_moved, "before": side_json(c.before, lang),
            "after": side_json(c.after, lang),
            "extra_needed": [shortfall_json(s) for s in c.extra_needed] or None}


def school_json(s: SchoolComparison, lang: str) -> dict[str, Any]:
    return {"school_id": s.school_id, "level": s.level.value, "school_name": s.school_name,
            "outcome_before": s.before.value if s.before else None,
            "outcome_after": s.after.value if s.after else None,
            "score_before": score_json(s.score_before), "score_after": score_json(s.score_after),
            "changes": [change_json(c, lang) for c in s.changes]}


def compare_json(c: Comparison, lang: str) -> dict[str, Any]:
    """The input's rejected rows are listed under ``errors`` and its warnings under ``warnings`` (1.1)."""
    return {"$schema": COMPARE_SCHEMA_ID, "schema_version": COMPARE_SCHEMA_VERSION, "lang": lang,
            "base": ruleset_json(c.base, lang), "against": ruleset_json(c.against, lang),
            "schools": [school_json(s, lang) for s in c.schools], **issues_json(c.envelope, lang)}


def view_json(v: RuleView | None) -> dict[str, Any] | None:
    if v is None:
        return None
    return {"kind": v.kind, "op": v.op, "values": {k: num(x) for k, x in v.values.items()},
            "text": v.text, "article": v.article, "source": v.source, "status": v.status}


def rule_diff_json(d: RuleDiff, lang: str) -> dict[str, Any]:
    return {"rule_id": d.rule_id, "title": d.title.get(lang), "kind": d.kind, "levels": dict(d.levels),
            "before": view_json(d.before), "after": view_json(d.after)}


def diff_json(d: RulesetDiff, lang: str) -> dict[str, Any]:
    return {"$schema": DIFF_SCHEMA_ID, "schema_version": SCHEMA_VERSION, "lang": lang,
            "base": ruleset_json(d.base, lang), "against": ruleset_json(d.against, lang),
            "unchanged": d.unchanged, "changes": [rule_diff_json(c, lang) for c in d.changes]}

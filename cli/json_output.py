"""The JSON output contract of ``junheng evaluate --format json`` (schema: evaluation/1).

The shape is public and versioned: ``junheng/schemas/evaluation-1.schema.json`` describes it and
the tests validate every output against it. Numbers are JSON numbers (exact values rounded to 6
decimals; whole numbers as integers); text is in the language asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from fractions import Fraction
from typing import IO, Any

import orjson

from junheng.cli.render.explain import explain_rule, schedule_text
from junheng.engine.numbers import json_number
from junheng.engine.results import (
    EvaluationRun,
    GatePath,
    GateStep,
    MissingFact,
    Outcome,
    RuleResult,
    RulesetInfo,
    RunEnvelope,
    SchoolResult,
    ScoreSummary,
)
from junheng.policy.facts import Level
from junheng.policy.inputs import InputIssue, RejectedRow
from junheng.policy.model import Status

EVALUATION_SCHEMA_ID = "https://junheng.example/schemas/evaluation-1.schema.json"
EVALUATION_SCHEMA_VERSION = "1.4"
"""1.1 adds the optional points of scored rulesets: ``points`` per result, ``points_*`` per school;
1.2 adds the optional ``gate.paths`` of a failed count gate (the minimal ways to pass it);
1.3 adds ``summary.rows_rejected`` and ``sheet``/``cell`` on issues from workbooks;
1.4 adds the school outcome ``scored`` (a scored scheme without a pass mark: the result is the
score, ``passed`` is null), ``summary.scored``, and ``shortfall_base`` (what a per-unit
requirement is counted on: ``{"fact": "students", "value": 1289}``). Within 1.4, ``points.max`` may be
null: an assessed item whose points are not public (hubei/basic-2011) — its score is recorded as given,
the school has no ``points_*`` total and its outcome is ``unknown``."""


def missing_names(missing: tuple[MissingFact, ...]) -> list[str]:
    """Missing facts as the contract lists them: fact names (``fact@school/level`` in a county)."""
    out = []
    for m in missing:
        if m.reason == "no_ruleset":
            out.append("--school-ruleset")
        elif m.reason == "zero_everywhere":
            out.append(f"{m.fact}=0")
        elif m.school_id is not None:
            out.append(f"{m.fact}@{m.school_id}" + (f"/{m.level.value}" if m.level is not None else ""))
        else:
            out.append(m.fact)
    return out


def num(value: Fraction | None) -> int | float | None:
    return None if value is None else json_number(value)


def issue_json(issue: InputIssue, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "file": issue.file, "row": issue.row, "column": issue.column, "value": issue.value,
        "severity": issue.severity, "message": issue.message(lang),
        "message_zh": issue.message_zh, "message_en": issue.message_en,
    }
    if issue.sheet is not None:  # workbooks: the sheet and the cell as Excel shows them
        out["sheet"] = issue.sheet
        out["cell"] = issue.cell
    return out


def rejected_row_json(r: RejectedRow, lang: str) -> dict[str, Any]:
    """A rejected row (or unread part, ``row`` null) whose section cannot be decided."""
    return {"file": r.file, "sheet": r.sheet, "row": r.row, "school_id": r.school_id or None,
            "school_name": r.school_name or None, "level": r.level.value if r.level else None,
            "label": r.label(lang)}


_TEXT: dict[StrEnum, str] = {m: m.value for enum in (Outcome, Status, Level) for m in enum}
"""The contract's text of an outcome, a status or a level (``member.value``, looked up: faster)."""


def rule_json(r: RuleResult, lang: str) -> dict[str, Any]:
    """One result as the contract writes it; its words rendered for ``lang`` only (the rule's
    constant words once per rule, :mod:`junheng.cli.render.cache`). Called for every result of
    every section, so plain: locals, no helper per member."""
    sf = r.shortfall
    base = None if sf is None else sf.base
    parameter_status = r.parameter_status
    actual, required, gap = r.actual, r.required, r.gap
    out: dict[str, Any] = {
        "rule_id": r.rule_id,
        "kind": r.kind,
        "title": r.title.get(lang),
        "passed": r.passed,
        "outcome": _TEXT[r.outcome],
        "actual": None if actual is None else json_number(actual),
        "required": None if required is None else json_number(required),
        "op": r.op,
        "unit": r.unit,
        "gap": None if gap is None else json_number(gap),
        "shortfall_total": None if sf is None else json_number(sf.amount),
        "shortfall_unit": None if sf is None else sf.unit,
        "shortfall_fact": None if sf is None else sf.fact,
        "shortfall_direction": None if sf is None else sf.direction,
        "shortfall_target": None if sf is None else json_number(sf.target),
        "shortfall_base": None if base is None else {"fact": base.fact, "value": json_number(base.value)},
        "missing_facts": missing_names(r.missing_facts) if r.missing_facts else [],
        "explanation": explain_rule(r, lang),
        "text": r.text,
        "article": r.article,
        "source": r.source,
        "status": _TEXT[r.status],
        "parameter_status": None if parameter_status is None else _TEXT[parameter_status],
    }
    if r.kind == "count_gate":
        out["gate"] = {
            "met_count": r.met_count,
            "min_met": r.min_met,
            "floor": num(r.floor),
            "members": [
                {"rule_id": m.rule_id, "title": m.title.get(lang), "outcome": _TEXT[m.outcome],
                 "attainment": num(m.attainment), "meets_floor": m.meets_floor}
                for m in r.members
            ],
            "missed": [m.rule_id for m in r.members if m.outcome is Outcome.failed],
        }
        if r.paths:
            out["gate"]["paths"] = [gate_path_json(p) for p in r.paths]
    if r.score is not None:
        s = r.score
        out["points"] = {
            "awarded": num(s.awarded), "max": num(s.points), "deducted": num(s.deducted),
            "schedule": schedule_text(s.schedule, s.schedule_unit, lang), "schedule_kind": s.schedule_kind,
            "schedule_status": s.schedule_status.value if s.schedule_status else None,
            "group": s.group, "assessed": s.assessed,
        }
    return out


def _step_json(st: GateStep) -> dict[str, Any]:
    s = st.shortfall
    return {"rule_id": st.rule_id, "fact": s.fact, "direction": s.direction, "amount": num(s.amount),
            "unit": s.unit, "target": num(s.target)}


def gate_path_json(p: GatePath) -> dict[str, Any]:
    """One way to pass a failed gate (schema 1.2)."""
    return {"full": [_step_json(st) for st in p.full], "to_floor": [_step_json(st) for st in p.to_floor]}


def points_json(s: ScoreSummary, lang: str) -> dict[str, Any]:
    """A scored section's total and group subtotals (schema 1.1; absent for unscored rulesets)."""
    return {
        "points_total": num(s.awarded), "points_max": num(s.points), "points_deducted": num(s.deducted),
        "points_undecided": num(s.undecided),
        "points_groups": [{"group": g.group, "title": g.title.get(lang), "max": num(g.points),
                           "awarded": num(g.awarded), "undecided": num(g.undecided)} for g in s.groups],
    }


def school_json(s: SchoolResult, lang: str) -> dict[str, Any]:
    return {
        "school_id": s.school_id,
        "level": _TEXT[s.level],
        "school_name": s.school_name,
        "school_type": s.school_type,
        "students": num(s.students),
        "passed": s.passed,
        "outcome": _TEXT[s.outcome],
        "source": s.source,
        "row": s.row,
        "results": [rule_json(r, lang) for r in s.results],
        **(points_json(s.score, lang) if s.score is not None else {}),
    }


def ruleset_json(r: RulesetInfo, lang: str) -> dict[str, Any]:
    return {"id": r.id, "version": r.version, "title": r.title.get(lang), "document": r.document,
            "sha256": r.sha256}


def envelope_json(env: RunEnvelope, lang: str) -> dict[str, Any]:
    """A document's header from the run's envelope: version, engine, language, the ruleset judged by."""
    return {"junheng_version": env.junheng_version, "engine": env.engine, "lang": lang,
            "ruleset": ruleset_json(env.rulesets[0], lang)}


def issues_json(env: RunEnvelope, lang: str) -> dict[str, Any]:
    """A document's ``errors`` (rejected rows) and ``warnings``, from the run's envelope."""
    return {"errors": [issue_json(i, lang) for i in env.issues if i.severity == "error"],
            "warnings": [issue_json(i, lang) for i in env.issues if i.severity != "error"]}


OUTCOME_COUNTS = ("passed", "failed", "unknown", "scored")
"""The members of ``summary`` that count sections by the outcome the engine gave them."""


def outcome_counts(schools: Iterable[SchoolResult]) -> dict[str, int]:
    """How many sections the engine judged passed, failed, unknown (无法判定) and scored: read from
    each result's outcome, never recomputed. Counts of chunks add up (:func:`add_counts`)."""
    counts = dict.fromkeys(OUTCOME_COUNTS, 0)
    for s in schools:
        counts[s.outcome.value] += 1
    return counts


def add_counts(total: dict[str, int], part: dict[str, int]) -> None:
    for key in OUTCOME_COUNTS:
        total[key] += part[key]


def evaluation_frame(envelope: RunEnvelope, sections: int, counts: dict[str, int],
                     lang: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The document's members before ``schools`` and after it (everything but the sections), from
    the run's envelope, its number of sections and their :func:`outcome_counts`."""
    run_input = envelope.input
    head = {
        "$schema": EVALUATION_SCHEMA_ID,
        "schema_version": EVALUATION_SCHEMA_VERSION,
        **envelope_json(envelope, lang),
        "input": None if run_input is None else {
            "file": run_input.file, "sha256": run_input.sha256,
            "rows_read": run_input.rows_read, "rows_evaluated": run_input.rows_evaluated,
            "rows_rejected": run_input.rows_rejected,
            "unused_columns": list(run_input.unused_columns),
        },
        "summary": {
            "sections": sections,
            **{key: counts[key] for key in OUTCOME_COUNTS},
            "rows_rejected": run_input.rows_rejected if run_input is not None else 0,
        },
    }
    return head, issues_json(envelope, lang)


def _evaluation_frame(run: EvaluationRun, lang: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return evaluation_frame(run.envelope, len(run.schools), outcome_counts(run.schools), lang)


def evaluation_json(run: EvaluationRun, lang: str) -> dict[str, Any]:
    head, tail = _evaluation_frame(run, lang)
    return {**head, "schools": [school_json(s, lang) for s in run.schools], **tail}


_EXPONENT_HAZARDS = (b"e-", b"0.0000")
"""orjson and the standard library print every float alike except some below 1e-4 in magnitude
(orjson ``1e-6`` and ``0.000017``, ``json`` ``1e-06`` and ``1.7e-05``); orjson's text of such a
float always holds one of these, so text without them is the standard library's exactly."""


def _orjson(value: Any, indent: int | None) -> bytes | None:
    """orjson's text of ``value`` when it is byte for byte the standard library's, else None."""
    try:
        out = orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0)
    except orjson.JSONEncodeError:  # ints beyond 64 bits, lone surrogates, non-str keys, …: json decides
        return None
    if (b"-" in out and _EXPONENT_HAZARDS[0] in out) or _EXPONENT_HAZARDS[1] in out:  # "-": one fast memchr
        return None  # maybe a tiny float (or only text like "e-mail"): the standard library writes it
    return out


def encode(value: Any, indent: int | None = None) -> bytes:
    """UTF-8 JSON text of ``value``: compact (``json.dumps(value, ensure_ascii=False,
    separators=(",", ":"))``) when ``indent`` is None, else indented (``json.dumps(value,
    ensure_ascii=False, indent=indent)``) — those very bytes, through orjson (fast) where it
    writes them (compact and ``indent=2``), else through the standard library."""
    if indent is None or indent == 2:
        out = _orjson(value, indent)
        if out is not None:
            return out
    text = (json.dumps(value, ensure_ascii=False, separators=(",", ":")) if indent is None
            else json.dumps(value, ensure_ascii=False, indent=indent))
    return text.encode("utf-8")


class DocumentLayout:
    """The UTF-8 text of an evaluation document in pieces: the head (everything up to
    ``"schools":[``), each section, and the tail. Compact unless ``indent`` is given; the pieces
    joined parse to the same document as :func:`dumps` of :func:`evaluation_json` (with
    ``indent=2``, the same bytes). A chunk of sections rendered on its own joins the others
    unchanged: only the document's very first section has no leading comma."""

    def __init__(self, indent: int | None = None, items: str = "schools") -> None:
        self.indent = indent
        self.items = items
        """The member holding the list written piece by piece (``counties`` in a county document)."""
        self.compact = indent is None
        self.key_sep = b":" if self.compact else b": "
        self.pad = b"" if self.compact else b"\n" + b" " * (indent or 0)
        self.pad2 = b"" if self.compact else self.pad + b" " * (indent or 0)

    def value(self, v: Any, nested: bytes) -> bytes:
        text = encode(v, self.indent)
        return text if self.compact else text.replace(b"\n", nested)

    def _member(self, key: str, v: Any) -> bytes:
        return self.pad + encode(key) + self.key_sep + self.value(v, self.pad)

    def head(self, head: dict[str, Any]) -> bytes:
        return (b"{" + b",".join(self._member(k, v) for k, v in head.items()) + b","
                + self.pad + encode(self.items) + self.key_sep + b"[")

    def sections(self, schools: Iterable[SchoolResult], lang: str, first: bool) -> bytes:
        """The text of consecutive sections; ``first``: they begin the document's list."""
        pad2 = self.pad2
        text = b",".join(pad2 + self.value(school_json(s, lang), pad2) for s in schools)
        return text if first or not text else b"," + text

    def tail(self, tail: dict[str, Any], any_sections: bool) -> bytes:
        return ((self.pad + b"]" if any_sections else b"]") + b","
                + b",".join(self._member(k, v) for k, v in tail.items()) + (b"}" if self.compact else b"\n}"))


def write_evaluation_json(handle: IO[bytes], run: EvaluationRun, lang: str, indent: int | None = None) -> None:
    """The document of :func:`evaluation_json` (UTF-8), written one section at a time: neither the
    whole document nor its text is ever held, only one section's (see :class:`DocumentLayout`)."""
    head, tail = _evaluation_frame(run, lang)
    layout = DocumentLayout(indent)
    handle.write(layout.head(head))
    for i, s in enumerate(run.schools):
        handle.write(layout.sections((s,), lang, first=i == 0))
    handle.write(layout.tail(tail, bool(run.schools)))


def dumps(document: dict[str, Any]) -> str:
    """A document as people read it: ``json.dumps(document, ensure_ascii=False, indent=2)``
    exactly (through orjson where it writes those bytes, see :func:`encode`)."""
    out = _orjson(document, 2)
    return out.decode("utf-8") if out is not None else json.dumps(document, ensure_ascii=False, indent=2)

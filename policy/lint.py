"""Linting a ruleset (规则集检查): provenance, freshness, unused definitions, looser overrides.

* every number has a source and a status (rules, parameters, groups, overrides);
* every rule and parameter carries a ``last_checked`` date, and none is older than
  ``max_age_days`` (default 365) on the ``as_of`` date;
* a ruleset that ``extends`` a national floor (or is linted ``against`` one) must not be looser
  than it: for a lower bound (不低于) a smaller requirement, for an upper bound (不超过) a larger one;
* parameters no rule, formula or table refers to, indicators no rule uses, and facts that only
  such unused indicators read are reported.

Findings are data (bilingual); :mod:`junheng.cli.lint_cmd` formats them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from junheng.policy.formula import FormulaError, names, parse_formula, render
from junheng.policy.loader import LoadedRuleset
from junheng.policy.model import (
    CountGateRule,
    Localized,
    Op,
    ParamRef,
    Ruleset,
    ScoredRule,
    Status,
    ThresholdRule,
)

Severity = Literal["error", "warning", "info"]
DEFAULT_MAX_AGE_DAYS = 365


@dataclass(frozen=True)
class LintFinding:
    code: str
    severity: Severity
    where: str
    """``rules[campus.sports_area]``, ``parameters.remaining_indicator_floor`` …"""
    message: Localized


def _walk(value: object) -> Iterator[object]:
    yield value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk(item)


def _formula_names(text: str) -> frozenset[str]:
    try:
        return names(parse_formula(text))
    except FormulaError:
        return frozenset()


def _canonical(text: str) -> str:
    try:
        return render(parse_formula(text))
    except FormulaError:
        return text


def _f(code: str, severity: Severity, where: str, zh: str, en: str) -> LintFinding:
    return LintFinding(code, severity, where, Localized(zh=zh, en=en))


def _provenance(ruleset: Ruleset, as_of: dt.date, max_age: int) -> list[LintFinding]:
    out: list[LintFinding] = []
    items: list[tuple[str, str, Status | None, dt.date | None, bool]] = []
    for name, p in ruleset.parameters.items():
        items.append((f"parameters.{name}", p.source, p.status, p.last_checked, True))
    for r in ruleset.rules:
        items.append((f"rules[{r.id}]", r.source, r.status, r.last_checked, True))
    for name, g in ruleset.groups.items():
        items.append((f"groups.{name}", g.source, g.status, None, False))
    for name, o in ruleset.overrides.items():
        items.append((f"overrides.{name}", o.source, o.status, o.last_checked, True))
    for where, source, status, checked, dated in items:
        if not source.strip():
            out.append(_f("source-missing", "error", where, "缺少来源（文号+条款或网址）",
                          "no source (document number + article, or address)"))
        if status is None:  # pragma: no cover - the schema requires a status
            out.append(_f("status-missing", "error", where, "缺少来源状态", "no status"))
        elif status is Status.unconfirmed:
            out.append(_f("unconfirmed", "info", where, "数值未确认（解释中会标注）",
                          "the number is unconfirmed (flagged in every explanation)"))
        if not dated:
            continue
        if checked is None:
            out.append(_f("last-checked-missing", "warning", where, "缺少核对日期 last_checked",
                          "no last_checked date"))
        elif (as_of - checked).days > max_age:
            out.append(_f("stale", "warning", where,
                          f"上次核对于 {checked}，已超过 {max_age} 天，请重新核对来源",
                          f"last checked {checked}, more than {max_age} days ago: re-check the source"))
        elif checked > as_of:
            out.append(_f("last-checked-future", "warning", where, f"核对日期 {checked} 晚于今天",
                          f"last_checked {checked} is in the future"))
    return out


def _unused(ruleset: Ruleset) -> list[LintFinding]:
    out: list[LintFinding] = []
    used_params: set[str] = set()
    used_indicators: set[str] = set()
    for node in _walk(ruleset.rules):
        if isinstance(node, ParamRef):
            used_params.add(node.param)
    for node in _walk([ruleset.overrides, ruleset.tables, ruleset.county]):
        if isinstance(node, ParamRef):
            used_params.add(node.param)
    for rule in ruleset.rules:
        if isinstance(rule, ThresholdRule):
            used_indicators.add(rule.indicator)
        elif isinstance(rule, ScoredRule):
            used_indicators |= {req.indicator for req in rule.requirements}
    if ruleset.county is not None:  # county criteria read indicators too (差异系数 per indicator)
        from junheng.policy.county_model import DispersionCriterion

        for criterion in ruleset.county.criteria:
            if isinstance(criterion, DispersionCriterion):
                used_indicators |= set(criterion.indicators)
    for name, indicator in ruleset.indicators.items():
        if name in used_indicators:
            used_params |= _formula_names(indicator.formula) & set(ruleset.parameters)
    if ruleset.county is not None:  # county formulas may name parameters too
        for node in _walk(ruleset.county):
            if isinstance(node, str):
                used_params |= _formula_names(node) & set(ruleset.parameters)
    for name in sorted(set(ruleset.parameters) - used_params):
        out.append(_f("unused-parameter", "warning", f"parameters.{name}",
                      "参数未被任何规则、公式或参数表使用", "parameter used by no rule, formula or table"))
    used_facts: set[str] = set()
    for name in used_indicators & set(ruleset.indicators):
        used_facts |= _formula_names(ruleset.indicators[name].formula)
    for name in sorted(set(ruleset.indicators) - used_indicators):
        out.append(_f("unused-indicator", "warning", f"indicators.{name}",
                      "指标未被任何规则使用", "indicator used by no rule"))
        only_here = _formula_names(ruleset.indicators[name].formula) - used_facts - set(ruleset.parameters)
        for fact in sorted(only_here):
            out.append(_f("unused-fact", "warning", f"indicators.{name}",
                          f"事实 {fact} 只出现在未使用的指标中，评估从不读取它",
                          f"fact {fact} appears only in unused indicators: evaluation never reads it"))
    return out


@dataclass(frozen=True)
class _Req:
    rule_id: str
    formula: str
    op: Op
    values: dict[str, Fraction]  # level -> requirement


def _requirements(ruleset: Ruleset) -> list[_Req]:
    out: list[_Req] = []
    for rule in ruleset.rules:
        comparisons = []
        if isinstance(rule, ThresholdRule):
            comparisons.append((rule.indicator, rule.op, rule.value))
        elif isinstance(rule, ScoredRule):
            comparisons += [(q.indicator, q.op, q.value) for q in rule.requirements if q.value is not None]
        for indicator, op, value in comparisons:
            if indicator not in ruleset.indicators or value is None:
                continue
            values: dict[str, Fraction] = {}
            for level in rule.levels:
                raw = value.for_level(level)
                if isinstance(raw, ParamRef) and raw.param not in ruleset.parameters:
                    continue
                resolved = ruleset.resolve(raw, level)
                if resolved is not None:
                    values[level.value] = resolved
            out.append(_Req(rule.id, _canonical(ruleset.indicators[indicator].formula), op, values))
    return out


def looser_than_floor(ruleset: Ruleset, floor: Ruleset) -> list[LintFinding]:
    """Requirements of ``ruleset`` looser than the same requirement of ``floor`` (matched by rule
    id, else by the same indicator formula and comparison direction)."""
    out: list[LintFinding] = []
    floor_reqs = _requirements(floor)
    for req in _requirements(ruleset):
        same = [f for f in floor_reqs if f.rule_id == req.rule_id and f.formula == req.formula] or \
            [f for f in floor_reqs if f.formula == req.formula]
        for base in same:
            if base.op.is_lower_bound != req.op.is_lower_bound:
                continue
            for level, value in req.values.items():
                ref = base.values.get(level)
                if ref is None:
                    continue
                looser = value < ref if req.op.is_lower_bound else value > ref
                if req.op.is_strict != base.op.is_strict and value == ref:
                    looser = base.op.is_strict  # "≥ x" is looser than "> x"
                if looser:
                    lv = {"primary": "小学", "junior": "初中"}.get(level, level)
                    out.append(_f("looser-than-floor", "error", f"rules[{req.rule_id}]",
                                  f"{lv}要求 {req.op.value} {value} 宽于 {floor.id} 的底线"
                                  f"（{base.rule_id} {base.op.value} {ref}）",
                                  f"{level}: requirement {req.op.value} {value} is looser than the floor "
                                  f"{floor.id} ({base.rule_id} {base.op.value} {ref})"))
    return out


def lint_ruleset(loaded: LoadedRuleset, *, as_of: dt.date | None = None,
                 max_age_days: int = DEFAULT_MAX_AGE_DAYS, floor: Ruleset | None = None) -> list[LintFinding]:
    """Every finding for one ruleset; ``floor`` defaults to the ruleset it ``extends``."""
    ruleset = loaded.ruleset
    findings = _provenance(ruleset, as_of or dt.date.today(), max_age_days)
    findings += _unused(ruleset)
    if floor is None and ruleset.extends:
        from junheng.policy.inheritance import resolve_parent

        floor = resolve_parent(ruleset.extends, Path(loaded.path), None).ruleset
    if floor is not None:
        findings += looser_than_floor(ruleset, floor)
    for rule in ruleset.rules:
        if isinstance(rule, CountGateRule) and not isinstance(rule.floor, ParamRef) and not 0 < rule.floor <= 1:
            findings.append(_f("gate-floor-range", "error", f"rules[{rule.id}]",
                               f"下限比例 {rule.floor} 应在 0 与 1 之间", f"floor {rule.floor} must be in (0, 1]"))
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: (order[f.severity], f.where, f.code))

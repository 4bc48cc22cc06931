"""What changed between two rulesets (规则差异): rules added, removed, tighter, looser, reworded.

Rules are matched by id: the school rules, and the county block's items that carry an id and a
value (issue 3's county criteria). Numbers are compared per level after resolving parameters, so
a changed parameter shows up in every rule that uses it. For a lower bound (≥, >) a higher value
is tighter; for an upper bound (≤, <) a lower one; at an equal value a strict comparison is
tighter than a non-strict one. A level (or a rule) that has no requirement in the base is a new
requirement (``new``), never "tighter": there was nothing to tighten; a level whose requirement
ends is ``ended``, never "looser".
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from junheng.engine.evaluate import ruleset_info
from junheng.engine.results import RulesetInfo
from junheng.policy.inheritance import _items_by_id, plain
from junheng.policy.loader import LoadedRuleset
from junheng.policy.model import (
    CountGateRule,
    Localized,
    Op,
    ParamRef,
    Rule,
    Ruleset,
    ScoredRule,
    ThresholdRule,
)

Kind = Literal["added", "removed", "tighter", "looser", "new_levels", "ended_levels", "reworded", "changed"]
"""``new_levels``: the rule's numbers are unchanged but it now also binds a level (or school type)
it did not bind in the base; ``ended_levels``: the converse. ``tighter`` / ``looser`` are about
the numbers present on both sides only; the ``levels`` mapping then also names new / ended levels."""
Direction = Literal["tighter", "looser", "same", "new", "ended"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class RuleView(_Frozen):
    """A rule as the diff sees it: comparable numbers plus its wording and provenance."""

    rule_id: str
    title: Localized
    kind: str
    op: str | None
    values: dict[str, Fraction]
    """Per level (``primary``, ``junior``), per school type (``type:nine_year``), or for a count
    gate ``min_met`` and ``floor``; for a scored item also ``points``."""
    other: str = ""
    """Everything else that decides the rule (indicator, schedule …), as canonical text."""
    text: str = ""
    article: str = ""
    source: str = ""
    status: str = ""


class RuleDiff(_Frozen):
    rule_id: str
    title: Localized
    kind: Kind
    before: RuleView | None
    after: RuleView | None
    levels: dict[str, Direction] = {}
    """The direction of the change for each compared number."""


class RulesetDiff(_Frozen):
    base: RulesetInfo
    against: RulesetInfo
    changes: tuple[RuleDiff, ...]
    unchanged: int


def _resolved(ruleset: Ruleset, value: object, level: str) -> Fraction | None:
    if isinstance(value, ParamRef):
        param = ruleset.parameters.get(value.param)
        if param is None:
            return None
        got = param.value.primary if level == "primary" else param.value.junior
        return got if isinstance(got, Fraction) else None
    if isinstance(value, dict) and set(value) == {"param"}:
        return _resolved(ruleset, ParamRef(param=value["param"]), level)
    if isinstance(value, bool):
        return Fraction(int(value))
    return value if isinstance(value, Fraction) else None


def _level_values(ruleset: Ruleset, values: Any) -> dict[str, Fraction]:
    out: dict[str, Fraction] = {}
    for level in ("primary", "junior"):
        raw = getattr(values, level, None) if not isinstance(values, dict) else values.get(level)
        got = _resolved(ruleset, raw, level)
        if got is not None:
            out[level] = got
    return out


def view(ruleset: Ruleset, rule: Rule) -> RuleView:
    common = {"rule_id": rule.id, "title": rule.title, "kind": rule.kind, "text": rule.text,
              "article": rule.article, "source": rule.source, "status": rule.status.value}
    if isinstance(rule, ThresholdRule):
        values = {k: v for k, v in _level_values(ruleset, rule.value).items() if k in map(str, rule.levels)}
        values.update({f"type:{t}": v for t, v in rule.value_by_school_type.items()})
        formula = ruleset.indicators[rule.indicator].formula if rule.indicator in ruleset.indicators else ""
        return RuleView(op=rule.op.value, values=values, other=formula, **common)
    if isinstance(rule, CountGateRule):
        floor = _resolved(ruleset, rule.floor, "primary") or Fraction(0)
        return RuleView(op=">=", values={"min_met": Fraction(rule.min_met), "floor": floor},
                        other=",".join(rule.rules), **common)
    assert isinstance(rule, ScoredRule)
    values = {"points": rule.points} if rule.points is not None else {}
    op = None
    if len(rule.requirements) == 1 and rule.requirements[0].value is not None:
        op = rule.requirements[0].op.value
        values.update(_level_values(ruleset, rule.requirements[0].value))
    other = repr(plain(rule.schedule)) + repr([plain(r) for r in rule.requirements])
    return RuleView(op=op, values=values, other=other, **common)


def county_views(ruleset: Ruleset) -> dict[str, RuleView]:
    """The county block's items with an id and a value (criteria, school checks)."""
    out: dict[str, RuleView] = {}
    if ruleset.county is None:
        return out
    for item_id, item in _items_by_id(plain(ruleset.county)).items():
        value = item.get("value")
        values = _level_values(ruleset, value) if isinstance(value, dict) and set(value) != {"param"} else {}
        if not values:
            single = _resolved(ruleset, value, "primary")
            values = {"value": single} if single is not None else {}
        title = item.get("title") or {"zh": item_id, "en": item_id}
        out[item_id] = RuleView(
            rule_id=item_id, title=Localized(zh=title.get("zh", item_id), en=title.get("en", item_id)),
            kind=str(item.get("kind", "county")), op=item.get("op"), values=values,
            other=str(item.get("fact", item.get("indicator", ""))), text=str(item.get("text", "")),
            article=str(item.get("article", "")), source=str(item.get("source", "")),
            status=str(item.get("status", "")))
    return out


def direction(op: str | None, key: str, before: Fraction | None, after: Fraction | None,
              op_before: str | None = None) -> Direction:
    """Tighter or looser for one number of a rule; ``new`` / ``ended`` when it exists on one side only."""
    if before is None and after is None:
        return "same"
    if before is None:
        return "new"
    if after is None:
        return "ended"
    if key == "points":
        return "same" if before == after else ("tighter" if after < before else "looser")
    lower = op is None or Op(op).is_lower_bound
    if after != before:
        return "tighter" if (after > before) == lower else "looser"
    if op_before is not None and op is not None and op_before != op:
        return "tighter" if Op(op).is_strict and not Op(op_before).is_strict else "looser"
    return "same"


def diff_views(a: RuleView | None, b: RuleView | None) -> RuleDiff | None:
    shown = b or a
    assert shown is not None
    if a is None or b is None:
        return RuleDiff(rule_id=shown.rule_id, title=shown.title, kind="added" if a is None else "removed",
                        before=a, after=b)
    keys = [*a.values, *(k for k in b.values if k not in a.values)]
    levels = {k: direction(b.op, k, a.values.get(k), b.values.get(k), a.op) for k in keys}
    if a.op != b.op and all(d == "same" for d in levels.values()) and a.op and b.op:
        levels["op"] = direction(b.op, "op", Fraction(0), Fraction(0), a.op)
    moved = {d for d in levels.values() if d in ("tighter", "looser")}
    presence = {d for d in levels.values() if d in ("new", "ended")}
    kind: Kind
    if moved == {"tighter"} and presence <= {"new"}:
        kind = "tighter"
    elif moved == {"looser"} and presence <= {"ended"}:
        kind = "looser"
    elif not moved and presence == {"new"} and a.other == b.other and a.op == b.op:
        kind = "new_levels"
    elif not moved and presence == {"ended"} and a.other == b.other and a.op == b.op:
        kind = "ended_levels"
    elif moved or presence or a.other != b.other or (a.op != b.op):
        kind = "changed"
    elif (a.text, a.title, a.article, a.source, a.status) != (b.text, b.title, b.article, b.source, b.status):
        kind = "reworded"
    else:
        return None
    return RuleDiff(rule_id=shown.rule_id, title=shown.title, kind=kind, before=a, after=b,
                    levels={k: v for k, v in levels.items() if v != "same"})


def diff(base: LoadedRuleset, against: LoadedRuleset) -> RulesetDiff:
    """Every rule of ``base`` and ``against`` matched by id and classified."""
    a = {r.id: view(base.ruleset, r) for r in base.ruleset.rules}
    a.update(county_views(base.ruleset))
    b = {r.id: view(against.ruleset, r) for r in against.ruleset.rules}
    b.update(county_views(against.ruleset))
    changes = []
    unchanged = 0
    for rule_id in [*a, *(k for k in b if k not in a)]:
        d = diff_views(a.get(rule_id), b.get(rule_id))
        if d is None:
            unchanged += 1
        else:
            changes.append(d)
    return RulesetDiff(base=ruleset_info(base), against=ruleset_info(against), changes=tuple(changes),
                       unchanged=unchanged)

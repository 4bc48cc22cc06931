"""How a comparison reads (新旧标准对比): change classes, each side's verdict and points, the
requirement before → after and the extra resources needed under the second ruleset.

Shared by the terminal table (:mod:`junheng.cli.compare_cmd`) and the XLSX/HTML reports; every
value comes from :mod:`junheng.engine.compare` — nothing is recomputed here.
"""

from __future__ import annotations

from junheng.cli.render import numbers as n
from junheng.cli.render.explain import shortfall_cell
from junheng.cli.render.words import fact_name, op_symbol
from junheng.cli.text import outcome_word
from junheng.engine.compare import RuleChange, Side
from junheng.engine.results import ScoreSummary, Shortfall

__all__ = ["CHANGES", "change_word", "needed_text", "requirement_text", "score_text", "shortfall_words", "side_text",
           "side_value"]

_CHANGE = {
    "newly_failing": ("新增未达标", "newly failing"),
    "new_failing": ("新要求下未达标", "fails a new requirement"),
    "newly_passing": ("新达标", "newly passing"), "new_passing": ("新要求下达标", "meets a new requirement"),
    "still_failing": ("仍未达标", "still failing"), "still_passing": ("仍达标", "still passing"),
    "added": ("新增要求", "new requirement"), "removed": ("已取消", "removed"), "undecided": ("无法判定", "undecided"),
}
CHANGES: tuple[str, ...] = tuple(_CHANGE)
"""Every change class, most urgent first (the order of a report's summary)."""

def change_word(change: str, lang: str) -> str:
    zh, en = _CHANGE[change]
    return zh if lang == "zh" else en


def side_text(s: Side | None, lang: str) -> str:
    """The verdict under one ruleset, with points for a scored item (``未达标 17/18``)."""
    if s is None:
        return "—"
    text = outcome_word(s.outcome, lang)
    if s.points is not None and s.max_points is not None:
        text += f" {n.trimmed(s.points)}/{n.trimmed(s.max_points)}"
    return text


def side_value(s: Side | None) -> str:
    """One side's requirement (``≥10.6``), or ``—``."""
    if s is None or s.required is None:
        return "—"
    shown = n.percent_as_written(s.required) if s.unit in n.PERCENT_UNITS else n.indicator(s.required, s.unit)
    return f"{op_symbol(s.op)}{shown}"


def requirement_text(c: RuleChange) -> str:
    """The requirement, or ``before → after`` when it moved or exists on one side only."""
    if c.before is not None and c.after is not None and not c.threshold_moved:
        return side_value(c.after)
    return f"{side_value(c.before)} → {side_value(c.after)}"


def shortfall_words(s: Shortfall, lang: str) -> str:
    """``体育运动场馆面积 增加416.4平方米`` / ``sports ground area add 416.4 m²``."""
    return f"{fact_name(s.fact, lang)} {shortfall_cell(s, lang)}"


def needed_text(c: RuleChange, lang: str) -> str:
    """The extra resource needed under the second ruleset to meet it (the first of
    :attr:`RuleChange.extra_needed`: the failed rule's shortfall), or empty."""
    return shortfall_words(c.extra_needed[0], lang) if c.extra_needed else ""


def score_text(s: ScoreSummary | None) -> str:
    """A section's total points under one ruleset (``97/100``), or empty when it is not scored."""
    return "" if s is None else f"{n.trimmed(s.awarded)}/{n.trimmed(s.points)}"

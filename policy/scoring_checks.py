"""Semantic checks for scored items (计分项), their groups and size tables (issue 4).

Called from :func:`junheng.policy.loader.check_semantics` with its ``add(path, message)``
callback, so problems name the file, the line and the key like every other ruleset problem.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from junheng.policy.model import ParamRef, Ruleset, ScoredRule
from junheng.policy.units import UNITS

Add = Callable[[tuple[str | int, ...], str], None]


def check_scoring(ruleset: Ruleset, add: Add) -> None:
    """Indicators, tables, parameters and groups of scored items; group and total points."""
    for name, table in ruleset.tables.items():
        if table.unit not in UNITS:
            add(("tables", name, "unit"), f"unknown unit {table.unit!r}")
        for i, row in enumerate(table.rows):
            if row.max_classes is not None and row.max_classes < row.min_classes:
                add(("tables", name, "rows", i), "max_classes is below min_classes")
            for j, other in enumerate(table.rows[:i]):
                lo = max(row.min_classes, other.min_classes)
                hi_a = row.max_classes if row.max_classes is not None else lo
                hi_b = other.max_classes if other.max_classes is not None else lo
                if row.level is other.level and lo <= min(hi_a, hi_b):
                    add(("tables", name, "rows", i), f"overlaps row {j} for {row.level}")
    sums: dict[str, Fraction] = {}
    unknown_points: dict[str, list[str]] = {}
    for index, rule in enumerate(ruleset.rules):
        if not isinstance(rule, ScoredRule):
            continue
        if rule.group is not None:
            if rule.group not in ruleset.groups:
                add(("rules", index, "group"), f"unknown group {rule.group!r}")
            if rule.points is None:
                unknown_points.setdefault(rule.group, []).append(rule.id)
            else:
                sums[rule.group] = sums.get(rule.group, Fraction(0)) + rule.points
        elif ruleset.groups:
            add(("rules", index, "group"), "this ruleset has groups: every scored item needs one")
        for j, req in enumerate(rule.requirements):
            where: tuple[str | int, ...] = ("rules", index, "requirements", j)
            if req.indicator not in ruleset.indicators:
                add((*where, "indicator"), f"unknown indicator {req.indicator!r}")
            if req.table is not None and req.table not in ruleset.tables:
                add((*where, "table"), f"unknown table {req.table!r}")
            if req.value is not None:
                for level in rule.levels:
                    value = req.value.for_level(level)
                    if value is None:
                        add((*where, "value"), f"no value for level {level}")
                    elif isinstance(value, ParamRef) and value.param not in ruleset.parameters:
                        add((*where, "value"), f"unknown parameter {value.param!r}")
    for name, group in ruleset.groups.items():
        total = sums.get(name, Fraction(0))
        if group.points is None:  # weight not public: nothing to add up (its items' points unknown too)
            if name in sums:
                add(("groups", name, "points"), f"group {name!r} has unknown points (null) but items with "
                    "known points: give the group's points, or leave every item's points null")
        elif unknown_points.get(name):
            add(("groups", name, "points"), f"group {name!r} has {group.points} points but items with unknown "
                f"points ({', '.join(unknown_points[name])}): the sum cannot be checked")
        elif total != group.points:
            add(("groups", name, "points"),
                f"the items of group {name!r} add up to {total}, not {group.points}")

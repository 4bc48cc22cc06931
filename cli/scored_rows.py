"""``rulesets show`` additions for issue 4: scored items (points and schedule) and versions."""

from __future__ import annotations

from rich.console import Console

from junheng.cli.render.explain import schedule_text
from junheng.engine.numbers import decimal_text
from junheng.policy.model import ParamRef, Rule, Ruleset, ScoredRule
from junheng.policy.versions import versions

_OP = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


def scored_cells(r: Ruleset, rule: Rule, lang: str) -> tuple[str, str]:
    """The primary and junior cells of a scored item: requirement, points, schedule."""
    assert isinstance(rule, ScoredRule)
    unit_code = r.indicators[rule.requirements[0].indicator].unit if rule.requirements else None
    words = schedule_text(rule.schedule, unit_code, lang)
    status = f" ({rule.schedule.status.label(lang)})" if rule.schedule.status else ""
    cells = []
    for level in ("primary", "junior"):
        reqs = []
        for req in rule.requirements:
            if req.table is not None:
                table = r.tables[req.table]
                reqs.append(f"{_OP[req.op.value]}{{{req.table}}} ({table.status.label(lang)})")
            elif req.value is not None:
                value = req.value.primary if level == "primary" else req.value.junior
                if value is None:
                    continue
                shown = f"{{{value.param}}}" if isinstance(value, ParamRef) else decimal_text(value)
                reqs.append(f"{_OP[req.op.value]}{shown}")
        pts = (f"{decimal_text(rule.points)}{'分' if lang == 'zh' else ' pts'}" if rule.points is not None else
               ("分值未公开" if lang == "zh" else "points not public"))
        cells.append(f"{pts}; {', '.join(reqs) + '; ' if reqs else ''}{words}{status}")
    return cells[0], cells[1]


def print_versions(console: Console, ruleset_id: str, lang: str) -> None:
    console.print("版本 / versions:" if lang == "zh" else "versions:")
    for info, _ in versions(ruleset_id):
        until = info.until or "…"
        console.print(f"  {info.ref}  {info.version}  {info.start} – {until}  {info.document}", highlight=False)

"""``junheng lint``: provenance, freshness, unused definitions, overrides looser than the floor."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from junheng.cli.options import Lang, LangOption
from junheng.policy.lint import DEFAULT_MAX_AGE_DAYS, lint_ruleset
from junheng.policy.loader import RulesetError
from junheng.policy.registry import load_ruleset

_SEVERITY = {"error": ("错误", "error", "red"), "warning": ("警告", "warning", "yellow"),
             "info": ("提示", "info", "dim")}


def lint(
    ruleset: Annotated[str, typer.Argument(help="规则集编号或YAML文件 / ruleset id or YAML file")],
    max_age_days: Annotated[int, typer.Option("--max-age-days", min=1,
                                              help="核对日期的最长有效天数 / oldest acceptable last_checked, "
                                                   "in days")] = DEFAULT_MAX_AGE_DAYS,
    as_of: Annotated[str | None, typer.Option("--as-of", help="以此日期为“今天”（YYYY-MM-DD）/ "
                                                               "treat this date as today")] = None,
    floor: Annotated[str | None, typer.Option("--floor", help="对照的国家底线规则集（默认为 extends 的规则集）/ "
                                                              "the floor to compare with (default: extends)")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="警告也视为失败 / fail on warnings too")] = False,
    lang: LangOption = Lang.zh,
) -> None:
    """规则集检查 / Lint a ruleset: sources, statuses, last_checked dates, unused parameters and
    facts, and requirements looser than the national floor.

    Exit code 1 when there is an error (with --strict: a warning), else 0; 2 on a usage error.
    """
    err = Console(stderr=True)
    try:
        today = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        err.print(f"日期格式错误：{as_of}" if lang == "zh" else f"bad date: {as_of}", style="red")
        raise typer.Exit(2) from None
    try:
        loaded = load_ruleset(ruleset)
        base = load_ruleset(floor).ruleset if floor else None
        findings = lint_ruleset(loaded, as_of=today, max_age_days=max_age_days, floor=base)
    except RulesetError as exc:
        err.print(str(exc), style="red", highlight=False)
        raise typer.Exit(2) from None
    console = Console()
    if not findings:
        console.print("[green]没有发现问题。[/]" if lang == "zh" else "[green]No findings.[/]")
        raise typer.Exit(0)
    table = Table("级别" if lang == "zh" else "severity", "位置" if lang == "zh" else "where",
                  "代码" if lang == "zh" else "code", "说明" if lang == "zh" else "message")
    for f in findings:
        zh, en, style = _SEVERITY[f.severity]
        table.add_row(f"[{style}]{zh if lang == 'zh' else en}[/]", f.where, f.code, f.message.get(lang))
    console.print(table)
    counts = {s: sum(1 for f in findings if f.severity == s) for s in _SEVERITY}
    console.print(f"错误 {counts['error']}，警告 {counts['warning']}，提示 {counts['info']}" if lang == "zh" else
                  f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info")
    failed = counts["error"] > 0 or (strict and counts["warning"] > 0)
    raise typer.Exit(1 if failed else 0)

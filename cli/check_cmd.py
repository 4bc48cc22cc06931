"""``junheng check``: property checks of a ruleset (formatting only; see :mod:`junheng.engine.check`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from junheng.cli.options import EXIT_FAILED, EXIT_OK, Engine, EngineOption, Lang, LangOption, fail
from junheng.cli.render.check import finding, invariant_title
from junheng.cli.render.check import word as _w
from junheng.cli.render.templates import template
from junheng.engine.check import CheckReport, CheckSettings, Counterexample, Expectation, run_checks
from junheng.engine.numbers import decimal_text
from junheng.policy.facts import FACTS
from junheng.policy.loader import RulesetError
from junheng.policy.registry import load_ruleset


class Expect(StrEnum):
    tighter = "tighter"
    looser = "looser"
    unchanged = "unchanged"


def _counterexample_table(ce: Counterexample, lang: str) -> Table:
    table = Table(show_header=True, header_style="bold")
    table.add_column(_w("fact", lang))
    for s in ce.sections:
        table.add_column(f"{s.school_id} ({s.level.label(lang)})")
    rows: list[str] = []
    for s in ce.sections:
        rows += [k for k in s.values if k not in rows]
    if any(s.school_type for s in ce.sections):
        table.add_row("school_type", *(s.school_type or "—" for s in ce.sections))
    for fact in rows:
        spec = FACTS.get(fact)
        label = f"{spec.label(lang)} ({fact})" if spec else fact
        table.add_row(label, *(decimal_text(s.values[fact], 6) if fact in s.values else "—"
                               for s in ce.sections))
    return table


def print_report(report: CheckReport, console: Console, lang: str) -> None:
    head = _w("header", lang, id=report.ruleset)
    if report.against:
        head += _w("against", lang, old=report.against,
                   expect=template("check_expect", report.expect).get(lang) if report.expect else "")
    console.print(f"[bold]{head}[/]", highlight=False)
    for r in report.results:
        mark = "[green]✓ " + _w("pass", lang) + "[/]" if r.passed else "[red]✗ " + _w("fail", lang) + "[/]"
        console.print(f"{mark}  {invariant_title(r, report.expect, lang)}  [dim]({_w('tried', lang, n=r.examples)})[/]",
                      highlight=False)
        for problem in r.problems:
            console.print(f"    - {finding(problem, lang)}", highlight=False)
        if r.counterexample is not None:
            console.print(f"    {finding(r.counterexample.reason, lang)}", highlight=False)
            console.print(f"    {_w('counterexample', lang)}", highlight=False)
            console.print(_counterexample_table(r.counterexample, lang))
    failed = sum(1 for r in report.results if not r.passed)
    if failed:
        console.print(f"[bold red]{_w('summary_fail', lang, k=failed, n=len(report.results))}[/]",
                      highlight=False)
    else:
        ok = _w("summary_ok", lang, n=len(report.results), m=report.examples)
        console.print(f"[bold green]{ok}[/]", highlight=False)


def check(
    ruleset: Annotated[str, typer.Argument(help="规则集编号或YAML文件 / ruleset id or YAML file")],
    against: Annotated[str | None, typer.Option("--against", help="旧版规则集 / the old ruleset")] = None,
    expect: Annotated[Expect | None, typer.Option("--expect", help="tighter | looser | unchanged")] = None,
    only: Annotated[list[str] | None, typer.Option("--only", help="修订只涉及的规则（可多次）/ the rules the update "
                                                   "is meant to change (repeatable)")] = None,
    examples: Annotated[int, typer.Option("--examples", min=1,
                                          help="每项性质生成的输入数 / inputs per invariant")] = 150,
    random: Annotated[bool, typer.Option("--random/--derandomize",
                                         help="每次探索新输入（默认固定顺序，便于CI复现）/ explore new inputs "
                                              "each run (default: fixed order, reproducible)")] = False,
    engine: EngineOption = Engine.durable,
    lang: LangOption = Lang.zh,
) -> None:
    """性质检验 / Check a ruleset's invariants with generated schools (hypothesis).

    Prints each invariant with pass/fail and, on failure, the smallest counter-example school.
    Exit code 0 only when every invariant holds, 1 when one fails, 2 on a usage error.
    """
    if (expect is not None or only) and against is None:
        raise fail("--expect/--only 需要 --against", "--expect/--only need --against", lang)
    try:
        new = load_ruleset(ruleset)
        old = load_ruleset(against) if against is not None else None
    except RulesetError as exc:
        raise fail(str(exc), str(exc), lang) from None
    expectation: Expectation = (expect or Expect.tighter).value
    settings = CheckSettings(max_examples=examples, derandomize=not random,
                             engine=engine.value)
    report = run_checks(new.ruleset, against=old.ruleset if old else None, expect=expectation,
                        only=only or (), check=settings, ruleset_name=ruleset, against_name=against)
    print_report(report, Console(), lang)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)

"""``junheng rulesets list|show``."""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Column, Table

from junheng.cli.options import Lang, LangOption
from junheng.engine.numbers import decimal_text
from junheng.policy.loader import RulesetError
from junheng.policy.model import CountGateRule, ParamRef, Ruleset, ThresholdRule
from junheng.policy.registry import bundled_ids, load_ruleset

app = typer.Typer(help="规则集 / rulesets", no_args_is_help=True)



def _requirement_cell(r: Ruleset, op: str, value: Fraction | ParamRef | None, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, ParamRef):
        param = r.parameters[value.param]
        return f"{op} {{{value.param}}} ({param.status.label(lang)})"
    return f"{op} {decimal_text(value)}"


@app.command("list")
def list_rulesets(lang: LangOption = Lang.zh) -> None:
    """列出内置规则集 / List the bundled rulesets."""
    ids = bundled_ids()
    # the id is what users type: never truncate it, whatever the terminal width
    id_column = Column("id", no_wrap=True, min_width=max((len(i) for i in ids), default=2))
    table = Table(id_column, "版本" if lang == "zh" else "version", "文号" if lang == "zh" else "document",
                  "标题" if lang == "zh" else "title", "生效" if lang == "zh" else "effective")
    for ruleset_id in ids:
        r = load_ruleset(ruleset_id).ruleset
        table.add_row(r.id, r.version, r.document.number, r.title.get(lang),
                      str(r.effective.start))
    Console().print(table)


@app.command("show")
def show(ruleset: Annotated[str, typer.Argument(help="id or YAML path")], lang: LangOption = Lang.zh) -> None:
    """显示规则集的每条规则及其来源 / Show each rule of a ruleset with its source and status."""
    try:
        loaded = load_ruleset(ruleset)
    except RulesetError as exc:
        Console(stderr=True).print(str(exc), style="red", highlight=False)
        raise typer.Exit(2) from None
    r = loaded.ruleset
    console = Console()
    console.print(f"[bold]{r.id}[/] {r.version} — {r.title.get(lang)}", highlight=False)
    console.print(f"{r.document.number} {r.document.title.get(lang)}; "
                  f"{'生效' if lang == 'zh' else 'effective'} {r.effective.start}"
                  f"{' – ' + str(r.effective.until) if r.effective.until else ''}; sha256 {loaded.sha256}",
                  highlight=False)
    table = Table("id", "规则" if lang == "zh" else "rule", "小学/primary", "初中/junior",
                  "条款" if lang == "zh" else "article", "状态" if lang == "zh" else "status",
                  "来源" if lang == "zh" else "source", show_lines=True)
    for rule in r.rules:
        if isinstance(rule, ThresholdRule):
            cells = [_requirement_cell(r, rule.op.value, v, lang)
                     for v in (rule.value.primary, rule.value.junior)]
            table.add_row(rule.id, rule.title.get(lang), *cells, rule.article,
                          rule.status.label(lang), rule.source)
        elif isinstance(rule, CountGateRule):
            floor = r.resolve(rule.floor, rule.levels[0])
            desc = (f"≥{rule.min_met}/{len(rule.rules)}，余项≥{decimal_text((floor or Fraction(0)) * 100)}%"
                    if lang == "zh" else
                    f"≥{rule.min_met} of {len(rule.rules)}, rest ≥{decimal_text((floor or Fraction(0)) * 100)}%")
            table.add_row(rule.id, rule.title.get(lang), desc, desc, rule.article,
                          rule.status.label(lang), rule.source)
        else:  # a scored item (issue 4)
            from junheng.cli.scored_rows import scored_cells

            table.add_row(rule.id, rule.title.get(lang), *scored_cells(r, rule, lang), rule.article,
                          rule.status.label(lang), rule.source)
    console.print(table)
    if ruleset in bundled_ids():  # versions (issue 4)
        from junheng.cli.scored_rows import print_versions

        print_versions(console, ruleset, lang)
    if r.parameters:
        console.print("参数 / parameters:")
        for name, p in r.parameters.items():
            console.print(f"  {name}: {p.value.primary} / {p.value.junior} {p.unit} "
                          f"({p.status.label(lang)}) — {p.source} {p.note}", highlight=False)

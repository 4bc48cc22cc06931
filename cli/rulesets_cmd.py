"""``junheng rulesets list|show``."""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Column, Table

from junheng.cli.options import Lang, LangOption
from junheng.engine.numbers import decimal_text
from junheng.policy.county_model import AllSchoolsCriterion, CountyFactCriterion, Criterion, DispersionCriterion
from junheng.policy.facts import Level
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


def _criterion_cells(r: Ruleset, c: Criterion, lang: str) -> list[str]:
    """The requirement of one county criterion, per level (小学, 初中)."""
    zh = lang == "zh"
    if isinstance(c, DispersionCriterion):
        how = ("综合差异系数" if zh else "composite CV") if c.judge == "composite" else (
            "各项差异系数" if zh else "each CV")
        return [f"{how} {_requirement_cell(r, '<=', c.limit.for_level(level), lang)}"
                if level in c.levels else "—" for level in (Level.primary, Level.junior)]
    if isinstance(c, CountyFactCriterion):
        cell = f"{c.fact} {_requirement_cell(r, c.op.value, c.value, lang)}"
        return [cell, cell]
    assert isinstance(c, AllSchoolsCriterion)
    which = {"school": "本规则集的学校规则" if zh else "this ruleset's school rules",
             "self": "县域学校检查项" if zh else "the county school checks",
             "provincial": "省定办学标准" if zh else "the provincial school standard"}.get(c.ruleset, c.ruleset)
    rules = "、".join(c.rules) if zh else ", ".join(c.rules)
    cell = (f"每所学校达到 {which}" + (f"：{rules}" if rules else "") if zh else
            f"every school meets {which}" + (f": {rules}" if rules else ""))
    return [cell, cell]


def _county_table(r: Ruleset, lang: str) -> Table:
    """The county part (县域评估): its own school checks, then every criterion, with sources."""
    assert r.county is not None
    zh = lang == "zh"
    table = Table("id", "县域评估项" if zh else "county criterion", "小学/primary", "初中/junior",
                  "条款" if zh else "article", "状态" if zh else "status", "来源" if zh else "source",
                  title="县域评估 / county", show_lines=True)
    for check in r.county.school_checks:
        cells = [_requirement_cell(r, check.op.value, v, lang) for v in (check.value.primary, check.value.junior)]
        table.add_row(check.id, check.title.get(lang), *cells, check.article, check.status.label(lang),
                      check.source)
    for c in r.county.criteria:
        table.add_row(c.id, c.title.get(lang), *_criterion_cells(r, c, lang), c.article,
                      c.status.label(lang), c.source)
    return table


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
    if r.rules:
        console.print(table)
    if r.county is not None:
        console.print(_county_table(r, lang))
    if ruleset in bundled_ids():  # versions (issue 4)
        from junheng.cli.scored_rows import print_versions

        print_versions(console, ruleset, lang)
    if r.parameters:
        console.print("参数 / parameters:")
        for name, p in r.parameters.items():
            console.print(f"  {name}: {p.value.primary} / {p.value.junior} {p.unit} "
                          f"({p.status.label(lang)}) — {p.source} {p.note}", highlight=False)


@app.command("schema")
def schema() -> None:
    """打印规则集格式的 JSON Schema（编辑器可用 `# yaml-language-server: $schema=`）/ Print the JSON Schema
    of the ruleset format (for editors: `# yaml-language-server: $schema=`)."""
    from junheng.policy.schema import ruleset_schema_text

    typer.echo(ruleset_schema_text(), nl=False)

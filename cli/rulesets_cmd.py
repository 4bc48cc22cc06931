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
from junheng.policy.facts import FACTS, SCHOOL_TYPES, FactKind, Level
from junheng.policy.loader import RulesetError
from junheng.policy.model import Condition, CountGateRule, ParamRef, Ruleset, ScoredRule, ThresholdRule
from junheng.policy.registry import bundled_ids, load_ruleset

app = typer.Typer(help="规则集 / rulesets", no_args_is_help=True)
SCHOOL_TYPE_WORDS = {code: zh for zh, code in SCHOOL_TYPES.items()}
"""School type code → its Chinese name (nine_year → 九年一贯制学校)."""


def _requirement_cell(r: Ruleset, op: str, value: Fraction | ParamRef | None, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, ParamRef):
        param = r.parameters[value.param]
        return f"{op} {{{value.param}}} ({param.status.label(lang)})"
    return f"{op} {decimal_text(value)}"


def _condition_text(c: Condition, lang: str) -> str:
    """One condition of a relaxation in words: 建成年份不超过2016, 农村小规模学校：是."""
    from junheng.cli.render import numbers as n
    from junheng.cli.render.words import fact_name, op_words

    name = fact_name(c.fact, lang)
    fact = FACTS.get(c.fact)
    if fact is not None and fact.kind is FactKind.boolean:
        name = name.removesuffix("（是/否）").removesuffix(" (yes/no)")
        yes = c.op.holds(Fraction(1), c.value) and not c.op.holds(Fraction(0), c.value)
        return f"{name}：{'是' if yes else '否'}" if lang == "zh" else f"{name}: {'yes' if yes else 'no'}"
    unit_code = fact.unit if fact is not None else ""
    value = (decimal_text(c.value) if unit_code == "year" else
             n.percent_as_written(c.value) if unit_code == "ratio" else n.quantity(c.value, unit_code, lang))
    return f"{name}{op_words(c.op.value, lang)}{value}" if lang == "zh" else (
        f"{name} {op_words(c.op.value, lang)} {value}")


def relaxation_rows(r: Ruleset, rule: ThresholdRule, lang: str) -> list[list[str]]:
    """The rows of a rule's dated, conditional relaxations (the 2019 规程's), shown under the rule
    they relax: id, what and when (conditions, window), the relaxed values, article, status, source."""
    zh = lang == "zh"
    rows = []
    for rel in rule.relaxations:
        joiner_all, joiner_any = ("且", "或") if zh else (" and ", " or ")
        parts = []
        if rel.when_all:
            parts.append(joiner_all.join(_condition_text(c, lang) for c in rel.when_all))
        if rel.when_any:
            parts.append(joiner_any.join(_condition_text(c, lang) for c in rel.when_any))
        conditions = joiner_all.join(f"（{p}）" if zh and len(parts) > 1 else p for p in parts)
        year = rel.until_year
        if isinstance(year, ParamRef):
            param = r.parameters[year.param]
            last = r.resolve(year, Level.primary)
            shown = decimal_text(last) if last is not None else "—"
            end = (f"{shown}年底（参数 {year.param}，{param.status.label(lang)}）" if zh else
                   f"the end of {shown} (parameter {year.param}, {param.status.label(lang)})")
        elif year is not None:
            end = f"{year}年底" if zh else f"the end of {year}"
        else:
            end = "未定" if zh else "open-ended"
        window = f"{rel.start} 至 {end}" if zh else f"{rel.start} to {end}"
        what = (f"↳放宽：{rel.title.get(lang)}\n条件：{conditions}\n期间：{window}" if zh else
                f"↳relaxation: {rel.title.get(lang)}\nwhen: {conditions}\nwindow: {window}")
        if rel.note and zh:
            what += f"\n说明：{rel.note}"
        by_type = "".join(
            f"\n{SCHOOL_TYPE_WORDS.get(t, t) if zh else t} {rule.op.value} {decimal_text(v)}"
            for t, v in rel.value_by_school_type.items())
        cells = [_requirement_cell(r, rule.op.value, v, lang) + by_type if v is not None else "—"
                 for v in (rel.value.primary, rel.value.junior)]
        rows.append([rel.id, what, *cells, rel.article, rel.status.label(lang), rel.source])
    return rows


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


def _columns(what: str, lang: str) -> list[Column]:
    """The columns of a rule table; long cells fold onto more lines, never cut with "…" (a reviewer
    reads every condition, window and source next to the printed document)."""
    zh = lang == "zh"
    heads = ["id", what, "小学/primary", "初中/junior", "条款" if zh else "article", "状态" if zh else "status",
             "来源" if zh else "source"]
    return [Column(h, overflow="fold") for h in heads]


def _county_table(r: Ruleset, lang: str) -> Table:
    """The county part (县域评估): its own school checks, then every criterion, with sources."""
    assert r.county is not None
    zh = lang == "zh"
    table = Table(*_columns("县域评估项" if zh else "county criterion", lang), title="县域评估 / county",
                  show_lines=True)
    for check in r.county.school_checks:
        cells = [_requirement_cell(r, check.op.value, v, lang) for v in (check.value.primary, check.value.junior)]
        table.add_row(check.id, check.title.get(lang), *cells, check.article, check.status.label(lang),
                      check.source)
        for row in relaxation_rows(r, check, lang):
            table.add_row(*row)
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
    unweighted = [rule.id for rule in r.rules if isinstance(rule, ScoredRule) and rule.points is None]
    if unweighted:  # weights not public (湖北 鄂政督〔2011〕6号): say so before any table
        ids = "、".join(unweighted) if lang == "zh" else ", ".join(unweighted)
        console.print(f"注意：{ids} 的分值和权重未公开——结果只记录评估组认定的得分，不合计总分，结论为无法判定。"
                      if lang == "zh" else
                      f"Note: the points and weights of {ids} are not public — results record the assessed "
                      "scores only, no total is added up, and the outcome is 'cannot decide'.",
                      style="bold", highlight=False)
    table = Table(*_columns("规则" if lang == "zh" else "rule", lang), show_lines=True)
    for rule in r.rules:
        if isinstance(rule, ThresholdRule):
            cells = [_requirement_cell(r, rule.op.value, v, lang)
                     for v in (rule.value.primary, rule.value.junior)]
            table.add_row(rule.id, rule.title.get(lang), *cells, rule.article,
                          rule.status.label(lang), rule.source)
            for row in relaxation_rows(r, rule, lang):
                table.add_row(*row)
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

"""``junheng plan``: the cheapest additions that make every section pass and (county scope) every
差异系数 fall within its limit — a table or the published JSON (schema plan/1).

Only parsing and formatting: every amount, cost and verdict comes from
:func:`junheng.engine.plan.make_plan`.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from junheng.cli.atomic import protect, write_text_atomic
from junheng.cli.json_output import dumps, issue_json, missing_names, num
from junheng.cli.options import (
    EXIT_FAILED,
    Engine,
    EngineOption,
    Format,
    FormatOption,
    Lang,
    LangOption,
    OutputOption,
    RulesetOption,
    fail,
    output_format,
    pick,
    shown,
)
from junheng.cli.render import numbers as n
from junheng.cli.render.templates import template
from junheng.cli.template_cmd import price_unit
from junheng.cli.text import outcome_word
from junheng.engine.plan import MissingCostError, PlanError, PlanRun, Scope, Target, make_plan
from junheng.engine.plan.records import Remedy, Unfixable, UnfixableKind
from junheng.engine.results import Outcome
from junheng.policy.cells import CellError, parse_number
from junheng.policy.costs import CostsFileError, read_costs
from junheng.policy.county_facts import fact_spec, read_county_facts
from junheng.policy.facts import Level
from junheng.policy.loader import LoadedRuleset, RulesetError
from junheng.policy.readers import UnsupportedFormatError, read_facts
from junheng.policy.registry import load_ruleset

PLAN_SCHEMA_ID = "https://junheng.example/schemas/plan-1.schema.json"
PLAN_SCHEMA_VERSION = "1.0"

_w = pick


def _fact(name: str | None, lang: str) -> str:
    if name is None:
        return ""
    spec = fact_spec(name)
    return name if spec is None else spec.label(lang)


def amount_text(amount: Fraction, fact: str, lang: str) -> str:
    """An amount in the fact's own unit, under the number policy: 1904.77平方米, 13间, 67.40万元."""
    spec = fact_spec(fact)
    return n.quantity(amount, None if spec is None else spec.unit, lang)


def section_label(school_id: str, school_name: str | None, level: Level, lang: str) -> str:
    """A school section as the evaluate table names it: 示例A初级中学（GX-A）· 初中."""
    return template("section", "named").fill(lang, name=shown(school_name or school_id), school_id=shown(school_id),
                                             level=level.label(lang))


def unfixable_where(run: PlanRun, u: Unfixable, lang: str) -> str:
    """The section an unfixable item belongs to (empty for a county-level item)."""
    if not u.school_id or u.level is None:
        return ""
    names = {s.school_id: s.school_name for s in run.sections}
    return section_label(u.school_id, names.get(u.school_id), u.level, lang)


def remedy_text(r: Remedy, lang: str) -> str:
    fact = _fact(r.fact, lang)
    amount = "" if r.amount is None or r.fact is None else amount_text(r.amount, r.fact, lang)
    if r.action == "reduce":
        return _w(f"{fact}减少{amount}", f"reduce {fact} by {amount}", lang) if amount else \
            _w(f"降低{fact}", f"lower {fact}", lang)
    if r.action == "raise":
        return _w(f"{fact}增加{amount}", f"raise {fact} by {amount}", lang)
    if r.action == "reach":  # a stated requirement, as written: 20%
        spec = None if r.fact is None else fact_spec(r.fact)
        if r.amount is not None and spec is not None and spec.unit in n.PERCENT_UNITS:
            amount = n.percent_as_written(r.amount)
        return _w(f"{fact}达到{amount}", f"bring {fact} to {amount}", lang)
    if r.action == "open_classes":
        classes = n.quantity(r.amount or Fraction(0), None, lang)
        return _w(f"增设{classes}个班", f"open {classes} more classes", lang)
    if r.action == "supply":
        return _w(f"补充数据：{fact}", f"supply the figure: {fact}", lang)
    if r.action == "school_ruleset":
        return _w("用 --school-ruleset 指定省级办学基本标准",
                  "name the provincial standard with --school-ruleset", lang)
    return r.action


_KIND = {
    UnfixableKind.no_lever: ("增加资源不能解决", "not fixed by adding resources"),
    UnfixableKind.decrease: ("需要减少而不是增加", "needs a decrease, not an addition"),
    UnfixableKind.missing_data: ("缺少数据，无法判定", "missing data: cannot decide"),
    UnfixableKind.county_fact: ("县级事项", "county-level item"),
    UnfixableKind.no_ruleset: ("未指定学校标准", "school standard not given"),
    UnfixableKind.not_modelled: ("方案未覆盖的规则", "rule the planner does not cover"),
}


def unfixable_reason(u: Unfixable, lang: str) -> str:
    zh, en = _KIND[u.kind]
    return _w(zh, en, lang)


def unfixable_json(u: Unfixable, lang: str) -> dict[str, Any]:
    return {
        "kind": u.kind.value, "criterion_id": u.criterion_id, "rule_id": u.rule_id,
        "school_id": u.school_id, "level": u.level.value if u.level is not None else None,
        "title": u.title.get(lang), "outcome": u.outcome.value, "actual": num(u.actual),
        "required": num(u.required), "op": u.op, "missing_facts": missing_names(u.missing_facts),
        "remedies": [{"action": r.action, "fact": r.fact, "amount": num(r.amount), "text": remedy_text(r, lang)}
                     for r in u.remedies],
        "reason": unfixable_reason(u, lang),
    }


def plan_json(run: PlanRun, lang: str) -> dict[str, Any]:
    """The plan as the published JSON document (``junheng/schemas/plan-1.schema.json``)."""
    cv_before: dict[str, dict[str, Any]] = {}
    cv_after: dict[str, dict[str, Any]] = {}
    for c in run.cv:
        cv_before.setdefault(c.level.value, {})[c.indicator] = num(c.cv_before)
        cv_after.setdefault(c.level.value, {})[c.indicator] = num(c.cv_after)
    errors = [i for i in run.issues if i.severity == "error"]
    return {
        "$schema": PLAN_SCHEMA_ID,
        "schema_version": PLAN_SCHEMA_VERSION,
        "junheng_version": run.junheng_version,
        "engine": run.engine,
        "lang": lang,
        "ruleset": {"id": run.ruleset.id, "version": run.ruleset.version, "title": run.ruleset.title.get(lang),
                    "document": run.ruleset.document, "sha256": run.ruleset.sha256},
        "input": {"file": run.input_file, "sha256": run.input_sha256},
        "costs": {"file": run.costs_file, "sha256": run.costs_sha256, "notes": dict(run.cost_notes)},
        "county": run.county,
        "scope": run.scope.value,
        "target": run.target.value,
        "budget": num(run.budget),
        "verified": run.verified,
        "feasible": run.feasible,
        "sections_passing_before": run.sections_passing_before,
        "sections_passing_after": run.sections_passing_after,
        "schools": [{
            "school_id": s.school_id, "level": s.level.value, "school_name": s.school_name,
            "students": num(s.students),
            "outcome_before": s.outcome_before.value,
            "outcome_after": s.outcome_after.value if s.outcome_after is not None else None,
            "met_before": s.met_before, "met_after": s.met_after,
            "additions": {a.fact: num(a.amount) for a in s.additions},
            "additions_detail": [{"fact": a.fact, "title": a.title.get(lang), "unit": a.unit,
                                  "amount": num(a.amount), "yuan_per_unit": num(a.yuan_per_unit),
                                  "cost": num(a.cost)} for a in s.additions],
            "cost": num(s.cost),
            "cheapest_path_cost": num(s.cheapest_path_cost),
        } for s in run.sections],
        "total_cost": num(run.total_cost),
        "cost_by_fact": {f: num(v) for f, v in run.cost_by_fact.items()},
        "remainder_cost": num(run.remainder_cost),
        "cv_before": cv_before,
        "cv_after": cv_after,
        "cv": [{"criterion_id": c.criterion_id, "level": c.level.value, "indicator": c.indicator,
                "title": c.title.get(lang), "limit": num(c.limit), "judge": c.judge,
                "before": num(c.cv_before), "after": num(c.cv_after),
                "passed_before": c.passed_before, "passed_after": c.passed_after} for c in run.cv],
        "composites": [{"criterion_id": c.criterion_id, "level": c.level.value, "limit": num(c.limit),
                        "before": num(c.before), "after": num(c.after), "outcome_before": c.outcome_before.value,
                        "outcome_after": c.outcome_after.value if c.outcome_after is not None else None}
                       for c in run.composites],
        "unfixable": [unfixable_json(u, lang) for u in run.unfixable],
        "solver": {"name": run.solver.name, "method": run.solver.method, "status": run.solver.status,
                   "rounds": run.solver.rounds, "cuts": run.solver.cuts,
                   "seconds": round(run.solver.seconds, 3), "lower_bound": num(run.solver.lower_bound)},
        "gap": num(run.solver.gap),
        "errors": [issue_json(i, lang) for i in errors],
        "warnings": [issue_json(i, lang) for i in run.issues if i.severity != "error"],
    }


def plan_paragraph(run: PlanRun, lang: str) -> str:
    """The paragraph of a principal's letter: what the cheapest way to pass costs at the county's
    unit prices, and what additions cannot fix (one school section's plan, school scope)."""
    zh = lang == "zh"
    sep = "；" if zh else "; "
    parts = []
    for s in run.sections:
        if s.additions:
            adds = sep.join(f"{a.title.get(lang)} +{amount_text(a.amount, a.fact, lang)}" for a in s.additions)
            parts.append(_w(f"按本县单价，最省的达标方式约需{n.money(s.cost, lang)}：{adds}。",
                            f"At the county's unit prices, the cheapest way to pass costs about "
                            f"{n.money(s.cost, lang)}: {adds}.", lang))
        elif s.outcome_before is Outcome.passed:
            parts.append(_w("本校已达标，无需增加资源。", "The school already passes: nothing needs to be added.",
                            lang))
    fixes = [f"{u.title.get(lang)}（{sep.join(remedy_text(r, lang) for r in u.remedies)}）" if zh else
             f"{u.title.get(lang)} ({sep.join(remedy_text(r, lang) for r in u.remedies)})" for u in run.unfixable]
    if fixes:
        parts.append(_w(f"增加资源不能解决的事项：{sep.join(fixes)}。", f"Not fixed by additions: {sep.join(fixes)}.",
                        lang))
    if run.cost_notes:
        parts.append(_w(f"（单价来自 {run.costs_file}。）", f"(Unit costs from {run.costs_file}.)", lang))
    return ("　　" if zh else "") + ("" if zh else " ").join(parts)


def plan_error(exc: PlanError) -> tuple[str, str]:
    """The error in Chinese and English, naming each fact without a price with its unit."""
    if isinstance(exc, MissingCostError):
        zh = "、".join(f"{f}（{_fact(f, 'zh')}，{price_unit(f, 'zh')}）" for f in exc.facts)
        en = ", ".join(f"{f} ({_fact(f, 'en')}, {price_unit(f, 'en')})" for f in exc.facts)
        where = exc.file or "costs"
        return (f"{where}：方案需要以下数据的单价，单价文件中没有：{zh}",
                f"{where}: the plan needs unit costs the costs file does not give: {en}")
    return (f"规则集 {exc.ruleset_id} 没有县域评估部分，请用 --scope school",
            f"ruleset {exc.ruleset_id} has no county part: use --scope school")


def _outcome(o: Outcome | None, lang: str) -> str:
    return "—" if o is None else outcome_word(o, lang)


def print_plan(run: PlanRun, console: Console, lang: str) -> None:
    title = run.ruleset.title.get(lang)
    scope = _w("县域（学校达标且差异系数达标）", "county (schools pass and every CV within its limit)", lang) \
        if run.scope is Scope.county else _w("学校", "schools", lang)
    county = f"[bold]{shown(run.county or '—')}[/]" + (f" {run.year}" if run.year is not None else "")
    head = _w(f"{county} · {run.ruleset.id}（{title}）· 方案范围：{scope}",
              f"{county} · {run.ruleset.id} ({title}) · scope: {scope}", lang)
    console.print(head, highlight=False, soft_wrap=True)
    table = Table(title=_w("各校需增加的资源", "What to add, by school section", lang), title_justify="left")
    for col in (_w("学校 · 学段", "School · level", lang), _w("需增加", "Add", lang),
                _w("费用", "Cost", lang), _w("结果（前→后）", "Outcome (before → after)", lang)):
        table.add_column(col, overflow="fold")
    for s in run.sections:
        if not s.additions and s.outcome_before is s.outcome_after:
            continue
        adds = ("；" if lang == "zh" else "; ").join(f"{a.title.get(lang)} +{amount_text(a.amount, a.fact, lang)}"
                                                     for a in s.additions) or "—"
        met = "" if s.met_before is None else (f"（{s.met_before}→{s.met_after}）" if lang == "zh"
                                               else f" ({s.met_before}→{s.met_after})")
        table.add_row(section_label(s.school_id, s.school_name, s.level, lang), adds,
                      n.money(s.cost, lang),
                      f"{_outcome(s.outcome_before, lang)} → {_outcome(s.outcome_after, lang)}{met}")
    console.print(table)
    if run.cost_by_fact:
        totals = Table(title=_w("按资源合计", "Totals by resource", lang), title_justify="left")
        for col in (_w("资源", "Resource", lang), _w("数量", "Amount", lang), _w("单价", "Unit cost", lang),
                    _w("费用", "Cost", lang)):
            totals.add_column(col)
        for fact, cost in run.cost_by_fact.items():
            amount = sum((a.amount for s in run.sections for a in s.additions if a.fact == fact), Fraction(0))
            price = next(a.yuan_per_unit for s in run.sections for a in s.additions if a.fact == fact)
            totals.add_row(_fact(fact, lang), amount_text(amount, fact, lang), n.money(price, lang),
                           n.money(cost, lang))
        console.print(totals)
    if run.cv:
        cvt = Table(title=_w("差异系数（前→后）", "Coefficients of variation (before → after)", lang),
                    title_justify="left")
        for col in (_w("学段", "Level", lang), _w("指标", "Indicator", lang), _w("限值", "Limit", lang),
                    _w("计划前", "Before", lang), _w("计划后", "After", lang)):
            cvt.add_column(col, overflow="fold")
        for c in run.cv:
            cvt.add_row(c.level.label(lang), c.title.get(lang), n.limit(c.limit) if c.judge == "each" else
                        _w(f"综合≤{n.limit(c.limit)}", f"composite ≤ {n.limit(c.limit)}", lang),
                        "—" if c.cv_before is None else n.cv(c.cv_before),
                        "—" if c.cv_after is None else n.cv(c.cv_after))
        for comp in run.composites:
            cvt.add_row(comp.level.label(lang), _w("综合差异系数", "composite CV", lang), n.limit(comp.limit),
                        "—" if comp.before is None else n.cv(comp.before),
                        "—" if comp.after is None else n.cv(comp.after))
        console.print(cvt)
    total = n.money(run.total_cost, lang)
    gap = run.solver.gap
    gap_text = "—" if gap is None else n.percent(gap)
    if run.budget is not None:
        rest = n.money(run.remainder_cost or Fraction(0), lang)
        console.print(_w(f"预算 {n.money(run.budget, lang)}：方案费用 {total}，达标学段 "
                         f"{run.sections_passing_before} → "
                         f"{run.sections_passing_after}；全部达标还需约 {rest}。",
                         f"Budget {n.money(run.budget, lang)}: plan costs {total}; sections passing "
                         f"{run.sections_passing_before} → {run.sections_passing_after}; the rest would cost "
                         f"{rest} more.", lang), highlight=False)
    elif not run.feasible:
        console.print(_w("[bold red]无可行方案：仅靠增加资源不能同时满足全部要求。[/]",
                         "[bold red]No feasible plan: additions alone cannot meet every requirement.[/]", lang))
    else:
        console.print(_w(f"[bold]合计 {total}[/]（达标学段 {run.sections_passing_before} → "
                         f"{run.sections_passing_after}）",
                         f"[bold]Total {total}[/] (sections passing {run.sections_passing_before} → "
                         f"{run.sections_passing_after})", lang), highlight=False)
    left = sum(1 for s in run.sections if s.outcome_after is not Outcome.passed)
    if run.verified and left:
        check = _w(f"核验：按方案增加后由规则引擎重新评估，方案所针对的各项均达标；仍有{left}个学段未达标，"
                   "原因是增加资源不能解决的事项（见下）。",
                   f"Check: re-evaluated by the rules engine with the additions applied, everything the plan "
                   f"addresses passes; {left} sections still do not pass, for reasons additions cannot fix (below).",
                   lang)
    elif run.verified:
        check = _w("核验：按方案增加后由规则引擎重新评估，全部达标。",
                   "Check: re-evaluated by the rules engine with the additions applied: every addressed criterion "
                   "passes.", lang)
    else:
        check = _w("[bold red]核验：重新评估未全部达标（见上）。[/]",
                   "[bold red]Check: the re-evaluation does not pass everything (above).[/]", lang)
    console.print(check, highlight=False)
    if run.unfixable:
        console.print(_w("增加资源不能解决的事项：", "What additions cannot fix:", lang))
        for u in run.unfixable:
            where = unfixable_where(run, u, lang)
            where = where + " " if where else ""
            fixes = ("；" if lang == "zh" else "; ").join(remedy_text(r, lang) for r in u.remedies)
            reason = unfixable_reason(u, lang)
            line = (f"  • {where}{u.title.get(lang)}（{reason}）" + (f"：{fixes}" if fixes else "") if lang == "zh"
                    else f"  • {where}{u.title.get(lang)} ({reason})" + (f": {fixes}" if fixes else ""))
            console.print(line, highlight=False, soft_wrap=True)
    notes = sorted({note.split("；")[0] for note in run.cost_notes.values()})
    console.print(_w(f"单价：{shown(run.costs_file)}" + (f"（{shown('；'.join(notes))}）" if notes else ""),
                     f"Unit costs: {shown(run.costs_file)}" + (f" ({shown('; '.join(notes))})" if notes else ""),
                     lang),
                  style="dim", highlight=False)
    console.print(_w(f"求解器 {run.solver.name}，{run.solver.method}，{run.solver.rounds}轮、{run.solver.cuts}个切割，"
                     f"{run.solver.seconds:.2f}秒，最优性差距 {gap_text}",
                     f"solver {run.solver.name}, {run.solver.method}, {run.solver.rounds} rounds, "
                     f"{run.solver.cuts} cuts, {run.solver.seconds:.2f} s, optimality gap {gap_text}", lang),
                  style="dim", highlight=False, soft_wrap=True)


def _budget(text: str | None, lang: str) -> Fraction | None:
    if text is None:
        return None
    try:
        parsed = parse_number(text)
    except CellError as exc:
        raise fail(f"--budget：{exc.message_zh}", f"--budget: {exc.message_en}", lang) from None
    if parsed.value is None or parsed.value < 0:
        raise fail("--budget 应为不小于0的金额（元）", "--budget must be an amount ≥ 0 (yuan)", lang)
    return parsed.value


def plan_command(
    file: Annotated[Path, typer.Argument(help="各校学段数据 CSV/XLSX/JSON/YAML / school sections")],
    costs: Annotated[Path, typer.Option("--costs", help="单价文件 YAML/XLSX / unit costs file")],
    ruleset: RulesetOption = "national/quality-2017",
    county_facts: Annotated[Path | None, typer.Option("--county-facts", help="县级数据 / county facts")] = None,
    school_ruleset: Annotated[str | None, typer.Option(
        "--school-ruleset", help="省级办学基本标准规则集 / provincial school ruleset")] = None,
    scope: Annotated[Scope | None, typer.Option(
        "--scope", help="county（有县域部分时默认）或 school / county (default with a county part) or school")]
        = None,
    target: Annotated[Target, typer.Option(
        "--target", help="gate（通过学校判定，默认）或 all（每项指标达标）/ pass the gate, or meet every indicator")]
        = Target.gate,
    budget: Annotated[str | None, typer.Option("--budget", help="预算（元）/ budget in yuan")] = None,
    fmt: FormatOption = None,
    lang: LangOption = Lang.zh,
    output: OutputOption = None,
    engine: EngineOption = Engine.durable,
) -> None:
    """最省达标方案 / The cheapest additions that make every section pass (and every CV within its limit).

    Exit code 0 when the plan is verified (re-evaluated with the additions applied, every addressed
    criterion passes), 1 when not (or no plan exists), 2 when an input cannot be read.
    """
    fmt = output_format(fmt, output)
    if fmt.is_report and output is None:
        raise fail(f"--format {fmt} 需要用 -o 指定输出文件", f"--format {fmt} needs -o FILE", lang)
    try:
        loaded: LoadedRuleset = load_ruleset(ruleset)
        school = load_ruleset(school_ruleset) if school_ruleset else None
    except RulesetError as exc:
        raise fail(str(exc), str(exc), lang) from None
    for path in (file, costs, county_facts):
        if path is not None and not path.is_file():
            raise fail(f"找不到文件：{path}", f"no such file: {path}", lang)
    protect(file, costs, county_facts, loaded.path, school.path if school else None)
    try:
        unit_costs = read_costs(costs)
        batch = read_facts(file)
    except CostsFileError as exc:
        raise fail(exc.message_zh, exc.message_en, lang) from None
    except UnsupportedFormatError as exc:
        raise fail(exc.message_zh, exc.message_en, lang) from None
    facts = read_county_facts(county_facts) if county_facts is not None else None
    try:
        run = make_plan(loaded, batch, unit_costs, scope=scope, target=target, county_facts=facts,
                        school_ruleset=school, budget=_budget(budget, lang), engine=engine.value)
    except PlanError as exc:
        raise fail(*plan_error(exc), lang) from None
    if fmt is Format.xlsx and output is not None:
        from junheng.cli.plan_report import write_plan_xlsx

        write_plan_xlsx(output, run, lang.value)
    elif fmt is Format.html and output is not None:
        from junheng.cli.plan_report import write_plan_html

        write_plan_html(output, run, lang.value)
    elif fmt is Format.json:
        text = dumps(plan_json(run, lang.value)) + "\n"
        if output is not None:
            write_text_atomic(output, text)
        else:
            typer.echo(text, nl=False)
    else:
        console = Console(record=output is not None, width=160 if output is not None else None)
        print_plan(run, console, lang.value)
        for issue in run.issues:
            console.print(f"  {'✗' if issue.severity == 'error' else '!'} {shown(issue.message(lang.value))}",
                          highlight=False, soft_wrap=True)
        if output is not None:
            write_text_atomic(output, console.export_text())
    if not run.verified:
        raise typer.Exit(EXIT_FAILED)

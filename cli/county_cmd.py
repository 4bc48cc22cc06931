"""``junheng county``: the county verdict, its reasons, and what drives each 差异系数.

Only parsing and formatting: every number and verdict comes from :mod:`junheng.engine.county`.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from junheng.cli.atomic import protect, write_text_atomic
from junheng.cli.chunks import default_jobs
from junheng.cli.county_json import county_json
from junheng.cli.county_many import facts_for_one_county, nearest_county, run_counties
from junheng.cli.county_many import select_county as select_county_batch
from junheng.cli.json_output import dumps
from junheng.cli.options import (
    EXIT_FAILED,
    AtOption,
    ColumnsOption,
    Engine,
    EngineOption,
    Format,
    FormatOption,
    Lang,
    LangOption,
    OutputOption,
    column_map,
    fail,
    output_format,
    parse_at,
    pick,
    shown,
)
from junheng.cli.render import numbers as n
from junheng.cli.render.explain import exclusion_text, explain_county, explain_criterion, section_names
from junheng.cli.render.splits import split_sentence
from junheng.cli.text import outcome_word
from junheng.engine.county import evaluate_county
from junheng.engine.county_results import CountyRun
from junheng.engine.results import Outcome
from junheng.policy.county_inputs import CountyEvaluationError, counties_of
from junheng.policy.loader import LoadedRuleset, RulesetError
from junheng.policy.readers import read_facts
from junheng.policy.versions import load_at

_STYLE = {Outcome.passed: "green", Outcome.failed: "bold red", Outcome.unknown: "yellow", Outcome.scored: "cyan"}
_GROUPS = {
    "prerequisite": ("前提条件", "Prerequisite"), "balance": ("校际均衡", "Between-school balance"),
    "government": ("政府保障程度", "Government"),
    "effort": ("县级政府推进工作", "Government effort"), "public": ("公众满意度", "Public satisfaction"),
    "resources": ("资源配置", "Resources"), "quality": ("教育质量", "Education quality"),
    "recognition": ("社会认可度", "Social recognition"), "veto": ("一票否决", "Veto items"),
}


_w = pick


def group_label(group: str, lang: str) -> str:
    """The area of the 办法 a county criterion belongs to (政府保障程度 …), in ``lang``."""
    zh, en = _GROUPS.get(group, (group, group))
    return zh if lang == "zh" else en


def _o(outcome: Outcome, lang: str) -> str:
    return f"[{_STYLE[outcome]}]{outcome_word(outcome, lang)}[/]"


def print_county(run: CountyRun, console: Console, lang: str) -> None:
    title = run.ruleset.title.get(lang)
    console.print(f"[bold]{shown(run.county or '—')}[/] {run.year or ''} · {run.ruleset.id}（{title}）· "
                  f"{_o(run.outcome, lang)}", highlight=False)
    console.print(explain_county(run, lang), highlight=False, soft_wrap=True)
    for lv in run.levels:
        judge = (_w("综合差异系数", "composite CV", lang) if lv.judge == "composite"
                 else _w("逐项判断", "each CV judged", lang))
        weighting = _w("加权", "weighted", lang) if lv.weighted else _w("不加权", "unweighted", lang)
        head = (f"{lv.level.label(lang)} · {lv.schools} {_w('所学校', 'schools', lang)} · {weighting} · "
                f"{judge} ≤ {n.limit(lv.limit)}")
        if lv.composite is not None and lv.judge == "composite":
            head += f" · {_w('综合', 'composite', lang)} {n.cv(lv.composite)}"
        elif lv.composite is not None:
            head += f" · {_w('平均（非判定标准）', 'mean (not judged)', lang)} {n.cv(lv.composite)}"
        table = Table(title=f"{head} · {_o(lv.outcome, lang)}", title_justify="left")
        for col in (_w("指标", "Indicator", lang), _w("差异系数", "CV", lang), _w("结果", "Result", lang),
                    _w("主要来源（占方差）", "Main driver (share of variance)", lang),
                    _w("最低校提至县均值后", "CV if lowest raised to mean", lang),
                    _w("最低校提至标准后", "CV if lowest raised to standard", lang)):
            table.add_column(col, overflow="fold")
        for ind in lv.indicators:
            top = next((d for d in ind.drivers if d.share_of_variance), None)
            driver = "" if top is None else (
                f"{shown(top.school_name or top.school_id)} {n.percent(top.share_of_variance or Fraction(0))}")
            whatif = {w.to: n.cv(w.cv) for w in ind.what_if}
            result = ("" if ind.passed is None and not ind.missing
                      else _o(Outcome.unknown, lang) if ind.passed is None
                      else _o(Outcome.passed if ind.passed else Outcome.failed, lang))
            table.add_row(ind.title.get(lang), "—" if ind.cv is None else n.cv(ind.cv), result,
                          driver, whatif.get("county_mean", ""), whatif.get("standard", ""))
        console.print(table)
    table = Table(title=_w("评估标准", "Criteria", lang), title_justify="left", show_lines=False)
    for col in (_w("方面", "Area", lang), _w("标准", "Criterion", lang), _w("结果", "Result", lang),
                _w("来源状态", "Status", lang)):
        table.add_column(col, overflow="fold")
    for c in run.criteria:
        group = _GROUPS.get(c.group, (c.group, c.group))
        table.add_row(group[0] if lang == "zh" else group[1], c.title.get(lang), _o(c.outcome, lang),
                      c.status.label(lang))
    console.print(table)
    notes = [c for c in run.criteria if c.outcome is not Outcome.passed]
    if notes:
        console.print(_w("说明：", "Explanations:", lang))
        for c in notes:
            console.print(f"  • {explain_criterion(c, run, lang)}", highlight=False, soft_wrap=True)
    cs = run.class_sizes
    if cs is not None:
        known = cs.sections_known
        # a band read from an average, or a largest class not given: the counts are lower bounds
        least_zh, least_en = ("至少", "at least ") if cs.from_average or cs.unknown else ("", "")
        unknown_zh, unknown_en = (section_names(run, cs.unknown, lg) for lg in ("zh", "en"))
        from_avg_zh = f"（按平均班额判断：{section_names(run, cs.from_average, 'zh')}）" if cs.from_average else ""
        from_avg_en = (f" (from the average class: {section_names(run, cs.from_average, 'en')})"
                       if cs.from_average else "")
        shares = ("" if cs.large_share is None else
                  f"（{n.percent(cs.large_share)}、{n.percent(cs.super_large_share or Fraction(0))}）")
        console.print(_w(
            f"班额分档（最大班额；大班额{cs.large_from}—{cs.super_large_from - 1}人，"
            f"超大班额≥{cs.super_large_from}人）："
            f"{known}个学段中大班额{least_zh}{len(cs.large)}个、超大班额{least_zh}{len(cs.super_large)}个{shares}"
            f"{from_avg_zh}；最大班额未知：{unknown_zh or '无'}。",
            f"Class-size bands (largest class; large {cs.large_from}–{cs.super_large_from - 1}, super-large "
            f"≥ {cs.super_large_from}): of {known} sections, {least_en}{len(cs.large)} large, {least_en}"
            f"{len(cs.super_large)} super-large{from_avg_en}; largest class unknown: "
            f"{unknown_en or 'none'}.", lang), highlight=False)
    for sp in run.splits:
        console.print(split_sentence(sp, lang), highlight=False)
    excluded = [s for s in run.schools if s.excluded is not None]
    for s in excluded:
        console.print(f"  − {shown(s.school_name or s.school_id)}（{s.level.label(lang)}）: "
                      f"{exclusion_text(s.excluded, lang) if s.excluded else ''}", highlight=False)
    for issue in run.issues:
        mark = "✗" if issue.severity == "error" else "!"
        console.print(f"  {mark} {shown(issue.message(lang))}", highlight=False, soft_wrap=True)
    console.print(_w(f"规则集 {run.ruleset.id}（sha256 {run.ruleset.sha256[:12]}…）；输入 {shown(run.input_file)}；"
                     f"县级数据 {shown(run.county_facts_file or '无')}；"
                     f"junheng {run.junheng_version}；引擎 {run.engine}",
                     f"ruleset {run.ruleset.id} (sha256 {run.ruleset.sha256[:12]}…); input {shown(run.input_file)}; "
                     f"county facts {shown(run.county_facts_file or 'none')}; junheng {run.junheng_version}; "
                     f"engine {run.engine}", lang), style="dim", highlight=False)


def county(
    file: Annotated[Path, typer.Argument(help="县内各校学段数据 CSV/XLSX/XLS/JSON/YAML / school sections")],
    ruleset: Annotated[str, typer.Option("--ruleset", "-r", help="national/basic-2012 | national/quality-2017 | YAML")]
    = "national/quality-2017",
    county_facts: Annotated[list[Path] | None, typer.Option(
        "--county-facts", help="县级数据 YAML/JSON/XLSX；多个县：每县一个文件（可重复）、文件夹（文件按县命名）"
                               "或按县分列的一个文件（counties: 映射，或带“县（市、区）”列的 CSV/XLSX）"
                               "/ county facts; several counties: one file each (repeat), a folder, or one file "
                               "keyed by county")] = None,
    school_ruleset: Annotated[str | None, typer.Option(
        "--school-ruleset", help="省级办学基本标准规则集 / provincial school ruleset (2012 prerequisite)")] = None,
    fmt: FormatOption = None,
    lang: LangOption = Lang.zh,
    output: OutputOption = None,
    engine: EngineOption = Engine.durable,
    columns: ColumnsOption = None,
    at: AtOption = None,
    select_county: Annotated[str | None, typer.Option(
        "--select-county", help="数据中有多个县时只评估此县 / evaluate only this county of several")] = None,
    indent: Annotated[int | None, typer.Option(
        "--indent", min=0, max=8, help="JSON 缩进（一个县默认 2；多个县默认紧凑）/ JSON indent (one county: 2; "
                                       "several: compact)")] = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, max=256, help="多个县时并行评估的进程数（默认：本机核数；结果与进程数无关）/ worker "
                                            "processes for several counties (default: the cores; same output)")] = None,
    school_results: Annotated[bool, typer.Option(
        "--school-results", help="多个县的 JSON 也写出各校逐项结果（很大）/ several counties: include every "
                                 "school's full results in the JSON (large)")] = False,
) -> None:
    """县域评估 / Evaluate a county: verdict, reasons, and what drives each 差异系数.

    When FILE names several counties (县（市、区） column), each is evaluated on its own sections and
    facts and the result is one document (JSON) or one line per county (table); report files are
    made one county at a time (--select-county).

    Exit code 0 when the county (every county) meets every criterion, 1 when one does not or cannot be
    decided, 2 when an input or ruleset cannot be read, 3 on an internal error.
    """
    fmt = output_format(fmt, output)
    if fmt.is_report and output is None:
        raise fail(f"--format {fmt} 需要用 -o 指定输出文件", f"--format {fmt} needs -o FILE", lang)
    facts_paths = list(county_facts or [])
    try:
        when = parse_at(at)  # the values in force then (dated rulesets, the 2019 规程's window)
        loaded = load_at(ruleset, when)
        school: LoadedRuleset | None = load_at(school_ruleset, when) if school_ruleset else None
    except RulesetError as exc:
        raise fail(str(exc), str(exc), lang) from None
    if not file.is_file():
        raise fail(f"找不到文件：{file}", f"no such file: {file}", lang)
    for path in facts_paths:
        if not path.is_file() and not path.is_dir():
            raise fail(f"找不到文件：{path}", f"no such file: {path}", lang)
    protect(file, *(p for p in facts_paths if p.is_file()), loaded.path, school.path if school else None)
    batch = read_facts(file, column_map(columns))
    if select_county is not None:
        picked = select_county_batch(batch, select_county)
        if picked is None:
            near = nearest_county(batch, select_county)
            raise fail(f"数据中没有县“{select_county}”" + (f"；是否指“{near}”？" if near else ""),
                       f"the data name no county {select_county!r}" + (f"; did you mean {near!r}?" if near else ""),
                       lang)
        batch = picked
    names = counties_of(batch)
    if len(names) > 1:
        if fmt.is_report:
            raise fail(f"数据中有 {len(names)} 个县；申报表每县一份，请用 --select-county 县名 逐县生成"
                       "（或用 --format json / 表格查看所有县）",
                       f"the data hold {len(names)} counties; the application forms are one county's each: "
                       "make them one county at a time with --select-county NAME (or see every county with "
                       "--format json or the table)", lang)
        try:
            counted = run_counties(loaded, batch, facts_paths, school, engine.value, lang,
                                   fmt is Format.json, output, indent, school_results, jobs or default_jobs())
        except CountyEvaluationError as exc:
            raise fail(exc.message_zh, exc.message_en, lang) from None
        if counted["passed"] != sum(counted.values()):
            raise typer.Exit(EXIT_FAILED)
        return
    facts, facts_issues = facts_for_one_county(facts_paths, names[0] if names else "") if facts_paths else (None, [])
    if facts_issues and facts is not None:
        facts = facts.model_copy(update={"issues": (*facts_issues, *facts.issues)})
    elif facts_issues:
        batch = batch.model_copy(update={"issues": [*batch.issues, *facts_issues]})
    try:
        run = evaluate_county(loaded, batch, facts, school, engine.value)
    except CountyEvaluationError as exc:
        raise fail(exc.message_zh, exc.message_en, lang) from None
    if fmt.is_report and output is not None:
        from junheng.cli.county_report import write_county_report  # issue 6: report files

        write_county_report(fmt.value, output, run, lang)
    elif fmt is Format.json:
        text = (dumps(county_json(run, lang)) if indent is None
                else json.dumps(county_json(run, lang), ensure_ascii=False, indent=indent)) + "\n"
        if output is not None:
            write_text_atomic(output, text)
        else:
            typer.echo(text, nl=False)
    else:
        console = Console(record=output is not None, width=160 if output is not None else None)
        print_county(run, console, lang)
        if output is not None:
            write_text_atomic(output, console.export_text())
    if run.outcome is not Outcome.passed:
        raise typer.Exit(EXIT_FAILED)

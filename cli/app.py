"""The ``junheng`` command line (typer). Commands only parse options and format results;
every verdict comes from :mod:`junheng.engine`."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from junheng import api
from junheng.cli import (
    atomic,
    check_cmd,
    compare_cmd,
    county_cmd,
    diff_cmd,
    explain_cmd,
    lint_cmd,
    plan_cmd,
    rulesets_cmd,
    template_cmd,
    test_cmd,
)
from junheng.cli.atomic import protect, write_text_atomic
from junheng.cli.chunks import default_jobs, evaluate_json_to_file, evaluate_json_to_stream
from junheng.cli.explain_cmd import OfficeOption
from junheng.cli.options import (
    EXIT_CODES_HELP,
    EXIT_FAILED,
    EXIT_INTERNAL,
    AtOption,
    ColumnsOption,
    CountyFactsOption,
    Engine,
    EngineOption,
    Format,
    FormatOption,
    JobsOption,
    Lang,
    LangOption,
    OutputOption,
    RulesetOption,
    column_map,
    fail,
    output_format,
    parse_at,
    shared_split,
    stop,
)
from junheng.cli.progress import progress_count, progress_steps
from junheng.cli.render.splits import split_sentence
from junheng.cli.reports import REPORT_FORMATS, evaluate_report_to_file
from junheng.cli.table_output import print_evaluation
from junheng.cli.text import t
from junheng.policy.loader import RulesetError
from junheng.policy.readers import UnsupportedFormatError

app = typer.Typer(
    name="junheng",
    help="均衡 junheng — 义务教育均衡发展督导评估规则引擎 / rules-as-code engine for China's "
         "compulsory-education balance standards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from junheng import __version__

        typer.echo(f"junheng {__version__}")
        raise typer.Exit()


@app.callback(epilog=EXIT_CODES_HELP)
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, metavar="",
                           help="显示版本 / show the version and exit")
    ] = False,
    debug: Annotated[bool, typer.Option(
        "--debug", help="内部错误时显示完整调用栈 / show the stack trace of an internal error")] = False,
    replace_symlinks: Annotated[bool, typer.Option(
        "--replace-symlinks", help="允许用输出文件替换作为输出路径的符号链接 / an output path that is a "
                                   "symbolic link is replaced (not followed)")] = False,
) -> None:
    """均衡 junheng — 义务教育均衡发展督导评估规则引擎 / rules-as-code engine for China's compulsory-education
    balance standards."""
    atomic.REPLACE_SYMLINKS = replace_symlinks



def evaluate(
    file: Annotated[Path, typer.Argument(help="学校数据文件 CSV/XLSX/JSON/YAML / school facts file")],
    ruleset: RulesetOption = "national/quality-2017",
    fmt: FormatOption = None,
    lang: LangOption = Lang.zh,
    output: OutputOption = None,
    engine: EngineOption = Engine.durable,
    at: AtOption = None,
    columns: ColumnsOption = None,
    office: OfficeOption = None,
    county_facts: CountyFactsOption = None,
    indent: Annotated[int | None, typer.Option(
        "--indent", min=0, max=8, help="JSON 缩进（写入文件时默认紧凑）/ JSON indent (files are compact by default)",
    )] = None,
    jobs: JobsOption = None,
) -> None:
    """逐校评估 / Evaluate every school section in FILE against a ruleset.

    Exit code 0 when every row was evaluated, 1 when some input rows were rejected (they are
    listed), 2 when the file or ruleset cannot be read or the options do not fit, 3 on an internal
    error.
    """
    fmt = output_format(fmt, output)
    try:
        loaded = api.load_ruleset(ruleset, parse_at(at))  # --at: the version in force (issue 4)
    except RulesetError as exc:
        raise fail(str(exc), str(exc), lang) from None
    if not file.is_file():
        raise fail(f"找不到文件：{file}", f"no such file: {file}", lang)
    protect(file, loaded.path)
    if fmt.value in REPORT_FORMATS and output is None:
        raise fail(f"--format {fmt.value} 需要用 -o 指定输出文件", f"--format {fmt.value} needs -o FILE", lang)
    streamed = fmt is Format.json  # chunk by chunk, on --jobs processes
    reported = fmt.value in REPORT_FORMATS and output is not None  # chunk by chunk as well (issue 12 item 4)
    with progress_steps(1 if streamed or reported else 2) as step:
        step(f"读取 {file.name}" if lang is Lang.zh else f"reading {file.name}")
        try:
            batch = api.read_facts(file, columns=column_map(columns))
        except UnsupportedFormatError as exc:
            raise fail(exc.message_zh, exc.message_en, lang) from None
        if batch.rows_read == 0 and batch.errors:  # nothing readable: a file-level problem
            for issue in batch.errors:
                Console(stderr=True).print(issue.message(lang.value), highlight=False, soft_wrap=True)
            raise fail("输入文件中没有可评估的数据行", "the input file has no rows that can be evaluated", lang)
        batch, splits = shared_split(loaded, batch, county_facts)  # as `junheng county` splits them
        if not streamed and not reported:
            step("评估" if lang is Lang.zh else "evaluating")
            result = api.evaluate(batch, loaded, lang=lang.value, engine=engine.value)  # the Python API
            run = result.run
    if reported and output is not None:  # one chunk's results held at a time
        with progress_count(len(batch.sections), f"评估并写入 {output.name}" if lang is Lang.zh
                            else f"evaluating, writing {output.name}") as advance:
            evaluate_report_to_file(fmt.value, output, loaded, batch, lang.value, engine.value, office,
                                    on_chunk=advance)
    if fmt.value in REPORT_FORMATS or fmt is Format.json:
        for sp in splits:  # the split figures the verdicts used, never silently
            Console(stderr=True).print(split_sentence(sp, lang.value), highlight=False, soft_wrap=True)
    if fmt.value in REPORT_FORMATS:
        Console(stderr=True).print(t("written", lang.value, path=output), highlight=False)
    elif fmt is Format.json:
        # chunk by chunk on --jobs processes (issue 12 items 4 and 6): a file compact unless
        # --indent, stdout indented 2 unless --indent
        with progress_count(len(batch.sections), "评估并写入" if lang is Lang.zh else "evaluating, writing",
                            ) as advance:
            if output is not None:
                evaluate_json_to_file(output, loaded, batch, lang.value, indent, engine.value,
                                      jobs or default_jobs(), on_chunk=advance)
            else:
                sys.stdout.flush()
                evaluate_json_to_stream(sys.stdout.buffer, loaded, batch, lang.value, 2 if indent is None else indent,
                                        engine.value, jobs or default_jobs(), on_chunk=advance)
        if output is not None:
            Console(stderr=True).print(t("written", lang.value, path=output))
    else:
        console = Console(record=output is not None, width=160 if output is not None else None)
        print_evaluation(run, console, lang.value)
        for sp in splits:
            console.print(split_sentence(sp, lang.value), highlight=False, soft_wrap=True)
        if output is not None:
            write_text_atomic(output, console.export_text())
    if batch.errors:
        raise typer.Exit(EXIT_FAILED)  # some rows rejected


def demo(lang: LangOption = Lang.zh, fmt: FormatOption = None, output: OutputOption = None) -> None:
    """示例：用内置示例县数据按优质均衡2017标准评估 / Evaluate the bundled example county."""
    from junheng.examples import example_path

    evaluate(example_path("demo_county.csv"), "national/quality-2017", fmt, lang, output, Engine.durable)


# `junheng --help` lists commands in this order (typer keeps registration order; groups come last):
# the main job first, then the county, revisions, letters and input templates, then ruleset tools.
app.command(name="evaluate")(evaluate)
app.command(name="demo")(demo)
app.command(name="county")(county_cmd.county)  # issue 3: county evaluation
app.command(name="compare")(compare_cmd.compare_command)  # issue 4: two rulesets, same schools
app.command(name="diff")(diff_cmd.diff_command)  # issue 4: what changed between rulesets
app.command(name="explain")(explain_cmd.explain_command)  # issue 4: the principal's letter
app.command(name="plan")(plan_cmd.plan_command)  # issue 13: the cheapest way to pass
app.command(name="template")(template_cmd.template)
app.command(name="check")(check_cmd.check)  # issue 5: property checks
app.command(name="lint")(lint_cmd.lint)  # issue 5: ruleset lint
app.command(name="test")(test_cmd.test_command)  # issue 10: test cases as data
app.add_typer(rulesets_cmd.app, name="rulesets")


_GLOBAL_FLAGS = ("--debug", "--replace-symlinks")


def main(argv: list[str] | None = None) -> None:
    """The ``junheng`` entry point: exit codes 0 / 1 / 2 as each command documents, 3 for an
    internal error (one line; the stack only with ``--debug``). The global flags may be given
    anywhere on the command line."""
    args = list(sys.argv[1:] if argv is None else argv)
    flags = [a for a in args if a in _GLOBAL_FLAGS]
    args = [*flags, *(a for a in args if a not in _GLOBAL_FLAGS)]
    try:
        app(args=args, prog_name="junheng")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        raise SystemExit(stop("已中断 / interrupted", code=130).exit_code) from None
    except OSError as exc:  # a report that cannot be written (disk full, no permission …)
        reason = f"{exc.filename or ''}: {exc.strerror or exc}"
        raise SystemExit(stop(f"无法读写文件 / cannot read or write file {reason}").exit_code) from None
    except Exception as exc:
        if "--debug" in flags:
            traceback.print_exc()
        detail = " ".join(str(exc).split())[:300]
        hint = "" if "--debug" in flags else "；加 --debug 显示调用栈 / rerun with --debug for the stack"
        raise SystemExit(stop(f"内部错误 / internal error: {type(exc).__name__}: {detail}{hint}",
                              code=EXIT_INTERNAL).exit_code) from None

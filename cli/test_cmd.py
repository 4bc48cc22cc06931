"""``junheng test``: run test cases written as data (YAML files next to the rulesets)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from junheng.cli.options import EXIT_FAILED, EXIT_USAGE, Lang, LangOption, stop
from junheng.cli.render.cases import case_header, summary
from junheng.policy.cases import Case, CaseFileError, case_files, read_cases
from junheng.testing import describe_case_failure, run_case


def test_command(
    paths: Annotated[list[Path], typer.Argument(help="用例文件或目录（*.yaml）/ case files or directories")],
    lang: LangOption = Lang.zh,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="列出通过的用例 / list passing cases too")] = False,
) -> None:
    """运行数据化测试用例 / Run test cases written as data: each names a school, a ruleset and a
    date, and what some rules must give (outcome, shortfall_total, points, actual, required).

    Exit code 0 when every case holds, 1 when one does not (the case, the rule, expected vs got),
    2 when a case file cannot be read (file:line).
    """
    cases: list[Case] = []
    unreadable: list[str] = []
    for path in case_files(paths):
        try:
            cases += read_cases(path)
        except CaseFileError as exc:
            unreadable.append(str(exc))
    if not cases and not unreadable:
        unreadable.append(f"{' '.join(map(str, paths))}: 没有找到用例文件 / no case files found")
    if unreadable:
        raise stop("\n".join(unreadable), EXIT_USAGE)
    failed = 0
    for case in cases:
        try:
            mismatches = run_case(case)
        except CaseFileError as exc:
            raise stop(str(exc), EXIT_USAGE) from None
        if mismatches:
            failed += 1
            typer.echo(describe_case_failure(case, mismatches, lang.value))
        elif verbose:
            typer.echo(case_header(case.name, case.file, case.line, True, lang.value))
    typer.echo(summary(len(cases), failed, lang.value))
    if failed:
        raise typer.Exit(EXIT_FAILED)

"""``junheng compare`` — the same schools under two rulesets (e.g. Anhui 2007 → 2018).

Also the option helpers shared by ``diff`` and ``explain`` (ruleset by id, path or
``id@version``, and ``--at YYYY-MM-DD`` for the version in force on a date).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from junheng.cli.atomic import write_text_atomic
from junheng.cli.compare_json import compare_json
from junheng.cli.compare_report import write_comparison
from junheng.cli.compare_text import change_word, needed_text, requirement_text, side_text
from junheng.cli.json_output import dumps
from junheng.cli.options import (
    EXIT_FAILED,
    AtOption,
    ColumnsOption,
    CountyFactsOption,
    Format,
    FormatOption,
    Lang,
    LangOption,
    facts,
    load,
    output_format,
    shared_split,
    shown,
    stop,
)
from junheng.cli.render.splits import split_sentence
from junheng.cli.table_output import print_input_issues
from junheng.cli.text import outcome_word, t
from junheng.engine.compare import Comparison, compare

_STYLE = {"newly_failing": "bold red", "new_failing": "red", "still_failing": "red", "newly_passing": "green",
          "new_passing": "green", "still_passing": "green", "added": "cyan", "removed": "dim", "undecided": "yellow"}


def print_comparison(c: Comparison, console: Console, lang: str) -> None:
    console.print(f"{c.base.id} ({c.base.version}) → {c.against.id} ({c.against.version})", highlight=False)
    for s in c.schools:
        head = f"{shown(s.school_name or s.school_id)}（{shown(s.school_id)}）· {s.level.label(lang)}: "
        was = outcome_word(s.before, lang) if s.before else "—"
        head += f"{was} → {outcome_word(s.after, lang) if s.after else '—'}"
        table = Table(title=head, title_justify="left")
        for col in (("指标", "rule"), ("变化", "change"), ("原标准", "before"), ("新标准", "after"),
                    ("要求", "required"), ("新标准下需要", "needed under the new standard")):
            table.add_column(col[0] if lang == "zh" else col[1])
        for ch in s.changes:
            table.add_row(ch.title.get(lang), f"[{_STYLE[ch.change]}]{change_word(ch.change, lang)}[/]",
                          side_text(ch.before, lang), side_text(ch.after, lang), requirement_text(ch),
                          needed_text(ch, lang))
        console.print(table)


def compare_command(
    file: Annotated[Path, typer.Argument(help="学校数据文件 / school facts file")],
    ruleset: Annotated[str, typer.Option("--ruleset", "-r", help="基准规则集 / base ruleset")],
    against: Annotated[str, typer.Option("--against", "-a", help="对比规则集 / ruleset to compare with")],
    fmt: FormatOption = None,
    lang: LangOption = Lang.zh,
    at: AtOption = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="写入文件（原子写入）/ write to a file (atomically)")] = None,
    columns: ColumnsOption = None,
    county_facts: CountyFactsOption = None,
) -> None:
    """新旧标准对比 / Compare every school in FILE under two rulesets: verdicts and points under
    each, what changed, and the extra resources needed under the second. With --format xlsx or
    html and -o FILE it writes a report: one sheet per level (XLSX) or one offline page (HTML).

    Exit code 0 when every row was compared, 1 when some input rows were rejected (they are
    listed), 2 when the file or a ruleset cannot be read."""
    fmt = output_format(fmt, output)
    if fmt.is_report and output is None:
        raise stop(f"--format {fmt.value} 需要用 -o 指定输出文件 / --format {fmt.value} needs -o FILE")
    base, other = load(ruleset, at), load(against, at)
    read = facts(file, columns)
    batch, splits_base = shared_split(base, read, county_facts)  # each ruleset splits by its own weights
    other_batch, splits_other = shared_split(other, read, county_facts)
    result = compare(base, other, batch.sections, against_sections=other_batch.sections,
                     batch=batch)
    splits = [(base.ruleset.id, sp) for sp in splits_base] + [(other.ruleset.id, sp) for sp in splits_other]
    if output is not None and fmt.is_report:
        write_comparison(fmt.value, output, result, batch, lang.value)
    elif fmt is Format.json:
        text = dumps(compare_json(result, lang.value))
        if output is None:
            typer.echo(text)
        else:
            write_text_atomic(output, text + "\n")
    else:
        console = Console(record=output is not None, width=160 if output is not None else None)
        print_comparison(result, console, lang.value)
        for rid, sp in splits:
            console.print(f"{rid}: {split_sentence(sp, lang.value)}", highlight=False, soft_wrap=True)
        print_input_issues(batch.issues, console, lang.value, batch.rejected_rows, batch.unused_columns)
        if output is not None:
            write_text_atomic(output, console.export_text())
    if fmt.is_report or fmt is Format.json:
        for rid, sp in splits:  # the split figures the verdicts used, never silently
            Console(stderr=True).print(f"{rid}: {split_sentence(sp, lang.value)}", highlight=False, soft_wrap=True)
    if output is not None:
        Console(stderr=True).print(t("written", lang.value, path=output), highlight=False)
    if batch.errors:
        raise typer.Exit(EXIT_FAILED)  # some rows rejected: listed above, never dropped silently

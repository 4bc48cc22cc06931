"""Options, exit codes and error output shared by every ``junheng`` command."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from junheng.cli.atomic import protect
from junheng.engine.county_results import SharedSplit
from junheng.policy.county_facts import read_county_facts
from junheng.policy.county_inputs import split_shared_assets
from junheng.policy.inputs import FactsBatch
from junheng.policy.loader import LoadedRuleset, RulesetError
from junheng.policy.readers import ColumnMapError, UnsupportedFormatError, read_column_map, read_facts
from junheng.policy.versions import load_at

EXIT_OK = 0
EXIT_FAILED = 1
"""Rows rejected (evaluate), criteria not met (county), an invariant broken (check)."""
EXIT_USAGE = 2
"""A file or ruleset cannot be read, or the options do not fit together."""
EXIT_INTERNAL = 3
"""An internal error (a bug or an engine failure): one line on stderr, the stack with ``--debug``."""

EXIT_CODES_HELP = ("退出码 / exit codes: 0 成功 / ok; 1 未达标或有行被拒绝 / not met, or rows rejected; "
                   "2 输入无法读取或选项有误 / unreadable input or bad options; 3 内部错误 / internal error "
                   "(--debug 显示详情 / shows the stack).")


class Lang(StrEnum):
    """输出语言 / output language."""

    zh = "zh"
    en = "en"


class Engine(StrEnum):
    """durable: the durable_rules inference engine; direct: the same predicates in Python."""

    durable = "durable"
    direct = "direct"


class Format(StrEnum):
    """Output format: a terminal table, JSON, or a report file (xlsx/html, needs -o)."""

    table = "table"
    json = "json"
    xlsx = "xlsx"
    html = "html"

    @property
    def is_report(self) -> bool:
        return self in (Format.xlsx, Format.html)


SUFFIX_FORMATS: dict[str, Format] = {".xlsx": Format.xlsx, ".html": Format.html, ".htm": Format.html,
                                     ".json": Format.json}
"""The format an output file's suffix asks for when ``--format`` is not given."""


def output_format(fmt: Format | None, output: Path | None) -> Format:
    """``--format`` when given, else the format of ``-o``'s suffix (``报告.xlsx`` → xlsx), else a table."""
    if fmt is not None:
        return fmt
    if output is None:
        return Format.table
    return SUFFIX_FORMATS.get(output.suffix.lower(), Format.table)


class TextFormat(StrEnum):
    """Output format of commands without report files."""

    table = "table"
    json = "json"


FormatOption = Annotated[Format | None, typer.Option(
    "--format", "-f", help="输出格式 table|json|xlsx|html；不写时按 -o 的扩展名 / output format; by default "
                           "from -o's suffix (.xlsx .html .json, else table)")]
TextFormatOption = Annotated[TextFormat, typer.Option("--format", "-f", help="输出格式 / output format")]
LangOption = Annotated[Lang, typer.Option("--lang", help="输出语言 / output language")]
EngineOption = Annotated[Engine, typer.Option(
    "--engine", help="durable（推理引擎）或 direct / inference engine or direct")]
RulesetOption = Annotated[str, typer.Option("--ruleset", "-r", help="规则集编号或YAML文件 / ruleset id or YAML file")]
OutputOption = Annotated[Path | None, typer.Option(
    "--output", "-o", help="写入文件（原子写入）/ write to a file (atomically)")]
AtOption = Annotated[str | None, typer.Option("--at", help="按该日期有效的版本 / the version in force on YYYY-MM-DD")]
JobsOption = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=1, max=256, help="JSON 写入文件时并行评估的进程数（默认：本机核数）/ worker processes for "
                                        "JSON written to a file (default: the machine's cores)")]


def pick(zh: str, en: str, lang: str) -> str:
    """The Chinese or the English text."""
    return zh if lang == "zh" else en


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(text: str) -> str:
    """User-supplied text made safe for rich output: markup escaped (a name ``[/x]`` is text, not
    a closing tag), control characters (terminal escape sequences) shown as ``\\xNN``."""
    return escape(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


def fail(message_zh: str, message_en: str, lang: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print an error on stderr (one line per message: paths and ids are never wrapped) and
    return the Exit to raise."""
    Console(stderr=True).print(f"[bold red]{shown(pick(message_zh, message_en, lang))}[/]", highlight=False,
                               soft_wrap=True)
    return typer.Exit(code)


def stop(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Like :func:`fail` for a message that already carries both languages."""
    Console(stderr=True).print(f"[bold red]{shown(message)}[/]", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def parse_at(at: str | None) -> dt.date | None:
    """The ``--at YYYY-MM-DD`` date, if given."""
    if at is None:
        return None
    try:
        return dt.date.fromisoformat(at)
    except ValueError:
        raise stop(f"--at 应为 YYYY-MM-DD / --at must be YYYY-MM-DD, not {at!r}") from None


def load(ref: str, at: str | None) -> LoadedRuleset:
    """A ruleset by id, ``id@version`` or path; with ``--at``, the version in force then."""
    try:
        loaded = load_at(ref, parse_at(at))
    except RulesetError as exc:
        raise stop(str(exc)) from None
    protect(loaded.path)
    return loaded


ColumnsOption = Annotated[Path | None, typer.Option(
    "--columns", help="列映射 YAML（表头: 事实名称；留空则忽略）/ column map YAML (header: fact; empty: ignore)")]


def column_map(path: Path | None) -> dict[str, str | None] | None:
    """The ``--columns`` mapping, or a usage error naming every bad entry."""
    if path is None:
        return None
    try:
        return read_column_map(path)
    except ColumnMapError as exc:
        raise stop(f"{exc.message_zh} / {exc.message_en}") from None


def facts(file: Path, columns: Path | None = None) -> FactsBatch:
    """The facts file, or a usage error when it is not there or not a supported format."""
    if not file.is_file():
        raise stop(f"找不到文件 / no such file: {file}")
    protect(file)
    mapping = column_map(columns)
    try:
        return read_facts(file, mapping)
    except UnsupportedFormatError as exc:
        raise stop(f"{exc.message_zh} / {exc.message_en}") from None


CountyFactsOption = Annotated[Path | None, typer.Option(
    "--county-facts", help="县级数据 YAML/JSON：其中 shared_assets（一贯制学校全校合计的共用资产）按学段分摊 / "
                           "county facts: their shared_assets (whole-school totals of an 一贯制 school) are split "
                           "between its sections")]


def shared_split(loaded: LoadedRuleset, batch: FactsBatch, path: Path | None,
                 ) -> tuple[FactsBatch, list[SharedSplit]]:
    """The batch with the county-facts file's shared totals split between each school's sections,
    exactly as ``junheng county`` splits them (the ruleset's county part gives the weights)."""
    if path is None:
        return batch, []
    if not path.is_file():
        raise stop(f"找不到文件 / no such file: {path}")
    if loaded.ruleset.county is None:
        raise stop(f"规则集 {loaded.ruleset.id} 没有县域部分，无从确定共用资产的分摊比例，不能使用 --county-facts / "
                   f"ruleset {loaded.ruleset.id} has no county part to give the split weights: --county-facts "
                   "cannot be used")
    protect(path)
    county_facts = read_county_facts(path)  # a bad entry is an issue in the list, never lost silently
    sections, splits, issues = split_shared_assets(loaded.ruleset, batch.sections, county_facts)
    return batch.model_copy(update={"sections": sections,
                                    "issues": [*batch.issues, *county_facts.issues, *issues]}), splits

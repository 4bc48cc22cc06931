"""``junheng compare`` — the same schools under two rulesets (e.g. Anhui 2007 → 2018).

Also the option helpers shared by ``diff`` and ``explain`` (ruleset by id, path or
``id@version``, and ``--at YYYY-MM-DD`` for the version in force on a date).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from junheng.cli.compare_json import compare_json
from junheng.cli.json_output import dumps
from junheng.cli.text import outcome_word
from junheng.engine.compare import Comparison, RuleChange, Side, compare
from junheng.engine.numbers import decimal_text
from junheng.policy.facts import FACTS
from junheng.policy.inputs import FactsBatch
from junheng.policy.loader import LoadedRuleset, RulesetError
from junheng.policy.readers import read_facts
from junheng.policy.units import unit
from junheng.policy.versions import load_at


class Fmt(StrEnum):
    table = "table"
    json = "json"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


LangOpt = Annotated[Lang, typer.Option("--lang", help="输出语言 / output language")]
FmtOpt = Annotated[Fmt, typer.Option("--format", "-f", help="输出格式 / output format")]
AtOpt = Annotated[str | None, typer.Option("--at", help="按该日期有效的版本 / the version in force on YYYY-MM-DD")]


def stop(message: str, code: int = 2) -> typer.Exit:
    Console(stderr=True).print(f"[bold red]{message}[/]", highlight=False)
    return typer.Exit(code)


def parse_at(at: str | None) -> dt.date | None:
    if at is None:
        return None
    try:
        return dt.date.fromisoformat(at)
    except ValueError:
        raise stop(f"--at 应为 YYYY-MM-DD / --at must be YYYY-MM-DD, not {at!r}") from None


def load(ref: str, at: str | None) -> LoadedRuleset:
    """A ruleset by id, ``id@version`` or path; with ``--at``, the version in force then."""
    try:
        return load_at(ref, parse_at(at))
    except RulesetError as exc:
        raise stop(str(exc)) from None


def facts(file: Path) -> FactsBatch:
    if not file.is_file():
        raise stop(f"找不到文件 / no such file: {file}")
    return read_facts(file)


_CHANGE = {
    "newly_failing": ("新增未达标", "newly failing"), "newly_passing": ("新达标", "newly passing"),
    "still_failing": ("仍未达标", "still failing"), "still_passing": ("仍达标", "still passing"),
    "added": ("新增条目", "added"), "removed": ("已取消", "removed"), "undecided": ("无法判定", "undecided"),
}
_STYLE = {"newly_failing": "bold red", "still_failing": "red", "newly_passing": "green",
          "still_passing": "green", "added": "cyan", "removed": "dim", "undecided": "yellow"}


def change_word(change: str, lang: str) -> str:
    zh, en = _CHANGE[change]
    return zh if lang == "zh" else en


def _side(s: Side | None, lang: str) -> str:
    if s is None:
        return "—"
    text = outcome_word(s.outcome, lang)
    if s.points is not None and s.max_points is not None:
        text += f" {decimal_text(s.points)}/{decimal_text(s.max_points)}"
    return text


def _req(c: RuleChange) -> str:
    def one(s: Side | None) -> str:
        if s is None or s.required is None:
            return "—"
        op = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}.get(s.op or "", s.op or "")
        return f"{op}{decimal_text(s.required)}"
    if c.before is not None and c.after is not None and not c.threshold_moved:
        return one(c.after)
    return f"{one(c.before)} → {one(c.after)}"


def _needed(c: RuleChange, lang: str) -> str:
    parts = []
    for s in c.extra_needed[:1]:
        sign = "+" if s.direction == "increase" else "−"
        label = unit(s.unit).label(lang)
        amount = f"{decimal_text(s.amount)}{label}" if lang == "zh" else f"{decimal_text(s.amount)} {label}"
        parts.append(f"{FACTS[s.fact].label(lang)} {sign}{amount}")
    return "; ".join(parts)


def print_comparison(c: Comparison, console: Console, lang: str) -> None:
    console.print(f"{c.base.id} ({c.base.version}) → {c.against.id} ({c.against.version})", highlight=False)
    for s in c.schools:
        head = f"{s.school_name or s.school_id}（{s.school_id}）· {s.level.label(lang)}: "
        was = outcome_word(s.before, lang) if s.before else "—"
        head += f"{was} → {outcome_word(s.after, lang) if s.after else '—'}"
        table = Table(title=head, title_justify="left")
        for col in (("指标", "rule"), ("变化", "change"), ("原标准", "before"), ("新标准", "after"),
                    ("要求", "required"), ("需补充", "extra needed")):
            table.add_column(col[0] if lang == "zh" else col[1])
        for ch in s.changes:
            table.add_row(ch.title.get(lang), f"[{_STYLE[ch.change]}]{change_word(ch.change, lang)}[/]",
                          _side(ch.before, lang), _side(ch.after, lang), _req(ch), _needed(ch, lang))
        console.print(table)


def compare_command(
    file: Annotated[Path, typer.Argument(help="学校数据文件 / school facts file")],
    ruleset: Annotated[str, typer.Option("--ruleset", "-r", help="基准规则集 / base ruleset")],
    against: Annotated[str, typer.Option("--against", "-a", help="对比规则集 / ruleset to compare with")],
    fmt: FmtOpt = Fmt.table,
    lang: LangOpt = Lang.zh,
    at: AtOpt = None,
) -> None:
    """新旧标准对比 / Compare every school in FILE under two rulesets: verdicts and points under
    each, what changed, and the extra resources needed under the second."""
    base, other = load(ruleset, at), load(against, at)
    batch = facts(file)
    result = compare(base, other, batch.sections)
    if fmt is Fmt.json:
        typer.echo(dumps(compare_json(result, lang.value)))
    else:
        print_comparison(result, Console(), lang.value)

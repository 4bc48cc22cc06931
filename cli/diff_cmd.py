"""``junheng diff A B`` — rules added, removed, tighter, looser or reworded, with both sources."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from junheng.cli.compare_json import diff_json
from junheng.cli.json_output import dumps
from junheng.cli.options import AtOption, Lang, LangOption, TextFormat, TextFormatOption, load
from junheng.engine.diff import RulesetDiff, RuleView
from junheng.engine.numbers import decimal_text

_KIND = {"added": ("新增要求", "new requirement"), "removed": ("取消", "removed"), "tighter": ("从严", "tighter"),
         "looser": ("放宽", "looser"), "new_levels": ("新增要求", "new requirement"),
         "ended_levels": ("不再要求", "no longer required"), "reworded": ("措辞变化", "reworded"),
         "changed": ("有变化", "changed")}
_STYLE = {"added": "cyan", "removed": "dim", "tighter": "bold red", "looser": "green", "reworded": "yellow",
          "changed": "magenta", "new_levels": "cyan", "ended_levels": "dim"}
_DIRECTION = {"tighter": ("从严", "tighter"), "looser": ("放宽", "looser"), "new": ("新增要求", "new requirement"),
              "ended": ("不再要求", "no longer required")}
_OP = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
_LEVEL = {"primary": ("小学", "primary"), "junior": ("初中", "junior")}


def _change_word(kind: str, levels: dict[str, str], lang: str) -> str:
    """The change in words; when a level gains or loses a requirement, one line per level
    (``小学：从严`` / ``初中：新增要求``) — a new requirement is never called tighter."""
    i = 0 if lang == "zh" else 1
    if not any(d in ("new", "ended") for d in levels.values()):
        return _KIND[kind][i]
    sep = "：" if lang == "zh" else ": "
    return "\n".join(f"{_LEVEL.get(k, (k, k))[i]}{sep}{_DIRECTION[d][i]}" for k, d in levels.items())


def _values(v: RuleView | None, lang: str) -> str:
    if v is None:
        return "—"
    names = {"primary": ("小学", "primary"), "junior": ("初中", "junior"), "value": ("", "")}
    parts = []
    for key, value in v.values.items():
        label = names.get(key, (key, key))[0 if lang == "zh" else 1]
        parts.append(f"{label}{_OP.get(v.op or '', v.op or '')}{decimal_text(value)}".strip())
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def print_diff(d: RulesetDiff, console: Console, lang: str) -> None:
    console.print(f"{d.base.id} ({d.base.version}) → {d.against.id} ({d.against.version})", highlight=False)
    table = Table(show_lines=True)
    for zh, en in (("规则", "rule"), ("变化", "change"), ("原要求", "before"), ("新要求", "after"),
                   ("来源", "sources")):
        table.add_column(zh if lang == "zh" else en)
    for c in d.changes:
        word = _change_word(c.kind, dict(c.levels), lang)
        sources = " → ".join(v.source for v in (c.before, c.after) if v is not None)
        table.add_row(f"{c.title.get(lang)}\n{c.rule_id}", f"[{_STYLE[c.kind]}]{word}[/]",
                      _values(c.before, lang), _values(c.after, lang), sources)
    console.print(table)
    console.print(f"{'未变化' if lang == 'zh' else 'unchanged'}: {d.unchanged}", highlight=False)


def diff_command(
    base: Annotated[str, typer.Argument(help="原规则集 / base ruleset (id, id@version or file)")],
    against: Annotated[str, typer.Argument(help="新规则集 / ruleset to compare with")],
    fmt: TextFormatOption = TextFormat.table,
    lang: LangOption = Lang.zh,
    at: AtOption = None,
) -> None:
    """规则差异 / What changed from BASE to AGAINST: rules added, removed, tighter, looser,
    reworded, each with both sources."""
    from junheng.engine.diff import diff

    result = diff(load(base, at), load(against, at))
    if fmt is TextFormat.json:
        typer.echo(dumps(diff_json(result, lang.value)))
    else:
        print_diff(result, Console(), lang.value)


__all__ = ["Lang", "diff_command"]

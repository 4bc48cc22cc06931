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

_KIND = {"added": ("新增", "added"), "removed": ("取消", "removed"), "tighter": ("从严", "tighter"),
         "looser": ("放宽", "looser"), "reworded": ("措辞变化", "reworded"), "changed": ("有变化", "changed")}
_STYLE = {"added": "cyan", "removed": "dim", "tighter": "bold red", "looser": "green", "reworded": "yellow",
          "changed": "magenta"}
_OP = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


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
        word = _KIND[c.kind][0 if lang == "zh" else 1]
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

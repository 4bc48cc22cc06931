"""``junheng explain`` — the principal's letter for one school (给校长的说明)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from junheng.cli.options import AtOption, Lang, LangOption, facts, load, stop
from junheng.engine.evaluate import evaluate_sections
from junheng.engine.letter import CAVEAT_INTRO, Letter, chinese_ordinal, letter_plan, write_letter
from junheng.policy.facts import LEVEL_ALIASES
from junheng.policy.inputs import FactsBatch, SchoolSection
from junheng.policy.loader import LoadedRuleset


def render_letter(letter: Letter, lang: str) -> str:
    """The letter as plain text (the engine wrote every sentence; this only lays them out)."""
    zh = lang == "zh"
    lines = [letter.greeting.get(lang), "", ("　　" if zh else "") + letter.opening.get(lang), ""]
    for i, item in enumerate(letter.items, 1):
        number = f"{chinese_ordinal(i)}、" if zh else f"{i}. "
        lines.append(number + item.heading.get(lang))
        if item.body.get(lang):
            lines.append(("　　" if zh else "   ") + item.body.get(lang))
        lines.append("")
    for option in letter.gate_options:
        lines.extend([("　　" if zh else "") + option.get(lang), ""])
    plan = letter_plan(letter)
    if plan:
        lines.append(letter.plan_intro.get(lang))
        n = 0
        for k, (heading, items) in enumerate(plan, 1):
            lines.append(f"（{chinese_ordinal(k)}）{heading.zh}" if zh else f"({k}) {heading.en}")
            for item in items:
                n += 1
                assert item.action is not None
                lines.append(f"  {n}. {item.action.get(lang)}")
        lines.append("")
        lines.append(("　　" if zh else "") + letter.closing.get(lang))
    if letter.caveats:
        lines.append("")
        lines.append(CAVEAT_INTRO.get(lang))
        lines.extend(f"  · {c.get(lang)}" for c in letter.caveats)
    return "\n".join(lines) + "\n"


def explain_command(
    file: Annotated[Path, typer.Argument(help="学校数据文件 / school facts file")],
    school: Annotated[str, typer.Option("--school", "-s", help="学校标识码 / school id")],
    ruleset: Annotated[str, typer.Option("--ruleset", "-r", help="规则集 / ruleset")],
    level: Annotated[str | None, typer.Option("--level", help="学段 primary|junior（一贯制学校需要）")] = None,
    lang: LangOption = Lang.zh,
    at: AtOption = None,
    costs: Annotated[Path | None, typer.Option(
        "--costs", help="单价文件：信末加一段最省达标方案的费用 / unit costs: add the cheapest way to pass")] = None,
) -> None:
    """给校长的说明 / A plain-language letter to a school's principal: every deduction, then
    what it takes to reach full marks (or to pass), in the order to act on it."""
    loaded = load(ruleset, at)
    batch = facts(file)
    sections = [s for s in batch.sections if s.school_id == school]
    if level is not None:
        wanted = LEVEL_ALIASES.get(level)
        sections = [s for s in sections if s.level is wanted]
    if not sections:
        raise stop(f"数据中没有学校 {school} / no school {school} in {file}")
    if len(sections) > 1:
        raise stop(f"{school} 有多个学段，请用 --level 指定 / {school} has several sections: give --level")
    section = sections[0]
    result = evaluate_sections(loaded.ruleset, [section])[0]
    text = render_letter(write_letter(loaded.ruleset, result, section), lang.value)
    if costs is not None:  # issue 13: what the cheapest way to pass costs at the county's prices
        text += "\n" + _plan_paragraph(loaded, batch, section, costs, lang.value) + "\n"
    typer.echo(text, nl=False)


def _plan_paragraph(loaded: LoadedRuleset, batch: FactsBatch, section: SchoolSection, costs: Path, lang: str) -> str:
    from junheng.cli.plan_cmd import plan_error, plan_paragraph
    from junheng.engine.plan import PlanError, Scope, make_plan
    from junheng.policy.costs import CostsFileError, read_costs

    try:
        unit_costs = read_costs(costs)
        run = make_plan(loaded, batch.model_copy(update={"sections": [section]}), unit_costs, scope=Scope.school)
    except CostsFileError as exc:
        raise stop(f"{exc.message_zh} / {exc.message_en}") from None
    except PlanError as exc:
        zh, en = plan_error(exc)
        raise stop(f"{zh} / {en}") from None
    return plan_paragraph(run, lang)

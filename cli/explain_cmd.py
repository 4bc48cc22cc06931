"""``junheng explain`` — the principal's letter for one school (给校长的说明)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from junheng.cli.options import AtOption, CountyFactsOption, Lang, LangOption, facts, load, shared_split, stop
from junheng.cli.render.letter import letter_text, write_letter
from junheng.cli.render.splits import split_sentence
from junheng.engine.evaluate import evaluate_sections, ruleset_info
from junheng.policy.facts import LEVEL_ALIASES
from junheng.policy.inputs import FactsBatch, SchoolSection
from junheng.policy.loader import LoadedRuleset

OfficeOption = Annotated[
    str | None,
    typer.Option("--office", help="署名单位，如“某某县人民政府教育督导室”（默认按数据中的县名）/ the office that signs "
                 "the letter (default: named from the input's county)"),
]


def explain_command(
    file: Annotated[Path, typer.Argument(help="学校数据文件 / school facts file")],
    school: Annotated[str, typer.Option("--school", "-s", help="学校标识码 / school id")],
    ruleset: Annotated[str, typer.Option("--ruleset", "-r", help="规则集 / ruleset")],
    level: Annotated[str | None, typer.Option("--level", help="学段 primary|junior（一贯制学校需要）")] = None,
    lang: LangOption = Lang.zh,
    at: AtOption = None,
    costs: Annotated[Path | None, typer.Option(
        "--costs", help="单价文件：信末加一段最省达标方案的费用 / unit costs: add the cheapest way to pass")] = None,
    office: OfficeOption = None,
    county_facts: CountyFactsOption = None,
) -> None:
    """给校长的说明 / A plain-language letter to a school's principal: every deduction, then
    what it takes to reach full marks (or to pass), in the order to act on it."""
    loaded = load(ruleset, at)
    batch, splits = shared_split(loaded, facts(file), county_facts)  # as `junheng county` splits them
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
    letter = write_letter(ruleset_info(loaded), result, lang.value, office=office)
    text = letter_text(letter)
    for sp in splits:  # the letter says which figures were split from a whole-school total, and how
        if sp.school_id == section.school_id and section.level.value in sp.parts:
            text += split_sentence(sp, lang.value) + "\n"
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

"""``junheng template --ruleset ID -o FILE.xlsx``: an input workbook for one ruleset.

The workbook asks for exactly the facts the ruleset's formulas use (plus the identity columns
学校标识码, 学校名称, 县, 学年, 学校类型), one sheet per level the ruleset covers (the sheet name
gives the level, so there is no 学段 column to get wrong), Chinese headers with units in
parentheses, an English comment on every header, data validation (non-negative numbers, whole
numbers for counted things, a list for 学校类型) and a 说明 sheet describing every column. The
reader (:mod:`junheng.policy.xlsx_reader`) reads a filled template back without any mapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from junheng.cli.atomic import protect, write_bytes_atomic
from junheng.cli.county_cmd import group_label
from junheng.cli.options import Lang, LangOption, fail
from junheng.cli.text import t
from junheng.cli.xlsx_cells import append, put, workbook_bytes
from junheng.engine.numbers import decimal_text, percent_text
from junheng.policy.costs import lever_facts
from junheng.policy.county_facts import RATIOS_ABOVE_ONE
from junheng.policy.county_facts import fact_spec as county_fact_spec
from junheng.policy.county_model import CountyFactCriterion, fraction_or_param
from junheng.policy.facts import FACTS, SCHOOL_FACTS, SCHOOL_TYPES, FactKind, FactSpec
from junheng.policy.formula import FormulaError, names, parse_formula
from junheng.policy.loader import LoadedRuleset, RulesetError
from junheng.policy.model import AssessedSchedule, ScoredRule
from junheng.policy.registry import load_ruleset
from junheng.policy.units import unit

if TYPE_CHECKING:
    from openpyxl.worksheet.datavalidation import DataValidation

__all__ = ["IDENTITY_COLUMNS", "costs_template_workbook", "costs_template_yaml", "county_facts_needed",
           "county_template_workbook", "county_template_yaml", "facts_needed", "header_text", "template",
           "template_workbook"]

IDENTITY_COLUMNS: tuple[str, ...] = ("school_id", "school_name", "county", "year", "school_type")
TEMPLATE_ROWS = 500
"""Rows below the header that carry data validation."""

_SCHOOL = {f.name: f for f in SCHOOL_FACTS}
_HEADER_COLOUR = "DDEBF7"
"""The header cells' fill (openpyxl is imported only when a workbook is made: not at every start)."""


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key), value
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)


def facts_needed(loaded: LoadedRuleset) -> list[str]:
    """School facts the ruleset's formulas (and named facts/resources) use, in catalogue order.

    The ruleset is walked as data, so every block that carries a ``formula`` (school indicators,
    county indicators, scored items) contributes its facts.
    """
    used: set[str] = {"students"}
    for key, value in _walk(loaded.ruleset.model_dump(mode="python")):
        if key == "formula" and isinstance(value, str):
            try:
                used |= names(parse_formula(value))
            except FormulaError:  # pragma: no cover - the loader validated every formula
                continue
        elif key in ("resource", "fact") and isinstance(value, str):
            used.add(value)
    return [f.name for f in SCHOOL_FACTS if f.name in used and f.name not in IDENTITY_COLUMNS
            and f.name != "level"]


def header_text(fact: FactSpec) -> str:
    """The Chinese header with its unit: ``教学及辅助用房面积（平方米）``."""
    label = unit(fact.unit).zh
    if fact.name in IDENTITY_COLUMNS or not label or fact.unit in ("count", "text"):
        return fact.zh
    return f"{fact.zh}（{label}）"


def _validation(fact: FactSpec, lang: str) -> DataValidation | None:
    from openpyxl.worksheet.datavalidation import DataValidation
    zh = lang == "zh"
    if fact.name == "school_type":
        dv = DataValidation(type="list", formula1='"' + ",".join(SCHOOL_TYPES) + '"', allow_blank=True)
        dv.error = "请从列表中选择学校类型" if zh else "choose a school type from the list"
    elif fact.name == "year":
        dv = DataValidation(type="whole", operator="between", formula1="1900", formula2="2200", allow_blank=True)
        dv.error = "学年应为四位年份，如 2024" if zh else "a year such as 2024"
    elif fact.name in IDENTITY_COLUMNS:
        return None
    elif fact.kind is FactKind.boolean:  # 是/否 (the reader also takes 1/0, √/×: policy/cells.py)
        dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
        dv.error = f"“{fact.zh}”应为“是”或“否”" if zh else f"{fact.en}: 是 (yes) or 否 (no)"
    elif unit(fact.unit).integral:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = (f"“{fact.zh}”应为不小于0的整数" if zh else f"{fact.en}: a whole number ≥ 0")
    else:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = (f"“{fact.zh}”应为不小于0的数（单位：{unit(fact.unit).zh}）" if zh
                    else f"{fact.en}: a number ≥ 0 ({unit(fact.unit).en})")
    dv.errorTitle = "输入有误" if zh else "Invalid value"
    dv.showErrorMessage = True
    return dv


def _level_sheet(ws: Any, columns: list[FactSpec], lang: str) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    for i, fact in enumerate(columns, start=1):
        cell = put(ws, 1, i, header_text(fact))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_COLOUR)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        en_unit = unit(fact.unit).en
        cell.comment = Comment(f"{fact.name}: {fact.en}" + (f" ({en_unit})" if en_unit else ""), "junheng")
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, min(34, len(header_text(fact)) * 2 + 2))
        dv = _validation(fact, lang)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        if fact.name in ("school_id", "school_name", "county"):
            for row in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=row, column=i).number_format = "@"  # text: keeps 012345 as typed
    ws.row_dimensions[1].height = 48
    ws.freeze_panes = "C2"


def _readme(ws: Any, loaded: LoadedRuleset, columns: list[FactSpec], lang: str) -> None:
    from openpyxl.styles import Font
    r = loaded.ruleset
    zh = lang == "zh"
    append(ws, [f"{r.title.get(lang)}（{r.id}，{r.document.number}）" if zh
               else f"{r.title.get(lang)} ({r.id}, {r.document.number})"])
    ws["A1"].font = Font(bold=True, size=13)
    append(ws, ["每个学段一张工作表（工作表名称即学段）；一行一所学校的该学段。数值只填数字，单位见表头；"
               "缺少的数据留空（不要填0）。" if zh else
               "One sheet per level (the sheet name is the level); one row per school section. Type "
               "plain numbers in the unit the header states; leave missing data blank (not 0)."])
    append(ws, [])
    append(ws, ["表头" if zh else "Header", "事实名" if zh else "Fact", "说明" if zh else "Meaning",
               "单位" if zh else "Unit"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for fact in columns:
        append(ws, [header_text(fact), fact.name, fact.label(lang), unit(fact.unit).label(lang)])
    for letter, width in zip("ABCD", (40, 34, 48, 12), strict=True):
        ws.column_dimensions[letter].width = width


def assessed_items(loaded: LoadedRuleset) -> list[ScoredRule]:
    """The items whose points are the assessors' (or self-) score, read from the column ``<id>得分``."""
    return [r for r in loaded.ruleset.rules if isinstance(r, ScoredRule) and isinstance(r.schedule, AssessedSchedule)]


def _assessed_sheet_columns(ws: Any, items: list[ScoredRule], start: int, lang: str) -> None:
    """One ``<id>得分`` column per assessed item after the fact columns: a number ≥ 0 (at most the
    item's points when they are known)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    zh = lang == "zh"
    for i, item in enumerate(items, start=start):
        cell = put(ws, 1, i, f"{item.id}得分")
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_COLOUR)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        top = "" if item.points is None else f", 0–{decimal_text(item.points)}"
        cell.comment = Comment(f"score:{item.id}: {item.title.en} (assessed score{top})", "junheng")
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = 12
        if item.points is None:
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        else:
            dv = DataValidation(type="decimal", operator="between", formula1="0",
                                formula2=decimal_text(item.points), allow_blank=True)
        dv.error = (f"“{item.title.zh}”的评估得分应为不小于0的数" + (f"，最多{decimal_text(item.points)}分"
                                                                 if item.points is not None else "")
                    if zh else f"{item.title.en}: an assessed score ≥ 0{top}")
        dv.errorTitle = "输入有误" if zh else "Invalid value"
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")


def template_workbook(loaded: LoadedRuleset, lang: str = "zh") -> bytes:
    """The template workbook's bytes: the facts the formulas use, then one ``<id>得分`` column per
    assessed item (its scoring rule is not known: the assessors' score is typed in)."""
    from openpyxl import Workbook
    columns = [_SCHOOL[n] for n in (*IDENTITY_COLUMNS, *facts_needed(loaded))]
    items = assessed_items(loaded)
    wb = Workbook()
    first = True
    for level in loaded.ruleset.levels:
        ws = wb.active if first else wb.create_sheet()
        ws.title = level.zh if lang == "zh" else level.value
        first = False
        _level_sheet(ws, columns, lang)
        _assessed_sheet_columns(ws, [r for r in items if level in r.levels], len(columns) + 1, lang)
    readme = wb.create_sheet("说明" if lang == "zh" else "README")
    _readme(readme, loaded, columns, lang)
    for item in items:
        points = ("分值未公开" if lang == "zh" else "points not public") if item.points is None else (
            f"0–{decimal_text(item.points)}")
        append(readme, [f"{item.id}得分", f"score:{item.id}",
                        f"{item.title.get(lang)}（{'评估组认定或自评的得分' if lang == 'zh' else 'assessed score'}）",
                        points])
    return workbook_bytes(wb)


# --- unit costs (issue 13): every fact a plan can add, with its unit --------------------------


def price_unit(fact: str, lang: str) -> str:
    """元 per one unit of the fact: 元/平方米, 元/人, 元/元 (equipment at face value)."""
    u = unit(FACTS[fact].unit)
    return f"元/{u.zh}" if lang == "zh" else f"yuan per {u.en.rstrip('s') if u.en.endswith('s') else u.en}"


def _suggested(fact: str) -> int | None:
    """Equipment value is priced at face value (1 元 per 元); nothing else has a default."""
    return 1 if FACTS[fact].unit == "yuan" else None


def costs_template_yaml(loaded: LoadedRuleset, lang: str = "zh") -> str:
    """A costs file to fill in (YAML, rich form): every lever fact of the ruleset, blank prices."""
    r = loaded.ruleset
    zh = lang == "zh"
    lines = [f"# {'单价文件' if zh else 'Unit costs'} · {r.id}（{r.document.number}）",
             "# " + ("每项填写“元/单位”（按本地造价）；留空的项目，计划若需要会报错。人员按本地口径（如每人每年）。"
                     if zh else "Fill in 元 per unit at local prices; a blank price is an error if the plan needs "
                                "it. People: at your own basis (e.g. per person per year)."),
             "costs:"]
    for fact in lever_facts(r):
        spec = FACTS[fact]
        value = _suggested(fact)
        lines.append(f"  # {spec.label(lang)}（{price_unit(fact, lang)}）" if zh
                     else f"  # {spec.label(lang)} ({price_unit(fact, lang)})")
        lines.append(f"  {fact}: {{yuan_per_unit: {'' if value is None else value}, note: \"\"}}")
    return "\n".join(lines) + "\n"


def costs_template_workbook(loaded: LoadedRuleset, lang: str = "zh") -> bytes:
    """The same as an XLSX sheet: 事实名 · 名称 · 单位 · 单价 · 说明."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation
    zh = lang == "zh"
    wb = Workbook()
    ws = wb.active
    ws.title = "单价" if zh else "costs"
    append(ws, ["事实名", "名称", "单价单位", "单价", "说明"] if zh
           else ["fact", "name", "price unit", "yuan_per_unit", "note"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_COLOUR)
    for fact in lever_facts(loaded.ruleset):
        append(ws, [fact, FACTS[fact].label(lang), price_unit(fact, lang), _suggested(fact), ""])
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    dv.error = "单价应为不小于0的数（元）" if zh else "a unit cost is a number ≥ 0 (yuan)"
    dv.showErrorMessage = True
    ws.add_data_validation(dv)
    dv.add(f"D2:D{ws.max_row}")
    for letter, width in zip("ABCDE", (32, 40, 14, 14, 36), strict=True):
        ws.column_dimensions[letter].width = width
    return workbook_bytes(wb)


# --- county facts (issue 11): every county fact the ruleset's criteria read ----------------------


def county_facts_needed(loaded: LoadedRuleset) -> list[tuple[FactSpec, list[CountyFactCriterion]]]:
    """Each county fact the ruleset's county criteria read, in criterion order, with those criteria."""
    spec = loaded.ruleset.county
    out: dict[str, tuple[FactSpec, list[CountyFactCriterion]]] = {}
    for c in spec.criteria if spec is not None else ():
        if isinstance(c, CountyFactCriterion):
            fact = county_fact_spec(c.fact)
            if fact is not None:
                out.setdefault(fact.name, (fact, []))[1].append(c)
    return list(out.values())


def fill_hint(fact: FactSpec, lang: str) -> str:
    """How to write the value: ``比例：0.85 或 85%`` / ``是/否：true 或 false`` / ``分``."""
    zh = lang == "zh"
    if fact.name in RATIOS_ABOVE_ONE:
        return "比值：如 1.05 或 105%" if zh else "a ratio such as 1.05 or 105%"
    if fact.unit == "ratio":
        return "比例：0.85 或 85%，不能写85" if zh else "a ratio: 0.85 or 85% (not 85)"
    if fact.unit == "bool":
        return "是/否：是 或 否（也可写 true/false、1/0、√/×）" if zh else "yes/no: 是/否, true/false, 1/0 or √/×"
    if fact.unit == "level":
        return "等级：1、2、3 或 4（Ⅰ—Ⅳ级）" if zh else "a level: 1, 2, 3 or 4"
    return unit(fact.unit).label(lang) or fact.unit


def _requirement(loaded: LoadedRuleset, c: CountyFactCriterion, fact: FactSpec, lang: str) -> str:
    value = fraction_or_param(loaded.ruleset, c.value)
    if value is None:
        return ""
    if fact.unit == "bool":
        want = bool(value)
        return (f"须为“{'是' if want else '否'}”" if lang == "zh" else f"must be {'yes' if want else 'no'}")
    shown = percent_text(value, 2) if fact.unit == "ratio" else decimal_text(value)
    return f"{c.op.words(lang)}{'' if lang == 'zh' else ' '}{shown}"


def _serves(loaded: LoadedRuleset, criteria: list[CountyFactCriterion], fact: FactSpec, lang: str) -> str:
    sep = "；" if lang == "zh" else "; "
    return sep.join(f"{group_label(c.group, lang)}·{c.title.get(lang)}（{_requirement(loaded, c, fact, lang)}）"
                    if lang == "zh" else
                    f"{group_label(c.group, lang)} · {c.title.get(lang)} ({_requirement(loaded, c, fact, lang)})"
                    for c in criteria)


def county_template_yaml(loaded: LoadedRuleset, lang: str = "zh") -> str:
    """A county facts file to fill in: every county fact the ruleset needs, blank, each with its
    unit and the items it serves in a comment above it."""
    r = loaded.ruleset
    zh = lang == "zh"
    lines = [f"# {'县级数据' if zh else 'County facts'} · {r.id}（{r.document.number}）",
             "# " + ("填写数值；不知道的留空——留空的项无法判定，不视为达标。origin 写数据来源（如 统计年报）。"
                     if zh else "Fill in the values; leave unknown ones blank — a blank item cannot be "
                                "decided and is never a pass. origin: where the figure comes from."),
             f"county:        # {'县（市、区）名称' if zh else 'county name'}",
             f"year:          # {'年度，如 2026' if zh else 'year, e.g. 2026'}",
             "facts:"]
    for fact, criteria in county_facts_needed(loaded):
        serves = _serves(loaded, criteria, fact, lang)
        lines.append(f"  # {fact.label(lang)}（{fill_hint(fact, lang)}）：{serves}" if zh
                     else f"  # {fact.label(lang)} ({fill_hint(fact, lang)}): {serves}")
        lines.append(f"  {fact.name}: {{value: , origin: \"\"}}")
    return "\n".join(lines) + "\n"


def county_template_workbook(loaded: LoadedRuleset, lang: str = "zh") -> bytes:
    """The same as a sheet (事实名 · 名称 · 填写方式 · 数值 · 来源 · 用于): the county facts reader reads
    it back (see :func:`junheng.policy.county_facts.read_county_facts`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation
    zh = lang == "zh"
    wb = Workbook()
    ws = wb.active
    ws.title = "县级数据" if zh else "county facts"
    append(ws, ["事实名", "名称", "填写方式", "数值", "来源", "用于（评估项及要求）"] if zh
           else ["fact", "name", "how to fill", "value", "origin", "serves (item and requirement)"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_COLOUR)
    append(ws, ["county", "县（市、区）" if zh else "county", "文本" if zh else "text", None, None, None])
    append(ws, ["year", "年度" if zh else "year", "四位年份，如 2026" if zh else "a year such as 2026",
                None, None, None])
    for fact, criteria in county_facts_needed(loaded):
        append(ws, [fact.name, fact.label(lang), fill_hint(fact, lang), None, None,
                    _serves(loaded, criteria, fact, lang)])
        if fact.unit == "bool":
            dv = DataValidation(type="list", formula1='"TRUE,FALSE"', allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"D{ws.max_row}")
    for letter, width in zip("ABCDEF", (34, 44, 26, 12, 18, 70), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        row[5].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    return workbook_bytes(wb)


def template(
    ruleset: Annotated[str, typer.Option("--ruleset", "-r", help="规则集编号或YAML文件 / ruleset id or YAML file")]
        = "national/quality-2017",
    output: Annotated[Path, typer.Option("--output", "-o", help="输出的 .xlsx 文件 / the .xlsx file to write")]
        = Path("template.xlsx"),
    costs: Annotated[bool, typer.Option(
        "--costs", help="生成单价文件（.yaml 或 .xlsx）/ write a unit-costs file (.yaml or .xlsx) instead")] = False,
    county: Annotated[bool, typer.Option(
        "--county", help="生成县级数据文件（.yaml 或 .xlsx）/ write a county-facts file (.yaml or .xlsx)")] = False,
    lang: LangOption = Lang.zh,
) -> None:
    """生成数据填报模板 / Write an input workbook with exactly the facts a ruleset needs; with
    --county, the county facts file (every county fact, its unit and the items it serves)."""
    try:
        loaded = load_ruleset(ruleset)
    except RulesetError as exc:
        raise fail(str(exc), str(exc), lang) from None
    protect(loaded.path)  # never written over by -o
    suffix = output.suffix.lower()
    if county and loaded.ruleset.county is None:
        raise fail(f"规则集 {loaded.ruleset.id} 没有县域评估部分", f"ruleset {loaded.ruleset.id} has no county part",
                   lang)
    if county and suffix in (".yaml", ".yml"):
        write_bytes_atomic(output, county_template_yaml(loaded, lang.value).encode("utf-8"))
    elif county and suffix == ".xlsx":
        write_bytes_atomic(output, county_template_workbook(loaded, lang.value))
    elif county:
        raise fail("县级数据文件名须以 .yaml 或 .xlsx 结尾", "the county facts file must end in .yaml or .xlsx", lang)
    elif costs and suffix in (".yaml", ".yml"):
        write_bytes_atomic(output, costs_template_yaml(loaded, lang.value).encode("utf-8"))
    elif costs and suffix == ".xlsx":
        write_bytes_atomic(output, costs_template_workbook(loaded, lang.value))
    elif costs:
        raise fail("单价文件名须以 .yaml 或 .xlsx 结尾", "the costs file must end in .yaml or .xlsx", lang)
    elif suffix != ".xlsx":
        raise fail("模板文件名须以 .xlsx 结尾", "the template file must end in .xlsx", lang)
    else:
        write_bytes_atomic(output, template_workbook(loaded, lang.value))
    Console(stderr=True).print(t("written", lang.value, path=output), highlight=False)


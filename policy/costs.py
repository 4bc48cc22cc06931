"""Unit costs (单价): what one unit of a resource fact costs, in 元 — user data, never a standard.

A costs file is YAML (or JSON) or an XLSX workbook. The simplest form, always accepted, is a
flat mapping from fact to 元 per unit of the fact::

    teaching_aux_area_m2: 3200        # 元 per m² of teaching and auxiliary rooms
    multimedia_classrooms: 60000      # 元 per room

The richer form names the currency basis and keeps a note per figure (shown in the plan)::

    costs:
      teaching_aux_area_m2: {yuan_per_unit: 3200, note: 示例单价（请按本地造价替换）}
      pe_art_teachers: {yuan_per_unit: 120000, note: 每人每年}

Keys are canonical fact names or their Chinese names (教学及辅助用房面积). An XLSX workbook has a
header row with a fact column (事实名 / fact, or 名称) and a price column (单价 / yuan_per_unit),
optionally 说明 / note — the layout ``junheng template --costs`` writes. Numbers are exact
(YAML floats keep their decimal text); a price is a number ≥ 0 (``3200``, ``0.32万元``).
Every bad entry is an issue naming file, sheet, row, key and value, in Chinese and English;
the good entries are kept.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from junheng.policy.cells import CellError, parse_number
from junheng.policy.county_model import DispersionCriterion
from junheng.policy.facts import FACTS
from junheng.policy.formula import FormulaError, as_function_of, names, parse_formula
from junheng.policy.inputs import InputIssue
from junheng.policy.model import Ruleset, ThresholdRule
from junheng.policy.readers import ExactSafeLoader, load_json, match_header

__all__ = ["CostsFileError", "UnitCost", "UnitCosts", "lever_facts", "parse_costs", "read_costs"]

EXAMPLE_NOTE = "示例单价（请按本地造价替换）"
"""The label every figure of a bundled example costs file carries."""

_FACT_HEADERS = frozenset({"事实名", "fact", "事实", "canonicalname"})
_NAME_HEADERS = frozenset({"名称", "项目", "name", "resource"})
_PRICE_HEADERS = frozenset({"单价", "单价（元）", "单价(元)", "yuan_per_unit", "unitcost", "cost", "元"})
_NOTE_HEADERS = frozenset({"说明", "备注", "note", "notes"})
_PRICE_KEYS = ("yuan_per_unit", "yuan", "单价", "cost")


class CostsFileError(ValueError):
    """The costs file cannot be read at all (not a file-level mapping, not a workbook …)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{en} / {zh}")
        self.message_zh, self.message_en = zh, en


class UnitCost(BaseModel):
    """元 per unit of one fact (per m², per room, per teacher, per 元 of equipment)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    fact: str
    yuan_per_unit: Fraction
    note: str = ""


class UnitCosts(BaseModel):
    """A costs file as read: the good entries and an issue for every bad one."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    file: str
    sha256: str = ""
    costs: dict[str, UnitCost] = Field(default_factory=dict)
    issues: tuple[InputIssue, ...] = ()

    def price(self, fact: str) -> Fraction | None:
        entry = self.costs.get(fact)
        return None if entry is None else entry.yuan_per_unit

    def missing(self, facts: Iterable[str]) -> list[str]:
        """The facts among ``facts`` without a price, in the order given."""
        return [f for f in facts if f not in self.costs]

    @staticmethod
    def of(prices: dict[str, Fraction | int], note: str = "") -> UnitCosts:
        """Costs from a plain mapping (tests, the Python API)."""
        return UnitCosts(file="", costs={f: UnitCost(fact=f, yuan_per_unit=Fraction(v), note=note)
                                         for f, v in prices.items()})


def _slope(formula: str, resource: str) -> int:
    """The sign of d(formula)/d(resource) with every other name at 1 (formulas are ratios of
    positive facts, so the sign does not depend on them): +1 in the numerator, −1 in the denominator."""
    try:
        expr = parse_formula(formula)
        f = as_function_of(expr, resource, {n: Fraction(1) for n in names(expr) if n != resource})
    except FormulaError:
        return 0
    slope = f.b * f.c - f.a * f.d
    return (slope > 0) - (slope < 0)


def lever_facts(ruleset: Ruleset) -> list[str]:
    """The resource facts a plan can add — the facts a costs file prices — in catalogue order:
    the resource of every threshold rule (school rules and the county's school checks) that adding
    to it helps meet (in the numerator of a lower bound, the denominator of an upper bound: not
    students for 学校规模), and of every 差异系数 indicator."""
    county = ruleset.county
    indicators = {**ruleset.indicators, **(county.indicators if county else {})}
    used: set[str] = set()
    for rule in (*ruleset.rules, *(county.school_checks if county else ())):
        if not isinstance(rule, ThresholdRule):
            continue
        ind = indicators.get(rule.indicator)
        if ind is not None and ind.resource is not None:
            slope = _slope(ind.formula, ind.resource)
            if slope != 0 and (slope > 0) == rule.op.is_lower_bound:
                used.add(ind.resource)
    for c in county.criteria if county else ():
        if isinstance(c, DispersionCriterion):
            for i in c.indicators:
                resource = indicators[i].resource if i in indicators else None
                if resource is not None:
                    used.add(resource)
    return [name for name in FACTS if name in used]


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _issue(file: str, key: str | None, value: object, zh: str, en: str, *, row: int | None = None,
           sheet: str | None = None, cell: str | None = None, severity: str = "error") -> InputIssue:
    return InputIssue(file=file, row=row, column=key, value=None if value is None else str(value),
                      message_zh=zh, message_en=en, severity=severity, sheet=sheet, cell=cell)


def _price(raw: object) -> Fraction:
    """One exact price ≥ 0 from a YAML/JSON scalar or a cell; raises CellError."""
    if isinstance(raw, bool):
        raise CellError("单价应为数值", "a unit cost must be a number")
    if isinstance(raw, Decimal | int | float):
        raw = str(raw)
    if not isinstance(raw, str):
        raise CellError("单价应为数值", "a unit cost must be a number")
    parsed = parse_number(raw)
    if parsed.value is None:
        raise CellError("缺少单价", "the unit cost is missing")
    if parsed.unit_code not in (None, "yuan") or parsed.percent:
        raise CellError("单价以元计（可写“万元”），不能带其他单位",
                        "a unit cost is in 元 (万元 allowed), no other unit")
    if parsed.value < 0:
        raise CellError("单价不能为负数", "a unit cost cannot be negative")
    return parsed.value


def _fact_of(key: str) -> str | None:
    name = match_header(key).fact
    return name if name in FACTS else None


def _entry(file: str, key: str, raw: object, out: dict[str, UnitCost], issues: list[InputIssue], *,
           row: int | None = None, sheet: str | None = None, note: str = "") -> None:
    fact = _fact_of(key)
    if fact is None:
        issues.append(_issue(file, key, None, "未知的数据名称（应为学校数据的规范名或中文名，如 teaching_aux_area_m2）",
                             "unknown fact (a canonical or Chinese school fact name such as teaching_aux_area_m2)",
                             row=row, sheet=sheet))
        return
    value = raw
    if isinstance(raw, dict):
        found = [k for k in _PRICE_KEYS if k in raw]
        value = raw[found[0]] if found else None
        note = str(raw.get("note", raw.get("说明", note)) or "")
        unknown = sorted(str(k) for k in raw if k not in (*_PRICE_KEYS, "note", "说明", "unit", "单位"))
        if unknown:
            issues.append(_issue(file, key, ", ".join(unknown), "未知的键（可用 yuan_per_unit、note）",
                                 "unknown keys (use yuan_per_unit, note)", row=row, sheet=sheet))
            return
    if value is None or (isinstance(value, str) and not value.strip()):
        return  # written but blank (a template line not filled in): no price, never a guess
    if fact in out:
        issues.append(_issue(file, key, value, f"“{fact}”的单价重复给出", f"unit cost of {fact!r} given twice",
                             row=row, sheet=sheet))
        return
    try:
        out[fact] = UnitCost(fact=fact, yuan_per_unit=_price(value), note=note)
    except CellError as exc:
        issues.append(_issue(file, key, value, exc.message_zh, exc.message_en, row=row, sheet=sheet))


def parse_costs(obj: Any, file: str, sha256: str = "") -> UnitCosts:
    """Validate a parsed YAML/JSON costs document (flat or rich form)."""
    if not isinstance(obj, dict):
        raise CostsFileError(f"{file}：单价文件应为“数据名: 单价”的键值映射",
                             f"{file}: a costs file is a mapping 'fact: 元 per unit'")
    costs: dict[str, UnitCost] = {}
    issues: list[InputIssue] = []
    entries = obj.get("costs") if "costs" in obj else obj
    if not isinstance(entries, dict):
        raise CostsFileError(f"{file}：costs 应为键值映射", f"{file}: costs must be a mapping")
    note = str(obj.get("note", "")) if "costs" in obj else ""
    for key, raw in entries.items():
        if "costs" not in obj and str(key) in ("currency", "note"):
            continue
        _entry(file, str(key), raw, costs, issues, note=note)
    return UnitCosts(file=file, sha256=sha256, costs=costs, issues=tuple(issues))


def _xlsx_costs(data: bytes, file: str, sha256: str) -> UnitCosts:
    import openpyxl

    from junheng.policy.xlsx_limits import workbook_problem

    problem = workbook_problem(data)  # zip bombs, DTDs, merged areas: before openpyxl parses
    if problem is not None:
        raise CostsFileError(f"{file}：{problem[0]}", f"{file}: {problem[1]}")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise CostsFileError(f"{file}：无法读取 Excel 工作簿（{exc}）",
                             f"{file}: not a readable workbook ({exc})") from None
    costs: dict[str, UnitCost] = {}
    issues: list[InputIssue] = []
    found = False
    for ws in wb.worksheets:
        rows = ws.iter_rows(values_only=True)
        header: dict[str, int] = {}
        for r, values in enumerate(rows, start=1):
            texts = ["" if v is None else str(v) for v in values]
            if not header:
                normed = [_norm(t) for t in texts]
                key_col = next((i for i, t in enumerate(normed) if t in _FACT_HEADERS), None)
                name_col = next((i for i, t in enumerate(normed) if t in _NAME_HEADERS), None)
                price_col = next((i for i, t in enumerate(normed) if t in _PRICE_HEADERS), None)
                if price_col is None:  # 单价（元/平方米） …, but not 单价单位 (the unit column)
                    price_col = next((i for i, t in enumerate(normed)
                                      if t.startswith("单价") and not t.startswith("单价单位")), None)
                note_col = next((i for i, t in enumerate(normed) if t in _NOTE_HEADERS), None)
                if price_col is not None and (key_col is not None or name_col is not None):
                    header = {"key": key_col if key_col is not None else name_col or 0, "price": price_col}
                    if note_col is not None:
                        header["note"] = note_col
                    found = True
                continue
            key = texts[header["key"]].strip() if header["key"] < len(texts) else ""
            if not key:
                continue
            raw = values[header["price"]] if header["price"] < len(values) else None
            note = texts[header["note"]] if "note" in header and header["note"] < len(texts) else ""
            _entry(file, key, raw, costs, issues, row=r, sheet=ws.title, note=note)
    if not found:
        raise CostsFileError(f"{file}：找不到表头（需要“事实名”或“名称”列和“单价”列）",
                             f"{file}: no header row with a fact (事实名 / fact) and a price (单价) column")
    return UnitCosts(file=file, sha256=sha256, costs=costs, issues=tuple(issues))


def read_costs(path: Path) -> UnitCosts:
    """Read a costs file: YAML, JSON or XLSX (by extension)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CostsFileError(f"无法读取单价文件 {path}：{exc.strerror}",
                             f"cannot read costs file {path}: {exc.strerror}") from None
    sha = hashlib.sha256(data).hexdigest()
    file = str(path)
    if path.suffix.lower() == ".xlsx":
        return _xlsx_costs(data, file, sha)
    try:
        text = data.decode("utf-8-sig")
        obj = (load_json(text) if path.suffix.lower() == ".json"
               else yaml.load(text, Loader=ExactSafeLoader))
    except (UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise CostsFileError(f"{file}：文件格式错误（{exc}）", f"{file}: invalid file ({exc})") from None
    return parse_costs(obj, file, sha)

"""County facts for many counties (县级数据，多县): which facts belong to which county.

``junheng county FILE --county-facts …`` with several counties in FILE reads the county facts as

* one file per county (YAML/JSON/XLSX, the format of :mod:`county_facts`), the option given once per
  file or a folder of such files; a file's county is its ``county:`` (县) entry, else its file name
  without the extension (``甲县.yaml`` → 甲县);
* one file keyed by county: YAML/JSON whose top-level ``counties:`` maps each county to a county facts
  document (``year``, ``facts``, ``shared_assets``) ::

      counties:
        甲县: {year: 2024, facts: {public_satisfaction: "91%", layout_reasonable: true}}
        乙县: {facts: {public_satisfaction: 0.88}}

  or a CSV/XLSX table with one row per county: a county column (县（市、区） / county), optionally a
  year column (年度 / year), and one column per county fact (canonical, Chinese or English name).

Every value is validated exactly as in a single county's file; a problem names the file, sheet, row,
column and value (zh + en). Facts are matched to the counties of the school data by name: a county of
the facts that is not in the data is a warning with the nearest name in the data (did you mean); a
county of the data without facts is evaluated without them — what needs them is 无法判定.
"""

from __future__ import annotations

import csv
import difflib
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from junheng.policy.county_facts import (
    TOP_LEVEL_KEYS,
    CountyFacts,
    county_fact_name,
    parse_county_facts,
    read_county_facts,
)
from junheng.policy.inputs import InputIssue
from junheng.policy.readers import ExactSafeLoader, load_json

FACTS_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".xlsm", ".csv")
"""The files a county facts folder is read from (other files are left alone)."""


def county_key(name: str) -> str:
    """The form two county names are compared in (width, spaces, letter case folded)."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


_COUNTY_HEADERS = frozenset(county_key(h) for h in TOP_LEVEL_KEYS["county"])
_YEAR_HEADERS = frozenset(county_key(h) for h in TOP_LEVEL_KEYS["year"])


@dataclass
class CountyFactsSet:
    """County facts by county, as read from every ``--county-facts`` given."""

    by_county: dict[str, CountyFacts] = field(default_factory=dict)
    """County (as written in the facts) → its facts."""
    unnamed: list[CountyFacts] = field(default_factory=list)
    """Files that name no county (a single county's file given alone)."""
    issues: list[InputIssue] = field(default_factory=list)
    """Problems that belong to no one county (a duplicate county, an unreadable table)."""

    def add(self, facts: CountyFacts, where: str) -> None:
        if not facts.county:
            self.unnamed.append(facts)
            return
        same = next((k for k in self.by_county if county_key(k) == county_key(facts.county)), None)
        if same is None:
            self.by_county[facts.county] = facts
            return
        first = self.by_county[same].file
        self.issues.append(InputIssue(
            file=where, column="county", value=facts.county,
            message_zh=f"县“{facts.county}”的县级数据重复给出（已见于 {first}）；两份都不采用，"
                       "该县需要县级数据的项目无法判定",
            message_en=f"county facts for {facts.county!r} are given twice (also in {first}); neither is used, so what "
                       "needs them cannot be decided"))
        self.by_county[same] = CountyFacts(file=first, county=same, issues=self.by_county[same].issues)


def _issue(file: str, zh: str, en: str, *, row: int | None = None, column: str | None = None,
           value: object = None, sheet: str | None = None, severity: str = "error") -> InputIssue:
    return InputIssue(file=file, row=row, column=column, value=None if value is None else str(value),
                      message_zh=zh, message_en=en, sheet=sheet, severity=severity)


def _keyed_document(obj: dict[str, Any], file: str, into: CountyFactsSet) -> None:
    """``counties: {县: {year, facts, shared_assets}}``: one county facts document per county."""
    counties = obj.get("counties")
    for key in obj:
        if key != "counties":
            into.issues.append(_issue(file, "按县给出的县级数据文件只应有 counties: 一个顶层键",
                                      "a county-keyed facts file has one top-level key, counties:",
                                      column=str(key), severity="warning"))
    if not isinstance(counties, dict):
        into.issues.append(_issue(file, "counties: 应为“县 → 县级数据”的映射",
                                  "counties: must map each county to its facts", column="counties"))
        return
    for name, doc in counties.items():
        county = str(name).strip()
        if not isinstance(doc, dict):
            into.issues.append(_issue(file, "该县的县级数据应为键值映射（year、facts、shared_assets）",
                                      "a county's facts must be a mapping (year, facts, shared_assets)",
                                      column=f"counties.{county}"))
            continue
        stated = next((v for k, v in doc.items() if county_key(str(k)) in _COUNTY_HEADERS), None)
        if stated is not None and county_key(str(stated)) != county_key(county):
            into.issues.append(_issue(file, f"counties.{county} 下写的县为“{stated}”，与键不一致；按键“{county}”使用",
                                      f"counties.{county} states county {stated!r}; the key {county!r} is used",
                                      column=f"counties.{county}", value=stated, severity="warning"))
        body = {k: v for k, v in doc.items() if county_key(str(k)) not in _COUNTY_HEADERS}
        facts = parse_county_facts({**body, "county": county}, file)
        into.add(facts.model_copy(update={"issues": tuple(
            i.model_copy(update={"column": f"counties.{county}.{i.column}" if i.column else f"counties.{county}"})
            for i in facts.issues)}), file)


def _table_rows(path: Path) -> tuple[list[tuple[str | None, int, list[Any]]], list[InputIssue]]:
    """Every row of a CSV file or of every worksheet of a workbook: (sheet, row number, cells)."""
    file = str(path)
    if path.suffix.lower() == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            return [], [_issue(file, f"无法读取文件（{exc}）", f"cannot read the file ({exc})")]
        try:
            return [(None, r, row) for r, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)], []
        except csv.Error as exc:
            return [], [_issue(file, f"CSV 格式错误：{exc}", f"invalid CSV: {exc}")]
    import openpyxl

    from junheng.policy.xlsx_limits import workbook_problem

    data = path.read_bytes()
    problem = workbook_problem(data)  # zip bombs, DTDs, merged areas: before openpyxl parses
    if problem is not None:
        return [], [_issue(file, *problem)]
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        return [], [_issue(file, f"无法读取 Excel 工作簿（{exc}）", f"not a readable workbook ({exc})")]
    rows: list[tuple[str | None, int, list[Any]]] = []
    for ws in wb.worksheets:
        for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append((ws.title, r, [Decimal(repr(v)) if isinstance(v, float) else v for v in values]))
    return rows, []


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _county_column(cells: list[Any]) -> int | None:
    return next((i for i, v in enumerate(cells) if county_key(_cell_text(v)) in _COUNTY_HEADERS), None)


def is_county_table(path: Path) -> bool:
    """A CSV/XLSX whose first non-empty row has a county column: facts keyed by county."""
    if path.suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
        return False
    rows, _ = _table_rows(path)
    first = next((cells for _, _, cells in rows if any(_cell_text(v) for v in cells)), None)
    return first is not None and _county_column(first) is not None


def _document(path: Path) -> Any:
    """A YAML/JSON file parsed (exact numbers); raises ``yaml.YAMLError`` / ``ValueError``."""
    text = path.read_text(encoding="utf-8-sig")
    return load_json(text) if path.suffix.lower() == ".json" else yaml.load(text, Loader=ExactSafeLoader)


def is_keyed(path: Path) -> bool:
    """Facts for several counties in one file: a ``counties:`` document, or a table with a county column."""
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        try:
            obj = _document(path)
        except (yaml.YAMLError, ValueError):
            return False
        return isinstance(obj, dict) and "counties" in obj
    return is_county_table(path)


def _keyed_table(path: Path, into: CountyFactsSet) -> None:
    """A table with one row per county; every fact cell validated as in a single county's file."""
    file = str(path)
    rows, problems = _table_rows(path)
    into.issues.extend(problems)
    header: list[str] | None = None
    county_at: int | None = None
    sheet_of_header: str | None = None
    for sheet, r, cells in rows:
        texts = [_cell_text(v) for v in cells]
        if header is None or sheet != sheet_of_header:
            county_at = _county_column(cells)
            header = texts if county_at is not None else None
            sheet_of_header = sheet
            continue
        if not any(texts):
            continue
        assert county_at is not None
        county = texts[county_at] if county_at < len(texts) else ""
        if not county:
            into.issues.append(_issue(file, "未填写县（市、区），此行未使用", "no county on this row: not used",
                                      row=r, column=header[county_at], sheet=sheet))
            continue
        doc: dict[str, Any] = {"county": county, "facts": {}}
        columns: dict[str, str] = {}  # fact name as parse_county_facts names it → the header as written
        for i, head in enumerate(header):
            if i == county_at or not head:
                continue
            value = cells[i] if i < len(cells) else None
            if isinstance(value, str) and not value.strip():
                value = None
            if county_key(head) in _YEAR_HEADERS:
                doc["year"] = value
                continue
            doc["facts"][head] = value
            columns[county_fact_name(head) or head] = head
        facts = parse_county_facts(doc, file)
        into.add(facts.model_copy(update={"issues": tuple(
            i.model_copy(update={"row": r, "sheet": sheet, "column": columns.get(i.column or "", i.column)})
            for i in facts.issues)}), file)


def _read_one(path: Path, into: CountyFactsSet, in_folder: bool) -> None:
    """One file: keyed by county (a ``counties:`` document or a table with a county column), or one county's."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        try:
            obj = _document(path)
        except (yaml.YAMLError, ValueError) as exc:
            into.issues.append(_issue(file, f"文件格式错误：{exc}", f"invalid file: {exc}"))
            return
        if isinstance(obj, dict) and "counties" in obj:
            _keyed_document(obj, file, into)
            return
        facts = parse_county_facts(obj, file)
    elif is_county_table(path):
        _keyed_table(path, into)
        return
    elif suffix == ".csv":
        into.issues.append(_issue(file, "CSV 县级数据需要“县（市、区）”列（每县一行）",
                                  "a CSV of county facts needs a county column (one row per county)"))
        return
    else:
        facts = read_county_facts(path)
    if not facts.county and in_folder:  # a folder of files named by county: 甲县.yaml
        facts = facts.model_copy(update={"county": path.stem.strip()})
    into.add(facts, file)


def read_county_facts_set(paths: Sequence[Path]) -> CountyFactsSet:
    """Every ``--county-facts`` given: files (one county's, or keyed by county) and folders of files."""
    out = CountyFactsSet()
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FACTS_SUFFIXES
                           and not p.name.startswith((".", "~$")))
            if not files:
                out.issues.append(_issue(str(path), "文件夹中没有县级数据文件（.yaml .json .xlsx .csv）",
                                         "no county facts files (.yaml .json .xlsx .csv) in the folder"))
            for f in files:
                _read_one(f, out, in_folder=True)
        else:
            _read_one(path, out, in_folder=False)
    return out


def match_counties(facts: CountyFactsSet, counties: Sequence[str],
                   ) -> tuple[dict[str, CountyFacts | None], list[InputIssue]]:
    """Each county of the school data → its facts (None when there are none), and the warnings:
    facts for a county not in the data (with the nearest name in the data), and counties without facts.

    A single file naming no county is used only when the data hold one county; with several it is an
    error (which county's facts would they be?) and is not used."""
    issues = list(facts.issues)
    by_key = {county_key(k): v for k, v in facts.by_county.items()}
    data_keys = {county_key(c): c for c in counties}
    if facts.unnamed and len(counties) == 1 and not facts.by_county and len(facts.unnamed) == 1:
        return {counties[0]: facts.unnamed[0]}, issues
    for f in facts.unnamed:
        issues.append(_issue(f.file, "县级数据文件没有写明县（county:），数据中有多个县，无法确定属于哪个县；未使用",
                             "the county facts file names no county (county:) and the data hold several counties: "
                             "not used", column="county"))
    for name, f in facts.by_county.items():
        if county_key(name) in data_keys:
            continue
        near = difflib.get_close_matches(county_key(name), list(data_keys), n=1, cutoff=0.5)
        guess = data_keys[near[0]] if near else None
        issues.append(_issue(
            f.file, f"县“{name}”不在学校数据中，其县级数据未使用" + (f"；是否指“{guess}”？" if guess else ""),
            f"county {name!r} is not in the school data: its facts are not used"
            + (f"; did you mean {guess!r}?" if guess else ""), column="county", value=name, severity="warning"))
    out: dict[str, CountyFacts | None] = {}
    for c in counties:
        found = by_key.get(county_key(c))
        out[c] = found
    return out, issues

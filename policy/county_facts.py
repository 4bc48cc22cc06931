"""County facts (县级事实): the county items of the 2017 办法, and reading a county facts file.

``policy.facts.COUNTY_FACTS`` holds the county facts of the public contract (see the README).
The 2017 county items that the catalogue leaves as "boolean items named after the rule", and the few
numeric items it does not list, are named here (one place, used by rulesets and importers).

A county facts file is YAML or JSON::

    county: 示例县
    year: 2024
    facts:
      government_effort_score: {value: 88, origin: synthetic}
      public_satisfaction: "91%"          # ratios: 0.91 or "91%", never 91
      layout_reasonable: true
    shared_assets:                         # totals reported once for an 一贯制 school
      - {school_id: QH-B, fact: books, total: 41446, senior_students: 0, origin: real}

Numbers are exact (YAML floats are read as decimals); yes/no items are stored as 1/0.
"""

from __future__ import annotations

import difflib
import io
import unicodedata
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from junheng.policy.cells import CellError, parse_boolean, parse_number
from junheng.policy.facts import COUNTY_FACTS, FACTS, FactKind, FactScope, FactSpec
from junheng.policy.inputs import InputIssue
from junheng.policy.readers import ExactSafeLoader, load_json


def _item(name: str, zh: str, en: str, kind: FactKind = FactKind.boolean, unit: str = "bool") -> FactSpec:
    return FactSpec(name, zh, en, unit, kind, FactScope.county)


COUNTY_ITEM_FACTS: tuple[FactSpec, ...] = (
    # 2017 政府保障程度 (教督〔2017〕6号)
    _item("layout_reasonable", "学校规划布局合理，符合国家规定要求", "school layout planned as required"),
    _item("four_unified_standards", "城乡学校建设标准、教师编制标准、生均公用经费基准定额、基本装备配置标准统一",
          "urban and rural standards unified (building, staffing, funding, equipment)"),
    _item("music_art_rooms_met", "每12个班级配备音乐、美术专用教室1间以上且面积达标",
          "music and art rooms: one each per 12 classes, of the required size"),
    _item("small_school_funding_at_100", "不足100名学生的村小学和教学点按100名学生核定公用经费",
          "small village schools funded as 100 students"),
    _item("special_education_funding_per_student", "特殊教育学校生均公用经费", "special-education funding per student",
          FactKind.number, "yuan"),
    _item("teacher_training_completion_rate", "教师5年360学时培训完成率", "teachers' 360-hour training completion",
          FactKind.ratio, "ratio"),
    _item("staff_quota_county_managed", "县级教育行政部门统筹分配各校教职工编制和岗位数量",
          "county allocates staff quotas and posts"),
    _item("teacher_certification_rate", "专任教师持有教师资格证上岗率", "teachers holding a teaching certificate",
          FactKind.ratio, "ratio"),
    _item("nearby_enrolment_rate_primary", "城区和镇区公办小学就近划片入学比例",
          "urban public primary: nearby-zone admission", FactKind.ratio, "ratio"),
    _item("nearby_enrolment_rate_junior", "城区和镇区公办初中就近划片入学比例",
          "urban public junior: nearby-zone admission", FactKind.ratio, "ratio"),
    _item("quality_high_school_quota_share", "优质高中招生名额分配到初中的比例",
          "quality senior-high places allocated to junior schools", FactKind.ratio, "ratio"),
    _item("left_behind_care_system", "留守儿童关爱体系健全", "care system for left-behind children in place"),
    # 2017 教育质量 (教督〔2017〕6号)
    _item("school_charters_and_it_management", "所有学校制定章程，实现学校管理与教学信息化",
          "every school has a charter and IT-based management"),
    _item("min_school_training_budget_share", "各校教师培训经费占年度公用经费预算总额比例的最低值",
          "lowest school share of the annual budget spent on teacher training", FactKind.ratio, "ratio"),
    _item("teachers_use_it_well", "教师能熟练运用信息化手段组织教学，设施设备利用率较高",
          "teachers use IT well, equipment well used"),
    _item("moral_education_good", "所有学校德育工作、校园文化建设水平达到良好以上",
          "moral education and school culture rated good or better"),
    _item("curriculum_complete", "课程开齐开足，教学秩序规范，综合实践活动有效开展",
          "full curriculum, orderly teaching, practical activities"),
    _item("no_excessive_homework", "无过重课业负担", "no excessive homework burden"),
    # 2017 一票否决 (教督〔2017〕6号): true means the problem occurred
    _item("veto_exam_admission", "以考试方式招生", "admission by examination"),
    _item("veto_illegal_school_choice", "违规择校", "illegal school choice"),
    _item("veto_key_schools_or_classes", "设置重点校或重点班", "key schools or key classes"),
    _item("veto_unfilled_quota", "有编不补或长期聘用编外教师", "vacant posts unfilled or long-term non-quota teachers"),
    _item("veto_major_accident", "发生重大安全责任事故或严重违纪违规事件",
          "major safety accident or serious violation"),
    _item("veto_fraud", "弄虚作假", "falsified data"),
)

COUNTY_FACT_SPECS: dict[str, FactSpec] = {
    **{f.name: f for f in COUNTY_FACTS},
    **{f.name: f for f in COUNTY_ITEM_FACTS},
}


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


_COUNTY_LOOKUP: dict[str, str] = {
    _norm(label): f.name for f in COUNTY_FACT_SPECS.values() for label in (f.name, f.zh, f.en, *f.aliases)
}
TOP_LEVEL_KEYS: dict[str, tuple[str, ...]] = {
    "county": ("county", "县", "县（市、区）", "县(市、区)", "县区", "县名"),
    "year": ("year", "年度", "学年", "年份"),
    "facts": ("facts", "县级数据", "数据"),
    "shared_assets": ("shared_assets", "共用资产"),
}
"""The keys a county facts file may have at the top, in English or Chinese."""
_TOP_LOOKUP = {_norm(label): key for key, labels in TOP_LEVEL_KEYS.items() for label in labels}


def county_fact_name(key: str) -> str | None:
    """The county fact a key names: canonical (``public_satisfaction``) or Chinese (``公众满意度``)."""
    return _COUNTY_LOOKUP.get(_norm(key))


def fact_spec(name: str) -> FactSpec | None:
    """A school or county fact by canonical name."""
    return COUNTY_FACT_SPECS.get(name) or FACTS.get(name)


def known_fact_names() -> frozenset[str]:
    return frozenset(FACTS) | frozenset(COUNTY_FACT_SPECS)


class SharedAsset(BaseModel):
    """A total reported once for a school with several sections, to be split by enrolment."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    school_id: str
    fact: str
    total: Fraction
    senior_students: Fraction = Fraction(0)
    origin: str = ""


class CountyFacts(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    file: str = ""
    county: str = ""
    year: int | None = None
    values: dict[str, Fraction] = Field(default_factory=dict)
    origins: dict[str, str] = Field(default_factory=dict)
    """Fact → "real" / "synthetic" / free text, as labelled in the file."""
    shared_assets: tuple[SharedAsset, ...] = ()
    issues: tuple[InputIssue, ...] = ()


RATIOS_ABOVE_ONE = frozenset({"teacher_salary_ratio"})
"""Ratios that may exceed 1 (teacher pay ÷ civil-servant pay); every other ratio is a share."""


def _issue(file: str, column: str | None, value: object, zh: str, en: str) -> InputIssue:
    return InputIssue(file=file, column=column, value=None if value is None else str(value),
                      message_zh=zh, message_en=en)


def _number(raw: object, spec: FactSpec | None) -> Fraction:
    """One exact number from a YAML/JSON scalar; raises CellError."""
    if spec is not None and spec.kind is FactKind.boolean:  # 是/否, true/false, 1/0, √/× (policy/cells.py)
        try:
            value = parse_boolean(raw)
        except CellError as exc:
            raise CellError(f"“{spec.zh}”：{exc.message_zh}", f"{spec.name}: {exc.message_en}") from None
        if value is None:
            raise CellError("缺少数值", "missing value")
        return value
    if isinstance(raw, bool) or raw in ("true", "false", "True", "False"):
        if spec is not None:
            raise CellError("此项应为数值，不是是/否", "this item is a number, not true/false")
        return Fraction(1) if raw in (True, "true", "True") else Fraction(0)
    if isinstance(raw, Decimal | int):
        raw = str(raw)
    if not isinstance(raw, str):
        raise CellError("不是数值", "not a number")
    parsed = parse_number(raw)
    if parsed.value is None:
        raise CellError("缺少数值", "missing value")
    if (spec is not None and spec.kind is FactKind.ratio and not parsed.percent and parsed.value > 1
            and spec.name not in RATIOS_ABOVE_ONE):
        raise CellError("比例应写作小数（0.85）或百分数（85%），不能写85",
                        "a ratio is a fraction (0.85) or a percentage (85%), not 85")
    return parsed.value


def parse_county_facts(obj: Any, file: str) -> CountyFacts:
    """Validate a parsed county facts document; every problem becomes an issue (never a guess)."""
    issues: list[InputIssue] = []
    if not isinstance(obj, dict):
        return CountyFacts(file=file, issues=(_issue(file, None, None, "县级数据文件应为键值映射",
                                                      "a county facts file must be a mapping"),))
    values: dict[str, Fraction] = {}
    origins: dict[str, str] = {}
    top: dict[str, Any] = {}
    for key, value in obj.items():
        name = _TOP_LOOKUP.get(_norm(str(key)))
        if name is not None:
            top[name] = value
        elif county_fact_name(str(key)) is not None:
            issues.append(_issue(
                file, str(key), None,
                f"“{key}”是县级数据，应写在 facts: 下（缩进两格），否则不会被使用",
                f"{key!r} is a county fact: put it under facts: (indented), or it is not used"))
        else:
            issues.append(_issue(
                file, str(key), None,
                "未知的顶层键；可用：county（县）、year（年度）、facts（县级数据）、shared_assets",
                "unknown top-level key; use county, year, facts, shared_assets"))
    facts = top.get("facts") or {}
    if not isinstance(facts, dict):
        facts = {}
        issues.append(_issue(file, "facts", None, "facts 应为键值映射", "facts must be a mapping"))
    seen: set[str] = set()
    for name, raw in facts.items():
        canonical = county_fact_name(str(name))
        spec = COUNTY_FACT_SPECS.get(canonical) if canonical is not None else None
        if spec is None:
            hint = difflib.get_close_matches(_norm(str(name)), list(_COUNTY_LOOKUP), n=1, cutoff=0.6)
            guess = COUNTY_FACT_SPECS[_COUNTY_LOOKUP[hint[0]]] if hint else None
            issues.append(_issue(
                file, str(name), None,
                "未知的县级数据名称（未使用）" + (f"；是否指“{guess.zh}”（{guess.name}）？" if guess else ""),
                "unknown county fact (not used)" + (f"; did you mean {guess.name} ({guess.zh})?" if guess else ""),
            ).model_copy(update={"severity": "warning"}))
            continue
        if spec.name in seen:
            issues.append(_issue(file, str(name), None, f"“{spec.zh}”重复给出", f"{spec.name} is given twice"))
            continue
        seen.add(spec.name)
        value = raw
        if isinstance(raw, dict):
            value = raw.get("value")
            origins[spec.name] = str(raw.get("origin", ""))
        if value is None:
            continue  # written but blank: missing, never a pass
        try:
            values[spec.name] = _number(value, spec)
        except CellError as exc:
            issues.append(_issue(file, spec.name, value, exc.message_zh, exc.message_en))
    shared: list[SharedAsset] = []
    for i, entry in enumerate(top.get("shared_assets") or []):
        where = f"shared_assets[{i}]"
        try:
            if not isinstance(entry, dict) or str(entry.get("fact")) not in FACTS:
                raise CellError("需要 school_id、fact（学校数据名称）和 total",
                                "needs school_id, fact (a school fact name) and total")
            shared.append(SharedAsset(
                school_id=str(entry["school_id"]), fact=str(entry["fact"]),
                total=_number(entry.get("total"), None),
                senior_students=_number(entry.get("senior_students", "0"), None),
                origin=str(entry.get("origin", ""))))
        except (CellError, KeyError) as exc:
            zh, en = (exc.message_zh, exc.message_en) if isinstance(exc, CellError) else (
                f"缺少 {exc}", f"missing {exc}")
            issues.append(_issue(file, where, None, zh, en))
    year = top.get("year")
    return CountyFacts(file=file, county=str(top.get("county") or ""),
                       year=int(str(year)) if year is not None and str(year).isdigit() else None,
                       values=values, origins=origins, shared_assets=tuple(shared),
                       issues=tuple(issues))


_KEY_HEADERS = frozenset({"事实名", "fact", "代码", "key"})
_NAME_HEADERS = frozenset({"名称", "项目", "name", "item", "指标"})
_VALUE_HEADERS = frozenset({"数值", "值", "value", "填写", "填报数值"})
_ORIGIN_HEADERS = frozenset({"来源", "数据来源", "origin", "source"})


def _xlsx_document(path: Path) -> tuple[dict[str, Any], list[InputIssue]]:
    """A county facts workbook (as ``junheng template --county`` writes it) as the document a YAML
    file would give: every sheet with a 数值 column and a 事实名 or 名称 column; each row one fact
    (or ``county`` / ``year``); the row's 来源 is the fact's origin."""
    import openpyxl

    from junheng.policy.xlsx_limits import workbook_problem

    file = str(path)
    data = path.read_bytes()
    problem = workbook_problem(data)  # zip bombs, DTDs, merged areas: before openpyxl parses
    if problem is not None:
        return {}, [_issue(file, None, None, *problem)]
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        return {}, [_issue(file, None, None, f"无法读取 Excel 工作簿（{exc}）", f"not a readable workbook ({exc})")]
    doc: dict[str, Any] = {}
    facts: dict[str, Any] = {}
    issues: list[InputIssue] = []
    found = False
    for ws in wb.worksheets:
        cols: dict[str, int] = {}
        for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
            texts = ["" if v is None else str(v).strip() for v in values]
            if not cols:
                normed = [_norm(t) for t in texts]
                for role, names in (("key", _KEY_HEADERS), ("name", _NAME_HEADERS), ("value", _VALUE_HEADERS),
                                    ("origin", _ORIGIN_HEADERS)):
                    at = next((i for i, t in enumerate(normed) if t.split("(")[0] in names), None)
                    if at is not None:
                        cols[role] = at
                if "value" not in cols or not ({"key", "name"} & set(cols)):
                    cols = {}
                found = found or bool(cols)
                continue

            def cell(role: str, texts: list[str] = texts, cols: dict[str, int] = cols) -> str:
                i = cols.get(role)
                return texts[i] if i is not None and i < len(texts) else ""

            key = cell("key") or cell("name")
            if not key:
                continue
            raw = values[cols["value"]] if cols["value"] < len(values) else None
            if isinstance(raw, float):
                raw = Decimal(repr(raw))  # the shortest text of the stored number
            elif isinstance(raw, str) and not raw.strip():
                raw = None
            top = _TOP_LOOKUP.get(_norm(key))
            if top in ("county", "year"):
                doc[top] = raw
                continue
            name = key if county_fact_name(key) is not None or not cell("name") else cell("name")
            if name in facts:
                issues.append(_issue(file, name, None, f"第{r}行重复给出此项", f"row {r}: given twice")
                              .model_copy(update={"sheet": ws.title, "row": r}))
                continue
            facts[name] = {"value": raw, "origin": cell("origin")}
    if not found:
        issues.append(_issue(file, None, None, "找不到表头（需要“事实名”或“名称”列和“数值”列）",
                             "no header row with a fact (事实名 / name) and a value (数值) column"))
    doc["facts"] = facts
    return doc, issues


def read_county_facts(path: Path) -> CountyFacts:
    """Read a county facts file (YAML, JSON or XLSX)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        doc, problems = _xlsx_document(path)
        parsed = parse_county_facts(doc, str(path))
        return parsed.model_copy(update={"issues": (*problems, *parsed.issues)})
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".json":
            obj = load_json(text)
        else:
            obj = yaml.load(text, Loader=ExactSafeLoader)
    except (yaml.YAMLError, ValueError) as exc:  # UnicodeDecodeError, JSONDecodeError: ValueErrors
        return CountyFacts(file=str(path), issues=(_issue(str(path), None, None,
                                                           f"文件格式错误：{exc}", f"invalid file: {exc}"),))
    return parse_county_facts(obj, str(path))

"""The principal's letter (给校长的说明), rendered from one school section's trace alone.

What is met, what is not and by how much, what cannot be decided and which figure is missing,
the cheapest ways to pass a failed gate, then what to do in the order a principal would act on
it: first what the school can do itself (equipment, books, computers), then what needs the county
education bureau (staff, titles), then building work (longest: apply now). Nothing is re-read
from the input, recomputed or sliced out of another sentence; nothing is promised that depends on
an item that cannot be decided yet. Signed by the office given (``--office``) or the county's
education supervision office named from the input's county.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from junheng.cli.render import numbers as n
from junheng.cli.render.explain import gap_text_of, missing_text, schedule_text
from junheng.cli.render.templates import SEP, T, Template
from junheng.cli.render.words import fact_name, fact_noun, level_name, op_words, outcome_word
from junheng.engine.results import Outcome, RuleResult, RulesetInfo, SchoolResult, Shortfall
from junheng.policy.model import Op, ProportionalSchedule, Status, StepSchedule
from junheng.policy.units import unit

L: dict[str, Template] = {
    "greeting": T("{name}校长：", "Dear Principal of {name},"),
    "document": T("《{title}》（{number}）", "{title} ({number})"),
    "document_untitled": T("《{title}》", "{title}"),
    "opening_scored": T("您好！按照{document}的评分办法，根据贵校填报的{level}数据测算，已能计分的项目共得{awarded}分"
                        "（这些项目满分{decided}分，扣{deducted}分）。",
                        "Under {document}, the figures your school reported for its {level} section give "
                        "{awarded} points on the items that can be scored (out of {decided}; {deducted} off)."),
    "opening_scored_all": T("您好！按照{document}的评分办法，根据贵校填报的{level}数据测算，贵校得{awarded}分"
                            "（满分{points}分，扣{deducted}分）。",
                            "Under {document}, the figures your school reported for its {level} section give "
                            "{awarded} of {points} points ({deducted} off)."),
    "undecided": T("另有{undecided}分的项目暂时无法计分（见下），总分要等这些项目补齐后才能确定。",
                   " Another {undecided} points cannot be scored yet (below): the total is open until they are."),
    "opening_checked": T("您好！按照{document}，根据贵校填报的{level}数据逐项核对：{counts}。结论：{outcome}。",
                         "Checked against {document} on the figures your school reported for its {level} "
                         "section: {counts}. Result: {outcome}."),
    "counts_met": T("{n}项达到要求", "{n} met"),
    "counts_failed": T("{n}项没有达到要求", "{n} not met"),
    "counts_unknown": T("{n}项缺少数据、暂时无法判定", "{n} cannot be decided for lack of data"),
    "counts_recorded": T("{n}项记录了评估得分（分值未公开，不计总分）",
                         "{n} assessed score(s) recorded (weights not public)"),
    "recorded_line": T("已记录的评估得分（这些项目的分值和权重都没有公开，只记录、不合计、不判定达标）：{items}。",
                       "Assessed scores recorded (the weights of these items are not public: recorded, not totalled, "
                       "no verdict): {items}."),
    "recorded_item": T("{title}{awarded}分", "{title} {awarded}"),
    "closing_unweighted": T("这些项目的分值和权重都没有公开：补齐评估得分后也只能逐项记录，"
                            "不能合计总分，也不能据此判定是否达标。",
                            "The weights of these items are not public: once the assessed scores are in, they can "
                            "only be recorded item by item, not totalled or judged."),
    "met_line": T("已经达到要求的：{items}。", "Already met: {items}."),
    "failed_heading": T("没有达到要求的：", "Not met:"),
    "deducted_heading": T("扣分的项目：", "Items that lost points:"),
    "unknown_heading": T("暂时无法判定的（缺少的数据不视为达标）：",
                         "Cannot be decided yet (a missing figure is never a pass):"),
    "head_scored": T("{title}（满分{points}分，得{awarded}分，扣{deducted}分）",
                     "{title} ({awarded} of {points} points, {deducted} off)"),
    "head_unscored": T("{title}（满分{points}分，暂时无法计分）", "{title} ({points} points, cannot be scored yet)"),
    "head_plain": T("{title}", "{title}"),
    "head_unweighted": T("{title}（分值未公开，评估得分{awarded}）",
                         "{title} (points not public; assessed score {awarded})"),
    "head_unweighted_unscored": T("{title}（分值未公开，暂时无法计分）", "{title} (points not public; not scored yet)"),
    "measured": T("{have}{title}为{actual}，标准要求{op}{required}{gap}。",
                  "{have}{title} is {actual}; the standard requires {op} {required}{gap}."),
    "have": T("贵校现有{fact}{value}，", "With {value}, "),
    "gap": T("，还差{gap}", ", short by {gap}"),
    "just_below": T("，略低于要求", ", just below the requirement"),
    "just_above": T("，略高于要求", ", just above the limit"),
    "step_points": T("评分办法是“{schedule}”：差额{gap}中有{steps}个完整的{per}，因此扣{deducted}分。",
                     "The schedule is: {schedule}. The gap of {gap} holds {steps} full step(s) of {per}, so "
                     "{deducted} point(s) are taken off."),
    "proportional_points": T("这一项按达到要求的比例计分：{points}分×（{actual}÷{required}）＝{raw}分，"
                             "{rounding}后得{awarded}分，扣{deducted}分。",
                             "Points are proportional: {points} × ({actual} ÷ {required}) = {raw}, {rounding}: "
                             "{awarded}, {deducted} off."),
    "other_points": T("按“{schedule}”，这一项扣{deducted}分。",
                      "By the schedule ({schedule}), {deducted} point(s) off."),
    "assessed_points": T("这一项的评分细则没有找到，按填报的评估得分{awarded}分计算，扣{deducted}分。",
                         "The scoring rule of this item was not found; the assessed score of {awarded} is used: "
                         "{deducted} off."),
    "no_assessed": T("这一项的评分细则没有找到，需要评估组认定的得分；数据中没有这一项的得分，暂时无法计分。",
                     "The scoring rule of this item was not found and needs the assessors' score; the data has "
                     "none, so it cannot be scored yet."),
    "unweighted_points": T("这一项的评分细则和分值都没有公开，按填报的评估得分{awarded}记录，"
                           "不计入总分，结论暂时无法判定。",
                           "Neither the scoring rule nor the weight of this item is public: the assessed score of "
                           "{awarded} is recorded, not totalled, and no verdict can be given yet."),
    "invalid_assessed_unweighted": T("填报的评估得分“{value}”无效（应为不小于0的数），暂时无法计分。",
                                     "The assessed score '{value}' is not a number of at least 0: it cannot be "
                                     "scored yet."),
    "invalid_assessed": T("填报的评估得分“{value}”无效（应为0至{points}分），暂时无法计分。",
                          "The assessed score '{value}' is not between 0 and {points}: it cannot be scored yet."),
    "no_table_row": T("办学规模参数表中没有{value}个班的{level}数值，暂时无法计分。",
                      "The size table has no value for {value} classes ({level}): it cannot be scored yet."),
    "missing": T("缺少数据：{missing}。", "Missing: {missing}."),
    "undefined": T("计算时除数为0（如在校生数为0），这一项无法计算。",
                   "The formula divides by zero (e.g. 0 students)."),
    "gate_ways": T("按“至少{min_met}项达标、余项不低于要求的{floor}”的规定，只需做到以下任一种：{ways}。",
                   "Under the rule “at least {min_met} met, the rest at least {floor} of requirement”, any one of "
                   "these is enough: {ways}."),
    "gate_full": T("{action}", "{action}"),
    "gate_floor": T("使“{title}”达到要求的{floor}（{action}）",
                    "bring {title} to {floor} of its requirement ({action})"),
    "plan_intro_points": T("要把这{deducted}分拿回来，建议按下面的顺序着手：",
                           "To win these {deducted} points back, act in this order:"),
    "plan_intro": T("要达到标准，建议按下面的顺序着手：", "To meet the standard, act in this order:"),
    "regain": T("{action}，“{title}”这{points}分就能拿回来", "{action}, and {title} regains {points} point(s)"),
    "regain_full": T("；要完全达到标准，需要{action}", "; to meet the standard fully: {action}"),
    "meet": T("{action}，“{title}”即可达标", "{action}, and {title} is met"),
    "ask_score": T("请向评估组取得“{title}”的认定得分并填入数据（列“score:{id}”或“{id}得分”）",
                   "Obtain the assessors' score for {title} and add it to the data (column 'score:{id}' or "
                   "'{id}得分')"),
    "ask_reason": T("请对照评估组的评分表，核实“{title}”扣{deducted}分的具体原因",
                    "Check with the assessors' sheet why {title} lost {deducted} point(s)"),
    "ask_data": T("请补齐“{title}”所需的数据：{missing}", "Add the figures {title} needs: {missing}"),
    "closing_points_all": T("以上几项都做到后，按这套评分办法，贵校可以拿到满分{points}分。",
                            "With all of the above done, your school would score full marks ({points}) under thi"
                            "s scheme."),
    "closing_points_open": T("以上几项做到后，已计分的项目可以拿回{deducted}分；"
                             "另有{undecided}分的项目要补齐数据后才能计算，"
                             "现在还不能说总分能到多少。",
                             "With the above done, the scored items regain {deducted} points; {undecided} more points "
                             "depend on items that cannot be scored yet, so no total can be promised."),
    "closing_met_all": T("以上几项都做到后，贵校即可达到这一标准的全部要求。",
                         "With all of the above done, your school would meet every requirement of this standard."),
    "closing_met_open": T("以上几项做到后，已判定的各项即可达到要求；另有{unknown}项要补齐数据后才能判定。",
                          "With the above done, every decided item would be met; {unknown} more can only be decided "
                          "once their figures are in."),
    "caveat_intro": T("说明：以下数值或办法尚未找到官方原文，结果仅供参考，请以评估组的正式认定为准——",
                      "Note: these numbers or schedules are not confirmed by an official text; treat the result as "
                      "indicative and rely on the assessors' decision:"),
    "caveat_param": T("要求值{value}尚未找到官方原文（{status}）",
                      "the required value {value} has no official text yet ({status})"),
    "caveat_schedule": T("计分办法“{schedule}”{how}（{status}）", "the schedule ({schedule}) is {status}"),
    "caveat_inferred": T("是根据学校自评结果推算的", "inferred"),
    "caveat_unfound": T("尚未找到原文", "unconfirmed"),
    "caveat_item": T("这一项本身的依据为{status}", "the item itself is {status}"),
    "caveat_line": T("“{title}”：{what}。", "{title}: {what}."),
    "sign_county": T("{county}人民政府教育督导室", "Education Supervision Office, {county}"),
    "date": T("{y}年{m}月{d}日", "{y}-{m:0>2}-{d:0>2}"),
    "data_ref": T("数据来源：{file}（第{row}行）；规则集 {id}（版本 {version}）。",
                  "Data: {file} (row {row}); ruleset {id} (version {version})."),
    "step1": T("学校自己就能办的：添置设备和图书", "What the school can do itself: equipment and books"),
    "step2": T("需要向县教育局申请的：人员和职称", "What needs the county education bureau: staff and titles"),
    "step3": T("需要县里立项的：校舍和场地（周期最长，建议现在就申报）",
               "What needs a county building project: rooms and grounds (takes longest: apply now)"),
    "step4": T("需要与评估组核实或补齐数据的", "To check with the assessors or complete the data"),
}

# how to say "add N of it" naturally, per resource: (zh verb phrase, zh measure word)
_ADD_ZH = {
    "teachers_mid_senior_title": "再有{n}名教师取得中级及以上职称",
    "staff": "再配备{n}名教职工",
    "teachers": "再配备{n}名专任教师",
    "teachers_above_required_degree": "再有{n}名教师达到高于规定的学历",
    "backbone_teachers": "再有{n}名教师评为县级以上骨干教师",
    "pe_art_teachers": "再配备{n}名体育、艺术专任教师",
    "computers": "再添置{n}学生用计算机",
    "books": "再添置图书{n}",
    "multimedia_classrooms": "再建{n}网络多媒体教室",
    "equipment_value_yuan": "再添置教学仪器设备{n}",
    "teaching_aux_area_m2": "再增加教学及辅助用房{n}",
    "building_area_m2": "再增加校舍建筑面积{n}",
    "sports_area_m2": "再增加体育运动场地{n}",
    "land_area_m2": "再增加占地面积{n}",
}
_CUT_ZH = {"max_class_size": "把最大班额降到{target}以内（减少{n}）"}
_STEP = {
    "computers": 1, "books": 1, "equipment_value_yuan": 1, "multimedia_classrooms": 1,
    "teachers_mid_senior_title": 2, "staff": 2, "teachers": 2, "teachers_above_required_degree": 2,
    "backbone_teachers": 2, "pe_art_teachers": 2,
}
"""Which step a resource belongs to (anything else is building work, step 3)."""
_DIGITS = "零一二三四五六七八九"


def chinese_number(i: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 21 → 二十一 (item numbers of a letter, 1–99)."""
    if not 1 <= i <= 99:
        return str(i)
    tens, ones = divmod(i, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def _action(s: Shortfall, lang: str, nested: bool = False) -> str:
    """“再增加教学及辅助用房564.22平方米（达到5014.22平方米）”; ``nested`` (inside brackets already):
    “…，达到5014.22平方米”."""
    amount = n.quantity(s.amount, s.unit, lang)
    if lang == "zh" and s.unit == "persons" and s.direction == "increase":
        amount = n.whole(s.amount)  # "再有13名教师…": the template says 名
    target = n.quantity(s.target, s.unit, lang)
    if lang == "zh":
        if s.direction == "decrease":
            text = _CUT_ZH.get(s.fact, "把" + fact_name(s.fact, "zh") + "减少到{target}（减少{n}）")
            return text.format(n=amount, target=target)
        head = _ADD_ZH.get(s.fact, "再增加" + fact_name(s.fact, "zh") + "{n}").format(n=amount)
        return head + (f"，达到{target}" if nested else f"（达到{target}）")
    to = f", to {n.whole(s.target) if unit(s.unit).integral else target}"
    to = to if nested else f" ({to[2:]})"
    if s.direction == "decrease":
        return f"reduce {fact_name(s.fact, 'en')} by {amount}{to}"
    return f"add {_en_amount(s.amount, s)}{to}"


def _en_amount(value: Fraction, s: Shortfall) -> str:
    """“13 teachers with intermediate or senior titles”, “564.22 m² of teaching … area”."""
    if unit(s.unit).integral:
        return f"{n.whole(value)} {fact_name(s.fact, 'en')}"
    return f"{n.quantity(value, s.unit, 'en')} of {fact_name(s.fact, 'en')}"


@dataclass
class LetterItem:
    heading: str
    body: str


@dataclass
class Letter:
    """One letter in one language: every part already in words, for text and HTML layout."""

    lang: str
    greeting: str
    opening: str
    met: str = ""
    failed_heading: str = ""
    failed: list[LetterItem] = field(default_factory=list)
    unknown_heading: str = ""
    unknown: list[LetterItem] = field(default_factory=list)
    gate_options: list[str] = field(default_factory=list)
    plan_intro: str = ""
    plan: list[tuple[str, list[str]]] = field(default_factory=list)
    closing: str = ""
    caveat_intro: str = ""
    caveats: list[str] = field(default_factory=list)
    office: str = ""
    date: str = ""
    data_ref: str = ""


def _measured(r: RuleResult, lang: str) -> str:
    """“贵校现有…，生均…为3.45平方米/生，标准要求不低于4.39平方米/生，还差0.94平方米/生。”"""
    if r.actual is None or r.required is None or r.kind == "count_gate":
        return ""
    unit_code = r.unit
    near = n.distinct(r.actual, r.required, unit_code)
    if near is not None:
        actual, required = (n.with_unit(t, unit_code, lang) for t in near)
        gap = L["just_below" if Op(r.op or ">=").is_lower_bound else "just_above"].get(lang) if r.gap else ""
    else:
        actual, required = n.measured(r.actual, unit_code, lang), n.required(r.required, unit_code, lang)
        gap = ""
        if r.gap and n.rounds_to_zero(r.gap, unit_code):
            gap = L["just_below" if Op(r.op or ">=").is_lower_bound else "just_above"].get(lang)
        elif r.gap:
            gap = L["gap"].fill(lang, gap=gap_text_of(r.gap, unit_code, lang))
    have = ""
    s = r.shortfall
    if s is not None and s.unit != unit_code:
        have = L["have"].fill(lang, fact=fact_noun(s.fact, lang),
                              value=n.quantity(s.current, s.unit, lang) if lang == "zh" else _en_amount(s.current, s))
    return L["measured"].fill(lang, have=have, title=_indicator_title(r, lang), actual=actual,
                              op=op_words(r.op, lang), required=required, gap=gap)


def _indicator_title(r: RuleResult, lang: str) -> str:
    if r.score is not None and r.score.checks:
        return r.score.checks[0].title.get(lang)
    return r.title.get(lang)


def _points_reason(r: RuleResult, lang: str) -> str:
    s = r.score
    if s is None:
        return ""
    pts = n.trimmed(s.points) if s.points is not None else ""
    if s.note is not None:
        key = {"no_assessed_score": "no_assessed", "invalid_assessed_score": "invalid_assessed",
               "no_table_row": "no_table_row"}[s.note.kind]
        if s.points is None and key == "invalid_assessed":
            key = "invalid_assessed_unweighted"
        return L[key].fill(lang, value=s.note.value, points=pts, level="")
    if s.points is None and s.awarded is not None:
        return L["unweighted_points"].fill(lang, awarded=n.trimmed(s.awarded))
    if s.awarded is None or not s.deducted:
        return ""
    d, got = n.trimmed(s.deducted), n.trimmed(s.awarded)
    words = schedule_text(s.schedule, s.schedule_unit, lang)
    if s.assessed:
        return L["assessed_points"].fill(lang, awarded=got, deducted=d)
    if isinstance(s.schedule, StepSchedule) and s.steps is not None and r.gap is not None:
        return L["step_points"].fill(lang, schedule=words, gap=n.measured(r.gap, r.unit, lang), steps=str(s.steps),
                                     per=n.quantity(s.schedule.per, s.schedule_unit, lang), deducted=d)
    if isinstance(s.schedule, ProportionalSchedule) and s.raw is not None and s.points:
        rounding = {"half_up": "四舍五入" if lang == "zh" else "rounded half up",
                    "floor": "舍去尾数" if lang == "zh" else "rounded down",
                    "exact": "不取整" if lang == "zh" else "not rounded"}[s.schedule.rounding]
        actual = n.measured(r.actual, r.unit, lang) if r.actual is not None else "—"
        required = n.required(r.required, r.unit, lang) if r.required is not None else "—"
        return L["proportional_points"].fill(lang, points=pts, actual=actual, required=required,
                                             raw=n.trimmed(s.raw, 3), rounding=rounding, awarded=got, deducted=d)
    return L["other_points"].fill(lang, schedule=words, deducted=d)


def _unknown_body(r: RuleResult, lang: str) -> str:
    if r.score is not None and r.score.note is not None:
        return _points_reason(r, lang)
    if r.undefined:
        return L["undefined"].get(lang)
    if r.kind == "count_gate":
        names = SEP.get(lang).join(m.title.get(lang) for m in r.members if m.outcome is Outcome.unknown)
        return L["missing"].fill(lang, missing=names)
    missing = r.missing_facts or tuple(m for c in (r.score.checks if r.score else ()) for m in c.missing_facts)
    return L["missing"].fill(lang, missing=missing_text(missing, lang)) if missing else ""


def _gate_options(r: RuleResult, lang: str) -> str:
    if not r.paths or r.floor is None or r.min_met is None:
        return ""
    floor = n.percent_as_written(r.floor)
    labels = "甲乙丙丁戊己庚辛壬癸" if lang == "zh" else "abcdefghijklmnopqrstuvwxyz"
    ways = []
    for i, path in enumerate(r.paths):
        parts = [L["gate_full"].fill(lang, action=_action(st.shortfall, lang)) for st in path.full]
        parts += [L["gate_floor"].fill(lang, title=st.title.get(lang), floor=floor,
                                       action=_action(st.shortfall, lang, nested=True))
                  for st in path.to_floor]
        label = labels[i] if i < len(labels) else str(i + 1)
        joiner = "，并" if lang == "zh" else ", and "
        ways.append((f"（{label}）" if lang == "zh" else f"({label}) ") + joiner.join(parts))
    return L["gate_ways"].fill(lang, min_met=str(r.min_met), floor=floor,
                               ways=("；" if lang == "zh" else "; ").join(ways))


def _weak(status: Status | None) -> bool:
    return status in (Status.unconfirmed, Status.inferred)


def _caveats(results: tuple[RuleResult, ...], lang: str) -> list[str]:
    out = []
    for r in results:
        weak = [s for s in (r.parameter_status, r.status, r.score.schedule_status if r.score else None) if _weak(s)]
        if not weak or (r.outcome is Outcome.passed and not (r.score and r.score.deducted)):
            continue
        what = []
        if _weak(r.parameter_status) and r.required is not None and r.parameter_status is not None:
            what.append(L["caveat_param"].fill(lang, value=n.required(r.required, r.unit, lang),
                                               status=r.parameter_status.label(lang)))
        if r.score and r.score.schedule_status is not None and _weak(r.score.schedule_status):
            how = L["caveat_inferred" if r.score.schedule_status is Status.inferred else "caveat_unfound"].get(lang)
            words = schedule_text(r.score.schedule, r.score.schedule_unit, lang)
            what.append(L["caveat_schedule"].fill(lang, schedule=words, how=how,
                                                  status=r.score.schedule_status.label(lang)))
        if _weak(r.status):
            what.append(L["caveat_item"].fill(lang, status=r.status.label(lang)))
        joiner = "，" if lang == "zh" else ", "
        out.append(L["caveat_line"].fill(lang, title=r.title.get(lang), what=joiner.join(what)))
    return out


def document_text(ruleset: RulesetInfo, lang: str) -> str:
    """《title》（文号）, in both languages (the title alone when it is its own number)."""
    title = ruleset.document_title.get(lang) if ruleset.document_title is not None else ruleset.title.get(lang)
    if ruleset.document and ruleset.document != title and (ruleset.document_title is None
                                                           or ruleset.document != ruleset.document_title.zh):
        return L["document"].fill(lang, title=title, number=ruleset.document)
    return L["document_untitled"].fill(lang, title=title)


def write_letter(ruleset: RulesetInfo, school: SchoolResult, lang: str, *, office: str | None = None,
                 on: dt.date | None = None) -> Letter:
    """The letter to the principal of one school section, from its trace."""
    on = on or dt.date.today()
    name = school.school_name or school.school_id
    doc = document_text(ruleset, lang)
    level = level_name(school.level, lang)
    results = school.results
    judged = [r for r in results if r.kind != "count_gate"]  # each indicator; a gate is its verdict
    # assessed scores of items whose weight is not public (湖北 鄂政督〔2011〕6号): recorded, never totalled
    recorded = [r for r in judged if r.score is not None and r.score.points is None and r.score.awarded is not None]
    unweighted = any(r.score is not None and r.score.points is None for r in judged)
    if school.score is not None:
        lost = [r for r in results if r.score is not None and r.score.awarded is not None and r.score.deducted]
        failed_plain = [r for r in results if r.score is None and r.outcome is Outcome.failed]
        failed = lost + failed_plain
        unknown = [r for r in results
                   if r.outcome is Outcome.unknown or (r.score is not None and r.score.awarded is None)]
        sc = school.score
        decided = sc.points - sc.undecided
        key = "opening_scored" if sc.undecided else "opening_scored_all"
        opening = L[key].fill(lang, document=doc, level=level, awarded=n.trimmed(sc.awarded),
                              decided=n.trimmed(decided),
                              points=n.trimmed(sc.points), deducted=n.trimmed(sc.deducted))
        if sc.undecided:
            opening += L["undecided"].fill(lang, undecided=n.trimmed(sc.undecided))
        failed_heading = L["deducted_heading"].get(lang)
    else:
        failed = [r for r in judged if r.outcome is Outcome.failed]
        unknown = [r for r in judged if r.outcome is Outcome.unknown]
        met_n = sum(1 for r in judged if r.outcome is Outcome.passed)
        counts = [L["counts_met"].fill(lang, n=str(met_n))]
        if failed:
            counts.append(L["counts_failed"].fill(lang, n=str(len(failed))))
        if unknown:
            counts.append(L["counts_unknown"].fill(lang, n=str(len(unknown))))
        if recorded:
            counts.append(L["counts_recorded"].fill(lang, n=str(len(recorded))))
        opening = L["opening_checked"].fill(lang, document=doc, level=level, counts=SEP.get(lang).join(counts),
                                            outcome=outcome_word(school.outcome, lang))
        failed_heading = L["failed_heading"].get(lang)
    met = [r for r in judged if r.outcome is Outcome.passed and not (r.score and r.score.deducted)]
    letter = Letter(lang=lang, greeting=L["greeting"].fill(lang, name=name), opening=opening)
    if met:
        letter.met = L["met_line"].fill(lang, items=SEP.get(lang).join(r.title.get(lang) for r in met))
    if recorded:
        letter.met += ("" if not letter.met or lang == "zh" else " ") + L["recorded_line"].fill(
            lang, items=SEP.get(lang).join(L["recorded_item"].fill(lang, title=r.title.get(lang),
                                                                   awarded=n.trimmed(r.score.awarded))
                                           for r in recorded if r.score is not None and r.score.awarded is not None))
    failed.sort(key=lambda r: -(r.score.deducted or 0) if r.score else 0)
    for r in failed:
        body = (" " if lang == "en" else "").join(x for x in (_measured(r, lang), _points_reason(r, lang)) if x)
        letter.failed.append(LetterItem(_heading(r, lang), body))
    if failed:
        letter.failed_heading = failed_heading
    for r in unknown:
        letter.unknown.append(LetterItem(_heading(r, lang), _unknown_body(r, lang)))
    if unknown:
        letter.unknown_heading = L["unknown_heading"].get(lang)
    letter.gate_options = [g for g in (_gate_options(r, lang) for r in results if r.kind == "count_gate") if g]
    steps: dict[int, list[str]] = {}
    for r in failed:
        step, action = _plan_action(r, lang)
        steps.setdefault(step, []).append(action)
    for r in unknown:
        steps.setdefault(4, []).append(_data_action(r, lang))
    if steps:
        deducted = school.score.deducted if school.score is not None else Fraction(0)
        letter.plan_intro = (L["plan_intro_points"].fill(lang, deducted=n.trimmed(deducted)) if deducted
                             else L["plan_intro"].get(lang))
        letter.plan = [(L[f"step{k}"].get(lang), steps[k]) for k in sorted(steps)]
        letter.closing = L["closing_unweighted"].get(lang) if unweighted else _closing(school, unknown, lang)
    letter.caveat_intro = L["caveat_intro"].get(lang)
    letter.caveats = _caveats(results, lang)
    if office:
        letter.office = office
    elif school.county:
        letter.office = L["sign_county"].fill(lang, county=school.county)
    letter.date = L["date"].fill(lang, y=str(on.year), m=str(on.month), d=str(on.day))
    letter.data_ref = L["data_ref"].fill(lang, file=school.source or "—", row=str(school.row or "—"),
                                         id=ruleset.id, version=ruleset.version)
    return letter


def _heading(r: RuleResult, lang: str) -> str:
    title = r.title.get(lang)
    s = r.score
    if s is None:
        return L["head_plain"].fill(lang, title=title)
    if s.points is None:
        return (L["head_unweighted_unscored"].fill(lang, title=title) if s.awarded is None else
                L["head_unweighted"].fill(lang, title=title, awarded=n.trimmed(s.awarded)))
    if s.awarded is None:
        return L["head_unscored"].fill(lang, title=title, points=n.trimmed(s.points))
    return L["head_scored"].fill(lang, title=title, points=n.trimmed(s.points), awarded=n.trimmed(s.awarded),
                                 deducted=n.trimmed(s.deducted or Fraction(0)))


def _plan_action(r: RuleResult, lang: str) -> tuple[int, str]:
    s = r.score
    title = r.title.get(lang)
    if s is not None and s.assessed:
        return 4, L["ask_reason"].fill(lang, title=title, deducted=n.trimmed(s.deducted or Fraction(0))) + _end(lang)
    full = s.full_marks if s is not None else ()
    main = full[0] if full else r.shortfall
    if main is None:
        if r.kind == "count_gate":
            return 4, ""
        return 4, L["ask_reason"].fill(lang, title=title,
                                       deducted=n.trimmed((s.deducted if s else None) or Fraction(0))) + _end(lang)
    step = _STEP.get(main.fact, 3)
    if s is not None:
        text = L["regain"].fill(lang, action=_action(main, lang), title=title,
                                points=n.trimmed(s.deducted or Fraction(0)))
        if r.shortfall is not None and full and r.shortfall.amount != full[0].amount:
            text += L["regain_full"].fill(lang, action=_action(r.shortfall, lang))
    else:
        text = L["meet"].fill(lang, action=_action(main, lang), title=title)
    return step, text + _end(lang)


def _data_action(r: RuleResult, lang: str) -> str:
    s = r.score
    if s is not None and s.note is not None and s.note.kind != "no_table_row":
        return L["ask_score"].fill(lang, title=r.title.get(lang), id=r.rule_id) + _end(lang)
    missing = r.missing_facts or tuple(m for c in (s.checks if s else ()) for m in c.missing_facts)
    if r.kind == "count_gate":
        missing = ()
    return L["ask_data"].fill(lang, title=r.title.get(lang),
                              missing=missing_text(missing, lang) or "—") + _end(lang)


def _end(lang: str) -> str:
    return "。" if lang == "zh" else "."


def _closing(school: SchoolResult, unknown: list[RuleResult], lang: str) -> str:
    sc = school.score
    if sc is not None:
        if sc.undecided:
            return L["closing_points_open"].fill(lang, deducted=n.trimmed(sc.deducted),
                                                 undecided=n.trimmed(sc.undecided))
        return L["closing_points_all"].fill(lang, points=n.trimmed(sc.points))
    if unknown:
        return L["closing_met_open"].fill(lang, unknown=str(len(unknown)))
    return L["closing_met_all"].get(lang)


def letter_text(letter: Letter) -> str:
    """The letter as plain text, laid out as a principal receives it."""
    zh = letter.lang == "zh"
    indent = "　　" if zh else ""
    lines = [letter.greeting, "", indent + letter.opening, ""]
    if letter.met:
        lines += [indent + letter.met, ""]
    number = 0
    for heading, items in ((letter.failed_heading, letter.failed), (letter.unknown_heading, letter.unknown)):
        if not items:
            continue
        lines.append(heading)
        for item in items:
            number += 1
            lines.append((f"{chinese_number(number)}、" if zh else f"{number}. ") + item.heading)
            if item.body:
                lines.append(("　　" if zh else "   ") + item.body)
        lines.append("")
    for option in letter.gate_options:
        lines += [indent + option, ""]
    if letter.plan:
        lines.append(letter.plan_intro)
        k = 0
        for i, (heading, actions) in enumerate(letter.plan, 1):
            lines.append(f"（{chinese_number(i)}）{heading}" if zh else f"({i}) {heading}")
            for action in actions:
                if action:
                    k += 1
                    lines.append(f"  {k}. {action}")
        lines += ["", indent + letter.closing]
    if letter.caveats:
        lines += ["", letter.caveat_intro, *(f"  · {c}" for c in letter.caveats)]
    lines.append("")
    if letter.office:
        lines.append(("　" * 12 if zh else "") + letter.office)
    lines.append(("　" * 12 if zh else "") + letter.date)
    lines += ["", letter.data_ref]
    return "\n".join(lines) + "\n"

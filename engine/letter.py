"""The principal's letter (给校长的说明): every deduction of one school in plain words, then what
it takes to reach full marks (or to pass), in the order a principal would act on it.

Built only from the evaluation results (verdicts, points, shortfalls are never recomputed here);
the sentences are data for a renderer, in Chinese and English.

Order of the actions: first what the school can do itself with its own budget (equipment,
books, computers), then what needs the county education bureau's approval (staff, titles,
teachers), then building work, which needs a county project and takes longest — it is listed
last but the letter says to apply for it now. Items whose scoring rule is not known come at the
end: the principal should check them against the assessors' sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from junheng.engine.numbers import decimal_text, percent_text
from junheng.engine.results import Outcome, RuleResult, SchoolResult, Shortfall
from junheng.policy.facts import FACTS
from junheng.policy.inputs import SchoolSection
from junheng.policy.model import Localized, Ruleset, ScoredRule, Status
from junheng.policy.units import unit


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class LetterItem(_Frozen):
    rule_id: str
    heading: Localized
    body: Localized
    action: Localized | None
    step: int
    """1 equipment, 2 staffing, 3 buildings, 4 check with the assessors."""
    regained: Fraction


class Letter(_Frozen):
    school_id: str
    level: str
    greeting: Localized
    opening: Localized
    items: tuple[LetterItem, ...]
    gate_options: tuple[Localized, ...] = ()
    """For each failed count gate, the minimal ways to pass it (after the items)."""
    plan_intro: Localized
    closing: Localized
    caveats: tuple[Localized, ...]


# Which step a resource belongs to, and how to say "add N of it" naturally.
_STEP = {
    "computers": 1, "books": 1, "equipment_value_yuan": 1, "multimedia_classrooms": 1,
    "teachers_mid_senior_title": 2, "staff": 2, "teachers": 2, "teachers_above_required_degree": 2,
    "backbone_teachers": 2, "pe_art_teachers": 2,
    "teaching_aux_area_m2": 3, "building_area_m2": 3, "sports_area_m2": 3, "land_area_m2": 3,
}
_ADD_ZH = {
    "teachers_mid_senior_title": "再有{n}名教师取得中级及以上职称",
    "staff": "再配备{n}名教职工",
    "teachers": "再配备{n}名专任教师",
    "teachers_above_required_degree": "再有{n}名教师达到高于规定的学历",
    "backbone_teachers": "再有{n}名教师评为县级以上骨干教师",
    "pe_art_teachers": "再配备{n}名体育、艺术专任教师",
    "computers": "再添置{n}台学生用计算机",
    "books": "再添置图书{n}册",
    "multimedia_classrooms": "再建{n}间多媒体教室",
    "equipment_value_yuan": "再添置教学仪器设备{n}元",
    "teaching_aux_area_m2": "再增加教学及辅助用房{n}平方米",
    "building_area_m2": "再增加校舍建筑面积{n}平方米",
    "sports_area_m2": "再增加体育运动场地{n}平方米",
    "land_area_m2": "再增加占地面积{n}平方米",
}
_STEP_HEAD = {
    1: Localized(zh="学校自己就能办的：添置设备和图书", en="What the school can do itself: equipment and books"),
    2: Localized(zh="需要向县教育局申请的：人员和职称", en="What needs the county education bureau: staff and titles"),
    3: Localized(zh="需要县里立项的：校舍和场地（周期最长，建议现在就申报）",
                 en="What needs a county building project: rooms and grounds (takes longest: apply now)"),
    4: Localized(zh="需要与评估组核实的", en="To check with the assessors"),
}
_CN_NUM = "一二三四五六七八九十"


def _cn(i: int) -> str:
    return _CN_NUM[i - 1] if 1 <= i <= 10 else str(i)


def _add(s: Shortfall, lang: str) -> str:
    amount = decimal_text(s.amount)
    if lang == "zh":
        if s.direction == "decrease":
            return f"把{FACTS[s.fact].zh}减少{amount}{unit(s.unit).zh}"
        return _ADD_ZH.get(s.fact, "再增加{fact}{n}").format(n=amount, fact=FACTS[s.fact].zh)
    verb = "reduce" if s.direction == "decrease" else "add"
    return f"{verb} {amount} {unit(s.unit).en} of {FACTS[s.fact].en}"


def _value(value: Fraction | None, unit_code: str | None, lang: str, gap: bool = False) -> str:
    if value is None:
        return "—"
    if unit_code == "ratio":
        if gap:
            points = decimal_text(value * 100, 1)
            return f"{points}个百分点" if lang == "zh" else f"{points} percentage points"
        return percent_text(value)
    label = unit(unit_code).label(lang).removesuffix("/生") if unit_code else ""
    if unit_code and unit_code.endswith("_per_student") and lang == "zh":
        label = unit(unit_code).zh.removesuffix("/生")
    text = decimal_text(value, 2)
    return f"{text}{label}" if lang == "zh" else f"{text} {unit(unit_code).en if unit_code else ''}".strip()


def _have(fact: str) -> str:
    """'教学及辅助用房面积' → '教学及辅助用房', '中级及以上专业技术职务教师数' → '中级及以上专业技术职务教师'."""
    return FACTS[fact].zh.removesuffix("面积").removesuffix("数")


def _body(r: RuleResult, ruleset: Ruleset, section: SchoolSection) -> Localized:
    """What happened on this item, in a principal's words."""
    score = r.score
    zh: list[str] = []
    en: list[str] = []
    resource = None
    rule = next((x for x in ruleset.rules if x.id == r.rule_id), None)
    if isinstance(rule, ScoredRule) and rule.requirements:
        resource = ruleset.indicators[rule.requirements[0].indicator].resource
    if score is not None and score.assessed:
        got = decimal_text(score.awarded) if score.awarded is not None else "—"
        zh.append(f"这一项的评分细则我们没有找到，按填报的评估得分{got}分计算。")
        en.append(f"The scoring rule of this item was not found; the assessed score of {got} is used.")
        return Localized(zh="".join(zh), en=" ".join(en))
    if r.actual is not None and r.required is not None:
        op_zh = {">=": "不低于", ">": "高于", "<=": "不超过", "<": "低于"}.get(r.op or "", "")
        have = ""
        title = r.title
        if isinstance(rule, ScoredRule) and rule.requirements:
            title = ruleset.indicators[rule.requirements[0].indicator].title
        if resource is not None and resource in section.values and r.unit != FACTS[resource].unit:
            have = f"贵校现有{_have(resource)}{_value(section.values[resource], FACTS[resource].unit, 'zh')}，"
        zh.append(f"{have}{title.zh}为{_value(r.actual, r.unit, 'zh')}，标准要求{op_zh}"
                  f"{_value(r.required, r.unit, 'zh')}")
        en.append(f"{title.en} is {_value(r.actual, r.unit, 'en')}; the standard requires "
                  f"{r.op} {_value(r.required, r.unit, 'en')}")
        if r.gap:
            zh[-1] += f"，还差{_value(r.gap, r.unit, 'zh', gap=True)}"
            en[-1] += f", short by {_value(r.gap, r.unit, 'en', gap=True)}"
        zh[-1] += "。"
        en[-1] += "."
    elif r.outcome is Outcome.unknown:
        zh.append("这一项缺少数据，暂时无法判定：" + r.explanation.zh.split("。")[0].split("：", 1)[-1] + "。")
        en.append("This item cannot be decided yet: " + r.explanation.en.split(". ")[0] + ".")
    if score is not None and score.awarded is not None and score.deducted:
        d = decimal_text(score.deducted)
        if score.schedule_kind == "step" and isinstance(rule, ScoredRule) and r.gap is not None:
            per = rule.schedule.per if rule.schedule.kind == "step" else Fraction(1)
            steps = int(r.gap // per)
            zh.append(f"评分办法是“{score.schedule.zh}”：差额{_value(r.gap, r.unit, 'zh')}中有{steps}个完整的"
                      f"{_value(per, r.unit, 'zh')}，因此扣{d}分。")
            en.append(f"The schedule is: {score.schedule.en}. The gap holds {steps} full step(s) of "
                      f"{decimal_text(per)}, so {d} point(s) are taken off.")
        elif score.schedule_kind == "proportional" and r.actual is not None and r.required:
            raw = score.points * r.actual / r.required
            share = percent_text(r.actual, 2) if r.unit == "ratio" else _value(r.actual, r.unit, "zh")
            zh.append(f"这一项按达标比例计分：{decimal_text(score.points)}分×{share}÷"
                      f"{_value(r.required, r.unit, 'zh')}＝{decimal_text(raw, 3)}分，四舍五入后得"
                      f"{decimal_text(score.awarded)}分，扣{d}分。")
            en.append(f"Points are proportional: {decimal_text(score.points)} × {_value(r.actual, r.unit, 'en')} ÷ "
                      f"{_value(r.required, r.unit, 'en')} = {decimal_text(raw)}, rounded to "
                      f"{decimal_text(score.awarded)}: {d} off.")
        elif score.schedule_kind == "tiered":
            zh.append(f"这一项按达标程度分档计分（{score.schedule.zh}），得{decimal_text(score.awarded)}分，扣{d}分。")
            en.append(f"Points go by tiers ({score.schedule.en}): {decimal_text(score.awarded)}, {d} off.")
        else:
            zh.append(f"按“{score.schedule.zh}”，这一项扣{d}分。")
            en.append(f"By the schedule ({score.schedule.en}), {d} point(s) are taken off.")
    return Localized(zh="".join(zh), en=" ".join(en))


def _action(r: RuleResult) -> tuple[Localized | None, int]:
    score = r.score
    if score is not None and score.assessed:
        return (Localized(zh=f"请对照评估组的评分表，核实{r.rule_id}“{r.title.zh}”扣分的具体原因。",
                          en=f"Check with the assessors' sheet why {r.rule_id} ({r.title.en}) lost points."), 4)
    full = score.full_marks if score is not None else ()
    meet = r.shortfall
    main = full[0] if full else meet
    if main is None:
        return None, 4
    step = _STEP.get(main.fact, 3)
    label = r.rule_id if score is not None else r.title.zh
    if score is not None:
        zh = (f"{_add(main, 'zh')}（达到{decimal_text(main.target)}{unit(main.unit).zh}），"
              f"{label}这{decimal_text(score.deducted or Fraction(0))}分就能拿回来")
        en = (f"{_add(main, 'en')} (to {decimal_text(main.target)}), and {r.rule_id} regains "
              f"{decimal_text(score.deducted or Fraction(0))} point(s)")
        if meet is not None and full and meet.amount != full[0].amount:
            zh += f"；要完全达到标准，需要{_add(meet, 'zh')}（达到{decimal_text(meet.target)}{unit(meet.unit).zh}）"
            en += f"; to meet the standard fully: {_add(meet, 'en')} (to {decimal_text(meet.target)})"
    else:
        zh = f"{_add(main, 'zh')}（达到{decimal_text(main.target)}{unit(main.unit).zh}），“{r.title.zh}”即可达标"
        en = f"{_add(main, 'en')} (to {decimal_text(main.target)}), and {r.title.en} is met"
    return Localized(zh=zh + "。", en=en + "."), step


_PATH_LABELS_ZH = "甲乙丙丁戊己庚辛壬癸"


def _target(s: Shortfall, lang: str) -> str:
    return f"{decimal_text(s.target)}{unit(s.unit).zh}" if lang == "zh" else decimal_text(s.target)


def gate_options(r: RuleResult) -> Localized | None:
    """The ways to pass a failed count gate, as one paragraph: "按“至少6项达标、余项不低于要求的
    85%”的规定，只需做到以下任一种：（甲）……；（乙）……。"""
    if not r.paths or r.floor is None or r.min_met is None:
        return None
    pct = percent_text(r.floor, 0)
    zh_ways, en_ways = [], []
    for i, path in enumerate(r.paths):
        zh_parts = [f"{_add(st.shortfall, 'zh')}（达到{_target(st.shortfall, 'zh')}）" for st in path.full]
        en_parts = [f"{_add(st.shortfall, 'en')} (to {_target(st.shortfall, 'en')})" for st in path.full]
        zh_parts += [f"使“{st.title.zh}”达到要求的{pct}（{_add(st.shortfall, 'zh')}，"
                     f"达到{_target(st.shortfall, 'zh')}）" for st in path.to_floor]
        en_parts += [f"bring {st.title.en} to {pct} of its requirement ({_add(st.shortfall, 'en')}, to "
                     f"{_target(st.shortfall, 'en')})" for st in path.to_floor]
        label_zh = _PATH_LABELS_ZH[i] if i < len(_PATH_LABELS_ZH) else str(i + 1)
        label_en = chr(ord("a") + i) if i < 26 else str(i + 1)
        zh_ways.append(f"（{label_zh}）" + "，并".join(zh_parts))
        en_ways.append(f"({label_en}) " + ", and ".join(en_parts))
    return Localized(
        zh=f"按“至少{r.min_met}项达标、余项不低于要求的{pct}”的规定，只需做到以下任一种：" + "；".join(zh_ways) + "。",
        en=f"Under the rule “at least {r.min_met} met, the rest at least {pct} of requirement”, any one of "
           f"these is enough: " + "; ".join(en_ways) + ".",
    )


def _caveats(results: Sequence[RuleResult]) -> tuple[Localized, ...]:
    out = []
    for r in results:
        weak = [s for s in (r.parameter_status, r.status, r.score.schedule_status if r.score else None)
                if s in (Status.unconfirmed, Status.inferred)]
        if not weak or (r.outcome is Outcome.passed and not (r.score and r.score.deducted)):
            continue
        what_zh, what_en = [], []
        if r.parameter_status in (Status.unconfirmed, Status.inferred):
            shown = _value(r.required, r.unit, "zh")
            what_zh.append(f"要求值{shown}尚未找到官方原文（{r.parameter_status.label('zh')}）")
            what_en.append(f"the required value {_value(r.required, r.unit, 'en')} has no official text yet "
                           f"({r.parameter_status.value})")
        if r.score and r.score.schedule_status in (Status.unconfirmed, Status.inferred):
            how = "是根据学校自评结果推算的" if r.score.schedule_status is Status.inferred else "尚未找到原文"
            what_zh.append(f"“{r.score.schedule.zh}”这一计分办法{how}（{r.score.schedule_status.label('zh')}）")
            what_en.append(f"the schedule ({r.score.schedule.en}) is {r.score.schedule_status.value}")
        if r.status in (Status.unconfirmed, Status.inferred):
            what_zh.append(f"这一项本身的依据为{r.status.label('zh')}")
            what_en.append(f"the item itself is {r.status.value}")
        out.append(Localized(zh=f"{r.rule_id if r.score else r.title.zh}：{'，'.join(what_zh)}。",
                             en=f"{r.rule_id}: {', '.join(what_en)}."))
    return tuple(out)


def write_letter(ruleset: Ruleset, school: SchoolResult, section: SchoolSection) -> Letter:
    """The letter for one school section from its evaluation result."""
    name = school.school_name or school.school_id
    doc = ruleset.document
    lost = [r for r in school.results
            if (r.score is not None and (r.score.deducted or r.score.awarded is None))
            or (r.score is None and r.outcome is not Outcome.passed and r.kind != "count_gate")]
    items = []
    for r in lost:
        action, step = _action(r)
        if r.score is not None:
            got = "—" if r.score.awarded is None else decimal_text(r.score.awarded)
            head_zh = (f"{r.title.zh}（{r.rule_id}，满分{decimal_text(r.score.points)}分，得{got}分"
                       + (f"，扣{decimal_text(r.score.deducted)}分）" if r.score.deducted else "）"))
            head_en = f"{r.title.en} ({r.rule_id}: {got} of {decimal_text(r.score.points)} points)"
        else:
            head_zh = f"{r.title.zh}（{'未达标' if r.outcome is Outcome.failed else '无法判定'}）"
            head_en = f"{r.title.en} ({'not met' if r.outcome is Outcome.failed else 'cannot decide'})"
        items.append(LetterItem(rule_id=r.rule_id, heading=Localized(zh=head_zh, en=head_en),
                                body=_body(r, ruleset, section), action=action, step=step,
                                regained=r.score.deducted or Fraction(0) if r.score else Fraction(0)))
    items.sort(key=lambda i: (-(i.regained),))
    level_zh = section.level.zh
    if school.score is not None:
        total = decimal_text(school.score.awarded)
        opening_zh = (f"按照《{doc.title.zh}》（{doc.number}）的评分办法，根据贵校填报的{level_zh}数据测算，"
                      f"贵校得{total}分（满分{decimal_text(school.score.points)}分）")
        opening_en = (f"Under {doc.title.en} ({doc.number}), the figures your school reported give "
                      f"{total} of {decimal_text(school.score.points)} points")
        if school.score.deducted:
            opening_zh += f"，共扣{decimal_text(school.score.deducted)}分"
            opening_en += f", {decimal_text(school.score.deducted)} off"
        if school.score.undecided:
            opening_zh += f"，另有{decimal_text(school.score.undecided)}分因缺少数据暂时无法计算"
            opening_en += f"; {decimal_text(school.score.undecided)} points cannot be scored for lack of data"
        opening_zh += "。" + ("扣分的地方逐项说明如下。" if items else "没有扣分。")
        opening_en += "." + (" Each deduction is explained below." if items else " Nothing was taken off.")
        closing_zh = f"以上几项都做到后，按这套评分办法，贵校可以拿到满分{decimal_text(school.score.points)}分。"
        closing_en = "With all of the above done, your school would score full marks under this scheme."
    else:
        opening_zh = (f"按照《{doc.title.zh}》，根据贵校填报的{level_zh}数据逐项核对，"
                      + (f"有{len(items)}项没有达到要求，逐项说明如下。" if items else "各项均已达到要求。"))
        opening_en = (f"Checked against {doc.title.en} ({doc.number}), "
                      + (f"{len(items)} requirement(s) are not met; each is explained below." if items
                         else "every requirement is met."))
        closing_zh = "以上几项都做到后，贵校即可达到这一标准的全部要求。"
        closing_en = "With all of the above done, your school would meet every requirement of this standard."
    return Letter(
        school_id=school.school_id, level=section.level.value,
        greeting=Localized(zh=f"{name}校长：", en=f"Dear Principal of {name},"),
        plan_intro=Localized(
            zh=(f"要把这{decimal_text(school.score.deducted)}分拿回来，建议按下面的顺序着手："
                if school.score is not None and school.score.deducted else "要达到标准，建议按下面的顺序着手："),
            en="To win these points back, act in this order:" if school.score is not None
            else "To meet the standard, act in this order:"),
        opening=Localized(zh="您好！" + opening_zh, en=opening_en),
        items=tuple(items),
        gate_options=tuple(o for o in (gate_options(r) for r in school.results if r.kind == "count_gate")
                           if o is not None),
        closing=Localized(zh=closing_zh, en=closing_en),
        caveats=_caveats(school.results),
    )


def step_heading(step: int) -> Localized:
    return _STEP_HEAD[step]


CAVEAT_INTRO = Localized(
    zh="说明：以下数值或办法尚未找到官方原文，结果仅供参考，请以评估组的正式认定为准——",
    en="Note: these numbers or schedules are not confirmed by an official text; treat the result as "
       "indicative and rely on the assessors' decision:")
"""What the letter says before its caveats."""


def letter_plan(letter: Letter) -> list[tuple[Localized, list[LetterItem]]]:
    """The items that have an action, grouped by step in the order to act: (step heading, items)."""
    actions = [i for i in letter.items if i.action is not None]
    return [(step_heading(step), [i for i in actions if i.step == step]) for step in sorted({i.step for i in actions})]


def scored_letters(ruleset: Ruleset, schools: Sequence[SchoolResult],
                   sections: Sequence[SchoolSection]) -> dict[tuple[str, str], Letter]:
    """The letter of every scored school section, by (school id, level); sections that were not
    scored (a ruleset without scored items) have none."""
    by_key = {s.key: s for s in sections}
    return {(s.school_id, s.level.value): write_letter(ruleset, s, by_key[(s.school_id, s.level)])
            for s in schools if s.score is not None and (s.school_id, s.level) in by_key}


def chinese_ordinal(i: int) -> str:
    return _cn(i)

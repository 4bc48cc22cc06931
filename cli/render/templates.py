"""The sentence templates (句式), Chinese and English side by side: one entry per (kind, case).

Both languages of an entry name the same slots, and the slots are filled from the same trace
values by :mod:`junheng.cli.render.explain`, so zh and en always state the same facts (a test
checks that every entry's zh and en use one set of slots). Numbers reach a slot already formatted
by :mod:`junheng.cli.render.numbers`.
"""

from __future__ import annotations

from string import Formatter
from typing import NamedTuple


class Template(NamedTuple):
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def fill(self, lang: str, **slots: str) -> str:
        return self.get(lang).format(**slots)


def slots(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


T = Template

TEMPLATES: dict[tuple[str, str], Template] = {
    # --- a threshold rule (school indicator) ------------------------------------------------
    ("threshold", "passed"): T("{title}为{actual}，要求{op}{required}（{level}），达标。{cite}",
                               "{title} is {actual}, required {op} {required} ({level}): met. {cite}"),
    ("threshold", "failed"): T("{title}为{actual}，要求{op}{required}（{level}），未达标{gap}{shortfall}。{cite}",
                               "{title} is {actual}, required {op} {required} ({level}): not met{gap}{shortfall}. "
                               "{cite}"),
    ("threshold", "unknown"): T("{title}：无法判定，缺少数据{missing}；要求{op}{required}（{level}）。"
                                "缺少的数据不视为达标。{cite}",
                                "{title}: cannot decide, missing {missing}; required {op} {required} ({level}). "
                                "A missing fact is never a pass. {cite}"),
    ("threshold", "undefined"): T("{title}：无法判定，计算时除数为0（如在校生数为0），该指标没有意义；"
                                  "要求{op}{required}（{level}）。{cite}",
                                  "{title}: cannot decide, the formula divides by zero (e.g. 0 students); "
                                  "required {op} {required} ({level}). {cite}"),
    ("threshold", "no_requirement"): T("{title}：无法判定，规则没有{level}的要求值。{cite}",
                                       "{title}: cannot decide, no requirement for {level}. {cite}"),
    ("gap", "by"): T("，差{gap}", ", short by {gap}"),
    ("gap", "just_below"): T("，略低于要求", ", just below the requirement"),
    ("gap", "just_above"): T("，略高于要求", ", just above the limit"),
    ("unbounded", "value"): T("无穷大（分母为0）", "unbounded (zero denominator)"),
    ("at_least", "value"): T("至少{value}（未填报，按平均班额推算）",
                             "at least {value} (not given; from the average class)"),
    ("gap", "at_least"): T("，至少差{gap}", ", short by at least {gap}"),
    # --- a shortfall (缺额) ---------------------------------------------------------------------
    ("shortfall", "increase"): T("{base}需增加{fact}{amount}（达到{target}）",
                                 "{base}add {amount} of {fact} (to {target})"),
    ("shortfall", "decrease"): T("{base}需把{fact}减少{amount}（降到{target}）",
                                 "{base}reduce {fact} by {amount} (to {target})"),
    ("shortfall", "base"): T("按{fact}{value}计，", "with {value} {fact}, "),
    ("shortfall_cell", "increase"): T("增加{amount}", "add {amount}"),
    ("shortfall_cell", "decrease"): T("减少{amount}", "reduce by {amount}"),
    # --- a count gate (至少6项达标、余项不低于85%) ------------------------------------------------
    ("count_gate", "head"): T("{title}：{total}项中{met}项达标（要求至少{min_met}项，余项不低于要求的{floor}）",
                              "{title}: {met} of {total} met (at least {min_met} required, the rest at least "
                              "{floor} of requirement)"),
    ("count_gate", "passed"): T("{head}，达标；未达标项：{missed}。{cite}", "{head}: met; not met: {missed}. {cite}"),
    ("count_gate", "unknown"): T("{head}，无法判定：{unknown}缺少数据；未达标项：{missed}。{cite}",
                                 "{head}: cannot decide, missing data for {unknown}; not met: {missed}. {cite}"),
    ("count_gate", "failed"): T("{head}，未达标；未达标项：{missed}{need}{below}。{cite}",
                                "{head}: not met; not met: {missed}{need}{below}. {cite}"),
    ("count_gate", "need"): T("；需至少再有{need}项达标", "; at least {need} more must be met"),
    ("count_gate", "below"): T("，且其余项不低于要求的{floor}（低于者：{below}）",
                               ", and the rest must reach {floor} of requirement (below it: {below})"),
    ("count_gate", "reach"): T("{title}（达到要求的{reach}）", "{title} ({reach} of requirement)"),
    ("count_gate", "none"): T("无", "none"),
    # --- a scored item (计分项) -------------------------------------------------------------------
    ("scored", "head"): T("{id} {title}（满分{points}分）", "{id} {title} ({points} points)"),
    ("scored", "line"): T("{head}：{checks}{tail}。{cite}", "{head}: {checks}{tail}. {cite}"),
    ("scored", "full"): T("得满分{points}分", "full {points} points"),
    ("scored", "deducted"): T("按“{schedule}”，扣{deducted}分，得{awarded}分",
                              "by the schedule ({schedule}): {deducted} off, {awarded} points"),
    ("scored", "assessed"): T("{schedule}：得{awarded}分", "{schedule}: {awarded} points"),
    ("scored", "unscored"): T("无法计分", "cannot be scored"),
    ("scored", "no_assessed_score"): T("缺少该项的评估得分（列“score:{id}”或“{id}得分”）",
                                       "no assessed score for this item (column 'score:{id}' or '{id}得分')"),
    ("scored", "invalid_assessed_score"): T("输入的得分“{value}”无效（应为0至{points}分）",
                                            "the assessed score '{value}' is not between 0 and {points}"),
    ("scored", "no_table_row"): T("办学规模参数表中没有{value}个班的{level}数值",
                                  "the size table has no value for a {level} school with {value} classes"),
    # --- schedules in words --------------------------------------------------------------------
    ("schedule", "step"): T("每少{per}扣{deduct}分，缺额不足{per}不扣分，扣完为止",
                            "{deduct} point(s) off per full {per} short, a remainder under {per} is not "
                            "deducted, never below zero"),
    ("schedule", "tier"): T("达到要求的{at_least}及以上得{share}", "{at_least} of the requirement → {share}"),
    ("schedule", "tier_full"): T("满分", "full points"),
    ("schedule", "tier_share"): T("{share}的分值", "{share} of the points"),
    ("schedule", "tier_else_zero"): T("低于{below}不得分", "below {below} → no points"),
    ("schedule", "tier_else"): T("低于{below}得{share}的分值", "below {below} → {share} of the points"),
    ("schedule", "proportional"): T("按达到要求的比例计分（满分×实际值÷要求值），{rounding}",
                                    "points × (actual ÷ required), {rounding}"),
    ("schedule", "all_or_nothing"): T("未达标，不得分", "all or nothing: not met, no points"),
    ("schedule", "assessed"): T("评分细则未找到，按评估组认定（或学校自评）的得分计",
                                "the scoring rule was not found: points as assessed (or self-scored)"),
    ("rounding", "half_up"): T("四舍五入到{places}位小数", "rounded half up to {places} decimals"),
    ("rounding", "half_up0"): T("四舍五入到整数", "rounded half up to a whole number"),
    ("rounding", "floor"): T("舍去尾数", "rounded down"),
    ("rounding", "exact"): T("不取整", "not rounded"),
    # --- citations (依据) -----------------------------------------------------------------------
    ("cite", "plain"): T("依据：{source}（{status}）", "Source: {source} ({status})"),
    # a dated, conditional relaxation applied (the 2019 规程's transitional values)
    ("relaxation", "applied"): T("适用{title}：{reasons}，要求按{required}计（原要求{without}）。",
                                 "Relaxed under {title}: {reasons}; required {required} (otherwise {without}). "),
    ("relaxation", "reason"): T("{fact}为{actual}（{op}{value}）", "{fact} {actual} ({op} {value})"),
    ("cite", "parameter"): T("；所用参数为{status}数值", "; the parameter used is {status}"),
    ("cite", "schedule"): T("；扣分办法为{status}", "; the schedule is {status}"),
    # --- county criteria -------------------------------------------------------------------------
    ("county_fact", "decided"): T("{title}：{actual}，{requirement}，{verdict}。{cite}",
                                  "{title}: {actual}, {requirement}: {verdict}. {cite}"),
    ("county_fact", "unknown"): T("{title}：无法判定，缺少县级数据{missing}；{requirement}。"
                                  "缺少的数据不视为达标。{cite}",
                                  "{title}: cannot decide, missing county figure {missing}; {requirement}. "
                                  "A missing fact is never a pass. {cite}"),
    ("county_fact", "requirement"): T("要求{op}{required}", "required {op} {required}"),
    ("county_fact", "yes_no"): T("须为“{want}”", "must be {want}"),
    ("county_fact", "veto"): T("（一票否决项）", " (veto item)"),
    ("county_fact", "veto_clear"): T("{title}：未发现该情形（一票否决项），达标。{cite}",
                                     "{title}: not found (veto item): met. {cite}"),
    ("county_fact", "veto_found"): T("{title}：存在该情形（一票否决项），未达标。{cite}",
                                     "{title}: found (veto item): not met. {cite}"),
    ("dispersion", "line"): T("{title}：{levels}。结论：{verdict}。{cite}",
                              "{title}: {levels}. Verdict: {verdict}. {cite}"),
    ("dispersion", "head"): T("{level}（{schools}所学校，{weighting}）", "{level} ({schools} schools, {weighting})"),
    ("dispersion", "unknown"): T("{head}无法判定，缺少数据{missing}", "{head}: cannot decide, missing {missing}"),
    ("dispersion", "composite"): T("{head}综合差异系数{composite}（{n}项差异系数的平均值），要求不超过{limit}，"
                                   "{verdict}；最大的是{worst}{worst_cv}{driver}",
                                   "{head}: composite CV {composite} (mean of {n} CVs), limit {limit}: {verdict}; "
                                   "largest: {worst} {worst_cv}{driver}"),
    ("dispersion", "all_within"): T("{head}{n}项差异系数均不超过{limit}（最大为{worst}{worst_cv}），{verdict}",
                                    "{head}: all {n} CVs at most {limit} (largest {worst} {worst_cv}): {verdict}"),
    ("dispersion", "some_above"): T("{head}{n}项差异系数超过{limit}：{items}",
                                    "{head}: {n} CVs above {limit}: {items}"),
    ("dispersion", "item"): T("{title}{cv}{driver}", "{title} {cv}{driver}"),
    ("dispersion", "driver"): T("（{school}占加权方差的{share}）", " ({school}: {share} of the variance)"),
    ("dispersion", "weighted"): T("按在校生数加权", "enrolment-weighted"),
    ("dispersion", "unweighted"): T("不加权", "unweighted"),
    ("all_schools", "line"): T("{title}：{total}个学段中{met}个达标{failed}{unknown}；结论：{verdict}。{cite}",
                               "{title}: {met} of {total} sections meet it{failed}{unknown}. Verdict: {verdict}. "
                               "{cite}"),
    ("all_schools", "failed"): T("，未达标：{sections}", "; not met: {sections}"),
    ("all_schools", "unknown"): T("，无法判定：{sections}{missing}", "; cannot decide: {sections}{missing}"),
    ("all_schools", "missing"): T("（缺少数据{missing}）", " (missing {missing})"),
    ("all_schools", "no_ruleset"): T("{title}：无法判定，未指定省级办学基本标准规则集（请用 --school-ruleset 指定，"
                                     "如 anhui/school-2007）。缺少的数据不视为达标。{cite}",
                                     "{title}: cannot decide, no provincial school ruleset named (use "
                                     "--school-ruleset, e.g. anhui/school-2007). A missing fact is never a pass. "
                                     "{cite}"),
    ("county", "passed"): T("{county}：各项评估标准均达到，达标。", "{county}: every criterion met."),
    ("county", "failed"): T("{county}：未达标{failed}{unknown}。", "{county}: not met{failed}{unknown}."),
    ("county", "unknown"): T("{county}：无法判定{failed}{unknown}。", "{county}: cannot decide{failed}{unknown}."),
    ("county", "failed_list"): T("；未达到：{titles}", "; not met: {titles}"),
    ("county", "unknown_list"): T("；无法判定（缺少数据）：{titles}", "; cannot decide (missing facts): {titles}"),
    ("county", "this_county"): T("本县", "The county"),
    ("exclusion", "all"): T("{school_type}不参与评估（依据：{source}）", "{school_type} left out (source: {source})"),
    ("exclusion", "below"): T("不足{n}人的{school_type}不参与评估（依据：{source}）",
                              "{school_type} under {n} students left out (source: {source})"),
    ("rejected", "rows"): T("{n}行数据有误未读入：{rows}{more}", "{n} input rows rejected: {rows}{more}"),
    ("rejected", "more"): T("等（另{more}行）", " (and {more} more)"),
    ("dispersion", "rejected"): T("{head}无法判定，{rejected}", "{head}: cannot decide, {rejected}"),
    ("all_schools", "rejected"): T("；另有{rejected}，这些学段无法判定", "; also {rejected}, which cannot be decided"),
    ("county", "rejected"): T("；数据不完整，{rejected}，不能判定为达标",
                              "; the data are incomplete, {rejected}: the county cannot be met"),
    ("section", "label"): T("{name}（{level}）", "{name} ({level})"),
    # --- missing facts -------------------------------------------------------------------------
    ("missing", "fact"): T("“{fact}”", "{fact}"),
    ("missing", "at"): T("“{fact}”（{school}，{level}）", "{fact} ({school}, {level})"),
    ("missing", "not_positive"): T("“{fact}”（{school}，{level}，应大于0）",
                                   "{fact} ({school}, {level}; must be above 0)"),
    ("missing", "zero_everywhere"): T("“{fact}”（各校均为0，差异系数无意义）",
                                      "{fact} (0 at every school: no CV)"),
    ("missing", "no_ruleset"): T("省级办学基本标准规则集", "a provincial school ruleset"),
}

SEP = Template("、", ", ")
"""How items of a list are joined."""
SEP_LONG = Template("；", "; ")


def template(kind: str, case: str) -> Template:
    return TEMPLATES[(kind, case)]

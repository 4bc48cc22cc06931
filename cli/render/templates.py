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
    # an assessed item whose weight is not public (湖北 鄂政督〔2011〕6号): a score as given, no total
    ("scored", "head_unweighted"): T("{id} {title}（分值未公开）", "{id} {title} (points not public)"),
    ("scored", "assessed_unweighted"): T("评估得分{awarded}（满分和权重未公开，只记录、不计总分，结论无法判定）",
                                         "assessed score {awarded} (the maximum and weight are not public: recorded, "
                                         "not totalled; no verdict)"),
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
    ("scored", "invalid_assessed_score_unweighted"): T("输入的得分“{value}”无效（应为不小于0的数）",
                                                       "the assessed score '{value}' is not a number of at least 0"),
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
    ("section", "named"): T("{name}（{school_id}）· {level}", "{name} ({school_id}) · {level}"),
    # --- missing facts -------------------------------------------------------------------------
    ("missing", "fact"): T("“{fact}”", "{fact}"),
    ("missing", "at"): T("“{fact}”（{school}，{level}）", "{fact} ({school}, {level})"),
    ("missing", "not_positive"): T("“{fact}”（{school}，{level}，应大于0）",
                                   "{fact} ({school}, {level}; must be above 0)"),
    ("missing", "zero_everywhere"): T("“{fact}”（各校均为0，差异系数无意义）",
                                      "{fact} (0 at every school: no CV)"),
    ("missing", "no_ruleset"): T("省级办学基本标准规则集", "a provincial school ruleset"),
    # --- ``junheng check``: the invariants, their findings and the report ----------------------
    ("check_invariant", "well_formed"): T("结构完整", "well-formed"),
    ("check_invariant", "monotonic"): T("单调性（增加资源不会降低结果）", "monotonic (more resources never hurt)"),
    ("check_invariant", "exact"): T("精确性（缺额恰好补齐差距，边界值达标）",
                                    "exact (the shortfall closes the gap; boundary values pass)"),
    ("check_invariant", "deterministic"): T("确定性（任意行序结果相同）", "deterministic (any row order)"),
    ("check_invariant", "engines_agree"): T("引擎一致（durable_rules 与直接计算）",
                                            "engines agree (durable_rules vs direct)"),
    ("check_invariant", "update_intent"): T("修订意图", "update intent"),
    ("check_invariant", "update_intent_expect"): T("修订意图：{expect}", "update intent: {expect}"),
    ("check_expect", "tighter"): T("更严", "tighter"),
    ("check_expect", "looser"): T("更宽", "looser"),
    ("check_expect", "unchanged"): T("不变", "unchanged"),
    ("check", "formula_unparsed"): T("指标 {name} 的公式无法解析：{detail}",
                                     "indicator {name}: formula does not parse: {detail}"),
    ("check", "unknown_name"): T("指标 {name} 的公式引用了不存在的事实或参数 {fact}",
                                 "indicator {name}: formula uses unknown fact or parameter {fact}"),
    ("check", "parameter_no_source"): T("参数 {name} 缺少来源", "parameter {name} has no source"),
    ("check", "rule_no_source"): T("规则 {rule} 缺少来源", "rule {rule} has no source"),
    ("check", "rule_no_status"): T("规则 {rule} 缺少来源状态", "rule {rule} has no status"),
    ("check", "rule_unreachable"): T("规则 {rule} 不适用于规则集的任何学段（不可达）",
                                     "rule {rule} applies to none of the ruleset's levels (unreachable)"),
    ("check", "no_value"): T("规则 {rule} 没有{level}的要求值", "rule {rule} has no value for {level}"),
    ("check", "value_not_positive"): T("规则 {rule} 的{level}要求值 {value} 不是正数",
                                       "rule {rule}: the {level} threshold {value} is not positive"),
    ("check", "school_type_value_not_positive"): T("规则 {rule} 对 {school_type} 的要求值 {value} 不是正数",
                                                   "rule {rule}: the threshold {value} for {school_type} is not "
                                                   "positive"),
    ("check", "floor_out_of_range"): T("规则 {rule} 的下限比例 {value} 应在 0 与 1 之间",
                                       "rule {rule}: the floor {value} must be in (0, 1]"),
    ("check", "points_not_positive"): T("计分项 {rule} 的分值 {value} 不是正数",
                                        "scored item {rule}: points {value} not positive"),
    ("check", "item_value_not_positive"): T("计分项 {rule} 的要求值 {value} 不是正数",
                                            "scored item {rule}: the threshold {value} is not positive"),
    ("check", "indicator_unused"): T("指标 {name} 未被任何规则使用（不可达）",
                                     "indicator {name} is used by no rule (unreachable)"),
    ("check", "points_out_of_range"): T("计分项 {rule} 得分 {value} 超出 0–{other}",
                                        "scored item {rule}: {value} points outside 0..{other}"),
    ("check", "never_passed"): T("规则 {rule} 在 {count} 所生成的学校中从未达标（要求值可能无法达到或形同虚设）",
                                 "rule {rule} never passed on {count} generated schools (its requirement may be "
                                 "unreachable or vacuous)"),
    ("check", "never_failed"): T("规则 {rule} 在 {count} 所生成的学校中从未出现未达标（要求值可能无法达到或形同虚设）",
                                 "rule {rule} never failed on {count} generated schools (its requirement may be "
                                 "unreachable or vacuous)"),
    ("check", "evaluation_raised"): T("评估出错：{error}: {detail}", "evaluation raised {error}: {detail}"),
    ("check", "more_turned_rule"): T("增加资源（{added}）后规则 {rule} 由{before}变为{after}",
                                     "adding resources ({added}) turned rule {rule} from {before} to {after}"),
    ("check", "more_lowered_item"): T("增加资源（{added}）后计分项 {rule} 得分由 {value} 降为 {other}",
                                      "adding resources ({added}) lowered item {rule} from {value} to {other} points"),
    ("check", "more_turned_school"): T("增加资源（{added}）后学校结果由{before}变为{after}",
                                       "adding resources ({added}) turned the school from {before} to {after}"),
    ("check", "more_lowered_total"): T("增加资源（{added}）后总分由 {value} 降为 {other}",
                                       "adding resources ({added}) lowered the total from {value} to {other}"),
    ("check", "added"): T("{fact} +{value}", "{fact} +{value}"),
    ("check", "shortfall_off_target"): T("规则 {rule} 的缺额 {value} 与目标值 {other} 不一致",
                                         "rule {rule}: shortfall {value} does not lead to its target {other}"),
    ("check", "shortfall_not_enough"): T("补足缺额（{fact} = {value}）后规则 {rule} 仍未达标",
                                         "after adding the shortfall ({fact} = {value}) rule {rule} still fails"),
    ("check", "shortfall_not_minimal"): T("缺额不是最小值：{fact} = {value} 已经达标（规则 {rule}）",
                                          "the shortfall is not minimal: {fact} = {value} already passes rule {rule}"),
    ("check", "boundary_should_pass"): T("边界值（{fact} = {value}，指标恰好等于 {required}）时规则 {rule} 应达标",
                                         "at the boundary ({fact} = {value}, indicator exactly {required}) rule "
                                         "{rule} should pass"),
    ("check", "boundary_should_fail"): T("边界值（{fact} = {value}，指标恰好等于 {required}）时规则 {rule} 应未达标",
                                         "at the boundary ({fact} = {value}, indicator exactly {required}) rule "
                                         "{rule} should fail"),
    ("check", "rerun_differs"): T("同一输入两次评估结果不同", "the same input evaluated twice gave different results"),
    ("check", "reorder_differs"): T("改变行序后学校 {school} 的结果不同",
                                    "school {school}: results differ when the rows are reordered"),
    ("check", "engines_differ_on_rule"): T("学校 {school} 规则 {rule}：durable_rules 为{before}，直接计算为{after}",
                                           "school {school}, rule {rule}: durable_rules says {before}, direct says "
                                           "{after}"),
    ("check", "no_result"): T("无结果", "nothing"),
    ("check", "engines_differ"): T("学校 {school}：两种引擎结果不同", "school {school}: the engines differ"),
    ("check", "only_unknown_rule"): T("--only 规则 {rule} 在两个规则集中都不存在",
                                      "--only rule {rule} is in neither ruleset"),
    ("check", "rule_added_not_only"): T("规则 {rule} 被新增，但不在 --only 之列",
                                        "rule {rule} was added but is not listed in --only"),
    ("check", "rule_removed_not_only"): T("规则 {rule} 被删除，但不在 --only 之列",
                                          "rule {rule} was removed but is not listed in --only"),
    ("check", "unlisted_rule_changed"): T("未列入 --only 的规则 {rule} 发生了变化：{before} → {after}",
                                          "rule {rule}, not listed in --only, changed: {before} → {after}"),
    ("check", "rule_not_tighter"): T("规则 {rule} 按旧标准未达标，按新标准却达标（新标准并非更严）",
                                     "rule {rule} fails the old ruleset but passes the new one (not tighter)"),
    ("check", "school_not_tighter"): T("学校按旧标准未达标，按新标准却达标（新标准并非更严）",
                                       "the school fails the old ruleset but passes the new one (not tighter)"),
    ("check", "rule_not_looser"): T("规则 {rule} 按旧标准达标，按新标准却未达标（新标准并非更宽）",
                                    "rule {rule} passes the old ruleset but fails the new one (not looser)"),
    ("check", "school_not_looser"): T("学校按旧标准达标，按新标准却未达标（新标准并非更宽）",
                                      "the school passes the old ruleset but fails the new one (not looser)"),
    ("check", "rule_changed"): T("规则 {rule} 的结果改变：{before} → {after}",
                                 "rule {rule} changed: {before} → {after}"),
    ("check", "school_changed"): T("学校的结果改变：{before} → {after}", "the school changed: {before} → {after}"),
    ("check", "no_tighter_witness"): T("没有找到按旧标准达标、按新标准未达标的学校（新标准并未更严）",
                                       "no school found that passes the old ruleset and fails the new one "
                                       "(not tighter)"),
    ("check", "no_looser_witness"): T("没有找到按旧标准未达标、按新标准达标的学校（新标准并未更宽）",
                                      "no school found that fails the old ruleset and passes the new one "
                                      "(not looser)"),
    ("check_report", "pass"): T("通过", "pass"),
    ("check_report", "fail"): T("未通过", "FAIL"),
    ("check_report", "tried"): T("已生成 {n} 个输入", "{n} inputs tried"),
    ("check_report", "counterexample"): T("最小反例：", "Smallest counter-example:"),
    ("check_report", "fact"): T("事实", "fact"),
    ("check_report", "summary_ok"): T("全部 {n} 项性质成立（共生成 {m} 个输入）。",
                                      "All {n} invariants hold ({m} inputs tried)."),
    ("check_report", "summary_fail"): T("{k}/{n} 项性质不成立。", "{k} of {n} invariants failed."),
    ("check_report", "header"): T("检验规则集 {id}", "Checking ruleset {id}"),
    ("check_report", "against"): T("，对照 {old}，预期：{expect}", " against {old}, expecting: {expect}"),
}

SEP = Template("、", ", ")
"""How items of a list are joined."""
SEP_LONG = Template("；", "; ")


def template(kind: str, case: str) -> Template:
    return TEMPLATES[(kind, case)]

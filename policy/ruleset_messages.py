"""The Chinese of every ruleset validation message (one catalogue, not a copy per site).

A ruleset problem is written once, in English, where it is found (loader, dated files, YAML
reading, inheritance, the county block, scored items, the models' validators); this catalogue
gives its Chinese by the English form, so every problem shows file:line, key, zh and en
(:class:`junheng.policy.loader.Problem`). A message already written in both languages
("未找到该版本 / no such version …") keeps its own Chinese. A did-you-mean tail is carried over.
tests/policy/test_ruleset_messages.py triggers each message with a bad ruleset.
"""

from __future__ import annotations

import re

_NAME = r"('[^']*'|\"[^\"]*\")"
_ANY = r"(.+)"

_PYYAML: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed here",
     "此处不能出现“键: 值”（常见原因：缩进不对，或值里有未加引号的冒号）"),
    ("could not find expected ':'", "缺少冒号“:”（或缩进不对）"),
    ("found character '\\t' that cannot start any token", "含有制表符：YAML 只能用空格缩进"),
    ("found unexpected end of stream", "文件意外结束（引号或括号未闭合）"),
    ("found undefined alias", "引用了未定义的锚点（*别名）"),
    ("expected <block end>, but found", "缩进不一致"),
    ("did not find expected key", "缩进不一致或缺少键"),
    ("did not find expected node content", "缺少内容（列表项或值为空）"),
    ("did not find expected ',' or ']'", "方括号列表中缺少“,”或“]”"),
    ("did not find expected ',' or '}'", "花括号映射中缺少“,”或“}”"),
    ("expected ',' or ']'", "方括号列表中缺少“,”或“]”"),
    ("expected ',' or '}'", "花括号映射中缺少“,”或“}”"),
    ("found unknown escape character", "引号内有无法识别的转义字符"),
    ("found duplicate anchor", "锚点（&名称）重复"),
    ("expected a single document in the stream", "文件中只能有一个 YAML 文档（不要用“---”分隔多个）"),
)
"""PyYAML's most common parse problems (its ``problem`` text) in Chinese; others are shown as written."""


def _yaml_problem(detail: str) -> str:
    for english, zh in _PYYAML:
        if detail.startswith(english):
            return zh
    return detail


_CATALOGUE: tuple[tuple[str, str], ...] = (
    # --- keys, names, references (loader, county block, scored items) -------------------------
    (r"^unknown key \(not part of the ruleset schema\)", "未知的键（不属于规则集格式）"),
    (r"^unknown key \(an alias file holds only alias, id, edition, description\)",
     "未知的键（别名文件只能有 alias、id、edition、description）"),
    (rf"^unknown fact or parameter {_NAME}", r"未知的事实或参数 \1"),
    (rf"^unknown county fact {_NAME}", r"未知的县级数据 \1"),
    (rf"^unknown fact {_NAME}", r"未知的事实 \1"),
    (rf"^unknown parameter {_NAME}", r"未知的参数 \1"),
    (rf"^unknown indicator {_NAME}", r"未知的指标 \1"),
    (rf"^unknown rule {_NAME} \(not among this ruleset's rules\)", r"未知的规则 \1（不在本规则集的规则中）"),
    (rf"^unknown rule {_NAME}", r"未知的规则 \1"),
    (rf"^unknown school check {_NAME}", r"未知的县域学校检查项 \1"),
    (rf"^unknown unit {_NAME}", r"未知的单位 \1"),
    (rf"^unknown group {_NAME}", r"未知的一级指标（分组） \1"),
    (rf"^unknown table {_NAME}", r"未知的参数表 \1"),
    (rf"^(\S+) has no rule {_NAME} to override", r"\1 中没有可覆盖的规则 \2"),
    (rf"^resource {_NAME} does not appear in the formula", r"资源事实 \1 没有出现在公式中"),
    (rf"^rule {_NAME} is not a threshold rule", r"规则 \1 不是阈值规则"),
    (rf"^rule {_NAME} is inherited", r"规则 \1 是继承的：请在 overrides 下修改（注明依据和状态）"),
    (rf"^rule {_NAME} has no single value to override", r"规则 \1 没有单一的取值可覆盖"),
    (rf"^rule {_NAME} is not a scored item: it has no points", r"规则 \1 不是计分项，没有分值可覆盖"),
    (rf"^indicator {_NAME} is inherited", r"指标 \1 是继承的：新指标请另起名称"),
    (rf"^cannot remove {_NAME}", r"无法删除 \1：上级规则集没有这条规则"),
    (r"^a parameter cannot refer to another parameter", "参数不能引用另一个参数"),
    (r"^cites a research note \(('[^']*')\)",
     r"引用了用户无法查阅的研究笔记（\1）：请引用公开文件或网址，研究线索放在 evidence"),
    (rf"^duplicate rule id {_NAME}", r"规则编号 \1 重复"),
    (rf"^duplicate criterion id {_NAME}", r"评估项编号 \1 重复"),
    (r"^every rule needs a source", "每条规则都须注明依据（文号 + 条款或网址）"),
    (r"^every criterion needs a source", "每个评估项都须注明依据（文号 + 条款或网址）"),
    (r"^level (\w+) is not among the ruleset's levels", r"学段 \1 不在本规则集的学段中"),
    (r"^no value for level (\w+)", r"缺少学段 \1 的取值"),
    (r"^no limit for level (\w+)", r"缺少学段 \1 的限值"),
    (r"^a ruleset must be a mapping of keys", "规则集须为键值映射"),
    # --- numbers and ranges -------------------------------------------------------------------
    (r"^(\S+) is negative: a requirement cannot be below 0", r"\1 为负数：要求值不能小于0"),
    (r"^(\S+) is a share of teachers above 1 \(100%\)", r"\1 是教师比例，不能超过1（100%）"),
    (r"^floor (\S+) must be above 0 and at most 1 \(100%\)", r"下限 \1 须大于0且不超过1（100%）"),
    (r"^a count gate of (\d+) rules exceeds the engine's limit of (\d+)",
     r"计数门槛含 \1 条规则，超过引擎上限 \2 条：请拆分为较小的门槛"),
    (r"^a gate of (\d+) rules with min_met=(\d+) needs (\d+) engine clauses \(at most (\d+)\)",
     r"\1 条规则、min_met=\2 的门槛需要 \3 个引擎子句（上限 \4）：请提高 min_met 或拆分门槛"),
    (r"^min_met=(\d+) but only (\d+) rules listed", r"min_met=\1，但只列出了 \2 条规则"),
    (r"^a boolean is not a number", "是/否值不是数值"),
    (rf"^{_ANY} is not a number \(write it as a decimal literal\)", r"\1 不是数值（请写成十进制数）"),
    (rf"^{_ANY} is not a finite decimal number", r"\1 不是有限的十进制数"),
    (rf"^{_ANY} is not a finite number", r"\1 不是有限数值"),
    (rf"^{_ANY} is not a number", r"\1 不是数值"),
    (rf"^{_ANY} is out of range \(exponent beyond ±(\d+)\)", r"\1 超出范围（指数超过 ±\2）"),
    (rf"^{_ANY} is out of range \(at most (\d+) digits\)", r"\1 超出范围（最多 \2 位数字）"),
    (rf"^{_ANY} is longer than (\d+) characters", r"\1 超过 \2 个字符"),
    (r"^integer is too long", "整数过长"),
    (rf"^{_ANY} is not a valid date \((.*)\)$", r"\1 不是有效日期（\2）"),
    # --- scored items, groups and size tables ------------------------------------------------
    (r"^max_classes is below min_classes", "max_classes 小于 min_classes"),
    (r"^overlaps row (\d+) for (\w+)", r"与第 \1 行（\2）的班级数范围重叠"),
    (r"^this ruleset has groups: every scored item needs one", "本规则集有一级指标分组：每个计分项都须注明 group"),
    (rf"^the items of group {_NAME} add up to (\S+), not (\S+)", r"分组 \1 各项分值合计 \2，不等于 \3"),
    (r"^tiers must be listed from the highest attainment down, without repeats",
     "分档须从最高达成度往下排列，不能重复"),
    (r"^give exactly one of value or table", "value 与 table 须且只能给出一个"),
    (r"^an assessed item has no requirements", "评估认定项不列要求（其评分细则未知）"),
    (r"^a (\w+) schedule needs exactly one requirement, not (\d+)", r"\1 扣分办法须恰有一项要求（现有 \2 项）"),
    (r"^an all_or_nothing item needs at least one requirement", "all_or_nothing 计分项至少须有一项要求"),
    (rf"^group {_NAME} has unknown points \(null\) but items with known points",
     r"分组 \1 的分值未知（null），但其中有已知分值的计分项：请给出分组分值，或把各项分值都写作 null"),
    (rf"^group {_NAME} has (\S+) points but items with unknown points \((.*)\)",
     r"分组 \1 为 \2 分，但其中计分项 \3 的分值未知：无法核对合计"),
    (r"^only an assessed item may leave its points unknown",
     "只有评估认定项（schedule: assessed）的分值可以写作未知（points: null）"),
    (r"^a relaxation needs a condition", "放宽条款须有条件（when_any 或 when_all）"),
    # --- dated files and aliases --------------------------------------------------------------
    (rf"^'from' must be a date \(YYYY-MM-DD\), not {_ANY}", r"'from' 应为日期（YYYY-MM-DD），不能是 \1"),
    (r"^'values' must be a list of dated entries", "'values' 应为带日期条目的列表（{from: YYYY-MM-DD, …}）"),
    (r"^each dated entry is a mapping with a 'from' date", "每个带日期的条目都应是含 'from' 日期的映射"),
    (r"^dates must increase: (\S+) is not after (\S+)", r"日期须递增：\1 不晚于 \2"),
    (rf"^alias must name a bundled dated ruleset id, not {_ANY}", r"alias 须为内置的分版本规则集编号，不能是 \1"),
    (r"^(\S+) has no editions to pin", r"\1 没有可固定的版本（editions）"),
    (rf"^no edition {_NAME} of (\S+) \(editions: (.*)\)", r"\2 没有版本 \1（已有版本：\3）"),
    (rf"^file declares version {_NAME}, expected {_NAME}", r"文件声明的版本为 \1，应为 \2"),
    (rf"^file declares id {_NAME}, expected {_NAME}", r"文件声明的编号为 \1，应为 \2"),
    # --- inheritance (extends / overrides / remove) -------------------------------------------
    (r"^extends must name a bundled ruleset id or a YAML file", "extends 须为内置规则集编号或 YAML 文件"),
    (rf"^no bundled ruleset {_NAME}", r"没有内置规则集 \1"),
    (rf"^{_NAME}: extends may name only a bundled id or a file in this folder tree",
     r"\1：extends 只能是内置编号或本文件夹内的文件（不能用绝对路径或“..”）"),
    (rf"^{_NAME} is neither a bundled id nor a \.yaml file", r"\1 既不是内置编号，也不是 .yaml 文件"),
    (rf"^{_NAME} cannot be resolved \((.*)\)$", r"无法解析 \1（\2）"),
    (rf"^{_NAME} resolves outside the folder (.*)", r"\1 指向文件夹 \2 之外"),
    (rf"^no such file {_NAME} beside (.*)", r"\2 旁边没有文件 \1"),
    (r"^overrides must be a mapping and remove a list", "overrides 须为映射，remove 须为列表"),
    (r"^rules must be a list", "rules 须为列表"),
    (r"^extends forms a cycle", "extends 形成循环"),
    (r"^extends is nested more than (\d+) deep", r"extends 嵌套超过 \1 层"),
    (r"^invalid override", "覆盖项无效"),
    # --- formulas ------------------------------------------------------------------------------
    (rf"^unexpected character {_NAME} at position (\d+) in {_ANY} \(allowed",
     r"公式 \3 第 \2 个字符 \1 不允许（只能用数字、事实名称、+ - * / 和括号）"),
    (rf"^formula {_NAME} ends unexpectedly", r"公式 \1 不完整"),
    (r"^empty formula", "公式为空"),
    (rf"^unexpected {_NAME} in formula {_ANY}", r"公式 \2 中出现意外的 \1"),
    (rf"^formula {_NAME} is nested too deeply", r"公式 \1 嵌套过深"),
    (rf"^missing '\)' in formula {_ANY}", r"公式 \1 缺少“)”"),
    (r"^formula longer than (\d+) characters", r"公式超过 \1 个字符"),
    (r"^division by zero", "除以零"),
    # --- reading the file ---------------------------------------------------------------------
    (r"^file is (\S+) bytes; the limit is (\S+)", r"文件大小 \1 字节，超过上限 \2 字节"),
    (r"^file is larger than (\d+) bytes", r"文件超过 \1 字节"),
    (r"^file is empty", "文件为空"),
    (r"^cannot read file: (.*)", r"无法读取文件：\1"),
    (r"^not UTF-8 text", "不是 UTF-8 文本"),
    (r"^document is nested too deeply", "文档嵌套过深"),
    (r"^document has more than (\d+) nodes", r"文档节点超过 \1 个"),
    (rf"^tag {_NAME} is not allowed", r"不允许使用标签 \1（规则集只能是普通数据）"),
    (r"^mapping keys must be text", "映射的键须为文字"),
    (rf"^duplicate key {_NAME}", r"键 \1 重复"),
    (r"^text holds a control character", "文字中含有控制字符（如终端转义序列）"),
    # --- pydantic's own messages ---------------------------------------------------------------
    (r"^Field required", "缺少必填的键"),
    (r"^Input should be a valid (number|integer|decimal)", "应为数字"),
    (r"^Input should be a valid string", "应为文字"),
    (r"^Input should be a valid date", "应为日期（YYYY-MM-DD）"),
    (r"^Input should be a valid (dictionary|mapping)", "应为映射（键: 值）"),
    (r"^Input should be a valid (list|tuple)", "应为列表"),
    (r"^Input should be a valid boolean", "应为 true 或 false"),
    (r"^Input should be greater than or equal to (\S+)", r"应不小于 \1"),
    (r"^Input should be greater than (\S+)", r"应大于 \1"),
    (r"^Input should be less than or equal to (\S+)", r"应不超过 \1"),
    (r"^Input should be less than (\S+)", r"应小于 \1"),
    (r"^Input should be (.*)", r"取值应为 \1"),
    (r"^String should match pattern '([^']*)'", r"文字应符合格式 \1"),
    (r"^(List|Tuple) should have at least (\d+) items?", r"列表至少应有 \2 项"),
    (r"^Input tag '([^']*)' found using '([^']*)' does not match any of the expected tags: (.*)",
     r"\2 '\1' 不是可用的类型（可用：\3）"),
    (r"^Unable to extract tag using discriminator '([^']*)'", r"缺少 \1（规则的类型）"),
)

_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), zh) for p, zh in _CATALOGUE)
_BILINGUAL = re.compile(r"^(?P<zh>(?:(?! / ).)*[\u4e00-\u9fff](?:(?! / ).)*) / (?P<en>.+)$", re.S)
"""A message written "中文 / English": the Chinese is everything before the first " / "."""
_VALUE_ERROR = "Value error, "
_MALFORMED = "malformed YAML: "


def split_bilingual(message: str) -> tuple[str, str] | None:
    """(zh, en) of a message already written in both languages ("未找到该版本 / no such version …")."""
    found = _BILINGUAL.match(message)
    return (found["zh"], found["en"]) if found else None


def zh_message(message: str) -> str:
    """The Chinese of a ruleset problem's English message, or '' when the catalogue has none."""
    both = split_bilingual(message)
    if both is not None:
        return both[0]
    head, _, hint = message.removeprefix(_VALUE_ERROR).partition(" — did you mean ")
    tail = f"——是否应为 {hint.removesuffix('?')}？" if hint else ""
    if head.startswith(_MALFORMED):
        detail = head.removeprefix(_MALFORMED)
        nested = zh_message(detail) if detail.startswith("nested more than") else ""
        return "YAML 格式错误：" + (nested or _yaml_problem(detail)) + tail
    if head.startswith("nested more than"):
        return re.sub(r"^nested more than (\d+) levels deep.*", r"嵌套超过 \1 层", head) + tail
    for pattern, zh in _ZH:
        found = pattern.match(head)
        if found:
            return found.expand(zh) + tail
    return ""

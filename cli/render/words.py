"""The vocabulary renderers share: outcome words, comparison words, fact names, levels, status.

One table of each (the outcome-word table, the operator table …); every renderer — table, JSON
``explanation``, XLSX, HTML, letter — takes its words from here.
"""

from __future__ import annotations

from junheng.engine.results import Outcome
from junheng.policy.county_facts import fact_spec
from junheng.policy.facts import FACTS, Level
from junheng.policy.model import Op, Status

_OUTCOME = {
    Outcome.passed: ("达标", "met"),
    Outcome.failed: ("未达标", "not met"),
    Outcome.unknown: ("无法判定", "cannot decide"),
    Outcome.scored: ("计分", "scored"),
}
OP_SYMBOL = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


def outcome_word(outcome: Outcome, lang: str) -> str:
    zh, en = _OUTCOME[outcome]
    return zh if lang == "zh" else en


def op_words(op: str | None, lang: str) -> str:
    return Op(op).words(lang) if op in OP_SYMBOL else ""


def op_symbol(op: str | None) -> str:
    return OP_SYMBOL.get(op or "", op or "")


def fact_name(fact: str, lang: str) -> str:
    """A fact's name as the forms print it (never its snake_case id in Chinese text)."""
    spec = FACTS.get(fact) or fact_spec(fact)
    if spec is None:
        return fact
    return spec.label(lang)


def fact_noun(fact: str, lang: str) -> str:
    """A fact's name before a quantity (“需增加教学用计算机74台”, “按在校生1289人计”): the counting
    suffix dropped (台数, 册数, 数); English names are nouns already."""
    name = fact_name(fact, lang)
    if lang != "zh":
        return name
    return name.removesuffix("台数").removesuffix("册数").removesuffix("数")


def level_name(level: Level, lang: str) -> str:
    return _LEVEL_NAMES.get((level, lang)) or level.label(lang)


_LEVEL_NAMES = {(level, lang): level.label(lang) for level in Level for lang in ("zh", "en")}


def status_word(status: Status, lang: str) -> str:
    return status.label(lang)

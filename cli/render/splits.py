"""The words for a shared total split between an 一贯制 school's sections (issue 10 item 4).

One sentence per split, the same in ``county``, ``evaluate``, ``compare`` and ``explain``: the
total, the ratio by which one student of each section counts, and each section's share.
"""

from __future__ import annotations

from fractions import Fraction

from junheng.cli.render import numbers as n
from junheng.cli.render.words import fact_name
from junheng.engine.county_results import SharedSplit
from junheng.policy.facts import FACTS, Level

__all__ = ["split_ratio", "split_sentence"]


def _part(key: str, lang: str) -> str:
    if key in Level.__members__:
        return Level(key).label(lang)
    return "高中" if lang == "zh" else "senior"


def split_ratio(sp: SharedSplit) -> str:
    """The weights of one student of each section present, the first as 1: ``1 : 1.1``,
    ``1 : 1.2`` (junior : senior), ``1 : 1.1 : 1.32``."""
    weight = {"primary": Fraction(1), "junior": sp.junior_weight, "senior": sp.junior_weight * sp.senior_weight}
    present = [weight[k] for k in ("primary", "junior", "senior") if k in sp.parts]
    return " : ".join(n.trimmed(w / present[0]) for w in present) if present else "1"


def split_sentence(sp: SharedSplit, lang: str) -> str:
    unit_code = FACTS[sp.fact].unit if sp.fact in FACTS else None
    sep = "、" if lang == "zh" else ", "
    parts = sep.join(f"{_part(k, lang)}{'' if lang == 'zh' else ' '}{n.quantity(v, unit_code, lang)}"
                     for k, v in sp.parts.items())
    total = n.quantity(sp.total, unit_code, lang)
    sections = "∶".join(_part(k, "zh") for k in ("primary", "junior", "senior") if k in sp.parts)
    sections_en = " : ".join(_part(k, "en") for k in ("primary", "junior", "senior") if k in sp.parts)
    if lang == "zh":
        return (f"共用资产分摊：{sp.school_id}的{fact_name(sp.fact, 'zh')}全校合计{total}，按在校生数分摊"
                f"（每名学生折合比例 {sections} = {split_ratio(sp)}），分摊为：{parts}。")
    return (f"Shared total split: {sp.school_id} {fact_name(sp.fact, 'en')} {total} for the whole school, "
            f"split by enrolment (one student counts {sections_en} = {split_ratio(sp)}): {parts}.")

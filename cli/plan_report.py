"""``junheng plan -o 方案.xlsx``: the plan as a workbook — what to add per section, totals by
resource, 差异系数 before → after against the limit, and what additions cannot fix.

Every cell goes through :mod:`junheng.cli.xlsx_cells` (data, never a formula); numbers are the
plan's exact amounts and costs; the words are the same as the table's.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from junheng.cli.plan_cmd import remedy_text, unfixable_reason
from junheng.cli.text import outcome_word
from junheng.cli.xlsx_cells import cell_number, write_book
from junheng.engine.plan import PlanRun
from junheng.policy.county_facts import fact_spec
from junheng.policy.units import unit


def _unit(fact: str, lang: str) -> str:
    spec = fact_spec(fact)
    return "" if spec is None else unit(spec.unit).label(lang)


def write_plan_xlsx(path: Path, run: PlanRun, lang: str) -> None:
    zh = lang == "zh"
    with write_book(path) as book:
        head = book.fmt(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True)
        money = book.fmt(num_format="#,##0.00")
        sheet = book.sheet("方案" if zh else "plan")
        sheet.append(["学校标识码", "学校名称", "学段", "需增加", "数量", "单位", "单价（元）", "费用（元）",
                      "结果（前）", "结果（后）", "达标项数（前→后）"] if zh else
                     ["school_id", "school", "level", "add", "amount", "unit", "yuan per unit", "cost (yuan)",
                      "before", "after", "members met (before → after)"], default=head)
        for s in run.sections:
            met = "" if s.met_before is None else f"{s.met_before}→{s.met_after}"
            after = "" if s.outcome_after is None else outcome_word(s.outcome_after, lang)
            rows = s.additions or ()
            if not rows and s.outcome_before is s.outcome_after:
                continue
            for a in rows or [None]:
                sheet.append([
                    s.school_id, s.school_name, s.level.label(lang),
                    "" if a is None else a.title.get(lang), None if a is None else cell_number(a.amount),
                    "" if a is None else _unit(a.fact, lang), None if a is None else cell_number(a.yuan_per_unit),
                    None if a is None else cell_number(a.cost, 2), outcome_word(s.outcome_before, lang), after, met],
                    formats={7: money, 6: money})
        sheet.append(["合计" if zh else "total", "", "", "", None, "", None, cell_number(run.total_cost, 2)],
                     formats={7: book.fmt(bold=True, num_format="#,##0.00")})
        sheet.widths([14, 28, 8, 30, 14, 10, 14, 16, 10, 10, 12])

        totals = book.sheet("按资源合计" if zh else "by resource")
        totals.append(["事实名", "资源", "数量", "单位", "费用（元）"] if zh else
                      ["fact", "resource", "amount", "unit", "cost (yuan)"], default=head)
        for fact, cost in run.cost_by_fact.items():
            amount = sum((a.amount for s in run.sections for a in s.additions if a.fact == fact), Fraction(0))
            spec = fact_spec(fact)
            totals.append([fact, fact if spec is None else spec.label(lang), cell_number(amount),
                           _unit(fact, lang), cell_number(cost, 2)], formats={4: money})
        totals.widths([30, 34, 14, 10, 16])

        if run.cv:
            cv = book.sheet("差异系数" if zh else "CV")
            cv.append(["学段", "指标", "限值", "计划前", "计划后", "计划前达标", "计划后达标"] if zh else
                      ["level", "indicator", "limit", "before", "after", "met before", "met after"], default=head)
            for c in run.cv:
                cv.append([c.level.label(lang), c.title.get(lang), cell_number(c.limit),
                           cell_number(c.cv_before, 3) if c.cv_before is not None else None,
                           cell_number(c.cv_after, 3) if c.cv_after is not None else None,
                           "" if c.passed_before is None else c.passed_before,
                           "" if c.passed_after is None else c.passed_after])
            cv.widths([8, 44, 8, 10, 10, 12, 12])

        if run.unfixable:
            un = book.sheet("增加资源不能解决" if zh else "not fixed by additions")
            un.append(["学校标识码", "学段", "事项", "原因", "如何解决"] if zh else
                      ["school_id", "level", "item", "reason", "what would fix it"], default=head)
            for u in run.unfixable:
                un.append([u.school_id or "", "" if u.level is None else u.level.label(lang), u.title.get(lang),
                           unfixable_reason(u, lang), ("；" if zh else "; ").join(remedy_text(r, lang)
                                                                                for r in u.remedies)])
            un.widths([14, 8, 40, 24, 50])

"""``junheng plan -o 方案.xlsx|方案.html``: the plan as a workbook — what to add per section, totals by
resource, 差异系数 before → after against the limit, and what additions cannot fix — or as one
offline HTML page with a chart of cost per section and of the CVs before and after.

Every cell goes through :mod:`junheng.cli.xlsx_cells` (data, never a formula); numbers are the
plan's exact amounts and costs; the words are the same as the table's.
"""

from __future__ import annotations

from fractions import Fraction
from html import escape
from pathlib import Path

from junheng.cli.atomic import write_text_atomic
from junheng.cli.options import pick
from junheng.cli.plan_cmd import amount_text, remedy_text, section_label, unfixable_reason, unfixable_where
from junheng.cli.render import numbers as n
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
            limit_fmt = book.fmt(num_format="0." + "0" * n.LIMIT_PLACES)  # 0.50, as the standard writes it
            cv_fmt = book.fmt(num_format="0." + "0" * n.CV_PLACES)  # 0.515
            cv.append(["学段", "指标", "限值", "计划前", "计划后", "计划前达标", "计划后达标"] if zh else
                      ["level", "indicator", "limit", "before", "after", "met before", "met after"], default=head)
            for c in run.cv:
                cv.append([c.level.label(lang), c.title.get(lang), cell_number(c.limit, n.LIMIT_PLACES),
                           cell_number(c.cv_before, n.CV_PLACES) if c.cv_before is not None else None,
                           cell_number(c.cv_after, n.CV_PLACES) if c.cv_after is not None else None,
                           "" if c.passed_before is None else c.passed_before,
                           "" if c.passed_after is None else c.passed_after],
                          formats={2: limit_fmt, 3: cv_fmt, 4: cv_fmt})
            cv.widths([8, 44, 8, 10, 10, 12, 12])

        if run.unfixable:
            un = book.sheet("增加资源不能解决" if zh else "not fixed by additions")
            un.append(["学校标识码", "学校名称", "学段", "事项", "原因", "如何解决"] if zh else
                      ["school_id", "school", "level", "item", "reason", "what would fix it"], default=head)
            names = {s.school_id: s.school_name for s in run.sections}
            for u in run.unfixable:
                un.append([u.school_id or "", names.get(u.school_id or "") or "",
                           "" if u.level is None else u.level.label(lang), u.title.get(lang),
                           unfixable_reason(u, lang), ("；" if zh else "; ").join(remedy_text(r, lang)
                                                                                for r in u.remedies)])
            un.widths([14, 28, 8, 40, 24, 50])


def _bars(rows: list[tuple[str, float, str]], width: int = 640, unit_label: str = "") -> str:
    """A horizontal bar chart as inline SVG: (label, value, value text) per bar."""
    top = max((v for _, v, _ in rows), default=0.0) or 1.0
    height = 22 * len(rows) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for i, (label, value, text) in enumerate(rows):
        y = 5 + 22 * i
        w = max(1.0, (width - 330) * value / top)
        out.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(label)}</text>'
                   f'<rect x="220" y="{y + 2}" width="{w:.1f}" height="16" fill="#4472c4"/>'
                   f'<text x="{224 + w:.1f}" y="{y + 14}" font-size="12">{escape(text)}{escape(unit_label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _cv_chart(run: PlanRun, lang: str) -> str:
    """Each CV before (grey) and after (blue) the plan, with its limit (red line)."""
    rows = [c for c in run.cv if c.cv_before is not None and c.cv_after is not None]
    top = max([float(c.limit) for c in rows] + [float(c.cv_before or 0) for c in rows] + [0.01])
    width, scale = 640, 300 / top
    height = 30 * len(rows) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for i, c in enumerate(rows):
        y = 5 + 30 * i
        before, after, limit = float(c.cv_before or 0), float(c.cv_after or 0), float(c.limit)
        label = f"{c.level.label(lang)} {c.title.get(lang)}"[:22]
        out.append(f'<text x="0" y="{y + 16}" font-size="11">{escape(label)}</text>'
                   f'<rect x="230" y="{y + 2}" width="{before * scale:.1f}" height="10" fill="#bbbbbb"/>'
                   f'<rect x="230" y="{y + 13}" width="{after * scale:.1f}" height="10" fill="#4472c4"/>'
                   f'<line x1="{230 + limit * scale:.1f}" x2="{230 + limit * scale:.1f}" y1="{y}" y2="{y + 25}" '
                   f'stroke="#c00000" stroke-width="2"/>'
                   f'<text x="{240 + top * scale:.1f}" y="{y + 16}" font-size="11">'
                   f'{n.cv(c.cv_before or Fraction(0))} → {n.cv(c.cv_after or Fraction(0))}</text>')
    out.append("</svg>")
    return "".join(out)


def write_plan_html(path: Path, run: PlanRun, lang: str) -> None:
    """One self-contained offline page: the plan per section, a chart of cost per section, the CVs
    before and after against their limits, and what additions cannot fix."""
    def w(zh: str, en: str) -> str:
        return pick(zh, en, lang)

    rows = []
    for s in run.sections:
        if not s.additions and s.outcome_before is s.outcome_after:
            continue
        adds = "；".join(f"{a.title.get(lang)} +{amount_text(a.amount, a.fact, lang)}" for a in s.additions) or "—"
        after = "—" if s.outcome_after is None else outcome_word(s.outcome_after, lang)
        rows.append(f"<tr><td>{escape(section_label(s.school_id, s.school_name, s.level, lang))}</td>"
                    f"<td>{escape(adds)}</td><td class=n>{n.money(s.cost, lang)}</td>"
                    f"<td>{outcome_word(s.outcome_before, lang)} → {after}</td></tr>")
    costs = _bars([(f"{s.school_name or s.school_id} {s.level.label(lang)}", float(s.cost), n.money(s.cost, lang))
                   for s in run.sections if s.cost])
    unfixable = "".join(f"<li>{escape(unfixable_where(run, u, lang))} {escape(u.title.get(lang))}"
                        f"（{unfixable_reason(u, lang)}）"
                        f"{escape('；'.join(remedy_text(r, lang) for r in u.remedies))}</li>" for u in run.unfixable)
    gap = "—" if run.solver.gap is None else n.percent(run.solver.gap)
    check = (w("核验：方案加到数据上由规则引擎重新评估，方案所针对的各项均达标。",
               "Check: the plan applied to the facts and re-evaluated by the rules engine passes everything it "
               "addresses.") if run.verified else w("核验：重新评估未全部达标。", "Check: the re-evaluation does not "
                                                                                  "pass everything."))
    county = (run.county or "—") + (f" {run.year}" if run.year is not None else "")
    page = f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>{escape(w('最省达标方案', 'The cheapest way to pass'))} · {escape(county)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .5em;vertical-align:top}}th{{background:#ddebf7}}.n{{text-align:right}}
</style></head><body>
<h1>{escape(w('最省达标方案', 'The cheapest way to pass'))} · {escape(county)}</h1>
<p>{escape(run.ruleset.id)}（{escape(run.ruleset.title.get(lang))}）· {escape(w('合计', 'total'))}
<b>{n.money(run.total_cost, lang)}</b> · {escape(w('达标学段', 'sections passing'))}
{run.sections_passing_before} → {run.sections_passing_after}</p><p>{escape(check)}</p>
<table><tr><th>{w('学校 · 学段', 'School · level')}</th><th>{w('需增加', 'Add')}</th>
<th>{w('费用', 'Cost')}</th><th>{w('结果（前→后）', 'Outcome (before → after)')}</th></tr>{''.join(rows)}</table>
<h2>{w('各学段费用', 'Cost per section')}</h2>{costs}
<h2>{w('差异系数（灰：计划前，蓝：计划后，红线：限值）', 'CV (grey: before, blue: after, red line: limit)')}</h2>
{_cv_chart(run, lang)}
<h2>{w('增加资源不能解决的事项', 'What additions cannot fix')}</h2><ul>{unfixable}</ul>
<p><small>{escape(w('单价', 'Unit costs'))}: {escape(run.costs_file)} · {escape(run.solver.name)} ·
{escape(run.solver.method)} · {escape(w('最优性差距', 'optimality gap'))} {gap}</small></p>
</body></html>
"""
    write_text_atomic(path, page)

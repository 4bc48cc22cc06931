"""The county's application forms as one offline HTML page (``junheng county --format html``).

The same tables as the workbook (:mod:`junheng.cli.county_forms`), for three readers:

* **a screen** — the verdict first, then charts (each level's CV per indicator against its limit,
  the indicators met per school against the six needed) drawn as HTML bars, so their words stay
  text-sized at any width, then the forms;
* **a phone** (narrow screens) — every form row becomes a card of "heading: value" lines, so no
  table is wider than the screen and nothing shrinks;
* **paper** — the print stylesheet prints the forms only: A4, each form on its own page (the wide
  ones landscape), header rows repeated on every page, the marks kept in colour.

No external URL, no script: inline CSS only. Everything shown comes from the forms; nothing is
judged here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape
from pathlib import Path

from junheng.cli.atomic import write_text_atomic
from junheng.cli.county_forms import ChartSeries, Form, FormCell, Forms, Mark, county_forms
from junheng.cli.report_common import outcome_label, rt
from junheng.engine.county_results import CountyRun
from junheng.engine.results import Outcome
from junheng.policy.inputs import InputIssue

__all__ = ["county_forms_html", "write_county_forms_html"]

_CSS = """
:root{--pass:#1e7b34;--pass-bg:#dff3e4;--fail:#b42318;--fail-bg:#fde3e1;--near-bg:#fbd7bd;--near:#9a4a0b;
--unk:#8a6100;--unk-bg:#fff4cc;--ink:#1f2933;--muted:#5f6b7a;--line:#c9d0d8;--accent:#1f4e79}
*{box-sizing:border-box}
body{margin:0;font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",
"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#f4f6f8;line-height:1.5;font-size:15px}
header.top{background:var(--accent);color:#fff;padding:16px 20px}
header.top h1{margin:0 0 4px;font-size:22px}header.top p{margin:0;opacity:.9;font-size:13px}
main{max-width:1280px;margin:0 auto;padding:16px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:0 0 16px}
h2{margin:0 0 4px;font-size:18px;color:var(--accent)}
p.sub{margin:0 0 10px;color:var(--muted);font-size:13px}
p.note{margin:8px 0 0;color:var(--muted);font-size:12px}
.badge{display:inline-block;border-radius:10px;padding:0 10px;font-weight:bold}
.badge.pass{background:var(--pass-bg);color:var(--pass)}.badge.fail{background:var(--fail-bg);color:var(--fail)}
.badge.unknown{background:var(--unk-bg);color:var(--unk)}
.wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
table.form{table-layout:fixed;min-width:720px}
th,td{border:1px solid var(--line);padding:4px 6px;vertical-align:middle;overflow-wrap:anywhere}
th{background:#ddebf7;text-align:center;font-weight:bold}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.fail{background:var(--fail-bg);color:var(--fail);font-weight:bold}
td.near{background:var(--near-bg);color:var(--near);font-weight:bold}
td.unknown{background:var(--unk-bg);color:var(--unk)}
td.pass{background:var(--pass-bg);color:var(--pass)}
ul.missing{margin:4px 0 0;padding-left:20px;font-size:13px}
.chart{margin:0 0 18px}.chart h3{font-size:15px;margin:0 0 6px}
.bar-row{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr) 7.5em;gap:8px;align-items:center;
margin:3px 0;font-size:13px}
.bar-label{overflow-wrap:anywhere}
.track{position:relative;height:18px;background:#eef2f6;border-radius:3px}
.fill{position:absolute;left:0;top:0;bottom:0;border-radius:3px}
.fill.pass{background:#3a9d57}.fill.fail{background:#d64532}.fill.unknown{background:#d9a400}
.fill.near{background:#e8833a}
.limit{position:absolute;top:-3px;bottom:-3px;border-left:2px dashed var(--ink)}
.bar-value{font-variant-numeric:tabular-nums;white-space:nowrap}
.legend{font-size:12px;color:var(--muted);margin:4px 0 0}
.issues li{font-size:13px;margin:0 0 4px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 20px;overflow-wrap:anywhere}
@media screen and (max-width:640px){
main{padding:8px}section{padding:10px}
header.top h1{font-size:18px}
.bar-row{grid-template-columns:minmax(0,1fr) 6.5em}
.bar-label{grid-column:1 / -1;margin-top:4px}
table.form,table.form tbody,table.form tr,table.form td{display:block;width:100%;min-width:0}
table.form colgroup{display:none}
table.form thead{display:none}
table.form tr{border:1px solid var(--line);border-radius:6px;margin:0 0 10px;padding:4px 0;background:#fff}
table.form td{border:0;border-bottom:1px solid #eef2f6;display:flex;justify-content:space-between;gap:12px;
text-align:right;white-space:normal}
table.form td:last-child{border-bottom:0}
table.form td::before{content:attr(data-label);font-weight:bold;color:var(--muted);text-align:left;flex:0 1 55%}
table.form td.empty{display:none}
table.form td.long{display:block;text-align:left}table.form td.long::before{display:block}
.wrap{overflow:visible}
}
@page{size:A4 portrait;margin:12mm}
@page wide{size:A4 landscape;margin:10mm}
@media print{
body{background:#fff;font-size:11px}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
header.top,footer,#charts,#issues{display:none}
main{max-width:none;padding:0}
section{border:0;border-radius:0;padding:0;margin:0;break-before:page}
section#verdict{break-before:auto}
section.landscape{page:wide}
table{font-size:10px}table.form{min-width:0}th,td{padding:2px 4px}
thead{display:table-header-group}tr{break-inside:avoid}
.wrap{overflow:visible}
}
"""

_MARK_CLASS = {Mark.failed: "fail", Mark.near: "near", Mark.unknown: "unknown", Mark.passed: "pass", Mark.none: ""}
_OUTCOME_CLASS = {Outcome.passed: "pass", Outcome.failed: "fail", Outcome.unknown: "unknown"}


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _leaf_labels(form: Form) -> list[str]:
    """Each column's full heading (a grouped heading joined with its sub-heading: 小学 达标校数)."""
    labels: dict[int, list[str]] = {}
    taken: set[tuple[int, int]] = set()
    for r, heads in enumerate(form.header):
        col = 0
        for head in heads:
            while (r, col) in taken:
                col += 1
            for dc in range(head.cols):
                labels.setdefault(col + dc, []).append(head.text)
                for dr in range(head.rows):
                    taken.add((r + dr, col + dc))
            col += head.cols
    return [" ".join(labels.get(i, [])) for i in range(len(form.widths))]


def _cell(cell: FormCell, label: str) -> str:
    classes = [_MARK_CLASS[cell.mark]] if cell.mark is not Mark.none else []
    if cell.number is not None:
        classes.append("num")
    if not cell.text:
        classes.append("empty")
    if cell.wrap:
        classes.append("long")
    attr = f' class="{" ".join(classes)}"' if classes else ""
    return f'<td data-label="{_e(label)}"{attr}>{_e(cell.text)}</td>'


def _table(form: Form) -> str:
    head = "".join(
        "<tr>" + "".join(
            f"<th{f' colspan={h.cols}' if h.cols > 1 else ''}{f' rowspan={h.rows}' if h.rows > 1 else ''}>"
            f"{_e(h.text)}</th>" for h in heads) + "</tr>"
        for heads in form.header)
    labels = _leaf_labels(form)
    body = "".join("<tr>" + "".join(_cell(c, labels[i]) for i, c in enumerate(cells)) + "</tr>" for cells in form.rows)
    total = sum(form.widths) or 1
    cols = "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in form.widths)
    return (f'<div class="wrap"><table class="form"><colgroup>{cols}</colgroup><thead>{head}</thead>'
            f"<tbody>{body}</tbody></table></div>")


def _form(form: Form) -> str:
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in form.notes)
    cls = ' class="landscape"' if form.landscape else ""
    return (f'<section id="form-{_e(form.key)}"{cls}><h2>{_e(form.title)}</h2><p class="sub">{_e(form.subtitle)}</p>'
            f"{_table(form)}{notes}</section>")


def _conclusion(forms: Forms, form: Form, lang: str) -> str:
    """The verdict section: the outcome and its explanation, the criteria, what is missing."""
    notes = form.notes
    missing = "".join(f"<li>{_e(n)}</li>" for n in notes[1:])
    return (f'<section id="verdict"><h2>{_e(form.title)} <span class="badge {_OUTCOME_CLASS[forms.outcome]}">'
            f"{_e(outcome_label(forms.outcome, lang))}</span></h2><p class=\"sub\">{_e(form.subtitle)}</p>"
            f"<p>{_e(forms.explanation)}</p><p><b>{_e(notes[0] if notes else '')}</b></p>"
            f'<ul class="missing">{missing}</ul>{_table(form)}</section>')


def _chart(chart: ChartSeries, lang: str) -> str:
    top = max([*chart.values, *chart.limits, Decimal(0)]) * Decimal("1.15") or Decimal(1)
    rows = []
    limits: Sequence[Decimal | None] = chart.limits or (None,) * len(chart.values)
    for label, value, limit, mark in zip(chart.labels, chart.values, limits, chart.marks, strict=True):
        width = float(value / top * 100)
        cls = _MARK_CLASS[mark] or "pass"
        line = shown = ""
        if limit is not None:
            line = (f'<div class="limit" style="left:{float(limit / top * 100):.1f}%" '
                    f'title="{_e(chart.limit_name)} {limit}"></div>')
            shown = f" / {_e(chart.limit_name)} {limit}"
        rows.append(f'<div class="bar-row"><div class="bar-label">{_e(label)}</div>'
                    f'<div class="track"><div class="fill {cls}" style="width:{width:.1f}%"></div>{line}</div>'
                    f'<div class="bar-value">{value}{shown}</div></div>')
    if chart.limits:
        legend = (f"虚线：{chart.limit_name}；红色：未达到" if lang == "zh"
                  else f"dashed line: {chart.limit_name.lower()}; red: not met")
    else:
        legend = "红色：达标项数不足" if lang == "zh" else "red: too few indicators met"
    return (f'<div class="chart" role="img" aria-label="{_e(chart.title)}"><h3>{_e(chart.title)}</h3>{"".join(rows)}'
            f'<p class="legend">{_e(legend)}</p></div>')


def _issues(issues: Sequence[InputIssue], lang: str) -> str:
    if not issues:
        return f"<p>{_e(rt('no_issues', lang))}</p>"
    sep = "：" if lang == "zh" else ": "
    return '<ul class="issues">' + "".join(
        f"<li>{_e(rt(i.severity, lang))}{sep}{_e(i.message(lang))}</li>" for i in issues) + "</ul>"


def county_forms_html(run: CountyRun, lang: str = "zh") -> str:
    """The forms page of a county run."""
    forms = county_forms(run, lang)
    conclusion = next(f for f in forms.forms if f.key == "conclusion")
    rest = "".join(_form(f) for f in forms.forms if f.key != "conclusion")
    charts = "".join(_chart(c, lang) for c in forms.charts)
    charts_title = "图表" if lang == "zh" else "Charts"
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(forms.title)}</title><style>{_CSS}</style></head><body>"
        f'<header class="top"><h1>{_e(forms.title)}</h1><p>{_e(run.ruleset.title.get(lang))}'
        f"（{_e(run.ruleset.document)}）</p></header><main>"
        f"{_conclusion(forms, conclusion, lang)}"
        + (f'<section id="charts"><h2>{_e(charts_title)}</h2>{charts}</section>' if charts else "")
        + f'{rest}<section id="issues"><h2>{_e(rt("issues_sheet", lang))}</h2>{_issues(run.issues, lang)}</section>'
        f"</main><footer>{_e(forms.provenance)}</footer></body></html>\n"
    )


def write_county_forms_html(path: Path, run: CountyRun, lang: str = "zh") -> None:
    """Write the forms page atomically: complete, or not there."""
    write_text_atomic(path, county_forms_html(run, lang))

"""HTML report (``--format html``): one self-contained file that works offline.

No external URL anywhere (no web fonts, scripts or images): the CSS is inline, the charts are
inline SVG and the one small script (filter, print button) is inline too. Sections:

1. **County dashboard** — counts, an SVG bar chart (the 差异系数 of each indicator against its
   limit for a county run; otherwise the share of sections meeting each indicator) and a
   pass/fail grid of schools × indicators.
2. **School cards** — each section's results with the engine's explanations.
3. **Letters to principals** — one printable letter per section (each starts a new printed page;
   printing shows only the letters): the principal's letter (:mod:`junheng.cli.render.letter`),
   rendered from each section's trace.
4. **Data issues** — every input error and warning with file, sheet, row, column and value.

Everything shown comes from the result objects; the renderer formats, it never judges.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from html import escape
from pathlib import Path

from junheng.cli.atomic import write_text_atomic
from junheng.cli.compare_text import CHANGES, change_word, needed_text, requirement_text, score_text, side_text
from junheng.cli.render import numbers as n
from junheng.cli.render.explain import explain_rule
from junheng.cli.render.letter import Letter, chinese_number, write_letter
from junheng.cli.report_common import (
    CompareReport,
    CountyPanel,
    CvBar,
    actual_text,
    indicator_label,
    level_name,
    outcome_counts,
    outcome_label,
    points_of,
    required_text,
    rt,
    rule_columns,
    run_title,
    shortfall_text,
)
from junheng.cli.table_output import gap_cell, result_cell
from junheng.engine.compare import RuleChange, SchoolComparison
from junheng.engine.results import EvaluationRun, Outcome, RuleResult, SchoolResult
from junheng.policy.inputs import InputIssue

__all__ = ["compare_html", "evaluation_html", "write_compare_html", "write_evaluation_html"]

_CLASS = {Outcome.passed: "pass", Outcome.failed: "fail", Outcome.unknown: "unknown", Outcome.scored: "scored"}
_MARK = {Outcome.passed: "✓", Outcome.failed: "✗", Outcome.unknown: "?"}

_CSS = """
:root{--pass:#1e7b34;--pass-bg:#dff3e4;--fail:#b42318;--fail-bg:#fde3e1;--unk:#8a6100;--unk-bg:#fff4cc;
--ink:#1f2933;--muted:#5f6b7a;--line:#d9dee5;--accent:#1f4e79}
*{box-sizing:border-box}
body{margin:0;font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",
"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#f4f6f8;line-height:1.55}
main{max-width:1200px;margin:0 auto;padding:24px}
header.top{background:var(--accent);color:#fff;padding:20px 24px}
header.top h1{margin:0 0 6px;font-size:24px}
header.top p{margin:0;opacity:.9;font-size:13px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:18px 20px;margin:0 0 20px}
h2{margin:0 0 12px;font-size:19px;color:var(--accent)}
h3{margin:0;font-size:16px}
.kpis{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px}
.kpi{flex:1 1 140px;border-radius:8px;padding:10px 14px;background:#eef2f6}
.kpi b{display:block;font-size:26px}
.kpi.pass{background:var(--pass-bg);color:var(--pass)}.kpi.fail{background:var(--fail-bg);color:var(--fail)}
.kpi.unknown{background:var(--unk-bg);color:var(--unk)}
.tools{display:flex;gap:16px;align-items:center;margin:0 0 16px}
button{font:inherit;padding:6px 14px;border:1px solid var(--accent);border-radius:6px;background:#fff;
color:var(--accent);cursor:pointer}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef2f6}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.pass{color:var(--pass)}.fail{color:var(--fail)}.unknown{color:var(--unk)}
td.pass,span.badge.pass{background:var(--pass-bg)}td.fail,span.badge.fail{background:var(--fail-bg)}
td.unknown,span.badge.unknown{background:var(--unk-bg)}
article.card,tr.school{color:var(--ink)}
.grid th.rule{text-align:center;width:38px}
.county{margin:0 0 16px}.county p{margin:4px 0 10px}
details.criteria{margin:16px 0 0}details.criteria summary{cursor:pointer;font-weight:bold;margin:0 0 8px}
details.criteria td:nth-child(-n+3){white-space:nowrap}
@media print{details.criteria{display:none}}
.legend{columns:2;font-size:12px;color:var(--muted);margin:8px 0 0;padding-left:22px}
.grid td.mark{text-align:center;font-weight:bold;width:34px}
.badge{display:inline-block;border-radius:10px;padding:0 10px;font-size:13px;font-weight:bold}
.card{border:1px solid var(--line);border-left:6px solid var(--line);border-radius:6px;padding:12px 14px;
margin:0 0 14px}
.card.pass{border-left-color:var(--pass)}.card.fail{border-left-color:var(--fail)}
.card.unknown{border-left-color:var(--unk)}
.card header{display:flex;gap:12px;align-items:baseline;flex-wrap:wrap;margin-bottom:8px;color:var(--ink)}
.card .meta{color:var(--muted);font-size:13px}
.card ul{margin:8px 0 0;padding-left:20px;font-size:13px;color:var(--ink)}
body.only-failed .card.pass,body.only-failed tr.school.pass{display:none}
.letter{border:1px dashed var(--line);padding:28px 36px;margin:0 0 16px;background:#fffdf8}
.letter h3{text-align:center;font-size:18px;margin-bottom:16px}
.letter .sign{text-align:right;margin-top:24px}
.letter .ref{color:var(--muted);font-size:12px;margin-top:16px}
.letter h4{margin:12px 0 4px;font-size:14px}.letter ol.items p{margin:2px 0 8px}
.letter .caveats{color:var(--muted);font-size:13px}
.issues li{margin:0 0 4px;font-size:13px}
.kpi.chg-newly_failing,td.chg-newly_failing{background:#f9b0a8;color:#7a1109;font-weight:bold}
.kpi.chg-still_failing,td.chg-still_failing,.kpi.chg-new_failing,td.chg-new_failing{background:var(--fail-bg);color:var(--fail)}
.kpi.chg-newly_passing,td.chg-newly_passing{background:#b7e4c2;color:#14532d;font-weight:bold}
.kpi.chg-still_passing,td.chg-still_passing,.kpi.chg-new_passing,td.chg-new_passing{background:var(--pass-bg);color:var(--pass)}
.kpi.chg-added,td.chg-added{background:#dbeafe;color:#1e3a8a}
.kpi.chg-removed,td.chg-removed{background:#eceff3;color:var(--muted)}
.kpi.chg-undecided,td.chg-undecided{background:var(--unk-bg);color:var(--unk)}
footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 24px}
svg text{font-family:inherit}
@media print{
body{background:#fff}
header.top,footer,.no-print,section:not(#letters){display:none!important}
section#letters{border:0;padding:0}
section#letters>h2{display:none}
.letter{border:0;page-break-after:always;break-after:page;background:#fff}
}
"""

_SCRIPT = """
(function () {
  var box = document.getElementById('only-failed');
  if (box) {
    box.addEventListener('change', function () {
      document.body.classList.toggle('only-failed', box.checked);
    });
  }
  var btn = document.getElementById('print-letters');
  if (btn) { btn.addEventListener('click', function () { window.print(); }); }
  document.documentElement.setAttribute('data-ready', 'yes');
})();
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _school_name(s: SchoolResult) -> str:
    return s.school_name or s.school_id


def _kpis(run: EvaluationRun, lang: str) -> str:
    counts = outcome_counts(run.schools)
    tiles = [f'<div class="kpi"><b>{len(run.schools)}</b>{_e(rt("sections", lang))}</div>']
    for outcome in Outcome:
        tiles.append(f'<div class="kpi {_CLASS[outcome]}"><b>{counts[outcome]}</b>'
                     f'{_e(outcome_label(outcome, lang))}</div>')
    return f'<div class="kpis">{"".join(tiles)}</div>'


def _bar_chart(rows: Sequence[tuple[str, Fraction, str, Outcome]], scale_max: Fraction,
               limits: Sequence[Fraction | None], title: str, tracks: Sequence[str] = ()) -> str:
    """A horizontal SVG bar chart: label, value (drawn to ``scale_max``), value text, outcome
    (the bar's colour); ``limits`` draw a dashed line per bar, ``tracks`` colour the bar's track."""
    label_w, bar_w, row_h, top = 360, 640, 30, 34
    height = top + row_h * len(rows) + 26
    width = label_w + bar_w + 120
    parts = [f'<svg role="img" aria-label="{_e(title)}" viewBox="0 0 {width} {height}" '
             f'width="100%">',
             f'<text x="0" y="18" font-size="15" font-weight="bold" fill="#1f4e79">{_e(title)}</text>']
    colors = {Outcome.passed: "#3a9d57", Outcome.failed: "#d64532", Outcome.unknown: "#d9a400"}
    scale = scale_max if scale_max > 0 else Fraction(1)
    for i, ((label, value, text, outcome), limit) in enumerate(zip(rows, limits, strict=True)):
        y = top + i * row_h
        w = float(min(value / scale, Fraction(1))) * bar_w
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y + 19}" font-size="13" text-anchor="end" '
                     f'fill="#1f2933"><title>{_e(label)}</title>{_e(short)}</text>')
        track = tracks[i] if tracks else "#eef2f6"
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{bar_w}" height="{row_h - 10}" fill="{track}"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}" '
                     f'fill="{colors[outcome]}"/>')
        if limit is not None:
            lx = label_w + float(min(limit / scale, Fraction(1))) * bar_w
            parts.append(f'<line x1="{lx:.1f}" x2="{lx:.1f}" y1="{y + 1}" y2="{y + row_h - 1}" '
                         f'stroke="#1f2933" stroke-width="2" stroke-dasharray="4 2"/>')
        parts.append(f'<text x="{label_w + bar_w + 8}" y="{y + 19}" font-size="13" '
                     f'fill="#1f2933">{_e(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _pass_rate_chart(run: EvaluationRun, lang: str) -> str:
    rows: list[tuple[str, Fraction, str, Outcome]] = []
    for i, (rule_id, sample) in enumerate(rule_columns(run.schools), start=1):
        results = [r for s in run.schools for r in s.results if r.rule_id == rule_id]
        met = sum(1 for r in results if r.outcome is Outcome.passed)
        share = Fraction(met, len(results))
        outcome = Outcome.passed if met == len(results) else (
            Outcome.failed if any(r.outcome is Outcome.failed for r in results) else Outcome.unknown)
        rows.append((f"{i}. {sample.title.get(lang)}", share, f"{met}/{len(results)}（{n.percent(share)}）"
                     if lang == "zh" else f"{met}/{len(results)} ({n.percent(share)})", outcome))
    # green: sections meeting the indicator; red track: not met; yellow track: cannot decide
    tracks = ["#f3b8b0" if o is Outcome.failed else "#f7e3a1" if o is Outcome.unknown else "#eef2f6"
              for *_, o in rows]
    green = [(label, share, text, Outcome.passed) for label, share, text, _ in rows]
    return _bar_chart(green, Fraction(1), [None] * len(rows), rt("pass_rate_chart", lang), tracks)


def _cv_chart(bars: Sequence[CvBar], lang: str) -> str:
    top = max([*(b.cv for b in bars), *(b.limit for b in bars)], default=Fraction(1)) * Fraction(6, 5)
    rows = [(f"{b.label}（{level_name(b.level, lang)}）" if lang == "zh"
             else f"{b.label} ({level_name(b.level, lang)})", b.cv,
             f"{n.cv(b.cv)} / {rt('limit', lang)} {n.limit(b.limit)}", b.outcome)
            for b in bars]
    return _bar_chart(rows, top, [b.limit for b in bars], rt("cv_chart", lang))


def _grid(run: EvaluationRun, lang: str) -> str:
    columns = rule_columns(run.schools)
    head = "".join(f'<th class="rule" title="{_e(r.title.get(lang))}">{i}</th>'
                   for i, (_, r) in enumerate(columns, start=1))
    legend = "".join(f"<li>{_e(r.title.get(lang))}</li>" for _, r in columns)
    rows = []
    for s in run.schools:
        by_rule = {r.rule_id: r for r in s.results}
        cells = []
        for rule_id, _ in columns:
            r = by_rule.get(rule_id)
            if r is None:
                cells.append('<td class="mark"></td>')
                continue
            tip = f"{r.title.get(lang)}: {actual_text(r)} / {required_text(r, lang)}"
            cells.append(f'<td class="mark {_CLASS[r.outcome]}" title="{_e(tip)}">{_MARK[r.outcome]}</td>')
        rows.append(
            f'<tr class="school {_CLASS[s.outcome]}"><td><a href="#s-{_e(s.school_id)}-{s.level.value}">'
            f'{_e(_school_name(s))}</a></td><td>{_e(level_name(s.level, lang))}</td>{"".join(cells)}'
            f'<td class="{_CLASS[s.outcome]}"><b>{_e(outcome_label(s.outcome, lang))}</b></td></tr>')
    return (f'<h3>{_e(rt("grid", lang))}</h3><table class="grid"><thead><tr>'
            f'<th>{_e(rt("school", lang))}</th><th>{_e(rt("level", lang))}</th>{head}'
            f'<th>{_e(rt("school_outcome", lang))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<ol class="legend">{legend}</ol>')


def _rule_row(r: RuleResult, lang: str, with_points: bool) -> str:
    points = points_of(r)
    cells = [
        f"<td>{_e(indicator_label(r, lang))}</td>",
        f'<td class="num">{_e(actual_text(r))}</td>',
        f'<td class="num">{_e(required_text(r, lang))}</td>',
        f'<td class="{_CLASS[r.outcome]}"><b>{_e(result_cell(r, lang))}</b></td>',
        f'<td class="num">{_e(gap_cell(r, lang))}</td>',
        f'<td class="num">{_e(shortfall_text(r, lang))}</td>',
    ]
    if with_points:
        cells.append(f'<td class="num">{_e(n.trimmed(points) if points is not None else "")}</td>')
    cells.append(f"<td>{_e(r.status.label(lang))}</td>")
    return f"<tr>{''.join(cells)}</tr>"


def _card(s: SchoolResult, lang: str) -> str:
    with_points = any(points_of(r) is not None for r in s.results)
    keys = ["indicator", "actual", "required", "result", "gap", "shortfall"]
    keys += ["points"] * with_points + ["status"]
    head = "".join(f"<th>{_e(rt(k, lang))}</th>" for k in keys)
    body = "".join(_rule_row(r, lang, with_points) for r in s.results)
    notes = "".join(f'<li class="{_CLASS[r.outcome]}">{_e(explain_rule(r, lang))}</li>'
                    for r in s.results)
    students = n.whole(s.students) if s.students is not None else "—"
    return (
        f'<article class="card {_CLASS[s.outcome]}" id="s-{_e(s.school_id)}-{s.level.value}"><header>'
        f'<h3>{_e(_school_name(s))} · {_e(level_name(s.level, lang))}</h3>'
        f'<span class="badge {_CLASS[s.outcome]}">{_e(outcome_label(s.outcome, lang))}</span>'
        f'<span class="meta">{_e(rt("school_id", lang))} {_e(s.school_id)} · {_e(rt("students", lang))} '
        f'{_e(students)}</span></header>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"<ul>{notes}</ul></article>"
    )


def _principal_letter(letter: Letter) -> str:
    """The principal's letter laid out in HTML: greeting, opening, what is met, what is not, what
    cannot be decided, the ways through a gate, the actions by step, closing, caveats, signature."""
    zh = letter.lang == "zh"
    parts = [f"<p>{_e(letter.greeting)}</p><p>{_e(letter.opening)}</p>"]
    if letter.met:
        parts.append(f"<p>{_e(letter.met)}</p>")
    number = 0
    for heading, items in ((letter.failed_heading, letter.failed), (letter.unknown_heading, letter.unknown)):
        if not items:
            continue
        lis = "".join(f"<li><b>{_e(i.heading)}</b>" + (f"<p>{_e(i.body)}</p>" if i.body else "") + "</li>"
                      for i in items)
        parts.append(f'<h4>{_e(heading)}</h4><ol class="items" start="{number + 1}">{lis}</ol>')
        number += len(items)
    parts.extend(f"<p>{_e(o)}</p>" for o in letter.gate_options)
    if letter.plan:
        parts.append(f"<p>{_e(letter.plan_intro)}</p>")
        k = 0
        for i, (heading, actions) in enumerate(letter.plan, 1):
            label = f"（{chinese_number(i)}）{heading}" if zh else f"({i}) {heading}"
            shown = [a for a in actions if a]
            parts.append(f'<h4>{_e(label)}</h4><ol start="{k + 1}">'
                         + "".join(f"<li>{_e(a)}</li>" for a in shown) + "</ol>")
            k += len(shown)
        parts.append(f"<p>{_e(letter.closing)}</p>")
    if letter.caveats:
        caveats = "".join(f"<li>{_e(c)}</li>" for c in letter.caveats)
        parts.append(f'<div class="caveats"><p>{_e(letter.caveat_intro)}</p><ul>{caveats}</ul></div>')
    return "".join(parts)


def _letter(run: EvaluationRun, s: SchoolResult, lang: str, office: str | None = None) -> str:
    """One printable letter, rendered from the section's trace."""
    letter = write_letter(run.ruleset, s, lang, office=office)
    sign = "".join(f'<p class="sign">{_e(x)}</p>' for x in (letter.office, letter.date) if x)
    return (
        f'<article class="letter"><h3>{_e(run.ruleset.title.get(lang))}</h3>{_principal_letter(letter)}'
        f"{sign}"
        f'<p class="ref">{_e(letter.data_ref)}</p></article>'
    )


def _issues(issues: Sequence[InputIssue], lang: str) -> str:
    if not issues:
        return f"<p>{_e(rt('no_issues', lang))}</p>"
    items = "".join(
        f'<li class="{"fail" if i.severity == "error" else "unknown"}">'
        f"{_e(rt(i.severity, lang))}：{_e(i.message(lang))}</li>" if lang == "zh" else
        f'<li class="{"fail" if i.severity == "error" else "unknown"}">'
        f"{_e(rt(i.severity, lang))}: {_e(i.message(lang))}</li>"
        for i in issues)
    return f'<ul class="issues">{items}</ul>'


def _county(panel: CountyPanel, lang: str) -> tuple[str, str]:
    """(the verdict with its explanation, the criteria table folded in a <details>)."""
    rows = "".join(
        f"<tr><td>{_e(area)}</td><td>{_e(title)}</td><td class=\"{_CLASS[o]}\"><b>{_e(outcome_label(o, lang))}"
        f"</b></td><td>{_e(text)}</td></tr>" for area, title, o, text in panel.criteria)
    heads = "".join(f"<th>{_e(w)}</th>" for w in (rt("area", lang), rt("indicator", lang), rt("result", lang),
                                                   rt("explanation", lang)))
    verdict = (f'<div class="county"><h3>{_e(panel.heading)} <span class="badge {_CLASS[panel.outcome]}">'
               f"{_e(outcome_label(panel.outcome, lang))}</span></h3><p>{_e(panel.explanation)}</p></div>")
    table = (f'<details class="criteria"><summary>{_e(rt("criteria", lang, n=len(panel.criteria)))}</summary>'
             f"<table><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table></details>")
    return verdict, table


def evaluation_html(run: EvaluationRun, lang: str = "zh", cv: Sequence[CvBar] = (),
                    county: CountyPanel | None = None, office: str | None = None) -> str:
    """The whole report as one HTML document; ``cv`` (a county run's 差异系数) adds the CV chart,
    ``county`` the county verdict with its criteria; ``office`` signs the principals' letters."""
    title = run_title(run, lang)
    source = ""
    if run.input is not None:
        source = (f"{rt('input', lang)}：{run.input.file}（sha256 {run.input.sha256[:12]}…）" if lang == "zh"
                  else f"{rt('input', lang)}: {run.input.file} (sha256 {run.input.sha256[:12]}…)")
    meta = " · ".join(x for x in (f"{run.ruleset.id}（{run.ruleset.version}）" if lang == "zh"
                                  else f"{run.ruleset.id} ({run.ruleset.version})",
                                  run.ruleset.document, source) if x)
    chart = (_cv_chart(cv, lang) if cv else "") + _pass_rate_chart(run, lang)
    verdict, criteria = _county(county, lang) if county is not None else ("", "")
    cards = "".join(_card(s, lang) for s in run.schools)
    letter_html = "".join(_letter(run, s, lang, office) for s in run.schools)
    provenance = (f"junheng {run.junheng_version} · {run.engine} · {run.ruleset.id} sha256 "
                  f"{run.ruleset.sha256[:12]}…")
    return _page(title, meta, lang, provenance, print_button=True, sections=(
        f'<section id="dashboard"><h2>{_e(rt("dashboard", lang))}</h2>{verdict}{_kpis(run, lang)}{chart}'
        f"{_grid(run, lang)}{criteria}</section>"
        f'<section id="schools"><h2>{_e(rt("school_cards", lang))}</h2>{cards}</section>'
        f'<section id="letters"><h2>{_e(rt("letters", lang))}</h2>{letter_html}</section>'
        f'<section id="issues"><h2>{_e(rt("issues_sheet", lang))}</h2>{_issues(run.issues, lang)}</section>'))


def _page(title: str, meta: str, lang: str, provenance: str, sections: str, print_button: bool = False) -> str:
    """The document around the sections: head with the inline CSS, title bar, tools, footer, script."""
    button = (f'<button type="button" id="print-letters">{_e(rt("print", lang))}</button>'
              if print_button else "")
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f'<header class="top"><h1>{_e(title)}</h1><p>{_e(meta)}</p></header><main>'
        f'<div class="tools no-print"><label><input type="checkbox" id="only-failed"> '
        f'{_e(rt("only_failed", lang))}</label>{button}</div>{sections}'
        f"</main><footer>{_e(provenance)}</footer><script>{_SCRIPT}</script></body></html>\n"
    )


def write_evaluation_html(path: Path, run: EvaluationRun, lang: str = "zh", cv: Sequence[CvBar] = (),
                          county: CountyPanel | None = None, office: str | None = None) -> None:
    """Write the report atomically: the file is complete or not there."""
    write_text_atomic(path, evaluation_html(run, lang, cv, county, office))


# --- comparison (junheng compare --format html) -------------------------------------------------


def _outcome_badge(outcome: Outcome | None, lang: str) -> str:
    if outcome is None:
        return '<span class="badge">—</span>'
    return f'<span class="badge {_CLASS[outcome]}">{_e(outcome_label(outcome, lang))}</span>'


def _side_cell(change: RuleChange, after: bool, lang: str) -> str:
    side = change.after if after else change.before
    css = f' class="{_CLASS[side.outcome]}"' if side is not None else ""
    return f"<td{css}>{_e(side_text(side, lang))}</td>"


def _compare_card(s: SchoolComparison, lang: str) -> str:
    keys = ("indicator", "change", "base", "against", "required", "needed")
    head = "".join(f"<th>{_e(rt(k, lang))}</th>" for k in keys)
    rows = "".join(
        f"<tr><td>{_e(ch.title.get(lang))}</td>"
        f'<td class="chg-{ch.change}">{_e(change_word(ch.change, lang))}</td>'
        f"{_side_cell(ch, False, lang)}{_side_cell(ch, True, lang)}"
        f'<td class="num">{_e(requirement_text(ch))}</td><td>{_e(needed_text(ch, lang))}</td></tr>'
        for ch in s.changes)
    notes = "".join(f'<li class="chg-{ch.change}">{_e(explain_rule(shown.result, lang))}</li>' for ch in s.changes
                    if ch.change != "still_passing" and (shown := ch.after or ch.before) is not None)
    scores = " → ".join(x or "—" for x in (score_text(s.score_before), score_text(s.score_after)))
    points = f' · {_e(rt("points", lang))} {_e(scores)}' if s.score_before or s.score_after else ""
    css = _CLASS[s.after] if s.after is not None else "unknown"
    return (
        f'<article class="card {css}" id="s-{_e(s.school_id)}-{s.level.value}"><header>'
        f"<h3>{_e(s.school_name or s.school_id)} · {_e(level_name(s.level, lang))}</h3>"
        f"{_outcome_badge(s.before, lang)} → {_outcome_badge(s.after, lang)}"
        f'<span class="meta">{_e(rt("school_id", lang))} {_e(s.school_id)}{points}</span></header>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table><ul>{notes}</ul></article>"
    )


def compare_html(report: CompareReport, lang: str = "zh") -> str:
    """A comparison as one offline HTML document: how many items changed in each way, then each
    school's rules under both standards coloured by their change, then the data issues."""
    c = report.comparison
    title = f"{rt('compare_title', lang)} — {c.base.title.get(lang)} → {c.against.title.get(lang)}"
    meta = (f"{c.base.id}（{c.base.version}）→ {c.against.id}（{c.against.version}） · "
            f"{rt('input', lang)}：{report.input_file}" if lang == "zh" else
            f"{c.base.id} ({c.base.version}) → {c.against.id} ({c.against.version}) · "
            f"{rt('input', lang)}: {report.input_file}")
    counts = {k: sum(1 for s in c.schools for ch in s.changes if ch.change == k) for k in CHANGES}
    kpis = "".join(f'<div class="kpi chg-{k}"><b>{n}</b>{_e(change_word(k, lang))}</div>' for k, n in counts.items())
    overview = "".join(
        f'<tr class="school {_CLASS[s.after] if s.after else "unknown"}"><td><a href="#s-{_e(s.school_id)}-'
        f'{s.level.value}">{_e(s.school_name or s.school_id)}</a></td><td>{_e(level_name(s.level, lang))}</td>'
        f"<td>{_outcome_badge(s.before, lang)} {_e(score_text(s.score_before))}</td>"
        f"<td>{_outcome_badge(s.after, lang)} {_e(score_text(s.score_after))}</td></tr>" for s in c.schools)
    heads = "".join(f"<th>{_e(rt(k, lang))}</th>" for k in ("school", "level", "school_before", "school_after"))
    provenance = (f"junheng {report.junheng_version} · {report.engine} · {c.base.id} sha256 {c.base.sha256[:12]}… → "
                  f"{c.against.id} sha256 {c.against.sha256[:12]}…")
    cards = "".join(_compare_card(s, lang) for s in c.schools)
    return _page(title, meta, lang, provenance, sections=(
        f'<section id="changes"><h2>{_e(rt("compare_changes", lang))}</h2><div class="kpis">{kpis}</div>'
        f'<h3>{_e(rt("compare_schools", lang))}</h3><table class="grid"><thead><tr>{heads}</tr></thead>'
        f"<tbody>{overview}</tbody></table></section>"
        f'<section id="schools"><h2>{_e(rt("school_cards", lang))}</h2>{cards}</section>'
        f'<section id="issues"><h2>{_e(rt("issues_sheet", lang))}</h2>{_issues(report.issues, lang)}</section>'))


def write_compare_html(path: Path, report: CompareReport, lang: str = "zh") -> None:
    """Write the comparison report atomically: the file is complete or not there."""
    write_text_atomic(path, compare_html(report, lang))

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

import io
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from html import escape
from pathlib import Path
from typing import IO

from junheng.cli.atomic import atomic_open, write_text_atomic
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
    outcome_label,
    points_of,
    report_title,
    required_text,
    rt,
    shortfall_text,
)
from junheng.cli.table_output import gap_cell, result_cell
from junheng.engine.compare import RuleChange, SchoolComparison
from junheng.engine.results import EvaluationRun, Outcome, RuleResult, RulesetInfo, RunEnvelope, SchoolResult
from junheng.policy.facts import Level
from junheng.policy.inputs import InputIssue
from junheng.policy.model import Status

__all__ = ["EvaluationHtml", "HtmlChunk", "HtmlSections", "compare_html", "evaluation_html", "write_compare_html",
           "write_evaluation_html", "write_evaluation_html_to"]

_CLASS = {Outcome.passed: "pass", Outcome.failed: "fail", Outcome.unknown: "unknown", Outcome.scored: "scored"}
_MARK = {Outcome.passed: "✓", Outcome.failed: "✗", Outcome.unknown: "?", Outcome.scored: "•"}

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


def _pass_rate_chart(columns: Sequence[_Column], lang: str) -> str:
    rows: list[tuple[str, Fraction, str, Outcome]] = []
    for i, c in enumerate(columns, start=1):
        share = Fraction(c.met, c.total)
        outcome = Outcome.passed if c.met == c.total else (Outcome.failed if c.failed else Outcome.unknown)
        rows.append((f"{i}. {c.title}", share, f"{c.met}/{c.total}（{n.percent(share)}）"
                     if lang == "zh" else f"{c.met}/{c.total} ({n.percent(share)})", outcome))
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


def _letter(ruleset: RulesetInfo, s: SchoolResult, lang: str, office: str | None = None) -> str:
    """One printable letter, rendered from the section's trace."""
    letter = write_letter(ruleset, s, lang, office=office)
    sign = "".join(f'<p class="sign">{_e(x)}</p>' for x in (letter.office, letter.date) if x)
    return (
        f'<article class="letter"><h3>{_e(ruleset.title.get(lang))}</h3>{_principal_letter(letter)}'
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


@dataclass
class _Column:
    """One indicator of the dashboard: its title (from the first section that has it) and how many
    sections meet it, of how many, and whether any fails — counted as the sections pass."""

    title: str
    met: int = 0
    total: int = 0
    failed: bool = False


_EMPTY_MARK = '<td class="mark"></td>'
_CHUNK = 500
"""Sections rendered at a time when a finished run is written (the text held at once)."""


@dataclass
class HtmlChunk:
    """A chunk of sections rendered for the report (plain data: a worker process may make it).

    ``grid`` holds each section's grid row as three pieces — the start (name, level), its cells in
    the order of ``columns`` as this chunk first saw them, the end (outcome) — whose lengths are in
    ``cuts`` (start, cells, end, and how many of ``columns`` were known when the row was made);
    ``cards`` and ``letters`` are the sections' cards and letters, in input order."""

    grid: str
    cuts: list[int]
    columns: dict[str, _Column]
    counts: dict[Outcome, int]
    sections: int
    cards: str
    letters: str


class HtmlSections:
    """Renders chunks of sections for the report, in the one language written. What is the same for
    every section of a rule (its label, its requirement, its status) is rendered and escaped once."""

    def __init__(self, ruleset: RulesetInfo, lang: str = "zh", office: str | None = None) -> None:
        self.ruleset, self.lang, self.office = ruleset, lang, office
        self._labels: dict[tuple[str, str, str | None], tuple[str, str]] = {}
        self._required: dict[tuple[object, ...], str] = {}
        self._words: dict[object, str] = {}

    def render(self, schools: Iterable[SchoolResult]) -> HtmlChunk:
        lang = self.lang
        columns: dict[str, _Column] = {}
        counts = dict.fromkeys(Outcome, 0)
        grid: list[str] = []
        cuts: list[int] = []
        cards: list[str] = []
        letters: list[str] = []
        for s in schools:
            counts[s.outcome] += 1
            by_rule: dict[str, RuleResult] = {}
            texts: dict[int, tuple[str, str]] = {}
            for r in s.results:
                by_rule[r.rule_id] = r
                c = columns.get(r.rule_id)
                if c is None:
                    c = columns[r.rule_id] = _Column(r.title.get(lang))
                c.total += 1
                if r.outcome is Outcome.passed:
                    c.met += 1
                elif r.outcome is Outcome.failed:
                    c.failed = True
                texts[id(r)] = (_e(actual_text(r)), self._required_text(r))
            css = _CLASS[s.outcome]
            name, level, outcome = _e(_school_name(s)), self._word(s.level), self._word(s.outcome)
            anchor = f"s-{_e(s.school_id)}-{s.level.value}"
            marks = []
            for rule_id in columns:
                hit = by_rule.get(rule_id)
                if hit is None:
                    marks.append(_EMPTY_MARK)
                    continue
                actual, required = texts[id(hit)]
                marks.append(f'<td class="mark {_CLASS[hit.outcome]}" title="{self._label(hit)[0]}: {actual} / '
                             f'{required}">{_MARK[hit.outcome]}</td>')
            start = f'<tr class="school {css}"><td><a href="#{anchor}">{name}</a></td><td>{level}</td>'
            cells = "".join(marks)
            end = f'<td class="{css}"><b>{outcome}</b></td></tr>'
            grid += (start, cells, end)
            cuts += (len(start), len(cells), len(end), len(columns))
            cards.append(self._card(s, texts, css, name, level, outcome, anchor))
            letters.append(_letter(self.ruleset, s, lang, self.office))
        return HtmlChunk("".join(grid), cuts, columns, counts, len(cards), "".join(cards), "".join(letters))

    def _word(self, key: Outcome | Level) -> str:
        """An outcome or level name, escaped (once)."""
        word = self._words.get(key)
        if word is None:
            text = outcome_label(key, self.lang) if isinstance(key, Outcome) else level_name(key, self.lang)
            word = self._words[key] = _e(text)
        return word

    def _label(self, r: RuleResult) -> tuple[str, str]:
        """(the rule's title, its indicator label with the unit) escaped, once per rule."""
        title = r.title.get(self.lang)
        key = (r.rule_id, title, r.unit)
        label = self._labels.get(key)
        if label is None:
            label = self._labels[key] = (_e(title), _e(indicator_label(r, self.lang)))
        return label

    def _required_text(self, r: RuleResult) -> str:
        """The requirement as a cell, escaped: once per distinct requirement (a rule's per level)."""
        key = (r.kind, r.required, r.op, r.unit, r.min_met, r.floor)
        text = self._required.get(key)
        if text is None:
            text = self._required[key] = _e(required_text(r, self.lang))
        return text

    def _card(self, s: SchoolResult, texts: dict[int, tuple[str, str]], css: str, name: str, level: str,
              outcome: str, anchor: str) -> str:
        lang = self.lang
        with_points = any(points_of(r) is not None for r in s.results)
        head = self._words.get(("head", with_points))
        if head is None:
            keys = ["indicator", "actual", "required", "result", "gap", "shortfall"]
            keys += ["points"] * with_points + ["status"]
            head = self._words[("head", with_points)] = "".join(f"<th>{_e(rt(k, lang))}</th>" for k in keys)
        rows = []
        for r in s.results:
            actual, required = texts[id(r)]
            result = self._words.get(r.outcome) if r.score is None else None
            points = ""
            if with_points:
                p = points_of(r)
                points = f'<td class="num">{_e(n.trimmed(p)) if p is not None else ""}</td>'
            rows.append(
                f"<tr><td>{self._label(r)[1]}</td>"
                f'<td class="num">{actual}</td><td class="num">{required}</td>'
                f'<td class="{_CLASS[r.outcome]}"><b>{result if result is not None else _e(result_cell(r, lang))}'
                f'</b></td><td class="num">{_e(gap_cell(r, lang))}</td>'
                f'<td class="num">{_e(shortfall_text(r, lang))}</td>{points}<td>{self._status(r.status)}</td></tr>')
        notes = "".join(f'<li class="{_CLASS[r.outcome]}">{_e(explain_rule(r, lang))}</li>' for r in s.results)
        students = n.whole(s.students) if s.students is not None else "—"
        return (
            f'<article class="card {css}" id="{anchor}"><header>'
            f"<h3>{name} · {level}</h3>"
            f'<span class="badge {css}">{outcome}</span>'
            f'<span class="meta">{self._text("school_id")} {_e(s.school_id)} · {self._text("students")} '
            f'{_e(students)}</span></header>'
            f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f"<ul>{notes}</ul></article>"
        )

    def _status(self, status: Status) -> str:
        word = self._words.get(status)
        if word is None:
            word = self._words[status] = _e(status.label(self.lang))
        return word

    def _text(self, key: str) -> str:
        word = self._words.get(key)
        if word is None:
            word = self._words[key] = _e(rt(key, self.lang))
        return word


class EvaluationHtml:
    """The evaluation report written as the sections come: :meth:`write_header`, then
    :meth:`write_sections` (or :meth:`add`, for a chunk rendered elsewhere by :class:`HtmlSections`)
    once per chunk in input order, then :meth:`write_tail`.

    The page opens with the dashboard (counts, chart, grid), which needs every section, so each
    chunk's grid rows, cards and letters go to temporary spool files and are copied into ``out`` at
    the tail: memory stays flat in the number of sections, and the file is the same, byte for byte,
    however the sections were cut into chunks."""

    def __init__(self, out: IO[str], envelope: RunEnvelope, lang: str = "zh", cv: Sequence[CvBar] = (),
                 county: CountyPanel | None = None, office: str | None = None) -> None:
        self.out, self.env, self.lang, self.cv, self.county = out, envelope, lang, cv, county
        self.ruleset = envelope.rulesets[0]
        self.sections = HtmlSections(self.ruleset, lang, office)
        self._columns: dict[str, _Column] = {}
        self._counts = dict.fromkeys(Outcome, 0)
        self._n = 0
        self._grid = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
        self._cards = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
        self._letters = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
        self._chunks: list[tuple[list[int], tuple[str, ...]]] = []  # per chunk: cuts, its column order

    def __enter__(self) -> EvaluationHtml:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for spool in (self._grid, self._cards, self._letters):
            spool.close()

    def write_header(self) -> None:
        """The document head, title bar and tools: everything before the dashboard."""
        lang, r = self.lang, self.ruleset
        source = ""
        if self.env.input is not None:
            i = self.env.input
            source = (f"{rt('input', lang)}：{i.file}（sha256 {i.sha256[:12]}…）" if lang == "zh"
                      else f"{rt('input', lang)}: {i.file} (sha256 {i.sha256[:12]}…)")
        meta = " · ".join(x for x in (f"{r.id}（{r.version}）" if lang == "zh" else f"{r.id} ({r.version})",
                                      r.document, source) if x)
        self.out.write(_page_head(report_title(r, lang), meta, lang, print_button=True))

    def write_sections(self, schools: Iterable[SchoolResult]) -> None:
        """Render a chunk of sections (in input order) and spool it."""
        self.add(self.sections.render(schools))

    def add(self, chunk: HtmlChunk) -> None:
        """Spool a rendered chunk (the next in input order) and count its sections."""
        for rule_id, c in chunk.columns.items():
            total = self._columns.setdefault(rule_id, _Column(c.title))
            total.met += c.met
            total.total += c.total
            total.failed = total.failed or c.failed
        for o, k in chunk.counts.items():
            self._counts[o] += k
        self._n += chunk.sections
        self._grid.write(chunk.grid)
        self._cards.write(chunk.cards)
        self._letters.write(chunk.letters)
        self._chunks.append((chunk.cuts, tuple(chunk.columns)))

    def write_tail(self) -> None:
        """The dashboard (now that every section is counted), the spooled grid, cards and letters,
        the data issues and the end of the page."""
        lang, out = self.lang, self.out
        columns = list(self._columns.values())
        chart = (_cv_chart(self.cv, lang) if self.cv else "") + _pass_rate_chart(columns, lang)
        verdict, criteria = _county(self.county, lang) if self.county is not None else ("", "")
        tiles = [f'<div class="kpi"><b>{self._n}</b>{_e(rt("sections", lang))}</div>']
        tiles += [f'<div class="kpi {_CLASS[o]}"><b>{self._counts[o]}</b>{_e(outcome_label(o, lang))}</div>'
                  for o in Outcome]
        head = "".join(f'<th class="rule" title="{_e(c.title)}">{i}</th>' for i, c in enumerate(columns, start=1))
        out.write(f'<section id="dashboard"><h2>{_e(rt("dashboard", lang))}</h2>{verdict}'
                  f'<div class="kpis">{"".join(tiles)}</div>{chart}'
                  f'<h3>{_e(rt("grid", lang))}</h3><table class="grid"><thead><tr>'
                  f'<th>{_e(rt("school", lang))}</th><th>{_e(rt("level", lang))}</th>{head}'
                  f'<th>{_e(rt("school_outcome", lang))}</th></tr></thead><tbody>')
        self._copy_grid()
        legend = "".join(f"<li>{_e(c.title)}</li>" for c in columns)
        out.write(f'</tbody></table><ol class="legend">{legend}</ol>{criteria}</section>'
                  f'<section id="schools"><h2>{_e(rt("school_cards", lang))}</h2>')
        _copy(self._cards, out)
        out.write(f'</section><section id="letters"><h2>{_e(rt("letters", lang))}</h2>')
        _copy(self._letters, out)
        r = self.ruleset
        provenance = f"junheng {self.env.junheng_version} · {self.env.engine} · {r.id} sha256 {r.sha256[:12]}…"
        out.write(f'</section><section id="issues"><h2>{_e(rt("issues_sheet", lang))}</h2>'
                  f"{_issues(self.env.issues, lang)}</section>{_page_tail(provenance)}")

    def _copy_grid(self) -> None:
        """The grid rows, each with one cell per indicator in the report's column order: a row made
        before its chunk saw a later indicator gets the empty cells it lacks (such indicators come
        last); a chunk that first saw the indicators in another order has its cells put in order."""
        order = tuple(self._columns)
        total = len(order)
        if all(cuts[i] == total for cuts, _ in self._chunks for i in range(3, len(cuts), 4)) and all(
                local == order for _, local in self._chunks):
            _copy(self._grid, self.out)
            return
        grid, write = self._grid, self.out.write
        grid.seek(0)
        for cuts, local in self._chunks:
            in_order = local == order[:len(local)]
            for i in range(0, len(cuts), 4):
                start, cells, end = grid.read(cuts[i]), grid.read(cuts[i + 1]), grid.read(cuts[i + 2])
                known = cuts[i + 3]
                if in_order:
                    write(start + cells + _EMPTY_MARK * (total - known) + end)
                    continue
                # cells are "<td …>…</td>" with every "<" of data escaped: "</td>" ends a cell
                by_id = dict(zip(local[:known], (c + "</td>" for c in cells.split("</td>")[:known]), strict=True))
                write(start + "".join(by_id.get(rule_id, _EMPTY_MARK) for rule_id in order) + end)


def _copy(spool: IO[str], out: IO[str]) -> None:
    spool.seek(0)
    shutil.copyfileobj(spool, out, 1 << 20)


def evaluation_html(run: EvaluationRun, lang: str = "zh", cv: Sequence[CvBar] = (),
                    county: CountyPanel | None = None, office: str | None = None) -> str:
    """The whole report as one HTML document; ``cv`` (a county run's 差异系数) adds the CV chart,
    ``county`` the county verdict with its criteria; ``office`` signs the principals' letters."""
    buffer = io.StringIO()
    write_evaluation_html_to(buffer, run, lang, cv, county, office)
    return buffer.getvalue()


def write_evaluation_html_to(out: IO[str], run: EvaluationRun, lang: str = "zh", cv: Sequence[CvBar] = (),
                             county: CountyPanel | None = None, office: str | None = None) -> None:
    """The report of a finished run, written to ``out`` through :class:`EvaluationHtml`."""
    with EvaluationHtml(out, run.envelope, lang, cv, county, office) as html:
        html.write_header()
        for i in range(0, len(run.schools), _CHUNK):
            html.write_sections(run.schools[i:i + _CHUNK])
        html.write_tail()


def _page_head(title: str, meta: str, lang: str, print_button: bool = False) -> str:
    """The document up to the sections: head with the inline CSS, title bar, tools."""
    button = (f'<button type="button" id="print-letters">{_e(rt("print", lang))}</button>'
              if print_button else "")
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f'<header class="top"><h1>{_e(title)}</h1><p>{_e(meta)}</p></header><main>'
        f'<div class="tools no-print"><label><input type="checkbox" id="only-failed"> '
        f'{_e(rt("only_failed", lang))}</label>{button}</div>'
    )


def _page_tail(provenance: str) -> str:
    return f"</main><footer>{_e(provenance)}</footer><script>{_SCRIPT}</script></body></html>\n"


def _page(title: str, meta: str, lang: str, provenance: str, sections: str, print_button: bool = False) -> str:
    """The document around the sections: head with the inline CSS, title bar, tools, footer, script."""
    return _page_head(title, meta, lang, print_button) + sections + _page_tail(provenance)


def write_evaluation_html(path: Path, run: EvaluationRun, lang: str = "zh", cv: Sequence[CvBar] = (),
                          county: CountyPanel | None = None, office: str | None = None) -> None:
    """Write the report atomically (streamed): the file is complete or not there."""
    with atomic_open(path) as handle:
        write_evaluation_html_to(handle, run, lang, cv, county, office)


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

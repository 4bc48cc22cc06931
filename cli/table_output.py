"""Terminal tables for evaluation results (rich)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from rich.console import Console
from rich.table import Table

from junheng.cli.options import shown
from junheng.cli.render import numbers as n
from junheng.cli.render.explain import explain_rule, shortfall_cell
from junheng.cli.render.words import op_symbol
from junheng.cli.text import outcome_word, t
from junheng.engine.results import EvaluationRun, Outcome, RuleResult, RunEnvelope, SchoolResult
from junheng.policy.inputs import InputIssue
from junheng.policy.units import unit

_STYLE = {Outcome.passed: "green", Outcome.failed: "bold red", Outcome.unknown: "yellow", Outcome.scored: "cyan"}


def actual_cell(r: RuleResult) -> str:
    """The actual value as a table cell, under the number policy."""
    if r.kind == "count_gate":
        return f"{r.met_count}/{len(r.members)}"
    if r.unbounded:
        return "∞"
    if r.actual is None:
        return "—"
    if r.unit == "points":
        return n.trimmed(r.actual)
    return n.indicator(r.actual, r.unit)


def required_cell(r: RuleResult, lang: str) -> str:
    if r.required is None:
        return "—"
    if r.kind == "count_gate":
        floor = n.percent_as_written(r.floor or Fraction(0))
        return f"≥{r.min_met}项，余项≥{floor}" if lang == "zh" else f"≥{r.min_met}, rest ≥{floor}"
    if r.unit in n.PERCENT_UNITS:
        return f"{op_symbol(r.op)}{n.percent_as_written(r.required)}"
    return f"{op_symbol(r.op)}{n.indicator(r.required, r.unit)}"


def gap_cell(r: RuleResult, lang: str) -> str:
    if not r.gap:
        return ""
    if r.unit in n.PERCENT_UNITS:
        return n.percent_points(r.gap) + ("个百分点" if lang == "zh" else " pp")
    return n.indicator(r.gap, r.unit)


def result_cell(r: RuleResult, lang: str) -> str:
    """The outcome word; a scored item says what it lost (满分 / 扣1分) instead of 达标/未达标."""
    s = r.score
    if s is not None and s.awarded is not None and s.points is not None:  # out of no known maximum: 计分
        if not s.deducted:
            return "满分" if lang == "zh" else "full marks"
        return f"扣{n.trimmed(s.deducted)}分" if lang == "zh" else f"{n.trimmed(s.deducted)} off"
    return outcome_word(r.outcome, lang)


def school_table(s: SchoolResult, lang: str) -> Table:
    name = shown(s.school_name or s.school_id)  # names are data: never markup, never escapes
    students = f"，{t('students', lang)}{n.whole(s.students)}" if s.students is not None else ""
    if lang != "zh" and s.students is not None:
        students = f", {n.whole(s.students)} {t('students', lang)}"
    title = (f"{name}（{shown(s.school_id)}）· {s.level.label(lang)}{students} · "
             f"[{_STYLE[s.outcome]}]{outcome_word(s.outcome, lang)}[/]")
    if s.score is not None:
        title += " · " + points_total(s, lang)
    table = Table(title=title, title_justify="left", show_lines=False)
    with_points = any(r.score is not None for r in s.results)
    for key in ("indicator", "actual", "required", "result", *(("points",) if with_points else ()), "gap",
                "shortfall", "status"):
        table.add_column(t(key, lang), overflow="fold")
    for r in s.results:
        label = unit(r.unit).label(lang) if r.unit and r.unit not in ("count", "points") else ""
        title = f"{r.title.get(lang)}（{label}）" if label and lang == "zh" else (
            f"{r.title.get(lang)} ({label})" if label else r.title.get(lang))
        cells = [title, actual_cell(r), required_cell(r, lang),
                 f"[{_STYLE[r.outcome]}]{result_cell(r, lang)}[/]"]
        if with_points:
            cells.append(_points(r.score.awarded, r.score.points) if r.score is not None else "")
        table.add_row(*cells, gap_cell(r, lang), shortfall_cell(r.shortfall, lang), r.status.label(lang))
    return table


def _points(awarded: Fraction | None, max_points: Fraction | None) -> str:
    """``17/18``; ``—/18`` when the item cannot be scored; ``8/?`` when its maximum is not public."""
    return f"{'—' if awarded is None else n.trimmed(awarded)}/{'?' if max_points is None else n.trimmed(max_points)}"


def points_total(s: SchoolResult, lang: str) -> str:
    """得分53/100 — with the undecided points said, never counted as lost (另有44分无法计分)."""
    assert s.score is not None
    text = t("points_total", lang, awarded=n.trimmed(s.score.awarded), max=n.trimmed(s.score.points))
    if s.score.undecided:
        text += t("points_undecided", lang, n=n.trimmed(s.score.undecided))
    return text


def points_line(s: SchoolResult, lang: str) -> str | None:
    """The section's total with its group subtotals (一级指标), or None when it is not scored."""
    if s.score is None or not s.score.groups:
        return None
    sep = "，" if lang == "zh" else ", "
    groups = sep.join(f"{g.group} {g.title.get(lang)} {_points(g.awarded, g.points)}" for g in s.score.groups)
    return t("points_groups", lang, total=_points(s.score.awarded, s.score.points), groups=groups)


class EvaluationTable:
    """The terminal table of an evaluation written as the sections come: :meth:`write_sections`
    once per chunk in input order (each section printed at once: nothing is held), then
    :meth:`write_tail` (the summary from the counts kept, the data issues, what was run)."""

    def __init__(self, console: Console, envelope: RunEnvelope, lang: str, explain: bool = True) -> None:
        self.console, self.env, self.lang, self.explain = console, envelope, lang, explain
        self.counts = dict.fromkeys(Outcome, 0)

    def write_header(self) -> None:
        """Nothing precedes the first section."""

    def write_sections(self, schools: Iterable[SchoolResult]) -> None:
        console, lang = self.console, self.lang
        for s in schools:
            self.counts[s.outcome] += 1
            console.print(school_table(s, lang))
            if (line := points_line(s, lang)) is not None:
                console.print(line, highlight=False, soft_wrap=True)
            if self.explain:
                notes = [r for r in s.results if r.outcome is not Outcome.passed]
                if notes:
                    console.print(t("explanations", lang))
                    for r in notes:
                        console.print(f"  • {shown(explain_rule(r, lang))}", highlight=False, soft_wrap=True)
            console.print()

    def write_tail(self) -> None:
        console, lang, c, env = self.console, self.lang, self.counts, self.env
        scored = c[Outcome.scored]
        console.print(t("summary", lang, n=sum(c.values()), p=c[Outcome.passed], f=c[Outcome.failed],
                        u=c[Outcome.unknown]) + (t("summary_scored", lang, n=scored) if scored else ""))
        if env.input is not None and env.input.rows_rejected:
            console.print(t("summary_rejected", lang, r=env.input.rows_rejected), style="bold red")
        print_input_issues(env.issues, console, lang, env.input.rows_rejected if env.input is not None else None,
                           env.input.unused_columns if env.input is not None else ())
        if env.input is not None:
            ruleset = env.rulesets[0]
            console.print(t("ran", lang, id=ruleset.id, version=ruleset.version,
                            sha=ruleset.sha256[:12], file=shown(env.input.file),
                            fsha=env.input.sha256[:12], jv=env.junheng_version, engine=env.engine),
                          style="dim", highlight=False)


def print_evaluation(run: EvaluationRun, console: Console, lang: str, explain: bool = True) -> None:
    table = EvaluationTable(console, run.envelope, lang, explain)
    table.write_header()
    table.write_sections(run.schools)
    table.write_tail()


def print_issues(run: EvaluationRun, console: Console, lang: str) -> None:
    print_input_issues(run.issues, console, lang,
                       run.input.rows_rejected if run.input is not None else None,
                       run.input.unused_columns if run.input is not None else ())


def print_input_issues(issues: Sequence[InputIssue], console: Console, lang: str,
                       rows_rejected: int | None = None, unused_columns: Sequence[str] = ()) -> None:
    """Unused columns, then the rejected rows (errors), then the warnings."""
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity != "error"]
    if unused_columns:
        console.print(t("unused_columns", lang, cols=shown("、".join(unused_columns))), style="dim")
    if errors:
        n = rows_rejected if rows_rejected is not None else len(errors)
        console.print(t("rows_rejected", lang, n=n), style="bold red")
        for issue in errors:
            console.print(f"  ✗ {shown(issue.message(lang))}", highlight=False, soft_wrap=True)
    if warnings:
        console.print(t("warnings", lang), style="yellow")
        for issue in warnings:
            console.print(f"  ! {shown(issue.message(lang))}", highlight=False, soft_wrap=True)

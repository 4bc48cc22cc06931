"""Properties of the renderers over generated judgements (hypothesis):

* the numbers a sentence shows are the trace's numbers under the number policy (the actual
  value, the requirement, the gap, the shortfall amount and target);
* Chinese and English state the same facts: the same numbers, in any order;
* every template names the same slots in both languages.
"""

from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from junheng.cli.render import numbers as n
from junheng.cli.render.explain import explain_rule
from junheng.cli.render.templates import TEMPLATES, slots
from junheng.engine.numbers import to_decimal
from junheng.engine.results import Outcome, RuleResult, Shortfall, ShortfallBase
from junheng.policy.facts import Level
from junheng.policy.model import Localized, Op, Status

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?(?:…)?(%|万)?")
UNITS = ["m2_per_student", "teachers_per_100_students", "rooms_per_100_students", "yuan_per_student",
         "students_per_computer", "percent_of_teachers", "persons"]


@st.composite
def threshold_results(draw: st.DrawFn) -> RuleResult:
    unit_code = draw(st.sampled_from(UNITS))
    op = draw(st.sampled_from([Op.at_least, Op.at_most]))
    scale = 1 if unit_code == "percent_of_teachers" else 100
    required = Fraction(draw(st.integers(1, 2000 * scale)), 1000 if unit_code == "percent_of_teachers" else 100)
    if unit_code == "persons":
        required = Fraction(draw(st.integers(30, 70)))
    actual = required * Fraction(draw(st.integers(1, 3000)), 1000)
    if unit_code == "persons":
        actual = Fraction(draw(st.integers(1, 120)))
    met = op.holds(actual, required)
    outcome = Outcome.passed if met else Outcome.failed
    gap = Fraction(0) if met else abs(required - actual)
    shortfall = None
    if not met and draw(st.booleans()):
        amount = Fraction(draw(st.integers(1, 5000)))
        current = Fraction(draw(st.integers(0, 9000)))
        shortfall = Shortfall(fact="teaching_aux_area_m2", unit="m2", direction="increase", amount=amount,
                              target=current + amount, current=current,
                              base=ShortfallBase(fact="students", value=Fraction(draw(st.integers(1, 3000)))))
    return RuleResult(rule_id="r", kind="threshold", title=Localized(zh="某指标", en="an indicator"),
                      level=Level.primary, outcome=outcome, actual=actual, required=required, op=op.value,
                      unit=unit_code, gap=gap, shortfall=shortfall, source="某文件", status=Status.confirmed)


def _numbers(text: str) -> Counter[Fraction]:
    """The numbers a sentence states, as values (1,208.2 and 12.08万 alike), whatever their notation."""
    text = text.replace("per 100 students", "").replace("/百名学生", "")
    out: Counter[Fraction] = Counter()
    for m in NUMBER.finditer(text):
        digits = m.group(0).rstrip("%万").replace(",", "").replace("…", "")
        value = Fraction(digits) * (10_000 if m.group(1) == "万" else 1)
        out[value] += 1
    return out


@settings(max_examples=300, deadline=None)
@given(r=threshold_results())
def test_rendered_numbers_are_the_trace_numbers(r: RuleResult) -> None:
    assert r.actual is not None and r.required is not None
    for lang in ("zh", "en"):
        text = explain_rule(r, lang)
        near = n.distinct(r.actual, r.required, r.unit)
        if near is not None:  # printed equal under the policy: the digits that tell them apart
            assert near[0] in text and near[1] in text
            if r.outcome is Outcome.failed:
                assert ("略" in text) if lang == "zh" else ("just" in text)
        else:
            assert n.indicator(r.actual, r.unit) in text
            req = n.percent_as_written(r.required) if r.unit in n.PERCENT_UNITS else n.indicator(r.required, r.unit)
            assert req in text
            if r.outcome is Outcome.failed and r.gap and not n.rounds_to_zero(r.gap, r.unit):
                gap = n.percent_points(r.gap) if r.unit in n.PERCENT_UNITS else n.indicator(r.gap, r.unit)
                assert gap in text
        if r.shortfall is not None:
            s = r.shortfall
            assert n.trimmed(s.amount) in text and n.trimmed(s.target) in text
            assert s.base is not None and n.whole(s.base.value) in text
        # a verdict never contradicts the printed numbers: a failed value is never short by "0"
        if r.outcome is Outcome.failed:
            shown = re.findall(r"(?:差|short by )(\d+(?:\.\d+)?)", text)
            assert all(Fraction(x) > 0 for x in shown), text


@settings(max_examples=300, deadline=None)
@given(r=threshold_results())
def test_chinese_and_english_state_the_same_numbers(r: RuleResult) -> None:
    assert _numbers(explain_rule(r, "zh")) == _numbers(explain_rule(r, "en"))


def test_every_template_has_the_same_slots_in_both_languages() -> None:
    for key, t in TEMPLATES.items():
        assert slots(t.zh) == slots(t.en), key


def test_every_bundled_result_says_the_same_numbers_in_both_languages() -> None:
    # every rule of every bundled ruleset on the example county: zh and en state the same numbers
    from pathlib import Path

    from junheng.cli.render.explain import explain_county, explain_criterion
    from junheng.engine.county import evaluate_county
    from junheng.engine.evaluate import evaluate_sections
    from junheng.examples import example_path
    from junheng.policy.county_facts import read_county_facts
    from junheng.policy.readers import read_facts
    from junheng.policy.registry import load_ruleset

    def said(text: str, lang: str, titles: list[Localized]) -> Counter[Fraction]:
        for t in sorted(titles, key=lambda t: -len(t.get(lang))):  # titles are the ruleset's data, not ours
            text = text.replace(t.get(lang), "")
        return _numbers(text)

    batch = read_facts(Path(example_path("demo_county.csv")))
    for rid in ("national/quality-2017", "guangxi/school-b", "guizhou/conditions-2014", "anhui/school-2018",
                "national/basic-2012"):
        for s in evaluate_sections(load_ruleset(rid).ruleset, batch.sections):
            for r in s.results:
                titles = [r.title, *(m.title for m in r.members)]
                assert said(explain_rule(r, "zh"), "zh", titles) == said(explain_rule(r, "en"), "en", titles), (
                    rid, r.rule_id)
    run = evaluate_county(load_ruleset("national/quality-2017"), batch,
                          read_county_facts(example_path("demo_county_facts.yaml")))
    titles = [c.title for c in run.criteria] + [i.title for lv in run.levels for i in lv.indicators]
    for c in run.criteria:
        assert said(explain_criterion(c, run, "zh"), "zh", titles) == said(
            explain_criterion(c, run, "en"), "en", titles), c.criterion_id
    assert said(explain_county(run, "zh"), "zh", titles) == said(explain_county(run, "en"), "en", titles)


@given(st.integers(-10**12, 10**12), st.integers(1, 10**6), st.integers(0, 6))
def test_fixed_is_the_decimal_rounded_half_up(num: int, den: int, places: int) -> None:
    """``fixed`` builds its digits from integers; they are the text of the Decimal rounded half up
    (−0.004 → '0.00', 0.125 → '0.13', 7/3 → '2.333', 5/2 at 0 places → '3')."""
    value = Fraction(num, den)
    assert n.fixed(value, places) == f"{to_decimal(value, places):.{places}f}"


def test_fixed_by_hand() -> None:
    assert n.fixed(Fraction(7, 5), 2) == "1.40"  # 1.4 with its zeros kept
    assert n.fixed(Fraction(1, 8), 2) == "0.13"  # 0.125 half up
    assert n.fixed(Fraction(-1, 8), 2) == "-0.13"  # halves away from zero
    assert n.fixed(Fraction(-1, 1000), 2) == "0.00"  # −0.001 rounds to zero: no sign
    assert n.fixed(Fraction(5, 2), 0) == "3"
    assert n.fixed(Fraction(2718), 1) == "2718.0"

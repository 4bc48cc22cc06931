"""The words of ``junheng check``: invariant titles and findings (:mod:`junheng.engine.check`
records them as codes and data; the sentences are the ``check*`` entries of
:mod:`junheng.cli.render.templates`)."""

from __future__ import annotations

from fractions import Fraction

from junheng.cli.render.numbers import trimmed
from junheng.cli.render.templates import SEP, template
from junheng.cli.render.words import level_name, outcome_word
from junheng.engine.check import Expectation, Finding, InvariantResult
from junheng.engine.results import Outcome

PLACES = 6
"""Decimals of a number in a finding (as many as the counter-example table shows)."""


def _number(value: Fraction | None) -> str:
    return "—" if value is None else trimmed(value, PLACES)


def _outcome(outcome: Outcome | None, lang: str) -> str:
    return template("check", "no_result").get(lang) if outcome is None else outcome_word(outcome, lang)


def finding(f: Finding, lang: str) -> str:
    """One finding (a problem or a counter-example's reason) as a sentence."""
    added = SEP.get(lang).join(template("check", "added").fill(lang, fact=fact, value=_number(amount))
                               for fact, amount in f.added)
    return template("check", f.code.value).fill(
        lang, rule=f.rule, name=f.name, school=f.school, fact=f.fact, school_type=f.school_type,
        level=level_name(f.level, lang) if f.level is not None else "",
        value=_number(f.value), other=_number(f.other), required=_number(f.required),
        before=_outcome(f.before, lang), after=_outcome(f.after, lang), added=added, count=str(f.count),
        error=f.error, detail=f.detail)


def invariant_title(result: InvariantResult, expect: Expectation | None, lang: str) -> str:
    if result.name == "update_intent" and expect is not None:
        return template("check_invariant", "update_intent_expect").fill(
            lang, expect=template("check_expect", expect).get(lang))
    return template("check_invariant", result.name).get(lang)


def word(key: str, lang: str, **values: object) -> str:
    """A word of the report (header, pass/fail, summary)."""
    return template("check_report", key).fill(lang, **{k: str(v) for k, v in values.items()})

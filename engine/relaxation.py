"""Relaxations (例外) as typed records.

A threshold judged on a relaxed requirement (the 2019 规程's transitional values, see
:class:`junheng.policy.model.Relaxation`) records which relaxation applied and why — each
condition with the school's value — so every renderer can say it (cli/render names the
relaxation and cites its own document). No words here.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from junheng.engine.measure import Measurement
from junheng.engine.results import ConditionCheck, RelaxationRecord
from junheng.policy.model import Relaxation


def checks(relaxation: Relaxation, values: Mapping[str, Fraction]) -> tuple[ConditionCheck, ...]:
    out = []
    for c in (*relaxation.when_any, *relaxation.when_all):
        actual = values.get(c.fact)
        out.append(ConditionCheck(fact=c.fact, op=c.op.value, value=c.value, actual=actual,
                                  holds=None if actual is None else c.op.holds(actual, c.value)))
    return tuple(out)


def relaxation_record(m: Measurement, values: Mapping[str, Fraction],
                      required_without: Fraction | None) -> RelaxationRecord | None:
    relaxation = m.relaxation or m.relaxation_pending
    if relaxation is None:
        return None
    return RelaxationRecord(
        id=relaxation.id, title=relaxation.title, applied=m.relaxation is not None,
        required=m.required if m.relaxation is not None else None, required_without=required_without,
        conditions=checks(relaxation, values), text=relaxation.text, article=relaxation.article,
        source=relaxation.source, status=relaxation.status)

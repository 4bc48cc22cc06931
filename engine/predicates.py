"""From a ruleset to the predicates the inference engine decides (规则 → 推理引擎条件).

Each threshold rule becomes one atom ``r<i> <op> 0`` on the integer numerator of the exact
margin ``actual − required``; a count gate becomes a formula in disjunctive normal form over
its members' atoms ("all met", or "all but k met and those k at least the floor").

Why numerators: durable_rules compares IEEE doubles, which cannot decide 9/1000×100 ≥ 0.9
(0.8999999999999999). The margin is computed exactly as a Fraction; its numerator has the
margin's sign (the denominator is positive), so the engine's comparison with 0 is exact. The
backend replaces numerators beyond 2**53 by their sign.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from junheng.engine.measure import Measurement, margin
from junheng.engine.verdicts import Atom, Clause, Verdict, atom_holds
from junheng.policy.model import CountGateRule, Ruleset, ThresholdRule


def atom_key(index: int) -> str:
    return f"r{index}"


def floor_key(index: int) -> str:
    return f"r{index}_floor"


def threshold_atom(rule: ThresholdRule, index: int) -> Atom:
    return Atom(atom_key(index), rule.op.value)


def floor_atom(rule: ThresholdRule, index: int) -> Atom:
    # "not below 85% of the requirement" is never strict, whatever the rule's own comparison.
    return Atom(floor_key(index), ">=" if rule.op.is_lower_bound else "<=")


def gate_verdict(gate: CountGateRule, members: list[tuple[int, ThresholdRule]]) -> Verdict:
    """At least ``min_met`` members met and every other member at least the floor."""
    clauses: list[Clause] = []
    allowed_misses = len(members) - gate.min_met
    for misses in range(allowed_misses + 1):
        for missed in combinations(range(len(members)), misses):
            atoms = []
            for position, (index, rule) in enumerate(members):
                if position in missed:
                    atoms.append(floor_atom(rule, index))
                else:
                    atoms.append(threshold_atom(rule, index))
            clauses.append(tuple(atoms))
    return tuple(clauses)


@dataclass(frozen=True)
class CompiledPredicates:
    verdicts: dict[str, Verdict]
    rule_index: dict[str, int]


_COMPILED: dict[str, CompiledPredicates] = {}


def _compile(ruleset: Ruleset) -> CompiledPredicates:
    verdicts: dict[str, Verdict] = {}
    index = {rule.id: i for i, rule in enumerate(ruleset.rules)}
    for i, rule in enumerate(ruleset.rules):
        if isinstance(rule, ThresholdRule):
            verdicts[rule.id] = ((threshold_atom(rule, i),),)
        elif isinstance(rule, CountGateRule):
            members = [(index[m], ruleset.rule(m)) for m in rule.rules]
            verdicts[rule.id] = gate_verdict(rule, members)  # type: ignore[arg-type]
    return CompiledPredicates(verdicts, index)


def compile_predicates(ruleset: Ruleset) -> CompiledPredicates:
    """Verdicts for every rule of the ruleset (cached by the ruleset's content)."""
    key = ruleset.model_dump_json()
    if key not in _COMPILED:
        _COMPILED[key] = _compile(ruleset)
    return _COMPILED[key]


def _sign_value(value: Fraction) -> int:
    return value.numerator  # same sign as the fraction: denominators are positive


def engine_fact(compiled: CompiledPredicates, ruleset: Ruleset,
                measurements: Mapping[str, Measurement],
                floors: Mapping[str, Fraction]) -> dict[str, int]:
    """The integer facts one school section gives the engine. Undecidable rules are left out
    (an absent atom never holds)."""
    fact: dict[str, int] = {}
    for rule_id, m in measurements.items():
        i = compiled.rule_index[rule_id]
        rule = ruleset.rules[i]
        assert isinstance(rule, ThresholdRule)
        add_margins(fact, rule, m, atom_key(i), floor_key(i) if rule_id in floors else None, floors.get(rule_id))
    return fact


def add_margins(fact: dict[str, int], rule: ThresholdRule, m: Measurement, key: str, floor_at: str | None,
                floor: Fraction | None) -> None:
    """The integer facts of one measured rule (none when it is undecidable): the sign of its margin
    under ``key``, and of the margin to the gate floor under ``floor_at`` for a gate member."""
    if not m.decidable:
        return
    if m.unbounded:  # actual is +infinity: above every lower bound, beyond every upper bound
        fact[key] = 1
        if floor_at is not None:
            fact[floor_at] = 1
        return
    fact[key] = _sign_value(margin(rule, m))
    if floor_at is not None:
        assert floor is not None
        fact[floor_at] = _sign_value(margin(rule, m, floor))


def could_hold(verdict: Verdict, fact: Mapping[str, int]) -> bool:
    """Whether the verdict could still hold if every absent (unknown) atom held."""
    return any(
        all(atom.key not in fact or atom_holds(atom, fact) for atom in clause)
        for clause in verdict
    )

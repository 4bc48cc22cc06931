"""Verdicts as the inference engine sees them, and their plain-Python semantics.

A verdict is a boolean formula in disjunctive normal form over atoms ``fact[key] <op> 0``: it holds
when ANY of its clauses holds, and a clause holds when ALL of its atoms hold; an atom whose key is
absent from a fact does not hold. :mod:`junheng.engine.durable_backend` decides verdicts in
durable_rules; :func:`evaluate_directly` decides the same in Python (``engine="direct"``, and the
reference of the differential tests). This module does not import durable_rules, so the direct
engine runs without it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["Atom", "Clause", "Op", "Verdict", "atom_holds", "evaluate_directly", "holds_directly"]

Op = Literal[">=", ">", "<=", "<", "==", "!="]


@dataclass(frozen=True)
class Atom:
    """One predicate the engine decides: fact[key] <op> 0. key is an ASCII identifier like 'r3'
    or 'r3_floor'."""

    key: str
    op: Op


Clause = tuple[Atom, ...]
Verdict = tuple[Clause, ...]

_COMPARE_WITH_ZERO: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
    "==": operator.eq, "!=": operator.ne,
}


def atom_holds(atom: Atom, fact: Mapping[str, int]) -> bool:
    """Whether ``fact[atom.key] <op> 0``; an absent key never holds."""
    if atom.key not in fact:
        return False
    compare = _COMPARE_WITH_ZERO.get(atom.op)
    if compare is None:
        raise ValueError(f"unknown operator {atom.op!r}")
    return compare(fact[atom.key], 0)


def holds_directly(verdict: Verdict, fact: Mapping[str, int]) -> bool:
    """Plain-Python truth of a verdict; an absent key never holds."""
    return any(all(atom_holds(atom, fact) for atom in clause) for clause in verdict)


def evaluate_directly(verdicts: Mapping[str, Verdict], facts: list[dict[str, int]]) -> list[frozenset[str]]:
    """For each fact, the names of the verdicts that hold: the semantics of
    :func:`junheng.engine.durable_backend.evaluate`, in plain Python."""
    return [frozenset(name for name, verdict in verdicts.items() if holds_directly(verdict, fact)) for fact in facts]

"""The only module of junheng that touches durable_rules (2.0.28): a guarded adapter.

The engine hands this module verdicts in disjunctive normal form over atoms ``fact[key] <op> 0``
and gets back, per fact, the names of the verdicts that held *in the durable_rules engine*.
``evaluate_directly`` decides the same thing in plain Python for the differential test.

What probing durable_rules 2.0.28 showed (CPython 3.11, x86-64; the regression tests are in
``tests/engine/test_durable_backend.py``):

Numbers -- durable's own C JSON parser, value ``x`` in ``{"sid": "s", "x": <raw>}``:
  * plain ints of any length are accepted and compared with 0 correctly, even 10**40 and
    -(10**40); ints beyond 2**53 are not rounded to doubles (9007199254740993 != 2**53).
  * ``0.0``, ``-0.0`` (== 0, >= 0, not > 0), ``1.5``, ``1.5e-3``, ``1.0e3``, ``2.5e2`` and
    ``1.7976931348623157e+308`` are accepted.
  * exponent notation *without* a fraction is rejected with error 204 (ERR_PARSE_OBJECT):
    ``1e3``, ``1E2``, ``1e+3``, ``1e300``, ``1e-300`` -- and Python's ``json.dumps(1e300)`` is
    ``1e+300``, so floats from Python can fail to parse.
  * ``Infinity``/``-Infinity`` (what json.dumps writes for inf) -> error 202/204; ``+1``,
    ``.5``, ``0x10`` -> 202/204. ``NaN`` and ``00`` are accepted (result "handled") but then
    *no rule fires at all*, not even one on another property: a silent wrong answer.
  * a Python ``True`` is serialised as JSON ``true``, which is ``!= 0`` and not ``== 0``:
    bools are converted to int first.
  => We only ever send Python ints: |v| <= 2**53 as-is, larger ones as their sign (-1/1), which
     preserves every comparison with 0 exactly and keeps the engine inside exact double range.

Engine behaviour:
  * ``post`` (event) fires only the first matching rule; ``assert_fact`` fires every one.
  * a fact matching no rule raises MessageNotHandledException (also when the attribute is
    missing or null): each durable ruleset gets a catch-all rule on the always-present ``_i``.
  * ``$neq`` on a missing attribute does not hold (no ``$ex`` guard needed).
  * ``$and`` and ``$or`` work inside a JSON condition, but ``$or`` is expanded into separate
    rules: when both branches hold the action fires twice. We compile one durable rule per DNF
    clause (the same effect, explicit).
  * an exception raised in an action is swallowed into ``state['exception']``.
  * 1,024 live sids per ruleset: the 1,025th raises MemoryError. We use one fixed sid and
    ``delete_state`` after every batch.
  * asserting an identical fact twice in one sid raises MessageObservedException: every fact
    carries its unique index ``_i``.
  * fact identity is a 32-bit hash (src/rules/state.c ``storeMessage``: the message store is
    keyed by ``fnv1Hash32(mid)`` and a second message with the same hash is "observed"). Without
    an ``id`` property, ``mid`` is ``calculateId``'s 64-bit FNV-1a of the content, printed as
    ``$%020llu`` and cut to its first 20 characters; so two *different* facts collide with odds
    ~n**2/2**33 per batch of n (500: ~3e-5 per batch, ~1% per 200k-section run; 10,000: ~1% per
    batch). Seen in a national run; regression pair ``_i`` 3,848 and 116,270 (both ``k0`` 0).
    Guard: every fact carries an explicit ``id`` (then ``mid`` is the id's text): its position
    in the batch, 0..n-1, whose FNV-1a-32 hashes are pairwise distinct below _ID_LIMIT.
    Checked: 200,000 synthetic national/quality-2017 sections, batches of 500 and of 10,000: no
    MessageObservedException, 0 differences from ``evaluate_directly`` (2026-12-07).
  * after any error from ``assert_facts`` (MessageObservedException included) a ``delete_state``
    on that sid segfaulted the process. Guard: never call ``delete_state`` after a failed assert;
    the chunk is re-registered under a fresh name (the old state is abandoned, never touched)
    and the compiled ruleset stays usable.
  * every registered ruleset stays in memory (~0.3 MB for 30 verdicts: 3,000 distinct rulesets took
    940 MB); ``durable_rules_engine.delete_ruleset`` frees it (3,000 compiled and deleted: flat at
    17 MB). Guard: at most _MAX_CACHED compiled rulesets; the least recently used is deleted
    (never one whose state failed: that one is only abandoned) and re-registered if used again.
  * lost actions: with rule actions dropped (simulated) 5 of 8 sections came out wrong while a
    catch-all-only check passed. Guard: after each batch the actions durable fired must equal,
    per fact, the catch-all plus one action per true clause (``_check_batch``).
  * error 303 (ERR_MAX_STACK_SIZE) is raised when more than 64 *distinct* conditions hold for
    one fact (65 distinct keys all true); 70 rules sharing one condition are fine. A later
    ``delete_state`` after a 303 segfaulted the process. Conjunctions do not add to the count:
    60 rules, each an ``$and`` of 7 conditions drawn from 65 distinct keys, all true for one
    fact, raise no 303 (``assert_fact`` and ``assert_facts``, 2026-12-07). Guard: at most
    _MAX_ATOMS_PER_CHUNK *distinct* atoms and _MAX_RULES_PER_CHUNK rules per durable ruleset
    (until 2026-12-07 the clauses' total length was bounded instead, which split a 7-member
    count gate over two rulesets and cost every fact a second assert: 0.40 → 0.31 CPU s per
    10k national sections in one).
  * more than 253 properties in one fact (sid included) -> error 302 (the doc said 255).
    Guard: each chunk gets only its own keys, and a chunk has at most 60 keys.
  * registering a ruleset of 512 rules takes 0.01 s; 513 rules hangs forever. Chunks stay far
    below that (<= 60 rules).
  * ``assert_facts`` with many sids runs the actions of one sid only; the others are queued
    for the Host's background dispatch thread (this is why ``post_batch`` "fired far fewer
    actions"). A batch of facts in one sid fires every action synchronously.
  * each Host starts two ``threading.Timer`` chains that call into the C engine forever
    (``start_action``/``assert_timers``), racing with our calls; we never use timers, so our
    single process-global Host subclass disables them.
  * fork (``junheng evaluate --jobs N`` forks its workers): a child inherits the parent's Host,
    its registered rulesets and the module lock as they are at the fork. Probing: a child using
    the inherited Host decides correctly, but a fork while another thread holds the lock (is
    inside the C engine) leaves the child's copy of the lock held forever: its first evaluate
    hangs. Guard (``os.register_at_fork``): the lock is taken around every fork, so no call is
    half-done in the C engine when the child is made, and the child starts with a fresh lock, a
    fresh Host and an empty cache; a handle compiled before the fork is registered again in the
    child's Host on its first use (as an evicted one is). Regression tests:
    ``tests/engine/test_durable_fork.py``.

Speed (facts/s, one ``evaluate`` call, 5,000 facts, 30 single-atom verdicts of which ~16 hold
per fact, so ~17 actions per fact with the catch-all; noisy shared machine, two runs):
  * method "host" (``Host.assert_fact(s)``, durable runs a Python action per match):
    one fact per assert + delete_state: 970-1,960; batches of 500 in one sid: 1,750-2,180.
  * method "direct" (default; same assert_facts, pending actions drained with the C calls that
    ``Ruleset.do_actions`` uses, no Python Closure/update_state per action): one fact per
    assert: 6,000-10,900; batches of 500 in one sid: 8,200-13,900 -- both correct (equal to
    ``evaluate_directly``); the batched direct method is used.
  * direct, 1 verdict, 100,000 facts: ~72,000-118,000; 300 single-atom verdicts (5 rulesets,
    ~146 hold per fact): ~930-1,170.
Cost is dominated by the number of fired actions (one per true clause, plus the catch-all).

Python versions (3.11, 3.12, 3.13):
  * 2.0.28's C extension calls ``PyEval_CallObject``, removed in CPython 3.13 (import fails with
    ``undefined symbol``). On 3.13 junheng installs durable_rules 2.0.28 built from the PyPI sdist
    with the upstream fix (``PyObject_CallObject``, jruizgit/rules PR #403, never released):
    ``packaging/durable-rules``. The engine and its guards are the same on every version.
  * ``durable.engine._unix_now`` calls ``datetime.utcfromtimestamp``, deprecated since 3.12: one
    DeprecationWarning per rule action (tens of thousands in the test suite). Guard: on import this
    module replaces it with the same arithmetic (local wall clock minus 1970-01-01, naive) without
    the deprecated call -- a fix at the boundary, not a global warnings filter.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import durable.engine as _durable_engine
import durable_rules_engine as _dre  # type: ignore[import-not-found]  # C ext of durable_rules
from durable.engine import Host as _Host
from durable.engine import MessageNotHandledException, MessageObservedException

from junheng.engine.verdicts import Atom, Clause, Op, Verdict, evaluate_directly

__all__ = [
    "Atom",
    "Clause",
    "CompiledRuleset",
    "EngineError",
    "Op",
    "Verdict",
    "compile_verdicts",
    "evaluate",
    "evaluate_directly",
]

_NAIVE_EPOCH = _dt.datetime(1970, 1, 1)


def _unix_now() -> float:
    """durable's clock (``durable.engine._unix_now``) without ``datetime.utcfromtimestamp``, which
    is deprecated since Python 3.12: ``utcfromtimestamp(0)`` is the naive 1970-01-01."""
    return (_dt.datetime.now() - _NAIVE_EPOCH).total_seconds()


_durable_engine._unix_now = _unix_now  # probing: one DeprecationWarning per action otherwise


class EngineError(RuntimeError):
    """durable_rules misbehaved (C error code, swallowed action exception, lost actions...)."""


# --------------------------------------------------------------------------------------------
# Limits (each one found by probing; see the module docstring and the regression tests)
# --------------------------------------------------------------------------------------------

# Probing: values are compared as doubles; ints beyond 2**53 are passed as their sign.
_EXACT_LIMIT = 2**53
# Probing: >64 distinct true conditions per fact -> error 303, then delete_state segfaults.
# Distinct atoms per chunk bound the distinct alpha nodes; +1 for the catch-all; margin kept.
_MAX_ATOMS_PER_CHUNK = 60
# Probing: >253 properties per fact -> error 302. 60 keys + sid + _i is far below.
_MAX_KEYS_PER_CHUNK = 60
# Probing: 513 rules in one ruleset hangs at registration. Rules <= atoms <= 60 anyway.
_MAX_RULES_PER_CHUNK = 60
# Facts per assert_facts call (one fixed sid, deleted after each batch).
_BATCH = 500
# Probing (fact identity is fnv1Hash32 of the id's text): the decimal texts of 0..99,999 have
# pairwise distinct FNV-1a-32 hashes (0..999,999 do not: 4 pairs collide). A batch's ids are
# 0..n-1, so a batch may hold at most this many facts.
_ID_LIMIT = 100_000
_ID = "id"
_SID = "0"
_INDEX = "_i"  # always-present fact property: fact index, catch-all rule condition
# One pending action as durable returns it: {"<rule>":{"m":{"sid": "0", "_i": <n>, ...}}}
_ACTION_RE = re.compile(r'\{"(r\d+|all)":\{"m":\{"sid": "0", "_i": (\d+)[,}]')

_OPS: dict[str, str] = {">=": "$gte", ">": "$gt", "<=": "$lte", "<": "$lt", "!=": "$neq"}


class _QuietHost(_Host):  # type: ignore[misc]
    """A durable Host without the two background timer threads.

    Probing: ``Host.__init__`` starts two ``threading.Timer`` chains that call
    ``start_action``/``assert_timers`` on every ruleset forever; durable_rules is not
    thread-safe (concurrent calls segfault) and we use no timers, so they are not started.
    """

    def _run(self) -> None:
        return None


# Probing: every Host leaks its threads and handles, and names can never be re-registered:
# one process-global Host, unique ruleset names from a counter, every call under one lock.
_LOCK = threading.Lock()
_HOST: _QuietHost | None = None
_NAME_COUNTER = 0
_CACHE: OrderedDict[frozenset[tuple[str, Verdict]], CompiledRuleset] = OrderedDict()
# Probing: a registered ruleset is never freed until delete_ruleset; the cache is bounded.
_MAX_CACHED = 16


def _host() -> _QuietHost:
    global _HOST
    if _HOST is None:
        _HOST = _QuietHost()
    return _HOST


def _after_fork_in_child() -> None:
    """A forked child's own durable state (see "fork" in the module notes): a fresh lock, no Host
    yet (made on first use), and every handle from the parent marked for registration again."""
    global _LOCK, _HOST
    _LOCK = threading.Lock()
    _HOST = None
    for compiled in _CACHE.values():
        compiled._evicted = True  # re-registered in this process's Host on first use
    _CACHE.clear()


def _before_fork() -> None:
    _LOCK.acquire()  # no evaluation half-done in the C engine when the child is made


def _after_fork_in_parent() -> None:
    _LOCK.release()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                        after_in_child=_after_fork_in_child)


@dataclass
class _Chunk:
    """One durable ruleset: a slice of the clauses, with only the keys they use."""

    name: str
    keys: dict[str, str]  # original key -> internal property name ('k0', 'k1', ...)
    rule_verdicts: list[str]  # rule index -> verdict name
    rule_index: dict[str, int]  # durable rule name -> rule index (-1: the catch-all)
    always: bool  # has an atom-less clause (holds for every fact)
    clauses: list[tuple[tuple[str, Op], ...]] = field(default_factory=list)  # rule -> (property, op)s
    sink: list[tuple[int, int]] = field(default_factory=list)  # (rule index, fact index)
    seen: list[int] = field(default_factory=list)  # fact indices hit by the catch-all rule


class CompiledRuleset:
    """Opaque handle returned by :func:`compile_verdicts`."""

    def __init__(self, names: tuple[str, ...], chunks: list[_Chunk], cache_key: frozenset[Any]) -> None:
        self._names = names
        self._chunks = chunks
        self._cache_key = cache_key
        self._broken: str | None = None
        self._evicted = False

    def __repr__(self) -> str:
        return f"<CompiledRuleset {len(self._names)} verdicts, {len(self._chunks)} rulesets>"


# --------------------------------------------------------------------------------------------
# Compilation
# --------------------------------------------------------------------------------------------


def _normalise(verdicts: Mapping[str, Sequence[Sequence[Atom]]]) -> dict[str, Verdict]:
    out: dict[str, Verdict] = {}
    for name, verdict in verdicts.items():
        if not isinstance(name, str):
            raise TypeError(f"verdict name must be str, got {name!r}")
        clauses: list[Clause] = []
        for clause in verdict:
            atoms: list[Atom] = []
            for atom in clause:
                if not isinstance(atom, Atom):
                    raise TypeError(f"verdict {name!r}: expected Atom, got {atom!r}")
                if atom.op not in (">=", ">", "<=", "<", "==", "!="):
                    raise ValueError(f"verdict {name!r}: unknown operator {atom.op!r}")
                if atom not in atoms:
                    atoms.append(atom)
            if tuple(atoms) not in clauses:
                clauses.append(tuple(atoms))
        out[name] = tuple(clauses)
    return out


def _condition(atom: Atom, prop: str) -> dict[str, Any]:
    if atom.op == "==":
        return {prop: 0}
    return {_OPS[atom.op]: {prop: 0}}


_ALWAYS = Atom(_INDEX, ">=")  # the condition of an atom-less clause and of the catch-all


def _plan_chunks(verdicts: dict[str, Verdict]) -> list[list[tuple[str, Clause]]]:
    """Greedy packing of (verdict, clause) pairs under the per-ruleset limits."""
    chunks: list[list[tuple[str, Clause]]] = []
    cur: list[tuple[str, Clause]] = []
    cur_keys: set[str] = set()
    cur_atoms: set[Atom] = set()  # distinct atoms (the catch-all's condition for an atom-less clause)
    for name, verdict in verdicts.items():
        for clause in verdict:
            keys = {a.key for a in clause}
            atoms = set(clause) or {_ALWAYS}
            if len(clause) > _MAX_ATOMS_PER_CHUNK:
                raise ValueError(
                    f"verdict {name!r}: a clause of {len(clause)} atoms exceeds the"
                    f" {_MAX_ATOMS_PER_CHUNK}-atom limit of one durable ruleset (error 303)"
                )
            if cur and (
                len(cur_atoms | atoms) > _MAX_ATOMS_PER_CHUNK
                or len(cur_keys | keys) > _MAX_KEYS_PER_CHUNK
                or len(cur) + 1 > _MAX_RULES_PER_CHUNK
            ):
                chunks.append(cur)
                cur, cur_keys, cur_atoms = [], set(), set()
            cur.append((name, clause))
            cur_keys |= keys
            cur_atoms |= atoms
    if cur:
        chunks.append(cur)
    return chunks


def _make_action(chunk: _Chunk, rule_index: int) -> Callable[[Any], None]:
    sink = chunk.sink

    # Probing: exceptions in actions are swallowed into state['exception']; keep it trivial.
    def action(c: Any) -> None:
        sink.append((rule_index, c.m._d[_INDEX]))

    return action


def _make_catch_all(chunk: _Chunk) -> Callable[[Any], None]:
    seen = chunk.seen

    def action(c: Any) -> None:
        seen.append(c.m._d[_INDEX])

    return action


def _definition(chunk: _Chunk) -> dict[str, Any]:
    definition: dict[str, Any] = {}
    for i, clause in enumerate(chunk.clauses):
        if not clause:  # empty conjunction: always true; decided in the engine on _i >= 0
            cond: dict[str, Any] = {"$gte": {_INDEX: 0}}
        elif len(clause) == 1:
            cond = _condition(Atom(clause[0][0], clause[0][1]), clause[0][0])
        else:
            cond = {"$and": [_condition(Atom(prop, op), prop) for prop, op in clause]}
        definition[f"r{i}"] = {"all": [{"m": cond}], "run": _make_action(chunk, i)}
    # Probing: an unmatched fact raises MessageNotHandledException -> catch-all rule.
    definition["all"] = {"all": [{"m": {"$gte": {_INDEX: 0}}}], "run": _make_catch_all(chunk)}
    return definition


def _register(host: Any, chunk: _Chunk) -> None:
    try:
        host.set_rulesets({chunk.name: _definition(chunk)})
    except Exception as e:
        raise EngineError(f"durable_rules rejected ruleset {chunk.name}: {e}") from e


def _rebuild(host: Any, chunk: _Chunk) -> None:
    """Probing: after a failed assert, ``delete_state`` on the sid segfaulted. The chunk's durable
    ruleset is abandoned as it is (never touched again) and the chunk re-registered under a
    fresh name (names can never be re-registered)."""
    global _NAME_COUNTER
    _NAME_COUNTER += 1
    chunk.name = f"junheng_{_NAME_COUNTER}"
    _register(host, chunk)


def compile_verdicts(verdicts: dict[str, Verdict]) -> CompiledRuleset:
    """Compile verdicts into durable rulesets (cached: identical dicts give the same handle)."""
    global _NAME_COUNTER
    norm = _normalise(verdicts)
    cache_key = frozenset(norm.items())
    with _LOCK:
        cached = _CACHE.get(cache_key)
        if cached is not None and cached._broken is None:
            _CACHE.move_to_end(cache_key)
            return cached
        host = _host()
        chunks: list[_Chunk] = []
        for plan in _plan_chunks(norm):
            _NAME_COUNTER += 1
            keys: dict[str, str] = {}
            for _, clause in plan:
                for atom in clause:
                    keys.setdefault(atom.key, f"k{len(keys)}")
            chunk = _Chunk(
                name=f"junheng_{_NAME_COUNTER}",  # probing: names can never be re-registered
                keys=keys,
                rule_verdicts=[name for name, _ in plan],
                always=any(not clause for _, clause in plan),
                rule_index={f"r{i}": i for i in range(len(plan))} | {"all": -1},
                clauses=[tuple((keys[a.key], a.op) for a in clause) for _, clause in plan],
            )
            _register(host, chunk)
            chunks.append(chunk)
        compiled = CompiledRuleset(tuple(norm), chunks, cache_key)
        _remember(host, compiled)
        return compiled


def _remember(host: Any, compiled: CompiledRuleset) -> None:
    """Cache ``compiled``; beyond _MAX_CACHED, delete the least recently used from durable."""
    _CACHE[compiled._cache_key] = compiled
    _CACHE.move_to_end(compiled._cache_key)
    while len(_CACHE) > _MAX_CACHED:
        _, old = _CACHE.popitem(last=False)
        old._evicted = True
        for chunk in old._chunks:
            _retire(host, chunk.name)


def _retire(host: Any, name: str) -> None:
    """Delete one durable ruleset (only ever one whose last batch completed cleanly)."""
    ruleset = host._ruleset_directory.pop(name, None)
    if ruleset is None:
        return
    host._ruleset_list.remove(ruleset)
    try:
        _dre.delete_ruleset(ruleset._handle)
    except Exception as e:
        raise EngineError(f"durable_rules ({name}) delete_ruleset failed: {_describe(e)}") from e


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


def _encode(value: int) -> int:
    if not isinstance(value, int):
        raise TypeError(f"fact values must be int, got {type(value).__name__}: {value!r}")
    value = int(value)  # bool -> int (probing: JSON true is not a number to durable)
    # Probing: comparisons are on doubles; beyond 2**53 only the sign is exact (and needed).
    if -_EXACT_LIMIT <= value <= _EXACT_LIMIT:
        return value
    return 1 if value > 0 else -1


def _describe(e: BaseException) -> str:
    return getattr(e, "message", None) or f"{type(e).__name__}: {e}"


# value <op> 0 as a bound method of the int 0 (v >= 0 is 0 <= v): no Python frame per test
_TESTS: dict[str, Callable[[int], bool]] = {
    ">=": (0).__le__, ">": (0).__lt__, "<=": (0).__ge__, "<": (0).__gt__, "==": (0).__eq__, "!=": (0).__ne__,
}


def _tests(chunk: _Chunk) -> tuple[list[tuple[str, Callable[[int], bool]]], list[tuple[int, frozenset[int]]]]:
    """The chunk's distinct atoms (property, test), and each rule's clause as the set of its atoms."""
    atoms: dict[tuple[str, str], int] = {}
    for clause in chunk.clauses:
        for atom in clause:
            atoms.setdefault(atom, len(atoms))
    return ([(prop, _TESTS[op]) for prop, op in atoms],
            [(rule, frozenset(atoms[a] for a in clause)) for rule, clause in enumerate(chunk.clauses)])


def _expected_actions(chunk: _Chunk, messages: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Every (rule, fact) action durable owes for ``messages``: one per true clause per fact."""
    atoms, clauses = _tests(chunk)
    out: list[tuple[int, int]] = []
    for m in messages:
        index = m[_INDEX]
        true = {i for i, (prop, test) in enumerate(atoms) if prop in m and test(m[prop])}
        out.extend((rule, index) for rule, atoms_of in clauses if atoms_of <= true)
    return out


def _check_batch(chunk: _Chunk, messages: list[dict[str, Any]], state: Any) -> None:
    # Probing: exceptions inside actions are swallowed into state['exception'].
    if isinstance(state, dict) and "exception" in state:
        raise EngineError(f"durable_rules action failed ({chunk.name}): {state['exception']}")
    # Guard against silently lost actions (post_batch was seen to fire far fewer than due):
    # the catch-all must have fired exactly once per fact...
    if len(chunk.seen) != len(messages) or set(chunk.seen) != {m[_INDEX] for m in messages}:
        raise EngineError(
            f"durable_rules ({chunk.name}) fired the catch-all {len(chunk.seen)} times for {len(messages)} facts"
        )
    # ...and every rule exactly once per fact its clause holds for (a dropped rule action would
    # otherwise read as a clause that did not hold: a wrong verdict, not an error).
    expected = _expected_actions(chunk, messages)
    if len(chunk.sink) != len(expected) or sorted(chunk.sink) != sorted(expected):
        raise EngineError(
            f"durable_rules ({chunk.name}) fired {len(chunk.sink)} rule actions for {len(messages)} facts;"
            f" {len(expected)} were due"
        )


def _delete_state(host: Any, chunk: _Chunk) -> None:
    try:
        # Probing: 1,024 live sids per ruleset -> MemoryError; never leave a state alive.
        host.delete_state(chunk.name, _SID)
    except Exception as e:
        raise _Broken(f"durable_rules ({chunk.name}) delete_state failed: {_describe(e)}") from e


def _run_batch_host(host: Any, chunk: _Chunk, messages: list[dict[str, Any]]) -> None:
    """Method "host": Host.assert_facts; durable runs our Python actions (Closure per action)."""
    chunk.sink.clear()
    chunk.seen.clear()
    try:
        # Probing: assert_facts in ONE sid fires every matching rule synchronously
        # (post fires only the first; several sids leave actions to the background thread).
        state = host.assert_facts(chunk.name, messages)
    except (MessageNotHandledException, MessageObservedException) as e:
        # Probing: delete_state after MessageObservedException segfaulted: rebuild, never delete.
        raise _Broken(f"durable_rules ({chunk.name}): {_describe(e)}") from e
    except Exception as e:
        # A C error (e.g. 303) may leave the state corrupt: probing saw delete_state segfault.
        raise _Broken(f"durable_rules ({chunk.name}) failed: {_describe(e)}") from e
    _delete_state(host, chunk)
    _check_batch(chunk, messages, state)


def _run_batch_direct(host: Any, chunk: _Chunk, messages: list[dict[str, Any]]) -> None:
    """Method "direct" (default, fastest): assert the batch into one sid, then drain the
    pending actions ourselves with the same C calls ``Ruleset.do_actions`` makes
    (start_action_for_state / complete_and_start_action), without a Python Closure, state
    round-trip (update_state) and callback per action. No Python action ever runs."""
    chunk.sink.clear()
    chunk.seen.clear()
    rules = host.get_ruleset(chunk.name)
    handle = rules._handle
    index = chunk.rule_index
    sink = chunk.sink
    seen = chunk.seen
    loads = json.loads
    match = _ACTION_RE.match
    try:
        state_handle = rules.assert_facts(messages)
    except (MessageNotHandledException, MessageObservedException) as e:
        # Probing: delete_state after MessageObservedException segfaulted: rebuild, never delete.
        raise _Broken(f"durable_rules ({chunk.name}): {_describe(e)}") from e
    except Exception as e:
        # A C error (e.g. 303) may leave the state corrupt: probing saw delete_state segfault.
        raise _Broken(f"durable_rules ({chunk.name}) failed: {_describe(e)}") from e
    state: Any = None
    try:
        first = _dre.start_action_for_state(handle, state_handle)
        if first:
            state = loads(first[0])
            pending: str | None = first[1]
            while pending:
                # Fast path: durable echoes the fact with our property order (sid, _i first);
                # anything unexpected goes through json.loads.
                hit = match(pending)
                if hit is not None:
                    pairs = [(hit[1], int(hit[2]))]
                else:
                    pairs = [(r, m["m"][_INDEX]) for r, m in loads(pending).items()]
                for rule_name, fact_index in pairs:
                    rule = index[rule_name]
                    if rule < 0:
                        seen.append(fact_index)
                    else:
                        sink.append((rule, fact_index))
                pending = _dre.complete_and_start_action(handle, state_handle)
    except Exception as e:
        raise _Broken(f"durable_rules ({chunk.name}) action drain failed: {_describe(e)}") from e
    _delete_state(host, chunk)
    _check_batch(chunk, messages, state)


_METHODS: dict[str, Callable[[Any, _Chunk, list[dict[str, Any]]], None]] = {
    "direct": _run_batch_direct,
    "host": _run_batch_host,
}
_METHOD = "direct"


class _Broken(EngineError):
    """durable_rules failed inside ``assert_facts`` or the action drain: its state for the chunk
    is not to be touched again (see :func:`_rebuild`)."""


def evaluate(compiled: CompiledRuleset, facts: list[dict[str, int]]) -> list[frozenset[str]]:
    """For each fact, the names of the verdicts that held, decided by durable_rules."""
    if not isinstance(compiled, CompiledRuleset):
        raise TypeError("evaluate() needs a CompiledRuleset from compile_verdicts()")
    results: list[set[str]] = [set() for _ in facts]
    with _LOCK:
        if compiled._broken is not None:
            raise EngineError(f"compiled ruleset unusable after an earlier error: {compiled._broken}")
        host = _host()
        if compiled._evicted:  # deleted from durable to bound memory: register it again
            for chunk in compiled._chunks:
                _rebuild(host, chunk)
            compiled._evicted = False
            _remember(host, compiled)
        run_batch = _METHODS[_METHOD]
        for chunk in compiled._chunks:
            items = tuple(chunk.keys.items())
            messages: list[dict[str, Any]] = []
            for i, fact in enumerate(facts):
                msg: dict[str, Any] = {"sid": _SID, _INDEX: i}
                for key, prop in items:
                    if key in fact:
                        value = fact[key]
                        # (_encode inlined for the common case: a plain int within exact range)
                        msg[prop] = (value if type(value) is int and -_EXACT_LIMIT <= value <= _EXACT_LIMIT
                                     else _encode(value))
                if len(msg) > 2 or chunk.always:  # a fact without any chunk key matches nothing
                    messages.append(msg)
            if _BATCH > _ID_LIMIT:
                raise EngineError(f"batch of {_BATCH} facts exceeds the {_ID_LIMIT} collision-free fact ids")
            for start in range(0, len(messages), _BATCH):
                batch = messages[start : start + _BATCH]
                for n, msg in enumerate(batch):
                    msg[_ID] = n  # probing: explicit identity, no 32-bit content-hash collision
                try:
                    run_batch(host, chunk, batch)
                except _Broken as e:
                    try:
                        _rebuild(host, chunk)
                    except EngineError as rebuild_error:
                        compiled._broken = f"{e}; then {rebuild_error}"
                        _CACHE.pop(compiled._cache_key, None)
                    raise EngineError(str(e)) from e.__cause__
                names = chunk.rule_verdicts
                for rule_index, fact_index in chunk.sink:
                    results[fact_index].add(names[rule_index])
            chunk.sink.clear()
            chunk.seen.clear()
    return [frozenset(r) for r in results]

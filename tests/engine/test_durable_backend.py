"""Tests of junheng.engine.durable_backend and regression tests of durable_rules 2.0.28 itself.

Part 1 pins what probing durable_rules showed (see /work/shared/spec/durable_rules.md and the
module docstring); anything that can crash or hang the interpreter runs in a subprocess.
Part 2 tests the adapter; part 3 is a hypothesis differential test against plain Python.
"""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
import textwrap
import threading
from typing import Any

import durable_rules_engine  # type: ignore[import-not-found]
import pytest
from durable.engine import Host, MessageNotHandledException, MessageObservedException, Ruleset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from junheng.engine import durable_backend as db
from junheng.engine.durable_backend import (
    Atom,
    CompiledRuleset,
    EngineError,
    Verdict,
    compile_verdicts,
    evaluate,
    evaluate_directly,
)

# ----------------------------------------------------------------------------------------------
# Part 1: durable_rules behaviour (regression tests of the probing)
# ----------------------------------------------------------------------------------------------

_names = itertools.count()


@pytest.fixture(scope="module")
def host() -> Any:
    # A Host without the background timer threads (they would race the calls below).
    return db._QuietHost()


def _register(host: Any, rules: dict[str, Any]) -> str:
    name = f"probe_{next(_names)}"
    host.set_rulesets({name: rules})
    return name


def _rule(cond: dict[str, Any], fired: list[Any], tag: Any) -> dict[str, Any]:
    return {"all": [{"m": cond}], "run": lambda c: fired.append(tag)}


def _run_py(code: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


_REAL_ASSERT = Ruleset.assert_facts

_PRELUDE = """
import sys
from durable.engine import Host
class H(Host):
    def _run(self): pass
h = H()
"""


def test_post_fires_only_the_first_matching_rule(host: Any) -> None:
    fired: list[str] = []
    name = _register(host, {"a": _rule({"$gt": {"x": 0}}, fired, "a"), "b": _rule({"$gt": {"x": 0}}, fired, "b")})
    host.post(name, {"sid": "s", "x": 1})
    host.delete_state(name, "s")
    assert fired == ["a"]


def test_assert_fact_fires_every_matching_rule(host: Any) -> None:
    fired: list[str] = []
    name = _register(host, {"a": _rule({"$gt": {"x": 0}}, fired, "a"), "b": _rule({"$gt": {"x": 0}}, fired, "b")})
    host.assert_fact(name, {"sid": "s", "x": 1})
    host.delete_state(name, "s")
    assert sorted(fired) == ["a", "b"]


@pytest.mark.parametrize("fact", [{"x": -1}, {"y": 1}, {"x": None}])
def test_unmatched_fact_raises_message_not_handled(host: Any, fact: dict[str, Any]) -> None:
    fired: list[str] = []
    name = _register(host, {"a": _rule({"$gt": {"x": 0}}, fired, "a")})
    with pytest.raises(MessageNotHandledException):
        host.assert_fact(name, {"sid": "s", **fact})
    assert fired == []


def test_action_exception_is_swallowed_into_state(host: Any) -> None:
    def boom(c: Any) -> None:
        raise ValueError("boom")

    name = _register(host, {"a": {"all": [{"m": {"$gt": {"x": 0}}}], "run": boom}})
    state = host.assert_fact(name, {"sid": "s", "x": 1})  # no exception reaches us
    host.delete_state(name, "s")
    assert "boom" in state["exception"]


def test_duplicate_fact_in_one_sid_raises_message_observed(host: Any) -> None:
    fired: list[str] = []
    name = _register(host, {"a": _rule({"$gt": {"x": 0}}, fired, "a")})
    host.assert_fact(name, {"sid": "s", "x": 1})
    with pytest.raises(MessageObservedException):
        host.assert_fact(name, {"sid": "s", "x": 1})
    host.delete_state(name, "s")
    host.assert_fact(name, {"sid": "s", "x": 1})  # fine again after delete_state
    host.delete_state(name, "s")
    assert fired == ["a", "a"]


def test_ruleset_name_cannot_be_registered_twice(host: Any) -> None:
    fired: list[str] = []
    name = _register(host, {"a": _rule({"$gt": {"x": 0}}, fired, "a")})
    with pytest.raises(Exception, match="already registered"):
        host.set_rulesets({name: {"a": _rule({"$gt": {"x": 0}}, fired, "a")}})


def test_host_starts_background_timer_threads_quiet_host_does_not() -> None:
    plain = Host()  # leaks two never-ending timer chains: done once, here only
    assert isinstance(plain._d_timer, threading.Timer)
    assert isinstance(plain._t_timer, threading.Timer)
    assert not hasattr(db._QuietHost(), "_d_timer")


def test_and_or_inside_a_condition(host: Any) -> None:
    fired: list[tuple[str, int]] = []
    both = [{"$gt": {"x": 0}}, {"$gt": {"y": 0}}]
    name = _register(
        host,
        {
            "or": {"all": [{"m": {"$or": both}}], "run": lambda c: fired.append(("or", c.m.i))},
            "and": {"all": [{"m": {"$and": both}}], "run": lambda c: fired.append(("and", c.m.i))},
        },
    )
    for i, (x, y) in enumerate([(1, 1), (1, -1), (-1, 1)]):
        host.assert_fact(name, {"sid": "s", "i": i, "x": x, "y": y})
        host.delete_state(name, "s")
    # $or is expanded into one rule per branch: with both branches true the action fires twice.
    assert sorted(fired) == [("and", 0), ("or", 0), ("or", 0), ("or", 1), ("or", 2)]


def test_neq_on_missing_attribute_does_not_hold(host: Any) -> None:
    fired: list[str] = []
    name = _register(
        host,
        {"neq": _rule({"$neq": {"x": 0}}, fired, "neq"), "all": _rule({"$gte": {"i": 0}}, fired, "*")},
    )
    host.assert_fact(name, {"sid": "s", "i": 0, "y": 1})
    host.delete_state(name, "s")
    assert fired == ["*"]


# raw JSON number -> (C result code or error code, rules fired among >0, ==0, <0)
_ENCODINGS: list[tuple[str, str]] = [
    ("0", "eq"),
    ("-0.0", "eq"),
    ("0.0", "eq"),
    ("1", "gt"),
    ("1.5e-3", "gt"),
    ("1.0e3", "gt"),
    ("1.7976931348623157e+308", "gt"),
    ("9007199254740993", "gt"),
    ("18446744073709551617", "gt"),
    ("10000000000000000000000000000000000000000", "gt"),
    ("-10000000000000000000000000000000000000000", "lt"),
    ("1e300", "error 204"),
    ("1e+300", "error 204"),  # what json.dumps(1e300) writes
    ("1e3", "error 204"),
    ("1E2", "error 204"),
    ("1e-300", "error 204"),
    ("Infinity", "error 202"),
    ("-Infinity", "error 204"),
    ("NaN", "nothing fired"),  # even the rule on the other property "i"
    ("+1", "error 202"),
    (".5", "error 202"),
    ("00", "nothing fired"),  # likewise
]


@pytest.mark.parametrize(("raw", "expected"), _ENCODINGS)
def test_number_encodings_of_durable_json_parser(host: Any, raw: str, expected: str) -> None:
    fired: list[str] = []
    name = _register(
        host,
        {
            "gt": _rule({"$gt": {"x": 0}}, fired, "gt"),
            "eq": _rule({"x": 0}, fired, "eq"),
            "lt": _rule({"$lt": {"x": 0}}, fired, "lt"),
            "any": _rule({"$gte": {"i": 0}}, fired, "any"),
        },
    )
    rules = host.get_ruleset(name)
    try:
        code, state = durable_rules_engine.assert_fact(rules._handle, '{"sid":"s","i":0,"x":' + raw + "}")
    except durable_rules_engine.error as e:
        got = f"error {str(e).rsplit(' ', 1)[-1]}"
    else:
        if code == 1:
            got = "not handled"
        else:
            rules.do_actions(state, lambda e, s: None)
            fired.remove("any") if "any" in fired else None
            got = "+".join(sorted(fired)) or "nothing fired"
        host.delete_state(name, "s")
    assert got == expected


def test_ints_are_compared_exactly_up_to_int64(host: Any) -> None:
    fired: list[str] = []
    name = _register(host, {"eq": _rule({"x": 2**53}, fired, "eq")})
    for v in (2**53, 2**53 + 1):
        try:
            host.assert_fact(name, {"sid": "s", "x": v})
        except MessageNotHandledException:
            fired.append(f"none for {v}")
        host.delete_state(name, "s")
    assert fired == ["eq", f"none for {2**53 + 1}"]


def test_64_distinct_true_conditions_work_and_many_rules_on_one_condition(host: Any) -> None:
    fired: list[int] = []
    distinct = _register(host, {f"r{k}": _rule({"$gt": {f"k{k}": 0}}, fired, k) for k in range(64)})
    host.assert_fact(distinct, {"sid": "s", **{f"k{k}": 1 for k in range(64)}})
    host.delete_state(distinct, "s")
    assert len(fired) == 64
    fired.clear()
    shared = _register(host, {f"r{k}": _rule({"$gt": {"x": 0}}, fired, k) for k in range(70)})
    host.assert_fact(shared, {"sid": "s", "x": 1})
    host.delete_state(shared, "s")
    assert len(fired) == 70  # the "64 matching rules" limit is about distinct conditions


def test_65_distinct_true_conditions_raise_303_in_subprocess() -> None:
    # Probing: then delete_state segfaults; the subprocess shows the error code only.
    proc = _run_py(
        _PRELUDE
        + """
h.set_rulesets({'d': {f'r{k}': {'all': [{'m': {'$gt': {f'k{k}': 0}}}], 'run': lambda c: None}
                      for k in range(65)}})
try:
    h.assert_fact('d', {'sid': 's', **{f'k{k}': 1 for k in range(65)}})
    print('no error')
except Exception as e:
    print(e)
"""
    )
    assert "error code: 303" in proc.stdout, proc.stderr


def test_more_than_253_properties_raise_302(host: Any) -> None:
    fired: list[str] = []
    name = _register(host, {"a": _rule({"$gt": {"x": 0}}, fired, "a")})
    ok = {"sid": "s", "x": 1, **{f"p{k}": k for k in range(251)}}  # 253 properties
    host.assert_fact(name, ok)
    host.delete_state(name, "s")
    with pytest.raises(durable_rules_engine.error, match="302"):
        host.assert_fact(name, {**ok, "p251": 0})  # 254 properties
    assert fired == ["a"]


def test_1024_live_sids_then_memory_error_in_subprocess() -> None:
    proc = _run_py(
        _PRELUDE
        + """
h.set_rulesets({'n': {'a': {'all': [{'m': {'$gte': {'x': 0}}}], 'run': lambda c: None}}})
for i in range(1100):
    try:
        h.assert_fact('n', {'sid': str(i), 'x': 1})
    except MemoryError:
        print('MemoryError at', i)
        break
"""
    )
    assert "MemoryError at 1024" in proc.stdout, proc.stderr


def test_registration_of_512_rules_works_513_hangs_in_subprocess() -> None:
    code = (
        _PRELUDE
        + """
n = int(sys.argv[1])
h.set_rulesets({'n': {f'r{k}': {'all': [{'m': {'$gte': {'x': k}}}], 'run': lambda c: None}
                      for k in range(n)}})
print('registered')
"""
    )
    ok = subprocess.run([sys.executable, "-c", code, "512"], capture_output=True, text=True, timeout=30)
    assert "registered" in ok.stdout, ok.stderr
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run([sys.executable, "-c", code, "513"], capture_output=True, timeout=4)


def test_assert_facts_in_many_sids_runs_only_one_sids_actions(host: Any) -> None:
    # Why post_batch "fired far fewer actions": the other sids wait for the Host's
    # background dispatch thread (absent here); dispatch() picks them up one at a time.
    fired: list[int] = []
    name = _register(host, {"a": {"all": [{"m": {"$gt": {"x": 0}}}], "run": lambda c: fired.append(c.m.i)}})
    host.assert_facts(name, [{"sid": f"s{i}", "i": i, "x": 1} for i in range(5)])
    assert len(fired) == 1
    for _ in range(10):
        host.get_ruleset(name).dispatch()
    assert sorted(fired) == [0, 1, 2, 3, 4]
    for i in range(5):
        host.delete_state(name, f"s{i}")
    fired.clear()
    host.assert_facts(name, [{"sid": "one", "i": i, "x": 1} for i in range(5)])
    host.delete_state(name, "one")
    assert sorted(fired) == [0, 1, 2, 3, 4]  # one sid: all synchronous


def test_post_batch_in_one_sid_fires_first_rule_per_event(host: Any) -> None:
    fired: list[str] = []
    name = _register(host, {"a": _rule({"$gt": {"x": 0}}, fired, "a"), "b": _rule({"$gt": {"x": 0}}, fired, "b")})
    host.post_batch(name, [{"sid": "s", "i": i, "x": 1} for i in range(5)])
    host.delete_state(name, "s")
    assert fired == ["a"] * 5


# ----------------------------------------------------------------------------------------------
# Part 2: the adapter
# ----------------------------------------------------------------------------------------------

OPS = (">=", ">", "<=", "<", "==", "!=")


def v(*clauses: tuple[tuple[str, str], ...]) -> Verdict:
    return tuple(tuple(Atom(k, o) for k, o in clause) for clause in clauses)  # type: ignore[arg-type]


def _check(verdicts: dict[str, Verdict], facts: list[dict[str, int]]) -> list[frozenset[str]]:
    got = evaluate(compile_verdicts(verdicts), facts)
    assert got == evaluate_directly(verdicts, facts)
    return got


def test_zero_boundaries() -> None:
    verdicts = {op: v((("x", op),)) for op in OPS}
    got = _check(verdicts, [{"x": -1}, {"x": 0}, {"x": 1}])
    assert got[0] == {"<=", "<", "!="}
    assert got[1] == {">=", "<=", "=="}  # 0 >= 0 holds, 0 > 0 does not
    assert got[2] == {">=", ">", "!="}


@pytest.mark.parametrize("value", [10**40, -(10**40), 2**53, 2**53 + 1, -(2**53), -(2**53) - 1, 2**64, 10**400])
def test_huge_ints(value: int) -> None:
    verdicts = {op: v((("x", op),)) for op in OPS}
    _check(verdicts, [{"x": value}])


def test_encode_passes_sign_beyond_2_53() -> None:
    assert db._encode(2**53) == 2**53
    assert db._encode(-(2**53)) == -(2**53)
    assert db._encode(2**53 + 1) == 1
    assert db._encode(-(10**40)) == -1
    assert db._encode(True) == 1 and type(db._encode(True)) is int
    with pytest.raises(TypeError):
        db._encode(1.5)  # type: ignore[arg-type]


def test_absent_keys_do_not_hold() -> None:
    verdicts = {op: v((("x", op),)) for op in OPS} | {"y": v((("y", ">="),))}
    assert _check(verdicts, [{}, {"y": 0}, {"z": 5}]) == [frozenset(), {"y"}, frozenset()]


def test_dnf_semantics() -> None:
    verdicts = {
        "a_and_b": v((("a", ">"), ("b", ">"))),
        "a_or_b": v(((("a", ">"),)), ((("b", ">"),))),  # type: ignore[arg-type]
        "(a&b)|c": v((("a", ">"), ("b", ">")), (("c", "=="),)),
        "never": (),
        "always": ((),),
    }
    facts = [{"a": 1, "b": 1}, {"a": 1, "b": 0}, {"a": 0, "b": 1, "c": 0}, {"a": 1}, {}]
    assert _check(verdicts, facts) == [
        {"a_and_b", "a_or_b", "(a&b)|c", "always"},
        {"a_or_b", "always"},
        {"a_or_b", "(a&b)|c", "always"},
        {"a_or_b", "always"},
        {"always"},
    ]


def test_arbitrary_verdict_names() -> None:
    verdicts = {"指标.3.达标": v((("r3", ">="),)), "a.b c\"'{}": v((("r3", "<"),)), "": v()}
    assert _check(verdicts, [{"r3": 0}, {"r3": -5}]) == [{"指标.3.达标"}, {"a.b c\"'{}"}]


def test_300_verdicts_over_300_keys() -> None:
    rng = random.Random(300)
    verdicts = {
        f"v{j}": v(
            ((f"k{j}", rng.choice(OPS)),),
            ((f"k{(j + 1) % 300}", rng.choice(OPS)), (f"k{(j + 7) % 300}", rng.choice(OPS))),
        )
        for j in range(300)
    }
    facts = [{f"k{j}": rng.choice([-(10**40), -1, 0, 1]) for j in range(300)} for _ in range(40)]
    facts.append({f"k{j}": 1 for j in range(300)})
    compiled = compile_verdicts(verdicts)
    assert len(compiled._chunks) > 1
    got = _check(verdicts, facts)
    assert sum(map(len, got)) > 0


def test_many_distinct_atoms_true_at_once_stay_under_error_303() -> None:
    verdicts = {f"v{j}": v(((f"k{j}", ">="),)) for j in range(200)}
    assert _check(verdicts, [{f"k{j}": 0 for j in range(200)}]) == [frozenset(verdicts)]


def test_conjunctions_over_65_distinct_true_conditions_raise_no_303_in_subprocess() -> None:
    # Probing: the 303 limit counts distinct true conditions, not the clauses' total length: 60
    # rules of 7-condition $and over 65 distinct keys, all true, pass (so chunks are packed by
    # distinct atoms, and a 7-member count gate fits one durable ruleset).
    proc = _run_py(
        _PRELUDE
        + """
import random
rnd = random.Random(1)
keys = [f'k{k}' for k in range(65)]
rules = {f'r{j}': {'all': [{'m': {'$and': [{'$gt': {k: 0}} for k in (keys[j], *rnd.sample(keys, 6))]}}],
                   'run': lambda c: None} for j in range(60)}
rules['s'] = {'all': [{'m': {'$and': [{'$gt': {k: 0}} for k in keys[60:]]}}], 'run': lambda c: None}
h.set_rulesets({'c': rules})
try:
    h.assert_fact('c', {'sid': 's', **{k: 1 for k in keys}})
    h.assert_facts('c', [{'sid': 't', '_i': i, **{k: 1 for k in keys}} for i in range(3)])
    print('no error')
except Exception as e:
    print(e)
"""
    )
    assert "no error" in proc.stdout, (proc.stdout, proc.stderr)


def test_chunks_are_packed_by_distinct_atoms() -> None:
    # A 7-member count gate (8 clauses of 7 atoms over 14 distinct atoms) and its 7 thresholds:
    # 63 atoms in all, 14 distinct — one durable ruleset, decided as directly.
    thresholds = {f"t{i}": v(((f"r{i}", ">="),)) for i in range(7)}
    clauses = [tuple((f"r{i}", ">=") for i in range(7))]
    clauses += [tuple((f"r{i}_floor" if i == j else f"r{i}", ">=") for i in range(7)) for j in range(7)]
    verdicts = {**thresholds, "gate": v(*clauses)}
    compiled = compile_verdicts(verdicts)
    assert len(compiled._chunks) == 1
    facts = [{f"r{i}": (n >> i & 1) - 1 + (n % 3 == 0) for i in range(7)} | {f"r{i}_floor": 1 for i in range(7)}
             for n in range(300)]
    assert evaluate(compiled, facts) == evaluate_directly(verdicts, facts)
    # 31 rules on 31 keys, but 62 distinct atoms (each key with >= and <): two rulesets
    wide = {f"w{j}": v(((f"k{j}", ">="), (f"k{(j + 1) % 31}", "<"))) for j in range(31)}
    assert len(compile_verdicts(wide)._chunks) == 2


def test_oversized_clause_is_rejected() -> None:
    clause = tuple(Atom(f"k{j}", ">") for j in range(db._MAX_ATOMS_PER_CHUNK + 1))
    with pytest.raises(ValueError, match="303"):
        compile_verdicts({"big": (clause,)})


def test_100_000_facts_in_one_call() -> None:
    verdicts = {"pos": v((("x", ">"),)), "nonneg_y": v((("y", ">="),))}
    facts = [{"x": i % 3 - 1, "y": -(i % 2)} for i in range(100_000)]
    got = evaluate(compile_verdicts(verdicts), facts)
    assert got == evaluate_directly(verdicts, facts)


def test_3000_sequential_calls_never_exhaust_sids() -> None:
    compiled = compile_verdicts({"pos": v((("x", ">"),))})
    for i in range(3000):
        assert evaluate(compiled, [{"x": i % 2}]) == [frozenset({"pos"} if i % 2 else set())]


def test_no_facts_and_facts_without_keys() -> None:
    compiled = compile_verdicts({"pos": v((("x", ">"),))})
    assert evaluate(compiled, []) == []
    assert evaluate(compiled, [{}, {"other": 1}]) == [frozenset(), frozenset()]


def test_cache_reuse() -> None:
    a = {"p": v((("x", ">"),)), "q": v((("y", "<"),))}
    b = {"q": v((("y", "<"),)), "p": v((("x", ">"),))}  # same dict, other order
    c = {"p": v((("x", ">="),))}
    first = compile_verdicts(a)
    assert isinstance(first, CompiledRuleset)
    assert compile_verdicts(a) is first
    assert compile_verdicts(b) is first
    assert compile_verdicts(c) is not first


def test_both_methods_agree_and_host_method_checks_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    verdicts = {f"v{j}": v(((f"k{j % 5}", rng.choice(OPS)),)) for j in range(20)}
    facts = [{f"k{j}": rng.choice([-1, 0, 1, 10**40]) for j in range(5)} for _ in range(1200)]
    direct = evaluate(compile_verdicts(verdicts), facts)
    monkeypatch.setattr(db, "_METHOD", "host")
    assert evaluate(compile_verdicts(verdicts), facts) == direct == evaluate_directly(verdicts, facts)


def test_swallowed_action_exception_becomes_engine_error() -> None:
    host = db._host()
    chunk = db._Chunk(name=f"boom_{next(_names)}", keys={}, rule_verdicts=[], always=True, rule_index={})

    def boom(c: Any) -> None:
        raise ValueError("boom")

    with db._LOCK:
        host.set_rulesets({chunk.name: {"all": {"all": [{"m": {"$gte": {"_i": 0}}}], "run": boom}}})
        with pytest.raises(EngineError, match="boom"):
            db._run_batch_host(host, chunk, [{"sid": db._SID, "_i": 0}])


def test_lost_actions_become_engine_error() -> None:
    chunk = db._Chunk(name="x", keys={}, rule_verdicts=[], always=True, rule_index={})
    chunk.seen.extend([0])
    with pytest.raises(EngineError, match="catch-all"):
        db._check_batch(chunk, [{"_i": 0}, {"_i": 1}], {})


@pytest.mark.parametrize("error", [
    durable_rules_engine.error("Could not assert facts, error code: 303"),
    MessageObservedException({"sid": "0", "_i": 0}),
])
def test_after_a_failed_assert_the_chunk_is_rebuilt_never_delete_stated(
        monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    # Probing: delete_state after a failed assert (error 303, MessageObservedException) segfaulted.
    verdicts = {f"pos_rebuilt_{type(error).__name__}": v((("x", ">"),))}
    compiled = compile_verdicts(verdicts)
    [chunk] = compiled._chunks
    old_name = chunk.name
    deleted: list[tuple[str, str]] = []
    real_delete = db._QuietHost.delete_state

    def record_delete(self: Any, name: str, sid: str) -> Any:
        deleted.append((name, sid))
        return real_delete(self, name, sid)

    def fail(self: Any, facts: Any) -> Any:
        raise error

    monkeypatch.setattr(db._QuietHost, "delete_state", record_delete)
    monkeypatch.setattr(Ruleset, "assert_facts", fail)
    with pytest.raises(EngineError):
        evaluate(compiled, [{"x": 1}])
    assert deleted == []  # the failed state is abandoned, never deleted
    monkeypatch.setattr(Ruleset, "assert_facts", _REAL_ASSERT)
    assert chunk.name != old_name  # re-registered under a fresh name
    assert evaluate(compiled, [{"x": 1}, {"x": 0}]) == [{next(iter(verdicts))}, set()]  # usable again
    assert compile_verdicts(verdicts) is compiled
    assert deleted == [(chunk.name, db._SID)]  # a good batch deletes its own state


# --- fact identity: durable's 32-bit content hash (src/rules/state.c) ---------------------------


def _fnv1a_32(data: bytes) -> int:
    h = 0x811C9DC5
    for byte in data:
        h = ((h ^ byte) * 16777619) % 2**32
    return h


def durable_fact_key(message: dict[str, Any]) -> int:
    """durable's identity of a message without ``id`` (calculateId + storeMessage): 64-bit
    FNV-1a over the properties sorted by name hash (name hash, then the value's text), printed
    ``$%020llu``, cut to 20 characters, then FNV-1a-32 of that text."""
    props = sorted((_fnv1a_32(name.encode()), str(value).encode()) for name, value in message.items())
    h = 0xCBF29CE484222325
    for name_hash, raw in props:
        h = ((h ^ name_hash) * 1099511628211) % 2**64
        for byte in raw:
            h = ((h ^ byte) * 1099511628211) % 2**64
    return _fnv1a_32(f"${h:020d}"[:20].encode())


COLLIDING = ({"sid": "0", "_i": 3848, "k0": 0}, {"sid": "0", "_i": 116270, "k0": 0})
"""Two different facts durable takes for one (found with :func:`durable_fact_key` over _i < 200,000,
the way the adapter writes a fact of a one-key chunk)."""


def test_durable_identifies_facts_by_a_32_bit_content_hash(host: Any) -> None:
    a, b = COLLIDING
    assert a != b and durable_fact_key(a) == durable_fact_key(b)
    name = _register(host, {"all": _rule({"$gte": {"_i": 0}}, [], "all")})
    with pytest.raises(MessageObservedException):
        host.assert_facts(name, [dict(a), dict(b)])
    # (no delete_state here: it segfaulted after this exception; the ruleset is left alone)
    fresh = _register(host, {"all": _rule({"$gte": {"_i": 0}}, [], "all")})
    host.assert_facts(fresh, [a | {"id": 0}, b | {"id": 1}])  # explicit ids: two facts
    host.delete_state(fresh, "0")


def test_fact_ids_of_a_batch_never_collide() -> None:
    # with an id, durable's identity is FNV-1a-32 of the id's text; a batch uses ids 0..n-1
    assert len({_fnv1a_32(str(n).encode()) for n in range(db._ID_LIMIT)}) == db._ID_LIMIT
    assert db._BATCH <= db._ID_LIMIT


def test_the_colliding_pair_now_evaluates() -> None:
    # the adapter writes fact i as {"sid": "0", "_i": i, "k0": <x>, "id": <position>}; facts without
    # the chunk's key are not sent, so this batch holds exactly the colliding pair
    (a, b) = (COLLIDING[0]["_i"], COLLIDING[1]["_i"])
    facts: list[dict[str, int]] = [{} for _ in range(b + 1)]
    facts[a] = {"x": 0}
    facts[b] = {"x": 0}
    compiled = compile_verdicts({"collide_ge": v((("x", ">="),))})
    assert [c.keys for c in compiled._chunks] == [{"x": "k0"}]
    result = evaluate(compiled, facts)
    assert result[a] == result[b] == {"collide_ge"}  # 0 >= 0 for both
    assert sum(1 for r in result if r) == 2


def test_dropped_rule_actions_become_engine_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # simulate durable losing rule actions: every second pending rule action is skipped
    real = db._dre

    class Dropping:
        skip = False

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def complete_and_start_action(self, handle: Any, state: Any) -> Any:
            pending = real.complete_and_start_action(handle, state)
            if pending and pending.startswith('{"r'):
                Dropping.skip = not Dropping.skip
                if Dropping.skip:
                    pending = real.complete_and_start_action(handle, state)
            return pending

    verdicts = {f"drop{j}": v(((f"k{j}", ">="),)) for j in range(8)}
    facts = [{f"k{j}": 1 for j in range(8)} for _ in range(3)]
    compiled = compile_verdicts(verdicts)
    monkeypatch.setattr(db, "_dre", Dropping())
    with pytest.raises(EngineError, match="rule actions"):
        evaluate(compiled, facts)
    monkeypatch.setattr(db, "_dre", real)
    assert evaluate(compiled, facts) == evaluate_directly(verdicts, facts)


def test_lost_rule_action_is_counted_per_fact() -> None:
    chunk = db._Chunk(name="x", keys={"a": "k0"}, rule_verdicts=["p"], always=False, rule_index={},
                      clauses=[(("k0", ">="),)])
    chunk.seen.extend([0, 1])
    chunk.sink.append((0, 0))  # fact 1 (k0 = 5 >= 0) is owed an action too
    with pytest.raises(EngineError, match="1 rule actions for 2 facts; 2 were due"):
        db._check_batch(chunk, [{"_i": 0, "k0": 0}, {"_i": 1, "k0": 5}], {})


def test_concurrent_calls_are_serialised() -> None:
    verdicts = {f"v{j}": v(((f"k{j % 3}", OPS[j % 6]),)) for j in range(12)}
    facts = [{f"k{j}": (i * 7 + j) % 3 - 1 for j in range(3)} for i in range(300)]
    expected = evaluate_directly(verdicts, facts)
    compiled = compile_verdicts(verdicts)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                assert evaluate(compiled, facts) == expected
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


# ----------------------------------------------------------------------------------------------
# Part 3: differential property
# ----------------------------------------------------------------------------------------------

KEYS = ("a", "b", "c", "d")
atoms = st.builds(Atom, st.sampled_from(KEYS), st.sampled_from(OPS))
clauses = st.lists(atoms, min_size=0, max_size=3).map(tuple)
verdict_st = st.lists(clauses, min_size=0, max_size=3).map(tuple)
verdicts_st = st.dictionaries(st.text(min_size=0, max_size=4), verdict_st, min_size=1, max_size=6)
values = st.one_of(
    st.sampled_from([0, 1, -1, 2**53, 2**53 + 1, -(2**53) - 1, 10**40, -(10**40)]),
    st.integers(),
)
facts_st = st.lists(st.dictionaries(st.sampled_from(KEYS), values, max_size=len(KEYS)), min_size=1, max_size=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(verdicts=verdicts_st, facts=facts_st)
def test_differential_evaluate_equals_plain_python(verdicts: dict[str, Verdict], facts: list[dict[str, int]]) -> None:
    assert evaluate(compile_verdicts(verdicts), facts) == evaluate_directly(verdicts, facts)


def test_module_docstring_records_probing() -> None:
    doc = db.__doc__ or ""
    for needle in ("204", "303", "302", "1,024", "513", "facts/s"):
        assert needle in doc
    json.dumps(doc)  # plain text


# ----------------------------------------------------------------------------------------------
# Part 4: Python versions (durable on 3.11-3.13, no deprecated calls, direct engine without it)
# ----------------------------------------------------------------------------------------------


def test_durable_clock_has_no_deprecated_call_and_keeps_its_meaning() -> None:
    import datetime as dt
    import warnings

    import durable.engine

    assert durable.engine._unix_now is db._unix_now
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # datetime.utcfromtimestamp would raise here on 3.12+
        before = (dt.datetime.now() - dt.datetime(1970, 1, 1)).total_seconds()
        value = durable.engine._unix_now()
        after = (dt.datetime.now() - dt.datetime(1970, 1, 1)).total_seconds()
    assert before <= value <= after


def test_host_actions_raise_no_deprecation_warning(host: Any) -> None:
    import warnings

    fired: list[str] = []
    name = _register(host, {"a": _rule({"$gt": {"x": 0}}, fired, "a")})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        host.assert_fact(name, {"sid": "w", "x": 1})  # a Python action: durable's Closure reads its clock
        host.delete_state(name, "w")
    assert fired == ["a"]


def test_direct_engine_never_imports_durable() -> None:
    code = """
    import sys
    import junheng
    from junheng.engine.evaluate import run_evaluation
    from junheng.examples import example_path
    from junheng.policy.readers import read_facts
    from junheng.policy.registry import load_ruleset
    assert "durable" not in sys.modules, "import junheng loaded durable"
    run = run_evaluation(load_ruleset("national/quality-2017"), read_facts(example_path("demo_county.csv")), "direct")
    assert len(run.schools) == 8
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("durable", "durable_rules_engine"))
    print(loaded)
    """
    out = _run_py(code, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_compiled_rulesets_are_bounded_and_evicted_ones_still_evaluate() -> None:
    # Probing: 3,000 distinct compiled rulesets took 940 MB until delete_ruleset freed them
    host = db._host()
    first = compile_verdicts({"evict_0": v((("x", ">="),))})
    registered_before = len(host._ruleset_directory)
    for i in range(1, 3 * db._MAX_CACHED):
        compile_verdicts({f"evict_{i}": v((("x", ">="),))})
    assert len(db._CACHE) <= db._MAX_CACHED
    assert len(host._ruleset_directory) <= registered_before + db._MAX_CACHED
    assert first._evicted
    assert evaluate(first, [{"x": 0}, {"x": -1}]) == [{"evict_0"}, set()]  # registered again
    assert compile_verdicts({"evict_0": v((("x", ">="),))}) is first

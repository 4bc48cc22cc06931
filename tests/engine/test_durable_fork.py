"""The durable_rules adapter in forked children (``junheng evaluate --jobs N`` forks its workers).

The guard (``junheng.engine.durable_backend``, "fork" in the module notes): the module lock is held
around every fork, and the child starts with a fresh lock, no Host and an empty cache; a handle
compiled before the fork is registered again in the child's own Host. Each scenario runs in a
subprocess of its own (a hang or crash must not take the test run with it), which forks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")

_PRELUDE = """
import os, sys, threading, time, warnings
from junheng.engine import durable_backend as db
from junheng.engine.durable_backend import Atom

VERDICTS = {"a": ((Atom("x", ">="),),), "b": ((Atom("y", "<"),),)}
FACTS = [{"x": 1, "y": -1}, {"x": -1, "y": 2}, {"x": 0, "y": 0}]
# by hand: x >= 0 and y < 0 -> a, b; x < 0, y >= 0 -> none; x = 0 >= 0, y = 0 not < 0 -> a
WANT = [frozenset({"a", "b"}), frozenset(), frozenset({"a"})]

def in_child(body, timeout=30.0):
    with warnings.catch_warnings():  # 3.12+: DeprecationWarning for a fork with threads alive
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = 0 if body() else 1
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return "hung"
"""


def _run(script: str) -> str:
    proc = subprocess.run([sys.executable, "-c", _PRELUDE + textwrap.dedent(script)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip()


def test_a_forked_child_starts_with_its_own_host_and_decides_as_the_parent() -> None:
    out = _run("""
        handle = db.compile_verdicts(VERDICTS)
        assert db.evaluate(handle, FACTS) == WANT and db._HOST is not None  # the parent's Host exists

        def child():
            fresh = db._HOST is None and not db._CACHE and not db._LOCK.locked()
            inherited = db.evaluate(handle, FACTS)  # the parent's handle: registered again here
            again = db.evaluate(db.compile_verdicts(VERDICTS), FACTS * 400)
            return fresh and inherited == WANT and again == WANT * 400

        print(in_child(child), db.evaluate(handle, FACTS) == WANT)  # the parent's Host is untouched
    """)
    assert out == "0 True"


def test_a_fork_waits_for_an_evaluation_in_another_thread() -> None:
    # Without the guard the child's copy of the lock stays held (by a thread the child does not
    # have): its first evaluate waits forever. With it, fork waits until the lock is free.
    out = _run("""
        handle = db.compile_verdicts(VERDICTS)
        held = threading.Event()

        def busy():
            with db._LOCK:  # as evaluate() holds it while durable runs
                held.set()
                time.sleep(0.5)

        thread = threading.Thread(target=busy)
        thread.start()
        held.wait()
        t0 = time.monotonic()
        status = in_child(lambda: db.evaluate(handle, FACTS) == WANT)
        waited = time.monotonic() - t0
        thread.join()
        print(status, waited >= 0.3, db.evaluate(handle, FACTS) == WANT)
    """)
    assert out == "0 True True"

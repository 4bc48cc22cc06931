"""CPU seconds of ``evaluate_sections`` per stage, on one facts file (not a test).

Reads the file once (not timed), then times in this process, with ``time.process_time`` (CPU, not
wall: the machine is shared), the best of ``--repeat`` runs (the least disturbed by other processes) of:

* ``evaluate_sections`` whole, with durable_rules and with the direct engine;
* its stages, when the code has them (engine/compile.py): compile (first call on a fresh ruleset
  object), measure (closed form or general path, engine facts), decide (durable_rules), results
  (records, shortfalls, gate paths), and the general path alone (``closed_form=False``) for scale.

Usage::

    python bench/evaluate_stages.py FILE [-r national/quality-2017 …] [--repeat 3]

To time another checkout, put a directory holding a ``junheng`` symlink to it first on
``PYTHONPATH`` (the stage breakdown is skipped when that code has no compiled plans).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from junheng.engine import evaluate as ev
from junheng.policy.readers import read_facts
from junheng.policy.registry import load_ruleset


def _cpu(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        start = time.process_time()
        out = fn()
        times.append(time.process_time() - start)
    return min(times), out


def _stages(ruleset: Any, sections: list[Any], repeat: int) -> dict[str, float]:
    from junheng.engine.compile import compile_ruleset

    with ev._collector_paused():  # as evaluate_sections runs them
        return _timed_stages(ruleset, sections, repeat, compile_ruleset)


def _timed_stages(ruleset: Any, sections: list[Any], repeat: int, compile_ruleset: Any) -> dict[str, float]:

    fresh = ruleset.model_copy()  # a new object: the plan cache is per ruleset object
    compile_s, plan = _cpu(lambda: compile_ruleset(fresh), 1)
    plan = compile_ruleset(ruleset)
    measure_s, prepared = _cpu(lambda: [ev._prepare(ruleset, plan.level(ruleset, s.level, s.school_type), s, True)
                                        for s in sections], repeat)
    facts = [p.fact for p in prepared]
    decide_s, held = _cpu(lambda: ev.decide(plan.predicates, facts, "durable"), repeat)
    results_s, _ = _cpu(lambda: [ev._school_result(ruleset, plan, p, h, {})
                                 for p, h in zip(prepared, held, strict=True)], repeat)
    general_s, _ = _cpu(lambda: ev.evaluate_sections(ruleset, sections, "direct", closed_form=False), repeat)
    return {"compile": compile_s, "measure": measure_s, "decide (durable)": decide_s, "results": results_s,
            "general path, direct (for scale)": general_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("-r", "--ruleset", action="append", default=[])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sections = read_facts(args.file).sections
    for ruleset_id in args.ruleset or ["national/quality-2017"]:
        ruleset = load_ruleset(ruleset_id).ruleset
        ev.evaluate_sections(ruleset, sections[:20])  # warm: imports, durable registration
        print(f"{ruleset_id}: {len(sections)} sections, CPU s (best of {args.repeat})")
        for engine in ("durable", "direct"):
            seconds, _ = _cpu(lambda e=engine, r=ruleset: ev.evaluate_sections(r, sections, e), args.repeat)
            print(f"  evaluate_sections ({engine}): {seconds:.3f}")
        if hasattr(ev, "_school_result"):
            for stage, seconds in _stages(ruleset, sections, args.repeat).items():
                print(f"    {stage}: {seconds:.3f}")


if __name__ == "__main__":
    main()

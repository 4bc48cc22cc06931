"""Benchmark: `junheng plan` on a synthetic county of N sections (national/quality-2017, county scope).

Not a test. For each N it runs a fresh child process that generates the sections of
``bench_evaluate.synthetic_sections`` (seed 20170523; ~65% fail the 6-of-7 gate) and times
``make_plan`` — the call `junheng plan` makes: the county evaluation before, the needs, the
HiGHS MILP with outer-approximation cuts for every 差异系数, the exact re-evaluation after — with
the bundled example costs. ``--spread`` gives every 10th section six times its equipment value, so
that the equipment CVs go over their limits and can only come down by raising the other sections
(the cones bind).

Usage::

    python bench/bench_plan.py --n 100 300 1000
    python bench/bench_plan.py --n 300 --spread
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_evaluate import synthetic_sections


def child(n: int, spread: bool) -> dict[str, Any]:
    from junheng.engine.plan import make_plan
    from junheng.examples import example_path
    from junheng.policy.costs import read_costs
    from junheng.policy.inputs import FactsBatch
    from junheng.policy.registry import load_ruleset

    sections = synthetic_sections(n)
    if spread:
        key = "equipment_value_yuan"
        rich = [s.model_copy(update={"values": {**s.values, key: s.values[key] * 6}}) for s in sections[::10]]
        sections = [rich[i // 10] if i % 10 == 0 else s for i, s in enumerate(sections)]
    batch = FactsBatch(file="synthetic", file_sha256="0" * 64, rows_read=n, sections=sections)
    loaded = load_ruleset("national/quality-2017")
    costs = read_costs(example_path("demo_costs.yaml"))
    t0, c0 = time.perf_counter(), time.process_time()
    run = make_plan(loaded, batch, costs)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    over = sum(1 for c in run.cv if c.passed_before is False)
    return {"n": n, "spread": spread, "seconds": elapsed, "cpu_seconds": cpu, "solver_seconds": run.solver.seconds,
            "rounds": run.solver.rounds, "cuts": run.solver.cuts,
            "gap": None if run.solver.gap is None else float(run.solver.gap),
            "verified": run.verified, "failing_before": n - run.sections_passing_before,
            "passing_after": run.sections_passing_after, "cvs_over_before": over,
            "total_cost": float(run.total_cost or Fraction(0))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[300])
    parser.add_argument("--spread", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(int(args.child[0]), args.child[1] == "1")))
        return 0
    header = (f"{'N':>6} {'spread':>6} {'seconds':>8} {'cpu s':>7} {'solver s':>9} {'rounds':>6} {'cuts':>5} "
              f"{'gap':>9} "
              f"{'failing':>7} {'CVs over':>8} {'verified':>8} {'total cost (元)':>16}")
    print(header)
    print("-" * len(header))
    for n in args.n:
        proc = subprocess.run([sys.executable, __file__, "--child", str(n), "1" if args.spread else "0"],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(f"{n:>6} FAILED: {proc.stderr.strip()[-800:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        gap = "—" if r["gap"] is None else f"{r['gap']:.2e}"
        print(f"{n:>6} {'yes' if r['spread'] else 'no':>6} {r['seconds']:>8.2f} {r['cpu_seconds']:>7.2f} "
              f"{r['solver_seconds']:>9.2f} "
              f"{r['rounds']:>6} {r['cuts']:>5} {gap:>9} {r['failing_before']:>7} {r['cvs_over_before']:>8} "
              f"{r['verified']!s:>8} {r['total_cost']:>16,.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Starting the command line loads no heavy library it does not need (openpyxl, numpy, HiGHS): a
start is ~0.7 s instead of ~1.3 s, and numpy's OpenBLAS thread does not make the process
multi-threaded before ``--jobs`` forks its workers (Python 3.12+ warns that fork() from a
multi-threaded process may deadlock)."""

from __future__ import annotations

import subprocess
import sys


def test_the_command_line_starts_without_openpyxl_numpy_or_highspy() -> None:
    code = ("import os, sys\nimport junheng.cli.app\n"
            "print(sorted(m for m in ('numpy', 'openpyxl', 'highspy') if m in sys.modules))\n"
            "print(len(os.listdir('/proc/self/task')) if os.path.isdir('/proc/self/task') else 1)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "1"  # one thread: nothing started one at import


def test_a_plan_still_loads_highs_when_it_solves() -> None:
    from junheng.engine.plan import solver

    model = solver.Model()
    a = model.var(2.0, integer=True)
    model.rows.append(solver.Row({a: 1.0}, 3.0))  # a ≥ 3, cost 2a: the least is a = 3, cost 6
    solution = solver.solve(model, time_limit=10)
    assert solution.status == "optimal"
    assert solution.x is not None and round(float(solution.x[a])) == 3


def test_workers_are_spawned_once_a_c_library_has_started_a_thread() -> None:
    # numpy starts OpenBLAS's threads at import (unless told not to); threading does not see them,
    # the system does: fork() from such a process may deadlock, so the workers are spawned.
    code = ("import os\nos.environ.pop('OPENBLAS_NUM_THREADS', None)\nos.environ['OPENBLAS_NUM_THREADS'] = '2'\n"
            "from junheng.cli.chunks import start_method, threads_running\n"
            "print(start_method(), threads_running())\nimport numpy\nprint(start_method(), threads_running())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "fork 1"
    method, threads = out[1].split()
    if int(threads) > 1:  # this numpy's BLAS started a thread
        assert method == "spawn"
    else:
        assert method == "fork"

"""Fuzz budget and counters (imported by the fuzz tests and by conftest.py).

CI runs a short, fixed budget (the whole fuzz suite stays well under 60 s). A long run:
``JUNHENG_FUZZ_LONG=1 python -m pytest tests/fuzz`` (or ``JUNHENG_FUZZ_EXAMPLES=N``). A timed run over
the readers, XLSX parts, ruleset loader and renderers (tests/fuzz/test_fuzz_hostile.py)::

    JUNHENG_FUZZ_LONG=1 JUNHENG_FUZZ_MINUTES=30 JUNHENG_FUZZ_EXAMPLES=300 JUNHENG_FUZZ_REPORT=fuzz.json \
        nice -n 19 python -m pytest tests/fuzz/test_fuzz_hostile.py::test_long_run
Every fuzz test counts the inputs it tried and the crashes (unexpected exceptions) it saw; the
totals are printed at the end of the run and, with ``JUNHENG_FUZZ_REPORT=path``, written as JSON.
"""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, settings

LONG = os.environ.get("JUNHENG_FUZZ_LONG", "") not in ("", "0")
EXAMPLES = int(os.environ.get("JUNHENG_FUZZ_EXAMPLES", 5000 if LONG else 120))

FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not LONG,
                suppress_health_check=list(HealthCheck))

TRIED: Counter[str] = Counter()
CRASHES: Counter[str] = Counter()


def record(target: str, crashed: bool = False) -> None:
    TRIED[target] += 1
    if crashed:
        CRASHES[target] += 1

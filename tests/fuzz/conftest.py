"""Prints (and with ``JUNHENG_FUZZ_REPORT=path`` writes) the fuzz counters; see fuzzkit.py."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fuzzkit import CRASHES, LONG, TRIED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TRIED:
        return
    total, crashes = sum(TRIED.values()), sum(CRASHES.values())
    terminalreporter.write_sep("-", f"fuzz: {total} generated inputs tried, {crashes} crashes")
    for target in sorted(TRIED):
        terminalreporter.write_line(f"  {target}: {TRIED[target]} inputs, {CRASHES[target]} crashes")
    report = os.environ.get("JUNHENG_FUZZ_REPORT")
    if report:
        Path(report).write_text(json.dumps({"long": LONG, "tried": dict(TRIED), "crashes": dict(CRASHES),
                                            "total_tried": total, "total_crashes": crashes}, indent=2))

"""Benchmark: reading a facts file into a FactsBatch (the reader alone, issue 12).

Not a test. For each N it writes the synthetic national CSV of ``bench_evaluate.synthetic_csv``
(12 columns, plain integers and two-place decimals) and, in a fresh child process per N,

* times ``read_facts`` (CPU seconds, the best of ``--repeat`` runs) and reports that child's peak
  RSS (``ru_maxrss``);
* reads it once more, in a second child, under ``tracemalloc``: bytes held per section, and the
  traced peak while reading.

With ``--xlsx`` the same rows are written as a one-sheet workbook too and read the same way.

Usage::

    python bench/bench_read.py                   # 10000 200000
    python bench/bench_read.py --n 10000 --repeat 5
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path


def child(path: str, repeat: int) -> dict[str, float]:
    """repeat > 0: the best CPU time of ``repeat`` reads and the peak RSS; 0: one traced read."""
    from junheng.policy.readers import read_facts

    if repeat == 0:
        tracemalloc.start()
        batch = read_facts(Path(path))
        held, peak = tracemalloc.get_traced_memory()
        return {"bytes_per_section": held / max(1, len(batch.sections)), "traced_peak_mib": peak / 2**20}
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        batch = read_facts(Path(path))
        times.append(time.process_time() - start)
        sections = len(batch.sections)
        del batch
    return {"sections": sections, "cpu_s": min(times),
            "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _workbook(csv_path: Path, xlsx_path: Path) -> None:
    import csv

    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("学校")
    with csv_path.open(encoding="utf-8") as handle:
        rows = csv.reader(handle)
        sheet.append(next(rows))
        for row in rows:
            sheet.append([*row[:3], *(float(x) if "." in x else int(x) for x in row[3:])])
    book.save(xlsx_path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 200_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--xlsx", action="store_true", help="also read the rows as an XLSX workbook")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_evaluate import synthetic_csv

    with tempfile.TemporaryDirectory() as tmp:
        for n in args.n:
            paths = [Path(tmp) / f"n{n}.csv"]
            synthetic_csv(n, paths[0])
            if args.xlsx:
                paths.append(Path(tmp) / f"n{n}.xlsx")
                _workbook(paths[0], paths[1])
            for path in paths:
                r: dict[str, float] = {}
                for repeat in (args.repeat, 0):
                    out = subprocess.run([sys.executable, __file__, "--child", str(path), str(repeat)],
                                         check=True, capture_output=True, text=True).stdout
                    r.update(json.loads(out))
                print(f"{path.suffix[1:]:4} {n:>7} rows: {r['cpu_s']:.2f} CPU s ({r['sections'] / r['cpu_s']:,.0f} "
                      f"rows/CPU s), {r['bytes_per_section']:,.0f} B/section held, traced peak "
                      f"{r['traced_peak_mib']:.0f} MiB, peak RSS {r['maxrss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()

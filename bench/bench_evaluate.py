"""Benchmark: evaluating N synthetic school sections against ``national/quality-2017``.

Not a test. For each N and engine it runs a fresh child process (so ``ru_maxrss`` is that run's
own peak) which generates N sections with a fixed seed (both levels, realistic ranges), then

* times ``run_evaluation`` (the same call ``junheng evaluate`` makes, without file reading and
  rendering) → sections per second, and ``ru_maxrss`` of the process;
* runs it again under ``tracemalloc`` → peak Python heap during evaluation (tracemalloc slows
  the run down, so this pass is not timed).

With ``--e2e N …`` it times the command line end to end, as a user runs it: N synthetic sections
written to a CSV, then ``junheng evaluate FILE -r national/quality-2017 --format json -o out.json
--jobs J`` for each J of ``--jobs`` (1 and 2 by default; and ``--formats html table`` too, on
request) in a child process, whose wall and CPU seconds (its workers' included) and ``ru_maxrss``
come from ``os.wait4`` — ``ru_maxrss`` is the largest single process of the tree (the parent or one
worker; Linux counts in it what the forking process held before exec, so the bench makes its CSVs
and compares documents in children of its own and stays small), so the bench also samples the
tree's memory every 0.1 s (``Pss`` of the CLI and every descendant from ``/proc/PID/smaps_rollup``,
summed: forked workers share the parent's pages, which Pss divides between them rather than
counting twice) and prints the peak of that sum; the documents of every J must be the same bytes;
and, in the same run on the same CSV, the floor (``bench/floor_quality2017.py``: plain Python,
exact Fractions, no durable_rules, no pydantic) writing the same JSON document (compact, as the CLI
writes a file; and once indented 2, for scale), so the report gives the ratio junheng ÷ floor
(compact). For N up to ``--check-max`` the two documents are parsed and compared section by section
(they must be equal).

With ``--county K`` it times county mode end to end in one call: K counties of ``--county-sections``
synthetic sections each (county i: seed + i) in one CSV with a county column, every county's facts
in one CSV keyed by county, then ``junheng county FILE --county-facts F --format json -o out.json``
and the same with the one-line-per-county table, for each ``--jobs`` value (wall, CPU, ``ru_maxrss``).

With ``--xlsx N …`` it measures the report path end to end instead, as ``junheng evaluate
FILE -o 报告.xlsx`` runs it: N synthetic sections written to a CSV, then read → evaluate (durable)
→ write the XLSX report, each step timed, in a fresh process per N (``ru_maxrss`` is its peak).

Usage::

    python bench/bench_evaluate.py --n 10000 100000
    python bench/bench_evaluate.py --n 10000 --engines durable
    python bench/bench_evaluate.py --xlsx 1000 5000
    python bench/bench_evaluate.py --e2e 10000              # 100000 200000 by choice
    python bench/bench_evaluate.py --e2e 10000 100000 200000 --jobs 1 2 --check-max 10000
    python bench/bench_evaluate.py --e2e 10000 --formats json html xlsx table
    python bench/bench_evaluate.py --county 2900        # 2 900 counties × 70 sections, one call
    python bench/bench_evaluate.py --county 100 --jobs 1 2
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from fractions import Fraction
from pathlib import Path
from typing import Any

SEED = 20170523


def synthetic_sections(n: int, seed: int = SEED) -> list[Any]:
    """N sections, half primary and half junior, with per-student values spread around the
    national requirements so that every outcome (met, missed, gate passed/failed) occurs."""
    from junheng.policy.facts import Level
    from junheng.policy.inputs import SchoolSection

    rng = random.Random(seed)
    out = []
    for i in range(n):
        level = Level.primary if i % 2 == 0 else Level.junior
        students = rng.randint(50, 3000)
        teachers = max(5, students * rng.randint(55, 90) // 1000)  # 5.5 … 9 per 100 students
        values = {
            "students": students,
            "teachers": teachers,
            "teachers_above_required_degree": min(teachers, students * rng.randint(40, 75) // 1000),
            "backbone_teachers": min(teachers, students * rng.randint(8, 18) // 1000),
            "pe_art_teachers": min(teachers, students * rng.randint(8, 14) // 1000),
            "multimedia_classrooms": students * rng.randint(20, 36) // 1000,
        }
        fractional = {
            "teaching_aux_area_m2": Fraction(students * rng.randint(400, 900), 100),  # 4 … 9 m²/生
            "sports_area_m2": Fraction(students * rng.randint(650, 1500), 100),  # 6.5 … 15 m²/生
            "equipment_value_yuan": Fraction(students * rng.randint(1700, 4000)),  # 元/生
        }
        out.append(SchoolSection(
            school_id=f"B{i:06d}", level=level, school_name=f"合成学校{i}",
            values={**{k: Fraction(v) for k, v in values.items()}, **fractional},
        ))
    return out


def child(n: int, engine: str, trace: bool) -> dict[str, Any]:
    from junheng.engine.evaluate import run_evaluation
    from junheng.policy.inputs import FactsBatch
    from junheng.policy.registry import load_ruleset

    loaded = load_ruleset("national/quality-2017")
    t0 = time.perf_counter()
    sections = synthetic_sections(n)
    generate_s = time.perf_counter() - t0
    batch = FactsBatch(file="synthetic", file_sha256="0" * 64, rows_read=n, sections=sections)
    run_evaluation(loaded, FactsBatch(file="warm-up", file_sha256="0" * 64, rows_read=1,
                                      sections=sections[:2]), engine)  # compile the ruleset
    gc.collect()
    rss_before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    run = run_evaluation(loaded, batch, engine)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - t0
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcomes = {o: sum(1 for s in run.schools if s.outcome.value == o) for o in ("passed", "failed", "unknown")}
    assert len(run.schools) == n
    del run
    gc.collect()
    peak = None
    if trace:
        tracemalloc.start()
        run_evaluation(loaded, batch, engine)  # type: ignore[arg-type]
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {
        "n": n, "engine": engine, "seconds": elapsed, "sections_per_second": n / elapsed,
        "ms_per_section": 1000 * elapsed / n, "generate_seconds": generate_s,
        "tracemalloc_peak_mib": None if peak is None else peak / 2**20, "ru_maxrss_mib": rss_kib / 1024,
        "ru_maxrss_before_mib": rss_before_kib / 1024, "outcomes": outcomes,
    }


def synthetic_csv(n: int, path: Any, seed: int = SEED) -> None:
    """The synthetic sections as the CSV a county would export (canonical column names)."""
    import csv

    from junheng.engine.numbers import decimal_text

    sections = synthetic_sections(n, seed)
    names = ["school_id", "school_name", "level", *sections[0].values]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(names)
        for s in sections:
            out.writerow([s.school_id, s.school_name, s.level.value,
                          *(decimal_text(v, 2) for v in s.values.values())])


def xlsx_child(n: int) -> dict[str, Any]:
    """read → evaluate → write XLSX for N sections, each step timed (the CLI's own calls)."""
    import tempfile
    from pathlib import Path

    from junheng.cli.xlsx_report import write_evaluation_xlsx
    from junheng.engine.evaluate import run_evaluation
    from junheng.policy.readers import read_facts
    from junheng.policy.registry import load_ruleset

    with tempfile.TemporaryDirectory() as tmp:
        source, report = Path(tmp) / "sections.csv", Path(tmp) / "报告.xlsx"
        synthetic_csv(n, source)
        loaded = load_ruleset("national/quality-2017")
        t0, c0 = time.perf_counter(), time.process_time()
        batch = read_facts(source)
        t1, c1 = time.perf_counter(), time.process_time()
        run = run_evaluation(loaded, batch, "durable")
        t2, c2 = time.perf_counter(), time.process_time()
        write_evaluation_xlsx(report, run, "zh")
        t3, c3 = time.perf_counter(), time.process_time()
        assert len(run.schools) == n and not batch.errors
        rows = sum(len(s.results) for s in run.schools)
        return {"n": n, "read_s": t1 - t0, "evaluate_s": t2 - t1, "write_s": t3 - t2, "total_s": t3 - t0,
                "evaluate_cpu_s": c2 - c1, "write_cpu_s": c3 - c2, "total_cpu_s": c3 - c0,
                "rows": rows, "bytes": report.stat().st_size,
                "ru_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def xlsx_main(sizes: list[int]) -> int:
    header = (f"{'N':>8} {'read s':>8} {'eval s':>8} {'write s':>8} {'total s':>8} {'sections/s':>11} "
              f"{'eval cpu':>9} {'write cpu':>10} {'total cpu':>10} {'rows written':>13} {'file':>9} {'ru_maxrss':>10}")
    print("XLSX report end to end (read CSV → evaluate, durable → write 报告.xlsx); wall seconds, and CPU "
          "seconds of the process (what a busy machine does not inflate)")
    print(header)
    print("-" * len(header))
    for n in sizes:
        proc = subprocess.run([sys.executable, __file__, "--xlsx-child", str(n)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(f"{n:>8} FAILED (exit {proc.returncode}): {proc.stderr.strip()[-500:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{n:>8} {r['read_s']:>8.2f} {r['evaluate_s']:>8.2f} {r['write_s']:>8.2f} {r['total_s']:>8.2f} "
              f"{n / r['total_s']:>11,.0f} {r['evaluate_cpu_s']:>9.2f} {r['write_cpu_s']:>10.2f} "
              f"{r['total_cpu_s']:>10.2f} "
              f"{r['rows']:>13,} {r['bytes'] / 2**20:>5.1f} MiB "
              f"{r['ru_maxrss_mib']:>6,.0f} MiB", flush=True)
    return 0


def _tree(pid: int) -> list[int]:
    """``pid`` and every descendant (Linux ``/proc``; just ``pid`` elsewhere)."""
    out, i = [pid], 0
    while i < len(out):
        p = out[i]
        i += 1
        try:
            out += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except (OSError, ValueError):
            continue
    return out


def _pss_kib(pid: int) -> int:
    """Proportional set size of one process (shared pages divided among their sharers)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def timed_child(argv: list[str], ok: tuple[int, ...] = (0,)) -> dict[str, float]:
    """Run ``argv`` to the end; its wall seconds, CPU seconds (user + system, its reaped workers
    included) and peak RSS from ``os.wait4`` (that child's own rusage, not the maximum over every
    child so far; ``ru_maxrss`` is the largest single process of its tree), and the peak of the
    tree's summed Pss, sampled every 0.1 s (0 where ``/proc`` has no smaps_rollup). An exit code
    outside ``ok`` is an error."""
    import threading

    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], sum(_pss_kib(p) for p in _tree(proc.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""  # until it closes
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {stderr.strip()[-800:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_mib": usage.ru_maxrss / 1024,
            "tree_pss_mib": peak[0] / 1024}


def same_document(ours: Path, floor: Path) -> str:
    """'equal' when the two JSON documents parse to the same sections, summary and input (the
    version, engine and ruleset hash are the program's own and differ); else the first difference."""
    a, b = json.loads(ours.read_text(encoding="utf-8")), json.loads(floor.read_text(encoding="utf-8"))
    for key in ("summary", "input", "errors", "warnings", "lang", "schema_version"):
        if a[key] != b[key]:
            return f"{key} differs"
    if len(a["schools"]) != len(b["schools"]):
        return "section count differs"
    for x, y in zip(a["schools"], b["schools"], strict=True):
        if x != y:
            return f"section {x['school_id']} differs"
    return "equal"


def e2e_main(sizes: list[int], formats: list[str], check_max: int, keep: Path | None,
             jobs: list[int] | None = None) -> int:
    """The CLI end to end against the floor, per N, on one CSV; JSON once per ``--jobs`` value."""
    import filecmp
    import tempfile

    import junheng

    jobs = jobs or [1, 2]
    exe = Path(sys.executable).with_name("junheng")
    floor = Path(__file__).with_name("floor_quality2017.py")
    print(f"junheng {junheng.__version__}, Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} cores; ruleset national/quality-2017; seed {SEED}; each row a fresh process; "
          "cpu s: the process and its workers; ru_maxrss: its largest single process; tree Pss: the peak of "
          "the summed Pss of the process and its workers, sampled every 0.1 s")
    header = (f"{'N':>8} {'program':>16} {'wall s':>8} {'cpu s':>8} {'sections/s':>11} {'per cpu s':>10} "
              f"{'ru_maxrss':>10} {'tree Pss':>10} {'output':>12} {'÷ floor wall':>12} {'÷ floor cpu':>11}  load avg")
    print(header)
    print("-" * len(header))
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            work = keep or Path(tmp)
            source = work / f"sections-{n}.csv"
            # in a child, as the comparison below: the bench itself stays small, because a child's
            # ru_maxrss (os.wait4) includes what its parent held when it was forked, before exec
            subprocess.run([sys.executable, __file__, "--csv-child", str(n), str(source)], check=True)
            outs = {"floor": work / "floor.json", "html": work / "out.html", "xlsx": work / "out.xlsx",
                    "table": work / "out.txt"}
            runs: list[tuple[str, list[str], Path]] = [
                ("floor (json)", [sys.executable, str(floor), str(source), str(outs["floor"])], outs["floor"])]
            if n <= check_max:  # the indented floor holds the whole document (≈ 90 KiB a section)
                runs.insert(0, ("floor indent 2", [sys.executable, str(floor), str(source),
                                                   str(work / "floor-indented.json"), "--indent"],
                                work / "floor-indented.json"))
            json_outs: list[Path] = []
            for fmt in formats:
                argv = [str(exe), "evaluate", str(source), "-r", "national/quality-2017", "--format", fmt]
                if fmt == "json":
                    for j in jobs:
                        out = work / f"out-j{j}.json"
                        json_outs.append(out)
                        runs.append((f"junheng json -j{j}", [*argv, "-o", str(out), "--jobs", str(j)], out))
                    continue
                argv += ["-o", str(outs[fmt])] if fmt != "table" else []
                runs.append((f"junheng {fmt}", argv, outs[fmt]))
            floor_run: dict[str, float] | None = None
            for name, argv, out in runs:
                load = os.getloadavg()[0]
                try:
                    r = timed_child(argv)
                except RuntimeError as e:
                    print(f"{n:>8} {name:>16} FAILED: {e}", flush=True)
                    continue
                if name == "floor (json)":  # compact, as junheng writes a file: the ratio's base
                    floor_run = r
                ratios = ("—", "—") if floor_run is None or name.startswith("floor") else (
                    f"{r['wall_s'] / floor_run['wall_s']:.2f}×", f"{r['cpu_s'] / floor_run['cpu_s']:.2f}×")
                size = f"{out.stat().st_size / 2**20:,.1f} MiB" if out.exists() else "stdout"
                print(f"{n:>8} {name:>16} {r['wall_s']:>8.2f} {r['cpu_s']:>8.2f} {n / r['wall_s']:>11,.0f} "
                      f"{n / r['cpu_s']:>10,.0f} {r['maxrss_mib']:>6,.0f} MiB {r['tree_pss_mib']:>6,.0f} MiB "
                      f"{size:>12} {ratios[0]:>12} {ratios[1]:>11}  {load:.1f} → {os.getloadavg()[0]:.1f}", flush=True)
            written = [p for p in json_outs if p.exists()]
            if len(written) > 1:
                same = all(filecmp.cmp(written[0], p, shallow=False) for p in written[1:])
                print(f"{n:>8} junheng json, every --jobs: {'the same bytes' if same else 'DIFFERENT BYTES'}",
                      flush=True)
            if written and n <= check_max and outs["floor"].exists():
                compare = [sys.executable, __file__, "--same-child", str(written[0]), str(outs["floor"])]
                verdict = subprocess.run(compare, capture_output=True, text=True, check=True).stdout.strip()
                print(f"{n:>8} junheng json vs floor: {verdict}", flush=True)
    return 0


def synthetic_counties_csv(counties: int, per_county: int, path: Any, seed: int = SEED) -> None:
    """``counties`` synthetic counties of ``per_county`` sections each (county i: seed + i), in one CSV
    with a 县（市、区） column, as a province or the nation would export them."""
    import csv

    from junheng.engine.numbers import decimal_text

    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        for i in range(counties):
            sections = synthetic_sections(per_county, seed + i)
            if i == 0:
                out.writerow(["school_id", "school_name", "county", "year", "level", *sections[0].values])
            for s in sections:
                out.writerow([f"C{i:04d}{s.school_id}", s.school_name, f"合成县{i:04d}", 2024, s.level.value,
                              *(decimal_text(v, 2) for v in s.values.values())])


def synthetic_county_facts_csv(counties: int, path: Any) -> None:
    """Every county's facts (the demo county's, one row per county, keyed by 县（市、区））."""
    import csv

    import yaml

    from junheng import examples

    demo = yaml.safe_load(Path(examples.__file__).with_name("demo_county_facts.yaml").read_text(encoding="utf-8"))
    facts = {k: (v["value"] if isinstance(v, dict) else v) for k, v in demo["facts"].items()}
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["county", "year", *facts])
        for i in range(counties):
            out.writerow([f"合成县{i:04d}", 2024, *(str(v).lower() if isinstance(v, bool) else v
                                                   for v in facts.values())])


def county_main(counties: int, per_county: int, jobs: list[int], keep: Path | None, formats: list[str]) -> int:
    """One ``junheng county FILE --county-facts F --format json -o`` call for ``counties`` counties of
    ``per_county`` sections each, timed end to end (fresh process, ``os.wait4``), once per ``--jobs``."""
    import tempfile

    import junheng

    exe = Path(sys.executable).with_name("junheng")
    print(f"junheng {junheng.__version__}, Python {platform.python_version()}, {os.cpu_count()} cores; "
          f"county mode, one call: {counties:,} counties × {per_county} sections "
          f"({counties * per_county:,} sections; seeds {SEED} + county); ruleset national/quality-2017")
    header = (f"{'counties':>8} {'jobs':>4} {'output':>6} {'wall s':>8} {'cpu s':>8} {'counties/s':>10} "
              f"{'sections/s':>10} {'ru_maxrss':>10} {'file':>10}  load avg")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        work = keep or Path(tmp)
        source, facts = work / "counties.csv", work / "county-facts.csv"
        synthetic_counties_csv(counties, per_county, source)
        synthetic_county_facts_csv(counties, facts)
        for n in jobs:
            for fmt in [f for f in formats if f != "html"]:  # forms are one county's: refused for several
                out = work / ("counties.json" if fmt == "json" else "counties.txt")
                argv = [str(exe), "county", str(source), "-r", "national/quality-2017", "--county-facts",
                        str(facts), "--format", fmt, "-o", str(out), "--jobs", str(n)]
                load = os.getloadavg()[0]
                try:  # exit 1: some county is not met (or cannot be decided)
                    r = timed_child(argv, ok=(0, 1))
                except RuntimeError as e:
                    print(f"{counties:>8} {n:>4} {fmt:>6} FAILED: {e}", flush=True)
                    continue
                size = f"{out.stat().st_size / 2**20:,.1f} MiB"
                print(f"{counties:>8} {n:>4} {fmt:>6} {r['wall_s']:>8.2f} {r['cpu_s']:>8.2f} "
                      f"{counties / r['wall_s']:>10,.1f} {counties * per_county / r['wall_s']:>10,.0f} "
                      f"{r['maxrss_mib']:>6,.0f} MiB {size:>10}  {load:.1f} → {os.getloadavg()[0]:.1f}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--engines", nargs="+", default=["durable", "direct"], choices=["durable", "direct"])
    parser.add_argument("--trace-engines", nargs="*", default=["durable"], choices=["durable", "direct"],
                        help="engines whose run is repeated under tracemalloc (about 4x slower)")
    parser.add_argument("--xlsx", type=int, nargs="+", metavar="N",
                        help="measure read → evaluate → write XLSX end to end for these N instead")
    parser.add_argument("--e2e", type=int, nargs="*", metavar="N",
                        help="time `junheng evaluate` end to end and the floor for these N (default 10000)")
    parser.add_argument("--formats", nargs="+", default=["json"], choices=["json", "html", "xlsx", "table"],
                        help="with --e2e: the output formats to time (json is the one compared to the floor)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2],
                        help="with --e2e or --county: time the output once per --jobs value (default 1 and 2)")
    parser.add_argument("--check-max", type=int, default=20_000,
                        help="with --e2e: compare junheng's JSON with the floor's up to this N")
    parser.add_argument("--keep", type=Path, help="with --e2e: write the CSV and outputs here, not a temp folder")
    parser.add_argument("--county", type=int, metavar="K",
                        help="time one `junheng county` call for K synthetic counties (2900 for the national target)")
    parser.add_argument("--county-sections", type=int, default=70, help="with --county: sections per county")
    parser.add_argument("--child", nargs=3, metavar=("N", "ENGINE", "TRACE"), help=argparse.SUPPRESS)
    parser.add_argument("--xlsx-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--csv-child", nargs=2, metavar=("N", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--same-child", nargs=2, metavar=("OURS", "FLOOR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.csv_child:
        synthetic_csv(int(args.csv_child[0]), Path(args.csv_child[1]))
        return 0
    if args.same_child:
        print(same_document(Path(args.same_child[0]), Path(args.same_child[1])))
        return 0
    if args.xlsx_child:
        print(json.dumps(xlsx_child(args.xlsx_child)))
        return 0
    if args.xlsx:
        return xlsx_main(args.xlsx)
    if args.county:
        return county_main(args.county, args.county_sections, args.jobs, args.keep, args.formats)
    if args.e2e is not None:
        return e2e_main(args.e2e or [10_000], args.formats, args.check_max, args.keep, args.jobs)
    if args.child:
        print(json.dumps(child(int(args.child[0]), args.child[1], args.child[2] == "1")))
        return 0

    import junheng

    print(f"junheng {junheng.__version__}, Python {platform.python_version()}, {platform.machine()}, "
          f"{platform.system()}; ruleset national/quality-2017; seed {SEED}")
    header = (f"{'N':>8} {'engine':>8} {'seconds':>8} {'sections/s':>11} {'ms/section':>11} "
              f"{'tracemalloc peak':>17} {'ru_maxrss':>10}  outcomes")
    print(header)
    print("-" * len(header))
    for n in args.n:
        for engine in args.engines:
            trace = "1" if engine in args.trace_engines else "0"
            proc = subprocess.run([sys.executable, __file__, "--child", str(n), engine, trace],
                                  capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                print(f"{n:>8} {engine:>8} FAILED (exit {proc.returncode}): {proc.stderr.strip()[-500:]}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            o = r["outcomes"]
            traced = "—" if r["tracemalloc_peak_mib"] is None else f"{r['tracemalloc_peak_mib']:,.0f}"
            print(f"{n:>8} {engine:>8} {r['seconds']:>8.2f} {r['sections_per_second']:>11,.0f} "
                  f"{r['ms_per_section']:>11.3f} {traced:>13} MiB "
                  f"{r['ru_maxrss_mib']:>6,.0f} MiB  "
                  f"passed {o['passed']}, failed {o['failed']}, unknown {o['unknown']}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

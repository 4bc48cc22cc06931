"""Benchmark: writing the evaluation JSON (``school_json`` + encoding), without reading or evaluating.

Not a test. The CSV is read and evaluated once (untimed) and the run pickled; then each repeat is a
fresh child process (cold caches, as one ``junheng evaluate`` call has them) that unpickles the run
and times, in CPU seconds (``time.process_time``):

* ``dicts``: ``school_json`` of every section (the document's members, words rendered);
* ``write``: ``write_evaluation_json`` of the whole run into a sink that only counts the bytes
  (what ``junheng evaluate FILE --format json -o out.json`` spends writing, less the disk).

It prints the median and the spread of the repeats. The same script runs on older commits (the
sink takes ``str`` or ``bytes``), so before/after figures come from one script.

Usage::

    python bench/bench_json_writer.py /work/baseline/n10k.csv -r national/quality-2017
    python bench/bench_json_writer.py FILE.csv --lang en --indent 2 --repeats 5
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


class _Sink:
    """A write handle that only counts what it is given (text as UTF-8 bytes)."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: str | bytes) -> int:
        self.size += len(data.encode("utf-8")) if isinstance(data, str) else len(data)
        return len(data)


def _child(pickled: Path, lang: str, indent: int | None) -> None:
    from junheng.cli.json_output import school_json, write_evaluation_json

    with pickled.open("rb") as f:
        run = pickle.load(f)
    t0 = time.process_time()
    write_evaluation_json(_Sink(), run, lang, indent)  # type: ignore[arg-type]
    write = time.process_time() - t0
    t0 = time.process_time()
    for s in run.schools:
        school_json(s, lang)
    dicts = time.process_time() - t0  # second pass: per-rule words already rendered once
    sink = _Sink()
    write_evaluation_json(sink, run, lang, indent)  # type: ignore[arg-type]
    print(f"{write:.4f} {dicts:.4f} {sink.size} {len(run.schools)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("-r", "--ruleset", default="national/quality-2017")
    parser.add_argument("--lang", default="zh", choices=["zh", "en"])
    parser.add_argument("--indent", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        path, lang, indent = args.child
        _child(Path(path), lang, None if indent == "-" else int(indent))
        return 0

    from junheng import api

    loaded = api.load_ruleset(args.ruleset)
    result = api.evaluate(api.read_facts(args.file), loaded, lang=args.lang)
    with tempfile.TemporaryDirectory() as tmp:
        pickled = Path(tmp) / "run.pickle"
        with pickled.open("wb") as f:
            pickle.dump(result.run, f, protocol=pickle.HIGHEST_PROTOCOL)
        rows: list[list[float]] = []
        for _ in range(args.repeats):
            out = subprocess.run(
                [sys.executable, __file__, str(args.file), "--child", str(pickled), args.lang,
                 "-" if args.indent is None else str(args.indent)],
                check=True, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
            rows.append([float(x) for x in out.stdout.split()])
    write = [r[0] for r in rows]
    dicts = [r[1] for r in rows]
    size, sections = int(rows[0][2]), int(rows[0][3])
    info: dict[str, Any] = {"ruleset": args.ruleset, "lang": args.lang, "indent": args.indent}
    print(f"{info} sections={sections} output={size / 2**20:.1f} MiB load={os.getloadavg()[0]:.1f}")
    print(f"  write (school_json + encoding, cold): median {statistics.median(write):.3f} CPU s "
          f"[{min(write):.3f}–{max(write):.3f}]  {sections / statistics.median(write):,.0f} sections/CPU s")
    print(f"  school_json only (warm):             median {statistics.median(dicts):.3f} CPU s "
          f"[{min(dicts):.3f}–{max(dicts):.3f}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

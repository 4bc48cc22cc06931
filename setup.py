"""Only what pyproject.toml cannot say: the runtime dependencies, because on Python 3.13
durable_rules comes from ``packaging/durable-rules`` (durable_rules 2.0.28 from the PyPI sdist with
the upstream fix for 3.13), and a dependency can name a local project only by absolute path."""

from pathlib import Path

from setuptools import setup

DURABLE_FOR_313 = (Path(__file__).resolve().parent / "packaging" / "durable-rules").as_uri()

setup(
    install_requires=[
        "durable-rules==2.0.28; python_version < '3.13'",
        f"durable-rules @ {DURABLE_FOR_313} ; python_version >= '3.13'",
        "pydantic>=2.6,<3",
        "typer>=0.12",
        "PyYAML>=6.0",
        "rich>=13",
        "openpyxl>=3.1",
        # Legacy Excel 97-2003 workbooks (.xls), which county offices still keep: calamine (Rust, MIT)
        # reads them with merged ranges; there is no maintained pure-Python .xls reader.
        "python-calamine>=0.2",
        # Report workbooks are streamed (constant memory, linear in rows, text always literal) with native charts.
        "XlsxWriter>=3.1",
        # `junheng check` (property checks of a ruleset revision) is a user feature: a runtime dependency.
        "hypothesis>=6.100",
        # `junheng plan` (issue 13): the HiGHS LP/MIP solver (MIT), grown in place round after round.
        "highspy>=1.7",
        # JSON documents (200,000 sections) are encoded by orjson (Rust, MIT/Apache-2.0), several times
        # faster than the standard library; cli/json_output.encode keeps the standard library's exact
        # bytes (it falls back to json where orjson would print otherwise).
        "orjson>=3.10",
    ],
)

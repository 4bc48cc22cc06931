"""The Python API of junheng (均衡), for analysts and other programs; the CLI is built on it.

Everything here is exported from the package: ``import junheng``::

    r = junheng.evaluate("学校数据.csv", "national/quality-2017")
    r.to_dict()["summary"]        # exactly the JSON of ``junheng evaluate --format json``
    r.to_pandas()                 # one row per school section × rule (pip install "junheng[pandas]")

Facts are a file (CSV, XLSX, JSON, YAML), an already read :class:`FactsBatch`, or a pandas or
polars DataFrame, which is read exactly like the same table saved as CSV (same validation, same
error records; row numbers are those of that CSV: the header is row 1). Rulesets are a bundled id,
``id@version``, a YAML path, or a :class:`LoadedRuleset`. Numbers in the results are exact
fractions; ``to_dict`` rounds them as the JSON contract does, ``to_pandas``/``to_polars`` give them
as exact decimals (or text) — never floats.

``import junheng`` loads neither durable_rules (imported on the first durable evaluation), nor
hypothesis (imported by :func:`check`), nor typer/rich (the command line), nor pandas/polars.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from junheng.cli.compare_json import compare_json, diff_json
from junheng.cli.county_json import county_json
from junheng.cli.json_output import dumps, evaluation_json, missing_names, rule_json
from junheng.cli.render.explain import explain_criterion
from junheng.engine.compare import Comparison
from junheng.engine.compare import compare as _compare
from junheng.engine.county import evaluate_county as _evaluate_county
from junheng.engine.county_results import CountyRun
from junheng.engine.diff import RulesetDiff
from junheng.engine.diff import diff as _diff
from junheng.engine.evaluate import EngineName, run_evaluation
from junheng.engine.numbers import to_decimal
from junheng.engine.results import EvaluationRun, RuleResult, SchoolResult
from junheng.policy.county_facts import CountyFacts, parse_county_facts, read_county_facts
from junheng.policy.inputs import FactsBatch, InputIssue
from junheng.policy.loader import LoadedRuleset
from junheng.policy.readers import read_facts as _read_facts_file
from junheng.policy.readers import read_facts_text
from junheng.policy.versions import load_at

if TYPE_CHECKING:  # optional extras: never imported unless asked for
    import pandas
    import polars

    from junheng.engine.check import CheckReport, Expectation

__all__ = [
    "CountyEvaluation",
    "Evaluation",
    "FactsBatch",
    "LoadedRuleset",
    "NumberStyle",
    "RulesetComparison",
    "RulesetDifference",
    "check",
    "compare",
    "diff",
    "evaluate",
    "evaluate_county",
    "load_ruleset",
    "read_facts",
]

Lang = Literal["zh", "en"]
NumberStyle = Literal["decimal", "string"]
"""How ``to_pandas``/``to_polars`` give exact numbers: ``"decimal"`` a :class:`~decimal.Decimal`
(exact when the value has a finite decimal expansion — every input figure, requirement and
shortfall — otherwise rounded half up to ``places`` decimals, e.g. 4450/1289 m² per student);
``"string"`` exact text ("3026.2", or "4450/1289" when the decimal expansion does not end)."""
FactsInput = str | os.PathLike[str] | FactsBatch | Any
"""A facts file path, a :class:`FactsBatch`, or a pandas/polars DataFrame."""
RulesetInput = str | os.PathLike[str] | LoadedRuleset


# --- inputs ----------------------------------------------------------------------------------


def load_ruleset(id_or_path: RulesetInput, at: dt.date | str | None = None) -> LoadedRuleset:
    """A ruleset by bundled id (``national/quality-2017``), ``id@version`` or YAML path; with ``at``
    (a date or ``YYYY-MM-DD``), the version in force on that day. Raises
    :class:`junheng.policy.loader.RulesetError` (file, line, key; zh and en) when it cannot be used."""
    if isinstance(id_or_path, LoadedRuleset):
        return id_or_path
    day = dt.date.fromisoformat(at) if isinstance(at, str) else at
    return load_at(os.fspath(id_or_path), day)


def read_facts(path_or_dataframe: FactsInput, *, name: str | None = None,
               columns: Mapping[str, str | None] | None = None) -> FactsBatch:
    """School-section facts from a file (CSV/XLSX/JSON/YAML, by suffix) or a pandas/polars
    DataFrame. Bad rows are not raised: each becomes an error record in ``batch.issues`` (file,
    row, column, value, zh and en) and the other rows are kept. ``name`` labels a DataFrame in
    those records (default ``DataFrame``). ``columns`` maps headers to facts (as ``--columns``;
    see :func:`junheng.policy.readers.read_column_map`). Raises FileNotFoundError for a missing file and
    :class:`junheng.policy.readers.UnsupportedFormatError` for an unknown suffix."""
    if isinstance(path_or_dataframe, FactsBatch):
        return path_or_dataframe
    if isinstance(path_or_dataframe, str | os.PathLike):
        path = Path(path_or_dataframe)
        if not path.is_file():
            raise FileNotFoundError(f"找不到文件 / no such file: {path}")
        return _read_facts_file(path, columns)
    text = _dataframe_csv(path_or_dataframe)
    return read_facts_text(text, "csv", name or "DataFrame", columns)


def _dataframe_csv(frame: Any) -> str:
    """The DataFrame as the CSV text a spreadsheet export of it would be: one header row, each
    cell as its written text (a missing value is an empty cell)."""
    kind = type(frame).__module__.split(".", 1)[0]
    rows: Iterable[Sequence[Any]]
    if kind == "pandas" and hasattr(frame, "itertuples"):
        if any(n is not None for n in frame.index.names):  # a named index (e.g. school_id) is a column
            frame = frame.reset_index()
        headers = [str(c) for c in frame.columns]
        rows = frame.itertuples(index=False, name=None)
    elif kind == "polars" and hasattr(frame, "iter_rows"):
        headers = [str(c) for c in frame.columns]
        rows = frame.iter_rows()
    else:
        raise TypeError(f"facts must be a file path, a FactsBatch or a pandas/polars DataFrame, "
                        f"not {type(frame).__name__}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell_text(v) for v in row])
    return out.getvalue()


def _cell_text(value: Any) -> str:
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()  # numpy scalar → Python scalar
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)  # the shortest text that reads back as it
    if isinstance(value, Decimal):
        return "" if value.is_nan() else format(value, "f")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _county_facts(value: str | os.PathLike[str] | Mapping[str, Any] | CountyFacts | None) -> CountyFacts | None:
    if value is None or isinstance(value, CountyFacts):
        return value
    if isinstance(value, Mapping):
        return parse_county_facts(dict(value), "county_facts")
    path = Path(value)
    if not path.is_file():
        raise FileNotFoundError(f"找不到文件 / no such file: {path}")
    return read_county_facts(path)


# --- exact numbers for data frames -----------------------------------------------------------


def _exact(value: Fraction | int | None, numbers: NumberStyle, places: int) -> Decimal | str | None:
    if value is None:
        return None
    value = Fraction(value)
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den == 1:  # a finite decimal expansion: exact
        k = max(twos, fives)
        exact = Decimal(value.numerator * 10**k // value.denominator).scaleb(-k)
        return format(exact, "f") if numbers == "string" else exact
    if numbers == "string":
        return f"{value.numerator}/{value.denominator}"
    return to_decimal(value, places)


def _missing(library: str, method: str) -> ImportError:
    return ImportError(f'{method}() needs {library}: pip install "junheng[{library}]"')


def _pandas_frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pandas.DataFrame:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise _missing("pandas", "to_pandas") from exc
    return pd.DataFrame(rows, columns=list(columns))


def _polars_frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> polars.DataFrame:
    try:
        import polars as pl
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise _missing("polars", "to_polars") from exc
    # A Decimal column takes the largest scale of its values (exact); lists of names stay strings
    # even when every list is empty.
    lists = {c: pl.List(pl.String) for c in columns if c == "missing_facts"}
    return pl.DataFrame({c: [r.get(c) for r in rows] for c in columns}, strict=False, schema_overrides=lists)


class _Tabular:
    """``to_pandas``/``to_polars`` from :meth:`rows` (one dict per row, fixed columns)."""

    COLUMNS: ClassVar[tuple[str, ...]] = ()

    def rows(self, numbers: NumberStyle = "decimal", places: int = 12) -> list[dict[str, Any]]:
        raise NotImplementedError

    def to_pandas(self, numbers: NumberStyle = "decimal", places: int = 12) -> pandas.DataFrame:
        """The rows as a pandas DataFrame (``pip install "junheng[pandas]"``)."""
        return _pandas_frame(self.rows(numbers, places), self.COLUMNS)

    def to_polars(self, numbers: NumberStyle = "decimal", places: int = 12) -> polars.DataFrame:
        """The rows as a polars DataFrame (``pip install "junheng[polars]"``)."""
        return _polars_frame(self.rows(numbers, places), self.COLUMNS)


# --- results ---------------------------------------------------------------------------------

_SCHOOL_COLUMNS = ("school_id", "level", "school_name", "school_type", "students", "school_passed",
                   "school_outcome", "row")
_RULE_COLUMNS = ("rule_id", "kind", "title", "passed", "outcome", "actual", "required", "op", "unit", "gap",
                 "shortfall_total", "shortfall_unit", "shortfall_fact", "shortfall_direction", "shortfall_target",
                 "missing_facts", "explanation", "text", "article", "source", "status", "parameter_status")
_EXTRA_COLUMNS = ("gate_met_count", "gate_min_met", "gate_floor", "points_awarded", "points_max", "points_deducted")


def _result_rows(schools: Iterable[SchoolResult], lang: str, numbers: NumberStyle,
                 places: int) -> Iterator[dict[str, Any]]:
    """One row per school section × rule: the contract's fields of each rule (``rule_json``, the
    code of the JSON output) with its numbers exact, after the section's fields."""
    def x(v: Fraction | None) -> Decimal | str | None:
        return _exact(v, numbers, places)

    for s in schools:
        head = {"school_id": s.school_id, "level": s.level.value, "school_name": s.school_name,
                "school_type": s.school_type, "students": x(s.students), "school_passed": s.passed,
                "school_outcome": s.outcome.value, "row": s.row}
        for r in s.results:
            row = {**head, **{k: v for k, v in rule_json(r, lang).items() if k in _RULE_COLUMNS}}
            row.update(_exact_rule_numbers(r, x))
            yield row


def _exact_rule_numbers(r: RuleResult, x: Any) -> dict[str, Any]:
    sf, score = r.shortfall, r.score
    return {
        "actual": x(r.actual), "required": x(r.required), "gap": x(r.gap),
        "shortfall_total": x(sf.amount) if sf else None, "shortfall_target": x(sf.target) if sf else None,
        "gate_met_count": r.met_count, "gate_min_met": r.min_met, "gate_floor": x(r.floor),
        "points_awarded": x(score.awarded) if score else None, "points_max": x(score.points) if score else None,
        "points_deducted": x(score.deducted) if score else None,
    }


@dataclass(frozen=True)
class Evaluation(_Tabular):
    """What :func:`evaluate` returns: the run (every section's results, exact) and its inputs."""

    run: EvaluationRun
    facts: FactsBatch
    ruleset: LoadedRuleset
    lang: Lang = "zh"

    COLUMNS = (*_SCHOOL_COLUMNS, *_RULE_COLUMNS, *_EXTRA_COLUMNS)

    @property
    def schools(self) -> tuple[SchoolResult, ...]:
        return self.run.schools

    @property
    def issues(self) -> tuple[InputIssue, ...]:
        """Every input problem: errors (the row was not evaluated) and warnings."""
        return self.run.issues

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        """The document ``junheng evaluate --format json`` prints (schema evaluation/1)."""
        return evaluation_json(self.run, lang or self.lang)

    def to_json(self, lang: Lang | None = None) -> str:
        return dumps(self.to_dict(lang))

    def rows(self, numbers: NumberStyle = "decimal", places: int = 12) -> list[dict[str, Any]]:
        """One dict per school section × rule (the columns of :attr:`COLUMNS`)."""
        return list(_result_rows(self.run.schools, self.lang, numbers, places))


_CRITERION_COLUMNS = ("criterion_id", "kind", "group", "title", "passed", "outcome", "actual", "required",
                      "op", "unit", "missing_facts", "explanation", "text", "article", "source", "status",
                      "parameter_status")


@dataclass(frozen=True)
class CountyEvaluation(_Tabular):
    """What :func:`evaluate_county` returns; rows are the county criteria (one per criterion)."""

    run: CountyRun
    lang: Lang = "zh"

    COLUMNS = _CRITERION_COLUMNS

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        """The document ``junheng county --format json`` prints (schema county/1)."""
        return county_json(self.run, lang or self.lang)

    def to_json(self, lang: Lang | None = None) -> str:
        return dumps(self.to_dict(lang))

    def rows(self, numbers: NumberStyle = "decimal", places: int = 12) -> list[dict[str, Any]]:
        out = []
        for c in self.run.criteria:
            out.append({
                "criterion_id": c.criterion_id, "kind": c.kind, "group": c.group, "title": c.title.get(self.lang),
                "passed": c.passed, "outcome": c.outcome.value, "actual": _exact(c.actual, numbers, places),
                "required": _exact(c.required, numbers, places), "op": c.op, "unit": c.unit,
                "missing_facts": missing_names(c.missing_facts),
                "explanation": explain_criterion(c, self.run, self.lang),
                "text": c.text, "article": c.article, "source": c.source, "status": c.status.value,
                "parameter_status": c.parameter_status.value if c.parameter_status else None,
            })
        return out


_SIDE_FIELDS = ("outcome", "actual", "required", "op", "unit", "points", "max_points", "status")


@dataclass(frozen=True)
class RulesetComparison(_Tabular):
    """What :func:`compare` returns; rows are school section × rule whose result changed."""

    comparison: Comparison
    facts: FactsBatch
    lang: Lang = "zh"

    COLUMNS = ("school_id", "level", "school_name", "outcome_before", "outcome_after", "rule_id", "title",
               "change", "threshold_moved", *(f"before_{f}" for f in _SIDE_FIELDS),
               *(f"after_{f}" for f in _SIDE_FIELDS))

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        """The document ``junheng compare --format json`` prints (schema compare/1)."""
        return compare_json(self.comparison, lang or self.lang)

    def to_json(self, lang: Lang | None = None) -> str:
        return dumps(self.to_dict(lang))

    def rows(self, numbers: NumberStyle = "decimal", places: int = 12) -> list[dict[str, Any]]:
        out = []
        for s in self.comparison.schools:
            for c in s.changes:
                row: dict[str, Any] = {
                    "school_id": s.school_id, "level": s.level.value, "school_name": s.school_name,
                    "outcome_before": s.before.value if s.before else None,
                    "outcome_after": s.after.value if s.after else None,
                    "rule_id": c.rule_id, "title": c.title.get(self.lang), "change": c.change,
                    "threshold_moved": c.threshold_moved,
                }
                for prefix, side in (("before", c.before), ("after", c.after)):
                    for f in _SIDE_FIELDS:
                        v = getattr(side, f) if side is not None else None
                        row[f"{prefix}_{f}"] = (_exact(v, numbers, places) if isinstance(v, Fraction)
                                                else getattr(v, "value", v))
                out.append(row)
        return out


@dataclass(frozen=True)
class RulesetDifference(_Tabular):
    """What :func:`diff` returns; rows are the changed rules, one per rule and compared number."""

    diff: RulesetDiff
    lang: Lang = "zh"

    COLUMNS = ("rule_id", "title", "kind", "key", "direction", "op_before", "op_after", "before", "after")

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        """The document ``junheng diff --format json`` prints (schema diff/1)."""
        return diff_json(self.diff, lang or self.lang)

    def to_json(self, lang: Lang | None = None) -> str:
        return dumps(self.to_dict(lang))

    def rows(self, numbers: NumberStyle = "decimal", places: int = 12) -> list[dict[str, Any]]:
        out = []
        for d in self.diff.changes:
            before = d.before.values if d.before else {}
            after = d.after.values if d.after else {}
            keys: list[str | None] = [*before, *(k for k in after if k not in before)]
            for key in keys or [None]:
                out.append({
                    "rule_id": d.rule_id, "title": d.title.get(self.lang), "kind": d.kind, "key": key,
                    "direction": d.levels.get(key) if key is not None else None,
                    "op_before": d.before.op if d.before else None, "op_after": d.after.op if d.after else None,
                    "before": _exact(before.get(key), numbers, places) if key is not None else None,
                    "after": _exact(after.get(key), numbers, places) if key is not None else None,
                })
        return out


# --- what the commands do ------------------------------------------------------------------


def evaluate(facts: FactsInput, ruleset: RulesetInput, *, at: dt.date | str | None = None, lang: Lang = "zh",
             engine: EngineName = "durable") -> Evaluation:
    """Evaluate every school section of ``facts`` against ``ruleset`` (``junheng evaluate``).

    Rows with bad cells are not evaluated and are listed in ``issues`` / ``to_dict()["errors"]``;
    a missing figure makes what depends on it ``unknown`` (无法判定), never a pass."""
    loaded = load_ruleset(ruleset, at)
    batch = read_facts(facts)
    return Evaluation(run_evaluation(loaded, batch, engine), batch, loaded, lang)


def evaluate_county(facts: FactsInput, ruleset: RulesetInput = "national/quality-2017", *,
                    county_facts: str | os.PathLike[str] | Mapping[str, Any] | CountyFacts | None = None,
                    school_ruleset: RulesetInput | None = None, at: dt.date | str | None = None,
                    lang: Lang = "zh", engine: EngineName = "durable") -> CountyEvaluation:
    """Evaluate one county (``junheng county``): every section of ``facts`` and the county-level
    figures (``county_facts``: a YAML/JSON file or a mapping) against the ruleset's county part.
    Raises :class:`junheng.policy.county_inputs.CountyEvaluationError` for a ruleset without one."""
    loaded = load_ruleset(ruleset, at)
    school = load_ruleset(school_ruleset, at) if school_ruleset is not None else None
    run = _evaluate_county(loaded, read_facts(facts), _county_facts(county_facts), school, engine)
    return CountyEvaluation(run, lang)


def compare(facts: FactsInput, ruleset: RulesetInput, against: RulesetInput, *, at: dt.date | str | None = None,
            lang: Lang = "zh", engine: EngineName = "durable") -> RulesetComparison:
    """The same schools under two rulesets (``junheng compare``): each verdict before and after,
    and what the second one asks for."""
    base, other = load_ruleset(ruleset, at), load_ruleset(against, at)
    batch = read_facts(facts)
    return RulesetComparison(_compare(base, other, batch.sections, engine, batch=batch), batch, lang)


def diff(ruleset: RulesetInput, against: RulesetInput, *, at: dt.date | str | None = None,
         lang: Lang = "zh") -> RulesetDifference:
    """What changed between two rulesets, rule by rule (``junheng diff``)."""
    return RulesetDifference(_diff(load_ruleset(ruleset, at), load_ruleset(against, at)), lang)


def check(ruleset: RulesetInput, *, against: RulesetInput | None = None, expect: Expectation | None = None,
          only: Iterable[str] = (), examples: int = 150, engine: EngineName = "durable") -> CheckReport:
    """Property checks of a ruleset revision (``junheng check``; uses hypothesis). The report's
    ``ok`` is True when every invariant holds; a failed one carries its smallest counter-example."""
    from junheng.engine.check import CheckSettings, run_checks  # hypothesis: only when checking

    new = load_ruleset(ruleset)
    old = load_ruleset(against) if against is not None else None
    return run_checks(new.ruleset, against=old.ruleset if old else None, expect=expect, only=tuple(only),
                      check=CheckSettings(max_examples=examples, engine=engine),
                      ruleset_name=_name(ruleset), against_name=None if against is None else _name(against))


def _name(ruleset: RulesetInput) -> str:
    return ruleset.ruleset.id if isinstance(ruleset, LoadedRuleset) else os.fspath(ruleset)


"""The Python API (``import junheng``): expectations worked out by hand from 教督〔2017〕6号.

School A (junior, 1289 students, 4450 m² of teaching and auxiliary rooms) against
national/quality-2017, whose junior requirement is 5.8 m² per student:
  actual = 4450/1289 m² per student (1289 is prime, so the fraction is in lowest terms);
  target = 1289 × 5.8 = 7476.2 m²; shortfall = 7476.2 − 4450 = 3026.2 m²;
  gap = 5.8 − 4450/1289 = 3026.2/1289 = 15131/6445 m² per student;
  attainment 4450/1289 ÷ 5.8 ≈ 0.595 < 0.85, so the 6-of-7 gate fails whatever the other six do.
The ruleset has 7 resource indicators and the gate: 8 rows per junior section.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

import junheng
from junheng.cli.app import app
from junheng.examples import example_path

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

SCHEMAS = Path(junheng.__file__).parent / "schemas"
DEMO = example_path("demo_county.csv")
ROWS = {"school_id": ["A", "B"], "level": ["初中", "junior"], "students": [1289, "abc"],
        "teaching_aux_area_m2": [4450, 100]}


def _schema(name: str) -> dict[str, object]:
    return json.loads((SCHEMAS / f"{name}-1.schema.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_public_names() -> None:
    for name in ("load_ruleset", "read_facts", "evaluate", "evaluate_county", "compare", "diff", "check",
                 "__version__"):
        assert name in junheng.__all__
        assert hasattr(junheng, name)


def test_import_is_light() -> None:
    code = ("import sys, junheng; print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'durable', 'durable_rules_engine', 'hypothesis', 'typer', 'rich', 'pandas', 'polars', 'openpyxl'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def test_done_when_one_liner() -> None:
    # the issue's one-liner: a file path and a bundled id
    r = junheng.evaluate(str(DEMO), "national/quality-2017")
    summary = r.to_dict()["summary"]
    assert summary["sections"] == 8  # demo_county.csv has 8 data rows, one section each
    assert summary["passed"] + summary["failed"] + summary["unknown"] == 8


def test_dataframe_school_a_exact_numbers() -> None:
    r = junheng.evaluate(pd.DataFrame(ROWS), "national/quality-2017")
    df = r.to_pandas()
    assert len(df) == 8  # one valid junior section × (7 indicators + the gate)
    row = df[df.rule_id == "resource.teaching_area"].iloc[0]
    assert row.outcome == "failed" and not row.passed
    assert row.required == Decimal("5.8")
    assert row.shortfall_total == Decimal("3026.2")
    assert row.shortfall_target == Decimal("7476.2")
    assert row.shortfall_fact == "teaching_aux_area_m2"
    text = r.to_pandas(numbers="string").set_index("rule_id").loc["resource.teaching_area"]
    assert text.actual == "4450/1289"
    assert text.gap == "15131/6445"
    assert text.shortfall_total == "3026.2"
    gate = df[df.rule_id == "resource.six_of_seven"].iloc[0]
    assert gate.outcome == "failed"
    assert gate.school_outcome == "failed"
    # a figure not given is never a pass: the other six are unknown and name the missing fact
    sports = df[df.rule_id == "resource.sports_area"].iloc[0]
    assert sports.outcome == "unknown" and list(sports.missing_facts) == ["sports_area_m2"]


def test_dataframe_errors_match_the_same_table_as_csv(tmp_path: Path) -> None:
    frame = pd.DataFrame(ROWS)
    csv_path = tmp_path / "schools.csv"
    frame.to_csv(csv_path, index=False)
    from_frame = junheng.read_facts(frame, name="schools.csv")
    from_file = junheng.read_facts(csv_path)
    assert from_frame.issues == from_file.issues
    assert [s.values for s in from_frame.sections] == [s.values for s in from_file.sections]
    (err,) = from_frame.errors
    # B's students cell: the header is row 1, A is row 2, B is row 3
    assert (err.row, err.column, err.value) == (3, "students", "abc")
    assert err.message_zh and err.message_en
    d = junheng.evaluate(frame, "national/quality-2017").to_dict()
    assert d["input"]["rows_read"] == 2 and d["input"]["rows_rejected"] == 1
    assert [s["school_id"] for s in d["schools"]] == ["A"]  # one bad row never loses the good one


def test_dataframe_missing_values_and_floats() -> None:
    # NaN is an empty cell (missing, never 0); a float is read from its shortest text (4450.5)
    frame = pd.DataFrame({"school_id": ["A"], "level": ["junior"], "students": [1289.0],
                          "teaching_aux_area_m2": [4450.5], "sports_area_m2": [float("nan")]})
    rows = junheng.evaluate(frame, "national/quality-2017").to_pandas(numbers="string").set_index("rule_id")
    # 1289 × 5.8 − 4450.5 = 3025.7
    assert rows.loc["resource.teaching_area"].shortfall_total == "3025.7"
    assert rows.loc["resource.sports_area"].outcome == "unknown"


def test_polars_in_and_out() -> None:
    frame = pl.DataFrame({k: [str(v) for v in vs] for k, vs in ROWS.items()})
    r = junheng.evaluate(frame, "national/quality-2017")
    out = r.to_polars()
    assert out.height == 8
    row = out.filter(pl.col("rule_id") == "resource.teaching_area").row(0, named=True)
    assert row["shortfall_total"] == Decimal("3026.2")
    assert row["required"] == Decimal("5.8")
    assert out.schema["missing_facts"] == pl.List(pl.String)


def test_to_dict_is_the_cli_json_and_valid(tmp_path: Path) -> None:
    api_doc = junheng.evaluate(DEMO, "national/quality-2017", lang="en").to_dict()
    cli = CliRunner().invoke(app, ["evaluate", str(DEMO), "-r", "national/quality-2017", "--format", "json",
                                   "--lang", "en"])
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.stdout) == api_doc
    jsonschema.validate(api_doc, _schema("evaluation"))


def test_direct_engine_gives_the_same_document() -> None:
    durable = junheng.evaluate(DEMO, "national/quality-2017").to_dict()
    direct = junheng.evaluate(DEMO, "national/quality-2017", engine="direct").to_dict()
    assert durable.pop("engine") == "durable_rules 2.0.28" and direct.pop("engine") == "direct"
    assert durable == direct


def test_load_ruleset_at_a_date() -> None:
    assert junheng.load_ruleset("national/quality-2017", at="2024-09-01").ruleset.id == "national/quality-2017"


def test_missing_file_and_bad_input() -> None:
    with pytest.raises(FileNotFoundError):
        junheng.read_facts("no/such/file.csv")
    with pytest.raises(TypeError):
        junheng.read_facts([1, 2, 3])


def test_diff_rows_exact() -> None:
    # Anhui 生均运动场地面积: 2007 小学 6 / 初中 8 m² → 2018 小学 7.7 / 初中 10.6 m² (tighter)
    d = junheng.diff("anhui/school-2007", "anhui/school-2018")
    rows = d.to_pandas()
    sports = rows[rows.rule_id == "campus.sports_area"].set_index("key")
    assert sports.loc["primary"].before == Decimal("6") and sports.loc["primary"].after == Decimal("7.7")
    assert sports.loc["junior"].before == Decimal("8") and sports.loc["junior"].after == Decimal("10.6")
    assert set(sports.direction) == {"tighter"}
    jsonschema.validate(d.to_dict(), _schema("diff"))


def test_compare_and_county_documents_are_valid() -> None:
    c = junheng.compare(DEMO, "anhui/school-2007", "anhui/school-2018")
    jsonschema.validate(c.to_dict(), _schema("compare"))
    assert {"school_id", "rule_id", "before_required", "after_required"} <= set(c.to_pandas().columns)
    county = junheng.evaluate_county(DEMO, "national/basic-2012",
                                     county_facts=example_path("demo_county_facts.yaml"))
    doc = county.to_dict()
    jsonschema.validate(doc, _schema("county"))
    assert len(county.to_pandas()) == len(doc["criteria"])


def test_check_a_revision() -> None:
    report = junheng.check("anhui/school-2018", against="anhui/school-2007", expect="tighter", examples=10)
    assert report.ok, [r.name for r in report.results if not r.passed]


def test_cli_direct_engine_never_imports_durable() -> None:
    code = f"""
import sys
from typer.testing import CliRunner
from junheng.cli.app import app
result = CliRunner().invoke(app, ["evaluate", {str(DEMO)!r}, "--engine", "direct", "--format", "json"])
assert result.exit_code == 0, result.output
assert '"engine": "direct"' in result.stdout
print(sorted(m for m in sys.modules if m.split(".")[0] in ("durable", "durable_rules_engine")))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(("args", "api_call"), [
    (["compare", str(DEMO), "-r", "anhui/school-2007", "--against", "anhui/school-2018"],
     lambda: junheng.compare(DEMO, "anhui/school-2007", "anhui/school-2018", lang="en")),
    (["diff", "anhui/school-2007", "anhui/school-2018"],
     lambda: junheng.diff("anhui/school-2007", "anhui/school-2018", lang="en")),
    (["county", str(DEMO), "-r", "national/basic-2012", "--county-facts", str(example_path("demo_county_facts.yaml"))],
     lambda: junheng.evaluate_county(DEMO, "national/basic-2012", county_facts=example_path("demo_county_facts.yaml"),
                                     lang="en")),
])
def test_every_to_dict_is_the_cli_json(args: list[str], api_call: Any) -> None:
    cli = CliRunner().invoke(app, [*args, "--format", "json", "--lang", "en"])
    assert cli.exit_code in (0, 1), cli.output  # county: 1 when the county is not met
    assert json.loads(cli.stdout) == api_call().to_dict()


def test_points_columns_of_a_scored_ruleset() -> None:
    # Guangxi B1 (18 points, "每少0.5平方米扣1分"): 4450/1289 = 3.452 m²/生 against 4.39, short by
    # 0.938 → ⌊0.938 / 0.5⌋ = 1 point off → 17. B8 (6 points, proportional, rounded):
    # 6 × 32.29% ÷ 50% = 3.875 → 4, 2 off.
    rows = junheng.evaluate(example_path("guangxi_school_a.csv"), "guangxi/school-b").to_pandas(numbers="string")
    by_rule = rows.set_index("rule_id")
    assert (by_rule.loc["B1"].points_awarded, by_rule.loc["B1"].points_max) == ("17", "18")
    assert (by_rule.loc["B8"].points_awarded, by_rule.loc["B8"].points_deducted) == ("4", "2")

"""Every county of a file in one call (issue 12 item 5): each county judged on its own sections and
facts, exactly as a call for that county alone would judge it; facts per county from a file each, a
folder, or one file keyed by county; rows without a county never assigned by guesswork."""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.county_json import county_entry_json, county_json
from junheng.engine.county import evaluate_counties, evaluate_county
from junheng.policy.county_facts_keyed import match_counties, read_county_facts_set
from junheng.policy.county_inputs import group_by_county
from junheng.policy.readers import read_facts
from junheng.policy.registry import load_ruleset

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "junheng/schemas/county-1.schema.json")
                    .read_text(encoding="utf-8"))
RULESET = "national/quality-2017"
HEADER = ["school_id", "school_name", "county", "year", "level", "students", "teachers_above_required_degree",
          "backbone_teachers", "pe_art_teachers", "teaching_aux_area_m2", "sports_area_m2",
          "equipment_value_yuan", "multimedia_classrooms", "max_class_size"]


def _row(school: str, county: str, teaching_area: int) -> list[object]:
    # 100 students each: every other resource the same in every school (its CV is 0)
    return [school, f"{school}小学", county, 2024, "小学", 100, 6, 2, 2, teaching_area, 800, 250000, 3, 40]


# Two primary schools of 100 students each per county; only 教学及辅助用房 differs (equal enrolment,
# so the weighted and the unweighted CV are the same):
#   甲县: 500 and 700 m² → 5 and 7 m²/生; mean 6; variance ½·1² + ½·1² = 1; S = 1; CV = 1/6 ≈ 0.1667 ≤ 0.50 → met
#   乙县: 200 and 1000 m² → 2 and 10 m²/生; mean 6; variance ½·4² + ½·4² = 16; S = 4; CV = 4/6 ≈ 0.6667 > 0.50
ROWS = [_row("A1", "甲县", 500), _row("B1", "乙县", 200), _row("A2", "甲县", 700), _row("B2", "乙县", 1000)]


def _csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def _counties(doc: dict[str, object]) -> dict[str, dict[str, object]]:
    return {c["county"]: c for c in doc["counties"]}  # type: ignore[attr-defined, index]


def _criterion(county: dict[str, object], cid: str) -> dict[str, object]:
    return next(c for c in county["criteria"] if c["criterion_id"] == cid)  # type: ignore[attr-defined]


def test_each_county_gets_its_own_cv(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["county", str(_csv(tmp_path / "two.csv", ROWS)), "-r", RULESET,
                                      "--format", "json"])
    assert result.exit_code == 1, result.output  # neither county is met (no county facts)
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert doc["schema_version"] == "1.4"
    assert [c["county"] for c in doc["counties"]] == ["甲县", "乙县"]  # order of first appearance
    jia, yi = _counties(doc)["甲县"], _counties(doc)["乙县"]
    assert jia["levels"]["primary"]["cv"]["teaching_area_per_student"] == pytest.approx(1 / 6, abs=1e-6)
    assert yi["levels"]["primary"]["cv"]["teaching_area_per_student"] == pytest.approx(4 / 6, abs=1e-6)
    assert jia["levels"]["primary"]["drivers"]["teaching_area_per_student"]["passed"] is True
    assert yi["levels"]["primary"]["drivers"]["teaching_area_per_student"]["passed"] is False
    assert _criterion(jia, "resource.each_cv")["outcome"] == "passed"
    each_yi = _criterion(yi, "resource.each_cv")
    assert each_yi["outcome"] == "failed" and each_yi["failing"] == ["primary:teaching_area_per_student"]
    assert [s["school_id"] for s in yi["schools"]] == ["B1", "B2"]  # its own schools only
    # no county facts: the county items cannot be decided, never a pass; the county says why
    assert _criterion(jia, "government.01_layout")["outcome"] == "unknown"
    assert jia["verdict"]["outcome"] == "unknown" and yi["verdict"]["outcome"] == "failed"
    assert "school_results" not in jia  # only with --school-results
    assert doc["summary"] == {"counties": 2, "passed": 0, "failed": 1, "unknown": 1}


def test_several_counties_judged_as_each_alone(tmp_path: Path) -> None:
    """The one-call mode (chunks of any size) gives each county exactly what evaluating it alone gives."""
    loaded = load_ruleset(RULESET)
    batch = read_facts(_csv(tmp_path / "two.csv", ROWS))
    groups, issues = group_by_county(batch)
    assert issues == []
    alone = [county_entry_json(evaluate_county(loaded, g), "zh", True) for _, g in groups]
    for chunk in (1, 3, 1000):
        runs = evaluate_counties(loaded, [(g, None, ()) for _, g in groups], chunk_sections=chunk)
        assert [county_entry_json(r, "zh", True) for r in runs] == alone


def test_a_row_without_a_county_leaves_every_county_undecided(tmp_path: Path) -> None:
    rows = [*ROWS, _row("X1", "", 600)]
    result = CliRunner().invoke(app, ["county", str(_csv(tmp_path / "blank.csv", rows)), "-r", RULESET,
                                      "--format", "json"])
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    (error,) = doc["errors"]
    assert (error["row"], error["column"]) == (6, "county") and "无法归入任何县" in error["message_zh"]
    for county in doc["counties"]:
        assert [r["row"] for r in county["verdict"]["rejected_rows"]] == [6]
        assert county["verdict"]["outcome"] != "passed"
        # the CV is not judged while a section that may belong to the county is unknown
        assert _criterion(county, "resource.each_cv")["outcome"] == "unknown"


def _demo_facts() -> dict[str, object]:
    from junheng import examples

    doc = yaml.load(Path(examples.__file__).with_name("demo_county_facts.yaml").read_text(encoding="utf-8"),
                    Loader=yaml.SafeLoader)
    return {k: v for k, v in doc["facts"].items()}


def test_facts_keyed_by_county_with_did_you_mean(tmp_path: Path) -> None:
    facts = _demo_facts()
    keyed = tmp_path / "facts.yaml"
    keyed.write_text(yaml.safe_dump({"counties": {
        "甲县": {"year": 2024, "facts": facts},
        "乙悬": {"facts": {"public_satisfaction": "90%"}},  # a typo of 乙县
    }}, allow_unicode=True, default_flow_style=False).replace("&id001", "").replace("*id001", "{}"), encoding="utf-8")
    result = CliRunner().invoke(app, ["county", str(_csv(tmp_path / "two.csv", ROWS)), "-r", RULESET,
                                      "--county-facts", str(keyed), "--format", "json", "--lang", "en"])
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    jia, yi = _counties(doc)["甲县"], _counties(doc)["乙县"]
    assert _criterion(jia, "government.01_layout")["outcome"] == "passed"  # layout_reasonable: true
    assert jia["county_facts"] == str(keyed)
    assert _criterion(yi, "government.01_layout")["outcome"] == "unknown"
    assert yi["county_facts"] is None and "no county facts for '乙县'" in yi["warnings"][0]["message_en"]
    (typo,) = [w for w in doc["warnings"] if w["value"] == "乙悬"]
    assert "did you mean '乙县'?" in typo["message_en"]


def test_facts_table_keyed_by_county_names_row_column_and_value(tmp_path: Path) -> None:
    table = tmp_path / "facts.csv"
    table.write_text("县（市、区）,年度,公众满意度,layout_reasonable\n甲县,2024,91%,true\n乙县,2024,91,maybe\n",
                     encoding="utf-8")
    got = read_county_facts_set([table])
    assert got.by_county["甲县"].values == {"public_satisfaction": Fraction(91, 100), "layout_reasonable": 1}
    assert got.by_county["甲县"].year == 2024
    problems = {(i.row, i.column, i.value) for i in got.by_county["乙县"].issues}
    assert problems == {(3, "公众满意度", "91"), (3, "layout_reasonable", "maybe")}  # 91 is not a ratio
    assert got.by_county["乙县"].values == {}


def test_a_folder_of_files_named_by_county(tmp_path: Path) -> None:
    folder = tmp_path / "facts"
    folder.mkdir()
    (folder / "甲县.yaml").write_text("facts: {public_satisfaction: 0.9}\n", encoding="utf-8")
    (folder / "b.yaml").write_text("county: 乙县\nfacts: {public_satisfaction: 0.8}\n", encoding="utf-8")
    (folder / "c.yaml").write_text("county: 乙县\nfacts: {public_satisfaction: 0.7}\n", encoding="utf-8")
    matched, issues = match_counties(read_county_facts_set([folder]), ["甲县", "乙县"])
    assert matched["甲县"] is not None and matched["甲县"].values == {"public_satisfaction": Fraction(9, 10)}
    # 乙县 twice: neither file is used (no guess), and the error says so
    assert matched["乙县"] is not None and matched["乙县"].values == {}
    assert [i.severity for i in issues] == ["error"] and "given twice" in issues[0].message_en


def test_forms_are_made_one_county_at_a_time(tmp_path: Path) -> None:
    source = _csv(tmp_path / "two.csv", ROWS)
    refused = CliRunner().invoke(app, ["county", str(source), "-r", RULESET, "-o", str(tmp_path / "f.xlsx")])
    assert refused.exit_code == 2 and "--select-county" in refused.output
    assert not (tmp_path / "f.xlsx").exists()
    one = CliRunner().invoke(app, ["county", str(source), "-r", RULESET, "--select-county", "乙县",
                                   "--format", "json"])
    doc = json.loads(one.stdout)
    assert doc["schema_version"] == "1.3" and doc["county"] == "乙县"  # one county: today's document
    assert [s["school_id"] for s in doc["schools"]] == ["B1", "B2"]
    near = CliRunner().invoke(app, ["county", str(source), "-r", RULESET, "--select-county", "乙悬"])
    assert near.exit_code == 2 and "乙县" in near.output


def test_one_county_keeps_its_document(tmp_path: Path) -> None:
    from junheng.examples import example_path

    source = example_path("demo_county.csv")
    facts = example_path("demo_county_facts.yaml")
    out = CliRunner().invoke(app, ["county", str(source), "--county-facts", str(facts), "--format", "json"])
    loaded = load_ruleset(RULESET)
    from junheng.cli.json_output import dumps
    from junheng.policy.county_facts import read_county_facts

    expected = dumps(county_json(evaluate_county(loaded, read_facts(source), read_county_facts(facts)), "zh"))
    assert out.stdout == expected + "\n"


def test_text_table_one_line_per_county(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["county", str(_csv(tmp_path / "two.csv", ROWS)), "-r", RULESET,
                                      "--lang", "en"], env={"COLUMNS": "200"})
    lines = [ln for ln in result.stdout.splitlines() if "甲县" in ln or "乙县" in ln]
    assert len(lines) == 2
    assert "undecided" in lines[0].lower() or "cannot" in lines[0].lower()
    assert "not met" in lines[1].lower() and "primary 1/7" in lines[1].lower()
    # 6 of 7 (primary: 4.2 teachers above degree, 1 backbone, 0.9 PE/art per 100; 4.5 m² teaching, 7.5 m²
    # sports, 2000 元 equipment per student; 2.3 multimedia rooms per 100): every school has 6, 2, 2 per 100,
    # 8 m², 2500 元, 3 per 100; teaching area 5, 7 (甲县) met; 2 < 85% × 4.5 = 3.825 (B1) fails, 10 (B2) met
    assert "2/2" in lines[0] and "1/2" in lines[1]
    assert "1 not met, 1 undecided" in result.stdout


def test_same_document_whatever_the_jobs(tmp_path: Path) -> None:
    """Chunks of whole counties on worker processes, joined in input order: the same bytes for any --jobs."""
    rows = [_row(f"{k}{i}", f"县{k}", 300 + 100 * i + 37 * k) for k in range(7) for i in range(3)]
    source = _csv(tmp_path / "seven.csv", rows)
    outs = {}
    for jobs in ("1", "2", "3"):
        for fmt in ("json", "table"):
            out = tmp_path / f"out-{jobs}.{fmt}"
            result = CliRunner().invoke(app, ["county", str(source), "-r", RULESET, "--format", fmt, "-o", str(out),
                                              "--jobs", jobs])
            assert result.exit_code == 1, result.output
            outs[jobs, fmt] = out.read_bytes()
    assert outs["1", "json"] == outs["2", "json"] == outs["3", "json"]
    assert outs["1", "table"] == outs["2", "table"] == outs["3", "table"]
    doc = json.loads(outs["2", "json"])
    jsonschema.validate(doc, SCHEMA)
    assert [c["county"] for c in doc["counties"]] == [f"县{k}" for k in range(7)]


def test_county_chunks_are_whole_counties() -> None:
    from junheng.cli.county_many import county_bounds

    # 2,900 counties × 70 on 2 workers: 203,000 ÷ 8 > 2,000, so chunks of 2,000 sections, whole counties:
    # 70 × 29 = 2,030 ≥ 2,000 closes a chunk → 2,900 ÷ 29 = 100 chunks
    bounds = county_bounds([70] * 2900, 2)
    assert len(bounds) == 100 and bounds[0] == (0, 29) and bounds[-1] == (2871, 2900)
    # 100 counties × 70 on 1 worker: 7,000 ÷ 4 = 1,750 sections → 25 counties a chunk
    assert county_bounds([70] * 100, 1) == [(0, 25), (25, 50), (50, 75), (75, 100)]
    # small inputs: about four chunks per worker, never below 250 sections
    assert county_bounds([100] * 10, 2) == [(0, 3), (3, 6), (6, 9), (9, 10)]


def test_trusted_county_records_equal_validated_ones() -> None:
    """Drivers and county schools are built without validation in the hot loop: each equals the record
    pydantic validation builds from the same values (same fields set, same dump)."""
    from junheng.engine.county_results import CountySchool, CvDriver
    from junheng.engine.results import MissingFact
    from junheng.examples import example_path

    run = evaluate_county(load_ruleset(RULESET), read_facts(example_path("demo_county.csv")))
    drivers = [d for lv in run.levels for i in lv.indicators for d in i.drivers]
    missing = [m for c in run.criteria if c.kind == "all_schools" for m in c.missing_facts]
    assert drivers and run.schools and missing
    records = [*((d, CvDriver) for d in drivers), *((s, CountySchool) for s in run.schools),
               *((m, MissingFact) for m in missing)]
    for record, cls in records:
        validated = cls(**{k: v for k, v in record if k in record.model_fields_set})  # type: ignore[operator]
        assert record == validated and record.model_fields_set == validated.model_fields_set
        assert record.model_dump() == validated.model_dump()

"""Tests of the ``junheng`` command line: demo, evaluate (table / JSON contract), rulesets, -o."""

from __future__ import annotations

import hashlib
import json
import os
import random
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

import junheng
from junheng.cli import atomic
from junheng.cli.app import app
from junheng.policy.registry import bundled_root

SCHEMA_PATH = Path(junheng.__file__).parent / "schemas" / "evaluation-1.schema.json"
QUALITY_2017 = bundled_root() / "national" / "quality-2017.yaml"

HEADER = ("school_id,level,school_name,students,teaching_aux_area_m2,sports_area_m2,"
          "equipment_value_yuan,multimedia_classrooms,teachers,teachers_above_required_degree,"
          "backbone_teachers,pe_art_teachers")
# A: examples.md school A (Guangxi junior); 1000-student primary exactly on every requirement.
ROW_A = "GX-A,初中,示例A,1289,4450,13247,3400000,18,96,74,14,12"
ROW_EXACT = "P-1000,小学,恰好达标,1000,4500,7500,2000000,23,60,42,10,9"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def run(*args: str | Path, columns: int | None = None) -> Any:
    env = {"COLUMNS": str(columns)} if columns else None
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def write_csv(tmp_path: Path, *rows: str, name: str = "facts.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def numeric_fields(doc: dict[str, Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for school in doc["schools"]:
        out.append(("students", school["students"]))
        for r in school["results"]:
            for key in ("actual", "required", "gap", "shortfall_total", "shortfall_target"):
                out.append((key, r[key]))
            for m in r.get("gate", {}).get("members", []):
                out.append(("attainment", m["attainment"]))
    return out


# ----------------------------------------------------------------------------------------------
# demo
# ----------------------------------------------------------------------------------------------


def test_demo_zh() -> None:
    result = run("demo")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "示例A初级中学" in out and "示例B乡中心学校" in out
    assert "未达标" in out and "达标" in out
    assert "3026.2" in out  # school A: 1289 × 5.8 − 4450 = 3026.2 m²
    assert "依据：《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）" in out
    assert "national/quality-2017" in out


def test_demo_en() -> None:
    result = run("demo", "--lang", "en")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "not met" in out and "met" in out
    assert "add 3026.2 m² of teaching and auxiliary rooms area" in out
    assert "Source: 《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）" in out
    assert "未达标" not in out


def test_demo_json_matches_schema(schema: dict[str, Any]) -> None:
    result = run("demo", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, schema)
    assert doc["summary"]["sections"] == len(doc["schools"]) == 8


# ----------------------------------------------------------------------------------------------
# evaluate --format json: the contract and the run record
# ----------------------------------------------------------------------------------------------


def test_evaluate_json_contract_and_run_record(tmp_path: Path, schema: dict[str, Any]) -> None:
    facts = write_csv(tmp_path, ROW_A, ROW_EXACT)
    result = run("evaluate", facts, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, schema)
    # what was run on what
    assert doc["ruleset"]["id"] == "national/quality-2017"
    assert doc["ruleset"]["version"] == "2017-05-23"
    assert doc["ruleset"]["sha256"] == hashlib.sha256(QUALITY_2017.read_bytes()).hexdigest()
    assert doc["input"]["sha256"] == hashlib.sha256(facts.read_bytes()).hexdigest()
    assert doc["input"]["rows_read"] == doc["input"]["rows_evaluated"] == 2
    assert doc["junheng_version"] == junheng.__version__
    assert doc["errors"] == []
    a, exact = doc["schools"]
    assert (a["school_id"], a["level"], a["passed"]) == ("GX-A", "junior", False)
    assert (exact["school_id"], exact["level"], exact["passed"]) == ("P-1000", "primary", True)
    teaching = {r["rule_id"]: r for r in a["results"]}["resource.teaching_area"]
    assert teaching["passed"] is False
    assert teaching["shortfall_total"] == 3026.2  # 1289 × 5.8 − 4450
    assert teaching["shortfall_unit"] == "m2"
    assert teaching["status"] == "secondary"
    assert "教督〔2017〕6号" in teaching["source"]
    assert "3026.2平方米" in teaching["explanation"]
    gate = {r["rule_id"]: r for r in a["results"]}["resource.six_of_seven"]
    assert "resource.teaching_area" in gate["gate"]["missed"]


def test_json_numbers_are_numbers(tmp_path: Path) -> None:
    facts = write_csv(tmp_path, ROW_A, ROW_EXACT)
    result = run("evaluate", facts, "--format", "json", "--lang", "en")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    fields = numeric_fields(doc)
    assert fields
    for key, value in fields:
        assert value is None or (isinstance(value, int | float) and not isinstance(value, bool)), (key, value)
    # the decimal text is the exact value, not a binary-float artefact
    exact_doc = json.loads(result.stdout, parse_float=Decimal)
    a = {r["rule_id"]: r for r in exact_doc["schools"][0]["results"]}
    assert a["resource.teaching_area"]["shortfall_total"] == Decimal("3026.2")
    assert a["resource.teaching_area"]["required"] == Decimal("5.8")
    exact = {r["rule_id"]: r for r in exact_doc["schools"][1]["results"]}
    assert exact["resource.pe_art_teachers"]["actual"] == Decimal("0.9")  # 9/1000×100, not 0.8999…
    assert '"shortfall_total": "' not in result.stdout
    assert exact_doc["lang"] == "en"


def test_bad_rows_are_reported_and_good_rows_still_evaluated(tmp_path: Path, schema: dict[str, Any]) -> None:
    facts = write_csv(
        tmp_path,
        ROW_A,  # row 2: good
        "BAD-1,小学,坏1,abc,4500,7500,2000000,23,60,42,10,9",  # row 3: students not a number
        ROW_EXACT,  # row 4: good
        "BAD-2,初中,坏2,500,-5,7500,2000000,23,60,42,10,9",  # row 5: negative area
        "BAD-3,初中,坏3,500,4500,7500,2000000,23,60,70,10,9",  # row 6: 70 above-degree > 60 teachers
        "BAD-4,小学,坏4,0,4500,7500,2000000,23,60,42,10,9",  # row 7: zero students
    )
    result = run("evaluate", facts, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, schema)
    assert [s["school_id"] for s in doc["schools"]] == ["GX-A", "P-1000"]
    assert doc["input"]["rows_read"] == 6
    assert doc["input"]["rows_rejected"] == 4
    errors = {(e["row"], e["column"], e["value"]) for e in doc["errors"]}
    assert errors == {(3, "students", "abc"), (5, "teaching_aux_area_m2", "-5"),
                      (6, "teachers_above_required_degree", "70"), (7, "students", "0")}
    for e in doc["errors"]:
        assert e["file"] == facts.name or e["file"] == str(facts)
        assert e["message_zh"] and e["message_en"]
        assert f"第{e['row']}行" in e["message"]  # zh is the default language

    table = run("evaluate", facts, "--lang", "en")
    assert table.exit_code == 1
    assert f"{facts.name}, row 3, column 'students', value 'abc'" in table.output
    assert "teachers_above_required_degree (70) exceeds teachers (60)" in table.output
    assert "示例A" in table.output  # the good rows are still in the table


def test_unknown_ruleset_exits_2(tmp_path: Path) -> None:
    facts = write_csv(tmp_path, ROW_A)
    result = run("evaluate", facts, "--ruleset", "national/no-such-2099")
    assert result.exit_code == 2
    assert "national/no-such-2099" in result.stderr
    assert result.stdout == ""


def test_missing_input_file_exits_2(tmp_path: Path) -> None:
    result = run("evaluate", tmp_path / "nope.csv")
    assert result.exit_code == 2
    assert "nope.csv" in result.stderr


def test_unsupported_input_format_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "facts.txt"
    path.write_text(HEADER + "\n" + ROW_A + "\n", encoding="utf-8")
    result = run("evaluate", path)
    assert result.exit_code == 2, result.exception
    assert ".txt" in result.stderr


def test_ruleset_given_as_a_path(tmp_path: Path) -> None:
    copy = tmp_path / "my-quality.yaml"
    copy.write_bytes(QUALITY_2017.read_bytes())
    facts = write_csv(tmp_path, ROW_EXACT)
    result = run("evaluate", facts, "--ruleset", copy, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["ruleset"]["id"] == "national/quality-2017"
    assert doc["ruleset"]["sha256"] == hashlib.sha256(copy.read_bytes()).hexdigest()


def test_engines_give_the_same_json(tmp_path: Path) -> None:
    facts = write_csv(tmp_path, ROW_A, ROW_EXACT)
    durable = json.loads(run("evaluate", facts, "--format", "json", "--engine", "durable").stdout)
    direct = json.loads(run("evaluate", facts, "--format", "json", "--engine", "direct").stdout)
    assert durable.pop("engine") != direct.pop("engine")
    assert durable == direct


# ----------------------------------------------------------------------------------------------
# -o: atomic output
# ----------------------------------------------------------------------------------------------


def test_output_file_is_written_whole(tmp_path: Path, schema: dict[str, Any]) -> None:
    facts = write_csv(tmp_path, ROW_A)
    out = tmp_path / "reports" / "result.json"
    result = run("evaluate", facts, "--format", "json", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    jsonschema.validate(json.loads(out.read_text(encoding="utf-8")), schema)
    assert [p.name for p in out.parent.iterdir()] == ["result.json"]  # no temporary left behind


def test_output_file_permissions_follow_umask(tmp_path: Path) -> None:
    """A report is an ordinary file: not the 0600 of a temporary file."""
    facts = write_csv(tmp_path, ROW_A)
    out = tmp_path / "result.json"
    old = os.umask(0o022)
    try:
        result = run("evaluate", facts, "--format", "json", "-o", out)
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_failed_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    facts = write_csv(tmp_path, ROW_A, ROW_EXACT)
    out = tmp_path / "result.json"

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    result = run("evaluate", facts, "--format", "json", "-o", out)
    assert result.exit_code != 0
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts.csv"]

    # an existing report is left exactly as it was
    out.write_text("previous report\n", encoding="utf-8")
    result = run("evaluate", facts, "--format", "json", "-o", out)
    assert result.exit_code != 0
    assert out.read_text(encoding="utf-8") == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts.csv", "result.json"]


def test_table_output_to_file(tmp_path: Path) -> None:
    facts = write_csv(tmp_path, ROW_A)
    out = tmp_path / "result.txt"
    result = run("evaluate", facts, "-o", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "3026.2" in text and "not met" in text


# ----------------------------------------------------------------------------------------------
# rulesets
# ----------------------------------------------------------------------------------------------


def test_rulesets_list_shows_the_full_id() -> None:
    result = run("rulesets", "list")  # CliRunner's terminal is 80 columns wide
    assert result.exit_code == 0, result.output
    for ruleset_id in ("national/quality-2017", "anhui/school-2007", "anhui/school-2018"):
        assert ruleset_id in result.stdout
    wide = run("rulesets", "list", "--lang", "en", columns=240)
    assert "national/quality-2017" in wide.stdout and "教督〔2017〕6号" in wide.stdout


def test_rulesets_show() -> None:
    # a wide terminal: at 80 columns the 7-column table truncates rule ids ("resourc…")
    result = run("rulesets", "show", "national/quality-2017", "--lang", "en", columns=240)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert hashlib.sha256(QUALITY_2017.read_bytes()).hexdigest() in out.replace("\n", "")
    assert "教督〔2017〕6号" in out
    assert "confirmed" in out and "secondary" in out
    assert ">= 4.2" in out and ">= 5.3" in out
    assert "resource.teaching_area" in out


def test_rulesets_show_unknown_exits_2() -> None:
    result = run("rulesets", "show", "national/no-such-2099")
    assert result.exit_code == 2
    assert "national/no-such-2099" in result.stderr


# ----------------------------------------------------------------------------------------------
# A 5,000-row file
# ----------------------------------------------------------------------------------------------


def test_evaluate_5000_rows(tmp_path: Path) -> None:
    rng = random.Random(5000)
    rows = []
    for i in range(5000):
        n = rng.randint(50, 3000)
        teachers = max(10, n // 13)
        level = rng.choice(["小学", "初中"])
        rows.append(",".join(str(v) for v in (
            f"S{i:05d}", level, f"学校{i}", n,
            f"{n * rng.randint(35, 70) / 10:.2f}",  # 3.5 … 7 m²/生
            f"{n * rng.randint(60, 130) / 10:.1f}",  # 6 … 13 m²/生
            n * rng.randint(1500, 3200),  # 1500 … 3200 元/生
            n * rng.randint(18, 30) // 1000,  # 1.8 … 3 rooms per 100
            teachers,
            min(teachers, n * rng.randint(35, 65) // 1000),  # 3.5 … 6.5 per 100
            min(teachers, n * rng.randint(6, 14) // 1000),  # 0.6 … 1.4 per 100
            min(teachers, n * rng.randint(6, 12) // 1000),  # 0.6 … 1.2 per 100
        )))
    facts = write_csv(tmp_path, *rows, name="county_5000.csv")
    out = tmp_path / "result.json"
    result = run("evaluate", facts, "--format", "json", "-o", out)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["input"]["rows_read"] == doc["input"]["rows_evaluated"] == 5000
    assert doc["summary"]["sections"] == 5000
    assert doc["summary"]["passed"] + doc["summary"]["failed"] == 5000
    assert 0 < doc["summary"]["passed"] < 5000
    assert doc["errors"] == []


def test_a_file_with_no_data_rows_is_a_usage_error(tmp_path: Path) -> None:
    """A header-only file has nothing to evaluate: exit 2 (cannot be read), not 1 (some rows
    rejected), and the file-level problem is named."""
    path = tmp_path / "empty.csv"
    path.write_text("school_id,level,students\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(path), "--lang", "en"])
    assert result.exit_code == 2
    assert "empty.csv" in result.output
    assert "no rows that can be evaluated" in result.output


def test_an_unwritable_output_is_a_clear_error_with_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Writing the report into a folder that cannot exist (/proc is not writable) ends with exit 2
    and one line naming the file, not a traceback."""
    from junheng.cli.app import main
    from junheng.examples import example_path

    target = "/proc/junheng-no-such-dir/out.json"
    monkeypatch.setattr("sys.argv", ["junheng", "evaluate", str(example_path("demo_county.csv")),
                                     "--format", "json", "-o", target])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "/proc/junheng-no-such-dir" in err and "Traceback" not in err


def test_rulesets_show_includes_the_county_part() -> None:
    # basic-2012 has no school rules, only county criteria (教督〔2012〕3号: 综合差异系数 小学 ≤ 0.65,
    # 初中 ≤ 0.55; 政府推进工作得分 ≥ 85; 公众满意度 ≥ 85%): no empty rule table, every criterion shown
    out = run("rulesets", "show", "national/basic-2012", "--lang", "en", columns=300).stdout
    assert "county" in out
    for criterion_id in ("prerequisite.provincial_standard", "balance.composite_cv",
                         "government.effort_score", "public.satisfaction"):
        assert criterion_id in out
    assert "composite CV <= 0.65" in out and "composite CV <= 0.55" in out
    assert "government_effort_score >= 85" in out and "public_satisfaction >= 0.85" in out
    assert "rule " not in out.split("county")[0]  # no empty school-rule table before the county part
    # quality-2017: its county school checks (班额 小学 ≤ 45, 初中 ≤ 50) and its criteria
    q = run("rulesets", "show", "national/quality-2017", columns=300).stdout
    assert "县域评估" in q and "county.class_size" in q and "<= 45" in q and "<= 50" in q
    assert "综合差异系数" not in q and "各项差异系数 <= 0.5" in q and "各项差异系数 <= 0.45" in q


def _rows(out: str) -> list[str]:
    """The table's rows (between the horizontal rules), each folded cell's lines joined per column,
    without spaces (a folded line may break anywhere): compare with :func:`_squeezed` text."""
    rows, current = [], []
    for line in out.splitlines():
        if line.startswith(("├", "└", "┡")):
            cells = ["".join(parts) for parts in zip(*current, strict=True)] if current else []
            rows.append(" | ".join("".join(c.split()) for c in cells))  # spaces dropped (folds)
            current = []
        elif line.startswith("│"):
            current.append(line.strip("│").split("│"))
    return rows


def _squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rulesets_show_lists_each_2019_relaxation_under_the_rule_it_relaxes(lang: str) -> None:
    # 国教督办函〔2019〕30号 (secondary), window 2019 to the end of regulation_2019_last_year (2021,
    # unconfirmed): 学校规模 2000 → 2400 (九年一贯制 3000) when built ≤ 2010 or migrant share > 50%;
    # 音乐 96 → 73 m² (built ≤ 2016) or 小学 54 / 初中 61 m² (rural small school, largest class < 30);
    # 美术 90 → 67 m² or 54 / 61 m²
    zh = lang == "zh"
    out = run("rulesets", "show", "national/quality-2017", "--lang", lang, columns=400).stdout
    rows = _rows(out)
    ids = [r.split(" | ")[0] for r in rows]
    for rule, relaxations in (
            ("county.music_room_area", ["regulation_2019.music_room_area", "regulation_2019.music_room_area_rural"]),
            ("county.art_room_area", ["regulation_2019.art_room_area", "regulation_2019.art_room_area_rural"]),
            ("county.school_size", ["regulation_2019.school_size"])):
        at = ids.index(rule)
        assert ids[at + 1: at + 1 + len(relaxations)] == relaxations  # right under the rule it relaxes
    row = {r.split(" | ")[0]: r.split(" | ") for r in rows}
    _, what, primary, junior, article, status, source = row["regulation_2019.school_size"]
    assert (primary, junior) == (_squeezed(f"<= 2400 {'九年一贯制学校' if zh else 'nine_year'} <= 3000"),) * 2
    assert _squeezed("条件：建成年份不超过2010或随迁子女占比高于50%" if zh else
                     "when: year built at most 2010 or share of migrant workers' children more than 50%") in what
    assert _squeezed("期间：2019-01-01 至 2021年底（参数 regulation_2019_last_year，未确认）" if zh else
                     "window: 2019-01-01 to the end of 2021 (parameter regulation_2019_last_year, unconfirmed)") in what
    assert (article, status) == ("政府保障程度（四）", "二手来源" if zh else "secondary")
    assert source.startswith("《县域义务教育优质均衡发展国家督导评估认定工作规程》（国教督办函〔2019〕30号）")
    _, what, primary, junior, *_ = row["regulation_2019.music_room_area_rural"]
    assert (primary, junior) == (">=54", ">=61")
    assert _squeezed("条件：农村小规模学校：是且最大班额低于30人" if zh else
                     "when: rural small school: yes and largest class less than 30 persons") in what
    assert row["regulation_2019.music_room_area"][2:4] == [">=73", ">=73"]
    assert row["regulation_2019.art_room_area"][2:4] == [">=67", ">=67"]
    assert row["regulation_2019.art_room_area_rural"][2:4] == [">=54", ">=61"]

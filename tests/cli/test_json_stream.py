"""``evaluate --format json -o FILE`` streams the document section by section (issue 12 item 4).

The streamed text must parse to exactly the document the in-memory builder makes
(:func:`evaluation_json`), compact by default, and with ``--indent 2`` be the same bytes as the
indented document printed on stdout — for the bundled demo and for a generated file with rejected
rows (errors), a section that cannot be decided, and the no-section case.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from junheng import api
from junheng.cli.app import app
from junheng.cli.json_output import dumps, evaluation_json, write_evaluation_json
from junheng.examples import example_path

HEADER = ("school_id,level,school_name,students,teaching_aux_area_m2,sports_area_m2,"
          "equipment_value_yuan,multimedia_classrooms,teachers,teachers_above_required_degree,"
          "backbone_teachers,pe_art_teachers")


def generated_csv(path: Path, n: int, seed: int) -> Path:
    """n random sections; every 7th has no equipment value (无法判定), every 11th a bad level."""
    rng = random.Random(seed)
    rows = [HEADER]
    for i in range(n):
        students = rng.randint(1, 3000)
        level = "小学" if i % 2 else "初中"
        if i % 11 == 10:
            level = "高中"  # not a compulsory level: the row is rejected, the others stay
        equipment = "" if i % 7 == 6 else str(students * rng.randint(1000, 4000))
        rows.append(",".join([
            f"S{i}", level, f"学校“{i}”\\测试", str(students), f"{students * rng.randint(300, 900) / 100:.2f}",
            f"{students * rng.randint(500, 1500) / 100:.2f}", equipment, str(students * rng.randint(15, 35) // 1000),
            str(max(1, students * rng.randint(50, 90) // 1000)), str(students * rng.randint(30, 70) // 1000),
            str(students * rng.randint(5, 15) // 1000), str(students * rng.randint(5, 12) // 1000),
        ]))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def streamed(run: api.Evaluation, lang: str, indent: int | None) -> str:
    out = io.BytesIO()
    write_evaluation_json(out, run.run, lang, indent)
    return out.getvalue().decode("utf-8")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_demo_streams_the_same_document(lang: str) -> None:
    result = api.evaluate(api.read_facts(example_path("demo_county.csv")), api.load_ruleset("national/quality-2017"),
                          lang=lang)
    document = evaluation_json(result.run, lang)
    compact = streamed(result, lang, None)
    assert json.loads(compact) == document
    assert "\n" not in compact  # compact: one line, no indentation
    assert streamed(result, lang, 2) == dumps(document)  # indented: the very bytes of the builder
    assert json.loads(streamed(result, lang, 0)) == document


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_file_with_rejected_and_undecided_rows(tmp_path: Path, seed: int) -> None:
    batch = api.read_facts(generated_csv(tmp_path / "g.csv", 40, seed))
    result = api.evaluate(batch, api.load_ruleset("national/quality-2017"), lang="zh")
    document = evaluation_json(result.run, "zh")
    undecided = [r for s in document["schools"] for r in s["results"] if r["outcome"] == "unknown"]
    assert document["errors"] and undecided  # the tail and 无法判定 are exercised
    assert json.loads(streamed(result, "zh", None)) == document
    assert streamed(result, "zh", 2) == dumps(document)
    assert json.loads(streamed(result, "zh", 4)) == document


def test_no_sections(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(HEADER + "\nX,高中,不是义务教育,100,1,1,1,1,1,1,1,1\n", encoding="utf-8")
    result = api.evaluate(api.read_facts(source), api.load_ruleset("national/quality-2017"), lang="zh")
    document = evaluation_json(result.run, "zh")
    assert document["schools"] == []
    assert json.loads(streamed(result, "zh", None)) == document
    assert streamed(result, "zh", 2) == dumps(document)


def test_cli_file_is_compact_by_default_and_indent_is_for_people(tmp_path: Path) -> None:
    source = generated_csv(tmp_path / "g.csv", 30, 7)
    runner = CliRunner()
    shown = runner.invoke(app, ["evaluate", str(source), "--format", "json"])
    compact = runner.invoke(app, ["evaluate", str(source), "--format", "json", "-o", str(tmp_path / "a.json")])
    indented = runner.invoke(app, ["evaluate", str(source), "--format", "json", "-o", str(tmp_path / "b.json"),
                                   "--indent", "2"])
    assert shown.exit_code == compact.exit_code == indented.exit_code == 1  # some rows rejected
    text = (tmp_path / "a.json").read_text(encoding="utf-8")
    assert text.count("\n") == 1 and text.endswith("\n")
    assert json.loads(text) == json.loads(shown.stdout)
    assert (tmp_path / "b.json").read_text(encoding="utf-8") == shown.stdout  # stdout keeps indent 2

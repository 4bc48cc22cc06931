"""The Excel report: sheets per level, highlighted results, shortfalls, issues; written atomically."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.atomic import atomic_open
from junheng.cli.xlsx_report import FILLS, evaluation_workbook
from junheng.engine.results import EvaluationRun, Outcome
from junheng.examples import example_path


def _rows(ws: object) -> list[dict[str, object]]:
    rows = list(ws.iter_rows(values_only=True))  # type: ignore[attr-defined]
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def test_sheets_per_level_with_highlighted_results(demo_run: EvaluationRun) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(evaluation_workbook(demo_run, "zh")))
    assert wb.sheetnames == ["汇总", "小学", "初中", "数据问题"]
    junior = wb["初中"]
    rows = _rows(junior)
    # 4 junior sections (A, B 初中部, C, D) × 8 results (7 indicators + the 6-of-7 gate)
    assert len(rows) == 4 * 8
    [teaching] = [r for r in rows if r["学校标识码"] == "GX-A" and r["指标"] == "生均教学及辅助用房面积"]
    # A: 4450 / 1289 = 3.45 < 5.8; shortfall 5.8 × 1289 − 4450 = 3026.2 m², target 7476.2
    assert (teaching["实际值"], teaching["要求"], teaching["结果"]) == (3.45, 5.8, "未达标")
    assert (teaching["缺额"], teaching["缺额单位"], teaching["补足后"]) == (3026.2, "平方米", 7476.2)
    assert (teaching["差距"], teaching["学校结果"]) == (2.35, "未达标")  # 5.8 − 3.452 = 2.348 → 2.35
    row = next(i for i, r in enumerate(rows, start=2) if r is teaching)
    header = [c.value for c in junior[1]]
    fill = junior.cell(row=row, column=header.index("结果") + 1).fill.fgColor.rgb
    assert fill.endswith(FILLS[Outcome.failed])
    assert junior.freeze_panes == "C2" and junior.auto_filter.ref.startswith("A1:")
    counts = {r[0]: r[1] for r in wb["汇总"].iter_rows(values_only=True) if r and r[0] in
              ("学段数", "达标", "未达标", "无法判定")}
    # demo county: 8 sections, E and F meet the standard (the table and JSON say the same)
    assert counts == {"学段数": 8, "达标": 2, "未达标": 6, "无法判定": 0}


def test_english_sheet_names_and_issues(demo_run: EvaluationRun) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(evaluation_workbook(demo_run, "en")))
    assert wb.sheetnames == ["Summary", "Primary", "Junior", "Data issues"]
    [issue] = _rows(wb["Data issues"])
    # school A: 1289 students in 18 classes = 71.6 per class > 66 (超大班额)
    assert (issue["Severity"], issue["File"], issue["Row"], issue["Column"], issue["Value"]) == (
        "warning", "demo_county.csv", 2, "班级数", "18")
    assert str(issue["Problem"]).startswith("average class size 1289/18 exceeds 66")


def test_cli_writes_xlsx_and_requires_output(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "report.xlsx"
    demo = str(example_path("demo_county.csv"))
    result = runner.invoke(app, ["evaluate", demo, "--format", "xlsx", "-o", str(out), "--engine", "direct"])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "汇总"
    result = runner.invoke(app, ["evaluate", demo, "--format", "xlsx"])
    assert result.exit_code == 2 and "-o" in result.output


def test_interrupted_write_leaves_the_old_report(tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_open(out, "wb", encoding=None) as handle:
        handle.write(b"half")  # type: ignore[arg-type]
        raise KeyboardInterrupt
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]  # no .part file left


@pytest.mark.parametrize(("name", "kind"), [("报告.xlsx", "xlsx"), ("报告.HTML", "html"), ("结果.json", "json"),
                                            ("结果.txt", "table")])
def test_format_follows_the_output_suffix(tmp_path: Path, name: str, kind: str) -> None:
    """No --format: ``-o 报告.xlsx`` writes a workbook (it used to write a text table into it)."""
    out = tmp_path / name
    demo = str(example_path("demo_county.csv"))
    result = CliRunner().invoke(app, ["evaluate", demo, "-o", str(out), "--engine", "direct"])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if kind == "xlsx":
        assert data[:2] == b"PK" and openpyxl.load_workbook(out).sheetnames[0] == "汇总"
    elif kind == "html":
        assert data.lstrip().lower().startswith(b"<!doctype html")
    elif kind == "json":
        assert data.lstrip().startswith(b"{")
    else:
        assert "示例A初级中学" in data.decode("utf-8") and not data.lstrip().startswith(b"{")


def test_an_explicit_format_wins_over_the_suffix(tmp_path: Path) -> None:
    out = tmp_path / "结果.xlsx"
    demo = str(example_path("demo_county.csv"))
    assert CliRunner().invoke(app, ["evaluate", demo, "-f", "json", "-o", str(out)]).exit_code == 0
    assert out.read_bytes().lstrip().startswith(b"{")


def test_demo_writes_a_report_file(tmp_path: Path) -> None:
    out = tmp_path / "示例.xlsx"
    result = CliRunner().invoke(app, ["demo", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames == ["汇总", "小学", "初中", "数据问题"]


def test_hostile_text_is_written_as_literal_text(demo_run: EvaluationRun) -> None:
    """A school named like a formula stays text: no <f> element in any sheet, the cell shows the name."""
    hostile = ['=1+1', '=HYPERLINK("http://example.invalid","click")', "+1", "-1", "@SUM(A1)", "\t=1"]
    schools = tuple(s.model_copy(update={"school_name": name})
                    for s, name in zip(demo_run.schools, hostile * 2, strict=False))
    data = evaluation_workbook(demo_run.model_copy(update={"schools": schools}), "zh")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in x or b"<f " in x for x in sheets)
    names = {r["学校名称"] for r in _rows(openpyxl.load_workbook(io.BytesIO(data))["初中"])}
    assert names & set(hostile)

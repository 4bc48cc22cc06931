"""``junheng county -f xlsx|html``: the county's application forms (表Ⅱ-1, 表Ⅱ-2, 表Ⅲ, 表Ⅳ, 表Ⅴ and the
县域结论), checked cell by cell against figures worked out by hand from the bundled demo county
(junheng/examples/demo_county.csv) and the 2017 standard; charts, print setup, phone layout."""

from __future__ import annotations

import csv
import re
import struct
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.county_forms import Mark
from junheng.cli.county_forms_xlsx import MARK_FILLS
from junheng.examples import example_path

if TYPE_CHECKING:
    from conftest import Chromium

FACTS = ["--county-facts", str(example_path("demo_county_facts.yaml")), "--engine", "direct"]


def _county(tmp_path: Path, name: str, *args: str, source: Path | None = None) -> Path:
    out = tmp_path / name
    result = CliRunner().invoke(app, ["county", str(source or example_path("demo_county.csv")), *FACTS, "-o",
                                      str(out), *args])
    assert result.exit_code == 1, result.output  # the demo county does not meet the standard
    return out


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return openpyxl.load_workbook(_county(tmp_path_factory.mktemp("forms"), "示例县.xlsx"))


def _fill(cell: Any) -> str:
    return str(cell.fill.fgColor.rgb or "")[-6:] if cell.fill is not None and cell.fill.fill_type else ""


def _row(ws: Any, first: str, column: int = 2) -> list[Any]:
    return next(list(r) for r in ws.iter_rows() if r[column - 1].value == first)


def test_sheets_in_the_order_of_an_application(workbook: Any) -> None:
    assert workbook.sheetnames == ["县域结论", "表Ⅱ-1", "表Ⅱ-2", "表Ⅲ", "表Ⅳ", "表Ⅴ", "图表", "小学明细", "初中明细",
                                   "数据问题"]


def test_form_ii_2_one_row_per_school_with_marks_and_remark(workbook: Any) -> None:
    ws = workbook["表Ⅱ-2"]
    assert ws["A1"].value == "表Ⅱ-2 义务教育学校资源配置7项指标情况"
    assert ws["A2"].value == "填报单位：示例县\u3000学年：2024"
    header = [c.value for c in ws[3]]
    assert header[:5] == ["序号", "学校名称", "学段", "在校生数", "班级数"] and header[-2:] == ["是否达标", "备注"]
    a = _row(ws, "示例A初级中学(广西样本)")
    # GX-A 初中, 1289 students, 18 classes: 74/1289×100 = 5.74 ≥ 5.3; 14/1289×100 = 1.09 ≥ 1;
    # 12/1289×100 = 0.93 ≥ 0.9; 4450/1289 = 3.45 < 5.8 (3.45/5.8 = 59% < 85%); 13247/1289 = 10.28 ≥ 10.2;
    # 3400000/1289 = 2637.70 ≥ 2500; 18/1289×100 = 1.40 < 2.4 (58% < 85%) → 5 of 7, not met
    assert [c.value for c in a[2:5]] == ["初中", 1289, 18]
    assert [c.value for c in a[5:12]] == [5.74, 1.09, 0.93, 3.45, 10.28, 2637.7, 1.4]
    assert {c.number_format for c in a[5:12]} == {"0.00"}  # printed as the form prints: 2637.70, 1.40
    assert _fill(a[8]) == _fill(a[11]) == MARK_FILLS[Mark.failed] and _fill(a[5]) == ""
    assert (a[12].value, a[13].value) == ("否", "第1、2、3、5、6项达标，第4、7项未达到要求的85%")
    c = _row(ws, "示例C镇初级中学")
    # C-JZ: 15/1865×100 = 0.80 < 0.9 but 0.804/0.9 = 89% ≥ 85% → amber; 4100000/1865 = 2198.39 < 2500,
    # 87.9% → amber; 3800/1865 = 2.04 (35%), 7192/1865 = 3.86 (38%), 31/1865×100 = 1.66 (69%) → red
    assert [c_.value for c_ in c[5:12]] == [5.63, 1.07, 0.8, 2.04, 3.86, 2198.39, 1.66]
    assert [_fill(x) == MARK_FILLS[Mark.near] for x in c[5:12]] == [False, False, True, False, False, True, False]
    assert c[13].value == "第1、2项达标，第3、6项达到要求的85%以上，第4、5、7项未达到要求的85%"
    f = _row(ws, "示例F实验小学(合成)")
    # F-SYN 小学: 19/860×100 = 2.21 < 2.3 (96%): the one remaining item at ≥ 85% → the school meets the gate
    assert (f[11].value, f[12].value, f[13].value) == (2.21, "是", "第1、2、3、4、5、6项达标，第7项达到要求的85%以上")
    required = _row(ws, "要求（初中）")
    assert [x.value for x in required[5:12]] == [5.3, 1, 0.9, 5.8, 10.2, 2500, 2.4]  # 教督〔2017〕6号 初中


def test_form_ii_1_schools_meeting_each_indicator(workbook: Any) -> None:
    ws = workbook["表Ⅱ-1"]
    assert [c.value for c in ws[3]][:3] == ["序号", "指标", "小学"] and ws["F3"].value == "初中"
    assert [c.value for c in ws[4]][2:] == ["要求", "达标校数", "比例"] * 2 + ["达标校数", "比例"]
    row = _row(ws, "生均教学及辅助用房面积（平方米）")
    # 小学 ≥ 4.5: E 1190.4/124 = 9.60, F 4100/860 = 4.77 meet; B 4005/1041 = 3.85, G 8600/2100 = 4.10 do not → 2/4;
    # 初中 ≥ 5.8: 3.45, 4.25, 2.04, 4.13 → 0/4; the county 2/8 = 25.0%
    assert [c.value for c in row[2:]] == [4.5, 2, 0.5, 5.8, 0, 0, 2, 0.25]
    assert row[4].number_format == "0.0%"
    gate = _row(ws, "综合（至少6项达标、余项不低于要求的85%）")
    assert [c.value for c in gate[3:5]] + [c.value for c in gate[8:10]] == [2, 0.5, 2, 0.25]  # E and F only


def test_form_iii_means_and_cvs_against_the_limits(workbook: Any) -> None:
    ws = workbook["表Ⅲ"]
    rows = {(r[0].value, r[1].value): r for r in ws.iter_rows(min_row=4) if r[1].value in ("全县平均值", "差异系数")}
    mean, cv = rows[("初中", "全县平均值")], rows[("初中", "差异系数")]
    # 初中 teaching rooms: (4450 + 2438 + 3800 + 6100) / (1289 + 573 + 1865 + 1476) = 16788 / 5203 = 3.23
    assert mean[5].value == 3.23 and mean[5].number_format == "0.00"
    # 初中 backbone teachers per 100, enrolment-weighted: X̄ = 56/5203×100 = 1.0763; X_i = 1.0861, 1.0471,
    # 1.0724, 1.0840; Σ P_i/P (X_i − X̄)² = (1289×0.00981² + 573×0.02918² + 1865×0.00391² + 1476×0.00771²)/5203
    # = 1.400e-4 → S = 0.01183, CV = 0.01183 / 1.0763 = 0.011
    assert cv[3].value == 0.011 and cv[3].number_format == "0.000"
    assert (cv[10].value, cv[10].number_format, cv[11].value) == (0.45, '"≤"0.00', "是")  # printed ≤0.45
    assert rows[("小学", "差异系数")][10].value == 0.5


def test_forms_iv_v_and_the_verdict(workbook: Any) -> None:
    iv = workbook["表Ⅳ"]
    backbone = _row(iv, "（十一）交流轮岗中骨干教师比例")
    # demo county facts: 0.18 of the exchanged teachers are 骨干 < 20% → 否
    assert [c.value for c in backbone[2:5]] == ["≥20.0%", "18.0%", "否"]
    assert _fill(backbone[4]) == MARK_FILLS[Mark.failed]
    size = _row(iv, "（四）学校规模")
    assert [c.value for c in size[2:5]] == ["全部8个学段达标", "7/8个学段达标", "否"]  # G-SYN: 2100 > 2000
    v = workbook["表Ⅴ"]
    assert [c.value for c in _row(v, "（一）全县初中三年巩固率")[2:5]] == ["≥95.0%", "99.0%", "是"]
    assert [c.value for c in _row(v, "（九）质量监测校际差异率")[2:5]] == ["<15.0%", "—", "无法判定"]
    verdict = workbook["县域结论"]
    assert verdict["A2"].value.startswith("填报单位：示例县　学年：2024")
    top = _row(verdict, "结论", column=1)
    assert top[1].value == "未达标" and _fill(top[1]) == MARK_FILLS[Mark.failed]
    notes = [r[0].value for r in verdict.iter_rows() if r[0].value and str(r[0].value).startswith("（九）")]
    assert notes == ["（九）质量监测校际差异率：缺少“质量监测校际差异率”"]


def test_print_setup_and_native_charts(workbook: Any, tmp_path: Path) -> None:
    for name, landscape, titles in (("表Ⅱ-1", False, "$3:$4"), ("表Ⅱ-2", True, "$3:$3"), ("表Ⅲ", True, "$3:$3")):
        ws = workbook[name]
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.page_setup.orientation == ("landscape" if landscape else "portrait")
        assert ws.print_title_rows == titles  # the header repeated on every printed page
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0  # fit to width
    assert len(workbook["图表"]._charts) == 3  # 小学 CV, 初中 CV, indicators met per school
    with zipfile.ZipFile(_county(tmp_path, "图表.xlsx")) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3 and all("<c:barChart>" in x and "<c:lineChart>" in x for x in charts)


def test_english_forms(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_county(tmp_path, "county.xlsx", "--lang", "en"))
    assert wb.sheetnames[:7] == ["County verdict", "Form II-1", "Form II-2", "Form III", "Form IV", "Form V", "Charts"]
    a = _row(wb["Form II-2"], "示例A初级中学(广西样本)")
    assert (a[12].value, a[13].value) == ("no", "items 1, 2, 3, 5, 6 met; items 4, 7 below 85% of the requirement")


def test_a_rejected_row_is_a_school_that_cannot_be_decided(tmp_path: Path) -> None:
    with example_path("demo_county.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[6][6] = "约124"  # E-XX 在校生数: unreadable → the row is rejected
    source = tmp_path / "county.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    wb = openpyxl.load_workbook(_county(tmp_path, "county.xlsx", source=source))
    e = _row(wb["表Ⅱ-2"], "示例E村小学")
    assert (e[12].value, e[13].value) == ("无法判定", "该行数据有误，未能评估（见数据问题）")
    assert "另有1行数据有误未能评估" in str(_row(wb["表Ⅱ-1"], "另有1行数据有误未能评估，未计入比例，其结果无法判定。",
                                         column=1)[0].value)
    verdict = [r[0].value for r in wb["县域结论"].iter_rows() if r[0].value]
    assert any(str(v).startswith("未能评估的输入行：county.csv 第7行") for v in verdict)


def _with_probe(page: Path) -> Path:
    """The page plus a probe script (tests only: the report has none) that records the layout."""
    probe = page.with_name("probe.html")
    script = ("<script>addEventListener('load',()=>{const d=document.documentElement;"
              "d.setAttribute('data-width',d.scrollWidth);d.setAttribute('data-view',innerWidth);"
              "const small=[...document.querySelectorAll('td,th,h2,p,li,.bar-label,.bar-value')]"
              ".filter(e=>e.offsetParent&&parseFloat(getComputedStyle(e).fontSize)<11).length;"
              "d.setAttribute('data-small',small);})</script>")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8")
    return probe


def test_html_forms_on_a_desktop_a_phone_and_paper(tmp_path: Path, chromium: Chromium) -> None:
    page = _county(tmp_path, "示例县.html")
    html = page.read_text(encoding="utf-8")
    # offline and inert: nothing to run, nothing fetched (a cited address in a sentence is text)
    assert "<script" not in html and "<link" not in html and "<img" not in html and "url(" not in html
    assert not re.search(r'(src|href)\s*=', html)
    for key in ("verdict", "charts", "form-II-1", "form-II-2", "form-III", "form-IV", "form-V"):
        assert f'id="{key}"' in html
    assert 'data-label="4. 生均教学及辅助用房面积（平方米）" class="fail num">3.45<' in html
    probe = _with_probe(page)
    for width in (1280, 390):
        dom = chromium("--dump-dom", f"--window-size={width},900", probe.as_uri())
        assert dom.returncode == 0 and chromium.console_lines(dom.stderr) == []
        found = dict(re.findall(r'data-(width|view|small)="(\d+)"', dom.stdout))
        assert int(found["width"]) <= int(found["view"]), found  # nothing wider than the screen
        assert found["small"] == "0"  # no text under 11 px (charts are HTML, not a scaled picture)
        shot = tmp_path / f"forms-{width}.png"
        run = chromium(f"--screenshot={shot}", f"--window-size={width},2400", page.as_uri())
        assert run.returncode == 0 and chromium.console_lines(run.stderr) == []
        data = shot.read_bytes()
        assert struct.unpack(">II", data[16:24]) == (width, 2400) and len(data) > 40_000
    pdf = tmp_path / "forms.pdf"
    assert chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri()).returncode == 0
    boxes = re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf.read_bytes())
    sizes = {(round(float(w)), round(float(h))) for w, h in boxes}
    assert sizes == {(595, 842), (842, 595)}  # A4, the wide forms landscape
    assert len(boxes) >= 6  # each form on its own page


def test_basic_2012_forms_judge_the_composite(tmp_path: Path) -> None:
    """教督〔2012〕3号 judges the 综合差异系数 (mean of 8 CVs, ≤ 0.65 / 0.55) and has no per-school gate: the
    workbook has 表Ⅲ with eight indicators and no 表Ⅱ."""
    wb = openpyxl.load_workbook(_county(tmp_path, "basic.xlsx", "-r", "national/basic-2012"))
    assert wb.sheetnames == ["县域结论", "表Ⅲ", "图表", "数据问题"]
    ws = wb["表Ⅲ"]
    assert [c.value for c in ws[3]][-3:] == ["综合", "要求", "是否达标"]
    cv = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == "差异系数"]
    assert [len([x for x in r[2:10] if isinstance(x, float)]) for r in cv] == [8, 8]
    assert [r[11] for r in cv] == [0.65, 0.55]
    notes = [r[0] for r in ws.iter_rows(values_only=True) if r[0] and "综合差异系数" in str(r[0])]
    assert notes and "8项差异系数的平均值" in str(notes[0])


def test_a_large_county_charts_the_spread_not_every_school(tmp_path: Path) -> None:
    """Above 60 sections one bar per school is unreadable: the chart counts sections per number of
    indicators met. The demo's 8 sections ×8 (ids made unique) meet 5, 7, 6, 0, 5, 5, 2, 4 of 7
    (表Ⅱ-2 above: B 小学 5, E 7, F 6, G 0, A 5, B 初中 5, C 2, D 4) → 0: 8, 2: 8, 4: 8, 5: 24, 6: 8, 7: 8."""
    with example_path("demo_county.csv").open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    source = tmp_path / "big.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(header)
        for k in range(8):
            for row in rows:
                out.writerow([row[0] + (f"-{k}" if k else ""), *row[1:]])
    wb = openpyxl.load_workbook(_county(tmp_path, "big.xlsx", source=source))
    data = {r[0]: r[1] for r in wb["图表"].iter_rows(values_only=True) if r[0] and str(r[0]).endswith("项达标")}
    assert data == {"0项达标": 8, "1项达标": 0, "2项达标": 8, "3项达标": 0, "4项达标": 8, "5项达标": 24,
                    "6项达标": 8, "7项达标": 8}
    html = _county(tmp_path, "big.html", source=source).read_text(encoding="utf-8")
    assert html.count('class="bar-row"') == 7 + 7 + 8  # two CV charts and the spread, not 64 bars

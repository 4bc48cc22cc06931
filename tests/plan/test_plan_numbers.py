"""`junheng plan` prints every number by the one number policy (cli/render/numbers.py, README
"数字与结论") and names a section as the evaluate table does; expected strings written by hand."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.plan_cmd import amount_text, remedy_text, section_label
from junheng.engine.plan.records import Remedy
from junheng.examples import example_path
from junheng.policy.facts import Level

runner = CliRunner()
DEMO = ["plan", str(example_path("demo_county.csv")), "--costs", str(example_path("demo_costs.yaml")),
        "--county-facts", str(example_path("demo_county_facts.yaml"))]


def test_money_amount_from_10000_yuan_is_in_wan_yuan() -> None:
    assert amount_text(Fraction(674000), "equipment_value_yuan", "zh") == "67.40万元"  # 674000 ÷ 10000
    assert amount_text(Fraction(1536500), "equipment_value_yuan", "zh") == "153.65万元"  # 1536500 ÷ 10000
    assert amount_text(Fraction(9999), "equipment_value_yuan", "zh") == "9999元"  # under 10 000: 元
    assert amount_text(Fraction(674000), "equipment_value_yuan", "en") == "674,000 yuan"


def test_other_amounts_keep_their_unit() -> None:
    assert amount_text(Fraction("1904.77"), "teaching_aux_area_m2", "zh") == "1904.77平方米"
    assert amount_text(Fraction("444.60"), "sports_area_m2", "zh") == "444.6平方米"  # trailing zero dropped
    assert amount_text(Fraction(13), "multimedia_classrooms", "zh") == "13间"


def test_remedies_word_their_numbers_by_the_policy() -> None:
    assert remedy_text(Remedy(action="open_classes", amount=Fraction(8)), "zh") == "增设8个班"
    assert remedy_text(Remedy(action="raise", fact="equipment_value_yuan", amount=Fraction(20000)),
                       "zh") == "教学仪器设备值增加2.00万元"  # 20000 ÷ 10000


def test_section_label_is_name_id_and_level() -> None:
    assert section_label("GX-A", "示例A初级中学", Level.junior, "zh") == "示例A初级中学（GX-A）· 初中"
    assert section_label("GX-A", None, Level.primary, "en") == "GX-A (GX-A) · primary"


def test_demo_table_zh() -> None:
    out = runner.invoke(app, DEMO).output
    # header: the county and the year of demo_county_facts.yaml (year: 2024), never "示例县 · " alone
    assert out.startswith("示例县 2024 · national/quality-2017")
    # 差异系数 limits as 教督〔2017〕6号 第五条 writes them: 小学 0.50, 初中 0.45, two decimals
    assert re.search(r"│ 小学 │ [^│]+│ 0\.50 │ 0\.\d{3} ", out)
    assert re.search(r"│ 初中 │ [^│]+│ 0\.45 │ 0\.\d{3} ", out)
    assert "│ 0.5 │" not in out
    # money: no raw 元 sums of 10 000 or more, no thousands separators in Chinese
    assert not re.search(r"\d{5,}元", out) and not re.search(r"\d,\d{3}元", out)
    assert "+67.40万元" in out  # QH-B primary: 674000 元 of equipment ÷ 10000
    # what additions cannot fix names the section as 学校名称（标识码）· 学段, never "GX-A/初中"
    assert "GX-A/初中" not in out
    assert "示例A初级中学(广西样本)（GX-A）· 初中 班额" in out


def test_demo_table_en_and_html(tmp_path: Path) -> None:
    en = runner.invoke(app, [*DEMO, "--lang", "en"]).output
    assert en.startswith("示例县 2024 · national/quality-2017")
    assert re.search(r"│ 0\.50\s+│", en) and re.search(r"│ 0\.45\s+│", en) and not re.search(r"│ 0\.5\s+│", en)
    assert "GX-A/junior" not in en and "(GX-A) · junior class size" in en
    page_path = tmp_path / "p.html"
    runner.invoke(app, [*DEMO, "--format", "html", "-o", str(page_path)])
    page = page_path.read_text("utf-8")
    assert "<h1>最省达标方案 · 示例县 2024</h1>" in page
    assert not re.search(r"\d{5,}元", page) and not re.search(r"\d,\d{3}元", page)
    assert "<li>示例A初级中学(广西样本)（GX-A）· 初中 " in page

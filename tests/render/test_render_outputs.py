"""Everything a user reads is rendered from the judgement trace (issue 9).

* every renderer (table, JSON, XLSX, HTML, letter; zh and en) is scanned: no reference to a file
  of ours or a research-note tag, no raw snake_case id inside Chinese prose;
* each misleading output the issue lists has a test that would have caught it;
* the engine formats no text and imports nothing from ``cli``.

Expected numbers are worked out by hand in the comments.
"""

from __future__ import annotations

import ast
import io
import json
import re
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.cli.render import numbers as n
from junheng.cli.render.explain import explain_criterion, explain_rule
from junheng.cli.render.letter import chinese_number, letter_text, write_letter
from junheng.engine.county import evaluate_county
from junheng.engine.evaluate import evaluate_sections, ruleset_info
from junheng.engine.results import Outcome
from junheng.examples import example_path
from junheng.policy.county_facts import read_county_facts
from junheng.policy.facts import Level
from junheng.policy.inputs import SchoolSection
from junheng.policy.readers import read_facts
from junheng.policy.registry import load_ruleset

F = Fraction
DEMO = str(example_path("demo_county.csv"))
GX = str(example_path("guangxi_school_a.csv"))
ROOT = Path(__file__).resolve().parents[2]

NOTE_TAGS = re.compile(r"standards\.md|examples\.md|facts\.md|§|\[[A-Z]{1,2}\d{1,2}\]")
SNAKE = re.compile(r"(?<![\w./:@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w.@/])")
PRODUCT_NAMES = {"durable_rules"}  # the inference engine, named as it is published
HAN = re.compile(r"[\u4e00-\u9fff]")


def _prose_problems(text: str, lang: str) -> list[str]:
    """Note tags anywhere; snake_case ids in a line of Chinese prose."""
    found = [m.group(0) for m in NOTE_TAGS.finditer(text)]
    if lang == "zh":
        for line in text.splitlines():
            if HAN.search(line):
                found += [m.group(0) for m in SNAKE.finditer(line) if m.group(0) not in PRODUCT_NAMES]
    return found


def _json_prose(doc: object) -> list[str]:
    """Every human-facing string of a JSON document (explanations, titles, messages, sources)."""
    out: list[str] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key in ("explanation", "title", "message", "excluded", "schedule", "source") and isinstance(value, str):
                out.append(value)
            else:
                out += _json_prose(value)
    elif isinstance(doc, list):
        for item in doc:
            out += _json_prose(item)
    return out


RUNS = [
    ["evaluate", DEMO, "-r", "national/quality-2017"],
    ["evaluate", DEMO, "-r", "guangxi/school-b"],
    ["evaluate", DEMO, "-r", "guizhou/conditions-2014"],
    ["evaluate", DEMO, "-r", "anhui/school-2018"],
    ["county", DEMO, "-r", "national/quality-2017", "--county-facts", str(example_path("demo_county_facts.yaml"))],
    ["county", DEMO, "-r", "national/basic-2012"],
    ["compare", DEMO, "-r", "anhui/school-2007", "--against", "anhui/school-2018"],
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("args", RUNS, ids=lambda a: f"{a[0]}:{a[a.index('-r') + 1]}")
def test_no_note_tags_or_raw_ids_in_any_output(args: list[str], lang: str, tmp_path: Path) -> None:
    runner = CliRunner()
    problems: list[str] = []
    table = runner.invoke(app, [*args, "--lang", lang])
    assert table.exit_code in (0, 1), table.output
    problems += _prose_problems(table.stdout, lang)
    doc = runner.invoke(app, [*args, "--lang", lang, "--format", "json"])
    assert doc.exit_code in (0, 1), doc.output
    problems += [p for text in _json_prose(json.loads(doc.stdout)) for p in _prose_problems(text, lang)]
    for fmt in ("html", "xlsx"):
        out = tmp_path / f"r.{fmt}"
        written = runner.invoke(app, [*args, "--lang", lang, "--format", fmt, "-o", str(out)])
        assert written.exit_code in (0, 1), written.output
        if fmt == "html":
            text = re.sub(r"<[^>]+>", "\n", out.read_text(encoding="utf-8").split("<body>", 1)[1])
            problems += _prose_problems(text.split("<script>")[0], lang)
        else:
            wb = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
            cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
            problems += [p for c in cells if HAN.search(c) or lang == "en" for p in _prose_problems(c, lang)]
    assert problems == []


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("school", "ruleset"), [("GX-A", "guangxi/school-b"), ("GX-A", "national/quality-2017"),
                                                 ("QH-B", "guizhou/conditions-2014"), ("GX-A", "anhui/school-2018")])
def test_no_note_tags_or_raw_ids_in_letters(school: str, ruleset: str, lang: str) -> None:
    level = ["--level", "primary"] if school == "QH-B" else []  # a 九年一贯制 school: two sections
    out = CliRunner().invoke(app, ["explain", DEMO, "--school", school, "-r", ruleset, "--lang", lang, *level])
    assert out.exit_code == 0, out.output
    assert _prose_problems(out.stdout, lang) == []




# --- the misleading outputs of the issue, one test each -------------------------------------------


def _letter(file: str, school: str, ruleset: str, lang: str = "zh") -> str:
    loaded = load_ruleset(ruleset)
    section = next(s for s in read_facts(Path(file)).sections if s.school_id == school)
    result = evaluate_sections(loaded.ruleset, [section])[0]
    return letter_text(write_letter(ruleset_info(loaded), result, lang))


def test_scored_scheme_without_pass_mark_is_a_score_not_a_failure() -> None:
    # guangxi/school-b states no pass mark: 97/100 is a score, not 未达标
    out = CliRunner().invoke(app, ["evaluate", GX, "-r", "guangxi/school-b", "--format", "json"])
    school = json.loads(out.stdout)["schools"][0]
    assert school["outcome"] == "scored" and school["passed"] is None and school["points_total"] == 97
    table = CliRunner().invoke(app, ["evaluate", GX, "-r", "guangxi/school-b"]).stdout
    assert "计分" in table and "未达标 · 得分" not in table
    # B1 17/18: the table says what it lost, not 未达标
    assert "扣1分" in table


def test_letter_never_promises_points_that_cannot_be_scored() -> None:
    # demo GX-A has no assessed scores for B3, B5, B6, B9 (18 + 10 + 10 + 6 = 44 points unknown)
    zh = _letter(DEMO, "GX-A", "guangxi/school-b")
    assert "满分100分" not in zh.split("以上几项")[-1]
    assert "另有44分" in zh and "还不能说总分能到多少" in zh
    assert "得—分" not in zh and "评估得分—分" not in zh  # no score entered: said so, not "—"
    assert "核实“数理化生地仪器配置”扣" not in zh  # nobody knows B3 lost anything
    assert "请向评估组取得“数理化生地仪器配置”的认定得分" in zh


def test_letter_counts_failed_and_undecidable_apart() -> None:
    # quality-2017, one primary section: 2 indicators below (teaching area 3000/1000 = 3 < 4.5;
    # sports area 5000/1000 = 5 < 7.5), 5 facts missing → 0 met, 2 not met, 5 cannot be decided
    section = SchoolSection(school_id="T1", level=Level.primary, school_name="试验小学", values={
        "students": F(1000), "teaching_aux_area_m2": F(3000), "sports_area_m2": F(5000)})
    loaded = load_ruleset("national/quality-2017")
    result = evaluate_sections(loaded.ruleset, [section])[0]
    zh = letter_text(write_letter(ruleset_info(loaded), result, "zh"))
    assert "2项没有达到要求、5项缺少数据、暂时无法判定" in zh
    assert "有7项没有达到要求" not in zh
    assert "无法判定：无法判定" not in zh  # no sentence sliced out of another
    assert "缺少数据：“专任教师数”" in zh or "缺少数据：“高于规定学历教师数”" in zh


def test_letter_cites_the_document_with_its_number_in_both_languages() -> None:
    zh, en = _letter(GX, "GX-A", "guangxi/school-b"), _letter(GX, "GX-A", "guangxi/school-b", "en")
    assert "（桂政办发〔2012〕153号）" in zh and "(桂政办发〔2012〕153号)" in en


def test_letter_signed_by_the_county_office_not_a_generic_one() -> None:
    zh = _letter(DEMO, "GX-A", "guangxi/school-b")
    assert "示例县人民政府教育督导室" in zh
    out = CliRunner().invoke(app, ["explain", DEMO, "--school", "GX-A", "-r", "guangxi/school-b",
                                   "--office", "某某县教育局"])
    assert "某某县教育局" in out.stdout and "示例县人民政府教育督导室" not in out.stdout


def test_decrease_shortfall_says_reduce_and_has_no_enrolment_base() -> None:
    # a decrease (班额 52 → ≤ 50: 2 fewer) reads "减少", never "补充"/"−2"; a plain value has no base
    from junheng.engine.results import RuleResult, Shortfall
    from junheng.policy.model import Localized, Status

    cut = Shortfall(fact="max_class_size", unit="persons", direction="decrease", amount=F(2), target=F(50),
                    current=F(52))
    r = RuleResult(rule_id="r", kind="threshold", title=Localized(zh="班额", en="class size"), level=Level.junior,
                   outcome=Outcome.failed, actual=F(52), required=F(50), op="<=", unit="persons", gap=F(2),
                   shortfall=cut, source="某文件", status=Status.confirmed)
    zh, en = explain_rule(r, "zh"), explain_rule(r, "en")
    assert "班额为52人，要求不超过50人（初中），未达标，差2人；需把最大班额减少2人（降到50人）" in zh
    assert "reduce largest class by 2 persons (to 50 persons)" in en
    assert "按在校生" not in zh and "补充" not in zh and "−2" not in zh


def test_class_size_remedy_is_counted_on_enrolment() -> None:
    # anhui 2018 班额 ≤ 50 (junior): 8562 students in 150 classes, largest class not given → at least
    # ⌈8562 / 150⌉ = 58 > 50: not met; the remedy adds classes: ⌈8562 / 50⌉ = 172 → 22 more, on the 8562 students
    section = SchoolSection(school_id="T", level=Level.junior, school_name="试验中学",
                            values={"students": F(8562), "classes": F(150)})
    r = next(x for x in evaluate_sections(load_ruleset("anhui/school-2018").ruleset, [section])[0].results
             if x.actual_at_least)
    zh = explain_rule(r, "zh")
    assert "至少58人（未填报，按平均班额推算）" in zh and "至少差8人" in zh
    assert "按在校生8562人计，需增加班级22个班（达到172个班）" in zh


def test_shortfall_counted_on_its_own_base() -> None:
    # B8: 31 / 96 teachers = 32.3% < 50% → ⌈0.5 × 96⌉ − 31 = 17 more, counted on the 96 teachers
    result = evaluate_sections(load_ruleset("guangxi/school-b").ruleset, read_facts(Path(GX)).sections)[0]
    b8 = next(r for r in result.results if r.rule_id == "B8")
    zh = explain_rule(b8, "zh")
    assert "按专任教师96人计，需增加中级及以上专业技术职务教师17人" in zh
    assert "在校生" not in zh
    # the share as a percentage, the standard's 50% as written (never 0.3229 ≥ 0.5)
    assert "32.3%" in zh and "不低于50%" in zh and "32.29%" not in zh and "0.3229" not in zh


def test_county_decimal_ratio_and_veto_words() -> None:
    loaded = load_ruleset("national/quality-2017")
    run = evaluate_county(loaded, read_facts(Path(DEMO)), read_county_facts(example_path("demo_county_facts.yaml")))
    by_id = {c.criterion_id: c for c in run.criteria}
    veto = explain_criterion(by_id["veto.exam_admission"], run, "zh")
    assert "未发现该情形" in veto and "达标" in veto
    diff = next(c for c in run.criteria if c.fact == "quality_monitoring_between_school_ratio")
    # the standard writes 0.15 (校际差异率), not 15%
    assert "0.15" in explain_criterion(diff, run, "zh") and "15%" not in explain_criterion(diff, run, "zh")


def test_item_numbers_past_ten() -> None:
    assert [chinese_number(i) for i in (1, 10, 11, 12, 20, 21)] == ["一", "十", "十一", "十二", "二十", "二十一"]


def test_english_units_agree_with_the_number() -> None:
    assert n.quantity(F(1), "persons", "en") == "1 person"
    assert n.quantity(F(17), "persons", "en") == "17 persons"


def test_counts_computers_without_the_counting_suffix() -> None:
    # anhui/school-2018 学生与计算机之比 ≤ 8 (junior): 1289 / 88 = 14.65 → ⌈1289 / 8⌉ = 162 → +74
    section = next(s for s in read_facts(Path(DEMO)).sections if s.school_id == "GX-A")
    r = next(x for x in evaluate_sections(load_ruleset("anhui/school-2018").ruleset, [section])[0].results
             if x.shortfall is not None and x.shortfall.fact == "computers")
    zh = explain_rule(r, "zh")
    assert "需增加教学用计算机74台（达到162台）" in zh and "台数74台" not in zh


def test_number_policy() -> None:
    assert [n.indicator(F(9606, 10000)), n.indicator(F(14, 10))] == ["0.96", "1.40"]  # one column, 2 decimals
    assert n.indicator(F(52), "persons") == "52"  # whole units for people
    assert n.cv(F(515, 1000)) == "0.515" and n.limit(F(1, 2)) == "0.50" and n.limit(F(45, 100)) == "0.45"
    assert n.percent(F(31, 96)) == "32.3%"  # 31 / 96 = 0.32292
    assert n.percent_as_written(F(1, 2)) == "50%"
    assert n.money(F(674000), "zh") == "67.40万元" and n.money(F(3500), "zh") == "3500元"
    # 1.0036 rooms: never "1间" (the gap keeps its 2 decimals and its per-100 unit)
    assert n.measured(F(10036, 10000), "rooms_per_100_students", "zh") == "1.00间/百名学生"
    # 0.899965 against 0.9: not "0.90 … 0.90 … 未达标，差0"
    assert n.distinct(F(899965, 1000000), F(9, 10), None) == ("0.8999…", "0.9")


def test_rounded_equal_value_never_contradicts_itself() -> None:
    # 0.899965 PE/arts teachers per 100 students against ≥ 0.9: printed 0.8999…, "略低于要求"
    section = SchoolSection(school_id="T", level=Level.primary, school_name="试验小学",
                            values={"students": F(1000000), "pe_art_teachers": F(8999650, 1000)})
    r = next(x for x in evaluate_sections(load_ruleset("national/quality-2017").ruleset, [section])[0].results
             if x.rule_id == "resource.pe_art_teachers")
    zh = explain_rule(r, "zh")
    assert r.outcome is Outcome.failed
    assert "0.8999…" in zh and "略低于要求" in zh and "差0" not in zh


# --- where the words live ------------------------------------------------------------------------


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings (module, class, function, attribute)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for stmt in body:
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and \
                        isinstance(stmt.value.value, str):
                    out.add(id(stmt.value))
    return out


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
CHINESE_ALLOWED = {
    "scoring.py": "input column headers it recognises (“得分”, “自评得分”): data, not words",
}


def test_engine_formats_no_text_and_imports_nothing_from_cli() -> None:
    # engine/ records typed data; every word (zh or en) is cli/render's. Chinese may appear in
    # docstrings and comments only; a Localized is never built from a literal, an f-string or a
    # concatenation (only copied from ruleset or catalogue data)
    paths = sorted((ROOT / "engine").rglob("*.py"))
    assert any(p.name == "check.py" for p in paths)
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("junheng.cli"), f"{where} imports {node.module}"
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Localized":
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    assert not isinstance(arg, ast.JoinedStr | ast.BinOp | ast.Constant), f"{where} builds a sentence"
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                    and path.name not in CHINESE_ALLOWED:
                assert not CJK.search(node.value), f"{where} has Chinese text {node.value!r}"


def test_check_report_is_worded_by_the_render_package() -> None:
    # engine/check.py returns codes and data; every code has a zh and an en sentence
    from junheng.cli.render.check import finding
    from junheng.cli.render.templates import TEMPLATES
    from junheng.engine.check import INVARIANTS, Code, Finding

    assert "Localized" not in (ROOT / "engine" / "check.py").read_text(encoding="utf-8")
    for code in Code:
        assert ("check", code.value) in TEMPLATES, code
    assert {name for kind, name in TEMPLATES if kind == "check_invariant"} >= set(INVARIANTS)
    # rule R has no value for the junior level; 0.5 points outside 0..0.25 (numbers exact, once each)
    from junheng.policy.facts import Level
    assert finding(Finding(Code.no_value, "R", level=Level.junior), "zh") == "规则 R 没有初中的要求值"
    assert finding(Finding(Code.points_out_of_range, "B1", value=F(1, 2), other=F(1, 4)), "en") == \
        "scored item B1: 0.5 points outside 0..0.25"


def test_a_stated_gate_decides_a_scored_scheme() -> None:
    # Points alone give the outcome "scored"; a gate the scheme states (e.g. Guizhou "9 项须 7 项达到")
    # decides the verdict: failed gate → failed, passed gate → passed, whatever the points.
    from junheng.engine.evaluate import school_outcome
    from junheng.engine.results import ItemScore, RuleResult
    from junheng.policy.model import Localized, Status, StepSchedule

    ruleset = load_ruleset("guangxi/school-b").ruleset
    schedule = StepSchedule(kind="step", per=F(1, 2), deduct=F(1))
    item = RuleResult(rule_id="B1", kind="scored", title=Localized(zh="项", en="item"), outcome=Outcome.failed,
                      status=Status.secondary, score=ItemScore(points=F(18), awarded=F(17), deducted=F(1),
                                                               schedule_kind="step", schedule=schedule))
    assert school_outcome((item,), ruleset, set()) is Outcome.scored

    def gate(outcome: Outcome) -> RuleResult:
        return RuleResult(rule_id="G", kind="count_gate", title=Localized(zh="门槛", en="gate"), outcome=outcome,
                          status=Status.secondary)

    assert school_outcome((item, gate(Outcome.failed)), ruleset, set()) is Outcome.failed
    assert school_outcome((item, gate(Outcome.passed)), ruleset, set()) is Outcome.passed


def test_scored_outcome_is_in_every_contract() -> None:
    # a scored scheme's school outcome "scored" validates in evaluation, compare and county documents
    import jsonschema

    def schema(name: str) -> dict[str, object]:
        loaded: dict[str, object] = json.loads((ROOT / "junheng" / "schemas" / f"{name}.schema.json").read_text())
        return loaded

    runner = CliRunner()
    doc = json.loads(runner.invoke(app, ["evaluate", DEMO, "-r", "guangxi/school-b", "-f", "json"]).stdout)
    assert {s["outcome"] for s in doc["schools"]} == {"scored"}
    jsonschema.validate(doc, schema("evaluation-1"))
    doc = json.loads(runner.invoke(app, ["compare", DEMO, "-r", "anhui/school-2018", "--against",
                                         "guangxi/school-b", "-f", "json"]).stdout)
    assert "scored" in {s["outcome_after"] for s in doc["schools"]}
    jsonschema.validate(doc, schema("compare-1"))
    doc = json.loads(runner.invoke(app, ["county", DEMO, "-r", "national/basic-2012", "--school-ruleset",
                                         "guangxi/school-b", "-f", "json"]).stdout)
    jsonschema.validate(doc, schema("county-1"))

"""The floor of ``bench/bench_evaluate.py --e2e``: a minimal exact evaluator for national/quality-2017.

Not part of junheng and not a second implementation to trust: it exists so that the benchmark can
say how far the real CLI is from what plain Python can do on the same machine in the same run.
It reads the same CSV (``csv`` + exact ``Fraction``s, integers on a fast path), decides the seven
resource indicators and the 6-of-7 gate with its minimal paths, writes the zh sentences from
fixed templates and dumps the same ``evaluation/1`` document with ``json.dumps`` (compact, as
the CLI writes a file; ``--indent``: indented 2, the pure-Python encoder) — no
durable_rules, no pydantic, no ruleset loading (the ruleset's words and numbers are constants
below). The benchmark checks that its document parses equal to junheng's, section by section.

It covers what the synthetic CSV holds (every figure present, students > 0); anything else is
an error here, never a guess.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import sys
from fractions import Fraction
from itertools import combinations
from pathlib import Path
from typing import Any

_NAT = "《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）"
_WEB = "；转引：网络转载的办法指标原文（www.fudaoke.com/exam/3242393.html）"
_STATUS = {"confirmed": "已确认", "secondary": "二手来源"}
_LEVEL = {"primary": "小学", "junior": "初中"}
_UNIT = {"teachers_per_100_students": "人/百名学生", "rooms_per_100_students": "间/百名学生",
         "m2_per_student": "平方米/生", "yuan_per_student": "元/生", "persons": "人", "rooms": "间",
         "m2": "平方米", "yuan": "元"}
_CENT = Fraction(1, 100)

# rule id, title, fact, per (100 or 1), unit, primary, junior, resource unit, integral, fact title,
# text, article, source, status
RULES: list[tuple[Any, ...]] = [
    ("resource.above_degree_teachers", "每百名学生拥有高于规定学历教师数", "teachers_above_required_degree", 100,
     "teachers_per_100_students", "4.2", "5.3", "persons", True, "高于规定学历教师",
     "每百名学生拥有高于规定学历教师数：小学、初中分别达到4.2人以上、5.3人以上", "资源配置（一）",
     f"{_NAT} 资源配置（一）", "confirmed"),
    ("resource.backbone_teachers", "每百名学生拥有县级以上骨干教师数", "backbone_teachers", 100,
     "teachers_per_100_students", "1", "1", "persons", True, "县级以上骨干教师",
     "每百名学生拥有县级以上骨干教师数：小学、初中均达到1人以上", "资源配置（二）",
     f"{_NAT} 资源配置（二）", "confirmed"),
    ("resource.pe_art_teachers", "每百名学生拥有体育、艺术（美术、音乐）专任教师数", "pe_art_teachers", 100,
     "teachers_per_100_students", "0.9", "0.9", "persons", True, "体育、艺术（美术、音乐）专任教师",
     "每百名学生拥有体育、艺术（美术、音乐）专任教师数：小学、初中均达到0.9人以上", "资源配置（三）",
     f"{_NAT} 资源配置（三）{_WEB}", "secondary"),
    ("resource.teaching_area", "生均教学及辅助用房面积", "teaching_aux_area_m2", 1,
     "m2_per_student", "4.5", "5.8", "m2", False, "教学及辅助用房面积",
     "生均教学及辅助用房面积：小学、初中分别达到4.5平方米以上、5.8平方米以上", "资源配置（四）",
     f"{_NAT} 资源配置（四）{_WEB}", "secondary"),
    ("resource.sports_area", "生均体育运动场馆面积", "sports_area_m2", 1,
     "m2_per_student", "7.5", "10.2", "m2", False, "体育运动场馆面积",
     "生均体育运动场馆面积：小学、初中分别达到7.5平方米以上、10.2平方米以上", "资源配置（五）",
     f"{_NAT} 资源配置（五）", "confirmed"),
    ("resource.equipment_value", "生均教学仪器设备值", "equipment_value_yuan", 1,
     "yuan_per_student", "2000", "2500", "yuan", False, "教学仪器设备值",
     "生均教学仪器设备值：小学、初中分别达到2000元以上、2500元以上", "资源配置（六）",
     f"{_NAT} 资源配置（六）{_WEB}", "secondary"),
    ("resource.multimedia_classrooms", "每百名学生拥有网络多媒体教室数", "multimedia_classrooms", 100,
     "rooms_per_100_students", "2.3", "2.4", "rooms", True, "网络多媒体教室",
     "每百名学生拥有网络多媒体教室数：小学、初中分别达到2.3间以上、2.4间以上", "资源配置（七）",
     f"{_NAT} 资源配置（七）{_WEB}", "secondary"),
]
GATE = ("resource.six_of_seven", "资源配置7项指标（至少6项达标，余项不低于85%）",
        "每所学校至少6项指标达到上述要求，余项不能低于要求的85%", "资源配置",
        f"{_NAT} 资源配置；转引：沈阳市县域义务教育优质均衡督导评估系统指标说明"
        "（github.com/Michael8968/educational_supervision_system）", "secondary")
MIN_MET, FLOOR = 6, Fraction(85, 100)


def exact(text: str) -> Fraction:
    """Decimal text → exact Fraction (an int fast path; never a binary float)."""
    if text.isdigit():
        return Fraction(int(text))
    whole, _, frac = text.partition(".")
    if not (whole.isdigit() and frac.isdigit()):
        raise ValueError(f"not a plain decimal: {text!r}")
    return Fraction(int(whole + frac), 10 ** len(frac))


def scaled(v: Fraction, places: int) -> int:
    """round(v × 10^places), halves away from zero (as junheng rounds)."""
    n, d = v.numerator * 10 ** places, v.denominator
    q, r = divmod(abs(n), d)
    if 2 * r >= d:
        q += 1
    return -q if n < 0 else q


def dec(v: Fraction, places: int | None = None) -> str:
    if places is None:
        places = 4 if abs(v.numerator) < v.denominator else 2
    r = scaled(v, places)
    if r == 0 or places == 0:
        return str(r)
    digits = str(abs(r)).rjust(places + 1, "0")
    whole, frac = digits[:-places], digits[-places:].rstrip("0")
    return ("-" if r < 0 else "") + (f"{whole}.{frac}" if frac else whole)


def fixed(v: Fraction, places: int) -> str:
    """Exactly ``places`` decimals, zeros kept (indicator values: 2; percentages: 1)."""
    r = scaled(v, places)
    digits = str(abs(r)).rjust(places + 1, "0")
    return ("-" if r < 0 else "") + digits[:-places] + "." + digits[-places:]


def amount(v: Fraction, runit: str) -> str:
    """A resource amount: whole persons/rooms, at most 2 decimals of m², 元 or 万元 from 10 000."""
    if runit == "yuan" and v >= 10_000:
        return fixed(v / 10_000, 2) + "万元"
    return (dec(v, 0) if runit in ("persons", "rooms") else dec(v, 2)) + _UNIT[runit]


def near(actual: Fraction, req: Fraction) -> tuple[str, str] | None:
    """When actual ≠ required but both print alike at 2 decimals: actual cut to the first
    differing decimal with '…', and the requirement at that many places."""
    if actual == req or fixed(actual, 2) != fixed(req, 2):
        return None
    for places in range(4, 14):
        step = Fraction(1, 10 ** places)
        cut = (actual // step) * step
        if cut != req and (cut < req) == (actual < req):
            return dec(cut, places) + ("…" if cut != actual else ""), dec(req, places)
    return None


def num(v: Fraction) -> int | float:
    """A JSON number: an int when whole, else rounded to 6 decimals (half away from zero)."""
    if v.denominator == 1:
        return int(v)
    r = scaled(v, 6)
    s = str(abs(r)).rjust(7, "0")
    return float(("-" if r < 0 else "") + s[:-6] + "." + s[-6:])


def shortfall(per: int, integral: bool, students: Fraction, current: Fraction,
              goal: Fraction) -> tuple[Fraction, Fraction]:
    """(amount, target) of the resource so that resource × per ÷ students ≥ goal."""
    solution = goal * students / per
    if integral:
        target = max(Fraction(math.ceil(solution)), current)
        return Fraction(math.ceil(target - current)), target
    target = max(Fraction(math.ceil(solution / _CENT)) * _CENT, current)
    return target - current, target


def section(row: dict[str, str], line: int, source: str, required: list[list[Fraction]]) -> dict[str, Any]:
    level = row["level"]
    lv = 0 if level == "primary" else 1
    students = exact(row["students"])
    if students <= 0:
        raise ValueError(f"line {line}: students must be > 0 here")
    results: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    missed: list[tuple[int, Fraction, dict[str, Any] | None]] = []
    met = 0
    for i, (rid, title, fact, per, unit, _p, _j, runit, integral, ftitle, text, article, src, status) in \
            enumerate(RULES):
        current = exact(row[fact])
        actual = current * per / students
        req = required[i][lv]
        ok = actual >= req
        u = _UNIT[unit]
        close = near(actual, req)
        a_text, r_text = close if close else (fixed(actual, 2), fixed(req, 2))
        head = f"{title}为{a_text}{u}，要求不低于{r_text}{u}（{_LEVEL[level]}）"
        cite = f"依据：{src}（{_STATUS[status]}）"
        rec: dict[str, Any] = {
            "rule_id": rid, "kind": "threshold", "title": title, "passed": ok,
            "outcome": "passed" if ok else "failed", "actual": num(actual), "required": num(req), "op": ">=",
            "unit": unit, "gap": 0 if ok else num(req - actual),
            "shortfall_total": None, "shortfall_unit": None, "shortfall_fact": None,
            "shortfall_direction": None, "shortfall_target": None, "shortfall_base": None, "missing_facts": [],
        }
        attain = actual / req
        if ok:
            met += 1
            rec["explanation"] = f"{head}，达标。{cite}"
        else:
            more, target = shortfall(per, integral, students, current, req)
            rec.update(shortfall_total=num(more), shortfall_unit=runit, shortfall_fact=fact,
                       shortfall_direction="increase", shortfall_target=num(target),
                       shortfall_base={"fact": "students", "value": num(students)})
            gap = req - actual
            by = "，略低于要求" if close or scaled(gap, 2) == 0 else f"，差{fixed(gap, 2)}{u}"
            rec["explanation"] = (f"{head}，未达标{by}；按在校生{dec(students, 0)}人计，"
                                  f"需增加{ftitle}{amount(more, runit)}（达到{amount(target, runit)}）。{cite}")
            step = {"rule_id": rid, "fact": fact, "direction": "increase", "amount": num(more),
                    "unit": runit, "target": num(target)}
            floor_step = None
            if attain < FLOOR:
                fa, ft = shortfall(per, integral, students, current, FLOOR * req)
                floor_step = {"rule_id": rid, "fact": fact, "direction": "increase", "amount": num(fa),
                              "unit": runit, "target": num(ft)}
            missed.append((i, attain, floor_step))
            rec["_step"] = step
        rec.update(text=text, article=article, source=src, status=status, parameter_status=None)
        results.append(rec)
        members.append({"rule_id": rid, "title": title, "outcome": rec["outcome"], "attainment": num(attain),
                        "meets_floor": attain >= FLOOR})
    below = [RULES[i][1] for i, a, _ in missed if a < FLOOR]
    gate_ok = met >= MIN_MET and not below
    gid, gtitle, gtext, garticle, gsrc, gstatus = GATE
    missed_zh = "、".join(f"{RULES[i][1]}（达到要求的{fixed(a * 100, 1)}%）" for i, a, _ in missed) or "无"
    expl = f"{gtitle}：{len(RULES)}项中{met}项达标（要求至少{MIN_MET}项，余项不低于要求的85%）"
    if gate_ok:
        expl += f"，达标；未达标项：{missed_zh}。"
    else:
        expl += f"，未达标；未达标项：{missed_zh}"
        if MIN_MET - met > 0:
            expl += f"；需至少再有{MIN_MET - met}项达标"
        if below:
            expl += f"，且其余项不低于要求的85%（低于者：{'、'.join(below)}）"
        expl += "。"
    expl += f"依据：{gsrc}（{_STATUS[gstatus]}）"
    gate: dict[str, Any] = {"met_count": met, "min_met": MIN_MET, "floor": num(FLOOR), "members": members,
                            "missed": [RULES[i][0] for i, _, _ in missed]}
    if not gate_ok:
        paths = []
        for (kept,) in combinations(missed, min(len(RULES) - MIN_MET, len(missed))):
            full = [results[i]["_step"] for i, _, _ in missed if i != kept[0]]
            to_floor = [kept[2]] if kept[2] is not None else []
            if full or to_floor:
                paths.append({"full": full, "to_floor": to_floor})
        if paths:
            gate["paths"] = paths
    for rec in results:
        rec.pop("_step", None)
    results.append({
        "rule_id": gid, "kind": "count_gate", "title": gtitle, "passed": gate_ok,
        "outcome": "passed" if gate_ok else "failed", "actual": met, "required": MIN_MET, "op": ">=",
        "unit": "count", "gap": None, "shortfall_total": None, "shortfall_unit": None, "shortfall_fact": None,
        "shortfall_direction": None, "shortfall_target": None, "shortfall_base": None, "missing_facts": [],
        "explanation": expl,
        "text": gtext, "article": garticle, "source": gsrc, "status": gstatus, "parameter_status": None,
        "gate": gate,
    })
    return {"school_id": row["school_id"], "level": level, "school_name": row["school_name"], "school_type": None,
            "students": num(students), "passed": gate_ok, "outcome": "passed" if gate_ok else "failed",
            "source": source, "row": line, "results": results}


def evaluate(path: Path, out: Path, indent: int | None = None) -> int:
    """Compact (as the CLI writes a file): each section's text is made as it is decided and only
    the texts are kept, because the summary comes before the sections; ``indent``: the whole
    document, indented."""
    data = path.read_bytes()
    required = [[exact(r[5]), exact(r[6])] for r in RULES]
    compact = indent is None
    schools: list[Any] = []
    passed = 0
    with open(path, encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            s = section(row, line, path.name, required)
            passed += s["passed"]
            schools.append(json.dumps(s, ensure_ascii=False, separators=(",", ":")) if compact else s)
    doc = {
        "$schema": "https://junheng.example/schemas/evaluation-1.schema.json", "schema_version": "1.4",
        "junheng_version": "floor", "engine": "floor", "lang": "zh",
        "ruleset": {"id": "national/quality-2017", "version": "2017-05-23",
                    "title": "县域义务教育优质均衡发展督导评估办法（资源配置·学校）", "document": "教督〔2017〕6号",
                    "sha256": None},
        "input": {"file": path.name, "sha256": hashlib.sha256(data).hexdigest(), "rows_read": len(schools),
                  "rows_evaluated": len(schools), "rows_rejected": 0, "unused_columns": []},
        "summary": {"sections": len(schools), "passed": passed, "failed": len(schools) - passed, "unknown": 0,
                    "scored": 0, "rows_rejected": 0},
        "schools": [] if compact else schools, "errors": [], "warnings": [],
    }
    with open(out, "w", encoding="utf-8") as handle:
        if compact:
            head, tail = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).split('"schools":[]', 1)
            handle.write(head + '"schools":[')
            for i, text in enumerate(schools):
                handle.write(("," if i else "") + text)
            handle.write("]" + tail)
        else:
            handle.write(json.dumps(doc, ensure_ascii=False, indent=indent))
        handle.write("\n")
    return len(schools)


if __name__ == "__main__":
    print(evaluate(Path(sys.argv[1]), Path(sys.argv[2]), 2 if sys.argv[3:] == ["--indent"] else None))

"""User-facing words of the command line, in Chinese (default) and English."""

from __future__ import annotations

from junheng.cli.render.words import outcome_word

__all__ = ["outcome_word", "t"]

_TEXT: dict[str, tuple[str, str]] = {
    "indicator": ("指标", "Indicator"),
    "actual": ("实际值", "Actual"),
    "required": ("要求", "Required"),
    "result": ("结果", "Result"),
    "gap": ("差距", "Gap"),
    "shortfall": ("缺额", "Shortfall"),
    "status": ("来源状态", "Status"),
    "school": ("学校", "School"),
    "level": ("学段", "Level"),
    "students": ("在校生", "students"),
    "summary": ("共{n}个学段：达标{p}，未达标{f}，无法判定{u}。",
                "{n} sections: {p} passed, {f} failed, {u} cannot be decided."),
    "summary_rejected": ("另有{r}行数据有误，未能评估，其结果无法判定。",
                         "{r} more input rows have errors and were not evaluated: their outcome "
                         "cannot be decided."),
    "rows_rejected": ("输入中有{n}行数据有误，未参与评估（见下）：",
                      "{n} input rows have errors and were not evaluated (below):"),
    "warnings": ("数据提示：", "Data warnings:"),
    "ran": ("规则集 {id}（版本 {version}，sha256 {sha}…）；输入 {file}（sha256 {fsha}…）；"
            "junheng {jv}；引擎 {engine}",
            "ruleset {id} (version {version}, sha256 {sha}…); input {file} (sha256 {fsha}…); "
            "junheng {jv}; engine {engine}"),
    "unused_columns": ("未使用的列：{cols}", "Unused columns: {cols}"),
    "written": ("已写入 {path}", "Written to {path}"),
    "explanations": ("说明：", "Explanations:"),
    "points": ("得分", "Points"),
    "points_total": ("得分{awarded}/{max}", "{awarded}/{max} points"),
    "points_undecided": ("（另有{n}分暂时无法计分）", " ({n} more cannot be scored yet)"),
    "summary_scored": ("计分（无达标线）{n}。", " {n} scored (no pass mark)."),
    "points_groups": ("得分：{total}（{groups}）", "Points: {total} ({groups})"),
}

def t(key: str, lang: str, **values: object) -> str:
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)

"""The fact vocabulary (事实名称): canonical names, Chinese headers and units.

The fact catalogue — the public data contract. One input row is one
school *section* (小学部 / 初中部), keyed by ``school_id`` + ``level``. Rulesets may only refer
to facts named here; importers accept the canonical name, the Chinese header, and the aliases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Level(StrEnum):
    """学段."""

    primary = "primary"  # 小学
    junior = "junior"  # 初中

    @property
    def zh(self) -> str:
        return {"primary": "小学", "junior": "初中"}[self.value]

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.value


LEVEL_ALIASES: dict[str, Level] = {
    "primary": Level.primary,
    "小学": Level.primary,
    "小学部": Level.primary,
    "junior": Level.junior,
    "初中": Level.junior,
    "初中部": Level.junior,
    "初级中学": Level.junior,
}

SCHOOL_TYPES: dict[str, str] = {
    "小学": "primary_school",
    "初级中学": "junior_school",
    "九年一贯制学校": "nine_year",
    "十二年一贯制学校": "twelve_year",
    "完全中学": "complete_secondary",
    "教学点": "teaching_point",
    "特殊教育学校": "special_education",
}
"""学校类型: Chinese name → canonical code (both accepted on input)."""


class FactScope(StrEnum):
    school = "school"
    county = "county"


class FactKind(StrEnum):
    text = "text"
    enum = "enum"
    number = "number"
    ratio = "ratio"  # a fraction 0..1; "85%" is converted explicitly, 85 is an error
    boolean = "boolean"


@dataclass(frozen=True)
class FactSpec:
    name: str
    zh: str
    en: str
    unit: str
    kind: FactKind = FactKind.number
    scope: FactScope = FactScope.school
    aliases: tuple[str, ...] = field(default=())

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _school(name: str, zh: str, en: str, unit: str, *aliases: str,
            kind: FactKind = FactKind.number) -> FactSpec:
    return FactSpec(name, zh, en, unit, kind, FactScope.school, aliases)


def _county(name: str, zh: str, en: str, unit: str, *aliases: str,
            kind: FactKind = FactKind.ratio) -> FactSpec:
    return FactSpec(name, zh, en, unit, kind, FactScope.county, aliases)


IDENTITY_FACTS: tuple[str, ...] = (
    "school_id", "school_name", "county", "year", "level", "school_type",
)

SCHOOL_FACTS: tuple[FactSpec, ...] = (
    _school("school_id", "学校标识码", "school id", "text", "学校代码", "学校编码", "学校标识",
            kind=FactKind.text),
    _school("school_name", "学校名称", "school name", "text", "校名", kind=FactKind.text),
    _school("county", "县（市、区）", "county", "text", "县", "县区", "县(市、区)", "所在县",
            kind=FactKind.text),
    _school("year", "学年", "school year", "year", "年度"),
    _school("level", "学段", "level", "text", kind=FactKind.enum),
    _school("school_type", "学校类型", "school type", "text", "办学类型", kind=FactKind.enum),
    _school("students", "在校生数", "students", "persons", "学生数", "在校学生数", "在校生人数", "学生人数"),
    _school("classes", "班级数", "classes", "classes", "班数"),
    _school("max_class_size", "最大班额", "largest class", "persons"),
    _school("teaching_aux_area_m2", "教学及辅助用房面积", "teaching and auxiliary rooms area", "m2",
            "教学及辅助用房"),
    _school("sports_area_m2", "体育运动场馆面积", "sports ground area", "m2",
            "体育运动场地面积", "运动场地面积", "体育运动场馆"),
    _school("building_area_m2", "校舍建筑面积（不含宿舍）", "building area (excl. dormitories)", "m2",
            "校舍建筑面积", "校舍面积"),
    _school("land_area_m2", "占地面积", "land area", "m2", "校园占地面积"),
    _school("equipment_value_yuan", "教学仪器设备值", "teaching equipment value", "yuan",
            "教学仪器设备总值"),
    _school("computers", "教学用计算机台数", "teaching computers", "computers",
            "计算机台数", "教学用计算机", "计算机", "计算机数", "教学用计算机数"),
    _school("books", "图书册数", "library books", "volumes", "图书", "藏书", "藏书册数"),
    _school("multimedia_classrooms", "网络多媒体教室数", "networked multimedia classrooms", "rooms",
            "多媒体教室数"),
    _school("teachers", "专任教师数", "full-time teachers", "persons", "专任教师"),
    _school("staff", "教职工数", "staff", "persons"),
    _school("staff_quota", "核定教职工编制数", "staff establishment", "persons", "编制数"),
    _school("teachers_above_required_degree", "高于规定学历教师数",
            "teachers above the required degree", "persons"),
    _school("teachers_mid_senior_title", "中级及以上专业技术职务教师数",
            "teachers with intermediate or senior titles", "persons",
            "中级及以上职称教师数", "中高级职称教师数"),
    _school("backbone_teachers", "县级以上骨干教师数", "county-level or higher backbone teachers",
            "persons", "骨干教师数", "县级及以上骨干教师数", "县级以上骨干教师", "县级及以上骨干教师"),
    _school("pe_art_teachers", "体育、艺术（美术、音乐）专任教师数", "PE and arts teachers", "persons",
            "体育艺术专任教师数", "体育、艺术专任教师数", "体艺教师数", "体育、艺术教师数",
            "体育艺术教师数"),
    # for the 2019 规程's transitional relaxations and the music/art rooms of 教督〔2017〕6号
    _school("built_year", "建成年份", "year built", "year", "建校年份", "学校建成年份"),
    _school("migrant_share", "随迁子女占比", "share of migrant workers' children", "ratio",
            "进城务工人员随迁子女占比", "随迁子女比例"),
    _school("music_rooms", "音乐专用教室数", "music rooms", "rooms", "音乐教室数"),
    _school("music_room_area_m2", "音乐专用教室面积（最小一间）", "music room area (smallest room)", "m2",
            "音乐专用教室面积", "音乐教室面积"),
    _school("art_rooms", "美术专用教室数", "art rooms", "rooms", "美术教室数"),
    _school("art_room_area_m2", "美术专用教室面积（最小一间）", "art room area (smallest room)", "m2",
            "美术专用教室面积", "美术教室面积"),
    _school("rural_small_school", "农村小规模学校（是/否）", "rural small school (yes/no)", "bool",
            "农村小规模学校", "是否农村小规模学校", "农村小规模学校（1=是，0=否）", kind=FactKind.boolean),
)

COUNTY_FACTS: tuple[FactSpec, ...] = (
    _county("government_effort_score", "县级政府推进工作得分", "county government effort score",
            "points", kind=FactKind.number),
    _county("public_satisfaction", "公众满意度", "public satisfaction", "ratio"),
    _county("social_recognition", "社会认可度", "social recognition", "ratio"),
    _county("junior_retention_rate", "初中三年巩固率", "junior 3-year retention rate", "ratio"),
    _county("disabled_enrolment_rate", "残疾儿童少年入学率", "disabled children's enrolment rate",
            "ratio"),
    _county("teacher_salary_ratio", "教师平均工资与公务员平均工资之比",
            "teacher / civil-servant average pay", "ratio"),
    _county("teacher_exchange_rate", "交流轮岗教师比例", "teacher exchange rate", "ratio"),
    _county("backbone_share_of_exchanged", "交流轮岗教师中骨干教师比例",
            "backbone share of exchanged teachers", "ratio"),
    _county("migrant_children_public_rate", "随迁子女在公办及购买服务民办学校就读比例",
            "migrant children in public (or funded) schools", "ratio"),
    _county("quality_monitoring_level", "质量监测学业水平等级", "quality monitoring level", "level",
            kind=FactKind.number),
    _county("quality_monitoring_between_school_ratio", "质量监测校际差异率",
            "quality monitoring between-school difference", "ratio"),
)

FACTS: dict[str, FactSpec] = {f.name: f for f in (*SCHOOL_FACTS, *COUNTY_FACTS)}


def numeric_school_facts() -> tuple[FactSpec, ...]:
    return tuple(f for f in SCHOOL_FACTS if f.kind is FactKind.number and f.name != "year")

"""Units of measure (计量单位) used by facts and indicators.

A unit knows how to print itself in Chinese and English, whether it counts indivisible things
(teachers, rooms, books: a shortfall is rounded *up* to a whole number) and, for divisible
quantities (m², 元), the resolution a shortfall is rounded up to so that adding the reported
amount always closes the gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Unit:
    code: str
    zh: str
    en: str
    integral: bool
    resolution: Fraction = Fraction(1, 100)

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


UNITS: dict[str, Unit] = {
    u.code: u
    for u in (
        Unit("text", "", "", integral=False),
        Unit("persons", "人", "persons", integral=True),
        Unit("count", "个", "items", integral=True),
        Unit("classes", "个班", "classes", integral=True),
        Unit("rooms", "间", "rooms", integral=True),
        Unit("computers", "台", "computers", integral=True),
        Unit("volumes", "册", "volumes", integral=True),
        Unit("m2", "平方米", "m²", integral=False),
        Unit("yuan", "元", "yuan", integral=False),
        Unit("ratio", "", "", integral=False, resolution=Fraction(1, 10000)),
        Unit("points", "分", "points", integral=False, resolution=Fraction(1, 10)),
        Unit("level", "级", "level", integral=True),
        Unit("year", "年", "year", integral=True),
        Unit("bool", "", "", integral=True),
        # indicator units (values per student / per 100 students / ratios)
        Unit("m2_per_student", "平方米/生", "m² per student", integral=False),
        Unit("yuan_per_student", "元/生", "yuan per student", integral=False),
        Unit("volumes_per_student", "册/生", "volumes per student", integral=False),
        Unit("per_student", "/生", "per student", integral=False),
        Unit("per_100_students", "/百名学生", "per 100 students", integral=False),
        Unit("teachers_per_100_students", "人/百名学生", "teachers per 100 students", integral=False),
        Unit("rooms_per_100_students", "间/百名学生", "rooms per 100 students", integral=False),
        Unit("computers_per_100_students", "台/百名学生", "computers per 100 students",
             integral=False),
        Unit("students_per_computer", "生/台", "students per computer", integral=False),
        Unit("students_per_teacher", "生/师", "students per teacher", integral=False),
        Unit("percent_of_teachers", "", "share of teachers", integral=False),
    )
}


def unit(code: str) -> Unit:
    """Look a unit up by code; raises KeyError naming the unknown code."""
    try:
        return UNITS[code]
    except KeyError:
        raise KeyError(f"unknown unit {code!r}; known: {', '.join(sorted(UNITS))}") from None

"""Parsing one typed cell (单元格) into an exact number.

People type numbers into Chinese spreadsheets in many ways: full-width digits (１２８９), an
ideographic full stop as decimal point (3。45), thousands separators (1,289), a unit glued to the
number (4450平方米, 4450㎡), a 万 multiplier (140.8万元) or a percent sign (85%). This module
accepts exactly those forms, records every conversion it applied, and rejects everything
ambiguous — it never guesses.

Rules:

* Blank cells and the usual "nothing here" marks (``—``, ``-``, ``－``, ``/``, ``无``) are
  *missing* (``value is None``), not zero.
* The number goes through :class:`decimal.Decimal` (from text) into a
  :class:`fractions.Fraction`; a binary float is never involved.
* Thousands separators must group by three (``1,289`` yes, ``1,28`` no).
* ``。`` is read as a decimal point; more than one decimal point is an error.
* ``万`` multiplies by 10 000, ``亿`` by 100 000 000, ``%`` divides by 100; ``%`` together with
  ``万``/``亿`` or a unit is an error.
* Scientific notation (``1.2e3``) is accepted only in plain ASCII text without separators,
  ``。``, ``万``/``亿`` or ``%`` (it is how programs, not people, write numbers).
* A negative sign parses (``-5``); whether a negative value is allowed is the row validator's
  business.
* Rejected: NaN/infinity, spreadsheet error values (``#DIV/0!``), fractions (``1/2``), two
  numbers in one cell (``12 34``, ``10-20``), unknown trailing text (``12abc``), and approximate
  values (``约60000``, ``60000余``, ``60000左右``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

__all__ = [
    "BOOLEAN_FALSE",
    "BOOLEAN_TRUE",
    "CELL_UNITS",
    "MISSING_MARKS",
    "CellError",
    "ParsedNumber",
    "parse_boolean",
    "parse_number",
    "plain_number",
]


class CellError(ValueError):
    """A cell that cannot be read as one exact number, with a bilingual message."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_en} / {message_zh}")
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True)
class ParsedNumber:
    """The result of :func:`parse_number`.

    ``value`` is ``None`` for a blank / missing cell. ``unit_text`` is the unit as typed in the
    cell (``"平方米"``, ``"㎡"``, ``"元"`` for ``"140.8万元"`` — the 万 is a multiplier and is
    listed in ``conversions``); ``unit_code`` is the matching code of
    :mod:`junheng.policy.units` (``"m2"``, ``"yuan"``, …, or ``"count"`` for a generic 个).
    """

    value: Fraction | None
    conversions: tuple[str, ...] = ()
    unit_text: str | None = None
    unit_code: str | None = None
    multiplier: str | None = None
    """``"万"``/``"亿"`` when the cell carried one (already applied to ``value``)."""
    percent: bool = False
    """True when the cell ended in ``%`` (already divided by 100)."""


MISSING_MARKS: frozenset[str] = frozenset(
    {"", "-", "--", "—", "——", "–", "―", "－", "/", "／", "无", "空", "N/A", "n/a", "NA"}
)
"""Cell contents read as *missing* (after stripping whitespace)."""

CELL_UNITS: dict[str, str] = {
    "平方米": "m2",
    "平米": "m2",
    "m2": "m2",
    "米2": "m2",
    "元": "yuan",
    "人": "persons",
    "名": "persons",
    "个班": "classes",
    "班": "classes",
    "间": "rooms",
    "个": "count",
    "台": "computers",
    "册": "volumes",
    "本": "volumes",
    "年": "year",
}
"""Units recognised after a number (NFKC form; ``㎡`` and ``m²`` normalise to ``m2``)."""

_MULTIPLIERS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}

_APPROX_MARKERS: tuple[str, ...] = (
    "约", "大概", "将近", "近", "逾", "超过", "不足", "不到", "余", "多", "左右", "以上", "以下",
    "上下", "≈", "~", "≥", "≤", ">", "<",
)
_NAN_INF: frozenset[str] = frozenset(
    {"nan", "inf", "infinity", ".inf", ".nan", "∞", "snan", "#nan", "+∞", "-∞"}
)

_NUMBER_RE = re.compile(
    r"""
    (?P<sign>[+\-−])?
    (?P<num>[0-9][0-9,.。]*|[.。][0-9][0-9,.。]*)
    (?P<exp>[eE][+\-]?[0-9]+)?
    \s*
    (?P<mult>[万亿])?
    \s*
    (?P<rest>.*)
    """,
    re.VERBOSE | re.DOTALL,
)
_GROUPED_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")

_C_FULLWIDTH_DIGITS = "full-width digits → ASCII / 全角数字转半角"
_C_FULLWIDTH_SYMBOLS = "full-width symbols → ASCII / 全角符号转半角"
_C_THOUSANDS = "thousands separator removed / 去除千分位"
_C_IDEOGRAPHIC_POINT = "。 read as decimal point / 句号按小数点处理"
_C_SCIENTIFIC = "scientific notation expanded / 科学计数法展开"
_C_PERCENT = "% ÷100"


MAX_INTEGER_DIGITS = 15
"""No fact reaches 10**15 (千万亿); larger cells are typing errors (and 1e999999999 would take
minutes and gigabytes to expand exactly)."""
MAX_DECIMAL_PLACES = 12
"""1e-12 is read exactly; more decimal places than this are refused."""
MAX_CELL_TEXT = 64
"""Longest cell text parsed as a number (15 digits, 12 places, separators and a unit fit easily)."""


def exact_decimal(dec: Decimal, raw: str | None = None) -> Fraction:
    """The exact value of a finite decimal within the magnitude bounds, else :class:`CellError`."""
    shown = raw if raw is not None else str(dec)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    if dec.is_zero():
        return Fraction(0)
    if dec.adjusted() >= MAX_INTEGER_DIGITS:
        raise CellError(f"“{shown}”数值过大（不应超过 {MAX_INTEGER_DIGITS} 位整数）",
                        f"{shown!r} is too large (more than {MAX_INTEGER_DIGITS} integer digits)")
    # trailing zeros do not count; counted on the digits as written (Decimal.normalize() would
    # first round to the context's 28 digits and let 1000000000000.0000000000000000000001 through)
    _, digits, exponent = dec.as_tuple()
    if isinstance(exponent, int):
        exponent += len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise CellError(f"“{shown}”小数位过多（最多 {MAX_DECIMAL_PLACES} 位）",
                        f"{shown!r} has more than {MAX_DECIMAL_PLACES} decimal places")
    return Fraction(dec)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _unit_key(text: str) -> str:
    return "".join(text.split()).lower()


def _original_suffix(raw: str, normalised_suffix: str) -> str:
    """The shortest suffix of ``raw`` whose NFKC form is ``normalised_suffix`` (as typed)."""
    target = _unit_key(normalised_suffix)
    for k in range(1, len(raw) + 1):
        if _unit_key(_nfkc(raw[-k:])) == target:
            return raw[-k:].strip()
    return normalised_suffix  # pragma: no cover - NFKC is per-character for every unit we know


def plain_number(text: str) -> Fraction | None:
    """The exact value of the commonest cell — ASCII digits, with at most one ``.`` between
    digits, within the magnitude bounds, whitespace around it allowed (``"2718"``,
    ``" 17232.12 "``) — or None for every other text, which :func:`parse_number` reads.

    The fast path of the readers: ``int`` and a power of ten, no :class:`~decimal.Decimal`, no
    regex. Where it returns a value, ``parse_number(text)`` returns the same value with no
    conversion, unit, multiplier or percent (a property test holds the two together)."""
    s = text.strip()
    if s.isdigit():  # one word: only ASCII (a 0-9 run) passes isascii below
        if s.isascii() and len(s) <= MAX_INTEGER_DIGITS:
            return Fraction(int(s))
        return None
    whole, point, places = s.partition(".")
    if (point and whole.isdigit() and places.isdigit() and s.isascii()
            and len(whole) <= MAX_INTEGER_DIGITS and len(places) <= MAX_DECIMAL_PLACES):
        return Fraction(int(whole + places), 10 ** len(places))
    return None


def parse_number(text: str) -> ParsedNumber:
    """Parse one cell into an exact number; raise :class:`CellError` if it is not exactly one."""
    if not isinstance(text, str):
        raise TypeError(f"parse_number expects str, got {type(text).__name__}")
    raw = text.strip()
    s = _nfkc(raw).strip()
    if raw in MISSING_MARKS or s in MISSING_MARKS:
        return ParsedNumber(None)
    if len(s) > MAX_CELL_TEXT:  # linear-time refusal before any digit conversion
        raise CellError(f"单元格过长（{len(s)} 个字符），不是一个数值",
                        f"the cell is too long ({len(s)} characters) to be a number")

    compact = "".join(s.split()).lower()
    if compact in _NAN_INF or compact.lstrip("+-") in _NAN_INF or "∞" in s:
        raise CellError("不是有限数值（NaN 或无穷大）", "not a finite number (NaN or infinity)")
    if s.startswith("#"):
        raise CellError(
            f"单元格是电子表格错误值“{raw}”，请填写数值",
            f"the cell holds a spreadsheet error value {raw!r}; type a number",
        )
    has_digit = any(c.isdigit() for c in s)
    if has_digit and any(m in s for m in _APPROX_MARKERS):
        raise CellError(
            "近似值（如“约”“余”“左右”）无法精确计算，请填写一个确切的数值",
            "approximate values (约, 余, 左右, …) cannot be used exactly; type the value as a "
            "number",
        )
    if not has_digit:
        raise CellError(f"“{raw}”不是数值", f"{raw!r} is not a number")

    m = _NUMBER_RE.fullmatch(s)
    if m is None:
        raise CellError(f"“{raw}”不是数值", f"{raw!r} is not a number")
    sign = m.group("sign") or ""
    num = m.group("num")
    exp = m.group("exp") or ""
    mult = m.group("mult")
    rest = m.group("rest").strip()

    conversions: list[str] = []
    if any("０" <= c <= "９" for c in raw):
        conversions.append(_C_FULLWIDTH_DIGITS)
    if any("\uff01" <= c <= "\uff5e" and not ("０" <= c <= "９") for c in raw):
        conversions.append(_C_FULLWIDTH_SYMBOLS)

    # --- what follows the number: a unit, a percent sign, or nothing --------------------------
    unit_text: str | None = None
    unit_code: str | None = None
    percent = False
    if rest:
        if rest == "%":
            percent = True
        elif _unit_key(rest) in CELL_UNITS:
            unit_code = CELL_UNITS[_unit_key(rest)]
            unit_text = _original_suffix(raw, rest)
        elif "/" in rest and rest.lstrip("/").strip()[:1].isdigit():
            raise CellError(
                "不接受分数（如 1/2），请填写小数",
                "fractions such as 1/2 are not accepted; type a decimal number",
            )
        elif any(c.isdigit() for c in rest):
            raise CellError(
                f"单元格“{raw}”含有多个数值，每个单元格只能填写一个数",
                f"the cell {raw!r} holds more than one number; type exactly one number per cell",
            )
        else:
            raise CellError(
                f"“{raw}”不是数值（无法识别“{rest}”）",
                f"{raw!r} is not a number (unrecognised text {rest!r})",
            )
    if percent and mult:
        raise CellError(
            f"“{raw}”同时含有“{mult}”和“%”，含义不明确", f"{raw!r} mixes {mult} with %: ambiguous"
        )

    # --- the digits --------------------------------------------------------------------------
    points = num.count(".") + num.count("。")
    if points > 1:
        raise CellError(
            f"“{raw}”含有多个小数点", f"{raw!r} has more than one decimal point"
        )
    if "。" in num:
        conversions.append(_C_IDEOGRAPHIC_POINT)
        num = num.replace("。", ".")
    int_part, _, frac_part = num.partition(".")
    if "," in frac_part:
        raise CellError(
            f"“{raw}”的千分位分隔符位置不正确", f"{raw!r}: misplaced thousands separator"
        )
    if "," in int_part:
        if not _GROUPED_RE.fullmatch(int_part):
            raise CellError(
                f"“{raw}”的千分位分隔符位置不正确（应每三位一组，如 1,289）",
                f"{raw!r}: thousands separators must group three digits (e.g. 1,289)",
            )
        conversions.append(_C_THOUSANDS)
        int_part = int_part.replace(",", "")
    if exp:
        if not raw.isascii() or "," in num or mult or percent:
            raise CellError(
                "科学计数法只接受纯半角数字（不带千分位、万或%）",
                "scientific notation is accepted only as plain ASCII digits "
                "(no separators, 万 or %)",
            )
        conversions.append(_C_SCIENTIFIC)

    literal = f"{'-' if sign in ('-', '−') else ''}{int_part or '0'}.{frac_part or '0'}{exp}"
    try:
        dec = Decimal(literal)
    except InvalidOperation:  # pragma: no cover - the regex only lets digits through
        raise CellError(f"“{raw}”不是数值", f"{raw!r} is not a number") from None
    value = exact_decimal(dec, raw)

    if mult:
        value *= _MULTIPLIERS[mult]
        conversions.append(f"{mult} ×{_MULTIPLIERS[mult]}")
    if percent:
        value /= 100
        conversions.append(_C_PERCENT)
    if unit_text is not None:
        conversions.append(f"unit {unit_text} stripped / 去除单位")
    return ParsedNumber(
        value=value,
        conversions=tuple(conversions),
        unit_text=unit_text,
        unit_code=unit_code,
        multiplier=mult,
        percent=percent,
    )


BOOLEAN_TRUE: frozenset[str] = frozenset({"1", "是", "√", "✓", "✔", "true", "yes", "y"})
"""Cell texts read as yes (是) for a yes/no fact, compared case-insensitively after NFKC: 1, 是, the
tick marks a Chinese checklist uses (√ ✓ ✔), and true / yes / Y."""
BOOLEAN_FALSE: frozenset[str] = frozenset({"0", "否", "×", "✗", "✘", "x", "false", "no", "n"})
"""Cell texts read as no (否): 0, 否, the crosses (× ✗ ✘ and the letter x), false / no / N. Nothing
else is guessed: "有/无", "2" or "是的" are errors (无 and blank are *missing*, as for numbers)."""


def parse_boolean(value: object) -> Fraction | None:
    """One yes/no cell as 1 / 0 (``None`` when blank or a missing mark); raise :class:`CellError`
    naming the accepted forms for anything else. ``value`` is the cell as read: text, a number
    (1 / 0 exactly; a spreadsheet's 1.0 too) or a boolean (an Excel TRUE/FALSE)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return Fraction(int(value))
    if isinstance(value, int | Decimal | Fraction):
        if value in (0, 1):
            return Fraction(int(value))
        raise CellError(f"“{value}”不是是/否：应填 是/否（或 1/0、√/×）",
                        f"{value!r} is not yes/no: write 是/否 (or 1/0, yes/no, √/×)")
    text = _nfkc(str(value)).strip()
    if str(value).strip() in MISSING_MARKS or text in MISSING_MARKS:
        return None
    key = text.lower()
    if key in BOOLEAN_TRUE or key in ("1.0",):
        return Fraction(1)
    if key in BOOLEAN_FALSE or key in ("0.0",):
        return Fraction(0)
    shown = text if len(text) <= 40 else text[:37] + "..."
    raise CellError(f"“{shown}”不是是/否：应填 是/否（或 1/0、√/×）",
                    f"{shown!r} is not yes/no: write 是/否 (or 1/0, yes/no, √/×)")

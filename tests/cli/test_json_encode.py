"""The JSON encoder (``cli/json_output.encode``, ``dumps``): orjson where it writes the standard
library's very bytes, the standard library elsewhere — so every document is byte-identical to
``json.dumps(…, ensure_ascii=False)`` compact or indented, whatever floats, integers and text it holds."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from junheng.cli.json_output import dumps, encode


def stdlib(value: Any, indent: int | None) -> bytes:
    if indent is None:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return json.dumps(value, ensure_ascii=False, indent=indent).encode("utf-8")


SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(st.characters(codec="utf-8")))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=6), inner, max_size=4),
                      max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(VALUES, st.sampled_from([None, 2, 0, 4]))
def test_encode_is_the_standard_librarys_bytes(value: Any, indent: int | None) -> None:
    assert encode(value, indent) == stdlib(value, indent)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=5), VALUES, max_size=5))
def test_dumps_is_json_dumps_indent_2(document: dict[str, Any]) -> None:
    assert dumps(document) == json.dumps(document, ensure_ascii=False, indent=2)


def test_the_cases_orjson_prints_otherwise() -> None:
    # orjson alone: 1e-6 → "1e-6" (json "1e-06"), 1.7e-05 → "0.000017"; 2**64 and -2**63 - 1 do not fit
    # 64 bits; a float of 6 decimals ≥ 1e-4 (0.0001) and 1e16 ("1e+16") print alike in both
    cases = [1e-06, -9e-06, 1.7e-05, 9.1e-05, 0.0001, 1e16, 2**64, -(2**63) - 1, 10**40,
             "控制\x01\x1f\x7f字符\u2028\u2029\"\\😀\ufeff", {"e-mail": "0.00001"}]
    for value in cases:
        for indent in (None, 2):
            assert encode({"v": [value]}, indent) == stdlib({"v": [value]}, indent), value


def test_six_decimal_numbers_print_as_before() -> None:
    # every k/10^6 for |k| < 200 000 (all the tiny ones), as json_number gives them
    values = [k / 10**6 for k in range(-200_000, 200_000)]
    assert encode(values) == stdlib(values, None)
    assert encode(values, 2) == stdlib(values, 2)

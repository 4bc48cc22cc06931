"""Dated values in one file per standard (按日期生效的数值).

A standard that changed over time is one file. Its ``editions`` list the documents in force, each
from its date until the next (OpenFisca's rule: a value holds from its date until the next dated
value); any rule, parameter or county item may carry ``values``: a list of dated entries, each
with its own numbers, sentence, source and status::

    editions:
      - {version: "2007", from: 2007-01-01, document: {...}}
      - {version: "2018-01-09", from: 2018-01-09, document: {...}}
    rules:
      - id: campus.building_area
        kind: threshold
        indicator: building_area_per_student
        op: ">="
        values:
          - {from: 2007-01-01, primary: 5, junior: 6, text: …, source: …, status: secondary}
          - {from: 2018-01-09, primary: 8.5, junior: 9.5, text: …, source: …, status: secondary}

An entry holds until the next entry's ``from``; ``{from: D, value: null}`` ends the item (from D
it is not part of the standard). An item whose first entry starts later is not in force before
it. A threshold entry that gives a number for only some levels applies to those levels.

:func:`resolve` turns the file into the plain single-date ruleset in force on a date, before
validation, so everything downstream sees an ordinary ruleset; line numbers follow the item.
A file naming ``alias: <id>`` and ``edition: <version>`` is that standard pinned to one edition
under its own id (``anhui/school-2007`` is ``anhui/school-standard`` as in force in 2007).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from junheng.policy.yaml_source import Path_, YamlDocument, read_yaml

if TYPE_CHECKING:
    from junheng.policy.loader import LoadedRuleset

LEVEL_KEYS = ("primary", "junior")
ENTRY_ONLY = ("from",)


class DatedError(ValueError):
    def __init__(self, path: Path_, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def is_dated(data: object) -> bool:
    return isinstance(data, dict) and "editions" in data


def _date(value: object, path: Path_) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise DatedError(path, f"'from' must be a date (YYYY-MM-DD), not {value!r}")


def _entries(values: object, path: Path_) -> list[tuple[dt.date, int, dict[str, Any]]]:
    """The dated entries, checked: a list of mappings with strictly increasing ``from`` dates."""
    if not isinstance(values, list) or not values:
        raise DatedError(path, "'values' must be a list of dated entries ({from: YYYY-MM-DD, …})")
    out: list[tuple[dt.date, int, dict[str, Any]]] = []
    for i, entry in enumerate(values):
        if not isinstance(entry, dict) or "from" not in entry:
            raise DatedError((*path, i), "each dated entry is a mapping with a 'from' date")
        start = _date(entry["from"], (*path, i, "from"))
        if out and start <= out[-1][0]:
            raise DatedError((*path, i, "from"), f"dates must increase: {start} is not after {out[-1][0]}")
        out.append((start, i, entry))
    return out


def in_force_entry(values: object, path: Path_, at: dt.date) -> tuple[int, dict[str, Any]] | None:
    """The entry in force on ``at`` (index and mapping), or None (not yet, or ended)."""
    chosen = None
    for start, i, entry in _entries(values, path):
        if start <= at:
            chosen = (i, entry)
    if chosen is None or ("value" in chosen[1] and chosen[1]["value"] is None):
        return None
    return chosen


def editions(data: dict[str, Any], file: str = "") -> list[tuple[dt.date, dt.date | None, dict[str, Any]]]:
    """Each edition with its first and last day in force (the day before the next edition)."""
    raw = data.get("editions")
    entries = _entries(raw, ("editions",))
    out = []
    for k, (start, _, entry) in enumerate(entries):
        until = entries[k + 1][0] - dt.timedelta(days=1) if k + 1 < len(entries) else entry.get("until")
        if until is not None:
            until = _date(until, ("editions", k, "until"))
        out.append((start, until, entry))
    return out


def edition_spans(data: object) -> tuple[tuple[str, dt.date, dt.date | None], ...]:
    """(version, first day, last day or None) of every edition."""
    assert isinstance(data, dict)
    return tuple((str(e.get("version")), start, until) for start, until, e in editions(data))


def edition_dates(data: dict[str, Any]) -> dict[str, dt.date]:
    """Edition version → its first day in force."""
    return {str(e.get("version")): start for start, _, e in editions(data)}


def _merge_entry(item: dict[str, Any], entry: dict[str, Any], threshold: bool) -> dict[str, Any]:
    out = {k: v for k, v in item.items() if k != "values"}
    rest = {k: v for k, v in entry.items() if k not in ENTRY_ONLY}
    given = {k: rest.pop(k) for k in LEVEL_KEYS if k in rest}
    if isinstance(rest.get("value"), dict):  # {value: {primary: …, junior: …}} as well as flat
        given = {k: v for k, v in rest.pop("value").items()}
    if given:
        out["value"] = given
        if threshold and "levels" not in out and "levels" not in rest:
            out["levels"] = [k for k in LEVEL_KEYS if given.get(k) is not None]
    out.update(rest)
    return out


def _resolve_list(items: object, path: Path_, at: dt.date, lines: dict[Path_, int],
                  new_lines: dict[Path_, int], new_path: Path_) -> list[Any]:
    out: list[Any] = []
    if not isinstance(items, list):
        return items  # type: ignore[return-value]  # left for validation to report
    for i, item in enumerate(items):
        old = (*path, i)
        if isinstance(item, dict) and "values" in item:
            chosen = in_force_entry(item["values"], (*old, "values"), at)
            if chosen is None:
                continue
            index, entry = chosen
            j = len(out)
            _copy_lines(lines, new_lines, old, (*new_path, j), skip="values")
            for key in entry:
                line = lines.get((*old, "values", index, key))
                if line is not None:
                    target = ("value", key) if key in LEVEL_KEYS else (key,)
                    new_lines[(*new_path, j, *target)] = line
            out.append(_merge_entry(item, entry, item.get("kind") == "threshold"))
        else:
            _copy_lines(lines, new_lines, old, (*new_path, len(out)))
            out.append(item)
    return out


def _copy_lines(lines: dict[Path_, int], new_lines: dict[Path_, int], old: Path_, new: Path_,
                skip: str | None = None) -> None:
    n = len(old)
    for p, line in lines.items():
        if p[:n] == old and (skip is None or len(p) == n or p[n] != skip):
            new_lines[(*new, *p[n:])] = line


def resolve(doc: YamlDocument, at: dt.date | None) -> YamlDocument:
    """The ruleset in force on ``at`` (the latest edition when None), as an ordinary document."""
    data = doc.data
    assert isinstance(data, dict)
    eds = editions(data, doc.file)
    if at is None:
        at = eds[-1][0]
    current = [e for e in eds if e[0] <= at]
    if not current:
        first = eds[0][0]
        raise DatedError(("editions",), f"{at} 早于第一版 / before the first edition ({first})")
    start, until, edition = current[-1]
    if until is not None and at > until:
        raise DatedError(("editions",), f"{at} 晚于最后一版的有效期 / after the last edition ({start} – {until})")
    lines = doc.lines
    new_lines: dict[Path_, int] = {p: n for p, n in lines.items()
                                   if p and p[0] not in ("editions", "rules", "parameters", "county")}
    out = {k: v for k, v in data.items() if k != "editions"}
    index = next(i for i, (s, _, _) in enumerate(eds) if s == start)
    for key, value in edition.items():
        if key in ("from", "until"):
            continue
        out[key] = value
        _copy_lines(lines, new_lines, ("editions", index, key), (key,))
    out["effective"] = {"from": start, **({"until": until} if until is not None else {})}
    new_lines[("effective",)] = lines.get(("editions", index), 1)
    out["rules"] = _resolve_list(data.get("rules", []), ("rules",), at, lines, new_lines, ("rules",))
    params = data.get("parameters")
    if isinstance(params, dict):
        resolved: dict[str, Any] = {}
        for name, param in params.items():
            old = ("parameters", name)
            if isinstance(param, dict) and "values" in param:
                chosen = in_force_entry(param["values"], (*old, "values"), at)
                if chosen is None:
                    continue
                _copy_lines(lines, new_lines, old, old, skip="values")
                resolved[name] = {**{k: v for k, v in param.items() if k != "values"},
                                  **{k: v for k, v in chosen[1].items() if k not in ENTRY_ONLY}}
            else:
                _copy_lines(lines, new_lines, old, old)
                resolved[name] = param
        out["parameters"] = resolved
    county = data.get("county")
    if isinstance(county, dict):
        c = dict(county)
        _copy_lines(lines, new_lines, ("county",), ("county",), skip=None)
        for key in ("criteria", "school_checks"):
            if key in c:
                for p in [p for p in new_lines if p[:2] == ("county", key)]:
                    del new_lines[p]
                c[key] = _resolve_list(c[key], ("county", key), at, lines, new_lines, ("county", key))
        out["county"] = c
    return YamlDocument(doc.file, out, new_lines)


def load_alias(path: Path, doc: YamlDocument, raw: bytes) -> LoadedRuleset:
    """``alias: <id>`` + ``edition: <version>``: the dated standard ``<id>`` as in force on that
    edition's first day, under the alias file's own ``id`` (existing commands keep their ids)."""
    from junheng.policy.loader import LoadedRuleset, Problem, RulesetError, validate_document
    from junheng.policy.registry import bundled_ids, bundled_root

    data = doc.data
    assert isinstance(data, dict)

    def fail(key: str, message: str) -> RulesetError:
        return RulesetError([Problem(str(path), doc.line_of((key,)), key, message)])

    unknown = sorted(set(data) - {"schema_version", "alias", "id", "edition", "description"})
    if unknown:
        raise fail(unknown[0], "unknown key (an alias file holds only alias, id, edition, description)")
    target_id, edition = data.get("alias"), str(data.get("edition", ""))
    if not isinstance(target_id, str) or target_id not in bundled_ids():
        raise fail("alias", f"alias must name a bundled dated ruleset id, not {target_id!r}")
    target = bundled_root() / f"{target_id}.yaml"
    target_raw = target.read_bytes()
    target_doc = read_yaml(target, text=target_raw.decode("utf-8-sig"))
    if not is_dated(target_doc.data):
        raise fail("alias", f"{target_id} has no editions to pin")
    assert isinstance(target_doc.data, dict)
    starts = edition_dates(target_doc.data)
    if edition not in starts:
        raise fail("edition", f"no edition {edition!r} of {target_id} (editions: {', '.join(starts)})")
    try:
        resolved = resolve(target_doc, starts[edition])
    except DatedError as exc:
        raise RulesetError([Problem(str(target), target_doc.line_of(exc.path), "", exc.message)]) from None
    assert isinstance(resolved.data, dict)
    resolved.data["id"] = data.get("id", resolved.data.get("id"))
    ruleset = validate_document(resolved)
    sha = hashlib.sha256(raw + target_raw).hexdigest()
    span = next(e for e in edition_spans(target_doc.data) if e[0] == edition)
    return LoadedRuleset(ruleset, str(path), sha, (span,))

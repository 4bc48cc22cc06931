"""The indicator catalogue (指标目录): every indicator defined once, referred to by name.

``rulesets/_indicators.yaml`` defines each indicator's formula, unit and resource fact. A ruleset
names the indicators its rules use; an entry of its own ``indicators:`` that gives only a
``title`` renames a catalogue indicator in the document's own words (安徽 "生均运动场地面积" for
``sports_area_per_student``); a full entry (with a ``formula``) defines an indicator the
catalogue does not have. Completing a ruleset copies in exactly the catalogue indicators its
rules, gates and county criteria refer to — so one edition of a dated standard carries only
the indicators it uses.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from junheng.policy.yaml_source import read_yaml

CATALOGUE_FILE = "_indicators.yaml"


@cache
def catalogue() -> dict[str, dict[str, Any]]:
    """The catalogue's indicators as plain data (name → definition)."""
    path = Path(str(resources.files("junheng.rulesets"))) / CATALOGUE_FILE
    data = read_yaml(path, text=path.read_text(encoding="utf-8")).data
    assert isinstance(data, dict) and isinstance(data.get("indicators"), dict)
    return dict(data["indicators"])


def _school_refs(data: dict[str, Any]) -> list[str]:
    refs: list[str] = []
    for rule in data.get("rules") or []:
        if isinstance(rule, dict):
            if isinstance(rule.get("indicator"), str):
                refs.append(rule["indicator"])
            for req in rule.get("requirements") or []:
                if isinstance(req, dict) and isinstance(req.get("indicator"), str):
                    refs.append(req["indicator"])
    county = data.get("county")
    if isinstance(county, dict):
        for c in county.get("criteria") or []:
            if isinstance(c, dict) and isinstance(c.get("indicators"), list):
                refs += [n for n in c["indicators"] if isinstance(n, str)]
    return refs


def _county_refs(data: dict[str, Any]) -> list[str]:
    county = data.get("county")
    if not isinstance(county, dict):
        return []
    return [c["indicator"] for c in county.get("school_checks") or []
            if isinstance(c, dict) and isinstance(c.get("indicator"), str)]


def _complete(own: object, refs: list[str]) -> dict[str, Any]:
    known = catalogue()
    own = own if isinstance(own, dict) else {}
    out: dict[str, Any] = {}
    for name, entry in own.items():
        if isinstance(entry, dict) and "formula" not in entry and name in known:
            if name in refs:  # a renaming of a catalogue indicator; dropped when unused
                out[name] = {**known[name], **entry}
        else:
            out[name] = entry
    for name in refs:
        if name not in out and name in known:
            out[name] = dict(known[name])
    return out


def complete_indicators(data: dict[str, Any]) -> dict[str, Any]:
    """The ruleset data with every referenced catalogue indicator filled in."""
    out = dict(data)
    if "indicators" in data or _school_refs(data):
        out["indicators"] = _complete(data.get("indicators"), _school_refs(data))
    county = data.get("county")
    if isinstance(county, dict) and ("indicators" in county or _county_refs(data)):
        out["county"] = {**county, "indicators": _complete(county.get("indicators"), _county_refs(data))}
    return out

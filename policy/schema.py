"""The JSON Schema of the ruleset format (``junheng rulesets schema``), generated from the models.

Published as ``junheng/schemas/ruleset-1.schema.json`` (a test keeps the file equal to
:func:`ruleset_schema`); an editor with the YAML language server checks a ruleset while it is
written when the file starts with ``# yaml-language-server: $schema=<path or address of the file>``.

The models describe a ruleset *after* its shorthands are read; the schema also admits what an
author may write before that:

* a number, or ``{param: name}``, where per-level values are expected (``value: 0.9`` is both levels),
  ``true`` / ``false`` for a yes/no county item;
* an indicator named only (its formula and unit come from the one catalogue, rulesets/_indicators.yaml);
* a dated file (``editions`` + ``values`` lists, :mod:`junheng.policy.dated`): the same keys, with what
  is required moved into the dated entries;
* an alias file (``alias``, ``id``, ``edition``, ``description``).

The loader stays the judge (cross-references, ranges, sources): the schema helps while typing.
"""

from __future__ import annotations

import copy
import json
from typing import Any

SCHEMA_ID = "https://junheng.example/schemas/ruleset-1.schema.json"
_DATED = "Dated"


def _refs(node: Any, rename: dict[str, str]) -> Any:
    """``node`` with every ``#/$defs/X`` reference renamed by ``rename``."""
    if isinstance(node, dict):
        out = {k: _refs(v, rename) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in rename:
            out["$ref"] = "#/$defs/" + rename[ref[8:]]
        if isinstance(out.get("discriminator"), dict):
            mapping = out["discriminator"].get("mapping", {})
            for key, target in mapping.items():
                if target.startswith("#/$defs/") and target[8:] in rename:
                    mapping[key] = "#/$defs/" + rename[target[8:]]
        return out
    if isinstance(node, list):
        return [_refs(v, rename) for v in node]
    return node


def _dated(defn: dict[str, Any]) -> dict[str, Any]:
    """A model's schema as written in a dated file: ``values`` entries may carry what is required."""
    out = copy.deepcopy(defn)
    if "required" in out:
        out["required"] = [k for k in out["required"] if k in ("id", "kind", "fact", "param")]
        if not out["required"]:
            del out["required"]
    props = out.get("properties")
    if isinstance(props, dict) and "source" in props:
        props["values"] = {
            "type": "array",
            "description": "Dated entries (按日期生效): each holds from its 'from' until the next; "
                           "'value: null' ends the item.",
            "items": {"type": "object", "required": ["from"], "properties": {"from": {"format": "date",
                                                                                     "type": "string"}}},
        }
    return out


def ruleset_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a ruleset YAML file."""
    from junheng.policy.model import Ruleset

    base = Ruleset.model_json_schema(by_alias=True)
    defs: dict[str, Any] = base.pop("$defs")
    level_values = defs["LevelValues"]
    defs["LevelValues"] = {
        "description": level_values.get("description", ""),
        "anyOf": [{"type": "number"}, {"$ref": "#/$defs/ParamRef"},
                  {k: v for k, v in level_values.items() if k != "description"}],
    }
    defs["Indicator"] = {k: v for k, v in defs["Indicator"].items() if k != "required"}
    fact_value = defs["CountyFactCriterion"]["properties"]["value"]  # yes/no items: true / false
    fact_value["anyOf"] = [*fact_value["anyOf"], {"type": "boolean"}]
    rename = {name: _DATED + name for name in defs}
    dated_defs = {rename[name]: _refs(_dated(d), rename) for name, d in defs.items()}
    dated_root = _refs(_dated(base), rename)
    dated_root["properties"]["editions"] = {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["from", "version"],
        "properties": {"from": {"format": "date", "type": "string"}, "version": {"type": "string"}}}}
    dated_root["required"] = ["id", "editions"]
    plain_root = {k: v for k, v in base.items() if k not in ("title", "description")}
    plain_root["not"] = {"required": ["editions"]}
    alias = {"type": "object", "additionalProperties": False, "required": ["alias", "id", "edition"],
             "properties": {"schema_version": {"type": "integer"}, "alias": {"type": "string"},
                            "id": {"type": "string"}, "edition": {"type": "string"},
                            "description": {"$ref": "#/$defs/Localized"}}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "junheng ruleset (规则集), format 1",
        "description": "A ruleset YAML file: one standard (办法/标准) as rules with their sources. "
                       "Generated from junheng's models by `junheng rulesets schema`.",
        "oneOf": [plain_root, {**dated_root, "title": "dated ruleset"}, {**alias, "title": "alias"}],
        "$defs": {**defs, **dated_defs},
    }


def ruleset_schema_text() -> str:
    """The schema as published (sorted keys, two-space indent, trailing newline)."""
    return json.dumps(ruleset_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

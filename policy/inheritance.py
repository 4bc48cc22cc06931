"""Ruleset inheritance (继承): ``extends`` + named ``overrides`` + ``remove`` + new rules.

A provincial ruleset names the ruleset it builds on and overrides inherited rules *by id*, each
override carrying the source and status of the new number (a provincial rule overrides a
national one by name; it never silently wins). The merged ruleset records, for every override,
the parent's number and source it replaces.

``extends`` may name only a bundled ruleset id (optionally ``id@version``) or a YAML file in the
extending file's own folder or below it: no absolute paths, no ``..``, no symlink escaping the
folder (checked on the resolved path).
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ValidationError

from junheng.policy.loader import (
    LoadedRuleset,
    Problem,
    RulesetError,
    did_you_mean,
    pydantic_problems,
    validate_document,
)
from junheng.policy.model import (
    LevelValues,
    ParamRef,
    Rule,
    RuleOverride,
    Ruleset,
    ScoredRule,
    ThresholdRule,
)
from junheng.policy.yaml_source import YamlDocument

MAX_DEPTH = 8
_ID_RE = re.compile(r"^[a-z0-9-]+(/[a-z0-9.-]+)+(@[A-Za-z0-9.-]+)?$")
_loading: list[Path] = []
"""Files being loaded along the current ``extends`` chain (cycle and depth guard)."""


def _fail(file: str, line: int | None, message: str) -> RulesetError:
    return RulesetError([Problem(file, line, "extends", message)])


def resolve_parent(ref: object, child: Path, line: int | None) -> LoadedRuleset:
    """Load the ruleset ``ref`` names, refusing anything outside the allowed places."""
    from junheng.policy.registry import bundled_ids, load_ruleset

    file = str(child)
    if not isinstance(ref, str) or not ref.strip():
        raise _fail(file, line, "extends must name a bundled ruleset id or a YAML file")
    if _ID_RE.match(ref) and not ref.endswith((".yaml", ".yml")):
        base = ref.split("@", 1)[0]
        if base not in bundled_ids():
            raise _fail(file, line, f"no bundled ruleset {ref!r}" + did_you_mean(base, bundled_ids()))
        return load_ruleset(ref)
    pure = PurePosixPath(ref)
    if "\\" in ref or pure.is_absolute() or ":" in ref or ".." in pure.parts:
        raise _fail(file, line, f"{ref!r}: extends may name only a bundled id or a file in this "
                                "folder tree (no absolute paths, no '..')")
    if pure.suffix not in (".yaml", ".yml"):
        raise _fail(file, line, f"{ref!r} is neither a bundled id nor a .yaml file")
    try:
        folder = child.parent.resolve()
        target = (folder / pure).resolve()
        outside = not target.is_relative_to(folder)
        missing = not target.is_file()
        if missing and target.is_symlink():
            # Python 3.13's resolve() returns a symlink loop unresolved instead of raising
            # RuntimeError (3.11): stat() raises ELOOP here, on every version.
            target.stat()
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, NUL in the name
        raise _fail(file, line, f"{ref!r} cannot be resolved ({exc})") from None
    if outside:
        raise _fail(file, line, f"{ref!r} resolves outside the folder {folder}")
    if missing:
        raise _fail(file, line, f"no such file {ref!r} beside {child.name}")
    from junheng.policy.loader import load_ruleset_file

    return load_ruleset_file(target)


def plain(value: object) -> Any:
    """Model → plain data that validates back to the same model, keeping exact Fractions
    (pydantic's own dump turns a Fraction into text such as '17/20')."""
    if isinstance(value, BaseModel):
        out = {}
        for name, field in type(value).model_fields.items():
            item = getattr(value, name)
            if item is None and field.default is None:
                continue
            out[field.alias or name] = plain(item)
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _num(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text[:12].rstrip("0").rstrip(".")


def describe_values(values: LevelValues | None, op: str, ruleset: Ruleset) -> str:
    """"primary >= 4.5, junior >= 5.8" — a rule's numbers as text, parameters resolved."""
    if values is None:
        return ""
    parts = []
    for level in ruleset.levels:
        value = values.for_level(level)
        if isinstance(value, ParamRef):
            value = ruleset.resolve(value, level)
        if value is not None:
            parts.append(f"{level.value} {op} {_num(value)}")
    return ", ".join(parts)


def _rule_numbers(rule: Rule, ruleset: Ruleset) -> str:
    if isinstance(rule, ThresholdRule):
        return describe_values(rule.value, rule.op.value, ruleset)
    if isinstance(rule, ScoredRule):
        req = rule.requirements[0] if rule.requirements else None
        text = f"{_num(rule.points)} points" if rule.points is not None else "points not public"
        if req is not None and req.value is not None:
            text += "; " + describe_values(req.value, req.op.value, ruleset)
        return text
    return ""


def _apply(rule: Rule, o: RuleOverride, parent: Ruleset) -> tuple[dict[str, Any], str]:
    """The overridden rule's data, and the text of what it replaces."""
    data = plain(rule)
    replaces = (f"{parent.id} {parent.version}: {_rule_numbers(rule, parent)} — {rule.source}"
                f" ({rule.status.value})")
    if o.value is not None or o.op is not None:
        if isinstance(rule, ThresholdRule):
            target = data
        elif isinstance(rule, ScoredRule) and len(rule.requirements) == 1:
            target = data["requirements"][0]
        else:
            raise ValueError(f"rule {rule.id!r} has no single value to override")
        if o.value is not None:
            target["value"] = plain(o.value)
            if "table" in target:
                target["table"] = None
        if o.op is not None:
            target["op"] = o.op.value
    if o.points is not None:
        if not isinstance(rule, ScoredRule):
            raise ValueError(f"rule {rule.id!r} is not a scored item: it has no points")
        data["points"] = o.points
    if o.title is not None:
        data["title"] = plain(o.title)
    for key in ("text", "article", "note"):
        if getattr(o, key):
            data[key] = getattr(o, key)
    data["source"], data["status"], data["last_checked"] = o.source, o.status.value, o.last_checked
    data["evidence"] = o.evidence
    return data, replaces


def _items_by_id(block: object) -> dict[str, dict[str, Any]]:
    """Every mapping with an ``id`` inside a (county) block, by id: the overridable items."""
    found: dict[str, dict[str, Any]] = {}
    if isinstance(block, dict):
        if isinstance(block.get("id"), str) and "value" in block:
            found[block["id"]] = block
        for value in block.values():
            found.update(_items_by_id(value))
    elif isinstance(block, list):
        for value in block:
            found.update(_items_by_id(value))
    return found


def _override_item(item: dict[str, Any], o: RuleOverride, parent: Ruleset) -> str:
    """Apply an override in place to an inherited county item (a plain mapping)."""
    old = item.get("value")
    op = item.get("op", "")
    if isinstance(old, dict):
        shown = ", ".join(f"{k} {op} {_num(v) if isinstance(v, Fraction) else v}" for k, v in old.items()
                          if v is not None)
    else:
        shown = f"{op} {_num(old) if isinstance(old, Fraction) else old}"
    replaces = f"{parent.id} {parent.version}: {shown} — {item.get('source', '')} ({item.get('status', '')})"
    if o.value is not None:
        if isinstance(old, dict):
            item["value"] = {k: v for k, v in plain(o.value).items() if v is not None}
        else:
            item["value"] = o.value.primary if o.value.primary is not None else o.value.junior
    if o.op is not None:
        item["op"] = o.op.value
    for key in ("text", "article", "note"):
        if getattr(o, key):
            item[key] = getattr(o, key)
    item["source"], item["status"], item["last_checked"] = o.source, o.status.value, o.last_checked
    item["evidence"] = o.evidence
    return replaces


def merge(parent: Ruleset, child: dict[str, Any], file: str, lines: YamlDocument) -> dict[str, Any]:
    """The child's data completed with the parent's: see the module docstring for the rules."""
    problems: list[Problem] = []

    def add(path: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(file, lines.line_of(path), ".".join(map(str, path)), message))

    base = plain(parent)
    merged: dict[str, Any] = {k: v for k, v in base.items()
                              if k not in ("rules", "overrides", "remove", "extends")}
    for key, value in child.items():
        if key in ("parameters", "indicators", "tables", "groups") and isinstance(value, dict):
            if key == "indicators":
                for name in value:
                    if name in base[key]:
                        add((key, name), f"indicator {name!r} is inherited; give a new one a new name")
            merged[key] = {**base[key], **value}
        elif key not in ("rules", "overrides", "remove"):
            merged[key] = value
    overrides = child.get("overrides") or {}
    remove = child.get("remove") or []
    if not isinstance(overrides, dict) or not isinstance(remove, list):
        add(("overrides",), "overrides must be a mapping and remove a list")
        raise RulesetError(problems)
    inherited = {r.id: r for r in parent.rules}
    for rule_id in remove:
        if rule_id not in inherited:
            add(("remove",), f"cannot remove {rule_id!r}: {parent.id} has no such rule")
    rules: list[Any] = []
    done_overrides: dict[str, Any] = {}
    for rule in parent.rules:
        if rule.id in remove:
            continue
        if rule.id in overrides:
            try:
                o = RuleOverride.model_validate(overrides[rule.id])
                data, replaces = _apply(rule, o, parent)
            except ValidationError as exc:  # every failing key, with its line
                problems.extend(pydantic_problems(exc, RuleOverride, lines, ("overrides", rule.id)))
                continue
            except ValueError as exc:
                add(("overrides", rule.id), str(exc) or "invalid override")
                continue
            rules.append(data)
            done_overrides[rule.id] = {**plain(o),
                                       "replaces": replaces}
        else:
            rules.append(plain(rule))
    county_items = _items_by_id(merged.get("county") if "county" not in child else None)
    for rule_id in overrides:
        if rule_id in inherited:
            continue
        if rule_id not in county_items:
            add(("overrides", rule_id), f"{parent.id} has no rule {rule_id!r} to override"
                + did_you_mean(rule_id, [*inherited, *county_items]))
            continue
        try:
            o = RuleOverride.model_validate(overrides[rule_id])
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, RuleOverride, lines, ("overrides", rule_id)))
            continue
        done_overrides[rule_id] = {**plain(o),
                                   "replaces": _override_item(county_items[rule_id], o, parent)}
    own = child.get("rules") or []
    if not isinstance(own, list):
        add(("rules",), "rules must be a list")
        own = []
    for i, rule_data in enumerate(own):
        if isinstance(rule_data, dict) and rule_data.get("id") in inherited:
            add(("rules", i, "id"), f"rule {rule_data.get('id')!r} is inherited: change it under "
                                    "overrides (with its source and status)")
    if problems:
        raise RulesetError(problems)
    merged["rules"] = rules + list(own)
    merged["overrides"] = done_overrides
    merged["remove"] = list(remove)
    merged["extends"] = child.get("extends")
    return merged


def load_extending(path: Path, doc: YamlDocument, raw: bytes) -> LoadedRuleset:
    """Load a ruleset file whose data has ``extends``: the parent first, then the merge."""
    assert isinstance(doc.data, dict)
    resolved = path.resolve()
    if resolved in _loading:
        raise _fail(str(path), doc.line_of(("extends",)), "extends forms a cycle")
    if len(_loading) >= MAX_DEPTH:
        raise _fail(str(path), doc.line_of(("extends",)), f"extends is nested more than {MAX_DEPTH} deep")
    _loading.append(resolved)
    try:
        parent = resolve_parent(doc.data["extends"], path, doc.line_of(("extends",)))
    finally:
        _loading.pop()
    merged = merge(parent.ruleset, doc.data, str(path), doc)
    ruleset = validate_document(YamlDocument(doc.file, merged, doc.lines))
    sha = hashlib.sha256(raw + parent.sha256.encode()).hexdigest()
    return LoadedRuleset(ruleset, str(path), sha)

"""Finding rulesets: the ones bundled with junheng (by id) or any file path."""

from __future__ import annotations

import datetime as dt
import difflib
from functools import cache
from importlib import resources
from pathlib import Path

from junheng.policy.loader import LoadedRuleset, Problem, RulesetError, load_ruleset_file


def bundled_root() -> Path:
    """The folder of bundled ruleset files (the repository's ``rulesets/``)."""
    return Path(str(resources.files("junheng.rulesets")))


def bundled_ids() -> list[str]:
    """Ids of the bundled rulesets: the path below ``rulesets/`` without ``.yaml``.

    Other versions of an id live beside it as ``<name>@<version>.yaml`` (see
    :mod:`junheng.policy.versions`) and are not separate ids; files named ``_*.yaml`` are shared
    data (the indicator catalogue), not rulesets."""
    root = bundled_root()
    return sorted(p.relative_to(root).with_suffix("").as_posix() for p in root.rglob("*.yaml")
                  if "@" not in p.stem and not p.stem.startswith("_"))


@cache
def _load_bundled(ruleset_id: str, at: dt.date | None = None) -> LoadedRuleset:
    path = bundled_root() / f"{ruleset_id}.yaml"
    loaded = load_ruleset_file(path, at)
    if loaded.ruleset.id != ruleset_id.split("@", 1)[0]:  # a version file keeps its id
        raise RulesetError([Problem(str(path), None, "id",
                                    f"file declares id {loaded.ruleset.id!r}, expected {ruleset_id!r}")])
    return loaded


def load_ruleset(ref: str, at: dt.date | None = None) -> LoadedRuleset:
    """Load a ruleset by bundled id (``national/quality-2017``) or by a path to a YAML file.
    A dated ruleset (one file, several editions) is taken as in force on ``at`` (its latest
    edition when None)."""
    if ref in bundled_ids():
        return _load_bundled(ref, at)
    if "@" in ref and ref.split("@", 1)[0] in bundled_ids():  # id@version (issue 4)
        from junheng.policy.versions import load_version

        return load_version(ref)
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return load_ruleset_file(path, at)
    known = ", ".join(bundled_ids())
    close = difflib.get_close_matches(ref, bundled_ids(), n=1, cutoff=0.6)
    zh_hint, en_hint = (f"——是否应为 {close[0]!r}？", f" — did you mean {close[0]!r}?") if close else ("", "")
    raise RulesetError([Problem(ref, None, "",
                                f"未找到规则集{zh_hint} / no such ruleset id or file{en_hint} (bundled: {known})")])

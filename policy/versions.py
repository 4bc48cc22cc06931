"""Ruleset versions (版本) and the version in force on a date (``--at YYYY-MM-DD``).

Layout: a ruleset id is the file ``rulesets/<id>.yaml`` — by convention its current version.
Other versions of the same id sit beside it as ``rulesets/<id>@<version>.yaml``: the same ``id``,
their own ``version`` and ``effective: {from, until}`` (``until`` is the last day in force,
inclusive). A version usually ``extends`` its neighbour (``extends: <id>``) and overrides the
numbers that changed, each with its own source, so a version is a set of dated, sourced values.

Resolution of ``--at D`` for an id: among all its versions, the one with ``from ≤ D ≤ until``
(the latest ``from`` wins if two overlap); none in force is an error that lists every version
and its dates. ``id@version`` names one version explicitly. A file path is checked against its
own dates. Without ``--at`` an id means its base file, exactly as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from junheng.policy.inputs import InputIssue
from junheng.policy.loader import LoadedRuleset, Problem, RulesetError
from junheng.policy.model import Ruleset
from junheng.policy.registry import bundled_ids, bundled_root, load_ruleset


@dataclass(frozen=True)
class VersionInfo:
    ref: str
    """What to pass to ``--ruleset`` for exactly this version (``id`` or ``id@version``)."""
    version: str
    start: dt.date
    until: dt.date | None
    document: str


def in_force(ruleset: Ruleset, at: dt.date) -> bool:
    until = ruleset.effective.until
    return ruleset.effective.start <= at and (until is None or at <= until)


def version_refs(ruleset_id: str) -> list[str]:
    """``id`` and every ``id@version`` bundled for it."""
    base = bundled_root() / f"{ruleset_id}.yaml"
    others = sorted(p.stem.split("@", 1)[1] for p in base.parent.glob(f"{base.stem}@*.yaml"))
    return [ruleset_id, *(f"{ruleset_id}@{v}" for v in others)]


def versions(ruleset_id: str) -> list[tuple[VersionInfo, LoadedRuleset]]:
    """Every version of a bundled id, oldest first."""
    out = []
    for ref in version_refs(ruleset_id):
        loaded = load_ruleset(ref)
        r = loaded.ruleset
        out.append((VersionInfo(ref, r.version, r.effective.start, r.effective.until,
                                r.document.number), loaded))
    return sorted(out, key=lambda pair: pair[0].start)


def load_version(ref: str) -> LoadedRuleset:
    """``id@version``: that version file, which must declare that id and version."""
    from junheng.policy.registry import _load_bundled

    ruleset_id, version = ref.split("@", 1)
    path = bundled_root() / f"{ref}.yaml"
    if ruleset_id not in bundled_ids() or not path.is_file() or "/" in version:
        known = ", ".join(version_refs(ruleset_id)) if ruleset_id in bundled_ids() else ""
        raise RulesetError([Problem(ref, None, "", f"未找到该版本 / no such version (known: {known})")])
    loaded = _load_bundled(ref)
    if loaded.ruleset.version != version:
        raise RulesetError([Problem(str(path), None, "version",
                                    f"file declares version {loaded.ruleset.version!r}, expected {version!r}")])
    return loaded


def _dates(info: VersionInfo) -> str:
    return f"{info.ref} ({info.version}): {info.start} – {info.until or '…'}"


def load_at(ref: str, at: dt.date | None) -> LoadedRuleset:
    """The ruleset ``ref`` names; with ``at``, the version of it in force on that date."""
    if at is None:
        return load_ruleset(ref)
    latest = load_ruleset(ref)
    if len(latest.editions) > 1:  # a dated file: its values in force on that date
        return load_ruleset(ref, at)
    if ref in bundled_ids():
        candidates = [(info, loaded) for info, loaded in versions(ref) if in_force(loaded.ruleset, at)]
        if candidates:
            info = max(candidates, key=lambda pair: pair[0].start)[0]
            return load_ruleset(info.ref, at) if "@" not in info.ref else load_version(info.ref)
        listed = "; ".join(_dates(info) for info, _ in versions(ref))
        raise RulesetError([Problem(ref, None, "--at",
                                    f"{at} 无有效版本 / no version in force on {at} (versions: {listed})")])
    loaded = load_ruleset(ref, at)
    if not in_force(loaded.ruleset, at):
        e = loaded.ruleset.effective
        span = f"{e.start} – {e.until or '…'}"
        raise RulesetError([Problem(loaded.path, None, "effective",
                                    f"{at} 不在有效期内 / not in force on {at} (in force {span})")])
    return loaded


def school_year(year: int) -> tuple[dt.date, dt.date]:
    """A 学年 named by its first calendar year: 1 September to 31 August."""
    return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)


def _overlaps(span: tuple[dt.date, dt.date], start: dt.date, until: dt.date | None) -> bool:
    return span[1] >= start and (until is None or span[0] <= until)


def validity_warnings(loaded: LoadedRuleset, years: Iterable[int], file: str) -> list[InputIssue]:
    """Warnings (zh + en) for data years the ruleset does not cover: a year outside every edition
    (2024 data against the 2007 standard, superseded on 2018-01-09), or outside the edition that
    was applied while another edition covers it (then ``--at`` picks the right one)."""
    r = loaded.ruleset
    applied = (r.version, r.effective.start, r.effective.until)
    spans = loaded.editions or (applied,)
    shown = "; ".join(f"{v}: {s} – {u or '…'}" for v, s, u in spans)
    out = []
    for year in sorted(set(years)):
        span = school_year(year)
        if not any(_overlaps(span, s, u) for _, s, u in spans):
            out.append(InputIssue(
                file=file, column="学年", value=str(year), severity="warning",
                message_zh=f"数据学年{year}不在规则集 {r.id} 任何版本的有效期内（{shown}），结果仅供参考",
                message_en=f"data year {year} is outside every edition of ruleset {r.id} ({shown}): "
                           "the results are for reference only"))
        elif not _overlaps(span, applied[1], applied[2]):
            fits = [v for v, s, u in spans if _overlaps(span, s, u)]
            out.append(InputIssue(
                file=file, column="学年", value=str(year), severity="warning",
                message_zh=f"数据学年{year}不在所用版本 {r.version} 的有效期内；该学年适用版本 {'、'.join(fits)}"
                           f"（用 --at {span[0]} 选用）",
                message_en=f"data year {year} is outside the edition applied ({r.version}); the edition for "
                           f"that year is {', '.join(fits)} (choose it with --at {span[0]})"))
    return out

"""Loading a ruleset file: safe YAML → validated :class:`Ruleset` → semantic checks.

Every problem names the file, the line and the key. All problems in a file are reported at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import math
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from pydantic import BaseModel, ValidationError

from junheng.policy.facts import FACTS
from junheng.policy.formula import FormulaError, names, parse_formula
from junheng.policy.model import CountGateRule, ParamRef, Ruleset, ThresholdRule
from junheng.policy.ruleset_messages import split_bilingual, zh_message
from junheng.policy.units import UNITS
from junheng.policy.yaml_source import MAX_YAML_BYTES, YamlDocument, YamlSourceError, read_yaml


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    key: str
    message: str

    @property
    def message_zh(self) -> str:
        """The message in Chinese (the catalogue, :mod:`junheng.policy.ruleset_messages`), or '' when
        none is known."""
        return zh_message(self.message)

    @property
    def message_en(self) -> str:
        both = split_bilingual(self.message)
        return both[1] if both is not None else self.message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        zh = self.message_zh or "规则集有误"  # never English only
        text = f"{zh} / {self.message_en}"
        return f"{where}: {self.key}: {text}" if self.key else f"{where}: {text}"


def did_you_mean(name: str, candidates: typing.Iterable[str]) -> str:
    """" — did you mean 'books'?" for the closest candidates (difflib), or '' when none is close."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" — did you mean {close[0]!r}?" if close else ""


def _allowed_keys(model: object, loc: tuple[str | int, ...]) -> set[str]:
    """The keys the models allow at ``loc`` (the parent of an unknown key), across unions."""
    found: set[str] = set()

    def walk(tp: object, rest: tuple[str | int, ...]) -> None:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            walk(typing.get_args(tp)[0], rest)
        elif origin in (typing.Union, types.UnionType):
            for arg in typing.get_args(tp):
                walk(arg, rest)
        elif origin in (list, tuple, set, frozenset):
            args = [a for a in typing.get_args(tp) if a is not Ellipsis]
            for arg in args:
                walk(arg, rest[1:] if rest and isinstance(rest[0], int) else rest)
        elif origin is dict:
            walk(typing.get_args(tp)[1], rest[1:] if rest else rest)
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            if not rest:
                found.update(f.alias or n for n, f in tp.model_fields.items())
                return
            head = rest[0]
            for n, f in tp.model_fields.items():
                if head in (n, f.alias):
                    walk(f.annotation, rest[1:])

    walk(model, loc)
    return found


def pydantic_problems(exc: ValidationError, model: type[BaseModel], doc: YamlDocument,
                      prefix: tuple[str | int, ...] = ()) -> list[Problem]:
    """Every failing location of a pydantic error as a Problem with its line, each unknown key with a
    did-you-mean. ``prefix`` is where the validated data sits in the file (e.g. an override's id)."""
    problems = []
    for err in exc.errors():
        # discriminated unions put the tag in the location: drop it, it is not a key
        loc = tuple(p for p in err["loc"] if p not in _UNION_TAGS)
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown key (not part of the ruleset schema)"
            if loc and isinstance(loc[-1], str):
                message += did_you_mean(loc[-1], _allowed_keys(model, loc[:-1]))
        where = (*prefix, *loc)
        problems.append(Problem(doc.file, doc.line_of(where), _key(where), message))
    return problems


class RulesetError(ValueError):
    """A ruleset that cannot be loaded. ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        head = "规则集无法加载 / ruleset cannot be loaded"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class LoadedRuleset:
    """A validated ruleset with where it came from and a hash of its content."""

    ruleset: Ruleset
    path: str
    sha256: str
    editions: tuple[tuple[str, dt.date, dt.date | None], ...] = ()
    """For a dated file (one file, several editions): every edition's version, first and last
    day in force — the one loaded is ``ruleset.version``."""


def _key(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_UNION_TAGS = frozenset({"threshold", "count_gate"})
MAX_GATE_CLAUSES = 2000
"""Upper bound on the clauses one count gate compiles to (see check_semantics)."""
MAX_GATE_MEMBERS = 60
"""Most rules in one count gate. Each engine clause of a gate holds one atom per member, and one
durable_rules ruleset decides at most 60 atoms (error 303 beyond 64: engine/durable_backend.py);
a larger gate is refused here rather than split, so ``lint`` and ``evaluate`` agree."""
_SHARE_UNITS = frozenset({"percent_of_teachers"})
"""Indicator units whose values are shares (0 to 1)."""


def validate_document(doc: YamlDocument) -> Ruleset:
    """Validate parsed YAML as a ruleset; raise :class:`RulesetError` naming line and key."""
    if not isinstance(doc.data, dict):
        raise RulesetError([Problem(doc.file, 1, "", "a ruleset must be a mapping of keys")])
    from junheng.policy.catalogue import complete_indicators

    doc = YamlDocument(doc.file, complete_indicators(doc.data), doc.lines)
    try:
        ruleset = Ruleset.model_validate(doc.data)
    except ValidationError as exc:
        raise RulesetError(pydantic_problems(exc, Ruleset, doc)) from None
    problems = check_semantics(ruleset, doc)
    if problems:
        raise RulesetError(problems)
    return ruleset


INTERNAL_REFERENCE = re.compile(r"standards\.md|examples\.md|facts\.md|§|\[[A-Z][0-9]+\]")
"""What a research note looks like (a notes file, a section sign, a bracketed letter-and-number source tag): users
cannot open those, so nothing shown (source, text, note, titles) may cite one; the research trail
belongs in ``evidence``, which is never shown as 依据."""


def _shown_strings(data: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string of the raw ruleset data a user may see (all but ``evidence``), with its path."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            if key != "evidence":
                yield from _shown_strings(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _shown_strings(value, (*path, index))


def _check_ranges(ruleset: Ruleset, add: Callable[[tuple[str | int, ...], str], None]) -> None:
    """Thresholds, parameters and floors within the sign and range their unit allows: no negative
    requirement, a share at most 1, a floor above 0 and at most 100% (an 8500% floor loaded)."""

    def check(path: tuple[str | int, ...], value: object, unit_code: str | None) -> None:
        if not isinstance(value, Fraction):
            return
        if value < 0:
            add(path, f"{value} is negative: a requirement cannot be below 0")
        elif unit_code in _SHARE_UNITS and value > 1:
            add(path, f"{value} is a share of teachers above 1 (100%)")

    for name, param in ruleset.parameters.items():
        for level_value in (param.value.primary, param.value.junior):
            check(("parameters", name, "value"), level_value, param.unit)
    for index, rule in enumerate(ruleset.rules):
        if isinstance(rule, ThresholdRule):
            indicator = ruleset.indicators.get(rule.indicator)
            unit_code = indicator.unit if indicator is not None else None
            for level_value in (rule.value.primary, rule.value.junior):
                check(("rules", index, "value"), level_value, unit_code)
            for school_type, value in rule.value_by_school_type.items():
                check(("rules", index, "value_by_school_type", school_type), value, unit_code)
        elif isinstance(rule, CountGateRule):
            floors: list[Fraction | ParamRef | None] = [rule.floor]
            if isinstance(rule.floor, ParamRef) and rule.floor.param in ruleset.parameters:
                param = ruleset.parameters[rule.floor.param]
                floors = [param.value.primary, param.value.junior]
            for floor in floors:
                if isinstance(floor, Fraction) and not 0 < floor <= 1:
                    add(("rules", index, "floor"), f"floor {floor} must be above 0 and at most 1 (100%)")


def relaxation_problems(rule: ThresholdRule, parameters: set[str]) -> list[tuple[tuple[str | int, ...], str]]:
    """Unknown condition facts and window parameters of a rule's relaxations."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    for i, relaxation in enumerate(rule.relaxations):
        for key in ("when_any", "when_all"):
            for j, condition in enumerate(getattr(relaxation, key)):
                if condition.fact not in FACTS:
                    out.append((("relaxations", i, key, j, "fact"), f"unknown fact {condition.fact!r}"))
        year = relaxation.until_year
        if isinstance(year, ParamRef) and year.param not in parameters:
            out.append((("relaxations", i, "until_year"), f"unknown parameter {year.param!r}"))
    return out


_UNKNOWN = re.compile(
    r"^unknown (fact or parameter|county fact|fact|parameter|indicator|rule|school check|unit|group|table) '([^']*)'")


def _suggester(ruleset: Ruleset) -> Callable[[str], str]:
    """For an "unknown fact/parameter/indicator/rule 'x'" message, a did-you-mean among the names
    this ruleset could have meant."""

    def suggest(message: str) -> str:
        found = _UNKNOWN.match(message)
        if found is None or "did you mean" in message:
            return ""
        from junheng.policy.county_facts import known_fact_names

        kind, name = found.groups()
        indicators = set(ruleset.indicators) | set(ruleset.county.indicators if ruleset.county else ())
        candidates = {
            "fact or parameter": known_fact_names() | set(ruleset.parameters),
            "fact": known_fact_names(),
            "parameter": set(ruleset.parameters),
            "indicator": indicators,
            "county fact": known_fact_names(),
            "rule": {r.id for r in ruleset.rules},
            "school check": {r.id for r in ruleset.county.school_checks} if ruleset.county else set(),
            "unit": set(UNITS),
            "group": set(ruleset.groups),
            "table": set(ruleset.tables),
        }[kind]
        return did_you_mean(name, candidates)

    return suggest


def check_semantics(ruleset: Ruleset, doc: YamlDocument) -> list[Problem]:
    """Cross-references the schema cannot express: facts, units, parameters, rule ids."""
    problems: list[Problem] = []
    suggest = _suggester(ruleset)

    def add(path: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(doc.file, doc.line_of(path), _key(path), message + suggest(message)))

    for path, text in _shown_strings(doc.data):
        found = INTERNAL_REFERENCE.search(text)
        if found:
            add(path, f"cites a research note ({found.group()!r}), which users cannot open: cite the "
                      "public document or address, keep the trail in 'evidence'")

    for name, param in ruleset.parameters.items():
        if param.unit not in UNITS:
            add(("parameters", name, "unit"), f"unknown unit {param.unit!r}")
        for level_value in (param.value.primary, param.value.junior):
            if isinstance(level_value, ParamRef):
                add(("parameters", name, "value"), "a parameter cannot refer to another parameter")
    for name, indicator in ruleset.indicators.items():
        if indicator.unit not in UNITS:
            add(("indicators", name, "unit"), f"unknown unit {indicator.unit!r}")
        try:
            used = names(parse_formula(indicator.formula))
        except FormulaError as exc:
            add(("indicators", name, "formula"), str(exc))
            continue
        for fact in sorted(used):
            if fact not in FACTS and fact not in ruleset.parameters:
                add(("indicators", name, "formula"), f"unknown fact or parameter {fact!r}")
        if indicator.resource is not None:
            if indicator.resource not in FACTS:
                add(("indicators", name, "resource"), f"unknown fact {indicator.resource!r}")
            elif indicator.resource not in used:
                add(("indicators", name, "resource"),
                    f"resource {indicator.resource!r} does not appear in the formula")
        for key, message in indicator.bound_problems(set(ruleset.parameters)):
            add(("indicators", name, "at_least", key), message)
    seen: dict[str, int] = {}
    for index, rule in enumerate(ruleset.rules):
        if rule.id in seen:
            add(("rules", index, "id"), f"duplicate rule id {rule.id!r}")
        seen[rule.id] = index
        if not rule.source.strip():
            add(("rules", index, "source"), "every rule needs a source (文号 + 条款 or address)")
        for level in rule.levels:
            if level not in ruleset.levels:
                add(("rules", index, "levels"), f"level {level} is not among the ruleset's levels")
        refs: list[ParamRef] = []
        if isinstance(rule, ThresholdRule):
            for problem_path, message in relaxation_problems(rule, set(ruleset.parameters)):
                add(("rules", index, *problem_path), message)
            if rule.indicator not in ruleset.indicators:
                add(("rules", index, "indicator"), f"unknown indicator {rule.indicator!r}")
            for level in rule.levels:
                value = rule.value.for_level(level)
                if value is None:
                    add(("rules", index, "value"), f"no value for level {level}")
                elif isinstance(value, ParamRef):
                    refs.append(value)
        elif isinstance(rule, CountGateRule):
            if isinstance(rule.floor, ParamRef):
                refs.append(rule.floor)
        for ref in refs:
            if ref.param not in ruleset.parameters:
                add(("rules", index), f"unknown parameter {ref.param!r}")
    for index, rule in enumerate(ruleset.rules):
        if isinstance(rule, CountGateRule) and len(rule.rules) > MAX_GATE_MEMBERS:
            add(("rules", index, "rules"), f"a count gate of {len(rule.rules)} rules exceeds the engine's "
                f"limit of {MAX_GATE_MEMBERS}; split it into smaller gates")
            continue
        if isinstance(rule, CountGateRule):
            # the engine decides a gate as one clause per allowed set of misses: C(n, 0) + … +
            # C(n, n - min_met); 30 members with min_met 1 would be 2**30 clauses (compile hangs)
            clauses = sum(math.comb(len(rule.rules), k) for k in range(len(rule.rules) - rule.min_met + 1))
            if clauses > MAX_GATE_CLAUSES:
                add(("rules", index, "min_met"),
                    f"a gate of {len(rule.rules)} rules with min_met={rule.min_met} needs {clauses} "
                    f"engine clauses (at most {MAX_GATE_CLAUSES}): raise min_met or split the gate")
            for member in rule.rules:
                target = seen.get(member)
                if target is None:
                    add(("rules", index, "rules"), f"unknown rule {member!r}")
                elif not isinstance(ruleset.rules[target], ThresholdRule):
                    add(("rules", index, "rules"), f"rule {member!r} is not a threshold rule")
    _check_ranges(ruleset, add)
    if ruleset.county is not None:  # the county block (issue 3): facts, indicators, parameters
        from junheng.policy.county_facts import known_fact_names
        from junheng.policy.county_model import check_county

        check_county(ruleset, known_fact_names(), add)
    if ruleset.groups or ruleset.tables or any(r.kind == "scored" for r in ruleset.rules):
        from junheng.policy.scoring_checks import check_scoring  # scored items (issue 4)

        check_scoring(ruleset, add)
    return problems


def load_ruleset_file(path: Path, at: dt.date | None = None) -> LoadedRuleset:
    """Load and check one ruleset file; a dated file (``editions``) as in force on ``at``
    (its latest edition when None), see :mod:`junheng.policy.dated`. Relaxations apply only
    when ``at`` (today when None) lies in their window."""
    loaded = _load_file(path, at)
    ruleset = loaded.ruleset.in_force_on(at or dt.date.today())
    return loaded if ruleset == loaded.ruleset else dataclasses.replace(loaded, ruleset=ruleset)


def _load_file(path: Path, at: dt.date | None) -> LoadedRuleset:
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:  # checked before reading (100 MB used to load in 40 s)
            raise RulesetError([Problem(str(path), None, "",
                                        f"file is {size:,} bytes; the limit is {MAX_YAML_BYTES:,}")])
        raw = path.read_bytes()
    except OSError as exc:
        raise RulesetError([Problem(str(path), None, "", f"cannot read file: {exc.strerror}")]) from None
    except (ValueError, RuntimeError) as exc:  # NUL in the name, a symlink loop
        raise RulesetError([Problem(str(path), None, "", f"cannot read file: {exc}")]) from None
    try:
        doc = read_yaml(path, text=raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RulesetError([Problem(str(path), None, "", "not UTF-8 text")]) from None
    except YamlSourceError as exc:
        raise RulesetError([Problem(exc.file, exc.line, "", exc.detail)]) from None
    if isinstance(doc.data, dict) and "alias" in doc.data:  # one edition of a dated standard
        from junheng.policy.dated import load_alias

        return load_alias(path, doc, raw)
    if isinstance(doc.data, dict) and "editions" in doc.data:  # dated values in one file
        from junheng.policy.dated import DatedError, edition_spans, resolve

        try:
            spans = edition_spans(doc.data)
            doc = resolve(doc, at)
        except DatedError as exc:
            raise RulesetError([Problem(doc.file, doc.line_of(exc.path), _key(exc.path), exc.message)]) from None
        if "extends" not in doc.data:  # type: ignore[operator]
            return LoadedRuleset(validate_document(doc), str(path), hashlib.sha256(raw).hexdigest(), spans)
    if isinstance(doc.data, dict) and "extends" in doc.data:  # inheritance (issue 4)
        from junheng.policy.inheritance import load_extending

        return load_extending(path, doc, raw)
    return LoadedRuleset(validate_document(doc), str(path), hashlib.sha256(raw).hexdigest())

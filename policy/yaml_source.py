"""Safe YAML reading that remembers where every key came from.

Rulesets are untrusted: only the YAML *safe* node types are constructed (no Python tags), floats
keep their written text as :class:`decimal.Decimal` (``0.9`` is exactly nine tenths), duplicate
keys are errors, and every mapping key's line number is recorded so that a validation error can
name the file, the line and the key.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

Path_ = tuple[str | int, ...]

MAX_YAML_BYTES = 2_000_000
MAX_NODES = 200_000
MAX_NUMBER_DIGITS = 30
"""Numbers beyond 10**±30 are refused: exact expansion of 1e999999999 would hang."""
MAX_NUMBER_TEXT = 64
"""Longest number text converted (longer ones are refused before any conversion: linear time)."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists (a ruleset nests about 8 deep)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class _DepthLimitedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses nesting beyond MAX_DEPTH (probing: 500 levels, block or
    flow style, ended in RecursionError)."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self._depth >= MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class YamlSourceError(ValueError):
    def __init__(self, file: str, line: int | None, message: str) -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")
        self.file = file
        self.line = line
        self.detail = message


@dataclass
class YamlDocument:
    file: str
    data: object
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """The line of the deepest recorded key on ``path``."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[Path_, int] = {}
        self.count = 0
        self._constructor = yaml.SafeLoader("")  # only used for its scalar constructors

    def fail(self, node: yaml.Node, message: str) -> YamlSourceError:
        return YamlSourceError(self.file, node.start_mark.line + 1, message)

    def build(self, node: yaml.Node, path: Path_) -> object:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, f"document has more than {MAX_NODES} nodes")
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                raise self.fail(node, f"tag {node.tag!r} is not allowed")
            result: dict[str, object] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, path)
                if isinstance(key, int | Decimal | bool) or key is None:
                    key = str(key_node.value)
                if not isinstance(key, str):
                    raise self.fail(key_node, "mapping keys must be text")
                if key in result:
                    raise self.fail(key_node, f"duplicate key {key!r}")
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self.fail(node, f"tag {node.tag!r} is not allowed")
            items = []
            for index, item in enumerate(node.value):
                self.lines[(*path, index)] = item.start_mark.line + 1
                items.append(self.build(item, (*path, index)))
            return items
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node)

    def _scalar(self, node: yaml.ScalarNode) -> object:
        tag, text = node.tag, node.value
        if tag == _STR:
            if _CONTROL.search(text):
                raise self.fail(node, "text holds a control character (e.g. a terminal escape sequence)")
            return text
        if tag in (_INT, _FLOAT) and len(text) > MAX_NUMBER_TEXT:
            raise self.fail(node, f"{text[:40]!r}... is longer than {MAX_NUMBER_TEXT} characters")
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return self._constructor.construct_yaml_bool(node)
        if tag == _INT:
            try:
                number = self._constructor.construct_yaml_int(node)
            except ValueError:  # more than 4300 digits (int max str digits)
                raise self.fail(node, "integer is too long") from None
            if abs(number) >= 10**MAX_NUMBER_DIGITS:
                raise self.fail(node, f"{text[:40]!r} is out of range (at most {MAX_NUMBER_DIGITS} digits)")
            return number
        if tag == _FLOAT:
            try:
                value = Decimal(text.replace("_", ""))
            except InvalidOperation:
                raise self.fail(node, f"{text!r} is not a finite decimal number") from None
            if not value.is_finite():
                raise self.fail(node, f"{text!r} is not a finite number")
            if not value.is_zero() and abs(value.adjusted()) > MAX_NUMBER_DIGITS:
                raise self.fail(node, f"{text[:40]!r} is out of range (exponent beyond ±{MAX_NUMBER_DIGITS})")
            return value
        if tag == _TIMESTAMP:
            try:
                stamp = self._constructor.construct_yaml_timestamp(node)
            except ValueError as exc:  # 2026-13-45 matches the timestamp pattern, is no date
                raise self.fail(node, f"{text!r} is not a valid date ({exc})") from None
            return stamp.date() if isinstance(stamp, dt.datetime) else stamp
        raise self.fail(node, f"tag {tag!r} is not allowed")


def read_yaml(path: Path, *, text: str | None = None) -> YamlDocument:
    """Read one YAML document safely, with key line numbers. ``text`` overrides the file."""
    name = str(path)
    if text is None:
        raw = path.read_bytes()
        if len(raw) > MAX_YAML_BYTES:
            raise YamlSourceError(name, None, f"file is larger than {MAX_YAML_BYTES} bytes")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise YamlSourceError(name, None, f"not UTF-8 text ({exc.reason})") from None
    if len(text) > MAX_YAML_BYTES:
        raise YamlSourceError(name, None, f"file is larger than {MAX_YAML_BYTES} bytes")
    try:
        node = yaml.compose(text, Loader=_DepthLimitedLoader)
    except RecursionError:  # pragma: no cover - the depth limit refuses this first
        raise YamlSourceError(name, None, "document is nested too deeply") from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise YamlSourceError(name, line, f"malformed YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise YamlSourceError(name, None, f"malformed YAML: {exc}") from None
    if node is None:
        raise YamlSourceError(name, None, "file is empty")
    builder = _Builder(name)
    try:
        data = builder.build(node, ())
    except RecursionError:
        raise YamlSourceError(name, None, "document is nested too deeply") from None
    return YamlDocument(name, data, builder.lines)

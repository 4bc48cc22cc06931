"""The published JSON Schema of the ruleset format (issue 10 item 9): equal to the one generated
from the models, valid draft 2020-12, every bundled ruleset validates, typos are caught."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from junheng.cli.app import app
from junheng.policy.registry import bundled_root
from junheng.policy.schema import ruleset_schema, ruleset_schema_text
from junheng.policy.yaml_source import read_yaml

PUBLISHED = Path(__file__).resolve().parents[2] / "junheng" / "schemas" / "ruleset-1.schema.json"
RULESETS = sorted(p for p in bundled_root().rglob("*.yaml") if not p.name.startswith("_"))
"""Every bundled ruleset file (``_indicators.yaml`` is the indicator catalogue, not a ruleset)."""


def as_json(value: object) -> object:
    """YAML data as a JSON document holds it (exact decimals as numbers, dates as text)."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


VALIDATOR = jsonschema.Draft202012Validator(ruleset_schema())


def test_published_file_equals_the_generated_schema() -> None:
    assert PUBLISHED.read_text(encoding="utf-8") == ruleset_schema_text(), (
        "regenerate: junheng rulesets schema > junheng/schemas/ruleset-1.schema.json")
    jsonschema.Draft202012Validator.check_schema(json.loads(PUBLISHED.read_text(encoding="utf-8")))


def test_cli_prints_the_published_schema() -> None:
    result = CliRunner().invoke(app, ["rulesets", "schema"])
    assert result.exit_code == 0
    assert result.stdout == PUBLISHED.read_text(encoding="utf-8")


def test_there_are_bundled_rulesets_of_every_shape() -> None:
    names = {p.relative_to(bundled_root()).as_posix() for p in RULESETS}
    # a plain one, an extending one, a dated one (editions) and an alias of one of its editions
    assert {"national/quality-2017.yaml", "jiangsu/quality-county.yaml", "anhui/school-standard.yaml",
            "anhui/school-2007.yaml"} <= names


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.relative_to(bundled_root()).as_posix())
def test_every_bundled_ruleset_validates(path: Path) -> None:
    data = as_json(read_yaml(path).data)
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in VALIDATOR.iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize("edit", [
    ("id: national/quality-2017\n", "id: national/quality-2017\ncolour: red\n"),  # unknown top-level key
    ("    op: \">=\"\n", "    op: \">=\"\n    treshold: 1\n"),  # misspelt key inside a rule
    ("status: confirmed\n", "status: official\n"),  # a status outside the list
])
def test_a_typo_does_not_validate(edit: tuple[str, str]) -> None:
    text = (bundled_root() / "national" / "quality-2017.yaml").read_text(encoding="utf-8")
    old, new = edit
    assert old in text
    data = read_yaml(Path("x.yaml"), text=text.replace(old, new, 1)).data
    assert not VALIDATOR.is_valid(as_json(data))

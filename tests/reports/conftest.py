"""The bundled example county, evaluated once for the report tests."""

from __future__ import annotations

import pytest

from junheng.engine.evaluate import run_evaluation
from junheng.engine.results import EvaluationRun
from junheng.examples import example_path
from junheng.policy.readers import read_facts
from junheng.policy.registry import load_ruleset


@pytest.fixture(scope="session")
def demo_run() -> EvaluationRun:
    return run_evaluation(load_ruleset("national/quality-2017"), read_facts(example_path("demo_county.csv")),
                          "direct")

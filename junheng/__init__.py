"""junheng 均衡 — rules-as-code engine for 义务教育均衡发展督导评估.

The Python API (see :mod:`junheng.api`)::

    import junheng
    r = junheng.evaluate("学校数据.csv", "national/quality-2017")
    r.to_dict()["summary"]   # the JSON contract of ``junheng evaluate --format json``
    r.to_pandas()            # one row per school section × rule (pip install "junheng[pandas]")

The installed package maps the repository's top-level folders: ``policy/`` → ``junheng.policy``,
``engine/`` → ``junheng.engine``, ``cli/`` → ``junheng.cli``, ``rulesets/`` → ``junheng.rulesets``.
"""

__version__ = "0.1.0"  # before the API import: the engine records it in every run

from junheng.api import (
    CountyEvaluation,
    Evaluation,
    FactsBatch,
    LoadedRuleset,
    NumberStyle,
    RulesetComparison,
    RulesetDifference,
    check,
    compare,
    diff,
    evaluate,
    evaluate_county,
    load_ruleset,
    read_facts,
)

__all__ = [
    "CountyEvaluation",
    "Evaluation",
    "FactsBatch",
    "LoadedRuleset",
    "NumberStyle",
    "RulesetComparison",
    "RulesetDifference",
    "__version__",
    "check",
    "compare",
    "diff",
    "evaluate",
    "evaluate_county",
    "load_ruleset",
    "read_facts",
]

"""junheng 均衡 — rules-as-code engine for 义务教育均衡发展督导评估.

The installed package maps the repository's top-level folders: ``policy/`` → ``junheng.policy``,
``engine/`` → ``junheng.engine``, ``cli/`` → ``junheng.cli``, ``rulesets/`` → ``junheng.rulesets``.
"""

__version__ = "0.1.0"

"""Bundled example data (示例数据), built from schools' published self-assessment reports.

See ``README.md`` in this folder for which figures are real and which are synthetic.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def example_path(name: str) -> Path:
    """Path of a bundled example file, e.g. ``demo_county.csv``."""
    path = Path(str(resources.files("junheng.examples") / name))
    if not path.is_file():
        raise FileNotFoundError(f"no bundled example {name!r}")
    return path

"""A plain (non-editable) install ships every Python package of the repository.

The editable install used by the tests finds modules through the source folders, so a package missing
from pyproject's ``packages`` list only shows after ``pip install .`` (``junheng.cli.render`` once went
missing that way: every command failed with ModuleNotFoundError). This compares the list with the folders.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_folder_is_installed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    package_dir: dict[str, str] = config["package-dir"]
    declared = set(config["packages"])
    expected: set[str] = set()
    for import_name, folder in package_dir.items():
        base = ROOT / folder
        for init in base.rglob("__init__.py"):
            relative = init.parent.relative_to(base)
            expected.add(".".join([import_name, *relative.parts]))
    assert expected - declared == set(), "packages missing from pyproject.toml [tool.setuptools] packages"

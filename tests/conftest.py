"""Collects the test cases written as data (tests/cases/**/*.yaml) as pytest items."""

from junheng.testing import pytest_collect_file

__all__ = ["pytest_collect_file"]

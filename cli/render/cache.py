"""Words rendered once and reused (lazy words, issue 12 item 3).

A rule's words that no school changes — its title in the language asked for, its 依据, the
requirement as printed, the sentence around the school's own numbers — are rendered the first
time a result of that rule is written and reused for every other school. Keys are the values the
words are made of (never an object's identity), so a cache can never hand one rule's words to
another; the caches are bounded and start afresh when full.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

LIMIT = 4096
"""Entries a cache holds before it starts afresh (a ruleset's rules × levels × languages are a few hundred)."""


class Rendered(dict[K, V], Generic[K, V]):
    """``cache[key]``: ``render(key)`` the first time, the same value after."""

    def __init__(self, render: Callable[[K], V], limit: int = LIMIT) -> None:
        super().__init__()
        self.render = render
        self.limit = limit

    def __missing__(self, key: K) -> V:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.render(key)
        return value


def literal(text: str) -> str:
    """``text`` as a literal inside a :meth:`str.format` template (braces doubled)."""
    return text.replace("{", "{{").replace("}", "}}")

"""A restricted formula grammar for indicator definitions (指标计算公式).

Rulesets are untrusted data, so formulas are never handed to ``eval``. The grammar is:

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := "-" unary | atom
    atom   := NUMBER | NAME | "(" expr ")"
    NUMBER := digits with an optional decimal part (e.g. 100, 0.85)
    NAME   := a fact or parameter name: [a-z_][a-z0-9_]*

No attribute access, calls, subscripts, strings or exponentiation can be written, so a formula
cannot reach Python. Evaluation is exact (:class:`fractions.Fraction`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

MAX_FORMULA_LENGTH = 500
MAX_DEPTH = 50


class FormulaError(ValueError):
    """A formula that does not parse, or cannot be evaluated for some facts."""


@dataclass(frozen=True)
class Number:
    value: Fraction


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Negate:
    operand: Expr


@dataclass(frozen=True)
class Binary:
    op: str  # one of + - * /
    left: Expr
    right: Expr


Expr = Number | Name | Negate | Binary

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[a-z_][a-z0-9_]*)|(?P<op>[-+*/()]))")


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise FormulaError(
                f"unexpected character {text[pos:].lstrip()[:1]!r} at position {pos + 1} in "
                f"{text!r} (allowed: numbers, fact names, + - * / and parentheses)"
            )
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise FormulaError(f"formula {self.text!r} ends unexpectedly")
        self.pos += 1
        return token

    def parse(self) -> Expr:
        if not self.tokens:
            raise FormulaError("empty formula")
        expr = self._expr()
        if self._peek() is not None:
            raise FormulaError(f"unexpected {self._peek()[1]!r} in formula {self.text!r}")  # type: ignore[index]
        return expr

    def _expr(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"formula {self.text!r} is nested too deeply")
        left = self._term()
        while (tok := self._peek()) is not None and tok in (("op", "+"), ("op", "-")):
            self._take()
            left = Binary(tok[1], left, self._term())
        self.depth -= 1
        return left

    def _term(self) -> Expr:
        left = self._unary()
        while (tok := self._peek()) is not None and tok in (("op", "*"), ("op", "/")):
            self._take()
            left = Binary(tok[1], left, self._unary())
        return left

    def _unary(self) -> Expr:
        if self._peek() == ("op", "-"):
            self._take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise FormulaError(f"formula {self.text!r} is nested too deeply")
            operand = self._unary()
            self.depth -= 1
            return Negate(operand)
        return self._atom()

    def _atom(self) -> Expr:
        kind, value = self._take()
        if kind == "num":
            return Number(Fraction(Decimal(value)))
        if kind == "name":
            return Name(value)
        if value == "(":
            inner = self._expr()
            if self._take() != ("op", ")"):
                raise FormulaError(f"missing ')' in formula {self.text!r}")
            return inner
        raise FormulaError(f"unexpected {value!r} in formula {self.text!r}")


def parse_formula(text: str) -> Expr:
    """Parse formula text into an expression tree, or raise :class:`FormulaError`."""
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(f"formula longer than {MAX_FORMULA_LENGTH} characters")
    return _Parser(text).parse()


def names(expr: Expr) -> frozenset[str]:
    """Every fact or parameter name the expression refers to."""
    match expr:
        case Number():
            return frozenset()
        case Name(name):
            return frozenset({name})
        case Negate(operand):
            return names(operand)
        case Binary(_, left, right):
            return names(left) | names(right)
    raise TypeError(expr)  # pragma: no cover


class MissingFact(FormulaError):
    def __init__(self, name: str) -> None:
        super().__init__(f"fact {name!r} is missing")
        self.name = name


def evaluate(expr: Expr, values: Mapping[str, Fraction]) -> Fraction:
    """Evaluate exactly; raises :class:`MissingFact` or :class:`FormulaError` (division by zero)."""
    match expr:
        case Number(value):
            return value
        case Name(name):
            try:
                return values[name]
            except KeyError:
                raise MissingFact(name) from None
        case Negate(operand):
            return -evaluate(operand, values)
        case Binary(op, left, right):
            lhs, rhs = evaluate(left, values), evaluate(right, values)
            if op == "+":
                return lhs + rhs
            if op == "-":
                return lhs - rhs
            if op == "*":
                return lhs * rhs
            if rhs == 0:
                raise FormulaError("division by zero")
            return lhs / rhs
    raise TypeError(expr)  # pragma: no cover


def render(expr: Expr) -> str:
    """Formula text back from the tree (fully parenthesised where needed)."""
    match expr:
        case Number(value):
            return str(value) if value.denominator == 1 else str(Decimal(value.numerator) / value.denominator)
        case Name(name):
            return name
        case Negate(operand):
            return f"-{render(operand)}"
        case Binary(op, left, right):
            return f"({render(left)} {op} {render(right)})"
    raise TypeError(expr)  # pragma: no cover


# ---------------------------------------------------------------------------------------------
# Solving for one fact: how much of a resource closes a gap (缺额).


@dataclass(frozen=True)
class Mobius:
    """f(r) = (a + b·r) / (c + d·r): every indicator formula in one resource fact has this shape
    (area / students, students / computers, teachers / students × 100, …)."""

    a: Fraction
    b: Fraction
    c: Fraction
    d: Fraction

    @property
    def is_constant(self) -> bool:
        return self.b == 0 and self.d == 0

    @property
    def constant(self) -> Fraction:
        return self.a if self.c == 1 else self.a / self.c

    def at(self, r: Fraction) -> Fraction:
        return (self.a + self.b * r) / (self.c + self.d * r)

    def solve(self, target: Fraction) -> Fraction | None:
        """The r with f(r) = target, or None when no finite r reaches it."""
        denominator = self.b - target * self.d
        if denominator == 0:
            return None
        return (target * self.c - self.a) / denominator


class NotSolvable(FormulaError):
    """The formula is not a linear-fractional function of the resource fact."""


_ZERO, _ONE = Fraction(0), Fraction(1)


def _const(value: Fraction) -> Mobius:
    return Mobius(value, _ZERO, _ONE, _ZERO)


def as_function_of(expr: Expr, resource: str, values: Mapping[str, Fraction]) -> Mobius:
    """The formula as f(resource) with every other fact fixed at its value."""
    match expr:
        case Number(value):
            return _const(value)
        case Name(name) if name == resource:
            return Mobius(_ZERO, _ONE, _ONE, _ZERO)
        case Name(name):
            if name not in values:
                raise MissingFact(name)
            return _const(values[name])
        case Negate(operand):
            m = as_function_of(operand, resource, values)
            return Mobius(-m.a, -m.b, m.c, m.d)
        case Binary(op, left, right):
            lhs = as_function_of(left, resource, values)
            rhs = as_function_of(right, resource, values)
            if op in "+-":
                sign = 1 if op == "+" else -1
                if rhs.is_constant:
                    k = sign * rhs.constant
                    return Mobius(lhs.a + k * lhs.c, lhs.b + k * lhs.d, lhs.c, lhs.d)
                if lhs.is_constant:
                    k = lhs.constant
                    m = Mobius(sign * rhs.a, sign * rhs.b, rhs.c, rhs.d)
                    return Mobius(m.a + k * m.c, m.b + k * m.d, m.c, m.d)
                raise NotSolvable("resource appears on both sides of + or -")
            if op == "*":
                if rhs.is_constant:
                    k = rhs.constant
                    return Mobius(lhs.a * k, lhs.b * k, lhs.c, lhs.d)
                if lhs.is_constant:
                    k = lhs.constant
                    return Mobius(rhs.a * k, rhs.b * k, rhs.c, rhs.d)
                raise NotSolvable("resource multiplied by itself")
            # division
            if rhs.is_constant:
                k = rhs.constant
                if k == 0:
                    raise FormulaError("division by zero")
                return Mobius(lhs.a, lhs.b, lhs.c * k, lhs.d * k)
            if lhs.is_constant:
                k = lhs.constant
                return Mobius(k * rhs.c, k * rhs.d, rhs.a, rhs.b)
            raise NotSolvable("resource divided by itself")
    raise TypeError(expr)  # pragma: no cover

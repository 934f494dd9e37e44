"""A small, safe evaluator for the XLSForm expressions a checklist uses in skip logic and checks.

XLSForm `relevant` and `constraint` cells hold XPath expressions. Checklists arrive as files
written by people outside the project, so the text is never handed to Python's `eval`: it is
tokenized, parsed by recursive descent into an AST of small frozen dataclasses, and walked by an
evaluator that knows only the subset below. Anything else is refused with the position (1-based
character) where reading stopped, so the author of the form can find it.

Subset: `${name}` references, `.` (the answer being checked, in constraints), string literals in
single or double quotes, integers and decimals, `=`, `!=`, `<`, `<=`, `>`, `>=`, `and`, `or`,
`+`, `-`, `*`, `div`, `mod`, unary minus, parentheses, and the functions `not(x)`,
`selected(${q}, 'x')`, `string-length(x)`, `true()` and `false()`.

Precedence, loosest first, as in XPath 1.0: `or`; `and`; `=` `!=`; `<` `<=` `>` `>=`; `+` `-`;
`*` `div` `mod`; unary minus.

Missing answers: a reference to an unanswered question evaluates to None. Any comparison with
None is False (so `${avc_voters} = 'yes'` does not hold before the question is answered) and
arithmetic with None gives None. Numbers compare numerically when both sides are numbers (or
numeric text, as XPath converts), so an integer answer compares with a literal `0`.

Pure: no I/O.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any, TypeAlias

from saylau.domain.errors import Rejected

Number = int | Decimal


class ExpressionError(Rejected):
    """An expression does not parse; the message names the text and the 1-based position."""

    def __init__(self, text: str, position: int, problem: str) -> None:
        self.text = text
        self.position = position
        self.problem = problem
        super().__init__(f"expression {text!r} at position {position}: {problem}")


# --- AST -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    """A string or number written in the expression."""

    value: str | Number


@dataclass(frozen=True)
class Ref:
    """`${name}`: the answer to another question."""

    name: str


@dataclass(frozen=True)
class Current:
    """`.`: the answer being checked (meaningful in a constraint)."""


@dataclass(frozen=True)
class Negate:
    """Unary minus."""

    operand: Expr


@dataclass(frozen=True)
class Binary:
    """A binary operator: comparison, arithmetic, `and` or `or`."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Call:
    """One of the few functions the subset knows."""

    name: str
    args: tuple[Expr, ...]


Expr: TypeAlias = Literal | Ref | Current | Negate | Binary | Call

# Functions and how many arguments each takes.
FUNCTIONS: dict[str, int] = {
    "not": 1,
    "selected": 2,
    "string-length": 1,
    "true": 0,
    "false": 0,
}

# --- tokenizer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """A lexical unit: kind is one of ref, string, number, name, op, dot, end; pos is 1-based."""

    kind: str
    value: str
    pos: int


OPERATORS = ("!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "(", ")", ",")
DIGITS = set("0123456789")  # ASCII only: str.isdigit() also accepts '¹' and other digits
NAME_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
NAME_CHARS = NAME_START | DIGITS | {"-", "."}


def _read_ref(text: str, i: int) -> tuple[Token, int]:
    """`${name}` starting at index i."""
    end = text.find("}", i + 2)
    if end < 0:
        raise ExpressionError(text, i + 1, "'${' is not closed by '}'")
    name = text[i + 2 : end].strip()
    if not name or name[0] not in NAME_START or any(c not in NAME_CHARS for c in name):
        raise ExpressionError(text, i + 1, f"'{text[i : end + 1]}' is not a valid reference")
    return Token("ref", name, i + 1), end + 1


def _read_string(text: str, i: int) -> tuple[Token, int]:
    """A quoted literal; XPath has no escapes, so the string ends at the next same quote."""
    end = text.find(text[i], i + 1)
    if end < 0:
        raise ExpressionError(text, i + 1, "string literal is not closed")
    return Token("string", text[i + 1 : end], i + 1), end + 1


def _read_number(text: str, i: int) -> tuple[Token, int]:
    """Digits with at most one decimal point."""
    j = i
    while j < len(text) and (text[j] in DIGITS or text[j] == "."):
        j += 1
    raw = text[i:j]
    if raw.count(".") > 1:
        raise ExpressionError(text, i + 1, f"'{raw}' is not a number")
    return Token("number", raw, i + 1), j


def _read_name(text: str, i: int) -> tuple[Token, int]:
    """A keyword or function name (XPath names may contain '-', as in string-length)."""
    j = i
    while j < len(text) and text[j] in NAME_CHARS:
        j += 1
    return Token("name", text[i:j], i + 1), j


def tokenize(text: str) -> Iterator[Token]:
    """The tokens of `text`, ending with an `end` token."""
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if text.startswith("${", i):
            token, i = _read_ref(text, i)
        elif char in "'\"":
            token, i = _read_string(text, i)
        elif char in DIGITS or (char == "." and text[i + 1 : i + 2] in DIGITS):
            token, i = _read_number(text, i)
        elif char == ".":
            token, i = Token("dot", ".", i + 1), i + 1
        elif char in NAME_START:
            token, i = _read_name(text, i)
        else:
            op = next((o for o in OPERATORS if text.startswith(o, i)), None)
            if op is None:
                raise ExpressionError(text, i + 1, f"unexpected character {char!r}")
            token, i = Token("op", op, i + 1), i + len(op)
        yield token
    yield Token("end", "", len(text) + 1)


# --- parser ---------------------------------------------------------------------------------

# Binary operator levels, loosest first; each level is left-associative.
LEVELS: tuple[tuple[str, ...], ...] = (
    ("or",),
    ("and",),
    ("=", "!="),
    ("<", "<=", ">", ">="),
    ("+", "-"),
    ("*", "div", "mod"),
)
WORD_OPERATORS = {"or", "and", "div", "mod"}


class _Parser:
    """Recursive descent over the token list; one method per precedence level."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = list(tokenize(text))
        self.i = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def fail(self, problem: str, token: Token | None = None) -> ExpressionError:
        return ExpressionError(self.text, (token or self.token).pos, problem)

    def advance(self) -> Token:
        token = self.token
        self.i += 1
        return token

    def expect(self, op: str) -> None:
        if not self._is_op(self.token, op):
            raise self.fail(f"expected '{op}', found {self._describe(self.token)}")
        self.advance()

    @staticmethod
    def _is_op(token: Token, op: str) -> bool:
        kind = "name" if op in WORD_OPERATORS else "op"
        return token.kind == kind and token.value == op

    @staticmethod
    def _describe(token: Token) -> str:
        return "the end of the expression" if token.kind == "end" else f"'{token.value}'"

    def parse(self) -> Expr:
        if self.token.kind == "end":
            raise self.fail("expression is empty")
        expr = self.binary(0)
        if self.token.kind != "end":
            raise self.fail(f"unexpected {self._describe(self.token)}")
        return expr

    def binary(self, level: int) -> Expr:
        if level == len(LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while op := next((o for o in LEVELS[level] if self._is_op(self.token, o)), None):
            self.advance()
            left = Binary(op, left, self.binary(level + 1))
        return left

    def unary(self) -> Expr:
        if self._is_op(self.token, "-"):
            self.advance()
            return Negate(self.unary())
        return self.primary()

    def primary(self) -> Expr:
        token = self.token
        if token.kind in ("ref", "string", "dot", "number"):
            self.advance()
            return _atom(token)
        if self._is_op(token, "("):
            self.advance()
            inner = self.binary(0)
            self.expect(")")
            return inner
        if token.kind == "name":
            return self.call()
        raise self.fail(f"expected a value, found {self._describe(token)}")

    def call(self) -> Expr:
        token = self.advance()
        if token.value not in FUNCTIONS:
            raise self.fail(f"unknown function or word '{token.value}'", token)
        if not self._is_op(self.token, "("):
            raise self.fail(f"'{token.value}' must be followed by '('")
        self.advance()
        args: list[Expr] = []
        if not self._is_op(self.token, ")"):
            args.append(self.binary(0))
            while self._is_op(self.token, ","):
                self.advance()
                args.append(self.binary(0))
        self.expect(")")
        wanted = FUNCTIONS[token.value]
        if len(args) != wanted:
            raise self.fail(f"{token.value}() takes {wanted} argument(s), got {len(args)}", token)
        return Call(token.value, tuple(args))


def _atom(token: Token) -> Expr:
    """The AST node of a single-token value."""
    if token.kind == "ref":
        return Ref(token.value)
    if token.kind == "dot":
        return Current()
    if token.kind == "string":
        return Literal(token.value)
    return Literal(Decimal(token.value) if "." in token.value else int(token.value))


def parse_expression(text: str) -> Expr:
    """The AST of `text`; raises ExpressionError naming the position of the first problem."""
    return _Parser(text).parse()


# --- inspection -----------------------------------------------------------------------------


def _walk(expr: Expr) -> Iterator[Expr]:
    yield expr
    if isinstance(expr, Negate):
        yield from _walk(expr.operand)
    elif isinstance(expr, Binary):
        yield from _walk(expr.left)
        yield from _walk(expr.right)
    elif isinstance(expr, Call):
        for arg in expr.args:
            yield from _walk(arg)


def references(expr: Expr) -> set[str]:
    """The question names `expr` reads through `${name}`; forms check they exist."""
    return {node.name for node in _walk(expr) if isinstance(node, Ref)}


def uses_current(expr: Expr) -> bool:
    """Whether `expr` reads `.`; skip logic cannot, since the question is not yet answered."""
    return any(isinstance(node, Current) for node in _walk(expr))


# --- evaluation -----------------------------------------------------------------------------


def _number(value: object) -> Number | None:
    """`value` as a number if it is one (bool is not), or numeric text; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def truthy(value: object) -> bool:
    """XPath boolean(): None, '', 0 and False are false; everything else is true."""
    if value is None:
        return False
    if isinstance(value, str):
        return value != ""
    return bool(value)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


# `_compare` hands these two numbers or two texts, never a mixed pair.
COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _compare(op: str, left: object, right: object) -> bool:
    """XPath comparison, except that a missing answer never compares true."""
    if left is None or right is None:
        return False
    if isinstance(left, bool) or isinstance(right, bool):
        return bool(COMPARE[op](truthy(left), truthy(right))) if op in ("=", "!=") else False
    a, b = _number(left), _number(right)
    numeric = isinstance(left, int | float | Decimal) or isinstance(right, int | float | Decimal)
    if a is not None and b is not None and (numeric or op not in ("=", "!=")):
        return bool(COMPARE[op](a, b))
    if op in ("=", "!="):
        return bool(COMPARE[op](_text(left), _text(right)))
    return False


def _arithmetic(op: str, left: object, right: object) -> Number | None:
    """+ - * div mod on numbers; None (no value) when either side is not a number."""
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return None
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "div":
            return Decimal(a) / Decimal(b)
        return Decimal(a) % Decimal(b)
    except (ZeroDivisionError, DivisionByZero, InvalidOperation):
        return None


def _call(expr: Call, answers: Mapping[str, object], current: object) -> object:
    values = [evaluate(arg, answers, current) for arg in expr.args]
    if expr.name == "not":
        return not truthy(values[0])
    if expr.name == "selected":
        return values[0] is not None and _text(values[1]) in _text(values[0]).split()
    if expr.name == "string-length":
        return len(_text(values[0]))
    return expr.name == "true"


def evaluate(expr: Expr, answers: Mapping[str, object], current: object = None) -> object:
    """The value of `expr` given the submission's answers and the answer being checked."""
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Ref):
        return answers.get(expr.name)
    if isinstance(expr, Current):
        return current
    if isinstance(expr, Negate):
        value = _number(evaluate(expr.operand, answers, current))
        return None if value is None else -value
    if isinstance(expr, Call):
        return _call(expr, answers, current)
    if expr.op == "and":
        return truthy(evaluate(expr.left, answers, current)) and truthy(
            evaluate(expr.right, answers, current)
        )
    if expr.op == "or":
        return truthy(evaluate(expr.left, answers, current)) or truthy(
            evaluate(expr.right, answers, current)
        )
    left = evaluate(expr.left, answers, current)
    right = evaluate(expr.right, answers, current)
    if expr.op in COMPARE:
        return _compare(expr.op, left, right)
    return _arithmetic(expr.op, left, right)


def holds(expr: Expr, answers: Mapping[str, object], current: object = None) -> bool:
    """Whether `expr` is true for these answers (XPath boolean of its value)."""
    return truthy(evaluate(expr, answers, current))

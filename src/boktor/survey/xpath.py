"""The XPath subset XLSForm uses in `relevant`, `constraint` and `choice_filter`: parsed, never eval()'d.

An expression is parsed once (when a form is loaded) into a small JSON-able tree, stored in the form
definition, and interpreted by `evaluate` here and by the same twenty lines of JavaScript in the page,
so the server and the page agree on what a rule means.

Nodes: ["num", 1.5] ["str", "x"] ["ref", "field"] ["dot"] ["col", "column"] ["neg", a]
       ["op", "and"|"or"|"="|"!="|"<"|"<="|">"|">="|"+"|"-"|"*"|"div"|"mod", a, b] ["fn", name, [args]]
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

Node = list[Any]

# Name of each function the subset supports and how many arguments it takes.
FUNCTIONS: dict[str, tuple[int, int]] = {
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (1, 1),
    "regex": (2, 2),
    "not": (1, 1),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "true": (0, 0),
    "false": (0, 0),
    "number": (1, 1),
    "string": (1, 1),
}
OPERATORS = ("or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod")

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<ref>\$\{\s*(?P<refname>[A-Za-z_][\w.\-]*)\s*\})
    | (?P<num>\d+(?:\.\d+)?|\.\d+)
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)
    | (?P<dot>\.(?![\w.]))
    | (?P<name>[A-Za-z_][\w\-]*(?::[A-Za-z_][\w\-]*)?)
    )""",
    re.VERBOSE,
)


class ExpressionError(ValueError):
    """An expression outside the supported subset, or not well formed; the message says what."""


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(f"cannot read {text[position:]!r}")
        if match.group("ref"):
            tokens.append(("ref", match.group("refname")))
        else:
            kind = next(k for k in ("num", "str", "op", "dot", "name") if match.group(k) is not None)
            tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError("the expression ends too early")
        self.at += 1
        return token

    def accept(self, *values: str) -> str | None:
        token = self.peek()
        if token and token[0] in ("op", "name") and token[1] in values:
            self.at += 1
            return token[1]
        return None

    def expect(self, value: str) -> None:
        if not self.accept(value):
            raise ExpressionError(f"expected {value!r}")

    def parse(self) -> Node:
        node = self.binary(0)
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()[1]!r}")
        return node

    _LEVELS: tuple[tuple[str, ...], ...] = (
        ("or",),
        ("and",),
        ("=", "!="),
        ("<", "<=", ">", ">="),
        ("+", "-"),
        ("*", "div", "mod"),
    )

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while operator := self.accept(*self._LEVELS[level]):
            node = ["op", operator, node, self.binary(level + 1)]
        return node

    def unary(self) -> Node:
        if self.accept("-"):
            return ["neg", self.unary()]
        return self.primary()

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return ["num", float(value)]
        if kind == "str":
            return ["str", value[1:-1]]
        if kind == "ref":
            return ["ref", value]
        if kind == "dot":
            return ["dot"]
        if kind == "op" and value == "(":
            node = self.binary(0)
            self.expect(")")
            return node
        if kind == "name":
            if self.accept("("):
                return self.call(value)
            if value in OPERATORS:
                raise ExpressionError(f"{value!r} needs something on its left")
            return ["col", value]
        raise ExpressionError(f"unexpected {value!r}")

    def call(self, name: str) -> Node:
        if name not in FUNCTIONS:
            raise ExpressionError(
                f"the function {name}() is not supported (supported: {', '.join(f'{f}()' for f in FUNCTIONS)})"
            )
        args: list[Node] = []
        if not self.accept(")"):
            args.append(self.binary(0))
            while self.accept(","):
                args.append(self.binary(0))
            self.expect(")")
        low, high = FUNCTIONS[name]
        if not low <= len(args) <= high:
            raise ExpressionError(f"{name}() takes {low} argument(s), not {len(args)}")
        if name == "regex" and args[1][0] == "str":
            try:
                re.compile(args[1][1])
            except re.error as error:
                raise ExpressionError(
                    f"the pattern {args[1][1]!r} is not a valid regular expression: {error}"
                ) from None
        return ["fn", name, args]


def parse(text: str) -> Node:
    """The tree of an expression, or ExpressionError naming what is not supported."""
    if not text or not text.strip():
        raise ExpressionError("the expression is empty")
    return _Parser(text).parse()


def _children(node: Node) -> list[Node]:
    if node[0] == "op":
        return [node[2], node[3]]
    if node[0] == "neg":
        return [node[1]]
    if node[0] == "fn":
        return node[2]
    return []


def _walk(node: Node) -> list[Node]:
    nodes = [node]
    for child in _children(node):
        nodes += _walk(child)
    return nodes


def references(node: Node) -> set[str]:
    """The field names an expression reads through ${name}."""
    return {n[1] for n in _walk(node) if n[0] == "ref"}


def columns(node: Node) -> set[str]:
    """The choice columns an expression reads by bare name (used in choice_filter)."""
    return {n[1] for n in _walk(node) if n[0] == "col"}


def uses_dot(node: Node) -> bool:
    """Whether an expression reads the current value (".")."""
    return any(n[0] == "dot" for n in _walk(node))


# Values follow XPath 1.0: strings, numbers (float) and booleans.
Value = str | float | bool


def _string(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return str(int(value)) if value.is_integer() else repr(value)
    return value


def _number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    try:
        return float(value.strip()) if value.strip() else math.nan
    except ValueError:
        return math.nan


def _boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return value != ""


def _compare(operator: str, left: Value, right: Value) -> bool:
    if operator in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = _boolean(left) == _boolean(right)
        elif isinstance(left, float) or isinstance(right, float):
            equal = _number(left) == _number(right)
        else:
            equal = left == right
        return equal if operator == "=" else not equal
    a, b = _number(left), _number(right)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[operator]


def _arithmetic(operator: str, left: Value, right: Value) -> float:
    a, b = _number(left), _number(right)
    if operator == "+":
        return a + b
    if operator == "-":
        return a - b
    if operator == "*":
        return a * b
    if b == 0:
        return math.nan if operator == "mod" or a == 0 else math.copysign(math.inf, a)
    return a / b if operator == "div" else math.fmod(a, b)


def _call(name: str, args: list[Value]) -> Value:
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "not":
        return not _boolean(args[0])
    if name == "number":
        return _number(args[0])
    if name == "string":
        return _string(args[0])
    if name == "string-length":
        return float(len(_string(args[0])))
    if name == "selected":
        return _string(args[1]).strip() in _string(args[0]).split()
    if name == "count-selected":
        return float(len(_string(args[0]).split()))
    if name == "regex":
        return re.search(_string(args[1]), _string(args[0])) is not None
    if name == "contains":
        return _string(args[1]) in _string(args[0])
    if name == "starts-with":
        return _string(args[0]).startswith(_string(args[1]))
    raise ExpressionError(f"the function {name}() is not supported")


def evaluate(
    node: Node, answers: Mapping[str, Value], dot: Value = "", column: Callable[[str], Value] | None = None
) -> Value:
    """The value of a parsed expression given the answers, the current value and a choice's columns."""
    kind = node[0]
    if kind in ("num", "str"):
        return node[1]
    if kind == "ref":
        return answers.get(node[1], "")
    if kind == "dot":
        return dot
    if kind == "col":
        value = column(node[1]) if column else None
        return "" if value is None else value
    if kind == "neg":
        return -_number(evaluate(node[1], answers, dot, column))
    if kind == "fn":
        return _call(node[1], [evaluate(arg, answers, dot, column) for arg in node[2]])
    operator = node[1]
    if operator == "and":
        return _boolean(evaluate(node[2], answers, dot, column)) and _boolean(
            evaluate(node[3], answers, dot, column)
        )
    if operator == "or":
        return _boolean(evaluate(node[2], answers, dot, column)) or _boolean(
            evaluate(node[3], answers, dot, column)
        )
    left, right = evaluate(node[2], answers, dot, column), evaluate(node[3], answers, dot, column)
    if operator in ("=", "!=", "<", "<=", ">", ">="):
        return _compare(operator, left, right)
    return _arithmetic(operator, left, right)


def holds(node: Node | None, answers: Mapping[str, Value], dot: Value = "", column=None) -> bool:
    """Whether a condition holds (an absent condition always does)."""
    return True if node is None else _boolean(evaluate(node, answers, dot, column))

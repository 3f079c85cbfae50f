"""``${...}`` and ``$name`` substitution of block arguments: tiny arithmetic, never ``eval``.

Grammar::

    choice := cond ['if' cond 'else' choice]
    cond   := conj ('or' conj)*
    conj   := neg ('and' neg)*
    neg    := 'not' neg | cmp
    cmp    := expr [('=='|'!='|'<'|'<='|'>'|'>=') expr]
    expr   := term (('+'|'-') term)*
    term   := unary (('*'|'//'|'/'|'%') unary)*
    unary  := '-' unary | atom
    atom   := NUMBER | 'true' | 'false' | NAME | NAME '(' expr (',' expr)* ')' | '(' choice ')'

Numbers are integers or decimals (``1.4``, ``1e-6``); arithmetic is Python's on ints and IEEE
doubles, the same operations torchvision's Python performs, so a width multiplier computes the same
channels. ``/`` of two integers must divide exactly (``//`` floors); with a decimal operand it is
true division. The functions are :data:`FUNCTIONS` (``make_divisible``, ``round_to_multiple_of``,
``ceil``, ``floor``, ``int``, ``min``, ``max``): each a fixed, documented computation. Comparisons
and ``and``/``or``/``not`` give true or false (for ``if:``); ``a if c else b`` picks one by ``c``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cnncalc.errors import SpecError

_TOKEN = re.compile(
    r"\s*(?:((?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(//|==|!=|<=|>=|[-+*/%(),<>]))"
)
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
_WORDS = ("and", "or", "not", "true", "false", "if", "else")
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
MAX_VALUE = 10**18

Number = int | float


class _Problem(Exception):
    """A function refuses its arguments: the message and a hint (the parser adds the expression)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message, self.hint = message, hint


def _whole_divisor(name: str, divisor: Number) -> int:
    if isinstance(divisor, float):
        if not divisor.is_integer():
            raise _Problem(f"{name}: the divisor {divisor:g} is not a whole number")
        divisor = int(divisor)
    if divisor < 1:
        raise _Problem(
            f"{name}: the divisor must be at least 1, not {divisor}",
            hint="channels are usually rounded to a multiple of 8, e.g. make_divisible(32 * 1.4, 8)",
        )
    return divisor


def make_divisible(v: Number, divisor: Number, min_value: Number | None = None) -> int:
    """``v`` rounded to the nearest multiple of ``divisor``, at least ``min_value`` (default the
    divisor), and never more than 10% below ``v``: torchvision's ``_make_divisible``
    (torchvision/models/_utils.py, lines 76–89 in 0.29.1), step for step."""
    divisor = _whole_divisor("make_divisible", divisor)
    floor_value = divisor if min_value is None else min_value
    new_v = max(floor_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return _integer("make_divisible", new_v)


def round_to_multiple_of(val: Number, divisor: Number, round_up_bias: Number = 0.9) -> int:
    """MNASNet's rounding of ``val`` to a multiple of ``divisor``, preferring to round up:
    torchvision's ``_round_to_multiple_of`` (torchvision/models/mnasnet.py, lines 80–87 in 0.29.1)."""
    divisor = _whole_divisor("round_to_multiple_of", divisor)
    if not 0.0 < round_up_bias < 1.0:
        raise _Problem(f"round_to_multiple_of: round_up_bias must be between 0 and 1, not {round_up_bias:g}")
    new_val = max(divisor, int(val + divisor / 2) // divisor * divisor)
    return new_val if new_val >= round_up_bias * val else new_val + divisor


def _integer(name: str, value: Number) -> int:
    if isinstance(value, float):
        if not value.is_integer():
            raise _Problem(f"{name}: the result {value:g} is not a whole number")
        return int(value)
    return value


def _ceil(x: Number) -> int:
    """``math.ceil`` (EfficientNet's depth: ``int(math.ceil(num_layers * depth_mult))``)."""
    return math.ceil(x)


def _floor(x: Number) -> int:
    return math.floor(x)


def _int(x: Number) -> int:
    """Python's ``int()``: truncation toward zero."""
    return int(x)


def _min(*values: Number) -> Number:
    return min(values)


def _max(*values: Number) -> Number:
    return max(values)


# name -> (function, fewest arguments, most arguments, usage)
FUNCTIONS: dict[str, tuple[Callable[..., Number], int, int, str]] = {
    "make_divisible": (make_divisible, 2, 3, "make_divisible(v, divisor[, min_value])"),
    "round_to_multiple_of": (round_to_multiple_of, 2, 3, "round_to_multiple_of(v, divisor[, round_up_bias])"),
    "ceil": (_ceil, 1, 1, "ceil(x)"),
    "floor": (_floor, 1, 1, "floor(x)"),
    "int": (_int, 1, 1, "int(x) (toward zero)"),
    "min": (_min, 2, 64, "min(a, b, …)"),
    "max": (_max, 2, 64, "max(a, b, …)"),
}


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[tuple[str, str, int], ...]:
    """The tokens of an expression, read once per distinct text (a block's expressions are
    evaluated at every call, with other arguments)."""
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            raise SpecError(f"unexpected character '{text[pos:].lstrip()[0]}' in '${{{text}}}'")
        number, name, op = match.groups()
        kind = "number" if number else "name" if name else "op"
        tokens.append((kind, number or name or op, match.start()))
        pos = match.end()
    return tuple(tokens)


class _Parser:
    def __init__(self, text: str, env: dict[str, Any]):
        self.text = text
        self.env = env
        self.tokens = _tokens(text)
        self.index = 0

    def error(self, message: str, hint: str | None = None) -> SpecError:
        return SpecError(f"{message} in '${{{self.text}}}'", hint=hint)

    def peek(self) -> str | None:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        if self.index >= len(self.tokens):
            raise SpecError(f"incomplete expression '${{{self.text}}}'")
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Any:
        value = self.choice()
        if self.index != len(self.tokens):
            raise self.error(f"unexpected '{self.peek()}'")
        return value

    def choice(self) -> Any:
        value = self.cond()
        if self.peek() == "if":
            self.take()
            condition = _truth(self.cond(), self)
            if self.peek() != "else":
                raise SpecError(f"'if' without 'else' in '${{{self.text}}}' (write: a if condition else b)")
            self.take()
            other = self.choice()
            return value if condition else other
        return value

    def cond(self) -> Any:
        value = self.conj()
        while self.peek() == "or":
            self.take()
            right = self.conj()
            value = _truth(value, self) or _truth(right, self)
        return value

    def conj(self) -> Any:
        value = self.neg()
        while self.peek() == "and":
            self.take()
            right = self.neg()
            value = _truth(value, self) and _truth(right, self)
        return value

    def neg(self) -> Any:
        if self.peek() == "not":
            self.take()
            return not _truth(self.neg(), self)
        return self.cmp()

    def cmp(self) -> Any:
        value = self.expr()
        if self.peek() in _COMPARISONS:
            op = self.take()[1]
            right = self.expr()
            return _compare(op, value, right, self)
        return value

    def expr(self) -> Any:
        value = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            right = self.term()
            value = _arith(op, value, right, self)
        return value

    def term(self) -> Any:
        value = self.unary()
        while self.peek() in ("*", "//", "/", "%"):
            op = self.take()[1]
            right = self.unary()
            value = _arith(op, value, right, self)
        return value

    def unary(self) -> Any:
        if self.peek() == "-":
            self.take()
            return _arith("*", -1, self.unary(), self)
        return self.atom()

    def atom(self) -> Any:
        kind, value, _ = self.take()
        if kind == "number":
            return self.number(value)
        if kind == "name" and value in ("true", "false"):
            return value == "true"
        if kind == "name" and value in _WORDS:
            raise self.error(f"unexpected '{value}'")
        if kind == "name":
            if self.peek() == "(":
                return self.call(value)
            if value not in self.env:
                known = ", ".join(sorted(self.env)) or "none"
                hint = f"functions: {', '.join(FUNCTIONS)}" if value in FUNCTIONS else None
                raise self.error(f"unknown argument '{value}' (arguments: {known})", hint)
            return self.env[value]
        if value == "(":
            inner = self.choice()
            if self.take()[1] != ")":
                raise SpecError(f"missing ')' in '${{{self.text}}}'")
            return inner
        raise self.error(f"unexpected '{value}'")

    def number(self, text: str) -> Number:
        if len(text) > 40:
            raise self.error("number too large", "numbers are at most 10^18")
        if re.fullmatch(r"\d+", text):
            if len(text) > 19:
                raise SpecError(f"number too large in '${{{self.text}}}' (limit 10^18)")
            return _bounded(int(text), self)
        return _bounded(float(text), self)

    def call(self, name: str) -> Number:
        if name not in FUNCTIONS:
            raise self.error(
                f"unknown function '{name}'",
                hint=f"functions: {', '.join(u for *_, u in FUNCTIONS.values())}",
            )
        function, fewest, most, usage = FUNCTIONS[name]
        self.take()  # '('
        args = [self.expr()]
        while self.peek() == ",":
            self.take()
            args.append(self.expr())
        if self.peek() != ")":
            raise self.error(f"missing ')' after the arguments of {name}", hint=f"usage: {usage}")
        self.take()
        if not fewest <= len(args) <= most:
            raise self.error(f"{name} takes {_count(fewest, most)}, not {len(args)}", hint=f"usage: {usage}")
        for arg in args:
            _check_number(arg, self)
        try:
            result = function(*args)
        except _Problem as problem:
            raise self.error(problem.message, hint=problem.hint or f"usage: {usage}") from None
        return _bounded(result, self)


def _truth(value: Any, parser: _Parser) -> bool:
    if not isinstance(value, bool):
        raise parser.error(f"'{value}' is not true or false (compare it: == != < <= > >=)")
    return value


def _compare(op: str, left: Any, right: Any, parser: _Parser) -> bool:
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right))
    if not numbers and (type(left) is not type(right) or op not in ("==", "!=")):
        raise parser.error(f"cannot compare '{left}' with '{right}'")
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def _count(fewest: int, most: int) -> str:
    if fewest == most:
        return f"{fewest} argument" + ("s" if fewest > 1 else "")
    if most > 3:
        return f"at least {fewest} arguments"
    return f"{fewest} or {most} arguments"


def _check_number(value: Any, parser: _Parser) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise parser.error(f"'{value}' is not a number")


def _bounded(value: Number, parser: _Parser) -> Number:
    if isinstance(value, float) and not math.isfinite(value):
        raise parser.error("the result is not a finite number")
    if abs(value) > MAX_VALUE:
        raise SpecError(f"number too large in '${{{parser.text}}}' (limit 10^18)")
    return value


def _arith(op: str, left: Any, right: Any, parser: _Parser) -> Number:
    for operand in (left, right):
        _check_number(operand, parser)
    if op == "+":
        result = left + right
    elif op == "-":
        result = left - right
    elif op == "*":
        result = left * right
    else:
        if right == 0:
            raise SpecError(f"division by zero in '${{{parser.text}}}'")
        if op == "/":
            if isinstance(left, int) and isinstance(right, int):
                if left % right:
                    raise SpecError(
                        f"{left}/{right} is not a whole number in '${{{parser.text}}}' (use // to floor)"
                    )
                result = left // right
            else:
                result = left / right
        else:
            result = left % right if op == "%" else left // right
    return _bounded(result, parser)


def evaluate(text: str, env: dict[str, Any]) -> Any:
    """Value of one expression (the text between ``${`` and ``}``)."""
    return _Parser(text, env).parse()


def substitute(value: Any, env: dict[str, Any]) -> Any:
    """Replace ``${expr}`` and ``$name`` in strings, recursively through lists and dicts. A string
    that is a single placeholder becomes the value itself (an int stays an int)."""
    if isinstance(value, str):
        if "$" not in value:
            return value
        whole = _PLACEHOLDER.fullmatch(value.strip())
        if whole:
            return _placeholder_value(whole, env)
        return _PLACEHOLDER.sub(lambda m: _text(_placeholder_value(m, env)), value)
    if isinstance(value, list):
        return _copy_list(value, env)
    if isinstance(value, dict):
        return _copy_dict(value, env)
    return value


def _text(value: Any) -> str:
    """A value inside a layer's text: ``repr`` for floats keeps every digit (``44.8``, ``1e-06``)."""
    return repr(value) if isinstance(value, float) else str(value)


def _placeholder_value(match: re.Match[str], env: dict[str, Any]) -> Any:
    expression = match.group(1) if match.group(1) is not None else match.group(2)
    if expression in env:  # $name or ${name}, most placeholders: nothing to parse
        return env[expression]
    return evaluate(expression, env)


def _copy_list(value: Any, env: dict[str, Any]) -> Any:
    out = type(value)(substitute(v, env) for v in value)
    if hasattr(value, "loc"):
        out.loc = value.loc
    return out


def _copy_dict(value: Any, env: dict[str, Any]) -> Any:
    out = type(value)((k, substitute(v, env)) for k, v in value.items())
    for attr in ("loc", "key_locs"):
        if hasattr(value, attr):
            setattr(out, attr, getattr(value, attr))
    return out

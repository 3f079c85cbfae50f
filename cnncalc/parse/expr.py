"""``${...}`` and ``$name`` substitution of block arguments: tiny integer arithmetic, never ``eval``.

Grammar: ``choice := cond ['if' cond 'else' choice]``, ``cond := conj ('or' conj)*``,
``conj := neg ('and' neg)*``, ``neg := 'not' neg | cmp``,
``cmp := expr [('=='|'!='|'<'|'<='|'>'|'>=') expr]``, ``expr := term (('+'|'-') term)*``,
``term := unary (('*'|'//'|'/'|'%') unary)*``, ``unary := '-' unary | atom``,
``atom := INT | 'true' | 'false' | NAME | '(' choice ')'``. ``/`` must divide exactly; comparisons and
``and``/``or``/``not`` give true or false (for ``if:``); ``a if c else b`` picks one by ``c``.
"""

from __future__ import annotations

import re
from typing import Any

from cnncalc.errors import SpecError

_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(//|==|!=|<=|>=|[-+*/%()<>]))")
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
_WORDS = ("and", "or", "not", "true", "false", "if", "else")
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
MAX_VALUE = 10**18


class _Parser:
    def __init__(self, text: str, env: dict[str, Any]):
        self.text = text
        self.env = env
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if not match:
                raise SpecError(f"unexpected character '{text[pos:].lstrip()[0]}' in '${{{text}}}'")
            number, name, op = match.groups()
            kind = "int" if number else "name" if name else "op"
            self.tokens.append((kind, number or name or op, match.start()))
            pos = match.end()
        self.index = 0

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
            raise SpecError(f"unexpected '{self.peek()}' in '${{{self.text}}}'")
        return value

    def choice(self) -> Any:
        value = self.cond()
        if self.peek() == "if":
            self.take()
            condition = _truth(self.cond(), self.text)
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
            value = _truth(value, self.text) or _truth(right, self.text)
        return value

    def conj(self) -> Any:
        value = self.neg()
        while self.peek() == "and":
            self.take()
            right = self.neg()
            value = _truth(value, self.text) and _truth(right, self.text)
        return value

    def neg(self) -> Any:
        if self.peek() == "not":
            self.take()
            return not _truth(self.neg(), self.text)
        return self.cmp()

    def cmp(self) -> Any:
        value = self.expr()
        if self.peek() in _COMPARISONS:
            op = self.take()[1]
            right = self.expr()
            return _compare(op, value, right, self.text)
        return value

    def expr(self) -> Any:
        value = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            right = self.term()
            value = _arith(op, value, right, self.text)
        return value

    def term(self) -> Any:
        value = self.unary()
        while self.peek() in ("*", "//", "/", "%"):
            op = self.take()[1]
            right = self.unary()
            value = _arith(op, value, right, self.text)
        return value

    def unary(self) -> Any:
        if self.peek() == "-":
            self.take()
            return _arith("*", -1, self.unary(), self.text)
        return self.atom()

    def atom(self) -> Any:
        kind, value, _ = self.take()
        if kind == "int":
            if len(value) > 19:
                raise SpecError(f"number too large in '${{{self.text}}}' (limit 10^18)")
            return _bounded(int(value), self.text)
        if kind == "name" and value in ("true", "false"):
            return value == "true"
        if kind == "name" and value in _WORDS:
            raise SpecError(f"unexpected '{value}' in '${{{self.text}}}'")
        if kind == "name":
            if value not in self.env:
                known = ", ".join(sorted(self.env)) or "none"
                raise SpecError(f"unknown argument '{value}' in '${{{self.text}}}' (arguments: {known})")
            return self.env[value]
        if value == "(":
            inner = self.choice()
            if self.take()[1] != ")":
                raise SpecError(f"missing ')' in '${{{self.text}}}'")
            return inner
        raise SpecError(f"unexpected '{value}' in '${{{self.text}}}'")


def _truth(value: Any, text: str) -> bool:
    if not isinstance(value, bool):
        raise SpecError(f"'{value}' is not true or false in '${{{text}}}' (compare it: == != < <= > >=)")
    return value


def _compare(op: str, left: Any, right: Any, text: str) -> bool:
    if type(left) is not type(right) or (isinstance(left, bool) and op not in ("==", "!=")):
        raise SpecError(f"cannot compare '{left}' with '{right}' in '${{{text}}}'")
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if not isinstance(left, int):
        raise SpecError(f"'{left}' is not a number in '${{{text}}}'")
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def _bounded(value: int, text: str) -> int:
    if abs(value) > MAX_VALUE:
        raise SpecError(f"number too large in '${{{text}}}' (limit 10^18)")
    return value


def _arith(op: str, left: Any, right: Any, text: str) -> int:
    for operand in (left, right):
        if not isinstance(operand, int) or isinstance(operand, bool):
            raise SpecError(f"'{operand}' is not an integer in '${{{text}}}'")
    if op == "+":
        result = left + right
    elif op == "-":
        result = left - right
    elif op == "*":
        result = left * right
    else:
        if right == 0:
            raise SpecError(f"division by zero in '${{{text}}}'")
        if op == "/" and left % right:
            raise SpecError(f"{left}/{right} is not a whole number in '${{{text}}}' (use // to floor)")
        result = left % right if op == "%" else left // right
    return _bounded(result, text)


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
        return _PLACEHOLDER.sub(lambda m: str(_placeholder_value(m, env)), value)
    if isinstance(value, list):
        return _copy_list(value, env)
    if isinstance(value, dict):
        return _copy_dict(value, env)
    return value


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

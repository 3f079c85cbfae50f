"""Declared, validated layer fields: what a field accepts, its default, its description and its JSON
Schema, in one declaration per field.

A layer kind declares its fields like a dataclass, ``stride: IntPair = field(POSITIVE_PAIR, "…",
default=1)``; :class:`~cnncalc.layers.base.LayerDef` collects them. Validation is plain Python (no
modelling framework), so that ``cnncalc`` starts fast; every problem becomes a sentence such as
"it should be greater than 0" that the parser places in the user's spec.
"""

from __future__ import annotations

import math
import re
from typing import Any

from cnncalc.records import record
from cnncalc.shapes import MAX_DIGITS, MAX_DIMENSION

_WHOLE_TEXT = re.compile(r"^\s*[+-]?[0-9]+\s*$")  # ASCII digits only (int() takes any script's)
_REAL_TEXT = re.compile(r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$")
_TRUE_WORDS = ("true", "yes", "on")
_FALSE_WORDS = ("false", "no", "off")


class Problem(ValueError):
    """A value a rule refuses. ``message`` completes "it should be …"; ``right_type`` says the value
    had an accepted type but a wrong value (then it explains an :class:`Either` best); ``limit``
    is set when a number is over :data:`~cnncalc.shapes.MAX_DIMENSION` (``number`` is that one)."""

    def __init__(
        self, message: str, *, right_type: bool = True, limit: int | None = None, number: Any = None
    ):
        super().__init__(message)
        self.message = message
        self.right_type = right_type
        self.limit, self.number = limit, number


class Rule:
    """What one field accepts: :meth:`convert` returns the stored value or raises :class:`Problem`."""

    expected: str = "a value"  # "it should be <expected>"

    def convert(self, value: Any) -> Any:
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def wrong_type(self) -> Problem:
        return Problem(f"it should be {self.expected}", right_type=False)


class WholeNumber(Rule):
    """An integer from ``minimum`` to :data:`~cnncalc.shapes.MAX_DIMENSION`; integral floats
    (``5.0``) and decimal text (``"5"``) are accepted, booleans are not."""

    def __init__(self, minimum: int):
        self.minimum = minimum
        self.expected = "a whole number" + (" greater than 0" if minimum == 1 else f" ≥ {minimum}")

    def convert(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.wrong_type()
        if isinstance(value, float):
            if not math.isfinite(value):
                raise Problem("it should be a finite number")
            if not value.is_integer():
                raise Problem("it should be a whole number, not a fraction")
            value = int(value)
        elif isinstance(value, str) and _WHOLE_TEXT.match(value):
            digits = value.strip().lstrip("+-")
            if len(digits) > MAX_DIGITS:  # refused before int() (which refuses over 4,300 digits)
                shown = f"{digits[:8]}… ({len(digits):,} digits)"
                raise Problem(f"it should be at most {MAX_DIMENSION:,}", limit=MAX_DIMENSION, number=shown)
            value = int(value)
        elif not isinstance(value, int):
            raise self.wrong_type()
        if value < self.minimum:
            bound = "greater than 0" if self.minimum == 1 else f"greater than or equal to {self.minimum}"
            raise Problem(f"it should be {bound}")
        if value > MAX_DIMENSION:
            raise Problem(f"it should be at most {MAX_DIMENSION:,}", limit=MAX_DIMENSION, number=value)
        return value

    def schema(self) -> dict[str, Any]:
        if self.minimum == 1:
            return {"type": "integer", "exclusiveMinimum": 0, "maximum": MAX_DIMENSION}
        return {"type": "integer", "minimum": self.minimum, "maximum": MAX_DIMENSION}


class Real(Rule):
    """A finite number, optionally bounded: ``above`` (exclusive), ``at_least`` and ``at_most``."""

    def __init__(
        self, *, above: float | None = None, at_least: float | None = None, at_most: float | None = None
    ):
        self.above, self.at_least, self.at_most = above, at_least, at_most
        bounds = []
        if above is not None:
            bounds.append(f"> {above:g}")
        if at_least is not None:
            bounds.append(f"≥ {at_least:g}")
        if at_most is not None:
            bounds.append(f"≤ {at_most:g}")
        self.expected = "a number" + (" " + " and ".join(bounds) if bounds else "")

    def convert(self, value: Any) -> float:
        if isinstance(value, bool):
            raise self.wrong_type()
        if isinstance(value, str) and _REAL_TEXT.match(value):
            value = float(value)
        elif isinstance(value, int):
            try:
                value = float(value)
            except OverflowError:
                raise Problem("it should be a finite number") from None
        elif not isinstance(value, float):
            raise self.wrong_type()
        if not math.isfinite(value):
            raise Problem("it should be a finite number")
        if self.above is not None and not value > self.above:
            raise Problem(f"it should be greater than {self.above:g}")
        if self.at_least is not None and value < self.at_least:
            raise Problem(f"it should be greater than or equal to {self.at_least:g}")
        if self.at_most is not None and value > self.at_most:
            raise Problem(f"it should be less than or equal to {self.at_most:g}")
        return value

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "number"}
        if self.above is not None:
            schema["exclusiveMinimum"] = self.above
        if self.at_least is not None:
            schema["minimum"] = self.at_least
        if self.at_most is not None:
            schema["maximum"] = self.at_most
        return schema


class Boolean(Rule):
    """``true``/``false``; also the words yes/no, on/off and the numbers 1/0."""

    expected = "true or false"

    def convert(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE_WORDS + _FALSE_WORDS:
            return value.strip().lower() in _TRUE_WORDS
        raise self.wrong_type()

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class Choice(Rule):
    """One of a few words (case-insensitive; stored in lower case)."""

    def __init__(self, *words: str):
        self.words = words
        self.expected = " or ".join(f"'{w}'" for w in words)

    def convert(self, value: Any) -> str:
        if not isinstance(value, str):
            raise self.wrong_type()
        low = value.strip().lower()
        if low not in self.words:
            raise self.wrong_type()  # another word is as wrong as another type
        return low

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.words)}


class Several(Rule):
    """One value for every axis, or a list of ``count`` values (``[height, width]``): stored as the
    single value or as a tuple."""

    def __init__(self, item: Rule, count: int, names: str):
        self.item, self.count, self.names = item, count, names
        self.expected = f"{item.expected}, or a list [{names}]"

    def convert(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            if len(value) != self.count:
                raise Problem(f"it should be one number or a list of {self.count} [{self.names}]")
            return tuple(self.item.convert(v) for v in value)
        try:
            return self.item.convert(value)
        except Problem as problem:
            if problem.right_type:
                raise
            raise self.wrong_type() from None  # say that a list is allowed too

    def schema(self) -> dict[str, Any]:
        item = self.item.schema()
        many = {"type": "array", "items": item, "minItems": self.count, "maxItems": self.count}
        return {"anyOf": [item, many]}


class Values(Rule):
    """A list of one or more values, each as ``item`` accepts it (one per channel): stored as a tuple."""

    def __init__(self, item: Rule, what: str):
        self.item = item
        self.expected = f"a list of {what}"

    def convert(self, value: Any) -> Any:
        if not isinstance(value, list | tuple) or not value:
            raise self.wrong_type()
        if len(value) > MAX_DIMENSION:
            raise Problem(f"it should be at most {MAX_DIMENSION:,}", limit=MAX_DIMENSION, number=len(value))
        return tuple(self.item.convert(v) for v in value)

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.item.schema(), "minItems": 1}


class Either(Rule):
    """The first of several rules that accepts the value. When all refuse it, the message comes from
    the rule whose type the value had (``-1`` for a padding: "≥ 0"), else it lists what fits."""

    def __init__(self, *rules: Rule):
        self.rules = rules
        self.expected = ", or ".join(r.expected for r in rules)

    def convert(self, value: Any) -> Any:
        problems = []
        for rule in self.rules:
            try:
                return rule.convert(value)
            except Problem as problem:
                problems.append(problem)
        typed = [p for p in problems if p.right_type]
        raise typed[0] if typed else self.wrong_type()

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [r.schema() for r in self.rules]}


class Optional(Rule):
    """``null`` or what ``rule`` accepts."""

    def __init__(self, rule: Rule):
        self.rule = rule
        self.expected = f"{rule.expected}, or null"

    def convert(self, value: Any) -> Any:
        return None if value is None else self.rule.convert(value)

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [self.rule.schema(), {"type": "null"}]}


POSITIVE_INT = WholeNumber(1)
NON_NEGATIVE_INT = WholeNumber(0)
POSITIVE_PAIR = Several(POSITIVE_INT, 2, "height, width")
NON_NEGATIVE_PAIR = Several(NON_NEGATIVE_INT, 2, "height, width")
BOOLEAN = Boolean()
NUMBER = Real()
PROBABILITY = Real(at_least=0.0, at_most=1.0)
POSITIVE_NUMBER = Real(above=0.0)
PER_CHANNEL_NUMBERS = Values(NUMBER, "numbers, one per channel")

_REQUIRED: Any = object()


@record
class FieldSpec:
    """One declared field of a layer kind. ``name`` is filled in by the kind that declares it."""

    rule: Rule
    description: str
    default: Any = _REQUIRED
    name: str = ""

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def schema(self) -> dict[str, Any]:
        schema = {**self.rule.schema(), "description": self.description}
        if not self.required:
            schema["default"] = list(self.default) if isinstance(self.default, tuple) else self.default
        return schema


def field(rule: Rule, description: str, *, default: Any = _REQUIRED) -> Any:
    """Declare a layer field (typed ``Any`` so that the class annotation gives the value's type)."""
    return FieldSpec(rule, description, default)

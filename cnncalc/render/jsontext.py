"""Indented JSON text of records and plain data, fast.

The text is exactly ``json.dumps(to_plain(value), indent=2, ensure_ascii=False)`` (a test holds it
to that), but several times faster: the standard library encodes indented JSON in pure Python,
and a report's shapes and receptive fields are shared by many rows, so each is encoded once here.
Integers are printed exactly, however large.
"""

from __future__ import annotations

import functools
import json.encoder
import operator
from collections.abc import Callable
from typing import Any

from cnncalc._gc import paused_gc
from cnncalc.records import field_names, is_record

_STRING = json.encoder.encode_basestring  # C-accelerated, non-ASCII kept (ensure_ascii=False)
_INT = int.__repr__  # exact, however large (an int subclass too)
_INDENT = "  "


def json_text(value: Any) -> str:
    """``value`` (records, dicts, lists, tuples, scalars) as JSON indented by two spaces."""
    out: list[str] = []
    with paused_gc():  # a big report is a big heap: full collections would make this superlinear
        _Encoder(out).encode(value, 0)
    return "".join(out)


class _Encoder:
    """Appends text fragments to ``out`` (one join at the end: no text is copied level by level).
    Records without nested records or lists of them (shapes, receptive fields) are rendered once per
    nesting level and reused. The loops over a record's fields and a list's items write the common
    values themselves (ints, strings, empty lists, records already written), without a call each:
    a report is mostly rows of those."""

    def __init__(self, out: list[str]) -> None:
        self.out = out
        self.memo: dict[tuple[int, int], str] = {}  # (id of a record, level) -> its text

    def encode(self, value: Any, level: int) -> None:
        out = self.out
        kind = type(value)
        if kind is str:
            out.append(_STRING(value))
        elif kind is int:
            out.append(_INT(value))
        elif value is None:
            out.append("null")
        elif kind is bool:
            out.append("true" if value else "false")
        elif kind is float:
            out.append(_float(value))
        elif kind is list or kind is tuple:
            self.sequence(value, level)
        elif kind is dict:
            self.mapping(value, level)
        elif is_record(value):
            self.record(value, level)
        elif isinstance(value, int):  # an int subclass (e.g. an IntEnum) prints as its number
            out.append(_INT(value))
        elif isinstance(value, str):
            out.append(_STRING(value))
        else:
            raise TypeError(f"cannot encode {kind.__name__} as JSON")

    def record(self, value: Any, level: int) -> None:
        out = self.out
        memo = self.memo
        key = (id(value), level)
        text = memo.get(key)
        if text is not None:
            out.append(text)
            return
        start = len(out)
        getter, prefixes, closing = _layout(type(value), level)
        append = out.append
        inner = level + 1
        for prefix, item in zip(prefixes, getter(value), strict=True):
            append(prefix)
            kind = type(item)
            if kind is int:
                append(_INT(item))
            elif kind is str:
                append(_STRING(item))
            elif kind is list and not item:
                append("[]")
            else:
                text = memo.get((id(item), inner))
                if text is None:
                    self.encode(item, inner)
                else:
                    append(text)
        append(closing)
        if len(out) - start < 32:  # a small record (a shape): keep its text for the rows sharing it
            memo[key] = "".join(out[start:])

    def mapping(self, items: dict[Any, Any], level: int) -> None:
        if not items:
            self.out.append("{}")
            return
        inner = "\n" + _INDENT * (level + 1)
        self.out.append("{")
        for i, (key, item) in enumerate(items.items()):
            self.out.append(f"{',' if i else ''}{inner}{_key(key)}: ")
            self.encode(item, level + 1)
        self.out.append("\n" + _INDENT * level + "}")

    def sequence(self, items: Any, level: int) -> None:
        out = self.out
        if not items:
            out.append("[]")
            return
        memo = self.memo
        append = out.append
        inner = level + 1
        first, separator, closing = _brackets(level)
        append(first)
        for i, item in enumerate(items):
            if i:
                append(separator)
            kind = type(item)
            if kind is str:
                append(_STRING(item))
            elif kind is int:
                append(_INT(item))
            else:
                text = memo.get((id(item), inner))
                if text is None:
                    self.encode(item, inner)
                else:
                    append(text)
        append(closing)


_Layout = tuple[Callable[[Any], tuple[Any, ...]], tuple[str, ...], str]


@functools.cache
def _layout(cls: type, level: int) -> _Layout:
    """For a record class at a nesting level: a getter of all its field values at once, the text
    before each value (comma, newline, indent, key) and the closing text."""
    names = field_names(cls)
    inner = "\n" + _INDENT * (level + 1)
    getter = operator.attrgetter(*names) if len(names) > 1 else (lambda v: (getattr(v, names[0]),))
    prefixes = tuple(f"{',' if i else '{'}{inner}{_STRING(n)}: " for i, n in enumerate(names))
    return getter, prefixes, "\n" + _INDENT * level + "}"


@functools.cache
def _brackets(level: int) -> tuple[str, str, str]:
    """A non-empty list at a nesting level: the text before its first item, between items, after."""
    inner = "\n" + _INDENT * (level + 1)
    return "[" + inner, "," + inner, "\n" + _INDENT * level + "]"


def _key(key: Any) -> str:
    """A mapping key as json.dumps writes it (keys are strings in JSON)."""
    if isinstance(key, str):
        return _STRING(key)
    if key is True or key is False or key is None:
        return {True: '"true"', False: '"false"', None: '"null"'}[key]
    if isinstance(key, float):
        return f'"{_float(key)}"'
    if isinstance(key, int):
        return f'"{_INT(key)}"'
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)

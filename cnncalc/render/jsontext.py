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
    nesting level and reused."""

    def __init__(self, out: list[str]) -> None:
        self.out = out
        self.memo: dict[tuple[int, int], str] = {}  # (id of a record, level) -> its text

    def encode(self, value: Any, level: int) -> None:
        out = self.out
        kind = type(value)
        if kind is str:
            out.append(_STRING(value))
        elif kind is int:
            out.append(int.__repr__(value))
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
            out.append(int.__repr__(value))
        elif isinstance(value, str):
            out.append(_STRING(value))
        else:
            raise TypeError(f"cannot encode {kind.__name__} as JSON")

    def record(self, value: Any, level: int) -> None:
        key = (id(value), level)
        text = self.memo.get(key)
        if text is not None:
            self.out.append(text)
            return
        start = len(self.out)
        getter, prefixes, closing = _layout(type(value), level)
        out = self.out
        out.append("{")
        first = True
        for prefix, item in zip(prefixes, getter(value), strict=True):
            out.append(prefix if first else "," + prefix)
            first = False
            kind = type(item)  # scalars inline: most values of a report row are ints and strings
            if kind is int:
                out.append(int.__repr__(item))
            elif kind is str:
                out.append(_STRING(item))
            else:
                self.encode(item, level + 1)
        out.append(closing)
        if len(out) - start < 64:  # a small record (a shape): keep its text for the rows sharing it
            self.memo[key] = "".join(out[start:])

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
        if not items:
            self.out.append("[]")
            return
        inner = "\n" + _INDENT * (level + 1)
        self.out.append("[")
        for i, item in enumerate(items):
            self.out.append("," + inner if i else inner)
            self.encode(item, level + 1)
        self.out.append("\n" + _INDENT * level + "]")


_Layout = tuple[Callable[[Any], tuple[Any, ...]], tuple[str, ...], str]


@functools.cache
def _layout(cls: type, level: int) -> _Layout:
    """For a record class at a nesting level: a getter of all its field values at once, the text
    before each value (newline, indent, key) and the closing text."""
    names = field_names(cls)
    inner = "\n" + _INDENT * (level + 1)
    getter = operator.attrgetter(*names) if len(names) > 1 else (lambda v: (getattr(v, names[0]),))
    return getter, tuple(f"{inner}{_STRING(n)}: " for n in names), "\n" + _INDENT * level + "}"


def _key(key: Any) -> str:
    """A mapping key as json.dumps writes it (keys are strings in JSON)."""
    if isinstance(key, str):
        return _STRING(key)
    if key is True or key is False or key is None:
        return {True: '"true"', False: '"false"', None: '"null"'}[key]
    if isinstance(key, float):
        return f'"{_float(key)}"'
    if isinstance(key, int):
        return f'"{int.__repr__(key)}"'
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)

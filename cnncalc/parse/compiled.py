"""Bundled specs, compiled: the resolved :class:`~cnncalc.spec.Network` of each bundled name stored
as JSON, so that ``cnncalc summary efficientnet_b7`` neither imports PyYAML nor calls a block,
unrolls a repeat or evaluates a ``${...}``: loading it is reading its records back.

The form is a table of the network's distinct values, each stored once: a scalar as itself, and a
record, a tuple, a frozenset, a layer definition or a location as a row ``[kind, reference, ...]`` whose
references are indices of earlier rows (so a path or a layer used by hundreds of nodes is one row).
It is generic over records: each node kind of :data:`cnncalc.spec.Node` (and :class:`Shape`) is a
kind listed with its field names, so a new kind of node needs nothing here; a compiled form whose
record classes have other fields now is refused (the YAML is read instead). Two values have codecs
of their own: a layer definition is its kind, type and field values (validated again by its kind
when read), and a :class:`~cnncalc.errors.Location` leaves out the spec's path and source line,
which come from the file being loaded.

A compiled network also holds the YAML text and the network arguments it was built from, and is
used only while both are exactly those of the load, so an edited spec is read from its YAML as
usual. :func:`compile_network` checks that what it writes reads back equal to the network;
``tests/test_architectures.py`` checks that every compiled file is current and loads the same
network as the YAML. ``python scripts/compile_architectures.py`` rewrites them.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable
from typing import Any

from cnncalc.errors import CnncalcError, Location
from cnncalc.layers import LayerDef, lookup
from cnncalc.records import field_names, is_record
from cnncalc.shapes import Shape
from cnncalc.spec import Network, Node

FORMAT = 2

# The record classes a compiled network is made of, by class name: every kind of node, and shapes.
RECORDS: dict[str, type] = {cls.__name__: cls for cls in (*typing.get_args(Node), Shape)}
# The kinds with codecs of their own (lower case: never a record class's name).
_TUPLE, _FROZENSET, _LAYER, _LOCATION = "tuple", "frozenset", "layer", "location"


def compile_network(network: Network, yaml_text: str, arguments: dict[str, Any] | None) -> str:
    """The compiled form of ``network``, built from ``yaml_text`` with ``arguments``."""
    table = _Table(network.source, yaml_text.splitlines())
    fields = {name: table.ref(getattr(network, name)) for name in field_names(Network) if name != "source"}
    doc = {
        "format": FORMAT,
        "yaml": yaml_text,
        "arguments": arguments,
        "kinds": table.kinds,
        "values": table.rows,
        "network": fields,
    }
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
    if load_compiled(text, yaml_text, network.source or "", arguments) != network:
        raise ValueError(f"{network.name}: the compiled network does not read back equal")
    return text


def load_compiled(
    compiled_text: str, yaml_text: str, source: str, arguments: dict[str, Any] | None
) -> Network | None:
    """The network compiled from ``yaml_text`` with ``arguments``, its locations in ``source``; None
    when the compiled form was made from another text, other arguments, another format or other
    record classes (then build it from the YAML)."""
    try:
        doc = json.loads(compiled_text)
    except ValueError:
        return None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("yaml") != yaml_text:
        return None
    if not _same_arguments(doc.get("arguments"), arguments):
        return None
    makers = _makers(doc["kinds"], source, yaml_text.splitlines())
    if makers is None:
        return None
    values: list[Any] = []
    append = values.append
    try:
        for row in doc["values"]:
            if type(row) is list:
                append(makers[row[0]]([values[i] for i in row[1:]]))
            else:
                append(row)
    except (CnncalcError, LookupError):  # a layer kind gone, or refusing the layer now: read the YAML
        return None
    return Network(source=source, **{name: values[i] for name, i in doc["network"].items()})


def _same_arguments(stored: Any, given: dict[str, Any] | None) -> bool:
    """Equal with equal types (``1`` and ``1.0`` may substitute differently)."""
    return json.dumps(stored, sort_keys=True) == json.dumps(given, sort_keys=True)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


class _Table:
    """The rows of a compiled network: each distinct value once, referring to earlier rows."""

    def __init__(self, source: str | None, lines: list[str]):
        self.source, self.lines = source, lines
        self.kinds: list[list[str]] = []  # [name, field names...] per kind
        self.kind_index: dict[str, int] = {}
        self.rows: list[Any] = []
        self.index: dict[Any, int] = {}  # a scalar (with its type) or a row -> its index

    def ref(self, value: Any) -> int:
        """The index of the row holding ``value`` (added with the rows it refers to if new)."""
        if value is None or isinstance(value, bool | int | float | str):
            key: Any = (type(value), repr(value))  # True, 1 and 1.0 are equal keys otherwise
            row: Any = value
        else:
            row = self.composite(value)
            key = tuple(row)
        index = self.index.get(key)
        if index is None:
            index = self.index[key] = len(self.rows)
            self.rows.append(row)
        return index

    def composite(self, value: Any) -> list[Any]:
        if isinstance(value, tuple):
            return [self.kind(_TUPLE), *map(self.ref, value)]
        if isinstance(value, frozenset):  # in a fixed order: the file must not depend on hashing
            items = sorted(value, key=lambda item: (type(item).__name__, repr(item)))
            return [self.kind(_FROZENSET), *map(self.ref, items)]
        if isinstance(value, LayerDef):
            kind = type(value)
            if lookup(kind.names[0]) is not kind:
                raise TypeError(f"layer kind {kind.__name__} is not registered as {kind.names[0]!r}")
            items = [self.ref(part) for item in value.values().items() for part in item]
            return [self.kind(_LAYER), self.ref(kind.names[0]), *items]
        if isinstance(value, Location):
            parts = (value.line, value.column, value.path, value.layer_name)
            row = [self.kind(_LOCATION), *map(self.ref, parts)]
            if value.source != self.source or value.text != _line_text(self.lines, value.line):
                row += [self.ref(value.source), self.ref(value.text)]  # not as the parser writes them
            return row
        name = type(value).__name__
        if not is_record(value) or RECORDS.get(name) is not type(value):
            raise TypeError(f"a compiled network holds no {name} (add its class to RECORDS)")
        names = field_names(type(value))
        return [self.kind(name, names), *(self.ref(getattr(value, f)) for f in names)]

    def kind(self, name: str, fields: tuple[str, ...] = ()) -> int:
        index = self.kind_index.get(name)
        if index is None:
            index = self.kind_index[name] = len(self.kinds)
            self.kinds.append([name, *fields])
        return index


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _makers(kinds: list[list[str]], source: str, lines: list[str]) -> list[Callable[[list[Any]], Any]] | None:
    """Per kind, what makes its value from the values its row refers to; None when a record class
    has other fields now."""

    def layer(parts: list[Any]) -> LayerDef:
        kind = lookup(parts[0])
        if kind is None:
            raise LookupError(parts[0])
        values = dict(zip(parts[1::2], parts[2::2], strict=True))
        return kind(**values)

    def location(parts: list[Any]) -> Location:
        if len(parts) == 4:
            line, column, path, layer_name = parts
            return Location(source, line, column, path, layer_name, _line_text(lines, line))
        line, column, path, layer_name, other_source, text = parts
        return Location(other_source, line, column, path, layer_name, text)

    codecs: dict[str, Callable[[list[Any]], Any]] = {
        _TUPLE: tuple,
        _FROZENSET: frozenset,
        _LAYER: layer,
        _LOCATION: location,
    }
    makers = []
    for name, *fields in kinds:
        if name in codecs:
            makers.append(codecs[name])
        elif name in RECORDS and list(field_names(RECORDS[name])) == fields:
            cls = RECORDS[name]
            makers.append(lambda parts, cls=cls: cls(*parts))
        else:
            return None
    return makers


def _line_text(lines: list[str], line: int | None) -> str | None:
    """The text of 1-based ``line``, as the YAML loader puts it in its locations."""
    return lines[line - 1] if line is not None and 0 < line <= len(lines) else None

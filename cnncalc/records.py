"""Records: small immutable value classes, and the plain data and JSON Schema of report records.

:func:`record` is what :func:`dataclasses.dataclass` gives (an ``__init__`` with defaults,
comparison by value, hashing, a readable repr, immutability) at a fraction of its start-up cost:
one generated ``__init__`` per class instead of several compiled methods (dataclasses takes about
1 ms per class, and the CLI's start-up path holds two dozen value classes). Modules that only
some commands load (teaching, the torch bridge) use dataclasses as usual.

Report records give each field a description with :func:`doc`::

    @record(kw_only=True)
    class Totals:
        params: int = doc("Trainable parameters.")

:func:`to_plain` gives the JSON-ready data (what ``--json`` prints) and :func:`json_schema` the
schema that data validates against (what ``cnncalc schema …`` prints).
"""

from __future__ import annotations

import inspect  # already loaded by click: free at start-up
import sys
import types
import typing
from collections.abc import Callable
from typing import Any, ClassVar, Literal, TypeVar

_T = TypeVar("_T")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class RecordField:
    """One field of a record: its name, default (or factory) and description."""

    __slots__ = ("default", "description", "factory", "name")

    def __init__(self, default: Any = MISSING, factory: Any = MISSING, description: str = ""):
        self.name = ""
        self.default, self.factory, self.description = default, factory, description

    @property
    def required(self) -> bool:
        return self.default is MISSING and self.factory is MISSING


def field(*, default: Any = MISSING, factory: Callable[[], Any] | None = None) -> Any:
    """A record field with a default value or a ``factory`` that makes one per instance."""
    return RecordField(default, MISSING if factory is None else factory)


def doc(description: str, *, default: Any = MISSING) -> Any:
    """A record field with a description (and optionally a default)."""
    return RecordField(default, MISSING, description)


def record(cls: type[_T] | None = None, /, *, frozen: bool = True, kw_only: bool = False) -> Any:
    """Class decorator: the annotated class attributes become fields set by ``__init__`` (in
    order; keyword-only with ``kw_only``). ``frozen`` records refuse changes and are hashable."""

    def make(cls: type[_T]) -> type[_T]:
        specs = _collect(cls)
        cls.__record_fields__ = tuple(s.name for s in specs)  # type: ignore[attr-defined]
        cls.__record_specs__ = specs  # type: ignore[attr-defined]
        cls.__match_args__ = cls.__record_fields__  # type: ignore[attr-defined]
        cls.__init__ = _make_init(cls, specs, frozen, kw_only)  # type: ignore[misc]
        cls.__eq__ = value_eq  # type: ignore[method-assign,assignment]
        if "__repr__" not in cls.__dict__:
            cls.__repr__ = value_repr  # type: ignore[method-assign,assignment]
        if frozen:
            cls.__setattr__ = _frozen_setattr  # type: ignore[method-assign,assignment]
            cls.__delattr__ = _frozen_delattr  # type: ignore[method-assign,assignment]
            cls.__hash__ = value_hash  # type: ignore[method-assign,assignment]
        else:
            cls.__hash__ = None  # type: ignore[assignment]
        return cls

    return make if cls is None else make(cls)


def _collect(cls: type) -> tuple[RecordField, ...]:
    inherited = {
        s.name: s for base in reversed(cls.__mro__[1:]) for s in getattr(base, "__record_specs__", ())
    }
    own: dict[str, RecordField] = {}
    for name, annotation in inspect.get_annotations(cls).items():
        if isinstance(annotation, str):
            if annotation.startswith(("ClassVar", "typing.ClassVar")):
                continue
        elif annotation is ClassVar or typing.get_origin(annotation) is ClassVar:
            continue
        value = cls.__dict__.get(name, MISSING)
        if isinstance(value, list | dict | set):
            raise TypeError(f"{cls.__name__}.{name}: a mutable default is shared; use field(factory=...)")
        spec = value if isinstance(value, RecordField) else RecordField(default=value)
        spec.name = name
        if isinstance(value, RecordField):
            if spec.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)  # the class attribute is the plain default
        own[name] = spec
    return tuple({**inherited, **own}.values())


def _make_init(cls: type, specs: tuple[RecordField, ...], frozen: bool, kw_only: bool) -> Any:
    """One compiled ``__init__``: parameters with their defaults, then a single ``__dict__`` store
    (field names are the class's own identifiers; nothing from user input is compiled)."""
    # The function's own names start with "__r_"; a field may not (nor be called "self").
    scope: dict[str, Any] = {"__r_missing": MISSING, "__r_set": object.__setattr__}
    params, values = [], []
    seen_default = False
    for i, spec in enumerate(specs):
        if not spec.name.isidentifier() or spec.name.startswith("__r_") or spec.name == "self":
            raise TypeError(f"record field name {spec.name!r} is not allowed")
        if spec.default is not MISSING:
            scope[f"__r_d{i}"] = spec.default
            params.append(f"{spec.name}=__r_d{i}")
            values.append(spec.name)
        elif spec.factory is not MISSING:
            scope[f"__r_f{i}"] = spec.factory
            params.append(f"{spec.name}=__r_missing")
            values.append(f"__r_f{i}() if {spec.name} is __r_missing else {spec.name}")
        else:
            if seen_default and not kw_only:
                raise TypeError(
                    f"{cls.__name__}: required field {spec.name!r} follows a field with a default"
                )
            params.append(spec.name)
            values.append(spec.name)
        seen_default = seen_default or not spec.required
    if kw_only and params:
        params.insert(0, "*")
    state = "{" + ", ".join(f"{s.name!r}: {v}" for s, v in zip(specs, values, strict=True)) + "}"
    store = f"__r_set(self, '__dict__', {state})" if frozen else f"self.__dict__.update({state})"
    source = f"def __init__(self, {', '.join(params)}):\n    {store}\n"
    exec(source, scope)
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init


def value_eq(self: Any, other: object) -> bool:
    """Equal when of the same class with equal values (``__eq__`` of records)."""
    if type(other) is not type(self):
        return NotImplemented
    return self.__dict__ == other.__dict__  # type: ignore[no-any-return]


def value_hash(self: Any) -> int:
    """The hash of the values (``__hash__`` of frozen records)."""
    return hash(tuple(self.__dict__.values()))


def value_repr(self: Any) -> str:
    """``Name(field=value, …)`` (``__repr__`` of records)."""
    args = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
    return f"{type(self).__qualname__}({args})"


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise AttributeError(f"{type(self).__name__} is immutable: use records.replace(obj, {name}=…)")


def _frozen_delattr(self: Any, name: str) -> None:
    raise AttributeError(f"{type(self).__name__} is immutable")


def is_record(value: Any) -> bool:
    """Whether ``value`` is an instance of a record class."""
    return hasattr(type(value), "__record_fields__")


def replace(obj: _T, **changes: Any) -> _T:
    """A copy of record ``obj`` with ``changes`` applied."""
    return type(obj)(**{**obj.__dict__, **changes})


def field_names(cls: type) -> tuple[str, ...]:
    """The record class's field names, in declaration order."""
    return cls.__record_fields__  # type: ignore[attr-defined,no-any-return]


def to_plain(value: Any) -> Any:
    """Records (recursively) as dicts, tuples as lists: data for ``json.dumps``."""
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if is_record(value):
        return {name: to_plain(getattr(value, name)) for name in field_names(type(value))}
    return value


# -- JSON Schema ----------------------------------------------------------------------------------


def json_schema(cls: type, *, schema_id: str) -> dict[str, Any]:
    """JSON Schema (2020-12) of the plain form of record ``cls``; nested records go to ``$defs``."""
    defs: dict[str, Any] = {}
    schema = _record_schema(cls, defs)
    if defs:
        schema["$defs"] = dict(sorted(defs.items()))
    return {"$id": schema_id, **schema}


def _record_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    properties: dict[str, Any] = {}
    required: list[str] = []
    for spec in cls.__record_specs__:  # type: ignore[attr-defined]
        prop = _type_schema(hints[spec.name], defs)
        prop["title"] = spec.name.replace("_", " ").capitalize()
        if spec.description:
            prop["description"] = spec.description
        if spec.default is not MISSING:
            prop["default"] = spec.default
        elif spec.required:
            required.append(spec.name)
        properties[spec.name] = prop
    schema: dict[str, Any] = {
        "type": "object",
        "title": cls.__name__,
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if cls.__doc__:
        schema["description"] = " ".join(cls.__doc__.split())
    return schema


_SCALARS: dict[Any, dict[str, Any]] = {
    int: {"type": "integer"},
    float: {"type": "number"},
    str: {"type": "string"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
}


def _type_schema(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if hint in _SCALARS:
        return dict(_SCALARS[hint])
    if isinstance(hint, type) and hasattr(hint, "__record_fields__"):
        if hint.__name__ not in defs:
            defs[hint.__name__] = {}  # placeholder: a record may refer to itself
            defs[hint.__name__] = _record_schema(hint, defs)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_type_schema(a, defs) for a in args]}
    if origin is Literal:
        schema: dict[str, Any] = {"enum": list(args)}
        if all(isinstance(a, str) for a in args):
            schema["type"] = "string"
        return schema
    if origin is list:
        return {"type": "array", "items": _type_schema(args[0], defs)}
    if origin is tuple:
        items = [_type_schema(a, defs) for a in args]
        return {"type": "array", "prefixItems": items, "minItems": len(items), "maxItems": len(items)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(args[1], defs)}
    raise TypeError(f"no JSON Schema for {hint!r}")

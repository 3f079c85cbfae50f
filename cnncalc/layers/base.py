"""The contract every layer kind fulfils, and the registry that finds kinds by name.

A layer kind is one pydantic model (its fields, validated) with methods for its output shape,
parameters, MACs, receptive-field window and PyTorch mapping. Registering it with :func:`register`
makes it available to both spec forms, the engine, the reports and the torch bridge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from cnncalc.shapes import Shape

IntPair = int | tuple[int, int]


def pair(value: IntPair) -> tuple[int, int]:
    """``3`` → ``(3, 3)``; ``(3, 1)`` stays."""
    if isinstance(value, int):
        return (value, value)
    return (int(value[0]), int(value[1]))


def pair_text(value: IntPair) -> str:
    a, b = pair(value)
    return str(a) if a == b else f"{a}×{b}"


@dataclass(frozen=True)
class Window:
    """A sliding window along height and width, for the receptive field: effective kernel
    (dilation applied), stride and leading padding per axis. ``transposed`` windows divide the jump."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    transposed: bool = False


GLOBAL_WINDOW = "global"  # the layer sees its whole input (linear, global pooling)


@dataclass(frozen=True)
class TorchCall:
    """How to build the layer in PyTorch without importing it: ``torch.nn.<cls>(**kwargs)``.
    ``flatten_first`` asks the bridge to insert ``nn.Flatten()`` before it."""

    cls: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    flatten_first: bool = False


class LayerDef(BaseModel):
    """Base of every layer kind. Subclasses declare fields and override the cost methods."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    type: str

    # The first name is canonical; the others are accepted aliases (case-insensitive).
    names: ClassVar[tuple[str, ...]] = ()
    family: ClassVar[str] = "other"
    summary: ClassVar[str] = ""
    # One-line form: bare values fill these fields in order; ``k5`` style prefixes; bare-word flags.
    positional: ClassVar[tuple[str, ...]] = ()
    short_keys: ClassVar[dict[str, str]] = {}
    flags: ClassVar[dict[str, dict[str, Any]]] = {}
    # Alias -> canonical ``type`` value, for kinds whose ``type`` is one of several literals.
    type_aliases: ClassVar[dict[str, str]] = {}
    # True when the layer is element-wise and is treated as in place (no new activation tensor).
    in_place: ClassVar[bool] = False

    def output_shape(self, inp: Shape) -> Shape:
        """The per-sample output shape; raise :class:`~cnncalc.errors.ShapeError` if impossible."""
        return inp

    def weights(self, inp: Shape) -> int:
        return 0

    def biases(self, inp: Shape) -> int:
        return 0

    def buffers(self, inp: Shape) -> int:
        """Non-trainable state elements (e.g. BatchNorm running statistics)."""
        return 0

    def buffer_bytes(self, inp: Shape, bytes_per_element: int) -> int:
        """Bytes of the buffers in the model's dtype (override for integer buffers)."""
        return self.buffers(inp) * bytes_per_element

    def macs(self, inp: Shape, out: Shape) -> int:
        """Multiply-accumulates for one sample (see conventions: only conv and linear count)."""
        return 0

    def window(self, inp: Shape, out: Shape) -> Window | str | None:
        """The receptive-field window, :data:`GLOBAL_WINDOW`, or None when the layer is point-wise."""
        return None

    def fit_warnings(self, inp: Shape) -> list[str]:
        """Warnings such as a window that does not tile its input exactly."""
        return []

    def torch_call(self, inp: Shape) -> TorchCall:
        raise NotImplementedError(f"no PyTorch mapping for layer type '{self.type}'")

    def describe(self) -> str:
        """A short human description of the configured layer, e.g. ``10 filters 5×5 /1 pad 2``."""
        return self.type


_REGISTRY: dict[str, type[LayerDef]] = {}
_KINDS: list[type[LayerDef]] = []


def register(cls: type[LayerDef]) -> type[LayerDef]:
    """Class decorator: make a layer kind known under each of its ``names``."""
    if not cls.names:
        raise TypeError(f"{cls.__name__} declares no names")
    for name in cls.names:
        key = name.lower()
        if key in _REGISTRY and _REGISTRY[key] is not cls:
            raise TypeError(f"layer name '{name}' registered twice")
        _REGISTRY[key] = cls
    _KINDS.append(cls)
    return cls


def lookup(name: str) -> type[LayerDef] | None:
    """The layer kind registered under ``name`` (case-insensitive), or None."""
    return _REGISTRY.get(name.lower())


def canonical_name(cls: type[LayerDef], requested: str) -> str:
    """The value to store in ``type``: the requested name if it is one of the kind's canonical
    literal values, otherwise the kind's first name."""
    allowed = literal_type_values(cls)
    low = requested.lower()
    if low in allowed:
        return low
    return cls.type_aliases.get(low, allowed[0])


def literal_type_values(cls: type[LayerDef]) -> tuple[str, ...]:
    annotation = cls.model_fields["type"].annotation
    args = getattr(annotation, "__args__", ())
    return tuple(str(a) for a in args) or (cls.names[0],)


def registered_names() -> list[str]:
    return sorted(_REGISTRY)


def registered_kinds() -> list[type[LayerDef]]:
    return list(_KINDS)

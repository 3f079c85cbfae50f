"""The contract every layer kind fulfils, and the registry that finds kinds by name.

A layer kind is one class (its declared, validated fields) with methods for its output shape,
parameters, MACs, receptive-field window and PyTorch mapping. Registering it with :func:`register`
makes it available to both spec forms, the engine, the reports and the torch bridge.
"""

from __future__ import annotations

from typing import Any, ClassVar

from cnncalc.errors import ShapeError, SpecError
from cnncalc.layers.fields import FieldSpec, Problem
from cnncalc.records import field, record, replace, value_eq, value_hash, value_repr
from cnncalc.shapes import LIMIT_HINT, MAX_DIMENSION, Shape

IntPair = int | tuple[int, int]


def pair(value: IntPair) -> tuple[int, int]:
    """``3`` → ``(3, 3)``; ``(3, 1)`` stays."""
    if isinstance(value, int):
        return (value, value)
    return (int(value[0]), int(value[1]))


def pair_text(value: IntPair) -> str:
    a, b = pair(value)
    return str(a) if a == b else f"{a}×{b}"


@record
class Window:
    """A sliding window along height and width, for the receptive field: effective kernel
    (dilation applied), stride and leading padding per axis. ``transposed`` windows divide the jump."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    transposed: bool = False


GLOBAL_WINDOW = "global"  # the layer sees its whole input (linear, global pooling)


TORCH_NN = "torch.nn"
CNNCALC_MODULES = "cnncalc"  # the small modules of cnncalc.torch_bridge.extra_modules


@record
class TorchCall:
    """How to build the layer in PyTorch without importing it: ``<origin>.<cls>(**kwargs)``.

    ``origin`` is :data:`TORCH_NN` (a class of ``torch.nn``) or :data:`CNNCALC_MODULES`: a small
    module the torch bridge defines (``LayerNorm2d``, ``ChannelShuffle``, …, in
    :mod:`cnncalc.torch_bridge.extra_modules`) and ``cnncalc export`` writes into the exported file.
    ``flatten_first`` asks the bridge to insert ``nn.Flatten()`` before it.

    ``scale_parameter`` is set by a layer that only multiplies its input by the one parameter of
    its module (ConvNeXt's layer scale): that parameter's attribute name in ``cls``. The bridge then
    holds the parameter on the enclosing block under the layer's own name and computes
    ``x = self.<name> * x`` there, with no submodule: torchvision's ``CNBlock.layer_scale``."""

    cls: str
    kwargs: dict[str, Any] = field(factory=dict)
    flatten_first: bool = False
    origin: str = TORCH_NN
    scale_parameter: str | None = None


def require_groups_divide(what: str, groups: int, inp: Shape) -> None:
    """Raise :class:`ShapeError` unless ``groups`` divides the channels of ``inp`` (GroupNorm,
    channel shuffle), naming the divisors that would."""
    if inp.channels % groups:
        divisors = [d for d in range(1, min(inp.channels, 4096) + 1) if inp.channels % d == 0]
        shown = ", ".join(map(str, divisors[:12])) + (", …" if len(divisors) > 12 else "")
        raise ShapeError(
            f"{what}: {inp.channels} channels are not divisible by groups {groups}",
            hint=f"choose groups that divide {inp.channels}: {shown}",
        )


type_of = type  # ``type`` is a field name inside LayerDef


class InvalidField(SpecError):
    """A layer field is missing, unknown, over the size limit or has a value its rule refuses
    (``problem`` completes "it should be …"). The parser re-raises it with the field's place."""

    def __init__(
        self,
        kind: type[LayerDef],
        field_name: str,
        value: Any,
        problem: str | None,
        *,
        reason: str = "invalid",
        missing: tuple[str, ...] = (),
        hint: str | None = None,
        layer_type: str | None = None,
    ):
        self.kind, self.field_name, self.value, self.problem = kind, field_name, value, problem
        self.reason, self.missing = reason, missing
        name = layer_type or (kind.names[0] if kind.names else kind.__name__)
        if reason == "missing":
            message = f"{name} needs " + ", ".join(f"'{m}'" for m in missing)
        elif reason == "unknown":
            message = f"{name} has no field '{field_name}'"
        elif reason == "limit":
            if isinstance(value, str):  # already shortened (a number with hundreds of digits)
                shown = value
            else:
                shown = f"{value:,}" if abs(value) < 10**20 else f"{value:.3g}"
            message = f"{name}: {field_name} {shown} is over the limit of {MAX_DIMENSION:,}"
        else:
            message = f"{name}: invalid {field_name} {short_repr(value)}: {problem}"
        super().__init__(message, hint=LIMIT_HINT if reason == "limit" else hint)


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LayerDef:
    """Base of every layer kind. Subclasses declare fields with :func:`~cnncalc.layers.fields.field`
    and override the cost methods. Instances are immutable and validated on construction:
    ``Conv2d(filters=10, kernel=5)``; a wrong value raises :class:`InvalidField`."""

    # The canonical ``type`` values (the first is the default); most kinds have one.
    types: ClassVar[tuple[str, ...]] = ()
    # The first name is canonical; the others are accepted aliases (case-insensitive).
    names: ClassVar[tuple[str, ...]] = ()
    family: ClassVar[str] = "other"
    summary: ClassVar[str] = ""
    # One-line form: bare values fill these fields in order; ``k5`` style prefixes; bare-word flags.
    positional: ClassVar[tuple[str, ...]] = ()
    short_keys: ClassVar[dict[str, str]] = {}
    # The slides' capital letters, read case-sensitively before ``short_keys``: ``conv K96 F11`` is
    # K = 96 filters of size F = 11, as the formulas (N + 2P − F)/S + 1 and C′ = K write them.
    lecture_keys: ClassVar[dict[str, str]] = {}
    # The one-line usage ``cnncalc layers`` prints, when the one made from the fields would mislead.
    usage: ClassVar[str | None] = None
    flags: ClassVar[dict[str, dict[str, Any]]] = {}
    # Alias -> canonical ``type`` value, for kinds whose ``type`` is one of several values.
    type_aliases: ClassVar[dict[str, str]] = {}
    # True when the layer is element-wise and is treated as in place (no new activation tensor).
    in_place: ClassVar[bool] = False
    # False for an operation cnncalc cannot count (``uncounted``): its MACs are unknown, never 0.
    counted: ClassVar[bool] = True
    # Every declared field, inherited ones first (collected from the class body).
    fields: ClassVar[dict[str, FieldSpec]] = {}

    type: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = {k: v for k, v in vars(cls).items() if isinstance(v, FieldSpec)}
        for key in declared:
            delattr(cls, key)  # instances hold the values; the class keeps the specs in ``fields``
        cls.fields = {**cls.fields, **{k: replace(v, name=k) for k, v in declared.items()}}

    def __init__(self, /, type: str | None = None, **values: Any):  # ``self`` cannot be a field
        kind = type_of(self)
        if type is None:
            type = kind.types[0]
        elif type not in kind.types:
            raise InvalidField(kind, "type", type, f"it should be one of {', '.join(kind.types)}")
        unknown = [k for k in values if k not in kind.fields]
        if unknown:
            raise InvalidField(kind, unknown[0], values[unknown[0]], None, reason="unknown", layer_type=type)
        missing = [k for k, spec in kind.fields.items() if spec.required and k not in values]
        if missing:
            raise InvalidField(
                kind, missing[0], None, None, reason="missing", missing=tuple(missing), layer_type=type
            )
        state = self.__dict__
        state["type"] = type
        for key, spec in kind.fields.items():
            if key in values:
                try:
                    state[key] = spec.rule.convert(values[key])
                except Problem as problem:
                    if problem.limit is not None:
                        raise InvalidField(
                            kind, key, problem.number, None, reason="limit", layer_type=type
                        ) from None
                    raise InvalidField(kind, key, values[key], problem.message, layer_type=type) from None
            else:
                state[key] = spec.default
        self.check()

    def check(self) -> None:
        """Refuse combinations of valid values that do not make sense together (override; raise
        :class:`InvalidField`)."""

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"{type_of(self).__name__} is immutable; use replace({key}=...)")

    def __delattr__(self, key: str) -> None:
        raise AttributeError(f"{type_of(self).__name__} is immutable")

    def values(self) -> dict[str, Any]:
        """The field values (``type`` first), as stored."""
        return dict(self.__dict__)

    def replace(self, **changes: Any) -> LayerDef:
        """A validated copy with ``changes`` applied."""
        return type_of(self)(**{**self.values(), **changes})

    # Compared, hashed and shown by value, as records are.
    __eq__ = value_eq
    __hash__ = value_hash
    __repr__ = value_repr

    def output_shape(self, inp: Shape) -> Shape:
        """The per-sample output shape; raise :class:`~cnncalc.errors.ShapeError` if impossible."""
        return inp

    def check_batch(self, inp: Shape, batch: int, training: bool) -> None:
        """Refuse a batch size PyTorch refuses for this layer and input (override; raise
        :class:`~cnncalc.errors.ShapeError`). ``training``: the module runs in train mode."""

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
    if not cls.names or not cls.types:
        raise TypeError(f"{cls.__name__} declares no names or no types")
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
    values, otherwise the kind's first name."""
    allowed = cls.types
    low = requested.lower()
    if low in allowed:
        return low
    return cls.type_aliases.get(low, allowed[0])


def registered_names() -> list[str]:
    return sorted(_REGISTRY)


def registered_kinds() -> list[type[LayerDef]]:
    return list(_KINDS)

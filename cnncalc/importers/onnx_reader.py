"""An ONNX file as an :class:`~cnncalc.importers.graph.ImportedGraph`.

The file is parsed (protobuf data; nothing in it is executed), its input size taken from the graph
or from ``--input``, and ONNX's own shape inference run on it. Each node is then mapped through
:data:`CONVERTERS`, a table from op type to a function that returns cnncalc layer kinds with their
fields (``Conv`` → ``conv`` with filters, kernel, stride, padding, dilation, groups, bias), a merge
(``add``, ``mul``, ``concat``), or nothing for the exporter's bookkeeping: constants and the
``Shape``/``Gather``/``Concat`` subgraphs that compute a ``Reshape``'s target are folded, a
``Flatten``/``Reshape`` to a vector becomes ``flatten``, ``Mul(x, Sigmoid(x))`` becomes ``silu``,
``MatMul`` + ``Add`` of a bias becomes ``fc``, and torch's channel shuffle (``Reshape``,
``Transpose``, ``Reshape``) becomes ``channel_shuffle``.

Every mapped node's output shape, as cnncalc's layer kind computes it, is compared with ONNX's
shape inference. An op with no converter, or one whose attributes cnncalc cannot express, becomes
an ``uncounted`` node that says what it is, where, and its input and output shapes: it is never
counted as zero silently.
"""

from __future__ import annotations

import ast
import math
import re
import struct
from collections.abc import Callable, Iterable, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

from cnncalc.errors import Location, ShapeError, SpecError
from cnncalc.importers.graph import NETWORK_INPUT, ImportedGraph, ImportedNode, same_definition
from cnncalc.importers.onnx_proto import latest_opset, onnx_parts
from cnncalc.layers import InvalidField, lookup
from cnncalc.records import record, replace
from cnncalc.shapes import MAX_DIMENSION, Shape

UNCOUNTED = "uncounted"
OLDEST_OPSET = 7  # BatchNormalization without spatial, Dropout, Upsample: what torch and tf2onnx write
MAX_FILE_BYTES = 2**31  # protobuf's own limit for one message
_CONST_SMALL = 4096  # constant tensors up to this many elements are decoded (shapes, pads, scales)

Dims = tuple[int | None, ...]


@record
class Uncounted:
    """Why a node cannot be counted (its converter's answer)."""

    reason: str


class Rejected(Exception):
    """A converter's finding that the model cannot run on this input (a reshape target with
    another number of values): the reader raises it as a :class:`ShapeError` at the node."""


class _Pending:
    """A tensor in the middle of a pattern (channel shuffle's 5-D view): no cnncalc node yet."""

    def __init__(self, source: str, groups: int, step: str, node_name: str):
        self.source, self.groups, self.step, self.node_name = source, groups, step, node_name


# ONNX tensor element types cnncalc decodes (shapes, pads, scales, clip bounds).
_DECODE = {1: "f", 6: "i", 7: "q", 11: "d", 10: "e", 9: "?", 2: "B", 3: "b", 5: "h", 4: "H"}
_FIELD = {1: "float_data", 6: "int32_data", 7: "int64_data", 11: "double_data", 9: "int32_data"}


def _decode(tensor: Any) -> list[float | int]:
    """The values of a small TensorProto, flattened (only the numeric types above)."""
    code = _DECODE.get(tensor.data_type)
    if code is None:
        raise ValueError(f"element type {tensor.data_type}")
    if tensor.raw_data:
        size = struct.calcsize(code)
        count = len(tensor.raw_data) // size
        return list(struct.unpack(f"<{count}{code}", tensor.raw_data[: count * size]))
    field = _FIELD.get(tensor.data_type, "int32_data")
    values = list(getattr(tensor, field))
    if tensor.data_type == 10:  # float16 kept as its bit patterns in int32_data
        values = [struct.unpack("<e", struct.pack("<H", v))[0] for v in values]
    return values


def _numel(dims: Iterable[int]) -> int:
    return math.prod(dims)


def _attributes(node: Any) -> dict[str, Any]:
    """A node's attributes as Python values (ints, floats, strings, lists; tensors as values)."""
    out: dict[str, Any] = {}
    for attribute in node.attribute:
        kind = attribute.type
        if kind == 1:
            out[attribute.name] = attribute.f
        elif kind == 2:
            out[attribute.name] = attribute.i
        elif kind == 3:
            out[attribute.name] = attribute.s.decode("utf-8", "replace")
        elif kind == 4:
            out[attribute.name] = attribute.t
        elif kind == 6:
            out[attribute.name] = list(attribute.floats)
        elif kind == 7:
            out[attribute.name] = list(attribute.ints)
        elif kind == 5:
            out[attribute.name] = attribute.g  # a subgraph (If's branches): read, never run
        elif kind == 8:
            out[attribute.name] = [s.decode("utf-8", "replace") for s in attribute.strings]
        else:
            out[attribute.name] = attribute  # others: kept opaque
    return out


def _clean_float(value: float) -> float:
    """A float32 attribute as the number it was written as (``9.999999747e-06`` → ``1e-05``)."""
    return float(f"{value:.6g}")


def shape_of_dims(dims: Dims) -> Shape | None:
    """cnncalc's per-sample shape of an ONNX N×C×H×W or N×F tensor; None for other ranks or
    unknown sizes."""
    if any(d is None for d in dims):
        return None
    if len(dims) == 4:
        return Shape(channels=dims[1], height=dims[2], width=dims[3])  # type: ignore[arg-type]
    if len(dims) == 2:
        return Shape(channels=dims[1])  # type: ignore[arg-type]
    return None


def dims_text(dims: Dims | None) -> str:
    """``1×64×56×56`` (ONNX's N×C×H×W order), ``?`` for an unknown size."""
    if dims is None:
        return "?"
    return "×".join("?" if d is None else str(d) for d in dims) or "scalar"


class _Context:
    """What the converters read: shapes, constants, attributes, and where each tensor comes from."""

    def __init__(self, graph: Any, shapes: dict[str, Dims], source: str, opset: int):
        self.source, self.opset = source, opset
        self.shapes = shapes
        self.batch = 1  # the network input's batch (read_onnx sets it)
        self.initializers = {t.name: t for t in graph.initializer}
        # an initializer's name -> the layer that counted its parameters (an Identity copy is
        # another name: torch.onnx.export writes one for each module whose values equal another's)
        self.weights_owner: dict[str, str] = {}
        self.tied: list[tuple[str, str, str]] = []  # (initializer, first layer, the ONNX node)
        self.merged_values: set[str] = set()  # one-value initializers read by several modules
        self.unread_values: set[str] = set()  # such initializers whose values the file lacks
        self.tied_in_part: list[tuple[str, str]] = []  # (ONNX node, the earlier layers it reads)
        self.owner_layers: dict[str, ImportedNode] = {}  # a layer whose initializers others read
        self.consts: dict[str, list[float | int]] = {}
        self.const_dims: dict[str, tuple[int, ...]] = {}
        self.producer: dict[str, str] = {}  # tensor → cnncalc node name (or NETWORK_INPUT)
        self.pending: dict[str, _Pending] = {}
        self.consumers: dict[str, list[Any]] = {}
        self.skip: set[int] = set()  # node indices already taken by a pattern
        self.lrns: dict[int, dict[str, Any]] = {}  # Div nodes that end torch's written-out LRN
        # Concat nodes that end a written-out per-channel affine: its fields and the tensor it reads
        self.affines: dict[int, tuple[dict[str, Any], str]] = {}
        # tensors laid out N×H×W×C by a Transpose (ConvNeXt): their dims read as N×C×H×W
        self.channels_last: set[str] = set()
        # outputs of uncounted ops whose size neither ONNX nor cnncalc knows
        self.unknown_size: set[str] = set()
        for node in graph.node:
            for name in node.input:
                self.consumers.setdefault(name, []).append(node)
        for output in graph.output:
            self.consumers.setdefault(output.name, []).append(None)  # a graph output counts as a use
        self.index_of = {id(node): i for i, node in enumerate(graph.node)}

    # -- constants --------------------------------------------------------------------------
    def is_const(self, name: str) -> bool:
        return name in self.consts or name in self.initializers or name in self.const_dims

    def alias_const(self, alias: str, name: str) -> bool:
        """``alias`` is a copy of the constant ``name`` (an exporter's ``Identity`` of a shared
        initializer): it has its dims (and values, when small). False when ``name`` is no constant."""
        if name in self.initializers:
            tensor = self.initializers[name]
            self.initializers[alias] = tensor
            return True
        if name in self.consts or name in self.const_dims:
            if name in self.consts:
                self.consts[alias] = self.consts[name]
            self.const_dims[alias] = self.const_dims.get(name, (len(self.consts.get(name, [])),))
            return True
        return False

    def const(self, name: str) -> list[float | int] | None:
        """The values of a constant tensor (an initializer, a Constant, a folded subgraph)."""
        if name in self.consts:
            return self.consts[name]
        tensor = self.initializers.get(name)
        if tensor is None or _numel(tensor.dims) > _CONST_SMALL:
            return None
        try:
            values = _decode(tensor)
        except (ValueError, struct.error):
            return None
        self.consts[name] = values
        self.const_dims[name] = tuple(tensor.dims)
        return values

    def dims(self, name: str) -> Dims | None:
        if name in self.initializers:
            return tuple(self.initializers[name].dims)
        if name in self.const_dims:
            return self.const_dims[name]
        dims = self.shapes.get(name)
        alias, hops = self.producer.get(name), 0
        last = name in self.channels_last
        while dims is None and alias is not None and alias.startswith("@") and hops < 1000:
            if (alias[1:] in self.channels_last) != last:
                break  # a transpose between: the source's size is in another layout
            dims = self.shapes.get(alias[1:])  # a pass-through folded away: its source's size
            alias, hops = self.producer.get(alias[1:]), hops + 1
        if dims is not None and name in self.channels_last and len(dims) == 4:
            return (dims[0], dims[3], dims[1], dims[2])  # as cnncalc sees it: C×H×W
        return dims

    def same_as(self, tensor: str, source: str) -> None:
        """``tensor`` holds ``source``'s values (a pass-through folded away), in its layout."""
        self.producer[tensor] = "@" + source
        if source in self.channels_last:
            self.channels_last.add(tensor)

    def written_dims(self, name: str) -> Dims | None:
        """The dims as the file has them (N×H×W×C for a tensor with the channels last)."""
        return self.shapes.get(name) if name in self.channels_last else self.dims(name)

    def shape(self, name: str) -> Shape | None:
        dims = self.dims(name)
        return None if dims is None else shape_of_dims(dims)

    def only_consumer(self, tensor: str) -> Any | None:
        users = self.consumers.get(tensor, [])
        return users[0] if len(users) == 1 else None


@record
class _Layer:
    """A converter's answer: one cnncalc node reading ``inputs`` (tensor names)."""

    kind: str
    fields: dict[str, Any]
    inputs: tuple[str, ...]
    suffix: str = ""  # a second node of the same ONNX node (ReduceMean's gap + flatten)
    name: str = ""  # the layer's own name, where the graph gives one (a layer scale's initializer)


Answer = list[_Layer] | Uncounted | None  # None: folded (a constant, a pass-through)
Converter = Callable[[_Context, Any, dict[str, Any]], Answer]
CONVERTERS: dict[str, Converter] = {}


def converts(*ops: str) -> Callable[[Converter], Converter]:
    def register(fn: Converter) -> Converter:
        for op in ops:
            CONVERTERS[op] = fn
        return fn

    return register


def _pair(values: Sequence[int]) -> int | list[int]:
    a, b = int(values[0]), int(values[1])
    return a if a == b else [a, b]


def _spatial_pads(
    ctx: _Context,
    node: Any,
    attrs: dict[str, Any],
    kernel: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
) -> tuple[int, int, int, int] | Uncounted:
    """(top, left, bottom, right) padding of a 2-D window op, ``auto_pad`` resolved on its input."""
    auto = attrs.get("auto_pad", "NOTSET")
    if auto in ("NOTSET", ""):
        pads = attrs.get("pads", [0, 0, 0, 0])
        if len(pads) != 4:
            return Uncounted(f"pads {pads} are not 2-D")
        return (int(pads[0]), int(pads[1]), int(pads[2]), int(pads[3]))
    if auto == "VALID":
        return (0, 0, 0, 0)
    dims = ctx.dims(node.input[0])
    if dims is None or len(dims) != 4 or dims[2] is None or dims[3] is None:
        return Uncounted(f"auto_pad {auto} on an input of unknown size")
    totals = []
    for n, k, s, d in zip(dims[2:], kernel, strides, dilations, strict=True):
        out = -(-int(n) // s)
        totals.append(max((out - 1) * s + (k - 1) * d + 1 - int(n), 0))
    if auto == "SAME_UPPER":
        return (totals[0] // 2, totals[1] // 2, totals[0] - totals[0] // 2, totals[1] - totals[1] // 2)
    if auto == "SAME_LOWER":
        return (totals[0] - totals[0] // 2, totals[1] - totals[1] // 2, totals[0] // 2, totals[1] // 2)
    return Uncounted(f"auto_pad {auto}")


def _padding_layers(pads: tuple[int, int, int, int], x: str) -> tuple[list[_Layer], int | list[int], str]:
    """Symmetric pads become the layer's ``padding``; asymmetric ones a ``pad`` layer before it
    (zero padding, as ONNX pads a convolution)."""
    top, left, bottom, right = pads
    if top == bottom and left == right:
        return [], _pair((top, left)), x
    return [_Layer("pad", {"amount": [left, right, top, bottom]}, (x,), suffix="pad")], 0, "@pad"


def _input_rank(ctx: _Context, name: str) -> int | None:
    dims = ctx.dims(name)
    return None if dims is None else len(dims)


@converts("Conv")
def _conv(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    weight = ctx.dims(node.input[1]) if len(node.input) > 1 else None
    if weight is None or len(weight) != 4 or any(d is None for d in weight):
        return Uncounted("only 2-D convolutions with a known weight shape are counted")
    if not ctx.is_const(node.input[1]):
        return Uncounted("the weight is computed in the graph, not an initializer")
    filters, per_group, kh, kw = (int(d) for d in weight)  # type: ignore[arg-type]
    kernel = attrs.get("kernel_shape", [kh, kw])
    strides = attrs.get("strides", [1, 1])
    dilations = attrs.get("dilations", [1, 1])
    groups = int(attrs.get("group", 1))
    pads = _spatial_pads(ctx, node, attrs, kernel, strides, dilations)
    if isinstance(pads, Uncounted):
        return pads
    bias = len(node.input) > 2 and node.input[2] != ""
    if bias and node.input[2] not in ctx.initializers:
        values = ctx.const(node.input[2])
        if values is not None and len(values) == filters and not any(values):
            bias = False  # zeros the exporter computes for a conv without one (dynamo, unoptimised)
    inp = ctx.shape(node.input[0])
    if inp is not None and inp.channels != per_group * groups:
        raise Rejected(
            f"its weight reads {per_group * groups} channels ({per_group} × {groups} groups) "
            f"but its input has {inp.channels}"
        )
    before, padding, x = _padding_layers(pads, node.input[0])
    fields = {
        "filters": filters,
        "kernel": _pair(kernel),
        "stride": _pair(strides),
        "padding": padding,
        "dilation": _pair(dilations),
        "groups": groups,
        "bias": bias,
        "floor": True,  # an existing model floors as it was built to
    }
    return [*before, _Layer("conv", fields, (x,))]


@converts("ConvTranspose")
def _deconv(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    weight = ctx.dims(node.input[1]) if len(node.input) > 1 else None
    if weight is None or len(weight) != 4 or any(d is None for d in weight):
        return Uncounted("only 2-D transposed convolutions with a known weight shape are counted")
    in_channels, per_group, kh, kw = (int(d) for d in weight)  # type: ignore[arg-type]
    groups = int(attrs.get("group", 1))
    if "output_shape" in attrs or attrs.get("auto_pad", "NOTSET") not in ("NOTSET", "", "VALID"):
        return Uncounted("output_shape or auto_pad on a transposed convolution")
    pads = attrs.get("pads", [0, 0, 0, 0])
    if pads[0] != pads[2] or pads[1] != pads[3]:
        return Uncounted(f"asymmetric pads {pads}")
    inp = ctx.shape(node.input[0])
    if inp is not None and inp.channels != in_channels:
        raise Rejected(f"its weight reads {in_channels} channels but its input has {inp.channels}")
    fields = {
        "filters": per_group * groups,
        "kernel": _pair(attrs.get("kernel_shape", [kh, kw])),
        "stride": _pair(attrs.get("strides", [1, 1])),
        "padding": _pair(pads[:2]),
        "output_padding": _pair(attrs.get("output_padding", [0, 0])),
        "dilation": _pair(attrs.get("dilations", [1, 1])),
        "groups": groups,
        "bias": len(node.input) > 2 and node.input[2] != "",
    }
    return [_Layer("deconv", fields, (node.input[0],))]


@converts("Gemm")
def _gemm(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    weight = ctx.dims(node.input[1])
    if attrs.get("transA", 0) or weight is None or len(weight) != 2 or not ctx.is_const(node.input[1]):
        return Uncounted("only x·Wᵀ + b with a constant 2-D weight W is counted")
    units, features = (weight[0], weight[1]) if attrs.get("transB", 0) else (weight[1], weight[0])
    inp = ctx.shape(node.input[0])
    if inp is not None and inp.numel != features:
        raise Rejected(f"its weight reads {features} features but its input has {inp.numel}")
    bias = len(node.input) > 2 and node.input[2] != "" and attrs.get("beta", 1.0) != 0
    return [_Layer("fc", {"units": int(units), "bias": bias}, (node.input[0],))]  # type: ignore[arg-type]


@converts("MatMul")
def _matmul(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    weight = ctx.dims(node.input[1])
    channels_last = node.input[0] in ctx.channels_last
    flat_input = _input_rank(ctx, node.input[0]) == 2 or channels_last
    if weight is None or len(weight) != 2 or not ctx.is_const(node.input[1]) or not flat_input:
        return Uncounted("only a vector (or channels last) times a constant 2-D matrix is counted")
    features, units = int(weight[0]), int(weight[1])  # type: ignore[arg-type]
    # MatMul + Add of a constant vector of `units`: one fc layer with its bias (as torch writes Linear
    # on older opsets).
    bias = False
    user = ctx.only_consumer(node.output[0])
    if user is not None and user.op_type == "Add":
        other = [name for name in user.input if name != node.output[0]]
        if len(other) == 1 and ctx.is_const(other[0]) and ctx.dims(other[0]) in ((units,), (1, units)):
            bias = True
            ctx.skip.add(ctx.index_of[id(user)])
            ctx.same_as(user.output[0], node.output[0])
    inp = ctx.shape(node.input[0])
    if channels_last:  # nn.Linear at each position over the channels
        if inp is not None and inp.channels != features:
            raise Rejected(f"its weight reads {features} channels but its input has {inp.channels}")
        return [_Layer("channel_linear", {"units": units, "bias": bias}, (node.input[0],))]
    if inp is not None and inp.numel != features:
        raise Rejected(f"its weight reads {features} features but its input has {inp.numel}")
    return [_Layer("fc", {"units": units, "bias": bias}, (node.input[0],))]


def _window_fields(ctx: _Context, node: Any, attrs: dict[str, Any]) -> dict[str, Any] | Uncounted:
    kernel = attrs.get("kernel_shape")
    if kernel is None or len(kernel) != 2:
        return Uncounted("only 2-D pooling windows are counted")
    strides = attrs.get("strides", [1, 1])  # ONNX's default stride is 1, not the window
    dilations = attrs.get("dilations", [1, 1])
    pads = _spatial_pads(ctx, node, attrs, kernel, strides, dilations)
    if isinstance(pads, Uncounted):
        return pads
    top, left, bottom, right = pads
    if top != bottom or left != right:
        return Uncounted(f"asymmetric pooling pads (top {top}, left {left}, bottom {bottom}, right {right})")
    fields: dict[str, Any] = {
        "kernel": _pair(kernel),
        "stride": _pair(strides),
        "padding": _pair((top, left)),
        "ceil_mode": bool(attrs.get("ceil_mode", 0)),
        "floor": True,
    }
    if dilations != [1, 1]:
        fields["dilation"] = _pair(dilations)
    return fields


@converts("MaxPool")
def _maxpool(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    if len(node.output) > 1 and node.output[1] and ctx.consumers.get(node.output[1]):
        return Uncounted("its indices output is used")
    fields = _window_fields(ctx, node, attrs)
    if isinstance(fields, Uncounted):
        return fields
    return [_Layer("maxpool", fields, (node.input[0],))]


@converts("AveragePool")
def _avgpool(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    fields = _window_fields(ctx, node, attrs)
    if isinstance(fields, Uncounted):
        return fields
    if "dilation" in fields:
        return Uncounted("a dilated average pool")
    fields["count_include_pad"] = bool(attrs.get("count_include_pad", 0))  # ONNX's default: excluded
    return [_Layer("avgpool", fields, (node.input[0],))]


@converts("GlobalAveragePool", "GlobalMaxPool")
def _global_pool(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    if _input_rank(ctx, node.input[0]) != 4:
        return Uncounted("global pooling of a tensor that is not N×C×H×W")
    return [_Layer("gap" if node.op_type == "GlobalAveragePool" else "gmp", {}, (node.input[0],))]


@converts("ReduceMean", "ReduceMax")
def _reduce(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    axes = attrs.get("axes")
    if axes is None and len(node.input) > 1 and node.input[1]:
        axes = ctx.const(node.input[1])
    if _input_rank(ctx, node.input[0]) != 4 or axes is None or sorted(int(a) % 4 for a in axes) != [2, 3]:
        return Uncounted(f"a {node.op_type} that is not over H×W")
    kind = "gap" if node.op_type == "ReduceMean" else "gmp"
    layers = [_Layer(kind, {}, (node.input[0],))]
    if not attrs.get("keepdims", 1):
        layers.append(_Layer("flatten", {}, ("@",), suffix="flatten"))
    return layers


@converts("BatchNormalization")
def _batchnorm(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    if attrs.get("spatial", 1) != 1:
        return Uncounted("spatial=0 (statistics per position)")
    for extra in node.output[1:]:
        if extra and ctx.consumers.get(extra):
            return Uncounted("its running statistics are read by other nodes")
    fields = {
        "eps": _clean_float(attrs.get("epsilon", 1e-5)),
        # ONNX keeps 1 − torch's momentum
        "momentum": _clean_float(1.0 - _clean_float(attrs.get("momentum", 0.9))),
    }
    return [_Layer("batchnorm", fields, (node.input[0],))]


@converts("InstanceNormalization")
def _instancenorm(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    # ONNX's scale and bias are required inputs: torch's InstanceNorm2d(affine=True)
    fields = {"eps": _clean_float(attrs.get("epsilon", 1e-5)), "affine": True}
    return [_Layer("instancenorm", fields, (node.input[0],))]


@converts("LayerNormalization")
def _layernorm(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    x, axis = node.input[0], int(attrs.get("axis", -1))
    rank = _input_rank(ctx, x)
    over_channels = (x in ctx.channels_last and axis in (-1, 3)) or (rank == 2 and axis in (-1, 1))
    if not over_channels:
        return Uncounted(f"a layer normalisation from axis {axis} (cnncalc's is over the channels)")
    affine = _learned(ctx, node.input[1], 1.0)
    bias = affine and len(node.input) > 2 and bool(node.input[2]) and _learned(ctx, node.input[2], 0.0)
    fields = {"eps": _clean_float(attrs.get("epsilon", 1e-5)), "affine": affine, "bias": bias}
    return [_Layer("layernorm", fields, (x,))]


def _learned(ctx: _Context, tensor: str, fixed: float) -> bool:
    """Whether ``tensor`` is a weight of the model: an initializer, or a constant that is not all
    ``fixed`` (torch writes ones and zeros as Constant nodes for a LayerNorm without affine or bias)."""
    if tensor in ctx.initializers and not _EXPORTER_VALUE.fullmatch(tensor):
        return True
    values = ctx.const(tensor)
    return ctx.is_const(tensor) and not (values is not None and values and all(v == fixed for v in values))


@converts("DepthToSpace")
def _depth_to_space(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    if attrs.get("mode", "DCR") != "CRD":
        return Uncounted("DCR order (torch's PixelShuffle is DepthToSpace with mode CRD)")
    return [_Layer("pixelshuffle", {"factor": int(attrs["blocksize"])}, (node.input[0],))]


_SAME_ACTIVATION = {
    "Relu": "relu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "HardSwish": "hardswish",
    "Elu": "elu",
    "Selu": "selu",
    "Softplus": "softplus",
    "Mish": "mish",
    "Gelu": "gelu",
}


@converts(*_SAME_ACTIVATION)
def _activation(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    x = node.input[0]
    if node.op_type == "Sigmoid":
        # torch's SiLU: Mul(x, Sigmoid(x)) → silu
        user = ctx.only_consumer(node.output[0])
        if user is not None and user.op_type == "Mul" and sorted(user.input) == sorted([x, node.output[0]]):
            ctx.skip.add(ctx.index_of[id(user)])
            ctx.same_as(user.output[0], node.output[0])
            return [_Layer("silu", {}, (x,))]
    if node.op_type == "Elu" and not math.isclose(attrs.get("alpha", 1.0), 1.0, rel_tol=1e-6):
        return Uncounted(f"alpha {attrs['alpha']:g} (cnncalc's elu has alpha 1)")
    return [_Layer(_SAME_ACTIVATION[node.op_type], {}, (x,))]


@converts("HardSigmoid")
def _hardsigmoid(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    alpha, beta = attrs.get("alpha", 0.2), attrs.get("beta", 0.5)
    if not (math.isclose(alpha, 1 / 6, rel_tol=1e-5) and math.isclose(beta, 0.5, rel_tol=1e-6)):
        return Uncounted(f"alpha {alpha:g}, beta {beta:g} (torch's Hardsigmoid is x/6 + 1/2)")
    return [_Layer("hardsigmoid", {}, (node.input[0],))]


@converts("LeakyRelu")
def _leakyrelu(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    return [_Layer("leakyrelu", {"negative_slope": _clean_float(attrs.get("alpha", 0.01))}, (node.input[0],))]


@converts("PRelu")
def _prelu(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    slope = ctx.dims(node.input[1])
    if slope is None or not ctx.is_const(node.input[1]):
        return Uncounted("a slope that is not an initializer")
    inp = ctx.shape(node.input[0])
    count = _numel(d or 0 for d in slope)
    if count == 1:
        return [_Layer("prelu", {}, (node.input[0],))]
    if inp is not None and count == inp.channels:
        return [_Layer("prelu", {"per_channel": True}, (node.input[0],))]
    return Uncounted(f"{count} slopes for {inp.channels if inp else '?'} channels")


@converts("Clip")
def _clip(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    low: float | None = attrs.get("min")
    high: float | None = attrs.get("max")
    for position, name in ((1, "min"), (2, "max")):
        if len(node.input) > position and node.input[position]:
            values = ctx.const(node.input[position])
            if values is None or len(values) != 1:
                return Uncounted(f"its {name} is not a constant")
            if position == 1:
                low = float(values[0])
            else:
                high = float(values[0])
    if low == 0 and high == 6:
        return [_Layer("relu6", {}, (node.input[0],))]
    if low == 0 and (high is None or math.isinf(high)):
        return [_Layer("relu", {}, (node.input[0],))]
    return Uncounted(f"a clip to [{low}, {high}] (only [0, 6], ReLU6, is a cnncalc layer)")


@converts("Softmax")
def _softmax(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    rank = _input_rank(ctx, node.input[0])
    axis = int(attrs.get("axis", 1 if ctx.opset < 13 else -1))
    if rank is None or axis % rank != 1:
        return Uncounted(f"softmax over axis {axis} (cnncalc's is over the channels)")
    return [_Layer("softmax", {}, (node.input[0],))]


@converts("Dropout")
def _dropout(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    ratio = attrs.get("ratio", 0.5)
    if len(node.input) > 1 and node.input[1]:
        values = ctx.const(node.input[1])
        ratio = float(values[0]) if values else 0.5
    return [_Layer("dropout", {"p": _clean_float(ratio)}, (node.input[0],))]


@converts("LRN")
def _lrn(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    fields = {
        "size": int(attrs["size"]),
        "alpha": _clean_float(attrs.get("alpha", 1e-4)),
        "beta": _clean_float(attrs.get("beta", 0.75)),
        "k": _clean_float(attrs.get("bias", 1.0)),
    }
    return [_Layer("lrn", fields, (node.input[0],))]


@converts("Div")
def _div(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    fields = ctx.lrns.get(ctx.index_of[id(node)])
    if fields is None:
        return Uncounted("a division (only the end of torch's written-out LRN is a cnncalc layer)")
    return [_Layer("lrn", fields, (node.input[0],))]


@converts("Identity")
def _identity(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    return [_Layer("identity", {}, (node.input[0],))]


@converts("Flatten")
def _flatten(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    if int(attrs.get("axis", 1)) != 1:
        return Uncounted(f"a flatten from axis {attrs['axis']} (cnncalc keeps the batch axis)")
    return [_Layer("flatten", {}, (node.input[0],))]


@converts("Add", "Mul", "Sum")
def _merge(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    names = list(node.input)
    scale = _layer_scale(ctx, node) if node.op_type == "Mul" else None
    if scale is not None:
        return scale
    if any(ctx.is_const(n) for n in names) or len(names) < 2:
        return Uncounted(f"a {node.op_type} with a constant (not a merge of two computed tensors)")
    shapes = [ctx.shape(n) for n in names]
    if any(s is None for s in shapes):
        return Uncounted(f"a {node.op_type} of tensors that are not N×C×H×W or N×F")
    kind = "mul" if node.op_type == "Mul" else "add"
    first = shapes[0]
    if all(s == first for s in shapes):
        return [_Layer(kind, {}, tuple(names))]
    if kind == "mul" and len(names) == 2:
        # a gate (squeeze-and-excitation): a C×1×1 scale times the map; the map first
        big, small = (0, 1) if shapes[1].spatial == (1, 1) else (1, 0)  # type: ignore[union-attr]
        b, s = shapes[big], shapes[small]
        if s.spatial == (1, 1) and not s.is_flat and s.channels == b.channels:  # type: ignore[union-attr]
            return [_Layer("mul", {}, (names[big], names[small]))]
    shown = " with ".join(s.text() for s in shapes)  # type: ignore[union-attr]
    return Uncounted(f"a {node.op_type} that broadcasts {shown}")


def _layer_scale(ctx: _Context, node: Any) -> Answer:
    """``Mul(γ, x)`` with an initializer γ of C×1×1 (ConvNeXt's ``layer_scale``): a layerscale
    named as γ; None when the Mul is not one."""
    if len(node.input) != 2:
        return None
    weights = [n for n in node.input if n in ctx.initializers]
    data = [n for n in node.input if not ctx.is_const(n)]
    if len(weights) != 1 or len(data) != 1 or data[0] in ctx.channels_last:
        return None
    inp, dims = ctx.shape(data[0]), tuple(ctx.initializers[weights[0]].dims)
    if inp is None or inp.is_flat or dims not in ((inp.channels, 1, 1), (1, inp.channels, 1, 1)):
        return None
    if ctx.initializers[weights[0]].data_type not in _FLOAT_TYPES:
        return None
    return [_Layer("layerscale", {}, (data[0],), name=weights[0])]


@converts("Concat")
def _concat(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    affine = ctx.affines.get(ctx.index_of[id(node)])
    if affine is not None:
        return [_Layer("fixed_affine", affine[0], (affine[1],))]
    rank = _input_rank(ctx, node.input[0])
    if rank is None or int(attrs.get("axis", 1)) % rank != 1:
        return Uncounted(f"a concat along axis {attrs.get('axis')} (cnncalc concatenates channels)")
    if len(node.input) == 1:  # torch.cat of a list of one (DenseNet's first layer of a block)
        ctx.same_as(node.output[0], node.input[0])  # the same values, as the torch import
        return None
    return [_Layer("concat", {}, tuple(node.input))]


@converts("Split")
def _split(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    inp = ctx.shape(node.input[0])
    rank = _input_rank(ctx, node.input[0])
    if inp is None or rank is None or int(attrs.get("axis", 0)) % rank != 1:
        return Uncounted("a split that is not along the channels")
    sizes: Sequence[float | int] | None = attrs.get("split")
    if sizes is None and len(node.input) > 1 and node.input[1]:
        sizes = ctx.const(node.input[1])
    parts = len(node.output)
    if sizes is None:
        sizes = [inp.channels // parts] * parts if inp.channels % parts == 0 else None
    if sizes is None or len(set(sizes)) != 1 or sum(sizes) != inp.channels:
        return Uncounted(f"a split into unequal parts {list(sizes or [])}")
    return [
        _Layer("chunk", {"parts": parts, "index": i}, (node.input[0],), suffix=str(i)) for i in range(parts)
    ]


@converts("Slice")
def _slice(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    """A slice of the channels into one of equal parts (``x.chunk(2, dim=1)``, which torch
    exports as two Slices): a chunk. Starts and ends are often computed from the shape; they are
    folded by then."""
    inp, rank = ctx.shape(node.input[0]), _input_rank(ctx, node.input[0])
    if len(node.input) >= 3:
        starts, ends = ctx.const(node.input[1]), ctx.const(node.input[2])
        axes = ctx.const(node.input[3]) if len(node.input) > 3 and node.input[3] else None
        steps = ctx.const(node.input[4]) if len(node.input) > 4 and node.input[4] else [1]
    else:
        starts, ends, axes, steps = attrs.get("starts"), attrs.get("ends"), attrs.get("axes"), [1]
    if inp is None or rank is None or starts is None or ends is None or steps is None:
        return Uncounted("a slice whose bounds are not constants")
    axes = list(range(len(starts))) if axes is None else axes
    if len(starts) != 1 or int(axes[0]) % rank != 1 or [int(v) for v in steps] != [1] or inp.is_flat:
        return Uncounted("a slice that is not of the channels")
    channels = inp.channels
    start, end = (int(v) + channels if int(v) < 0 else int(v) for v in (starts[0], ends[0]))
    start, end = max(0, min(start, channels)), max(0, min(end, channels))
    size = end - start
    if size <= 0 or channels % size or start % size:
        return Uncounted(f"channels {start}…{end - 1} of {channels}, not one of equal chunks")
    return [_Layer("chunk", {"parts": channels // size, "index": start // size}, (node.input[0],))]


@converts("Pad")
def _pad(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    mode = attrs.get("mode", "constant")
    pads = attrs.get("pads")
    if pads is None and len(node.input) > 1:
        pads = ctx.const(node.input[1])
    value = attrs.get("value", 0.0)
    if len(node.input) > 2 and node.input[2]:
        values = ctx.const(node.input[2])
        value = values[0] if values else None
    if len(node.input) > 3 and node.input[3]:
        return Uncounted("padding of chosen axes")
    if mode != "constant" or value != 0 or pads is None or len(pads) != 8:
        return Uncounted(f"{mode} padding (cnncalc's pad is zero padding of H×W)")
    n0, c0, top, left, n1, c1, bottom, right = (int(p) for p in pads)
    if n0 or c0 or n1 or c1 or min(top, left, bottom, right) < 0:
        return Uncounted(f"pads {list(pads)} (only non-negative H×W padding is a cnncalc layer)")
    return [_Layer("pad", {"amount": [left, right, top, bottom]}, (node.input[0],))]


_RESIZE_MODES = {"nearest": "nearest", "linear": "bilinear", "cubic": "bicubic"}


@converts("Resize", "Upsample")
def _resize(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    mode = _RESIZE_MODES.get(attrs.get("mode", "nearest"))
    transform = attrs.get("coordinate_transformation_mode", "half_pixel")
    if node.op_type == "Upsample" or ctx.opset < 11:
        transform = "asymmetric"
    if mode is None or _input_rank(ctx, node.input[0]) != 4:
        return Uncounted(f"{attrs.get('mode')} resizing")
    fields: dict[str, Any] = {"mode": mode}
    if mode == "nearest":
        nearest = attrs.get("nearest_mode", "round_prefer_floor")
        if transform == "asymmetric" and (nearest == "floor" or node.op_type == "Upsample" or ctx.opset < 11):
            pass  # torch's nearest
        elif transform in ("half_pixel", "pytorch_half_pixel") and nearest == "round_prefer_ceil":
            fields["mode"] = "nearest-exact"
        else:
            return Uncounted(f"nearest resizing with {transform} and {nearest}")
    else:
        if transform == "align_corners":
            fields["align_corners"] = True
        elif transform not in ("half_pixel", "pytorch_half_pixel"):
            return Uncounted(f"{mode} resizing with {transform} coordinates")
    scales_name = sizes_name = ""
    if node.op_type == "Upsample" or ctx.opset < 11:  # Upsample, Resize-10: (X, scales)
        scales_name = node.input[1] if len(node.input) > 1 else ""
        scales = attrs.get("scales")
    else:
        scales = None
        scales_name = node.input[2] if len(node.input) > 2 else ""
        sizes_name = node.input[3] if len(node.input) > 3 else ""
    if scales is None and scales_name:
        scales = ctx.const(scales_name)
    sizes = ctx.const(sizes_name) if sizes_name else None
    if sizes and len(sizes) == 4:
        fields["size"] = _pair([int(sizes[2]), int(sizes[3])])
    elif scales and len(scales) == 4 and scales[0] == 1 and scales[1] == 1:
        sh, sw = float(scales[2]), float(scales[3])
        fields["scale"] = sh if sh == sw else [sh, sw]
    else:
        return Uncounted("a resize whose scales or sizes are not constants over H×W")
    return [_Layer("upsample", fields, (node.input[0],))]


# -- reshapes: flatten, channel shuffle, and the constant subgraphs that compute their targets ---


@converts("Reshape")
def _reshape(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    target = ctx.const(node.input[1]) if len(node.input) > 1 else attrs.get("shape")
    out = ctx.dims(node.output[0])
    pending = ctx.pending.get(node.input[0])
    if pending is not None:
        inp = ctx.shape(pending.source)
        if pending.step == "transposed" and inp is not None and out is not None and shape_of_dims(out) == inp:
            return [_Layer("channel_shuffle", {"groups": pending.groups}, (pending.source,))]
        return Uncounted("a reshape of a 5-D view that is not a channel shuffle")
    inp = ctx.shape(node.input[0])
    fixed = target is not None and -1 not in target and 0 not in target
    if fixed and inp is not None and _numel(int(t) for t in target) != inp.numel:  # type: ignore[union-attr]
        raise Rejected(f"it reshapes {inp.numel} values to {dims_text(tuple(int(t) for t in target))}")
    if inp is None or out is None or target is None:
        return Uncounted("a reshape to a size that is not a constant")
    if len(out) == 2 and out[1] == inp.numel:
        return [_Layer("flatten", {}, (node.input[0],))]
    if shape_of_dims(out) == inp:
        return [_Layer("identity", {}, (node.input[0],))]
    if (
        len(out) == 5
        and not inp.is_flat
        and None not in out
        and out[1] * out[2] == inp.channels  # type: ignore[operator]
        and (out[3], out[4]) == inp.spatial
    ):
        user = ctx.only_consumer(node.output[0])
        if user is not None and user.op_type == "Transpose":
            ctx.pending[node.output[0]] = _Pending(node.input[0], int(out[1]), "viewed", node.name)  # type: ignore[arg-type]
            return None
    return Uncounted(f"a reshape from {inp.text('chw')} to {dims_text(out)}")


@converts("Transpose")
def _transpose(ctx: _Context, node: Any, attrs: dict[str, Any]) -> Answer:
    perm, x = attrs.get("perm"), node.input[0]
    if x in ctx.channels_last and perm == [0, 3, 1, 2]:  # back to N×C×H×W: the same data for cnncalc
        ctx.producer[node.output[0]] = "@" + x
        return None
    if x not in ctx.channels_last and perm == [0, 2, 3, 1] and _input_rank(ctx, x) == 4:
        # channels last (ConvNeXt's permute before LayerNorm and Linear): the ops that follow are
        # read on C×H×W, as long as each works per position over the channels
        ctx.channels_last.add(node.output[0])
        ctx.producer[node.output[0]] = "@" + x
        return None
    pending = ctx.pending.get(node.input[0])
    if pending is not None and pending.step == "viewed" and attrs.get("perm") == [0, 2, 1, 3, 4]:
        user = ctx.only_consumer(node.output[0])
        if user is not None and user.op_type == "Reshape":
            ctx.pending[node.output[0]] = _Pending(pending.source, pending.groups, "transposed", node.name)
            return None
    return Uncounted("a transpose (cnncalc's layers keep the C×H×W layout)")


_Folded = tuple[list[Any], tuple[int, ...]] | None  # a constant's values and dims, or not foldable


# Ops on small constant tensors (shapes, indices): evaluated here, never counted. Each takes the
# input values (flat lists) and attributes and returns the output's values and dims.
def _fold_shape(ctx: _Context, node: Any, attrs: dict[str, Any]) -> _Folded:
    dims = ctx.written_dims(node.input[0])  # the sizes the graph computes with: N×H×W×C stays so
    if dims is None or None in dims:
        return None
    start, end = attrs.get("start", 0), attrs.get("end")
    values = list(dims)[start:end]
    return values, (len(values),)


def _fold_elementwise(op: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def fold(ctx: _Context, node: Any, attrs: dict[str, Any]) -> _Folded:
        a, b = ctx.const(node.input[0]), ctx.const(node.input[1])
        if a is None or b is None or (len(a) != len(b) and 1 not in (len(a), len(b))):
            return None
        n = max(len(a), len(b))
        a, b = (a * n if len(a) == 1 else a), (b * n if len(b) == 1 else b)
        dims = ctx.dims(node.input[0]) if len(a) == n and ctx.dims(node.input[0]) else (n,)
        return [op(x, y) for x, y in zip(a, b, strict=True)], tuple(d or 0 for d in dims or (n,))

    return fold


def _fold_gather(ctx: _Context, node: Any, attrs: dict[str, Any]) -> _Folded:
    data, index = ctx.const(node.input[0]), ctx.const(node.input[1])
    one_dimensional = len(ctx.dims(node.input[0]) or ()) == 1
    if data is None or index is None or int(attrs.get("axis", 0)) != 0 or not one_dimensional:
        return None
    values = [data[int(i)] for i in index]
    return values, tuple(ctx.dims(node.input[1]) or ())  # type: ignore[arg-type]


def _fold_concat(ctx: _Context, node: Any, attrs: dict[str, Any]) -> _Folded:
    parts = [ctx.const(n) for n in node.input]
    if any(p is None for p in parts):
        return None
    values = [v for p in parts for v in p]  # type: ignore[union-attr]
    return values, (len(values),)


def _fold_reshape_like(ctx: _Context, node: Any, attrs: dict[str, Any]) -> _Folded:
    values = ctx.const(node.input[0])
    out = ctx.dims(node.output[0])
    if values is None or out is None or None in out:
        return None
    return values, tuple(out)  # type: ignore[arg-type]


def _fold_constant(ctx: _Context, node: Any, attrs: dict[str, Any]) -> _Folded:
    if "value" in attrs:
        tensor = attrs["value"]
        if _numel(tensor.dims) > _CONST_SMALL:
            return [], tuple(tensor.dims)
        try:
            return _decode(tensor), tuple(tensor.dims)
        except (ValueError, struct.error):
            return [], tuple(tensor.dims)
    for key in ("value_int", "value_float"):
        if key in attrs:
            return [attrs[key]], ()
    for key in ("value_ints", "value_floats"):
        if key in attrs:
            return list(attrs[key]), (len(attrs[key]),)
    return None


def _fold_castlike(ctx: _Context, node: Any, attrs: dict[str, Any]) -> _Folded:
    values = ctx.const(node.input[0])
    return None if values is None else (values, tuple(ctx.dims(node.input[0]) or (len(values),)))


def _fold_expand(ctx: _Context, node: Any, attrs: dict[str, Any]) -> _Folded:
    """One value broadcast to a shape (the dynamo exporter's zero bias): its values."""
    values, shape = ctx.const(node.input[0]), ctx.const(node.input[1])
    if values is None or shape is None or len(values) != 1 or any(int(d) < 0 for d in shape):
        return None
    dims = tuple(int(d) for d in shape)
    count = _numel(dims)
    return (values * count, dims) if count <= 1 << 20 else None  # a bias of up to 1M filters


def _fold_slice(ctx: _Context, node: Any, attrs: dict[str, Any]) -> _Folded:
    data = ctx.const(node.input[0])
    if data is None or len(ctx.dims(node.input[0]) or ()) != 1:
        return None
    if len(node.input) >= 3:
        starts, ends = ctx.const(node.input[1]), ctx.const(node.input[2])
        steps = ctx.const(node.input[4]) if len(node.input) > 4 and node.input[4] else [1]
    else:
        starts, ends, steps = attrs.get("starts"), attrs.get("ends"), [1]
    if not starts or not ends or not steps or len(starts) != 1:
        return None
    values = data[slice(int(starts[0]), min(int(ends[0]), 2**62), int(steps[0]))]
    return values, (len(values),)


_FOLDERS: dict[str, Callable[..., tuple[list[Any], tuple[int, ...]] | None]] = {
    "Constant": _fold_constant,
    "Shape": _fold_shape,
    "Gather": _fold_gather,
    "Concat": _fold_concat,
    "Unsqueeze": _fold_reshape_like,
    "Squeeze": _fold_reshape_like,
    "Reshape": _fold_reshape_like,
    "Cast": _fold_reshape_like,
    "Identity": _fold_reshape_like,
    "Slice": _fold_slice,
    "CastLike": _fold_castlike,
    "Expand": _fold_expand,
    "Add": _fold_elementwise(lambda a, b: a + b),
    "Sub": _fold_elementwise(lambda a, b: a - b),
    "Mul": _fold_elementwise(lambda a, b: a * b),
    "Div": _fold_elementwise(lambda a, b: a // b if isinstance(a, int) and isinstance(b, int) else a / b),
}


# -- torch's LRN: local_response_norm written out as ops ---------------------------------------


# What computes a size (an If's condition in torch's LRN), never the data
_SIZE_OPS = frozenset({"Shape", "Gather", "Equal", "Constant", "Unsqueeze", "Squeeze", "Cast", "Concat"})


def _producers(graph: Any) -> dict[str, tuple[int, Any]]:
    """Each tensor's writer in the raw graph: its index and the node."""
    return {out: (i, n) for i, n in enumerate(graph.node) for out in n.output}


# Ops that keep a constant's values as they are (its dims aside)
_SAME_VALUES = frozenset({"Unsqueeze", "Squeeze", "Cast", "Identity", "Reshape"})


# The dynamo exporter's name for a value it creates (a lifted constant, a folded weight): a
# parameter keeps its state_dict name (``conv.weight``, ``gamma``)
_EXPORTER_VALUE = re.compile(r"val_\d+")


def _raw_constant(
    name: str, initializers: dict[str, Any], producer: dict[str, tuple[int, Any]], depth: int = 0
) -> list[float | int] | None:
    """The values of a small initializer or ``Constant`` node, read before the main pass folds
    them, through the views and concats torch writes around an index (``Unsqueeze(Constant)``)."""
    writer = producer.get(name, (-1, None))[1]
    if writer is not None and writer.op_type in _SAME_VALUES | {"Concat"} and writer.input and depth < 8:
        ins = writer.input[:1] if writer.op_type in _SAME_VALUES else writer.input
        parts = [_raw_constant(i, initializers, producer, depth + 1) for i in ins]
        return None if any(p is None for p in parts) else [v for p in parts for v in p]  # type: ignore[union-attr]
    tensor = initializers.get(name)
    if tensor is None and name in producer and producer[name][1].op_type == "Constant":
        attrs = _attributes(producer[name][1])
        for key in ("value_ints", "value_floats"):
            if key in attrs:
                return list(attrs[key])
        for key in ("value_int", "value_float"):
            if key in attrs:
                return [attrs[key]]
        values = attrs.get("value")
        tensor = values if values is not None and hasattr(values, "dims") else None
    if tensor is None or _numel(tensor.dims) > _CONST_SMALL:
        return None
    try:
        return _decode(tensor)
    except (ValueError, struct.error):
        return None


def _identity_strides(graph: Any, initializers: dict[str, Any]) -> dict[int, tuple[str, str, int, Dims]]:
    """torch's dynamo exporter writes ``as_strided`` with a tensor's own sizes and strides (a view
    that changes nothing, as torch writes after ConvNeXt's global pool) as ``Reshape(x, [-1])``,
    then ``Gather`` on axis 0 by the indices 0 … n−1 laid out in dims. For each such Reshape:
    (x, the Gather's output, the Gather's index, dims): where x has those dims, the Gather's
    output is x itself."""
    producer = _producers(graph)
    readers: dict[str, list[tuple[int, Any]]] = {}
    for i, n in enumerate(graph.node):
        for name in n.input:
            readers.setdefault(name, []).append((i, n))
    found: dict[int, tuple[str, str, int, Dims]] = {}
    for index, node in enumerate(graph.node):
        if node.op_type != "Reshape" or len(node.input) < 2 or not node.output:
            continue
        users = readers.get(node.output[0], [])
        if _raw_constant(node.input[1], initializers, producer) != [-1] or len(users) != 1:
            continue
        gather_index, gather = users[0]
        if gather.op_type != "Gather" or list(gather.input[:1]) != [node.output[0]] or len(gather.input) < 2:
            continue
        if _attributes(gather).get("axis", 0) != 0:
            continue
        values = _raw_constant(gather.input[1], initializers, producer)
        dims = _constant_dims(gather.input[1], initializers, producer)
        if values and values == list(range(len(values))) and dims is not None:
            found[index] = (node.input[0], gather.output[0], gather_index, dims)
    return found


def _constant_dims(
    name: str, initializers: dict[str, Any], producer: dict[str, tuple[int, Any]]
) -> Dims | None:
    """The dims of an initializer or of a ``Constant`` node's tensor; None for anything else."""
    if name in initializers:
        return tuple(initializers[name].dims)
    writer = producer.get(name, (-1, None))[1]
    value = _attributes(writer).get("value") if writer is not None and writer.op_type == "Constant" else None
    return tuple(value.dims) if value is not None and hasattr(value, "dims") else None


def _decomposed_lrns(graph: Any, initializers: dict[str, Any]) -> dict[int, tuple[dict[str, Any], list[int]]]:
    """torch.onnx.export writes ``nn.LocalResponseNorm`` as x / (k + α·avgpool3d(pad(x²)))^β:
    Mul(x, x), a reshape to 5-D, Pad, AveragePool over (size, 1, 1), a reshape back (through an
    If), Mul α, Add k, Pow β, Div. For each Div that ends such a chain: the lrn fields and the
    indices of the chain's other nodes (the ops on constants around it fold by themselves)."""
    producer = _producers(graph)

    def scalar(name: str) -> float | None:
        values = _raw_constant(name, initializers, producer)
        return float(values[0]) if values is not None and len(values) == 1 else None

    def made_by(name: str, op: str) -> tuple[int, Any] | None:
        found = producer.get(name)
        return found if found is not None and found[1].op_type == op else None

    def condition(name: str) -> list[int]:
        """The nodes that compute an If's condition (torch asks whether a size is 1)."""
        taken, todo = [], [name]
        while todo and len(taken) < 16:
            found = producer.get(todo.pop())
            if found is None or found[0] in taken:
                continue
            taken.append(found[0])
            if found[1].op_type != "Shape":  # a size, not the data: stop there
                todo.extend(i for i in found[1].input if i and i not in initializers)
        sizes_only = all(graph.node[i].op_type in _SIZE_OPS for i in taken)
        return taken if sizes_only else []

    def through_views(name: str, chain: list[int]) -> str:
        """Back through reshapes (and the If torch writes around a squeeze) to the data."""
        for _ in range(4):
            found = producer.get(name)
            if found is None or found[1].op_type not in ("Reshape", "Squeeze", "Unsqueeze", "If"):
                return name
            index, view = found
            chain.append(index)
            if view.op_type == "If":
                chain.extend(condition(view.input[0]))
                branch = _attributes(view).get("then_branch")
                inner = {o for n in getattr(branch, "node", ()) for o in n.output}
                outer = [i for n in getattr(branch, "node", ()) for i in n.input if i and i not in inner]
                pooled = [i for i in outer if i in producer and producer[i][1].op_type == "AveragePool"]
                if not pooled:
                    return name
                name = pooled[0]
            else:
                name = view.input[0]
        return name

    found_lrns: dict[int, tuple[dict[str, Any], list[int]]] = {}
    for index, div in enumerate(graph.node):
        if div.op_type != "Div" or len(div.input) != 2:
            continue
        chain: list[int] = []
        steps = []
        name = div.input[1]
        for op in ("Pow", "Add", "Mul"):
            found = made_by(name, op)
            if found is None:
                break
            chain.append(found[0])
            value = scalar(found[1].input[1])
            steps.append(value)
            name = found[1].input[0]
        if len(steps) != 3 or None in steps:
            continue
        beta, k, alpha = steps
        name = through_views(name, chain)
        pool = made_by(name, "AveragePool")
        if pool is None:
            continue
        kernel = _attributes(pool[1]).get("kernel_shape", [])
        if len(kernel) != 3 or kernel[1:] != [1, 1]:
            continue
        chain.append(pool[0])
        pad = made_by(pool[1].input[0], "Pad")
        if pad is None:
            continue
        chain.append(pad[0])
        name = through_views(pad[1].input[0], chain)
        square = made_by(name, "Mul")
        if square is None or list(square[1].input) != [div.input[0], div.input[0]]:
            continue
        chain.append(square[0])
        fields = {
            "size": int(kernel[0]),
            "alpha": _clean_float(alpha),
            "beta": _clean_float(beta),
            "k": _clean_float(k),
        }  # type: ignore[arg-type]
        found_lrns[index] = (fields, chain)
    return found_lrns


# -- a fixed affine per channel, written out as ops ------------------------------------------


def _decomposed_affines(
    graph: Any, initializers: dict[str, Any], shapes: dict[str, Dims]
) -> dict[int, tuple[dict[str, Any], list[int], str]]:
    """torch.onnx.export writes a per-channel ``x_c × a_c + b_c`` (GoogLeNet's and Inception v3's
    ``transform_input``; cnncalc's own ``fixed_affine``) channel by channel: the channel as a
    Slice (``x[:, c:c+1]``) or a Gather and Unsqueeze (``x[:, c].unsqueeze(1)``), then Mul, Add,
    Sub or Div by a number, and a Concat of every channel in order. For each such Concat: the
    fixed_affine fields, the indices of the chain's other nodes, and the tensor it reads."""
    producer = _producers(graph)
    readers: dict[str, int] = {}
    for node in graph.node:
        for name in node.input:
            readers[name] = readers.get(name, 0) + 1
    for output in graph.output:
        readers[output.name] = readers.get(output.name, 0) + 1

    def number(name: str) -> float | None:
        """A number the graph holds as a constant: a Constant node (through casts), not an
        initializer, which may be a learned parameter (then the chain is not fixed)."""
        source, seen = name, 0
        while source in producer and producer[source][1].op_type in _SAME_VALUES and seen < 8:
            source, seen = producer[source][1].input[0], seen + 1
        lifted = source in initializers and _EXPORTER_VALUE.fullmatch(source) is not None
        if (source in initializers and not lifted) or (source not in producer and not lifted):
            return None
        values = _raw_constant(name, initializers, producer)
        return float(values[0]) if values is not None and len(values) == 1 else None

    def scalar_index(name: str) -> int | None:
        """The index of a Gather that drops the axis: a Constant of no dims."""
        writer = producer.get(name, (-1, None))[1]
        is_constant = writer is not None and writer.op_type == "Constant"
        tensor = _attributes(writer).get("value") if is_constant else None
        if tensor is None and _EXPORTER_VALUE.fullmatch(name):
            tensor = initializers.get(name)  # lifted by dynamo's optimizer
        if tensor is None or not hasattr(tensor, "dims") or len(tensor.dims) != 0:
            return None
        values = _raw_constant(name, initializers, producer)
        return int(values[0]) if values is not None and len(values) == 1 else None

    def ints(node: Any, position: int, key: str) -> list[int] | None:
        """An integer list given as the node's input ``position`` (newer opsets) or attribute ``key``."""
        if len(node.input) > position and node.input[position]:
            values = _raw_constant(node.input[position], initializers, producer)
            return None if values is None else [int(v) for v in values]
        values = _attributes(node).get(key)
        return None if values is None else [int(v) for v in values]

    def channel_of(name: str, chain: list[int]) -> tuple[str, int] | None:
        """The tensor and channel ``name`` picks (``x[:, c:c+1]`` or ``x[:, c].unsqueeze(1)``)."""
        index, node = producer.get(name, (-1, None))
        if node is None or readers.get(name) != 1:
            return None
        if node.op_type == "Slice":
            starts, ends, axes = ints(node, 1, "starts"), ints(node, 2, "ends"), ints(node, 3, "axes")
            steps = ints(node, 4, "steps") or [1]
            rank = len(shapes.get(node.input[0]) or ())
            if starts is None or ends is None or axes is None or rank == 0 or len(starts) != 1:
                return None
            if axes[0] % rank != 1 or steps != [1] or ends[0] != starts[0] + 1 or starts[0] < 0:
                return None
            chain.append(index)
            return node.input[0], starts[0]
        if node.op_type == "Unsqueeze" and ints(node, 1, "axes") == [1]:
            gather_index, gather = producer.get(node.input[0], (-1, None))
            if gather is None or gather.op_type != "Gather" or readers.get(node.input[0]) != 1:
                return None
            picked = scalar_index(gather.input[1])
            if int(_attributes(gather).get("axis", 0)) != 1 or picked is None:
                return None
            chain.extend((index, gather_index))
            return gather.input[0], picked
        return None

    def one_channel(name: str, chain: list[int]) -> tuple[str, int, float, float] | None:
        """Back from a Concat input through the arithmetic to the channel it picks: the tensor,
        the channel, and the scale and shift the arithmetic applies to it."""
        steps: list[tuple[str, float]] = []
        for _ in range(8):
            index, node = producer.get(name, (-1, None))
            if node is None or node.op_type not in ("Mul", "Add", "Sub", "Div") or len(node.input) != 2:
                break
            if readers.get(name) != 1:
                return None
            first, second = number(node.input[0]), number(node.input[1])
            if second is not None and first is None:
                steps.append((node.op_type, second))
                name = node.input[0]
            elif first is not None and second is None and node.op_type in ("Mul", "Add"):
                steps.append((node.op_type, first))
                name = node.input[1]
            else:
                return None
            chain.append(index)
        picked = channel_of(name, chain)
        if picked is None:
            return None
        scale, shift = 1.0, 0.0
        for op, value in reversed(steps):
            if op == "Mul":
                scale, shift = scale * value, shift * value
            elif op == "Add":
                shift += value
            elif op == "Sub":
                shift -= value
            elif value == 0:
                return None
            else:
                scale, shift = scale / value, shift / value
        return picked[0], picked[1], scale, shift

    found: dict[int, tuple[dict[str, Any], list[int], str]] = {}
    for index, concat in enumerate(graph.node):
        if concat.op_type != "Concat" or len(concat.input) < 1:
            continue
        chain: list[int] = []
        parts = [one_channel(name, chain) for name in concat.input]
        if not parts or None in parts:
            continue
        sources = {p[0] for p in parts if p is not None}
        dims = shapes.get(next(iter(sources)))
        if len(sources) != 1 or dims is None or len(dims) != 4:
            continue
        writer = producer.get(next(iter(sources)), (-1, None))[1]
        if writer is not None and writer.op_type == "Transpose":
            continue  # its axis 1 may not be the channels (N×H×W×C)
        rank = len(dims)
        if int(_attributes(concat).get("axis", 0)) % rank != 1:
            continue
        if [p[1] for p in parts if p is not None] != list(range(dims[1] or 0)):
            continue
        fields = {
            "scale": [_clean_float(p[2]) for p in parts if p is not None],
            "shift": [_clean_float(p[3]) for p in parts if p is not None],
        }
        found[index] = (fields, chain, sources.pop())
    return found


# -- reading the file -------------------------------------------------------------------------


# What reading a damaged attribute (a list where a number belongs, a zero divisor) raises.
_ODD_VALUES = (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError)


def _fail(message: str, source: str, hint: str | None = None, **where: Any) -> SpecError:
    return SpecError(message, location=Location(source=source, **where), hint=hint)


def _load(path: Path, source: str) -> Any:
    proto, _ = onnx_parts()
    if not path.exists():
        raise _fail(f"no such file: '{source}'", source, hint="check the path")
    if not path.is_file():
        raise _fail(f"{source} is not a file", source, hint="give the path of an .onnx file")
    size = path.stat().st_size
    if size >= MAX_FILE_BYTES:
        raise _fail(
            f"{source} is {size:,} bytes, over protobuf's limit of 2 GiB for one ONNX file",
            source,
            hint="save the weights as external data (onnx.save(..., save_as_external_data=True))",
        )
    data = path.read_bytes()
    model = proto.ModelProto()
    try:
        model.ParseFromString(data)
    except Exception as exc:  # protobuf's DecodeError (its class depends on the protobuf backend)
        raise _fail(
            f"{source} is not a readable ONNX file ({type(exc).__name__}: {exc})",
            source,
            hint="the file is corrupt or not ONNX; export it again (torch.onnx.export) and check it "
            "with onnx.checker",
        ) from None
    if model.ir_version <= 0 or not model.graph.node:
        raise _fail(
            f"{source} holds no ONNX graph (no IR version or no nodes)",
            source,
            hint="the file is corrupt or not ONNX; export it again (torch.onnx.export)",
        )
    return model


def _opset(model: Any, source: str) -> int:
    versions = {o.domain: o.version for o in model.opset_import}
    version = versions.get("", versions.get("ai.onnx"))
    newest = latest_opset()
    if version is None:
        raise _fail(f"{source} declares no opset for ONNX's default domain", source, hint="export it again")
    if not OLDEST_OPSET <= version <= newest:
        raise _fail(
            f"unsupported opset {version}: this onnx installation reads opsets {OLDEST_OPSET} to {newest}",
            source,
            hint="convert the model (onnx.version_converter.convert_version) or update the onnx package",
        )
    return int(version)


def _value_dims(value: Any) -> Dims:
    dims = value.type.tensor_type.shape.dim
    return tuple(d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None for d in dims)


def _network_input(model: Any, source: str, given: Shape | None) -> tuple[Any, Shape]:
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    inputs = [v for v in graph.input if v.name not in initializers]
    if len(inputs) != 1:
        names = ", ".join(f"'{v.name}'" for v in inputs) or "none"
        raise _fail(
            f"the model has {len(inputs)} inputs ({names}); cnncalc reads networks with one input",
            source,
        )
    value = inputs[0]
    if not value.type.HasField("tensor_type") or not value.type.tensor_type.HasField("shape"):
        dims: Dims = ()
    else:
        dims = _value_dims(value)
    where = {"path": f"input '{value.name}'"}
    if len(dims) not in (2, 4):
        raise _fail(
            f"the input '{value.name}' is {dims_text(dims)}: cnncalc reads N×C×H×W images or N×F vectors",
            source,
            **where,
        )
    if given is not None:
        wanted: Dims = (1, *given.torch_dims())
        if len(wanted) != len(dims):
            raise _fail(
                f"--input {given.text()} does not fit the model's input '{value.name}' ({dims_text(dims)})",
                source,
                hint="give H×W×C for an image input, a length for a vector",
                **where,
            )
        for axis, (have, want) in enumerate(zip(dims[1:], wanted[1:], strict=True), start=1):
            if have is not None and have != want and axis == 1:
                raise _fail(
                    f"--input {given.text()} has {want} channels but the model's input '{value.name}' "
                    f"has {have} ({dims_text(dims)})",
                    source,
                    hint=f"keep {have} channels",
                    **where,
                )
        dims = wanted
    elif any(d is None for d in dims[1:]):
        raise _fail(
            f"the model's input '{value.name}' has a dynamic size ({dims_text(dims)})",
            source,
            hint="give the size with --input HxWxC (e.g. --input 224x224x3)",
            **where,
        )
    # The batch is one sample (cnncalc's reports are per sample; --batch scales them).
    shape_dims = value.type.tensor_type.shape.dim
    while len(shape_dims) < len(dims):
        shape_dims.add()
    for dim, size in zip(shape_dims, (1, *dims[1:]), strict=True):
        dim.Clear()
        dim.dim_value = int(size)  # type: ignore[arg-type]
    shape = shape_of_dims((1, *dims[1:]))
    assert shape is not None
    if max(shape.numel, shape.channels) > MAX_DIMENSION:
        raise _fail(f"the input {shape.text()} is over cnncalc's size limit", source, **where)
    return value, shape


def _infer(model: Any, source: str, inp: Shape) -> dict[str, Dims]:
    """ONNX's shape inference on the model (weights left out: it needs only their sizes)."""
    proto, inference = onnx_parts()
    light = proto.ModelProto()  # the model without its weights' values: copied, not the 100 MB
    light.ir_version = model.ir_version
    light.opset_import.extend(model.opset_import)
    light.functions.extend(model.functions)
    graph = light.graph
    graph.node.extend(model.graph.node)
    graph.input.extend(model.graph.input)
    for tensor in model.graph.initializer:
        if _numel(tensor.dims) <= _CONST_SMALL and tensor.data_location == 0:
            graph.initializer.add().CopyFrom(tensor)
        else:
            sized = graph.initializer.add()
            sized.name, sized.data_type = tensor.name, tensor.data_type
            sized.dims.extend(tensor.dims)
    graph.output.extend(model.graph.output)
    for output in graph.output:  # re-inferred: a stale size would contradict a new --input
        output.type.tensor_type.ClearField("shape")
    try:
        inferred = proto.ModelProto.FromString(
            inference.infer_shapes(light.SerializeToString(), True, True, True)
        )
    except Exception as exc:  # InferenceError / ValidationError from onnx's C++ code
        text = str(exc).strip().replace("\n", " ")
        node = re.search(r"node (?:\(([^)]*)\) )?\(?op_type:(\w+)", text)
        where = f"ONNX node '{node.group(1) or '?'}' ({node.group(2)})" if node else "ONNX's shape inference"
        raise ShapeError(
            f"the model rejects the input {inp.text()} at {where}: {text}",
            location=Location(source=source),
            hint="give the size the model was exported for (--input), or export it with dynamic axes",
        ) from None
    shapes: dict[str, Dims] = {}
    for value in (*inferred.graph.input, *inferred.graph.value_info, *inferred.graph.output):
        if value.type.HasField("tensor_type") and value.type.tensor_type.HasField("shape"):
            shapes[value.name] = _value_dims(value)
    return shapes


class _Names:
    """cnncalc names for ONNX nodes: the module path torch's exporter writes (``/layer1/layer1.0/
    conv1/Conv`` → ``layer1.0.conv1``), else a weight's name (``conv1.weight`` → ``conv1``), else
    the op and its index; unique."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    @staticmethod
    def scope_path(node_name: str) -> str:
        parts = [p for p in node_name.split("/") if p]
        if len(parts) < 2 or not node_name.startswith("/"):
            return ""
        # each scope is named relative to the one above it, a container's child with the
        # container's name first: /features/features.1/block/block.0/Conv → features.1.block.0
        segments: list[str] = []
        for part in parts[:-1]:
            if segments and part.startswith(segments[-1] + "."):
                segments[-1] = part
            else:
                segments.append(part)
        return ".".join(segments)

    @staticmethod
    def recorded_path(node: Any) -> str | None:
        """The module path torch's dynamo exporter records in the node's metadata
        (``pkg.torch.onnx.name_scopes``: ``['', 'layer1', 'layer1.0', 'add']`` → ``layer1.0``; the
        model itself: ``''``), None where there is none; read as a literal, never run."""
        for prop in getattr(node, "metadata_props", ()):
            if prop.key != "pkg.torch.onnx.name_scopes" or len(prop.value) > 10_000:
                continue
            try:
                scopes = ast.literal_eval(prop.value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                return None
            if isinstance(scopes, list) and len(scopes) >= 2 and all(isinstance(x, str) for x in scopes):
                return scopes[-2] if re.fullmatch(r"[A-Za-z0-9_.-]*", scopes[-2]) else None
        return None

    def name(self, node: Any, index: int, ctx: _Context, suffix: str) -> str:
        op = node.op_type.lower()
        weight = node.input[1] if len(node.input) > 1 and node.op_type in _WEIGHTED else ""
        recorded = None if node.name.startswith("/") else self.recorded_path(node)
        if weight.endswith(".weight") and weight in ctx.initializers:
            base = weight[: -len(".weight")]
        elif node.name.startswith("/") or recorded is not None:
            path = self.scope_path(node.name) if recorded is None else recorded
            # '/layer1/layer1.0/relu1/Relu' is the module relu1; '/layer1/layer1.0/Add' a step of
            # layer1.0's forward (torch functions: merges and reshapes are named after the op)
            step = node.op_type in _FUNCTION_STEPS or not path
            if index in ctx.affines:  # the whole written-out module: named as the module
                op, step = "fixed_affine", not path
            base = path if not step else f"{path}.{op}" if path else op
        else:
            base = re.sub(r"[^A-Za-z0-9_.]+", "_", node.name).strip("_.") or f"{op}{index}"
        if suffix:
            base = f"{base}_{suffix}"  # beside the node, not a scope inside it
        return self.unique(base)

    def unique(self, base: str) -> str:
        name, n = base, 1
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        return name

    def release(self, taken: Iterable[str]) -> None:
        self.taken.difference_update(taken)


_WEIGHTED = frozenset({"Conv", "ConvTranspose", "Gemm", "MatMul", "BatchNormalization", "PRelu"})
_FUNCTION_STEPS = frozenset(
    {"Add", "Mul", "Sum", "Concat", "Flatten", "Reshape", "Split", "Slice", "Pad", "Resize"}
)


def _merged_shape(kind: str, shapes: list[Shape]) -> Shape:
    if kind == "concat":
        first = shapes[0]
        if first.is_flat:
            return Shape(sum(s.channels for s in shapes))
        return Shape(sum(s.channels for s in shapes), first.height, first.width)
    return shapes[0]


def _cnncalc_shape(kind: str, fields: dict[str, Any], inputs: list[Shape]) -> Shape:
    """The output shape cnncalc's layer kind computes (raises on an input it refuses)."""
    if kind in ("add", "mul", "concat"):
        return _merged_shape(kind, inputs)
    layer_kind = lookup(kind)
    assert layer_kind is not None, kind
    return layer_kind(type=kind, **fields).output_shape(inputs[0])


def read_onnx(path: str | PathLike[str], *, input_shape: Shape | None = None) -> ImportedGraph:
    """Read an ONNX file into an :class:`ImportedGraph`; ``input_shape`` (``--input``) replaces the
    graph's input size (required when it is dynamic). Raises :class:`SpecError` for a file that
    cannot be read and :class:`ShapeError` for an input the model rejects."""
    file = Path(path)
    source = str(path)
    model = _load(file, source)
    opset = _opset(model, source)
    value, inp = _network_input(model, source, input_shape)
    shapes = _infer(model, source, inp)
    graph = model.graph
    ctx = _Context(graph, shapes, source, opset)
    ctx.batch = next(iter(shapes.get(value.name) or ()), None) or 1
    try:  # patterns of written-out layers; a damaged attribute: no pattern, the ops stay
        lrns = _decomposed_lrns(graph, ctx.initializers)
        affines = _decomposed_affines(graph, ctx.initializers, shapes)
        views = _identity_strides(graph, ctx.initializers)
    except _ODD_VALUES:
        lrns, affines, views = {}, {}, {}
    for div_index, (fields, chain) in lrns.items():
        ctx.skip.update(chain)
        ctx.lrns[div_index] = fields
    for concat_index, (affine_fields, affine_chain, read) in affines.items():
        ctx.skip.update(affine_chain)
        ctx.affines[concat_index] = (affine_fields, read)
    ctx.producer[value.name] = NETWORK_INPUT
    node_shapes: dict[str, Shape] = {NETWORK_INPUT: inp}
    names = _Names()
    nodes: list[ImportedNode] = []
    const_ops = 0

    def resolve(tensor: str) -> str:
        """The cnncalc node that produces ``tensor`` (through folded pass-throughs)."""
        seen = 0
        target = ctx.producer.get(tensor)
        while target is not None and target.startswith("@") and seen < 1000:
            target = ctx.producer.get(target[1:])
            seen += 1
        if target is None:
            raise _fail(f"the tensor '{tensor}' is read before any node writes it", source)
        return target

    for index, node in enumerate(graph.node):
        view = views.get(index)
        if view is not None and ctx.written_dims(view[0]) == view[3] and view[0] not in ctx.unknown_size:
            ctx.same_as(view[1], view[0])  # an as_strided that changes nothing: its input
            ctx.skip.add(view[2])
            continue
        if index in ctx.skip:
            continue
        attrs = _attributes(node)
        data = node.input[:1] if node.op_type == "CastLike" else node.input  # the 2nd: only a type
        computed = [n for n in data if n and not ctx.is_const(n)]
        folder = _FOLDERS.get(node.op_type) if node.domain in ("", "ai.onnx") else None
        copies = node.op_type in ("Identity", "Cast") and not computed
        if copies and ctx.alias_const(node.output[0], node.input[0]):
            const_ops += 1
            continue
        if folder is not None and (node.op_type in ("Constant", "Shape") or not computed):
            try:
                folded = folder(ctx, node, attrs)
            except _ODD_VALUES:  # a damaged attribute: not a constant cnncalc can compute
                folded = None
            if folded is not None:
                ctx.consts[node.output[0]], ctx.const_dims[node.output[0]] = folded
                const_ops += 1
                continue
        if not computed and node.output and all(ctx.dims(o) is not None for o in node.output):
            # any other op on constants only (a weight's Transpose before MatMul): a constant of
            # the size shape inference gives, its values not needed
            for output in node.output:
                ctx.const_dims[output] = tuple(d or 0 for d in ctx.dims(output) or ())
            const_ops += 1
            continue
        label = f" '{node.name}'" if node.name else ""
        where = f"ONNX node #{index}{label} ({node.op_type})"
        converter = CONVERTERS.get(node.op_type) if node.domain in ("", "ai.onnx") else None
        answer: Answer
        last = [t for t in computed if t in ctx.channels_last]
        if any(t in ctx.unknown_size for t in computed):  # counted on a guessed size, it could be
            # anything (a conv after a global pool ONNX did not size: ×H×W too many MACs)
            answer = Uncounted("its input's size is unknown (an op before it is not counted)")
        elif last and (node.op_type not in _CHANNELS_LAST_OPS or len(last) != len(computed)):
            answer = Uncounted("an op on a tensor with the channels moved last (N×H×W×C, by a Transpose)")
        elif converter is None:
            domain = f" of domain '{node.domain}'" if node.domain not in ("", "ai.onnx") else ""
            answer = Uncounted(f"no cnncalc layer for {node.op_type}{domain}")
        else:
            if last and node.op_type != "Transpose":  # per position over the channels: still last
                ctx.channels_last.update(o for o in node.output if o)
            try:
                answer = converter(ctx, node, attrs)
            except Rejected as exc:
                raise _rejected(inp, where, exc, source, index, node) from None
            except _ODD_VALUES as exc:
                answer = Uncounted(f"attributes cnncalc cannot read ({type(exc).__name__}: {exc})")
        if answer is None:
            continue
        if isinstance(answer, list):
            try:
                emitted = _emit_layers(answer, node, index, ctx, names, node_shapes, where, resolve)
            except Rejected as exc:
                raise _rejected(inp, where, exc, source, index, node) from None
            if not isinstance(emitted, Uncounted):
                nodes.extend(_shared_weights(emitted, node, ctx))
                continue
            answer = emitted
        nodes.append(_uncounted(answer, node, index, ctx, names, node_shapes, where, resolve))

    outputs = tuple(resolve(o.name) for o in graph.output if o.name in ctx.producer)
    notes = _notes(graph, nodes, const_ops) + _weight_notes(ctx)
    renamed = _off_scopes(nodes, names)
    return ImportedGraph(
        name=file.stem,  # torch names every graph main_graph
        input=inp,
        nodes=tuple(_renamed(n, renamed) for n in nodes),
        outputs=tuple(renamed.get(o, o) for o in outputs),
        source=source,
        notes=notes,
    )


def _off_scopes(nodes: list[ImportedNode], names: _Names) -> dict[str, str]:
    """New names for nodes named as a scope that holds other nodes (``se``, a pool a module's
    forward calls, beside ``se.fc1``): ``se.globalaveragepool``, so a name is a layer or a scope."""
    scopes = {".".join(n.name.split(".")[:i]) for n in nodes for i in range(1, n.name.count(".") + 1)}
    renamed = {}
    for node in nodes:
        if node.name in scopes:
            base, n = f"{node.name}.{node.op.lower()}", 1
            name = base
            while name in names.taken:
                n += 1
                name = f"{base}_{n}"
            names.taken.add(name)
            renamed[node.name] = name
    return renamed


def _renamed(node: ImportedNode, renamed: dict[str, str]) -> ImportedNode:
    if not renamed:
        return node
    return replace(
        node,
        name=renamed.get(node.name, node.name),
        inputs=tuple(renamed.get(i, i) for i in node.inputs),
    )


def _rejected(inp: Shape, where: str, exc: Rejected, source: str, index: int, node: Any) -> ShapeError:
    return ShapeError(
        f"the model rejects the input {inp.text()} at {where}: {exc}",
        location=Location(source=source, path=f"node #{index}", layer_name=node.name or None),
        hint="give the size the model was exported for (--input)",
    )


def _emit_layers(
    layers: list[_Layer],
    node: Any,
    index: int,
    ctx: _Context,
    names: _Names,
    node_shapes: dict[str, Shape],
    where: str,
    resolve: Callable[[str], str],
) -> list[ImportedNode] | Uncounted:
    """The layers of one ONNX node, each shape checked against ONNX's; :class:`Uncounted` when
    cnncalc's shape differs or cnncalc refuses the input."""
    emitted: list[ImportedNode] = []
    previous = ""
    planned = [
        names.unique(layer.name) if layer.name else names.name(node, index, ctx, layer.suffix)
        for layer in layers
    ]
    for layer, name in zip(layers, planned, strict=True):
        inputs = tuple(previous if t in ("@", "@pad") else resolve(t) for t in layer.inputs)
        shapes = [node_shapes.get(i) for i in inputs]
        if any(s is None for s in shapes):
            names.release(planned)
            return Uncounted("an input whose shape cnncalc cannot represent")
        try:
            shape = _cnncalc_shape(layer.kind, layer.fields, shapes)  # type: ignore[arg-type]
        except ShapeError as exc:  # the layer cannot run on this input: nor can the model
            raise Rejected(exc.message) from None
        except InvalidField as exc:
            names.release(planned)
            return Uncounted(f"cnncalc refuses it as {layer.kind}: {exc.message}")
        emitted.append(
            ImportedNode(
                name=name,
                op=node.op_type,
                kind=layer.kind,
                fields=dict(layer.fields),
                inputs=inputs,
                output_shape=shape,
                origin=where,
            )
        )
        previous = name
        node_shapes[name] = shape
    # Each ONNX output is the last layer's (a Split: one chunk per output).
    outs = [o for o in node.output if o]
    produced = emitted[-len(outs) :] if len(outs) > 1 else emitted[-1:]
    for tensor, made in zip(outs, produced, strict=False):
        onnx_dims = ctx.dims(tensor)
        onnx_shape = None if onnx_dims is None else shape_of_dims(onnx_dims)
        if onnx_dims is None or None in onnx_dims:
            # shape inference lost it (a slice whose bounds come from the shape): cnncalc's
            # shape, for the ops that follow
            dims = _batch_dims(ctx, made.output_shape)
            if tensor in ctx.channels_last and len(dims) == 4:
                dims = (dims[0], dims[2], dims[3], dims[1])  # the file's N×H×W×C
            ctx.shapes[tensor] = dims
        if onnx_shape is not None and onnx_shape != made.output_shape:
            names.release(planned)
            for e in emitted:
                node_shapes.pop(e.name, None)
            return Uncounted(
                f"cnncalc computes {made.output_shape.text('chw')} as {made.kind}, "  # type: ignore[union-attr]
                f"ONNX's shape inference {dims_text(onnx_dims)}"
            )
        ctx.producer[tensor] = made.name
    return emitted


# Ops that work at each position over the channels, or element by element: on a tensor with the
# channels last (ConvNeXt's N×H×W×C), cnncalc reads them on its C×H×W
_CHANNELS_LAST_OPS = frozenset(_SAME_ACTIVATION) | {
    "LayerNormalization",
    "MatMul",
    "Add",
    "Mul",
    "Sum",
    "Transpose",
    "Dropout",
    "Identity",
    "HardSigmoid",
    "LeakyRelu",
    "Clip",
}
_WITH_PARAMETERS = frozenset(
    {"conv", "deconv", "fc", "channel_linear", "batchnorm", "prelu", "layernorm", "layerscale"}
)


def _batch_dims(ctx: _Context, shape: Shape) -> Dims:
    """``shape`` as ONNX dims, with the network input's batch."""
    per_sample = (shape.channels,) if shape.is_flat else (shape.channels, shape.height, shape.width)
    return (ctx.batch, *per_sample)


def _module_of(tensor: str, node: Any) -> bool:
    """Whether the node (``/shared_1/Conv``; with the dynamo exporter, ``node_conv2d_2`` whose
    metadata records the module ``shared``) is a call of the module that owns the initializer
    (``shared.weight``), as torch.onnx.export names them: then a second reader is that module
    called again."""
    owner = tensor.rpartition(".")[0]
    recorded = None if node.name.startswith("/") else _Names.recorded_path(node)
    if recorded is not None:  # dynamo records a second call under the module's own path
        return bool(owner) and recorded == owner
    scope = _Names.scope_path(node.name)
    return bool(owner) and re.fullmatch(re.escape(owner) + r"(_\d+)?", scope) is not None


def _varied(tensor: Any) -> bool | None:
    """Whether an initializer holds more than one value (read from its bytes); None when its
    values are not in the file (external data, an element type not decoded)."""
    raw = tensor.raw_data
    if raw:
        size = len(raw) // max(_numel(tensor.dims), 1)
        return size > 0 and raw != raw[:size] * (len(raw) // size)
    try:
        values = _decode(tensor)
    except (ValueError, struct.error):
        return None
    return len(set(values)) > 1 if values else None


def _shared_weights(emitted: list[ImportedNode], node: Any, ctx: _Context) -> list[ImportedNode]:
    """A layer whose weight initializer an earlier layer read (a module called twice, exported
    once): ``shares`` that layer, so its parameters count once and its MACs at every call."""
    read = [t for t in node.input if t in ctx.initializers]
    layer = next((e for e in emitted if e.kind in _WITH_PARAMETERS), None)
    if not read or layer is None:
        return emitted
    owners = {ctx.weights_owner.get(t) for t in read}
    foreign = [t for t in read if ctx.weights_owner.get(t) and not _module_of(t, node)]
    varied = [_varied(ctx.initializers[t]) for t in foreign]
    if foreign and not all(varied):
        # one tensor, other modules: the exporter merged initializers of equal values (a fresh
        # model's BatchNorms all hold ones and zeros), which are separate parameters in the model;
        # values not in the file: either, counted for each module as well, said apart
        for tensor, known in zip(foreign, varied, strict=True):
            (ctx.merged_values if known is False else ctx.unread_values).add(tensor)
        return emitted
    earlier = ctx.owner_layers.get(next(iter(owners)) or "") if len(owners) == 1 else None
    if foreign and (earlier is None or not same_definition(earlier, layer.kind, layer.fields)):
        # tied, but not all of them, or to a layer defined otherwise: counted again, said
        ctx.tied_in_part.append((node.name or layer.name, ", ".join(sorted(o for o in owners if o))))
        return emitted
    if foreign:  # varied values no two fresh or trained modules hold by chance: tied weights
        ctx.tied.append((foreign[0], next(iter(owners)) or "", node.name or layer.name))
    if owners == {None}:
        ctx.weights_owner.update(dict.fromkeys(read, layer.name))
        ctx.owner_layers[layer.name] = layer
        return emitted
    first = next(iter(owners - {None}))
    if len(owners) != 1 or first is None:
        return emitted  # some weights shared, some not: the parser's check says which
    shared = replace(layer, fields={**layer.fields, "shares": first})
    return [shared if e is layer else e for e in emitted]


def _uncounted(
    answer: Uncounted,
    node: Any,
    index: int,
    ctx: _Context,
    names: _Names,
    node_shapes: dict[str, Shape],
    where: str,
    resolve: Callable[[str], str],
) -> ImportedNode:
    """An ``uncounted`` node (:class:`cnncalc.layers.uncounted.Uncounted`): the op with why and
    its ONNX sizes (N×C×H×W) in ``op``, its output shape per sample, and the parameters of the
    initializers it reads."""
    computed = [t for t in node.input if t and not ctx.is_const(t) and t in ctx.producer]
    inputs = tuple(dict.fromkeys(resolve(t) for t in computed))
    outs = [o for o in node.output if o]
    out_dims = ctx.dims(outs[0]) if outs else None
    sizes = ", ".join(dims_text(ctx.written_dims(t)) for t in computed) or "constants"
    shown = f"{sizes} → {', '.join(dims_text(ctx.written_dims(o)) for o in outs)}"
    shape = _per_sample(out_dims)
    if shape is None:  # its size is unknown: the row keeps its input's, and says so
        shape = node_shapes.get(inputs[0]) if inputs else None
        shown += "; output size unknown"
        ctx.unknown_size.update(outs)  # what reads it is not counted either
    op = f"{where}, {shown}: {answer.reason}"
    fields: dict[str, Any] = {
        "op": op if len(op) <= _MAX_OP else op[: _MAX_OP - 1] + "…",
        "output": shape or Shape(1),
    }
    read = [
        t
        for t in dict.fromkeys(node.input)
        if t in ctx.initializers and not (t in ctx.weights_owner and _module_of(t, node))
    ]
    floats = [
        t
        for t in read
        if ctx.initializers[t].data_type in _FLOAT_TYPES
        and not (_EXPORTER_VALUE.fullmatch(t) and _numel(ctx.initializers[t].dims) <= 1)  # a number
    ]
    # a BatchNormalization's running mean and variance are buffers, not parameters
    stats = set(node.input[3:5]) if node.op_type == "BatchNormalization" else set()
    weights = sum(_numel(ctx.initializers[t].dims) for t in floats if t not in stats)
    buffers = sum(_numel(ctx.initializers[t].dims) for t in floats if t in stats)
    if buffers:  # and torch's num_batches_tracked, as the batchnorm kind counts its buffers
        buffers += 1
    if weights:
        fields["params"] = weights
    if buffers:
        fields["buffer_values"] = buffers
    name = names.name(node, index, ctx, "")
    ctx.weights_owner.update(dict.fromkeys(read, name))  # counted here: not again by a later reader
    for tensor in outs:
        ctx.producer[tensor] = name
    node_shapes[name] = fields["output"]
    return ImportedNode(
        name=name,
        op=node.op_type,
        kind=UNCOUNTED,
        fields=fields,
        inputs=inputs,
        output_shape=fields["output"],
        origin=where,
    )


_MAX_OP = 200  # the uncounted kind's limit on its op text
_FLOAT_TYPES = frozenset({1, 10, 11, 16})  # float, float16, double, bfloat16: weights, not indices


def _per_sample(dims: Dims | None) -> Shape | None:
    """cnncalc's shape of an ONNX tensor with a batch axis: N×C×H×W, N×F, else N×… as a vector of
    its values per sample; None when a size is unknown."""
    if dims is None or not dims or any(d is None for d in dims):
        return None
    shape = shape_of_dims(dims)
    if shape is None:
        shape = Shape(max(_numel(dims[1:]), 1))  # type: ignore[arg-type]
    return shape


def _weight_notes(ctx: _Context) -> tuple[str, ...]:
    """What the reader made of initializers read by more than one module."""
    notes = [
        f"{tensor} is read by {first} and by {second}: one tensor of varied values (an exporter "
        "merges only equal values), so one module's weights, called again or tied: counted once"
        for tensor, first, second in ctx.tied
    ]
    notes += [
        f"{layer}: some or all of its parameters are those of {earlier} (tied weights), which only "
        "a layer defined the same way can share: they are counted again"
        for layer, earlier in ctx.tied_in_part
    ]
    if ctx.unread_values:
        notes.append(
            f"{len(ctx.unread_values)} initializers read by several modules have their values "
            "outside the file: an exporter's merge of equal values or weights tied, cnncalc cannot "
            "tell which; counted for each module"
        )
    if ctx.merged_values:
        notes.append(
            f"{len(ctx.merged_values)} initializers holding one repeated value (a fresh model's "
            "BatchNorm ones and zeros) are read by several modules: the exporter merges equal "
            "values, so each module's are counted"
        )
    return tuple(notes)


def _notes(graph: Any, nodes: list[ImportedNode], const_ops: int) -> tuple[str, ...]:
    notes = []
    has_bn = any(n.op_type == "BatchNormalization" for n in graph.node)
    folded = [
        n
        for n in graph.node
        if n.op_type == "Conv" and len(n.input) > 2 and n.input[1].startswith("onnx::Conv_")
    ]
    if folded and not has_bn:
        notes.append(
            f"{len(folded)} convolutions have weights named by the exporter (onnx::Conv_…) and a bias, "
            "and the graph has no BatchNormalization: torch.onnx.export in eval mode folds each "
            "BatchNorm into the convolution before it, so their parameters are the folded ones "
            "(a bias per filter, no BatchNorm parameters or running statistics); export with "
            "training=torch.onnx.TrainingMode.TRAINING or do_constant_folding=False to keep them"
        )
    fused = [
        n
        for n in graph.node
        if n.op_type == "Conv"
        and any(
            p.key == "pkg.onnxscript.rewriter.rule_name" and "FuseBatchNormIntoConv" in p.value
            for p in getattr(n, "metadata_props", ())
        )
    ]
    unbiased = [  # a zero bias of the model's own removed (a fused BatchNorm's: the note below)
        n
        for n in graph.node
        if n.op_type == "Conv"
        and n not in fused
        and any(
            p.key == "pkg.onnxscript.rewriter.rule_name" and "RemoveOptionalBiasFromConv" in p.value
            for p in getattr(n, "metadata_props", ())
        )
    ]
    if unbiased:
        notes.append(
            f"{len(unbiased)} convolutions lost a bias of zeros to torch.onnx.export(dynamo=True)'s "
            "optimizer (RemoveOptionalBiasFromConv): a zero bias of the model is not in the file, nor "
            "in the counts; export with optimize=False to keep it"
        )
    if fused:
        notes.append(
            f"{len(fused)} convolutions hold a BatchNorm that torch.onnx.export(dynamo=True) fused into "
            "them (its optimizer's FuseBatchNormIntoConv): their parameters are the fused ones (a bias "
            "per filter, dropped where it is zero; no BatchNorm parameters or running statistics); "
            "export with optimize=False to keep them"
        )
    scales = sum(n.kind == "layerscale" for n in nodes)
    if scales:
        notes.append(
            f"{scales} C×1×1 initializers that multiply a feature map are counted as layer scales, "
            "one parameter per channel: an ONNX file does not say whether such a tensor is learned "
            "(ConvNeXt's layer_scale) or a fixed buffer"
        )
    if const_ops:
        notes.append(
            f"{const_ops} ONNX nodes only compute constants (copies of initializers, shapes, reshape "
            "targets): folded, not counted"
        )
    return tuple(notes)

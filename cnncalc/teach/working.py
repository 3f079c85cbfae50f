"""The working behind every number of a report, as the slides write it.

Each :class:`Step` is a quantity (a message id), its formula in the slides' symbols (N input size,
P padding, F filter size, S stride, D dilation, K filters, C input depth), the same formula with the
layer's numbers substituted, the exact value of that expression and the value the engine computed.
The numbers are read from the layer objects and the :class:`~cnncalc.report.Report`; the shapes,
parameters and MACs themselves come from the engine, never recomputed here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction

from cnncalc.errors import UsageError
from cnncalc.i18n import N_, decimal_point
from cnncalc.layers.base import LayerDef, pair
from cnncalc.layers.conv import Conv2d, ConvTranspose2d
from cnncalc.layers.linear import ChannelLinear, LayerScale, Linear, StochasticDepth
from cnncalc.layers.norm import BatchNorm, GroupNorm, InstanceNorm, LayerNorm
from cnncalc.layers.pool import AvgPool2d, MaxPool2d, _WindowPool
from cnncalc.layers.sliding import effective_kernel, window_output
from cnncalc.layers.upsample import PixelShuffle, PixelUnshuffle, Upsample
from cnncalc.report import LayerRow, Report
from cnncalc.shapes import Shape
from cnncalc.spec import LayerNode, MergeNode, Network, SequenceNode, SideNode, TapNode

# Message ids of the quantities (translated by the renderers).
OUT_HW = N_("output height = width")
OUT_H = N_("output height")
OUT_W = N_("output width")
OUT_DEPTH = N_("output depth = number of filters K")
OUT_DEPTH_SAME = N_("output depth = input depth")
OUT_VOLUME = N_("output volume")
FLATTENED = N_("inputs after flattening")
WEIGHTS_PER_FILTER = N_("weights per filter")
PARAMS = N_("parameters")
PARAMS_NO_BIAS = N_("parameters (weights, no biases)")
MACS = N_("MACs (multiply-accumulates)")
MEMORY = N_("activation memory (bytes)")
CONCAT_DEPTH = N_("output depth = sum of the branch depths")
ADD_SHAPE = N_("output = body + shortcut, element by element")
GATE_SHAPE = N_("output = input × scale, each channel's map times its scale")
TOTAL_PARAMS = N_("total parameters")
TOTAL_WEIGHTS = N_("total parameters (weights, no biases)")
TOTAL_MACS = N_("total MACs")
TOTAL_ACTIVATIONS = N_("sum of activations (values)")
SAME_PADDING = N_("padding that keeps the size (stride 1)")
SOLVE = N_("output size")
CHANNELS_PER_GROUP = N_("channels per group")
OUT_DEPTH_SHUFFLE = N_("output depth = C / r²")
OUT_DEPTH_UNSHUFFLE = N_("output depth = C × r²")
OUT_DEPTH_UNITS = N_("output depth = units")

# Notes.
NOTE_NOT_FIT = N_("does not fit (não cabe): {exact} → PyTorch floors it to {result}")
NOTE_CEIL = N_("ceil mode: rounds {exact} up")
NOTE_CEIL_DROP = N_("the last window would start in the padding, so PyTorch drops it")
NOTE_NO_PARAMS = N_("pooling has no parameters: it computes a fixed function")
NOTE_NO_PARAMS_OTHER = N_("no parameters")
NOTE_IN_PLACE = N_("in place: not counted in the sum of activations")
NOTE_FLOOR = N_("N × s = {exact}: PyTorch floors it")
NOTE_IDENTITY = N_("identity at inference: only training drops the branch")
NOTE_PER_POSITION = N_("the same weights at each of the H×W positions")
NOTE_EVEN_KERNEL = N_(
    "even kernel: no symmetric padding keeps the size; PyTorch 'same' pads {lead} before and {trail} after"
)


@dataclass(frozen=True)
class Step:
    """One line of working: ``what: formula = numbers = value``."""

    what: str
    formula: str
    numbers: str
    value: Fraction
    result: int | str
    notes: tuple[tuple[str, dict[str, str]], ...] = ()

    @property
    def fits(self) -> bool:
        """False when the expression is not a whole number (a window that does not tile its input)."""
        return self.value.denominator == 1


@dataclass(frozen=True)
class LayerWorking:
    index: int
    name: str
    type: str
    description: str
    input: str
    output: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Working:
    network: str
    input: str
    order: str
    layers: tuple[LayerWorking, ...]
    totals: tuple[Step, ...] = field(default=())


def fraction_text(value: Fraction) -> str:
    """``32``, ``7.5``, ``2.33`` (at most two decimals when not whole), as the slides print them;
    ``2,33`` in Portuguese."""
    if value.denominator == 1:
        return str(value.numerator)
    return decimal_point(f"{float(value):.2f}".rstrip("0"))


def _prod(factors: list[int]) -> Fraction:
    result = Fraction(1)
    for f in factors:
        result *= f
    return result


def _x(factors: list[int | str]) -> str:
    return "×".join(str(f) for f in factors)


# -- output size --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Axis:
    n: int
    kernel: int
    stride: int
    pad_total: int
    dilation: int
    ceil: bool


def _size_step(what: str, axis: _Axis, result: int, pooling: bool) -> Step:
    n, k, s, pt, d = axis.n, axis.kernel, axis.stride, axis.pad_total, axis.dilation
    pad_sym, pad_num = ("2P", f"2×{pt // 2}") if pt % 2 == 0 else ("P_total", str(pt))
    if d == 1:
        kernel_sym, kernel_num = "F", str(k)
    else:
        kernel_sym, kernel_num = "D×(F − 1) − 1", f"{d}×({k} − 1) − 1"
    if pooling and pt == 0 and d == 1:
        inner_sym, inner_num = f"N − {kernel_sym}", f"{n} − {kernel_num}"
    else:
        inner_sym, inner_num = f"N + {pad_sym} − {kernel_sym}", f"{n} + {pad_num} − {kernel_num}"
    quotient = Fraction(n + pt - effective_kernel(k, d), s)
    notes: list[tuple[str, dict[str, str]]] = []
    if axis.ceil:
        formula, numbers = f"⌈({inner_sym})/S⌉ + 1", f"⌈({inner_num})/{s}⌉ + 1"
        value = Fraction(-(-quotient.numerator // quotient.denominator) + 1)
        if quotient.denominator != 1:
            notes.append((NOTE_CEIL, {"exact": fraction_text(quotient + 1)}))
        if value != result:
            notes.append((NOTE_CEIL_DROP, {}))
    else:
        formula, numbers = f"({inner_sym})/S + 1", f"({inner_num})/{s} + 1"
        value = quotient + 1
        if value.denominator != 1:
            notes.append((NOTE_NOT_FIT, {"exact": fraction_text(value), "result": str(result)}))
    return Step(what, formula, numbers, value, result, tuple(notes))


def _size_steps(axes: tuple[_Axis, _Axis], out: Shape, pooling: bool) -> list[Step]:
    if axes[0] == axes[1] and out.height == out.width:
        return [_size_step(OUT_HW, axes[0], out.height or 1, pooling)]
    return [
        _size_step(OUT_H, axes[0], out.height or 1, pooling),
        _size_step(OUT_W, axes[1], out.width or 1, pooling),
    ]


def _volume_step(out: Shape, order: str) -> Step:
    if out.is_flat:
        return Step(OUT_VOLUME, "n", "", Fraction(out.numel), out.text(order))
    return Step(
        OUT_VOLUME, "H′×W′×C′" if order == "hwc" else "C′×H′×W′", "", Fraction(out.numel), out.text(order)
    )


# -- per layer kind -----------------------------------------------------------------------------
def _conv_steps(layer: Conv2d, inp: Shape, out: Shape, row: LayerRow, order: str) -> list[Step]:
    (th, _), (tw, _) = layer.pads()
    (kh, kw), (sh, sw), (dh, dw) = pair(layer.kernel), pair(layer.stride), pair(layer.dilation)
    axes = (
        _Axis(inp.height or 1, kh, sh, th, dh, False),
        _Axis(inp.width or 1, kw, sw, tw, dw, False),
    )
    steps = _size_steps(axes, out, pooling=False)
    k = layer.filters
    steps.append(Step(OUT_DEPTH, "C′ = K", str(k), Fraction(k), out.channels))
    steps.append(_volume_step(out, order))
    groups = layer.group_count(inp)
    depth = inp.channels // groups
    depth_sym = "C" if groups == 1 else "C/G"
    depth_num = str(inp.channels) if groups == 1 else f"({inp.channels}/{groups})"
    per_filter = _prod([kh, kw, depth])
    steps.append(
        Step(WEIGHTS_PER_FILTER, f"F×F×{depth_sym}", _x([kh, kw, depth_num]), per_filter, int(per_filter))
    )
    if layer.bias:
        steps.append(
            Step(
                PARAMS,
                f"(F×F×{depth_sym} + 1)×K",
                f"({_x([kh, kw, depth_num])} + 1)×{k}",
                (per_filter + 1) * k,
                row.params,
            )
        )
    else:
        steps.append(
            Step(PARAMS_NO_BIAS, f"F×F×{depth_sym}×K", _x([kh, kw, depth_num, k]), per_filter * k, row.params)
        )
    oh, ow = out.spatial
    steps.append(
        Step(
            MACS,
            f"H′×W′×K×F×F×{depth_sym}",
            _x([oh, ow, k, kh, kw, depth_num]),
            _prod([oh, ow, k]) * per_filter,
            row.macs,
        )
    )
    return steps


def _deconv_steps(layer: ConvTranspose2d, inp: Shape, out: Shape, row: LayerRow, order: str) -> list[Step]:
    steps = []
    for what, n, k, s, p, op, d, result in zip(
        (OUT_H, OUT_W),
        inp.spatial,
        pair(layer.kernel),
        pair(layer.stride),
        pair(layer.padding),
        pair(layer.output_padding),
        pair(layer.dilation),
        out.spatial,
        strict=True,
    ):
        steps.append(
            Step(
                what,
                "(N − 1)×S − 2P + D×(F − 1) + OP + 1",
                f"({n} − 1)×{s} − 2×{p} + {d}×({k} − 1) + {op} + 1",
                Fraction((n - 1) * s - 2 * p + d * (k - 1) + op + 1),
                result,
            )
        )
    if steps[0].numbers == steps[1].numbers:
        steps = [Step(OUT_HW, steps[0].formula, steps[0].numbers, steps[0].value, steps[0].result)]
    k = layer.filters
    steps.append(Step(OUT_DEPTH, "C′ = K", str(k), Fraction(k), out.channels))
    steps.append(_volume_step(out, order))
    kh, kw = pair(layer.kernel)
    per_group = k // layer.groups
    weights = _prod([inp.channels, per_group, kh, kw])
    kg = str(k) if layer.groups == 1 else f"({k}/{layer.groups})"
    if layer.bias:
        steps.append(
            Step(PARAMS, "C×K×F×F + K", f"{_x([inp.channels, kg, kh, kw])} + {k}", weights + k, row.params)
        )
    else:
        steps.append(Step(PARAMS_NO_BIAS, "C×K×F×F", _x([inp.channels, kg, kh, kw]), weights, row.params))
    ih, iw = inp.spatial
    steps.append(
        Step(MACS, "H×W×C×K×F×F", _x([ih, iw, inp.channels, kg, kh, kw]), _prod([ih, iw]) * weights, row.macs)
    )
    return steps


def _pool_steps(layer: _WindowPool, inp: Shape, out: Shape, row: LayerRow, order: str) -> list[Step]:
    (kh, kw), (sh, sw), (ph, pw) = pair(layer.kernel), layer.stride_pair(), pair(layer.padding)
    dh, dw = layer.dilation_pair()
    axes = (
        _Axis(inp.height or 1, kh, sh, 2 * ph, dh, layer.ceil_mode),
        _Axis(inp.width or 1, kw, sw, 2 * pw, dw, layer.ceil_mode),
    )
    steps = _size_steps(axes, out, pooling=True)
    steps.append(Step(OUT_DEPTH_SAME, "C′ = C", str(inp.channels), Fraction(inp.channels), out.channels))
    steps.append(_volume_step(out, order))
    steps.append(Step(PARAMS, "0", "0", Fraction(0), row.params, ((NOTE_NO_PARAMS, {}),)))
    return steps


def _linear_steps(layer: Linear, inp: Shape, out: Shape, row: LayerRow, order: str) -> list[Step]:
    steps = []
    n_in = inp.numel
    if not inp.is_flat:
        h, w = inp.spatial
        factors = [h, w, inp.channels] if order == "hwc" else [inp.channels, h, w]
        steps.append(
            Step(FLATTENED, "H×W×C" if order == "hwc" else "C×H×W", _x(factors), Fraction(n_in), n_in)
        )
    units = layer.units
    steps.append(_volume_step(out, order))
    if layer.bias:
        steps.append(
            Step(
                PARAMS,
                "in×out + out",
                f"{n_in}×{units} + {units}",
                Fraction(n_in * units + units),
                row.params,
            )
        )
    else:
        steps.append(Step(PARAMS_NO_BIAS, "in×out", f"{n_in}×{units}", Fraction(n_in * units), row.params))
    steps.append(Step(MACS, "in×out", f"{n_in}×{units}", Fraction(n_in * units), row.macs))
    return steps


def _batchnorm_steps(layer: BatchNorm, inp: Shape, out: Shape, row: LayerRow, order: str) -> list[Step]:
    return [
        _volume_step(out, order),
        Step(PARAMS, "2×C (γ, β)", f"2×{inp.channels}", Fraction(2 * inp.channels), row.params),
    ]


def _norm_steps(layer: LayerDef, inp: Shape, out: Shape, row: LayerRow, order: str) -> list[Step]:
    """LayerNorm, GroupNorm, InstanceNorm: a scale γ and a shift β per channel when affine."""
    steps = []
    if isinstance(layer, GroupNorm):
        g = layer.groups
        steps.append(
            Step(
                CHANNELS_PER_GROUP, "C/G", f"{inp.channels}/{g}", Fraction(inp.channels, g), inp.channels // g
            )
        )
    steps.append(_volume_step(out, order))
    c = inp.channels
    if row.weights and row.biases:
        steps.append(Step(PARAMS, "2×C (γ, β)", f"2×{c}", Fraction(2 * c), row.params))
    elif row.weights:
        steps.append(Step(PARAMS_NO_BIAS, "C (γ)", str(c), Fraction(c), row.params))
    else:
        steps.append(Step(PARAMS, "0", "0", Fraction(0), row.params, ((NOTE_NO_PARAMS_OTHER, {}),)))
    return steps


def _upsample_steps(layer: Upsample, inp: Shape, out: Shape, row: LayerRow, order: str) -> list[Step]:
    scales = layer.scales()
    steps = []
    if scales is not None:
        axes = [
            (OUT_H, inp.height or 1, scales[0], out.height),
            (OUT_W, inp.width or 1, scales[1], out.width),
        ]
        if axes[0][1:] == axes[1][1:]:
            axes = [(OUT_HW, *axes[0][1:])]
        for what, n, s, result in axes:
            exact = Fraction(n) * Fraction(s)
            notes = () if exact.denominator == 1 else ((NOTE_FLOOR, {"exact": fraction_text(exact)}),)
            steps.append(Step(what, "⌊N × s⌋", f"⌊{n} × {s:g}⌋", Fraction(result or 1), result or 1, notes))
    steps.append(Step(OUT_DEPTH_SAME, "C′ = C", str(inp.channels), Fraction(inp.channels), out.channels))
    steps.append(_volume_step(out, order))
    steps.append(Step(PARAMS, "0", "0", Fraction(0), row.params, ((NOTE_NO_PARAMS_OTHER, {}),)))
    return steps


def _shuffle_steps(
    layer: PixelShuffle | PixelUnshuffle, inp: Shape, out: Shape, row: LayerRow, order: str
) -> list[Step]:
    r, c = layer.factor, inp.channels
    up = isinstance(layer, PixelShuffle)
    formula = "N × r" if up else "N / r"
    axes = [(OUT_H, inp.height or 1, out.height or 1), (OUT_W, inp.width or 1, out.width or 1)]
    if axes[0][1:] == axes[1][1:]:
        axes = [(OUT_HW, *axes[0][1:])]
    sizes = [
        Step(what, formula, f"{n} × {r}" if up else f"{n}/{r}", Fraction(n * r) if up else Fraction(n, r), o)
        for what, n, o in axes
    ]
    if up:
        depth = Step(OUT_DEPTH_SHUFFLE, "C′ = C/r²", f"{c}/{r}²", Fraction(c, r * r), out.channels)
    else:
        depth = Step(OUT_DEPTH_UNSHUFFLE, "C′ = C×r²", f"{c}×{r}²", Fraction(c * r * r), out.channels)
    return [
        *sizes,
        depth,
        _volume_step(out, order),
        Step(PARAMS, "0", "0", Fraction(0), row.params, ((NOTE_NO_PARAMS_OTHER, {}),)),
    ]


def _channel_linear_steps(
    layer: ChannelLinear, inp: Shape, out: Shape, row: LayerRow, order: str
) -> list[Step]:
    c, k = inp.channels, layer.units
    h, w = inp.spatial
    steps = [Step(OUT_DEPTH_UNITS, "C′ = K", str(k), Fraction(k), out.channels), _volume_step(out, order)]
    notes = ((NOTE_PER_POSITION, {}),)
    if layer.bias:
        steps.append(Step(PARAMS, "C×K + K", f"{c}×{k} + {k}", Fraction(c * k + k), row.params, notes))
    else:
        steps.append(Step(PARAMS_NO_BIAS, "C×K", f"{c}×{k}", Fraction(c * k), row.params, notes))
    steps.append(Step(MACS, "H×W×C×K", _x([h, w, c, k]), _prod([h, w, c, k]), row.macs))
    return steps


def _layer_scale_steps(layer: LayerScale, inp: Shape, out: Shape, row: LayerRow, order: str) -> list[Step]:
    c = inp.channels
    return [_volume_step(out, order), Step(PARAMS_NO_BIAS, "C (γ)", str(c), Fraction(c), row.params)]


def _stochastic_depth_steps(
    layer: StochasticDepth, inp: Shape, out: Shape, row: LayerRow, order: str
) -> list[Step]:
    return [
        _volume_step(out, order),
        Step(PARAMS, "0", "0", Fraction(0), row.params, ((NOTE_IDENTITY, {}),)),
    ]


def _other_steps(layer: LayerDef, inp: Shape, out: Shape, row: LayerRow, order: str) -> list[Step]:
    notes = ((NOTE_NO_PARAMS_OTHER, {}),) if row.params == 0 else ()
    return [_volume_step(out, order), Step(PARAMS, "", "", Fraction(row.params), row.params, notes)]


def _memory_step(row: LayerRow, report: Report) -> Step:
    out = row.output_shape.shape()
    batch, bpe = report.settings.batch, report.settings.bytes_per_element
    factors: list[int] = [out.numel] if out.is_flat else [out.height or 1, out.width or 1, out.channels]
    symbols = "H′×W′×C′" if not out.is_flat else "n"
    notes = ((NOTE_IN_PLACE, {}),) if row.in_place else ()
    return Step(
        MEMORY,
        f"{symbols} × batch × bytes",
        f"{_x(factors)} × {batch} × {bpe}",
        _prod([*factors, batch, bpe]),
        row.activation_bytes,
        notes,
    )


_KIND_STEPS = (
    (Conv2d, _conv_steps),
    (ConvTranspose2d, _deconv_steps),
    (MaxPool2d, _pool_steps),
    (AvgPool2d, _pool_steps),
    (Linear, _linear_steps),
    (BatchNorm, _batchnorm_steps),
    (LayerNorm, _norm_steps),
    (GroupNorm, _norm_steps),
    (InstanceNorm, _norm_steps),
    (Upsample, _upsample_steps),
    (PixelShuffle, _shuffle_steps),
    (PixelUnshuffle, _shuffle_steps),
    (ChannelLinear, _channel_linear_steps),
    (LayerScale, _layer_scale_steps),
    (StochasticDepth, _stochastic_depth_steps),
)


def layer_steps(layer: LayerDef, row: LayerRow, report: Report) -> list[Step]:
    """The working of one layer row of ``report``."""
    inp = row.input_shapes[0].shape()
    out = row.output_shape.shape()
    order = report.settings.order
    for kind, make in _KIND_STEPS:
        if isinstance(layer, kind):
            steps = make(layer, inp, out, row, order)  # type: ignore[operator]
            break
    else:
        steps = _other_steps(layer, inp, out, row, order)
    return [*steps, _memory_step(row, report)]


def _merge_steps(row: LayerRow, report: Report) -> list[Step]:
    order = report.settings.order
    out = row.output_shape.shape()
    if row.type == "concat":
        depths = [s.channels for s in row.input_shapes]
        step = Step(
            CONCAT_DEPTH,
            "C′ = C₁ + C₂ + …",
            " + ".join(map(str, depths)),
            Fraction(sum(depths)),
            out.channels,
        )
        return [step, _volume_step(out, order), _memory_step(row, report)]
    if row.type == "mul":
        shapes = " × ".join(s.text(order) for s in row.input_shapes)
        return [Step(GATE_SHAPE, "", shapes, Fraction(out.numel), out.text(order)), _memory_step(row, report)]
    shapes = " + ".join(s.text(order) for s in row.input_shapes)
    return [Step(ADD_SHAPE, "", shapes, Fraction(out.numel), out.text(order)), _memory_step(row, report)]


def rows_in_order(node: SequenceNode) -> Iterator[LayerDef | MergeNode]:
    """Layers and merges in the engine's row order (branches before their merge)."""
    for child in node.children:
        if isinstance(child, LayerNode):
            yield child.layer
        elif isinstance(child, SequenceNode):
            yield from rows_in_order(child)
        elif isinstance(child, SideNode):  # an auxiliary output: its layers, no row of its own
            yield from rows_in_order(child.branch)
        elif isinstance(child, TapNode):  # a reference to an earlier output: no row
            continue
        else:
            for branch in child.branches:
                yield from rows_in_order(branch)
            yield child


def _sum_step(what: str, values: list[int], result: int) -> Step:
    shown = [v for v in values if v]
    numbers = " + ".join(str(v) for v in shown[:24]) + (" + …" if len(shown) > 24 else "")
    return Step(what, "Σ", numbers or "0", Fraction(sum(values)), result)


def explain(network: Network, report: Report) -> Working:
    """The working of every row of ``report`` (made by analysing ``network``) and of the totals."""
    items = list(rows_in_order(network.body))
    if len(items) != len(report.layers):
        raise UsageError("the report does not belong to this network")
    layers = []
    for item, row in zip(items, report.layers, strict=True):
        steps = _merge_steps(row, report) if isinstance(item, MergeNode) else layer_steps(item, row, report)
        order = report.settings.order
        layers.append(
            LayerWorking(
                index=row.index,
                name=row.name,
                type=row.type,
                description=row.description,
                input=" + ".join(s.text(order) for s in row.input_shapes),
                output=row.output_shape.text(order),
                steps=tuple(steps),
            )
        )
    totals = explain_totals(report)
    return Working(
        report.network.name,
        report.input.text(report.settings.order),
        report.settings.order,
        tuple(layers),
        totals,
    )


def explain_totals(report: Report, *, biases: bool = True) -> tuple[Step, Step, Step]:
    """Total parameters, MACs and sum of activations as sums of the per-layer values (the MACs and
    activations of the layers that run at inference); with ``biases=False`` the parameters are the
    weights alone (an answers file's ``biases: false``)."""
    t = report.totals
    running = [r for r in report.layers if r.inference]
    act = [report.input.elements] + [r.activation_elements for r in running if not r.in_place]
    params = (
        _sum_step(TOTAL_PARAMS, [r.params for r in report.layers], t.params)
        if biases
        else _sum_step(TOTAL_WEIGHTS, [r.weights for r in report.layers], t.weights)
    )
    return (
        params,
        _sum_step(TOTAL_MACS, [r.macs for r in running], t.macs),
        _sum_step(TOTAL_ACTIVATIONS, act, t.activation_sum_elements),
    )


def weights_only_step(layer: LayerDef, row: LayerRow) -> Step | None:
    """The parameters of a layer that has biases, counted without them (an answers file's
    ``biases: false``, the slides' "sem contar os biases"); None when it has no biases."""
    if not row.biases:
        return None
    inp = row.input_shapes[0].shape()
    if isinstance(layer, Conv2d):
        kh, kw = pair(layer.kernel)
        groups = layer.group_count(inp)
        depth_sym = "C" if groups == 1 else "C/G"
        depth_num = str(inp.channels) if groups == 1 else f"({inp.channels}/{groups})"
        numbers = _x([kh, kw, depth_num, layer.filters])
        return Step(PARAMS_NO_BIAS, f"F×F×{depth_sym}×K", numbers, Fraction(row.weights), row.weights)
    if isinstance(layer, ConvTranspose2d):
        kh, kw = pair(layer.kernel)
        k = layer.filters
        kg = str(k) if layer.groups == 1 else f"({k}/{layer.groups})"
        numbers = _x([inp.channels, kg, kh, kw])
        return Step(PARAMS_NO_BIAS, "C×K×F×F", numbers, Fraction(row.weights), row.weights)
    if isinstance(layer, Linear):
        numbers = f"{inp.numel}×{layer.units}"
        return Step(PARAMS_NO_BIAS, "in×out", numbers, Fraction(row.weights), row.weights)
    if isinstance(layer, BatchNorm):
        return Step(PARAMS_NO_BIAS, "C (γ)", str(inp.channels), Fraction(row.weights), row.weights)
    return None


# -- the inverse questions --------------------------------------------------------------------------
def same_padding(kernel: int, dilation: int = 1) -> Step:
    """The padding P that keeps the size with stride 1: P = (F − 1)/2 (D×(F − 1)/2 when dilated)."""
    if kernel < 1 or dilation < 1:
        raise UsageError("kernel and dilation must be at least 1")
    total = dilation * (kernel - 1)
    formula, numbers = (
        ("(F − 1)/2", f"({kernel} − 1)/2")
        if dilation == 1
        else ("D×(F − 1)/2", f"{dilation}×({kernel} − 1)/2")
    )
    value = Fraction(total, 2)
    notes: tuple[tuple[str, dict[str, str]], ...] = ()
    if total % 2:
        lead = total // 2
        notes = ((NOTE_EVEN_KERNEL, {"lead": str(lead), "trail": str(total - lead)}),)
    return Step(
        SAME_PADDING, formula, numbers, value, fraction_text(value) if total % 2 else total // 2, notes
    )


@dataclass(frozen=True)
class Solution:
    stride: int
    padding: int
    step: Step


def solve_size(
    n: int,
    target: int,
    kernel: int,
    *,
    stride: int | None = None,
    padding: int | None = None,
    dilation: int = 1,
    exact_only: bool = True,
) -> list[Solution]:
    """Strides and paddings that turn size ``n`` into ``target`` with filter ``kernel``; fixed
    ``stride``/``padding`` narrow the search. With ``exact_only`` the window must tile exactly."""
    if min(n, target, kernel, dilation) < 1:
        raise UsageError("sizes, kernel and dilation must be at least 1")
    k_eff = effective_kernel(kernel, dilation)
    strides = [stride] if stride else range(1, max(k_eff, 2) + 1)
    paddings = [padding] if padding is not None else range(0, k_eff)
    found = []
    for s in strides:
        for p in paddings:
            if n + 2 * p < k_eff:
                continue
            fit = window_output(n, kernel, s, 2 * p, dilation, axis="height")
            if fit.size != target or (exact_only and not fit.exact):
                continue
            step = _size_step(SOLVE, _Axis(n, kernel, s, 2 * p, dilation, False), fit.size, pooling=False)
            found.append(Solution(s, p, step))
    return found

"""The engine: walk a resolved network and compute every number, exactly, without torch.

Pure: a :class:`~cnncalc.spec.Network` in, a :class:`~cnncalc.report.Report` out. No printing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnncalc._gc import paused_gc
from cnncalc.conventions import BYTES_PER_ELEMENT, FLOPS_PER_MAC, conventions_block, normalise_dtype
from cnncalc.errors import Location, ShapeError, UsageError
from cnncalc.layers import GLOBAL_WINDOW, LayerDef, Window
from cnncalc.layers.sliding import FIT_WARNING
from cnncalc.records import record
from cnncalc.report import (
    LayerRow,
    NetworkInfo,
    ReceptiveField,
    Report,
    Settings,
    ShapeInfo,
    Totals,
    WarningInfo,
)
from cnncalc.shapes import Shape
from cnncalc.spec import (
    NETWORK_INPUT,
    LayerNode,
    MergeNode,
    Network,
    SequenceNode,
    SideNode,
    TapNode,
    tap_counts,
)

MAX_BATCH = 10**9
INPUT_NAME = NETWORK_INPUT  # what a row's ``inputs`` says for the network input
_ORDER_NOTE = " (H×W×C)"  # messages print shapes in the lectures' order and say so
NOT_COUNTED_WARNING = "not-counted"  # the code of the warning each uncounted operation gives


if TYPE_CHECKING:  # fractions (and decimal, which it imports) load only for a transposed stride
    from fractions import Fraction

    Exact = int | Fraction  # ints while they suffice (fast), fractions after a transposed stride


@record
class _RF:
    """Receptive-field state per axis (height, width); ``size`` None means global. ``start2`` is
    twice the centre of the first unit, so that it stays an integer while the jump is one."""

    size: tuple[Exact, Exact] | None
    jump: tuple[Exact, Exact]
    start2: tuple[Exact, Exact]

    @staticmethod
    def initial() -> _RF:
        return _RF((1, 1), (1, 1), (1, 1))

    def through(self, window: Window | str | None) -> _RF:
        if window is None or self.size is None:
            return self
        if window == GLOBAL_WINDOW:
            return _RF(None, self.jump, self.start2)
        assert isinstance(window, Window)
        sizes, jumps, starts = [], [], []
        for axis in range(2):
            k, s, p = window.kernel[axis], window.stride[axis], window.padding[axis]
            j = self.jump[axis]
            if window.transposed:
                j = _exact_div(j, s)
                jumps.append(j)
            else:
                jumps.append(j * s)
            sizes.append(self.size[axis] + (k - 1) * j)
            starts.append(self.start2[axis] + (k - 1 - 2 * p) * j)
        return _RF((sizes[0], sizes[1]), (jumps[0], jumps[1]), (starts[0], starts[1]))

    @staticmethod
    def merge(states: list[_RF]) -> _RF:
        if any(s.size is None for s in states):
            return _RF(None, states[0].jump, states[0].start2)
        sizes = tuple(max(s.size[a] for s in states if s.size) for a in range(2))  # type: ignore[index]
        jumps = tuple(max(s.jump[a] for s in states) for a in range(2))
        starts = tuple(min(s.start2[a] for s in states) for a in range(2))
        return _RF(sizes, jumps, starts)  # type: ignore[arg-type]

    def info(self) -> ReceptiveField:
        if self.size is None:
            return _GLOBAL_RF
        return ReceptiveField(
            is_global=False,
            size=(_number(self.size[0]), _number(self.size[1])),
            jump=(_number(self.jump[0]), _number(self.jump[1])),
            start=(_half(self.start2[0]), _half(self.start2[1])),
        )


def _half(value: Exact) -> int | float:
    """``value / 2`` as a report number: exact for ints (a float ending in .5 is exact too)."""
    if type(value) is int:
        if value % 2 == 0:
            return value // 2
        if abs(value) < 2**53:
            return value / 2
    return _number(_exact_div(value, 2))


def _exact_div(value: Exact, divisor: int) -> Exact:
    if isinstance(value, int) and value % divisor == 0:
        return value // divisor
    from fractions import Fraction

    return Fraction(value, divisor)


def _number(value: Exact) -> int | float:
    """An int stays exact; a fraction becomes a float (reports print receptive fields that way)."""
    if type(value) is int:
        return value
    if value.denominator == 1:
        return value.numerator
    try:
        return float(value)
    except OverflowError:
        raise ShapeError(
            "the receptive field is too large to report (over 10^308 input pixels)",
            hint="check the strides: this many stride-2 layers cannot be meant",
        ) from None


_GLOBAL_RF = ReceptiveField(is_global=True, size=None, jump=None, start=None)


@record
class _Costs:
    """What a layer kind computes for one input shape: a pure function of (layer, input), so a
    network's repeated layers (a ResNet stage's blocks) compute it once."""

    output: Shape
    warnings: tuple[str, ...]
    weights: int
    biases: int
    buffers: int
    buffer_bytes: int
    macs: int
    window: Window | str | None
    description: str
    input_info: ShapeInfo
    output_info: ShapeInfo


class _Walker:
    def __init__(
        self, batch: int, bytes_per_element: int, training: bool = False, network: Network | None = None
    ):
        self.batch = batch
        self.training = training
        self.bpe = bytes_per_element
        self.rows: list[LayerRow] = []
        self.inference = True  # False inside a training-only head
        self.buffer_bytes = 0
        self.peak = 0
        # Report parts are immutable, so rows share them: a layer's output is the next one's input,
        # and point-wise layers keep the receptive field. This keeps big networks fast.
        self._shape_infos: dict[Shape, ShapeInfo] = {}
        self._rf_info: tuple[_RF, ReceptiveField] | None = None
        # (id of a layer definition, input shape) -> its costs; the network keeps every layer
        # alive during the walk, so ids are not reused.
        self._costs: dict[tuple[int, Shape], _Costs] = {}
        # ``from:`` references: the outputs they read (shape, receptive field, producing row), and
        # the tensors kept alive for them until their last reference (bytes, producing row)
        self.tapped = network.tapped if network is not None else frozenset()
        self.references = tap_counts(network.body) if self.tapped and network is not None else {}
        self.outputs: dict[str, tuple[Shape, _RF, str]] = {}
        self.kept: dict[str, tuple[int, str]] = {}

    def keep(self, name: str, shape: Shape, rf: _RF, src: str) -> None:
        """Remember a referenced output (and keep its tensor alive for the peak)."""
        self.outputs[name] = (shape, rf, src)
        if self.inference:
            self.kept[name] = (self.act_bytes(shape), src)

    def kept_bytes(self, current: str) -> int:
        """Bytes of the tensors kept for later references, but for the current input's."""
        if not self.kept:
            return 0
        rows = {row: size for size, row in self.kept.values() if row != current}
        return sum(rows.values())

    def tap(self, node: TapNode) -> tuple[Shape, _RF, str]:
        shape, rf, src = self.outputs[node.source]
        self.references[node.source] -= 1
        if self.references[node.source] == 0:
            self.kept.pop(node.source, None)  # from here it is the current tensor
        return shape, rf, src

    def shape_info(self, shape: Shape) -> ShapeInfo:
        info = self._shape_infos.get(shape)
        if info is None:
            if len(self._shape_infos) > 4096:
                self._shape_infos.clear()
            info = self._shape_infos[shape] = ShapeInfo.of(shape)
        return info

    def rf_report(
        self, rf: _RF, name: str, index: int, kind: str, location: Location | None
    ) -> ReceptiveField:
        if self._rf_info is None or self._rf_info[0] is not rf:
            try:
                self._rf_info = (rf, rf.info())
            except ShapeError as exc:
                raise ShapeError(
                    f"layer {index} '{name}' ({kind}): {exc.message}", location=location, hint=exc.hint
                ) from None
        return self._rf_info[1]

    def act_bytes(self, shape: Shape) -> int:
        return shape.numel * self.batch * self.bpe

    # Each walk returns (output shape, receptive field); ``live`` is the bytes of other tensors
    # kept alive meanwhile (inputs held for branches and shortcuts), for the inference peak.
    def sequence(
        self,
        seq: SequenceNode,
        shape: Shape,
        rf: _RF,
        src: str,
        depth: int,
        live: int,
        input_held: bool = False,
    ) -> tuple[Shape, _RF, str]:
        """Walk children in order. ``input_held``: the sequence's input stays alive after its first
        layer (a branch's input is needed by the other branches or the shortcut)."""
        held = self.act_bytes(shape) if input_held else 0
        for i, child in enumerate(seq.children):
            others = live + (held if i > 0 else 0)
            if isinstance(child, LayerNode):
                shape, rf, src = self.layer(child, shape, rf, src, depth, others)
                if child.name in self.tapped:
                    self.keep(child.name, shape, rf, src)
            elif isinstance(child, SequenceNode):
                inner_depth = depth + (1 if child.name else 0)
                shape, rf, src = self.sequence(child, shape, rf, src, inner_depth, others)
            elif isinstance(child, TapNode):
                shape, rf, src = self.tap(child)
            elif isinstance(child, SideNode):
                # An extra output: its layers count; the main path goes on from the same tensor,
                # which stays alive while the side branch runs (a training-only one does not run).
                outer, self.inference = self.inference, self.inference and not child.train_only
                try:
                    self.sequence(child.branch, shape, rf, src, depth + 1, others, input_held=True)
                finally:
                    self.inference = outer
            else:
                shape, rf, src = self.merge(child, shape, rf, src, depth, others)
                if child.name in self.tapped:
                    self.keep(child.name, shape, rf, src)
        scope = seq.scope or seq.name
        if scope is not None and scope in self.tapped:
            self.keep(scope, shape, rf, src)
        return shape, rf, src

    def costs(self, layer: LayerDef, shape: Shape) -> _Costs:
        """The layer kind's numbers for this input (ShapeError when the layer cannot apply)."""
        key = (id(layer), shape)
        costs = self._costs.get(key)
        if costs is None:
            out = layer.output_shape(shape)
            layer.check_batch(shape, self.batch, self.training)
            costs = self._costs[key] = _Costs(
                output=out,
                warnings=tuple(layer.fit_warnings(shape)),
                weights=layer.weights(shape),
                biases=layer.biases(shape),
                buffers=layer.buffers(shape),
                buffer_bytes=layer.buffer_bytes(shape, self.bpe),
                macs=layer.macs(shape, out),
                window=layer.window(shape, out),
                description=layer.describe(),
                input_info=self.shape_info(shape),
                output_info=self.shape_info(out),
            )
        return costs

    def layer(
        self, node: LayerNode, shape: Shape, rf: _RF, src: str, depth: int, live: int
    ) -> tuple[Shape, _RF, str]:
        layer = node.layer
        index = len(self.rows) + 1
        try:
            costs = self.costs(layer, shape)
        except ShapeError as exc:
            raise ShapeError(
                f"layer {index} '{node.name}' ({layer.type}): "
                f"input {shape.text()}{_ORDER_NOTE}: {exc.message}",
                location=node.location,
                hint=exc.hint,
            ) from None
        out, weights, macs = costs.output, costs.weights, costs.macs
        if node.shares is not None:  # counted at the layer whose parameters it uses
            costs = _shared_costs(costs, node.shares)
            weights = 0
        in_bytes, out_bytes = self.act_bytes(shape), self.act_bytes(out)
        in_place = layer.in_place
        if self.inference:
            live += self.kept_bytes(src)
            self.peak = max(self.peak, live + in_bytes + (0 if in_place else out_bytes))
        self.buffer_bytes += costs.buffer_bytes
        new_rf = rf.through(costs.window)
        rf_report = self.rf_report(new_rf, node.name, index, layer.type, node.location)
        self.rows.append(
            LayerRow(
                index=index,
                name=node.name,
                type=layer.type,
                row_kind="layer",
                family=layer.family,
                depth=depth,
                path=node.path,
                description=costs.description,
                input_shapes=[costs.input_info],
                inputs=[src],
                output_shape=costs.output_info,
                weights=weights,
                biases=costs.biases,
                params=weights + costs.biases,
                buffers=costs.buffers,
                macs=macs,
                flops=FLOPS_PER_MAC * macs,
                activation_elements=out.numel,
                activation_bytes=out_bytes,
                in_place=in_place,
                receptive_field=rf_report,
                warnings=list(costs.warnings),
                inference=self.inference,
                counted=layer.counted,
            )
        )
        return out, new_rf, node.name

    def merge(
        self, node: MergeNode, shape: Shape, rf: _RF, src: str, depth: int, live: int
    ) -> tuple[Shape, _RF, str]:
        outs: list[Shape] = []
        states: list[_RF] = []
        sources: list[str] = []
        done_bytes = 0
        for branch in node.branches:
            # The input stays alive for the other branches / the shortcut.
            out, state, branch_src = self.sequence(
                branch, shape, rf, src, depth + 1, live + done_bytes, input_held=True
            )
            outs.append(out)
            states.append(state)
            sources.append(branch_src)
            done_bytes += self.act_bytes(out)
        index = len(self.rows) + 1
        if node.merge == "concat":
            spatial = {o.spatial for o in outs}
            if len(spatial) > 1 or any(o.is_flat != outs[0].is_flat for o in outs):
                shapes = ", ".join(o.text() for o in outs)
                raise ShapeError(
                    f"layer {index} '{node.name}' (concat): branch outputs {shapes}{_ORDER_NOTE} "
                    "differ in height or width, so they cannot be concatenated along channels",
                    location=node.location,
                    hint="give every branch the same stride and 'same'-style padding",
                )
            first = outs[0]
            merged = Shape(sum(o.channels for o in outs), first.height, first.width)
            in_place = False
        elif node.merge == "mul":
            merged, scale = outs
            if not _broadcasts(scale, merged):
                raise ShapeError(
                    f"layer {index} '{node.name}' (mul): the gate gives {scale.text()} but its input is "
                    f"{merged.text()}{_ORDER_NOTE}; a gate must give the same channels, on 1×1 or the "
                    "same height and width",
                    location=node.location,
                    hint="end the gate with a 1×1 conv to the input's channels after a global pool "
                    "(squeeze-and-excitation)",
                )
            in_place = False  # torchvision: scale * input, a new tensor
        else:
            if len({o for o in outs}) > 1:
                shapes = " and ".join(o.text() for o in outs)
                raise ShapeError(
                    f"layer {index} '{node.name}' (add): the body gives {outs[0].text()} but the "
                    f"shortcut gives {outs[1].text()}{_ORDER_NOTE}; they must match to be added"
                    if len(outs) == 2
                    else f"layer {index} '{node.name}' (add): shapes {shapes} differ",
                    location=node.location,
                    hint="use a projection shortcut (e.g. conv with 1×1 kernel and the same stride)",
                )
            merged = outs[0]
            in_place = True  # torchvision: out += identity
        merged_bytes = self.act_bytes(merged)
        if self.inference:
            live += self.kept_bytes(src)
            self.peak = max(self.peak, live + done_bytes + (0 if in_place else merged_bytes))
        # A gate's scale comes from a global pool: every output unit then formally sees the whole
        # input; the receptive field reported is the gated path's (the convention, named there).
        merged_rf = states[0] if node.merge == "mul" else _RF.merge(states)
        self.rows.append(
            LayerRow(
                index=index,
                name=node.name,
                type=node.merge,
                row_kind="merge",
                family="structure",
                depth=depth,
                path=node.path,
                description=_merge_description(node, len(outs)),
                input_shapes=[self.shape_info(o) for o in outs],
                inputs=sources,
                output_shape=self.shape_info(merged),
                weights=0,
                biases=0,
                params=0,
                buffers=0,
                macs=0,
                flops=0,
                activation_elements=merged.numel,
                activation_bytes=merged_bytes,
                in_place=in_place,
                receptive_field=self.rf_report(merged_rf, node.name, index, node.merge, node.location),
                warnings=[],
                inference=self.inference,
            )
        )
        return merged, merged_rf, node.name


def _shared_costs(costs: _Costs, owner: str) -> _Costs:
    """The costs of a call of ``owner``'s parameters: its MACs, none of its parameters or buffers."""
    return _Costs(
        output=costs.output,
        warnings=costs.warnings,
        weights=0,
        biases=0,
        buffers=0,
        buffer_bytes=0,
        macs=costs.macs,
        window=costs.window,
        description=f"{costs.description} (the parameters of {owner})",
        input_info=costs.input_info,
        output_info=costs.output_info,
    )


def not_counted_message(row: LayerRow) -> str:
    """What an uncounted row's warning says: the operation, its input and output shapes."""
    inputs = ", ".join(shape.hwc for shape in row.input_shapes)
    return (
        f"{row.description}: input {inputs} → output {row.output_shape.hwc} (H×W×C): its MACs are not counted"
    )


def _broadcasts(scale: Shape, target: Shape) -> bool:
    """Whether ``scale`` multiplies ``target`` element-wise under broadcasting: the same channels,
    and 1×1 or the same height and width (a flat scale only for a flat target)."""
    if scale.channels != target.channels or scale.is_flat != target.is_flat:
        return False
    return scale.spatial in ((1, 1), target.spatial)


def _merge_description(node: MergeNode, branches: int) -> str:
    if node.merge == "concat":
        return f"concat of {branches} branches"
    if node.merge == "mul":
        return "gate: input × scale (receptive field of the input path)"
    return "residual add" + (" (identity shortcut)" if not node.branches[1].children else "")


def analyse(
    network: Network, *, batch: int = 1, dtype: str = "fp32", order: str = "hwc", training: bool = False
) -> Report:
    """Compute the full report of ``network`` for a batch size and element type. ``training``: the
    batch runs through the modules in train mode (batch norm then needs two values per channel)."""
    if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= MAX_BATCH:
        raise UsageError(f"batch must be a whole number from 1 to {MAX_BATCH:,}, got {batch!r}")
    if not isinstance(dtype, str):
        raise UsageError(f"dtype must be a name such as 'fp32', got {dtype!r}")
    try:
        dtype = normalise_dtype(dtype)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if order not in ("hwc", "chw"):
        raise UsageError(f"order must be 'hwc' or 'chw', got {order!r}")
    bpe = BYTES_PER_ELEMENT[dtype]
    walker = _Walker(batch, bpe, training, network)
    with paused_gc():
        if INPUT_NAME in network.tapped:  # ``from: input``
            walker.keep(INPUT_NAME, network.input, _RF.initial(), INPUT_NAME)
        out, _, _ = walker.sequence(network.body, network.input, _RF.initial(), INPUT_NAME, 0, 0)
    rows = walker.rows
    params = sum(r.params for r in rows)
    # MACs and activations at inference: a training-only head (InceptionAux) does not run then
    macs = sum(r.macs for r in rows if r.inference)
    act_sum = network.input.numel + sum(r.activation_elements for r in rows if not r.in_place and r.inference)
    param_bytes = params * bpe
    act_sum_bytes = act_sum * batch * bpe
    totals = Totals(
        layers=sum(1 for r in rows if r.row_kind == "layer"),
        weight_layers=sum(1 for r in rows if r.weights > 0 and r.family in ("conv", "linear")),
        params=params,
        weights=sum(r.weights for r in rows),
        biases=sum(r.biases for r in rows),
        trainable_params=params,
        buffers=sum(r.buffers for r in rows),
        param_bytes=param_bytes,
        buffer_bytes=walker.buffer_bytes,
        macs=macs,
        flops=FLOPS_PER_MAC * macs,
        macs_batch=macs * batch,
        flops_batch=FLOPS_PER_MAC * macs * batch,
        input_elements=network.input.numel,
        activation_sum_elements=act_sum,
        activation_sum_bytes=act_sum_bytes,
        forward_bytes=param_bytes + walker.buffer_bytes + act_sum_bytes,
        peak_inference_bytes=walker.peak,
        uncounted=sum(1 for r in rows if not r.counted),
    )
    warnings = [
        WarningInfo(code=FIT_WARNING, layer=r.name, index=r.index, message=w)
        for r in rows
        for w in r.warnings
    ]
    warnings += [
        WarningInfo(code=NOT_COUNTED_WARNING, layer=r.name, index=r.index, message=not_counted_message(r))
        for r in rows
        if not r.counted
    ]
    return Report(
        network=NetworkInfo(
            name=network.name,
            source=network.source,
            reference=network.reference,
            description=network.description,
            notes=list(network.notes),
        ),
        settings=Settings(batch=batch, dtype=dtype, bytes_per_element=bpe, order=order),  # type: ignore[arg-type]
        conventions=conventions_block(),
        input=ShapeInfo.of(network.input),
        output=ShapeInfo.of(out),
        layers=rows,
        totals=totals,
        warnings=warnings,
    )

"""The report data model: what ``cnncalc summary --json`` prints and ``cnncalc schema report``
describes. Data only: no computation (see :mod:`cnncalc.analysis`), no formatting (see
:mod:`cnncalc.render`)."""

from __future__ import annotations

from typing import Literal

from cnncalc.records import doc, json_schema, record
from cnncalc.shapes import Shape

SCHEMA_VERSION = "1.0"


@record(kw_only=True)
class ShapeInfo:
    """A per-sample shape: feature map (height, width, channels) or flat vector (channels only)."""

    channels: int
    height: int | None
    width: int | None
    hwc: str = doc("Lecture notation H×W×C, e.g. '55×55×96'.")
    chw: str = doc("PyTorch notation C×H×W, e.g. '96×55×55'.")
    elements: int = doc("Elements per sample.")

    @classmethod
    def of(cls, shape: Shape) -> ShapeInfo:
        return cls(
            channels=shape.channels,
            height=shape.height,
            width=shape.width,
            hwc=shape.text("hwc"),
            chw=shape.text("chw"),
            elements=shape.numel,
        )

    def shape(self) -> Shape:
        return Shape(self.channels, self.height, self.width)

    def text(self, order: str) -> str:
        return self.chw if order == "chw" else self.hwc


@record(kw_only=True)
class ReceptiveField:
    """Receptive field of one output unit on the network input, per axis (height, width).
    ``jump`` is the effective stride in input pixels; ``start`` the centre of the first unit."""

    is_global: bool = doc("True once a layer sees its whole input (fc, global pool).")
    size: tuple[int | float, int | float] | None
    jump: tuple[int | float, int | float] | None
    start: tuple[int | float, int | float] | None


@record(kw_only=True)
class LayerRow:
    index: int = doc("1-based position in forward order.")
    name: str
    type: str
    row_kind: Literal["layer", "merge"]
    family: str
    depth: int = doc("Nesting level (0 = top level).")
    path: str = doc("Where the layer is written in the spec, e.g. 'layers[3].concat[1][0]'.")
    description: str
    input_shapes: list[ShapeInfo]
    inputs: list[str] = doc(
        "Names of the rows whose outputs this row reads, in order ('input' = the network input)."
    )
    output_shape: ShapeInfo
    weights: int
    biases: int
    params: int = doc("Trainable parameters = weights + biases.")
    buffers: int = doc("Non-trainable state elements (BatchNorm running statistics).")
    macs: int = doc("Multiply-accumulates per sample.")
    flops: int = doc("2 × MACs per sample.")
    activation_elements: int = doc("Output elements per sample.")
    activation_bytes: int = doc("Output bytes for the whole batch in the chosen dtype.")
    in_place: bool = doc("Treated as in place: not part of the sum of activations.")
    receptive_field: ReceptiveField
    warnings: list[str]
    inference: bool = doc(
        "False for a training-only head (an auxiliary classifier in eval mode): its parameters "
        "count, its MACs and activations are not in the inference totals.",
        default=True,
    )
    counted: bool = doc(
        "False for an operation cnncalc cannot count (type 'uncounted', from an imported model): "
        "its MACs are unknown and left out of the totals, never counted as 0.",
        default=True,
    )


@record(kw_only=True)
class Totals:
    layers: int
    weight_layers: int = doc("Layers with weights (conv, fc, …): the usual 'depth'.")
    params: int
    weights: int
    biases: int
    trainable_params: int
    buffers: int
    param_bytes: int
    buffer_bytes: int
    macs: int = doc("Per sample, at inference (a training-only head's are left out).")
    flops: int = doc("Per sample, 2 × MACs.")
    macs_batch: int
    flops_batch: int
    input_elements: int
    activation_sum_elements: int = doc(
        "Per sample: input + outputs of layers that allocate a tensor (lecture convention)."
    )
    activation_sum_bytes: int = doc("For the batch.")
    forward_bytes: int = doc(
        "Parameters + buffers + sum of activations for the batch (the lectures' estimate)."
    )
    peak_inference_bytes: int = doc(
        "Largest total of live activation tensors in a no-grad forward pass (batch)."
    )
    uncounted: int = doc(
        "Operations cnncalc cannot count (rows with counted false): macs and flops leave them out.",
        default=0,
    )


@record(kw_only=True)
class Settings:
    batch: int
    dtype: str
    bytes_per_element: int
    order: Literal["hwc", "chw"]


@record(kw_only=True)
class NetworkInfo:
    name: str
    source: str | None
    reference: str | None
    description: str | None
    notes: list[str] = doc(
        "What an importer says about the numbers (an ONNX file's BatchNorm folded into its "
        "convolutions), printed by 'summary' as notes."
    )


@record(kw_only=True)
class WarningInfo:
    code: str = doc(
        "Stable identifier of the kind of warning, e.g. 'window-does-not-fit' (the message is translated)."
    )
    layer: str
    index: int
    message: str


@record(kw_only=True)
class GroupRow:
    """One row of a grouped view (``summary --depth N``): a scope (the first N parts of the
    qualified layer names, e.g. 'layer1.0') and the consecutive layers it holds, or one layer
    shallower than N. Its numbers are the exact sums of the layers it holds."""

    index: int = doc("1-based position among the grouped rows.")
    name: str = doc("The scope, e.g. 'layer2' or 'inception4a'; a layer's own name for a single layer.")
    kind: Literal["group", "layer"]
    type: str = doc("The layer's type; 'group' for a scope.")
    level: int = doc("Parts of the name (1 = top level).")
    first: int = doc("Index of its first layer.")
    last: int = doc("Index of its last layer.")
    layers: list[str] = doc("Names of the layers it holds, in forward order.")
    inputs: list[str] = doc(
        "Grouped rows whose outputs its layers read from outside it ('input' = the network input)."
    )
    output_shape: ShapeInfo = doc("Output of its last layer.")
    weights: int
    biases: int
    params: int
    buffers: int
    macs: int = doc("Per sample.")
    flops: int = doc("Per sample, 2 × MACs.")
    activation_elements: int = doc("Outputs of its layers that allocate a tensor, per sample.")
    activation_bytes: int = doc("The same for the batch, in bytes.")
    receptive_field: ReceptiveField = doc("Of its last layer.")
    warnings: int = doc("Warnings of its layers.")


@record(kw_only=True)
class Report:
    schema_version: str = SCHEMA_VERSION
    tool: Literal["cnncalc"] = "cnncalc"
    network: NetworkInfo
    settings: Settings
    conventions: dict[str, str]
    input: ShapeInfo
    output: ShapeInfo
    layers: list[LayerRow]
    totals: Totals
    warnings: list[WarningInfo]
    depth: int | None = doc("The --depth of the grouped view, when one was asked for.", default=None)
    groups: list[GroupRow] | None = doc(
        "The grouped rows (summary --depth N); the layers keep every layer.", default=None
    )


def report_schema() -> dict[str, object]:
    """JSON Schema of :class:`Report`."""
    return json_schema(Report, schema_id=f"https://cnncalc.invalid/schema/report-{SCHEMA_VERSION}.json")

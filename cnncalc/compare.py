"""Side-by-side comparison of networks (``cnncalc compare``).

Pure: analysed networks in, a :class:`Comparison` out. No printing (see :mod:`cnncalc.render.compare`).
"""

from __future__ import annotations

from collections.abc import Sequence

from cnncalc.errors import UsageError
from cnncalc.records import doc, json_schema, record
from cnncalc.report import SCHEMA_VERSION, Report, Settings
from cnncalc.spec import NETWORK_INPUT, LayerNode, Network, Node, SequenceNode, SideNode, TapNode

WEIGHT_FAMILIES = ("conv", "linear")


@record(kw_only=True)
class ComparedNetwork:
    """The headline numbers of one network, for one batch size and dtype."""

    name: str
    description: str | None
    input: str = doc("Input shape in the comparison's order, e.g. '224×224×3'.")
    output: str
    params: int
    param_bytes: int
    macs: int = doc("Per sample.")
    flops: int = doc("Per sample, 2 × MACs.")
    activation_elements: int = doc("Sum of activations per sample (lecture convention).")
    activation_bytes_per_sample: int
    activation_bytes_batch: int
    forward_bytes: int = doc("Parameters + buffers + activations for the batch.")
    peak_inference_bytes: int
    depth: int = doc("Weight layers (conv, fc) on the longest input-to-output path.")
    weight_layers: int = doc("All weight layers, parallel branches included.")
    layers: int


@record(kw_only=True)
class Comparison:
    """What ``cnncalc compare --json`` prints."""

    schema_version: str = SCHEMA_VERSION
    tool: str = "cnncalc"
    settings: Settings
    networks: list[ComparedNetwork]


def weight_depth(network: Network) -> int:
    """The number of weight layers (conv, fc) on the longest path from input to output: the usual
    "depth" (VGG-16: 16, GoogLeNet: 22, ResNet-50: 50). Parallel branches count once, by the deepest;
    side outputs (auxiliary heads) are not on that path."""
    return _depth(network.body, 0, {NETWORK_INPUT: 0})


def _depth(node: Node, depth: int, outputs: dict[str, int]) -> int:
    """The weight depth after ``node`` when its input has ``depth``; ``outputs`` keeps the depth
    of every named output, for the ``from:`` references that read them later."""
    if isinstance(node, SideNode):  # an auxiliary output is not on the path to the main output
        _depth(node.branch, depth, outputs)
        return depth
    if isinstance(node, TapNode):
        return outputs[node.source]
    if isinstance(node, LayerNode):
        depth += 1 if node.layer.family in WEIGHT_FAMILIES else 0
        outputs[node.name] = depth
        return depth
    if isinstance(node, SequenceNode):
        for child in node.children:
            depth = _depth(child, depth, outputs)
        if node.scope or node.name:
            outputs[node.scope or node.name or ""] = depth
        return depth
    depth = max(_depth(branch, depth, outputs) for branch in node.branches)
    outputs[node.name] = depth
    return depth


def compare(entries: Sequence[tuple[Network, Report]]) -> Comparison:
    """Summarise analysed networks side by side. Every report must use the same batch and dtype."""
    if not entries:
        raise UsageError("compare needs at least one network")
    settings = entries[0][1].settings
    rows = []
    for network, report in entries:
        if report.settings != settings:
            raise UsageError(
                "every report in a comparison must use the same settings",
                hint="analyse every network with the same batch, dtype and order",
            )
        t = report.totals
        rows.append(
            ComparedNetwork(
                name=report.network.name,
                description=report.network.description,
                input=report.input.text(settings.order),
                output=report.output.text(settings.order),
                params=t.params,
                param_bytes=t.param_bytes,
                macs=t.macs,
                flops=t.flops,
                activation_elements=t.activation_sum_elements,
                activation_bytes_per_sample=t.activation_sum_elements * settings.bytes_per_element,
                activation_bytes_batch=t.activation_sum_bytes,
                forward_bytes=t.forward_bytes,
                peak_inference_bytes=t.peak_inference_bytes,
                depth=weight_depth(network),
                weight_layers=t.weight_layers,
                layers=t.layers,
            )
        )
    return Comparison(settings=settings, networks=rows)


def comparison_schema() -> dict[str, object]:
    """JSON Schema of :class:`Comparison` (``cnncalc schema compare``)."""
    return json_schema(Comparison, schema_id=f"https://cnncalc.invalid/schema/compare-{SCHEMA_VERSION}.json")

"""What a counting convention reads of one report row: the row itself and, for a layer, its resolved
definition (a convolution's groups, a BatchNorm's affine flag). Pure: no torch."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cnncalc.layers import LayerDef
from cnncalc.report import LayerRow, Report
from cnncalc.spec import LayerNode, Network


@dataclass(frozen=True)
class Facts:
    """One row of a report with the numbers every convention's rules are written in (per sample)."""

    row: LayerRow
    layer: LayerDef | None  # None for a merge row (concat, add)

    @property
    def kind(self) -> str:
        return self.row.type

    @property
    def in_elements(self) -> int:
        """Elements of the (first) input per sample."""
        return self.row.input_shapes[0].elements

    @property
    def out_elements(self) -> int:
        return self.row.output_shape.elements

    @property
    def in_channels(self) -> int:
        return self.row.input_shapes[0].channels

    @property
    def out_positions(self) -> int:
        """Output height × width (1 for a flat output)."""
        shape = self.row.output_shape
        return (shape.height or 1) * (shape.width or 1)

    @property
    def in_positions(self) -> int:
        shape = self.row.input_shapes[0]
        return (shape.height or 1) * (shape.width or 1)

    @property
    def groups(self) -> int:
        """Channel groups of a convolution (1 for anything else)."""
        count = getattr(self.layer, "group_count", None)
        if count is not None:
            return int(count(self.row.input_shapes[0].shape()))
        return int(getattr(self.layer, "groups", 1) or 1)

    @property
    def has_affine(self) -> bool:
        return self.row.params > 0


def _layer_nodes(node: object) -> Iterator[LayerNode]:
    """The network's layers in forward order (the order of the report's layer rows)."""
    if isinstance(node, LayerNode):
        yield node
        return
    for attribute in ("children", "branches"):
        for child in getattr(node, attribute, ()) or ():
            yield from _layer_nodes(child)
    branch = getattr(node, "branch", None)
    if branch is not None:
        yield from _layer_nodes(branch)


def facts_of(report: Report, network: Network) -> list[Facts]:
    """Every row of ``report`` (made from ``network``) with its resolved layer, matched in forward
    order (and checked by name and type)."""
    nodes = iter(_layer_nodes(network.body))
    result = []
    for row in report.layers:
        layer = None
        if row.row_kind == "layer":
            node = next(nodes, None)
            if node is None or node.name != row.name or node.layer.type != row.type:
                raise RuntimeError(f"row {row.index} '{row.name}' has no matching layer in the network")
            layer = node.layer
        result.append(Facts(row=row, layer=layer))
    return result

"""The resolved spec: what the engine walks.

:class:`Network` is a spec after parsing: blocks called, repeats unrolled, every layer a validated
:class:`~cnncalc.layers.LayerDef` with its qualified name and source location. It is immutable.
(The file form as written, with blocks and ``repeat``, is described by :mod:`cnncalc.schema`.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from cnncalc.errors import Location
from cnncalc.layers import LayerDef
from cnncalc.records import record, replace
from cnncalc.shapes import Shape

# --------------------------------------------------------------------------------------------
# The resolved form
# --------------------------------------------------------------------------------------------


@record
class LayerNode:
    """One layer, resolved: its validated definition, qualified name and where it was written."""

    layer: LayerDef
    name: str  # qualified, e.g. "layer1.0.conv1"
    path: str  # spec path, e.g. "layers[3].layers[0]"
    location: Location | None = None
    # The qualified name of an earlier, identical layer whose parameters this one uses (a module
    # called twice): they are counted there, its MACs here.
    shares: str | None = None


@record
class SequenceNode:
    """Layers applied one after another. ``name`` is a scope (a submodule in PyTorch) when set."""

    children: tuple[Node, ...]
    name: str | None = None
    path: str = ""
    scope: str | None = None  # a named scope's qualified name ("layer1.0"), which ``from:`` can name


@record
class MergeNode:
    """Branches applied to the same input and merged: concatenated along channels, added, or
    multiplied element-wise ("mul": a gate — the first branch, the identity, times what the second
    computes from the same input, broadcast over height and width; squeeze-and-excitation)."""

    branches: tuple[SequenceNode, ...]
    merge: Literal["concat", "add", "mul"]
    name: str
    path: str
    location: Location | None = None


@record
class SideNode:
    """A branch whose output leaves the network as an extra output (an auxiliary head); the main
    path continues from the branch's input. Its layers count in the totals like any other; a
    ``train_only`` head (torchvision's InceptionAux) has its parameters counted but does not run at
    inference, so its MACs and activations are left out of the inference totals."""

    branch: SequenceNode
    name: str
    path: str
    location: Location | None = None
    train_only: bool = False


NETWORK_INPUT = "input"  # ``from: input`` (when no layer has that name) reads the network's input


@record
class TapNode:
    """``from: NAME``: from here on the current tensor is the output of an earlier layer, merge or
    named scope (its qualified ``source``), not the previous layer's. With these references the
    resolved network is a DAG: a skip across scales (U-Net), a head on an inner stage (DeepLab's
    auxiliary classifier), an imported graph's edges. ``written`` is the reference as written and
    ``scope`` the scope it was written in (names are looked up there first, then outward); the
    parser resolves ``source``."""

    written: str
    scope: str  # the prefix of the scope it was written in, e.g. "up1."
    path: str
    location: Location | None = None
    source: str = ""


Node = LayerNode | SequenceNode | MergeNode | SideNode | TapNode


@record
class Network:
    """A resolved network: the input shape and the body to apply to it."""

    name: str
    input: Shape
    body: SequenceNode
    description: str | None = None
    source: str | None = None  # file path, bundled name or "<one-line spec>"
    reference: str | None = None  # where the architecture comes from (paper, torchvision)
    layer_count: int = 0
    tapped: frozenset[str] = frozenset()  # names whose outputs a ``from:`` reads later
    notes: tuple[str, ...] = ()  # what an importer says about the numbers (BatchNorm folded, …)

    def with_input(self, shape: Shape) -> Network:
        """The same network on another input size (``--input``)."""
        return replace(self, input=shape)


def walk_nodes(node: Node) -> Iterator[Node]:
    """``node`` and every node below it, parents before their children, in written order."""
    yield node
    if isinstance(node, SequenceNode):
        for child in node.children:
            yield from walk_nodes(child)
    elif isinstance(node, SideNode):
        yield from walk_nodes(node.branch)
    elif isinstance(node, MergeNode):
        for branch in node.branches:
            yield from walk_nodes(branch)


def tap_counts(body: SequenceNode) -> dict[str, int]:
    """How many ``from:`` references read each name (walkers free a kept output after its last)."""
    counts: dict[str, int] = {}
    for node in walk_nodes(body):
        if isinstance(node, TapNode):
            counts[node.source] = counts.get(node.source, 0) + 1
    return counts

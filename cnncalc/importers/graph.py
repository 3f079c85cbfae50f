"""The form every importer produces: a graph of nodes, each a cnncalc layer kind or merge."""

from __future__ import annotations

from typing import Any

from cnncalc.records import record
from cnncalc.shapes import Shape

NETWORK_INPUT = "input"  # what a node's ``inputs`` says for the network input


@record
class ImportedNode:
    """One operation of an imported model.

    ``kind`` is a registered cnncalc layer type (``conv``, ``relu``, …) with ``fields`` as a spec
    mapping writes them, a merge (``add``, ``mul``, ``concat``), or ``uncounted`` for an operation
    cnncalc cannot count (reported as such, never as zero). ``inputs`` are the names of the nodes
    it reads, :data:`NETWORK_INPUT` for the model's input. ``origin`` says where the user finds it
    (``model.py:12 (self.conv1)``, ``ONNX node /layer1/Add``)."""

    name: str
    op: str
    kind: str
    fields: dict[str, Any]
    inputs: tuple[str, ...]
    output_shape: Shape | None = None
    origin: str = ""


@record
class ImportedGraph:
    """A whole imported model: its input shape, nodes in topological order, and outputs.
    ``modules``: (scope, class name) of the model's submodules, where the source has them (a
    PyTorch model): scopes of one class and structure are written as one block. ``train_only``:
    scopes whose nodes run only in training (inception_v3's ``AuxLogits``), each a side head that
    reads one tensor of the graph and that nothing else reads."""

    name: str
    input: Shape
    nodes: tuple[ImportedNode, ...]
    outputs: tuple[str, ...]
    source: str
    notes: tuple[str, ...] = ()
    modules: tuple[tuple[str, str], ...] = ()
    train_only: tuple[str, ...] = ()


def in_scope(name: str, scope: str) -> bool:
    """Whether the node ``name`` is ``scope`` or inside it."""
    return name == scope or name.startswith(scope + ".")


def same_definition(first: ImportedNode, kind: str, fields: dict[str, Any]) -> bool:
    """Whether a layer of ``kind`` and ``fields`` can ``shares`` the parameters of ``first``: the
    spec language lets only a layer defined the same way share another's."""
    strip = {k: v for k, v in fields.items() if k != "shares"}
    return first.kind == kind and {k: v for k, v in first.fields.items() if k != "shares"} == strip

"""Resolve ``from: NAME`` references once a network is built.

A reference names an earlier layer, merge or named scope as the report prints it. It is looked up
in the scope it is written in first, then in each enclosing scope out to the network
(``from: conv2`` inside ``up1`` is ``up1.conv2`` if there is one, else ``conv2``). It must name
something already computed at that point: a later name, or a scope that is still open around the
reference (which would make a cycle), is refused with its location. ``from: input`` reads the
network's input (unless a layer is named ``input``).
"""

from __future__ import annotations

from cnncalc.errors import SpecError, did_you_mean
from cnncalc.spec import NETWORK_INPUT, LayerNode, MergeNode, Node, SequenceNode, SideNode, TapNode


def candidates(written: str, scope: str) -> list[str]:
    """The qualified names ``written`` may mean inside ``scope`` (a prefix such as ``"a.b."``),
    innermost first."""
    parts = scope.split(".")[:-1] if scope else []
    return [".".join([*parts[:n], written]) for n in range(len(parts), -1, -1)]


class _Resolver:
    def __init__(self, everything: dict[str, int]):
        self.everything = everything  # every name, in the order it is computed
        self.done: set[str] = set()
        self.open: list[str] = []
        self.tapped: set[str] = set()

    def sequence(self, seq: SequenceNode, branch: bool = False) -> SequenceNode:
        scope = seq.scope or (seq.name if branch else None)
        if scope:
            self.open.append(scope)
        children = tuple(self.node(child) for child in seq.children)
        if scope:
            self.open.pop()
            self.done.add(scope)
        return SequenceNode(children, name=seq.name, path=seq.path, scope=seq.scope)

    def node(self, node: Node) -> Node:
        if isinstance(node, LayerNode):
            self.done.add(node.name)
            return node
        if isinstance(node, SequenceNode):
            return self.sequence(node)
        if isinstance(node, TapNode):
            return self.tap(node)
        if isinstance(node, SideNode):
            branch = self.sequence(node.branch, branch=True)
            return SideNode(branch, node.name, node.path, node.location, node.train_only)
        assert isinstance(node, MergeNode)
        branches = tuple(self.sequence(b, branch=True) for b in node.branches)
        self.done.add(node.name)
        return MergeNode(branches, node.merge, node.name, node.path, node.location)

    def tap(self, node: TapNode) -> TapNode:
        names = candidates(node.written, node.scope)
        for name in names:
            if name in self.done:
                self.tapped.add(name)
                return TapNode(node.written, node.scope, node.path, node.location, source=name)
        if node.written == NETWORK_INPUT:  # no layer is named so: the network's input
            self.tapped.add(NETWORK_INPUT)
            return TapNode(node.written, node.scope, node.path, node.location, source=NETWORK_INPUT)
        for name in names:
            if name in self.open:
                raise SpecError(
                    f"'from: {node.written}' names the scope '{name}', which this reference is "
                    "inside: its output is not computed yet (that would be a cycle)",
                    location=node.location,
                    hint="name a layer computed before this point, or move the reference after "
                    f"the end of '{name}'",
                )
            if name in self.everything:
                raise SpecError(
                    f"'from: {node.written}' names '{name}', which comes later: a reference reads "
                    "an output computed before it",
                    location=node.location,
                    hint="move the reference after that layer, or name an earlier one",
                )
        raise SpecError(
            f"'from: {node.written}': no layer, merge or scope of that name"
            + did_you_mean(node.written, sorted(self.done)),
            location=node.location,
            hint="use a name as the report prints it (cnncalc summary SPEC lists them); inside "
            "a block, names are looked up in the block first",
        )


def _names(node: Node, out: dict[str, int], branch: bool = False) -> None:
    if isinstance(node, LayerNode):
        out.setdefault(node.name, len(out))
    elif isinstance(node, SequenceNode):
        for child in node.children:
            _names(child, out)
        scope = node.scope or (node.name if branch else None)
        if scope:
            out.setdefault(scope, len(out))
    elif isinstance(node, SideNode):
        _names(node.branch, out, branch=True)
    elif isinstance(node, MergeNode):
        for b in node.branches:
            _names(b, out, branch=True)
        out.setdefault(node.name, len(out))


def resolve_taps(body: SequenceNode) -> tuple[SequenceNode, frozenset[str]]:
    """``body`` with every reference's ``source`` resolved, and the set of names referenced."""
    everything: dict[str, int] = {}
    _names(body, everything)
    resolver = _Resolver(everything)
    resolved = resolver.sequence(body)
    return resolved, frozenset(resolver.tapped)

"""An :class:`ImportedGraph` as a spec document, and as a network.

The document is what ``cnncalc import -o net.yaml`` writes: plain data in the spec language, read
by the ordinary parser, so an imported model is an ordinary network. Layer names are the graph's
node names (a PyTorch model's module paths): a dotted name becomes nested named groups
(``layer1.0.conv1`` → ``{name: layer1, layers: [{name: "0", layers: [conv1 …]}]}``). A merge whose
branches run from one tensor to it, each read by nothing else (a residual block, an inception
module), is written as ``add:``/``mul:``/``concat:`` with the branches inside; any other edge (a
skip across scales, a second output, a node that reads an earlier one) becomes a ``from:``
reference. Scopes of the same module class with the same structure become one block, the values
that differ its arguments.
"""

from __future__ import annotations

import re
from typing import Any

from cnncalc.errors import CnncalcError
from cnncalc.importers.graph import NETWORK_INPUT, ImportedGraph, ImportedNode, in_scope
from cnncalc.layers import lookup
from cnncalc.parse.build import NameScope
from cnncalc.parse.taps import candidates
from cnncalc.records import record, replace
from cnncalc.shapes import Shape
from cnncalc.spec import Network

MERGES = ("add", "mul", "concat")
_MAX_RENAMING_PASSES = 8  # each pass renames the scopes a parser renames; nesting ends it soon
# Container classes are not blocks: their structure is their children's.
_CONTAINERS = frozenset({"Sequential", "ModuleList", "ModuleDict"})


@record(frozen=False)
class _Unit:
    """A node, or a merge with its branches gathered inside, placed in the main sequence."""

    name: str  # the output's qualified name
    reads: tuple[str, ...]  # what it reads from outside (a merge with branches inside: its fork)
    node: ImportedNode
    branches: tuple[tuple[_Unit, ...], ...] | None = None  # gathered branches (None: from: refs)
    side: list[_Unit] | None = None  # a training-only head: its units (``name`` is its scope)


def shape_text(shape: Shape) -> str | int:
    """A shape as the spec language writes it: ``56x56x64`` (H×W×C) or a vector's length."""
    if shape.is_flat:
        return shape.channels
    return f"{shape.height}x{shape.width}x{shape.channels}"


def _segments(name: str) -> list[str]:
    return name.split(".")


def _scope_of(name: str) -> tuple[str, ...]:
    return tuple(_segments(name)[:-1])


class _Writer:
    def __init__(self, graph: ImportedGraph):
        self.graph = graph
        self.nodes = {node.name: node for node in graph.nodes}
        self.readers: dict[str, int] = {}
        for node in graph.nodes:
            for name in node.inputs:
                self.readers[name] = self.readers.get(name, 0) + 1
        for name in graph.outputs:
            self.readers[name] = self.readers.get(name, 0) + 1
        self.known = set(self.nodes)
        for node in graph.nodes:
            parts = _segments(node.name)
            self.known.update(".".join(parts[:i]) for i in range(1, len(parts)))
        self.current = NETWORK_INPUT
        # What the parser will name each scope's entries (it renames a name used twice in one
        # scope, as a group opened again: block, …, block_2), and the names it changes.
        self.names: dict[tuple[str, ...], NameScope] = {}
        self.renames: dict[str, str] = {}  # node -> the name the parser gives it
        self.scope_renames: list[tuple[str, str]] = []

    def parsed(self, scope: tuple[str, ...], written: str, nodes: list[str], prefix: str) -> None:
        """Note ``written`` as the parser names it inside ``scope``; where it renames it, each of
        ``nodes`` under ``prefix`` (the written name's full form) is renamed with it."""
        names = self.names.setdefault(scope, NameScope())
        given = names.unique(written)
        if given == written:
            return
        renamed = ".".join((*scope, given))
        self.scope_renames.append((prefix, renamed))
        for name in nodes:
            if in_scope(name, prefix):
                self.renames.setdefault(name, renamed + name[len(prefix) :])

    # -- structure ------------------------------------------------------------------------------
    def units(self, nodes: tuple[ImportedNode, ...] | None = None) -> list[_Unit]:
        """The main sequence: every node, merges with their branches gathered where they can be;
        the nodes of a training-only head as one side unit, where its first node is."""
        units: list[_Unit] = []
        by_name: dict[str, _Unit] = {}
        heads = self.graph.train_only if nodes is None else ()
        for node in self.graph.nodes if nodes is None else nodes:
            head = next((h for h in heads if in_scope(node.name, h)), None)
            if head is not None:
                if head not in by_name:
                    inside = tuple(n for n in self.graph.nodes if in_scope(n.name, head))
                    fork = next(i for n in inside for i in n.inputs if not in_scope(i, head))
                    by_name[head] = _Unit(head, (fork,), node, side=self.units(inside))
                    units.append(by_name[head])
                continue
            unit = _Unit(node.name, tuple(node.inputs), node)
            if node.kind in MERGES:
                gathered = self.gather(node, by_name)
                if gathered is not None:
                    fork, branches = gathered
                    inside = {id(u) for branch in branches for u in branch}
                    units = [u for u in units if id(u) not in inside]
                    unit = _Unit(node.name, (fork,), node, branches)
            units.append(unit)
            by_name[node.name] = unit
        return units

    def gather(
        self, merge: ImportedNode, by_name: dict[str, _Unit]
    ) -> tuple[str, tuple[tuple[_Unit, ...], ...]] | None:
        """The fork and the branches of ``merge`` when each input is a chain from one tensor, each
        link read only by the next, all inside the merge's scope; else None."""
        scope = _scope_of(merge.name)
        forks, branches = set(), []
        for name in merge.inputs:
            chain: list[_Unit] = []
            while name in by_name and self.readers.get(name, 0) == 1:
                unit = by_name[name]
                if len(unit.reads) != 1 or _scope_of(unit.name)[: len(scope)] != scope:
                    return None
                chain.insert(0, unit)
                name = unit.reads[0]
            forks.add(name)
            branches.append(tuple(chain))
        if len(forks) != 1 or len(merge.inputs) < 2:
            return None
        if (sum(not b for b in branches) > 1 and merge.kind != "concat") or not any(branches):
            return None  # (a merge of one tensor with itself: x + x, cat([x, x]))
        return forks.pop(), tuple(branches)

    # -- writing --------------------------------------------------------------------------------
    def reference(self, target: str, scope: tuple[str, ...]) -> str:
        """The shortest name that ``from:`` inside ``scope`` resolves to ``target``."""
        prefix = "".join(f"{s}." for s in scope)
        parts = _segments(target)
        for cut in range(len(parts) - 1, -1, -1):
            written = ".".join(parts[cut:])
            first = next((c for c in candidates(written, prefix) if c in self.known), None)
            if first == target:
                return written
        return target

    def entries(
        self,
        units: list[_Unit],
        scope: tuple[str, ...],
        shared: frozenset[tuple[str, ...]] = frozenset(),
    ) -> list[Any]:
        """The entries of ``units`` written inside ``scope``: nested named groups by name. A scope
        in ``shared`` is opened by other branches of the same merge too (ASPP's ``convs.0`` …
        ``convs.4``): its group is written with the next segments, ``convs.1``, so that the
        branches do not open one scope twice (the second would be renamed)."""
        out: list[Any] = []
        i = 0
        while i < len(units):
            unit_scope = _scope_of(units[i].name)
            if len(unit_scope) > len(scope) and unit_scope[: len(scope)] == scope:
                segment = unit_scope[len(scope)]
                inner = (*scope, segment)
                while inner in shared and len(unit_scope) > len(inner):
                    inner = (*inner, unit_scope[len(inner)])
                if inner in shared:  # the layer itself sits in the shared scope: a dotted name
                    out.extend(self.unit_entries(units[i], scope, ".".join(inner[len(scope) :])))
                    i += 1
                    continue
                j = i
                while j < len(units) and _scope_of(units[j].name)[: len(inner)] == inner:
                    j += 1
                name = ".".join(inner[len(scope) :])
                self.parsed(scope, name, _node_names(units[i:j]), ".".join(inner))
                out.append({"name": name, "layers": self.entries(units[i:j], inner)})
                i = j
                continue
            out.extend(self.unit_entries(units[i], scope))
            i += 1
        return out

    def operand_order(self, node: ImportedNode, items: Any, sources: list[str]) -> list[Any]:
        """``items`` in the order the merge takes them: a ``mul`` takes the tensor first and the
        per-channel scale second (``scale * x`` in the model is the same product)."""
        items = list(items)
        if node.kind == "mul" and len(items) == 2:
            first = self.input_of(sources[0])
            if first is not None and not first.is_flat and first.spatial == (1, 1):
                return [items[1], items[0]]
        return items

    def input_of(self, source: str) -> Shape | None:
        """The shape of ``source``'s output (the network input's for :data:`NETWORK_INPUT`)."""
        if source == NETWORK_INPUT:
            return self.graph.input
        node = self.nodes.get(source)
        return node.output_shape if node is not None else None

    def tap_to(self, source: str, scope: tuple[str, ...]) -> list[Any]:
        """``[{from: …}]`` unless ``source`` is the current tensor (then nothing)."""
        if source == self.current:
            return []
        if source == NETWORK_INPUT:
            if NETWORK_INPUT in self.known:  # a layer named 'input' hides the network's input
                raise_unreachable_input(source)
            return [{"from": NETWORK_INPUT}]
        return [{"from": self.reference(source, scope)}]

    def unit_entries(self, unit: _Unit, scope: tuple[str, ...], path: str = "") -> list[Any]:
        """The entries of one unit inside ``scope``; ``path``: the scopes between, written into
        its name (``a.1``) where a group cannot be opened."""
        node = unit.node
        leaf = _segments(unit.name)[-1]
        leaf = f"{path}.{leaf}" if path else leaf
        self.parsed(scope, leaf, _node_names([unit]), ".".join((*scope, leaf)))
        out: list[Any] = []
        if unit.side is not None:  # reads the fork; the main sequence goes on from the fork
            out += self.tap_to(unit.reads[0], scope)
            fork = self.current
            layers = self.entries(unit.side, (*scope, *_segments(leaf)))
            self.current = fork
            return [*out, {"side": layers, "name": leaf, "train_only": True}]
        if node.kind not in MERGES:
            out += self.tap_to(unit.reads[0], scope)
            entry = layer_entry(node, leaf, self.input_of(unit.reads[0]))
            if "shares" in entry:
                entry["shares"] = self.reference(str(entry["shares"]), scope)
            out.append(entry)
            self.current = unit.name
            return out
        if unit.branches is not None:
            out += self.tap_to(unit.reads[0], scope)
            fork = self.current
            branches = []
            opened = [
                {
                    _scope_of(u.name)[:depth]
                    for u in chain
                    for depth in range(len(scope) + 1, len(_scope_of(u.name)) + 1)
                }
                for chain in unit.branches
            ]
            every: set[tuple[str, ...]] = set().union(*opened)
            shared = frozenset(s for s in every if sum(s in o for o in opened) > 1)
            for chain in self.operand_order(
                node, unit.branches, [c[-1].name if c else fork for c in unit.branches]
            ):
                self.current = fork
                branches.append(self.entries(list(chain), scope, shared))
            self.current = unit.name
            return [*out, merge_entry(node, leaf, branches)]
        fork = self.current
        branches = []
        for source in self.operand_order(node, node.inputs, list(node.inputs)):
            self.current = fork
            branches.append(self.tap_to(source, scope))
        if not any(branches):  # every operand the same tensor: named, as no branch may be empty
            branches = [[{"from": self.reference(source, scope)}] for source in node.inputs]
        self.current = unit.name
        return [merge_entry(node, leaf, branches)]


def _node_names(units: list[_Unit] | tuple[_Unit, ...]) -> list[str]:
    """The names of the nodes in ``units``, with their gathered branches and side heads."""
    names: list[str] = []
    for unit in units:
        names.append(unit.name)
        for branch in unit.branches or ():
            names += _node_names(branch)
        names += _node_names(unit.side or [])
    return names


def renamed(graph: ImportedGraph, names: dict[str, str], scopes: list[tuple[str, str]]) -> ImportedGraph:
    """``graph`` with its nodes renamed by ``names`` (inputs, outputs and ``shares`` with them);
    each scope renamed in ``scopes`` keeps its module class under the new name."""

    def new(name: str) -> str:
        return names.get(name, name)

    nodes = tuple(
        replace(
            node,
            name=new(node.name),
            inputs=tuple(new(i) for i in node.inputs),
            fields=(
                {**node.fields, "shares": new(str(node.fields["shares"]))}
                if "shares" in node.fields
                else node.fields
            ),
        )
        for node in graph.nodes
    )

    def moved(scope: str) -> str:  # a training-only head's scope, inside a renamed one or not
        before, after = next(((b, a) for b, a in scopes if in_scope(scope, b)), (scope, scope))
        return after + scope[len(before) :]

    classes = dict(graph.modules)
    extra = tuple((after, classes[before]) for before, after in scopes if before in classes)
    return replace(
        graph,
        nodes=nodes,
        outputs=tuple(new(o) for o in graph.outputs),
        modules=graph.modules + extra,
        train_only=tuple(moved(scope) for scope in graph.train_only),
    )


def raise_unreachable_input(source: str) -> None:
    from cnncalc.errors import SpecError

    raise SpecError(
        "this model reads its input again after other layers; a spec can read an earlier layer, "
        "not the input itself",
        hint="start the model with a layer that keeps the input (nn.Identity) to name it",
    )


def layer_entry(node: ImportedNode, leaf: str, inp: Shape | None = None) -> dict[str, Any]:
    """One layer as a spec mapping: its type, fields and name. A window that does not tile ``inp``
    is marked ``floor: true``: the model floors it on purpose, as PyTorch does."""
    entry: dict[str, Any] = {"type": node.kind}
    for key, value in node.fields.items():
        entry[key] = shape_text(value) if isinstance(value, Shape) else _plain(value)
    kind = lookup(node.kind)
    if inp is not None and kind is not None and "floor" in kind.fields and "floor" not in entry:
        try:
            if kind(**{k: v for k, v in entry.items() if k != "shares"}).fit_warnings(inp):
                entry["floor"] = True
        except CnncalcError:
            pass  # the parser reports the bad field with its place
    entry["name"] = leaf
    return entry


def merge_entry(node: ImportedNode, leaf: str, branches: list[list[Any]]) -> dict[str, Any]:
    entry: dict[str, Any] = {node.kind: branches, "name": leaf}
    if node.kind == "concat":
        entry["inline"] = True
    return entry


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


# -- blocks -------------------------------------------------------------------------------------
_ARG_CHARS = re.compile(r"[^A-Za-z0-9_]")


def _skeleton(value: Any) -> Any:
    """``value`` with every scalar (other than a type, a name, a merge flag) replaced by a slot."""
    if isinstance(value, dict):
        return tuple(
            (k, _skeleton(v) if k not in ("type", "name", "inline") else v) for k, v in value.items()
        )
    if isinstance(value, list):
        return ("[", *(_skeleton(v) for v in value))
    return "·"


def _scalars(value: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every slot of :func:`_skeleton` with its value, and a path naming it (layer name, field)."""
    out: list[tuple[tuple[str, ...], Any]] = []
    if isinstance(value, dict):
        here = (*path, str(value["name"])) if "name" in value else path
        for key, item in value.items():
            if key in ("type", "name", "inline"):
                continue
            out += _scalars(item, (*here, key) if not isinstance(item, dict | list) else here)
    elif isinstance(value, list):
        for item in value:
            out += _scalars(item, path)
    else:
        out.append((path, value))
    return out


def _fill(value: Any, slots: dict[int, str], counter: list[int]) -> Any:
    """``value`` with the slots numbered in ``slots`` replaced by ``${arg}``."""
    if isinstance(value, dict):
        return {
            k: (_fill(v, slots, counter) if k not in ("type", "name", "inline") else v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_fill(v, slots, counter) for v in value]
    index = counter[0]
    counter[0] += 1
    return f"${{{slots[index]}}}" if index in slots else value


def _arg_name(path: tuple[str, ...], used: set[str]) -> str:
    base = _ARG_CHARS.sub("_", "_".join(path[-2:]) if path else "value") or "value"
    if base[0].isdigit():
        base = "l" + base
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base}_{n}"
    used.add(name)
    return name


def make_blocks(layers: list[Any], classes: dict[str, str]) -> tuple[list[Any], dict[str, Any]]:
    """Named groups of the same module class and structure, two or more, as calls of one block
    (innermost first); the values that differ become its arguments."""
    blocks: dict[str, Any] = {}

    def groups(entries: list[Any], prefix: str, found: list[tuple[str, list[Any], int]]) -> None:
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            if "layers" in entry and "name" in entry and "block" not in entry:
                full = prefix + str(entry["name"])
                groups(entry["layers"], full + ".", found)
                found.append((full, entries, index))
            for kind in MERGES:
                for branch in entry.get(kind, []) if isinstance(entry.get(kind), list) else []:
                    groups(branch, prefix, found)
            if isinstance(entry.get("side"), list):  # its layers are named inside its scope
                groups(entry["side"], f"{prefix}{entry.get('name')}.", found)

    found: list[tuple[str, list[Any], int]] = []
    groups(layers, "", found)
    by_kind: dict[tuple[str, Any], list[tuple[str, list[Any], int]]] = {}
    for full, parent, index in found:
        cls = classes.get(full)
        if cls is None or cls in _CONTAINERS:
            continue
        by_kind.setdefault((cls, _skeleton(parent[index]["layers"])), []).append((full, parent, index))
    names_used: set[str] = set()
    for (cls, _), calls in by_kind.items():
        if len(calls) < 2:
            continue
        block_name = _ARG_CHARS.sub("_", cls)
        while block_name in names_used:
            block_name += "_"
        names_used.add(block_name)
        values = [_scalars(parent[index]["layers"]) for _, parent, index in calls]
        slots: dict[int, str] = {}
        used: set[str] = set()
        for position, (path, first) in enumerate(values[0]):
            if any(v[position][1] != first or type(v[position][1]) is not type(first) for v in values):
                slots[position] = _arg_name(path, used)
        template = _fill(calls[0][1][calls[0][2]]["layers"], slots, [0])
        blocks[block_name] = {"args": {arg: None for arg in slots.values()}, "layers": template}
        if not slots:
            del blocks[block_name]["args"]
        for (_, parent, index), call_values in zip(calls, values, strict=True):
            name = parent[index]["name"]
            args = {arg: call_values[position][1] for position, arg in slots.items()}
            parent[index] = (
                {"block": block_name, "args": args, "name": name}
                if args
                else {
                    "block": block_name,
                    "name": name,
                }
            )
    return layers, blocks


def graph_document(graph: ImportedGraph, *, blocks: bool = True) -> dict[str, Any]:
    """The spec document of ``graph``: name, source, input and layers (with ``blocks`` for
    repeated module classes when ``blocks``)."""
    for attempt in range(_MAX_RENAMING_PASSES):
        writer = _Writer(graph)
        layers = writer.entries(writer.units(), ())
        if not writer.scope_renames or attempt == _MAX_RENAMING_PASSES - 1:
            break  # (the parser names what is left, with its place, should nesting go deeper)
        # a scope opened twice (a module called again): named as the parser will read it
        graph = renamed(graph, writer.renames, writer.scope_renames)
    extra = [name for name in graph.outputs if name != writer.current]
    document: dict[str, Any] = {"name": graph.name, "source": graph.source}
    if extra:
        document["description"] = "outputs: " + ", ".join(graph.outputs)
    document["input"] = shape_text(graph.input)
    found: dict[str, Any] = {}
    if blocks and graph.modules:
        layers, found = make_blocks(layers, dict(graph.modules))
    if found:
        document["blocks"] = found
    document["layers"] = layers
    return document


def graph_network(graph: ImportedGraph) -> Network:
    """``graph`` as a network: its document read by the ordinary parser."""
    from cnncalc.parse.build import network_from_data

    network = network_from_data(graph_document(graph), graph.source, default_name=graph.name)
    return replace(network, notes=graph.notes) if graph.notes else network


def uncounted_layers(network: Network) -> list[tuple[str, str]]:
    """(name, operation) of every ``uncounted`` layer of ``network``, in order."""
    from cnncalc.spec import LayerNode, walk_nodes

    return [
        (node.name, str(getattr(node.layer, "op", node.layer.type)))
        for node in walk_nodes(network.body)
        if isinstance(node, LayerNode) and not node.layer.counted
    ]

"""The network as a graph of boxes, and its layout: pure geometry, no drawing (see
:mod:`cnncalc.render.svg`).

A diagram is a list of :class:`DiagramNode` in forward order. Each node reads the outputs of earlier
nodes by name (a report row's ``inputs``), so the same code draws a node per layer or a node per
collapsed group: a group node answers to the names of every layer it holds.

The layout is a layered, top-to-bottom one, deterministic and linear in the number of nodes:

1. *Rank* (the row): one below the lowest of the node's inputs (longest path from the input).
2. *Chains*: a node continues the chain of its first input when it is that input's first reader
   on the way to the network output; every other reader starts a new chain. A residual body,
   the first branch of a concat and the main path are chains; a shortcut, the other branches and
   an auxiliary head are chains of their own.
3. *Lanes* (the columns): a chain goes to the first lane right of its parent's lane that is free
   over the rows it spans (down to the row above the node that reads its last output), so
   parallel branches stand side by side and lanes are reused once a branch has merged.
4. *Edges*: straight down a lane when nothing is in the way; down the lane's right gutter for a
   skip (an identity shortcut); from another lane, down the free source lane and then across;
   when both lanes hold boxes on the way (a ``from:`` reference several rows up), down the source
   lane's gutter and across in the gap above the target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cnncalc.analysis import INPUT_NAME
from cnncalc.i18n import _, translate_message
from cnncalc.render.numbers import exact, megabytes, si
from cnncalc.report import LayerRow, Report

# Geometry in SVG user units (pixels at 100 %). Text is monospace, so widths are known in advance.
BOX_WIDTH = 200
BOX_HEIGHT = 34
LANE_GAP = 36  # between two boxes side by side; skip edges run down the middle of it
RANK_GAP = 22  # between a box and the one below
MARGIN = 16
HEADER_HEIGHT = 44
CHAR_WIDTH = 6.6  # of the 11 px monospace font
LABEL_CHARS = int((BOX_WIDTH - 16) / CHAR_WIDTH)  # room for fonts a little wider


@dataclass(frozen=True)
class DiagramNode:
    """One box: a layer, a merge, the network input or a collapsed group of layers.

    ``names`` are the names other nodes use to read this node's output (a layer: its own name; a
    group: the names of all the layers it holds). ``inputs`` are names of earlier nodes' outputs,
    ``'input'`` for the network input."""

    names: tuple[str, ...]
    title: str  # the layer type, or what a group is ("inception3a · 24 layers")
    label: str  # the qualified name
    shape: str  # output shape in the report's order
    inputs: tuple[str, ...]
    family: str = "structure"
    tooltip: str = ""
    warning: bool = False


@dataclass(frozen=True)
class Box:
    node: DiagramNode
    rank: int
    lane: int
    x: float
    y: float


@dataclass(frozen=True)
class Edge:
    """A path from the bottom (or right side) of one box to the top (or right side) of another, as
    SVG path data; ``skip`` when it leaves the lane to pass boxes in between."""

    source: int
    target: int
    path: str
    skip: bool = False


@dataclass
class Layout:
    boxes: list[Box]
    edges: list[Edge]
    width: float
    height: float
    lanes: int
    ranks: int
    chains: list[list[int]] = field(default_factory=list)


def input_node(report: Report) -> DiagramNode:
    order = report.settings.order
    return DiagramNode(
        names=(INPUT_NAME,),
        title=INPUT_NAME,
        label=INPUT_NAME,
        shape=report.input.text(order),
        inputs=(),
        family="input",
        tooltip=f"input {report.input.text(order)}",
    )


def layer_nodes(report: Report) -> list[DiagramNode]:
    """A node for the network input, then one per report row."""
    order = report.settings.order
    nodes = [input_node(report)]
    for row in report.layers:
        facts = [row.description, _("output {shape}").format(shape=row.output_shape.text(order))]
        if row.params:
            facts.append(_("params {count}").format(count=exact(row.params)))
        if row.macs:
            facts.append(f"MACs {si(row.macs)}")
        facts.append(_("memory {size}").format(size=megabytes(row.activation_bytes)))
        facts += [translate_message(w) for w in row.warnings]
        nodes.append(
            DiagramNode(
                names=(row.name,),
                title=row.type,
                label=row.name,
                shape=row.output_shape.text(order),
                inputs=tuple(row.inputs),
                family=row.family,
                tooltip=f"{row.index} {row.name}: " + "; ".join(facts),
                warning=bool(row.warnings),
            )
        )
    return nodes


def diagram_nodes(report: Report) -> list[DiagramNode]:
    """The nodes to draw: one per layer row, or, for a grouped report (``--depth N``), one per
    group of the view (a group's box in its layers' place, a layer of its own as itself)."""
    nodes = layer_nodes(report)
    if not report.groups:
        return nodes
    by_name = {node.names[0]: node for node in nodes[1:]}
    rows = {row.name: row for row in report.layers}
    drawn = [nodes[0]]
    for group in report.groups:
        if group.kind == "layer":
            drawn.append(by_name[group.layers[0]])
        else:
            drawn.append(group_node(report, [rows[name] for name in group.layers], group.name))
    return drawn


def group_node(report: Report, rows: Sequence[LayerRow], label: str) -> DiagramNode:
    """One box for consecutive ``rows`` (a block, a stage, an inception module), drawn in their
    place: it answers to all their names, reads what they read from outside, and shows the last
    row's output shape with the group's totals."""
    if not rows:
        raise ValueError(f"group '{label}' has no rows")
    order = report.settings.order
    names = tuple(row.name for row in rows)
    params = sum(row.params for row in rows)
    macs = sum(row.macs for row in rows)
    count = sum(1 for row in rows if row.row_kind == "layer")
    tooltip = _("{label}: {count} layers, params {params}, MACs {macs}").format(
        label=label, count=count, params=exact(params), macs=si(macs)
    )
    return DiagramNode(
        names=names,
        title=_("{count} layers").format(count=count),
        label=label,
        shape=rows[-1].output_shape.text(order),
        inputs=tuple(dict.fromkeys(name for row in rows for name in row.inputs)),
        family="group",
        tooltip=tooltip,
        warning=any(row.warnings for row in rows),
    )


def resolve_inputs(nodes: list[DiagramNode]) -> list[list[int]]:
    """For each node, the positions of the earlier nodes it reads, in order, without repeats. A
    name means the latest earlier node that answers to it; a group's reads of its own layers vanish."""
    latest: dict[str, int] = {}
    preds: list[list[int]] = []
    for i, node in enumerate(nodes):
        found: list[int] = []
        own = set(node.names) if len(node.names) > 1 else set()  # a group's reads of its own layers
        for name in node.inputs:
            j = i if name in own else latest.get(name)
            if j is None:
                raise ValueError(f"node {i} '{node.label}' reads '{name}', which no earlier node gives")
            if j != i and j not in found:
                found.append(j)
        preds.append(found)
        for name in node.names:
            latest[name] = i
    return preds


def layout(nodes: list[DiagramNode]) -> Layout:
    """Ranks, lanes, positions and edge paths of ``nodes`` (forward order; see the module doc)."""
    n = len(nodes)
    preds = resolve_inputs(nodes)
    succs: list[list[int]] = [[] for _ in range(n)]
    for i, ps in enumerate(preds):
        for p in ps:
            succs[p].append(i)
    rank = [0] * n
    for i in range(n):
        if preds[i]:
            rank[i] = max(rank[p] for p in preds[i]) + 1
    # Which nodes lead to the network output (the last node): the main path prefers them.
    leads = [False] * n
    if n:
        leads[n - 1] = True
    for i in range(n - 2, -1, -1):
        leads[i] = any(leads[s] for s in succs[i])

    def continuation(u: int) -> int | None:
        firsts = [s for s in succs[u] if preds[s][0] == u]
        on_path = [s for s in firsts if leads[s]]
        return (on_path or firsts or [None])[0]

    follower = [continuation(u) for u in range(n)]
    chain_of = [-1] * n
    chains: list[list[int]] = []
    for i in range(n):
        if preds[i] and follower[preds[i][0]] == i:
            chain_of[i] = chain_of[preds[i][0]]
            chains[chain_of[i]].append(i)
        else:
            chain_of[i] = len(chains)
            chains.append([i])

    lane_of_chain: list[int] = []
    occupied: list[list[tuple[int, int]]] = []  # per lane: (top, bottom) rank intervals
    lowest: list[int] = []  # per lane: the largest bottom so far (chains come mostly in row order)
    for c, members in enumerate(chains):
        top = rank[members[0]]
        bottom = rank[members[-1]]
        for v in members:
            for s in succs[v]:
                if chain_of[s] != c:
                    bottom = max(bottom, rank[s] - 1)
        first = members[0]
        lane = 0 if not preds[first] else lane_of_chain[chain_of[preds[first][0]]] + 1
        while lane < len(occupied) and (
            top <= lowest[lane] and any(a <= bottom and top <= b for a, b in occupied[lane])
        ):
            lane += 1
        if lane == len(occupied):
            occupied.append([])
            lowest.append(-1)
        occupied[lane].append((top, bottom))
        lowest[lane] = max(lowest[lane], bottom)
        lane_of_chain.append(lane)

    lanes = max(1, len(occupied))
    ranks = max(rank) + 1 if n else 0
    boxes = [
        Box(
            node=nodes[i],
            rank=rank[i],
            lane=lane_of_chain[chain_of[i]],
            x=MARGIN + lane_of_chain[chain_of[i]] * (BOX_WIDTH + LANE_GAP),
            y=HEADER_HEIGHT + rank[i] * (BOX_HEIGHT + RANK_GAP),
        )
        for i in range(n)
    ]
    at: set[tuple[int, int]] = {(b.lane, b.rank) for b in boxes}
    edges = [_edge(boxes, p, i, k, len(preds[i]), at) for i in range(n) for k, p in enumerate(preds[i])]
    width = 2 * MARGIN + lanes * BOX_WIDTH + (lanes - 1) * LANE_GAP
    height = HEADER_HEIGHT + ranks * (BOX_HEIGHT + RANK_GAP) - RANK_GAP + MARGIN
    return Layout(boxes, edges, width, height, lanes, ranks, chains)


def _free(at: set[tuple[int, int]], lane: int, first: int, last: int) -> bool:
    return all((lane, r) not in at for r in range(first, last + 1))


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _edge(boxes: list[Box], p: int, i: int, k: int, count: int, at: set[tuple[int, int]]) -> Edge:
    """The path of the ``k``-th of ``count`` inputs of box ``i``, from box ``p``."""
    src, dst = boxes[p], boxes[i]
    sx = src.x + BOX_WIDTH / 2
    sy = src.y + BOX_HEIGHT
    # Several inputs arrive side by side along the top edge, in input order.
    tx = dst.x + BOX_WIDTH * (k + 1) / (count + 1)
    ty = dst.y
    pitch = BOX_HEIGHT + RANK_GAP
    f = _num
    if src.lane == dst.lane:
        if _free(at, src.lane, src.rank + 1, dst.rank - 1):
            if tx == sx:
                return Edge(p, i, f"M{f(sx)},{f(sy)} L{f(sx)},{f(ty)}")
            turn = dst.y - RANK_GAP
            return Edge(p, i, f"M{f(sx)},{f(sy)} L{f(sx)},{f(turn)} " + _curve(sx, turn, tx, ty, move=False))
        # A skip: out of the right side, down the gutter, into the right side.
        gx = src.x + BOX_WIDTH + LANE_GAP / 2
        y1 = src.y + BOX_HEIGHT / 2
        y2 = dst.y + BOX_HEIGHT / 2
        right = src.x + BOX_WIDTH
        r = min(LANE_GAP / 4, (y2 - y1) / 2)
        path = (
            f"M{f(right)},{f(y1)} L{f(gx - r)},{f(y1)} Q{f(gx)},{f(y1)} {f(gx)},{f(y1 + r)} "
            f"L{f(gx)},{f(y2 - r)} Q{f(gx)},{f(y2)} {f(gx - r)},{f(y2)} L{f(right)},{f(y2)}"
        )
        return Edge(p, i, path, skip=True)
    if dst.rank - src.rank > 1 and _free(at, src.lane, src.rank + 1, dst.rank - 1):
        # Down the source lane to the row above the target, then across.
        turn = dst.y - RANK_GAP
        return Edge(p, i, f"M{f(sx)},{f(sy)} L{f(sx)},{f(turn)} " + _curve(sx, turn, tx, ty, move=False))
    if dst.rank - src.rank > 1 and _free(at, dst.lane, src.rank + 1, dst.rank - 1):
        # Across to the target lane first, then down it.
        turn = src.y + pitch
        cx = dst.x + BOX_WIDTH / 2
        return Edge(p, i, _curve(sx, sy, cx, turn) + f" L{f(tx)},{f(ty)}")
    if dst.rank - src.rank > 1:
        # Boxes in both lanes (a reference to an output several rows up, U-Net's skips): out of
        # the source's right side, down the gutter beside its lane, across in the gap above the
        # target's row, and into the target; never through a box.
        gx = src.x + BOX_WIDTH + LANE_GAP / 2
        y1 = src.y + BOX_HEIGHT / 2
        ya = dst.y - RANK_GAP / 2
        path = (
            f"M{f(src.x + BOX_WIDTH)},{f(y1)} L{f(gx)},{f(y1)} L{f(gx)},{f(ya)} "
            f"L{f(tx)},{f(ya)} L{f(tx)},{f(ty)}"
        )
        return Edge(p, i, path, skip=True)
    return Edge(p, i, _curve(sx, sy, tx, ty))


def _curve(x1: float, y1: float, x2: float, y2: float, move: bool = True) -> str:
    f = _num
    mid = (y1 + y2) / 2
    start = f"M{f(x1)},{f(y1)} " if move else ""
    return f"{start}C{f(x1)},{f(mid)} {f(x2)},{f(mid)} {f(x2)},{f(y2)}"


def shorten_left(text: str, width: int = LABEL_CHARS) -> str:
    """Cut a qualified name on the left, where it repeats its scope: ``…branch2.1.conv``."""
    return text if len(text) <= width else "…" + text[len(text) - width + 1 :]

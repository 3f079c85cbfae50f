"""The module plan: how a resolved network becomes a tree of PyTorch modules, without torch.

Both :func:`~cnncalc.torch_bridge.modules.build_module` (objects in memory) and
:func:`~cnncalc.torch_bridge.codegen.export_source` (Python text) follow the same plan, so the
module you export is the module ``cnncalc verify`` checks.

The tree follows the spec's name scopes, so a layer's attribute path in PyTorch is its qualified
spec name (``layer1.0.conv1``):

* a named sequence (group, named repeat, numbered copy, named block call) is a sub-block;
* a concat is a block whose children are its branches, run on the same input and concatenated;
  an inline concat (no layer named under it) is a step of the enclosing block;
* a named residual is a block of its own; an unnamed one is a step of the enclosing block
  (``x = body(x) + shortcut(identity)``), like torchvision's ``BasicBlock``, with its projection
  shortcut as a sub-block named ``shortcut``;
* a gate (squeeze-and-excitation) multiplies x by what its layers compute from x: a named gate's
  layers are a block of their own (torchvision's ``SqueezeExcitation``), an unnamed gate's are
  steps of the enclosing block;
* a side output (an auxiliary head) is a block run on the current tensor, its result kept in the
  enclosing block's ``side_outputs`` while the main path goes on;
* a layer is ``torch.nn.<cls>(**kwargs)`` from its kind's :meth:`~cnncalc.layers.LayerDef.torch_call`,
  flattened first when that asks for it; a layer whose call has a ``scale_parameter`` (layer scale)
  is that parameter of the enclosing block, under the layer's key, and a :class:`ScaleStep`;
* an ``add:``/``mul:`` merge of branches, like an inline concat, is a step of the enclosing block;
* a ``from:`` reference reads an output saved where it was computed (``Save``/``Load`` steps). A
  reference that crosses the boundary of a block (U-Net's skips, DeepLab's head on an inner stage)
  cannot be a plain call of that block: the block is still a submodule (its state_dict keys do not
  change), but its steps run in the enclosing block's forward (``x = self.backbone.layer3(x)``),
  the way torchvision's ``IntermediateLayerGetter`` reaches a backbone's stages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from cnncalc.analysis import analyse
from cnncalc.errors import UsageError
from cnncalc.layers import TorchCall
from cnncalc.shapes import Shape
from cnncalc.spec import NETWORK_INPUT, LayerNode, MergeNode, Network, Node, SequenceNode, TapNode


@dataclass(frozen=True)
class LayerPlan:
    """One layer module: ``key`` is its attribute name in the enclosing block."""

    key: str
    node: LayerNode
    call: TorchCall
    input: Shape
    output: Shape

    @property
    def is_parameter(self) -> bool:
        """Whether the layer is a parameter of its block (``call.scale_parameter``), not a module."""
        return self.call.scale_parameter is not None


@dataclass(frozen=True)
class Apply:
    """Step ``x = self.<key>(x)``, flattening ``x`` first when ``flatten_first``."""

    key: str
    flatten_first: bool = False


@dataclass(frozen=True)
class ScaleStep:
    """Step ``x = self.<key> * x``: ``key`` a parameter of this block (a :class:`LayerPlan` that
    :attr:`~LayerPlan.is_parameter`); ``name`` the layer's qualified spec name."""

    key: str
    name: str


@dataclass(frozen=True)
class AddStep:
    """An inline residual: ``x = body(x) + shortcut(x_in)``; ``shortcut`` None is the identity."""

    body: tuple[Step, ...]
    shortcut: str | None
    name: str  # the merge's qualified spec name
    output: Shape


@dataclass(frozen=True)
class ConcatStep:
    """Inline branches merged: ``x = torch.cat([branch(x) for branch in branches], 1)``, or their
    element-wise sum or product (``op`` "add", "mul"); each branch the steps of the enclosing block
    (no steps: the input itself)."""

    branches: tuple[tuple[Step, ...], ...]
    name: str  # the merge's qualified spec name
    output: Shape
    op: Literal["concat", "add", "mul"] = "concat"


@dataclass(frozen=True)
class GateStep:
    """A gate: ``x = x * gate(x)``, the gate's layers either a sub-block ``gate`` (a named gate,
    like torchvision's ``SqueezeExcitation``) or the inline ``body`` steps."""

    body: tuple[Step, ...]
    gate: str | None
    name: str  # the merge's qualified spec name
    output: Shape


@dataclass(frozen=True)
class SideStep:
    """A side output (an auxiliary head): ``side_outputs[name] = self.<key>(x)``; x goes on. A
    ``train_only`` head runs only in training mode (``if self.training``), as InceptionAux."""

    key: str
    name: str
    train_only: bool = False
    body: tuple[Step, ...] = ()  # an inlined head (see the module docstring): its steps, key ""


@dataclass(frozen=True)
class Save:
    """``saved[name] = x``: an output a later ``from:`` reference reads."""

    name: str


@dataclass(frozen=True)
class Load:
    """``x = saved[name]`` (``last``: the last reference, which frees it)."""

    name: str
    last: bool = False


Step = Apply | ScaleStep | AddStep | ConcatStep | GateStep | SideStep | Save | Load


@dataclass(frozen=True)
class BlockPlan:
    """A container module. ``mode`` 'sequence' runs ``steps``; 'concat' runs every child (a
    branch) on the input and concatenates the results along channels (then ``merge_name`` is
    the spec name of the concat)."""

    key: str  # attribute name in the parent ("" for the root)
    path: str  # qualified module path ("" for the root)
    mode: Literal["sequence", "concat"]
    children: tuple[LayerPlan | BlockPlan, ...]
    steps: tuple[Step, ...]
    input: Shape
    output: Shape
    merge_name: str | None = None
    inlined: bool = False  # its steps run in the parent's forward (a reference crosses it)

    def layers(self) -> Iterable[tuple[str, LayerPlan]]:
        """Every layer below this block with its module path (its parameter's path for a layer that
        :attr:`~LayerPlan.is_parameter`), in registration order."""
        for child in self.children:
            path = f"{self.path}.{child.key}" if self.path else child.key
            if isinstance(child, LayerPlan):
                yield path, child
            else:
                yield from child.layers()

    def blocks(self) -> Iterable[BlockPlan]:
        """This block and every block below it, parents first."""
        yield self
        for child in self.children:
            if isinstance(child, BlockPlan):
                yield from child.blocks()


@dataclass(frozen=True)
class _Taps:
    """The network's ``from:`` references: the names they read, and (scope prefix written in,
    source) per reference, to find the blocks a reference crosses."""

    tapped: frozenset[str] = frozenset()
    crossings: tuple[tuple[str, str], ...] = ()
    last: frozenset[int] = frozenset()  # ids of the TapNodes that are their source's last reader
    outputs: dict[str, Shape] = field(default_factory=dict)  # the shapes saved, filled by the walk
    modules: dict[str, str] = field(default_factory=dict)  # layer name -> its module's path

    def crossed(self, scope: str) -> bool:
        """Whether a reference leaves or enters the scope ``scope`` (a qualified name)."""
        inside = scope + "."
        return any(
            written.startswith(inside) != source.startswith(inside) for written, source in self.crossings
        )


@dataclass
class _Builder:
    prefix: str  # the spec-name prefix of this scope, e.g. "layer1.0."
    path: str  # module path of this block
    reserved: frozenset[str]
    children: list[LayerPlan | BlockPlan] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    taps: _Taps = field(default_factory=_Taps)

    def key(self, wanted: str) -> str:
        """A unique, legal attribute name for ``wanted``."""
        key = wanted.replace(".", "_") or "module"
        if key in self.reserved:
            key += "_"
        candidate, n = key, 1
        while candidate in self.used:
            n += 1
            candidate = f"{key}_{n}"
        self.used.add(candidate)
        return candidate

    def relative(self, qualified: str) -> str:
        return qualified[len(self.prefix) :] if qualified.startswith(self.prefix) else qualified

    def sub(self, segment: str) -> _Builder:
        key = self.key(segment)
        path = f"{self.path}.{key}" if self.path else key
        return _Builder(prefix=f"{self.prefix}{segment}.", path=path, reserved=self.reserved, taps=self.taps)

    def finish(
        self,
        mode: Literal["sequence", "concat"],
        steps: tuple[Step, ...],
        inp: Shape,
        out: Shape,
        merge_name: str | None = None,
    ) -> BlockPlan:
        key = self.path.rsplit(".", 1)[-1] if self.path else ""
        return BlockPlan(key, self.path, mode, tuple(self.children), steps, inp, out, merge_name)


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, SequenceNode):
        return node.children
    if isinstance(node, TapNode | LayerNode):
        return ()
    if hasattr(node, "branch"):  # a side output
        return (node.branch,)
    return node.branches


def _first_layer(node: Node) -> LayerNode | None:
    if isinstance(node, LayerNode):
        return node
    for child in _children(node):
        found = _first_layer(child)
        if found is not None:
            return found
    return None


def _segment(builder: _Builder, seq: SequenceNode) -> str:
    """The scope segment a named sequence opened, read from its first layer's qualified name."""
    first = _first_layer(seq)
    if first is not None:
        rest = builder.relative(first.name)
        if "." in rest:
            return rest.split(".", 1)[0]
    return builder.relative(seq.name or "block")


def _has_layer_under(node: Node, prefix: str) -> bool:
    """Whether some layer of ``node`` is named under ``prefix``."""
    if isinstance(node, LayerNode):
        return node.name.startswith(prefix)
    return any(_has_layer_under(child, prefix) for child in _children(node))


def _prefixed(key: str, steps: tuple[Step, ...]) -> tuple[Step, ...]:
    """A child block's steps as steps of its parent: module keys under ``key.``."""

    def under(k: str | None) -> str | None:
        return None if k is None else f"{key}.{k}"

    out: list[Step] = []
    for step in steps:
        if isinstance(step, Apply):
            out.append(Apply(f"{key}.{step.key}", step.flatten_first))
        elif isinstance(step, ScaleStep):
            out.append(ScaleStep(f"{key}.{step.key}", step.name))
        elif isinstance(step, AddStep):
            out.append(AddStep(_prefixed(key, step.body), under(step.shortcut), step.name, step.output))
        elif isinstance(step, ConcatStep):
            branches = tuple(_prefixed(key, b) for b in step.branches)
            out.append(ConcatStep(branches, step.name, step.output, step.op))
        elif isinstance(step, GateStep):
            out.append(GateStep(_prefixed(key, step.body), under(step.gate), step.name, step.output))
        elif isinstance(step, SideStep):
            body = _prefixed(key, step.body)
            out.append(SideStep(under(step.key) if step.key else "", step.name, step.train_only, body))
        else:  # Save, Load: names are the network's
            out.append(step)
    return tuple(out)


def _inlined(block: BlockPlan) -> tuple[Step, ...]:
    """The steps that run ``block`` from its parent's forward (its modules stay where they are)."""
    if block.mode == "concat":
        branches = tuple(_inlined(child) for child in block.children if isinstance(child, BlockPlan))
        return (
            ConcatStep(
                tuple(_prefixed(block.key, b) for b in branches), block.merge_name or "", block.output
            ),
        )
    return _prefixed(block.key, block.steps)


def _call_block(builder: _Builder, block: BlockPlan, scope: str) -> tuple[Step, ...]:
    """How the parent runs a sub-block: one call, or its steps when a reference crosses it."""
    if builder.taps.crossings and builder.taps.crossed(scope):
        _mark_inlined(builder, block)
        return _inlined(block)
    return (Apply(block.key),)


def _mark_inlined(builder: _Builder, block: BlockPlan) -> None:
    """Replace ``block`` among the builder's children by the same block marked inlined."""
    index = builder.children.index(block)
    builder.children[index] = replace(block, inlined=True)


def _shared_key(builder: _Builder, node: LayerNode) -> str:
    """The path, from ``builder``'s module, of the module a ``shares`` layer calls again; refused
    when that module is not inside the calling block (the block has no reference to it)."""
    path = builder.taps.modules.get(str(node.shares))
    inside = builder.path + "." if builder.path else ""
    if path is None or not path.startswith(inside):
        raise UsageError(
            f"layer '{node.name}' uses the parameters of '{node.shares}' (shares), which is outside the "
            "block that calls it again: exporting that is not supported yet",
            hint="summary, memory and the other counts work on this network",
        )
    return path[len(inside) :]


def _walk(builder: _Builder, nodes: Iterable[Node], shape: Shape) -> tuple[tuple[Step, ...], Shape]:
    steps: list[Step] = []
    tapped = builder.taps.tapped
    for node in nodes:
        if isinstance(node, LayerNode):
            call = node.layer.torch_call(shape)
            out = node.layer.output_shape(shape)
            if node.shares is not None:  # the same module called again: no module of its own
                steps.append(Apply(_shared_key(builder, node), call.flatten_first))
                shape = out
                if node.name in tapped:
                    steps.append(Save(node.name))
                continue
            key = builder.key(builder.relative(node.name))
            layer = LayerPlan(key, node, call, shape, out)
            builder.children.append(layer)
            builder.taps.modules[node.name] = f"{builder.path}.{key}" if builder.path else key
            steps.append(ScaleStep(key, node.name) if layer.is_parameter else Apply(key, call.flatten_first))
            shape = out
            if node.name in tapped:
                steps.append(Save(node.name))
        elif isinstance(node, TapNode):
            steps.append(Load(node.source, id(node) in builder.taps.last))
            shape = builder.taps.outputs[node.source]
        elif isinstance(node, SequenceNode):
            if node.name is None:
                inner_steps, shape = _walk(builder, node.children, shape)
                steps.extend(inner_steps)
                continue
            sub = builder.sub(_segment(builder, node))
            inner_steps, out = _walk(sub, node.children, shape)
            block = sub.finish("sequence", inner_steps, shape, out)
            builder.children.append(block)
            steps.extend(_call_block(builder, block, node.scope or sub.prefix[:-1]))
            shape = out
            if node.scope in tapped:
                steps.append(Save(node.scope))
                builder.taps.outputs[node.scope] = shape
        elif hasattr(node, "branch"):  # a side output: its branch reads x, the main path goes on
            branch: SequenceNode = node.branch
            sub = builder.sub(_segment(builder, branch))
            side_steps, side_out = _walk(sub, branch.children, shape)
            block = sub.finish("sequence", side_steps, shape, side_out)
            builder.children.append(block)
            if builder.taps.crossings and builder.taps.crossed(node.name):
                _mark_inlined(builder, block)
                steps.append(SideStep("", node.name, node.train_only, _prefixed(block.key, block.steps)))
            else:
                steps.append(SideStep(block.key, node.name, node.train_only))
        elif _is_elementwise(node):  # add: / mul: branches, steps of the enclosing block
            outs, branch_steps = [], []
            for branch in node.branches:
                inner_steps, out = _walk(builder, branch.children, shape)
                branch_steps.append(inner_steps)
                outs.append(out)
            steps.append(ConcatStep(tuple(branch_steps), node.name, outs[0], node.merge))
            shape = outs[0]
        elif node.merge == "mul":
            gate = _gate(builder, node, shape)
            steps.append(gate)
            shape = gate.output
        elif node.merge == "concat" and not _has_layer_under(node, node.name + "."):
            # an inline concat (DenseNet, ShuffleNetV2): a step of the enclosing block
            outs, branch_steps = [], []
            for branch in node.branches:
                inner_steps, out = _walk(builder, branch.children, shape)
                branch_steps.append(inner_steps)
                outs.append(out)
            merged = Shape(sum(o.channels for o in outs), outs[0].height, outs[0].width)
            steps.append(ConcatStep(tuple(branch_steps), node.name, merged))
            shape = merged
        elif node.merge == "concat":
            sub = builder.sub(builder.relative(node.name))
            outs = []
            for branch in node.branches:
                branch_builder = sub.sub(_segment(sub, branch))
                branch_steps, out = _walk(branch_builder, branch.children, shape)
                sub.children.append(branch_builder.finish("sequence", branch_steps, shape, out))
                outs.append(out)
            merged = Shape(sum(o.channels for o in outs), outs[0].height, outs[0].width)
            block = sub.finish("concat", (), shape, merged, merge_name=node.name)
            builder.children.append(block)
            steps.extend(_call_block(builder, block, node.name))
            shape = merged
        elif _has_layer_under(node, node.name + "."):  # a named residual: a block of its own
            sub = builder.sub(builder.relative(node.name))
            add = _residual(sub, node, shape)
            block = sub.finish("sequence", (add,), shape, add.output)
            builder.children.append(block)
            steps.extend(_call_block(builder, block, node.name))
            shape = add.output
        else:
            add = _residual(builder, node, shape)
            steps.append(add)
            shape = add.output
        if isinstance(node, MergeNode) and node.name in tapped:
            steps.append(Save(node.name))
        if isinstance(node, LayerNode | MergeNode) and node.name in tapped:
            builder.taps.outputs[node.name] = shape
    return tuple(steps), shape


def _is_elementwise(node: MergeNode) -> bool:
    """An ``add:``/``mul:`` entry (not a residual or a gate): its branches are ``add[0]``, …"""
    return node.merge != "concat" and node.branches[0].path == f"{node.path}.{node.merge}[0]"


def _residual(builder: _Builder, node: MergeNode, shape: Shape) -> AddStep:
    body, shortcut = node.branches
    body_steps, out = _walk(builder, body.children, shape)
    shortcut_key = None
    if shortcut.children:
        sub = builder.sub(_segment(builder, shortcut))
        short_steps, short_out = _walk(sub, shortcut.children, shape)
        block = sub.finish("sequence", short_steps, shape, short_out)
        builder.children.append(block)
        shortcut_key = block.key
    return AddStep(body_steps, shortcut_key, node.name, out)


def _gate(builder: _Builder, node: MergeNode, shape: Shape) -> GateStep:
    branch = node.branches[1]
    if branch.name is None:  # inline: the gate's layers are steps of the enclosing block
        body, _ = _walk(builder, branch.children, shape)
        return GateStep(body, None, node.name, shape)
    sub = builder.sub(builder.relative(node.name))
    gate_steps, gate_out = _walk(sub, branch.children, shape)
    block = sub.finish("sequence", gate_steps, shape, gate_out)
    builder.children.append(block)
    if builder.taps.crossings and builder.taps.crossed(node.name):
        _mark_inlined(builder, block)
        return GateStep(_prefixed(block.key, block.steps), None, node.name, shape)
    return GateStep((), block.key, node.name, shape)


def _taps_of(network: Network) -> _Taps:
    if not network.tapped:
        return _Taps()
    crossings: list[tuple[str, str]] = []
    last: dict[str, int] = {}

    def visit(node: Node) -> None:
        if isinstance(node, TapNode):
            crossings.append((node.scope, node.source))
            last[node.source] = id(node)
        for child in _children(node):
            visit(child)

    visit(network.body)
    return _Taps(network.tapped, tuple(crossings), frozenset(last.values()))


def make_plan(network: Network, reserved: Iterable[str] = ()) -> BlockPlan:
    """The module tree of ``network``. ``reserved`` names (attributes of ``nn.Module``) get a
    trailing underscore. Raises the engine's ShapeError first if the network is invalid."""
    analyse(network)  # validates every shape, with the engine's located messages
    root = _Builder(prefix="", path="", reserved=frozenset(reserved), taps=_taps_of(network))
    root.taps.outputs[NETWORK_INPUT] = network.input  # for ``from: input``
    steps, out = _walk(root, network.body.children, network.input)
    if NETWORK_INPUT in network.tapped:
        steps = (Save(NETWORK_INPUT), *steps)
    return root.finish("sequence", steps, network.input, out)

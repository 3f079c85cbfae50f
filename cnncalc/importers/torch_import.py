"""A PyTorch model as an :class:`ImportedGraph`, traced without allocating its weights.

The model is built on the meta device (its parameters have shapes, no storage) and traced with
``torch.fx``: modules cnncalc has a kind for stay single nodes (``layer1.0.conv1``), every other
module is traced through, and each functional call (``F.relu``, ``torch.cat``, ``+``, ``*``,
``flatten``, ``view`` to a vector, ``interpolate``, ``mean`` over H×W…) is mapped to a kind. A
meta-tensor forward pass (fx's interpreter) gives every node's output shape. An operation with no
kind becomes ``uncounted``, never a silent 0. A module called twice is two nodes: the second one
``shares`` the first one's parameters, so they are counted once and its MACs at every call.

Why ``torch.fx`` and not ``torch.export``: fx keeps the calls of modules as nodes (their paths are
the names cnncalc prints and their class the block a spec writes), traces a ResNet-50 in well under
a second, and its failures on data-dependent control flow name the user's line. ``torch.export``
lowers everything to ATen operators (a convolution's module, its padding mode and its bias become
separate ops to map back), needs fake tensors, and takes several seconds on the same model.
"""

from __future__ import annotations

import operator
from typing import Any

from cnncalc.errors import CnncalcError, SpecError
from cnncalc.importers.graph import NETWORK_INPUT, ImportedGraph, ImportedNode, in_scope, same_definition
from cnncalc.layers import lookup
from cnncalc.records import replace
from cnncalc.shapes import Shape

_ACTIVATIONS = {
    "ReLU": "relu",
    "ReLU6": "relu6",
    "LeakyReLU": "leakyrelu",
    "ELU": "elu",
    "SELU": "selu",
    "GELU": "gelu",
    "SiLU": "silu",
    "Mish": "mish",
    "Hardswish": "hardswish",
    "Hardsigmoid": "hardsigmoid",
    "Tanh": "tanh",
    "Sigmoid": "sigmoid",
    "Softplus": "softplus",
    "Identity": "identity",
}
_FUNCTIONAL_ACTIVATIONS = {
    "relu": "relu",
    "relu_": "relu",
    "relu6": "relu6",
    "leaky_relu": "leakyrelu",
    "elu": "elu",
    "selu": "selu",
    "gelu": "gelu",
    "silu": "silu",
    "mish": "mish",
    "hardswish": "hardswish",
    "hardsigmoid": "hardsigmoid",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "softplus": "softplus",
}
# The small modules ``cnncalc export`` writes (cnncalc.torch_bridge.extra_modules): always one node.
CNNCALC_MODULE_NAMES = frozenset(
    {
        "LayerNorm2d",
        "ChannelLinear",
        "LayerScale",
        "StochasticDepth",
        "Chunk",
        "FixedAffine",
        "ChannelShuffle",
        "CenterCrop2d",
    }
)
# Module classes whose output has their input's shape (shape propagation skips running them).
SHAPE_KEEPING = frozenset(
    {*_ACTIVATIONS, "BatchNorm2d", "BatchNorm1d", "InstanceNorm2d", "GroupNorm", "LayerNorm2d", "FixedAffine"}
    | {"Dropout", "Dropout2d", "Dropout1d", "LocalResponseNorm", "PReLU", "StochasticDepth", "LayerScale"}
)
_PASS_THROUGH = frozenset({"contiguous", "clone", "detach", "float", "to"})


def _pair(value: Any) -> Any:
    if isinstance(value, tuple | list):
        a, b = (int(v) for v in value)
        return a if a == b else [a, b]
    return int(value)


def shape_of(value: Any) -> Shape | None:
    """A meta tensor's per-sample shape (batch 1 dropped), or None when cnncalc has no such shape."""
    size = tuple(getattr(value, "shape", ()))
    if len(size) == 4 and size[0] == 1:
        return Shape(int(size[1]), int(size[2]), int(size[3]))
    if len(size) == 2 and size[0] == 1:
        return Shape(int(size[1]))
    return None


def module_kind(module: Any, inp: Shape | None) -> tuple[str, dict[str, Any]] | None:
    """The cnncalc kind and fields of a leaf module, or None when it has none."""
    name = type(module).__name__
    if name in _ACTIVATIONS:
        fields: dict[str, Any] = {}
        if name == "LeakyReLU" and module.negative_slope != 0.01:
            fields["negative_slope"] = module.negative_slope
        return _ACTIVATIONS[name], fields
    if name == "Conv2d":
        padding = module.padding if isinstance(module.padding, str) else _pair(module.padding)
        fields = {"filters": module.out_channels, "kernel": _pair(module.kernel_size)}
        fields.update(stride=_pair(module.stride), padding=padding, dilation=_pair(module.dilation))
        fields.update(groups=module.groups, bias=module.bias is not None)
        return "conv", _without_defaults(fields, stride=1, padding=0, dilation=1, groups=1, bias=True)
    if name == "ConvTranspose2d":
        fields = {"filters": module.out_channels, "kernel": _pair(module.kernel_size)}
        fields.update(stride=_pair(module.stride), padding=_pair(module.padding))
        fields.update(output_padding=_pair(module.output_padding), dilation=_pair(module.dilation))
        fields.update(groups=module.groups, bias=module.bias is not None)
        defaults = {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1, "groups": 1, "bias": True}
        return "deconv", _without_defaults(fields, **defaults)
    if name in ("Linear", "ChannelLinear"):
        bias = {} if module.bias is not None else {"bias": False}
        if inp is not None and inp.is_flat:
            return "fc", {"units": module.out_features, **bias}
        if name == "ChannelLinear":
            return "channel_linear", {"units": module.out_features, **bias}
        return None
    if name in ("BatchNorm2d", "BatchNorm1d"):
        fields = {"eps": module.eps, "momentum": module.momentum, "affine": module.affine}
        fields["track_running_stats"] = module.track_running_stats
        if module.momentum is None:
            return None
        return "batchnorm", _without_defaults(
            fields, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True
        )
    if name == "InstanceNorm2d":
        fields = {"eps": module.eps, "momentum": module.momentum or 0.1, "affine": module.affine}
        fields["track_running_stats"] = module.track_running_stats
        return "instancenorm", _without_defaults(
            fields, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False
        )
    if name == "GroupNorm":
        return "groupnorm", _without_defaults(
            {"groups": module.num_groups, "eps": module.eps, "affine": module.affine}, eps=1e-5, affine=True
        )
    if name in ("LayerNorm", "LayerNorm2d"):
        flat_ok = inp is not None and (inp.is_flat or name == "LayerNorm2d")
        if not flat_ok or tuple(module.normalized_shape) != (inp.channels,):  # type: ignore[union-attr]
            return None
        affine = module.elementwise_affine
        fields = {"eps": module.eps, "affine": affine, "bias": affine and module.bias is not None}
        return "layernorm", _without_defaults(fields, eps=1e-5, affine=True, bias=True)
    if name == "LocalResponseNorm":
        return "lrn", {"size": module.size, "alpha": module.alpha, "beta": module.beta, "k": module.k}
    if name in ("MaxPool2d", "AvgPool2d"):
        fields = {"kernel": _pair(module.kernel_size), "stride": _pair(module.stride or module.kernel_size)}
        fields.update(padding=_pair(module.padding), ceil_mode=module.ceil_mode)
        if name == "MaxPool2d":
            fields["dilation"] = _pair(module.dilation)
            if module.return_indices:
                return None
            return "maxpool", _without_defaults(fields, padding=0, ceil_mode=False, dilation=1)
        if module.divisor_override is not None:
            return None
        fields["count_include_pad"] = module.count_include_pad
        return "avgpool", _without_defaults(fields, padding=0, ceil_mode=False, count_include_pad=True)
    if name in ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d"):
        size = module.output_size
        if size is None or (isinstance(size, tuple) and None in size):
            return None
        fields = {} if _pair(size) == 1 else {"output": _pair(size)}
        return ("adaptiveavgpool" if name == "AdaptiveAvgPool2d" else "adaptivemaxpool"), fields
    if name in ("Dropout", "Dropout2d", "Dropout1d"):
        return "dropout", _without_defaults(
            {"p": module.p, "channelwise": name != "Dropout"}, channelwise=False
        )
    if name == "Flatten":
        return ("flatten", {}) if module.start_dim == 1 and module.end_dim == -1 else None
    if name == "Softmax":
        return ("softmax", {}) if module.dim in (1, -1 if inp is not None and inp.is_flat else 1) else None
    if name == "PReLU":
        return "prelu", {"per_channel": module.num_parameters > 1} if module.num_parameters > 1 else {}
    if name == "Upsample":
        return _resize_fields(module.size, module.scale_factor, module.mode, module.align_corners)
    if name == "PixelShuffle":
        return "pixelshuffle", {"factor": module.upscale_factor}
    if name == "PixelUnshuffle":
        return "pixelunshuffle", {"factor": module.downscale_factor}
    if name == "ChannelShuffle":
        return "channel_shuffle", {"groups": module.groups}
    if name == "ZeroPad2d":
        left, right, top, bottom = module.padding
        return "pad", {"amount": left if left == right == top == bottom else [left, right, top, bottom]}
    if name == "FixedAffine" and hasattr(module, "scale") and hasattr(module, "shift"):
        return "fixed_affine", {
            "scale": [float(v) for v in module.scale],
            "shift": [float(v) for v in module.shift],
        }
    if name == "CenterCrop2d":
        return "crop", {"size": [module.height, module.width]}
    if name == "LayerScale" and hasattr(module, "layer_scale"):
        return "layerscale", {}
    if name == "StochasticDepth":
        return "stochastic_depth", {"p": module.p, "mode": module.mode}
    if name == "Chunk" and hasattr(module, "parts"):
        return "chunk", {"parts": module.parts, "index": module.index}
    return None


def _without_defaults(fields: dict[str, Any], **defaults: Any) -> dict[str, Any]:
    """``fields`` without those equal to the kind's default (a shorter, more readable spec)."""
    return {k: v for k, v in fields.items() if k not in defaults or defaults[k] != v}


def _resize_fields(size: Any, scale: Any, mode: str, align: Any) -> tuple[str, dict[str, Any]] | None:
    if mode not in ("nearest", "bilinear", "bicubic", "nearest-exact"):
        return None
    fields: dict[str, Any] = {}
    if size is not None:
        fields["size"] = _pair(size)
    elif scale is not None:
        scales = scale if isinstance(scale, tuple | list) else (scale, scale)
        fields["scale"] = float(scales[0]) if scales[0] == scales[1] else [float(s) for s in scales]
    else:
        return None
    if mode != "nearest":
        fields["mode"] = mode
    if align is not None and mode in ("bilinear", "bicubic"):
        fields["align_corners"] = bool(align)
    return "upsample", fields


def _is_leaf_class(module: Any) -> bool:
    import torch.nn as nn

    if type(module).__name__ in ("Sequential", "ModuleList", "ModuleDict"):
        return False
    if type(module).__name__ in CNNCALC_MODULE_NAMES:  # cnncalc export's own small modules
        return True
    if module_kind(module, Shape(1)) is not None or module_kind(module, Shape(1, 1, 1)) is not None:
        return True
    # a module of torch.nn that cnncalc cannot map stays one node (an uncounted operation)
    return type(module).__module__.startswith("torch.nn") and not isinstance(module, nn.Sequential)


def trace(
    model: Any, input_shape: Shape, *, name: str, source: str, user_file: str | None = None
) -> ImportedGraph:
    """Trace ``model`` (an ``nn.Module``, ideally on the meta device) on one sample of
    ``input_shape`` into an :class:`ImportedGraph`. ``user_file``: the model's file, for errors.

    A submodule with parameters that the forward does not call at inference is looked for in a
    trace in training mode: a head that reads one tensor of the inference graph and feeds nothing
    else (inception_v3's ``AuxLogits``) joins the graph as a training-only side head; any other is
    named in a note, its parameters not in the totals."""
    model.eval()
    module, graph = _traced(model, input_shape, name, source, user_file)
    unreached = unreached_modules(model, module)
    if unreached:
        graph = _with_training_heads(model, graph, unreached, input_shape, user_file)
        unreached = [u for u in unreached if u[0] not in graph.train_only]
    classes = tuple((path, type(sub).__name__) for path, sub in model.named_modules() if path)
    notes = tuple(_unreached_note(*u, sum(p.numel() for p in model.parameters())) for u in unreached)
    return replace(graph, modules=classes + graph.modules, notes=graph.notes + notes)


def _traced(
    model: Any, input_shape: Shape, name: str, source: str, user_file: str | None
) -> tuple[Any, ImportedGraph]:
    """The fx module of ``model`` as it is (eval or training mode) and its imported graph."""
    import torch
    import torch.fx as fx

    class _Tracer(fx.Tracer):
        def is_leaf_module(self, m: Any, qualname: str) -> bool:
            return _is_leaf_class(m)

    tracer = _Tracer()
    # Stack traces (the user's line of each node) cost torch a second of imports: they are
    # recorded only to name the line of an error (see _line_of_failure).
    tracer.record_stack_traces = False
    try:
        graph = tracer.trace(model)
    except Exception as exc:  # the user's forward cannot be traced symbolically
        raise untraceable_error(exc, user_file) from None
    module = fx.GraphModule(tracer.root, graph)
    if input_shape.is_flat:
        example = torch.empty(1, input_shape.channels, device="meta")
    else:
        example = torch.empty(1, input_shape.channels, input_shape.height, input_shape.width, device="meta")
    values = _propagate(module, example, input_shape, user_file, model)
    return module, fold_flatten(_Converter(module, values, input_shape, name, source, user_file).graph())


def _with_training_heads(
    model: Any,
    graph: ImportedGraph,
    unreached: list[tuple[str, str, int]],
    input_shape: Shape,
    user_file: str | None,
) -> ImportedGraph:
    """``graph`` with each unreached module that a trace in training mode calls as a side head
    added after the tensor it reads, and named in ``train_only``. A head is added only when it
    reads one tensor, feeds nothing else, and that tensor and all it depends on are the same nodes
    in both traces (an op that runs only in training before it would shift fx's names). The trace
    runs on a copy of the model (its forward may change Python state); the modules cnncalc maps
    keep eval mode (a batch norm's training statistics do not change a shape)."""
    import copy

    try:
        trainee = copy.deepcopy(model)
    except Exception:  # a model that cannot be copied is not traced again: the note stays
        return graph
    for sub in trainee.modules():
        sub.training = not _is_leaf_class(sub)
    try:
        _, trained = _traced(trainee, input_shape, graph.name, graph.source, user_file)
    except CnncalcError:
        return graph  # the training forward cannot be traced: the note says what is missing
    ours = {n.name: n for n in graph.nodes}
    theirs = {n.name: n for n in trained.nodes}

    def same_up_to(name: str) -> bool:
        """Whether ``name`` and every node it depends on are the same node in both traces."""
        todo, seen = [name], set()
        while todo:
            current = todo.pop()
            if current == NETWORK_INPUT or current in seen:
                continue
            seen.add(current)
            a, b = ours.get(current), theirs.get(current)
            if (
                a is None
                or b is None
                or (a.kind, a.fields, a.inputs, a.output_shape)
                != (
                    b.kind,
                    b.fields,
                    b.inputs,
                    b.output_shape,
                )
            ):
                return False
            todo.extend(a.inputs)
        return True

    nodes, heads = list(graph.nodes), []
    for path, _, _ in unreached:
        inside = [n for n in trained.nodes if in_scope(n.name, path)]
        own = {n.name for n in inside}
        outside = {i for n in inside for i in n.inputs if i not in own}
        shared = {str(n.fields["shares"]) for n in inside if "shares" in n.fields} - own
        feeds = any(set(n.inputs) & own for n in trained.nodes if n.name not in own)
        if not inside or len(outside) != 1 or feeds or own & set(ours):
            continue
        fork = outside.pop()
        if not same_up_to(fork) or not all(same_up_to(name) for name in shared):
            continue  # it reads (or shares) a tensor the inference graph does not have as such
        at = 0 if fork == NETWORK_INPUT else next(i for i, n in enumerate(nodes) if n.name == fork) + 1
        nodes[at:at] = inside
        ours.update({n.name: n for n in inside})
        heads.append(path)
    return replace(graph, nodes=tuple(nodes), train_only=graph.train_only + tuple(heads))


def unreached_modules(model: Any, traced: Any) -> list[tuple[str, str, int]]:
    """Each top-most submodule holding parameters that the traced forward never calls (inception_v3's
    training-only AuxLogits at inference): its path, class name and parameter count."""
    called = {str(n.target) for n in traced.graph.nodes if n.op in ("call_module", "get_attr")}

    def reached(path: str) -> bool:
        return any(c == path or c.startswith(path + ".") or path.startswith(c + ".") for c in called)

    found: list[tuple[str, str, int]] = []
    for path, sub in model.named_modules():
        if not path or reached(path) or any(path.startswith(s + ".") for s, _, _ in found):
            continue
        params = sum(p.numel() for p in sub.parameters())
        if params:
            found.append((path, type(sub).__name__, params))
    return found


def _unreached_note(path: str, cls: str, params: int, total: int) -> str:
    return (
        f"{path} ({cls}): {params:,} parameters the forward does not call at "
        f"inference (a training-only head?) are not in the totals; the model has {total:,}"
    )


def _shape_of_call(target: Any, args: Any, kwargs: Any) -> Any:
    """The empty meta result of ``+``, ``*``, ``torch.flatten(x, 1)`` and ``torch.cat(…, 1)`` (their
    meta kernels are Python decompositions that first import torch's compiler), or None."""
    import torch

    if kwargs.keys() - {"dim", "start_dim"}:
        return None
    if target in (operator.add, operator.iadd, operator.mul, operator.imul, torch.add, torch.mul):
        if len(args) == 2 and all(isinstance(a, torch.Tensor) for a in args) and not kwargs:
            shape = torch.broadcast_shapes(args[0].shape, args[1].shape)
            return torch.empty(shape, device="meta", dtype=args[0].dtype)
        return None
    if target is torch.flatten and len(args) <= 2 and isinstance(args[0], torch.Tensor):
        start = kwargs.get("start_dim", args[1] if len(args) > 1 else 0)
        if start == 1 and args[0].dim() >= 2:
            return torch.empty((args[0].shape[0], args[0][0].numel()), device="meta", dtype=args[0].dtype)
        return None
    if target is torch.cat and isinstance(args[0], list | tuple) and args[0]:
        dim = kwargs.get("dim", args[1] if len(args) > 1 else 0)
        parts = args[0]
        same = all(isinstance(t, torch.Tensor) and t.dim() == 4 for t in parts) and (
            len({(t.shape[0], *t.shape[2:]) for t in parts}) == 1
        )
        if dim == 1 and same:
            size = (parts[0].shape[0], sum(t.shape[1] for t in parts), *parts[0].shape[2:])
            return torch.empty(size, device="meta", dtype=parts[0].dtype)
        return None
    return None


def _shape_by_kind(module: Any, tensor: Any) -> Any:
    """An empty meta tensor of ``module``'s output on ``tensor`` as cnncalc's kind computes it, or
    None (then torch runs the module, and gives its own error for an input it refuses)."""
    import torch

    inp = shape_of(tensor)
    if inp is None:
        return None
    if type(module).__name__ in SHAPE_KEEPING and not hasattr(module, "num_features"):
        return tensor
    declared = getattr(module, "in_channels", getattr(module, "num_features", None))
    if isinstance(module, torch.nn.Linear):
        declared = module.in_features
    if declared is not None and declared != inp.channels:
        return None
    if type(module).__name__ in SHAPE_KEEPING:
        return tensor
    mapped = module_kind(module, inp)
    if mapped is None:
        return None
    kind = lookup(mapped[0])
    try:
        out = kind(**mapped[1]).output_shape(inp) if kind is not None else None
    except CnncalcError:
        return None
    if out is None:
        return None
    size = (1, out.channels) if out.is_flat else (1, out.channels, out.height, out.width)
    return torch.empty(size, device="meta", dtype=tensor.dtype)


def _line_of_failure(model: Any, failed: Any, user_file: str | None) -> str:
    """The user's line of the node ``failed``: the model traced again, with stack traces."""
    import torch.fx as fx

    class _Tracer(fx.Tracer):
        def is_leaf_module(self, m: Any, qualname: str) -> bool:
            return _is_leaf_class(m)

    tracer = _Tracer()
    tracer.record_stack_traces = True
    try:
        graph = tracer.trace(model)
    except Exception:
        return ""
    for node in graph.nodes:
        if node.name == failed.name:
            return _user_line(node, user_file)
    return ""


def _propagate(
    module: Any, example: Any, input_shape: Shape, user_file: str | None, model: Any
) -> dict[str, Any]:
    """Run the traced module on a meta tensor, keeping every node's value."""
    import torch
    import torch.fx as fx

    values: dict[str, Any] = {}

    class _Recorder(fx.Interpreter):
        def call_module(self, target: Any, args: Any, kwargs: Any) -> Any:
            # Only shapes are needed: a module cnncalc maps gives an empty tensor of the shape its
            # kind computes (the meta kernels of convolution and batch norm would first import
            # torch's compiler, a second), once its declared input size matches what it gets.
            if len(args) == 1 and not kwargs and isinstance(args[0], torch.Tensor):
                out = _shape_by_kind(self.fetch_attr(target), args[0])
                if out is not None:
                    return out
            return super().call_module(target, args, kwargs)

        def call_function(self, target: Any, args: Any, kwargs: Any) -> Any:
            out = _shape_of_call(target, args, kwargs)
            return out if out is not None else super().call_function(target, args, kwargs)

        def run_node(self, n: Any) -> Any:
            try:
                result = super().run_node(n)
            except Exception as exc:
                raise _NodeFailure(n, exc) from exc
            values[n.name] = result
            return result

    try:
        with torch.no_grad():
            _Recorder(module).run(example)
    except _NodeFailure as failure:
        where = _line_of_failure(model, failure.node, user_file)
        message = str(failure.error).strip().splitlines()[0] if str(failure.error).strip() else ""
        at = f" (at {where})" if where else ""
        raise SpecError(
            f"the model refuses input {input_shape.text()} (H×W×C): {type(failure.error).__name__}: "
            f"{message}{at}",
            hint="give --input the size the model expects (H×W×C, or C×H×W with --order chw)",
        ) from None
    return values


class _NodeFailure(Exception):
    def __init__(self, node: Any, error: BaseException):
        super().__init__(str(error))
        self.node, self.error = node, error


def _user_line(node: Any, user_file: str | None) -> str:
    """``model.py:12`` for the line of the user's file an fx node was traced from ('' if none)."""
    trace_text = getattr(node, "stack_trace", None) or ""
    found = ""
    for line in trace_text.splitlines():
        line = line.strip()
        if line.startswith("File "):
            parts = line.split('"')
            if len(parts) >= 3:
                path = parts[1]
                number = line.split("line ")[-1].split(",")[0].strip()
                if user_file is None or _same_file(path, user_file):
                    found = f"{_short_path(path)}:{number}"
    return found


def _same_file(a: str, b: str) -> bool:
    import os

    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _short_path(path: str) -> str:
    import os

    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return rel if not rel.startswith("..") else path


def untraceable_error(exc: BaseException, user_file: str | None) -> SpecError:
    """The error for a forward fx cannot trace: what and where in the user's code, what to do."""
    import traceback

    where = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        if user_file is not None and _same_file(frame.filename, user_file):
            where = f"{_short_path(frame.filename)}:{frame.lineno}"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    data_dependent = "control flow" in text or "iterate" in text or "symbolically traced" in text
    at = f" (at {where})" if where else ""
    if data_dependent:
        return SpecError(
            "the model's forward depends on the values of a tensor (data-dependent control flow)"
            f"{at}, so it cannot be traced without running it on real data",
            hint="make that branch depend on sizes or settings, not on values (or use torch.where); "
            "or import the part of the model before it",
        )
    return SpecError(
        f"the model cannot be traced: {type(exc).__name__}: {text}{at}",
        hint="cnncalc traces forward with torch.fx: calls on tensor values (item(), numpy(), print of "
        "a value) cannot be traced",
    )


class _Converter:
    """fx nodes → imported nodes: a kind for each module call and function, names by module path."""

    def __init__(
        self,
        module: Any,
        values: dict[str, Any],
        input_shape: Shape,
        name: str,
        source: str,
        user_file: str | None,
    ):
        self.module, self.values = module, values
        self.input_shape, self.name, self.source, self.user_file = input_shape, name, source, user_file
        self.nodes: list[ImportedNode] = []
        self.alias: dict[str, str] = {}  # fx node name -> the imported node whose tensor it is
        self.used: set[str] = set()
        self.counters: dict[tuple[str, str], int] = {}
        self.modules_seen: dict[str, str] = {}  # module path -> the first node calling it
        self.tuples: dict[str, tuple[str, tuple[str, ...]]] = {}  # fx node -> (op, what it read)
        self.attrs_seen: set[str] = set()  # the model's own tensors already counted
        self.tensor_owner: dict[int, str] = {}  # id of a module's parameter or buffer -> its layer
        self.notes: list[str] = []
        # fx node -> (ops, what they read, parameters, buffers) of tensors cnncalc has no shape for
        self.opaque: dict[str, tuple[list[str], list[str], int, int]] = {}
        # fx node -> the imported node it is a channels-last view of (x.permute(0, 2, 3, 1))
        self.channels_last: dict[str, str] = {}
        # fx node -> (the imported node, groups, done): a channel shuffle under way (a 5-D view)
        self.shuffles: dict[str, tuple[str, int, bool, tuple[int, ...]]] = {}
        # fx node -> (the imported node, channel) of ``x[:, i]``; and of ``x[:, i:i+1] * a + b``:
        # (node, channel, a, b, the uncounted rows on the way), which a cat of every channel in order
        # turns into one fixed_affine (googlenet's transform_input)
        self.picks: dict[str, tuple[str, int]] = {}
        self.affine_parts: dict[str, tuple[str, int, float, float, tuple[str, ...]]] = {}

    # -- naming ---------------------------------------------------------------------------------
    def unique(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.used:
            n += 1
            candidate = f"{name}_{n}"
        self.used.add(candidate)
        return candidate

    def auto_name(self, scope: str, base: str) -> str:
        key = (scope, base)
        while True:
            self.counters[key] = self.counters.get(key, 0) + 1
            candidate = f"{scope}.{base}{self.counters[key]}" if scope else f"{base}{self.counters[key]}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate

    def written(self, node: Any, path: str) -> str:
        """The name of the module ``path`` called by ``node``: its path, with the scope of a
        module's second call written as that call's (``block_2.conv`` for ``block.conv``)."""
        for scope_path, scope_name in reversed(self.calls.get(node.name, ())):
            if path == scope_path or path.startswith(scope_path + "."):
                return scope_name + path[len(scope_path) :]
        return path

    # -- conversion -----------------------------------------------------------------------------
    def graph(self) -> ImportedGraph:
        self.calls, instances = _module_calls(self.module)
        self.calling_scope = {node: calls[-1][1] for node, calls in self.calls.items() if calls}
        outputs: list[str] = []
        for node in self.module.graph.nodes:
            if node.op == "placeholder":
                self.alias[node.name] = NETWORK_INPUT
            elif node.op == "output":
                known = {**self.channels_last, **self.alias}
                outputs = [known[n.name] for n in _tensor_args(node.args) if n.name in known]
            elif node.op == "get_attr":
                continue
            else:
                self.convert(node)
        return ImportedGraph(
            name=self.name,
            input=self.input_shape,
            nodes=tuple(self.nodes),
            outputs=tuple(outputs),
            source=self.source,
            modules=instances,
            notes=tuple(self.notes),
        )

    def origin(self, node: Any, path: str) -> str:
        where = _user_line(node, self.user_file)
        return f"{where} ({path})" if where else path

    def add(
        self,
        node: Any,
        name: str,
        op: str,
        kind: str,
        fields: dict[str, Any],
        inputs: tuple[str, ...],
        shape: Shape | None = None,
    ) -> None:
        out = shape or shape_of(self.values.get(node.name))
        self.nodes.append(ImportedNode(name, op, kind, fields, inputs, out, self.origin(node, op)))
        self.alias[node.name] = name

    def tensor_inputs(self, node: Any) -> list[Any]:
        return [n for n in _tensor_args((node.args, node.kwargs)) if self.is_tensor(n)]

    def is_tensor(self, n: Any) -> bool:
        import torch

        return isinstance(self.values.get(n.name), torch.Tensor)

    def convert(self, node: Any) -> None:
        import torch

        value = self.values.get(node.name)
        if not isinstance(value, torch.Tensor):
            if (
                isinstance(value, tuple | list)
                and node.op in ("call_function", "call_method")
                and _target_name(node)
                in (
                    "chunk",
                    "split",
                )
            ):
                self.alias[node.name] = "chunk-of:" + self.alias.get(node.args[0].name, "")
            if isinstance(value, tuple | list) and any(isinstance(v, torch.Tensor) for v in value):
                # several tensors (torch.sort's values and indices): what reads one reads the op
                reads = tuple(self.alias[n.name] for n in self.tensor_inputs(node) if n.name in self.alias)
                self.tuples[node.name] = (_target_name(node), reads)
            return  # sizes, shapes and other plain values carry no tensor
        inputs = self.tensor_inputs(node)
        if self.channels_last_step(node, inputs, value):
            return
        pick = node.args[1] if _target_name(node) == "getitem" and len(node.args) == 2 else None
        if (
            isinstance(pick, tuple)
            and len(pick) == 2
            and pick[0] == slice(None)
            and isinstance(pick[1], int)
            and node.args[0].name in self.alias
            and value.dim() == 3
        ):
            self.picks[node.name] = (self.alias[node.args[0].name], pick[1])
        if _target_name(node) == "cat" and self.fixed_affine_step(node, inputs):
            return
        if shape_of(value) is None or any(n.name in self.opaque for n in inputs):
            self.through_opaque(node, inputs, value)
            return
        sources = self.reads_of(inputs)
        held = [self.tuples[n.name] for n in _tensor_args((node.args, node.kwargs)) if n.name in self.tuples]
        if held and _target_name(node) in ("getitem", "getattr") and not _chunk_of(node.args[0]):
            op, reads = held[0]
            self.uncounted(
                node, self.auto_name(self.calling_scope.get(node.name, ""), "op"), op, reads, value
            )
            return
        if node.op == "call_module":
            self.call_module(node, sources)
            return
        target = _target_name(node)
        scope = self.calling_scope.get(node.name, "")
        attrs = [n for n in inputs if n.op == "get_attr"]
        inputs = [n for n in inputs if n.op != "get_attr"]
        in_shape = shape_of(self.values.get(inputs[0].name)) if inputs else None
        out_shape = shape_of(value)
        if attrs:
            self.with_attributes(node, target, attrs, sources, in_shape, value)
            return
        try:
            mapped = self.function_kind(node, target, inputs, in_shape, out_shape)
        except (TypeError, ValueError, KeyError, IndexError):  # arguments computed at run time
            mapped = None
        if mapped == "alias":
            self.alias[node.name] = sources[0]
            return
        if mapped is not None:
            kind, fields = mapped
            if kind in ("add", "mul", "concat"):
                sources = self.reads_of(inputs, repeats=True)
                last = self.nodes[-1].name if self.nodes else ""
                scope = _merge_scope(scope, sources, last)
            if kind == "chunk":  # x.chunk(2, dim=1)[i] reads x (the tuple is no tensor)
                sources = (self.alias[node.args[0].name].removeprefix("chunk-of:"),)
            if kind == "gap_flat":  # mean over H×W to a vector: a global pool, then flatten
                pooled = self.auto_name(scope, "gap")
                self.nodes.append(
                    ImportedNode(pooled, target, "gap", {}, sources, None, self.origin(node, target))
                )
                kind, sources = "flatten", (pooled,)
            self.add(node, self.auto_name(scope, kind), target, kind, fields, sources)
            return
        self.uncounted(node, self.auto_name(scope, "op"), target, sources, value)
        self.affine_part_step(node, inputs)

    def affine_part_step(self, node: Any, inputs: list[Any]) -> None:
        """Follow one channel of an input transform: ``unsqueeze(x[:, i], 1)``, then ``* a``, ``+ b``,
        ``- b``, ``/ a`` by plain numbers. The rows stay uncounted unless a cat completes the pattern."""
        target, row = _target_name(node), self.alias.get(node.name)
        if row is None or len(inputs) != 1:
            return
        src = inputs[0].name
        if target == "unsqueeze" and src in self.picks and tuple(node.args[1:]) == (1,):
            origin, channel = self.picks[src]
            self.affine_parts[node.name] = (origin, channel, 1.0, 0.0, (row,))
            return
        if src not in self.affine_parts:
            return
        numbers = [a for a in node.args if isinstance(a, int | float) and not isinstance(a, bool)]
        if len(numbers) != 1 or node.kwargs or len(node.args) != 2:
            return
        origin, channel, scale, shift, rows = self.affine_parts[src]
        number = float(numbers[0])
        if target in ("mul", "imul"):
            scale, shift = scale * number, shift * number
        elif target in ("add", "iadd"):
            shift = shift + number
        elif target in ("sub", "isub") and node.args[0] is inputs[0]:
            shift = shift - number
        elif target in ("truediv", "itruediv", "div") and node.args[0] is inputs[0] and number != 0:
            scale, shift = scale / number, shift / number
        else:
            return
        self.affine_parts[node.name] = (origin, channel, scale, shift, (*rows, row))

    def fixed_affine_step(self, node: Any, inputs: list[Any]) -> bool:
        """``torch.cat`` (dim 1) of every channel of one tensor, in order, each ``x[:, i] * a_i + b_i``:
        one ``fixed_affine`` (no parameters, no MACs, as FlopCounterMode counts none) in place of the
        channels' uncounted rows. True when it was."""
        dim = node.kwargs.get("dim", node.args[1] if len(node.args) > 1 else 0)
        parts = [self.affine_parts.get(n.name) for n in inputs]
        if dim not in (1, -3) or not parts or None in parts:
            return False
        origins = {p[0] for p in parts if p is not None}
        if len(origins) != 1:
            return False
        origin = origins.pop()
        channels = [p[1] for p in parts if p is not None]
        source = self.input_shape if origin == NETWORK_INPUT else self.shape_of_node(origin)
        if source is None or channels != list(range(source.channels)):
            return False
        chain = {row for p in parts if p is not None for row in p[4]}
        if any(set(n.inputs) & chain for n in self.nodes if n.name not in chain):
            return False  # a channel is read elsewhere too: the rows stay
        self.nodes = [n for n in self.nodes if n.name not in chain]
        fields = {
            "scale": [p[2] for p in parts if p is not None],
            "shift": [p[3] for p in parts if p is not None],
        }
        scope = self.calling_scope.get(node.name, "")
        self.add(node, self.auto_name(scope, "fixed_affine"), "cat", "fixed_affine", fields, (origin,))
        return True

    def shape_of_node(self, name: str) -> Shape | None:
        return next((n.output_shape for n in self.nodes if n.name == name), None)

    def through_opaque(self, node: Any, inputs: list[Any], value: Any) -> None:
        """Tensors cnncalc has no shape for (N×C×L, a 5-D view, one channel ``x[:, 0]``): their ops
        are gathered until a tensor it can follow comes out, which is one uncounted operation
        reading what they read, holding the parameters and buffers their modules and tensors have."""
        import torch

        if self.shuffle_step(node, inputs, value):
            return
        ops: list[str] = []
        reads: list[str] = []
        params = buffers = 0
        for n in inputs:
            if n.name in self.opaque:
                held = self.opaque[n.name]
                ops += held[0]
                reads += held[1]
                params, buffers = params + held[2], buffers + held[3]
                self.opaque[n.name] = (held[0], held[1], 0, 0)  # counted once, by the first reader
            elif n.name in self.alias:
                reads.append(self.alias[n.name])
            elif n.op == "get_attr" and n.target not in self.attrs_seen:
                self.attrs_seen.add(n.target)
                tensor = self.values[n.name]
                if isinstance(tensor, torch.nn.Parameter):
                    params += tensor.numel()
                else:
                    buffers += tensor.numel()
        if node.op == "call_module":
            sub = self.module.get_submodule(str(node.target))
            op = type(sub).__name__
            if str(node.target) not in self.modules_seen:
                self.modules_seen[str(node.target)] = str(node.target)
                params += sum(p.numel() for p in sub.parameters())
                buffers += sum(b.numel() for b in sub.buffers())
        else:
            op = _target_name(node)
        ops = list(dict.fromkeys([*ops, op]))
        reads = list(dict.fromkeys(reads))
        if shape_of(value) is None:
            self.opaque[node.name] = (ops, reads, params, buffers)
            return
        text = "+".join(ops)
        text = text if len(text) <= 120 else text[:119] + "…"
        scope = self.calling_scope.get(node.name, "")
        self.uncounted(node, self.auto_name(scope, "op"), text, tuple(reads), value, params, buffers)
        self.affine_part_step(node, inputs)

    def with_attributes(
        self,
        node: Any,
        target: str,
        attrs: list[Any],
        sources: tuple[str, ...],
        inp: Shape | None,
        value: Any,
    ) -> None:
        """A function of the model's own tensors (``self.layer_scale * x``, ``x + self.pos``): a
        per-channel scale C×1×1 is ``layerscale``; anything else is uncounted, with the parameters
        and buffers it reads counted at their first use."""
        import torch

        scope = self.calling_scope.get(node.name, "")
        fresh = [a for a in attrs if a.target not in self.attrs_seen]
        self.attrs_seen.update(a.target for a in attrs)
        tensor = self.values.get(attrs[0].name)
        is_scale = (
            target in ("mul", "imul")
            and len(attrs) == 1
            and len(sources) == 1
            and inp is not None
            and not inp.is_flat
            and isinstance(tensor, torch.nn.Parameter)
            and tuple(tensor.shape) == (inp.channels, 1, 1)
            and bool(fresh)
        )
        if is_scale:
            name = self.unique(self.written(node, str(attrs[0].target)))
            self.add(node, name, target, "layerscale", {}, sources)
            return
        values = [self.values[a.name] for a in fresh]
        params = sum(v.numel() for v in values if isinstance(v, torch.nn.Parameter))
        buffers = sum(v.numel() for v in values if not isinstance(v, torch.nn.Parameter))
        self.uncounted(node, self.auto_name(scope, "op"), target, sources, value, params, buffers)

    def uncounted(
        self,
        node: Any,
        name: str,
        op: str,
        sources: tuple[str, ...],
        value: Any,
        params: int = 0,
        buffers: int = 0,
        shape: Shape | None = None,
    ) -> None:
        out = shape or shape_of(value)
        if out is None:
            raise SpecError(
                f"'{op}' ({self.origin(node, name)}) gives a tensor of shape {tuple(value.shape)}, "
                "which cnncalc cannot follow (it counts per-sample feature maps N×C×H×W and vectors N×C)",
                hint="import the part of the model that works on such tensors, or wrap the rest in a "
                "module cnncalc maps",
            )
        fields: dict[str, Any] = {"op": op, "output": out}
        if params:
            fields["params"] = params
        if buffers:
            fields["buffer_values"] = buffers
        self.nodes.append(
            ImportedNode(
                name, op, "uncounted", fields, sources or (NETWORK_INPUT,), out, self.origin(node, op)
            )
        )
        self.alias[node.name] = name

    def reads_of(self, inputs: list[Any], *, repeats: bool = False) -> tuple[str, ...]:
        """The imported nodes ``inputs`` are, through what a tuple of tensors (a sort's values and
        indices) read; each once unless ``repeats`` (a merge's operands: ``y + y``)."""
        reads: list[str] = []
        for n in inputs:
            if n.name in self.alias and not self.alias[n.name].startswith("chunk-of:"):
                reads.append(self.alias[n.name])
            elif n.name in self.tuples:
                reads += self.tuples[n.name][1]
        return tuple(reads) if repeats else tuple(dict.fromkeys(reads))

    def channels_last_step(self, node: Any, inputs: list[Any], value: Any) -> bool:
        """ConvNeXt's pattern: ``x.permute(0, 2, 3, 1)``, then LayerNorm over the channels, Linear
        layers and activations on N×H×W×C, then ``permute(0, 3, 1, 2)`` back. The permutes are views
        (no row); the layers between are cnncalc's ``layernorm`` and ``channel_linear`` on C×H×W. Any
        other op on such a tensor is uncounted. True when ``node`` was handled here."""
        import torch

        held = [n for n in inputs if n.name in self.channels_last]
        target = _target_name(node) if node.op != "call_module" else ""
        if target == "permute" and len(inputs) == 1 and isinstance(value, torch.Tensor):
            dims = _permute_dims(node)
            src = inputs[0]
            if held and dims == (0, 3, 1, 2):
                self.alias[node.name] = self.channels_last[src.name]
                return True
            src_shape = shape_of(self.values.get(src.name))
            if (
                not held
                and dims == (0, 2, 3, 1)
                and src.name in self.alias
                and src_shape is not None
                and not src_shape.is_flat
            ):
                self.channels_last[node.name] = self.alias[src.name]
                return True
        if not held:
            return False
        others = self.reads_of([n for n in inputs if n.name not in self.channels_last])
        sources = tuple(dict.fromkeys([*(self.channels_last[n.name] for n in held), *others]))
        scope = self.calling_scope.get(node.name, "")
        still = value.dim() == 4
        shape = Shape(int(value.shape[3]), int(value.shape[1]), int(value.shape[2])) if still else None
        mapped: tuple[str, dict[str, Any]] | None = None
        if len(inputs) == 1 and still and value.shape == self.values[inputs[0].name].shape:
            if node.op == "call_module":
                sub = self.module.get_submodule(str(node.target))
                mapped = module_kind(sub, Shape(int(value.shape[3])))
                if type(sub).__name__ in ("Linear", "LayerNorm") and mapped is not None:
                    mapped = ("channel_linear", mapped[1]) if mapped[0] == "fc" else mapped
                elif mapped is not None and mapped[0] not in (*_ACTIVATIONS.values(), "dropout"):
                    mapped = None
            elif target in _FUNCTIONAL_ACTIVATIONS:
                mapped = (_FUNCTIONAL_ACTIVATIONS[target], {})
            elif target in _PASS_THROUGH:
                self.channels_last[node.name] = sources[0]
                return True
        elif node.op == "call_module" and len(inputs) == 1 and still:
            sub = self.module.get_submodule(str(node.target))
            if type(sub).__name__ == "Linear" and sub.bias is None:
                mapped = ("channel_linear", {"units": sub.out_features, "bias": False})
            elif type(sub).__name__ == "Linear":
                mapped = ("channel_linear", {"units": sub.out_features})
        if node.op == "call_module":
            sub_name = type(self.module.get_submodule(str(node.target))).__name__
            name = None if mapped is not None else self.auto_name(scope, "op")
            self.module_call(node, sources, mapped, shape, name=name, op=f"{sub_name} (channels last)")
        elif mapped is not None:
            self.add(node, self.auto_name(scope, mapped[0]), target, *mapped, sources, shape)
        else:
            self.uncounted(node, self.auto_name(scope, "op"), target, sources, value, shape=shape)
        if still:
            self.channels_last[node.name] = self.alias.pop(node.name)
        return True

    def shuffle_step(self, node: Any, inputs: list[Any], value: Any) -> bool:
        """ShuffleNet's ``channel_shuffle``: ``x.view(N, g, C // g, H, W)``, ``transpose(1, 2)``
        (``contiguous()``), then a view back to N×C×H×W is cnncalc's ``channel_shuffle g``. The steps
        are followed here; anything else falls back to an uncounted op. True when the shuffle ends."""
        if len(inputs) != 1:
            return False
        src, target = inputs[0], _target_name(node) if node.op != "call_module" else ""
        shape = tuple(int(d) for d in value.shape)
        if target in ("view", "reshape") and src.name in self.alias and len(shape) == 5:
            before = tuple(int(d) for d in self.values[src.name].shape)
            split = len(before) == 4 and shape[0] == before[0] and shape[3:] == before[2:]
            if split and shape[1] * shape[2] == before[1] and shape[1] > 1:
                self.shuffles[node.name] = (self.alias[src.name], shape[1], False, before)
            return False
        if src.name not in self.shuffles:
            return False
        origin, groups, swapped, before = self.shuffles[src.name]
        unchanged = shape == tuple(int(d) for d in self.values[src.name].shape)
        if target == "transpose" and not swapped and sorted(node.args[1:3]) in ([1, 2], [-4, -3]):
            self.shuffles[node.name] = (origin, groups, True, before)
        elif target == "contiguous" or (target in ("view", "reshape") and unchanged):
            self.shuffles[node.name] = (origin, groups, swapped, before)
        elif target in ("view", "reshape", "flatten") and swapped and shape == before:
            start = node.kwargs.get("start_dim", node.args[1] if len(node.args) > 1 else 0)
            if target == "flatten" and start != 1:
                return False
            scope = self.calling_scope.get(node.name, "")
            sources = (origin,)
            self.add(
                node,
                self.auto_name(scope, "channel_shuffle"),
                "channel_shuffle",
                "channel_shuffle",
                {"groups": groups},
                sources,
            )
            return True
        return False

    def call_module(self, node: Any, sources: tuple[str, ...]) -> None:
        sub = self.module.get_submodule(str(node.target))
        tensors = self.tensor_inputs(node)
        in_shape = shape_of(self.values.get(tensors[0].name)) if tensors else None
        self.module_call(node, sources, module_kind(sub, in_shape))

    def module_call(
        self,
        node: Any,
        sources: tuple[str, ...],
        mapped: tuple[str, dict[str, Any]] | None,
        shape: Shape | None = None,
        *,
        name: str | None = None,
        op: str | None = None,
    ) -> None:
        """A call of the submodule ``node.target`` as the layer ``mapped`` (kind, fields), named by
        its path; a second call of a module with parameters ``shares`` the first, so its parameters
        count once. Unmapped (None): an uncounted op, holding the module's parameters at its first
        call. ``shape``: the output's, where the value's is not (channels last)."""
        path = str(node.target)
        sub = self.module.get_submodule(path)
        name = name or self.unique(self.written(node, path))
        first = self.modules_seen.get(path)
        if first is None and mapped is not None:
            first = self.tied_to(sub, path, mapped)
        tensors = [*sub.parameters(), *sub.buffers()]
        if mapped is None:
            fresh = [t for t in tensors if id(t) not in self.tensor_owner]
            params = sum(t.numel() for t in fresh if isinstance(t, _parameter_class()))
            buffers = sum(t.numel() for t in fresh) - params
            op = op or f"{type(sub).__module__}.{type(sub).__name__}"
            self.uncounted(node, name, op, sources, self.values[node.name], params, buffers, shape)
        else:
            kind, fields = mapped
            if first is not None and tensors:
                fields = {**fields, "shares": first}
            self.add(node, name, type(sub).__name__, kind, fields, sources, shape)
        self.modules_seen.setdefault(path, name)
        for tensor in tensors:
            self.tensor_owner.setdefault(id(tensor), name)

    def tied_to(self, sub: Any, path: str, mapped: tuple[str, dict[str, Any]]) -> str | None:
        """The earlier layer, defined as ``mapped`` is, whose parameters and buffers are all
        ``sub``'s own (weights tied across modules: ``b.weight = a.weight``), which it then
        ``shares``; None if there is none. Tied otherwise (a weight and not its bias, or to a
        layer defined differently: a stride, a transposed conv): said in a note, as they count
        again."""
        owners = {self.tensor_owner.get(id(t)) for t in (*sub.parameters(), *sub.buffers())}
        earlier = sorted(o for o in owners if o is not None)
        if not earlier:
            return None
        if len(owners) == 1:
            layer = next(n for n in self.nodes if n.name == earlier[0])
            if same_definition(layer, *mapped):
                return earlier[0]
        self.notes.append(
            f"{path}: some or all of its parameters are those of {', '.join(earlier)} (tied "
            "weights), which only a layer defined the same way can share: they are counted again"
        )
        return None

    def function_kind(
        self, node: Any, target: str, inputs: list[Any], inp: Shape | None, out: Shape | None
    ) -> tuple[str, dict[str, Any]] | str | None:
        args, kwargs = node.args, node.kwargs
        if out is None:
            return None
        if target in _FUNCTIONAL_ACTIVATIONS and len(inputs) == 1 and inp == out:
            kind = _FUNCTIONAL_ACTIVATIONS[target]
            if kind == "leakyrelu":
                slope = kwargs.get("negative_slope", args[1] if len(args) > 1 else 0.01)
                return kind, ({} if slope == 0.01 else {"negative_slope": slope})
            return kind, {}
        if target == "hardtanh" and inp == out:
            low = kwargs.get("min_val", args[1] if len(args) > 1 else -1.0)
            high = kwargs.get("max_val", args[2] if len(args) > 2 else 1.0)
            return ("relu6", {}) if (low, high) == (0.0, 6.0) else None
        if target in ("add", "iadd", "mul", "imul") and len(inputs) == 2 and len(_tensor_args(args)) == 2:
            if target in ("add", "iadd") and "alpha" in kwargs:
                return None
            return ("add" if "add" in target else "mul"), {}
        if target == "cat":
            dim = kwargs.get("dim", args[1] if len(args) > 1 else 0)
            if dim in (1, -3) and len(inputs) == 1:
                return "alias"  # torch.cat of one tensor is that tensor (DenseNet's first layers)
            return ("concat", {}) if dim in (1, -3) and len(inputs) >= 2 else None
        if target in ("flatten", "view", "reshape") and len(inputs) == 1 and inp is not None:
            if out.is_flat and out.channels == inp.numel:
                if target == "flatten":
                    start = kwargs.get("start_dim", args[1] if len(args) > 1 else 0)
                    if start not in (1, 0):
                        return None
                return ("flatten", {}) if not inp.is_flat else "alias"
            return "alias" if inp == out and target in ("view", "reshape") else None
        if target in _PASS_THROUGH and len(inputs) == 1 and inp == out:
            return "alias"
        if target in ("dropout", "dropout2d") and inp == out:
            p = kwargs.get("p", args[1] if len(args) > 1 else 0.5)
            return "dropout", {"p": p, **({"channelwise": True} if target == "dropout2d" else {})}
        if target in ("interpolate", "upsample") and inp is not None:
            size = kwargs.get("size", args[1] if len(args) > 1 else None)
            scale = kwargs.get("scale_factor", args[2] if len(args) > 2 else None)
            mode = kwargs.get("mode", args[3] if len(args) > 3 else "nearest")
            align = kwargs.get("align_corners", args[4] if len(args) > 4 else None)
            if _tensor_args((size, scale)) and not out.is_flat:  # computed from sizes at run time
                size, scale = (out.height, out.width), None
            return _resize_fields(size, scale, mode, align)
        if target in ("adaptive_avg_pool2d", "adaptive_max_pool2d") and inp is not None:
            size = kwargs.get("output_size", args[1] if len(args) > 1 else None)
            if size is None or (isinstance(size, tuple | list) and None in size):
                return None
            avg = target == "adaptive_avg_pool2d"
            if _pair(size) == 1:
                return ("gap" if avg else "gmp"), {}
            return ("adaptiveavgpool" if avg else "adaptivemaxpool"), {"output": _pair(size)}
        if target in ("max_pool2d", "avg_pool2d") and inp is not None:
            kernel = kwargs.get("kernel_size", args[1] if len(args) > 1 else None)
            stride = kwargs.get("stride", args[2] if len(args) > 2 else None) or kernel
            padding = kwargs.get("padding", args[3] if len(args) > 3 else 0)
            if kernel is None:
                return None
            fields = {"kernel": _pair(kernel), "stride": _pair(stride), "padding": _pair(padding)}
            kind = "maxpool" if target == "max_pool2d" else "avgpool"
            return kind, _without_defaults(fields, padding=0)
        if target == "mean" and inp is not None and not inp.is_flat:
            dims = kwargs.get("dim", args[1] if len(args) > 1 else None)
            keep = kwargs.get("keepdim", args[2] if len(args) > 2 else False)
            dims = tuple(dims) if isinstance(dims, tuple | list) else (dims,)
            if sorted(d % 4 for d in dims if isinstance(d, int)) == [2, 3] and len(dims) == 2:
                return ("gap", {}) if keep else ("gap_flat", {})
            return None
        if target == "softmax" and inp == out:
            dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
            return ("softmax", {}) if dim == 1 or (dim == -1 and out.is_flat) else None
        if target == "channel_shuffle":
            return "channel_shuffle", {"groups": args[1] if len(args) > 1 else kwargs["groups"]}
        if target == "getitem" and isinstance(node.args[0], object):
            parent = getattr(node.args[0], "name", None)
            origin = self.alias.get(parent, "") if parent else ""
            chunk = _chunk_of(node.args[0])
            if origin.startswith("chunk-of:") and chunk is not None and isinstance(node.args[1], int):
                return "chunk", {"parts": chunk, "index": node.args[1]}
        return None


def _permute_dims(node: Any) -> tuple[int, ...] | None:
    """The dims of ``x.permute(0, 2, 3, 1)`` / ``torch.permute(x, (0, 2, 3, 1))``, normalised."""
    dims = node.kwargs.get("dims", node.args[1:] if len(node.args) > 1 else ())
    if len(dims) == 1 and isinstance(dims[0], tuple | list):
        dims = dims[0]
    if not all(isinstance(d, int) for d in dims):
        return None
    return tuple(d % len(dims) for d in dims)


def _chunk_of(node: Any) -> int | None:
    """The parts of a ``torch.chunk(x, parts, dim=1)`` / ``x.chunk(parts, 1)`` node, else None."""
    args, kwargs = node.args, node.kwargs
    if _target_name(node) != "chunk":
        return None
    dim = kwargs.get("dim", args[2] if len(args) > 2 else 0)
    return int(args[1]) if dim == 1 else None


def _parameter_class() -> Any:
    import torch

    return torch.nn.Parameter


def _target_name(node: Any) -> str:
    target = node.target
    if node.op == "call_method":
        return str(target)
    if target in (operator.add, operator.iadd):
        return "add" if target is operator.add else "iadd"
    if target in (operator.mul, operator.imul):
        return "mul" if target is operator.mul else "imul"
    if target is operator.getitem:
        return "getitem"
    return getattr(target, "__name__", str(target))


def _tensor_args(value: Any) -> list[Any]:
    import torch.fx as fx

    found: list[Any] = []

    def walk(v: Any) -> None:
        if isinstance(v, fx.Node):
            found.append(v)
        elif isinstance(v, tuple | list):
            for item in v:
                walk(item)
        elif isinstance(v, dict):
            for item in v.values():
                walk(item)

    walk(value)
    return found


def _module_calls(
    module: Any,
) -> tuple[dict[str, tuple[tuple[str, str], ...]], tuple[tuple[str, str], ...]]:
    """For each fx node, the calls of (non-leaf) modules it sits in, outermost first, as (module
    path, scope name); and (scope name, class) of each scope that is not a module path.

    The scope name is the path, except inside a module's second call: fx keys that call apart
    (``block@1``), and its scope is named as the spec parser names a group opened again in one
    scope, ``block_2``; inside it, ``block_2.conv``, ``block_2.add1``. A spec written from the graph
    then reads back with the same names (``block_2.conv`` shares ``block.conv``)."""
    scopes: dict[tuple[str, ...], str] = {}  # the stack keys of a call -> its scope name
    paths = {path for path, _ in module.named_modules()}
    taken: dict[str, int] = {}
    instances: list[tuple[str, str]] = []
    calls: dict[str, tuple[tuple[str, str], ...]] = {}
    for node in module.graph.nodes:
        entries = list((node.meta.get("nn_module_stack") or {}).items())
        if node.op == "call_module" and entries and entries[-1][1][0] == node.target:
            entries = entries[:-1]  # the leaf module itself
        keys: tuple[str, ...] = ()
        found: list[tuple[str, str]] = []
        for key, (path, cls) in entries:
            keys = (*keys, key)
            name = scopes.get(keys)
            if name is None:
                parent_path, parent_name = found[-1] if found else ("", "")
                under = parent_path and path.startswith(parent_path + ".")
                base = parent_name + path[len(parent_path) :] if under else path
                taken[base] = taken.get(base, 0) + 1
                name = base if taken[base] == 1 else f"{base}_{taken[base]}"
                while name != base and name in paths:  # a module of the model has that name
                    taken[base] += 1
                    name = f"{base}_{taken[base]}"
                scopes[keys] = name
                if name != path:
                    instances.append((name, getattr(cls, "__name__", str(cls))))
            found.append((path, name))
        calls[node.name] = tuple(found)
    return calls, tuple(instances)


def _merge_scope(scope: str, sources: tuple[str, ...], last: str) -> str:
    """Where a merge is named: in the calling scope, or in the one submodule whose layers it
    merges right after them (``last``: the layer before it), when a forward merges them for it
    (``torch.cat([self.up1.crop(s), self.up1.up(x)])`` in the model's forward is ``up1.concat1``,
    beside the layers it reads)."""
    if len(set(sources)) < 2:
        return scope
    parts = [name.split(".")[:-1] for name in (*sources, last)]
    common: list[str] = []
    for segments in zip(*parts, strict=False):
        if len(set(segments)) != 1:
            break
        common.append(segments[0])
    deeper = ".".join(common)
    if deeper and (not scope or deeper.startswith(scope + ".")):
        return deeper
    return scope


def fold_flatten(graph: ImportedGraph) -> ImportedGraph:
    """Without a functional ``flatten`` read only by an ``fc`` (cnncalc's fc flattens a feature map
    itself, as the spec language writes ``gap | fc 1000``): the fc reads the flatten's input."""
    readers: dict[str, list[ImportedNode]] = {}
    for node in graph.nodes:
        for name in node.inputs:
            readers.setdefault(name, []).append(node)
    folded: dict[str, str] = {}
    for node in graph.nodes:
        users = readers.get(node.name, [])
        if (
            node.kind == "flatten"
            and node.op != "Flatten"  # a module the model has on purpose stays a row
            and node.name not in graph.outputs
            and len(users) == 1
            and users[0].kind == "fc"
        ):
            folded[node.name] = node.inputs[0]
    if not folded:
        return graph
    nodes = tuple(
        replace(node, inputs=tuple(folded.get(i, i) for i in node.inputs))
        for node in graph.nodes
        if node.name not in folded
    )
    return replace(graph, nodes=nodes)

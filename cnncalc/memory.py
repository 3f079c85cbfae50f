"""A GPU memory model of a PyTorch run of a network: what ``torch.cuda.max_memory_allocated``
should report for inference and for one training step. Pure: no torch.

Every byte belongs to a named term (see :data:`TERM_DOCS`):

* model state: parameters and buffers; in training also gradients and optimizer state;
* activations: a simulation of the forward pass that tracks which tensors are alive — the
  caller's input, the current input and output, inputs kept for branches and shortcuts, and in
  training what autograd saves for backward (:data:`SAVED_FOR_BACKWARD`, per layer type);
* the backward pass, layer by layer (saved tensors are freed as backward passes them), and the
  optimizer step with its temporaries;
* framework overhead: every allocation rounded up to the caching allocator's 512-byte blocks,
  the cuBLAS/cuBLASLt workspaces kept from the first matrix multiply on (one per thread), and
  each convolution's cuDNN workspace while it runs.

The model follows the modules ``cnncalc export`` builds (activations are not in place, the
residual addition allocates its result). Calibrated on an H100 (``benchmarks/gpu_probe.py``,
``docs/gpu-results.md``): everything but cuDNN's workspace is exact there; that one depends on the
algorithm cuDNN's heuristics pick and is an estimate (:func:`conv_workspace_estimate`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import count, pairwise

from pydantic import BaseModel, ConfigDict, computed_field

from cnncalc.analysis import analyse
from cnncalc.conventions import BYTES_PER_ELEMENT, normalise_dtype
from cnncalc.errors import ShapeError, UsageError
from cnncalc.i18n import N_
from cnncalc.layers import LayerDef
from cnncalc.shapes import Shape
from cnncalc.spec import (
    NETWORK_INPUT,
    LayerNode,
    MergeNode,
    Network,
    SequenceNode,
    TapNode,
    tap_counts,
    walk_nodes,
)

ALLOCATOR_BLOCK = 512  # CUDACachingAllocator rounds every allocation up to a multiple of 512 bytes
# Workspaces measured on an H100 (sm_90) with PyTorch 2.11 / CUDA 13.0 (docs/gpu-results.md): each
# thread's cuBLAS handle gets a 32 MiB workspace at its first matrix multiply (the forward pass's
# on the calling thread, the backward pass's on autograd's device thread), and an fc with a bias
# (addmm, run through cuBLASLt) adds a 1 MiB cuBLASLt workspace. PyTorch documents 8 MiB + 128 KiB
# as the default before Hopper; that is not measured here.
CUBLAS_WORKSPACE_BYTES = 32 * 2**20
CUBLASLT_WORKSPACE_BYTES = 2**20
CALIBRATION = (
    "H100 (sm_90), PyTorch 2.11, CUDA 13.0, cuDNN 9.19; cuDNN's workspace is an estimate "
    "(docs/gpu-results.md)"
)
INDEX_BYTES = 8  # int64 pooling indices
MASK_BYTES = 1  # bool dropout masks
STAT_BYTES = 4  # BatchNorm's saved mean and inverse std are fp32 (also under fp16/bf16)


@dataclass(frozen=True)
class Optimizer:
    """State kept per parameter element (copies of the parameters) and the step's temporaries."""

    label: str
    state_copies: int
    step_temporary_copies: int
    torch_class: str
    torch_kwargs: dict[str, float]


OPTIMIZERS: dict[str, Optimizer] = {
    "sgd": Optimizer("SGD", 0, 0, "SGD", {}),
    "momentum": Optimizer("SGD + momentum", 1, 0, "SGD", {"momentum": 0.9}),
    # exp_avg and exp_avg_sq; the foreach step computes sqrt(exp_avg_sq) into a new list of tensors
    "adam": Optimizer("Adam", 2, 1, "Adam", {}),
    "adamw": Optimizer("AdamW", 2, 1, "AdamW", {}),
}

TERM_DOCS: dict[str, str] = {
    "parameters": N_("weights and biases, one tensor each, in the model's dtype"),
    "buffers": N_("BatchNorm running mean and variance (model dtype) and its int64 batch counter"),
    "gradients": N_("one .grad per parameter tensor, same size (training)"),
    "optimizer_state": N_("momentum buffer (SGD+momentum) or exp_avg and exp_avg_sq (Adam/AdamW)"),
    "forward_peak": N_(
        "largest total of live tensors during the forward pass: the caller's input, the "
        "current input and output, inputs kept for branches/shortcuts, and (training) what autograd saved"
    ),
    "saved_activations": N_("tensors autograd keeps for backward at the end of the forward pass"),
    "backward_peak": N_(
        "largest total during backward: tensors saved by layers not yet reached, the input, "
        "the gradients into and out of the current layer, parameter gradients so far"
    ),
    "optimizer_step_temporaries": N_(
        "Adam/AdamW's foreach step allocates sqrt(exp_avg_sq) for every parameter"
    ),
    "optimizer_step_peak": N_("during the step: input, gradients, optimizer state and temporaries"),
    "steady_state_peak": N_(
        "every step after the first (gradients set to None by zero_grad): the optimizer "
        "state and all cuBLAS workspaces stay allocated through forward and backward"
    ),
    "cublas_workspace": N_(
        "cuBLAS workspaces kept from the first fc on: 32 MiB for the forward pass's thread, "
        "1 MiB cuBLASLt (fc with bias), and in training 32 MiB for autograd's backward thread (H100, sm_90)"
    ),
    "cudnn_workspace": N_(
        "largest per-call convolution workspace (estimate: input + output + weights); each "
        "is counted in the peak at its layer. cuDNN's algorithm choice makes this term uncertain"
    ),
    "allocator_rounding": N_(
        "included in the terms above: the caching allocator rounds every tensor up to "
        "512-byte blocks, and a parameter that would leave at most 1 MiB of its segment takes all of it"
    ),
}


@dataclass(frozen=True)
class Saves:
    """What one layer type keeps for backward: its input, its output and/or extra tensors
    (elements per sample as a function of input and output shape, and bytes per element; None
    = the model's dtype)."""

    input: bool = False
    output: bool = False
    extra: tuple[tuple[Callable[[Shape, Shape], int], int | None], ...] = ()
    # the output is a view of the input: nothing is allocated, and what keeps the output keeps the
    # input's storage; its gradient has the output's own size (a crop's is smaller)
    view: bool = False
    # Temporaries allocated (briefly, beside input and output) in a forward pass without grad.
    eval_extra: tuple[tuple[Callable[[Shape, Shape], int], int | None], ...] = ()
    # Temporaries alive beside input and output while the layer runs, with or without grad, and
    # never kept for backward.
    transient: tuple[tuple[Callable[[Shape, Shape], int], int | None], ...] = ()
    # Elements of temporaries alive at once in the layer's backward, beside its gradients.
    backward_temporaries: Callable[[Shape, Shape], int] | None = None
    # Elements of the gradients a backward of several ops computes between its output's and its
    # input's, in order; each is freed once the next one exists (a crop's slice per axis).
    backward_chain: Callable[[Shape, Shape], tuple[int, ...]] | None = None


def _out(inp: Shape, out: Shape) -> int:
    return out.numel


def _channels(inp: Shape, out: Shape) -> int:
    return inp.channels


def _lrn(layer: LayerDef) -> Saves:
    """F.local_response_norm keeps x (for x² and x / div), the zero-padded x² (C + size − 1
    channels, for avg_pool3d), the base of the power and the divisor for backward."""
    size = int(getattr(layer, "size", 5))

    def padded(i: Shape, o: Shape) -> int:
        return (i.channels + size - 1) * i.spatial[0] * i.spatial[1]

    def chain_wins(i: Shape, o: Shape) -> bool:
        return 2 * o.numel >= padded(i, o)

    # Without grad the peak is either at the padding (x, x² and the padded x² alive together) or
    # in div.mul(alpha).add(k) (x, the pooled map, its product and the sum): the larger of the two
    # temporaries beside x and the output. In backward, the gradient of x / div for div
    # (−grad · x / div²) takes three more maps.
    return Saves(
        input=True,
        extra=((padded, None), (_out, None), (_out, None)),
        eval_extra=(
            (lambda i, o: o.numel if chain_wins(i, o) else padded(i, o), None),
            (lambda i, o: o.numel if chain_wins(i, o) else 0, None),
        ),
        backward_temporaries=lambda i, o: 3 * o.numel,
    )


def _dropout(layer: LayerDef) -> Saves:
    """Dropout keeps its bool mask (CUDA's fused kernel); Dropout2d multiplies by an N×C×1×1 noise
    tensor and keeps that."""
    if getattr(layer, "channelwise", False):
        return Saves(extra=((_channels, None),))
    return Saves(extra=((_out, MASK_BYTES),))


def _positions(inp: Shape, out: Shape) -> int:
    return inp.spatial[0] * inp.spatial[1]


def _input_size(inp: Shape, out: Shape) -> int:
    return inp.numel


def _norm_statistics(
    per_sample: Callable[[Shape, Shape], int],
) -> tuple[tuple[Callable[[Shape, Shape], int], int | None], ...]:
    """A norm's fp32 mean and inverse std (or rstd), ``per_sample`` values each."""
    return ((per_sample, STAT_BYTES), (per_sample, STAT_BYTES))


def _layernorm(layer: LayerDef) -> Saves:
    """native_layer_norm keeps x and the fp32 mean and rstd of each position (also made without
    grad)."""
    stats = _norm_statistics(_positions)
    return Saves(input=True, extra=stats, eval_extra=stats)


def _groupnorm(layer: LayerDef) -> Saves:
    """native_group_norm keeps x and the fp32 mean and rstd of each group; its CPU backward makes
    one input-sized temporary."""
    groups = int(getattr(layer, "groups", 1))
    stats = _norm_statistics(lambda i, o: groups)
    return Saves(input=True, extra=stats, eval_extra=stats, backward_temporaries=_input_size)


def _instancenorm(layer: LayerDef) -> Saves:
    """F.instance_norm is batch_norm on a 1×(N·C)×H×W view: it keeps x, the fp32 mean and inverse
    std per sample and channel, the weight repeated N times (affine) and the running statistics
    repeated N times (track_running_stats); without grad it makes the repeats and, without running
    statistics, the two statistics."""
    affine, track = bool(getattr(layer, "affine", False)), bool(getattr(layer, "track_running_stats", False))
    stats = _norm_statistics(_channels)
    repeated_weight = ((_channels, None),) if affine else ()
    repeated_running = ((_channels, None), (_channels, None)) if track else ()
    repeated_affine = ((_channels, None), (_channels, None)) if affine else ()
    return Saves(
        input=True,
        extra=stats + repeated_weight + repeated_running,
        eval_extra=(repeated_running or stats) + repeated_affine,
    )


def _crop_chain(inp: Shape, out: Shape) -> tuple[int, ...]:
    """``x[:, :, rows, columns]`` slices height, then width; backward undoes the width slice first
    (an H′×W gradient, the output's freed), then the height slice. A full-range slice is no op."""
    (h, w), (oh, ow) = inp.spatial, out.spatial
    return (oh * w * inp.channels,) if oh < h and ow < w else ()


def _fixed_affine(layer: LayerDef) -> Saves:
    """x_c × s + b per channel, then one torch.cat: nothing kept for backward (the factors are
    constants); the channels' results are alive beside the input and the output until the cat."""

    def one_channel(i: Shape, o: Shape) -> int:
        return i.numel // i.channels

    return Saves(transient=tuple((one_channel, None) for _ in getattr(layer, "scale", ())))


def _stochastic_depth(layer: LayerDef) -> Saves:
    """Identity with p = 0 (and at inference); in training x × noise keeps the N×1×1×1 noise."""
    if not getattr(layer, "p", 0.0):
        return Saves(view=True)
    return Saves(extra=((lambda i, o: 1, None),))


_INPUT = Saves(input=True)
_OUTPUT = Saves(output=True)
_MAX_POOL = Saves(input=True, extra=((_out, INDEX_BYTES),), eval_extra=((_out, INDEX_BYTES),))

# From PyTorch's derivatives (tools/autograd/derivatives.yaml): what each op's backward needs, by
# layer type; a function of the layer where its fields matter. Autograd saves nothing for a layer
# when neither its input nor its parameters need a gradient (layers before the first weights).
SAVED_FOR_BACKWARD: dict[str, Saves | Callable[[LayerDef], Saves]] = {
    "conv": _INPUT,  # and the weight (a parameter, already counted)
    "deconv": _INPUT,
    "fc": _INPUT,  # addmm keeps mat1 (the flattened input is a view of it)
    "flatten": Saves(view=True),
    "uncounted": _INPUT,  # an operation cnncalc cannot count: assumed to keep its input, as most do
    "identity": Saves(view=True),
    "dropout": _dropout,
    "batchnorm": Saves(input=True, extra=((_channels, STAT_BYTES), (_channels, STAT_BYTES))),  # mean, invstd
    "lrn": _lrn,
    # int64 indices; on CUDA max_pool2d computes them even without grad (then drops them)
    "maxpool": _MAX_POOL,
    "adaptivemaxpool": _MAX_POOL,
    "gmp": _MAX_POOL,
    "avgpool": _INPUT,
    "adaptiveavgpool": _INPUT,
    "gap": Saves(),  # adaptive_avg_pool2d to 1×1 is a mean: it keeps only sizes
    "pad": Saves(),
    "relu": _OUTPUT,
    "sigmoid": _OUTPUT,
    "tanh": _OUTPUT,
    "softmax": _OUTPUT,
    "relu6": _INPUT,  # hardtanh
    "leakyrelu": _INPUT,
    "elu": _INPUT,
    "selu": _INPUT,
    "gelu": _INPUT,
    "silu": _INPUT,
    "mish": _INPUT,
    "hardswish": _INPUT,
    "hardsigmoid": _INPUT,
    "softplus": _INPUT,
    # the weight's gradient is first computed per element, then summed
    "prelu": Saves(input=True, backward_temporaries=lambda i, o: i.numel),
    "layernorm": _layernorm,
    "groupnorm": _groupnorm,
    "instancenorm": _instancenorm,
    # upsample_*2d_backward needs only sizes; the shuffles are copies that need nothing
    "upsample": Saves(),
    "pixelshuffle": Saves(),
    "pixelunshuffle": Saves(),
    "channel_shuffle": Saves(),
    # split's backward concatenates the gradient with zeros for the other chunks
    "chunk": Saves(view=True, backward_temporaries=lambda i, o: i.numel - o.numel),
    "crop": Saves(view=True, backward_chain=_crop_chain),  # a slice: a view of its input
    # linear over the channels keeps its input, as fc; exact (CPU tracker) when the map is laid out
    # channels last, as inside ConvNeXt's block; after a conv PyTorch also copies it (not modelled)
    "channel_linear": Saves(input=True),
    # γ × x keeps x for γ's gradient, computed per element and then summed
    "layerscale": Saves(input=True, backward_temporaries=_input_size),
    "stochastic_depth": _stochastic_depth,
    "fixed_affine": _fixed_affine,
}


class MemoryTerm(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    key: str
    bytes: int
    explanation: str


class MemoryEstimate(BaseModel):
    """Predicted bytes (as ``max_memory_allocated`` counts them) for one configuration."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    network: str
    batch: int
    dtype: str
    train: bool
    optimizer: str | None
    terms: list[MemoryTerm]
    state_bytes: int  # parameters + buffers: allocated before the run
    peak_above_state: int  # the peak of the run on top of the model state (training: the first step)
    # training: the peak of every later step (optimizer state and workspaces already allocated)
    steady_peak_above_state: int | None = None
    calibrated: bool = True
    calibration: str = CALIBRATION
    uncertain_terms: list[str] = ["cudnn_workspace"]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_bytes(self) -> int:
        """What the GPU must hold: the model state and the larger of the two peaks."""
        return self.state_bytes + max(self.peak_above_state, self.steady_peak_above_state or 0)

    def term(self, key: str) -> int:
        return next(t.bytes for t in self.terms if t.key == key)


def block_bytes(nbytes: int) -> int:
    """Bytes the caching allocator reserves for a tensor of ``nbytes`` (512-byte blocks)."""
    return 0 if nbytes == 0 else -(-nbytes // ALLOCATOR_BLOCK) * ALLOCATOR_BLOCK


class CachingAllocator:
    """PyTorch's CUDA caching allocator (c10/cuda/CUDACachingAllocator.cpp) as far as
    ``memory_allocated`` sees it, for tensors allocated one after another and kept (the model
    state on a fresh GPU). Requests are rounded to 512 bytes; up to 1 MiB they come from 2 MiB
    segments, up to 10 MiB from 20 MiB segments, larger ones from a segment rounded up to 2 MiB;
    the smallest free block that fits is used, and split unless what would remain is under 512
    bytes (small pool) or at most 1 MiB (large pool) — then the whole block counts as allocated
    (a 16,384,000-byte fc weight takes 16 MiB)."""

    SMALL_REQUEST = 2**20
    SMALL_SEGMENT = 2 * 2**20
    LARGE_SEGMENT = 20 * 2**20
    LARGE_REQUEST = 10 * 2**20
    LARGE_ROUNDING = 2 * 2**20

    def __init__(self) -> None:
        self.free: dict[bool, list[int]] = {True: [], False: []}  # by pool: small?

    def allocate(self, nbytes: int) -> int:
        """The bytes ``memory_allocated`` grows by for a tensor of ``nbytes``."""
        size = block_bytes(nbytes)
        if size == 0:
            return 0
        small = size <= self.SMALL_REQUEST
        fitting = [block for block in self.free[small] if block >= size]
        if fitting:
            block = min(fitting)
            self.free[small].remove(block)
        elif small:
            block = self.SMALL_SEGMENT
        elif size < self.LARGE_REQUEST:
            block = self.LARGE_SEGMENT
        else:
            block = -(-size // self.LARGE_ROUNDING) * self.LARGE_ROUNDING
        remaining = block - size
        if remaining >= ALLOCATOR_BLOCK if small else remaining > self.SMALL_REQUEST:
            self.free[small].append(remaining)
            return size
        return block


def conv_workspace_estimate(input_bytes: int, output_bytes: int, weight_bytes: int) -> int:
    """cuDNN's workspace for one convolution call (forward, or its backward): an estimate.

    cuDNN's heuristics choose the algorithm, and the algorithm its workspace, so this cannot be
    exact. On the H100 runs of docs/gpu-results.md the convolutions that dominate a peak (large
    feature maps at batch 32) needed their input + output + weights, give or take a few percent
    (transformed copies of the three); small ones anything from nothing to 32 MiB."""
    return input_bytes + output_bytes + weight_bytes


class _Simulation:
    """The forward pass as allocations: which tensors are alive at each step, and the peak."""

    def __init__(
        self,
        batch: int,
        bpe: int,
        train: bool,
        block: Callable[[int], int] = block_bytes,
        workspaces: bool = True,
        conv_workspace: Callable[[int, int, int], int] = conv_workspace_estimate,
    ):
        self.batch, self.bpe, self.train, self.block = batch, bpe, train, block
        # parameters and buffers: placed by the caching allocator in order on a fresh GPU
        self.state_block = CachingAllocator().allocate if block is block_bytes else block
        self.workspaces, self.conv_workspace = workspaces, conv_workspace
        self.blas_tensors: dict[str, int] = {}  # cuBLAS/cuBLASLt workspaces, held from the first fc
        self.persistent = 0
        self.backward_blas = 0
        self.largest_conv_workspace = 0
        self.ids = count()
        self.size: dict[int, int] = {}
        self.saved: set[int] = set()
        self.base: dict[int, int] = {}  # a view (a smaller part of a tensor) → the tensor it views
        self.needs_grad: set[int] = set()  # tensors autograd tracks (downstream of some weights)
        self.held: Counter[int] = Counter()
        self.peak = 0
        self.dry = False  # walking a head that does not run: parameters and buffers only
        self.side_outputs = 0  # heads that ran: the training loss adds each one's sum
        self.buffers = 0
        self.param_tensors: list[int] = []
        # training: per layer autograd records, in forward order: (tensors it saves, bytes of the
        # gradient it returns for its input (0 if none) and of its backward's temporaries, of the
        # gradient of its output, of its weights; whether its backward multiplies matrices; the
        # gradients its backward computes between its output's and its input's)
        self.events: list[tuple[set[int], int, int, int, bool, tuple[int, ...]]] = []
        # ``from:`` references: the outputs they read, kept alive until the last reference
        self.tapped: frozenset[str] = frozenset()
        self.references: dict[str, int] = {}
        self.outputs: dict[str, tuple[int, Shape]] = {}
        self.produced_at: dict[int, int] = {}  # a referenced tensor -> its gradients' sum event
        self.partial_grads: list[tuple[int, int, int]] = []  # alive between events (after, before)

    def references_of(self, network: Network) -> None:
        """Note the outputs that ``from:`` references read later (their tensors are kept)."""
        self.tapped = network.tapped
        self.references = tap_counts(network.body) if network.tapped else {}

    def keep(self, name: str, x: int, shape: Shape) -> None:
        if name in self.tapped:
            self.outputs[name] = (x, shape)
            if not self.dry:
                self.held[x] += 1
                if self.train and x in self.needs_grad:
                    # in backward, the gradients of x from its readers are added up here
                    self.produced_at[x] = len(self.events)
                    self.events.append((set(), self.size[x], 2 * self.size[x], 0, False, ()))

    def tap(self, node: TapNode) -> tuple[int, Shape]:
        x, shape = self.outputs[node.source]
        self.references[node.source] -= 1
        if not self.dry:
            if self.references[node.source] == 0:
                self.held[x] -= 1  # from here it is the current tensor
            if x in self.produced_at:
                # the gradient this reader returns for x waits, in backward, for x's other readers
                self.partial_grads.append((self.produced_at[x], len(self.events), self.size[x]))
        return x, shape

    def new(self, elements: int, bpe: int | None = None) -> int:
        tensor = next(self.ids)
        self.size[tensor] = self.block(elements * self.batch * (bpe or self.bpe))
        return tensor

    def storage(self, tensor: int) -> int:
        """The tensor whose storage ``tensor`` uses: itself, or the one it is a view of."""
        return self.base.get(tensor, tensor)

    def view(self, x: int, elements: int) -> int:
        """A view of ``x``: ``x`` itself when it has all of its elements, else a tensor with its own
        size (for its gradient) that allocates nothing and keeps ``x``'s storage alive."""
        if self.block(elements * self.batch * self.bpe) == self.size[self.storage(x)]:
            return x
        tensor = next(self.ids)
        self.size[tensor] = self.block(elements * self.batch * self.bpe)
        self.base[tensor] = self.storage(x)
        return tensor

    def live(self, *extra: int) -> int:
        alive = self.saved | {t for t, n in self.held.items() if n > 0} | set(extra)
        return sum(self.size[t] for t in {self.storage(t) for t in alive})

    def note(self, *extra: int, transient: int = 0) -> None:
        self.peak = max(self.peak, self.live(*extra) + transient)

    def warm_up(self, network: Network) -> None:
        """Later steps: the cuBLAS workspaces an earlier step allocated are there from the start."""
        fcs = [node.layer for node in _layer_nodes(network.body) if node.layer.type == "fc"]
        if self.workspaces and fcs:
            self.blas_workspace("cublas", CUBLAS_WORKSPACE_BYTES)
            if any(getattr(layer, "bias", False) for layer in fcs):
                self.blas_workspace("cublaslt", CUBLASLT_WORKSPACE_BYTES)
            if self.train:
                self.blas_workspace("backward", CUBLAS_WORKSPACE_BYTES)

    def blas_workspace(self, kind: str, nbytes: int) -> None:
        """A workspace allocated by the first matrix multiply that needs it and kept from then on."""
        if kind not in self.blas_tensors:
            tensor = next(self.ids)
            self.size[tensor] = nbytes
            self.held[tensor] += 1
            self.blas_tensors[kind] = tensor
            self.persistent += nbytes

    def sequence(self, seq: SequenceNode, x: int, shape: Shape) -> tuple[int, Shape]:
        for child in seq.children:
            if isinstance(child, LayerNode):
                x, shape = self.layer(child, x, shape)
                if self.tapped:
                    self.keep(child.name, x, shape)
            elif isinstance(child, SequenceNode):
                x, shape = self.sequence(child, x, shape)
            elif isinstance(child, TapNode):
                x, shape = self.tap(child)
            elif hasattr(child, "branch") and (self.dry or (child.train_only and not self.train)):
                # a training-only head does not run in eval mode: only its parameters are there
                outer, self.dry = self.dry, True
                try:
                    self.sequence(child.branch, x, shape)
                finally:
                    self.dry = outer
            elif hasattr(child, "branch"):  # a side output: kept (side_outputs) while x goes on
                self.held[x] += 1
                if self.train and x in self.needs_grad and _reads_input(child.branch):
                    # In backward the main path's gradient for x comes first and waits while the
                    # head's backward runs; then the two are added up.
                    after = len(self.events)
                    self.events.append((set(), self.size[x], 2 * self.size[x], 0, False, ()))
                    side, _ = self.sequence(child.branch, x, shape)
                    self.partial_grads.append((after, len(self.events), self.size[x]))
                else:
                    side, _ = self.sequence(child.branch, x, shape)
                self.held[side] += 1
                self.side_outputs += 1
                self.held[x] -= 1
            else:
                x, shape = self.merge(child, x, shape)
                if self.tapped:
                    self.keep(child.name, x, shape)
        if self.tapped and (seq.scope or seq.name):
            self.keep(seq.scope or seq.name or "", x, shape)
        return x, shape

    def layer(self, node: LayerNode, x: int, shape: Shape) -> tuple[int, Shape]:
        layer = node.layer
        out_shape = layer.output_shape(shape)
        shared = node.shares is not None  # its parameters are another layer's tensors
        sizes = (0, 0) if shared else (layer.weights(shape), layer.biases(shape))
        tensors = [self.state_block(n * self.bpe) for n in sizes if n]
        self.param_tensors.extend(tensors)
        if layer.buffers(shape) and not shared:  # BatchNorm: mean, var (dtype) and the int64 counter
            c = shape.channels
            self.buffers += sum(self.state_block(n) for n in (c * self.bpe, c * self.bpe, 8))
        if self.dry:
            return x, out_shape
        if layer.type == "fc" and self.workspaces:
            self.blas_workspace("cublas", CUBLAS_WORKSPACE_BYTES)
            if layer.biases(shape):  # addmm goes through cuBLASLt
                self.blas_workspace("cublaslt", CUBLASLT_WORKSPACE_BYTES)
        entry = SAVED_FOR_BACKWARD.get(layer.type, _INPUT)
        rule = entry if isinstance(entry, Saves) else entry(layer)
        if layer.type in ("dropout", "stochastic_depth") and not self.train:
            rule = Saves(view=True)  # at inference both return their input
        out = self.view(x, out_shape.numel) if rule.view else self.new(out_shape.numel)
        extras = (
            []
            if rule.view
            else [
                self.new(fn(shape, out_shape), bpe)
                for fn, bpe in (rule.extra if self.train else rule.eval_extra)
            ]
        )
        workspace = 0
        if layer.type in ("conv", "deconv") and self.workspaces:
            weight_bytes = self.block(layer.weights(shape) * self.bpe)
            workspace = self.block(self.conv_workspace(self.size[x], self.size[out], weight_bytes))
            self.largest_conv_workspace = max(self.largest_conv_workspace, workspace)
        briefly = sum(
            self.block(fn(shape, out_shape) * self.batch * (bpe or self.bpe)) for fn, bpe in rule.transient
        )
        self.note(x, out, *extras, transient=workspace + briefly)
        input_grad = x in self.needs_grad
        if self.train and (input_grad or tensors):
            self.needs_grad.add(out)
            kept = ([x] if rule.input else []) + ([out] if rule.output else [])
            saves = set(extras) | {self.storage(t) for t in kept}
            self.saved.update(saves)
            grad_in = self.size[x] if input_grad else 0
            temporaries = rule.backward_temporaries
            work = workspace + (
                0
                if temporaries is None
                else self.block(temporaries(shape, out_shape) * self.batch * self.bpe)
            )
            matmul = layer.type == "fc" and self.workspaces
            chain = tuple(
                self.block(n * self.batch * self.bpe)
                for n in (rule.backward_chain(shape, out_shape) if rule.backward_chain else ())
            )
            self.events.append((saves, grad_in + work, self.size[out], sum(tensors), matmul, chain))
        return out, out_shape

    def backward_peak(self, held: int, seed: int) -> int:
        """Largest total during backward, layer by layer from the last: the tensors saved by layers
        not yet reached, the tensor ``held`` by the caller (its input), the gradient flowing out of
        and into the current layer (and the layer's workspace), the parameter gradients computed so
        far, the forward pass's cuBLAS workspaces, and from the last fc on the backward thread's
        own cuBLAS workspace (kept in :attr:`backward_blas`). The last layer's
        output gradient is ``seed`` bytes: the gradient of ``out.float().sum()`` is a broadcast
        scalar (nothing allocated) in fp32, a full copy when converted back to fp16/bf16; the loss
        scalar and its seed add two small blocks, and each side output's sum one more."""
        first_saver: dict[int, int] = {}
        for i, (saves, *_rest) in enumerate(self.events):
            for tensor in saves - {held}:
                first_saver.setdefault(tensor, i)
        saved_by = [0] * len(self.events)
        for tensor, i in first_saver.items():
            saved_by[i] += self.size[tensor]
        saved_upto, total = [], 0
        for amount in saved_by:
            total += amount
            saved_upto.append(total)
        waiting = [0] * len(self.events)  # gradients of referenced tensors not yet added up
        for after, before, nbytes in self.partial_grads:
            for i in range(after + 1, before):
                waiting[i] += nbytes
        peak, grads = 0, 0
        # the loss scalar and the seed gradient it expands, and the sum of each side output's
        loss = (2 + self.side_outputs) * self.block(4)
        blas = 0
        for i in range(len(self.events) - 1, -1, -1):
            _, in_bytes, out_bytes, grad_bytes, matmul, chain = self.events[i]
            if i == len(self.events) - 1:
                out_bytes = seed
            if matmul and "backward" not in self.blas_tensors:
                blas = CUBLAS_WORKSPACE_BYTES
            grads += grad_bytes
            steps = (out_bytes, *chain, in_bytes)  # each gradient alive with the next one
            working = max(a + b for a, b in pairwise(steps))
            alive = saved_upto[i] + self.size[held] + loss + working + grads + waiting[i]
            peak = max(peak, alive + self.persistent + blas)
        self.backward_blas = blas
        return peak

    def merge(self, node: MergeNode, x: int, shape: Shape) -> tuple[int, Shape]:
        if self.dry:  # shapes only, for the parameters of the layers after it
            outs = [self.sequence(branch, x, shape)[1] for branch in node.branches]
            if node.merge == "concat":
                return x, Shape(sum(s.channels for s in outs), outs[0].height, outs[0].width)
            return x, outs[0]
        self.held[x] += 1  # kept for the other branches / the shortcut
        readers = sum(1 for branch in node.branches if _reads_input(branch))
        if self.train and x in self.needs_grad and readers > 1:
            # In backward the branches' gradients for x are added up: two partial gradients and
            # their sum are alive together once every branch is done.
            self.events.append((set(), self.size[x], 2 * self.size[x], 0, False, ()))
        outs: list[tuple[int, Shape]] = []
        kept: list[int] = []  # branch outputs held until the merge (a reference may give x itself)
        for branch in node.branches:
            if not branch.children:
                outs.append((x, shape))  # the input itself: an identity shortcut, a gate's input
                continue
            out, out_shape = self.sequence(branch, x, shape)
            self.held[out] += 1
            kept.append(out)
            outs.append((out, out_shape))
        if node.merge == "concat":
            first = outs[0][1]
            merged = Shape(sum(s.channels for _, s in outs), first.height, first.width)
        else:
            merged = outs[0][1]
        result = self.new(merged.numel)
        self.note(result)
        if any(out in self.needs_grad for out, _ in outs):
            self.needs_grad.add(result)
            if node.merge == "mul":
                # The gradient of each factor needs the other one; backward returns the gradients
                # of both, the scale's after summing a full-size product over height and width.
                saves = {self.storage(out) for out, _ in outs}
                self.saved.update(saves)
                grads = self.size[outs[0][0]] + self.size[outs[1][0]]
                if outs[1][1] != merged:  # a broadcast scale: a full-size product, summed
                    grads += self.size[result]
                self.events.append((saves, grads, self.size[result], 0, False, ()))
        self.held[x] -= 1
        for out in kept:
            self.held[out] -= 1
        return result, merged


def _reads_input(seq: SequenceNode) -> bool:
    """Whether a branch reads its merge's input (not when it starts with a ``from:`` reference)."""
    first = seq.children[0] if seq.children else None
    if isinstance(first, SequenceNode):
        return _reads_input(first)
    return not isinstance(first, TapNode)


def _layer_nodes(seq: SequenceNode) -> Iterator[LayerNode]:
    return (node for node in walk_nodes(seq) if isinstance(node, LayerNode))


def predict_memory(
    network: Network,
    *,
    batch: int = 1,
    dtype: str = "fp32",
    train: bool = False,
    optimizer: str = "adam",
    workspaces: bool = True,
) -> MemoryEstimate:
    """The named terms for inference (``train=False``) or one training step with ``optimizer``.

    ``workspaces=False`` leaves out cuBLAS's and cuDNN's workspaces: what a run without them (on
    CPU) allocates for tensors alone."""
    analyse(network, batch=batch, training=train)  # validates the network and batch, with located errors
    try:
        dtype = normalise_dtype(dtype)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if optimizer not in OPTIMIZERS:
        raise UsageError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got '{optimizer}'")
    bpe = BYTES_PER_ELEMENT[dtype]
    terms, state_bytes, peak, steady = _terms(network, batch, bpe, train, optimizer, block_bytes, workspaces)
    _, raw_state, raw_peak, _ = _terms(network, batch, bpe, train, optimizer, lambda n: n, workspaces)
    rounding = state_bytes + peak - raw_state - raw_peak
    terms.append(
        MemoryTerm(key="allocator_rounding", bytes=rounding, explanation=TERM_DOCS["allocator_rounding"])
    )
    uncertain = ["cudnn_workspace"]
    if train and network.tapped:
        # the gradients that several readers of a referenced output return are added up in an
        # order the model follows only approximately (docs/memory-model.md)
        uncertain.append("backward_peak")
    return MemoryEstimate(
        network=network.name,
        batch=batch,
        dtype=dtype,
        train=train,
        optimizer=optimizer if train else None,
        terms=terms,
        state_bytes=state_bytes,
        peak_above_state=peak,
        steady_peak_above_state=steady,
        uncertain_terms=uncertain,
    )


def _simulate(
    network: Network,
    batch: int,
    bpe: int,
    train: bool,
    block: Callable[[int], int],
    workspaces: bool,
    conv_workspace: Callable[[int, int, int], int],
    warm: bool = False,
) -> tuple[_Simulation, int, int]:
    """The forward pass simulated; the simulation, the caller's input and the output."""
    sim = _Simulation(batch, bpe, train, block, workspaces, conv_workspace)
    sim.references_of(network)
    if warm:
        sim.warm_up(network)
    x = sim.new(network.input.numel)
    sim.held[x] += 1  # the caller's input stays alive for the whole pass
    sim.keep(NETWORK_INPUT, x, network.input)  # for ``from: input``, if the network has one
    out, _ = sim.sequence(network.body, x, network.input)
    sim.note(out)
    return sim, x, out


def _terms(
    network: Network,
    batch: int,
    bpe: int,
    train: bool,
    optimizer: str,
    block: Callable[[int], int],
    workspaces: bool = True,
    conv_workspace: Callable[[int, int, int], int] = conv_workspace_estimate,
) -> tuple[list[MemoryTerm], int, int, int | None]:
    """The terms, the model state, the peak above it (training: of the first step) and, in
    training, the peak of every later step; allocations sized by ``block``."""
    sim, x, out = _simulate(network, batch, bpe, train, block, workspaces, conv_workspace)
    params = sum(sim.param_tensors)
    forward_peak = sim.peak
    terms = [
        MemoryTerm(key="parameters", bytes=params, explanation=TERM_DOCS["parameters"]),
        MemoryTerm(key="buffers", bytes=sim.buffers, explanation=TERM_DOCS["buffers"]),
        MemoryTerm(key="forward_peak", bytes=forward_peak, explanation=TERM_DOCS["forward_peak"]),
    ]
    steady: int | None = None
    if train:
        opt = OPTIMIZERS[optimizer]
        saved_end = sim.live(out) - sim.persistent
        input_bytes = sim.size[x]
        seed = 0 if bpe == 4 else sim.size[out]  # see backward_peak
        backward_peak = sim.backward_peak(x, seed)
        state = opt.state_copies * params
        temporaries = opt.step_temporary_copies * params
        step_peak = input_bytes + params + state + temporaries + sim.persistent + sim.backward_blas
        terms += [
            MemoryTerm(key="saved_activations", bytes=saved_end, explanation=TERM_DOCS["saved_activations"]),
            MemoryTerm(key="backward_peak", bytes=backward_peak, explanation=TERM_DOCS["backward_peak"]),
            MemoryTerm(key="gradients", bytes=params, explanation=TERM_DOCS["gradients"]),
            MemoryTerm(key="optimizer_state", bytes=state, explanation=TERM_DOCS["optimizer_state"]),
            MemoryTerm(
                key="optimizer_step_temporaries",
                bytes=temporaries,
                explanation=TERM_DOCS["optimizer_step_temporaries"],
            ),
            MemoryTerm(
                key="optimizer_step_peak", bytes=step_peak, explanation=TERM_DOCS["optimizer_step_peak"]
            ),
        ]
        peak = max(forward_peak, backward_peak, step_peak)
        # Later steps (after zero_grad(set_to_none=True)): the optimizer state and every cuBLAS
        # workspace are allocated through forward and backward.
        warm, wx, _ = _simulate(network, batch, bpe, train, block, workspaces, conv_workspace, warm=True)
        steady = max(warm.peak + state, warm.backward_peak(wx, seed) + state, step_peak)
        terms.append(
            MemoryTerm(key="steady_state_peak", bytes=steady, explanation=TERM_DOCS["steady_state_peak"])
        )
    else:
        peak = forward_peak
    terms += [
        MemoryTerm(
            key="cublas_workspace",
            bytes=sim.persistent + sim.backward_blas,
            explanation=TERM_DOCS["cublas_workspace"],
        ),
        MemoryTerm(
            key="cudnn_workspace", bytes=sim.largest_conv_workspace, explanation=TERM_DOCS["cudnn_workspace"]
        ),
    ]
    return terms, params + sim.buffers, peak, steady


_BYTES = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}


def parse_bytes(text: str) -> int:
    """``24GiB`` → 25769803776, ``16GB`` → 16·10^9, ``512MiB``, ``800B``; a bare number (``24``)
    is refused: it would be 24 bytes, which no one means. ``1e9`` is not accepted."""
    from fractions import Fraction

    match = _BYTES.match(text)
    if not match:
        raise UsageError(f"'{text}' is not a memory size", hint="write it like 24GiB, 16GB or 512MiB")
    value, unit = Fraction(match.group(1)), match.group(2).lower()
    if not unit:
        number = match.group(1)
        raise UsageError(
            f"'{text}' has no unit: {number}GiB, {number}GB or {number}B?",
            hint="write the unit, e.g. 24GiB (2^30 bytes each), 16GB (10^9) or 512MiB",
        )
    prefix = unit[:1] if unit[:1] in "kmgt" else ""
    scale = 1024 ** ("kmgt".index(prefix) + 1) if prefix and "i" in unit else _UNITS[prefix]
    return int(value * scale)


def smallest_batch(
    network: Network, *, dtype: str = "fp32", train: bool = False, optimizer: str = "adam"
) -> int:
    """The smallest batch PyTorch runs: 1, or 2 when training batch norm that has one value per
    channel (validates the arguments on the way)."""
    try:
        predict_memory(network, dtype=dtype, train=train, optimizer=optimizer)
    except ShapeError:
        if not train:
            raise
        predict_memory(network, batch=2, dtype=dtype, train=train, optimizer=optimizer)
        return 2
    return 1


def _largest(fits: Callable[[int], bool], smallest: int) -> int | None:
    """The largest batch for which ``fits`` holds (memory grows with the batch), from ``smallest``;
    None if not even that one fits."""
    if not fits(smallest):
        return None
    low, high = smallest, 2 * smallest
    while fits(high):
        low, high = high, high * 2
        if high > 10**9:
            return low
    while high - low > 1:  # bisect
        mid = (low + high) // 2
        low, high = (mid, high) if fits(mid) else (low, mid)
    return low


def largest_batch(
    network: Network, budget: int, *, dtype: str = "fp32", train: bool = False, optimizer: str = "adam"
) -> int | None:
    """The largest batch whose predicted total fits in ``budget`` bytes; None if not even the
    smallest one PyTorch runs (1, or 2 when training batch norm that has one value per channel)."""
    smallest = smallest_batch(network, dtype=dtype, train=train, optimizer=optimizer)
    bpe = BYTES_PER_ELEMENT[normalise_dtype(dtype)]

    def fits(batch: int) -> bool:
        _, state, peak, steady = _terms(network, batch, bpe, train, optimizer, block_bytes)
        return state + max(peak, steady or 0) <= budget

    return _largest(fits, smallest)


# --------------------------------------------------------------------------------------------
# What the GPU holds beyond max_memory_allocated (what nvidia-smi shows). ESTIMATES: no GPU was
# available to measure them; each number names where it comes from.
# --------------------------------------------------------------------------------------------
# The CUDA context (driver state, the kernels of PyTorch, cuDNN and cuBLAS as they load) is not
# allocated through PyTorch's allocator. Its size depends on the GPU, the driver, the CUDA version
# and lazy module loading (CUDA_MODULE_LOADING=LAZY, PyTorch's default since CUDA 11.7). 512 MiB is
# an assumed round figure, not a measurement; calibrate with benchmarks on the GPU you use
# (nvidia-smi's used memory minus torch.cuda.memory_reserved() after the first step).
CUDA_CONTEXT_ESTIMATE_BYTES = 512 * 2**20
CUDA_CONTEXT_SOURCE = (
    "assumed 512 MiB (not measured: driver state and loaded kernels vary with GPU, driver, CUDA "
    "version and lazy loading)"
)
# The caching allocator's segment sizes (c10/cuda/CUDACachingAllocator.cpp): requests up to 1 MiB
# come from 2 MiB segments, up to 10 MiB from 20 MiB segments, larger ones get their own segment
# rounded up to 2 MiB.
SMALL_SIZE, SMALL_SEGMENT = 2**20, 2 * 2**20
MIN_LARGE_ALLOC, LARGE_SEGMENT, ROUND_LARGE = 10 * 2**20, 20 * 2**20, 2 * 2**20
ALLOCATOR_SOURCE = (
    "estimate from c10/cuda/CUDACachingAllocator.cpp's segment sizes (2 MiB for requests ≤ 1 MiB, "
    "20 MiB for ≤ 10 MiB, larger rounded up to 2 MiB); fragmentation across steps is not modelled"
)


def segment_slack(tensor_bytes: list[int]) -> int:
    """Reserved-but-unallocated bytes when ``tensor_bytes`` are live at once: one partly used small
    and one large segment, and each big tensor's rounding to 2 MiB."""
    small = any(0 < n <= SMALL_SIZE for n in tensor_bytes)
    medium = any(SMALL_SIZE < n <= MIN_LARGE_ALLOC for n in tensor_bytes)
    rounding = sum(-(-n // ROUND_LARGE) * ROUND_LARGE - n for n in tensor_bytes if n > MIN_LARGE_ALLOC)
    return SMALL_SEGMENT * small + LARGE_SEGMENT * medium + rounding


def allocator_reserve_estimate(
    network: Network, *, batch: int = 1, dtype: str = "fp32", train: bool = False
) -> int:
    """Estimated ``memory_reserved − max_memory_allocated`` at the peak: parameters and (training)
    every layer's output, or (inference) the largest input and output alive together."""
    bpe = BYTES_PER_ELEMENT[normalise_dtype(dtype)]
    report = analyse(network, batch=batch, dtype=dtype)
    tensors = [n * bpe for r in report.layers for n in (r.weights, r.biases) if n]
    outputs = [r.activation_bytes for r in report.layers if not r.in_place]
    if train:
        tensors += outputs
    else:
        tensors += sorted(outputs)[-2:]
    return segment_slack(tensors)


@dataclass(frozen=True)
class DeviceHeadroom:
    """What ``--fit`` leaves free besides the predicted allocation, each term an estimate."""

    cuda_context: int
    allocator_reserve: int

    @property
    def total(self) -> int:
        return self.cuda_context + self.allocator_reserve

    def as_dict(self) -> dict[str, object]:
        return {
            "cuda_context_bytes": self.cuda_context,
            "cuda_context_source": CUDA_CONTEXT_SOURCE,
            "allocator_reserve_bytes": self.allocator_reserve,
            "allocator_reserve_source": ALLOCATOR_SOURCE,
            "headroom_bytes": self.total,
            "measured": False,
        }


def device_headroom(
    network: Network, *, batch: int, dtype: str = "fp32", train: bool = False
) -> DeviceHeadroom:
    return DeviceHeadroom(
        CUDA_CONTEXT_ESTIMATE_BYTES,
        allocator_reserve_estimate(network, batch=batch, dtype=dtype, train=train),
    )


def largest_batch_on_device(
    network: Network, budget: int, *, dtype: str = "fp32", train: bool = False, optimizer: str = "adam",
    amp: str | None = None,
) -> int | None:  # fmt: skip
    """The largest batch whose predicted allocation plus :func:`device_headroom` fits ``budget``
    (what the card holds, as nvidia-smi shows it); None if not even the smallest batch PyTorch runs."""

    def fits(batch: int) -> bool:
        if amp is not None:
            total = predict_amp_memory(network, batch=batch, amp=amp, optimizer=optimizer).total_bytes
        else:
            _, state, peak, steady = _terms(
                network, batch, BYTES_PER_ELEMENT[normalise_dtype(dtype)], train, optimizer, block_bytes
            )
            total = state + max(peak, steady or 0)
        head = device_headroom(network, batch=batch, dtype=amp or dtype, train=train or amp is not None)
        return total + head.total <= budget

    smallest = smallest_batch(network, dtype=dtype, train=train or amp is not None, optimizer=optimizer)
    return _largest(fits, smallest)


# --------------------------------------------------------------------------------------------
# Mixed-precision training: torch.autocast(fp16 or bf16) with a GradScaler. UNCALIBRATED estimate.
# --------------------------------------------------------------------------------------------
AMP_SOURCE = (
    "not measured on a GPU: activations in the autocast dtype (conv and fc run in it, BatchNorm and "
    "element-wise ops follow their input), parameters, gradients, buffers and optimizer state fp32, "
    "plus autocast's cached half-precision copy of every conv and fc weight (torch/amp, autocast_mode)"
)


def predict_amp_memory(
    network: Network, *, batch: int = 1, amp: str = "bf16", optimizer: str = "adam"
) -> MemoryEstimate:
    """One training step under ``torch.autocast(dtype=amp)`` with a GradScaler: the fp16/bf16 run's
    activation terms, the model state and optimizer in fp32, and autocast's weight copies."""
    if normalise_dtype(amp) not in ("fp16", "bf16"):
        raise UsageError(f"mixed precision runs in fp16 or bf16, not '{amp}'")
    half = predict_memory(network, batch=batch, dtype=amp, train=True, optimizer=optimizer)
    full = predict_memory(network, batch=batch, dtype="fp32", train=True, optimizer=optimizer)
    report = analyse(network, batch=batch)
    copies = sum(
        block_bytes(n * 2)
        for r in report.layers
        if r.family in ("conv", "linear")
        for n in (r.weights, r.biases)
        if n
    )
    # The fp32 gradients and optimizer state replace their half-size counterparts in every peak.
    extra = (full.term("gradients") - half.term("gradients")) + (
        full.term("optimizer_state") - half.term("optimizer_state")
    )
    terms = [t for t in half.terms if t.key not in ("parameters", "buffers", "gradients", "optimizer_state")]
    terms = [
        *(t for t in full.terms if t.key in ("parameters", "buffers", "gradients", "optimizer_state")),
        *terms,
        MemoryTerm(
            key="autocast_weight_copies",
            bytes=copies,
            explanation="autocast casts each conv and fc weight (and bias) once per forward and keeps the "
            "copy until backward has used it",
        ),
    ]
    return MemoryEstimate(
        network=network.name,
        batch=batch,
        dtype=f"amp-{normalise_dtype(amp)}",
        train=True,
        optimizer=optimizer,
        terms=terms,
        state_bytes=full.state_bytes,
        peak_above_state=half.peak_above_state + extra + copies,
        steady_peak_above_state=(half.steady_peak_above_state or 0) + extra + copies,
        calibrated=False,
        calibration=AMP_SOURCE,
        uncertain_terms=["cudnn_workspace", "autocast_weight_copies", "forward_peak", "backward_peak"],
    )

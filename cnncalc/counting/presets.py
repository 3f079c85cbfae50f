"""Every peer tool's counting convention, rule by rule, read from the tool's own source.

A preset turns each report row into what that tool prints for the layer (``printed``) and what it
adds to its total without printing it per layer (``extra``: ptflops' patched functionals), with
the named rule that gave it. Everything is for the whole batch the tool runs, in the tool's own
unit. Pure: no torch, no peer imported (tests/test_count_peers.py runs the real tools).

Versions read (the ``version`` of each preset; docs/conventions.md lists the files):
torchvision 0.29.1 (weights' ``_ops``), torch 2.13.0 (``torch/utils/flop_counter.py``),
torchinfo 1.8.0 (``layer_info.py``), fvcore 0.1.5.post20221221 (``nn/jit_handles.py``),
ptflops 0.7.5 (``pytorch_ops.py``, ``pytorch_engine.py``, ``aten_ops.py``),
thop 0.1.1.post2209072238 (``vision/basic_hooks.py``, ``calc_func.py``, ``profile.py``),
calflops 0.3.2 (``pytorch_ops.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cnncalc.counting.facts import Facts
from cnncalc.i18n import N_
from cnncalc.layers.base import pair

# How a forward pass calls an element-wise op or a pool: as a module (``self.relu(x)``, what
# ``cnncalc export`` writes) or as a function (``F.relu(x)``). Hook-based tools see only modules.
MODULE, FUNCTIONAL = "module", "functional"

# Activation types whose torch module forward calls a function ptflops/calflops patch.
_PTFLOPS_PATCHED = {"relu", "elu", "gelu", "silu", "prelu"}  # F.relu, F.elu, F.gelu, F.silu, F.prelu
_PTFLOPS_HOOKED = {"relu", "relu6", "leakyrelu", "elu", "gelu", "prelu"}  # MODULES_MAPPING
_CALFLOPS_PATCHED = {"relu", "elu", "gelu", "silu", "prelu", "leakyrelu"}  # F.relu6 is not on nn.ReLU6's path
_WINDOW_POOLS = {"maxpool", "avgpool", "adaptiveavgpool", "adaptivemaxpool", "gap", "gmp"}


@dataclass(frozen=True)
class Part:
    """One row under one convention: the number the tool prints for it, what it adds to its total
    besides, the rule's key and the arithmetic written out."""

    printed: int
    extra: int
    rule: str
    formula: str

    @property
    def total(self) -> int:
        return self.printed + self.extra


Rule = Callable[[Facts, int, str], Part]


@dataclass(frozen=True)
class Preset:
    """A peer tool's convention."""

    key: str
    tool: str
    version: str
    unit: str  # what the tool calls its number
    measures: str  # "macs" or "flops": how it relates to cnncalc's MACs
    source: str  # where the rules are written
    rules: dict[str, str]  # rule key -> what it counts
    count: Rule


def _n(value: int) -> str:
    return f"{value:,}"


def _zero(rule: str) -> Part:
    return Part(0, 0, rule, "0")


def _macs(f: Facts, batch: int) -> int:
    return f.row.macs * batch


def _macs_part(f: Facts, batch: int, rule: str, factor: int = 1) -> Part:
    value = factor * _macs(f, batch)
    text = f"{factor} × " if factor != 1 else ""
    return Part(value, 0, rule, f"{text}{_n(f.row.macs)} MACs" + (f" × batch {batch}" if batch > 1 else ""))


def _elements(count: int, batch: int, factor: int | float = 1, what: str = "elements") -> tuple[int, str]:
    value = int(factor * count * batch)
    shown = f"{factor:g} × " if factor != 1 else ""
    return value, f"{shown}{_n(count * batch)} {what}"


# --------------------------------------------------------------------------------------------
# torchvision and torch's FlopCounterMode
# --------------------------------------------------------------------------------------------
def _torchvision(f: Facts, batch: int, style: str) -> Part:
    if f.row.macs:  # published per image: the batch does not apply
        return _macs_part(f, 1, "weights")
    return _zero("other")


def _flop_counter(f: Facts, batch: int, style: str) -> Part:
    if f.row.macs:
        return _macs_part(f, batch, "matmul", factor=2)
    return _zero("other")


# --------------------------------------------------------------------------------------------
# torchinfo: per module with parameters, parameters × output positions
# --------------------------------------------------------------------------------------------
def _torchinfo(f: Facts, batch: int, style: str) -> Part:
    params = f.row.params
    if not params:
        return _zero("no_params")
    if f.row.family == "conv":
        value = params * f.out_positions * batch
        text = f"{_n(params)} parameters × {_n(f.out_positions)} output positions"
        return Part(value, 0, "conv", text + (f" × batch {batch}" if batch > 1 else ""))
    return Part(
        params * batch, 0, "params", f"{_n(params)} parameters" + (f" × batch {batch}" if batch > 1 else "")
    )


# --------------------------------------------------------------------------------------------
# fvcore: traced aten ops, one multiply-add = one "flop", module in eval mode
# --------------------------------------------------------------------------------------------
def _fvcore(f: Facts, batch: int, style: str) -> Part:
    kind = f.kind
    if f.row.macs:
        return _macs_part(f, batch, "matmul")
    if kind == "batchnorm":
        value, text = _elements(f.in_elements, batch, 2 if f.has_affine else 1)
        return Part(value, 0, "batchnorm", text)
    if kind in ("adaptiveavgpool", "gap"):
        value, text = _elements(f.in_elements, batch, what="input elements")
        return Part(value, 0, "adaptive_avg_pool", text)
    return _zero("other")


# --------------------------------------------------------------------------------------------
# ptflops, pytorch backend (its default): module forward hooks plus patched functionals
# --------------------------------------------------------------------------------------------
def _ptflops(f: Facts, batch: int, style: str) -> Part:
    """Module hooks' sums are divided by the batch (compute_average_flops_cost); the patched
    functionals' are added to that for the whole batch (get_flops_pytorch)."""
    sample = _ptflops_module(f, 1, style)
    if batch == 1:
        return sample
    whole = _ptflops_module(f, batch, style)
    formula = f"{sample.formula}, per sample"
    if whole.extra:
        formula += f"; patched F.* for the batch of {batch}: {_n(whole.extra)}"
    return Part(sample.printed, whole.extra, sample.rule, formula)


def _ptflops_module(f: Facts, batch: int, style: str) -> Part:
    kind, n_in, n_out = f.kind, f.in_elements * batch, f.out_elements * batch
    if kind in ("conv", "deconv"):
        bias = n_out if f.row.biases else 0
        return Part(_macs(f, batch) + bias, 0, "conv", f"{_n(_macs(f, batch))} MACs + {_n(bias)} bias")
    if kind == "fc":
        bias = f.row.biases * batch
        return Part(_macs(f, batch) + bias, 0, "fc", f"{_n(_macs(f, batch))} MACs + {_n(bias)} bias")
    if kind == "batchnorm":
        factor = 2 if f.has_affine else 1
        return Part(factor * n_in, 0, "batchnorm", f"{factor} × {_n(n_in)} elements")
    hooked = kind in _PTFLOPS_HOOKED or kind in _WINDOW_POOLS
    patched = kind in _PTFLOPS_PATCHED or kind in _WINDOW_POOLS or kind == "softmax"
    if hooked or patched:
        if style == FUNCTIONAL:  # F.relu(x): no module, only the patched function
            return Part(
                0, n_in if patched else 0, "functional", f"{_n(n_in)} elements (patched function only)"
            )
        printed = n_in if hooked else 0  # relu hook: output.numel(); pool and BN hooks: input's
        extra = n_in if patched else 0
        rule = "hook_and_patch" if hooked and patched else ("hook" if hooked else "patch")
        return Part(printed, extra, rule, f"{_n(printed)} (module hook) + {_n(extra)} (patched F.*)")
    if kind == "lrn":
        # F.local_response_norm: input.mul(input), avg_pool3d over C + size − 1 padded channels,
        # div.mul(alpha), div.add(k); the pow and the division are not patched.
        padded = (f.in_channels + f.layer.size - 1) * f.in_positions * batch  # type: ignore[union-attr]
        extra = 3 * n_in + padded
        return Part(0, extra, "lrn", f"3 × {_n(n_in)} (mul, mul, add) + {_n(padded)} (avg_pool3d)")
    if kind == "add" and style == FUNCTIONAL:
        return Part(0, n_out, "add_function", f"{_n(n_out)} elements (torch.add)")
    if kind == "add":
        return _zero("add_operator")
    return _zero("zero_op")


def _ptflops_aten(f: Facts, batch: int, style: str) -> Part:
    if f.kind in ("conv", "deconv", "fc"):
        bias = f.row.biases and f.out_elements * batch
        return Part(_macs(f, batch) + bias, 0, "aten", f"{_n(_macs(f, batch))} MACs + {_n(bias)} bias")
    return _zero("other")


# --------------------------------------------------------------------------------------------
# thop: module forward hooks only (register_hooks), float64 sums
# --------------------------------------------------------------------------------------------
def _thop(f: Facts, batch: int, style: str) -> Part:
    kind, n_in, n_out = f.kind, f.in_elements * batch, f.out_elements * batch
    if kind == "conv":
        return _macs_part(f, batch, "conv")
    if kind == "deconv":  # calculate_conv2d_flops: output elements × (in_channels // groups) × kh·kw
        kh, kw = pair(f.layer.kernel)  # type: ignore[union-attr]
        per_output = (f.in_channels // f.groups) * kh * kw
        return Part(n_out * per_output, 0, "deconv", f"{_n(n_out)} output elements × {_n(per_output)}")
    if kind == "fc":
        return _macs_part(f, batch, "fc")
    if kind == "batchnorm":
        factor = 4 if f.has_affine else 2
        return Part(factor * n_in, 0, "batchnorm", f"{factor} × {_n(n_in)} elements")
    if style == FUNCTIONAL:
        return _zero("functional")
    if kind == "avgpool":
        return Part(n_out, 0, "avgpool", f"{_n(n_out)} output elements")
    if kind in ("adaptiveavgpool", "gap"):
        ih, iw = f.row.input_shapes[0].height or 1, f.row.input_shapes[0].width or 1
        oh, ow = f.row.output_shape.height or 1, f.row.output_shape.width or 1
        window = (ih / oh) * (iw / ow)  # torch.prod of float64 ratios, as thop does
        value = int((window + 1) * n_out)
        return Part(value, 0, "adaptive_avg_pool", f"({window:g} + 1) × {_n(n_out)} output elements")
    if kind == "softmax":
        features = f.row.input_shapes[0].channels
        rows = n_in // features
        return Part(rows * (3 * features - 1), 0, "softmax", f"{_n(rows)} × (3 × {features} − 1)")
    if kind == "prelu":
        return Part(n_in, 0, "prelu", f"{_n(n_in)} elements")
    if kind in ("relu", "relu6", "leakyrelu", "maxpool", "adaptivemaxpool", "gmp", "dropout", "pad"):
        return _zero("zero_rule")
    return _zero("no_rule")


# --------------------------------------------------------------------------------------------
# calflops: patched functionals (DeepSpeed's profiler), FLOPs = 2 × MACs
# --------------------------------------------------------------------------------------------
def _calflops_deconv(f: Facts, batch: int) -> Part:
    """_conv_trans_flops_compute: its out_channels is weight.shape[1] (already Cout/groups) and is
    divided by the groups again; the bias's output size is computed as a forward conv's."""
    layer = f.layer
    groups, per_group = f.groups, f.row.output_shape.channels // f.groups
    kh, kw = pair(layer.kernel)  # type: ignore[union-attr]
    macs = kh * kw * f.in_channels * (per_group // groups) * f.in_positions * batch
    bias = 0
    if f.row.biases:
        positions = 1
        for n, k, s, p, d in zip(
            f.row.input_shapes[0].shape().spatial,
            (kh, kw),
            pair(layer.stride),  # type: ignore[union-attr]
            pair(layer.padding),  # type: ignore[union-attr]
            pair(layer.dilation),  # type: ignore[union-attr]
            strict=True,
        ):
            positions *= (n + 2 * p - (d * (k - 1) + 1)) // s + 1
        bias = per_group * batch * positions
    return Part(2 * macs + bias, 0, "deconv", f"2 × {_n(macs)} MACs + {_n(bias)} bias")


def _calflops(f: Facts, batch: int, style: str) -> Part:
    kind, n_in, n_out = f.kind, f.in_elements * batch, f.out_elements * batch
    if kind == "deconv":
        return _calflops_deconv(f, batch)
    if kind == "conv":
        bias = n_out if f.row.biases else 0
        return Part(
            2 * _macs(f, batch) + bias, 0, "conv", f"2 × {_n(_macs(f, batch))} MACs + {_n(bias)} bias"
        )
    if kind == "fc":
        return _macs_part(f, batch, "fc", factor=2)
    if kind == "batchnorm":
        factor = 2 if f.has_affine else 1
        return Part(factor * n_in, 0, "batchnorm", f"{factor} × {_n(n_in)} elements")
    if kind in _CALFLOPS_PATCHED or kind in _WINDOW_POOLS or kind == "softmax":
        return Part(n_in, 0, "elementwise", f"{_n(n_in)} input elements")
    if kind == "lrn":
        padded = (f.in_channels + f.layer.size - 1) * f.in_positions * batch  # type: ignore[union-attr]
        return Part(
            3 * n_in + padded, 0, "lrn", f"3 × {_n(n_in)} (mul, mul, add) + {_n(padded)} (avg_pool3d)"
        )
    if kind == "add" and style == FUNCTIONAL:
        return Part(n_out, 0, "add_function", f"{_n(n_out)} elements (torch.add)")
    return _zero("not_patched")


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "torchvision",
            "torchvision",
            "0.29.1",
            "GFLOPS (MACs)",
            "macs",
            "torchvision/models/*.py weights meta '_ops'",
            {
                "weights": N_("conv and fc: multiply-accumulates (what torchvision publishes as 'GFLOPS')"),
                "other": N_(
                    "everything else: not counted (bias, BatchNorm, activations, pooling, additions)"
                ),
            },
            _torchvision,
        ),
        Preset(
            "flop-counter",
            "torch.utils.flop_counter.FlopCounterMode",
            "torch 2.13.0",
            "FLOPs",
            "flops",
            "torch/utils/flop_counter.py (conv_flop, addmm_flop)",
            {
                "matmul": N_(
                    "conv and fc: 2 FLOPs per multiply-accumulate; the bias of addmm is not counted"
                ),
                "other": N_(
                    "everything else: 0 (only matrix multiplications and convolutions are registered)"
                ),
            },
            _flop_counter,
        ),
        Preset(
            "torchinfo",
            "torchinfo",
            "1.8.0",
            "Mult-Adds",
            "macs",
            "torchinfo/layer_info.py (calculate_macs)",
            {
                "conv": N_("conv bias: (weights + biases) × output positions"),
                "params": N_("parameters of BatchNorm, fc, PReLU: weights + biases, 1 each"),
                "no_params": N_("modules without parameters: 0"),
            },
            _torchinfo,
        ),
        Preset(
            "fvcore",
            "fvcore FlopCountAnalysis",
            "0.1.5.post20221221",
            "flops (= MACs)",
            "macs",
            "fvcore/nn/jit_handles.py, flop_count.py (_DEFAULT_SUPPORTED_OPS)",
            {
                "matmul": N_("conv and fc: multiply-accumulates, bias not counted"),
                "batchnorm": N_("BatchNorm in eval mode: 2 per input element with affine, 1 without"),
                "adaptive_avg_pool": N_("adaptive average pool: 1 per input element"),
                "other": N_(
                    "every other op (relu, max and average pooling, add, softmax, cat…): 0; fvcore warns "
                    "about those not on its ignore list"
                ),
            },
            _fvcore,
        ),
        Preset(
            "ptflops",
            "ptflops (pytorch backend, the default)",
            "0.7.5",
            "MACs",
            "macs",
            "ptflops/pytorch_ops.py (MODULES_MAPPING, FUNCTIONAL_MAPPING), pytorch_engine.py",
            {
                "conv": N_("conv bias: multiply-accumulates + 1 per output element for the bias"),
                "fc": N_("fc bias: multiply-accumulates + 1 per output for the bias"),
                "batchnorm": N_("BatchNorm: 1 per element, 2 with affine"),
                "hook_and_patch": N_(
                    "activations and pools counted twice: the module hook counts the elements, and the "
                    "module's forward calls a patched F.* that counts them again (total only)"
                ),
                "hook": N_("activation hook: 1 per element"),
                "patch": N_("patched F.* without a module hook: 1 per element (total only)"),
                "functional": N_("functional call: only the patched F.* counts, 1 per element (total only)"),
                "lrn": N_("LocalResponseNorm internals: patched mul, mul, add and avg_pool3d (total only)"),
                "add_operator": N_("residual add 'x + y': the operator is not patched, 0"),
                "add_function": N_("residual add torch.add(x, y): 1 per element (total only)"),
                "zero_op": N_("other modules: no hook, 0"),
            },
            _ptflops,
        ),
        Preset(
            "ptflops-aten",
            "ptflops (aten backend)",
            "0.7.5",
            "MACs",
            "macs",
            "ptflops/aten_ops.py (ATEN_OPS_MAPPING)",
            {
                "aten": N_(
                    "conv and fc bias: aten.convolution, addmm, mm count MACs + 1 per output for a bias"
                ),
                "other": N_("everything else: 0"),
            },
            _ptflops_aten,
        ),
        Preset(
            "thop",
            "thop (pytorch-OpCounter)",
            "0.1.1.post2209072238",
            "MACs",
            "macs",
            "thop/profile.py (register_hooks), vision/basic_hooks.py, vision/calc_func.py",
            {
                "conv": N_("conv: output elements × (in channels / groups) × kh·kw, bias not counted"),
                "deconv": N_("transposed conv: output elements × (in channels / groups) × kh·kw"),
                "fc": N_("fc: in_features × output elements, bias not counted"),
                "batchnorm": N_("BatchNorm: 2 per element, doubled with affine (4)"),
                "avgpool": N_("average pool: 1 per output element"),
                "adaptive_avg_pool": N_("adaptive average pool: (window + 1) per output element"),
                "softmax": N_("softmax: 3 × features − 1 per row"),
                "prelu": N_("PReLU in eval mode: 1 per element"),
                "zero_rule": N_("zero_ops modules (ReLU, ReLU6, LeakyReLU, max pool, dropout, padding): 0"),
                "no_rule": N_("modules without a rule (Tanh, Sigmoid, LRN, Flatten…): 0"),
                "functional": N_("functional call: no module, no hook, 0"),
            },
            _thop,
        ),
        Preset(
            "calflops",
            "calflops",
            "0.3.2",
            "FLOPs",
            "flops",
            "calflops/pytorch_ops.py (_patch_functionals, _patch_tensor_methods)",
            {
                "conv": N_("conv bias: 2 FLOPs per multiply-accumulate + 1 per output element for the bias"),
                "deconv": N_(
                    "transposed conv: 2 × kh·kw × Cin × (Cout/groups // groups) per input position; the "
                    "bias 1 per output of a forward conv's output size"
                ),
                "fc": N_("fc (F.linear): 2 FLOPs per multiply-accumulate, bias not counted"),
                "batchnorm": N_("BatchNorm (F.batch_norm, eval): 2 per element with affine, 1 without"),
                "elementwise": N_("activations, pools, softmax (patched F.*): 1 per input element"),
                "lrn": N_("LocalResponseNorm internals: patched mul, mul, add and avg_pool3d"),
                "add_function": N_("residual add torch.add(x, y): 1 per element"),
                "not_patched": N_("not patched ('x + y', tanh, sigmoid, dropout, flatten): 0"),
            },
            _calflops,
        ),
    )
}

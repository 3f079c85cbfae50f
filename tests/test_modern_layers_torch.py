"""The modern single-tensor layer kinds against PyTorch: layernorm (LayerNorm2d on a map), groupnorm,
instancenorm, upsample, pixelshuffle/pixelunshuffle, channel_linear, layerscale, channel_shuffle and
stochastic_depth.

For each drawn configuration, cnncalc's output shape, parameters, buffers and FLOPs (= 2 × MACs)
equal those of the PyTorch module built from the strategy's own arguments (a forward pass under
``FlopCounterMode``), cnncalc refuses exactly what PyTorch refuses, and the module cnncalc's torch
mapping builds loads the reference module's state_dict (strict: the same keys and shapes) and
computes the same output.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

import cnncalc
from cnncalc.conventions import FLOPS_PER_MAC
from cnncalc.errors import CnncalcError
from cnncalc.layers import lookup
from cnncalc.shapes import MAX_DIMENSION, Shape
from tests.strategies import (
    Case,
    channel_linear_cases,
    fixed_affine_cases,
    groupnorm_cases,
    instancenorm_cases,
    layernorm_cases,
    pixelshuffle_cases,
    small_layer_cases,
    upsample_cases,
)

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
nn = torch.nn

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    from torch.utils.flop_counter import FlopCounterMode

from cnncalc import torch_bridge  # noqa: E402  (after torch)
from cnncalc.torch_bridge.modules import layer_class  # noqa: E402

RANDOM = os.environ.get("CNNCALC_PROPERTY_RANDOM") == "1"
SCALE = int(os.environ.get("CNNCALC_PROPERTY_SCALE", "1"))


class _ReferenceLayerScale(nn.Module):
    """ConvNeXt's layer scale as torchvision's CNBlock holds it: ``nn.Parameter(torch.ones(dim, 1, 1)
    * layer_scale)`` multiplying the block's output (torchvision/models/convnext.py)."""

    def __init__(self, channels: int, init: float) -> None:
        super().__init__()
        self.layer_scale = nn.Parameter(torch.ones(channels, 1, 1) * init)

    def forward(self, x: Any) -> Any:
        return self.layer_scale * x


class _ReferenceFixedAffine(nn.Module):
    """x × scale + shift per channel, broadcast as (1, C, 1, 1) constants (no parameters)."""

    def __init__(self, scale: list[float], shift: list[float]) -> None:
        super().__init__()
        self.scale, self.shift = scale, shift

    def forward(self, x: Any) -> Any:
        view = (1, x.shape[1]) + (1,) * (x.dim() - 2)  # one value per channel, no broadcasting
        scale, shift = torch.tensor(self.scale).view(view), torch.tensor(self.shift).view(view)
        return x * scale + shift


REFERENCES = {"ref:LayerScale": _ReferenceLayerScale, "ref:FixedAffine": _ReferenceFixedAffine}


class _ChannelsLast(nn.Module):
    """``Permute([0, 2, 3, 1])`` → module → ``Permute([0, 3, 1, 2])``, as ConvNeXt's CNBlock writes it."""

    def __init__(self, inner: Any) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: Any) -> Any:
        return self.inner(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


Numbers = tuple[Shape, int, int, int]
BATCH = 2  # two samples: a per-sample mix-up (InstanceNorm vs LayerNorm) would show


def _cnncalc(case: Case) -> Numbers | str:
    kind = lookup(case.fields["type"])
    assert kind is not None
    try:
        layer = kind(**case.fields)
        out = layer.output_shape(case.input)
    except CnncalcError as exc:
        return exc.message
    params = layer.weights(case.input) + layer.biases(case.input)
    return out, params, layer.buffers(case.input), FLOPS_PER_MAC * layer.macs(case.input, out)


def _reference(case: Case) -> Any:
    cls = REFERENCES.get(case.torch_cls) or getattr(nn, case.torch_cls)
    module = cls(**case.torch_kwargs)
    return (_ChannelsLast(module) if case.channels_last else module).eval(), module


def _shape(y: Any) -> Shape:
    dims = list(y.shape[1:])
    return Shape(dims[0]) if len(dims) == 1 else Shape(dims[0], dims[1], dims[2])


def _run(module: Any, x: Any) -> tuple[Any, int]:
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        y = module(x)
    return y, int(counter.get_total_flops())


def _event(what: str) -> None:
    if currently_in_test_context():  # the table-driven cases run outside hypothesis
        event(what)


def check(case: Case) -> None:
    ours = _cnncalc(case)
    where = f"{case.fields} on input {case.input.text('chw')}"
    x = torch.randn(BATCH, *case.input.torch_dims())
    try:
        module, inner = _reference(case)
        with torch.no_grad():
            for p in inner.parameters():
                p.uniform_(-1, 1)  # γ, β and weights unlike their initial values
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                module(x)  # outside FlopCounterMode, which lets an empty upsampling through
        y, flops = _run(module, x)
    except (RuntimeError, ValueError) as exc:
        assert isinstance(ours, str), f"torch raises ({str(exc).splitlines()[0]}) but cnncalc accepts {where}"
        _event("invalid: both reject")
        return
    _event("valid: both accept")
    assert not isinstance(ours, str), f"cnncalc rejects ({ours}) what torch accepts: {where}"
    theirs = (
        _shape(y),
        sum(p.numel() for p in module.parameters()),
        sum(b.numel() for b in module.buffers()),
        flops // BATCH,  # per sample, as cnncalc counts
    )
    assert flops % BATCH == 0
    assert ours == theirs, f"(shape, params, buffers, FLOPs) cnncalc {ours} vs torch {theirs} for {where}"
    # cnncalc's own mapping: the same state_dict keys and shapes, the same output
    kind = lookup(case.fields["type"])
    assert kind is not None
    call = kind(**case.fields).torch_call(case.input)
    built = layer_class(call)(**call.kwargs).eval()
    built.load_state_dict(inner.state_dict(), strict=True)
    mine, _ = _run(built, x)
    assert torch.allclose(mine, y, rtol=1e-5, atol=1e-6), where


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=not RANDOM,
    )


@_settings(150)
@given(layernorm_cases())
def test_layernorm_matches_torch(case: Case) -> None:
    check(case)


@_settings(150)
@given(groupnorm_cases())
def test_groupnorm_matches_torch(case: Case) -> None:
    check(case)


@_settings(100)
@given(instancenorm_cases())
def test_instancenorm_matches_torch(case: Case) -> None:
    check(case)


@_settings(400)
@given(upsample_cases())
def test_upsample_matches_torch(case: Case) -> None:
    check(case)


@_settings(150)
@given(pixelshuffle_cases())
def test_pixel_shuffle_and_unshuffle_match_torch(case: Case) -> None:
    check(case)


@_settings(100)
@given(channel_linear_cases())
def test_channel_linear_matches_torch(case: Case) -> None:
    check(case)


@_settings(150)
@given(small_layer_cases())
def test_layer_scale_channel_shuffle_stochastic_depth_match_torch(case: Case) -> None:
    check(case)


@_settings(100)
@given(fixed_affine_cases())
def test_fixed_affine_matches_torch(case: Case) -> None:
    check(case)


def _torchvision_transform_input(x: Any) -> Any:
    """torchvision's GoogLeNet._transform_input and Inception3._transform_input (the same code in
    torchvision/models/googlenet.py and inception.py), on with their DEFAULT weights."""
    x_ch0 = torch.unsqueeze(x[:, 0], 1) * (0.229 / 0.5) + (0.485 - 0.5) / 0.5
    x_ch1 = torch.unsqueeze(x[:, 1], 1) * (0.224 / 0.5) + (0.456 - 0.5) / 0.5
    x_ch2 = torch.unsqueeze(x[:, 2], 1) * (0.225 / 0.5) + (0.406 - 0.5) / 0.5
    return torch.cat((x_ch0, x_ch1, x_ch2), 1)


@pytest.mark.parametrize("name", ["googlenet", "googlenet-aux", "inception_v3"])
def test_the_bundled_transform_input_is_torchvisions_to_the_bit(name: str) -> None:
    network = cnncalc.load(name)
    first = network.body.children[0]
    assert first.name == "transform_input"
    module = torch_bridge.build_module(network)
    transform = module.get_submodule("transform_input")
    x = torch.randn(2, *network.input.torch_dims())
    with torch.no_grad():
        expected = _torchvision_transform_input(x)
        got, flops = _run(transform, x)
    assert torch.equal(got, expected)
    # FlopCounterMode counts no element-wise op: torchvision's MACs (and cnncalc's) leave it out
    _, their_flops = _run(_torchvision_transform_input, x)
    row = cnncalc.analyse(network).layers[0]
    assert (flops, their_flops, row.macs, row.params) == (0, 0, 0, 0)


# Configurations of the torchvision zoo and the papers, each checked against PyTorch as above.
ZOO = [
    # torchvision/models/convnext.py: stem LayerNorm2d(96, eps=1e-6) after the 4×4/4 conv (224 → 56)
    ("ConvNeXt-T stem norm", Case({"type": "layernorm", "eps": 1e-6}, "LayerNorm",
     {"normalized_shape": 96, "eps": 1e-6}, Shape(96, 56, 56), channels_last=True)),
    # CNBlock: nn.Linear(dim, 4 * dim) over the channels of the 56×56 map, and back
    ("ConvNeXt-T CNBlock pwconv1", Case({"type": "channel_linear", "units": 384}, "Linear",
     {"in_features": 96, "out_features": 384}, Shape(96, 56, 56), channels_last=True)),
    ("ConvNeXt-T CNBlock pwconv2", Case({"type": "channel_linear", "units": 96}, "Linear",
     {"in_features": 384, "out_features": 96}, Shape(384, 56, 56), channels_last=True)),
    # CNBlock: layer_scale = nn.Parameter(torch.ones(dim, 1, 1) * 1e-6)
    ("ConvNeXt-T CNBlock layer_scale", Case({"type": "layerscale"}, "ref:LayerScale",
     {"channels": 96, "init": 1e-6}, Shape(96, 56, 56))),
    # ConvNeXt classifier: LayerNorm2d on the 1×1 map after global pooling
    ("ConvNeXt-T head norm", Case({"type": "layernorm", "eps": 1e-6}, "LayerNorm",
     {"normalized_shape": 768, "eps": 1e-6}, Shape(768, 1, 1), channels_last=True)),
    # torchvision/models/shufflenetv2.py: channel_shuffle(out, 2) on 116 channels at 28×28 (x1.0)
    ("ShuffleNetV2 x1.0 stage 2 shuffle", Case({"type": "channel_shuffle", "groups": 2}, "ChannelShuffle",
     {"groups": 2}, Shape(116, 28, 28))),
    # torchvision/models/segmentation: F.interpolate(x, size=input_shape, mode="bilinear",
    # align_corners=False), the DeepLabV3 head's 28×28 output back to 224×224 (output stride 8)
    ("DeepLabV3 upsampling to the input", Case({"type": "upsample", "size": 224, "mode": "bilinear",
     "align_corners": False}, "Upsample", {"size": 224, "mode": "bilinear", "align_corners": False},
     Shape(21, 28, 28))),
    # deeplabv3.py ASPPPooling: the pooled 1×1 map interpolated back to 28×28
    ("DeepLabV3 ASPP pooling branch", Case({"type": "upsample", "size": 28, "mode": "bilinear",
     "align_corners": False}, "Upsample", {"size": 28, "mode": "bilinear", "align_corners": False},
     Shape(256, 1, 1))),
    # U-Net (Ronneberger et al. 2015) decoder: 2× up-sampling, here nearest, 28×28×1024 → 56×56
    ("U-Net 2x up-sampling", Case({"type": "upsample", "scale": 2}, "Upsample", {"scale_factor": 2.0},
     Shape(1024, 28, 28))),
    # ESPCN (Shi et al. 2016): sub-pixel convolution, r = 3, 9 channels → 1 channel at 3× size
    ("ESPCN pixel shuffle r=3", Case({"type": "pixelshuffle", "factor": 3}, "PixelShuffle",
     {"upscale_factor": 3}, Shape(9, 17, 17))),
    ("space to depth r=2", Case({"type": "pixelunshuffle", "factor": 2}, "PixelUnshuffle",
     {"downscale_factor": 2}, Shape(3, 224, 224))),
    # Group Normalization (Wu & He 2018): G = 32 on ResNet-50's 256-channel maps
    ("GroupNorm G=32", Case({"type": "groupnorm", "groups": 32}, "GroupNorm",
     {"num_groups": 32, "num_channels": 256}, Shape(256, 56, 56))),
    # Instance Normalization (Ulyanov et al. 2016), as style-transfer networks use it (affine)
    ("InstanceNorm style transfer", Case({"type": "instancenorm", "affine": True}, "InstanceNorm2d",
     {"num_features": 128, "affine": True}, Shape(128, 64, 64))),
    # torchvision EfficientNet-B0: StochasticDepth(0.2 * block_id / total, "row"), identity in eval
    ("EfficientNet stochastic depth", Case({"type": "stochastic_depth", "p": 0.2}, "Identity", {},
     Shape(80, 14, 14))),
]  # fmt: skip


@pytest.mark.parametrize("case", [c for _, c in ZOO], ids=[name for name, _ in ZOO])
def test_zoo_configurations_match_torch(case: Case) -> None:
    check(case)
    assert not isinstance(_cnncalc(case), str)


ALL_KINDS = (
    "32x32x8 | layernorm eps=1e-6 | channel_linear 24 | gelu | channel_linear 8 | layerscale | "
    "stochastic_depth 0.1 | channel_shuffle 2 | groupnorm 4 | instancenorm affine track | "
    "upsample 2 bilinear | pixelshuffle 2 | pixelunshuffle 2 | upsample size=[20,30] | "
    "upsample 1.5 bicubic align_corners | gap | flatten | layernorm | fc 10"
)


@pytest.mark.parametrize("device", ["meta", "cpu"])
def test_verify_passes_for_every_new_kind(device: str) -> None:
    result = torch_bridge.verify(cnncalc.load(ALL_KINDS), device=device, batch=2)
    assert result.ok, result.mismatches()
    assert len(result.layers) == ALL_KINDS.count("|")  # one row per layer


def test_exported_module_defines_the_small_modules_and_matches(tmp_path: Path) -> None:
    network = cnncalc.load(ALL_KINDS)
    source = torch_bridge.export_source(network)
    # the small modules are written into the file, once each; no cnncalc import is needed
    for cls in ("LayerNorm2d", "ChannelLinear", "LayerScale", "StochasticDepth"):
        assert len(re.findall(rf"^class {cls}\(", source, re.MULTILINE)) == 1, cls
    assert "cnncalc" not in source.split('"""', 2)[2]
    path = tmp_path / "exported.py"
    path.write_text(source)
    run = subprocess.run(
        [sys.executable, "-W", "ignore", str(path)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    report = cnncalc.analyse(network)
    assert run.stdout.strip() == f"output (1, 10), {report.totals.params:,} parameters"
    # the exported module's state_dict is the in-memory bridge module's (keys and shapes)
    namespace: dict[str, Any] = {}
    exec(compile(source, str(path), "exec"), namespace)  # the file cnncalc wrote, not user input
    exported = namespace["build_model"]()
    built = torch_bridge.build_module(network)
    assert {k: tuple(v.shape) for k, v in exported.state_dict().items()} == {
        k: tuple(v.shape) for k, v in built.state_dict().items()
    }
    assert "layerscale1" in exported.state_dict()  # a parameter of the network itself
    assert {"layernorm1.weight", "layernorm1.bias", "channel_linear1.weight"} <= set(exported.state_dict())


# A layer scale is a parameter of the block it is in, under its own name, as torchvision's CNBlock
# holds ``layer_scale`` (torchvision/models/convnext.py); "1" is not an attribute name.
HELD_SCALE_YAML = """
name: held
input: 16x16x8
layers:
  - name: stage
    layers:
      - name: 0
        layers:
          - residual: [{name: block, layers: [conv 8 k3 p1 name=0]}, layerscale 0.5 name=layer_scale,
                       stochastic_depth 0.1 name=stochastic_depth]
      - layerscale name=1
"""


class _HeldScaleBlock(nn.Module):
    """torchvision's CNBlock with a 3×3 conv for a body: ``layer_scale * block(x)``, + x."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.block = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1))
        self.layer_scale = nn.Parameter(torch.ones(channels, 1, 1) * 0.5)

    def forward(self, x: Any) -> Any:
        return self.layer_scale * self.block(x) + x


class _HeldScaleStage(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.add_module("0", _HeldScaleBlock(channels))
        self.register_parameter("1", nn.Parameter(torch.ones(channels, 1, 1) * 1e-6))

    def forward(self, x: Any) -> Any:
        return getattr(self, "1") * getattr(self, "0")(x)


def _held_scale_reference() -> Any:
    reference = nn.Sequential()
    reference.add_module("stage", _HeldScaleStage(8))
    with torch.no_grad():  # every parameter random, so a scale applied twice or not at all shows
        for parameter in reference.parameters():
            parameter.uniform_(-1.0, 1.0)
    return reference.eval()


def test_a_layer_scale_is_a_parameter_of_its_block_in_the_built_and_exported_module() -> None:
    from cnncalc.parse import parse_spec_text

    network = parse_spec_text(HELD_SCALE_YAML, "held.yaml")
    reference = _held_scale_reference()
    source = torch_bridge.export_source(network)
    namespace: dict[str, Any] = {}
    exec(compile(source, "<held>", "exec"), namespace)  # the file cnncalc wrote, not user input
    x = torch.randn(2, 8, 16, 16)
    for module in (torch_bridge.build_module(network), namespace["build_model"]()):
        keys = {k: tuple(v.shape) for k, v in module.state_dict().items()}
        assert keys == {
            "stage.0.block.0.weight": (8, 8, 3, 3),
            "stage.0.block.0.bias": (8,),
            "stage.0.layer_scale": (8, 1, 1),
            "stage.1": (8, 1, 1),
        }
        assert not any(type(m).__name__ == "LayerScale" for m in module.modules())
        module.load_state_dict(reference.state_dict(), strict=True)
        with torch.no_grad():
            assert torch.equal(module.eval()(x), reference(x))
    # the exported text holds the parameters as torchvision writes CNBlock.layer_scale
    for line in (
        "self.layer_scale = LayerScale(channels=8, init=0.5).layer_scale",
        "x = self.layer_scale * x",
        'self.register_parameter("1", LayerScale(channels=8).layer_scale)',
        'x = getattr(self, "1") * x',
    ):
        assert f"        {line}\n" in source, line
    # verify sees each scale's output and counts its parameter
    result = torch_bridge.verify(network, device="cpu", batch=2)
    assert result.ok, result.mismatches()
    scales = [row for row in result.layers if row.type == "layerscale"]
    assert [(r.module, r.actual_shape, r.actual_params) for r in scales] == [
        ("stage.0.layer_scale", [8, 16, 16], 8),
        ("stage.1", [8, 16, 16], 8),
    ]


@_settings(500)
@given(
    st.integers(1, 10**6),
    st.integers(1, 5000),
    st.tuples(st.floats(1e-3, 50.0), st.floats(1e-3, 50.0)),
    st.sampled_from(["nearest", "bilinear", "bicubic", "nearest-exact"]),
)
def test_upsampled_size_equals_torch_on_large_maps(
    h: int, w: int, scale: tuple[float, float], mode: str
) -> None:
    """⌊N × scale⌋ in double precision, as PyTorch, on maps up to 10^6 rows (meta tensors: shapes
    only) and any scale, including those whose product lands just below or above a whole number."""
    kind = lookup("upsample")
    assert kind is not None
    try:
        ours: tuple[int, int] | None = kind(scale=list(scale), mode=mode).output_shape(Shape(1, h, w)).spatial
    except CnncalcError:
        ours = None
    x = torch.empty(1, 1, h, w, device="meta")
    try:
        size = tuple(nn.functional.interpolate(x, scale_factor=scale, mode=mode).shape[2:])
        theirs = None if 0 in size else size
    except RuntimeError:
        theirs = None
    if theirs is not None and theirs[0] * theirs[1] > MAX_DIMENSION:
        theirs = None  # cnncalc refuses maps over 10^12 pixels (its size limit); torch's meta tensors do not
    assert ours == theirs, (h, w, scale, mode)

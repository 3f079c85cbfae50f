"""The bundled U-Net (``architectures/unet.yaml``) against its paper and a plain PyTorch U-Net.

Ronneberger, Fischer & Brox 2015, "U-Net: Convolutional Networks for Biomedical Image
Segmentation", Figure 1 gives every feature map's size; :class:`PlainUNet` below is the network
written in plain PyTorch, as a typical implementation writes it (modules DoubleConv, Down, Up and
OutConv; the skip cropped with a slice and concatenated before the up-convolution's output). Its
parameters, FLOPs (``FlopCounterMode``, = 2 × MACs) and output shape are compared with cnncalc's,
on meta tensors, at the paper's size and at other sizes and widths; the module cnncalc exports
loads its state_dict (the same names) and computes the same output.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnncalc
from cnncalc.catalog import bundled_path
from cnncalc.errors import CnncalcError
from cnncalc.parse import load_bundled
from tests.test_cli import run


def unet(**arguments: int) -> cnncalc.Network:
    """The bundled spec with its network arguments (size, channels, width, classes) set."""
    path = bundled_path("unet")
    assert path is not None
    return load_bundled(path, arguments or None)


# Ronneberger et al. 2015, Figure 1: the map after each layer, H×W×C (the paper's figure writes
# "x-y size" beside each box and the channels above it).
FIGURE_1 = [
    ("inc.double_conv.0", (570, 570, 64)),
    ("inc.double_conv.2", (568, 568, 64)),
    ("down1.maxpool_conv.0", (284, 284, 64)),
    ("down1.maxpool_conv.1.double_conv.0", (282, 282, 128)),
    ("down1.maxpool_conv.1.double_conv.2", (280, 280, 128)),
    ("down2.maxpool_conv.0", (140, 140, 128)),
    ("down2.maxpool_conv.1.double_conv.0", (138, 138, 256)),
    ("down2.maxpool_conv.1.double_conv.2", (136, 136, 256)),
    ("down3.maxpool_conv.0", (68, 68, 256)),
    ("down3.maxpool_conv.1.double_conv.0", (66, 66, 512)),
    ("down3.maxpool_conv.1.double_conv.2", (64, 64, 512)),
    ("down4.maxpool_conv.0", (32, 32, 512)),
    ("down4.maxpool_conv.1.double_conv.0", (30, 30, 1024)),
    ("down4.maxpool_conv.1.double_conv.2", (28, 28, 1024)),
    ("up1.up", (56, 56, 512)),  # "up-conv 2x2" halves the channels
    ("up1.crop", (56, 56, 512)),  # "copy and crop": 64×64 → 56×56
    ("up1.conv.double_conv.0", (54, 54, 512)),
    ("up1.conv.double_conv.2", (52, 52, 512)),
    ("up2.up", (104, 104, 256)),
    ("up2.crop", (104, 104, 256)),  # 136 → 104
    ("up2.conv.double_conv.0", (102, 102, 256)),
    ("up2.conv.double_conv.2", (100, 100, 256)),
    ("up3.up", (200, 200, 128)),
    ("up3.crop", (200, 200, 128)),  # 280 → 200
    ("up3.conv.double_conv.0", (198, 198, 128)),
    ("up3.conv.double_conv.2", (196, 196, 128)),
    ("up4.up", (392, 392, 64)),
    ("up4.crop", (392, 392, 64)),  # 568 → 392
    ("up4.conv.double_conv.0", (390, 390, 64)),
    ("up4.conv.double_conv.2", (388, 388, 64)),
    ("outc.conv", (388, 388, 2)),  # "conv 1x1": the output segmentation map
]


def test_every_map_of_figure_1() -> None:
    report = cnncalc.analyse(cnncalc.load("unet"))
    shapes = {row.name: row.output_shape.shape() for row in report.layers}
    assert (report.input.height, report.input.width, report.input.channels) == (572, 572, 1)
    for name, (h, w, c) in FIGURE_1:
        assert (shapes[name].height, shapes[name].width, shapes[name].channels) == (h, w, c), name
    # the concatenation before each expansive step's convs: skip and up-convolution, twice the channels
    concats = [row for row in report.layers if row.type == "concat"]
    assert [tuple(row.output_shape.shape().torch_dims()) for row in concats] == [
        (1024, 56, 56),
        (512, 104, 104),
        (256, 200, 200),
        (128, 392, 392),
    ]
    assert [row.inputs for row in concats] == [[f"up{i}.crop", f"up{i}.up"] for i in range(1, 5)]
    assert (report.output.channels, report.output.height, report.output.width) == (2, 388, 388)
    # 23 convolutional layers, as the paper's Section 2 says ("In total the network has 23
    # convolutional layers"): 18 3×3 convs, 4 up-convolutions and the 1×1 output conv
    assert sum(row.family == "conv" for row in report.layers) == 23


def test_the_last_crop_keeps_the_centre_of_the_first_step() -> None:
    rows = {row.name: row for row in cnncalc.analyse(cnncalc.load("unet")).layers}
    # 568 → 392: 88 rows cut above and below; the first kept unit is 88 units (of jump 1) in
    inc, crop = rows["inc.double_conv.2"].receptive_field, rows["up4.crop"].receptive_field
    assert crop.size == inc.size == (5, 5)
    assert crop.start == (inc.start[0] + 88, inc.start[1] + 88)
    # the map it is concatenated with: up4's up-convolution of stride 2 from the 196×196 map
    assert rows["up4.up"].output_shape.shape().spatial == (392, 392)


def test_cli_summary_lists_the_crops_and_totals() -> None:
    result = run("summary", "unet", "--depth", "1")
    assert result.returncode == 0, result.stderr
    for name in ("inc", "down1", "down4", "up1", "up4", "outc"):
        assert f"\n{name} " in result.stdout or f" {name} " in result.stdout, name
    assert "388×388×2" in result.stdout and "31,030,658" in result.stdout


def test_a_size_below_188_is_refused_where_a_crop_gets_empty() -> None:
    """188 is the smallest side: its bottom is 4×4, and the last crop keeps 8×8 of 184×184."""
    assert cnncalc.analyse(unet(size=188)).output.height == 4
    with pytest.raises(CnncalcError) as caught:
        cnncalc.analyse(unet(size=180))
    assert caught.value.message == "crop: invalid size 0: it should be greater than 0"
    assert caught.value.location is not None and "'up3.crop'" in str(caught.value.location)


# ------------------------------------------------------------------------------------------------
# Against a plain PyTorch U-Net
# ------------------------------------------------------------------------------------------------

torch = pytest.importorskip("torch")
nn = torch.nn

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    from torch.utils.flop_counter import FlopCounterMode

from cnncalc import torch_bridge  # noqa: E402  (after torch)


class DoubleConv(nn.Module):
    """(3×3 conv, unpadded → ReLU) × 2."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.double_conv = nn.Sequential(
            nn.Conv2d(cin, cout, 3), nn.ReLU(inplace=True), nn.Conv2d(cout, cout, 3), nn.ReLU(inplace=True)
        )

    def forward(self, x: Any) -> Any:
        return self.double_conv(x)


class Down(nn.Module):
    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(cin, cout))

    def forward(self, x: Any) -> Any:
        return self.maxpool_conv(x)


class Up(nn.Module):
    """2×2 up-convolution halving the channels; the skip cropped to its centre; concat; DoubleConv."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.up = nn.ConvTranspose2d(cin, cin // 2, 2, stride=2)
        self.conv = DoubleConv(cin, cout)

    def forward(self, x: Any, skip: Any) -> Any:
        x = self.up(x)
        h, w = x.shape[2], x.shape[3]
        top, left = (skip.shape[2] - h) // 2, (skip.shape[3] - w) // 2
        return self.conv(torch.cat([skip[:, :, top : top + h, left : left + w], x], dim=1))


class OutConv(nn.Module):
    def __init__(self, cin: int, classes: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, classes, 1)

    def forward(self, x: Any) -> Any:
        return self.conv(x)


class PlainUNet(nn.Module):
    def __init__(self, channels: int = 1, classes: int = 2, width: int = 64) -> None:
        super().__init__()
        w = width
        self.inc = DoubleConv(channels, w)
        self.down1, self.down2 = Down(w, 2 * w), Down(2 * w, 4 * w)
        self.down3, self.down4 = Down(4 * w, 8 * w), Down(8 * w, 16 * w)
        self.up1, self.up2 = Up(16 * w, 8 * w), Up(8 * w, 4 * w)
        self.up3, self.up4 = Up(4 * w, 2 * w), Up(2 * w, w)
        self.outc = OutConv(w, classes)

    def forward(self, x: Any) -> Any:
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x4 = self.down3(x3)
        x = self.up1(self.down4(x4), x4)
        x = self.up2(x, x3)
        x = self.up3(x, x2)
        return self.outc(self.up4(x, x1))


def _plain_counts(
    size: int, channels: int, width: int, classes: int
) -> tuple[int, int, tuple[int, ...]] | None:
    """Parameters, MACs (FLOPs / 2) and output shape of the plain U-Net on meta tensors; None when
    torch cannot run it at this size."""
    with torch.device("meta"):
        module = PlainUNet(channels, classes, width).eval()
    counter = FlopCounterMode(display=False)
    x = torch.empty(1, channels, size, size, device="meta")
    try:
        with torch.no_grad(), counter:
            y = module(x)
    except RuntimeError:
        return None
    if 0 in y.shape:
        return None
    flops = int(counter.get_total_flops())
    assert flops % 2 == 0
    return sum(p.numel() for p in module.parameters()), flops // 2, tuple(y.shape[1:])


def _cnncalc_counts(
    size: int, channels: int, width: int, classes: int
) -> tuple[int, int, tuple[int, ...]] | None:
    try:
        report = cnncalc.analyse(unet(size=size, channels=channels, width=width, classes=classes))
    except CnncalcError:
        return None
    out = report.output
    return report.totals.params, report.totals.macs, (out.channels, out.height, out.width)


def test_paper_size_counts_equal_the_plain_pytorch_unet() -> None:
    theirs = _plain_counts(572, 1, 64, 2)
    assert theirs is not None
    assert _cnncalc_counts(572, 1, 64, 2) == theirs
    report = cnncalc.analyse(cnncalc.load("unet"))
    assert report.totals.flops == 2 * report.totals.macs


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.integers(150, 420),
    st.integers(1, 3),
    st.sampled_from([1, 2, 3, 8, 16]),
    st.integers(1, 4),
)
def test_any_size_and_width_equal_the_plain_pytorch_unet(
    size: int, channels: int, width: int, classes: int
) -> None:
    """Sizes that do not halve exactly too: the pools floor, the crops follow (cnncalc's from the
    spec's expressions, the plain U-Net's from the up-convolution's output); too small is refused
    by both."""
    assert _cnncalc_counts(size, channels, width, classes) == _plain_counts(size, channels, width, classes)


def test_exported_module_has_the_plain_unets_names_and_computes_the_same(tmp_path: Path) -> None:
    network = unet(size=188, width=4)  # 188: the smallest side whose every pool halves exactly
    source = torch_bridge.export_source(network)
    namespace: dict[str, Any] = {}
    exec(compile(source, "unet.py", "exec"), namespace)  # the file cnncalc wrote, not user input
    exported = namespace["build_model"]().eval()
    plain = PlainUNet(1, 2, 4).eval()
    ours = {k: tuple(v.shape) for k, v in exported.state_dict().items()}
    assert ours == {k: tuple(v.shape) for k, v in plain.state_dict().items()}
    exported.load_state_dict(plain.state_dict(), strict=True)
    x = torch.randn(2, 1, 188, 188)
    with torch.no_grad():
        mine, reference = exported(x), plain(x)
    assert mine.shape == (2, 2, 4, 4)
    assert torch.allclose(mine, reference, rtol=1e-5, atol=1e-6)


def test_paper_size_state_dict_names_and_shapes_equal_the_plain_unet() -> None:
    with torch.device("meta"):
        plain = PlainUNet()
        built = torch_bridge.build_module(cnncalc.load("unet"))
    assert {k: tuple(v.shape) for k, v in built.state_dict().items()} == {
        k: tuple(v.shape) for k, v in plain.state_dict().items()
    }


def test_cli_verify_on_cpu_passes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cnncalc", "verify", "unet", "--device", "cpu", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    checked = json.loads(result.stdout)
    assert checked["ok"] and len(checked["layers"]) == 53
    totals = {row["what"]: (row["expected"], row["actual"]) for row in checked["totals"]}
    plain = _plain_counts(572, 1, 64, 2)
    assert plain is not None
    assert totals["params"] == (plain[0], plain[0]) and totals["FLOPs (batch 1)"] == (2 * plain[1],) * 2

"""Convolutions: ``conv`` (nn.Conv2d) and ``deconv`` (nn.ConvTranspose2d)."""

from __future__ import annotations

from cnncalc.errors import ShapeError
from cnncalc.layers.base import IntPair, LayerDef, TorchCall, Window, pair, pair_text, register
from cnncalc.layers.fields import (
    BOOLEAN,
    NON_NEGATIVE_PAIR,
    POSITIVE_INT,
    POSITIVE_PAIR,
    Choice,
    Either,
    field,
)
from cnncalc.layers.sliding import FLOOR_INTENDED, effective_kernel, fit_warnings, window_output
from cnncalc.shapes import Shape

_CONV_SHORT = {
    "f": "filters",
    "k": "kernel",
    "s": "stride",
    "p": "padding",
    "d": "dilation",
    "g": "groups",
}

# The slides' letters: "K filtros F×F", (N + 2P − F)/S + 1. Capitals only: small k is the kernel.
_LECTURE_LETTERS = {"K": "filters", "F": "kernel"}


def _require_spatial(layer: str, inp: Shape) -> None:
    if inp.is_flat:
        raise ShapeError(
            f"{layer} needs a feature map (H×W×C) but its input is a flat vector of {inp.channels}",
            hint="put convolutions and pooling before any flatten or fc layer",
        )


@register
class Conv2d(LayerDef):
    """2-D convolution with PyTorch's semantics (nn.Conv2d)."""

    filters: int = field(POSITIVE_INT, "Number of filters K (output channels).")
    kernel: IntPair = field(POSITIVE_PAIR, "Filter size F, or [height, width].")
    stride: IntPair = field(POSITIVE_PAIR, "Stride S, or [height, width].", default=1)
    padding: IntPair | str = field(
        Either(NON_NEGATIVE_PAIR, Choice("same", "valid")),
        "Zero-padding P per side, [height, width], 'same' (stride 1) or 'valid' (0).",
        default=0,
    )
    dilation: IntPair = field(POSITIVE_PAIR, "Spacing between kernel elements.", default=1)
    groups: int | str = field(
        Either(POSITIVE_INT, Choice("depthwise")),
        "Channel groups; 'depthwise' means one group per input channel.",
        default=1,
    )
    bias: bool = field(BOOLEAN, "Whether each filter has a bias.", default=True)
    floor: bool = field(BOOLEAN, FLOOR_INTENDED, default=False)

    types = ("conv",)
    names = ("conv", "conv2d", "convolution")
    family = "conv"
    summary = "2-D convolution: filters, kernel, stride, padding (int, [h, w], same, valid), dilation, groups"
    positional = ("filters", "kernel")
    short_keys = _CONV_SHORT
    lecture_keys = _LECTURE_LETTERS
    flags = {
        "nobias": {"bias": False},
        "floor": {"floor": True},
        "same": {"padding": "same"},
        "valid": {"padding": "valid"},
        "depthwise": {"groups": "depthwise"},
        "dw": {"groups": "depthwise"},
    }

    # -- helpers ---------------------------------------------------------------------------
    def group_count(self, inp: Shape) -> int:
        return inp.channels if self.groups == "depthwise" else int(self.groups)

    def pads(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """(total, leading) padding for height and width."""
        if self.padding == "valid":
            return ((0, 0), (0, 0))
        if self.padding == "same":
            result = []
            for k, d in zip(pair(self.kernel), pair(self.dilation), strict=True):
                total = d * (k - 1)
                result.append((total, total // 2))
            return (result[0], result[1])
        ph, pw = pair(self.padding)
        return ((2 * ph, ph), (2 * pw, pw))

    def _check(self, inp: Shape) -> int:
        _require_spatial("conv", inp)
        groups = self.group_count(inp)
        if inp.channels % groups:
            raise ShapeError(
                f"input channels {inp.channels} are not divisible by groups {groups}",
                hint="choose groups that divide the input depth",
            )
        if self.filters % groups:
            raise ShapeError(
                f"filters {self.filters} are not divisible by groups {groups}",
                hint="choose a number of filters that is a multiple of groups",
            )
        if self.padding == "same" and pair(self.stride) != (1, 1):
            raise ShapeError(
                "padding 'same' needs stride 1 (PyTorch rejects it for strided convolutions)",
                hint="give an explicit padding, e.g. p = (F − 1)/2 for odd F",
            )
        return groups

    # -- the contract ------------------------------------------------------------------------
    def output_shape(self, inp: Shape) -> Shape:
        self._check(inp)
        (th, _), (tw, _) = self.pads()
        kh, kw = pair(self.kernel)
        sh, sw = pair(self.stride)
        dh, dw = pair(self.dilation)
        h = window_output(inp.height or 1, kh, sh, th, dh, axis="height", what="kernel")
        w = window_output(inp.width or 1, kw, sw, tw, dw, axis="width", what="kernel")
        return Shape(self.filters, h.size, w.size)

    def fit_warnings(self, inp: Shape) -> list[str]:
        if inp.is_flat or self.padding == "same" or self.floor:
            return []
        return fit_warnings(inp, self.kernel, self.stride, self.pads(), self.dilation)

    def weights(self, inp: Shape) -> int:
        kh, kw = pair(self.kernel)
        return self.filters * (inp.channels // self.group_count(inp)) * kh * kw

    def biases(self, inp: Shape) -> int:
        return self.filters if self.bias else 0

    def macs(self, inp: Shape, out: Shape) -> int:
        kh, kw = pair(self.kernel)
        oh, ow = out.spatial
        return oh * ow * self.filters * (inp.channels // self.group_count(inp)) * kh * kw

    def window(self, inp: Shape, out: Shape) -> Window:
        kh, kw = pair(self.kernel)
        dh, dw = pair(self.dilation)
        (_, lh), (_, lw) = self.pads()
        return Window(
            kernel=(effective_kernel(kh, dh), effective_kernel(kw, dw)),
            stride=pair(self.stride),
            padding=(lh, lw),
        )

    def torch_call(self, inp: Shape) -> TorchCall:
        padding = self.padding if isinstance(self.padding, str) else _torch_pair(self.padding)
        return TorchCall(
            "Conv2d",
            {
                "in_channels": inp.channels,
                "out_channels": self.filters,
                "kernel_size": _torch_pair(self.kernel),
                "stride": _torch_pair(self.stride),
                "padding": padding,
                "dilation": _torch_pair(self.dilation),
                "groups": self.group_count(inp),
                "bias": self.bias,
            },
        )

    def describe(self) -> str:
        kh, kw = pair(self.kernel)
        noun = "filter" if self.filters == 1 else "filters"
        text = f"{self.filters} {noun} {kh}×{kw}×C /{pair_text(self.stride)}"
        pad = self.padding if isinstance(self.padding, str) else pair_text(self.padding)
        text += f" pad {pad}"
        if pair(self.dilation) != (1, 1):
            text += f" dil {pair_text(self.dilation)}"
        if self.groups != 1:
            text += f" groups {self.groups}"
        if not self.bias:
            text += " no bias"
        return text


@register
class ConvTranspose2d(LayerDef):
    """2-D transposed convolution (nn.ConvTranspose2d)."""

    filters: int = field(POSITIVE_INT, "Output channels.")
    kernel: IntPair = field(POSITIVE_PAIR, "Filter size F, or [height, width].")
    stride: IntPair = field(POSITIVE_PAIR, "Stride S: the upsampling factor.", default=1)
    padding: IntPair = field(NON_NEGATIVE_PAIR, "Padding P removed from each side.", default=0)
    output_padding: IntPair = field(
        NON_NEGATIVE_PAIR, "Extra rows/columns added on one side (< stride or dilation).", default=0
    )
    dilation: IntPair = field(POSITIVE_PAIR, "Spacing between kernel elements.", default=1)
    groups: int = field(POSITIVE_INT, "Channel groups.", default=1)
    bias: bool = field(BOOLEAN, "Whether each filter has a bias.", default=True)

    types = ("deconv",)
    names = ("deconv", "convtranspose", "conv_transpose", "convtranspose2d", "upconv", "tconv")
    family = "conv"
    summary = (
        "transposed convolution: filters, kernel, stride, padding, output_padding, dilation, groups, bias"
    )
    positional = ("filters", "kernel")
    short_keys = {**_CONV_SHORT, "op": "output_padding"}
    lecture_keys = _LECTURE_LETTERS
    flags = {"nobias": {"bias": False}}

    def output_shape(self, inp: Shape) -> Shape:
        _require_spatial("deconv", inp)
        if inp.channels % self.groups or self.filters % self.groups:
            raise ShapeError(
                f"input channels {inp.channels} and filters {self.filters} must both be divisible "
                f"by groups {self.groups}"
            )
        sizes = []
        for n, k, s, p, op, d, axis in zip(
            inp.spatial,
            pair(self.kernel),
            pair(self.stride),
            pair(self.padding),
            pair(self.output_padding),
            pair(self.dilation),
            ("height", "width"),
            strict=True,
        ):
            if op >= s and op >= d:
                raise ShapeError(
                    f"output_padding {op} must be smaller than the stride {s} or the dilation {d}",
                    hint="PyTorch requires output_padding < max(stride, dilation)",
                )
            size = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
            if size <= 0:
                raise ShapeError(
                    f"{axis}: ({n} − 1)×{s} − 2×{p} + {d}×({k} − 1) + {op} + 1 = {size} is not positive",
                    hint="reduce the padding",
                )
            sizes.append(size)
        return Shape(self.filters, sizes[0], sizes[1])

    def weights(self, inp: Shape) -> int:
        kh, kw = pair(self.kernel)
        return inp.channels * (self.filters // self.groups) * kh * kw

    def biases(self, inp: Shape) -> int:
        return self.filters if self.bias else 0

    def macs(self, inp: Shape, out: Shape) -> int:
        kh, kw = pair(self.kernel)
        ih, iw = inp.spatial
        return ih * iw * inp.channels * (self.filters // self.groups) * kh * kw

    def window(self, inp: Shape, out: Shape) -> Window:
        kh, kw = pair(self.kernel)
        dh, dw = pair(self.dilation)
        return Window(
            kernel=(effective_kernel(kh, dh), effective_kernel(kw, dw)),
            stride=pair(self.stride),
            padding=pair(self.padding),
            transposed=True,
        )

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall(
            "ConvTranspose2d",
            {
                "in_channels": inp.channels,
                "out_channels": self.filters,
                "kernel_size": _torch_pair(self.kernel),
                "stride": _torch_pair(self.stride),
                "padding": _torch_pair(self.padding),
                "output_padding": _torch_pair(self.output_padding),
                "groups": self.groups,
                "bias": self.bias,
                "dilation": _torch_pair(self.dilation),
            },
        )

    def describe(self) -> str:
        return (
            f"{self.filters} filters {pair_text(self.kernel)} /{pair_text(self.stride)} "
            f"pad {pair_text(self.padding)} (transposed)"
        )


def _torch_pair(value: int | tuple[int, int]) -> int | tuple[int, int]:
    a, b = pair(value)
    return a if a == b else (a, b)

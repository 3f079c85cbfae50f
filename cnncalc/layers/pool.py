"""Pooling: max/avg (nn.MaxPool2d, nn.AvgPool2d), adaptive and global pooling."""

from __future__ import annotations

from typing import ClassVar

from cnncalc.errors import ShapeError
from cnncalc.layers.base import (
    GLOBAL_WINDOW,
    IntPair,
    LayerDef,
    TorchCall,
    Window,
    pair,
    pair_text,
    register,
)
from cnncalc.layers.conv import _require_spatial, _torch_pair
from cnncalc.layers.fields import (
    BOOLEAN,
    NON_NEGATIVE_INT,
    NON_NEGATIVE_PAIR,
    POSITIVE_PAIR,
    Optional,
    Several,
    field,
)
from cnncalc.layers.sliding import FLOOR_INTENDED, effective_kernel, fit_warnings, window_output
from cnncalc.shapes import Shape


class _WindowPool(LayerDef):
    """Shared fields and arithmetic of max and average pooling."""

    kernel: IntPair = field(POSITIVE_PAIR, "Window size F, or [height, width].", default=2)
    stride: IntPair | None = field(
        Optional(POSITIVE_PAIR), "Stride S; defaults to the kernel (PyTorch).", default=None
    )
    padding: IntPair = field(NON_NEGATIVE_PAIR, "Implicit padding per side.", default=0)
    ceil_mode: bool = field(BOOLEAN, "Use ceil instead of floor for the output size.", default=False)
    floor: bool = field(BOOLEAN, FLOOR_INTENDED, default=False)

    positional = ("kernel", "stride")
    short_keys = {"k": "kernel", "s": "stride", "p": "padding", "d": "dilation"}
    lecture_keys = {"F": "kernel"}  # the slides' window size F
    flags = {"ceil": {"ceil_mode": True}, "floor": {"floor": True}}
    family = "pool"

    def dilation_pair(self) -> tuple[int, int]:
        return (1, 1)

    def stride_pair(self) -> tuple[int, int]:
        return pair(self.stride if self.stride is not None else self.kernel)

    def output_shape(self, inp: Shape) -> Shape:
        _require_spatial(self.type, inp)
        sizes = []
        for n, k, s, p, d, axis in zip(
            inp.spatial,
            pair(self.kernel),
            self.stride_pair(),
            pair(self.padding),
            self.dilation_pair(),
            ("height", "width"),
            strict=True,
        ):
            if p > k // 2:  # PyTorch compares with the kernel size, not the dilated window
                raise ShapeError(
                    f"padding {p} is more than half the kernel {k}",
                    hint="PyTorch requires pooling padding ≤ kernel/2",
                )
            fit = window_output(n, k, s, 2 * p, d, self.ceil_mode, axis=axis, what="window")
            sizes.append(fit.size)
        return Shape(inp.channels, sizes[0], sizes[1])

    def fit_warnings(self, inp: Shape) -> list[str]:
        if inp.is_flat or self.ceil_mode or self.floor:
            return []
        ph, pw = pair(self.padding)
        return fit_warnings(
            inp, self.kernel, self.stride_pair(), ((2 * ph, ph), (2 * pw, pw)), self.dilation_pair()
        )

    def window(self, inp: Shape, out: Shape) -> Window:
        kh, kw = pair(self.kernel)
        dh, dw = self.dilation_pair()
        return Window(
            kernel=(effective_kernel(kh, dh), effective_kernel(kw, dw)),
            stride=self.stride_pair(),
            padding=pair(self.padding),
        )

    def describe(self) -> str:
        text = f"{pair_text(self.kernel)} /{pair_text(self.stride_pair())}"
        if pair(self.padding) != (0, 0):
            text += f" pad {pair_text(self.padding)}"
        if self.ceil_mode:
            text += " ceil"
        return text


@register
class MaxPool2d(_WindowPool):
    """Max pooling (nn.MaxPool2d)."""

    dilation: IntPair = field(POSITIVE_PAIR, "Spacing between window elements.", default=1)

    types = ("maxpool",)
    names = ("maxpool", "maxpool2d", "max_pool", "pool", "max")
    summary = "max pooling: kernel (default 2), stride (default = kernel), padding, dilation, ceil_mode"

    def dilation_pair(self) -> tuple[int, int]:
        return pair(self.dilation)

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall(
            "MaxPool2d",
            {
                "kernel_size": _torch_pair(self.kernel),
                "stride": _torch_pair(self.stride_pair()),
                "padding": _torch_pair(self.padding),
                "dilation": _torch_pair(self.dilation),
                "ceil_mode": self.ceil_mode,
            },
        )

    def describe(self) -> str:
        text = "max " + super().describe()
        if pair(self.dilation) != (1, 1):
            text += f" dil {pair_text(self.dilation)}"
        return text


@register
class AvgPool2d(_WindowPool):
    """Average pooling (nn.AvgPool2d)."""

    count_include_pad: bool = field(BOOLEAN, "Include zero-padding in the average.", default=True)

    types = ("avgpool",)
    names = ("avgpool", "avgpool2d", "avg_pool", "averagepool", "avg")
    summary = "average pooling: kernel (default 2), stride (default = kernel), padding, ceil_mode"
    flags = {
        "ceil": {"ceil_mode": True},
        "floor": {"floor": True},
        "exclude_pad": {"count_include_pad": False},
    }

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall(
            "AvgPool2d",
            {
                "kernel_size": _torch_pair(self.kernel),
                "stride": _torch_pair(self.stride_pair()),
                "padding": _torch_pair(self.padding),
                "ceil_mode": self.ceil_mode,
                "count_include_pad": self.count_include_pad,
            },
        )

    def describe(self) -> str:
        return "avg " + super().describe()


def _adaptive_windows(n: int, out: int) -> tuple[int, int]:
    """Largest adaptive window and (rounded) stride along one axis, as PyTorch splits it."""
    largest = max(-(-(i + 1) * n // out) - (i * n) // out for i in range(min(out, 4096)))
    return largest, max(1, n // out)


class _AdaptivePool(LayerDef):
    output: IntPair = field(POSITIVE_PAIR, "Output size, or [height, width].", default=1)

    positional = ("output",)
    short_keys = {"o": "output"}
    family = "pool"

    def output_shape(self, inp: Shape) -> Shape:
        _require_spatial(self.type, inp)
        oh, ow = pair(self.output)
        return Shape(inp.channels, oh, ow)

    def window(self, inp: Shape, out: Shape) -> Window | str | None:
        if inp.spatial == out.spatial:
            return None
        if out.spatial == (1, 1):
            return GLOBAL_WINDOW
        (kh, sh), (kw, sw) = (_adaptive_windows(n, o) for n, o in zip(inp.spatial, out.spatial, strict=True))
        return Window(kernel=(kh, kw), stride=(sh, sw), padding=(0, 0))

    def describe(self) -> str:
        return f"to {pair_text(self.output)}"


@register
class AdaptiveAvgPool2d(_AdaptivePool):
    """Adaptive average pooling to a fixed output size (nn.AdaptiveAvgPool2d)."""

    types = ("adaptiveavgpool",)
    names = ("adaptiveavgpool", "adaptive_avgpool", "adaptiveavgpool2d", "adaptive_avg_pool")
    summary = "adaptive average pooling to an output size (default 1)"

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall("AdaptiveAvgPool2d", {"output_size": _torch_pair(self.output)})


@register
class AdaptiveMaxPool2d(_AdaptivePool):
    """Adaptive max pooling to a fixed output size (nn.AdaptiveMaxPool2d)."""

    types = ("adaptivemaxpool",)
    names = ("adaptivemaxpool", "adaptive_maxpool", "adaptivemaxpool2d", "adaptive_max_pool")
    summary = "adaptive max pooling to an output size (default 1)"

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall("AdaptiveMaxPool2d", {"output_size": _torch_pair(self.output)})


class _GlobalPool(LayerDef):
    """Pooling over the whole map: H×W×C → 1×1×C."""

    family = "pool"
    torch_class: ClassVar[str] = ""

    def output_shape(self, inp: Shape) -> Shape:
        _require_spatial(self.type, inp)
        return Shape(inp.channels, 1, 1)

    def window(self, inp: Shape, out: Shape) -> str:
        return GLOBAL_WINDOW

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall(self.torch_class, {"output_size": 1})


@register
class GlobalAvgPool(_GlobalPool):
    """Global average pooling: H×W×C → 1×1×C (nn.AdaptiveAvgPool2d(1))."""

    types = ("gap",)
    names = ("gap", "globalavgpool", "global_avg_pool", "globalaveragepool")
    summary = "global average pooling: H×W×C → 1×1×C"
    torch_class = "AdaptiveAvgPool2d"


@register
class GlobalMaxPool(_GlobalPool):
    """Global max pooling: H×W×C → 1×1×C (nn.AdaptiveMaxPool2d(1))."""

    types = ("gmp",)
    names = ("gmp", "globalmaxpool", "global_max_pool")
    summary = "global max pooling: H×W×C → 1×1×C"
    torch_class = "AdaptiveMaxPool2d"


@register
class ZeroPad2d(LayerDef):
    """Explicit zero padding (nn.ZeroPad2d): ``pad 1`` or ``pad [left, right, top, bottom]``."""

    amount: int | tuple[int, int, int, int] = field(
        Several(NON_NEGATIVE_INT, 4, "left, right, top, bottom"),
        "Padding on every side, or [left, right, top, bottom].",
        default=1,
    )

    types = ("pad",)
    names = ("pad", "zeropad", "zeropad2d")
    family = "shape"
    summary = "zero padding: one amount for all sides or [left, right, top, bottom]"
    positional = ("amount",)

    def sides(self) -> tuple[int, int, int, int]:
        if isinstance(self.amount, int):
            return (self.amount,) * 4
        return tuple(self.amount)  # type: ignore[return-value]

    def output_shape(self, inp: Shape) -> Shape:
        _require_spatial("pad", inp)
        left, right, top, bottom = self.sides()
        h, w = inp.spatial
        return Shape(inp.channels, h + top + bottom, w + left + right)

    def window(self, inp: Shape, out: Shape) -> Window:
        left, _, top, _ = self.sides()
        return Window(kernel=(1, 1), stride=(1, 1), padding=(top, left))

    def torch_call(self, inp: Shape) -> TorchCall:
        padding = self.amount if isinstance(self.amount, int) else list(self.amount)
        return TorchCall("ZeroPad2d", {"padding": padding})

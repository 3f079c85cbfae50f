"""Resampling: ``upsample`` (nn.Upsample: nearest, bilinear, bicubic; by a scale factor or to a size)
and the channel/space rearrangements ``pixelshuffle`` and ``pixelunshuffle`` (nn.PixelShuffle,
nn.PixelUnshuffle). None has parameters or MACs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnncalc.errors import ShapeError
from cnncalc.layers.base import InvalidField, LayerDef, TorchCall, Window, pair, register
from cnncalc.layers.conv import _require_spatial, _torch_pair
from cnncalc.layers.fields import BOOLEAN, POSITIVE_INT, POSITIVE_PAIR, Choice, Optional, Real, Several, field
from cnncalc.shapes import LIMIT_HINT, MAX_DIMENSION, Shape

if TYPE_CHECKING:
    from fractions import Fraction

MAX_SCALE = 10.0**6
_SCALE = Real(above=0.0, at_most=MAX_SCALE)
# Input pixels one output pixel reads along an axis, by mode (the receptive-field window).
_TAPS = {"nearest": 1, "nearest-exact": 1, "bilinear": 2, "bicubic": 4}


def _whole(value: Fraction) -> int | Fraction:
    return value.numerator if value.denominator == 1 else value


def _scale_text(value: float) -> str:
    return f"{value:g}"


@register
class Upsample(LayerDef):
    """Resize a feature map (nn.Upsample, F.interpolate) by a scale factor or to a size.

    By ``scale``, output = ⌊N × scale⌋ per axis, in double precision as PyTorch computes it; or to
    ``size``. Modes ``nearest``, ``bilinear``, ``bicubic``, ``nearest-exact``; ``align_corners``
    only for the interpolating ones."""

    scale: float | tuple[float, float] | None = field(
        Optional(Several(_SCALE, 2, "height, width")),
        "Scale factor per axis, or [height, width] (output = floor(N × scale)).",
        default=None,
    )
    size: int | tuple[int, int] | None = field(
        Optional(POSITIVE_PAIR), "Output size, or [height, width] (instead of scale).", default=None
    )
    mode: str = field(
        Choice("nearest", "bilinear", "bicubic", "nearest-exact"), "Interpolation.", default="nearest"
    )
    align_corners: bool | None = field(
        Optional(BOOLEAN),
        "Align the corner pixels (bilinear and bicubic only; torch's default false).",
        default=None,
    )

    types = ("upsample",)
    names = ("upsample", "upsampling", "interpolate", "resize")
    family = "shape"
    summary = "resize: scale factor or size; nearest, bilinear, bicubic; align_corners (no parameters)"
    positional = ("scale",)
    short_keys = {"x": "scale"}
    flags = {
        "nearest": {"mode": "nearest"},
        "bilinear": {"mode": "bilinear"},
        "bicubic": {"mode": "bicubic"},
        "nearest-exact": {"mode": "nearest-exact"},
        "nearest_exact": {"mode": "nearest-exact"},
        "align_corners": {"align_corners": True},
    }

    def check(self) -> None:
        if (self.scale is None) == (self.size is None):
            error = InvalidField(
                type(self),
                "scale",
                self.scale,
                "give exactly one of scale and size",
                hint="e.g. 'upsample 2' (scale) or 'upsample size=[56,56]'",
            )
            both = self.scale is not None
            error.message = (
                "upsample takes a scale or a size, not both" if both else "upsample needs a scale or a size"
            )
            raise error
        if self.align_corners is not None and self.mode in ("nearest", "nearest-exact"):
            raise InvalidField(
                type(self),
                "align_corners",
                self.align_corners,
                f"only bilinear and bicubic have it, not {self.mode}",
                hint="write 'upsample 2 bilinear align_corners', or drop align_corners",
            )

    def scales(self) -> tuple[float, float] | None:
        if self.scale is None:
            return None
        if isinstance(self.scale, tuple):
            return (self.scale[0], self.scale[1])
        return (self.scale, self.scale)

    def output_shape(self, inp: Shape) -> Shape:
        _require_spatial("upsample", inp)
        scales = self.scales()
        if scales is None:
            oh, ow = pair(self.size)  # type: ignore[arg-type]
            formula = ""
        else:
            # PyTorch: floor(double(N) * scale) per axis (upsample_*2d's compute_output_size)
            oh, ow = (int(float(n) * s) for n, s in zip(inp.spatial, scales, strict=True))
            parts = [
                f"⌊{n}×{_scale_text(s)}⌋ = {o}" for n, s, o in zip(inp.spatial, scales, (oh, ow), strict=True)
            ]
            formula = ", ".join(dict.fromkeys(parts))
        if oh < 1 or ow < 1:
            raise ShapeError(
                f"upsample to {oh}×{ow}: an empty map ({formula})",
                hint="use a larger scale (output = floor(N × scale) must be at least 1)",
            )
        if oh * ow > MAX_DIMENSION:
            raise ShapeError(
                f"upsample to {oh:,}×{ow:,} = {oh * ow:.3g} pixels, over the limit of {MAX_DIMENSION:,}",
                hint=LIMIT_HINT,
            )
        return Shape(inp.channels, oh, ow)

    def window(self, inp: Shape, out: Shape) -> Window | None:
        """A transposed window: the jump divides by out/in (a fraction) and each output pixel reads
        1 (nearest), 2 (bilinear) or 4 (bicubic) input pixels per axis."""
        from fractions import Fraction  # the engine has it loaded; the start-up path does not need it

        if inp.spatial == out.spatial and self.mode in ("nearest", "nearest-exact"):
            return None
        taps = _TAPS[self.mode]
        strides, kernels = [], []
        for n, o in zip(inp.spatial, out.spatial, strict=True):
            ratio = Fraction(o - 1, n - 1) if self.align_corners and n > 1 and o > 1 else Fraction(o, n)
            read = 1 if ratio == 1 and not self.align_corners else min(taps, n)  # same grid
            kernel = (read - 1) * ratio + 1  # (k − 1) × new jump = (read − 1) × old jump
            strides.append(_whole(ratio))
            kernels.append(_whole(kernel))
        return Window(
            kernel=(kernels[0], kernels[1]),  # type: ignore[arg-type]
            stride=(strides[0], strides[1]),  # type: ignore[arg-type]
            padding=(0, 0),
            transposed=True,
        )

    def torch_call(self, inp: Shape) -> TorchCall:
        kwargs: dict[str, object] = {}
        scales = self.scales()
        if scales is None:
            kwargs["size"] = _torch_pair(self.size)  # type: ignore[arg-type]
        else:
            kwargs["scale_factor"] = scales[0] if scales[0] == scales[1] else scales
        kwargs["mode"] = self.mode
        if self.align_corners is not None:
            kwargs["align_corners"] = self.align_corners
        return TorchCall("Upsample", kwargs)

    def describe(self) -> str:
        scales = self.scales()
        if scales is None:
            h, w = pair(self.size)  # type: ignore[arg-type]
            text = f"to {h}×{w}" if h != w else f"to {h}"
        elif scales[0] == scales[1]:
            text = f"×{_scale_text(scales[0])}"
        else:
            text = f"×{_scale_text(scales[0])}×{_scale_text(scales[1])}"
        text += f" {self.mode}"
        if self.align_corners:
            text += " align_corners"
        return text


@register
class PixelShuffle(LayerDef):
    """Depth to space (nn.PixelShuffle): C×r² channels become an r× larger map of C channels."""

    factor: int = field(POSITIVE_INT, "Upscale factor r.")

    types = ("pixelshuffle",)
    names = ("pixelshuffle", "pixel_shuffle", "depth_to_space")
    family = "shape"
    summary = "depth to space: H×W×(C·r²) → (H·r)×(W·r)×C"
    positional = ("factor",)
    short_keys = {"r": "factor"}

    def output_shape(self, inp: Shape) -> Shape:
        _require_spatial("pixelshuffle", inp)
        r2 = self.factor * self.factor
        if inp.channels % r2:
            raise ShapeError(
                f"pixelshuffle {self.factor}: {inp.channels} channels are not divisible by "
                f"r² = {self.factor}² = {r2}",
                hint=f"give the layer before it a multiple of {r2} channels",
            )
        h, w = inp.spatial
        if h * w * r2 > MAX_DIMENSION:
            raise ShapeError(
                f"pixelshuffle {self.factor}: {h * self.factor:,}×{w * self.factor:,} pixels is over the "
                f"limit of {MAX_DIMENSION:,}",
                hint=LIMIT_HINT,
            )
        return Shape(inp.channels // r2, h * self.factor, w * self.factor)

    def window(self, inp: Shape, out: Shape) -> Window | None:
        if self.factor == 1:
            return None
        return Window(kernel=(1, 1), stride=(self.factor, self.factor), padding=(0, 0), transposed=True)

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall("PixelShuffle", {"upscale_factor": self.factor})

    def describe(self) -> str:
        return f"r={self.factor}"


@register
class PixelUnshuffle(LayerDef):
    """Space to depth (nn.PixelUnshuffle): each r×r block becomes r² channels."""

    factor: int = field(POSITIVE_INT, "Downscale factor r (must divide height and width).")

    types = ("pixelunshuffle",)
    names = ("pixelunshuffle", "pixel_unshuffle", "space_to_depth")
    family = "shape"
    summary = "space to depth: H×W×C → (H/r)×(W/r)×(C·r²)"
    positional = ("factor",)
    short_keys = {"r": "factor"}

    def output_shape(self, inp: Shape) -> Shape:
        _require_spatial("pixelunshuffle", inp)
        r = self.factor
        h, w = inp.spatial
        for n, axis in ((h, "height"), (w, "width")):
            if n % r:
                raise ShapeError(
                    f"pixelunshuffle {r}: {axis} {n} is not divisible by {r}",
                    hint=f"use a factor that divides {n}, or resize the map first",
                )
        if inp.channels * r * r > MAX_DIMENSION:
            raise ShapeError(
                f"pixelunshuffle {r}: {inp.channels * r * r:,} channels is over the limit of "
                f"{MAX_DIMENSION:,}",
                hint=LIMIT_HINT,
            )
        return Shape(inp.channels * r * r, h // r, w // r)

    def window(self, inp: Shape, out: Shape) -> Window | None:
        r = self.factor
        return None if r == 1 else Window(kernel=(r, r), stride=(r, r), padding=(0, 0))

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall("PixelUnshuffle", {"downscale_factor": self.factor})

    def describe(self) -> str:
        return f"r={self.factor}"

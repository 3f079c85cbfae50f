"""Cropping: ``crop`` keeps the centre H′×W′ of a feature map, U-Net's "copy and crop" of a skip
connection (Ronneberger et al. 2015). No parameters and no MACs: it selects pixels, no arithmetic."""

from __future__ import annotations

from cnncalc.errors import ShapeError
from cnncalc.layers.base import CNNCALC_MODULES, LayerDef, TorchCall, Window, pair, register
from cnncalc.layers.conv import _require_spatial
from cnncalc.layers.fields import POSITIVE_PAIR, field
from cnncalc.shapes import Shape


def crop_offsets(inp: Shape, height: int, width: int) -> tuple[int, int]:
    """Rows removed above and columns removed on the left: ⌊(H − H′)/2⌋ and ⌊(W − W′)/2⌋. When the
    difference is odd, the extra row goes from the bottom and the extra column from the right."""
    h, w = inp.spatial
    return (h - height) // 2, (w - width) // 2


@register
class CenterCrop(LayerDef):
    """The centre ``size`` (H′×W′) of the map, as ``x[:, :, top:top + H′, left:left + W′]`` with
    top = ⌊(H − H′)/2⌋ and left = ⌊(W − W′)/2⌋. In PyTorch a slice: a view of its input, no copy."""

    size: int | tuple[int, int] = field(POSITIVE_PAIR, "Output size H′×W′, or [height, width].")

    types = ("crop",)
    names = ("crop", "centercrop", "center_crop", "centre_crop")
    family = "shape"
    summary = "centre crop to H′×W′ (U-Net's copy and crop): top = ⌊(H − H′)/2⌋, left = ⌊(W − W′)/2⌋"
    positional = ("size",)
    usage = "crop H′xW′  (or crop N, crop size=[h, w])"
    in_place = True  # a view of its input (a slice): no new tensor

    def target(self) -> tuple[int, int]:
        return pair(self.size)

    def output_shape(self, inp: Shape) -> Shape:
        _require_spatial("crop", inp)
        (h, w), (th, tw) = inp.spatial, self.target()
        if th > h or tw > w:
            raise ShapeError(
                f"crop to {th}×{tw} needs an input at least that large, but it is {h}×{w}",
                hint=(
                    f"a crop only removes pixels: give a size of at most {h}×{w}, or pad the map first (pad)"
                ),
            )
        return Shape(inp.channels, th, tw)

    def window(self, inp: Shape, out: Shape) -> Window | None:
        """Each kept unit sees what it saw before (a 1×1 window, stride 1); the first kept unit is
        ``top`` rows and ``left`` columns in: a negative leading padding that moves the start."""
        top, left = crop_offsets(inp, *out.spatial)
        if top == left == 0:
            return None
        return Window(kernel=(1, 1), stride=(1, 1), padding=(-top, -left))

    def torch_call(self, inp: Shape) -> TorchCall:
        height, width = self.target()
        return TorchCall("CenterCrop2d", {"height": height, "width": width}, origin=CNNCALC_MODULES)

    def describe(self) -> str:
        height, width = self.target()
        return f"centre {height}×{width}"

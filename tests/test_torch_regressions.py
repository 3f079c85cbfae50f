"""Disagreements with PyTorch that the property tests found, pinned without torch.

Expected values follow PyTorch's ``pooling_output_shape`` and ``pool2d_shape_check``
(aten/src/ATen/native/Pool.h): with ceil_mode the output is floor((N + 2P − D(F−1) − 1 + S − 1)/S) + 1,
less one if the last window would start in the right padding, and must be ≥ 1; the pooling
padding must be ≤ F/2 with F the kernel size, not the dilated window.
"""

from __future__ import annotations

import pytest

from cnncalc.errors import ShapeError
from cnncalc.layers.pool import AvgPool2d, MaxPool2d
from cnncalc.parse import parse_spec_text
from cnncalc.shapes import Shape

CEIL_CASES = [
    # (input H×W×C, kernel, stride, padding, expected output size) — PyTorch 2.x accepts these
    ((1, 1, 1), 2, None, 0, 1),  # a 2×2 window over a 1×1 input: one output
    ((2, 2, 3), 3, 2, 0, 1),
    ((5, 5, 1), 4, 3, 0, 2),  # floor((5−4+2)/3)+1 = 2; the 2nd window starts at 3 < 5
    ((6, 6, 1), 3, 2, 1, 4),  # floor((6+2−3+1)/2)+1 = 4; starts at 6 ≥ 6+1? no: kept
    ((4, 4, 1), 2, 2, 1, 3),  # floor((4+2−2+1)/2)+1 = 3; the 3rd window starts at 4 < 4+1
]


@pytest.mark.parametrize(("hwc", "kernel", "stride", "padding", "size"), CEIL_CASES)
def test_ceil_mode_output_sizes(
    hwc: tuple[int, int, int], kernel: int, stride: int | None, padding: int, size: int
) -> None:
    h, w, c = hwc
    for kind in (MaxPool2d, AvgPool2d):
        pool = kind(type=kind.names[0], kernel=kernel, stride=stride, padding=padding, ceil_mode=True)
        assert pool.output_shape(Shape(c, h, w)) == Shape(c, size, size)


def test_ceil_mode_still_rejects_a_window_with_no_output() -> None:
    # floor((1 − 3 + 1)/2) + 1 = 0 outputs: PyTorch raises "Output size is too small"
    pool = MaxPool2d(type="maxpool", kernel=3, stride=2, ceil_mode=True)
    with pytest.raises(ShapeError, match="height 1 is smaller than window 3"):
        pool.output_shape(Shape(1, 1, 1))


def test_pool_padding_is_limited_by_the_kernel_not_the_dilated_window() -> None:
    # kernel 3 dilated by 2 spans 5, but PyTorch still allows padding ≤ 3 // 2 = 1
    ok = MaxPool2d(type="maxpool", kernel=3, stride=1, padding=1, dilation=2)
    assert ok.output_shape(Shape(1, 9, 9)) == Shape(1, 7, 7)
    too_much = MaxPool2d(type="maxpool", kernel=3, stride=1, padding=2, dilation=2)
    with pytest.raises(ShapeError, match="padding 2 is more than half the kernel 3"):
        too_much.output_shape(Shape(1, 9, 9))


def test_a_named_residual_scopes_its_layers_under_its_own_name() -> None:
    network = parse_spec_text(
        "input: 8x8x4\nlayers:\n  - residual: [conv 4 k3 p1]\n    shortcut: [conv 4 k1]\n    name: res\n",
        "net.yaml",
    )
    merge = network.body.children[0]
    body, shortcut = merge.branches  # type: ignore[union-attr]
    assert merge.name == "res"  # type: ignore[union-attr]
    assert body.children[0].name == "res.conv1"  # was 'res_2.conv1'
    assert shortcut.children[0].name == "res.shortcut.conv1"

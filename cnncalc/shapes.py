"""Tensor shapes (per sample, batch excluded) and their notation."""

from __future__ import annotations

import re

from cnncalc.errors import SpecError
from cnncalc.records import record

MAX_DIGITS = 100  # longer numbers are refused before int() (Python refuses over 4,300 digits itself)
# Sizes, counts and channels are at most this: every figure derived from them (MACs, bytes) stays
# exact and far inside what reports and floats can show.
MAX_DIMENSION = 10**12
LIMIT_HINT = "sizes, counts and channels are at most 10^12"


def whole_number(digits: str) -> int:
    """``int(digits)`` for text of decimal digits (optionally signed), refusing absurdly long ones
    with a clear :class:`~cnncalc.errors.SpecError` instead of Python's ValueError."""
    length = len(digits.lstrip("+-"))
    if length > MAX_DIGITS:
        raise SpecError(
            f"a number with {length:,} digits ({digits[:8]}…) is too large",
            hint=LIMIT_HINT,
        )
    return int(digits)


_SHAPE_RE = re.compile(r"^\s*(\d+)\s*[x×*]\s*(\d+)\s*[x×*]\s*(\d+)\s*$", re.IGNORECASE)


@record
class Shape:
    """A per-sample tensor shape: C×H×W for feature maps, or a flat vector of ``channels`` features."""

    channels: int
    height: int | None = None
    width: int | None = None

    @property
    def is_flat(self) -> bool:
        return self.height is None

    @property
    def spatial(self) -> tuple[int, int]:
        """(height, width); a flat vector counts as 1×1."""
        return (self.height or 1, self.width or 1)

    @property
    def numel(self) -> int:
        h, w = self.spatial
        return self.channels * h * w

    def flattened(self) -> Shape:
        return Shape(self.numel)

    def text(self, order: str = "hwc") -> str:
        """``55×55×96`` (H×W×C) or ``96×55×55`` (C×H×W); a flat vector prints as its length."""
        if self.is_flat:
            return str(self.channels)
        if order == "chw":
            return f"{self.channels}×{self.height}×{self.width}"
        return f"{self.height}×{self.width}×{self.channels}"

    def torch_dims(self) -> list[int]:
        """Dimensions as torch sees one sample: [C, H, W] or [features]."""
        return [self.channels] if self.is_flat else [self.channels, self.height or 1, self.width or 1]

    def as_dict(self) -> dict[str, int | None]:
        return {"channels": self.channels, "height": self.height, "width": self.width}


def parse_shape_text(text: str, order: str = "hwc") -> Shape | None:
    """Parse ``227x227x3`` / ``227×227×3`` (H×W×C, or C×H×W when ``order='chw'``); None if no match."""
    match = _SHAPE_RE.match(text)
    if not match:
        return None
    a, b, c = (whole_number(g) for g in match.groups())
    if order == "chw":
        return Shape(channels=a, height=b, width=c)
    return Shape(channels=c, height=a, width=b)


def order_doubt(text: str, order: str = "hwc") -> str | None:
    """When the size ``text`` looks written in the other order (read H×W×C, ``3x224x224`` has 224
    channels and a height of 3), the same size written in ``order`` (``224x224x3``); else None.

    Doubtful: the number read as channels equals the width (hwc) or height (chw) beside it while the
    remaining spatial size differs, or that remaining size is at most 4 (a channel count) while
    the other two are larger. Real inputs (227x227x3, 56x56x64, 7x7x512, 1x1x2048) are never doubtful."""
    match = _SHAPE_RE.match(text)
    if not match:
        return None
    a, b, c = (whole_number(g) for g in match.groups())
    if not (a and b and c):
        return None  # an empty size has its own error
    if order == "chw":  # channels a, height b, width c
        return f"{c}x{a}x{b}" if (a == b != c) or (c <= 4 < min(a, b)) else None
    return f"{b}x{c}x{a}" if (c == b != a) or (a <= 4 < min(b, c)) else None

"""Convolution and pooling by hand, with exact arithmetic (Fractions), as the lectures compute them.

A volume is a tuple of channels, each a tuple of rows of :class:`~fractions.Fraction`. Output sizes
come from the engine's layer classes (:class:`~cnncalc.layers.Conv2d`, pooling), so the values here
always agree with ``cnncalc summary``. Every output cell can be opened into its dot product, term
by term (:func:`conv_cell`, :func:`pool_cell`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from cnncalc.errors import ShapeError, UsageError
from cnncalc.i18n import _
from cnncalc.layers.conv import Conv2d
from cnncalc.layers.pool import AvgPool2d, MaxPool2d
from cnncalc.shapes import Shape

Matrix = tuple[tuple[Fraction, ...], ...]
Volume = tuple[Matrix, ...]
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)(/\d+)?$")


def number_text(value: Fraction) -> str:
    """``3``, ``-1.5``, ``0.25`` (exact decimals when they terminate), else ``1/3``."""
    if value.denominator == 1:
        return str(value.numerator)
    d = value.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        text = f"{float(value):.12f}".rstrip("0")
        return text
    return f"{value.numerator}/{value.denominator}"


def parse_number(text: str, where: str) -> Fraction:
    cleaned = text.strip().replace("−", "-")
    if not _NUMBER.match(cleaned):
        raise UsageError(
            _("{where}: '{text}' is not a number").format(where=where, text=text),
            hint=_("write numbers like 3, -1.5, 0.25 or 1/3"),
        )
    return Fraction(cleaned)


def parse_volume(text: str, what: str = "input") -> Volume:
    """Parse a matrix or a volume. Rows are separated by ``;`` or new lines, numbers by spaces or
    commas, channels by ``|`` or a blank line: ``"1 1 2 4; 5 6 7 8"``, ``"1 0; 0 1 | 2 2; 2 2"``."""
    channels_text = re.split(r"\|\s*|\n\s*\n", text.strip())
    channels: list[Matrix] = []
    for c, chunk in enumerate(channels_text):
        rows_text = [r for r in re.split(r"[;\n]", chunk) if r.strip()]
        rows = []
        for i, row_text in enumerate(rows_text):
            cells = [c for c in re.split(r"[\s,]+", row_text.strip().strip("[]")) if c]
            where = _("{what}, channel {c}, row {row}").format(what=what, c=c + 1, row=i + 1)
            rows.append(tuple(parse_number(v, where) for v in cells))
        if not rows:
            raise UsageError(
                _("{what}: channel {c} is empty").format(what=what, c=c + 1),
                hint=_("write rows like '1 2 3; 4 5 6'"),
            )
        widths = {len(r) for r in rows}
        if len(widths) != 1:
            raise UsageError(
                _("{what}: channel {c} has rows of different lengths ({lengths})").format(
                    what=what, c=c + 1, lengths=", ".join(map(str, sorted(widths)))
                ),
                hint=_("every row needs the same number of values"),
            )
        channels.append(tuple(rows))
    if len({(len(m), len(m[0])) for m in channels}) != 1:
        raise UsageError(
            _("{what}: the channels differ in size").format(what=what),
            hint=_("every channel needs the same rows×columns"),
        )
    return tuple(channels)


def volume_shape(volume: Volume) -> Shape:
    return Shape(len(volume), len(volume[0]), len(volume[0][0]))


def pad_volume(volume: Volume, padding: int) -> Volume:
    """Zero-padding on every side."""
    if padding == 0:
        return volume
    zero = Fraction(0)
    out = []
    for m in volume:
        width = len(m[0]) + 2 * padding
        blank = tuple(zero for _ in range(width))
        rows = [blank] * padding + [(zero,) * padding + r + (zero,) * padding for r in m] + [blank] * padding
        out.append(tuple(rows))
    return tuple(out)


@dataclass(frozen=True)
class Term:
    channel: int  # 0-based
    row: int  # in the padded input, 0-based
    column: int
    x: Fraction
    w: Fraction

    @property
    def product(self) -> Fraction:
        return self.x * self.w


@dataclass(frozen=True)
class ConvCell:
    """One output value: Σ x·w over the window of every channel, plus the bias."""

    filter: int
    row: int
    column: int
    terms: tuple[Term, ...]
    bias: Fraction
    value: Fraction  # before the activation
    relu: bool

    @property
    def output(self) -> Fraction:
        return max(self.value, Fraction(0)) if self.relu else self.value


@dataclass(frozen=True)
class ConvResult:
    input: Volume
    padded: Volume
    filters: tuple[Volume, ...]
    biases: tuple[Fraction, ...]
    stride: int
    padding: int
    relu: bool
    output: Volume
    warnings: tuple[str, ...]


def _bias_list(bias: Fraction | list[Fraction] | tuple[Fraction, ...], k: int) -> tuple[Fraction, ...]:
    if isinstance(bias, list | tuple):
        if len(bias) == 1:
            return (Fraction(bias[0]),) * k
        if len(bias) != k:
            raise UsageError(
                _("{n} biases for {k} filters").format(n=len(bias), k=k),
                hint=_("give one bias, or one per filter"),
            )
        return tuple(Fraction(b) for b in bias)
    return (Fraction(bias),) * k


def convolve(
    volume: Volume,
    filters: list[Volume] | tuple[Volume, ...],
    *,
    stride: int = 1,
    padding: int = 0,
    bias: Fraction | list[Fraction] | tuple[Fraction, ...] = Fraction(0),
    relu: bool = False,
) -> ConvResult:
    """Cross-correlate ``volume`` with each filter (as nn.Conv2d does), exactly."""
    if not filters:
        raise UsageError(_("give at least one filter"))
    shape = volume_shape(volume)
    kernels = {(len(f), len(f[0]), len(f[0][0])) for f in filters}
    if len(kernels) != 1:
        raise UsageError(_("the filters differ in size"), hint=_("every filter needs the same F×F×C"))
    depth, fh, fw = kernels.pop()
    if depth != shape.channels:
        raise ShapeError(
            _("the filter has depth {depth} but the input has {channels} channels").format(
                depth=depth, channels=shape.channels
            ),
            hint=_("a filter spans the whole input depth: F×F×C with C = input channels"),
        )
    layer = Conv2d(type="conv", filters=len(filters), kernel=(fh, fw), stride=stride, padding=padding)
    out_shape = layer.output_shape(shape)
    biases = _bias_list(bias, len(filters))
    padded = pad_volume(volume, padding)
    channels = []
    for k in range(len(filters)):
        rows = []
        for i in range(out_shape.height or 1):
            rows.append(
                tuple(
                    _conv_value(padded, filters[k], biases[k], i * stride, j * stride, relu)
                    for j in range(out_shape.width or 1)
                )
            )
        channels.append(tuple(rows))
    return ConvResult(
        volume,
        padded,
        tuple(filters),
        biases,
        stride,
        padding,
        relu,
        tuple(channels),
        tuple(layer.fit_warnings(shape)),
    )


def _conv_value(padded: Volume, kernel: Volume, bias: Fraction, top: int, left: int, relu: bool) -> Fraction:
    total = bias
    for c, km in enumerate(kernel):
        for a, krow in enumerate(km):
            prow = padded[c][top + a]
            for b, w in enumerate(krow):
                total += prow[left + b] * w
    return max(total, Fraction(0)) if relu else total


def conv_cell(result: ConvResult, row: int, column: int, filter_index: int = 0) -> ConvCell:
    """The dot product behind output cell (``row``, ``column``) of filter ``filter_index`` (0-based)."""
    out = result.output
    if not (0 <= filter_index < len(out) and 0 <= row < len(out[0]) and 0 <= column < len(out[0][0])):
        raise UsageError(
            _("no output cell ({row}, {column}) of filter {k}").format(
                row=row, column=column, k=filter_index + 1
            ),
            hint=_("the output is {shape}; cells count from 0").format(
                shape=f"{len(out[0])}×{len(out[0][0])}×{len(out)}"
            ),
        )
    top, left = row * result.stride, column * result.stride
    kernel = result.filters[filter_index]
    terms = tuple(
        Term(c, top + a, left + b, result.padded[c][top + a][left + b], w)
        for c, km in enumerate(kernel)
        for a, krow in enumerate(km)
        for b, w in enumerate(krow)
    )
    bias = result.biases[filter_index]
    value = sum((t.product for t in terms), bias)
    return ConvCell(filter_index, row, column, terms, bias, value, result.relu)


@dataclass(frozen=True)
class PoolCell:
    channel: int
    row: int
    column: int
    window: tuple[Fraction, ...]  # the input values inside the window (padding excluded)
    divisor: int  # for average pooling
    value: Fraction


@dataclass(frozen=True)
class PoolResult:
    input: Volume
    kind: Literal["max", "avg"]
    kernel: int
    stride: int
    padding: int
    ceil_mode: bool
    output: Volume
    cells: tuple[tuple[tuple[PoolCell, ...], ...], ...]
    warnings: tuple[str, ...]


def pool(
    volume: Volume,
    kind: Literal["max", "avg"],
    *,
    kernel: int = 2,
    stride: int | None = None,
    padding: int = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> PoolResult:
    """Max or average pooling of every channel, as nn.MaxPool2d / nn.AvgPool2d compute it."""
    shape = volume_shape(volume)
    s = stride or kernel
    cls = MaxPool2d if kind == "max" else AvgPool2d
    layer = cls(
        type="maxpool" if kind == "max" else "avgpool",
        kernel=kernel,
        stride=s,
        padding=padding,
        ceil_mode=ceil_mode,
    )
    out_shape = layer.output_shape(shape)
    h, w = shape.spatial
    cells = []
    for c, m in enumerate(volume):
        rows = []
        for i in range(out_shape.height or 1):
            row_cells = []
            for j in range(out_shape.width or 1):
                r0, c0 = i * s - padding, j * s - padding
                r1, c1 = min(r0 + kernel, h + padding), min(c0 + kernel, w + padding)
                full = (r1 - r0) * (c1 - c0)
                window = tuple(
                    m[a][b] for a in range(max(r0, 0), min(r1, h)) for b in range(max(c0, 0), min(c1, w))
                )
                if kind == "max":
                    value, divisor = max(window), 1
                else:
                    divisor = full if count_include_pad else len(window)
                    value = sum(window, Fraction(0)) / divisor
                row_cells.append(PoolCell(c, i, j, window, divisor, value))
            rows.append(tuple(row_cells))
        cells.append(tuple(rows))
    output = tuple(tuple(tuple(cell.value for cell in r) for r in ch) for ch in cells)
    return PoolResult(
        volume, kind, kernel, s, padding, ceil_mode, output, tuple(cells), tuple(layer.fit_warnings(shape))
    )


def relu(volume: Volume) -> Volume:
    """max(0, x) element by element (the slides' φ(x) = max(0, x))."""
    return tuple(tuple(tuple(max(v, Fraction(0)) for v in r) for r in m) for m in volume)


def as_numbers(volume: Volume) -> list[list[list[int | float]]]:
    """Plain numbers (ints where whole), for JSON and tests."""
    return [[[int(v) if v.denominator == 1 else float(v) for v in r] for r in m] for m in volume]

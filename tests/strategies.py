"""Hypothesis strategies shared by the property tests.

Each strategy draws a small random layer configuration as a :class:`Case`: the cnncalc fields,
the same layer written independently as PyTorch constructor arguments, and an input shape.
Sizes stay small (a forward pass takes well under a millisecond) but cover every option:
asymmetric kernels, strides, paddings and inputs, dilation, groups (dividing or not),
``'same'``/``'valid'``, ceil_mode, output_padding. Invalid combinations are drawn on purpose:
cnncalc must reject exactly those that PyTorch rejects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from cnncalc.shapes import Shape


@dataclass(frozen=True)
class Case:
    """One configuration: cnncalc's ``fields`` (with ``type``), PyTorch's class and kwargs."""

    fields: dict[str, Any]
    torch_cls: str
    torch_kwargs: dict[str, Any]
    input: Shape
    flatten_first: bool = False


def _both(value: int | tuple[int, int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else value


def ints_or_pairs(low: int, high: int) -> st.SearchStrategy[int | tuple[int, int]]:
    """``3`` or an asymmetric ``(3, 1)``."""
    one = st.integers(low, high)
    return st.one_of(one, st.tuples(one, one))


spatial = st.integers(1, 14)
channels = st.integers(1, 6)


@st.composite
def feature_maps(draw: st.DrawFn, channel_strategy: st.SearchStrategy[int] = channels) -> Shape:
    return Shape(draw(channel_strategy), draw(spatial), draw(spatial))


@st.composite
def conv_cases(draw: st.DrawFn) -> Case:
    groups = draw(st.sampled_from([1, 1, 1, 2, 3, "depthwise"]))
    group_factor = 1 if groups == "depthwise" else groups
    in_channels = draw(st.integers(1, 3)) * (group_factor if draw(st.booleans()) else 1)
    if draw(st.integers(0, 9)) == 0:  # now and then a channel count groups does not divide
        in_channels = draw(st.integers(1, 7))
    inp = Shape(in_channels, draw(spatial), draw(spatial))
    real_groups = in_channels if groups == "depthwise" else groups
    filters = draw(st.integers(1, 3)) * real_groups if draw(st.booleans()) else draw(st.integers(1, 7))
    kernel = draw(ints_or_pairs(1, 5))
    stride = draw(st.one_of(st.just(1), ints_or_pairs(1, 3)))
    dilation = draw(st.one_of(st.just(1), ints_or_pairs(1, 3)))
    padding = draw(st.one_of(ints_or_pairs(0, 3), st.sampled_from(["same", "valid"])))
    bias = draw(st.booleans())
    fields = {
        "type": "conv",
        "filters": filters,
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
        "bias": bias,
    }
    kwargs = {
        "in_channels": in_channels,
        "out_channels": filters,
        "kernel_size": _both(kernel),
        "stride": _both(stride),
        "padding": padding if isinstance(padding, str) else _both(padding),
        "dilation": _both(dilation),
        "groups": real_groups,
        "bias": bias,
    }
    return Case(fields, "Conv2d", kwargs, inp)


@st.composite
def deconv_cases(draw: st.DrawFn) -> Case:
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    in_channels = draw(st.integers(1, 3)) * groups if draw(st.integers(0, 7)) else draw(st.integers(1, 7))
    filters = draw(st.integers(1, 3)) * groups if draw(st.integers(0, 7)) else draw(st.integers(1, 7))
    inp = Shape(in_channels, draw(spatial), draw(spatial))
    kernel = draw(ints_or_pairs(1, 5))
    stride = draw(ints_or_pairs(1, 3))
    padding = draw(ints_or_pairs(0, 3))
    output_padding = draw(st.one_of(st.just(0), ints_or_pairs(0, 2)))
    dilation = draw(st.one_of(st.just(1), ints_or_pairs(1, 3)))
    bias = draw(st.booleans())
    fields = {
        "type": "deconv",
        "filters": filters,
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "output_padding": output_padding,
        "dilation": dilation,
        "groups": groups,
        "bias": bias,
    }
    kwargs = {
        "in_channels": in_channels,
        "out_channels": filters,
        "kernel_size": _both(kernel),
        "stride": _both(stride),
        "padding": _both(padding),
        "output_padding": _both(output_padding),
        "groups": groups,
        "bias": bias,
        "dilation": _both(dilation),
    }
    return Case(fields, "ConvTranspose2d", kwargs, inp)


@st.composite
def maxpool_cases(draw: st.DrawFn) -> Case:
    inp = draw(feature_maps())
    kernel = draw(ints_or_pairs(1, 5))
    stride = draw(st.one_of(st.none(), ints_or_pairs(1, 3)))
    padding = draw(st.one_of(st.just(0), ints_or_pairs(0, 3)))
    dilation = draw(st.one_of(st.just(1), ints_or_pairs(1, 3)))
    ceil_mode = draw(st.booleans())
    fields = {
        "type": "maxpool",
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "ceil_mode": ceil_mode,
    }
    kwargs = {
        "kernel_size": _both(kernel),
        "stride": None if stride is None else _both(stride),
        "padding": _both(padding),
        "dilation": _both(dilation),
        "ceil_mode": ceil_mode,
    }
    return Case(fields, "MaxPool2d", kwargs, inp)


@st.composite
def avgpool_cases(draw: st.DrawFn) -> Case:
    inp = draw(feature_maps())
    kernel = draw(ints_or_pairs(1, 5))
    stride = draw(st.one_of(st.none(), ints_or_pairs(1, 3)))
    padding = draw(st.one_of(st.just(0), ints_or_pairs(0, 3)))
    ceil_mode = draw(st.booleans())
    count_include_pad = draw(st.booleans())
    fields = {
        "type": "avgpool",
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "ceil_mode": ceil_mode,
        "count_include_pad": count_include_pad,
    }
    kwargs = {
        "kernel_size": _both(kernel),
        "stride": None if stride is None else _both(stride),
        "padding": _both(padding),
        "ceil_mode": ceil_mode,
        "count_include_pad": count_include_pad,
    }
    return Case(fields, "AvgPool2d", kwargs, inp)


@st.composite
def linear_cases(draw: st.DrawFn) -> Case:
    flat = draw(st.booleans())
    inp = Shape(draw(st.integers(1, 64))) if flat else draw(feature_maps(st.integers(1, 8)))
    units = draw(st.integers(1, 32))
    bias = draw(st.booleans())
    fields = {"type": "fc", "units": units, "bias": bias}
    kwargs = {"in_features": inp.numel, "out_features": units, "bias": bias}
    return Case(fields, "Linear", kwargs, inp, flatten_first=not flat)

"""Hypothesis strategies shared across the tests (and the long fuzz run in benchmarks/fuzz.py).

Two families:

* Layer configurations for the property tests against PyTorch: each draws a :class:`Case` — the
  cnncalc fields, the same layer written independently as PyTorch constructor arguments, and an input
  shape. Sizes stay small but cover every option (asymmetric kernels, strides, paddings and inputs,
  dilation, groups, 'same'/'valid', ceil_mode, output_padding); invalid combinations are drawn on
  purpose, since cnncalc must reject exactly those that PyTorch rejects.
* Hostile spec texts for the fuzz tests: the language's own words mixed with what breaks parsers
  (wrong types, zero and negative sizes, huge numbers, inf/nan, control characters and other unicode,
  deep nesting, valid specs with characters deleted or inserted), and the one check applied to each.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import strategies as st

import cnncalc
from cnncalc.layers import registered_names
from cnncalc.render import render_csv, render_json, render_markdown
from cnncalc.shapes import Shape


@dataclass(frozen=True)
class Case:
    """One configuration: cnncalc's ``fields`` (with ``type``), PyTorch's class and kwargs."""

    fields: dict[str, Any]
    torch_cls: str
    torch_kwargs: dict[str, Any]
    input: Shape
    flatten_first: bool = False
    channels_last: bool = False  # the torch module runs on N×H×W×C (Permute → module → Permute)


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


# ------------------------------------------------------------------------------------------------
# The modern single-tensor kinds (norms, resampling, ConvNeXt's pieces, channel shuffle). PyTorch
# names: nn classes, or "ref:<name>" for a reference module the property test defines itself.


@st.composite
def layernorm_cases(draw: st.DrawFn) -> Case:
    flat = draw(st.booleans())
    inp = Shape(draw(st.integers(1, 24))) if flat else draw(feature_maps(st.integers(1, 12)))
    eps = draw(st.sampled_from([1e-5, 1e-6]))
    affine, bias = draw(st.booleans()), draw(st.booleans())
    fields = {"type": "layernorm", "eps": eps, "affine": affine, "bias": bias}
    kwargs = {"normalized_shape": inp.channels, "eps": eps, "elementwise_affine": affine, "bias": bias}
    return Case(fields, "LayerNorm", kwargs, inp, channels_last=not flat)


@st.composite
def groupnorm_cases(draw: st.DrawFn) -> Case:
    groups = draw(st.integers(1, 6))
    channels_ = groups * draw(st.integers(1, 4)) if draw(st.integers(0, 5)) else draw(st.integers(1, 12))
    flat = draw(st.integers(0, 4)) == 0
    inp = Shape(channels_) if flat else Shape(channels_, draw(spatial), draw(spatial))
    affine = draw(st.booleans())
    fields = {"type": "groupnorm", "groups": groups, "affine": affine}
    return Case(fields, "GroupNorm", {"num_groups": groups, "num_channels": channels_, "affine": affine}, inp)


@st.composite
def instancenorm_cases(draw: st.DrawFn) -> Case:
    inp = Shape(draw(channels), draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    affine, track = draw(st.booleans()), draw(st.booleans())
    fields = {"type": "instancenorm", "affine": affine, "track_running_stats": track}
    kwargs = {"num_features": inp.channels, "affine": affine, "track_running_stats": track}
    return Case(fields, "InstanceNorm2d", kwargs, inp)


# scale factors of the zoo (2, 4, 8, 16, 32) and awkward ones (fractions, < 1, not exact in binary)
_SCALES = st.sampled_from([1.0, 2.0, 3.0, 4.0, 8.0, 0.5, 1.5, 2.5, 0.3, 1.1, 0.1, 1 / 3, 2.7, 0.999])


@st.composite
def upsample_cases(draw: st.DrawFn) -> Case:
    inp = draw(feature_maps())
    mode = draw(st.sampled_from(["nearest", "bilinear", "bicubic", "nearest-exact"]))
    align = draw(st.sampled_from([None, True, False])) if mode in ("bilinear", "bicubic") else None
    fields: dict[str, Any] = {"type": "upsample", "mode": mode, "align_corners": align}
    kwargs: dict[str, Any] = {"mode": mode, "align_corners": align}
    if draw(st.booleans()):
        scale = draw(st.one_of(_SCALES, st.tuples(_SCALES, _SCALES)))
        fields["scale"] = list(scale) if isinstance(scale, tuple) else scale
        kwargs["scale_factor"] = scale
    else:
        size = draw(ints_or_pairs(1, 30))
        fields["size"] = list(size) if isinstance(size, tuple) else size
        kwargs["size"] = size
    return Case(fields, "Upsample", kwargs, inp)


@st.composite
def pixelshuffle_cases(draw: st.DrawFn) -> Case:
    factor = draw(st.integers(1, 3))
    if draw(st.booleans()):
        c = factor * factor * draw(st.integers(1, 3)) if draw(st.integers(0, 4)) else draw(st.integers(1, 12))
        inp = Shape(c, draw(st.integers(1, 6)), draw(st.integers(1, 6)))
        return Case(
            {"type": "pixelshuffle", "factor": factor}, "PixelShuffle", {"upscale_factor": factor}, inp
        )
    h = factor * draw(st.integers(1, 4)) if draw(st.integers(0, 4)) else draw(st.integers(1, 9))
    inp = Shape(draw(channels), h, factor * draw(st.integers(1, 4)))
    return Case(
        {"type": "pixelunshuffle", "factor": factor}, "PixelUnshuffle", {"downscale_factor": factor}, inp
    )


@st.composite
def channel_linear_cases(draw: st.DrawFn) -> Case:
    flat = draw(st.integers(0, 4)) == 0
    inp = Shape(draw(st.integers(1, 16))) if flat else draw(feature_maps(st.integers(1, 12)))
    units, bias = draw(st.integers(1, 24)), draw(st.booleans())
    fields = {"type": "channel_linear", "units": units, "bias": bias}
    kwargs = {"in_features": inp.channels, "out_features": units, "bias": bias}
    return Case(fields, "Linear", kwargs, inp, channels_last=not flat)


@st.composite
def small_layer_cases(draw: st.DrawFn) -> Case:
    """layerscale, channel_shuffle and stochastic_depth (identity at inference)."""
    inp = draw(feature_maps(st.integers(1, 12)))
    kind = draw(st.sampled_from(["layerscale", "channel_shuffle", "stochastic_depth"]))
    if kind == "layerscale":
        init = draw(st.sampled_from([1e-6, 0.1, 1.0]))
        return Case(
            {"type": kind, "init": init}, "ref:LayerScale", {"channels": inp.channels, "init": init}, inp
        )
    if kind == "channel_shuffle":
        groups = draw(st.integers(1, 4))
        return Case({"type": kind, "groups": groups}, "ChannelShuffle", {"groups": groups}, inp)
    p, mode = draw(st.sampled_from([0.0, 0.1, 0.5])), draw(st.sampled_from(["row", "batch"]))
    return Case({"type": kind, "p": p, "mode": mode}, "Identity", {}, inp)


@st.composite
def fixed_affine_cases(draw: st.DrawFn) -> Case:
    """fixed_affine: a scale and a shift per channel, one list sometimes a channel short or long
    (both refuse it). The input a feature map or a vector."""
    inp = draw(st.one_of(feature_maps(st.integers(1, 6)), st.builds(Shape, st.integers(1, 6))))
    numbers = st.floats(-4.0, 4.0, allow_nan=False, width=32)
    scale = draw(st.lists(numbers, min_size=inp.channels, max_size=inp.channels))
    length = draw(st.sampled_from([inp.channels] * 4 + [max(1, inp.channels - 1), inp.channels + 1]))
    shift = draw(st.lists(numbers, min_size=length, max_size=length))
    fields = {"type": "fixed_affine", "scale": scale, "shift": shift}
    return Case(fields, "ref:FixedAffine", {"scale": scale, "shift": shift}, inp)


# ------------------------------------------------------------------------------------------------
# Hostile spec texts (fuzzing)
# ------------------------------------------------------------------------------------------------

LAYER_WORDS = sorted(registered_names())
SHORT_KEYS = ["k", "s", "p", "d", "g", "o", "op"]
FLAGS = ["nobias", "same", "valid", "ceil", "depthwise", "exclude_pad", "channelwise"]
FIELD_NAMES = [
    "filters",
    "kernel",
    "stride",
    "padding",
    "dilation",
    "groups",
    "bias",
    "units",
    "output",
    "p",
    "eps",
    "size",
    "name",
    "type",
    "output_padding",
    "ceil_mode",
]
STRUCTURE_KEYS = ["repeat", "layers", "concat", "residual", "shortcut", "block", "args", "name", "start"]
TOP_KEYS = ["name", "input", "layers", "blocks", "description", "source"]

VALID_ONELINE = [
    "32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10",
    "227x227x3 | conv 96 k11 s4 | relu | maxpool 3 2 | conv 256 k5 p2 | fc-4096 | dropout | fc 1000",
    "224x224x3 | (conv3-64 | relu)x2 | maxpool 2 | [conv 16 k1 ; conv 8 k3 p1 ; maxpool 3 1 p1]",
    "56x56x64 | {conv 64 k3 p1 nobias | bn | relu | conv 64 k3 p1 nobias | bn} | relu",
    "56x56x64 | {conv 128 k3 s2 p1 | bn ; conv 128 k1 s2 nobias | bn} | gap | flatten | fc 10",
    "28x28x1 | deconv 8 k4 s2 p1 | adaptiveavgpool 1 | softmax",
]

VALID_YAML = [
    """name: tiny
input: 32x32x3
blocks:
  basic:
    args: {planes: null, stride: 1}
    layers:
      - conv ${planes} k3 s${stride} p1 nobias
      - bn
      - {type: relu}
layers:
  - {type: conv, filters: 16, kernel: 3, padding: 1, name: conv1}
  - repeat: 2
    name: stage
    layers: [{block: basic, args: {planes: 16}}]
  - concat: [[conv 8 k1], [conv 8 k3 p1]]
  - residual: [conv 16 k3 p1, bn]
    shortcut: [conv 16 k1]
  - {name: head, layers: [gap, flatten, fc 10]}
""",
    """input: {height: 28, width: 28, channels: 1}
layers:
  - conv 6 k5 p2
  - relu
  - avgpool 2
  - conv 16 k5
  - flatten
  - fc 120
  - fc 10
""",
]

# Numbers that break naive code: zero, negatives, float-only values, huge and astronomically long.
_ints = st.one_of(
    st.integers(min_value=-3, max_value=300),
    st.sampled_from([0, -1, 2**31, 2**63, 2**64 + 1, 10**12, 10**12 + 1, 10**18, 10**30]),
    st.integers(),
)
_huge_digits = st.integers(min_value=19, max_value=6000).map(lambda n: "9" * n)
_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.5, 1e308, -0.0, 1e-320]),
)
_text = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=string.printable, max_size=20),
    st.sampled_from(
        ["", " ", "\t", "\x00", "\u200b", "ç", "×", "∞", "${x}", "$", "${", "${1/0}", "null", "~"]
    ),
)
_number_text = st.one_of(
    _ints.map(str), _huge_digits, _floats.map(repr), st.sampled_from(["1e999", "0x10", "١٢"])
)


# One token of a one-line layer: a type, a value, a short key, key=value, a flag, or junk.
# (Strategies are built once, at import: building them per draw makes hypothesis 50× slower.)
_token = st.one_of(
    st.sampled_from(LAYER_WORDS),
    _number_text,
    st.builds(lambda k, v: f"{k}{v}", st.sampled_from(SHORT_KEYS), _number_text),
    st.builds(lambda k, v: f"{k}={v}", st.sampled_from(FIELD_NAMES), st.one_of(_number_text, _text)),
    st.sampled_from(FLAGS),
    st.builds(lambda a, b: f"{a}x{b}", _number_text, _number_text),
    st.builds(lambda v: f"[{v}]", st.lists(_number_text, max_size=3).map(",".join)),
    st.builds(lambda n, f: f"conv{n}-{f}", _number_text, _number_text),
    _text,
)
_layer_text = st.lists(_token, min_size=0, max_size=6).map(" ".join)


_SEPARATORS = ["|", "|", "|", ";", "(", ")", "[", "]", "{", "}", ")x", ")x3", ")x100000", ")*0"]


@st.composite
def oneline_specs(draw: st.DrawFn) -> str:
    """One-line specs: an input size, then layers and bracket/separator tokens in any order."""
    head = draw(
        st.one_of(
            st.builds(lambda h, w, c: f"{h}x{w}x{c}", _number_text, _number_text, _number_text),
            st.sampled_from(["32x32x3", "1x1x1", "input 8x8x3", "0x0x0", "1000000x1000000x3", ""]),
            _text,
        )
    )
    parts = [head]
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        parts.append(draw(st.sampled_from(_SEPARATORS)))
        parts.append(draw(_layer_text))
    return " ".join(parts)


@st.composite
def nested_brackets(draw: st.DrawFn) -> str:
    """Deep nesting in the one-line form: thousands of open brackets, balanced or not."""
    depth = draw(st.integers(min_value=1, max_value=5000))
    opener = draw(st.sampled_from(["(", "[", "{"]))
    closer = {"(": ")", "[": "]", "{": "}"}[opener]
    inner = draw(st.sampled_from(["relu", "conv 1 k1", "relu ; relu", ""]))
    tail = draw(st.sampled_from(["", "x2", ";relu"]))
    balanced = draw(st.booleans())
    return "8x8x3 | " + opener * depth + inner + (closer + tail) * (depth if balanced else depth // 2)


@st.composite
def mutated_valid(draw: st.DrawFn, sources: list[str]) -> str:
    """A valid spec with a few characters deleted, duplicated or replaced."""
    text = draw(st.sampled_from(sources))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not text:
            break
        i = draw(st.integers(min_value=0, max_value=len(text) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "replace", "insert"]))
        if action == "delete":
            text = text[:i] + text[i + 1 :]
        elif action == "duplicate":
            text = text[:i] + text[i] * draw(st.integers(1, 5)) + text[i:]
        else:
            new = draw(st.one_of(st.sampled_from(list("{}[]()|;:,-&*!%@`'\"#\n\t 0x9$")), st.characters()))
            text = text[:i] + new + text[i + (action == "replace") :]
    return text


_scalars = st.one_of(_ints, _floats, _text, st.booleans(), st.none(), _layer_text)


def _layer_entries(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A layer or structure entry of a spec file (or something that tries to be one)."""
    mapping_layer = st.fixed_dictionaries(
        {"type": st.one_of(st.sampled_from(LAYER_WORDS), _scalars)},
        optional={k: _scalars for k in FIELD_NAMES if k != "type"},
    )
    structure = st.dictionaries(st.sampled_from(STRUCTURE_KEYS), st.one_of(_scalars, children), max_size=4)
    return st.one_of(_layer_text, mapping_layer, structure, _scalars, children)


_trees = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(_layer_entries(children), max_size=5),
        st.dictionaries(st.sampled_from(STRUCTURE_KEYS + FIELD_NAMES), children, max_size=4),
    ),
    max_leaves=25,
)
_entries = _layer_entries(_trees)
_blocks = st.dictionaries(
    st.sampled_from(["a", "b", "basic", "x"]),
    st.fixed_dictionaries(
        {"layers": st.one_of(st.lists(_entries, max_size=4), _trees)},
        optional={"args": st.dictionaries(_text, _scalars, max_size=3)},
    ),
    max_size=3,
)
_inputs = st.one_of(
    st.sampled_from(["32x32x3", "8x8x1", "1x1x1", "100000x100000x3", "0x1x1"]),
    st.fixed_dictionaries({"height": _ints, "width": _ints, "channels": _ints}),
    _scalars,
    _trees,
)


@st.composite
def spec_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A spec file's data: the right top-level keys (mostly) with values of any shape."""
    doc: dict[str, Any] = {"input": draw(_inputs)}
    doc["layers"] = draw(st.one_of(st.lists(_entries, max_size=8), _trees))
    if draw(st.booleans()):
        doc["blocks"] = draw(_blocks)
    for key in draw(st.lists(st.sampled_from([*TOP_KEYS, "extra", "Layers"]), max_size=2)):
        doc[key] = draw(_scalars)
    if draw(st.integers(0, 9)) == 0:
        doc.pop(draw(st.sampled_from(["input", "layers"])), None)
    return doc


def _to_yaml(doc: Any) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=10**6)


def _to_json(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False)


# Well-formed specs with random sizes: they reach the engine (shape errors, warnings, reports).
_small = st.integers(min_value=1, max_value=9)
_valid_layer = st.one_of(
    st.builds(
        lambda f, k, s, p, d: f"conv {f} k{k} s{s} p{p} d{d}",
        st.integers(1, 64),
        _small,
        st.integers(1, 4),
        st.integers(0, 3),
        st.integers(1, 2),
    ),
    st.builds(lambda f, k, s: f"deconv {f} k{k} s{s}", st.integers(1, 16), _small, st.integers(1, 3)),
    st.builds(
        lambda k, s, c: f"maxpool {k} {s}{c}", _small, st.integers(1, 4), st.sampled_from(["", " ceil"])
    ),
    st.builds(lambda k, s: f"avgpool {k} {s}", _small, st.integers(1, 4)),
    st.builds(lambda n: f"fc {n}", st.integers(1, 100)),
    st.builds(lambda o: f"adaptiveavgpool {o}", st.integers(1, 4)),
    st.sampled_from(["relu", "bn", "flatten", "dropout", "gap", "softmax", "conv 8 k3 p1 g2", "lrn 5"]),
)


def _valid_groups(children: st.SearchStrategy[list[Any]]) -> st.SearchStrategy[list[Any]]:
    item = st.one_of(
        _valid_layer,
        st.tuples(st.just("repeat"), st.integers(0, 4), children),
        st.tuples(st.just("concat"), st.lists(children, min_size=2, max_size=3)),
        st.tuples(st.just("residual"), children, st.one_of(st.none(), children)),
    )
    return st.lists(item, min_size=1, max_size=4)


_valid_body = st.recursive(st.lists(_valid_layer, min_size=1, max_size=4), _valid_groups, max_leaves=12)
_valid_input = st.tuples(st.integers(1, 64), st.integers(1, 64), st.integers(1, 16))


def _as_oneline(items: list[Any]) -> str:
    parts = []
    for item in items:
        if isinstance(item, str):
            parts.append(item)
        elif item[0] == "repeat":
            parts.append(f"({_as_oneline(item[2])})x{item[1]}")
        elif item[0] == "concat":
            parts.append("[" + " ; ".join(_as_oneline(b) for b in item[1]) + "]")
        else:
            shortcut = f" ; {_as_oneline(item[2])}" if item[2] else ""
            parts.append("{" + _as_oneline(item[1]) + shortcut + "}")
    return " | ".join(parts)


def _as_entries(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif item[0] == "repeat":
            out.append({"repeat": item[1], "layers": _as_entries(item[2])})
        elif item[0] == "concat":
            out.append({"concat": [_as_entries(b) for b in item[1]]})
        else:
            entry: dict[str, Any] = {"residual": _as_entries(item[1])}
            if item[2]:
                entry["shortcut"] = _as_entries(item[2])
            out.append(entry)
    return out


wellformed_oneline = st.builds(
    lambda i, b: f"{i[0]}x{i[1]}x{i[2]} | {_as_oneline(b)}", _valid_input, _valid_body
)
wellformed_documents = st.builds(
    lambda i, b: {"input": f"{i[0]}x{i[1]}x{i[2]}", "layers": _as_entries(b)}, _valid_input, _valid_body
)


_names = st.sampled_from([None, "a", "b", "a_2", "0"])  # few names: clashes exercise the suffixes


@st.composite
def block_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Well-formed documents whose blocks are called again and again: in repeats (numbered or
    not), by name, with the same and with other arguments, blocks calling blocks, side outputs."""

    def call(block: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        entry: dict[str, Any] = {"block": block}
        if args:
            entry["args"] = args
        name = draw(_names)
        if name is not None:
            entry["name"] = name
        return entry

    body = _as_entries(draw(_valid_body))
    side = draw(st.booleans())
    inner = {
        "args": {"n": 4},
        "layers": ["conv $n k1", *body] + ([{"side": ["gap", "fc 3"]}] if side else []),
    }
    widths = st.sampled_from([4, 8])
    outer = {"layers": [call("inner", {"n": draw(widths)}), call("inner", {"n": draw(widths)})]}
    repeat: dict[str, Any] = {"repeat": draw(st.integers(1, 3)), "layers": [call("outer")]}
    if draw(st.booleans()):
        repeat["numbered"] = True
    name = draw(_names)
    if name is not None:
        repeat["name"] = name
    layers = [repeat, call("outer"), call("outer"), call("inner", {"n": draw(widths)})]
    return {
        "input": "16x16x4",
        "blocks": {"inner": inner, "outer": outer},
        "layers": draw(st.permutations(layers)),
    }


yaml_texts = st.one_of(
    spec_documents().map(_to_yaml),
    wellformed_documents.map(_to_yaml),
    mutated_valid(VALID_YAML),
    st.text(max_size=200),
    st.sampled_from(
        [
            "a: &x [1]\nb: *x",
            "input: !!python/object/apply:os.system [echo]\nlayers: [relu]",
            "input: !!binary aGVsbG8=\nlayers: [relu]",
            "input: 8x8x1\nlayers: !!set {relu: null}",
            "--- \n...\n",
            "input: 8x8x1\nlayers: [relu]\n---\ninput: 8x8x1\nlayers: [relu]",
            "[" * 500 + "]" * 500,
            "{a: " * 300 + "1" + "}" * 300,
            "input: 8x8x1\nlayers:\n" + "".join("  " * i + "- layers:\n" for i in range(1, 120)),
        ]
    ),
)
json_texts = st.one_of(
    spec_documents().map(_to_json),
    wellformed_documents.map(_to_json),
    mutated_valid([json.dumps(yaml.safe_load(v)) for v in VALID_YAML]),
    st.text(max_size=200),
    st.sampled_from(["[" * 100000, '{"input": 1e999, "layers": []}', '{"input": NaN}', "9" * 5000]),
)
oneline_texts = st.one_of(
    oneline_specs(), mutated_valid(VALID_ONELINE), nested_brackets(), wellformed_oneline
)


@dataclass
class Tally:
    """How many inputs were tried and how each ended (a traceback fails the check instead)."""

    inputs: int = 0
    analysed: int = 0
    rejected: int = 0


def check(form: str, text: str, tally: Tally | None = None) -> None:
    """Parse ``text`` as ``form`` ('oneline', 'yaml', 'json') and analyse what parses. Every failure
    must be a :class:`cnncalc.CnncalcError` whose message renders; anything else propagates and fails
    the caller. Successful reports must render as JSON, CSV and Markdown."""
    if tally is not None:
        tally.inputs += 1
    try:
        if form == "oneline":
            network = cnncalc.parse_oneline_spec(text)
        elif form == "yaml":
            network = cnncalc.parse_spec_text(text, "fuzz.yaml")
        else:
            network = cnncalc.parse_spec_text(text, "fuzz.json", json_format=True)
        report = cnncalc.analyse(network)
        render_json(report)
        render_csv(report)
        render_markdown(report)
    except cnncalc.CnncalcError as exc:
        rendered = exc.render()
        assert rendered.startswith("error: ") and exc.message, rendered
        json.dumps(exc.to_dict())
        if tally is not None:
            tally.rejected += 1
        return
    if tally is not None:
        tally.analysed += 1

"""Property tests: for random conv, transposed conv, pooling and linear layers, cnncalc's output
shape, parameters and FLOPs equal PyTorch's, and cnncalc rejects a configuration exactly when
PyTorch raises (or, for a transposed convolution, silently returns an empty 0×0 map).
2,000 configurations in all (see ``EXAMPLES``); about ten seconds.

The PyTorch side is built from the strategy's own constructor arguments, independently of
cnncalc's ``torch_call`` (which is checked separately to give the same arguments).
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings

from cnncalc.conventions import FLOPS_PER_MAC
from cnncalc.errors import ShapeError, SpecError
from cnncalc.layers import lookup
from cnncalc.shapes import Shape
from tests.strategies import (
    Case,
    avgpool_cases,
    conv_cases,
    deconv_cases,
    linear_cases,
    maxpool_cases,
)

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    from torch.utils.flop_counter import FlopCounterMode

# Examples per layer family; they add up to the 2,000 the issue asks for.
EXAMPLES = {"conv": 700, "deconv": 450, "maxpool": 350, "avgpool": 300, "linear": 200}
assert sum(EXAMPLES.values()) == 2000
# Set CNNCALC_PROPERTY_SCALE=10 (and CNNCALC_PROPERTY_RANDOM=1) for a longer hunt with fresh seeds.
SCALE = int(os.environ.get("CNNCALC_PROPERTY_SCALE", "1"))
RANDOM = os.environ.get("CNNCALC_PROPERTY_RANDOM") == "1"

PAIR_KEYS = ("kernel_size", "stride", "padding", "dilation", "output_padding")


def _cnncalc(case: Case) -> tuple[Shape, int, int] | str:
    """(output shape, params, FLOPs) as cnncalc computes them, or the error message."""
    kind = lookup(case.fields["type"])
    assert kind is not None
    layer = kind(**case.fields)
    try:
        out = layer.output_shape(case.input)
    except (ShapeError, SpecError) as exc:
        return exc.message
    params = layer.weights(case.input) + layer.biases(case.input)
    return out, params, FLOPS_PER_MAC * layer.macs(case.input, out)


def _torch(case: Case) -> tuple[Shape, int, int] | str:
    """The same from PyTorch: a forward pass of one sample under FlopCounterMode."""
    try:
        module = getattr(torch.nn, case.torch_cls)(**case.torch_kwargs)
        x = torch.randn(1, *case.input.torch_dims())
        if case.flatten_first:
            x = torch.flatten(x, 1)
        counter = FlopCounterMode(display=False)
        with torch.no_grad(), counter, warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # 'same' with an even kernel: a padded copy
            y = module(x)
    except (RuntimeError, ValueError) as exc:
        return str(exc)
    if y.numel() == 0:  # ConvTranspose2d returns an empty map instead of raising
        return f"empty output {tuple(y.shape)}"
    dims = list(y.shape[1:])
    out = Shape(dims[0]) if len(dims) == 1 else Shape(dims[0], dims[1], dims[2])
    params = sum(p.numel() for p in module.parameters())
    return out, params, int(counter.get_total_flops())


def _normalised(kwargs: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for key, value in kwargs.items():
        if key in PAIR_KEYS and isinstance(value, int):
            value = (value, value)
        result[key] = tuple(value) if isinstance(value, list) else value
    if result.get("stride", 0) is None:
        result["stride"] = result["kernel_size"]
    return result


def check(case: Case) -> None:
    ours, theirs = _cnncalc(case), _torch(case)
    where = f"{case.fields} on input {case.input.text('chw')}"
    if isinstance(theirs, str):
        assert isinstance(ours, str), f"torch raises ({theirs.splitlines()[0]}) but cnncalc accepts {where}"
        event("invalid: both reject")
        return
    event("valid: both accept")
    assert not isinstance(ours, str), f"cnncalc rejects ({ours}) what torch accepts: {where}"
    assert ours == theirs, f"(shape, params, FLOPs) cnncalc {ours} vs torch {theirs} for {where}"
    # cnncalc's own torch mapping builds the same layer as the independent one
    kind = lookup(case.fields["type"])
    assert kind is not None
    call = kind(**case.fields).torch_call(case.input)
    assert call.cls == case.torch_cls
    assert call.flatten_first == case.flatten_first
    assert _normalised(call.kwargs) == _normalised(case.torch_kwargs), where


def _settings(family: str) -> settings:
    return settings(
        max_examples=EXAMPLES[family] * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=not RANDOM,
    )


@_settings("conv")
@given(conv_cases())
def test_conv_matches_torch(case: Case) -> None:
    check(case)


@_settings("deconv")
@given(deconv_cases())
def test_transposed_conv_matches_torch(case: Case) -> None:
    check(case)


@_settings("maxpool")
@given(maxpool_cases())
def test_maxpool_matches_torch(case: Case) -> None:
    check(case)


@_settings("avgpool")
@given(avgpool_cases())
def test_avgpool_matches_torch(case: Case) -> None:
    check(case)


@_settings("linear")
@given(linear_cases())
def test_linear_matches_torch(case: Case) -> None:
    check(case)

"""``--count-as``: each preset equals, to the unit, what the real tool counts on the module that
``cnncalc export`` builds: totals, and per layer where the tool reports layers.

The peers come from the ``test`` extra (pyproject.toml); each test skips with the reason when its
tool is missing. calflops needs transformers and accelerate, too heavy for CI: scripts/peer_counts.py
checks it (docs/conventions.md)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch", reason="the peer tools run on PyTorch")

from cnncalc.analysis import analyse
from cnncalc.counting import count_as
from cnncalc.parse import load_network
from tests import peer_tools

pytestmark = pytest.mark.torch

# Every layer kind each preset has a rule for, in one network (grouped, depthwise and transposed
# convolutions, BatchNorm with and without affine, every activation module, LRN, padding, pools).
COVERAGE = (
    "32x32x3 | conv 8 k3 p1 | bn | prelu | conv 8 k3 g2 p1 nobias | bn noaffine | leakyrelu 0.1 "
    "| conv 8 k3 dw p1 | relu6 | avgpool 2 | deconv 4 k2 s2 | gelu | silu | lrn 3 | pad 1 | maxpool 2 "
    "| tanh | sigmoid | adaptivemaxpool 3 | adaptiveavgpool 2 | dropout | flatten | fc 10 nobias | elu "
    "| fc 5 | softmax"
)
DECONV = (
    "8x8x32 | conv 32 k3 p1 dw | deconv 8 k2 s2 g4 | prelu per_channel | leakyrelu | elu | gelu | silu "
    "| deconv 8 k3 s2 p1 op1 | relu | deconv 4 k4 s2 p1 d2 g2 nobias | gap | fc 5 | softmax"
)
# Activations without a rule anywhere, channel dropout, softmax over a feature map, global max
# pooling and BatchNorm on a flat input.
MISC = (
    "16x16x4 | conv 8 k3 p1 | selu | mish | hardswish | hardsigmoid | softplus | identity | dropout 0.2 2d "
    "| softmax | gmp | flatten | bn | fc 6 | relu | bn noaffine | fc 3"
)
# Small bundled nets that cover residual adds, concatenation, LRN, softmax and Tanh/AvgPool.
NETWORKS = ["lenet5", "alexnet-2012", "resnet18", "alphago-policy", COVERAGE, DECONV, MISC]
BATCHES = [1, 3]


def _setup(spec: str, batch: int):  # type: ignore[no-untyped-def]
    network = load_network(spec)
    report = analyse(network, batch=batch)
    model, shape = peer_tools.exported_model(network)
    return network, report, model, shape


def _per_layer(counted) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {r.facts.row.name: r.part.printed for r in counted.rows if r.facts.row.row_kind == "layer"}


def _check_layers(counted, measured: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    ours = _per_layer(counted)
    assert measured, "the tool reported no layer"
    assert set(measured) <= set(ours), set(measured) - set(ours)
    wrong = {name: (ours[name], value) for name, value in measured.items() if ours[name] != value}
    assert not wrong, f"{counted.preset.key}: (cnncalc, tool) per layer differ: {wrong}"


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("spec", NETWORKS)
def test_torchinfo(spec: str, batch: int) -> None:
    pytest.importorskip("torchinfo")
    network, report, model, shape = _setup(spec, batch)
    total, per = peer_tools.run_torchinfo(model, shape, batch)
    counted = count_as(report, network, "torchinfo")
    assert counted.total == total
    _check_layers(counted, per)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("spec", NETWORKS)
def test_fvcore(spec: str, batch: int) -> None:
    pytest.importorskip("fvcore")
    network, report, model, shape = _setup(spec, batch)
    total, per = peer_tools.run_fvcore(model, shape, batch)
    counted = count_as(report, network, "fvcore")
    assert counted.total == total
    _check_layers(counted, per)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("spec", NETWORKS)
def test_ptflops(spec: str, batch: int) -> None:
    pytest.importorskip("ptflops")
    network, report, model, shape = _setup(spec, batch)
    measured = peer_tools.run_ptflops(model, shape, batch)
    counted = count_as(report, network, "ptflops")
    assert counted.total == measured["total"]
    assert sum(r.part.printed for r in counted.rows) == measured["modules"]
    _check_layers(counted, peer_tools.run_ptflops_layers(model, shape, batch))


@pytest.mark.parametrize("spec", NETWORKS)
def test_ptflops_aten(spec: str) -> None:
    pytest.importorskip("ptflops")
    network, report, model, shape = _setup(spec, 1)
    measured = peer_tools.run_ptflops(model, shape, 1, backend="aten")
    assert count_as(report, network, "ptflops-aten").total == measured["total"]


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("spec", NETWORKS)
def test_thop(spec: str, batch: int) -> None:
    pytest.importorskip("thop", reason="thop imports distutils (Python < 3.12)")
    network, report, model, shape = _setup(spec, batch)
    total, per = peer_tools.run_thop(model, shape, batch)
    counted = count_as(report, network, "thop")
    assert counted.total == total
    _check_layers(counted, per)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("spec", NETWORKS)
def test_flop_counter(spec: str, batch: int) -> None:
    network, report, model, shape = _setup(spec, batch)
    total, per = peer_tools.run_flop_counter(model, shape, batch)
    counted = count_as(report, network, "flop-counter")
    assert counted.total == total
    _check_layers(counted, per)

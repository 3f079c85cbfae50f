"""Training-step FLOPs against torch's FlopCounterMode over ``loss.backward()`` on exported modules:
equal where its formulas are right, and exactly ``groups``× too large on the weight gradient of a
grouped or depthwise convolution (torch/utils/flop_counter.py, conv_backward_flop)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from cnncalc.analysis import analyse  # noqa: E402
from cnncalc.counting.training import GPUS, gpu, time_floor_ms, training_cost  # noqa: E402
from cnncalc.errors import UsageError  # noqa: E402
from cnncalc.parse import load_network  # noqa: E402
from tests import peer_tools  # noqa: E402

pytestmark = pytest.mark.torch

DEPTHWISE = "8x8x32 | conv 32 k3 p1 dw nobias | bn | relu6 | conv 16 k1 | conv 16 k3 g4 p1 | gap | fc 10"
TRANSPOSED = (
    "8x8x32 | conv 32 k3 p1 dw | deconv 8 k2 s2 g4 | relu | deconv 8 k3 s2 p1 op1 | deconv 4 k4 s2 p1 d2 g2"
)
NETWORKS = ["lenet5", "alexnet-2012-groups", "resnet18", "alphago-policy", DEPTHWISE, TRANSPOSED]


def _measured(spec: str, batch: int) -> tuple[object, int, dict[str, int]]:
    from torch.utils.flop_counter import FlopCounterMode

    network = load_network(spec)
    model, shape = peer_tools.exported_model(network)
    model.train()
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(batch, *shape)).sum().backward()
    top = type(model).__name__
    counts = counter.get_flop_counts()
    per = {
        name: int(sum(counts.get(f"{top}.{name}", {}).values()))
        for name in peer_tools._leaves(model).values()
    }
    return network, int(counter.get_total_flops()), per


@pytest.mark.parametrize("batch", [1, 2])
@pytest.mark.parametrize("spec", NETWORKS)
def test_training_step_equals_flop_counter_mode(spec: str, batch: int) -> None:
    network, total, per = _measured(spec, batch)
    cost = training_cost(analyse(network, batch=batch), network)
    assert cost.flop_counter_total == total
    ours = {r.facts.row.name: r.forward + r.flop_counter_backward for r in cost.rows}
    # FlopCounterMode's module tracker files the backward of a submodule registered as "0" (ResNet's
    # downsample.0) under every module of that name; its total is right, so those rows are left out.
    per = {name: value for name, value in per.items() if not name.rsplit(".", 1)[-1].isdigit()}
    wrong = {name: (ours[name], value) for name, value in per.items() if ours[name] != value}
    assert per and not wrong, wrong


def test_grouped_and_depthwise_weight_gradients_hand_check() -> None:
    """8×8×32, depthwise 3×3: 8·8·32·(32/32)·9 = 18,432 MACs, so the forward is 36,864 FLOPs and
    the weight gradient (one product per weight per output position) as many; the first layer has
    no input gradient. FlopCounterMode reports 32 × 36,864 for that weight gradient."""
    network = load_network(DEPTHWISE)
    cost = training_cost(analyse(network), network)
    first = cost.rows[0]
    assert (first.forward, first.grad_input, first.grad_weight) == (36_864, 0, 36_864)
    assert first.flop_counter_backward == 32 * 36_864
    grouped = next(r for r in cost.rows if r.groups == 4)
    assert grouped.grad_weight == grouped.forward == 2 * 8 * 8 * 16 * (16 // 4) * 9
    assert grouped.flop_counter_backward == grouped.forward + 4 * grouped.forward
    _, measured, _ = _measured(DEPTHWISE, 1)
    assert measured - cost.total == 31 * 36_864 + 3 * grouped.forward


def test_first_layer_needs_no_input_gradient() -> None:
    network = load_network("32x32x3 | conv 8 k3 | relu | conv 4 k3 | fc 10")
    cost = training_cost(analyse(network, batch=4), network)
    conv1, _, conv2, fc = cost.rows
    assert conv1.grad_input == 0 and conv1.grad_weight == conv1.forward
    assert conv2.grad_input == conv2.forward == conv2.grad_weight
    assert fc.backward == 2 * fc.forward
    assert cost.total == conv1.forward * 2 + conv2.forward * 3 + fc.forward * 3


def test_time_floor() -> None:
    h100 = gpu("h100-sxm")
    assert time_floor_ms(989_500_000_000, h100, "bf16") == pytest.approx(1.0)
    assert set(GPUS) >= {"h100-sxm", "a100-sxm", "t4"}
    with pytest.raises(UsageError, match="no published bf16 peak"):
        time_floor_ms(1, gpu("T4"), "bf16")
    with pytest.raises(UsageError, match="unknown GPU"):
        gpu("h300")

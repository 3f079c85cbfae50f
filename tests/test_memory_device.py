"""What the GPU holds beyond max_memory_allocated: the CUDA context and the caching allocator's
reserve (estimates, no GPU measurement), --fit leaving them free, and mixed-precision training."""

from __future__ import annotations

import json

import cnncalc
from cnncalc.memory import (
    CUDA_CONTEXT_ESTIMATE_BYTES,
    device_headroom,
    largest_batch,
    largest_batch_on_device,
    predict_amp_memory,
    predict_memory,
    segment_slack,
)
from tests.test_cli import run

MIB = 2**20
NET = "64x64x3 | conv 32 k3 p1 | bn | relu | maxpool 2 | conv 64 k3 p1 | relu | gap | fc 10"


def test_segment_slack_follows_the_allocator_segment_sizes() -> None:
    # c10/cuda/CUDACachingAllocator.cpp: ≤ 1 MiB from 2 MiB segments, ≤ 10 MiB from 20 MiB ones,
    # larger rounded up to 2 MiB.
    assert segment_slack([]) == 0
    assert segment_slack([512, 4096]) == 2 * MIB
    assert segment_slack([5 * MIB]) == 20 * MIB
    assert segment_slack([11 * MIB, 13 * MIB - 1]) == 1 * MIB + (1 * MIB + 1)
    assert segment_slack([100, 3 * MIB, 12 * MIB]) == 2 * MIB + 20 * MIB + 0


def test_fit_leaves_the_headroom_and_nothing_more() -> None:
    network = cnncalc.load(NET)
    budget = 2 * 2**30
    best = largest_batch_on_device(network, budget, train=True)
    assert best is not None and best < largest_batch(network, budget, train=True)  # type: ignore[operator]

    def needed(batch: int) -> int:
        total = predict_memory(network, batch=batch, train=True).total_bytes
        return total + device_headroom(network, batch=batch, train=True).total

    assert needed(best) <= budget < needed(best + 1)
    assert device_headroom(network, batch=1).cuda_context == CUDA_CONTEXT_ESTIMATE_BYTES


def test_mixed_precision_keeps_fp32_state_and_half_activations() -> None:
    network = cnncalc.load(NET)
    fp32 = predict_memory(network, batch=16, train=True)
    bf16 = predict_memory(network, batch=16, dtype="bf16", train=True)
    amp = predict_amp_memory(network, batch=16, amp="bf16")
    assert amp.term("parameters") == fp32.term("parameters")
    assert amp.term("optimizer_state") == fp32.term("optimizer_state")
    assert amp.term("saved_activations") == bf16.term("saved_activations")
    assert amp.term("autocast_weight_copies") > 0
    assert not amp.calibrated and "not measured" in amp.calibration
    assert bf16.total_bytes < amp.total_bytes < fp32.total_bytes + amp.term("autocast_weight_copies")


def test_memory_fit_json_names_the_headroom_as_estimates() -> None:
    result = run("memory", NET, "--train", "--fit", "1GiB", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    head = data["fit_headroom"]
    assert head["measured"] is False and head["cuda_context_bytes"] == CUDA_CONTEXT_ESTIMATE_BYTES
    assert data["total_bytes"] + head["headroom_bytes"] <= 2**30
    table = run("memory", NET, "--train", "--fit", "1GiB")
    assert "--fit left" in table.stdout and "not measured" in table.stdout


def test_amp_needs_train_and_prints_an_uncalibrated_estimate() -> None:
    assert run("memory", NET, "--amp", "bf16").returncode == 2
    result = run("memory", NET, "--train", "--amp", "fp16", "--batch", "8")
    assert result.returncode == 0, result.stderr
    assert "not calibrated" in result.stdout and "autocast weight copies" in result.stdout

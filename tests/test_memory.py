"""The GPU memory model (cnncalc.memory): named terms computed by hand for a small network,
optimizer state, allocator rounding, --fit, and the ``memory`` command. No torch needed.

What each layer saves for backward follows PyTorch's tools/autograd/derivatives.yaml (conv and
linear keep their input, ReLU its output, max pooling its input and int64 indices); allocations are
rounded up to the CUDA caching allocator's 512-byte blocks (c10/cuda/CUDACachingAllocator.cpp).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.errors import UsageError
from cnncalc.layers import registered_kinds
from cnncalc.memory import (
    CUBLAS_WORKSPACE_BYTES,
    CUBLASLT_WORKSPACE_BYTES,
    OPTIMIZERS,
    SAVED_FOR_BACKWARD,
    block_bytes,
    largest_batch,
    parse_bytes,
    predict_memory,
)

# 8×8×1 input, batch 4, fp32. Tensors (bytes, before rounding to 512):
#   x 8·8·1·4·4 = 1024 · conv out 2·8·8·4·4 = 2048 · relu out 2048 · pool out 2·4·4·4·4 = 512
#   pool indices 32·4·8 = 1024 (int64) · fc out 3·4·4 = 48 → 512
#   parameters: conv 18·4 = 72 → 512, its bias 8 → 512, fc 96·4 = 384 → 512, its bias 12 → 512
SMALL = "8x8x1 | conv 2 k3 p1 | relu | maxpool 2 | fc 3"


def test_small_network_training_terms_by_hand() -> None:
    """The tensors alone (workspaces=False: as on CPU)."""
    estimate = predict_memory(cnncalc.load(SMALL), batch=4, train=True, optimizer="sgd", workspaces=False)
    terms = {t.key: t.bytes for t in estimate.terms}
    assert terms["parameters"] == 4 * 512
    assert terms["buffers"] == 0
    # at relu: x (held by the caller) + conv out + relu out; at fc: x, relu out, indices, pool out, fc out
    assert terms["forward_peak"] == 1024 + 2048 + 2048 == 5120
    # saved: x (conv), relu out (relu, maxpool), indices, pool out (fc), plus the output
    assert terms["saved_activations"] == 1024 + 2048 + 1024 + 512 + 512
    # backward at relu: saved by conv and relu (x, relu out) + grad in/out 2048 each + fc's grads
    # + the loss scalar and its seed gradient (one block each)
    assert terms["backward_peak"] == 1024 + 2048 + 2048 + 2048 + 1024 + 2 * 512 == 9216
    assert terms["gradients"] == 2048
    assert terms["optimizer_state"] == terms["optimizer_step_temporaries"] == 0
    assert terms["optimizer_step_peak"] == 1024 + 2048
    assert terms["cublas_workspace"] == terms["cudnn_workspace"] == 0
    # unrounded: parameters 72 + 8 + 384 + 12 = 476; backward peak at relu: relu out 2048 + x 1024
    # + gradients out of and into relu 2048 + 2048 + fc's weight and bias gradients 384 + 12
    # + two 4-byte scalars = 7572
    assert terms["allocator_rounding"] == (2048 + 9216) - (476 + 7572)
    assert estimate.state_bytes == 2048
    assert estimate.peak_above_state == 9216
    assert estimate.total_bytes == 2048 + 9216


MIB = 2**20


def test_small_network_workspaces_by_hand() -> None:
    """The H100-calibrated workspaces (docs/gpu-results.md): the conv's cuDNN estimate, input +
    output + weights = 1024 + 2048 + 512, while it runs; from the fc on, cuBLAS 32 MiB + cuBLASLt
    1 MiB (an fc with bias), and in backward the autograd thread's own 32 MiB."""
    network = cnncalc.load(SMALL)
    inference = predict_memory(network, batch=4)
    terms = {t.key: t.bytes for t in inference.terms}
    assert terms["cudnn_workspace"] == 3584
    assert terms["cublas_workspace"] == CUBLAS_WORKSPACE_BYTES + CUBLASLT_WORKSPACE_BYTES == 33 * MIB
    # at the conv: x + out + workspace = 6656; at the fc: x, pool out, fc out and 33 MiB
    assert terms["forward_peak"] == max(1024 + 2048 + 3584, 33 * MIB + 1024 + 512 + 512)
    assert inference.peak_above_state == 33 * MIB + 2048
    training = predict_memory(network, batch=4, train=True, optimizer="sgd")
    terms = {t.key: t.bytes for t in training.terms}
    assert terms["cublas_workspace"] == 65 * MIB
    # backward at the conv: x, the loss and its seed, the conv's workspace, the gradient of its
    # output, all parameter gradients, 65 MiB of cuBLAS workspaces
    assert terms["backward_peak"] == 65 * MIB + 1024 + 1024 + 3584 + 2048 + 2048
    assert training.peak_above_state == terms["backward_peak"]
    # later steps: SGD keeps no state, and the workspaces were already there at the peak
    assert training.steady_peak_above_state == training.peak_above_state


def test_later_steps_keep_the_optimizer_state_through_forward_and_backward() -> None:
    """Adam: exp_avg and exp_avg_sq (2 × 2048 bytes) stay allocated from the second step on, and
    every cuBLAS workspace is there from the start; the first step allocates them in its step."""
    adam = predict_memory(cnncalc.load(SMALL), batch=4, train=True, optimizer="adam")
    # first step: backward at the conv (as above) — the state exists only during the step,
    # whose peak is input 1024 + gradients 2048 + state 4096 + sqrt temporaries 2048 + 65 MiB
    assert adam.term("optimizer_step_peak") == 65 * MIB + 1024 + 2048 + 4096 + 2048
    assert adam.peak_above_state == 65 * MIB + 9728
    assert adam.term("steady_state_peak") == adam.steady_peak_above_state == 65 * MIB + 9728 + 4096
    assert adam.total_bytes == adam.state_bytes + adam.steady_peak_above_state
    assert predict_memory(cnncalc.load(SMALL), batch=4).steady_peak_above_state is None
    assert (
        predict_memory(cnncalc.load(SMALL), batch=4, train=True, optimizer="sgd", workspaces=False).term(
            "forward_peak"
        )
        == 5120
    )


def test_small_network_inference_terms_by_hand() -> None:
    estimate = predict_memory(cnncalc.load(SMALL), batch=4, workspaces=False)
    terms = {t.key: t.bytes for t in estimate.terms}
    assert "gradients" not in terms and estimate.optimizer is None
    # relu: x + conv out + relu out; maxpool: x + relu out + pool out + indices (CUDA computes them)
    assert terms["forward_peak"] == max(1024 + 2048 + 2048, 1024 + 2048 + 512 + 1024) == 5120


@pytest.mark.parametrize(
    ("optimizer", "state", "temporaries"),
    [("sgd", 0, 0), ("momentum", 1, 0), ("adam", 2, 1), ("adamw", 2, 1)],
)
def test_optimizer_state_is_a_multiple_of_the_parameters(
    optimizer: str, state: int, temporaries: int
) -> None:
    network = cnncalc.load("32x32x3 | conv 64 k3 p1 | relu | gap | fc 100")
    estimate = predict_memory(network, batch=2, train=True, optimizer=optimizer)
    params = estimate.term("parameters")
    assert estimate.term("optimizer_state") == state * params
    assert estimate.term("optimizer_step_temporaries") == temporaries * params


def test_half_precision_halves_large_tensors() -> None:
    network = cnncalc.load("64x64x16 | conv 64 k3 p1 | relu | conv 64 k3 p1")
    fp32 = predict_memory(network, batch=8, train=True, dtype="fp32")
    fp16 = predict_memory(network, batch=8, train=True, dtype="bf16")
    assert fp16.term("saved_activations") * 2 == fp32.term("saved_activations")


def test_batchnorm_buffers_and_saved_statistics() -> None:
    network = cnncalc.load("8x8x16 | bn")
    estimate = predict_memory(network, train=True)
    # running mean and var: 16·4 = 64 B → 512 each; the int64 counter → 512
    assert estimate.term("buffers") == 3 * 512
    # saved: the input (8·8·16·4 = 4096) and fp32 mean and inverse std (16·4 = 64 → 512 each)
    assert estimate.term("saved_activations") == 4096 + 2 * 512 + 4096  # and the output


def test_identity_residual_and_concat_keep_their_input_alive() -> None:
    one = 16 * 16 * 8 * 4  # one 16×16×8 fp32 map
    residual = predict_memory(cnncalc.load("16x16x8 | { conv 8 k3 p1 }"), workspaces=False)
    # at the add: caller's x (also the identity) + conv out + the sum
    assert residual.term("forward_peak") == 3 * one
    concat = predict_memory(cnncalc.load("16x16x8 | [ conv 8 k1 ; conv 8 k1 ]"), workspaces=False)
    # at the cat: x + two branch outputs + the 16-channel result
    assert concat.term("forward_peak") == one + 2 * one + 2 * one


@pytest.mark.parametrize(("nbytes", "blocks"), [(0, 0), (1, 512), (512, 512), (513, 1024), (10**6, 1000448)])
def test_allocator_rounds_to_512_byte_blocks(nbytes: int, blocks: int) -> None:
    assert block_bytes(nbytes) == blocks


def test_every_layer_kind_says_what_it_saves() -> None:
    """A new layer kind must decide what autograd keeps for it."""
    for kind in registered_kinds():
        for value in kind.types:
            assert value in SAVED_FOR_BACKWARD, f"{value}: add it to SAVED_FOR_BACKWARD"


def test_optimizers_map_to_torch_classes() -> None:
    assert {o.torch_class for o in OPTIMIZERS.values()} == {"SGD", "Adam", "AdamW"}
    assert OPTIMIZERS["momentum"].torch_kwargs == {"momentum": 0.9}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("24GiB", 24 * 2**30),
        ("16GB", 16 * 10**9),
        ("512MiB", 512 * 2**20),
        ("1.5 GiB", 3 * 2**29),
        ("800B", 800),
    ],
)
def test_parse_bytes(text: str, value: int) -> None:
    assert parse_bytes(text) == value


@pytest.mark.parametrize("text", ["24 gigs", "", "GiB", "-1GB"])
def test_parse_bytes_rejects_nonsense(text: str) -> None:
    with pytest.raises(UsageError, match="is not a memory size"):
        parse_bytes(text)


def test_largest_batch_is_the_last_that_fits() -> None:
    network = cnncalc.load("64x64x3 | conv 32 k3 p1 | relu | maxpool 2 | conv 64 k3 p1 | relu | gap | fc 10")
    budget = 2 * 2**30
    best = largest_batch(network, budget, train=True, optimizer="adam")
    assert best is not None and best > 1

    def total(batch: int) -> int:
        return predict_memory(network, batch=batch, train=True, optimizer="adam").total_bytes

    assert total(best) <= budget < total(best + 1)
    assert largest_batch(network, 1000, train=True) is None


def test_memory_command_breaks_it_down_and_fits() -> None:
    from cnncalc.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, ["memory", SMALL, "--batch", "4", "--train", "--optimizer", "sgd"])
    assert result.exit_code == 0, result.output
    for label in (
        "parameters",
        "saved activations",
        "backward peak",
        "optimizer state",
        "Calibrated on H100",
    ):
        assert label in result.output
    result = runner.invoke(cli, ["memory", SMALL, "--train", "--fit", "1GiB", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["fit"]["budget_bytes"] == 2**30
    assert data["batch"] == data["fit"]["largest_batch"]
    assert data["total_bytes"] <= 2**30


def test_fit_exits_1_when_nothing_fits_and_2_for_a_zero_budget() -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "cnncalc", "memory", SMALL, *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    nothing = run("--train", "--fit", "1KiB", "--json")
    assert nothing.returncode == 1, nothing.stderr
    assert json.loads(nothing.stdout)["fit"] == {"budget_bytes": 1024, "largest_batch": None}
    zero = run("--fit", "0GiB")
    assert zero.returncode == 2
    assert zero.stderr.splitlines()[0] == "error: --fit 0GiB: the memory size must be more than 0"


def test_fit_accounts_for_the_optimizer_state_of_later_steps() -> None:
    """Adam keeps two copies of the parameters from the first step on: less fits than with SGD."""
    network = cnncalc.load("vgg16")
    budget = 24 * 2**30
    sgd = largest_batch(network, budget, train=True, optimizer="sgd")
    adam = largest_batch(network, budget, train=True, optimizer="adam")
    assert sgd is not None and adam is not None and adam < sgd


def test_memory_model_runs_without_torch() -> None:
    code = (
        "import sys\n"
        "class _NoTorch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch' or name.startswith('torch.'):\n"
        "            raise ImportError('blocked')\n"
        "sys.meta_path.insert(0, _NoTorch())\n"
        "import cnncalc\n"
        "from cnncalc.memory import predict_memory\n"
        f"print(predict_memory(cnncalc.load({SMALL!r}), batch=4).peak_above_state)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == str(33 * MIB + 2048), result.stderr

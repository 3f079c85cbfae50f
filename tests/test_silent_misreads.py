"""Never silently wrong (issue 14): inputs that were misread with exit 0, or crashed, now give the
right answer or one clear error with exit 2. CLI behaviours go through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnncalc.render.numbers import mebibytes, megabytes, scaled, si
from cnncalc.shapes import order_doubt
from tests.test_cli import run

ALEXNET_CONV1 = "227x227x3 | conv 96 k11 s4 p0"  # the slides: 227 → (227 − 11)/4 + 1 = 55


def summary_json(*args: str) -> dict:
    result = run("summary", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def refused(*args: str, env: dict[str, str] | None = None) -> str:
    """Run a command that must be refused: exit 2 and one clear message (no traceback)."""
    result = run(*args, env=env)
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    return result.stderr


# -- the slides' letters K, F, S, P ----------------------------------------------------------------
@pytest.mark.parametrize(
    "layers",
    ["conv K96 F11 S4 P0", "conv K=96 F=11 S=4 P=0", "conv F11 K96 s4", "conv 96 F11 S4"],
)
def test_slides_letters_K_filters_F_size_give_alexnet_55x55x96(layers: str) -> None:
    report = summary_json(f"227x227x3 | {layers}")
    reference = summary_json(ALEXNET_CONV1)
    conv = report["layers"][0]
    assert conv["output_shape"]["hwc"] == "55×55×96"
    assert conv["params"] == (11 * 11 * 3 + 1) * 96 == reference["layers"][0]["params"]
    assert conv["macs"] == reference["layers"][0]["macs"]


def test_slides_letter_F_is_the_pooling_window() -> None:
    report = summary_json("55x55x96 | maxpool F3 S2")
    assert report["layers"][0]["output_shape"]["hwc"] == "27×27×96"  # (55 − 3)/2 + 1 = 27


def test_conv_calculator_takes_the_slides_letters_as_options() -> None:
    result = run("conv", "227x227x3", "-K", "96", "-F", "11", "-s", "4")
    assert result.returncode == 0, result.stderr
    assert "227×227×3 → 55×55×96" in result.stdout and "= 34,944" in result.stdout
    pool = run("pool", "55x55x96", "-F", "3", "-s", "2")
    assert pool.returncode == 0 and "55×55×96 → 27×27×96" in pool.stdout


def test_capital_K_after_the_filters_is_refused_with_what_the_letters_mean() -> None:
    message = refused("summary", "227x227x3 | conv 96 K11 s4")
    assert "'filters' is given twice" in message
    assert "K = filters, F = kernel" in message and "k = kernel" in message


# -- --order governs every size a user types ----------------------------------------------------
def test_order_chw_reads_the_one_line_input_as_chw() -> None:
    report = summary_json("3x224x224 | conv 8 k3", "--order", "chw")
    assert report["input"]["hwc"] == "224×224×3"
    assert report["layers"][0]["params"] == (3 * 3 * 3 + 1) * 8


@pytest.mark.parametrize("command", ["export", "memory"])
def test_order_chw_reads_the_input_of_export_and_memory(command: str) -> None:
    result = run(command, "resnet18", "--input", "3x64x48", "--order", "chw")
    assert result.returncode == 0, result.stderr
    if command == "export":
        assert "INPUT_SHAPE = (3, 64, 48)" in result.stdout


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (("summary", "resnet50", "--input", "3x224x224"), "224x224x3"),
        (("memory", "resnet50", "--input", "3x224x224"), "224x224x3"),
        (("export", "resnet50", "--input", "3x224x224"), "224x224x3"),
        (("compare", "resnet18", "vgg11", "--input", "1x28x28"), "28x28x1"),
        (("summary", "3x224x224 | conv 3 k3"), "224x224x3"),
        (("explain", "512x7x7 | fc 10"), "7x7x512"),
        (("summary", "resnet50", "--input", "224x224x3", "--order", "chw"), "3x224x224"),
        (("summary", "224x224x3 | conv 3 k3", "--order", "chw"), "3x224x224"),
        (("conv", "3x224x224", "-k", "3"), "224x224x3"),
    ],
)
def test_input_whose_channels_look_spatial_is_refused(args: tuple[str, ...], suggestion: str) -> None:
    message = refused(*args)
    assert f"it is {suggestion}" in message
    assert "channels" in message


def test_answers_file_network_input_is_questioned_too(tmp_path: Path) -> None:
    answers = tmp_path / "chw.yaml"
    answers.write_text('network: "3x32x32 | conv 4 k3"\norder: chw\nanswers:\n  conv1: {params: 112}\n')
    assert "it is 32x32x3" in refused("check", str(answers))


# Real inputs from the slides and the bundled specs: never questioned.
@pytest.mark.parametrize(
    "size", ["227x227x3", "224x224x3", "32x32x3", "28x28x1", "56x56x64", "13x13x256", "7x7x512", "1x1x2048"]
)
def test_real_hwc_inputs_are_not_questioned(size: str) -> None:
    assert order_doubt(size, "hwc") is None
    c, h, w = size.split("x")[2], *size.split("x")[:2]
    assert order_doubt(f"{c}x{h}x{w}", "chw") is None


@given(side=st.integers(5, 4096), channels=st.integers(1, 4096))
def test_a_square_image_typed_in_the_other_order_is_questioned(side: int, channels: int) -> None:
    hwc, chw = f"{side}x{side}x{channels}", f"{channels}x{side}x{side}"
    assert order_doubt(hwc, "hwc") is None and order_doubt(chw, "chw") is None
    if channels != side:
        assert order_doubt(chw, "hwc") == hwc
        assert order_doubt(hwc, "chw") == chw


# -- layers and options PyTorch or common sense refuses ----------------------------------------------
def test_lrn_on_a_flat_vector_is_refused() -> None:
    message = refused("summary", "4x4x3 | flatten | lrn")
    assert "flat vector of 48" in message


@pytest.mark.torch
def test_torch_also_refuses_lrn_on_a_flat_vector() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        torch.nn.LocalResponseNorm(5)(torch.randn(2, 48))


@pytest.mark.parametrize("command", ["summary", "verify", "explain"])
def test_batchnorm_without_running_stats_at_batch_1_is_refused_as_torch_does(command: str) -> None:
    message = refused(command, "1x1x10 | bn track_running_stats=false")
    assert "one value per channel" in message and "batch 1" in message
    assert run("summary", "1x1x10 | bn track_running_stats=false", "--batch", "2").returncode == 0
    assert run("summary", "2x2x10 | bn track_running_stats=false").returncode == 0  # 4 values/channel


@pytest.mark.torch
def test_torch_refuses_batchnorm_without_running_stats_at_batch_1() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        torch.nn.BatchNorm1d(10, track_running_stats=False).eval()(torch.randn(1, 10))
    torch.nn.BatchNorm1d(10).eval()(torch.randn(1, 10))  # running statistics: fine in eval


def test_training_batchnorm_on_one_value_per_channel_needs_batch_2() -> None:
    message = refused("memory", "4x4x3 | flatten | bn", "--train")
    assert "in training" in message
    fit = run("memory", "4x4x3 | flatten | bn", "--train", "--fit", "1GB", "--json")
    assert fit.returncode == 0, fit.stderr
    assert json.loads(fit.stdout)["fit"]["largest_batch"] >= 2


@pytest.mark.torch
def test_verify_reports_a_torch_refusal_as_a_mismatch_never_an_internal_error() -> None:
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    from cnncalc.errors import TorchMismatch
    from cnncalc.torch_bridge.verification import _run_hooked

    class Refuses(torch.nn.Module):
        def forward(self, x: object) -> object:
            raise ValueError("Expected more than 1 value per channel when training")

    with pytest.raises(TorchMismatch) as caught:
        _run_hooked(Refuses(), {}, torch.randn(1, 3), "cpu", "fp32", FlopCounterMode)
    assert caught.value.exit_code == 1
    assert "PyTorch refused the network" in caught.value.message and "ValueError" in caught.value.message


@pytest.mark.parametrize("inputs", ["0", "000"])
def test_fc_with_zero_inputs_is_refused(inputs: str) -> None:
    assert "at least 1 input" in refused("fc", inputs, "10")


def test_layers_usage_of_relu_takes_no_value() -> None:
    from cnncalc.layers import lookup
    from cnncalc.parse.oneline import _usage

    result = run("layers", env={"COLUMNS": "400"})
    assert result.returncode == 0
    assert "relu NEGATIVE_SLOPE" not in result.stdout
    assert "leakyrelu [NEGATIVE_SLOPE=0.01]" in result.stdout
    assert _usage(lookup("relu")).startswith("usage: relu (or any name in the list, alone)")
    assert _usage(lookup("maxpool")).startswith("usage: maxpool [KERNEL] [STRIDE]")  # optional: brackets


def test_explain_layer_typo_is_refused_not_dropped() -> None:
    message = refused("explain", "32x32x3 | conv 10 k5 | relu", "--layer", "conv1", "--layer", "nosuch")
    assert "--layer nosuch" in message and "conv1" in message
    assert "did you mean 'conv1'" in refused("explain", "32x32x3 | conv 10 k5", "--layer", "conv2")


@pytest.mark.parametrize(
    "args",
    [
        ("memory", "resnet18", "--optimizer", "sgd"),
        ("verify", "4x4x1 | conv 1 k3", "--optimizer", "sgd"),
    ],
)
def test_optimizer_that_would_be_ignored_is_refused(args: tuple[str, ...]) -> None:
    assert "--optimizer sgd counts only" in refused(*args)


def test_optimizer_with_train_is_used() -> None:
    sgd = run("memory", "resnet18", "--train", "--optimizer", "sgd", "--json")
    adam = run("memory", "resnet18", "--train", "--optimizer", "adam", "--json")
    assert sgd.returncode == adam.returncode == 0
    assert json.loads(sgd.stdout)["optimizer"] == "sgd" and json.loads(adam.stdout)["optimizer"] == "adam"


def test_fit_without_a_unit_is_refused_not_read_as_bytes() -> None:
    assert "'24' has no unit" in refused("memory", "resnet18", "--fit", "24")
    fit = run("memory", "resnet18", "--fit", "24GiB", "--json")
    assert fit.returncode == 0 and json.loads(fit.stdout)["fit"]["budget_bytes"] == 24 * 2**30


# -- sizes past the limit, and huge exact numbers -----------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ("summary", "99999999999999x99999999999999x3 | conv 3 k3"),
        ("summary", "1000000000001x1x1 | relu"),
        ("summary", "vgg16", "--input", "224x224x1000000000001"),
    ],
)
def test_sizes_past_the_documented_limit_are_refused(args: tuple[str, ...]) -> None:
    message = refused(*args)
    assert "over the limit of 1,000,000,000,000" in message and "10^12" in message


def test_huge_exact_numbers_print_exactly_with_units_above_tera() -> None:
    side = 10**12 - 1  # the largest size allowed
    result = run("summary", f"{side}x{side}x3 | conv 3 k3")
    assert result.returncode == 0, result.stderr
    out = (side - 2) ** 2 * 3
    macs = out * 3 * 3 * 3
    activation_bytes = (side * side * 3 + out) * 4
    assert f"{macs:,}" in result.stdout  # the exact count, every digit
    assert si(macs) in result.stdout and si(macs).endswith(" Y")
    assert megabytes(activation_bytes) == "24.00 YB" and megabytes(activation_bytes) in result.stdout
    assert "e+" not in result.stdout and "T " not in result.stdout.split("MACs per sample")[1][:80]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (809999999999951360 * 1000, "810.00 E"),  # the float artefact of the issue, now exact
        (15_470_264_320, "15.47 G"),
        (1_234_567_890_123_456, "1.23 P"),
        (10**35, "100,000.00 Q"),  # beyond the last unit the number grows, exactly
        (999, "999"),
        (1_005, "1.00 K"),  # rounded half to even, as Python formats an exact float
        (1_015, "1.02 K"),
        (6_422_528, "6.42 M"),
    ],
)
def test_si_prefixes_are_exact(value: int, text: str) -> None:
    assert si(value) == text


def test_byte_units_go_past_gigabytes_exactly() -> None:
    assert megabytes(239_999_999_999_990_398_976 * 10**9) == "240.00 RB"
    assert megabytes(5 * 10**12) == "5.00 TB" and megabytes(60_950_000) == "60.95 MB"
    assert mebibytes(3 * 2**50) == "3.00 PiB" and mebibytes(58_130_000) == "55.44 MiB"
    assert scaled(2**200, 10**30) == f"{2**200 * 100 // 10**30 // 100:,}.{2**200 * 100 // 10**30 % 100:02d}"


# -- check ----------------------------------------------------------------------------------------
def test_check_with_no_answers_is_not_a_pass(tmp_path: Path) -> None:
    answers = tmp_path / "empty.yaml"
    answers.write_text('network: "32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10"\nanswers: {}\n')
    assert "answers nothing" in refused("check", str(answers))
    as_json = run("check", str(answers), "--json")
    assert as_json.returncode == 2 and json.loads(as_json.stdout)["error"] == "spec_error"


def test_check_biases_false_shows_the_working_without_biases(tmp_path: Path) -> None:
    answers = tmp_path / "weights.yaml"
    answers.write_text(
        'network: "8x8x64 | conv 64 k3 p1 | flatten | fc 10"\nbiases: false\n'
        "answers:\n  conv1: {params: 36928}\n  fc1: {params: 40970}\ntotals: {params: 1}\n"
    )
    result = run("check", str(answers))
    assert result.returncode == 1
    out = result.stdout
    assert "F×F×C×K = 3×3×64×64 = 36,864" in out and "(3×3×64 + 1)×64" not in out
    assert "in×out = 4096×10 = 40,960" in out and "4096×10 + 10" not in out
    assert "total parameters (weights, no biases): Σ = 36864 + 40960 = 77,824" in out


# -- crashes ----------------------------------------------------------------------------------------
EVERY_COMMAND = [
    ("summary", "7x7x1 | conv 1 k3 s3"),  # a warning on stderr too
    ("summary", "vgg16", "--format", "markdown"),
    ("list",),
    ("layers",),
    ("schema", "report"),
    ("compare", "resnet18", "vgg11"),
    ("explain", "32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10"),
    ("conv", "32x32x3", "-K", "10", "-k", "5", "-p", "2"),
    ("pool", "55x55x96", "-k", "3", "-s", "2"),
    ("fc", "9216", "4096"),
    ("same", "-k", "5"),
    ("solve", "227", "55", "-k", "11", "-p", "0"),
    ("apply", "conv", "1 2; 3 4", "-w", "1 0; 0 1", "--show", "0,0"),
    ("quiz", "--seed", "3", "--key"),
    ("export", "32x32x3 | conv 4 k3"),
    ("memory", "resnet18", "--train"),
    ("--lang", "pt", "explain", "7x7x1 | conv 1 k3 s3"),
    ("summary", "--help"),
    ("summary", "nosuch"),  # an error message
]


def _run_bytes(args: tuple[str, ...], encoding: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "COLUMNS": "100", "PYTHONIOENCODING": encoding}
    env.pop("CNNCALC_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "cnncalc", *args], capture_output=True, env=env, timeout=60)


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
@pytest.mark.parametrize("args", EVERY_COMMAND, ids=lambda a: " ".join(a)[:40])
def test_output_degrades_on_a_console_without_unicode(args: tuple[str, ...], encoding: str) -> None:
    result = _run_bytes(args, encoding)
    err = result.stderr.decode(encoding)
    assert result.returncode == (2 if args[-1] == "nosuch" else 0), err
    assert "internal error" not in err and "UnicodeEncodeError" not in err
    out = result.stdout.decode(encoding)  # every byte is in the console's encoding
    if encoding == "ascii":
        assert "×" not in out and "−" not in out


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_formulas_and_marks_degrade_readably(encoding: str, tmp_path: Path) -> None:
    explain = _run_bytes(("explain", "32x32x3 | conv 10 k5 s1 p2"), encoding).stdout.decode(encoding)
    x = "×" if encoding == "cp1252" else "x"  # cp1252 has ×, not − or →
    assert f"(N + 2P - F)/S + 1 = (32 + 2{x}2 - 5)/1 + 1 = 32" in explain
    assert "C' = K = 10" in explain and f"32{x}32{x}3 -> 32{x}32{x}10" in explain
    answers = tmp_path / "a.yaml"
    answers.write_text('network: "32x32x3 | conv 10 k5 s1 p2"\nanswers:\n  conv1: {params: 760, macs: 1}\n')
    check = _run_bytes(("check", str(answers)), encoding)
    assert check.returncode == 1
    assert check.stdout.decode(encoding).startswith("OK 1 conv1")
    assert "\nX 1 conv1" in check.stdout.decode(encoding)


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_json_output_keeps_its_exact_strings_on_a_console_without_unicode(encoding: str) -> None:
    result = _run_bytes(("summary", "32x32x3 | conv 10 k5", "--json"), encoding)
    assert result.returncode == 0
    report = json.loads(result.stdout.decode(encoding))
    assert report["layers"][0]["output_shape"]["hwc"] == "28×28×10"  # escaped, not turned into x
    schema = _run_bytes(("schema", "report"), encoding)
    assert json.loads(schema.stdout.decode(encoding)) == json.loads(run("schema", "report").stdout)


@pytest.mark.parametrize(
    ("text", "ascii_text"),
    [
        ("(N + 2P − F)/S + 1 = 2.33 → 2", "(N + 2P - F)/S + 1 = 2.33 -> 2"),
        ("✓ 1 conv1 · parâmetros", "OK 1 conv1 * parametros"),
        ("⌊(7 − 3)/3⌋ + 1", "floor((7 - 3)/3) + 1"),
        ("at most 10¹²; C′ = K; ≈ 60 MB", "at most 10^12; C' = K; ~ 60 MB"),
        ("não cabe", "nao cabe"),
        ("─│", "-|"),
    ],
)
def test_plain_text_of_the_characters_cnncalc_prints(text: str, ascii_text: str) -> None:
    from cnncalc.cli.plaintext import plain

    assert plain(text) == ascii_text


def test_output_degrades_to_ascii_in_portuguese_too() -> None:
    result = _run_bytes(("--lang", "pt", "summary", "7x7x1 | conv 1 k3 s3"), "ascii")
    assert result.returncode == 0
    assert "nao cabe" in result.stderr.decode("ascii")


# -- a leading minus sign --------------------------------------------------------------------------
def test_matrix_starting_with_a_minus_sign_is_read_as_the_matrix() -> None:
    result = run("apply", "conv", "-1 0; 0 1", "-w", "1 0; 0 1", "-b", "-1", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["output"] == [[[-1]]]  # (−1·1 + 1·1) − 1
    negative_filter = run("apply", "conv", "1 2; 3 4", "-w", "-1 0; 0 1", "--format", "json")
    assert json.loads(negative_filter.stdout)["output"] == [[[3]]]
    after_dashes = run("apply", "conv", "-w", "1 0; 0 1", "--format", "json", "--", "-1 0; 0 1")
    assert json.loads(after_dashes.stdout)["output"] == [[[0]]]


def test_spec_starting_with_a_minus_sign_gets_a_clear_error() -> None:
    message = refused("summary", "-5x32x3 | conv 3 k3")
    assert "'-5x32x3' has a negative number" in message


def test_unknown_option_says_how_to_pass_a_value_with_a_minus_sign() -> None:
    assert "'--'" in refused("summary", "-z", "vgg16")

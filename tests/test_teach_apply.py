"""Convolution and pooling by hand: exact values, cross-checked with PyTorch, and the CLI."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import cli
from cnncalc.i18n import set_language
from cnncalc.teach import apply


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    set_language("en")
    yield
    set_language("en")


def _random_volume(rng: random.Random, c: int, h: int, w: int) -> apply.Volume:
    return tuple(
        tuple(tuple(Fraction(rng.randint(-6, 6), rng.choice((1, 2, 4))) for _ in range(w)) for _ in range(h))
        for _ in range(c)
    )


@pytest.mark.torch
@pytest.mark.parametrize("seed", range(6))
def test_convolution_and_pooling_agree_with_pytorch(seed: int) -> None:
    torch = pytest.importorskip("torch")
    rng = random.Random(seed)
    c, h, w, k, f = (
        rng.randint(1, 3),
        rng.randint(4, 9),
        rng.randint(4, 9),
        rng.choice((1, 2, 3)),
        rng.randint(1, 3),
    )
    stride, padding = rng.choice((1, 2, 3)), rng.randint(0, 2)
    volume = _random_volume(rng, c, h, w)
    filters = [_random_volume(rng, c, k, k) for _ in range(f)]
    biases = [Fraction(rng.randint(-4, 4), 2) for _ in range(f)]
    ours = apply.convolve(volume, filters, stride=stride, padding=padding, bias=biases)
    x = torch.tensor(apply.as_numbers(volume), dtype=torch.float64).unsqueeze(0)
    weight = torch.tensor([apply.as_numbers(flt) for flt in filters], dtype=torch.float64)
    bias = torch.tensor([float(b) for b in biases], dtype=torch.float64)
    expected = torch.nn.functional.conv2d(x, weight, bias, stride=stride, padding=padding)[0]
    assert apply.as_numbers(ours.output) == expected.tolist()
    for kind, ceil in (("max", False), ("avg", False), ("max", True), ("avg", True)):
        kp = min(2, h, w)
        pad = rng.randint(0, kp // 2)
        pooled = apply.pool(volume, kind, kernel=kp, stride=rng.choice((1, 2)), padding=pad, ceil_mode=ceil)  # type: ignore[arg-type]
        fn = torch.nn.functional.max_pool2d if kind == "max" else torch.nn.functional.avg_pool2d
        reference = fn(x, kp, stride=pooled.stride, padding=pad, ceil_mode=ceil)[0]
        assert list(reference.shape) == [c, len(pooled.output[0]), len(pooled.output[0][0])], (kind, ceil)
        flat = [v for m in apply.as_numbers(pooled.output) for r in m for v in r]
        assert flat == pytest.approx(reference.flatten().tolist()), (kind, ceil)


def test_output_sizes_come_from_the_engine() -> None:
    volume = apply.parse_volume("; ".join(" ".join("1" for _ in range(7)) for _ in range(7)))
    result = apply.convolve(volume, [apply.parse_volume("1 1 1; 1 1 1; 1 1 1")], stride=3)
    engine = cnncalc.analyse(cnncalc.load("7x7x1 | conv 1 k3 s3")).layers[0]
    assert (len(result.output[0]), len(result.output[0][0])) == (
        engine.output_shape.height,
        engine.output_shape.width,
    )
    assert result.warnings and "2.33" in result.warnings[0]  # não cabe


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 2; 3", "rows of different lengths"),
        ("1 2; 3 x", "'x' is not a number"),
        ("1 2; 3 4 | 1 2 3; 4 5 6", "the channels differ in size"),
    ],
)
def test_bad_matrices(text: str, message: str) -> None:
    with pytest.raises(cnncalc.UsageError, match=message):
        apply.parse_volume(text)


def test_filter_depth_must_match_the_input() -> None:
    with pytest.raises(cnncalc.ShapeError, match="filter has depth 1 but the input has 3 channels"):
        apply.convolve(apply.parse_volume("1|2|3"), [apply.parse_volume("1")])


def test_numbers_print_exactly() -> None:
    assert [apply.number_text(Fraction(n, d)) for n, d in ((3, 1), (-3, 2), (1, 4), (1, 3))] == [
        "3",
        "-1.5",
        "0.25",
        "1/3",
    ]


def test_apply_cli_conv_with_the_dot_product(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # 003 (USP) 7×7 example, input from a file, the filter inline; cell (0, 1) term by term.
    image = tmp_path / "input.txt"
    image.write_text(
        "2 2 2 2 3 3 3\n1 0 1 1 1 1 0\n1 1 3 3 0 0 0\n1 1 3 2 0 0 3\n1 1 3 2 0 0 3\n1 3 3 2 0 0 3\n3 3 3 2 0 0 3\n"
    )
    result = CliRunner().invoke(
        cli, ["apply", "conv", f"@{image}", "-w", "-1 0.5 1; -1 0 0; 0 0 0.5", "-p", "1", "--show", "0,1"]
    )
    assert result.exit_code == 0, result.output
    assert "Output volume 7×7×1:" in result.output
    assert "     0  -1.5  -1.5  -1.5  -1.5    -3    -3\n" in result.output
    assert "output[0, 1] of filter 1 = Σ x·w + b" in result.output
    assert "= -1.5\n" in result.output


def test_apply_cli_pooling_in_portuguese() -> None:
    result = CliRunner().invoke(
        cli, ["apply", "avgpool", "2 3 2 5; 5 6 9 8; 3 2 1 2; 1 2 0 1", "--show", "0,1", "--lang", "pt"]
    )
    assert result.exit_code == 0, result.output
    assert "average pooling 2×2, stride 2 sobre 4×4×1" in result.output
    assert "Volume de saída 2×2×1:" in result.output
    assert "saída[0, 1] do canal 1 = (2 + 5 + 9 + 8)/4 = 6" in result.output


def test_apply_cli_json() -> None:
    result = CliRunner().invoke(cli, ["apply", "maxpool", "1 1 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4", "-f", "json"])
    assert result.output.strip() == '{"output": [[[6, 8], [3, 4]]], "warnings": []}'

"""The expression helpers of block arguments (``make_divisible``, ``round_to_multiple_of``, ``ceil``,
``min``/``max``, decimal multipliers) against the integers torchvision's own functions give.

The reference tables are ``tests/data/torchvision_multipliers.json``, written by
``scripts/torchvision_multipliers.py`` from torchvision 0.29.1 (its ``_make_divisible``,
EfficientNet's ``adjust_channels``/``adjust_depth``/``_efficientnet_conf``, MobileNetV3's
``adjust_channels`` and MNASNet's ``_round_to_multiple_of``/``_get_depths``), not from a copy of the
formulas.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import cnncalc
from cnncalc.errors import CnncalcError, SpecError
from cnncalc.parse import parse_spec_text
from cnncalc.parse.expr import evaluate
from tests.test_cli import run

REFERENCE = json.loads((Path(__file__).parent / "data" / "torchvision_multipliers.json").read_text())
BASES: list[int] = REFERENCE["bases"]


def _table(key: str, expression: str, env_key: str) -> list[tuple[str, dict[str, Any], int]]:
    """(expression, arguments, torchvision's value) for every row of one reference table."""
    cases = []
    for multiplier, values in REFERENCE[key].items():
        for base, expected in zip(BASES, values, strict=True):
            cases.append((expression, {"c": base, env_key: float(multiplier)}, expected))
    return cases


TABLES = {
    # efficientnet.py: _make_divisible(channels * width_mult, 8, min_value)
    "efficientnet_adjust_channels": ("make_divisible(c * w, 8)", "w"),
    "efficientnet_adjust_channels_min": ("make_divisible(c * w, 8, 16)", "w"),
    # mobilenetv3.py: _make_divisible(channels * width_mult, 8)
    "mobilenetv3_adjust_channels": ("make_divisible(c * w, 8)", "w"),
    # mnasnet.py: _round_to_multiple_of(depth * alpha, 8)
    "mnasnet_round_to_multiple_of": ("round_to_multiple_of(c * a, 8)", "a"),
}


@pytest.mark.parametrize("table", list(TABLES))
def test_channel_tables_equal_torchvision(table: str) -> None:
    expression, env_key = TABLES[table]
    cases = _table(table, expression, env_key)
    assert len(cases) >= len(BASES) * 3
    wrong = [(env, expected, evaluate(expression, env)) for _, env, expected in cases]
    wrong = [w for w in wrong if w[1] != w[2]]
    assert not wrong, f"{len(wrong)} of {len(cases)} differ, e.g. {wrong[:3]}"


def test_make_divisible_with_each_divisor_equals_torchvision() -> None:
    for divisor, values in REFERENCE["make_divisible_divisors"].items():
        got = [evaluate(f"make_divisible(c * 1.0, {divisor})", {"c": c}) for c in BASES]
        assert got == values, divisor


def test_efficientnet_depths_equal_torchvision() -> None:
    # efficientnet.py: int(math.ceil(num_layers * depth_mult))
    for depth, values in REFERENCE["efficientnet_adjust_depth"].items():
        assert [evaluate("ceil(n * d)", {"n": n, "d": float(depth)}) for n in range(1, 17)] == values


def test_efficientnet_b0_to_b7_stages_equal_torchvision() -> None:
    models = REFERENCE["efficientnet_models"]
    base = models["efficientnet_b0"]
    assert (base["width_mult"], base["depth_mult"]) == (1.0, 1.0)
    for name, model in models.items():
        env = {"w": model["width_mult"], "d": model["depth_mult"]}
        ours = [
            [
                evaluate("make_divisible(c * w, 8)", {**env, "c": c_in}),
                evaluate("make_divisible(c * w, 8)", {**env, "c": c_out}),
                evaluate("ceil(n * d)", {**env, "n": layers}),
            ]
            for c_in, c_out, layers in base["stages"]
        ]
        assert ours == model["stages"], name


def test_mnasnet_depths_equal_torchvision() -> None:
    depths = REFERENCE["mnasnet_get_depths"]
    for alpha, values in depths.items():
        got = [evaluate(f"round_to_multiple_of(d * {alpha}, 8)", {"d": d}) for d in depths["1.0"]]
        assert got == values, alpha


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        # EfficientNet-B4's stem: _make_divisible(32 * 1.4, 8) = 48 (the reference table's row 32, 1.4)
        ("make_divisible(32 * 1.4, 8)", REFERENCE["efficientnet_adjust_channels"]["1.4"][31]),
        ("ceil(4 * 1.2)", 5),
        ("min(3, 2 * 2, 1 + 1)", 2),
        ("max(1, 24 // 4)", 6),  # EfficientNet's squeeze channels: max(1, input_channels // 4)
        ("floor(7.9)", 7),
        ("int(-7.9)", -7),
        ("7 / 2.0", 3.5),
        ("1e-6 * 2", 2e-06),
        ("6 / 3", 2),
    ],
)
def test_helpers(expression: str, value: Any) -> None:
    assert evaluate(expression, {}) == value


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("make_divisible(10, 0)", "make_divisible: the divisor must be at least 1, not 0"),
        ("round_to_multiple_of(10, -8)", "round_to_multiple_of: the divisor must be at least 1, not -8"),
        ("make_divisible(10, 2.5)", "make_divisible: the divisor 2.5 is not a whole number"),
        ("round_to_multiple_of(10, 8, 1.5)", "round_to_multiple_of: round_up_bias must be between 0 and 1"),
        ("make_divisible(10)", "make_divisible takes 2 or 3 arguments, not 1"),
        ("ceil(1, 2)", "ceil takes 1 argument, not 2"),
        ("min(1)", "min takes at least 2 arguments, not 1"),
        ("sqrt(4)", "unknown function 'sqrt'"),
        ("make_divisible(10, 8", "missing ')' after the arguments of make_divisible"),
        ("ceil(1e400)", "the result is not a finite number"),
        ("1.5 / 0", "division by zero"),
        ("7 / 2", "7/2 is not a whole number"),
        ("1e30 * 1e30", "number too large"),
    ],
)
def test_bad_helper_calls_are_refused(expression: str, message: str) -> None:
    with pytest.raises(SpecError) as info:
        evaluate(expression, {})
    assert info.value.message.startswith(message), info.value.message
    assert "'${" + expression + "}'" in info.value.message


SPEC = """\
name: widths
input: 32x32x3
blocks:
  stem:
    args: {width: 1.0, depth: 1.0}
    layers:
      - conv ${make_divisible(32 * width, 8)} k3 s2 p1 nobias
      - repeat: ${ceil(2 * depth)}
        layers:
          - conv ${make_divisible(16 * width, 8)} k1
layers:
  - {block: stem, args: {width: WIDTH, depth: DEPTH}}
"""


def _spec(width: float, depth: float) -> str:
    return SPEC.replace("WIDTH", str(width)).replace("DEPTH", str(depth))


@pytest.mark.parametrize(("width", "depth"), [(1.0, 1.0), (1.4, 1.8), (2.0, 3.1)])
def test_multipliers_in_a_spec_file_give_torchvision_channels(width: float, depth: float) -> None:
    network = parse_spec_text(_spec(width, depth), "widths.yaml")
    report = cnncalc.analyse(network)
    channels = REFERENCE["efficientnet_adjust_channels"][str(width)]
    depths = REFERENCE["efficientnet_adjust_depth"][str(depth)]
    assert report.layers[0].output_shape.channels == channels[32 - 1]
    assert len(report.layers) == 1 + depths[2 - 1]
    assert report.layers[-1].output_shape.channels == channels[16 - 1]


def test_fractional_channels_are_refused_with_the_field() -> None:
    text = _spec(1.0, 1.0).replace("make_divisible(32 * width, 8)", "32 * 1.4")
    with pytest.raises(CnncalcError) as info:
        parse_spec_text(text, "widths.yaml")
    assert "filters 44.8" in info.value.message and "not a fraction" in info.value.message


def test_divisor_zero_through_the_cli_is_one_located_error(tmp_path: Path) -> None:
    spec = tmp_path / "zero.yaml"
    spec.write_text(_spec(1.0, 1.0).replace("make_divisible(32 * width, 8)", "make_divisible(32 * width, 0)"))
    result = run("summary", str(spec))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert (
        lines[0]
        == "error: make_divisible: the divisor must be at least 1, not 0 in '${make_divisible(32 * width, 0)}'"
    )
    assert "zero.yaml:7" in lines[1]
    assert any(line.startswith("hint: ") for line in lines)
    assert "Traceback" not in result.stderr

"""Block-argument expressions (cnncalc.parse.expr) and the conditional entries they drive.

The conditions are the ones torchvision's builders compute: MobileNetV2/V3 and EfficientNet add the
residual only where ``stride == 1 and input_channels == out_channels``
(torchvision/models/mobilenetv3.py, InvertedResidual.__init__); MobileNetV3's block layout numbers
its layers by which optional parts are present (expansion, squeeze-and-excitation).
"""

from __future__ import annotations

import textwrap

import pytest

import cnncalc
from cnncalc.errors import SpecError
from cnncalc.parse import parse_spec_text
from cnncalc.parse.expr import evaluate

ENV = {"stride": 1, "inp": 16, "out": 24, "se": True, "act": "relu"}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("stride == 1 and inp == out", False),  # the residual condition: widths differ
        ("stride == 1 and inp != out", True),
        ("not se or stride == 2", False),
        ("inp < out and out <= 24 and out >= 24 and out > inp", True),
        ("act == act", True),
        ("(1 if inp != out else 0) + (1 if se else 0) + 1", 3),  # MobileNetV3's projection index
        ("inp if stride == 2 else out if se else 0", 24),
        ("true and not false", True),
        ("inp * 4 // 2", 32),  # arithmetic is unchanged
    ],
)
def test_expression_values(text: str, value: object) -> None:
    assert evaluate(text, ENV) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("inp and out", "'16' is not true or false"),
        ("1 < true", "cannot compare"),
        ("1 if se", "'if' without 'else'"),
        ("se + 1", "is not a number"),
        ("stride ==", "incomplete expression"),
        ("and", "unexpected 'and'"),
    ],
)
def test_expression_mistakes(text: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        evaluate(text, ENV)
    assert message in caught.value.message


BLOCK = """
input: 8x8x16
blocks:
  block:
    args: {inp: 16, out: null, stride: 1}
    layers:
      - if: ${stride == 1 and inp == out}
        then:
          - residual: ["conv $out k3 p1"]
        else:
          - "conv $out k3 s$stride p1"
layers:
  - {block: block, args: {out: 16}}
  - {block: block, args: {out: 32, stride: 2}}
"""


def _rows(text: str) -> list[tuple[str, str]]:
    net = parse_spec_text(textwrap.dedent(text), "net.yaml")
    return [(r.name, r.output_shape.hwc) for r in cnncalc.analyse(net).layers]


def test_if_picks_the_residual_only_where_stride_1_keeps_the_width() -> None:
    assert _rows(BLOCK) == [("conv1", "8×8×16"), ("add1", "8×8×16"), ("conv2", "4×4×32")]


def test_if_without_else_adds_nothing_when_false() -> None:
    text = BLOCK.replace('        else:\n          - "conv $out k3 s$stride p1"\n', "")
    assert _rows(text) == [("conv1", "8×8×16"), ("add1", "8×8×16")]


def test_the_branch_not_chosen_is_not_evaluated() -> None:
    """A branch may hold what only makes sense when it is chosen (here a division by zero)."""
    text = """
    input: 8x8x16
    blocks:
      b:
        args: {groups: 0}
        layers:
          - if: ${groups == 0}
            then: [conv 8 k1]
            else: ["conv ${16 // groups} k1"]
    layers: [{block: b}]
    """
    assert _rows(text) == [("conv1", "8×8×8")]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{if: 1, then: [relu]}", "'if' needs true or false, not 1"),
        ("{if: true}", "'if' needs 'then'"),
        ("{if: true, then: [relu], otherwise: [relu]}", "'if' entry has no field 'otherwise'"),
    ],
)
def test_if_mistakes(entry: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec_text(f"input: 8x8x4\nlayers:\n  - {entry}\n", "net.yaml")
    assert message in caught.value.message

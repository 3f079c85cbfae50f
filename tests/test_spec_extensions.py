"""Spec-language additions made for the bundled architectures: named shortcut groups (torchvision's
``downsample``), side outputs (GoogLeNet's auxiliary heads), and automatic names from the layer's
own type (``tanh1``, not ``relu1``)."""

from __future__ import annotations

import textwrap

import jsonschema
import pytest

import cnncalc
from cnncalc.errors import SpecError
from cnncalc.parse import parse_spec_text
from cnncalc.schema import spec_schema


def build(text: str) -> cnncalc.Network:
    return parse_spec_text(textwrap.dedent(text), "net.yaml")


def test_named_shortcut_group_scopes_its_layers() -> None:
    net = build(
        """
        input: 8x8x4
        layers:
          - name: block
            layers:
              - residual: [conv 8 k3 s2 p1 nobias name=conv1, bn name=bn1]
                shortcut: {name: downsample, layers: [conv 8 k1 s2 nobias name=0, bn name=1]}
        """
    )
    report = cnncalc.analyse(net)
    names = [r.name for r in report.layers]
    assert names == ["block.conv1", "block.bn1", "block.downsample.0", "block.downsample.1", "block.add1"]
    assert report.layers[-1].output_shape.hwc == "4×4×8"


def test_plain_shortcut_list_keeps_the_default_scope() -> None:
    net = build("input: 8x8x4\nlayers: [{residual: [conv 8 k1], shortcut: [conv 8 k1]}]")
    assert [r.name for r in cnncalc.analyse(net).layers] == ["conv1", "shortcut.conv1", "add1"]


def test_named_shortcut_with_an_unknown_key_is_an_error() -> None:
    with pytest.raises(SpecError, match="'shortcut' entry has no field 'layer'"):
        build("input: 8x8x4\nlayers: [{residual: [conv 8 k1], shortcut: {name: d, layer: [conv 8 k1]}}]")


SIDE = """
input: 8x8x4
layers:
  - conv 8 k3 p1
  - {side: [gap, fc 10 name=fc], name: aux}
  - conv 16 k3 p1
  - fc 3
"""


def test_side_output_counts_its_layers_and_leaves_the_main_path_alone() -> None:
    report = cnncalc.analyse(build(SIDE))
    rows = {r.name: r for r in report.layers}
    assert list(rows) == ["conv1", "aux.gap1", "aux.fc", "conv2", "fc1"]
    assert rows["aux.fc"].params == 8 * 10 + 10
    assert rows["conv2"].input_shapes[0].hwc == "8×8×8"  # the side's input, not its output
    assert report.output.hwc == "3"
    assert report.totals.params == sum(r.params for r in report.layers)
    # The side's outputs are tensors too (lecture convention: every new tensor counts).
    assert report.totals.activation_sum_elements == 8 * 8 * 4 + 8 * 8 * 8 + 8 + 10 + 8 * 8 * 16 + 3


def test_side_output_keeps_its_input_alive_for_the_peak() -> None:
    # fp32, batch 1: while aux.fc runs, conv1's output (256 values) is held for conv2.
    report = cnncalc.analyse(build(SIDE))
    assert report.totals.peak_inference_bytes >= (8 * 8 * 8 + 8 + 10) * 4


def test_side_output_is_not_part_of_the_depth() -> None:
    from cnncalc.compare import weight_depth

    assert weight_depth(build(SIDE)) == 3


def test_side_without_layers_is_an_error() -> None:
    with pytest.raises(SpecError, match="'side' needs a list of one or more layers"):
        build("input: 8x8x4\nlayers: [conv 8 k1, {side: []}]")


def test_spec_schema_accepts_side_and_named_shortcut() -> None:
    spec = {
        "input": "8x8x4",
        "layers": [
            {"side": ["gap", "fc 10"], "name": "aux"},
            {"residual": ["conv 4 k1"], "shortcut": {"name": "downsample", "layers": ["conv 4 k1"]}},
        ],
    }
    jsonschema.validate(spec, spec_schema())


def test_automatic_names_follow_the_layer_type() -> None:
    report = cnncalc.analyse(cnncalc.load("8x8x1 | conv 2 k3 | tanh | conv 2 k3 | relu | linear 4 | sigmoid"))
    assert [r.name for r in report.layers] == ["conv1", "tanh1", "conv2", "relu1", "fc1", "sigmoid1"]


@pytest.mark.parametrize(
    ("spec", "row_name", "inputs"),
    [
        # a residual add reads the body's last layer and the block's input (identity shortcut)
        ("8x8x4 | conv 4 k3 p1 | {conv 4 k3 p1 | bn}", "add1", ["batchnorm1", "conv1"]),
        # a concat reads each branch's last layer; an empty branch would read the input
        (
            "8x8x4 | [conv 2 k1 ; conv 3 k1 | relu]",
            "concat1",
            ["concat1.branch1.conv1", "concat1.branch2.relu1"],
        ),
        ("8x8x4 | relu | conv 2 k1", "conv1", ["relu1"]),
        ("8x8x4 | conv 2 k1", "conv1", ["input"]),
    ],
)
def test_rows_name_what_they_read(spec: str, row_name: str, inputs: list[str]) -> None:
    rows = {r.name: r for r in cnncalc.analyse(cnncalc.load(spec)).layers}
    assert rows[row_name].inputs == inputs


def test_resnet_add_reads_the_body_and_the_projection() -> None:
    rows = {r.name: r for r in cnncalc.analyse(cnncalc.load("resnet18")).layers}
    assert rows["layer2.0.add1"].inputs == ["layer2.0.bn2", "layer2.0.downsample.1"]
    assert rows["layer2.1.add1"].inputs == ["layer2.1.bn2", "layer2.0.relu2"]

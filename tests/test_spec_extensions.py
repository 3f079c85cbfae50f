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


def test_spec_schema_accepts_side_gate_and_named_shortcut() -> None:
    spec = {
        "input": "8x8x4",
        "layers": [
            {"side": ["gap", "fc 10"], "name": "aux"},
            {"gate": ["gap", "conv 4 k1", "sigmoid"], "name": "se"},
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


def test_gate_multiplies_its_input_by_the_scale_it_computes() -> None:
    """Squeeze-and-excitation as torchvision's SqueezeExcitation: gap → fc1 → act → fc2 → sigmoid → ×."""
    net = build(
        """
        input: 8x8x16
        layers:
          - gate: [gap name=avgpool, conv 4 k1 name=fc1, relu name=activation, conv 16 k1 name=fc2,
                   sigmoid name=scale_activation]
            name: se
        """
    )
    rows = {r.name: r for r in cnncalc.analyse(net).layers}
    assert list(rows) == ["se.avgpool", "se.fc1", "se.activation", "se.fc2", "se.scale_activation", "se"]
    gate = rows["se"]
    assert (gate.type, gate.output_shape.hwc) == ("mul", "8×8×16")
    assert [s.hwc for s in gate.input_shapes] == ["8×8×16", "1×1×16"]
    assert gate.inputs == ["input", "se.scale_activation"]
    assert not gate.in_place  # torchvision computes scale * input into a new tensor
    # (16 + 1)×4 + (4 + 1)×16: the two 1×1 convs with biases
    assert sum(r.params for r in rows.values()) == 68 + 80
    assert gate.receptive_field.size == (1, 1)  # the gated path's, as the description says
    assert "receptive field of the input path" in gate.description


def test_one_line_gate_is_the_same_as_the_file_form() -> None:
    one = cnncalc.load("8x8x16 | < gap | conv 4 k1 | relu | conv 16 k1 | hardsigmoid >")
    file = build(
        """
        input: 8x8x16
        layers:
          - gate: [gap, conv 4 k1, relu, conv 16 k1, hardsigmoid]
        """
    )
    assert cnncalc.analyse(one).layers == cnncalc.analyse(file).layers


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("8x8x16 | < gap | conv 8 k1 >", "the gate gives 1×1×8 but its input is 8×8×16"),
        ("8x8x16 | < conv 16 k3 >", "the gate gives 6×6×16 but its input is 8×8×16"),
        ("8x8x16 | < gap | conv 16 k1", "expected '>' to close the '<' opened at column 10"),
        ("8x8x16 | < >", "expected a layer before '>'"),
    ],
)
def test_gate_mistakes_are_located_errors(spec: str, message: str) -> None:
    with pytest.raises(cnncalc.CnncalcError) as caught:
        cnncalc.analyse(cnncalc.load(spec))
    assert message in caught.value.message


def test_empty_gate_in_a_file_is_an_error_with_an_example() -> None:
    with pytest.raises(SpecError) as caught:
        build("input: 8x8x16\nlayers:\n  - gate: []\n")
    assert "'gate' needs a list of one or more layers" in caught.value.message
    assert caught.value.hint is not None and "gap" in caught.value.hint


def test_inline_concat_names_layers_in_the_enclosing_scope_as_densenet() -> None:
    """torchvision's DenseNet names 'features.denseblock1.denselayer1.norm1': no concat segment."""
    net = build(
        """
        input: 8x8x4
        layers:
          - name: denseblock1
            layers:
              - concat: [[], [{name: denselayer1, layers: [bn name=norm1, relu, conv 2 k3 p1 name=conv2]}]]
                inline: true
        """
    )
    rows = cnncalc.analyse(net).layers
    assert [r.name for r in rows] == [
        "denseblock1.denselayer1.norm1",
        "denseblock1.denselayer1.relu1",
        "denseblock1.denselayer1.conv2",
        "denseblock1.concat1",
    ]
    assert rows[-1].output_shape.hwc == "8×8×6"  # the input's 4 channels and the 2 new ones
    assert rows[-1].inputs == ["input", "denseblock1.denselayer1.conv2"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{concat: [[], []], inline: true}", "every branch of this 'concat' is empty"),
        ("{concat: [[relu], [relu]], inline: yes please}", "'inline' must be true or false"),
    ],
)
def test_inline_concat_mistakes(entry: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        build(f"input: 8x8x4\nlayers:\n  - {entry}\n")
    assert message in caught.value.message


def test_repeat_index_names_and_sizes_each_copy() -> None:
    net = build(
        """
        input: 8x8x4
        blocks:
          grow:
            args: {n: null}
            layers:
              - repeat: $n
                start: 1
                index: i
                layers: ["conv ${2 * i} k1 name=conv$i"]
        layers:
          - {block: grow, args: {n: 3}}
        """
    )
    rows = cnncalc.analyse(net).layers
    assert [(r.name, r.output_shape.channels) for r in rows] == [("conv1", 2), ("conv2", 4), ("conv3", 6)]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{repeat: 2, index: 2i, layers: [relu]}", "'index' must be a name such as i"),
        ("{repeat: 2, start: one, layers: [relu]}", "'start' must be a whole number"),
        ("{repeat: 2, layers: ['conv ${j} k1']}", "unknown argument 'j'"),
    ],
)
def test_repeat_index_mistakes(entry: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        build(f"input: 8x8x4\nblocks:\n  b:\n    layers:\n      - {entry}\nlayers:\n  - {{block: b}}\n")
    assert message in caught.value.message


def test_training_only_head_counts_its_parameters_not_its_macs() -> None:
    """torchvision's inception_v3 keeps AuxLogits (its parameters are in the model and in the
    published 27,161,264) but runs it only in training: the published 5.713 GFLOPS leave it out."""
    text = """
        input: 17x17x8
        layers:
          - conv 8 k3 p1 name=conv
          - side: [avgpool 5 s3 name=pool, conv 4 k1 name=conv0, gap, fc 3 name=fc]
            name: AuxLogits
            train_only: {train_only}
          - gap
          - fc 5 name=fc
        """
    trained, always = (cnncalc.analyse(build(text.replace("{train_only}", v))) for v in ("true", "false"))
    aux = [r for r in trained.layers if r.name.startswith("AuxLogits.")]
    assert aux and not any(r.inference for r in aux)
    assert all(r.inference for r in trained.layers if not r.name.startswith("AuxLogits."))
    assert trained.totals.params == always.totals.params
    aux_macs = sum(r.macs for r in aux)
    assert aux_macs == 4 * 8 * 25 + 4 * 3  # the 1×1 conv on 5×5 and the fc
    assert trained.totals.macs == always.totals.macs - aux_macs
    aux_values = sum(r.activation_elements for r in aux if not r.in_place)
    assert trained.totals.activation_sum_elements == always.totals.activation_sum_elements - aux_values
    assert trained.totals.peak_inference_bytes <= always.totals.peak_inference_bytes


def test_training_only_head_groups_still_add_up_to_the_totals() -> None:
    from cnncalc.groups import group_layers

    net = build(
        """
        input: 17x17x8
        layers:
          - conv 8 k3 p1 name=conv
          - {side: [conv 4 k1 name=conv0, gap, fc 3 name=fc], name: AuxLogits, train_only: true}
          - {name: head, layers: [gap, fc 5 name=fc]}
        """
    )
    report = cnncalc.analyse(net)
    groups = group_layers(report, 1)
    assert sum(g.macs for g in groups) == report.totals.macs
    assert sum(g.params for g in groups) == report.totals.params


def test_train_only_must_be_true_or_false() -> None:
    with pytest.raises(SpecError) as caught:
        build("input: 8x8x4\nlayers:\n  - {side: [gap, fc 2], train_only: sometimes}\n")
    assert "'train_only' must be true or false" in caught.value.message


def test_chunk_takes_one_of_equal_channel_chunks_as_a_view() -> None:
    """ShuffleNetV2: ``x1, x2 = x.chunk(2, dim=1)`` (torchvision/models/shufflenetv2.py)."""
    rows = cnncalc.analyse(cnncalc.load("8x8x16 | chunk 2 1")).layers
    assert rows[0].output_shape.hwc == "8×8×8" and rows[0].in_place and rows[0].params == 0


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("8x8x16 | chunk 2 2", "it should be less than parts (2)"),
        ("8x8x16 | chunk 3 0", "16 channels are not divisible by groups 3"),
    ],
)
def test_chunk_mistakes(spec: str, message: str) -> None:
    with pytest.raises(cnncalc.CnncalcError) as caught:
        cnncalc.analyse(cnncalc.load(spec))
    assert message in caught.value.message

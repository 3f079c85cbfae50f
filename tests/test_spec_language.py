"""The spec language: one-line form, YAML/JSON files, blocks, repeat, branches, and the engine's
handling of structure (concat, residual add, peak memory, receptive field through branches)."""

from __future__ import annotations

import json
import textwrap

import pytest

import cnncalc
from cnncalc.parse import parse_spec_text


def yaml_spec(text: str) -> cnncalc.Network:
    return parse_spec_text(textwrap.dedent(text), "net.yaml")


def test_oneline_short_keys_positional_and_named_fields_agree() -> None:
    forms = [
        "32x32x3 | conv 10 k5 s1 p2",
        "32x32x3 | conv 10 5 s=1 padding=2",
        "32×32×3 | conv filters=10 kernel=5 stride=1 padding=2",
        "input 32x32x3 | conv f10 k5 p2",
    ]
    layers = [cnncalc.load(f).body.children[0].layer for f in forms]  # type: ignore[union-attr]
    assert all(layer == layers[0] for layer in layers)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("conv3-64", {"filters": 64, "kernel": 3, "padding": 1}),
        ("conv1-256", {"filters": 256, "kernel": 1, "padding": 0}),
        ("conv 8 k3 nobias", {"bias": False}),
        ("conv 8 k3 same", {"padding": "same"}),
        ("conv 8 k=[3,1] p=[1,0]", {"kernel": (3, 1), "padding": (1, 0)}),
        ("conv 8 k3 g4", {"groups": 4}),
    ],
)
def test_oneline_conv_notations(text: str, expected: dict[str, object]) -> None:
    layer = cnncalc.load(f"16x16x8 | {text}").body.children[0].layer  # type: ignore[union-attr]
    for key, value in expected.items():
        assert getattr(layer, key) == value


def test_vgg_paper_notation_for_fc_and_maxpool_defaults() -> None:
    report = cnncalc.analyse(cnncalc.load("14x14x512 | maxpool | FC-4096 | soft-max"))
    assert report.layers[0].output_shape.hwc == "7×7×512"  # VGG maxpool: 2×2, stride 2
    assert report.layers[1].params == 7 * 7 * 512 * 4096 + 4096


def test_repeat_group_concat_and_residual_in_one_line() -> None:
    report = cnncalc.analyse(
        cnncalc.load(
            "8x8x4 | (conv 4 k3 p1 | relu)x3 | [conv 2 k1 ; conv 3 k3 p1 ; maxpool 3 1 p1] | {conv 9 k3 p1}"
        )
    )
    types = [r.type for r in report.layers]
    assert types.count("conv") == 3 + 2 + 1
    concat = next(r for r in report.layers if r.type == "concat")
    assert concat.output_shape.hwc == "8×8×9"  # 2 + 3 + 4 channels
    add = report.layers[-1]
    assert add.type == "add" and add.output_shape.hwc == "8×8×9"


def test_yaml_blocks_with_arguments_build_a_resnet_stage() -> None:
    net = yaml_spec(
        """
        input: 56x56x64
        blocks:
          basic:
            args: {planes: null, stride: 1}
            layers:
              - residual:
                  - conv ${planes} k3 s${stride} p1 nobias
                  - bn
                  - relu
                  - conv ${planes} k3 p1 nobias
                  - bn
                shortcut: [conv $planes k1 s$stride nobias, bn]
              - relu
          identity:
            args: {planes: null}
            layers:
              - residual: [conv $planes k3 p1 nobias, bn, relu, conv $planes k3 p1 nobias, bn]
              - relu
        layers:
          - {block: basic, args: {planes: 128, stride: 2}, name: "0"}
          - {block: identity, args: {planes: "${64 * 2}"}, name: "1"}
        """
    )
    report = cnncalc.analyse(net)
    assert report.output.hwc == "28×28×128"
    names = [r.name for r in report.layers]
    assert "0.conv1" in names and "0.shortcut.conv1" in names and "1.conv2" in names
    # torchvision resnet18 layer2 = 525,568 params (2 BasicBlocks, 128 planes, projection shortcut).
    assert report.totals.params == 525_568


def test_repeat_numbered_scopes_and_start() -> None:
    net = yaml_spec(
        """
        input: 8x8x3
        layers:
          - {repeat: 2, name: stage, layers: [conv 3 k3 p1]}
          - {repeat: 2, numbered: true, start: 5, layers: [relu]}
        """
    )
    names = [r.name for r in cnncalc.analyse(net).layers]
    assert names == ["stage.0.conv1", "stage.1.conv1", "5.relu1", "6.relu1"]


def test_named_group_scopes_layer_names() -> None:
    net = yaml_spec(
        """
        input: 8x8x3
        layers:
          - {name: features, layers: [conv 4 k3, relu]}
          - {name: classifier, layers: [fc 2]}
        """
    )
    assert [r.name for r in cnncalc.analyse(net).layers] == [
        "features.conv1",
        "features.relu1",
        "classifier.fc1",
    ]


def test_json_and_yaml_specs_are_equivalent() -> None:
    data = {
        "name": "tiny",
        "input": {"height": 28, "width": 28, "channels": 1},
        "layers": [{"type": "conv", "filters": 6, "kernel": 5, "padding": 2}, "relu", "maxpool 2", "fc 10"],
    }
    from_json = parse_spec_text(json.dumps(data), "tiny.json", json_format=True)
    from_yaml = yaml_spec(
        """
        name: tiny
        input: 28x28x1
        layers:
          - {type: conv, filters: 6, kernel: 5, padding: 2}
          - relu
          - maxpool 2
          - fc 10
        """
    )
    assert cnncalc.analyse(from_json).totals == cnncalc.analyse(from_yaml).totals


def test_input_override_keeps_layers() -> None:
    net = cnncalc.load("32x32x3 | conv 8 k3 p1 | gap | flatten | fc 10")
    from cnncalc.shapes import Shape

    bigger = cnncalc.analyse(net.with_input(Shape(3, 64, 64)))
    assert bigger.layers[0].output_shape.hwc == "64×64×8"
    assert bigger.totals.params == cnncalc.analyse(net).totals.params


@pytest.mark.parametrize(
    ("spec", "shape"),
    [
        # PyTorch semantics, checked by hand against the formulas in torch.nn docs.
        ("7x7x1 | maxpool 2 2 ceil", "4×4×1"),  # ceil((7−2)/2)+1 = 4
        ("6x6x1 | maxpool 3 2 p1 ceil", "4×4×1"),  # ceil((6+2−3)/2)+1 = 4, last window starts at 6 < 7
        ("5x5x1 | maxpool 2 2 ceil", "3×3×1"),
        ("4x4x1 | maxpool 2 2 p1 ceil", "3×3×1"),  # (3−1)·2 = 4 ≥ 4+1? no → 3 stays
        ("4x4x2 | deconv 3 k2 s2", "8×8×3"),
        ("4x4x2 | deconv 3 k3 s2 p1 op=1", "8×8×3"),
        ("13x13x256 | adaptiveavgpool 6", "6×6×256"),
        ("7x9x4 | gap", "1×1×4"),
        ("10x10x3 | pad 1", "12×12×3"),
        ("10x10x3 | conv 5 k3 d2", "6×6×5"),
        ("10x10x3 | conv 6 k=[3,5] s=[1,2] p=[1,2]", "10×5×6"),
    ],
)
def test_layer_shapes(spec: str, shape: str) -> None:
    assert cnncalc.analyse(cnncalc.load(spec)).output.hwc == shape


@pytest.mark.parametrize(
    ("spec", "weights", "biases", "buffers", "macs"),
    [
        # depthwise 3×3 on 32 channels: 32·1·9 weights; MACs = 8·8·32·9
        ("8x8x32 | conv 32 k3 p1 depthwise", 288, 32, 0, 8 * 8 * 32 * 9),
        # grouped conv: 64 filters, groups 4 → each sees 32/4 = 8 channels
        ("8x8x32 | conv 64 k3 p1 g4 nobias", 64 * 8 * 9, 0, 0, 8 * 8 * 64 * 8 * 9),
        # BN: γ, β per channel; running mean, var + num_batches_tracked
        ("8x8x32 | bn", 32, 32, 65, 0),
        # transposed conv weights: in × out/groups × k × k; MACs on the input grid
        ("4x4x2 | deconv 3 k2 s2", 2 * 3 * 4, 3, 0, 4 * 4 * 2 * 3 * 4),
        ("1x1x10 | prelu", 1, 0, 0, 0),
    ],
)
def test_parameter_and_mac_counts(spec: str, weights: int, biases: int, buffers: int, macs: int) -> None:
    row = cnncalc.analyse(cnncalc.load(spec)).layers[0]
    assert (row.weights, row.biases, row.buffers, row.macs, row.flops) == (
        weights,
        biases,
        buffers,
        macs,
        2 * macs,
    )


def test_batch_and_dtype_scale_memory_not_params() -> None:
    spec = "32x32x3 | conv 16 k3 p1 | relu"
    base = cnncalc.analyse(cnncalc.load(spec))
    half = cnncalc.analyse(cnncalc.load(spec), batch=8, dtype="fp16")
    assert half.totals.params == base.totals.params
    assert half.layers[0].activation_bytes == 32 * 32 * 16 * 8 * 2
    assert half.totals.param_bytes == base.totals.params * 2
    assert half.totals.macs_batch == 8 * base.totals.macs


def test_peak_holds_the_input_of_a_residual() -> None:
    # input x (4 KiB at 32×32×1 fp32); conv → y: peak while computing the body's conv is x + y,
    # and x stays alive for the identity shortcut.
    report = cnncalc.analyse(cnncalc.load("32x32x1 | {conv 1 k3 p1}"))
    one = 32 * 32 * 4
    assert report.totals.peak_inference_bytes == 2 * one


def test_peak_of_concat_counts_branch_outputs_and_result() -> None:
    report = cnncalc.analyse(cnncalc.load("8x8x1 | [conv 1 k1 ; conv 1 k1]"))
    one = 8 * 8 * 4
    # while the concat runs: branch outputs (2) + the result (2 channels) = 4 maps
    assert report.totals.peak_inference_bytes == 4 * one


def test_receptive_field_through_branches_takes_the_largest() -> None:
    report = cnncalc.analyse(cnncalc.load("32x32x3 | [conv 4 k1 ; conv 4 k5 p2] | conv 4 k3 p1"))
    concat = next(r for r in report.layers if r.type == "concat")
    assert concat.receptive_field.size == (5, 5)
    assert report.layers[-1].receptive_field.size == (7, 7)


def test_sum_of_activations_excludes_in_place_layers() -> None:
    report = cnncalc.analyse(cnncalc.load("4x4x1 | conv 2 k1 | relu | dropout | flatten | fc 3"))
    # input 16 + conv 32 + fc 3; relu, dropout and flatten are in place
    assert report.totals.activation_sum_elements == 16 + 32 + 3

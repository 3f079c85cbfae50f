"""The ONNX reader: op by op to cnncalc layer kinds (fields as the ONNX operator spec defines its
attributes), the exporter's patterns folded, unmapped ops listed as ``uncounted``, and every bad
file one clear error. Models are built with onnx.helper (no torch)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

onnx = pytest.importorskip("onnx")
helper = onnx.helper

from cnncalc.errors import CnncalcError, ShapeError, SpecError  # noqa: E402
from cnncalc.importers.graph import NETWORK_INPUT  # noqa: E402
from cnncalc.importers.onnx_reader import read_onnx  # noqa: E402
from cnncalc.shapes import Shape  # noqa: E402
from tests.onnx_graphs import floats, ints, model, node, save, weight  # noqa: E402

# One ONNX node on an input, the cnncalc node(s) it becomes. Sources: the ONNX operator spec
# (onnx.ai/onnx/operators: attribute defaults such as MaxPool's stride 1, AveragePool's
# count_include_pad 0, BatchNormalization's momentum = 1 − torch's) and torch.nn's fields.
SINGLE_OPS: list[tuple[str, Any, list[int], list[Any], list[tuple[str, dict[str, Any], Shape]]]] = [
    (
        "conv 3x3 pad 1, bias",
        node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        [1, 3, 32, 32],
        [weight("w", [16, 3, 3, 3]), weight("b", [16])],
        [
            (
                "conv",
                {
                    "filters": 16,
                    "kernel": 3,
                    "stride": 1,
                    "padding": 1,
                    "dilation": 1,
                    "groups": 1,
                    "bias": True,
                    "floor": True,
                },
                Shape(16, 32, 32),
            )
        ],
    ),
    (
        "depthwise conv, stride 2, no bias, rectangular kernel",
        node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 1], pads=[1, 0, 1, 0], strides=[2, 2], group=8),
        [1, 8, 16, 16],
        [weight("w", [8, 1, 3, 1])],
        [
            (
                "conv",
                {
                    "filters": 8,
                    "kernel": [3, 1],
                    "stride": 2,
                    "padding": [1, 0],
                    "dilation": 1,
                    "groups": 8,
                    "bias": False,
                    "floor": True,
                },
                Shape(8, 8, 8),
            )
        ],
    ),
    (
        "conv with asymmetric pads: zero padding first",
        node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], pads=[0, 0, 1, 1], strides=[2, 2]),
        [1, 3, 8, 8],
        [weight("w", [4, 3, 3, 3])],
        [
            ("pad", {"amount": [0, 1, 0, 1]}, Shape(3, 9, 9)),
            (
                "conv",
                {
                    "filters": 4,
                    "kernel": 3,
                    "stride": 2,
                    "padding": 0,
                    "dilation": 1,
                    "groups": 1,
                    "bias": False,
                    "floor": True,
                },
                Shape(4, 4, 4),
            ),
        ],
    ),
    (
        "conv auto_pad SAME_UPPER, dilation 2",
        node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], auto_pad="SAME_UPPER", dilations=[2, 2]),
        [1, 3, 10, 10],
        [weight("w", [4, 3, 3, 3])],
        [
            (
                "conv",
                {
                    "filters": 4,
                    "kernel": 3,
                    "stride": 1,
                    "padding": 2,
                    "dilation": 2,
                    "groups": 1,
                    "bias": False,
                    "floor": True,
                },
                Shape(4, 10, 10),
            )
        ],
    ),
    (
        "transposed conv, stride 2, output_padding 1",
        node(
            "ConvTranspose",
            ["x", "w", "b"],
            ["y"],
            kernel_shape=[3, 3],
            strides=[2, 2],
            pads=[1, 1, 1, 1],
            output_padding=[1, 1],
        ),
        [1, 8, 7, 7],
        [weight("w", [8, 4, 3, 3]), weight("b", [4])],
        [
            (
                "deconv",
                {
                    "filters": 4,
                    "kernel": 3,
                    "stride": 2,
                    "padding": 1,
                    "output_padding": 1,
                    "dilation": 1,
                    "groups": 1,
                    "bias": True,
                },
                Shape(4, 14, 14),
            )
        ],
    ),
    (
        "max pool: ONNX's default stride is 1",
        node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3]),
        [1, 2, 9, 9],
        [],
        [
            (
                "maxpool",
                {"kernel": 3, "stride": 1, "padding": 0, "ceil_mode": False, "floor": True},
                Shape(2, 7, 7),
            )
        ],
    ),
    (
        "max pool, ceil mode (squeezenet)",
        node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1),
        [1, 96, 109, 109],
        [],
        [
            (
                "maxpool",
                {"kernel": 3, "stride": 2, "padding": 0, "ceil_mode": True, "floor": True},
                Shape(96, 54, 54),
            )
        ],
    ),
    (
        "average pool: count_include_pad defaults to 0 in ONNX",
        node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1]),
        [1, 4, 5, 5],
        [],
        [
            (
                "avgpool",
                {
                    "kernel": 3,
                    "stride": 1,
                    "padding": 1,
                    "ceil_mode": False,
                    "floor": True,
                    "count_include_pad": False,
                },
                Shape(4, 5, 5),
            )
        ],
    ),
    (
        "global average pool",
        node("GlobalAveragePool", ["x"], ["y"]),
        [1, 4, 5, 5],
        [],
        [("gap", {}, Shape(4, 1, 1))],
    ),
    ("global max pool", node("GlobalMaxPool", ["x"], ["y"]), [1, 4, 5, 5], [], [("gmp", {}, Shape(4, 1, 1))]),
    (
        "ReduceMean over H×W, kept dims (opset 17: axes attribute)",
        node("ReduceMean", ["x"], ["y"], axes=[2, 3], keepdims=1),
        [1, 4, 5, 5],
        [],
        [("gap", {}, Shape(4, 1, 1))],
    ),
    (
        "ReduceMean over H×W without kept dims: a gap and a flatten",
        node("ReduceMean", ["x"], ["y"], axes=[-1, -2], keepdims=0),
        [1, 4, 5, 5],
        [],
        [("gap", {}, Shape(4, 1, 1)), ("flatten", {}, Shape(4))],
    ),
    (
        "batch norm: ONNX's momentum 0.9 is torch's 0.1; epsilon as float32",
        node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], epsilon=1e-3, momentum=0.99),
        [1, 4, 5, 5],
        [weight("s", [4]), weight("b", [4]), weight("m", [4]), weight("v", [4])],
        [("batchnorm", {"eps": 0.001, "momentum": 0.01}, Shape(4, 5, 5))],
    ),
    ("relu", node("Relu", ["x"], ["y"]), [1, 4, 5, 5], [], [("relu", {}, Shape(4, 5, 5))]),
    ("tanh", node("Tanh", ["x"], ["y"]), [1, 4, 5, 5], [], [("tanh", {}, Shape(4, 5, 5))]),
    ("hardswish", node("HardSwish", ["x"], ["y"]), [1, 4, 5, 5], [], [("hardswish", {}, Shape(4, 5, 5))]),
    (
        "hardsigmoid as torch writes it (alpha 1/6)",
        node("HardSigmoid", ["x"], ["y"], alpha=1 / 6),
        [1, 4, 5, 5],
        [],
        [("hardsigmoid", {}, Shape(4, 5, 5))],
    ),
    (
        "leaky relu",
        node("LeakyRelu", ["x"], ["y"], alpha=0.2),
        [1, 4, 5, 5],
        [],
        [("leakyrelu", {"negative_slope": 0.2}, Shape(4, 5, 5))],
    ),
    (
        "clip to [0, 6] is ReLU6",
        node("Clip", ["x", "lo", "hi"], ["y"]),
        [1, 4, 5, 5],
        [floats("lo", [0.0]), floats("hi", [6.0])],
        [("relu6", {}, Shape(4, 5, 5))],
    ),
    ("gelu (opset 20)", node("Gelu", ["x"], ["y"]), [1, 4, 5, 5], [], [("gelu", {}, Shape(4, 5, 5))]),
    (
        "softmax over classes",
        node("Softmax", ["x"], ["y"], axis=1),
        [1, 10],
        [],
        [("softmax", {}, Shape(10))],
    ),
    (
        "dropout (opset 11: ratio attribute)",
        node("Dropout", ["x"], ["y"], ratio=0.2),
        [1, 10],
        [],
        [("dropout", {"p": 0.2}, Shape(10))],
    ),
    (
        "LRN: bias is torch's k",
        node("LRN", ["x"], ["y"], size=5, alpha=1e-4, beta=0.75, bias=2.0),
        [1, 8, 5, 5],
        [],
        [("lrn", {"size": 5, "alpha": 0.0001, "beta": 0.75, "k": 2.0}, Shape(8, 5, 5))],
    ),
    ("identity", node("Identity", ["x"], ["y"]), [1, 4, 5, 5], [], [("identity", {}, Shape(4, 5, 5))]),
    ("flatten", node("Flatten", ["x"], ["y"], axis=1), [1, 4, 5, 5], [], [("flatten", {}, Shape(100))]),
    (
        "gemm with transB (torch's Linear)",
        node("Gemm", ["x", "w", "b"], ["y"], transB=1),
        [1, 100],
        [weight("w", [10, 100]), weight("b", [10])],
        [("fc", {"units": 10, "bias": True}, Shape(10))],
    ),
    (
        "gemm without transB, no bias",
        node("Gemm", ["x", "w"], ["y"]),
        [1, 100],
        [weight("w", [100, 7])],
        [("fc", {"units": 7, "bias": False}, Shape(7))],
    ),
    (
        "pad (opset 11+: pads as an input)",
        node("Pad", ["x", "p"], ["y"]),
        [1, 3, 8, 8],
        [ints("p", [0, 0, 1, 2, 0, 0, 3, 4])],
        [("pad", {"amount": [2, 4, 1, 3]}, Shape(3, 12, 14))],
    ),
    (
        "resize nearest ×2 (torch's Upsample)",
        node(
            "Resize",
            ["x", "", "s"],
            ["y"],
            mode="nearest",
            coordinate_transformation_mode="asymmetric",
            nearest_mode="floor",
        ),
        [1, 3, 8, 8],
        [floats("s", [1.0, 1.0, 2.0, 2.0])],
        [("upsample", {"mode": "nearest", "scale": 2.0}, Shape(3, 16, 16))],
    ),
    (
        "resize bilinear to a size, align_corners",
        node(
            "Resize", ["x", "", "", "z"], ["y"], mode="linear", coordinate_transformation_mode="align_corners"
        ),
        [1, 3, 8, 8],
        [ints("z", [1, 3, 20, 24])],
        [("upsample", {"mode": "bilinear", "align_corners": True, "size": [20, 24]}, Shape(3, 20, 24))],
    ),
    (
        "instance norm: ONNX's scale and bias are torch's affine=True",
        node("InstanceNormalization", ["x", "s", "b"], ["y"], epsilon=1e-3),
        [1, 4, 5, 5],
        [weight("s", [4]), weight("b", [4])],
        [("instancenorm", {"eps": 0.001, "affine": True}, Shape(4, 5, 5))],
    ),
    (
        "DepthToSpace in CRD order is torch's PixelShuffle",
        node("DepthToSpace", ["x"], ["y"], blocksize=2, mode="CRD"),
        [1, 8, 5, 5],
        [],
        [("pixelshuffle", {"factor": 2}, Shape(2, 10, 10))],
    ),
    (
        "resize at opset 10: (X, scales), asymmetric coordinates",
        node("Resize", ["x", "s"], ["y"], mode="nearest"),
        [1, 3, 8, 8],
        [floats("s", [1.0, 1.0, 2.0, 3.0])],
        [("upsample", {"mode": "nearest", "scale": [2.0, 3.0]}, Shape(3, 16, 24))],
    ),
    (
        "resize nearest with half-pixel centres, round half up: torch's nearest-exact",
        node(
            "Resize",
            ["x", "", "s"],
            ["y"],
            mode="nearest",
            coordinate_transformation_mode="half_pixel",
            nearest_mode="round_prefer_ceil",
        ),
        [1, 3, 8, 8],
        [floats("s", [1.0, 1.0, 0.5, 0.5])],
        [("upsample", {"mode": "nearest-exact", "scale": 0.5}, Shape(3, 4, 4))],
    ),
    (
        "prelu per channel",
        node("PRelu", ["x", "a"], ["y"]),
        [1, 4, 5, 5],
        [weight("a", [4, 1, 1])],
        [("prelu", {"per_channel": True}, Shape(4, 5, 5))],
    ),
]


@pytest.mark.parametrize(
    ("what", "op", "dims", "inits", "expected"), SINGLE_OPS, ids=[c[0] for c in SINGLE_OPS]
)
def test_single_op_becomes_its_cnncalc_layer(
    tmp_path: Path,
    what: str,
    op: Any,
    dims: list[int],
    inits: list[Any],
    expected: list[tuple[str, dict[str, Any], Shape]],
) -> None:
    opsets = {"Gelu": 20, "Dropout": 11}
    opset = 10 if op.op_type == "Resize" and len(op.input) == 2 else opsets.get(op.op_type, 17)
    graph = read_onnx(save(tmp_path, model([op], dims, inits, opset=opset)))
    got = [(n.kind, n.fields, n.output_shape) for n in graph.nodes]
    assert got == expected
    assert graph.nodes[0].inputs == (NETWORK_INPUT,)
    assert graph.outputs == (graph.nodes[-1].name,)
    for earlier, later in zip(graph.nodes, graph.nodes[1:], strict=False):
        assert later.inputs == (earlier.name,)


def test_residual_add_concat_and_gate_name_what_they_read(tmp_path: Path) -> None:
    nodes = [
        node("Conv", ["x", "w1"], ["a"], kernel_shape=[1, 1], name="/block/conv1/Conv"),
        node("Relu", ["a"], ["r"], name="/block/relu/Relu"),
        node("Add", ["r", "x"], ["s"], name="/block/Add"),
        node("Concat", ["s", "x"], ["c"], axis=1, name="/Concat"),
        node("GlobalAveragePool", ["c"], ["g"], name="/se/GlobalAveragePool"),
        node("Sigmoid", ["g"], ["gs"], name="/se/gate/Sigmoid"),
        node("Mul", ["c", "gs"], ["y"], name="/se/Mul"),
    ]
    graph = read_onnx(save(tmp_path, model(nodes, [1, 4, 6, 6], [weight("w1", [4, 4, 1, 1])])))
    rows = {n.name: (n.kind, n.inputs, n.output_shape) for n in graph.nodes}
    assert rows == {
        "block.conv1": ("conv", (NETWORK_INPUT,), Shape(4, 6, 6)),
        "block.relu": ("relu", ("block.conv1",), Shape(4, 6, 6)),
        "block.add": ("add", ("block.relu", NETWORK_INPUT), Shape(4, 6, 6)),
        "concat": ("concat", ("block.add", NETWORK_INPUT), Shape(8, 6, 6)),
        # a pool the module se calls in its forward: named inside se, which is a scope
        "se.globalaveragepool": ("gap", ("concat",), Shape(8, 1, 1)),
        "se.gate": ("sigmoid", ("se.globalaveragepool",), Shape(8, 1, 1)),
        "se.mul": ("mul", ("concat", "se.gate"), Shape(8, 6, 6)),
    }
    assert graph.nodes[0].origin == "ONNX node #0 '/block/conv1/Conv' (Conv)"


def test_torch_scope_names_become_module_paths() -> None:
    from cnncalc.importers.onnx_reader import _Names

    assert _Names.scope_path("/layer1/layer1.0/conv1/Conv") == "layer1.0.conv1"
    assert (
        _Names.scope_path(
            "/features/features.denseblock1/features.denseblock1.denselayer1/norm1/BatchNormalization"
        )
        == "features.denseblock1.denselayer1.norm1"
    )
    assert _Names.scope_path("/features/features.1/block/block.0/block.0.2/Relu") == "features.1.block.0.2"
    assert _Names.scope_path("/fc/Gemm") == "fc"
    assert _Names.scope_path("Conv_0") == ""


def test_silu_pattern_and_matmul_bias_and_reshape_target_subgraph_fold(tmp_path: Path) -> None:
    # torch's SiLU: Mul(x, Sigmoid(x)); torch.flatten by Reshape to (N, -1) computed from Shape;
    # Linear as MatMul + Add on older exporters.
    nodes = [
        node("Sigmoid", ["x"], ["s"]),
        node("Mul", ["x", "s"], ["m"]),
        node("Shape", ["m"], ["shape"]),
        node("Gather", ["shape", "zero"], ["n"], axis=0),
        node("Unsqueeze", ["n", "axes0"], ["n1"]),
        node("Concat", ["n1", "minus1"], ["target"], axis=0),
        node("Reshape", ["m", "target"], ["flat"]),
        node("MatMul", ["flat", "w"], ["mm"]),
        node("Add", ["mm", "b"], ["y"]),
    ]
    inits = [
        helper_int_scalar("zero", 0),
        ints("axes0", [0]),
        ints("minus1", [-1]),
        weight("w", [48, 5]),
        weight("b", [5]),
    ]
    graph = read_onnx(save(tmp_path, model(nodes, [1, 3, 4, 4], inits)))
    assert [(n.kind, n.fields, n.output_shape) for n in graph.nodes] == [
        ("silu", {}, Shape(3, 4, 4)),
        ("flatten", {}, Shape(48)),
        ("fc", {"units": 5, "bias": True}, Shape(5)),
    ]
    assert graph.outputs == (graph.nodes[-1].name,)
    assert any("4 ONNX nodes only compute constants" in note for note in graph.notes)


def helper_int_scalar(name: str, value: int) -> Any:
    return onnx.helper.make_tensor(name, onnx.TensorProto.INT64, [], [value])


def test_channel_shuffle_and_split_become_chunks_and_channel_shuffle(tmp_path: Path) -> None:
    # ShuffleNetV2 as torch exports it: x.chunk(2, dim=1) → Split; channel_shuffle → Reshape to
    # (N, g, C/g, H, W), Transpose(0, 2, 1, 3, 4), Reshape back.
    nodes = [
        node("Split", ["x", "halves"], ["a", "b"], axis=1),
        node("Relu", ["b"], ["rb"]),
        node("Concat", ["a", "rb"], ["c"], axis=1),
        node("Reshape", ["c", "five"], ["v"]),
        node("Transpose", ["v"], ["t"], perm=[0, 2, 1, 3, 4]),
        node("Reshape", ["t", "four"], ["y"]),
    ]
    inits = [ints("halves", [4, 4]), ints("five", [1, 2, 4, 6, 6]), ints("four", [1, 8, 6, 6])]
    graph = read_onnx(save(tmp_path, model(nodes, [1, 8, 6, 6], inits)))
    assert [(n.kind, n.fields, n.inputs, n.output_shape) for n in graph.nodes] == [
        ("chunk", {"parts": 2, "index": 0}, (NETWORK_INPUT,), Shape(4, 6, 6)),
        ("chunk", {"parts": 2, "index": 1}, (NETWORK_INPUT,), Shape(4, 6, 6)),
        ("relu", {}, (graph.nodes[1].name,), Shape(4, 6, 6)),
        ("concat", {}, (graph.nodes[0].name, graph.nodes[2].name), Shape(8, 6, 6)),
        ("channel_shuffle", {"groups": 2}, (graph.nodes[3].name,), Shape(8, 6, 6)),
    ]


def test_an_op_without_a_layer_is_listed_with_place_and_shapes(tmp_path: Path) -> None:
    nodes = [
        node("Relu", ["x"], ["r"], name="/relu/Relu"),
        node("Transpose", ["r"], ["t"], perm=[0, 1, 3, 2], name="/permute/Transpose"),
        node("Erf", ["t"], ["y"], name="/erf/Erf"),
    ]
    graph = read_onnx(save(tmp_path, model(nodes, [1, 4, 5, 6])))
    transpose, erf = graph.nodes[1], graph.nodes[2]
    assert transpose.kind == erf.kind == "uncounted"
    assert transpose.origin == "ONNX node #1 '/permute/Transpose' (Transpose)"
    assert transpose.fields == {
        "op": "ONNX node #1 '/permute/Transpose' (Transpose), 1×4×5×6 → 1×4×6×5: a transpose (cnncalc's layers keep the C×H×W layout)",
        "output": Shape(channels=4, height=6, width=5),  # its N×C×H×W as ONNX writes it
    }
    assert erf.fields["op"] == "ONNX node #2 '/erf/Erf' (Erf), 1×4×6×5 → 1×4×6×5: no cnncalc layer for Erf"
    assert erf.inputs == (transpose.name,)


def test_an_op_on_channels_last_that_works_per_position_is_read_on_c_h_w(tmp_path: Path) -> None:
    """After a Transpose to N×H×W×C, an activation is read on cnncalc's C×H×W (the transposes are
    no rows); an op that is not per position over the channels is uncounted, with ONNX's sizes."""
    nodes = [
        node("Relu", ["x"], ["r"], name="/relu/Relu"),
        node("Transpose", ["r"], ["t"], perm=[0, 2, 3, 1], name="/permute/Transpose"),
        node("Sigmoid", ["t"], ["s"], name="/act/Sigmoid"),
        node("Erf", ["s"], ["y"], name="/erf/Erf"),
    ]
    graph = read_onnx(save(tmp_path, model(nodes, [1, 4, 5, 6])))
    _, sigmoid, erf = graph.nodes
    assert (sigmoid.kind, sigmoid.inputs, sigmoid.output_shape) == ("sigmoid", ("relu",), Shape(4, 5, 6))
    assert erf.kind == "uncounted" and erf.inputs == ("act",)
    assert erf.fields["op"] == (
        "ONNX node #3 '/erf/Erf' (Erf), 1×5×6×4 → 1×5×6×4: an op on a tensor with the channels "
        "moved last (N×H×W×C, by a Transpose)"
    )


def test_an_uncounted_op_keeps_the_parameters_of_its_initializers(tmp_path: Path) -> None:
    # LayerNormalization over the last axis of N×C×H×W normalises along W: not cnncalc's layernorm
    # (over the channels at each position), so uncounted, with its 2 × 5 parameters
    nodes = [node("LayerNormalization", ["x", "s", "b"], ["y"], axis=-1, name="/norm/LayerNormalization")]
    graph = read_onnx(save(tmp_path, model(nodes, [1, 4, 5, 5], [weight("s", [5]), weight("b", [5])])))
    (norm,) = graph.nodes
    assert norm.kind == "uncounted" and norm.fields["params"] == 10 and norm.output_shape == Shape(4, 5, 5)


def test_an_op_of_another_domain_is_uncounted(tmp_path: Path) -> None:
    nodes = [node("FusedConv", ["x"], ["y"], domain="com.microsoft")]
    proto = model(nodes, [1, 3, 4, 4])
    proto.opset_import.append(onnx.helper.make_opsetid("com.microsoft", 1))
    path = tmp_path / "ms.onnx"
    path.write_bytes(proto.SerializeToString())
    (fused,) = read_onnx(path).nodes
    assert fused.kind == "uncounted"
    assert fused.fields["op"] == (
        "ONNX node #0 (FusedConv), 1×3×4×4 → ?; output size unknown: no cnncalc layer for FusedConv of domain 'com.microsoft'"
    )
    assert fused.output_shape == Shape(3, 4, 4)


def test_folded_batchnorm_note(tmp_path: Path) -> None:
    nodes = [node("Conv", ["x", "onnx::Conv_5", "onnx::Conv_6"], ["y"], kernel_shape=[1, 1])]
    graph = read_onnx(
        save(
            tmp_path,
            model(nodes, [1, 3, 4, 4], [weight("onnx::Conv_5", [2, 3, 1, 1]), weight("onnx::Conv_6", [2])]),
        )
    )
    assert graph.nodes[0].fields["bias"] is True
    assert any("folds each BatchNorm" in note for note in graph.notes)


def test_dynamic_input_takes_the_given_size(tmp_path: Path) -> None:
    nodes = [node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3])]
    path = save(tmp_path, model(nodes, ["N", 3, "H", "W"], [weight("w", [2, 3, 3, 3])]))
    graph = read_onnx(path, input_shape=Shape(3, 10, 12))
    assert graph.input == Shape(3, 10, 12)
    assert graph.nodes[0].output_shape == Shape(2, 8, 10)


# -- bad input: one error each, with where and how to fix --------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no such file") as info:
        read_onnx(tmp_path / "nope.onnx")
    assert info.value.location is not None and info.value.location.source.endswith("nope.onnx")


def test_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.onnx"
    path.write_bytes(b"\x08\x07\x12\xff\xff\xff\xff\x0fgarbage")
    with pytest.raises(SpecError, match=r"not a readable ONNX file|holds no ONNX graph"):
        read_onnx(path)


def test_text_file_named_onnx(tmp_path: Path) -> None:
    path = tmp_path / "notes.onnx"
    path.write_text("input: 32x32x3\nlayers: [conv 8 k3]\n")
    with pytest.raises(SpecError, match=r"not a readable ONNX file|holds no ONNX graph"):
        read_onnx(path)


def test_unsupported_opset(tmp_path: Path) -> None:
    proto = model([node("Relu", ["x"], ["y"])], [1, 3, 4, 4], opset=99)
    path = tmp_path / "future.onnx"
    path.write_bytes(proto.SerializeToString())
    with pytest.raises(SpecError, match="unsupported opset 99: this onnx installation reads opsets 7 to"):
        read_onnx(path)


def test_dynamic_input_without_size(tmp_path: Path) -> None:
    path = save(tmp_path, model([node("Relu", ["x"], ["y"])], ["N", 3, "H", "W"]))
    with pytest.raises(SpecError, match=r"the model's input 'x' has a dynamic size \(\?×3×\?×\?\)") as info:
        read_onnx(path)
    assert "--input" in (info.value.hint or "")


def test_input_the_model_rejects(tmp_path: Path) -> None:
    # a fixed reshape target: 3×4×4 = 48 features, --input 8x8x3 gives 192
    nodes = [node("Reshape", ["x", "t"], ["f"]), node("Gemm", ["f", "w"], ["y"], transB=1)]
    path = save(tmp_path, model(nodes, [1, 3, 4, 4], [ints("t", [1, 48]), weight("w", [5, 48])]))
    with pytest.raises(
        ShapeError,
        match=r"the model rejects the input 8×8×3 at ONNX node #0 \(Reshape\): it reshapes 192 values to 1×48",
    ):
        read_onnx(path, input_shape=Shape(3, 8, 8))


def test_input_too_small_for_a_kernel(tmp_path: Path) -> None:
    nodes = [node("Conv", ["x", "w"], ["y"], kernel_shape=[7, 7], name="/conv1/Conv")]
    path = save(tmp_path, model(nodes, ["N", 3, "H", "W"], [weight("w", [2, 3, 7, 7])]))
    with pytest.raises(
        ShapeError, match=r"the model rejects the input 4×4×3 at ONNX node #0 '/conv1/Conv' \(Conv\): "
    ) as info:
        read_onnx(path, input_shape=Shape(3, 4, 4))
    assert info.value.location.path == "node #0" and info.value.location.layer_name == "/conv1/Conv"


def test_weight_reading_other_channels(tmp_path: Path) -> None:
    nodes = [node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], name="/conv1/Conv")]
    path = save(tmp_path, model(nodes, [1, 3, 8, 8], [weight("w", [2, 4, 3, 3])]))
    with pytest.raises(ShapeError, match=r"its weight reads 4 channels .* but its input has 3"):
        read_onnx(path)


def test_input_with_other_channels(tmp_path: Path) -> None:
    path = save(tmp_path, model([node("Relu", ["x"], ["y"])], [1, 3, 4, 4]))
    with pytest.raises(SpecError, match="--input 4×4×1 has 1 channels but the model's input 'x' has 3"):
        read_onnx(path, input_shape=Shape(1, 4, 4))


def test_every_error_is_a_cnncalc_error_with_location(tmp_path: Path) -> None:
    path = save(tmp_path, model([node("Relu", ["x"], ["y"])], ["N", 3, "H", "W"]))
    with pytest.raises(CnncalcError) as info:
        read_onnx(path)
    assert info.value.location is not None and info.value.location.source == str(path)


LIGHT_IMPORT = """
import sys
from cnncalc.importers.onnx_reader import read_onnx
graph = read_onnx(sys.argv[1])
assert graph.nodes[0].kind == "relu"
assert "numpy" not in sys.modules and "ml_dtypes" not in sys.modules and "torch" not in sys.modules
import onnx
import onnx.helper
# the whole package works after the reader loaded only its protobuf and shape inference
assert onnx.ModelProto is onnx.onnx_ml_pb2.ModelProto
proto = onnx.load(sys.argv[1])
inferred = onnx.shape_inference.infer_shapes(proto)
assert onnx.numpy_helper.to_array(onnx.helper.make_tensor("t", onnx.TensorProto.INT64, [2], [1, 2])).tolist() == [1, 2]
onnx.checker.check_node(proto.graph.node[0])
print("ok")
"""


def test_reader_loads_onnx_without_numpy_and_the_package_still_works_after(tmp_path: Path) -> None:
    path = save(tmp_path, model([node("Relu", ["x"], ["y"])], [1, 3, 4, 4]))
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(LIGHT_IMPORT), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.fixture
def portuguese() -> Any:
    from cnncalc import i18n

    i18n.set_language("pt")
    yield i18n
    i18n.set_language("en")


def test_reader_errors_and_notes_read_in_portuguese(tmp_path: Path, portuguese: Any) -> None:
    path = save(tmp_path, model([node("Relu", ["x"], ["y"])], ["N", 3, "H", "W"]))
    with pytest.raises(SpecError) as info:
        read_onnx(path)
    assert (
        portuguese.translate_message(info.value.message)
        == "a entrada 'x' do modelo tem tamanho dinâmico (?×3×?×?)"
    )
    assert (
        portuguese.translate_message(info.value.hint)
        == "dê o tamanho com --input HxWxC (p. ex. --input 224x224x3)"
    )
    nodes = [node("Reshape", ["x", "t"], ["f"], name="/Reshape")]
    path = save(tmp_path, model(nodes, [1, 3, 4, 4], [ints("t", [1, 48])]), "fixed.onnx")
    with pytest.raises(ShapeError) as info:
        read_onnx(path, input_shape=Shape(3, 8, 8))
    assert portuguese.translate_message(info.value.message) == (
        "o modelo recusa a entrada 8×8×3 em nó ONNX #0 '/Reshape' (Reshape): ele muda o formato de 192 valores para 1×48"
    )


def _small_model_bytes() -> bytes:
    nodes = [
        node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        node("Relu", ["c"], ["r"]),
        node("Shape", ["r"], ["s"]),
        node("Gather", ["s", "zero"], ["n"], axis=0),
        node("Unsqueeze", ["n", "axes0"], ["n1"]),
        node("Concat", ["n1", "minus1"], ["t"], axis=0),
        node("Reshape", ["r", "t"], ["f"]),
        node("Gemm", ["f", "fw", "fb"], ["y"], transB=1),
    ]
    inits = [
        weight("w", [4, 3, 3, 3]),
        helper_int_scalar("zero", 0),
        ints("axes0", [0]),
        ints("minus1", [-1]),
        weight("fw", [5, 64]),
        weight("fb", [5]),
    ]
    return model(nodes, [1, 3, 4, 4], inits).SerializeToString()


SMALL_MODEL = _small_model_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cut=st.integers(0, len(SMALL_MODEL)),
    flips=st.lists(st.tuples(st.integers(0, len(SMALL_MODEL) - 1), st.integers(0, 255)), max_size=4),
)
def test_damaged_files_end_in_a_graph_or_one_clear_error(
    tmp_path: Path, cut: int, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(SMALL_MODEL[:cut] if cut < len(SMALL_MODEL) else SMALL_MODEL)
    for position, value in flips:
        if position < len(data):
            data[position] = value
    path = tmp_path / "damaged.onnx"
    path.write_bytes(bytes(data))
    try:
        graph = read_onnx(path)
    except CnncalcError as exc:
        assert exc.exit_code == 2 and exc.message and exc.location is not None
    else:
        assert graph.nodes and all(n.kind for n in graph.nodes)


def test_uncounted_ops_read_in_portuguese(tmp_path: Path, portuguese: Any) -> None:
    nodes = [node("Transpose", ["x"], ["y"], perm=[0, 1, 3, 2], name="/permute/Transpose")]
    (transpose,) = read_onnx(save(tmp_path, model(nodes, [1, 4, 5, 6]))).nodes
    assert portuguese.translate_message(transpose.fields["op"]) == (
        "nó ONNX #0 '/permute/Transpose' (Transpose), 1×4×5×6 → 1×4×6×5: um transpose (as camadas do cnncalc mantêm o arranjo C×H×W)"
    )


def test_uncounted_nodes_are_valid_layers_of_the_uncounted_kind(tmp_path: Path) -> None:
    from cnncalc.layers import lookup

    nodes = [
        node("Relu", ["x"], ["r"]),
        node("Transpose", ["r"], ["t"], perm=[0, 1, 3, 2]),
        node("LayerNormalization", ["t", "s", "b"], ["n"], axis=-1),
        node("Reshape", ["n", "shape3"], ["y"]),
    ]
    inits = [weight("s", [5]), weight("b", [5]), ints("shape3", [1, 30, 4])]
    graph = read_onnx(save(tmp_path, model(nodes, [1, 4, 5, 6], inits)))
    uncounted = [n for n in graph.nodes if n.kind == "uncounted"]
    assert [n.op for n in uncounted] == ["Transpose", "LayerNormalization", "Reshape"]
    for imported in uncounted:
        layer = lookup("uncounted")(type="uncounted", **imported.fields)
        assert layer.output_shape(graph.input) == imported.output_shape
    assert uncounted[1].fields["params"] == 10
    assert uncounted[2].output_shape == Shape(120)  # a 1×30×4 tensor: 120 values per sample


def test_weights_in_external_data_are_never_read(tmp_path: Path) -> None:
    # models over 2 GiB keep their weights beside the .onnx file; only their sizes are needed
    nodes = [node("Conv", ["x", "conv.weight"], ["y"], kernel_shape=[3, 3])]
    import numpy

    proto = model(
        nodes,
        [1, 3, 8, 8],
        [onnx.numpy_helper.from_array(numpy.zeros((64, 3, 3, 3), "float32"), "conv.weight")],
    )
    path = tmp_path / "external.onnx"
    onnx.save(
        proto,
        str(path),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="weights.bin",
        size_threshold=0,
    )
    (tmp_path / "weights.bin").unlink()  # not even opened
    (conv,) = read_onnx(path).nodes
    assert conv.kind == "conv" and conv.fields["filters"] == 64 and conv.output_shape == Shape(64, 6, 6)


def test_a_weight_read_twice_is_counted_once(tmp_path: Path) -> None:
    """A module called twice, exported once (torch names the calls /conv and /conv_1): both Convs
    read conv.weight and conv.bias. The second layer shares the first's parameters (counted once)
    and its MACs count at each call; an uncounted op reading initializers already counted adds none.
    Another module reading the same tensor is the exporter merging equal values (a fresh model's
    norms): separate parameters, counted again."""
    from cnncalc.analysis import analyse
    from cnncalc.importers.spec_writer import graph_network

    conv = {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}
    nodes = [
        node("Conv", ["x", "conv.weight", "conv.bias"], ["a"], name="/conv/Conv", **conv),
        node("Conv", ["a", "conv.weight", "conv.bias"], ["c"], name="/conv_1/Conv", **conv),
        node("Conv", ["c", "conv.weight", "conv.bias"], ["e"], name="/other/Conv", **conv),
        node("LayerNormalization", ["e", "n.weight", "n.bias"], ["d"], axis=-1, name="/n/LayerNormalization"),
        node(
            "LayerNormalization", ["d", "n.weight", "n.bias"], ["y"], axis=-1, name="/n_1/LayerNormalization"
        ),
    ]
    names = ["conv.weight", "conv.bias", "n.weight", "n.bias"]
    inits = [weight(n, d) for n, d in zip(names, [[4, 4, 3, 3], [4], [5], [5]], strict=True)]
    graph = read_onnx(save(tmp_path, model(nodes, [1, 4, 5, 5], inits)))
    first, second, other, norm1, norm2 = graph.nodes
    assert "shares" not in first.fields and second.fields["shares"] == first.name
    assert "shares" not in other.fields
    assert norm1.fields["params"] == 10 and "params" not in norm2.fields
    report = analyse(graph_network(graph))
    conv_params = 4 * 4 * 9 + 4
    assert report.totals.params == 2 * conv_params + 10
    assert report.totals.macs == 3 * (4 * 4 * 9 * 5 * 5)
    assert graph.notes[-1] == (
        "2 initializers holding one repeated value (a fresh model's BatchNorm ones and zeros) are "
        "read by several modules: the exporter merges equal values, so each module's are counted"
    )


def test_a_weight_whose_values_are_outside_the_file_read_by_another_module_is_said(tmp_path: Path) -> None:
    """Values in an external data file: a merge of equal values or a tie, the file cannot say;
    counted for each module, and the note says which tensors and why."""
    conv = {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}
    nodes = [
        node("Conv", ["x", "a.weight"], ["h"], name="/a/Conv", **conv),
        node("Conv", ["h", "a.weight"], ["y"], name="/b/Conv", **conv),
    ]
    outside = onnx.TensorProto(name="a.weight", dims=[4, 4, 3, 3], data_type=onnx.TensorProto.FLOAT)
    outside.data_location = onnx.TensorProto.EXTERNAL
    outside.external_data.add(key="location", value="weights.bin")
    graph = read_onnx(save(tmp_path, model(nodes, [1, 4, 5, 5], [outside])))
    assert [n.fields.get("shares") for n in graph.nodes] == [None, None]
    assert graph.notes == (
        "1 initializers read by several modules have their values outside the file: an exporter's "
        "merge of equal values or weights tied, cnncalc cannot tell which; counted for each module",
    )


def test_a_varied_weight_another_module_reads_is_tied() -> None:
    """TorchScript writes a tied weight (b.weight = a.weight) once, named a.weight and read by
    /b/Conv: values that vary are no exporter's merge of equal ones, so b shares a (torch counts
    the parameter once), and a note says why; a weight tied without its bias counts again, said."""
    import tempfile

    conv = {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}
    varied = [0.01 * i for i in range(4 * 4 * 9)]
    for bias_b, expect_shared in (("a.bias", True), ("b.bias", False)):
        nodes = [
            node("Conv", ["x", "a.weight", "a.bias"], ["h"], name="/a/Conv", **conv),
            node("Conv", ["h", "a.weight", bias_b], ["y"], name="/b/Conv", **conv),
        ]
        inits = [weight("a.weight", [4, 4, 3, 3], varied), weight("a.bias", [4], [1, 2, 3, 4])]
        inits += [weight("b.bias", [4], [5, 6, 7, 8])] if bias_b == "b.bias" else []
        with tempfile.TemporaryDirectory() as folder:
            graph = read_onnx(save(Path(folder), model(nodes, [1, 4, 5, 5], inits)))
        second = graph.nodes[1]
        assert (second.fields.get("shares") == "a") is expect_shared
        expected = (
            "a.weight is read by a and by /b/Conv: one tensor of varied values (an exporter merges "
            "only equal values), so one module's weights, called again or tied: counted once"
            if expect_shared
            else "/b/Conv: some or all of its parameters are those of a (tied weights), which only a "
            "layer defined the same way can share: they are counted again"
        )
        assert graph.notes == (expected,)


def test_a_scope_the_graph_enters_again_is_written_as_the_parser_reads_it(tmp_path: Path) -> None:
    """A block called again after another one (torch's TorchScript export: /block/conv/Conv, then
    /other/…, then /block/conv_1/Conv): the second visit of ``block`` is the group ``block_2``, as
    the spec parser names a group opened again, and its conv shares ``block.conv``'s weights."""
    from cnncalc.analysis import analyse
    from cnncalc.importers.spec_writer import graph_document, graph_network

    conv = {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}
    nodes = [
        node("Conv", ["x", "block.conv.weight"], ["a"], name="/block/conv/Conv", **conv),
        node("Relu", ["a"], ["b"], name="/block/act/Relu"),
        node("Conv", ["b", "other.conv.weight"], ["c"], name="/other/conv/Conv", **conv),
        node("Conv", ["c", "block.conv.weight"], ["d"], name="/block/conv_1/Conv", **conv),
        node("Relu", ["d"], ["y"], name="/block/act_1/Relu"),
    ]
    inits = [weight("block.conv.weight", [4, 4, 3, 3]), weight("other.conv.weight", [4, 4, 3, 3])]
    graph = read_onnx(save(tmp_path, model(nodes, [1, 4, 5, 5], inits)))
    groups = [entry["name"] for entry in graph_document(graph)["layers"]]
    assert groups == ["block", "other", "block_2"]
    report = analyse(graph_network(graph))
    assert [row.name for row in report.layers] == [
        "block.conv",
        "block.act",
        "other.conv",
        "block_2.conv_2",  # the second call of block.conv, as a torch import names it
        "block_2.act_1",
    ]
    assert [row.params for row in report.layers if row.type == "conv"] == [144, 144, 0]
    assert report.totals.macs == 3 * 144 * 25


@pytest.mark.parametrize(
    ("order", "counted"),
    [(list(range(8)), True), ([1, 0, *range(2, 8)], False)],  # the tensor itself; channels swapped
)
def test_as_strided_that_changes_nothing_is_its_input(
    tmp_path: Path, order: list[int], counted: bool
) -> None:
    """dynamo writes ``x.as_strided(x.size(), x.stride())`` (torch's view after ConvNeXt's pool)
    as Reshape(x, [-1]) and Gather by 0 … n−1 in x's dims: no row, the fc reads the pool. Any
    other order of the indices moves values: an uncounted op (source: torch.as_strided)."""
    indices = helper.make_tensor("idx", onnx.TensorProto.INT64, [1, 8, 1, 1], order)
    nodes = [
        node("GlobalAveragePool", ["x"], ["p"], name="/pool"),
        node("Constant", [], ["minus_one"], value_ints=[-1]),
        node("Reshape", ["p", "minus_one"], ["flat"], name="/view/Reshape"),
        node("Constant", [], ["i"], value=indices),
        node("Gather", ["flat", "i"], ["v"], axis=0, name="/view/Gather"),
        node("Flatten", ["v"], ["f"], axis=1, name="/flatten"),
        node("Gemm", ["f", "w"], ["y"], transB=1, name="/fc/Gemm"),
    ]
    graph = read_onnx(save(tmp_path, model(nodes, [1, 8, 4, 4], [weight("w", [3, 8])])))
    kinds = [n.kind for n in graph.nodes]
    assert ("uncounted" not in kinds) is counted
    if counted:
        assert kinds == ["gap", "flatten", "fc"]


def _scoped(op: str, inputs: list[str], outputs: list[str], scopes: str, **attrs: Any) -> Any:
    """A node as torch's dynamo exporter names it (``node_relu_1``), its module path in metadata."""
    made = node(op, inputs, outputs, name=f"node_{op.lower()}_{outputs[0]}", **attrs)
    made.metadata_props.add(key="pkg.torch.onnx.name_scopes", value=scopes)
    return made


def test_dynamo_exporters_module_paths_name_the_layers(tmp_path: Path) -> None:
    """torch.onnx.export(dynamo=True) names nodes ``node_relu_1`` and records the module path in
    ``pkg.torch.onnx.name_scopes``: a module call is named by its path, a function of a module's
    forward by the path and the op; metadata that is not a list of names is not used (nor run)."""
    nodes = [
        _scoped("Conv", ["x", "conv1.weight"], ["c"], "['', 'conv1', 'conv2d']", kernel_shape=[1, 1]),
        _scoped("Relu", ["c"], ["r"], "['', 'layer1', 'layer1.0', 'layer1.0.relu', 'relu']"),
        _scoped("Add", ["r", "c"], ["a"], "['', 'layer1', 'layer1.0', 'add']"),
        _scoped("Relu", ["a"], ["b"], "['', 'trunk', 'trunk.block2-0', 'trunk.block2-0.act', 'relu']"),
        _scoped("Relu", ["b"], ["y"], "__import__('os').system('false')"),
    ]
    graph = read_onnx(save(tmp_path, model(nodes, [1, 4, 5, 5], [weight("conv1.weight", [4, 4, 1, 1])])))
    names = ["conv1", "layer1.0.relu", "layer1.0.add", "trunk.block2-0.act", "node_relu_y"]
    assert [n.name for n in graph.nodes] == names  # torchvision's regnet: block2-0


def test_dynamo_exporters_computed_zero_bias_is_no_parameter(tmp_path: Path) -> None:
    """Unoptimised, the dynamo exporter gives a conv without bias a zero bias it computes:
    Expand(CastLike(0, x), shape). Folded as constants (the CastLike's second input is only a
    type), and zeros that are no initializer are no parameters: the conv has none."""
    nodes = [
        node("Constant", [], ["zero"], value=onnx.helper.make_tensor("z", onnx.TensorProto.FLOAT, [], [0.0])),
        node("CastLike", ["zero", "x"], ["typed"]),
        node("Expand", ["typed", "filters"], ["b"]),
        node("Conv", ["x", "conv.weight", "b"], ["y"], kernel_shape=[1, 1], name="node_conv2d"),
    ]
    inits = [weight("conv.weight", [6, 4, 1, 1]), ints("filters", [6])]
    graph = read_onnx(save(tmp_path, model(nodes, [1, 4, 5, 5], inits)))
    (conv,) = graph.nodes
    assert (conv.name, conv.kind, conv.fields["bias"]) == ("conv", "conv", False)
    # an initializer of zeros is the model's own bias (a trained one may be zero): counted
    nodes[-1] = node("Conv", ["x", "conv.weight", "conv.bias"], ["y"], kernel_shape=[1, 1])
    graph = read_onnx(save(tmp_path, model(nodes[-1:], [1, 4, 5, 5], [*inits, weight("conv.bias", [6])])))
    assert graph.nodes[0].fields["bias"] is True


def test_dynamo_exporters_fused_batchnorm_is_said(tmp_path: Path) -> None:
    conv = node("Conv", ["x", "conv.weight"], ["y"], kernel_shape=[1, 1], name="node_Conv_7")
    conv.metadata_props.add(key="pkg.onnxscript.rewriter.rule_name", value="FuseBatchNormIntoConv")
    graph = read_onnx(save(tmp_path, model([conv], [1, 4, 5, 5], [weight("conv.weight", [6, 4, 1, 1])])))
    (note,) = graph.notes
    assert note.startswith("1 convolutions hold a BatchNorm that torch.onnx.export(dynamo=True) fused")


def test_what_reads_an_op_of_unknown_size_is_not_counted_on_a_guess(tmp_path: Path) -> None:
    """An op cnncalc cannot map, whose output ONNX's shape inference cannot size either (a custom
    domain's): a conv reading it would be counted on a guessed input (its row keeps the input's
    size), so it is uncounted too, holding its weights; no MACs are made up."""
    nodes = [
        node("Foo", ["x"], ["f"], domain="com.example", name="/foo/Foo"),
        node("Conv", ["f", "conv.weight"], ["y"], kernel_shape=[3, 3], name="/conv/Conv"),
    ]
    proto = model(nodes, [1, 4, 8, 8], [weight("conv.weight", [6, 4, 3, 3])])
    proto.opset_import.append(onnx.helper.make_opsetid("com.example", 1))
    graph = read_onnx(save(tmp_path, proto))
    foo, conv = graph.nodes
    assert foo.kind == conv.kind == "uncounted"
    assert conv.fields["op"].endswith("its input's size is unknown (an op before it is not counted)")
    assert conv.fields["params"] == 6 * 4 * 3 * 3


def test_dynamo_exporters_module_called_twice_shares_its_weights(tmp_path: Path) -> None:
    """Two Convs reading ``shared.weight``, each recorded as a call of the module ``shared``: the
    second shares the first (its parameters count once), as a module called twice; a Conv of
    another module reading it is the exporter merging equal values, counted again."""
    nodes = [
        _scoped("Conv", ["x", "shared.weight"], ["a"], "['', 'shared', 'conv2d']", kernel_shape=[1, 1]),
        _scoped("Conv", ["a", "shared.weight"], ["b"], "['', 'shared', 'conv2d_1']", kernel_shape=[1, 1]),
        _scoped("Conv", ["b", "shared.weight"], ["y"], "['', 'other', 'conv2d_2']", kernel_shape=[1, 1]),
    ]
    graph = read_onnx(save(tmp_path, model(nodes, [1, 4, 5, 5], [weight("shared.weight", [4, 4, 1, 1])])))
    assert [n.fields.get("shares") for n in graph.nodes] == [None, "shared", None]


def test_dynamo_recorded_paths_share_only_the_same_module(tmp_path: Path) -> None:
    """The dynamo exporter records a second call of ``conv`` as ``conv`` again; a module named
    ``conv_1`` reading ``conv.weight`` (its optimizer merged equal initializers) is another
    module: counted again, not shared."""
    nodes = [
        _scoped("Conv", ["x", "conv.weight"], ["a"], "['', 'conv', 'conv2d']", kernel_shape=[1, 1]),
        _scoped("Conv", ["a", "conv.weight"], ["y"], "['', 'conv_1', 'conv2d_1']", kernel_shape=[1, 1]),
    ]
    graph = read_onnx(save(tmp_path, model(nodes, [1, 4, 5, 5], [weight("conv.weight", [4, 4, 1, 1])])))
    assert [n.fields.get("shares") for n in graph.nodes] == [None, None]


def test_an_uncounted_batchnorm_keeps_its_statistics_as_buffers(tmp_path: Path) -> None:
    """Its running mean and variance, and num_batches_tracked (not in the file): the buffers of
    torch's BatchNorm2d(4), 4 + 4 + 1, as the counted batchnorm kind has them."""
    nodes = [
        node("Foo", ["x"], ["f"], domain="com.example"),
        node("BatchNormalization", ["f", "s", "b", "m", "v"], ["y"]),
    ]
    inits = [weight(n, [4]) for n in "sbmv"]
    proto = model(nodes, [1, 4, 8, 8], inits)
    proto.opset_import.append(onnx.helper.make_opsetid("com.example", 1))
    _, norm = read_onnx(save(tmp_path, proto)).nodes
    assert (norm.kind, norm.fields["params"], norm.fields["buffer_values"]) == ("uncounted", 8, 9)


def test_a_computed_zero_bias_of_many_filters_is_no_parameter(tmp_path: Path) -> None:
    nodes = [
        node("Constant", [], ["zero"], value=onnx.helper.make_tensor("z", onnx.TensorProto.FLOAT, [], [0.0])),
        node("Expand", ["zero", "filters"], ["b"]),
        node("Conv", ["x", "conv.weight", "b"], ["y"], kernel_shape=[1, 1]),
    ]
    inits = [weight("conv.weight", [5000, 4, 1, 1]), ints("filters", [5000])]
    (conv,) = read_onnx(save(tmp_path, model(nodes, [1, 4, 2, 2], inits))).nodes
    assert conv.fields["bias"] is False


def test_dynamo_optimizers_removed_zero_bias_is_said(tmp_path: Path) -> None:
    conv = node("Conv", ["x", "conv.weight"], ["y"], kernel_shape=[1, 1], name="node_Conv_3")
    conv.metadata_props.add(key="pkg.onnxscript.rewriter.rule_name", value="RemoveOptionalBiasFromConv")
    graph = read_onnx(save(tmp_path, model([conv], [1, 4, 5, 5], [weight("conv.weight", [6, 4, 1, 1])])))
    (note,) = graph.notes
    assert note.startswith("1 convolutions lost a bias of zeros to torch.onnx.export(dynamo=True)")

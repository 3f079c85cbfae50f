"""Bundled specs through ONNX and back: each spec is built by cnncalc's torch bridge (the module
``cnncalc export`` writes), exported by ``torch.onnx.export(..., dynamo=False)`` and read by the
ONNX reader; the imported network must have the spec's parameters, buffers, MACs and, row by row,
its output shapes.

The export keeps BatchNorm as its own node (``do_constant_folding=False``; in eval mode with
folding, torch merges it into the convolution before it and the graph holds other parameters, as
the reader's note says). A representative set (one member of every family, the smallest) runs by
default (and the two specs with LRN), about a minute; ``CNNCALC_ONNX_ZOO=all`` runs every bundled spec (about 5 minutes).
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path
from typing import Any

import pytest

onnx = pytest.importorskip("onnx")
torch = pytest.importorskip("torch")

import cnncalc  # noqa: E402
from cnncalc.analysis import analyse  # noqa: E402
from cnncalc.catalog import bundled_names  # noqa: E402
from cnncalc.importers.onnx_reader import read_onnx  # noqa: E402
from cnncalc.torch_bridge import build_module  # noqa: E402

pytestmark = pytest.mark.torch

REPRESENTATIVE = [
    "alexnet",
    "lenet5",
    "alphago-policy",
    "vgg11_bn",
    "resnet18",
    "resnext50_32x4d",
    "densenet121",
    "googlenet",
    "googlenet-aux",
    "inception_v3",
    "squeezenet1_0",
    "mobilenet_v2",
    "mobilenet_v3_small",
    "mnasnet0_5",
    "efficientnet_b0",
    "regnet_y_400mf",
]
# torch 2.13's ONNX exporter has no symbolic for aten::channel_shuffle (nn.ChannelShuffle, which
# the bridge uses); the reader's channel-shuffle pattern (torchvision's view/transpose/view) is
# tested on a built graph in tests/test_onnx_reader.py.
NOT_EXPORTABLE = {name for name in bundled_names() if name.startswith("shufflenet_v2")}
# torch.onnx.export writes nn.LocalResponseNorm written out (x², pad, average pool, an If, α, k, β,
# a division): the reader folds it back into one lrn layer; these specs are where it is tested.
LRN_SPECS = ["alexnet-2012", "googlenet-paper"]


def _names() -> list[str]:
    if os.environ.get("CNNCALC_ONNX_ZOO") == "all":
        return sorted(set(bundled_names()) - NOT_EXPORTABLE)
    return REPRESENTATIVE + LRN_SPECS


def export(name: str, path: Path) -> cnncalc.Network:
    network = cnncalc.load(name)
    module = build_module(network).eval()
    sample = torch.zeros(1, *network.input.torch_dims())
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (sample,), str(path), dynamo=False, do_constant_folding=False)
    return network


def costs(report: Any) -> dict[str, int]:
    return {"params": report.totals.params, "buffers": report.totals.buffers, "macs": report.totals.macs}


@pytest.mark.parametrize("name", _names())
def test_bundled_spec_through_onnx_has_the_same_counts_and_shapes(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.onnx"
    network = export(name, path)
    report = analyse(network)
    graph = read_onnx(path)
    # torch writes a fixed_affine (googlenet's and inception_v3's transform_input) as a slice, a
    # multiply and an add per channel, then a concat: the reader folds them back into one layer.
    assert [n.name for n in graph.nodes if n.kind == "uncounted"] == []
    first = network.body.children[0]
    if getattr(first, "name", None) == "transform_input":
        affine = first.layer  # type: ignore[union-attr]
        expected_fields = {"scale": list(affine.scale), "shift": list(affine.shift)}
        assert [(n.name, n.fields) for n in graph.nodes if n.kind == "fixed_affine"] == [
            ("transform_input", expected_fields)
        ]
    else:
        assert [n.name for n in graph.nodes if n.kind == "fixed_affine"] == []
    imported = analyse(cnncalc.load(str(path)))  # the file as every command reads it
    # The export runs in eval mode: a training-only head (inception_v3's AuxLogits) is not in it;
    # nor is a side output (googlenet-aux's classifiers): the bridge's module keeps it in an
    # attribute, not in what forward returns, so the traced graph never reaches it.
    rows = [row for row in report.layers if row.inference and ".side[" not in row.path]
    expected = {
        "params": sum(r.params for r in rows),
        "buffers": sum(r.buffers for r in rows),
        "macs": sum(r.macs for r in rows),
    }
    assert costs(imported) == expected
    assert imported.totals.uncounted == 0
    by_name = {row.name: row for row in imported.layers}
    for row in rows:
        if row.params or row.buffers:  # every layer with parameters is found under its own name
            assert row.name in by_name, row.name
        found = by_name.get(row.name)
        if found is not None:
            assert found.output_shape == row.output_shape, row.name
            assert (found.params, found.buffers, found.macs) == (row.params, row.buffers, row.macs), row.name


def test_eval_export_folds_batchnorm_into_the_convolutions_and_the_reader_says_so(tmp_path: Path) -> None:
    # torch.onnx.export's default in eval mode (constant folding on) merges each BatchNorm into the
    # convolution before it: the graph holds one bias per filter instead of BatchNorm's γ, β and
    # its running statistics. The imported counts are the graph's, and a note says why.
    network = cnncalc.load("resnet18")
    path = tmp_path / "resnet18-folded.onnx"
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(
            build_module(network).eval(), (torch.zeros(1, 3, 224, 224),), str(path), dynamo=False
        )
    report = analyse(network)
    graph = read_onnx(path)
    norms = [row for row in report.layers if row.type == "batchnorm"]
    assert len(norms) == 20 and not any(n.kind == "batchnorm" for n in graph.nodes)
    folded_bias = sum(row.output_shape.channels for row in norms)  # β becomes the conv's bias
    imported = analyse(cnncalc.load(str(path)))
    assert costs(imported) == {
        "params": report.totals.params - sum(row.params for row in norms) + folded_bias,
        "buffers": 0,
        "macs": report.totals.macs,
    }
    assert any("folds each BatchNorm into the convolution before it" in note for note in graph.notes)
    assert "20 convolutions" in graph.notes[0]
    assert imported.network.notes == list(graph.notes)


def _own_model(name: str) -> Any:
    """A module of tests/data/import/own_model.py (a class or a builder), in eval mode."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "data" / "import"))
    try:
        import own_model
    finally:
        sys.path.pop(0)
    return getattr(own_model, name)().eval()


def _export_module(module: Any, x: Any, path: Path) -> None:
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(module, x, str(path), dynamo=False, do_constant_folding=False)


def test_a_module_called_twice_exports_one_weight_counted_once(tmp_path: Path) -> None:
    """torch.onnx.export writes one initializer for a conv called twice: the import counts its
    parameters once, like torch, and its MACs at both calls."""
    from torch.utils.flop_counter import FlopCounterMode

    from cnncalc.importers.spec_writer import graph_network

    module, x = _own_model("SharedHead"), torch.randn(1, 3, 8, 8)
    path = tmp_path / "shared.onnx"
    _export_module(module, x, path)
    graph = read_onnx(path)
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        module(x)
    report = analyse(graph_network(graph))
    assert report.totals.params == sum(p.numel() for p in module.parameters())
    assert 2 * report.totals.macs == counter.get_total_flops()
    assert [n.fields.get("shares") for n in graph.nodes if n.kind == "conv"] == [None, None, "shared"]


@pytest.mark.parametrize("name", ["Normalize", "normalize_divide"])
def test_torchvisions_transform_input_written_out_is_one_fixed_affine(tmp_path: Path, name: str) -> None:
    """torchvision's googlenet ``_transform_input`` (``unsqueeze(x[:, i], 1) · a + b``, or
    ``(… − m) / s``, then cat) exports as Gather, Unsqueeze, Mul/Sub, Add/Div per channel and a
    Concat: one fixed_affine on the input, whose scale and shift give the model's own output."""
    module, x = _own_model(name), torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    path = tmp_path / f"{name}.onnx"
    _export_module(module, x[:1], path)
    graph = read_onnx(path)
    assert [n.kind for n in graph.nodes] == ["fixed_affine", "conv"]
    affine = graph.nodes[0]
    assert affine.inputs == ("input",) and affine.name == "fixed_affine"
    scale = torch.tensor(affine.fields["scale"]).view(1, 3, 1, 1)
    shift = torch.tensor(affine.fields["shift"]).view(1, 3, 1, 1)
    with torch.no_grad():  # the file's float32 numbers, kept to 6 significant digits
        torch.testing.assert_close(module.conv(x * scale + shift), module(x), rtol=1e-5, atol=1e-4)


def test_channels_concatenated_out_of_order_are_no_fixed_affine(tmp_path: Path) -> None:
    module = _own_model("normalize_reverse")
    path = tmp_path / "reverse.onnx"
    _export_module(module, torch.randn(1, 3, 8, 8), path)
    graph = read_onnx(path)
    assert not any(n.kind == "fixed_affine" for n in graph.nodes)
    assert any(n.kind == "uncounted" for n in graph.nodes)


def _flops(module: Any, x: Any) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        module(x)
    return counter.get_total_flops()


def _assert_counts_as_torch(path: Path, module: Any, x: Any) -> Any:
    """The file as every command reads it: no op uncounted, the module's parameters, and
    FlopCounterMode's FLOPs as 2 × MACs. Returns the report."""
    report = analyse(cnncalc.load(str(path)))
    assert report.totals.uncounted == 0
    assert report.totals.params == sum(p.numel() for p in module.parameters())
    assert 2 * report.totals.macs == _flops(module, x)
    return report


def test_convnext_channels_last_block_reads_as_layernorm_and_channel_linear(tmp_path: Path) -> None:
    """ConvNeXt's permute → LayerNorm → Linear → GELU → Linear → permute exports as Transpose,
    LayerNormalization, MatMul + Add, Gelu, …, Transpose: on C×H×W, one layernorm and two
    channel_linear layers, counted as FlopCounterMode counts the module."""
    module, x = _own_model("ChannelsLast"), torch.randn(1, 3, 16, 16)
    path = tmp_path / "channels_last.onnx"
    _export_module(module, x, path)
    graph = read_onnx(path)
    assert [(n.name, n.kind) for n in graph.nodes] == [
        ("stem", "conv"),
        ("dw", "conv"),
        ("norm", "layernorm"),
        ("up", "channel_linear"),
        ("gelu", "gelu"),
        ("down", "channel_linear"),
        ("add", "add"),
    ]
    assert [n.output_shape.text("chw") for n in graph.nodes if n.name in ("up", "down")] == [
        "64×8×8",
        "16×8×8",
    ]
    _assert_counts_as_torch(path, module, x)


def test_layer_scale_and_a_cat_of_one_tensor(tmp_path: Path) -> None:
    """A C×1×1 initializer times the map is a layerscale named as the initializer (ConvNeXt's
    ``features.1.0.layer_scale``); DenseNet's cat of a list of one tensor is that tensor, as in
    the torch import."""
    module, x = _own_model("ScaledDense"), torch.randn(1, 3, 8, 8)
    path = tmp_path / "scaled.onnx"
    _export_module(module, x, path)
    graph = read_onnx(path)
    assert [(n.name, n.kind) for n in graph.nodes] == [
        ("conv", "conv"),
        ("gamma", "layerscale"),
        ("head", "conv"),
    ]
    assert any("counted as layer scales" in note for note in graph.notes)  # ONNX cannot tell a buffer
    _assert_counts_as_torch(path, module, x)


def test_an_op_on_channels_last_that_is_not_per_position_is_not_counted(tmp_path: Path) -> None:
    """Flattening N×H×W×C orders the features otherwise than C×H×W: never read as a flatten."""
    module, x = _own_model("ChannelsLastFlatten"), torch.randn(1, 3, 8, 8)
    path = tmp_path / "flatten.onnx"
    _export_module(module, x, path)
    graph = read_onnx(path)
    (uncounted,) = [n for n in graph.nodes if n.kind == "uncounted"]
    assert "channels moved last" in uncounted.fields["op"]
    assert not any(n.kind == "flatten" for n in graph.nodes)
    assert [n.kind for n in graph.nodes if n.name == "fc"] == ["fc"]


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("Shuffle", {"chunk", "channel_shuffle"}),  # x.chunk(2, dim=1): two Slices
        ("Pyramid", {"concat"}),  # ASPP's branches: layers keep their module paths
        ("NestedBranches", {"add"}),  # blk.a.0, blk.a.1 and blk.b: two levels of shared scope
        ("BlockCalledAgain", {"add"}),  # block, other, block again: a scope opened twice
        ("StageCalledTwice", {"add"}),  # stage(stage(x)): stage.0 … stage.1 twice
        ("BranchesOfOneModule", {"concat", "add"}),  # one Sequential in two branches; y + y
    ],
)
def test_own_model_through_onnx_counts_as_torch(tmp_path: Path, name: str, kinds: set[str]) -> None:
    """ShuffleNet's chunk (a Slice of half the channels, its bounds computed from the shape, so
    that ONNX's shape inference loses the sizes after it) and ASPP's branches read back with
    the module's parameters, FlopCounterMode's FLOPs and its state_dict's layer names."""
    module, x = _own_model(name), torch.randn(1, 3, 8, 8)
    path = tmp_path / f"{name}.onnx"
    _export_module(module, x, path)
    report = analyse(cnncalc.load(str(path)))
    assert report.totals.uncounted == 0
    assert kinds <= {row.type for row in report.layers}
    assert report.totals.params == sum(p.numel() for p in module.parameters())
    assert 2 * report.totals.macs == _flops(module, x)
    weights = [key.removesuffix(".weight") for key in module.state_dict() if key.endswith(".weight")]
    assert [name for name in weights if name not in {row.name for row in report.layers}] == []


@pytest.mark.parametrize(
    ("name", "uncounted"),
    [
        ("ChannelsLastVariants", False),
        ("channels_last_no_affine", False),  # the LayerNorm's Constant ones and zeros: no parameters
        ("channels_last_no_bias", False),
        ("LearnedAffine", True),  # learned numbers (initializers): uncounted rows holding them
    ],
)
def test_onnx_counts_parameters_as_torch(tmp_path: Path, name: str, uncounted: bool) -> None:
    """The parameters of the file are the module's, never more or fewer: constants torch writes
    for a LayerNorm without affine or bias are none, and an affine by learned numbers is no
    fixed_affine (its numbers are parameters)."""
    module, x = _own_model(name), torch.randn(1, 3, 4, 6)
    path = tmp_path / f"{name}.onnx"
    _export_module(module, x, path)
    report = analyse(cnncalc.load(str(path)))
    assert report.totals.params == sum(p.numel() for p in module.parameters())
    assert bool(report.totals.uncounted) == uncounted
    assert "fixed_affine" not in {row.type for row in report.layers}
    if not uncounted:
        assert 2 * report.totals.macs == _flops(module, x)


# torch.onnx.export(dynamo=True), torch's default exporter (it needs onnxscript), unoptimised so that
# BatchNorm stays a node: nodes are named node_conv2d_3, the module path is in their metadata
# (CNNCALC_ONNX_ZOO=all adds mobilenet_v3_small and efficientnet_b0, about 15 s more)
DYNAMO = ["resnet18", "googlenet"] + (
    ["mobilenet_v3_small", "efficientnet_b0", "convnext_tiny"]
    if os.environ.get("CNNCALC_ONNX_ZOO") == "all"
    else []
)


def _export_dynamo(module: Any, x: Any, path: Path, *, optimize: bool = False) -> None:
    pytest.importorskip("onnxscript")
    import logging

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)  # "torchvision is not installed. Skipping torchvision::nms"
        try:
            torch.onnx.export(module, (x,), str(path), dynamo=True, optimize=optimize)
        finally:
            logging.disable(logging.NOTSET)


@pytest.mark.parametrize("name", DYNAMO)
def test_dynamo_export_of_a_bundled_spec_reads_back_the_same(tmp_path: Path, name: str) -> None:
    network = cnncalc.load(name)
    path = tmp_path / f"{name}.onnx"
    _export_dynamo(build_module(network).eval(), torch.zeros(1, *network.input.torch_dims()), path)
    report, imported = analyse(network), analyse(cnncalc.load(str(path)))
    rows = [row for row in report.layers if row.inference and ".side[" not in row.path]
    assert costs(imported) == {
        "params": sum(r.params for r in rows),
        "buffers": sum(r.buffers for r in rows),
        "macs": sum(r.macs for r in rows),
    }
    assert imported.totals.uncounted == 0
    by_name = {row.name: row for row in imported.layers}
    weighted = [row for row in rows if row.params or row.buffers]
    assert [r.name for r in weighted if r.name not in by_name] == []
    assert [r.name for r in weighted if by_name[r.name].output_shape != r.output_shape] == []


@pytest.mark.parametrize("name", ["SharedHead", "StageCalledTwice"])
def test_dynamo_export_of_a_module_called_twice_counts_its_weights_once(tmp_path: Path, name: str) -> None:
    module, x = _own_model(name), torch.randn(1, 3, 8, 8)
    path = tmp_path / "shared.onnx"
    _export_dynamo(module, x, path)
    report = analyse(cnncalc.load(str(path)))
    assert report.totals.params == sum(p.numel() for p in module.parameters())
    assert 2 * report.totals.macs == _flops(module, x)


@pytest.mark.parametrize("dynamo", [False, True])
def test_tied_weights_in_an_onnx_file_count_once(tmp_path: Path, dynamo: bool) -> None:
    """Both exporters write a tied weight once, read by both modules' convolutions, so the second
    conv shares the first, as torch counts it. TorchScript names it a.weight, read by /b/Conv:
    its values vary (no exporter merges those), the note says why it is one; dynamo names it
    b.weight, as a second call of b."""
    module, x = _own_model("TiedConvs"), torch.randn(1, 3, 8, 8)
    path = tmp_path / "tied.onnx"
    (_export_dynamo if dynamo else _export_module)(module, x, path)
    _assert_counts_as_torch(path, module, x)
    tied = [note for note in cnncalc.load(str(path)).notes if "called again or tied" in note]
    assert tied == (
        []
        if dynamo
        else [
            "a.weight is read by a and by /b/Conv: one tensor of varied values (an exporter merges "
            "only equal values), so one module's weights, called again or tied: counted once"
        ]
    )


@pytest.mark.parametrize("name", ["Normalize", "channels_last_no_affine"])
def test_dynamo_optimizer_lifted_constants_are_no_parameters(tmp_path: Path, name: str) -> None:
    """dynamo's default optimizer lifts the numbers of a written-out affine and a LayerNorm's ones
    into initializers named ``val_N``: still constants, not parameters."""
    module, x = _own_model(name), torch.randn(1, 3, 8, 8)
    path = tmp_path / f"{name}.onnx"
    _export_dynamo(module, x, path, optimize=True)  # torch's default
    _assert_counts_as_torch(path, module, x)

"""The bundled architectures (architectures/*.yaml) against their references.

Sources named per table: torchvision's published model metadata (``num_params`` and ``_ops``
"GFLOPS", which are MACs), the papers' tables, and the PUCRS lecture slides in
/work/shared/seeds/004_21f80a1c7c558988.txt ("Exemplos de Arquiteturas", lines ~1050-1700).
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path

import pytest

import cnncalc
from cnncalc.catalog import (
    architectures_dir,
    bundled_names,
    bundled_path,
    bundled_spec,
    compiled_path,
    natural_key,
)
from cnncalc.parse import load_bundled
from cnncalc.parse.compiled import RECORDS, compile_network, load_compiled
from cnncalc.report import LayerRow, Report
from cnncalc.shapes import Shape


@cache
def report(name: str, hw: int | None = None) -> Report:
    network = cnncalc.load(name)
    if hw is not None:
        network = network.with_input(Shape(3, hw, hw))
    return cnncalc.analyse(network)


def row(rep: Report, name: str) -> LayerRow:
    return next(r for r in rep.layers if r.name == name)


def shapes(rep: Report) -> dict[str, str]:
    return {r.name: r.output_shape.hwc for r in rep.layers}


# --------------------------------------------------------------------------------------------
# Totals of the torchvision variants
# --------------------------------------------------------------------------------------------

# torchvision's weights metadata: num_params, and "GFLOPS" (which are GMACs) as torchvision's source
# writes them, read from torchvision by scripts/torchvision_reference.py (tests/data/torchvision/,
# where tests/test_torchvision_reference.py checks every model). The exact MAC counts are checked
# against a plain-torch rebuild below.
_TORCHVISION_DATA = json.loads(
    (Path(__file__).parent / "data" / "torchvision" / "index.json").read_text(encoding="utf-8")
)["models"]
TORCHVISION = [
    (name, _TORCHVISION_DATA[name]["meta"]["num_params"], _TORCHVISION_DATA[name]["meta"]["_ops_text"])
    for name in ["alexnet", *(f"vgg{d}{bn}" for d in (11, 13, 16, 19) for bn in ("", "_bn")), "googlenet"]
    + [f"resnet{d}" for d in (18, 34, 50, 101, 152)]
]


@pytest.mark.parametrize(("name", "params", "gmacs"), TORCHVISION)
def test_torchvision_totals(name: str, params: int, gmacs: str) -> None:
    totals = report(name).totals
    assert totals.params == params
    decimals = len(gmacs.split(".")[1])
    assert f"{totals.macs / 1e9:.{decimals}f}" == gmacs
    assert totals.flops == 2 * totals.macs


@pytest.mark.torch
@pytest.mark.parametrize("name", [n for n, _, _ in TORCHVISION] + ["resnet50-v1", "googlenet-aux"])
@pytest.mark.parametrize("hw", [224, 299])
def test_exact_counts_equal_a_plain_torch_rebuild(name: str, hw: int) -> None:
    # tests/torch_rebuilds.py rebuilds each model from torchvision's definitions; FlopCounterMode's
    # FLOPs / 2 are the MACs, buffers are BatchNorm's running statistics and batch counters, and
    # the output shape of every conv and fc layer is compared in forward order.
    # 299 exercises --input with the adaptive pools (and ceil-mode pools).
    pytest.importorskip("torch")
    import torch_rebuilds

    torch_counts = torch_rebuilds.count(name, hw)
    rep = report(name, hw)
    t = rep.totals
    weight_outputs = [
        tuple(r.output_shape.shape().torch_dims()) for r in rep.layers if r.family in ("conv", "linear")
    ]
    assert {
        "params": t.params,
        "buffers": t.buffers,
        "macs": t.macs,
        "output": (1, rep.output.channels),
        "weight_outputs": weight_outputs,
    } == torch_counts


def test_googlenet_with_auxiliary_heads() -> None:
    # torchvision's googlenet(aux_logits=True): 13,004,888 parameters. Each InceptionAux is a
    # BasicConv2d(in, 128, 1) on a 4×4 pool, fc 2048 → 1024 and fc 1024 → 1000 (a side output).
    def aux(in_channels: int) -> int:
        return (in_channels * 128 + 2 * 128) + (2048 * 1024 + 1024) + (1024 * 1000 + 1000)

    plain, with_aux = report("googlenet"), report("googlenet-aux")
    assert with_aux.totals.params == plain.totals.params + aux(512) + aux(528) == 13_004_888
    heads = [r for r in with_aux.layers if r.name.startswith(("aux1.", "aux2."))]
    assert sum(r.params for r in heads) == aux(512) + aux(528)
    assert row(with_aux, "aux1.pool").input_shapes[0].hwc == "14×14×512"  # after inception 4a
    assert row(with_aux, "aux2.pool").input_shapes[0].hwc == "14×14×528"  # after inception 4d
    assert row(with_aux, "aux1.fc2").output_shape.hwc == "1000"
    # The main path is untouched: same layers, same output.
    main = [(r.name, r.output_shape.hwc, r.params) for r in with_aux.layers if r not in heads]
    assert main == [(r.name, r.output_shape.hwc, r.params) for r in plain.layers]
    assert with_aux.output == plain.output


# --------------------------------------------------------------------------------------------
# Per-stage output shapes
# --------------------------------------------------------------------------------------------

RESNETS = [
    # name, blocks per stage (He et al. Table 1), expansion (1 basic, 4 bottleneck)
    ("resnet18", (2, 2, 2, 2), 1),
    ("resnet34", (3, 4, 6, 3), 1),
    ("resnet50", (3, 4, 6, 3), 4),
    ("resnet50-v1", (3, 4, 6, 3), 4),
    ("resnet101", (3, 4, 23, 3), 4),
    ("resnet152", (3, 8, 36, 3), 4),
]


@pytest.mark.parametrize(("name", "blocks", "expansion"), RESNETS)
def test_resnet_stages(name: str, blocks: tuple[int, ...], expansion: int) -> None:
    # He et al. Table 1: conv1 112×112, conv2_x 56×56, conv3_x 28×28, conv4_x 14×14, conv5_x 7×7.
    rep = report(name)
    got = shapes(rep)
    assert got["conv1"] == "112×112×64" and got["maxpool"] == "56×56×64"
    for stage, (size, width, count) in enumerate(
        zip((56, 28, 14, 7), (64, 128, 256, 512), blocks, strict=True)
    ):
        prefix = f"layer{stage + 1}."
        stage_rows = [r for r in rep.layers if r.name.startswith(prefix)]
        assert stage_rows[-1].output_shape.hwc == f"{size}×{size}×{width * expansion}"
        assert len({r.name.split(".")[1] for r in stage_rows}) == count
        # one projection shortcut per stage, in block 0 (none in resnet18/34's first stage)
        projections = {r.name.rsplit(".", 1)[0] for r in stage_rows if ".downsample." in r.name}
        assert projections == ({f"{prefix}0.downsample"} if stage or expansion > 1 else set())
    assert got["avgpool"] == f"1×1×{512 * expansion}" and got["fc"] == "1000"
    depth = 2 + sum(blocks) * (3 if expansion > 1 else 2)  # conv1 + block convs + fc = the name
    assert depth == int(re.sub(r"\D", "", name.split("-")[0]))


def test_resnet_v1_and_v1_5_differ_only_in_where_the_stride_is() -> None:
    v15, v1 = report("resnet50"), report("resnet50-v1")
    assert row(v15, "layer2.0.conv1").output_shape.hwc == "56×56×128"  # v1.5: stride on conv2
    assert row(v15, "layer2.0.conv2").output_shape.hwc == "28×28×128"
    assert row(v1, "layer2.0.conv1").output_shape.hwc == "28×28×128"  # v1: stride on conv1
    assert v1.totals.params == v15.totals.params
    assert [r.name for r in v1.layers] == [r.name for r in v15.layers]


@pytest.mark.parametrize(
    ("name", "paper_gflops"), [("resnet18", 1.8), ("resnet34", 3.6), ("resnet50-v1", 3.8)]
)
def test_resnet_paper_flops_row(name: str, paper_gflops: float) -> None:
    # 004 slide "Exemplos de Arquiteturas: ResNet" (line ~1690), the paper's Table 1 FLOPs row
    # (multiply-adds, truncated to one decimal: 3.86 → "3.8"). The paper's 7.6 / 11.3 for 101/152
    # are v1 numbers; the bundled resnet101/152 are torchvision's v1.5 (7.80 / 11.51 G).
    assert math.floor(report(name).totals.macs / 1e8) / 10 == paper_gflops


VGG_POOLS = ["112×112×64", "56×56×128", "28×28×256", "14×14×512", "7×7×512"]


@pytest.mark.parametrize("name", [n for n in bundled_names() if n.startswith("vgg")])
def test_vgg_stages(name: str) -> None:
    # Simonyan & Zisserman Table 1: five max pools halve 224; depth = the number in the name.
    rep = report(name)
    assert [r.output_shape.hwc for r in rep.layers if r.type == "maxpool"] == VGG_POOLS
    assert shapes(rep)["avgpool"] == "7×7×512" and rep.output.hwc == "1000"
    depth = int(re.sub(r"\D", "", name))
    assert rep.totals.weight_layers == depth
    assert sum(1 for r in rep.layers if r.type == "batchnorm") == (depth - 3 if name.endswith("_bn") else 0)


def test_alexnet_torchvision_stages() -> None:
    got = shapes(report("alexnet"))
    # Named as torchvision's modules: features.0 is conv1, features.12 the last pool.
    assert got["features.0"] == "55×55×64"
    assert got["features.2"] == "27×27×64"
    assert got["features.3"] == "27×27×192"
    assert got["features.5"] == "13×13×192"
    assert got["features.10"] == "13×13×256"
    assert got["features.12"] == got["avgpool"] == "6×6×256"
    assert got["classifier.1"] == "4096" and got["classifier.6"] == "1000"
    # (224 + 2×2 − 11)/4 + 1 = 55.25: torchvision's first conv does not tile 224 exactly.
    # The spec marks that flooring as intended ('floor'), so the summary does not warn; the same conv
    # in a one-line spec without the mark still does.
    assert report("alexnet").warnings == []
    assert [w.code for w in report("224x224x3 | conv 64 k11 s4 p2").warnings] == ["window-does-not-fit"]


# 004 slide "Arquitetura completa (versão simplificada)" (line ~1190): name → output, params.
ALEXNET_2012_SLIDE = [
    ("conv1", "55×55×96", 11 * 11 * 3 * 96 + 96),  # "34,848 + 96 biases"
    ("pool1", "27×27×96", 0),  # "Total de parâmetros nesta camada: zero!"
    ("norm1", "27×27×96", 0),
    ("conv2", "27×27×256", 5 * 5 * 96 * 256 + 256),
    ("pool2", "13×13×256", 0),
    ("norm2", "13×13×256", 0),
    ("conv3", "13×13×384", 3 * 3 * 256 * 384 + 384),
    ("conv4", "13×13×384", 3 * 3 * 384 * 384 + 384),
    ("conv5", "13×13×256", 3 * 3 * 384 * 256 + 256),
    ("pool3", "6×6×256", 0),
    ("fc6", "4096", 9216 * 4096 + 4096),  # "conecta os 6×6×256 = 9216 a 4096 neurônios"
    ("fc7", "4096", 4096 * 4096 + 4096),
    ("fc8", "1000", 4096 * 1000 + 1000),
]


def test_alexnet_2012_layer_by_layer_as_the_slide() -> None:
    rep = report("alexnet-2012")
    assert rep.input.hwc == "227×227×3"
    for name, shape, params in ALEXNET_2012_SLIDE:
        assert (row(rep, name).output_shape.hwc, row(rep, name).params) == (shape, params), name
    assert row(rep, "conv1").weights == 34_848
    assert rep.totals.params == 62_378_344
    assert not rep.warnings  # at 227 every window fits


def test_alexnet_2012_two_gpu_split() -> None:
    # Krizhevsky et al. Figure 2: conv2, conv4, conv5 see only their own GPU's half of the maps.
    one, two = report("alexnet-2012"), report("alexnet-2012-groups")
    assert shapes(one) == shapes(two)
    for name in ("conv2", "conv4", "conv5"):
        assert row(two, name).weights * 2 == row(one, name).weights
    for name in ("conv1", "conv3", "fc6", "fc7", "fc8"):
        assert row(two, name).params == row(one, name).params
    assert two.totals.params == 60_965_224  # Caffe bvlc_alexnet


# Szegedy et al. Table 1 (also the 004 slide "GoogLeNet", line ~1525): output of each inception.
INCEPTION_OUTPUTS = {
    "inception3a": "28×28×256",
    "inception3b": "28×28×480",
    "inception4a": "14×14×512",
    "inception4b": "14×14×512",
    "inception4c": "14×14×512",
    "inception4d": "14×14×528",
    "inception4e": "14×14×832",
    "inception5a": "7×7×832",
    "inception5b": "7×7×1024",
}


@pytest.mark.parametrize("name", ["googlenet", "googlenet-aux", "googlenet-paper"])
def test_googlenet_stages(name: str) -> None:
    rep = report(name)
    got = shapes(rep)
    assert {k: got[k] for k in INCEPTION_OUTPUTS} == INCEPTION_OUTPUTS
    top_pools = [r.output_shape.hwc for r in rep.layers if r.type == "maxpool" and "." not in r.name]
    assert top_pools == ["56×56×64", "28×28×192", "14×14×480", "7×7×832"]
    assert rep.output.hwc == "1000"


# Szegedy et al. Table 1 "params" (K = 1024 weights, biases excluded) and "ops" (M = 10^6 MACs).
# "agree": within 1 K (1 M) of ours; the rows that disagree are the ones the spec's header lists.
GOOGLENET_TABLE = [
    # group of layers, paper params K, paper ops M, params agree, ops agree
    (("conv1",), 2.7, 34, False, False),
    (("conv2_reduce", "conv2"), 112, 360, True, True),
    (("inception3a",), 159, 128, True, True),
    (("inception3b",), 380, 304, True, True),
    (("inception4a",), 364, 73, False, True),
    (("inception4b",), 437, 88, True, True),
    (("inception4c",), 463, 100, False, True),
    (("inception4d",), 580, 119, False, True),
    (("inception4e",), 840, 170, False, True),
    (("inception5a",), 1072, 54, False, False),
    (("inception5b",), 1388, 71, False, True),
    (("linear",), 1000, 1, True, True),
]


@pytest.mark.parametrize(("group", "params_k", "ops_m", "params_agree", "ops_agree"), GOOGLENET_TABLE)
def test_googlenet_paper_table(
    group: tuple[str, ...], params_k: float, ops_m: int, params_agree: bool, ops_agree: bool
) -> None:
    rows = [r for r in report("googlenet-paper").layers if r.name.split(".")[0] in group]
    weights_k = sum(r.weights for r in rows) / 1024
    macs_m = sum(r.macs for r in rows) / 1e6
    assert (abs(weights_k - params_k) <= 1) == params_agree, f"{group}: {weights_k:.1f} Ki vs {params_k}K"
    assert (abs(macs_m - ops_m) <= 1) == ops_agree, f"{group}: {macs_m:.1f} M vs {ops_m}M"


def test_googlenet_depth_is_22_weight_layers() -> None:
    from cnncalc.compare import weight_depth

    # "The network is 22 layers deep when counting only layers with parameters" (Szegedy et al. §5).
    for name in ("googlenet", "googlenet-aux", "googlenet-paper"):
        assert weight_depth(cnncalc.load(name)) == 22


# LeCun et al. 1998 §II-B: trainable parameters of each layer.
LENET5_PAPER = [
    ("c1", "28×28×6", 156, 156),
    ("s2.scale", "14×14×6", 12, 12),
    ("c3", "10×10×16", 1_516, 2_416),  # paper: 60 of 96 map pairs; here all 96 (see the header)
    ("s4.scale", "5×5×16", 32, 32),
    ("c5", "1×1×120", 48_120, 48_120),
    ("f6", "84", 10_164, 10_164),
    ("output", "10", 840, 840),  # RBF units: 84 × 10, fixed by hand in the paper
]


def test_lenet5_against_the_paper() -> None:
    rep = report("lenet5")
    for name, shape, _paper, ours in LENET5_PAPER:
        assert (row(rep, name).output_shape.hwc, row(rep, name).params) == (shape, ours), name
    paper_c1_to_f6 = sum(paper for name, _, paper, _ in LENET5_PAPER if name != "output")
    assert paper_c1_to_f6 == 60_000  # "60,000 trainable parameters"
    assert rep.totals.params == 60_000 + (2_416 - 1_516) + 840


def test_alphago_policy_network() -> None:
    # 004 slide "Aplicações: AlphaGo" (line ~1755): 19×19×48 → conv 5×5 192 → 11 × conv 3×3 192 → 1×1.
    rep = report("alphago-policy")
    convs = [r for r in rep.layers if r.type == "conv"]
    assert len(convs) == 13
    assert [r.output_shape.hwc for r in convs] == ["19×19×192"] * 12 + ["19×19×1"]
    assert convs[0].params == 5 * 5 * 48 * 192 + 192
    assert {r.params for r in convs[1:12]} == {3 * 3 * 192 * 192 + 192}
    assert rep.output.hwc == "361"


# --------------------------------------------------------------------------------------------
# The lecture's VGG16 numbers (004 slides, lines ~1350-1515)
# --------------------------------------------------------------------------------------------

# "Cálculo do # de Parâmetros: (sem contar os biases)"
VGG16_SLIDE_WEIGHTS = [
    1_728, 36_864, 73_728, 147_456, 294_912, 589_824, 589_824, 1_179_648, 2_359_296,
    2_359_296, 2_359_296, 2_359_296, 2_359_296, 102_760_448, 16_777_216, 4_096_000,
]  # fmt: skip

# "Cálculo de memória dos dados": the input and each layer's output, H×W×C.
VGG16_SLIDE_VALUES = [
    224 * 224 * 3,
    *[224 * 224 * 64] * 2, 112 * 112 * 64,
    *[112 * 112 * 128] * 2, 56 * 56 * 128,
    *[56 * 56 * 256] * 3, 28 * 28 * 256,
    *[28 * 28 * 512] * 3, 14 * 14 * 512,
    *[14 * 14 * 512] * 3, 7 * 7 * 512,
    4096, 4096, 1000,
]  # fmt: skip


def test_vgg16_weights_as_the_slide() -> None:
    rep = report("vgg16")
    assert [r.weights for r in rep.layers if r.weights] == VGG16_SLIDE_WEIGHTS
    assert rep.totals.weights == 138_344_128  # "total de parâmetros: 138,344,128"
    assert rep.totals.params == 138_357_544


def test_vgg16_memory_as_the_slide() -> None:
    rep = report("vgg16")
    slide_sum = sum(VGG16_SLIDE_VALUES)
    assert slide_sum == 15_237_608 and round(slide_sum / 1e6, 1) == 15.2  # the slide's "≈ 15M"
    # torchvision's adaptive pool to 7×7 is an extra (identity) layer the slide does not list.
    assert rep.totals.activation_sum_elements == slide_sum + 7 * 7 * 512
    assert round(rep.totals.activation_sum_bytes / 1e6) == 61  # "≈ 60MB/imagem" (fp32)
    batch = cnncalc.analyse(cnncalc.load("vgg16"), batch=128).totals
    assert batch.forward_bytes == batch.param_bytes + batch.buffer_bytes + batch.activation_sum_bytes
    # "550 + (60 × 128) ≈ 8.2GB": the slide rounds 61 MB to 60; exactly it is 8.37 GB.
    assert 8.2e9 < batch.forward_bytes < 8.4e9
    assert batch.forward_bytes == 138_357_544 * 4 + (slide_sum + 7 * 7 * 512) * 4 * 128  # README: 8.37 GB


# --------------------------------------------------------------------------------------------
# The spec files themselves
# --------------------------------------------------------------------------------------------


# Spec files allowed more than 60 lines, and why: data that no block or repeat can shorten.
LONGER_SPECS = {
    "mobilenet_v3": (
        80,
        "two block tables, Table 1's 15 rows and Table 2's 11 (torchvision's _mobilenet_v3_conf)",
    ),
    "deeplabv3_resnet50": (
        80,
        "a dilated ResNet-50 backbone, the ASPP's five branches and the auxiliary FCN head in one spec",
    ),
}


@pytest.mark.parametrize("name", bundled_names())
def test_spec_header_and_size(name: str) -> None:
    path = Path(bundled_path(name) or "")
    assert path.parent == Path(architectures_dir())
    lines = path.read_text(encoding="utf-8").splitlines()
    header = []
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line)
    text = "\n".join(header)
    assert "Source:" in text and "Input:" in text, "the header names the source and the input size"
    limit, why = LONGER_SPECS.get(path.stem, (60, "blocks and repeat keep a spec short"))
    assert len(lines) <= limit, why
    network = cnncalc.load(name)
    assert network.name == name
    assert network.description and len(network.description) <= 45  # fits `cnncalc list` at 100 columns
    assert network.reference


@pytest.mark.parametrize("name", bundled_names())
def test_compiled_network_is_current_and_is_the_network_of_the_yaml(name: str) -> None:
    # Bundled names load from architectures/compiled/ (no PyYAML, no block calls): the same
    # network, locations included, as building it from the YAML.
    # Regenerate with: python scripts/compile_architectures.py
    found = bundled_spec(name)
    assert found is not None
    _, path, arguments, _ = found
    yaml_text = Path(path).read_text(encoding="utf-8")
    compiled = Path(compiled_path(name)).read_text(encoding="utf-8")
    from_yaml = load_bundled(path, arguments)  # no compiled form given: built from the YAML
    assert compiled == compile_network(from_yaml, yaml_text, arguments), (
        "stale: run python scripts/compile_architectures.py"
    )
    from_compiled = load_compiled(compiled, yaml_text, path, arguments)
    assert from_compiled is not None
    assert from_compiled == from_yaml
    assert load_bundled(path, arguments, compiled=compiled_path(name)) == from_yaml


def test_a_compiled_network_is_used_only_for_its_own_text_arguments_and_records(tmp_path: Path) -> None:
    _, path, arguments, _ = bundled_spec("resnet18")
    yaml_text = Path(path).read_text(encoding="utf-8")
    compiled = Path(compiled_path("resnet18")).read_text(encoding="utf-8")
    assert load_compiled(compiled, yaml_text, path, arguments) is not None
    assert load_compiled(compiled, yaml_text + "\n", path, arguments) is None  # an edited spec
    assert load_compiled(compiled, yaml_text, path, {**arguments, "blocks1": 3}) is None  # another member
    assert load_compiled(compiled, yaml_text, path, {**arguments, "blocks1": 2.0}) is None  # 2 ≠ 2.0
    doc = json.loads(compiled)
    kind = next(k for k in doc["kinds"] if k[0] == "LayerNode")
    kind.append("tap")  # a record class whose fields were others when it was written
    assert load_compiled(json.dumps(doc), yaml_text, path, arguments) is None
    assert load_compiled("not json", yaml_text, path, arguments) is None


# One spec with every kind of node: a named scope, a residual and a concat (merges), a side head,
# a gate and a reference to an earlier output.
EVERY_NODE_KIND = """
input: 16x16x3
layers:
  - conv 4 k3 p1 name=stem
  - name: down
    layers: [maxpool 2, conv 8 k3 p1 name=conv, relu]
  - residual: [conv 8 k3 p1, relu]
  - side: [gap, fc 3]
    name: aux
  - gate: [gap, conv 2 k1, relu, conv 8 k1, sigmoid]
  - concat: [[conv 4 k1], [conv 4 k1]]
  - from: stem
  - conv 2 k1 name=head
"""


def test_every_node_kind_is_compiled_by_its_fields_and_reads_back_equal() -> None:
    # Generic over records: every kind of node of cnncalc.spec (the union Node) is stored by its
    # class name and fields, so a new node kind needs no code in cnncalc/parse/compiled.py.
    from typing import get_args

    from cnncalc.parse import parse_spec_text
    from cnncalc.spec import Node

    assert set(get_args(Node)) <= set(RECORDS.values())
    network = parse_spec_text(EVERY_NODE_KIND, "net.yaml")
    text = compile_network(network, EVERY_NODE_KIND, None)  # raises unless it reads back equal
    assert load_compiled(text, EVERY_NODE_KIND, "net.yaml", None) == network
    kinds = {kind[0] for kind in json.loads(text)["kinds"]}
    missing = {cls.__name__ for cls in get_args(Node)} - kinds
    assert not missing, f"add a {missing} to EVERY_NODE_KIND"


@pytest.mark.parametrize("name", bundled_names())
def test_bundled_spec_validates_against_the_published_spec_schema(name: str) -> None:
    import jsonschema
    import yaml

    path = bundled_path(name)
    assert path is not None
    jsonschema.validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")), _spec_schema())


@cache
def _spec_schema() -> dict[str, object]:
    from cnncalc.schema import spec_schema

    return spec_schema()


def test_an_edited_bundled_spec_is_read_from_its_yaml(tmp_path: Path) -> None:
    path = bundled_path("vgg11")
    assert path is not None
    _, _, arguments, _ = bundled_spec("vgg11")
    copy = tmp_path / "vgg.yaml"
    copy.write_text(Path(path).read_text(encoding="utf-8").replace("fc 1000", "fc 10"), encoding="utf-8")
    network = load_bundled(str(copy), arguments, compiled=compiled_path("vgg11"))
    assert cnncalc.analyse(network).output.channels == 10  # the edit, not the compiled original
    with pytest.raises(cnncalc.SpecError) as info:  # and its errors point into the YAML
        load_bundled(str(_write(tmp_path / "bad.yaml", "input: 8x8x3\nlayers: [conv 4 k3, maxpol]\n")))
    assert info.value.location is not None and info.value.location.line == 2


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_every_bundled_spec_is_listed_here() -> None:
    covered = {n for n, _, _ in TORCHVISION} | {n for n, _, _ in RESNETS}
    covered |= {"alexnet-2012", "alexnet-2012-groups", "googlenet-aux", "googlenet-paper", "lenet5"}
    covered |= {"alphago-policy"}
    # The other torchvision models: tests/test_torchvision_reference.py (against torchvision's data).
    index = json.loads((Path(__file__).parent / "data" / "torchvision" / "index.json").read_text())
    covered |= set(index["classification"]) | set(index["segmentation"])
    assert set(bundled_names()) <= covered


def test_bundled_names_accept_torchvision_spelling() -> None:
    assert cnncalc.load("vgg16_bn").name == "vgg16_bn"
    assert cnncalc.load("vgg16-bn").name == "vgg16_bn"  # the older spelling keeps working
    assert cnncalc.load("ResNeXt50-32x4d").name == "resnext50_32x4d"
    assert cnncalc.load("ResNet50").name == "resnet50"


def test_input_override_reaches_the_adaptive_pools() -> None:
    # torchvision: AdaptiveAvgPool2d makes any input size work; the classifier keeps its size.
    rep = report("resnet50", 299)
    assert row(rep, "avgpool").input_shapes[0].hwc == "10×10×2048"
    assert rep.totals.params == 25_557_032
    alex = report("alexnet", 299)
    assert row(alex, "avgpool").input_shapes[0].hwc == "8×8×256"
    assert row(alex, "avgpool").output_shape.hwc == "6×6×256"
    assert alex.totals.params == 61_100_840


def test_summary_of_a_bundled_spec_with_input_through_the_cli() -> None:
    from click.testing import CliRunner

    from cnncalc.cli import cli

    result = CliRunner().invoke(cli, ["summary", "resnet50", "--input", "299x299x3", "--json"])
    assert result.exit_code == 0, result.output
    assert '"macs": 7627668224' in result.output  # equal to the torch rebuild at 299 (test above)


@pytest.mark.parametrize("name", bundled_names())
def test_rows_add_up_to_the_totals(name: str) -> None:
    rep = report(name)
    t = rep.totals
    assert sum(r.params for r in rep.layers) == t.params == t.weights + t.biases
    # A training-only head's MACs (inference false: inception_v3's AuxLogits) are not in the totals.
    assert sum(r.macs for r in rep.layers if r.inference) == t.macs
    assert t.weight_layers == sum(1 for r in rep.layers if r.family in ("conv", "linear"))


def test_the_stored_list_rows_are_what_the_engine_computes() -> None:
    # `cnncalc list` reads architectures/compiled/catalog.json (cnncalc/listing.py) while each YAML is
    # unchanged: every stored row must equal the engine's numbers now.
    # Regenerate with: python scripts/compile_architectures.py
    from cnncalc.listing import analysed_row, catalog_path, catalog_text, list_rows

    assert Path(catalog_path()).read_text(encoding="utf-8") == catalog_text(), (
        "stale: run python scripts/compile_architectures.py"
    )
    assert list_rows() == [analysed_row(name) for name in sorted(bundled_names(), key=natural_key)]

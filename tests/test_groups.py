"""Grouped views (``summary --depth N``, cnncalc/groups.py): groups by scope with exact sums, the
"Connected to" entries, and GoogLeNet's per-inception-module table reproduced from the groups."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

import cnncalc
from cnncalc.catalog import bundled_names
from cnncalc.groups import group_layers, grouped_report, scope_of, shown_inputs
from cnncalc.render import render_csv, render_json, render_markdown
from cnncalc.report import report_schema
from tests.test_cli import run

# The course slides sit in shared/seeds/ next to the checkout (or next to the folder of worktrees).
SEED_004 = [
    p for d in Path(__file__).resolve().parents for p in sorted((d / "shared" / "seeds").glob("004_*.txt"))
]

# Szegedy et al. 2015, Table 1, as the 004 slides (PUCRS, "Exemplos de Arquiteturas: GoogLeNet",
# extracted text lines ~1526–1536) print it: module, output size, params (K = 1024 weights, biases
# not counted) and ops (M = 10⁶ multiply-adds).
GOOGLENET_TABLE = [
    ("inception3a", "28×28×256", 159, 128),
    ("inception3b", "28×28×480", 380, 304),
    ("inception4a", "14×14×512", 364, 73),
    ("inception4b", "14×14×512", 437, 88),
    ("inception4c", "14×14×512", 463, 100),
    ("inception4d", "14×14×528", 580, 119),
    ("inception4e", "14×14×832", 840, 170),
    ("inception5a", "7×7×832", 1072, 54),
    ("inception5b", "7×7×1024", 1388, 71),
]
# Where the table's rounding does not reproduce the arithmetic (listed, with the exact numbers, in
# architectures/googlenet-paper.yaml): params of 4a, 4c, 4d, 4e, 5a, 5b; ops of 5a.
PARAMS_DISAGREE = {"inception4a", "inception4c", "inception4d", "inception4e", "inception5a", "inception5b"}
OPS_DISAGREE = {"inception5a"}


def report(name: str) -> cnncalc.Report:
    return cnncalc.analyse(cnncalc.load(name))


def test_googlenet_per_inception_module_matches_the_paper_table() -> None:
    groups = {g.name: g for g in group_layers(report("googlenet-paper"), 1)}
    params_off, ops_off = set(), set()
    for name, shape, params_k, ops_m in GOOGLENET_TABLE:
        group = groups[name]
        assert group.kind == "group" and group.output_shape.hwc == shape, name
        assert group.layers[-1] == name  # the module ends with its concat
        if abs(group.weights / 1024 - params_k) > 1:
            params_off.add(name)
        if abs(group.macs / 10**6 - ops_m) > 1:
            ops_off.add(name)
    assert params_off == PARAMS_DISAGREE
    assert ops_off == OPS_DISAGREE
    # The exact numbers the spec's comment quotes for inception 3a: 163,328 weights, 128.0 M MACs.
    assert groups["inception3a"].weights == 163_328
    assert groups["inception3a"].macs == 163_328 * 28 * 28


@pytest.mark.skipif(not SEED_004, reason="the course slides (../shared/seeds/004_*.txt) are not here")
def test_the_typed_table_is_the_slide_table() -> None:
    text = SEED_004[0].read_text(encoding="utf-8")
    rows = re.findall(r"inception \((\w+)\)\s+\$(\d+) \\times (\d+) \\times (\d+)\$.*?(\d+)K\s+(\d+)M", text)
    seen = [(f"inception{m}", f"{h}×{w}×{c}", int(p), int(o)) for m, h, w, c, p, o in rows]
    assert seen == GOOGLENET_TABLE


@pytest.mark.parametrize("name", bundled_names())
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_groups_add_up_to_the_totals(name: str, depth: int) -> None:
    rep = report(name)
    groups = group_layers(rep, depth)
    t = rep.totals
    for field in ("params", "weights", "biases", "buffers", "macs", "flops"):
        assert sum(getattr(g, field) for g in groups) == getattr(t, field), field
    input_bytes = t.input_elements * rep.settings.batch * rep.settings.bytes_per_element
    assert sum(g.activation_bytes for g in groups) == t.activation_sum_bytes - input_bytes
    # Every layer is in exactly one group, in forward order, and the group is its scope.
    assert [n for g in groups for n in g.layers] == [r.name for r in rep.layers]
    for g in groups:
        assert all(scope_of(n, depth) == g.name for n in g.layers)
        assert g.last - g.first + 1 == len(g.layers)


def test_resnet50_stages_at_depth_one_and_blocks_at_depth_two() -> None:
    groups = group_layers(report("resnet50"), 1)
    assert [g.name for g in groups] == [
        "conv1", "bn1", "relu1", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"
    ]  # fmt: skip
    layer1 = groups[4]
    assert (layer1.first, layer1.last, layer1.type, layer1.inputs) == (5, 36, "group", ["maxpool"])
    assert layer1.output_shape.hwc == "56×56×256"
    blocks = [g.name for g in group_layers(report("resnet50"), 2) if g.name.startswith("layer3.")]
    assert blocks == [f"layer3.{i}" for i in range(6)]


def test_connected_to_shows_merges_and_skips_only() -> None:
    rep = report("resnet18")
    shown = dict(zip((r.name for r in rep.layers), shown_inputs(rep.layers), strict=True))
    assert shown["layer1.0.conv1"] == []  # reads the row before it
    assert shown["layer1.0.add1"] == ["layer1.0.bn2", "maxpool"]  # the identity shortcut
    assert shown["layer2.0.downsample.0"] == ["layer1.1.relu2"]  # a branch from an earlier output
    groups = group_layers(report("googlenet"), 2)
    g = {row.name: inputs for row, inputs in zip(groups, shown_inputs(groups), strict=True)}
    assert g["inception3a"] == [f"inception3a.branch{i}" for i in range(1, 5)]
    assert g["inception3a.branch2"] == ["maxpool2"] and g["inception3a.branch1"] == []


def test_json_with_depth_holds_the_groups_and_validates() -> None:
    result = run("summary", "googlenet", "--depth", "1", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, report_schema())
    assert data["depth"] == 1 and len(data["layers"]) == 198  # transform_input; flatten before dropout
    module = next(g for g in data["groups"] if g["name"] == "inception4a")
    assert module["layers"][0] == "inception4a.branch1.conv" and module["layers"][-1] == "inception4a"
    assert module["inputs"] == ["maxpool3"] and module["output_shape"]["hwc"] == "14×14×512"
    plain = json.loads(run("summary", "googlenet", "--json").stdout)
    assert plain["groups"] is None and plain["depth"] is None


def test_csv_and_markdown_with_depth() -> None:
    rep = grouped_report(report("resnet18"), 1)
    lines = render_csv(rep).splitlines()
    assert lines[0].startswith("index,name,kind,type,level,first,last,layers,inputs,output_hwc,")
    assert lines[5].startswith(
        "5,layer1,group,group,1,5,18,14,maxpool,56×56×64,147712,256,147968,516,462422016,"
    )
    md = render_markdown(rep)
    assert "| 5–18 | layer1 | 14 layers | 56×56×64 | 147,968 |" in md
    assert json.loads(render_json(rep))["groups"][4]["params"] == 147_968


def test_depth_must_be_positive() -> None:
    with pytest.raises(ValueError):
        group_layers(report("lenet5"), 0)
    result = run("summary", "lenet5", "--depth", "0")
    assert result.returncode == 2 and "Traceback" not in result.stderr

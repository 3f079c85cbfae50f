"""Network-level ``args:`` (a spec's own arguments, seen by its input, its layers and every block)
and the bundled families built on them: one spec per family, each member a name with arguments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cnncalc
from cnncalc.catalog import FAMILY_MEMBERS, bundled_names, bundled_spec
from cnncalc.parse import load_bundled
from cnncalc.parse.build import network_from_data
from cnncalc.parse.files import load_yaml_text

FAMILY = """\
name: tiny
args: {size: 32, filters: 8, blocks: 2}
input: ${size}x${size}x3
blocks:
  unit:
    args: {stride: 1}
    layers: ["conv $filters k3 s$stride p1 name=conv", relu]
  wide:                 # its own 'filters' hides the network's
    args: {filters: 64}
    layers: ["conv $filters k1 name=conv"]
layers:
  - {repeat: $blocks, numbered: true, name: stage, layers: [{block: unit}]}
  - {block: wide, name: head}
  - gap
  - fc ${filters * 2}
"""


def network(text: str, arguments: dict[str, object] | None = None) -> cnncalc.Network:
    return network_from_data(load_yaml_text(text, "tiny.yaml"), "tiny.yaml", "tiny", arguments=arguments)


def test_arguments_reach_the_input_the_layers_and_every_block() -> None:
    rep = cnncalc.analyse(network(FAMILY))
    # conv 3→8 k3: 3·9·8 + 8 = 224; conv 8→8: 8·9·8 + 8 = 584; head 8→64 k1: 8·64 + 64 = 576;
    # fc 64→16: 64·16 + 16 = 1,040.
    assert [(r.name, r.params) for r in rep.layers if r.params] == [
        ("stage.0.conv", 224),
        ("stage.1.conv", 584),
        ("head.conv", 576),
        ("fc1", 1_040),
    ]
    assert rep.input.hwc == "32×32×3"


def test_given_arguments_replace_the_defaults() -> None:
    rep = cnncalc.analyse(network(FAMILY, {"size": 64, "filters": 4, "blocks": 3}))
    assert rep.input.hwc == "64×64×3"
    assert [r.output_shape.hwc for r in rep.layers if r.name.endswith(".conv")] == [
        "64×64×4",
        "64×64×4",
        "64×64×4",
        "64×64×64",
    ]
    assert rep.output.hwc == "8"


@pytest.mark.parametrize(
    ("text", "arguments", "message"),
    [
        (FAMILY, {"depth": 3}, "the spec has no argument 'depth'"),
        (FAMILY.replace("blocks: 2}", "blocks: null}"), None, "the spec needs argument 'blocks'"),
        (
            FAMILY.replace("args: {size: 32, filters: 8, blocks: 2}", "args: [32]"),
            None,
            "'args' must be a mapping",
        ),
        (FAMILY.replace("blocks: 2}", "blocks: [2]}"), None, "argument 'blocks' must default to a number"),
        (FAMILY.replace("${size}x", "${sise}x"), None, "unknown argument 'sise'"),
    ],
)
def test_bad_arguments_are_refused_with_their_place(
    text: str, arguments: dict[str, object] | None, message: str
) -> None:
    with pytest.raises(cnncalc.SpecError) as info:
        network(text, arguments)
    assert message in info.value.message
    assert info.value.location is not None and info.value.location.line is not None


def test_a_family_spec_on_its_own_is_its_defaults() -> None:
    # architectures/resnet.yaml's defaults are resnet50, vgg.yaml's vgg16: the file alone loads.
    for stem, member in (("resnet", "resnet50"), ("vgg", "vgg16"), ("squeezenet", "squeezenet1_0")):
        _, path, _, _ = bundled_spec(member)
        assert os.path.splitext(os.path.basename(path))[0] == stem
        alone = cnncalc.analyse(cnncalc.load(Path(path))).totals
        named = cnncalc.analyse(cnncalc.load(member)).totals
        assert (alone.params, alone.macs) == (named.params, named.macs)


def test_family_members_are_listed_under_their_own_names() -> None:
    names = bundled_names()
    assert set(FAMILY_MEMBERS) <= set(names)
    assert not {"resnet", "vgg", "squeezenet"} & set(names)  # the family specs themselves are not names
    for name in FAMILY_MEMBERS:
        loaded = cnncalc.load(name)
        assert loaded.name == name and loaded.description == FAMILY_MEMBERS[name][2]


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("vgg11-bn", "vgg11_bn"),
        ("VGG11_BN", "vgg11_bn"),
        ("resnext50-32x4d", "resnext50_32x4d"),
        ("resnet50_v1", "resnet50-v1"),
    ],
)
def test_either_spelling_names_the_same_network(spelling: str, name: str) -> None:
    assert cnncalc.load(spelling) == cnncalc.load(name)


def test_load_bundled_with_arguments_equals_the_member() -> None:
    _, path, arguments, _ = bundled_spec("wide_resnet50_2")
    assert cnncalc.analyse(load_bundled(path, arguments)).totals.params == 68_883_240  # torchvision's


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("CNNCALC_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "cnncalc", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_cli_summary_of_torchvision_names_and_the_older_spelling() -> None:
    new, old = run("summary", "vgg11_bn", "--json"), run("summary", "vgg11-bn", "--json")
    assert new.returncode == old.returncode == 0, new.stderr + old.stderr
    assert new.stdout == old.stdout
    assert json.loads(new.stdout)["totals"]["params"] == 132_868_840
    wide = run("summary", "resnext101_64x4d", "--json")
    assert wide.returncode == 0 and json.loads(wide.stdout)["totals"]["macs"] == 15_460_270_080


def test_cli_refuses_a_missing_network_argument(tmp_path: Path) -> None:
    spec = tmp_path / "family.yaml"
    spec.write_text(FAMILY.replace("blocks: 2}", "blocks: null}"), encoding="utf-8")
    result = run("summary", str(spec))
    assert result.returncode == 2
    assert "the spec needs argument 'blocks'" in result.stderr and "Traceback" not in result.stderr
    assert f"{spec}:2:" in result.stderr


@pytest.mark.parametrize("name", sorted(FAMILY_MEMBERS))
def test_reusing_block_expansions_changes_no_family_member(name: str) -> None:
    # Expansions are reused by a block's own arguments: the network's are fixed within one build.
    from cnncalc.parse.build import _Builder

    _, path, arguments, _ = bundled_spec(name)
    _Builder.reuse_expansions = False
    try:
        plain = load_bundled(path, arguments)
    finally:
        _Builder.reuse_expansions = True
    assert load_bundled(path, arguments) == plain


def test_every_family_member_description_is_a_message_id() -> None:
    """``cnncalc list --lang pt`` translates each member's description: it must be in the catalog."""
    from cnncalc.catalog import FAMILY_MEMBERS, MEMBER_DESCRIPTIONS

    assert {description for _, _, description in FAMILY_MEMBERS.values()} <= set(MEMBER_DESCRIPTIONS)

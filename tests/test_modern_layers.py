"""The modern single-tensor kinds without torch: both spec forms give the same layers, the mapping
form validates against the published schema, ``cnncalc layers`` lists them, and the receptive field
through resampling follows the window each output pixel reads."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

import cnncalc
from cnncalc.parse import parse_spec_text
from cnncalc.schema import spec_schema
from tests.test_cli import run

# one-line text -> the same layer as a mapping
FORMS = [
    ("layernorm eps=1e-6", {"type": "layernorm", "eps": 1e-6}),
    ("ln noaffine", {"type": "layernorm", "affine": False}),
    ("groupnorm 4", {"type": "groupnorm", "groups": 4}),
    ("gn g2 noaffine", {"type": "groupnorm", "groups": 2, "affine": False}),
    ("instancenorm affine track", {"type": "instancenorm", "affine": True, "track_running_stats": True}),
    ("upsample 2", {"type": "upsample", "scale": 2}),
    (
        "upsample x2 bilinear align_corners",
        {"type": "upsample", "scale": 2, "mode": "bilinear", "align_corners": True},
    ),
    ("upsample [2, 1.5]", {"type": "upsample", "scale": [2, 1.5]}),
    ("upsample size=[20,30] bicubic", {"type": "upsample", "size": [20, 30], "mode": "bicubic"}),
    ("pixelshuffle 2", {"type": "pixelshuffle", "factor": 2}),
    ("pixelunshuffle r2", {"type": "pixelunshuffle", "factor": 2}),
    ("channel_linear 32 nobias", {"type": "channel_linear", "units": 32, "bias": False}),
    ("layerscale 1e-6", {"type": "layerscale", "init": 1e-6}),
    ("stochastic_depth 0.1 batch", {"type": "stochastic_depth", "p": 0.1, "mode": "batch"}),
    ("channel_shuffle 2", {"type": "channel_shuffle", "groups": 2}),
]


def test_both_forms_give_the_same_layers_and_the_mapping_form_validates() -> None:
    oneline = cnncalc.load("16x16x8 | " + " | ".join(text for text, _ in FORMS))
    document = {"name": "forms", "input": "16x16x8", "layers": [mapping for _, mapping in FORMS]}
    jsonschema.validate(document, spec_schema())
    from_file = parse_spec_text(yaml.safe_dump(document), "forms.yaml")
    ours = [row.description for row in cnncalc.analyse(oneline).layers]
    assert ours == [row.description for row in cnncalc.analyse(from_file).layers]
    assert len(ours) == len(FORMS)


@pytest.mark.parametrize(
    ("spec", "size", "jump"),
    [
        # nearest ×2: each output pixel reads 1 input pixel; neighbours are half a pixel apart
        ("8x8x1 | upsample 2", 1, 0.5),
        # bilinear ×2 reads 2 input pixels per axis
        ("8x8x1 | upsample 2 bilinear", 2, 0.5),
        # bilinear 1×1 → 5×5 reads the one pixel there is
        ("1x1x1 | upsample size=5 bilinear", 1, 0.2),
        # space to depth 2: a 2×2 block per output pixel, stride 2
        ("8x8x1 | pixelunshuffle 2", 2, 2),
        ("8x8x4 | pixelshuffle 2", 1, 0.5),
        # a 3×3 conv after nearest ×2: 3 output pixels of the upsampled map span 1.5 input pixels
        ("8x8x1 | upsample 2 | conv 1 k3 p1", 2, 0.5),
    ],
)
def test_receptive_field_through_resampling(spec: str, size: float, jump: float) -> None:
    rf = cnncalc.analyse(cnncalc.load(spec)).layers[-1].receptive_field
    assert not rf.is_global
    assert rf.size == (size, size) and rf.jump == (jump, jump)


def test_layers_command_lists_the_new_kinds() -> None:
    result = run("layers")
    assert result.returncode == 0, result.stderr
    for name in ("layernorm", "groupnorm", "instancenorm", "upsample", "pixelshuffle", "pixelunshuff",
                 "channel_linear", "layerscale", "stochastic_de", "channel_shuf"):  # fmt: skip
        assert name in result.stdout, name


def test_summary_json_of_a_convnext_block() -> None:
    spec = (
        "56x56x96 | { conv 96 k7 p3 dw | layernorm eps=1e-6 | channel_linear 384 | gelu "
        "| channel_linear 96 | layerscale | stochastic_depth 0.1 }"
    )
    result = run("summary", spec, "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["type"]: row for row in json.loads(result.stdout)["layers"]}
    assert rows["stochastic_depth"]["description"].startswith("identity at inference")
    assert rows["stochastic_depth"]["in_place"] is True
    assert rows["layerscale"]["params"] == 96 and rows["layerscale"]["in_place"] is False

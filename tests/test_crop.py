"""The crop kind without torch: its forms, shapes (U-Net's copy-and-crop sizes), receptive field,
working, and the crops it refuses, through the library and the real entry point."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

import cnncalc
from cnncalc.errors import ShapeError, SpecError
from cnncalc.parse import parse_spec_text
from cnncalc.schema import spec_schema
from tests.test_cli import run

# one-line text → the same layer as a mapping
FORMS = [
    ("crop 6x5", {"type": "crop", "size": [6, 5]}),
    ("crop 6×5", {"type": "crop", "size": [6, 5]}),
    ("crop 4", {"type": "crop", "size": 4}),
    ("crop size=[3,2]", {"type": "crop", "size": [3, 2]}),
    ("center_crop 2x2", {"type": "centercrop", "size": [2, 2]}),
]


def test_both_forms_give_the_same_layers_and_the_mapping_form_validates() -> None:
    oneline = cnncalc.load("8x7x3 | " + " | ".join(text for text, _ in FORMS))
    document = {"name": "forms", "input": "8x7x3", "layers": [mapping for _, mapping in FORMS]}
    jsonschema.validate(document, spec_schema())
    from_file = parse_spec_text(yaml.safe_dump(document), "forms.yaml")
    ours = [(row.description, row.output_shape.shape().spatial) for row in cnncalc.analyse(oneline).layers]
    assert ours == [
        (row.description, row.output_shape.shape().spatial) for row in cnncalc.analyse(from_file).layers
    ]
    assert [spatial for _, spatial in ours] == [(6, 5), (6, 5), (4, 4), (3, 2), (2, 2)]


# Ronneberger et al. 2015, Figure 1: each contracting step's feature map, copied and cropped to the
# size of the upsampled map it is concatenated with.
UNET_CROPS = [
    ("568x568x64 | crop 392x392", (392, 392, 64), (88, 88)),
    ("280x280x128 | crop 200x200", (200, 200, 128), (40, 40)),
    ("136x136x256 | crop 104x104", (104, 104, 256), (16, 16)),
    ("64x64x512 | crop 56x56", (56, 56, 512), (4, 4)),
]


@pytest.mark.parametrize(("spec", "shape", "offsets"), UNET_CROPS)
def test_unet_copy_and_crop_sizes(spec: str, shape: tuple[int, int, int], offsets: tuple[int, int]) -> None:
    row = cnncalc.analyse(cnncalc.load(spec)).layers[0]
    out = row.output_shape.shape()
    assert (out.height, out.width, out.channels) == shape
    assert (row.params, row.macs) == (0, 0)
    assert row.in_place  # a slice: a view of the input, nothing allocated
    rf = row.receptive_field  # each kept pixel is the input pixel `offsets` in from the corner
    assert (rf.size, rf.jump, rf.start) == ((1, 1), (1, 1), (offsets[0] + 0.5, offsets[1] + 0.5))


@pytest.mark.parametrize(
    ("spec", "start"),
    [
        # 3×3 conv: the first unit's field is input rows 0–2 (centre 1.5); a 10→6 crop drops 2 rows
        # of stride-1 units (centre 3.5); the 6→5 width keeps column 0 (the extra one goes right)
        ("12x12x1 | conv 1 k3 | crop 6x9", (3.5, 1.5)),
        # after a 2×2/2 pool each unit is 2 input pixels apart: dropping one moves the start by 2
        ("8x8x1 | maxpool 2 | crop 2x3", (3.0, 1.0)),
        # padding moves the start into the padding; a crop moves it back
        ("8x8x1 | conv 1 k3 p1 | crop 6", (1.5, 1.5)),
    ],
)
def test_crop_moves_the_start_of_the_receptive_field(spec: str, start: tuple[float, float]) -> None:
    rows = cnncalc.analyse(cnncalc.load(spec)).layers
    before, after = rows[-2].receptive_field, rows[-1].receptive_field
    assert (after.size, after.jump) == (before.size, before.jump)
    assert after.start == start


def test_summary_json_of_a_crop() -> None:
    result = run("summary", "10x9x4 | crop 5x6", "--json")
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)["layers"][0]
    assert row["type"] == "crop" and row["description"] == "centre 5×6"
    assert (row["params"], row["macs"], row["in_place"]) == (0, 0, True)
    assert row["output_shape"]["height"] == 5 and row["output_shape"]["width"] == 6


def test_explain_shows_the_offsets_and_the_odd_side() -> None:
    result = run("explain", "9x8x3 | crop 6x6")
    assert result.returncode == 0, result.stderr
    assert "rows cut above: ⌊(H − H′)/2⌋ = ⌊(9 − 6)/2⌋ = 1" in result.stdout
    assert "9 − 6 = 3 is odd: the extra row is cut at the bottom" in result.stdout
    assert "columns cut on the left: ⌊(W − W′)/2⌋ = ⌊(8 − 6)/2⌋ = 1" in result.stdout
    assert "no parameters and no arithmetic (0 MACs)" in result.stdout


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ("8x8x3 | crop 9", ShapeError, "crop to 9×9 needs an input at least that large, but it is 8×8"),
        ("8x20x3 | crop 9x4", ShapeError, "crop to 9×4 needs an input at least that large, but it is 8×20"),
        ("8x8x3 | crop 0", SpecError, "crop: invalid size 0: it should be greater than 0"),
        ("8x8x3 | crop 4x0", SpecError, "crop: invalid size [4, 0]: it should be greater than 0"),
        ("8x8x3 | crop -2", SpecError, "crop: invalid size -2: it should be greater than 0"),
        ("8x8x3 | crop", SpecError, "crop needs 'size'"),
        ("12 | crop 2", ShapeError, "crop needs a feature map (H×W×C) but its input is a flat vector of 12"),
    ],
)
def test_hostile_crops_are_refused_with_one_message(spec: str, error: type, message: str) -> None:
    with pytest.raises(error) as caught:
        cnncalc.analyse(cnncalc.load(spec))
    assert message in caught.value.message


def test_cli_refuses_a_crop_larger_than_its_input_with_exit_2() -> None:
    result = run("summary", "572x572x1 | conv 64 k3 | crop 572x572")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "layer 2 'crop1' (crop): input 570×570×64 (H×W×C): crop to 572×572 needs an input" in result.stderr
    assert "hint: a crop only removes pixels: give a size of at most 570×570" in result.stderr
    result = run("summary", "8x8x3 | crop 0", "--json")
    assert result.returncode == 2
    assert "it should be greater than 0" in json.loads(result.stdout)["message"]


def test_layers_command_lists_crop() -> None:
    result = run("layers")
    assert result.returncode == 0, result.stderr
    assert "crop H′xW′" in result.stdout

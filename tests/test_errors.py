"""Bad input gets a clear error with its location and a hint, never a traceback.

Messages are pinned (as click pins its own): changing one should be a conscious decision.
"""

from __future__ import annotations

import textwrap

import pytest

import cnncalc
from cnncalc.errors import ShapeError, SpecError, UsageError
from cnncalc.parse import parse_spec_text


def spec_error(spec: str) -> cnncalc.CnncalcError:
    with pytest.raises(cnncalc.CnncalcError) as info:
        cnncalc.analyse(cnncalc.load(spec))
    return info.value


def file_error(text: str, source: str = "net.yaml") -> cnncalc.CnncalcError:
    with pytest.raises(cnncalc.CnncalcError) as info:
        cnncalc.analyse(parse_spec_text(textwrap.dedent(text).lstrip(), source))
    return info.value


def test_unknown_layer_with_did_you_mean_and_column() -> None:
    err = spec_error("7x7x3 | conv 2 k3 | maxpol 2")
    assert isinstance(err, SpecError)
    assert err.message == "unknown layer type 'maxpol' (did you mean 'maxpool'?)"
    assert err.location is not None and err.location.column == 21
    rendered = err.render().splitlines()
    assert rendered[1] == "  --> <one-line spec> column 21  (layers[1])"
    assert rendered[3] == "   |                     ^"  # the caret sits under 'maxpol'


def test_unknown_layer_in_a_file_has_line_and_path() -> None:
    err = file_error(
        """
        input: 32x32x3
        layers:
          - conv 8 k3
          - {type: relu}
          - {type: maxpol, kernel: 2}
        """
    )
    assert "unknown layer type 'maxpol' (did you mean 'maxpool'?)" in err.message
    assert err.location is not None
    assert (err.location.source, err.location.line, err.location.path) == ("net.yaml", 5, "layers[2]")


def test_missing_field_names_it_and_shows_usage() -> None:
    err = file_error(
        """
        input: 32x32x3
        layers:
          - {type: conv, kernel: 3, name: c1}
        """
    )
    assert err.message == "conv needs 'filters'"
    assert err.location is not None and err.location.line == 3
    assert err.location.layer_name == "c1"
    assert err.hint is not None and err.hint.startswith("usage: conv FILTERS KERNEL")


def test_unknown_field_with_did_you_mean() -> None:
    err = spec_error("32x32x3 | conv 8 k3 strid=2")
    assert err.message == "conv has no field 'strid' (did you mean 'stride'?)"
    assert err.location is not None and err.location.column == 21


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("32x32x3 | conv 0 k3", "conv: invalid filters 0: it should be greater than 0"),
        ("32x32x3 | conv 8 k-3", "'k-3' is not a value or option of conv"),
        ("32x32x3 | conv 8 k3 s0", "conv: invalid stride 0: it should be greater than 0"),
        ("32x32x3 | maxpool 2 p=-1", "maxpool: invalid padding -1: it should be greater than or equal to 0"),
    ],
)
def test_zero_and_negative_sizes(spec: str, message: str) -> None:
    err = spec_error(spec)
    assert isinstance(err, SpecError)
    assert err.message.startswith(message)


def test_zero_input_size() -> None:
    err = spec_error("0x32x3 | conv 8 k3")
    assert err.message == "input height must be positive"


def test_kernel_larger_than_padded_input_names_layer_and_input() -> None:
    err = spec_error(
        "224x224x3 | conv 8 k3 s2 | maxpool 2 | maxpool 2 | maxpool 2 | maxpool 2 | maxpool 2 | conv 8 k5"
    )
    assert isinstance(err, ShapeError)
    assert err.message == (
        "layer 7 'conv2' (conv): input 3×3×8 (H×W×C): height 3 is smaller than kernel 5 with padding 0"
    )
    assert err.hint == "use padding ≥ 1, a smaller kernel, or a larger input"
    assert err.location is not None and err.location.layer_name == "conv2"


def test_residual_shape_mismatch_suggests_projection() -> None:
    err = spec_error("8x8x4 | {conv 8 k3 p1}")
    assert isinstance(err, ShapeError)
    assert "the body gives 8×8×8 but the shortcut gives 8×8×4 (H×W×C)" in err.message
    assert err.hint is not None and "projection shortcut" in err.hint


def test_concat_of_different_sizes() -> None:
    err = spec_error("8x8x4 | [conv 2 k1 ; conv 2 k3]")
    assert "branch outputs 8×8×2, 6×6×2 (H×W×C) differ in height or width" in err.message


def test_malformed_yaml_points_at_line_and_column() -> None:
    err = file_error(
        """
        input: 32x32x3
        layers:
          - conv 8 k3
          - {type: relu
        """
    )
    assert err.message.startswith("malformed YAML")
    assert err.location is not None and err.location.line is not None and err.location.line >= 4


def test_malformed_json() -> None:
    with pytest.raises(SpecError) as info:
        parse_spec_text('{"input": "8x8x1", "layers": [}', "net.json", json_format=True)
    assert info.value.message.startswith("malformed JSON")
    assert info.value.location is not None and info.value.location.column == 31


def test_unknown_bundled_name_suggests_close_match() -> None:
    err = spec_error("vgg61")
    assert "'vgg61' is not a bundled architecture, a file or a one-line spec" in err.message
    assert err.hint is not None and "cnncalc list" in err.hint


def test_huge_repeat_is_rejected_quickly_with_the_limit() -> None:
    err = file_error(
        """
        input: 8x8x1
        layers:
          - repeat: 100000000
            layers: [relu]
        """
    )
    assert err.message == "repeat count 100,000,000 is over the limit of 1,000,000"


def test_repeat_times_body_over_the_layer_limit() -> None:
    err = file_error(
        """
        input: 8x8x1
        layers:
          - repeat: 1000
            layers:
              - repeat: 1000
                layers: [relu]
        """
    )
    assert "over the limit of 500,000 layers" in err.message


def test_recursive_block_is_rejected() -> None:
    err = file_error(
        """
        input: 8x8x1
        blocks:
          a: {layers: [relu, {block: b}]}
          b: {layers: [{block: a}]}
        layers: [{block: a}]
        """
    )
    assert err.message == "block 'a' calls itself (a → b → a)"


def test_yaml_aliases_and_object_tags_are_refused() -> None:
    err = file_error(
        """
        input: 8x8x1
        layers: &l [relu]
        other: *l
        """
    )
    assert "anchors and aliases" in err.message
    err = file_error(
        """
        input: !!python/object/apply:os.system ["echo hacked"]
        layers: [relu]
        """
    )
    assert (
        err.message == "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed in a spec"
    )
    err = file_error("input: !!python/name:os.system x\nlayers: [relu]\n")
    # Scalars are checked too (before PyYAML's safe constructor would refuse it less clearly).
    assert err.message == "YAML tag 'tag:yaml.org,2002:python/name:os.system' is not allowed in a spec"


def test_block_arguments_are_not_code() -> None:
    err = file_error(
        """
        input: 8x8x1
        blocks:
          b: {args: {n: 2}, layers: ["conv ${__import__('os').getpid()} k1"]}
        layers: [{block: b}]
        """
    )
    assert "unknown argument '__import__'" in err.message or "unexpected" in err.message


def test_block_missing_argument() -> None:
    err = file_error(
        """
        input: 8x8x1
        blocks:
          b: {args: {planes: null}, layers: [conv $planes k1]}
        layers: [{block: b, args: {plane: 2}}]
        """
    )
    assert err.message == "block 'b' has no argument 'plane' (did you mean 'planes'?)"


def test_analyse_rejects_bad_batch_and_dtype_with_typed_errors() -> None:
    net = cnncalc.load("8x8x1 | relu")
    with pytest.raises(UsageError):
        cnncalc.analyse(net, batch=0)
    with pytest.raises(UsageError, match="unknown dtype 'fp8'"):
        cnncalc.analyse(net, dtype="fp8")


def test_padding_same_with_stride_is_an_error_as_in_pytorch() -> None:
    err = spec_error("8x8x1 | conv 2 k3 s2 same")
    assert "padding 'same' needs stride 1" in err.message

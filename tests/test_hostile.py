"""Hostile specs: each is refused with a pinned message or computed exactly, and quickly.

Many rows are regressions found by the fuzzer (``tests/test_fuzz.py``, ``benchmarks/fuzz.py``) or by
the scale benchmark; the comment on each says what used to happen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import cnncalc
from cnncalc.errors import ShapeError, SpecError, UsageError
from cnncalc.parse import parse_spec_text
from cnncalc.parse.build import MAX_LAYERS
from cnncalc.render import render_json

BIG = "9" * 5000  # Python's int() refuses more than 4,300 digits with a ValueError

LAUGHS = (  # 40 blocks, each calling the previous twice: 2^41 layers (the block-call "billion laughs")
    "input: 8x8x3\nblocks:\n  l0: {layers: [relu, relu]}\n"
    + "".join(f"  l{i}: {{layers: [{{block: l{i - 1}}}, {{block: l{i - 1}}}]}}\n" for i in range(1, 41))
    + "layers: [{block: l40}]\n"
)
CHAIN = (  # 200 blocks each calling the next once: deep, not big
    "input: 8x8x3\nblocks:\n  b0: {layers: [relu]}\n"
    + "".join(f"  b{i}: {{layers: [{{block: b{i - 1}}}]}}\n" for i in range(1, 200))
    + "layers: [{block: b199}]\n"
)

# (form, spec, error class, exact message)
REFUSED = {
    # RecursionError from the one-line parser before the nesting limit (fuzzer).
    "oneline 5,000 nested brackets": (
        "oneline",
        "8x8x3 | " + "(" * 5000 + "relu" + ")" * 5000,
        SpecError,
        "brackets are nested more than 32 levels deep",
    ),
    # ValueError: Exceeds the limit (4300 digits) for integer string conversion (fuzzer).
    "oneline value with 5,000 digits": (
        "oneline",
        f"8x8x3 | conv {BIG} k3",
        SpecError,
        "a number with 5,000 digits (99999999…) is too large",
    ),
    "oneline input with 5,000 digits": (
        "oneline",
        f"{BIG}x8x3 | relu",
        SpecError,
        "a number with 5,000 digits (99999999…) is too large",
    ),
    "oneline repeat with 5,000 digits": (
        "oneline",
        f"8x8x3 | (relu)x{BIG}",
        SpecError,
        "repeat count 99999999… (5,000 digits) is over the limit of 100,000",
    ),
    "field over 10^12": (
        "oneline",
        "8x8x3 | conv 10000000000000 k1",
        SpecError,
        "conv: filters 10,000,000,000,000 is over the limit of 1,000,000,000,000",
    ),
    # Fractional receptive field past 10^308: OverflowError converting it to float (review).
    "receptive field past float64": (
        "oneline",
        "1x1x1 | deconv 1 k1 s3 | (maxpool 1 2)x1100",
        ShapeError,
        "layer 1027 'maxpool1026' (maxpool): the receptive field is too large to report "
        "(over 10^308 input pixels)",
    ),
    # Took 22 s (building 500,000 layers before noticing) at 25 levels; now sized before building.
    "blocks calling blocks twice, 40 levels": (
        "yaml",
        LAUGHS,
        SpecError,
        "the spec expands to 2,199,023,255,552 layers, over the limit of 500,000 layers",
    ),
    "nested repeats of a million": (
        "yaml",
        "input: 8x8x3\nlayers:\n  - repeat: 1000000\n    layers:\n"
        "      - repeat: 1000000\n        layers: [relu]\n",
        SpecError,
        "the spec expands to 1,000,000,000,000 layers, over the limit of 500,000 layers",
    ),
    "a chain of 200 blocks": (
        "yaml",
        CHAIN,
        SpecError,
        "structures are nested more than 64 levels deep",
    ),
    "a block calling itself": (
        "yaml",
        "input: 8x8x3\nblocks:\n  a: {layers: [{block: a}]}\nlayers: [{block: a}]\n",
        SpecError,
        "block 'a' calls itself (a → a)",
    ),
    "YAML anchors": (
        "yaml",
        "input: 8x8x3\nlayers: &a [relu]\nx: *a\n",
        SpecError,
        "YAML anchors and aliases (&name, *name) are not supported",
    ),
    # ValueError from PyYAML's int constructor (fuzzer).
    "YAML int with 5,000 digits": (
        "yaml",
        f"input: 8x8x3\nlayers: [{{type: conv, filters: {BIG}, kernel: 1}}]\n",
        SpecError,
        "a number with 5,000 digits is too large",
    ),
    "YAML tag on a scalar": (
        "yaml",
        "input: !!binary aGVsbG8=\nlayers: [relu]\n",
        SpecError,
        "YAML tag 'tag:yaml.org,2002:binary' is not allowed in a spec",
    ),
    # An impossible date (2024-13-45) used to raise ValueError from the timestamp constructor.
    "YAML date-like value": (
        "yaml",
        "input: 2024-13-45\nlayers: [relu]\n",
        SpecError,
        "input '2024-13-45' is not a size like 224x224x3 (H×W×C)",
    ),
    "YAML control character": (
        "yaml",
        "input: 8x8x3\nlayers: [relu, \x07]\n",
        SpecError,
        "malformed YAML: character U+0007 is not allowed (control characters are not allowed)",
    ),
    # UnicodeEncodeError from libyaml (fuzzer, library callers passing str with lone surrogates).
    "YAML lone surrogate": (
        "yaml",
        "input: 8x8x3\nlayers: [\ud800]\n",
        SpecError,
        "the spec holds characters that are not valid Unicode (lone surrogates)",
    ),
    "YAML nested 1,000 deep": (
        "yaml",
        "input: 8x8x3\nlayers: " + "[" * 1000 + "]" * 1000 + "\n",
        SpecError,
        "the document is nested more than 200 levels deep",
    ),
    "YAML infinity as a size": (
        "yaml",
        "input: 8x8x3\nlayers: [{type: conv, filters: .inf, kernel: 1}]\n",
        SpecError,
        "conv: invalid filters inf: it should be a finite number",
    ),
    "expression with a 30-digit number": (
        "yaml",
        "input: 8x8x3\nblocks:\n  b: {args: {n: 1}, layers: ['conv ${" + "9" * 30 + "*n} k1']}\n"
        "layers: [{block: b}]\n",
        SpecError,
        "number too large in '${999999999999999999999999999999*n}' (limit 10^18)",
    ),
    # ValueError from json.loads (fuzzer).
    "JSON int with 5,000 digits": (
        "json",
        '{"input": "8x8x3", "layers": [{"type": "conv", "filters": ' + BIG + ', "kernel": 1}]}',
        SpecError,
        "a number with 5,000 digits (99999999…) is too large",
    ),
    "JSON nested 100,000 deep": ("json", "[" * 100_000, SpecError, "the document is nested too deeply"),
    "JSON NaN as a size": (
        "json",
        '{"input": "8x8x3", "layers": [{"type": "conv", "filters": NaN, "kernel": 1}]}',
        SpecError,
        "conv: invalid filters nan: it should be a finite number",
    ),
    # The modern single-tensor kinds and the expression helpers.
    "upsample to an empty map": (
        "oneline",
        "8x8x3 | upsample 0.1",
        ShapeError,
        "layer 1 'upsample1' (upsample): input 8×8×3 (H×W×C): upsample to 0×0: an empty map (⌊8×0.1⌋ = 0)",
    ),
    "upsample to 10^13 pixels": (
        "oneline",
        "224x224x3 | upsample 20000",
        ShapeError,
        "layer 1 'upsample1' (upsample): input 224×224×3 (H×W×C): upsample to 4,480,000×4,480,000 = "
        "2.01e+13 pixels, over the limit of 1,000,000,000,000",
    ),
    "upsample to a size of 10^14 pixels": (
        "oneline",
        "8x8x3 | upsample size=[10000000,10000000]",
        ShapeError,
        "layer 1 'upsample1' (upsample): input 8×8×3 (H×W×C): upsample to 10,000,000×10,000,000 = "
        "1e+14 pixels, over the limit of 1,000,000,000,000",
    ),
    "upsample scale over its limit": (
        "oneline",
        "8x8x3 | upsample 1e7",
        SpecError,
        "upsample: invalid scale 10000000.0: it should be less than or equal to 1e+06",
    ),
    "upsample with neither scale nor size": (
        "oneline",
        "8x8x3 | upsample",
        SpecError,
        "upsample needs a scale or a size",
    ),
    "upsample with both": (
        "oneline",
        "8x8x3 | upsample 2 size=4",
        SpecError,
        "upsample takes a scale or a size, not both",
    ),
    "groupnorm groups not dividing": (
        "oneline",
        "8x8x6 | groupnorm 4",
        ShapeError,
        "layer 1 'groupnorm1' (groupnorm): input 8×8×6 (H×W×C): groupnorm: 6 channels are not divisible "
        "by groups 4",
    ),
    "channel_shuffle groups not dividing": (
        "oneline",
        "8x8x6 | channel_shuffle 4",
        ShapeError,
        "layer 1 'channel_shuffle1' (channel_shuffle): input 8×8×6 (H×W×C): channel_shuffle: 6 channels "
        "are not divisible by groups 4",
    ),
    "pixelshuffle channels not dividing": (
        "oneline",
        "8x8x6 | pixelshuffle 2",
        ShapeError,
        "layer 1 'pixelshuffle1' (pixelshuffle): input 8×8×6 (H×W×C): pixelshuffle 2: 6 channels are not "
        "divisible by r² = 2² = 4",
    ),
    "pixelunshuffle size not dividing": (
        "oneline",
        "9x8x6 | pixelunshuffle 2",
        ShapeError,
        "layer 1 'pixelunshuffle1' (pixelunshuffle): input 9×8×6 (H×W×C): pixelunshuffle 2: height 9 is "
        "not divisible by 2",
    ),
    "instancenorm of a 1x1 map": (
        "oneline",
        "1x1x6 | instancenorm",
        ShapeError,
        "layer 1 'instancenorm1' (instancenorm): input 1×1×6 (H×W×C): instancenorm of a 1×1 map: one "
        "value per channel has no variance (PyTorch: 'Expected more than 1 spatial element')",
    ),
    "make_divisible by zero": (
        "yaml",
        "input: 8x8x3\nblocks:\n  b: {args: {w: 1.0}, layers: ['conv ${make_divisible(32 * w, 0)} k1']}\n"
        "layers: [{block: b}]\n",
        SpecError,
        "make_divisible: the divisor must be at least 1, not 0 in '${make_divisible(32 * w, 0)}'",
    ),
    "a fractional width as filters": (
        "yaml",
        "input: 8x8x3\nblocks:\n  b: {args: {w: 1.4}, layers: ['conv ${32 * w} k1']}\nlayers: [{block: b}]\n",
        SpecError,
        "conv: invalid filters 44.8: it should be a whole number, not a fraction",
    ),
    "a depth multiplier that overflows": (
        "yaml",
        "input: 8x8x3\nblocks:\n  b: {args: {d: 1.0e+300}, layers: [{repeat: '${ceil(2 * d * d)}', "
        "layers: [relu]}]}\nlayers: [{block: b}]\n",
        SpecError,
        "number too large in '${ceil(2 * d * d)}' (limit 10^18)",
    ),
}


def _load(form: str, text: str) -> cnncalc.Network:
    if form == "oneline":
        return cnncalc.parse_oneline_spec(text)
    return parse_spec_text(text, f"hostile.{form}", json_format=form == "json")


@pytest.mark.parametrize("case", list(REFUSED))
def test_hostile_spec_is_refused_with_a_clear_message(case: str) -> None:
    form, text, error_class, message = REFUSED[case]
    with pytest.raises(cnncalc.CnncalcError) as info:
        cnncalc.analyse(_load(form, text))
    assert type(info.value) is error_class
    assert info.value.message == message
    assert info.value.render().startswith(f"error: {message}")


def test_gigapixel_input_is_computed_exactly() -> None:
    # 10^10 pixels: conv 3→64 (3×3): 64·27 + 64 params; MACs = 10^10·64·27; fc on 50000×50000×64.
    report = cnncalc.analyse(cnncalc.load("100000x100000x3 | conv 64 k3 p1 | relu | maxpool 2 | fc 10"))
    conv, _, _, fc = report.layers
    assert conv.params == 64 * 27 + 64
    assert conv.macs == 10**10 * 64 * 27
    assert fc.params == 50_000 * 50_000 * 64 * 10 + 10
    # Peak at the max-pool: its input (the conv output, ReLU in place) and its output, fp32.
    assert report.totals.peak_inference_bytes == (10**10 + 50_000**2) * 64 * 4
    assert report.totals.macs == 10**10 * 64 * 27 + 50_000 * 50_000 * 64 * 10


def test_sizes_past_float64_precision_stay_exact_integers() -> None:
    # Every size at the 10^12 limit: figures reach 10^48, far past 2^53 where float64 rounds.
    n = 10**12
    report = cnncalc.analyse(cnncalc.load(f"{n}x{n}x{n} | conv {n} k1 | fc {n}"), batch=10**9, dtype="fp64")
    conv, fc = report.layers
    assert conv.macs == n**4 and isinstance(conv.macs, int)
    assert conv.activation_bytes == n**3 * 10**9 * 8
    assert fc.params == n**4 + n
    assert report.totals.macs == 2 * n**4
    assert f'"macs": {2 * n**4},' in render_json(report)  # printed exactly, not as 2e+48


def test_huge_kernel_warning_is_quick_and_suggests_small_fixes() -> None:
    # fit_suggestions used to try every padding up to the kernel size: 10^9 iterations here.
    report = cnncalc.analyse(cnncalc.load("1000000000x1x1 | conv 1 k999999999x1 s2x1"))
    assert report.warnings[0].message.endswith("fits exactly with stride 1 (→ 2)")


def test_repeated_shortcut_names_stay_unique_and_ordered() -> None:
    # Name clashes were resolved by trying _2, _3, … from the start each time: quadratic in a repeat
    # (125 s for 25,000 residual blocks). The names themselves must not change.
    spec = "8x8x4 | ({conv 4 k1 ; conv 4 k1})x4"
    names = [row.name for row in cnncalc.analyse(cnncalc.load(spec)).layers if "shortcut" in row.name]
    assert names == [
        "shortcut.conv1",
        "shortcut_2.conv1",
        "shortcut_3.conv1",
        "shortcut_4.conv1",
    ]


def test_one_layer_over_the_limit_is_counted_exactly_before_building() -> None:
    over = f"input: 2x2x1\nlayers:\n  - relu\n  - repeat: {MAX_LAYERS}\n    layers: [relu]\n"
    with pytest.raises(SpecError) as info:
        parse_spec_text(over)
    assert info.value.message == "the spec expands to 500,001 layers, over the limit of 500,000 layers"
    assert info.value.location is not None and info.value.location.path == "layers[1]"  # the big entry
    assert info.value.hint == (
        "layers[1] alone expands to 500,000: check repeat counts and blocks that call blocks several times"
    )


# ---------------------------------------------------------------------------------------------
# The library API: typed errors only, never SystemExit or AttributeError
# ---------------------------------------------------------------------------------------------

NETWORK = cnncalc.load("8x8x3 | conv 4 k3")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"batch": 0}, "batch must be a whole number from 1 to 1,000,000,000, got 0"),
        ({"batch": True}, "batch must be a whole number from 1 to 1,000,000,000, got True"),
        ({"batch": 2.0}, "batch must be a whole number from 1 to 1,000,000,000, got 2.0"),
        ({"batch": 10**10}, "batch must be a whole number from 1 to 1,000,000,000, got 10000000000"),
        # AttributeError: 'NoneType' object has no attribute 'strip' (review of the API).
        ({"dtype": None}, "dtype must be a name such as 'fp32', got None"),
        ({"dtype": 16}, "dtype must be a name such as 'fp32', got 16"),
        ({"dtype": "fp33"}, "unknown dtype 'fp33' (choose from fp64, fp32, fp16, bf16, int8)"),
        ({"order": "whc"}, "order must be 'hwc' or 'chw', got 'whc'"),
    ],
)
def test_analyse_rejects_bad_arguments_with_usage_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError) as info:
        cnncalc.analyse(NETWORK, **kwargs)  # type: ignore[arg-type]
    assert info.value.message == message


@pytest.mark.parametrize(
    ("ref", "error_class", "message"),
    [
        # AttributeError: 'NoneType' object has no attribute 'split'.
        (None, UsageError, "a spec is given as text (a name, a file path or a one-line spec), not NoneType"),
        (
            b"8x8x3 | relu",
            UsageError,
            "a spec is given as text (a name, a file path or a one-line spec), not bytes",
        ),
        # OSError: [Errno 36] File name too long (fuzzer, through the CLI).
        ("a" * 5000, SpecError, f"'{'a' * 79}…' is not a bundled architecture, a file or a one-line spec"),
        ("/dev/null/x.yaml", SpecError, "no such file: '/dev/null/x.yaml'"),
        (os.devnull, SpecError, "not a regular file"),
    ],
)
def test_load_rejects_bad_references_with_typed_errors(ref: object, error_class: type, message: str) -> None:
    with pytest.raises(error_class) as info:
        cnncalc.load(ref)  # type: ignore[arg-type]
    assert info.value.message == message


def test_load_accepts_a_path_object(tmp_path: Path) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text("input: 8x8x3\nlayers: [conv 4 k3]\n", encoding="utf-8")
    assert cnncalc.load(spec).layer_count == 1


def test_library_errors_are_never_system_exit() -> None:
    for bad in ("8x8x3 | conv 0 k3", "8x8x3 | (relu", "nonsense-name", "8x8x3 | conv 4 k9"):
        try:
            cnncalc.analyse(cnncalc.load(bad))
        except cnncalc.CnncalcError:
            continue
        except BaseException as exc:
            pytest.fail(f"{bad!r} raised {type(exc).__name__}")
        pytest.fail(f"{bad!r} was accepted")


# ---------------------------------------------------------------------------------------------
# Through the real entry point: exit 2, one message, no traceback
# ---------------------------------------------------------------------------------------------

CLI_CASES = {
    "deep brackets": ("oneline", REFUSED["oneline 5,000 nested brackets"][1]),
    "5,000-digit value": ("oneline", REFUSED["oneline value with 5,000 digits"][1]),
    "long non-name": ("oneline", "\u200b { g-3 " + "9" * 300),
    "block laughs": ("yaml", LAUGHS),
    "YAML tag": ("yaml", REFUSED["YAML tag on a scalar"][1]),
    "JSON nesting": ("json", "[" * 100_000),
}


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_cli_exits_2_without_traceback(case: str, tmp_path: Path) -> None:
    form, text = CLI_CASES[case]
    if form == "oneline":
        arg = text
    else:
        arg = str(tmp_path / f"spec.{form}")
        Path(arg).write_text(text, encoding="utf-8")
    env = {**os.environ}
    env.pop("CNNCALC_DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-m", "cnncalc", "summary", arg], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ")

"""The CLI through its real entry point (a subprocess running ``python -m cnncalc``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

LECTURE = "32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10"


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "100", **(env or {})}
    full_env.pop("CNNCALC_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "cnncalc", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=60,
    )


def test_summary_table_shows_layers_and_totals() -> None:
    result = run("summary", LECTURE)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "conv1" in out and "32×32×10" in out and "760" in out
    assert "Output" in out and "H×W×C" in out  # the order is named (header on two lines)
    assert "26,370" in out  # total params: 760 + 25,610
    assert result.stderr == ""


def test_summary_json_is_only_json_and_validates_against_the_schema() -> None:
    result = run("summary", LECTURE, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    schema = json.loads(run("schema", "report").stdout)
    jsonschema.validate(report, schema)
    assert report["schema_version"] == "1.0"
    assert "flops" in report["conventions"]
    assert report["totals"]["params"] == 26_370
    assert report["layers"][0]["output_shape"] == {
        "channels": 10,
        "height": 32,
        "width": 32,
        "hwc": "32×32×10",
        "chw": "10×32×32",
        "elements": 10240,
    }


def test_json_through_python_json_tool() -> None:
    summary = run("summary", LECTURE, "--json")
    tool = subprocess.run(
        [sys.executable, "-m", "json.tool"], input=summary.stdout, capture_output=True, text=True
    )
    assert tool.returncode == 0


def test_warnings_go_to_stderr_and_json_stays_clean() -> None:
    result = run("summary", "7x7x1 | conv 1 k3 s3", "--json")
    assert result.returncode == 0
    json.loads(result.stdout)
    assert "warning: layer 1 'conv1'" in result.stderr
    assert "2.33" in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "markdown"])
def test_other_formats(fmt: str) -> None:
    result = run("summary", LECTURE, "--format", fmt)
    assert result.returncode == 0
    if fmt == "csv":
        lines = result.stdout.splitlines()
        assert lines[0].startswith("index,name,type")
        assert lines[1].split(",")[:3] == ["1", "conv1", "conv"]
    else:
        assert "| 1 | conv1 | conv | 32×32×10 | 760 |" in result.stdout


LECTURE_CHW = LECTURE.replace("32x32x3", "3x32x32", 1)  # --order chw reads the typed input C×H×W too


def test_order_chw_and_batch_dtype() -> None:
    result = run("summary", LECTURE_CHW, "--order", "chw", "--batch", "4", "--dtype", "fp16", "--json")
    report = json.loads(result.stdout)
    assert report["settings"] == {"batch": 4, "dtype": "fp16", "bytes_per_element": 2, "order": "chw"}
    assert report["layers"][0]["activation_bytes"] == 10 * 32 * 32 * 4 * 2
    table = run("summary", LECTURE_CHW, "--order", "chw")
    assert "C×H×W" in table.stdout and "10×32×32" in table.stdout


def test_input_override() -> None:
    result = run("summary", LECTURE, "--input", "64x64x3", "--json")
    report = json.loads(result.stdout)
    assert report["layers"][0]["output_shape"]["hwc"] == "64×64×10"


def test_spec_file_from_any_directory(tmp_path: Path) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text("input: 28x28x1\nlayers: [conv 6 k5 p2, relu, maxpool 2, fc 10]\n", encoding="utf-8")
    result = run("summary", str(spec), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["params"] == 156 + 14 * 14 * 6 * 10 + 10


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (
            ("summary", "7x7x3 | conv 2 k3 | maxpol"),
            "error: unknown layer type 'maxpol' (did you mean 'maxpool'?)",
        ),
        (
            ("summary", "no-such-net"),
            "error: 'no-such-net' is not a bundled architecture, a file or a one-line spec",
        ),
        (("summary", "missing/net.yaml"), "error: no such file: 'missing/net.yaml'"),
        (("summary", LECTURE, "--batch", "0"), "error: Invalid value for '--batch' / '-b'"),
        (
            ("summary", LECTURE, "--dtype", "fp8"),
            "error: unknown dtype 'fp8' (choose from fp64, fp32, fp16, bf16, int8)",
        ),
        (("summary", LECTURE, "--input", "big"), "error: --input 'big' is not a size like 224x224x3 (H×W×C)"),
        (
            ("summary", "8x8x1 | conv 1 k9"),
            "error: layer 1 'conv1' (conv): input 8×8×1 (H×W×C): height 8 is smaller than kernel 9 with padding 0",
        ),
        (("nosuchcommand",), "error: no such command 'nosuchcommand'"),
        (("sumary", LECTURE), "error: no such command 'sumary' (did you mean 'summary'?)"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(args: tuple[str, ...], first_line: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith(first_line)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_errors_are_json_with_json_flag() -> None:
    result = run("summary", "7x7x3 | conv 2 k3 | maxpol", "--json")
    assert result.returncode == 2
    error = json.loads(result.stdout)
    assert error["error"] == "spec_error"
    assert error["location"]["column"] == 21


def test_schema_spec_validates_a_spec_file() -> None:
    schema = json.loads(run("schema", "spec").stdout)
    spec = {
        "input": "32x32x3",
        "blocks": {"b": {"args": {"n": 8}, "layers": ["conv $n k3 p1"]}},
        "layers": [
            {"type": "conv", "filters": 8, "kernel": 3},
            "relu",
            {"repeat": 2, "layers": ["conv 8 k3 p1"]},
            {"concat": [["conv 4 k1"], ["conv 4 k3 p1"]]},
            {"residual": ["conv 8 k3 p1"]},
            {"block": "b"},
        ],
    }
    jsonschema.validate(spec, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"input": "32x32x3"}, schema)  # no layers


def test_layers_command_lists_every_kind() -> None:
    result = run("layers")
    assert result.returncode == 0
    for word in ("conv", "deconv", "maxpool", "avgpool", "gap", "fc", "batchnorm", "lrn", "dropout"):
        assert word in result.stdout


def test_help_mentions_the_spec_forms() -> None:
    result = run("summary", "--help")
    assert "one-line spec" in result.stdout
    assert "--batch" in result.stdout and "--dtype" in result.stdout and "--input" in result.stdout


def test_input_override_in_chw_order() -> None:
    result = run("summary", LECTURE, "--input", "3x64x48", "--order", "chw", "--json")
    assert json.loads(result.stdout)["input"]["hwc"] == "64×48×3"


def test_quiet_and_warning_codes_and_the_floor_mark() -> None:
    # A student's one-line spec still gets the warning (with its code in JSON); --quiet silences it.
    student = "7x7x1 | conv 1 k3 s3"
    loud = run("--lang", "pt", "summary", student)
    assert loud.returncode == 0 and "não cabe" in loud.stderr
    assert run("summary", student, "--quiet").stderr == ""
    data = json.loads(run("summary", student, "--json", "-q").stdout)
    assert [w["code"] for w in data["warnings"]] == ["window-does-not-fit"]
    # 'floor' marks the flooring as intended: no warning, same numbers.
    marked = run("summary", student + " floor", "--json")
    assert marked.stderr == "" and json.loads(marked.stdout)["warnings"] == []
    assert json.loads(marked.stdout)["output"] == data["output"]
    # The bundled torchvision nets mark their deliberate flooring (ResNet's stride-2 convs).
    for name in ("resnet50", "resnet18", "alexnet", "googlenet"):
        result = run("summary", name)
        assert result.returncode == 0 and result.stderr == "", name


def test_columns_option() -> None:
    result = run("summary", "resnet18", "--depth", "1", "--columns", "layer,params,params%,connected")
    assert result.returncode == 0, result.stderr
    header = next(line for line in result.stdout.splitlines() if "Layer" in line)
    assert header.split() == ["Layer", "Params", "share", "Connected", "to"]
    bad = run("summary", "resnet18", "--columns", "layer,parms")
    assert bad.returncode == 2 and "did you mean 'params'" in bad.stderr and "Traceback" not in bad.stderr
    assert run("summary", "resnet18", "--columns", "layer", "--json").returncode == 2


def test_summary_at_80_columns_keeps_names_whole() -> None:
    result = run("summary", "googlenet", env={"COLUMNS": "80"})
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any(line.split()[1:2] == ["inception4e.branch2.1.relu1"] for line in lines if line.split())
    assert any(line.startswith("left out to fit 80 columns") for line in lines)


def test_floor_mark_in_a_spec_file(tmp_path: Path) -> None:
    # The long form of the one-line flag: `floor: true` on a conv or pool layer; the schema documents it.
    spec = tmp_path / "net.yaml"
    spec.write_text(
        "input: 7x7x1\nlayers:\n  - {type: conv, filters: 1, kernel: 3, stride: 3, floor: true}\n"
        "  - {type: maxpool, kernel: 2, stride: 2}\n",
        encoding="utf-8",
    )
    data = json.loads(run("summary", str(spec), "--json").stdout)
    assert data["layers"][0]["output_shape"]["hwc"] == "2×2×1"
    assert [w["layer"] for w in data["warnings"]] == []  # 2×2 pooled by 2×2/2 fits; the conv is marked
    schema = json.loads(run("schema", "spec").stdout)
    assert "floor" in json.dumps(schema) and "PyTorch's floor is intended" in json.dumps(schema)

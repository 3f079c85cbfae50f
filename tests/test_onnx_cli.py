"""``cnncalc summary model.onnx`` through the real entry point: the README's example, bad files
(one error, exit 2), a dynamic input with ``--input``, and no torch imported to read a file."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

onnx = pytest.importorskip("onnx")

from tests.onnx_graphs import model, node, save, weight  # noqa: E402


def cnncalc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cnncalc", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def summary_json(*args: str, cwd: Path | None = None) -> dict[str, Any]:
    result = cnncalc("summary", *args, "--json", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def small_conv_net(tmp_path: Path, dims: list[int | str]) -> Path:
    nodes = [
        node(
            "Conv",
            ["x", "conv1.weight", "conv1.bias"],
            ["c"],
            kernel_shape=[3, 3],
            pads=[1, 1, 1, 1],
            name="/conv1/Conv",
        ),
        node("Relu", ["c"], ["r"], name="/relu1/Relu"),
        node("GlobalAveragePool", ["r"], ["g"], name="/pool/GlobalAveragePool"),
        node("Flatten", ["g"], ["f"], axis=1, name="/Flatten"),
        node("Gemm", ["f", "fc.weight", "fc.bias"], ["y"], transB=1, name="/fc/Gemm"),
    ]
    inits = [
        weight("conv1.weight", [8, 3, 3, 3]),
        weight("conv1.bias", [8]),
        weight("fc.weight", [10, 8]),
        weight("fc.bias", [10]),
    ]
    return save(tmp_path, model(nodes, dims, inits), "small.onnx")


def test_small_onnx_file_counts_as_its_layers(tmp_path: Path) -> None:
    report = summary_json(str(small_conv_net(tmp_path, [1, 3, 32, 32])))
    # conv (3×3×3 + 1)×8 = 224, fc 8×10 + 10 = 90; MACs 32×32×8×27 + 80
    assert report["totals"]["params"] == 224 + 90
    assert report["totals"]["macs"] == 32 * 32 * 8 * 27 + 80
    assert [row["name"] for row in report["layers"]] == ["conv1", "relu1", "pool", "flatten", "fc"]


def test_dynamic_input_needs_its_size(tmp_path: Path) -> None:
    path = small_conv_net(tmp_path, ["N", 3, "H", "W"])
    refused = cnncalc("summary", str(path))
    assert refused.returncode == 2
    assert "the model's input 'x' has a dynamic size (?×3×?×?)" in refused.stderr
    assert "--input" in refused.stderr and "Traceback" not in refused.stderr
    report = summary_json(str(path), "--input", "64x48x3")
    assert report["layers"][0]["output_shape"]["hwc"] == "64×48×8"
    assert report["totals"]["macs"] == 64 * 48 * 8 * 27 + 80


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.onnx", "no such file"),
        (
            lambda d: (d / "corrupt.onnx").write_bytes(b"\x0a\xff\xff\xff\xff\x0f") and d / "corrupt.onnx",
            "not a readable ONNX file",
        ),
        (
            lambda d: save(d, model([node("Relu", ["x"], ["y"])], [1, 3, 4, 4], opset=99), "future.onnx"),
            "unsupported opset 99",
        ),
    ],
    ids=["missing", "corrupt", "opset"],
)
def test_bad_files_are_one_error_exit_2(tmp_path: Path, make: Any, message: str) -> None:
    path = make(tmp_path)
    result = cnncalc("summary", str(path))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    as_json = cnncalc("summary", str(path), "--json")
    assert as_json.returncode == 2
    error = json.loads(as_json.stdout)
    assert message in error["message"] and error["location"]["source"] == str(path)


NO_TORCH = """
import sys

class _NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("torch is blocked for this test")
        return None

sys.meta_path.insert(0, _NoTorch())
from cnncalc.cli import main
sys.argv = ["cnncalc", "summary", sys.argv[1], "--json"]
try:
    main()
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
assert "torch" not in sys.modules
assert "numpy" not in sys.modules and "ml_dtypes" not in sys.modules
"""


def test_summary_of_an_onnx_file_imports_no_torch(tmp_path: Path) -> None:
    path = small_conv_net(tmp_path, [1, 3, 32, 32])
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(NO_TORCH), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["params"] == 314


def test_an_op_cnncalc_cannot_map_is_listed_and_strict_refuses_it(tmp_path: Path) -> None:
    nodes = [
        node("Conv", ["x", "conv1.weight"], ["c"], kernel_shape=[3, 3], name="/conv1/Conv"),
        node("Erf", ["c"], ["e"], name="/act/Erf"),
        node("GlobalAveragePool", ["e"], ["y"], name="/pool/GlobalAveragePool"),
    ]
    path = save(tmp_path, model(nodes, [1, 3, 8, 8], [weight("conv1.weight", [4, 3, 3, 3])]), "erf.onnx")
    shown = cnncalc("summary", str(path))
    assert shown.returncode == 0
    assert "+ 1 op not counted" in shown.stdout
    assert (
        "warning: layer 2 'act': ONNX node #1 '/act/Erf' (Erf), 1×4×6×6 → 1×4×6×6: no cnncalc layer for Erf"
        in shown.stderr
    )
    report = summary_json(str(path))
    assert report["totals"]["uncounted"] == 1 and report["totals"]["macs"] == 6 * 6 * 4 * 27
    assert [row["counted"] for row in report["layers"]] == [True, False, True]
    strict = cnncalc("summary", str(path), "--strict")
    assert strict.returncode == 2 and "act (ONNX node #1 '/act/Erf' (Erf)" in strict.stderr


@pytest.mark.torch
def test_readme_example_resnet18_through_onnx(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = (
        readme.split("### Bring your own model: ONNX files", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    )
    commands = [line.split("  #")[0].strip() for line in section.strip().splitlines()]
    assert commands[0] == "cnncalc export resnet18 --to torch -o resnet18_model.py"
    exported = cnncalc(*commands[0].split()[1:], cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    python = commands[1].split(" ", 2)
    assert python[:2] == ["python", "-c"]
    made = subprocess.run(
        [sys.executable, "-c", python[2].strip('"')],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    onnx_report = summary_json("resnet18.onnx", cwd=tmp_path)
    spec_report = summary_json("resnet18")
    for key in ("params", "buffers", "macs", "activation_sum_elements"):
        assert onnx_report["totals"][key] == spec_report["totals"][key], key
    assert (
        onnx_report["totals"]["params"],
        onnx_report["totals"]["buffers"],
        onnx_report["totals"]["macs"],
    ) == (11_689_512, 9_620, 1_814_073_344)
    for command in commands[2:]:
        assert command.startswith("cnncalc ")
        result = cnncalc(*command.split()[1:], cwd=tmp_path)
        assert result.returncode == 0, (command, result.stderr)
    depth = cnncalc("summary", "resnet18.onnx", "--depth", "1", cwd=tmp_path).stdout
    assert all(f" layer{i} " in depth for i in range(1, 5))

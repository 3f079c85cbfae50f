"""``cnncalc count`` and ``--count-as`` through the real entry point, against what the real tools
printed (tests/data/peer_counts.json and torchvision_counts.json, written by
scripts/peer_counts.py; no torch needed here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import run

DATA = Path(__file__).parent / "data"
EXPORTED = json.loads((DATA / "peer_counts.json").read_text(encoding="utf-8"))
TORCHVISION_PATH = DATA / "torchvision_counts.json"


def _totals(*args: str) -> dict[str, int]:
    result = run("count", *args, "--json")
    assert result.returncode == 0, result.stderr
    return {c["convention"]: c["total"] for c in json.loads(result.stdout)["conventions"]}


@pytest.mark.parametrize(
    "network", ["lenet5", "alexnet-2012", "googlenet", "resnet50", "coverage", "coverage-deconv"]
)
def test_count_equals_what_each_tool_printed_on_the_exported_module(network: str) -> None:
    """calflops is not in CI: this is where its numbers (run by scripts/peer_counts.py) are checked."""
    entry = EXPORTED["networks"][network]
    measured = {k: v for k, v in entry.items() if k != "spec" and v is not None}
    assert "calflops" in measured
    ours = _totals(entry.get("spec", network))
    assert measured and {k: ours[k] for k in measured} == measured


@pytest.mark.skipif(not TORCHVISION_PATH.exists(), reason="tests/data/torchvision_counts.json not written")
@pytest.mark.parametrize("network", ["googlenet", "resnet50", "vgg16-bn"])
def test_torchvision_forward_style_equals_the_tools_on_torchvision_models(network: str) -> None:
    measured = json.loads(TORCHVISION_PATH.read_text(encoding="utf-8"))["networks"][network]
    ours = _totals(network, "--forward-style", "torchvision")
    tools = {k: v for k, v in measured.items() if k in ours and v is not None}
    assert tools and {k: ours[k] for k in tools} == tools
    assert round(ours["torchvision"] / 1e9, 3) == measured["published_gflops"]


def test_count_table_explains_each_difference_in_one_line() -> None:
    result = run("count", "resnet50")
    assert result.returncode == 0, result.stderr
    assert "4,133,742,592" in result.stdout  # thop
    assert "BatchNorm" in result.stdout and "same as cnncalc's MACs" in result.stdout


def test_torchvision_style_needs_a_torchvision_model() -> None:
    result = run("count", "googlenet-paper", "--forward-style", "torchvision")
    assert result.returncode == 2 and "does not follow a torchvision model" in result.stderr


def test_googlenet_ptflops_depends_on_how_forward_calls_relu() -> None:
    export = _totals("googlenet")["ptflops"]
    torchvision = _totals("googlenet", "--forward-style", "torchvision")["ptflops"]
    assert export > torchvision  # nn.ReLU: hook + patched F.relu; F.relu: the patch alone


def test_summary_count_as_json_per_layer() -> None:
    result = run("summary", "resnet18", "--count-as", "thop", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total"] == sum(r["printed"] + r["added_to_total"] for r in data["layers"])
    bn = next(r for r in data["layers"] if r["type"] == "batchnorm")
    assert bn["rule"] == "batchnorm" and bn["printed"] == 4 * 64 * 112 * 112


def test_summary_count_as_table_names_the_rules() -> None:
    result = run("summary", "lenet5", "--count-as", "torchinfo")
    assert result.returncode == 0, result.stderr
    assert "426,180" in result.stdout and "torchinfo/layer_info.py" in result.stdout


def test_compare_and_explain_count_as() -> None:
    compared = run("compare", "resnet18", "resnet50", "--count-as", "fvcore")
    assert compared.returncode == 0, compared.stderr
    assert "4,111,512,576" in compared.stdout
    explained = run("explain", "32x32x3 | conv 8 k3 | bn | relu | fc 10", "--count-as", "ptflops")
    assert explained.returncode == 0, explained.stderr
    assert "7,200 (module hook) + 7,200 (patched F.*)" in explained.stdout


def test_count_as_refuses_formats_it_does_not_print() -> None:
    result = run("summary", "lenet5", "--count-as", "thop", "--format", "csv")
    assert result.returncode == 2 and "--count-as works with" in result.stderr
    both = run("summary", "lenet5", "--count-as", "thop", "--explain")
    assert both.returncode == 2 and "--count-as and --explain" in both.stderr


def test_count_train_json_and_time_floor() -> None:
    result = run(
        "count", "resnet18", "--train", "--batch", "8", "--gpu", "A100-SXM", "--dtype", "bf16", "--json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    first = data["layers"][0]
    assert first["grad_input"] == 0 and first["grad_weight"] == first["forward"]
    assert data["total_flops"] == data["flop_counter_mode_total"]  # no grouped conv in ResNet-18
    floor = data["time_floor"]
    assert floor["kind"].startswith("lower bound") and floor["peak_tflops"] == 312.0
    assert floor["ms_per_step_at_least"] == pytest.approx(data["total_flops"] / 312e12 * 1e3)


def test_count_train_table_says_bound() -> None:
    result = run("count", "8x8x32 | conv 32 k3 p1 dw | conv 16 k1 | gap | fc 10", "--train", "--gpu", "T4")
    assert result.returncode == 0, result.stderr
    assert "at least" in result.stdout and "bound" in result.stdout and "✗" in result.stdout


def test_gpu_without_train_and_unknown_gpu_are_usage_errors() -> None:
    assert run("count", "lenet5", "--gpu", "T4").returncode == 2
    unknown = run("count", "lenet5", "--train", "--gpu", "H300")
    assert unknown.returncode == 2 and "unknown GPU" in unknown.stderr
    no_peak = run("count", "lenet5", "--train", "--gpu", "T4", "--dtype", "bf16")
    assert no_peak.returncode == 2 and "no published bf16 peak" in no_peak.stderr


BLOCKED = """
import sys

BLOCK = ("torch", "torchinfo", "fvcore", "ptflops", "thop", "calflops", "torchvision")

class _Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCK:
            raise ImportError(name + " is blocked for this test")
        return None

sys.meta_path.insert(0, _Blocked())
from cnncalc.cli import main
sys.argv = ["cnncalc", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCK or m.startswith("cnncalc.counting"))
print("LOADED", loaded)
"""


@pytest.mark.parametrize(
    ("args", "counting"),
    [
        (["count", "resnet18", "--json"], True),
        (["count", "resnet18", "--train", "--gpu", "T4", "--json"], True),
        (["summary", "resnet18", "--count-as", "ptflops", "--json"], True),
        (["summary", "resnet18", "--json"], False),
    ],
)
def test_counting_never_imports_torch_or_a_peer(args: list[str], counting: bool) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", BLOCKED, *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.strip().splitlines()[-1]
    assert loaded.startswith("LOADED")
    assert ("cnncalc.counting.presets" in loaded) == counting
    assert "torch" not in loaded.replace("cnncalc", "")


def test_explain_count_as_names_its_only_format() -> None:
    result = run("explain", "lenet5", "--count-as", "thop", "--format", "latex")
    assert result.returncode == 2 and "--count-as works with --format text" in result.stderr


TRAINING = json.loads((DATA / "training_counts.json").read_text(encoding="utf-8"))


def test_training_step_of_every_bundled_spec_equals_flop_counter_mode() -> None:
    """FlopCounterMode over loss.backward() on each exported bundled spec (written by
    scripts/peer_counts.py training) against cnncalc's count of what it reports."""
    from cnncalc.analysis import analyse
    from cnncalc.counting.training import training_cost
    from cnncalc.parse import load_network

    assert len(TRAINING["networks"]) >= 22
    for name, measured in TRAINING["networks"].items():
        network = load_network(name)
        cost = training_cost(analyse(network), network)
        assert cost.flop_counter_total == measured, name
        grouped = any(r.groups > 1 and r.grad_weight for r in cost.rows)
        assert (cost.total < measured) == grouped, name

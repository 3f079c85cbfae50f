"""``cnncalc compare``: the pure comparison model and the command."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import cli
from cnncalc.compare import compare, weight_depth
from cnncalc.errors import UsageError

# The depth each architecture is named or known by: weight layers on the longest path.
DEPTHS = [
    ("alexnet", 8),  # 5 conv + 3 fc (Krizhevsky et al.: "eight learned layers")
    ("alexnet-2012", 8),
    ("vgg11", 11),
    ("vgg16-bn", 16),
    ("vgg19", 19),
    ("googlenet", 22),  # Szegedy et al.: "22 layers deep when counting only layers with parameters"
    ("resnet18", 18),
    ("resnet50", 50),  # the body's 3 convs per block; the projection shortcut is the shorter path
    ("resnet152", 152),
    ("lenet5", 7),  # LeCun et al.: "LeNet-5 comprises 7 layers, not counting the input"
    ("alphago-policy", 13),  # the slide: 13 conv layers
]


@pytest.mark.parametrize(("name", "depth"), DEPTHS)
def test_depth_is_the_longest_chain_of_weight_layers(name: str, depth: int) -> None:
    assert weight_depth(cnncalc.load(name)) == depth


def test_branches_count_once_by_the_deepest() -> None:
    net = cnncalc.load("8x8x4 | conv 4 k1 | [conv 2 k1 ; conv 2 k1 | conv 2 k3 p1 ; maxpool 3 1 p1] | fc 3")
    assert weight_depth(net) == 1 + 2 + 1
    residual = cnncalc.load("8x8x4 | {conv 4 k3 p1 | conv 4 k3 p1 ; conv 4 k1}")
    assert weight_depth(residual) == 2


def _entries(names: list[str], **kwargs: object) -> list[tuple[cnncalc.Network, cnncalc.Report]]:
    networks = [cnncalc.load(n) for n in names]
    return [(n, cnncalc.analyse(n, **kwargs)) for n in networks]  # type: ignore[arg-type]


def test_comparison_carries_each_reports_totals() -> None:
    entries = _entries(["alexnet", "vgg16"], batch=128, dtype="fp16")
    comparison = compare(entries)
    assert comparison.settings.batch == 128 and comparison.settings.dtype == "fp16"
    for (_, report), row in zip(entries, comparison.networks, strict=True):
        t = report.totals
        assert (row.params, row.macs, row.flops) == (t.params, t.macs, t.flops)
        assert row.param_bytes == t.params * 2
        assert row.activation_bytes_per_sample == t.activation_sum_elements * 2
        assert row.activation_bytes_batch == t.activation_sum_elements * 2 * 128
        assert row.forward_bytes == t.forward_bytes
    assert [r.name for r in comparison.networks] == ["alexnet", "vgg16"]


def test_reports_with_different_settings_are_refused() -> None:
    a = _entries(["alexnet"], batch=1)
    b = _entries(["vgg16"], batch=2)
    with pytest.raises(UsageError, match="same settings"):
        compare(a + b)
    with pytest.raises(UsageError, match="at least one"):
        compare([])


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["compare", *args])
    return result.exit_code, result.output


def test_cli_table_names_every_network_and_metric() -> None:
    code, out = invoke("alexnet", "vgg16", "googlenet", "resnet50")
    assert code == 0
    for text in ("alexnet", "vgg16", "googlenet", "resnet50", "61,100,840", "138,357,544", "Depth"):
        assert text in out


def test_cli_json() -> None:
    import jsonschema

    code, out = invoke("alexnet", "resnet50", "--json", "--batch", "8")
    assert code == 0
    data = json.loads(out)
    schema = json.loads(CliRunner().invoke(cli, ["schema", "compare"]).output)
    jsonschema.validate(data, schema)
    assert data["settings"]["batch"] == 8
    by_name = {n["name"]: n for n in data["networks"]}
    assert by_name["resnet50"]["params"] == 25_557_032
    assert by_name["resnet50"]["macs"] == 4_089_184_256
    assert by_name["resnet50"]["depth"] == 50
    assert (
        by_name["alexnet"]["activation_bytes_batch"] == 8 * by_name["alexnet"]["activation_bytes_per_sample"]
    )


def test_cli_csv_has_one_exact_row_per_network() -> None:
    code, out = invoke("resnet50", "resnet50-v1", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["name"] for r in rows] == ["resnet50", "resnet50-v1"]
    assert [int(r["macs"]) for r in rows] == [4_089_184_256, 3_857_973_248]


def test_cli_markdown() -> None:
    code, out = invoke("vgg16", "vgg16-bn", "--format", "markdown")
    assert code == 0
    assert "| | vgg16 | vgg16_bn |" in out  # torchvision's name, whichever spelling was given
    assert "| Parameters | 138,357,544 | 138,365,992 |" in out


def test_cli_input_applies_to_every_spec() -> None:
    code, out = invoke("resnet50", "googlenet", "--input", "299x299x3", "--json")
    assert code == 0
    data = json.loads(out)
    assert {n["input"] for n in data["networks"]} == {"299×299×3"}
    assert data["networks"][0]["macs"] == 7_627_668_224  # torch-verified in test_architectures


def test_cli_accepts_one_line_specs_and_bundled_names() -> None:
    code, out = invoke("32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10", "lenet5", "--json")
    assert code == 0
    assert json.loads(out)["networks"][0]["params"] == 26_370


def test_cli_errors() -> None:
    from cnncalc.errors import SpecError

    result = CliRunner().invoke(cli, ["compare", "vgg16", "vgg61"])
    assert isinstance(result.exception, SpecError)
    assert "did you mean" in str(result.exception.message)
    result = CliRunner().invoke(cli, ["compare"])
    assert result.exit_code == 2 and "Missing argument" in result.output


def test_through_the_entry_point_bad_spec_exits_2_without_traceback() -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": "100"}
    env.pop("CNNCALC_DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-m", "cnncalc", "compare", "vgg16", "vgg61"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: 'vgg61' is not a bundled architecture")
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_compare_and_bundled_specs_run_without_torch() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "class _NoTorch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch' or name.startswith('torch.'):\n"
        "            raise ImportError('blocked')\n"
        "sys.meta_path.insert(0, _NoTorch())\n"
        "import cnncalc\n"
        "from cnncalc.compare import compare\n"
        "from cnncalc.render.compare import comparison_table, render_comparison_csv\n"
        "from cnncalc.render.table import summary_table\n"
        "nets = [cnncalc.load(n) for n in ('googlenet-aux', 'resnet152')]\n"
        "result = compare([(n, cnncalc.analyse(n)) for n in nets])\n"
        "render_comparison_csv(result); comparison_table(result); summary_table(cnncalc.analyse(nets[0]))\n"
        "assert 'torch' not in sys.modules\n"
        "print(result.networks[0].params)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "13004888"


def test_compare_latex_for_slides() -> None:
    from click.testing import CliRunner

    from cnncalc.cli import cli

    result = CliRunner().invoke(cli, ["compare", "vgg16", "resnet50", "--format", "latex"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1] == r"\begin{tabular}{lrr}"
    assert r" & vgg16 & resnet50 \\" in lines
    assert r"Parameters & 138,357,544 & 25,557,032 \\" in lines

"""What keeps cnncalc fast, checked for correctness (timings live in benchmarks/run.py, not here):
the fast JSON encoder gives the standard text, big generated specs expand exactly, and the JSON path
loads no heavy module it does not use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

import cnncalc
from benchmarks import specs
from cnncalc.catalog import bundled_names, bundled_path
from cnncalc.parse import load_spec_file
from cnncalc.parse.build import _Builder
from cnncalc.records import to_plain
from cnncalc.render import render_json
from tests.strategies import block_documents

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "spec",
    [
        "56x56x64 | {conv 64 k3 p1 nobias | bn | relu ; conv 64 k1 nobias} | relu | gap | fc 10",
        "28x28x1 | deconv 8 k4 s3 p1 | [conv 4 k1 ; maxpool 3 1 p1] | adaptiveavgpool 2 | flatten | fc 3",
        "resnet152",
    ],
)
def test_fast_json_is_the_standard_encoding_of_the_report(spec: str) -> None:
    # render_json encodes shared shapes once and skips the standard library's pure-Python indented
    # encoder; its text must be exactly what json.dumps gives for the same data, and the numbers
    # keep their types (ints stay ints; a jump below 1 after a transposed convolution is a float).
    report = cnncalc.analyse(cnncalc.load(spec))
    text = render_json(report)
    assert text == json.dumps(to_plain(report), indent=2, ensure_ascii=False)
    data = json.loads(text)
    assert data["totals"]["params"] == report.totals.params
    assert [row["output_shape"]["hwc"] for row in data["layers"]] == [
        row.output_shape.hwc for row in report.layers
    ]
    jumps = [v for row in data["layers"] for v in row["receptive_field"]["jump"] or ()]
    assert any(isinstance(v, float) for v in jumps) == ("deconv" in spec)
    assert all(isinstance(row["macs"], int) for row in data["layers"])


@pytest.mark.parametrize("name", bundled_names())
def test_reusing_block_expansions_changes_nothing_in_a_bundled_spec(name: str) -> None:
    path = bundled_path(name)
    assert path is not None
    _Builder.reuse_expansions = False
    try:
        plain = load_spec_file(path)
    finally:
        _Builder.reuse_expansions = True
    assert load_spec_file(path) == plain


def test_generated_resnet152_and_vgg16_match_torchvision_parameter_counts() -> None:
    # torchvision.models.resnet152 / vgg16: 60,192,808 and 138,357,544 parameters; GFLOPS 11.51 / 15.47.
    resnet = cnncalc.analyse(cnncalc.parse_spec_text(specs.resnet_yaml(152), "resnet152.yaml"))
    assert resnet.totals.params == 60_192_808
    assert round(resnet.totals.macs / 1e9, 2) == 11.51
    vgg = cnncalc.analyse(cnncalc.parse_spec_text(specs.vgg16_yaml(), "vgg16.yaml"))
    assert vgg.totals.params == 138_357_544
    assert round(vgg.totals.macs / 1e9, 2) == 15.47


@pytest.mark.parametrize("generate", [specs.flat_yaml, specs.repeat_yaml, specs.nested_yaml])
def test_ten_thousand_layer_specs_expand_exactly(generate) -> None:  # type: ignore[no-untyped-def]
    network = cnncalc.parse_spec_text(generate(10_000), "big.yaml")
    assert network.layer_count == 10_000
    report = cnncalc.analyse(network)
    names = [row.name for row in report.layers]
    assert len(set(names)) == len(names)  # every qualified name is unique
    assert sum(row.params for row in report.layers) == report.totals.params


def test_nested_blocks_give_sixteen_level_names() -> None:
    report = cnncalc.analyse(cnncalc.parse_spec_text(specs.nested_yaml(10), "nested.yaml"))
    first = report.layers[0].name
    assert first == "top.0." + ".".join(f"l{i}" for i in range(15, -1, -1)) + ".conv1"


def _modules_after_summary(spec: str) -> set[str]:
    probe = (
        "import sys, io, contextlib\n"
        "from cnncalc.cli import main\n"
        f"sys.argv = ['cnncalc', 'summary', {spec!r}, '--json']\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main()\n    except SystemExit:\n        pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_summary_json_loads_only_what_it_uses(tmp_path: Path) -> None:
    # Start-up time is what the user waits for: no modelling framework, renderer, other commands'
    # modules, or path library on the JSON path (benchmarks/run.py times it).
    heavy = {
        "torch",
        "numpy",
        "rich",
        "pydantic",
        "cnncalc.render.table",
        "cnncalc.cli.teach",
        "cnncalc.cli.torch",
        "cnncalc.cli.compare",
        "cnncalc.teach",
        "cnncalc.memory",
        "jsonschema",
        "pathlib",
    }
    oneline = _modules_after_summary("32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10")
    assert not heavy & oneline
    assert "yaml" not in oneline  # PyYAML only for files
    spec = tmp_path / "net.yaml"
    spec.write_text("input: 32x32x3\nlayers: [conv 10 k5 s1 p2, relu, maxpool 2, fc 10]\n", encoding="utf-8")
    from_file = _modules_after_summary(str(spec))
    assert not heavy & from_file
    assert "yaml" in from_file
    bundled = _modules_after_summary("resnet152")
    assert not heavy & bundled
    assert "yaml" not in bundled  # bundled specs load from their compiled form


def test_the_library_names_load_on_first_use() -> None:
    for name in cnncalc.__all__:
        assert getattr(cnncalc, name) is not None, name
    assert cnncalc.load is cnncalc.load_network
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        cnncalc.nope  # noqa: B018


def test_the_garbage_collector_is_paused_only_while_working() -> None:
    import gc

    assert gc.isenabled()
    cnncalc.analyse(cnncalc.load("8x8x3 | conv 4 k3 | relu"))
    assert gc.isenabled()
    with pytest.raises(cnncalc.CnncalcError):
        cnncalc.analyse(cnncalc.load("8x8x3 | conv 4 k9"))
    assert gc.isenabled()  # restored after an error too
    gc.disable()
    try:
        cnncalc.analyse(cnncalc.load("8x8x3 | conv 4 k3"))
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()


@settings(max_examples=150, deadline=None)
@given(block_documents())
def test_reused_block_expansions_build_the_same_network(doc: dict[str, Any]) -> None:
    # The builder renames a block call's earlier expansion instead of expanding it again (see
    # _Builder.reuse_expansions); the network, names and locations included, must be the same.
    text = json.dumps(doc)
    results = []
    for reuse in (True, False):
        _Builder.reuse_expansions = reuse
        try:
            results.append(cnncalc.parse_spec_text(text, "blocks.json", json_format=True))
        except cnncalc.CnncalcError as exc:
            results.append(exc.message)
        finally:
            _Builder.reuse_expansions = True
    assert results[0] == results[1]


def test_the_console_script_runs_the_command_without_the_cyclic_collector(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The process runs one command and exits: reference counting frees its trees (cnncalc/_gc.py).
    # main(), for in-process callers, leaves the collector as it is.
    import gc

    from cnncalc.cli import main, run

    pyproject = (Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '\ncnncalc = "cnncalc.cli:run"\n' in pyproject  # the console script
    monkeypatch.setattr(sys, "argv", ["cnncalc", "list", "--json"])
    try:
        main()
        assert gc.isenabled()
        run()
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert capsys.readouterr().out.count('"name": "alexnet"') == 2  # both ran the command

"""The bundled torchvision models against torchvision itself.

The reference is ``tests/data/torchvision/``, written by ``scripts/torchvision_reference.py`` from
torchvision (its version is in ``index.json``): per model, the published metadata (``_ops`` "GFLOPS",
which are GMACs, as torchvision's source writes them), parameters, buffers, MACs =
``FlopCounterMode`` / 2 at the default eval resolution, every module's output shapes and the
state_dict keys and shapes. Models of that list that are not bundled yet are skipped with the reason
"not yet bundled": each shows in the test report, none passes silently.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import cnncalc
from cnncalc.catalog import bundled_spec
from cnncalc.report import Report

DATA = Path(__file__).parent / "data" / "torchvision"
INDEX = json.loads((DATA / "index.json").read_text(encoding="utf-8"))
MODELS: list[str] = INDEX["classification"] + INDEX["segmentation"]
# The heads torchvision calls after the main path although they read an earlier tensor.
RUN_LAST = ("aux_classifier.",)


def bundled(name: str) -> Any:
    """A test parameter: the model, skipped with "not yet bundled" when cnncalc has no spec of it."""
    found = bundled_spec(name)
    if found is None or found[0] != name:
        return pytest.param(name, marks=pytest.mark.skip(reason="not yet bundled"))
    return name


@cache
def reference(name: str) -> dict[str, Any]:
    return INDEX["models"][name]


@cache
def detail(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


@cache
def report(name: str) -> Report:
    return cnncalc.analyse(cnncalc.load(name))


def channels_last(modules: list[list[Any]]) -> set[str]:
    """The modules torchvision runs with the channels last: the children of a module between two
    of its ``Permute`` children (ConvNeXt's CNBlock: Permute([0, 2, 3, 1]), LayerNorm, Linear,
    GELU, Linear, Permute([0, 3, 1, 2])). Their N×H×W×C outputs are the same sizes as cnncalc's
    N×C×H×W rows (cnncalc's shapes name C, H and W, not a memory layout)."""
    children: dict[str, list[tuple[str, str]]] = {}
    for path, kind, _ in modules:
        if path:
            children.setdefault(path.rpartition(".")[0], []).append((path, kind))
    found: set[str] = set()
    for siblings in children.values():
        permutes = [i for i, (_, kind) in enumerate(siblings) if kind == "Permute"]
        for start, end in zip(permutes[::2], permutes[1::2], strict=False):
            found.update(path for path, _ in siblings[start + 1 : end])
    return found


def torch_dims(rep: Report, index: int) -> list[int]:
    """The output of row ``index`` as torch writes it, batch 1 first."""
    return [1, *rep.layers[index].output_shape.shape().torch_dims()]


def test_the_reference_covers_the_zoo_of_issue_11() -> None:
    # 68 classification models and deeplabv3_resnet50, each with its data file, read from torchvision.
    assert len(INDEX["classification"]) == 68 and INDEX["segmentation"] == ["deeplabv3_resnet50"]
    assert set(INDEX["models"]) == set(MODELS)
    assert all((DATA / f"{name}.json").is_file() for name in MODELS)
    assert INDEX["generator"] == "scripts/torchvision_reference.py"
    assert INDEX["torchvision"].startswith("0.") and INDEX["torch"].startswith("2.")
    # The meta device gave what the CPU gives (MACs and every output shape), on one model.
    assert INDEX["cpu_check"]["equal"] is True
    for name in MODELS:
        ref = reference(name)
        assert ref["params"] == ref["meta"]["num_params"]  # the built model is the published one
        assert float(ref["meta"]["_ops_text"]) == ref["meta"]["_ops"]


@pytest.mark.parametrize("name", [bundled(n) for n in MODELS])
def test_totals_equal_torchvision(name: str) -> None:
    ref = reference(name)
    rep = report(name)
    totals = rep.totals
    # The default eval resolution: the crop of the weights' transforms (resize only, for segmentation).
    assert [1, rep.input.channels, rep.input.height, rep.input.width] == ref["input"]
    assert totals.params == ref["params"]
    assert totals.macs == ref["macs"]
    # cnncalc's buffers hold BatchNorm's num_batches_tracked too: one element per BatchNorm.
    batch_norms = sum(1 for r in rep.layers if r.type == "batchnorm")
    assert batch_norms == ref["num_batches_tracked"]
    assert totals.buffers - batch_norms == ref["buffers"]


@pytest.mark.parametrize("name", [bundled(n) for n in MODELS])
def test_published_gflops_to_every_digit(name: str) -> None:
    # torchvision's "_ops" are GMACs, rounded; cnncalc's MACs rounded to as many decimals give its text.
    text = reference(name)["meta"]["_ops_text"]
    decimals = len(text.split(".")[1]) if "." in text else 0
    assert f"{report(name).totals.macs / 1e9:.{decimals}f}" == text


@pytest.mark.parametrize("name", [bundled(n) for n in MODELS])
def test_every_layer_output_shape_equals_torchvision(name: str) -> None:
    rep = report(name)
    last = channels_last(detail(name)["modules"])
    modules = {  # outputs N×C×H×W, those of the modules run channels last put back in that order
        path: (
            kind,
            [[s[0], s[3], s[1], s[2]] if path in last else s for s in outputs if isinstance(s, list)],
        )
        for path, kind, outputs in detail(name)["modules"]
    }
    assert all(len(s) == 4 for path in last for s in modules[path][1])
    order = [detail(name)["modules"][i][0] for i in detail(name)["call_order"]]
    # Rows of a training-only head (inference false: inception_v3's AuxLogits) have no eval-mode
    # shapes in the reference (torchvision's eval forward does not call them); they are left out of
    # 1 and 3, and 4 checks that torchvision's modules it never calls are exactly such rows.
    # 1. The convolutions and linear layers, in forward order, by shape (names aside). A side output
    #    runs where it reads in cnncalc; torchvision's segmentation models run their aux_classifier
    #    (it reads layer3) after the classifier: those rows are compared last, in their own order.
    rows = sorted(enumerate(rep.layers), key=lambda row: row[1].name.startswith(RUN_LAST))
    weighted = [torch_dims(rep, i) for i, r in rows if r.family in ("conv", "linear") and r.inference]
    torch_weighted = [
        shape for path in order if modules[path][0] in ("Conv2d", "Linear") for shape in modules[path][1]
    ]
    assert weighted == torch_weighted
    # 2. The network's output (a segmentation model returns a dict: its "out" is the main output).
    root = detail(name)["modules"][0][2][0]
    assert [1, *rep.output.shape().torch_dims()] == (root["dict"]["out"] if "dict" in root else root)
    # 3. Each row named as a torchvision module has that module's output; an automatic name with a
    #    number (relu2) is the module's second call (torchvision's blocks call one ReLU several times).
    matched = set()
    for i, row in enumerate(rep.layers):
        if not row.inference:
            continue
        path, call = row.name, 0
        if path not in modules:
            numbered = re.fullmatch(r"(.*?)(\d+)", path)
            if numbered is None or numbered[1] not in modules or len(modules[numbered[1]][1]) < 2:
                continue
            path, call = numbered[1], int(numbered[2]) - 1
        outputs = modules[path][1]
        assert call < len(outputs), f"{row.name}: torchvision calls {path} {len(outputs)} times"
        assert torch_dims(rep, i) == outputs[call], row.name
        matched.add(path)
    # 4. Every module holding parameters or buffers is such a row; a parameter a block holds
    #    itself (ConvNeXt's CNBlock.layer_scale) is a row of that name, with as many parameters.
    rows_by_name = {row.name: row for row in rep.layers}
    held = {key: shape for key, shape in detail(name)["state_dict"] if key in rows_by_name}
    assert all(rows_by_name[key].params == math.prod(shape) for key, shape in held.items())
    stateful = {key.rsplit(".", 1)[0] for key, _ in detail(name)["state_dict"] if key not in held}
    never_called = {path for path in stateful if not modules[path][1]}
    training_only = {row.name for row in rep.layers if not row.inference}
    assert sorted(never_called - training_only) == []
    assert sorted(stateful - never_called - matched) == []


# Known gap, not a pass: torchvision's backbone module holds layer4 after the aux_classifier's tap on
# layer3; the spec writes layer4 as `backbone.layer4` after the side output (its rows are named as
# torchvision's), but the torch bridge opens a second attribute for it (backbone_2.layer4.0.…).
from scripts.zoo_table import EXPORT_GAPS  # noqa: E402  (one list for the test and docs/zoo.md)


def exported(name: str) -> Any:
    """``bundled(name)``, expected to fail (strictly) where the export has a known gap."""
    if name in EXPORT_GAPS and bundled_spec(name) is not None:
        return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=EXPORT_GAPS[name]))
    return bundled(name)


@pytest.mark.torch
@pytest.mark.parametrize("name", [exported(n) for n in MODELS])
def test_the_exported_module_has_torchvision_state_dict(name: str) -> None:
    # The module the torch bridge builds (the one `cnncalc export` writes) loads torchvision's
    # weights with strict=True: the same keys with the same shapes. Built on the meta device.
    torch = pytest.importorskip("torch")
    from cnncalc.torch_bridge import build_module

    with torch.device("meta"):
        module = build_module(cnncalc.load(name))
    got = {key: list(value.shape) for key, value in module.state_dict().items()}
    expected = dict(detail(name)["state_dict"])
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    assert (missing[:5], extra[:5]) == ([], [])
    assert got == expected


def test_docs_zoo_is_current() -> None:
    # docs/zoo.md is what scripts/zoo_table.py writes from this data and the bundled specs.
    import importlib.util

    script = Path(__file__).parent.parent / "scripts" / "zoo_table.py"
    spec = importlib.util.spec_from_file_location("zoo_table", script)
    assert spec is not None and spec.loader is not None
    zoo_table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(zoo_table)
    current = (Path(__file__).parent.parent / "docs" / "zoo.md").read_text(encoding="utf-8")
    assert current == zoo_table.render(), "docs/zoo.md is stale: run python scripts/zoo_table.py"

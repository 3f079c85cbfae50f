"""The torchvision zoo imported by cnncalc's PyTorch importer and read back from torchvision's own
ONNX exports (data written by scripts/torchvision_import.py with torchvision; CI has none and
checks the data against torchvision's reference figures, the bundled specs and docs/zoo.md)."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import cnncalc
from cnncalc.analysis import analyse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from torchvision_import import shape_digest, weighted_layers  # noqa: E402

sys.path.pop(0)

DATA = ROOT / "tests" / "data"
# Source: scripts/torchvision_import.py (torch.fx import) and its --onnx (torch.onnx.export, read
# by cnncalc's ONNX reader), both from torchvision 0.29.1
SOURCES = {
    "torch": json.loads((DATA / "torchvision_import.json").read_text(encoding="utf-8")),
    "onnx": json.loads((DATA / "torchvision_onnx.json").read_text(encoding="utf-8")),
}
# Source: tests/data/torchvision/index.json (torchvision's parameters, FlopCounterMode MACs)
REFERENCE = json.loads((DATA / "torchvision" / "index.json").read_text(encoding="utf-8"))
ROWS = [
    (source, name, row) for source, data in SOURCES.items() for name, row in sorted(data["models"].items())
]
# inception_v3 calls AuxLogits only in training: the torch import traces it in training mode too
# (a train_only side head), but an eval-mode ONNX export does not hold it
TRAIN_ONLY_HEADS = {("onnx", "inception_v3"): "AuxLogits"}


@functools.cache
def bundled(name: str) -> Any:
    return analyse(cnncalc.load(name))


@pytest.mark.parametrize(("source", "name", "row"), ROWS, ids=[f"{s}-{n}" for s, n, _ in ROWS])
def test_imported_zoo_model_counts_as_torchvision(source: str, name: str, row: dict[str, Any]) -> None:
    """Every model equals torchvision in parameters, buffers and MACs, with no operation left
    uncounted, and each of its layers with parameters or buffers has the bundled spec's name and
    output shape (the digest is recomputed here from the bundled spec)."""
    ref = REFERENCE["models"][name]
    assert row["imported"], row.get("error")
    assert row["uncounted"] == 0 and row["uncounted_ops"] == []
    buffers = ref["buffers"] + ref["num_batches_tracked"]  # cnncalc counts BatchNorm's counter too
    expected = [ref["params"], buffers, ref["macs"]]
    spec_layers = weighted_layers(bundled(name))
    head = TRAIN_ONLY_HEADS.get((source, name))
    if head is not None:  # what the import misses is the head, and only the head
        rows = [r for r in bundled(name).layers if r.name.startswith(f"{head}.")]
        expected[0] -= sum(r.params for r in rows)
        expected[1] -= sum(r.buffers for r in rows)
        assert expected[0] < ref["params"]
        spec_layers = [layer for layer in spec_layers if not layer[0].startswith(f"{head}.")]
        assert (
            row["shape_differences"]
            == [f"{n}: not imported" for n, _ in weighted_layers(bundled(name)) if n.startswith(f"{head}.")][
                :6
            ]
        )
    else:
        assert row["shape_differences"] == []
    assert [row["params"], row["buffers"], row["macs"]] == expected
    assert (row["weighted_layers"], row["shape_digest"]) == (len(spec_layers), shape_digest(spec_layers))


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_every_zoo_model_was_imported_once(source: str) -> None:
    assert set(SOURCES[source]["models"]) == set(REFERENCE["models"])


def test_zoo_page_holds_the_import_tables() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "zoo_table.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    page = (ROOT / "docs" / "zoo.md").read_text(encoding="utf-8")
    assert "## Importing torchvision's models" in page
    assert "## Reading torchvision's ONNX exports" in page

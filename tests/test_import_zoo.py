"""The torchvision zoo imported by cnncalc's PyTorch importer (data written by
scripts/torchvision_import.py with torchvision; CI has none and checks the data and docs/zoo.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = json.loads((ROOT / "tests" / "data" / "torchvision_import.json").read_text(encoding="utf-8"))
REFERENCE = json.loads((ROOT / "tests" / "data" / "torchvision" / "index.json").read_text(encoding="utf-8"))
# Source: tests/data/torchvision/index.json (torchvision's parameters, FlopCounterMode MACs)
ROWS = sorted(IMPORTS["models"].items())
TRAIN_ONLY_HEADS = {"inception_v3"}


@pytest.mark.parametrize(("name", "row"), ROWS, ids=[name for name, _ in ROWS])
def test_imported_zoo_model_counts_as_torchvision(name: str, row: dict[str, object]) -> None:
    """Every model counted without uncounted operations equals torchvision in parameters, buffers
    and MACs; one with some has torchvision's parameters and no more MACs (the rest is reported)."""
    ref = REFERENCE["models"][name]
    if not row["imported"]:
        pytest.xfail(f"not imported: {row['error']}")
    if name in TRAIN_ONLY_HEADS:
        pytest.xfail("its training-only head (AuxLogits) is not called at inference: the trace misses it")
    assert row["params"] == ref["params"]
    if row["uncounted"]:
        assert row["macs"] <= ref["macs"]  # what is not counted is missing, never added
        assert row["uncounted_ops"]
    else:
        buffers = ref["buffers"] + ref["num_batches_tracked"]  # cnncalc counts BatchNorm's counter too
        assert (row["buffers"], row["macs"]) == (buffers, ref["macs"])


def test_every_zoo_model_was_imported_once() -> None:
    assert set(IMPORTS["models"]) == set(REFERENCE["models"])


def test_zoo_page_holds_the_import_table() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "zoo_table.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "## Importing torchvision's models" in (ROOT / "docs" / "zoo.md").read_text(encoding="utf-8")

"""Import every torchvision model of the zoo with ``cnncalc``'s PyTorch importer, or read its ONNX
export with cnncalc's ONNX reader, and record what it counts, into
``tests/data/torchvision_import.json`` (``--onnx``: ``tests/data/torchvision_onnx.json``), read by
scripts/zoo_table.py for docs/zoo.md and by tests/test_import_zoo.py, which CI runs without
torchvision.

    /work/tvenv/bin/python scripts/torchvision_import.py                 # every model
    /work/tvenv/bin/python scripts/torchvision_import.py resnet50        # some (the others kept)
    /work/tvenv/bin/python scripts/torchvision_import.py --onnx [NAME…]  # through torch.onnx.export

Each model is built as scripts/torchvision_reference.py builds it (its builder with the DEFAULT
weights' keywords, weights not loaded), on the meta device and traced with torch.fx at its default
resolution, or on the CPU and exported by ``torch.onnx.export(dynamo=False,
do_constant_folding=False)`` in eval mode; then counted by cnncalc: parameters, buffers, MACs, the
operations it cannot count, or the error that stopped the import. Each record also holds the name
and output shape (C×H×W) of every layer with parameters or buffers, as a digest, and how they
differ from the bundled spec of the same name, which the test recomputes.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "torchvision_import.json"
ONNX_DATA = ROOT / "tests" / "data" / "torchvision_onnx.json"
# Why a model's ONNX export differs, where the graph cannot say it (the torch import's notes do)
ONNX_GAPS = {
    "inception_v3": "its AuxLogits run only in training: an eval-mode export does not hold them",
}
REFERENCE = ROOT / "tests" / "data" / "torchvision" / "index.json"


def weighted_layers(report: Any) -> list[list[str]]:
    """The name and C×H×W output of every layer with parameters or buffers, in order."""
    return [[row.name, row.output_shape.chw] for row in report.layers if row.params or row.buffers]


def shape_digest(layers: list[list[str]]) -> str:
    return hashlib.sha256(json.dumps(layers, ensure_ascii=False).encode()).hexdigest()[:16]


def shape_differences(name: str, layers: list[list[str]]) -> list[str]:
    """Where the imported layers differ from the bundled spec's (first few): a layer missing, an
    extra one, or another output shape."""
    import cnncalc
    from cnncalc.analysis import analyse

    bundled = dict(map(tuple, weighted_layers(analyse(cnncalc.load(name)))))
    found = dict(map(tuple, layers))
    missing = [f"{n}: not imported" for n in bundled if n not in found]
    extra = [f"{n}: not in the spec" for n in found if n not in bundled]
    other = [f"{n}: {found[n]}, the spec {s}" for n, s in bundled.items() if n in found and found[n] != s]
    return (missing + extra + other)[:6]


def counted(name: str, graph: Any, start: float) -> dict[str, Any]:
    """What cnncalc counts of an imported graph."""
    from cnncalc.analysis import analyse
    from cnncalc.importers.spec_writer import graph_network

    report = analyse(graph_network(graph))
    ops = sorted({row.description for row in report.layers if not row.counted})[:8]  # the first few
    layers = weighted_layers(report)
    return {
        "name": name,
        "imported": True,
        "params": report.totals.params,
        "buffers": report.totals.buffers,
        "macs": report.totals.macs,
        "uncounted": report.totals.uncounted,
        "uncounted_ops": ops,
        "layers": report.totals.layers,
        "weighted_layers": len(layers),
        "shape_digest": shape_digest(layers),
        "shape_differences": shape_differences(name, layers),
        "notes": list(graph.notes),
        "seconds": round(time.perf_counter() - start, 2),
    }


def import_model(name: str, size: int) -> dict[str, Any]:
    """cnncalc's count of torchvision's ``name`` at ``size``×``size``, or the error."""
    sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]
    from torchvision_reference import build

    from cnncalc.errors import CnncalcError
    from cnncalc.importers.torch_import import trace
    from cnncalc.shapes import Shape

    start = time.perf_counter()
    model, _ = build(name, "meta")
    try:
        graph = trace(model, Shape(3, size, size), name=name, source=f"torchvision.models:{name}")
        return counted(name, graph, start)
    except CnncalcError as exc:
        return {"name": name, "imported": False, "error": exc.message.splitlines()[0]}


def import_onnx(name: str, size: int) -> dict[str, Any]:
    """cnncalc's count of torchvision's ``name`` exported to ONNX at ``size``×``size``, or the error."""
    import contextlib
    import io
    import warnings

    import torch

    sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]
    from torchvision_reference import build

    from cnncalc.errors import CnncalcError
    from cnncalc.importers.onnx_reader import read_onnx

    model, _ = build(name, "cpu")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.onnx"
        with torch.no_grad(), warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            sample = torch.zeros(1, 3, size, size)
            torch.onnx.export(model, (sample,), str(path), dynamo=False, do_constant_folding=False)
        del model
        start = time.perf_counter()  # the read, not the export
        try:
            return counted(name, read_onnx(path), start)
        except CnncalcError as exc:
            return {"name": name, "imported": False, "error": exc.message.splitlines()[0]}


def reference_buffers(ref: dict[str, Any]) -> int:
    """torchvision's buffer elements as cnncalc counts them: BatchNorm's num_batches_tracked too."""
    return int(ref["buffers"]) + int(ref.get("num_batches_tracked", 0))


def render(data: dict[str, Any], reference: dict[str, Any], *, onnx: bool = False) -> str:
    """A docs/zoo.md section: each model, torchvision's and the import's figures, the verdict."""
    if onnx:
        title = "## Reading torchvision's ONNX exports (`cnncalc summary model.onnx`)"
        how = (
            "Every model above exported by `torch.onnx.export(model, …, dynamo=False, "
            "do_constant_folding=False)` in eval mode at its default resolution and read by "
            "cnncalc's ONNX reader (no torch in the reader)"
        )
    else:
        title = "## Importing torchvision's models (`cnncalc summary model.py:NAME`)"
        how = (
            "Every model above imported from its PyTorch module by cnncalc's importer (torch.fx on "
            "the meta device), at its default resolution"
        )
    lines = [
        title,
        "",
        f"{how}; written by `{data['generator']}` with torch {data['torch']}, torchvision "
        f"{data['torchvision']}. Reference: FlopCounterMode / 2 and torchvision's own parameter "
        "count. An operation cnncalc has no kind for is reported, never counted as 0: its MACs are "
        "missing from the import's total. Layer shapes: the name and output shape of every layer "
        "with parameters or buffers, against the bundled spec of the same name.",
        "",
        "| Model | Params (torchvision / import) | MACs (torchvision / import) | Not counted | "
        "Layer shapes | Result |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    equal_rows = 0
    for name, row in data["models"].items():
        ref = reference["models"][name]
        if not row["imported"]:
            lines.append(
                f"| `{name}` | {ref['params']:,} / – | {ref['macs']:,} / – | – | – | "
                f"not imported: {row['error']} |"
            )
            continue
        equal = (row["params"], row["macs"], row["buffers"]) == (
            ref["params"],
            ref["macs"],
            reference_buffers(ref),
        )
        differences = row.get("shape_differences", [])
        shapes = (
            f"{row['weighted_layers']} as the spec"
            if not differences
            else "differ: " + "; ".join(differences[:2])
        )
        if row["uncounted"]:
            verdict = f"{row['uncounted']} ops not counted ({', '.join(row['uncounted_ops'][:4])})"
        else:
            verdict = "equal ✓" if equal and not differences else "differs ✗"
            equal_rows += verdict == "equal ✓"
            why = ONNX_GAPS.get(name) if onnx else "; ".join(row.get("notes", []))
            if verdict != "equal ✓" and why:
                verdict += f" ({why})"
        lines.append(
            f"| `{name}` | {ref['params']:,} / {row['params']:,} | {ref['macs']:,} / {row['macs']:,} | "
            f"{row['uncounted']} | {shapes} | {verdict} |"
        )
    lines[4:4] = [f"**{equal_rows} of {len(data['models'])} equal in every figure and layer shape.**", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    import torch
    import torchvision

    onnx = "--onnx" in argv
    argv = [a for a in argv if a != "--onnx"]
    target = ONNX_DATA if onnx else DATA
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    names = argv or list(reference["models"])
    data: dict[str, Any] = {"models": {}}
    if argv and target.is_file():
        data = json.loads(target.read_text(encoding="utf-8"))
    for name in names:
        size = reference["models"][name]["input"][2]
        row = import_onnx(name, size) if onnx else import_model(name, size)
        data["models"][name] = row
        print(
            name,
            row.get("params"),
            row.get("macs"),
            row.get("uncounted"),
            row.get("shape_differences", ""),
            row.get("error", ""),
            flush=True,
        )
    data["models"] = {n: data["models"][n] for n in reference["models"] if n in data["models"]}
    data.update(
        generator="scripts/torchvision_import.py" + (" --onnx" if onnx else ""),
        torch=torch.__version__,
        torchvision=torchvision.__version__,
    )
    target.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

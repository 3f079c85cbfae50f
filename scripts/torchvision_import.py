"""Import every torchvision model of the zoo with ``cnncalc``'s PyTorch importer and record what it
counts, into ``tests/data/torchvision_import.json`` (read by scripts/zoo_table.py for docs/zoo.md and
by tests/test_import_zoo.py, which CI runs without torchvision).

    /work/tvenv/bin/python scripts/torchvision_import.py            # every model
    /work/tvenv/bin/python scripts/torchvision_import.py resnet50   # some (the others kept)

Each model is built as scripts/torchvision_reference.py builds it (its builder with the DEFAULT
weights' keywords, weights not loaded, on the meta device), traced with torch.fx at its default
resolution, and counted by cnncalc: parameters, buffers, MACs, the operations it cannot count, or
the error that stopped the import.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "torchvision_import.json"
REFERENCE = ROOT / "tests" / "data" / "torchvision" / "index.json"


def import_model(name: str, size: int) -> dict[str, Any]:
    """cnncalc's count of torchvision's ``name`` at ``size``×``size``, or the error."""
    sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]
    from torchvision_reference import build

    from cnncalc.analysis import analyse
    from cnncalc.errors import CnncalcError
    from cnncalc.importers.spec_writer import graph_network
    from cnncalc.importers.torch_import import trace
    from cnncalc.shapes import Shape

    start = time.perf_counter()
    model, _ = build(name, "meta")
    try:
        graph = trace(model, Shape(3, size, size), name=name, source=f"torchvision.models:{name}")
        report = analyse(graph_network(graph))
    except CnncalcError as exc:
        return {"name": name, "imported": False, "error": exc.message.splitlines()[0]}
    ops = sorted({row.description for row in report.layers if not row.counted})
    return {
        "name": name,
        "imported": True,
        "params": report.totals.params,
        "buffers": report.totals.buffers,
        "macs": report.totals.macs,
        "uncounted": report.totals.uncounted,
        "uncounted_ops": ops,
        "layers": report.totals.layers,
        "notes": list(graph.notes),
        "seconds": round(time.perf_counter() - start, 2),
    }


def reference_buffers(ref: dict[str, Any]) -> int:
    """torchvision's buffer elements as cnncalc counts them: BatchNorm's num_batches_tracked too."""
    return int(ref["buffers"]) + int(ref.get("num_batches_tracked", 0))


def render(data: dict[str, Any], reference: dict[str, Any]) -> str:
    """The docs/zoo.md section: each model, torchvision's and the import's figures, the verdict."""
    lines = [
        "## Importing torchvision's models (`cnncalc summary model.py:NAME`)",
        "",
        f"Every model above imported from its PyTorch module by cnncalc's importer (torch.fx on the "
        f"meta device), at its default resolution; written by `{data['generator']}` with torch "
        f"{data['torch']}, torchvision {data['torchvision']}. Reference: FlopCounterMode / 2 and "
        "torchvision's own parameter count. An operation cnncalc has no kind for is reported, "
        "never counted as 0: its MACs are missing from the import's total.",
        "",
        "| Model | Params (torchvision / import) | MACs (torchvision / import) | Not counted | Result |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, row in data["models"].items():
        ref = reference["models"][name]
        if not row["imported"]:
            lines.append(
                f"| `{name}` | {ref['params']:,} / – | {ref['macs']:,} / – | – | "
                f"not imported: {row['error']} |"
            )
            continue
        equal = (row["params"], row["macs"], row["buffers"]) == (
            ref["params"],
            ref["macs"],
            reference_buffers(ref),
        )
        if row["uncounted"]:
            verdict = f"{row['uncounted']} ops not counted ({', '.join(row['uncounted_ops'][:4])})"
        else:
            verdict = "equal ✓" if equal else "differs ✗"
            if not equal and row.get("notes"):
                verdict += f" ({'; '.join(row['notes'])})"
        lines.append(
            f"| `{name}` | {ref['params']:,} / {row['params']:,} | {ref['macs']:,} / {row['macs']:,} | "
            f"{row['uncounted']} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    import torch
    import torchvision

    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    names = argv or list(reference["models"])
    data: dict[str, Any] = {"models": {}}
    if argv and DATA.is_file():
        data = json.loads(DATA.read_text(encoding="utf-8"))
    for name in names:
        size = reference["models"][name]["input"][2]
        row = import_model(name, size)
        data["models"][name] = row
        print(
            name, row.get("params"), row.get("macs"), row.get("uncounted"), row.get("error", ""), flush=True
        )
    data["models"] = {n: data["models"][n] for n in reference["models"] if n in data["models"]}
    data.update(
        generator="scripts/torchvision_import.py",
        torch=torch.__version__,
        torchvision=torchvision.__version__,
    )
    DATA.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {DATA.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Importing a PyTorch model as a whole process: ``cnncalc summary resnet50.py:build_model`` against
torchinfo's summary of the same model on the meta device, written to docs/benchmarks.md.

    python benchmarks/import_speed.py            # 7 runs each, alternating
    python benchmarks/import_speed.py --runs 3

Both processes import torch, build the model on the meta device (no weights are allocated) and
trace it once: cnncalc with torch.fx and its own counting, torchinfo with forward hooks. The model
file is the one ``cnncalc export resnet50`` writes (torchvision's ResNet-50, no torchvision needed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from benchmarks.docs import replace_section  # noqa: E402

TORCHINFO = """
import sys
import torch
import torchinfo
sys.path.insert(0, {folder!r})
from resnet50 import build_model
with torch.device("meta"):
    model = build_model()
torchinfo.summary(model, input_size=(1, 3, 224, 224), device="meta", verbose=0)
"""


def import_rows(runs: int) -> dict[str, Any] | str:
    """(wall, CPU) of both processes, alternating, or why the comparison was skipped."""
    from benchmarks.run import _run_once, cnncalc_command

    try:
        import torch  # noqa: F401
        import torchinfo  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install -e '.[bench]')"
    from cnncalc.parse import load_network
    from cnncalc.torch_bridge import export_source

    folder = tempfile.mkdtemp(prefix="cnncalc-bench-")
    model = Path(folder) / "resnet50.py"
    model.write_text(export_source(load_network("resnet50")), encoding="utf-8")
    commands = {
        "cnncalc": [*cnncalc_command(), "summary", f"{model}:build_model", "--input", "224x224x3", "--json"],
        "torchinfo": [sys.executable, "-c", TORCHINFO.format(folder=folder)],
        "torch": [sys.executable, "-c", "import torch"],
    }
    for cmd in commands.values():  # warm the file cache and .pyc files
        _run_once(cmd)
    times: dict[str, list[tuple[float, float]]] = {key: [] for key in commands}
    for _ in range(runs):
        for key, cmd in commands.items():
            times[key].append(_run_once(cmd))
    return {"runs": runs, "times": times}


def import_markdown(results: dict[str, Any] | str) -> str:
    if isinstance(results, str):
        return "Import comparison skipped: " + results
    times = results["times"]
    wall = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in times.items()}
    labels = {
        "cnncalc": "`cnncalc summary resnet50.py:build_model --input 224x224x3 --json`",
        "torchinfo": "`torchinfo.summary(model, device='meta')` of the same model, built on meta",
        "torch": '`python -c "import torch"` (what both pay first)',
    }
    lines = [
        f"### Importing a PyTorch model: resnet50 (whole process, {results['runs']} runs each, alternating)",
        "",
        "| Process | Median wall | Median CPU | ÷ torchinfo (CPU) |",
        "|---|---:|---:|---:|",
    ]
    for key, label in labels.items():
        lines.append(
            f"| {label} | {wall[key] * 1000:.0f} ms | {cpu[key] * 1000:.0f} ms | "
            f"{cpu[key] / cpu['torchinfo']:.2f} |"
        )
    lines += [
        "",
        "Both trace once on the meta device; most of either process is importing torch. The CPU "
        "column is the fairer one on a shared machine (wall time includes waiting for a core).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    text = import_markdown(import_rows(args.runs))
    print(text)
    if not args.no_write:
        replace_section("import", text)


if __name__ == "__main__":
    main()

"""Compare the memory model with a probe's measurements (offline, no GPU needed).

    python benchmarks/gpu_calibrate.py docs/gpu-probe-h100.json

Reads what ``benchmarks/gpu_probe.py`` measured on a GPU and prints, per spec and batch, the
predicted and measured inference peak and training-step peaks (SGD, SGD + momentum, Adam) with
the relative error, and how many are outside the 10% target. Used to calibrate the GPU terms of
``cnncalc/memory.py`` without spending GPU time.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from cnncalc.memory import predict_memory  # noqa: E402
from cnncalc.parse import load_network  # noqa: E402

TARGET = 0.10


def _workspace_spread(probe: dict) -> None:
    """cuDNN's measured workspace per convolution call against conv_workspace_estimate."""
    from cnncalc.memory import conv_workspace_estimate

    ratios: list[float] = []
    zero = calls = 0
    seen: set[tuple[str, str]] = set()
    for run in probe["runs"]:
        for op in run.get("ops", []):
            if op["op"] != "aten.convolution_backward.default" or (op["phase"], op["shapes"]) in seen:
                continue
            seen.add((op["phase"], op["shapes"]))
            grad_out, x, w = ([int(n) for n in part.split("x")] for part in op["shapes"].split(";")[:3])
            size = probe.get("bytes_per_element", 4)
            estimate = conv_workspace_estimate(*(math.prod(t) * size for t in (x, grad_out, w)))
            calls += 1
            zero += op["transient"] == 0
            if estimate >= 2**20:  # the ones that can matter to a peak
                ratios.append(op["transient"] / estimate)
    if not ratios:
        return
    ratios.sort()

    def pct(p: float) -> float:
        return ratios[min(len(ratios) - 1, int(p * len(ratios)))]

    print(
        f"cuDNN backward workspace / estimate over {len(ratios)} distinct convolutions of ≥ 1 MiB estimate: "
        f"p10 {pct(0.1):.2f}, median {pct(0.5):.2f}, p90 {pct(0.9):.2f}, max {ratios[-1]:.2f}; "
        f"{zero} of {calls} distinct calls used none"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("probe", type=Path)
    parser.add_argument("--all", action="store_true", help="print every row, not only the misses")
    args = parser.parse_args()
    from specs import COVERAGE_SPECS

    probe = json.loads(args.probe.read_text())
    rows = misses = 0
    worst: list[tuple[float, str]] = []
    for run in probe["runs"]:
        if "measured" not in run:
            continue
        spec = run["spec"]
        source = COVERAGE_SPECS[spec.split(":", 1)[1]] if spec.startswith("coverage:") else spec
        network = load_network(source)
        batch = run["batch"]
        dtype = probe.get("dtype", "fp32")
        for optimizer, measured in run["measured"].items():
            checks = [
                ("state", predict_memory(network, batch=batch, dtype=dtype).state_bytes, measured["state"])
            ]
            if optimizer == "sgd":
                checks.append(
                    (
                        "inference",
                        predict_memory(network, batch=batch, dtype=dtype).peak_above_state,
                        measured["inference"],
                    )
                )
            if measured.get("training") is not None:
                train = predict_memory(network, batch=batch, dtype=dtype, train=True, optimizer=optimizer)
                checks.append((f"train {optimizer}", train.peak_above_state, measured["training"]))
            for what, predicted, actual in checks:
                if what == "state" and optimizer != "sgd":
                    continue
                rows += 1
                error = (predicted - actual) / actual if actual else 0.0
                miss = abs(error) > TARGET
                misses += miss
                mark = " ✗" if miss else ""
                line = f"{spec:24} {batch:>3} {what:15} {predicted:>14,} {actual:>14,} {error:+7.1%}{mark}"
                worst.append((abs(error), line))
                if miss or args.all:
                    print(line)
    print(f"{rows} rows, {misses} outside ±{TARGET:.0%}")
    _workspace_spread(probe)
    for _, line in sorted(worst, reverse=True)[:5]:
        print("worst:", line)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())

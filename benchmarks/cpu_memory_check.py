"""The memory model's structure on CPU for every bundled spec: predicted vs tracked peaks.

    python benchmarks/cpu_memory_check.py                 # every bundled spec, batch 2
    python benchmarks/cpu_memory_check.py --batch 4 resnet18 vgg16

Runs ``cnncalc.torch_bridge.tracking.measure_cpu_memory`` (an allocation tracker: every storage an
op creates, rounded to 512-byte blocks, until freed) beside ``cnncalc.memory.predict_memory`` less
the GPU workspaces. CPU is not CUDA: this checks what autograd keeps and when it is freed, not
cuDNN/cuBLAS workspaces. A few seconds to a minute per spec (a real training step on CPU).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cnncalc.catalog import bundled_names
from cnncalc.memory import predict_memory
from cnncalc.parse import load_network
from cnncalc.render.numbers import mebibytes
from cnncalc.torch_bridge.tracking import measure_cpu_memory


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "specs", nargs="*", help="bundled names, files or one-line specs (default: all bundled)"
    )
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--optimizer", default="adam")
    args = parser.parse_args()
    print("| Spec | Batch | Inference predicted | tracked | Training predicted | tracked |")
    print("|---|---:|---:|---:|---:|---:|")
    for spec in args.specs or bundled_names():
        network = load_network(spec)
        measured = measure_cpu_memory(network, args.batch, optimizer=args.optimizer)
        row = [spec, str(args.batch)]
        for train in (False, True):
            estimate = predict_memory(
                network, batch=args.batch, train=train, optimizer=args.optimizer, workspaces=False
            )
            predicted = estimate.peak_above_state
            actual = measured["training" if train else "inference"]
            row += [mebibytes(predicted), f"{mebibytes(actual)} ({(predicted - actual) / actual:+.1%})"]
        print("| " + " | ".join(row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run ``cnncalc verify NAME --device cpu`` for every bundled spec and write docs/verify-cpu.md.

Each network is built as ``cnncalc export`` builds it, run once on the CPU at batch 1 with real
tensors, and compared layer by layer (output shapes, parameters) and in total (parameters,
buffers, FLOPs = FlopCounterMode, output elements). The table records what each run gave and how
long it took on this machine. ``tests/test_torch_bridge.py`` runs the same check on the meta device
for every bundled spec on every CI run; this script is the slower CPU run, done when the zoo
changes::

    python scripts/verify_zoo.py            # every bundled spec
    python scripts/verify_zoo.py vgg16 unet # some
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cnncalc.catalog import bundled_names, natural_key  # noqa: E402
from cnncalc.parse import load_network  # noqa: E402
from cnncalc.torch_bridge import verify  # noqa: E402


def main(names: list[str]) -> int:
    import torch

    rows, failed = [], []
    for name in names:
        start = time.perf_counter()
        result = verify(load_network(name), device="cpu")
        seconds = time.perf_counter() - start
        totals = {t.what: t for t in result.totals}
        flops = next(t for what, t in totals.items() if what.startswith("FLOPs"))
        rows.append(
            f"| {name} | {'✓' if result.ok else '✗'} | {len(result.layers):,} | "
            f"{totals['params'].actual:,} | {flops.actual:,} | {seconds:.1f} |"
        )
        if not result.ok:
            failed.append(name)
        print(f"{name}: {'ok' if result.ok else 'MISMATCH'} in {seconds:.1f} s", flush=True)
    if len(names) == len(bundled_names()):
        text = "\n".join(
            [
                "# `cnncalc verify NAME --device cpu` for every bundled spec",
                "",
                "Written by `python scripts/verify_zoo.py` (do not edit): each spec exported, run once",
                "on the CPU at batch 1, and compared with cnncalc's numbers — every layer's output",
                "shape and parameters, and the totals (parameters, buffers, FLOPs as",
                "`torch.utils.flop_counter.FlopCounterMode` counts them, output elements).",
                f"Machine: {platform.machine()}, {torch.get_num_threads()} threads, "
                f"torch {torch.__version__}.",
                "",
                f"**{len(names) - len(failed)} of {len(names)} verify.**",
                "",
                "| Spec | Verified | Rows | Parameters (torch) | FLOPs (torch) | Seconds |",
                "|---|:-:|---:|---:|---:|---:|",
                *rows,
                "",
            ]
        )
        (ROOT / "docs" / "verify-cpu.md").write_text(text, encoding="utf-8")
        print("wrote docs/verify-cpu.md")
    return 1 if failed else 0


if __name__ == "__main__":
    chosen = sys.argv[1:] or sorted(bundled_names(), key=natural_key)
    raise SystemExit(main(chosen))

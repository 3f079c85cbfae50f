"""Calibration data for the GPU memory model: measured phases and per-op workspaces, as JSON.

    python benchmarks/gpu_probe.py --out probe.json                  # every bundled spec, batch 1 and 32
    python benchmarks/gpu_probe.py --specs resnet18 --batches 8 --out probe.json

For each spec and batch (fp32 unless --dtype): the model state, the no-grad inference peak and one
training step split into its phases (forward, backward, optimizer step; each phase's peak and what
is still allocated after it) for SGD, SGD + momentum and Adam, beside ``cnncalc.memory``'s
predicted terms. A second pass runs the same steps under a dispatch mode that notes, for every
op, the memory it allocated and freed inside itself (cuDNN/cuBLAS workspaces) and what it left
allocated beyond its outputs (the cuBLAS workspace, kept from the first matrix multiply on).
``gpu_verify.py`` writes the table in docs/gpu-results.md; this script is what the memory model's
GPU terms were calibrated from (docs/memory-model.md). Needs a CUDA GPU.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from cnncalc.catalog import bundled_names  # noqa: E402
from cnncalc.memory import predict_memory  # noqa: E402
from cnncalc.parse import load_network  # noqa: E402
from cnncalc.spec import Network  # noqa: E402
from cnncalc.torch_bridge._torch import require_torch  # noqa: E402
from cnncalc.torch_bridge.modules import build  # noqa: E402
from cnncalc.torch_bridge.verification import (  # noqa: E402
    TORCH_DTYPES,
    _fresh_cuda,
    measure_cuda_memory,
    training_loss,
)


def _op_workspaces(torch: Any, network: Network, batch: int, dtype: str) -> dict[str, Any]:
    """Per op: bytes allocated and freed inside it (transient) and left beyond its outputs."""
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_flatten

    class Watch(TorchDispatchMode):
        def __init__(self) -> None:
            super().__init__()
            self.rows: Counter[tuple[str, str, str, int, int]] = Counter()

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            before = int(torch.cuda.memory_allocated())
            torch.cuda.reset_peak_memory_stats()
            out = func(*args, **(kwargs or {}))
            peak = int(torch.cuda.max_memory_allocated())
            after = int(torch.cuda.memory_allocated())
            outputs = sum(
                t.untyped_storage().nbytes()
                for t in tree_flatten(out)[0]
                if isinstance(t, torch.Tensor) and t.is_cuda
            )
            transient = peak - max(before, after)
            kept = after - before - outputs
            if transient > 0 or kept > 0:
                shapes = ";".join(
                    "x".join(map(str, t.shape)) for t in tree_flatten(args)[0] if isinstance(t, torch.Tensor)
                )
                self.rows[(PHASE[0], str(func), shapes, transient, kept)] += 1
            return out

    PHASE = ["inference"]
    torch_dtype = getattr(torch, TORCH_DTYPES[dtype])
    cuda = torch.device("cuda")
    dims = network.input.torch_dims()
    _fresh_cuda(torch)
    model = build(network).module.to(device=cuda, dtype=torch_dtype)
    opt = torch.optim.Adam(list(model.parameters()) or [torch.zeros(1, device=cuda)], lr=1e-3)
    watch = Watch()
    x = torch.randn(batch, *dims, device=cuda, dtype=torch_dtype)
    with watch:
        model.eval()
        with torch.no_grad():
            model(x)
        _fresh_cuda(torch)
        model.train()
        PHASE[0] = "forward"
        try:
            loss = training_loss(model, model(x))
            PHASE[0] = "backward"
            loss.backward()
            PHASE[0] = "step"
            opt.step()
        except (ValueError, RuntimeError):  # BatchNorm at batch 1; nothing to train
            pass
    del model, opt, x
    _fresh_cuda(torch)
    rows = [
        {"phase": p, "op": op, "shapes": s, "transient": t, "kept": k, "calls": n}
        for (p, op, s, t, k), n in watch.rows.items()
    ]
    return {"ops": rows}


def _predicted(network: Network, batch: int, dtype: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    inference = predict_memory(network, batch=batch, dtype=dtype)
    out["state"] = inference.state_bytes
    out["inference"] = inference.peak_above_state
    out["inference_terms"] = {t.key: t.bytes for t in inference.terms}
    for optimizer in ("sgd", "momentum", "adam"):
        training = predict_memory(network, batch=batch, dtype=dtype, train=True, optimizer=optimizer)
        out[f"training_{optimizer}"] = training.peak_above_state
        out[f"training_terms_{optimizer}"] = {t.key: t.bytes for t in training.terms}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--specs", nargs="*")
    parser.add_argument("--batches", nargs="*", type=int, default=[1, 32])
    parser.add_argument("--dtype", default="fp32")
    parser.add_argument("--no-ops", action="store_true", help="skip the per-op pass")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    torch = require_torch()
    if not torch.cuda.is_available():
        print("no CUDA GPU", file=sys.stderr)
        return 2
    from specs import COVERAGE_SPECS

    specs = args.specs or (bundled_names() + [f"coverage:{name}" for name in sorted(COVERAGE_SPECS)])
    props = torch.cuda.get_device_properties(0)
    report: dict[str, Any] = {
        "device": props.name,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "python": platform.python_version(),
        "dtype": args.dtype,
        "runs": [],
    }
    for spec in specs:
        source = COVERAGE_SPECS[spec.split(":", 1)[1]] if spec.startswith("coverage:") else spec
        network = load_network(source)
        for batch in args.batches:
            run: dict[str, Any] = {"spec": spec, "batch": batch}
            try:
                run["predicted"] = _predicted(network, batch, args.dtype)
                run["measured"] = {
                    opt: measure_cuda_memory(network, batch, args.dtype, opt)
                    for opt in ("sgd", "momentum", "adam")
                }
                if not args.no_ops:
                    run.update(_op_workspaces(torch, network, batch, args.dtype))
            except Exception as exc:  # one failure must not hide the other specs
                run["error"] = f"{type(exc).__name__}: {exc}"[:300]
                torch.cuda.empty_cache()
            report["runs"].append(run)
            m = run.get("measured", {}).get("adam", {})
            p = run.get("predicted", {})
            print(
                spec,
                batch,
                "inf",
                p.get("inference"),
                m.get("inference"),
                "train",
                p.get("training_adam"),
                m.get("training"),
                run.get("error", ""),
                flush=True,
            )
            args.out.write_text(json.dumps(report, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())

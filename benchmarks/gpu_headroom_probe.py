"""Measure on a CUDA GPU what ``memory --fit`` leaves as estimates: the CUDA context, the caching
allocator's reserve over the peak, and mixed-precision training (``torch.autocast`` + GradScaler).

    python benchmarks/gpu_headroom_probe.py [SPEC ...] > benchmarks/results/gpu-headroom-<gpu>.json

Each configuration runs in a fresh process (the context is measured from a cold start). Not run
yet: no GPU was available when it was written (docs/memory-model.md says so).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ["resnet18", "resnet50", "vgg16", "googlenet", "alexnet"]
CONFIGS = [(1, None), (32, None), (32, "bf16"), (32, "fp16")]

CHILD = r"""
import json, sys
import torch
sys.path.insert(0, sys.argv[1])
from cnncalc.memory import allocator_reserve_estimate, predict_amp_memory, predict_memory
from cnncalc.parse import load_network
from cnncalc.torch_bridge import build_module

spec, batch, amp = sys.argv[2], int(sys.argv[3]), (sys.argv[4] if sys.argv[4] != "-" else None)
free0, total = torch.cuda.mem_get_info()
torch.zeros(1, device="cuda")
free1, _ = torch.cuda.mem_get_info()
network = load_network(spec)
model = build_module(network).cuda().train()
optimizer = torch.optim.Adam(model.parameters())
scaler = torch.amp.GradScaler("cuda") if amp else None
dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(amp)
x = torch.randn(batch, network.input.channels, network.input.height, network.input.width, device="cuda")
for _ in range(2):
    optimizer.zero_grad(set_to_none=True)
    if amp:
        with torch.autocast("cuda", dtype=dtype):
            loss = model(x).float().sum()
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
    else:
        model(x).sum().backward()
        optimizer.step()
torch.cuda.synchronize()
free2, _ = torch.cuda.mem_get_info()
reserved, peak = torch.cuda.memory_reserved(), torch.cuda.max_memory_allocated()
if amp:
    predicted = predict_amp_memory(network, batch=batch, amp=amp)
else:
    predicted = predict_memory(network, batch=batch, train=True)
reserve = allocator_reserve_estimate(network, batch=batch, dtype=amp or "fp32", train=True)
print(json.dumps({
    "spec": spec, "batch": batch, "amp": amp, "gpu": torch.cuda.get_device_name(),
    "torch": torch.__version__, "cuda": torch.version.cuda,
    "context_bytes": free0 - free1, "used_bytes": total - free2, "reserved_bytes": reserved,
    "max_allocated_bytes": peak, "reserve_over_peak_bytes": reserved - peak,
    "context_and_other_bytes": (total - free2) - reserved,
    "predicted_total_bytes": predicted.total_bytes,
    "predicted_reserve_bytes": reserve,
}))
"""


def main(specs: list[str]) -> None:
    rows = []
    for spec in specs or SPECS:
        for batch, amp in CONFIGS:
            args = [sys.executable, "-c", CHILD, str(ROOT), spec, str(batch), amp or "-"]
            result = subprocess.run(args, capture_output=True, text=True, timeout=600)
            if result.returncode != 0:
                rows.append({"spec": spec, "batch": batch, "amp": amp, "error": result.stderr[-500:]})
            else:
                rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    import torch

    if not torch.cuda.is_available():
        sys.exit("gpu_headroom_probe.py needs a CUDA GPU")
    main(sys.argv[1:])

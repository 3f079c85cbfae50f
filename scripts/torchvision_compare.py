"""Compare one spec with the torchvision model of the same architecture, for writing a zoo spec.

    /work/tvenv/bin/python scripts/torchvision_compare.py MODEL [SPEC] [--outputs]

Run it with a Python that has torchvision (see docs/zoo.md); SPEC defaults to the bundled MODEL. It
prints whether the state_dict keys and shapes of the module ``cnncalc export`` builds equal
torchvision's, the parameters, buffers and MACs (``FlopCounterMode`` / 2) of both, and with
``--outputs`` whether the outputs are equal after ``load_state_dict(strict=True)`` on CPU. The
reference data CI checks against comes from ``scripts/torchvision_reference.py``; this is the quick
loop while a spec is being written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch
import torchvision
from torch.utils.flop_counter import FlopCounterMode

import cnncalc
from cnncalc.torch_bridge import build_module


def torchvision_model(name: str, device: str) -> torch.nn.Module:
    """The model on ``device`` (RegNet's builder computes its widths with tensors: built on CPU)."""
    try:
        with torch.device(device):
            return torchvision.models.get_model(name).eval()
    except NotImplementedError:
        return torchvision.models.get_model(name).eval().to(device)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="torchvision's name, e.g. shufflenet_v2_x1_0")
    parser.add_argument("spec", nargs="?", help="a spec file or bundled name (default: MODEL)")
    parser.add_argument("--outputs", action="store_true", help="also compare the outputs on CPU")
    args = parser.parse_args()
    network = cnncalc.load(args.spec or args.model)
    report = cnncalc.analyse(network)
    theirs = torchvision_model(args.model, "meta")
    with torch.device("meta"):
        ours = build_module(network).eval()
    a = {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    b = {k: tuple(v.shape) for k, v in ours.state_dict().items()}
    print(
        "state_dict equal:",
        a == b,
        "missing",
        sorted(set(a) - set(b))[:5],
        "extra",
        sorted(set(b) - set(a))[:5],
    )
    print("shape differences", [(k, a[k], b[k]) for k in a if k in b and a[k] != b[k]][:5])
    x = torch.zeros(1, *network.input.torch_dims(), device="meta")
    with FlopCounterMode(display=False) as counter:
        theirs(x)
    params = sum(p.numel() for p in theirs.parameters())
    buffers = sum(t.numel() for t in theirs.buffers())
    t = report.totals
    print(f"params torchvision {params:,} cnncalc {t.params:,} | buffers {buffers:,} {t.buffers:,}")
    print(f"MACs torchvision {counter.get_total_flops() // 2:,} cnncalc {t.macs:,}")
    if args.outputs:
        cpu_theirs = torchvision_model(args.model, "cpu")
        cpu_ours = build_module(network).eval()
        cpu_ours.load_state_dict(cpu_theirs.state_dict(), strict=True)
        sample = torch.randn(2, *network.input.torch_dims())
        with torch.no_grad():
            out_theirs, out_ours = cpu_theirs(sample), cpu_ours(sample)
        difference = (out_theirs - out_ours).abs().max().item()
        print("outputs equal:", torch.equal(out_theirs, out_ours), "max difference", difference)
    return 0 if a == b and params == t.params and counter.get_total_flops() // 2 == t.macs else 1


if __name__ == "__main__":
    sys.exit(main())

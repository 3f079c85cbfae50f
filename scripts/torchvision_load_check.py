"""Load torchvision's state_dict into the module cnncalc builds, strictly, and compare the outputs.

Run with the torchvision venv, on the CPU (torchvision's weights are not downloaded: the model is
randomly initialised as its builder leaves it, BatchNorm statistics randomised too)::

    PYTHONPATH=. /work/tvenv/bin/python scripts/torchvision_load_check.py            # every bundled model
    PYTHONPATH=. /work/tvenv/bin/python scripts/torchvision_load_check.py resnet18   # some

For each bundled model of torchvision's zoo: ``cnncalc.torch_bridge.build_module`` (the module
``cnncalc export`` writes) ``load_state_dict(torchvision_model.state_dict(), strict=True)``, then both
run one random input at the default resolution in eval mode; the largest difference is printed,
and whether the first convolution's outputs are equal to the bit (conclusive where a random deep
net's output barely depends on its input: googlenet, inception_v3).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torchvision_reference as reference

import cnncalc
from cnncalc.catalog import bundled_spec
from cnncalc.torch_bridge import build_module


def check(name: str) -> tuple[bool | None, str]:
    torch.manual_seed(0)
    theirs, _ = reference.build(name, "cpu")
    for module in theirs.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm) and module.running_mean is not None:
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 1.5)
    ours = build_module(cnncalc.load(name)).eval()
    try:
        ours.load_state_dict(theirs.state_dict(), strict=True)
    except RuntimeError as exc:
        return False, f"load_state_dict(strict=True) refused: {str(exc).splitlines()[0][:120]}"
    size = reference.default_resolution(reference.get_model_weights(name).DEFAULT)
    side = (size["crop_size"] or size["resize_size"])[0]
    x, other = torch.randn(1, 3, side, side), torch.randn(1, 3, side, side)
    firsts = [next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d)) for model in (theirs, ours)]
    first_outputs = []
    for conv in firsts:
        conv.register_forward_hook(lambda _m, _i, out: first_outputs.append(out))
    with torch.no_grad():  # googlenet, inception_v3: the specs begin with torchvision's transform_input
        expected = theirs(x)
        got = ours(x)
        elsewhere = theirs(other)
    first_equal = torch.equal(first_outputs[0], first_outputs[1])
    if isinstance(expected, dict):  # a segmentation model: its main output (the aux head's aside)
        expected, elsewhere = expected["out"], elsewhere["out"]
    difference = (expected - got).abs().max().item()
    # A randomly initialised deep net can be nearly blind to its input (googlenet: 1e-7): then
    # equal outputs prove little, and the check says so.
    sensitivity = (expected - elsewhere).abs().max().item()
    text = f"max |difference| {difference:.3g}; another input moves the output by {sensitivity:.3g}"
    if getattr(theirs, "transform_input", False):
        text += " (torchvision's transform_input on)"
    # The first convolution's output, equal to the bit or not, tells what the output may not.
    text += f"; first conv's output {'equal' if first_equal else 'DIFFERENT'}"
    if not first_equal:
        return False, text
    if sensitivity < 1e-5 * max(1.0, expected.abs().max().item()):
        return None, text + ": the output is inconclusive, the random model barely sees its input"
    return difference <= 1e-4 * sensitivity, text


def main(argv: list[str]) -> int:
    names = argv or [n for n in reference.MODELS if (found := bundled_spec(n)) is not None and found[0] == n]
    failed = 0
    for name in names:
        start = time.perf_counter()
        ok, text = check(name)
        failed += ok is False
        verdict = {True: "ok  ", False: "FAIL", None: "??  "}[ok]
        print(f"{verdict} {name:20} {text}  ({time.perf_counter() - start:.1f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

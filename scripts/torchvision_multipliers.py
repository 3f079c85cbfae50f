"""Write ``tests/data/torchvision_multipliers.json``: the channel and depth numbers torchvision's own
functions give for the width and depth multipliers its CNN zoo uses, so that the tests can check
that cnncalc's expression helpers (``make_divisible``, ``round_to_multiple_of``, ``ceil``) give the
same integers. Needs torchvision (it is imported, never copied)::

    /work/tvenv/bin/python scripts/torchvision_multipliers.py

The functions read: ``torchvision.models._utils._make_divisible``,
``torchvision.models.efficientnet._MBConvConfig.adjust_channels`` / ``adjust_depth``,
``torchvision.models.mobilenetv3.InvertedResidualConfig.adjust_channels`` and
``torchvision.models.mnasnet._round_to_multiple_of`` / ``_get_depths``.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from pathlib import Path

import torchvision
from torchvision.models import _utils, efficientnet, mnasnet, mobilenetv3

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "torchvision_multipliers.json"

# The multipliers of torchvision's zoo: EfficientNet B0–B7 widths and depths, MobileNetV2/V3 and
# MNASNet widths (0.5 … 1.4), EfficientNet's expand ratios (1, 4, 6).
WIDTHS = [0.25, 0.35, 0.5, 0.75, 1.0, 1.1, 1.2, 1.3, 1.4, 1.6, 1.8, 2.0, 4.0, 6.0]
DEPTHS = [1.0, 1.1, 1.2, 1.4, 1.8, 2.2, 2.6, 3.1]
ALPHAS = [0.5, 0.75, 1.0, 1.3]
BASES = [*range(1, 641), 672, 960, 1024, 1152, 1280, 1536, 1792, 2048]


def _efficientnet_models() -> dict[str, dict[str, object]]:
    """Each EfficientNet B0–B7 as torchvision configures it: the multipliers its builder passes
    (read from the builder's source) and the stages ``_efficientnet_conf`` then makes."""
    models: dict[str, dict[str, object]] = {}
    for n in range(8):
        name = f"efficientnet_b{n}"
        source = inspect.getsource(getattr(efficientnet, name))
        found = re.search(r"width_mult=([0-9.]+), depth_mult=([0-9.]+)", source)
        assert found, name
        width, depth = float(found.group(1)), float(found.group(2))
        setting, _ = efficientnet._efficientnet_conf(name, width_mult=width, depth_mult=depth)
        models[name] = {
            "width_mult": width,
            "depth_mult": depth,
            "stages": [[s.input_channels, s.out_channels, s.num_layers] for s in setting],
        }
    return models


def main() -> int:
    adjust = efficientnet._MBConvConfig.adjust_channels
    data = {
        "torchvision": torchvision.__version__,
        "bases": BASES,
        # efficientnet: _make_divisible(channels * width_mult, 8, min_value)
        "efficientnet_adjust_channels": {str(w): [adjust(c, w) for c in BASES] for w in WIDTHS},
        "efficientnet_adjust_channels_min": {
            str(w): [adjust(c, w, 16) for c in BASES] for w in (0.25, 0.5, 1.0)
        },
        # efficientnet: int(math.ceil(num_layers * depth_mult))
        "efficientnet_adjust_depth": {
            str(d): [efficientnet.MBConvConfig.adjust_depth(n, d) for n in range(1, 17)] for d in DEPTHS
        },
        "efficientnet_models": _efficientnet_models(),
        "mobilenetv3_adjust_channels": {
            str(w): [mobilenetv3.InvertedResidualConfig.adjust_channels(c, w) for c in BASES] for w in WIDTHS
        },
        # _make_divisible(v, divisor) for the divisors regnet's group widths use
        "make_divisible_divisors": {
            str(d): [_utils._make_divisible(c * 1.0, d) for c in BASES] for d in (1, 2, 4, 8, 16, 24, 32, 56)
        },
        "mnasnet_round_to_multiple_of": {
            str(a): [mnasnet._round_to_multiple_of(c * a, 8) for c in BASES] for a in ALPHAS
        },
        "mnasnet_get_depths": {str(a): mnasnet._get_depths(a) for a in ALPHAS},
    }
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} (torchvision {torchvision.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

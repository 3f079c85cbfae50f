"""FlopCounterMode's backward of torchvision's MobileNetV2 (depthwise convolutions), and the correct
count: for each grouped conv its weight gradient is reported ``groups`` times too large
(torch/utils/flop_counter.py, conv_backward_flop). Needs torchvision (e.g. /work/tvenv):

    /work/tvenv/bin/python scripts/mobilenet_backward.py
"""

from __future__ import annotations

import torch
import torchvision
from torch.utils.flop_counter import FlopCounterMode


def main() -> None:
    model = torchvision.models.mobilenet_v2().train()
    x = torch.zeros(1, 3, 224, 224)
    shapes: dict[torch.nn.Module, tuple[int, ...]] = {}
    hooks = [
        m.register_forward_hook(lambda mod, _i, out: shapes.__setitem__(mod, tuple(out.shape)))
        for m in model.modules()
        if isinstance(m, torch.nn.Conv2d)
    ]
    with FlopCounterMode(display=False) as forward:
        y = model(x)
    for hook in hooks:
        hook.remove()
    with FlopCounterMode(display=False) as backward:
        y.sum().backward()
    overcount = 0
    for conv, (batch, c_out, h, w) in shapes.items():
        if conv.groups > 1:
            kh, kw = conv.kernel_size
            grad_weight = 2 * batch * h * w * c_out * (conv.in_channels // conv.groups) * kh * kw
            overcount += (conv.groups - 1) * grad_weight
    f, b = forward.get_total_flops(), backward.get_total_flops()
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, MobileNetV2, batch 1, 224×224")
    print(f"forward {f:,} FLOPs; FlopCounterMode backward {b:,} ({b / f:.2f}× the forward)")
    print(f"correct backward {b - overcount:,} ({(b - overcount) / f:.2f}× the forward)")


if __name__ == "__main__":
    main()

"""The small modules a layer kind can name that ``torch.nn`` lacks (``TorchCall.origin ==
'cnncalc'``). ``cnncalc export`` copies the source of each class it uses into the exported file, so
every class here uses only ``torch`` and ``nn`` and keeps torchvision's parameter names (its
state_dict loads as is): LayerNorm2d's ``weight``/``bias``, ChannelLinear's ``weight``/``bias``,
LayerScale's ``layer_scale``. Imported only by the torch bridge, after torch."""

from __future__ import annotations

import torch
from torch import nn


class LayerNorm2d(nn.LayerNorm):
    """nn.LayerNorm over the channels of an N×C×H×W map (channels moved last, back)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 2, 3, 1)
        w, b = self.weight, self.bias
        x = nn.functional.layer_norm(x, self.normalized_shape, w, b, self.eps)
        return x.permute(0, 3, 1, 2)


class ChannelLinear(nn.Linear):
    """nn.Linear over the channels at every position of an N×C×H×W map."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class LayerScale(nn.Module):
    """A learned scale per channel: ``layer_scale`` (C×1×1) times the map. A block
    can hold the parameter itself, ``LayerScale(c).layer_scale``, as ConvNeXt's."""

    def __init__(self, channels: int, init: float = 1e-6) -> None:
        super().__init__()
        self.layer_scale = nn.Parameter(torch.ones(channels, 1, 1) * init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer_scale * x


class FixedAffine(nn.Module):
    """x × scale + shift per channel, constants (no parameters), computed channel by
    channel as torchvision's GoogLeNet and Inception v3 ``_transform_input``."""

    def __init__(self, scale: list[float], shift: list[float]) -> None:
        super().__init__()
        self.scale, self.shift = scale, shift

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pairs = enumerate(zip(self.scale, self.shift, strict=True))
        return torch.cat([x[:, c : c + 1] * s + b for c, (s, b) in pairs], 1)


class StochasticDepth(nn.Module):
    """Identity at inference. In training: zeroes the input of a sample ('row') or
    of the whole batch ('batch') with probability ``p``; the rest × 1/(1 − p)."""

    def __init__(self, p: float, mode: str = "row") -> None:
        super().__init__()
        self.p, self.mode = p, mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = 1.0 - self.p
        size = [1] * x.ndim
        if self.mode == "row":
            size[0] = x.shape[0]
        noise = torch.empty(size, dtype=x.dtype, device=x.device).bernoulli_(keep)
        if keep > 0.0:
            noise.div_(keep)
        return x * noise


class Chunk(nn.Module):
    """Chunk ``index`` of ``parts`` equal channel chunks (a view)."""

    def __init__(self, parts: int, index: int) -> None:
        super().__init__()
        self.parts, self.index = parts, index

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.chunk(self.parts, dim=1)[self.index]


CLASSES: dict[str, type[nn.Module]] = {
    cls.__name__: cls for cls in (LayerNorm2d, ChannelLinear, LayerScale, FixedAffine, StochasticDepth, Chunk)
}

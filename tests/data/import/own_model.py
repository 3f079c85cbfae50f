"""A model with what the bundled zoo lacks: two outputs, functional ops, a skip across scales,
a tensor product, interpolate, a channel mean (tests/test_import_torch.py)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Down(nn.Module):
    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.silu(self.bn(self.conv(x)))


class TwoHeads(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.down1 = Down(16, 32)
        self.down2 = Down(32, 64)
        self.gate = nn.Conv2d(64, 64, 1)
        self.up = nn.ConvTranspose2d(64, 32, 2, stride=2)
        self.fuse = nn.Conv2d(64, 32, 3, padding=1)
        self.seg = nn.Conv2d(32, 5, 1)
        self.cls = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.relu(self.stem(x))
        skip = self.down1(x)
        deep = self.down2(skip)
        deep = deep * torch.sigmoid(self.gate(deep))
        up = self.up(deep)
        fused = F.relu(self.fuse(torch.cat([skip, up], dim=1))) + skip
        seg = F.interpolate(self.seg(fused), scale_factor=2, mode="bilinear", align_corners=False)
        cls = self.cls(deep.mean((2, 3)))
        return seg, cls


class WithSort(nn.Module):
    """An operation cnncalc cannot count (a sort along the channels)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 8 * 8, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.sort(self.conv(x), dim=1).values
        return self.fc(torch.flatten(x, 1))


class Branchy(nn.Module):
    """Data-dependent control flow: cannot be traced."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.sum() > 0:
            return self.conv(x)
        return x


class Shared(nn.Module):
    """One conv called twice."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(self.conv(x))


class Broken(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        raise ValueError("the width must be even")


def two_heads() -> nn.Module:
    return TwoHeads()


class SharedHead(nn.Module):
    """A conv used at two places of the forward (weights counted once, MACs twice)."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.shared = nn.Conv2d(8, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        y = self.shared(F.relu(x))
        return self.shared(self.bn(y)) + x

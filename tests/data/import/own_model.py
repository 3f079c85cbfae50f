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


class ChannelsLast(nn.Module):
    """A ConvNeXt-style block written by hand: depthwise conv, then LayerNorm, Linear, GELU and
    Linear on N×H×W×C between two permutes, and the skip."""

    def __init__(self, dim: int = 16) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, dim, 2, stride=2)
        self.dw = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.up = nn.Linear(dim, 4 * dim)
        self.down = nn.Linear(4 * dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        y = self.dw(x).permute(0, 2, 3, 1)
        y = self.down(F.gelu(self.up(self.norm(y))))
        return x + y.permute(0, 3, 1, 2)


def shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    n, c, h, w = x.size()
    x = x.view(n, groups, c // groups, h, w)
    return torch.transpose(x, 1, 2).contiguous().view(n, c, h, w)


class Shuffle(nn.Module):
    """ShuffleNet's unit as torchvision writes it: x.chunk(2, dim=1), a branch on the second half,
    cat, and the channel shuffle as view → transpose → view (3 groups of 8 channels here)."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 24, 3, padding=1)
        self.branch = nn.Conv2d(12, 12, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        x1, x2 = x.chunk(2, dim=1)
        return shuffle(torch.cat((x1, self.branch(x2)), dim=1), 3)


class NotAShuffle(nn.Module):
    """A 5-D view whose transpose swaps H and W, not the groups: no channel shuffle."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        n, c, h, w = x.size()
        return x.view(n, 2, c // 2, h, w).transpose(3, 4).reshape(n, c, w, h)


MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


class Normalize(nn.Module):
    """googlenet's transform_input written two ways: x[:, i] · a + b, and (x[:, i] − m) / s;
    ``reverse`` concatenates the channels backwards, which is no per-channel affine of x."""

    def __init__(self, divide: bool = False, reverse: bool = False) -> None:
        super().__init__()
        self.divide, self.reverse = divide, reverse
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.divide:
            parts = [(torch.unsqueeze(x[:, i], 1) - MEAN[i]) / STD[i] for i in range(3)]
        else:
            parts = [torch.unsqueeze(x[:, i], 1) * (STD[i] / 0.5) + (MEAN[i] - 0.5) / 0.5 for i in range(3)]
        return self.conv(torch.cat(parts[::-1] if self.reverse else parts, 1))


def normalize_divide() -> nn.Module:
    return Normalize(divide=True)


def normalize_reverse() -> nn.Module:
    return Normalize(reverse=True)


class TrainingHead(nn.Module):
    """A head called only in training, as inception_v3's AuxLogits."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Conv2d(3, 4, 3)
        self.aux = nn.Sequential(nn.Conv2d(4, 2, 1), nn.Flatten(), nn.Linear(2 * 36, 5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.body(x)
        if self.training:
            return x, self.aux(x)
        return x


class NeverCalled(nn.Module):
    """A submodule with parameters that no forward calls, in training or not."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Conv2d(3, 4, 3)
        self.spare = nn.Linear(4, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class ShuffleToOtherShape(nn.Module):
    """The shuffle's view and transpose, then a view to another N×C×H×W (half the channels, twice
    the height): no channel shuffle, whose output is its input's shape."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        n, c, h, w = x.size()
        x = x.view(n, 2, c // 2, h, w).transpose(1, 2).contiguous()
        return x.view(n, c // 2, 2 * h, w)


class ScaledDense(nn.Module):
    """DenseNet's cat of a list of one tensor, and ConvNeXt's layer scale (a C×1×1 parameter
    times the map)."""

    def __init__(self, dim: int = 8) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, dim, 3, padding=1)
        self.gamma = nn.Parameter(torch.full((dim, 1, 1), 0.5))
        self.head = nn.Conv2d(dim, 4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.cat([self.conv(x)], 1)
        return self.head(self.gamma * x)


class ChannelsLastFlatten(nn.Module):
    """The channels moved last and then flattened: N×H×W×C in another order than C×H×W, which no
    cnncalc layer on C×H×W is."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.fc = nn.Linear(4 * 6 * 6, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.conv(x).permute(0, 2, 3, 1), 1))


class Pyramid(nn.Module):
    """DeepLabV3's ASPP: a ModuleList of branches on one input, concatenated by the enclosing
    module's forward (``convs.0.0`` … ``convs.2.1``), then a projection."""

    def __init__(self) -> None:
        super().__init__()
        self.convs = nn.ModuleList(
            [nn.Sequential(nn.Conv2d(3, 4, 3, padding=r, dilation=r), nn.ReLU()) for r in (1, 2, 3)]
        )
        self.project = nn.Conv2d(12, 4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(torch.cat([conv(x) for conv in self.convs], 1))


class ChannelsLastVariants(nn.Module):
    """Channels-last layers the ONNX reader must count as PyTorch does: a LayerNorm without affine
    or without bias (torch writes its ones and zeros as Constant nodes), SiLU between the Linear
    layers, and the permuted half of a chunk (ONNX's shape inference loses the chunk's sizes)."""

    def __init__(self, affine: bool = True, bias: bool = True) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 1)
        self.norm = nn.LayerNorm(8, elementwise_affine=affine, bias=bias)
        self.fc1 = nn.Linear(8, 12)
        self.act = nn.SiLU()
        self.fc2 = nn.Linear(12, 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = self.conv(x).chunk(2, dim=1)
        a = self.fc2(self.act(self.fc1(self.norm(a.permute(0, 2, 3, 1))))).permute(0, 3, 1, 2)
        return torch.cat([a, b], 1)


def channels_last_no_affine() -> nn.Module:
    return ChannelsLastVariants(affine=False)


def channels_last_no_bias() -> nn.Module:
    return ChannelsLastVariants(bias=False)


class LearnedAffine(nn.Module):
    """x[:, i:i+1] · a_i + b_i with learned a and b: parameters, not a fixed affine."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.ParameterList([nn.Parameter(torch.tensor(i + 2.0)) for i in range(3)])
        self.b = nn.ParameterList([nn.Parameter(torch.tensor(0.1 * i)) for i in range(3)])
        self.conv = nn.Conv2d(3, 4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(torch.cat([x[:, i : i + 1] * self.a[i] + self.b[i] for i in range(3)], 1))


class ShiftedHead(nn.Module):
    """A training-only head, and before it an op that runs only in training: fx's names of the
    two traces differ from that op on, so the head's input cannot be found by name."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 32, 3, padding=1)
        self.head = nn.Linear(32, 10)
        self.aux = nn.Conv2d(8, 4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            x = F.relu(x)
        a = F.relu(self.conv1(x))
        b = F.relu(self.conv2(a))
        out = self.head(b.mean((2, 3)))
        return (out, self.aux(a)) if self.training else out


class CountingHead(nn.Module):
    """A training-only head whose forward changes Python state (a step counter)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.aux = nn.Conv2d(8, 2, 1)
        self.steps = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(x)
        if self.training:
            self.steps += 1
            return y, self.aux(y)
        return y


class NestedBranches(nn.Module):
    """Branches of one merge in two levels of scope: ``blk.a.0``, ``blk.a.1`` and ``blk.b``."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.blk = nn.Module()
        self.blk.a = nn.ModuleList([nn.Conv2d(8, 8, 1), nn.Conv2d(8, 8, 3, padding=1)])
        self.blk.b = nn.Conv2d(8, 8, 5, padding=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        return self.blk.a[0](x) + self.blk.a[1](x) + self.blk.b(x)


class Residual(nn.Module):
    """x + relu(conv(x)): a block of its own class."""

    def __init__(self, channels: int = 8) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.act(self.conv(x))


class BlockCalledAgain(nn.Module):
    """A block called again after another one (its second call a scope of its own)."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.block = Residual()
        self.other = Residual()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block(self.other(self.block(self.stem(x))))


class StageCalledTwice(nn.Module):
    """A Sequential of two blocks called twice: stage(stage(x))."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.stage = nn.Sequential(Residual(), Residual())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.stage(self.stage(self.stem(x)))


class BranchesOfOneModule(nn.Module):
    """One Sequential in both branches of a concat, and a tensor added to itself."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.stage = nn.Sequential(nn.Conv2d(8, 8, 1), nn.ReLU())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        y = torch.cat([self.stage(x), self.stage(F.relu(x))], 1)
        return y + y


class TiedConvs(nn.Module):
    """Two convolutions that hold one weight and one bias (b.weight = a.weight): parameters once."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(3, 3, 3, padding=1)
        self.b = nn.Conv2d(3, 3, 3, padding=1)
        self.b.weight = self.a.weight
        self.b.bias = self.a.bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.b(F.relu(self.a(x)))


class TiedInPart(TiedConvs):
    """The weight tied, each its own bias: a layer cannot share part of another's parameters."""

    def __init__(self) -> None:
        super().__init__()
        self.b.bias = nn.Parameter(torch.zeros(3))


class TiedDecoder(nn.Module):
    """A tied autoencoder: the decoder's transposed conv holds the encoder's weight."""

    def __init__(self) -> None:
        super().__init__()
        self.enc = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.dec = nn.ConvTranspose2d(8, 3, 3, padding=1, bias=False)
        self.dec.weight = self.enc.weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dec(F.relu(self.enc(x)))


class SecondCallAndItsName(nn.Module):
    """A block called twice, and another module the model names block_2."""

    def __init__(self) -> None:
        super().__init__()
        self.block = Residual()
        self.block_2 = Residual()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block_2(self.block(self.block(x)))

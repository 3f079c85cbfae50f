"""Plain-torch rebuilds of the torchvision models that cnncalc bundles, written for these tests from
the published definitions (torchvision/models/{alexnet,vgg,googlenet,resnet}.py), to count their
parameters and FLOPs independently of cnncalc. Built on the meta device: no memory, no compute."""

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def basic_conv(i, o, **kw):
    return nn.Sequential(nn.Conv2d(i, o, bias=False, **kw), nn.BatchNorm2d(o, eps=0.001), nn.ReLU())


class Inception(nn.Module):
    def __init__(self, i, c1, c3r, c3, c5r, c5, proj):
        super().__init__()
        self.b = nn.ModuleList(
            [
                basic_conv(i, c1, kernel_size=1),
                nn.Sequential(
                    basic_conv(i, c3r, kernel_size=1), basic_conv(c3r, c3, kernel_size=3, padding=1)
                ),
                nn.Sequential(
                    basic_conv(i, c5r, kernel_size=1), basic_conv(c5r, c5, kernel_size=3, padding=1)
                ),
                nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), basic_conv(i, proj, kernel_size=1)),
            ]
        )

    def forward(self, x):
        return torch.cat([b(x) for b in self.b], 1)


def googlenet():
    return nn.Sequential(
        basic_conv(3, 64, kernel_size=7, stride=2, padding=3),
        nn.MaxPool2d(3, 2, ceil_mode=True),
        basic_conv(64, 64, kernel_size=1),
        basic_conv(64, 192, kernel_size=3, padding=1),
        nn.MaxPool2d(3, 2, ceil_mode=True),
        Inception(192, 64, 96, 128, 16, 32, 32),
        Inception(256, 128, 128, 192, 32, 96, 64),
        nn.MaxPool2d(3, 2, ceil_mode=True),
        Inception(480, 192, 96, 208, 16, 48, 64),
        Inception(512, 160, 112, 224, 24, 64, 64),
        Inception(512, 128, 128, 256, 24, 64, 64),
        Inception(512, 112, 144, 288, 32, 64, 64),
        Inception(528, 256, 160, 320, 32, 128, 128),
        nn.MaxPool2d(2, 2, ceil_mode=True),
        Inception(832, 256, 160, 320, 32, 128, 128),
        Inception(832, 384, 192, 384, 48, 128, 128),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(1024, 1000),
    )


def inception_aux(i):
    return nn.Sequential(
        nn.AdaptiveAvgPool2d(4),
        basic_conv(i, 128, kernel_size=1),
        nn.Flatten(),
        nn.Linear(2048, 1024),
        nn.ReLU(),
        nn.Dropout(0.7),
        nn.Linear(1024, 1000),
    )


class GoogLeNetWithAux(nn.Module):
    """torchvision's googlenet in training mode: the heads run on inception 4a's and 4d's outputs."""

    def __init__(self):
        super().__init__()
        self.main = googlenet()
        self.aux1, self.aux2 = inception_aux(512), inception_aux(528)

    def forward(self, x):
        for index, module in enumerate(self.main):
            x = module(x)
            if index == 8:  # inception4a
                self.aux1(x)
            elif index == 11:  # inception4d
                self.aux2(x)
        return x


class Block(nn.Module):
    def __init__(self, i, planes, stride, bottleneck, v1=False):
        super().__init__()
        out = planes * (4 if bottleneck else 1)
        if bottleneck:
            s1, s3 = (stride, 1) if v1 else (1, stride)
            self.body = nn.Sequential(
                nn.Conv2d(i, planes, 1, s1, bias=False),
                nn.BatchNorm2d(planes),
                nn.ReLU(),
                nn.Conv2d(planes, planes, 3, s3, 1, bias=False),
                nn.BatchNorm2d(planes),
                nn.ReLU(),
                nn.Conv2d(planes, out, 1, bias=False),
                nn.BatchNorm2d(out),
            )
        else:
            self.body = nn.Sequential(
                nn.Conv2d(i, planes, 3, stride, 1, bias=False),
                nn.BatchNorm2d(planes),
                nn.ReLU(),
                nn.Conv2d(planes, planes, 3, 1, 1, bias=False),
                nn.BatchNorm2d(planes),
            )
        self.short = (
            nn.Sequential(nn.Conv2d(i, out, 1, stride, bias=False), nn.BatchNorm2d(out))
            if stride != 1 or i != out
            else nn.Identity()
        )

    def forward(self, x):
        return torch.relu(self.body(x) + self.short(x))


def resnet(counts, bottleneck, v1=False):
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    i = 64
    for stage, (planes, n) in enumerate(zip((64, 128, 256, 512), counts, strict=True)):
        for b in range(n):
            layers.append(Block(i, planes, 2 if (b == 0 and stage > 0) else 1, bottleneck, v1))
            i = planes * (4 if bottleneck else 1)
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(i, 1000)]
    return nn.Sequential(*layers)


def vgg(cfg, bn):
    layers, i = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(i, v, 3, padding=1)] + ([nn.BatchNorm2d(v)] if bn else []) + [nn.ReLU()]
            i = v
    layers += [
        nn.AdaptiveAvgPool2d(7),
        nn.Flatten(),
        nn.Linear(25088, 4096),
        nn.ReLU(),
        nn.Dropout(),
        nn.Linear(4096, 4096),
        nn.ReLU(),
        nn.Dropout(),
        nn.Linear(4096, 1000),
    ]
    return nn.Sequential(*layers)


def alexnet():
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, 4, 2),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),
        nn.AdaptiveAvgPool2d(6),
        nn.Flatten(),
        nn.Dropout(),
        nn.Linear(9216, 4096),
        nn.ReLU(),
        nn.Dropout(),
        nn.Linear(4096, 4096),
        nn.ReLU(),
        nn.Linear(4096, 1000),
    )


CFG = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    19: [
        64,
        64,
        "M",
        128,
        128,
        "M",
        256,
        256,
        256,
        256,
        "M",
        512,
        512,
        512,
        512,
        "M",
        512,
        512,
        512,
        512,
        "M",
    ],
}
MODELS = {
    "alexnet": alexnet,
    "googlenet": googlenet,
    "googlenet-aux": GoogLeNetWithAux,
    "resnet18": lambda: resnet((2, 2, 2, 2), False),
    "resnet34": lambda: resnet((3, 4, 6, 3), False),
    "resnet50": lambda: resnet((3, 4, 6, 3), True),
    "resnet101": lambda: resnet((3, 4, 23, 3), True),
    "resnet152": lambda: resnet((3, 8, 36, 3), True),
    "resnet50-v1": lambda: resnet((3, 4, 6, 3), True, True),
    **{f"vgg{d}": (lambda d=d: vgg(CFG[d], False)) for d in CFG},
    **{f"vgg{d}_bn": (lambda d=d: vgg(CFG[d], True)) for d in CFG},
}


def count(name: str, hw: int = 224) -> dict[str, object]:
    """Parameters, buffer elements, MACs (FlopCounterMode FLOPs / 2), output shape of ``name``, and the
    C×H×W (or features) output of every conv and linear layer in forward order."""
    with torch.device("meta"):
        model = MODELS[name]().eval()
        x = torch.empty(1, 3, hw, hw)
    weight_outputs: list[tuple[int, ...]] = []
    for module in model.modules():
        if isinstance(module, nn.Conv2d | nn.Linear):
            module.register_forward_hook(lambda _m, _i, o: weight_outputs.append(tuple(o.shape[1:])))
    with FlopCounterMode(display=False) as counter:
        out = model(x)
    return {
        "weight_outputs": weight_outputs,
        "params": sum(p.numel() for p in model.parameters()),
        "buffers": sum(b.numel() for b in model.buffers()),
        "macs": counter.get_total_flops() // 2,
        "output": tuple(out.shape),
    }

"""The bundled architecture specs (``architectures/`` in the repository, shipped in the wheel).

Paths are plain strings (``os.path``): pathlib is not needed on the CLI's start-up path.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from cnncalc.i18n import N_

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
_STAGE_ARGS = ("blocks1", "blocks2", "blocks3", "blocks4")
_STAGE_CONVS = ("convs1", "convs2", "convs3", "convs4", "convs5")
_DENSE_BLOCKS = ("blocks1", "blocks2", "blocks3", "blocks4")


def _regnet_args(depths: tuple[int, ...], widths: tuple[int, ...], groups: tuple[int, ...]) -> dict[str, int]:
    """A RegNet member's arguments: per stage its blocks, its width and the 3×3's group width."""
    return {
        **{f"depth{i}": value for i, value in enumerate(depths, 1)},
        **{f"width{i}": value for i, value in enumerate(widths, 1)},
        **{f"group_width{i}": value for i, value in enumerate(groups, 1)},
    }


# BatchNorm of EfficientNet B0–B4 (torch's defaults) and of B5–B7 (eps 0.001, momentum 0.01).
_EFFICIENTNET_BN: tuple[dict[str, float], dict[str, float]] = (
    {"eps": 1e-5, "momentum": 0.1},
    {"eps": 0.001, "momentum": 0.01},
)


@lru_cache(maxsize=1)
def architectures_dir() -> str:
    """Where the bundled specs are: inside the installed package, or the repository checkout."""
    here = os.path.dirname(os.path.realpath(__file__))
    packaged = os.path.join(here, "_architectures")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(here), "architectures")


# Members of a family: one spec file with network-level ``args:``, bound here to each name (the
# torchvision names). name → (spec file stem, the arguments, the description ``cnncalc list`` shows).
FAMILY_MEMBERS: dict[str, tuple[str, dict[str, int | float | str], str]] = {
    **{
        f"resnet{depth}": ("resnet", {"unit": unit, **dict(zip(_STAGE_ARGS, blocks, strict=True))}, text)
        for depth, unit, blocks, text in (
            (18, "basic", (2, 2, 2, 2), "torchvision; basic blocks"),
            (34, "basic", (3, 4, 6, 3), "torchvision; basic blocks"),
            (50, "bottleneck", (3, 4, 6, 3), "torchvision v1.5; stride on the 3×3"),
            (101, "bottleneck", (3, 4, 23, 3), "torchvision v1.5; stride on the 3×3"),
            (152, "bottleneck", (3, 8, 36, 3), "torchvision v1.5; stride on the 3×3"),
        )
    },
    "resnet50-v1": ("resnet", {"stride_on_first": 1}, "paper v1; stride on the first 1×1"),
    **{
        name: ("resnet", {"blocks3": blocks3, "groups": groups, "width_per_group": width}, text)
        for name, blocks3, groups, width, text in (
            ("resnext50_32x4d", 6, 32, 4, "torchvision ResNeXt; 32 groups × 4 wide"),
            ("resnext101_32x8d", 23, 32, 8, "torchvision ResNeXt; 32 groups × 8 wide"),
            ("resnext101_64x4d", 23, 64, 4, "torchvision ResNeXt; 64 groups × 4 wide"),
            ("wide_resnet50_2", 6, 1, 128, "torchvision wide ResNet; 3×3 convs 2× wider"),
            ("wide_resnet101_2", 23, 1, 128, "torchvision wide ResNet; 3×3 convs 2× wider"),
        )
    },
    **{
        f"vgg{depth}{suffix}": ("vgg", {**dict(zip(_STAGE_CONVS, convs, strict=True)), "bn": bn}, text + more)
        for depth, convs, text in (
            (11, (1, 1, 2, 2, 2), "torchvision; configuration A"),
            (13, (2, 2, 2, 2, 2), "torchvision; configuration B"),
            (16, (2, 2, 3, 3, 3), "torchvision; configuration D"),
            (19, (2, 2, 4, 4, 4), "torchvision; configuration E"),
        )
        for suffix, bn, more in (("", 0, " (paper)"), ("_bn", 1, " + BatchNorm"))
    },
    **{
        f"shufflenet_v2_{width}": ("shufflenet_v2", {"c2": c2, "c3": 2 * c2, "c4": 4 * c2, "c5": c5}, text)
        for width, c2, c5, text in (
            ("x0_5", 48, 1024, "torchvision; stage widths 48, 96, 192"),
            ("x1_0", 116, 1024, "torchvision; stage widths 116, 232, 464"),
            ("x1_5", 176, 1024, "torchvision; stage widths 176, 352, 704"),
            ("x2_0", 244, 2048, "torchvision; stage widths 244, 488, 976, 2048"),
        )
    },
    "squeezenet1_0": ("squeezenet", {"version": 0}, "torchvision; the paper's SqueezeNet"),
    "squeezenet1_1": ("squeezenet", {"version": 1}, "torchvision; 2.4× fewer MACs than 1_0"),
    **{
        f"densenet{depth}": (
            "densenet",
            {"growth": growth, "init": init, **dict(zip(_DENSE_BLOCKS, blocks, strict=True))},
            f"torchvision; growth {growth}, blocks {'-'.join(map(str, blocks))}",
        )
        for depth, growth, init, blocks in (
            (121, 32, 64, (6, 12, 24, 16)),
            (161, 48, 96, (6, 12, 36, 24)),
            (169, 32, 64, (6, 12, 32, 32)),
            (201, 32, 64, (6, 12, 48, 32)),
        )
    },
    "mobilenet_v3_large": ("mobilenet_v3", {"small": False}, "torchvision; large (the paper's Table 1)"),
    "mobilenet_v3_small": ("mobilenet_v3", {"small": True}, "torchvision; small (the paper's Table 2)"),
    # Each RegNet's stages as torchvision's own builders make them (torchvision 0.29.1: every stage's
    # block count, the width of its blocks and the group width of its 3×3, read from the built models,
    # e.g. len(model.trunk_output.block1), ….block1[0].f.b[0].out_channels // groups);
    # tests/test_torchvision_reference.py holds them against torchvision's state_dict shapes.
    **{
        f"regnet_{name}": (
            "regnet",
            {"size": 384 if name == "y_128gf" else 224, "se": name[0] == "y", **_regnet_args(*stages)},
            "torchvision RegNetY; squeeze-and-excitation" if name[0] == "y" else "torchvision RegNetX; no SE",
        )
        for name, *stages in (
            ("x_400mf", (1, 2, 7, 12), (32, 64, 160, 400), (16, 16, 16, 16)),
            ("x_800mf", (1, 3, 7, 5), (64, 128, 288, 672), (16, 16, 16, 16)),
            ("x_1_6gf", (2, 4, 10, 2), (72, 168, 408, 912), (24, 24, 24, 24)),
            ("x_3_2gf", (2, 6, 15, 2), (96, 192, 432, 1008), (48, 48, 48, 48)),
            ("x_8gf", (2, 5, 15, 1), (80, 240, 720, 1920), (80, 120, 120, 120)),
            ("x_16gf", (2, 6, 13, 1), (256, 512, 896, 2048), (128, 128, 128, 128)),
            ("x_32gf", (2, 7, 13, 1), (336, 672, 1344, 2520), (168, 168, 168, 168)),
            ("y_400mf", (1, 3, 6, 6), (48, 104, 208, 440), (8, 8, 8, 8)),
            ("y_800mf", (1, 3, 8, 2), (64, 144, 320, 784), (16, 16, 16, 16)),
            ("y_1_6gf", (2, 6, 17, 2), (48, 120, 336, 888), (24, 24, 24, 24)),
            ("y_3_2gf", (2, 5, 13, 1), (72, 216, 576, 1512), (24, 24, 24, 24)),
            ("y_8gf", (2, 4, 10, 1), (224, 448, 896, 2016), (56, 56, 56, 56)),
            ("y_16gf", (2, 4, 11, 1), (224, 448, 1232, 3024), (112, 112, 112, 112)),
            ("y_32gf", (2, 5, 12, 1), (232, 696, 1392, 3712), (232, 232, 232, 232)),
            ("y_128gf", (2, 7, 17, 1), (528, 1056, 2904, 7392), (264, 264, 264, 264)),
        )
    },
    # EfficientNet (torchvision's builders: width, depth, eval resolution, dropout; B5–B7's BatchNorm).
    **{
        f"efficientnet_b{index}": (
            "efficientnet",
            {"width": width, "depth": depth, "size": size, "dropout": p, **_EFFICIENTNET_BN[index >= 5]},
            "torchvision; compound scaling of B0" if index else "torchvision; MBConv with SE and SiLU",
        )
        for index, width, depth, size, p in (
            (0, 1.0, 1.0, 224, 0.2),
            (1, 1.0, 1.1, 240, 0.2),
            (2, 1.1, 1.2, 288, 0.3),
            (3, 1.2, 1.4, 300, 0.3),
            (4, 1.4, 1.8, 380, 0.4),
            (5, 1.6, 2.2, 456, 0.4),
            (6, 1.8, 2.6, 528, 0.5),
            (7, 2.0, 3.1, 600, 0.5),
        )
    },
    # EfficientNetV2 (torchvision's configurations: the stem's and each stage's width, each stage's blocks).
    **{
        f"efficientnet_v2_{size_name}": (
            "efficientnet_v2",
            {
                "size": size,
                "dropout": p,
                **{f"w{i}": width for i, width in enumerate(widths)},
                **{f"n{i}": blocks for i, blocks in enumerate(counts, start=1)},
            },
            "torchvision; Fused-MBConv in stages 1–3",
        )
        for size_name, size, p, widths, counts in (
            ("s", 384, 0.2, (24, 24, 48, 64, 128, 160, 256, 256), (2, 4, 4, 6, 9, 15, 0)),
            ("m", 480, 0.3, (24, 24, 48, 80, 160, 176, 304, 512), (3, 5, 5, 7, 14, 18, 5)),
            ("l", 480, 0.4, (32, 32, 64, 96, 192, 224, 384, 640), (4, 7, 7, 10, 19, 25, 7)),
        )
    },
    # ConvNeXt (torchvision's builders: stage 1's width, the CNBlocks per stage, stochastic_depth_prob).
    **{
        f"convnext_{size}": (
            "convnext",
            {"width": width, "n3": n3, "sd": sd},
            f"torchvision; widths {width}–{8 * width}, blocks 3-3-{n3}-3",
        )
        for size, width, n3, sd in (
            ("tiny", 96, 9, 0.1),
            ("small", 96, 27, 0.4),
            ("base", 128, 27, 0.5),
            ("large", 192, 27, 0.5),
        )
    },
    # MNASNet (torchvision's builders: the width multiplier alpha).
    **{
        f"mnasnet{text}": ("mnasnet", {"alpha": alpha}, "torchvision; B1 variant, no SE")
        for text, alpha in (("0_5", 0.5), ("0_75", 0.75), ("1_0", 1.0), ("1_3", 1.3))
    },
}

# The descriptions above as message ids, for ``cnncalc list`` in Portuguese (a test holds every member's
# description to be one of these).
MEMBER_DESCRIPTIONS = (
    N_("torchvision; stage widths 48, 96, 192"),
    N_("torchvision; stage widths 116, 232, 464"),
    N_("torchvision; stage widths 176, 352, 704"),
    N_("torchvision; stage widths 244, 488, 976, 2048"),
    N_("torchvision RegNetX; no SE"),
    N_("torchvision RegNetY; squeeze-and-excitation"),
    N_("torchvision; growth 32, blocks 6-12-24-16"),
    N_("torchvision; growth 32, blocks 6-12-32-32"),
    N_("torchvision; growth 32, blocks 6-12-48-32"),
    N_("torchvision; growth 48, blocks 6-12-36-24"),
    N_("torchvision; large (the paper's Table 1)"),
    N_("torchvision; small (the paper's Table 2)"),
    N_("paper v1; stride on the first 1×1"),
    N_("torchvision ResNeXt; 32 groups × 4 wide"),
    N_("torchvision ResNeXt; 32 groups × 8 wide"),
    N_("torchvision ResNeXt; 64 groups × 4 wide"),
    N_("torchvision v1.5; stride on the 3×3"),
    N_("torchvision wide ResNet; 3×3 convs 2× wider"),
    N_("torchvision; 2.4× fewer MACs than 1_0"),
    N_("torchvision; basic blocks"),
    N_("torchvision; configuration A (paper)"),
    N_("torchvision; configuration A + BatchNorm"),
    N_("torchvision; configuration B (paper)"),
    N_("torchvision; configuration B + BatchNorm"),
    N_("torchvision; configuration D (paper)"),
    N_("torchvision; configuration D + BatchNorm"),
    N_("torchvision; configuration E (paper)"),
    N_("torchvision; configuration E + BatchNorm"),
    N_("torchvision; the paper's SqueezeNet"),
    N_("torchvision; MBConv with SE and SiLU"),
    N_("torchvision; compound scaling of B0"),
    N_("torchvision; B1 variant, no SE"),
    N_("torchvision; Fused-MBConv in stages 1–3"),
    N_("torchvision; widths 96–768, blocks 3-3-9-3"),
    N_("torchvision; widths 96–768, blocks 3-3-27-3"),
    N_("torchvision; widths 128–1024, blocks 3-3-27-3"),
    N_("torchvision; widths 192–1536, blocks 3-3-27-3"),
)


def _key(name: str) -> str:
    """Names compare case-insensitively, '_' and '-' alike (``vgg16-bn`` is ``vgg16_bn``)."""
    return name.lower().replace("-", "_")


@lru_cache(maxsize=1)
def _files() -> dict[str, str]:
    """The bundled spec files by name key: the file's stem → its path."""
    folder = architectures_dir()
    if not os.path.isdir(folder):
        return {}
    found: dict[str, str] = {}
    for entry in sorted(os.listdir(folder)):
        stem, suffix = os.path.splitext(entry)
        if suffix in SPEC_SUFFIXES:
            found.setdefault(stem, os.path.join(folder, entry))
    return found


def _family_files() -> set[str]:
    return {stem for stem, _, _ in FAMILY_MEMBERS.values()}


def bundled_names() -> list[str]:
    """Names of the bundled architectures, sorted: each spec file's stem, except family specs,
    which appear as their members' names."""
    families = _family_files()
    files = _files()
    members = [name for name, (stem, _, _) in FAMILY_MEMBERS.items() if stem in files]
    return sorted([stem for stem in files if stem not in families] + members)


@lru_cache(maxsize=256)
def bundled_spec(name: str) -> tuple[str, str, dict[str, int | float | str] | None, str | None] | None:
    """Bundled architecture ``name`` (case-insensitive; '_' and '-' alike) as (its canonical name,
    its spec file, the network arguments, the description) — the last two None for a spec of its
    own — or None when nothing of that name is bundled."""
    wanted = _key(name)
    files = _files()
    for member, (stem, args, description) in FAMILY_MEMBERS.items():
        if _key(member) == wanted and stem in files:
            return member, files[stem], args, description
    families = _family_files()
    for stem, path in files.items():
        if _key(stem) == wanted and stem not in families:
            return stem, path, None, None
    return None


def bundled_path(name: str) -> str | None:
    """The spec file of bundled architecture ``name`` (see :func:`bundled_spec`), or None."""
    found = bundled_spec(name)
    return None if found is None else found[1]


def compiled_path(spec_path: str) -> str:
    """Where the compiled form of bundled spec file ``spec_path`` is (see cnncalc.parse.compiled)."""
    folder, name = os.path.split(spec_path)
    return os.path.join(folder, "compiled", os.path.splitext(name)[0] + ".json")


def natural_key(name: str) -> list[str | int]:
    """Sort key that orders numbers by value: resnet18, resnet34, …, resnet152."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]

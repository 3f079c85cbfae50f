"""Measure what each peer counter prints for the bundled networks; write the reference data and the
table of docs/conventions.md. Nothing here is typed by hand: every number comes from running the
real tool.

    # 1. the peers on the modules 'cnncalc export' builds (the project's venv, torch 2.13):
    python scripts/peer_counts.py export            # -> tests/data/peer_counts.json
    python scripts/peer_counts.py coverage          # the coverage specs, into the same file
    # 2. torchvision's own models and published '_ops' (a venv with torchvision, e.g. /work/tvenv,
    #    the peers on PYTHONPATH):
    PYTHONPATH=/tmp/tvpeers:. /work/tvenv/bin/python scripts/peer_counts.py torchvision
    #                                                 # -> tests/data/torchvision_counts.json
    # 3. FlopCounterMode over loss.backward() on every bundled spec (the project's venv):
    python scripts/peer_counts.py training          # -> tests/data/training_counts.json
    # 4. the tables (no torch needed):
    python scripts/peer_counts.py docs               # -> docs/conventions.md, between the markers

calflops is run when it imports (it needs transformers and accelerate); its column is empty otherwise.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXPORT_JSON = ROOT / "tests" / "data" / "peer_counts.json"
TORCHVISION_JSON = ROOT / "tests" / "data" / "torchvision_counts.json"
TRAINING_JSON = ROOT / "tests" / "data" / "training_counts.json"
TRAINING_BEGIN, TRAINING_END = "<!-- training-counts:begin -->", "<!-- training-counts:end -->"
DOC = ROOT / "docs" / "conventions.md"
BEGIN, END = "<!-- peer-counts:begin -->", "<!-- peer-counts:end -->"

NETWORKS = [
    "lenet5", "alexnet", "alexnet-2012", "alexnet-2012-groups", "alphago-policy", "vgg11", "vgg16",
    "vgg16-bn", "googlenet", "resnet18", "resnet34", "resnet50", "resnet50-v1", "resnet101", "resnet152",
]  # fmt: skip
# Bundled spec -> (torchvision builder, weights enum): the spec reproduces that model.
TORCHVISION = {
    "alexnet": ("alexnet", "AlexNet_Weights"),
    "vgg11": ("vgg11", "VGG11_Weights"),
    "vgg16": ("vgg16", "VGG16_Weights"),
    "vgg16-bn": ("vgg16_bn", "VGG16_BN_Weights"),
    "googlenet": ("googlenet", "GoogLeNet_Weights"),
    "resnet18": ("resnet18", "ResNet18_Weights"),
    "resnet34": ("resnet34", "ResNet34_Weights"),
    "resnet50": ("resnet50", "ResNet50_Weights"),
    "resnet101": ("resnet101", "ResNet101_Weights"),
    "resnet152": ("resnet152", "ResNet152_Weights"),
}
# Networks with every layer kind each preset has a rule for (tests/test_count_peers.py's COVERAGE,
# and transposed convolutions with groups, padding, output padding and dilation).
COVERAGE = {
    "coverage": (
        "32x32x3 | conv 8 k3 p1 | bn | prelu | conv 8 k3 g2 p1 nobias | bn noaffine | leakyrelu 0.1 "
        "| conv 8 k3 dw p1 | relu6 | avgpool 2 | deconv 4 k2 s2 | gelu | silu | lrn 3 | pad 1 | maxpool 2 "
        "| tanh | sigmoid | adaptivemaxpool 3 | adaptiveavgpool 2 | dropout | flatten | fc 10 nobias | elu "
        "| fc 5 | softmax"
    ),
    "coverage-deconv": (
        "8x8x32 | conv 32 k3 p1 dw | deconv 8 k2 s2 g4 | prelu per_channel | leakyrelu | elu | gelu | silu "
        "| deconv 8 k3 s2 p1 op1 | relu | deconv 4 k4 s2 p1 d2 g2 nobias | gap | fc 5 | softmax"
    ),
    "coverage-misc": (
        "16x16x4 | conv 8 k3 p1 | selu | mish | hardswish | hardsigmoid | softplus | identity "
        "| dropout 0.2 2d | softmax | gmp | flatten | bn | fc 6 | relu | bn noaffine | fc 3"
    ),
}
TOOLS = ["flop-counter", "torchinfo", "fvcore", "ptflops", "ptflops-aten", "thop", "calflops"]


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def run_calflops(model: Any, shape: tuple[int, ...]) -> int | None:
    try:
        from calflops import calculate_flops
    except Exception:  # not installed, or transformers missing
        return None
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flops, _, _ = calculate_flops(
            model=model,
            input_shape=(1, *shape),
            output_as_string=False,
            print_results=False,
            print_detailed=False,
        )
    return int(flops)


def measure(model: Any, shape: tuple[int, ...]) -> dict[str, int | None]:
    """Every tool's total for one model at batch 1."""
    from tests import peer_tools

    model.eval()
    result: dict[str, int | None] = {}
    result["flop-counter"] = peer_tools.run_flop_counter(model, shape, 1)[0]
    result["torchinfo"] = peer_tools.run_torchinfo(model, shape, 1)[0]
    result["fvcore"] = peer_tools.run_fvcore(model, shape, 1)[0]
    result["ptflops"] = peer_tools.run_ptflops(model, shape, 1)["total"]
    result["ptflops-aten"] = peer_tools.run_ptflops(model, shape, 1, backend="aten")["total"]
    try:
        result["thop"] = peer_tools.run_thop(model, shape, 1)[0]
    except ImportError:
        result["thop"] = None
    result["calflops"] = run_calflops(model, shape)
    return result


def versions() -> dict[str, str | None]:
    import torch

    return {
        "torch": torch.__version__,
        **{p: _version(p) for p in ("torchinfo", "fvcore", "ptflops", "thop", "calflops", "torchvision")},
    }


def export_counts() -> None:
    from cnncalc.parse import load_network
    from tests import peer_tools

    data: dict[str, Any] = {"versions": versions(), "networks": {}}
    for name in NETWORKS:
        model, shape = peer_tools.exported_model(load_network(name))
        data["networks"][name] = measure(model, shape)
        print(name, data["networks"][name], flush=True)
    EXPORT_JSON.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def coverage_counts() -> None:
    from cnncalc.parse import load_network
    from tests import peer_tools

    data = json.loads(EXPORT_JSON.read_text(encoding="utf-8"))
    for label, spec in COVERAGE.items():
        model, shape = peer_tools.exported_model(load_network(spec))
        data["networks"][label] = {**measure(model, shape), "spec": spec}
        print(label, data["networks"][label], flush=True)
    EXPORT_JSON.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def torchvision_counts() -> None:
    import torchvision

    data: dict[str, Any] = {"versions": versions(), "networks": {}}
    for spec, (builder, weights_name) in TORCHVISION.items():
        weights = getattr(torchvision.models, weights_name).DEFAULT
        kwargs = {"init_weights": False} if builder in ("googlenet",) else {}
        if builder == "googlenet":
            kwargs["aux_logits"] = False
        model = getattr(torchvision.models, builder)(weights=None, **kwargs)
        entry: dict[str, Any] = {"weights": str(weights), "published_gflops": weights.meta.get("_ops")}
        entry.update(measure(model, (3, 224, 224)))
        data["networks"][spec] = entry
        print(spec, entry, flush=True)
    TORCHVISION_JSON.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def training_counts() -> None:
    """FlopCounterMode's total over forward + ``loss.backward()`` (loss = the sum of every output,
    side outputs included), exported module in training mode, batch 1."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from cnncalc.catalog import bundled_names, natural_key
    from cnncalc.parse import load_network
    from tests import peer_tools

    data: dict[str, Any] = {"versions": {"torch": torch.__version__}, "batch": 1, "networks": {}}
    for name in sorted(bundled_names(), key=natural_key):
        model, shape = peer_tools.exported_model(load_network(name))
        model.train()
        with FlopCounterMode(display=False) as counter:
            out = model(torch.zeros(1, *shape))
            sides = [m.side_outputs for m in model.modules() if getattr(m, "side_outputs", None)]
            loss = out.sum() + sum(t.sum() for side in sides for t in side.values())
            loss.backward()
        data["networks"][name] = int(counter.get_total_flops())
        print(name, data["networks"][name], flush=True)
    TRAINING_JSON.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def training_table() -> list[str]:
    from cnncalc.analysis import analyse
    from cnncalc.counting.training import training_cost
    from cnncalc.parse import load_network

    measured = json.loads(TRAINING_JSON.read_text(encoding="utf-8"))
    lines = [
        TRAINING_BEGIN,
        "Written by `python scripts/peer_counts.py docs` from tests/data/training_counts.json "
        f"(FlopCounterMode, torch {measured['versions']['torch']}, exported module in training mode, "
        "batch 1, loss = the sum of every output). ✓ = FlopCounterMode printed exactly cnncalc's "
        "`flop_counter_mode_total`; where that differs from the correct step, the difference is its "
        "grouped-convolution weight gradients.",
        "",
        "| Network | forward | correct step | FlopCounterMode | |",
        "|---|---:|---:|---:|---|",
    ]
    for name, theirs in measured["networks"].items():
        network = load_network(name)
        cost = training_cost(analyse(network), network)
        mark = "✓" if cost.flop_counter_total == theirs else f"✗ (cnncalc: {cost.flop_counter_total:,})"
        lines.append(f"| {name} | {cost.forward:,} | {cost.total:,} | {theirs:,} | {mark} |")
    lines.append(TRAINING_END)
    return lines


def _replace(text: str, begin: str, end: str, lines: list[str]) -> str:
    start, stop = text.index(begin), text.index(end) + len(end)
    return text[:start] + "\n".join(lines) + text[stop:]


def docs_table() -> None:
    from cnncalc.analysis import analyse
    from cnncalc.counting import count_as
    from cnncalc.parse import load_network

    exported = json.loads(EXPORT_JSON.read_text(encoding="utf-8"))
    tv = json.loads(TORCHVISION_JSON.read_text(encoding="utf-8")) if TORCHVISION_JSON.exists() else None
    lines = [
        BEGIN,
        "Written by `python scripts/peer_counts.py docs` from tests/data/peer_counts.json (the tools run "
        "on the modules `cnncalc export` builds, versions: "
        + ", ".join(f"{k} {v}" for k, v in exported["versions"].items() if v)
        + "). Each cell: cnncalc's preset; ✓ = the tool printed exactly that, else the tool's number; "
        "blank = the tool was not run. Batch 1, 224×224×3 unless the spec says otherwise; "
        "the coverage specs are in the script.",
        "",
        "| Network | cnncalc MACs | " + " | ".join(TOOLS) + " |",
        "|---|" + "---:|" * (len(TOOLS) + 1),
    ]
    mismatches = 0
    for name, measured in exported["networks"].items():
        network = load_network(COVERAGE.get(name, name))
        report = analyse(network)
        cells = []
        for tool in TOOLS:
            ours = count_as(report, network, tool).total
            theirs = measured.get(tool)
            if theirs is None:
                cells.append(f"{ours:,}")
            elif theirs == ours:
                cells.append(f"{ours:,} ✓")
            else:
                mismatches += 1
                cells.append(f"{ours:,} ✗ (tool: {theirs:,})")
        lines.append(f"| {name} | {report.totals.macs:,} | " + " | ".join(cells) + " |")
    if tv is not None:
        lines += [
            "",
            "torchvision's own models (tests/data/torchvision_counts.json, written by `python "
            "scripts/peer_counts.py torchvision` with "
            + ", ".join(f"{k} {v}" for k, v in tv["versions"].items() if v)
            + "), against cnncalc's presets with `--forward-style torchvision`. 'published' is the "
            "weights' `_ops` (GFLOPS, 3 decimals); cnncalc's torchvision preset is rounded the same way.",
            "",
            "| Network | published | cnncalc torchvision | " + " | ".join(TOOLS) + " |",
            "|---|" + "---:|" * (len(TOOLS) + 2),
        ]
        for name, measured in tv["networks"].items():
            network = load_network(name)
            report = analyse(network)
            published = measured["published_gflops"]
            ours_tv = round(count_as(report, network, "torchvision").total / 1e9, 3)
            mark = "✓" if published == ours_tv else "✗"
            cells = []
            for tool in TOOLS:
                ours = count_as(report, network, tool, style="torchvision").total
                theirs = measured.get(tool)
                if theirs is None:
                    cells.append(f"{ours:,}")
                elif theirs == ours:
                    cells.append(f"{ours:,} ✓")
                else:
                    mismatches += 1
                    cells.append(f"{ours:,} ✗ (tool: {theirs:,})")
            lines.append(f"| {name} | {published} | {ours_tv:.3f} {mark} | " + " | ".join(cells) + " |")
    lines.append(END)
    text = _replace(DOC.read_text(encoding="utf-8"), BEGIN, END, lines)
    if TRAINING_JSON.exists():
        text = _replace(text, TRAINING_BEGIN, TRAINING_END, training_table())
    DOC.write_text(text, encoding="utf-8")
    print(f"{DOC}: {mismatches} cells differ")


if __name__ == "__main__":
    commands = {
        "export": export_counts,
        "coverage": coverage_counts,
        "torchvision": torchvision_counts,
        "training": training_counts,
    }
    {**commands, "docs": docs_table}[sys.argv[1]]()

"""Write torchvision's own figures for its CNN zoo into ``tests/data/torchvision/``.

Run with the torchvision venv (torch 2.14.1 + torchvision 0.29.1; torchvision does not work with
the torch 2.13 that cnncalc's tests use)::

    /work/tvenv/bin/python scripts/torchvision_reference.py            # every model
    /work/tvenv/bin/python scripts/torchvision_reference.py resnet50    # some models (index updated)

For each model it reads torchvision itself, downloading nothing:

* the default weights (``get_model_weights(name).DEFAULT``): their eval transform's ``crop_size``
  and ``resize_size`` (the default resolution), and the published ``meta`` (``_ops`` GFLOPS,
  ``num_params``, ``_file_size``, the metrics; ``_ops`` also as the literal text of torchvision's
  source, so that no digit is lost or invented);
* the model exactly as its builder leaves it after loading those weights: the builder is called
  with ``weights=DEFAULT`` while ``get_state_dict`` and ``load_state_dict`` are stubbed out, so
  every keyword it forces (googlenet's ``transform_input=True``, inception_v3's aux head kept,
  googlenet's removed, deeplabv3's ``aux_loss=True``, ``num_classes``) is the builder's own doing.
  It is built on the meta device (no memory, no init cost) and checked: its parameter count must
  equal the published ``num_params``;
* parameters, buffers (elements; BatchNorm's ``num_batches_tracked`` counted apart), MACs =
  ``torch.utils.flop_counter.FlopCounterMode`` total / 2 at batch 1 at the default resolution,
  every module's output shape per call (forward hooks, eval mode), the state_dict keys and shapes.

``--check-cpu MODEL`` (default squeezenet1_1) also runs that model on the CPU with real tensors and
records whether MACs and every output shape agree with the meta-device run.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import inspect
import json
import os
import sys
import time
from typing import Any

import torch
import torchvision
from torch.utils.flop_counter import FlopCounterMode
from torchvision.models import _api as tv_api
from torchvision.models import get_model_builder, get_model_weights

# The classification zoo of issue 11 (68 models), then the segmentation model it names.
CLASSIFICATION = (
    ["alexnet"]
    + [f"convnext_{s}" for s in ("tiny", "small", "base", "large")]
    + [f"densenet{d}" for d in (121, 161, 169, 201)]
    + [f"efficientnet_b{i}" for i in range(8)]
    + [f"efficientnet_v2_{s}" for s in ("s", "m", "l")]
    + ["googlenet", "inception_v3"]
    + [f"mnasnet{w}" for w in ("0_5", "0_75", "1_0", "1_3")]
    + ["mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small"]
    + [f"regnet_x_{s}" for s in ("400mf", "800mf", "1_6gf", "3_2gf", "8gf", "16gf", "32gf")]
    + [f"regnet_y_{s}" for s in ("400mf", "800mf", "1_6gf", "3_2gf", "8gf", "16gf", "32gf", "128gf")]
    + [f"resnet{d}" for d in (18, 34, 50, 101, 152)]
    + ["resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d"]
    + [f"shufflenet_v2_x{w}" for w in ("0_5", "1_0", "1_5", "2_0")]
    + ["squeezenet1_0", "squeezenet1_1"]
    + [f"vgg{d}{bn}" for d in (11, 13, 16, 19) for bn in ("", "_bn")]
    + ["wide_resnet50_2", "wide_resnet101_2"]
)
SEGMENTATION = ["deeplabv3_resnet50"]
MODELS = CLASSIFICATION + SEGMENTATION

OUT_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "data", "torchvision"
)
NUM_BATCHES_TRACKED = "num_batches_tracked"


class _NotLoaded(dict):
    """What the stubbed ``get_state_dict`` returns: an empty state dict (densenet's builder renames
    its keys before loading), which the stubbed ``load_state_dict`` recognises and ignores."""


@contextlib.contextmanager
def weights_not_loaded():
    """The builder runs as with its weights, but nothing is downloaded or loaded."""
    original_get = tv_api.WeightsEnum.get_state_dict
    original_load = torch.nn.Module.load_state_dict

    def get_state_dict(self: Any, *args: Any, **kwargs: Any) -> Any:
        return _NotLoaded()

    def load_state_dict(self: torch.nn.Module, state_dict: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(state_dict, _NotLoaded):
            return None
        return original_load(self, state_dict, *args, **kwargs)

    tv_api.WeightsEnum.get_state_dict = get_state_dict
    torch.nn.Module.load_state_dict = load_state_dict
    try:
        yield
    finally:
        tv_api.WeightsEnum.get_state_dict = original_get
        torch.nn.Module.load_state_dict = original_load


def build(name: str, device: str) -> tuple[torch.nn.Module, str]:
    """``name`` as its builder returns it with its DEFAULT weights (not loaded), in eval mode, on
    ``device``, and where it was built: on the meta device where the builder allows it, else on the
    CPU and then moved (regnet's builder computes its widths with tensors on the default device)."""
    weights = get_model_weights(name).DEFAULT
    builder = get_model_builder(name)
    try:
        with weights_not_loaded(), torch.device(device), warnings_quiet():
            return builder(weights=weights).eval(), device
    except NotImplementedError:
        if device != "meta":
            raise
    with weights_not_loaded(), torch.device("cpu"), warnings_quiet():
        return builder(weights=weights).to(device).eval(), "cpu"


@contextlib.contextmanager
def warnings_quiet():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def ops_literal(weights: Any) -> str | None:
    """The text of ``"_ops": ...`` in the source of the weights' enum member (or its meta dict)."""
    enum_class = type(weights)
    source = inspect.getsource(sys.modules[enum_class.__module__])
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ClassDef) and node.name == enum_class.__name__):
            continue
        for item in node.body:
            if isinstance(item, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == weights.name for t in item.targets
            ):
                for sub in ast.walk(item.value):
                    if isinstance(sub, ast.Dict):
                        for key, value in zip(sub.keys, sub.values, strict=True):
                            if isinstance(key, ast.Constant) and key.value == "_ops":
                                return ast.get_source_segment(source, value)
    return None


def shape_of(value: Any) -> Any:
    """A module output's shape: a tensor's dims, or the same structure for tuples and dicts."""
    if isinstance(value, torch.Tensor):
        return list(value.shape)
    if isinstance(value, dict):
        return {"dict": {str(k): shape_of(v) for k, v in value.items()}}
    if isinstance(value, tuple | list):
        return {"tuple": [shape_of(v) for v in value]}
    if value is None:
        return None
    return {"other": type(value).__name__}


def run_forward(
    model: torch.nn.Module, size: int, device: str
) -> tuple[int, dict[str, list[Any]], list[str]]:
    """MACs (FlopCounterMode / 2), each module's output shapes in call order, the call order."""
    outputs: dict[str, list[Any]] = {}
    order: list[str] = []
    handles = []
    for path, module in model.named_modules():

        def hook(module: torch.nn.Module, args: Any, output: Any, path: str = path) -> None:
            if path not in outputs:
                order.append(path)
            outputs.setdefault(path, []).append(shape_of(output))

        handles.append(module.register_forward_hook(hook))
    x = (
        torch.randn(1, 3, size, size, device=device)
        if device != "meta"
        else torch.empty(1, 3, size, size, device=device)
    )
    counter = FlopCounterMode(display=False)
    try:
        with torch.no_grad(), counter:
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    flops = counter.get_total_flops()
    if flops % 2:
        raise SystemExit(f"odd FLOP count {flops}: not 2 × MACs")
    return flops // 2, outputs, order


def default_resolution(weights: Any) -> dict[str, Any]:
    transform = weights.transforms()
    crop = getattr(transform, "crop_size", None)
    resize = getattr(transform, "resize_size", None)
    return {
        "transform": type(transform).__name__,
        "crop_size": list(crop) if crop is not None else None,
        "resize_size": list(resize) if resize is not None else None,
    }


def published_meta(weights: Any) -> dict[str, Any]:
    meta = {k: v for k, v in weights.meta.items() if k not in ("categories", "_docs")}
    meta["min_size"] = list(meta["min_size"]) if "min_size" in meta else None
    meta["num_categories"] = len(weights.meta["categories"])
    literal = ops_literal(weights)
    if literal is None or float(literal) != weights.meta["_ops"]:
        raise SystemExit(
            f"{weights}: the _ops literal {literal!r} is not meta['_ops'] {weights.meta['_ops']}"
        )
    meta["_ops_text"] = literal
    return meta


def notable_attributes(model: torch.nn.Module) -> dict[str, Any]:
    """The flags the builders set that change the graph (googlenet, inception_v3, deeplabv3)."""
    found = {}
    for attribute in ("transform_input", "aux_logits"):
        if hasattr(model, attribute):
            found[attribute] = bool(getattr(model, attribute))
    if hasattr(model, "aux_classifier"):
        found["aux_classifier"] = model.aux_classifier is not None
    return found


def reference(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(summary for the index, detail for NAME.json)."""
    weights = get_model_weights(name).DEFAULT
    resolution = default_resolution(weights)
    size = (resolution["crop_size"] or resolution["resize_size"])[0]
    model, built_on = build(name, "meta")
    params = sum(p.numel() for p in model.parameters())
    meta = published_meta(weights)
    if params != meta["num_params"]:
        raise SystemExit(f"{name}: built {params:,} parameters, torchvision publishes {meta['num_params']:,}")
    buffers = nbt = 0
    for buffer_name, buffer in model.named_buffers():
        if buffer_name.rsplit(".", 1)[-1] == NUM_BATCHES_TRACKED:
            nbt += buffer.numel()
        else:
            buffers += buffer.numel()
    macs, outputs, order = run_forward(model, size, "meta")
    types = {path: type(module).__name__ for path, module in model.named_modules()}
    position = {path: i for i, path in enumerate(types)}
    summary = {
        "name": name,
        "weights": str(weights),
        "resolution": resolution,
        "input": [1, 3, size, size],
        "meta": meta,
        "model_class": type(model).__name__,
        "attributes": notable_attributes(model),
        "params": params,
        "buffers": buffers,
        "num_batches_tracked": nbt,
        "macs": macs,
        "built_on": built_on,
        "modules": len(types),
        "state_dict_entries": len(model.state_dict()),
    }
    detail = {
        "name": name,
        "input": [1, 3, size, size],
        # Every module in registration order: path, class, the shapes of its outputs per call
        # (empty when the eval forward does not call it, e.g. inception_v3's AuxLogits).
        "modules": [[path, types[path], outputs.get(path, [])] for path in types],
        # The modules' indices (above) in the order of their first call.
        "call_order": [position[path] for path in order],
        "state_dict": [[key, list(value.shape)] for key, value in model.state_dict().items()],
    }
    return summary, detail


def check_cpu(name: str) -> dict[str, Any]:
    """Whether the meta-device run gives the CPU run's MACs and output shapes."""
    weights = get_model_weights(name).DEFAULT
    size = (default_resolution(weights)["crop_size"] or default_resolution(weights)["resize_size"])[0]
    meta_macs, meta_outputs, meta_order = run_forward(build(name, "meta")[0], size, "meta")
    cpu_macs, cpu_outputs, cpu_order = run_forward(build(name, "cpu")[0], size, "cpu")
    equal = meta_macs == cpu_macs and meta_outputs == cpu_outputs and meta_order == cpu_order
    if not equal:
        raise SystemExit(f"{name}: the meta device and the CPU disagree ({meta_macs} vs {cpu_macs} MACs)")
    return {"model": name, "macs": cpu_macs, "modules_compared": len(cpu_outputs), "equal": equal}


def write_json(path: str, data: Any) -> None:
    with open(path, "w", encoding="utf-8") as file:
        json.dump(data, file, separators=(",", ":"), ensure_ascii=False)
        file.write("\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="models to (re)write; default: all")
    parser.add_argument("--check-cpu", default="squeezenet1_1", help="model to run on the CPU too")
    options = parser.parse_args()
    names = options.models or MODELS
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        raise SystemExit(f"not in the list: {', '.join(unknown)}")
    os.makedirs(OUT_DIR, exist_ok=True)
    index_path = os.path.join(OUT_DIR, "index.json")
    index: dict[str, Any] = {"models": {}}
    if os.path.exists(index_path) and options.models:
        with open(index_path, encoding="utf-8") as file:
            index = json.load(file)
    for name in names:
        start = time.perf_counter()
        summary, detail = reference(name)
        index["models"][name] = summary
        write_json(os.path.join(OUT_DIR, f"{name}.json"), detail)
        print(
            f"{name:22} {summary['input'][2]:4d}px {summary['params']:>12,} params "
            f"{summary['macs']:>16,} MACs"
            f"  _ops {summary['meta']['_ops_text']:>8}  {time.perf_counter() - start:5.1f} s",
            flush=True,
        )
    index["models"] = {n: index["models"][n] for n in MODELS if n in index["models"]}
    index.update(
        {
            "generator": "scripts/torchvision_reference.py",
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
            "classification": CLASSIFICATION,
            "segmentation": SEGMENTATION,
            "macs": "torch.utils.flop_counter.FlopCounterMode total / 2, batch 1, meta device, eval mode",
            "cpu_check": check_cpu(options.check_cpu),
        }
    )
    ordered = {k: index[k] for k in sorted(index) if k != "models"} | {"models": index["models"]}
    with open(index_path, "w", encoding="utf-8") as file:
        json.dump(ordered, file, indent=1, ensure_ascii=False)
        file.write("\n")


if __name__ == "__main__":
    main()

"""Run the real peer counters on a module built by ``cnncalc export``: each returns the tool's total
and, where the tool reports one, its count per leaf module (module path = the spec's layer name).

Used by tests/test_count_peers.py and scripts/peer_counts.py (which writes docs/conventions.md's
table). Every tool runs in eval mode on zeros of the network's input shape."""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Any

import torch

from cnncalc.spec import Network
from cnncalc.torch_bridge import export_source


def exported_model(network: Network) -> tuple[Any, tuple[int, ...]]:
    """The module ``cnncalc export`` writes for ``network``, built from its source, in eval mode."""
    namespace: dict[str, Any] = {}
    exec(compile(export_source(network), f"<export {network.name}>", "exec"), namespace)
    return namespace["build_model"]().eval(), tuple(namespace["INPUT_SHAPE"])


def _leaves(model: Any) -> dict[Any, str]:
    return {m: name for name, m in model.named_modules() if name and not list(m.children())}


def run_torchinfo(model: Any, shape: tuple[int, ...], batch: int) -> tuple[int, dict[str, int]]:
    import torchinfo

    stats = torchinfo.summary(model, input_size=(batch, *shape), verbose=0, device="cpu")
    names = _leaves(model)
    per = {}
    for info in stats.summary_list:
        if info.module in names:
            per[names[info.module]] = per.get(names[info.module], 0) + int(info.macs)
    return int(stats.total_mult_adds), per


def run_fvcore(model: Any, shape: tuple[int, ...], batch: int) -> tuple[int, dict[str, int]]:
    from fvcore.nn import FlopCountAnalysis

    analysis = FlopCountAnalysis(model, torch.zeros(batch, *shape))
    analysis.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        total = int(analysis.total())
        by_module = analysis.by_module()
    return total, {name: int(by_module.get(name, 0)) for name in _leaves(model).values()}


def run_ptflops(model: Any, shape: tuple[int, ...], batch: int, backend: str = "pytorch") -> dict[str, int]:
    """ptflops' total, and (pytorch backend) the part its per-layer printout holds: the total with
    the functional patching turned off (``count_functional=False``)."""
    from ptflops import get_model_complexity_info

    def run(**config: Any) -> int:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            macs, _ = get_model_complexity_info(
                model,
                shape,
                as_strings=False,
                print_per_layer_stat=False,
                input_constructor=(lambda _: torch.zeros(batch, *shape)) if batch > 1 else None,
                backend=backend,
                backend_specific_config=config,
            )
        return int(macs)

    result = {"total": run()}
    if backend == "pytorch":
        result["modules"] = run(count_functional=False)
    return result


def run_ptflops_layers(model: Any, shape: tuple[int, ...], batch: int) -> dict[str, int]:
    """What ptflops' per-layer printout shows for each leaf module: its hook's count divided by the
    batch (ptflops.pytorch_engine's counting methods, as get_flops_pytorch uses them)."""
    from ptflops.pytorch_engine import add_flops_counting_methods

    counted = add_flops_counting_methods(model)
    counted.eval()
    counted.start_flops_count(ost=io.StringIO(), verbose=False, ignore_list=[])
    try:
        with torch.no_grad():
            counted(torch.zeros(batch, *shape))
        per = {
            name: module.__flops__ / counted.__batch_counter__
            for module, name in _leaves(model).items()
            if hasattr(module, "__flops__")
        }
    finally:
        counted.stop_flops_count()
    assert all(float(v).is_integer() for v in per.values())
    return {name: int(value) for name, value in per.items()}


def run_thop(model: Any, shape: tuple[int, ...], batch: int) -> tuple[int, dict[str, int]]:
    import thop

    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        total, _, tree = thop.profile(
            model, inputs=(torch.zeros(batch, *shape),), verbose=False, ret_layer_info=True
        )

    per: dict[str, int] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for name, (ops, _, children) in node.items():
            path = f"{prefix}{name}"
            if children:
                walk(children, path + ".")
            else:
                per[path] = int(ops)

    walk(tree, "")
    leaves = set(_leaves(model).values())
    return int(total), {k: v for k, v in per.items() if k in leaves}


def run_flop_counter(model: Any, shape: tuple[int, ...], batch: int) -> tuple[int, dict[str, int]]:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(batch, *shape))
    top = type(model).__name__
    per = {}
    for name in _leaves(model).values():
        counts = counter.get_flop_counts().get(f"{top}.{name}", {})
        per[name] = int(sum(counts.values()))
    return int(counter.get_total_flops()), per

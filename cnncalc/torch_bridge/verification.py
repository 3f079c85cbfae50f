"""``cnncalc verify``: build the network in PyTorch, run it, and compare with cnncalc's numbers.

Per layer: the output shape (forward hooks) and the parameters of the layer's module. Totals:
parameters, buffers and FLOPs (``torch.utils.flop_counter.FlopCounterMode``). On CUDA, memory
is measured too (``torch.cuda.max_memory_allocated``) and set beside the predictions of
:mod:`cnncalc.memory`.

``device='meta'`` runs on shapes only: nothing is allocated or computed, so every bundled network
checks in well under a second, with the same shapes, parameters and FLOPs as a real run.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from cnncalc.analysis import analyse
from cnncalc.errors import TorchMismatch, UsageError
from cnncalc.spec import LayerNode, Network, walk_nodes
from cnncalc.torch_bridge._torch import require_torch
from cnncalc.torch_bridge.modules import build
from cnncalc.torch_bridge.plan import BlockPlan

DEVICES = ("meta", "cpu", "cuda")
TORCH_DTYPES = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LayerCheck(_Model):
    """One spec layer (or merge) against its module."""

    index: int
    name: str
    type: str
    module: str | None = Field(description="Module path in PyTorch; None for an inline residual add.")
    expected_shape: list[int] = Field(description="Per sample, as PyTorch orders it (C, H, W).")
    actual_shape: list[int] | None
    expected_params: int
    actual_params: int | None
    shape_ok: bool
    params_ok: bool


class TotalCheck(_Model):
    """A whole-network count: cnncalc's against PyTorch's."""

    what: str
    expected: int
    actual: int
    ok: bool

    @computed_field  # type: ignore[prop-decorator]
    @property
    def delta(self) -> int:
        return self.actual - self.expected


class MemoryCheck(_Model):
    """A memory measurement (CUDA only), with cnncalc's prediction when it has one."""

    what: str
    predicted_bytes: int | None
    measured_bytes: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def relative_error(self) -> float | None:
        if self.predicted_bytes is None or self.measured_bytes == 0:
            return None
        return (self.predicted_bytes - self.measured_bytes) / self.measured_bytes


class VerifyResult(_Model):
    network: str
    device: str
    dtype: str
    batch: int
    torch_version: str
    layers: list[LayerCheck]
    totals: list[TotalCheck]
    memory: list[MemoryCheck] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        """True when every exact count matches (memory is an estimate and never fails this)."""
        return all(r.shape_ok and r.params_ok for r in self.layers) and all(t.ok for t in self.totals)

    def mismatches(self) -> list[str]:
        """One line per mismatch."""
        lines = [
            f"layer {r.index} '{r.name}': shape {r.expected_shape} vs {r.actual_shape}, "
            f"params {r.expected_params} vs {r.actual_params}"
            for r in self.layers
            if not (r.shape_ok and r.params_ok)
        ]
        lines += [f"{t.what}: cnncalc {t.expected:,} vs torch {t.actual:,}" for t in self.totals if not t.ok]
        return lines


def _merge_modules(plan: BlockPlan) -> dict[str, str]:
    """Spec name of each concat and scoped residual -> the module path that outputs it."""
    found: dict[str, str] = {}
    for block in plan.blocks():
        if block.merge_name is not None:
            found[block.merge_name] = block.path
    return found


@dataclass
class _Run:
    """What one hooked forward pass saw: per-sample output shapes by spec name, the output, FLOPs."""

    shapes: dict[str, list[int]]
    output_shape: list[int]
    flops: int


def _run_hooked(
    model: Any, paths: dict[str, str], x: Any, device: str, dtype: str, flop_counter: type
) -> _Run:
    """Forward ``x`` with a hook on every module in ``paths`` (spec name -> module path) and on
    every inline residual addition, under FlopCounterMode."""
    torch = require_torch()
    shapes: dict[str, list[int]] = {}
    running = [""]  # the layer being run, for error messages

    def observe(name: str, output: Any) -> None:
        shapes[name] = list(output.shape[1:])

    handles = []
    callers: dict[str, list[str]] = {}  # module path -> the layers calling it, in order (shares)
    for name, path in paths.items():
        callers.setdefault(path, []).append(name)
    for path, names in callers.items():
        module = model.get_submodule(path)
        calls = [0]

        def which(names: list[str] = names, calls: list[int] = calls) -> str:
            return names[min(calls[0], len(names) - 1)]

        def after(_m: Any, _i: Any, out: Any, which: Any = which, calls: list[int] = calls) -> None:
            observe(which(), out)
            calls[0] += 1

        handles.append(
            module.register_forward_pre_hook(lambda _m, _i, which=which: running.__setitem__(0, which()))
        )
        handles.append(module.register_forward_hook(after))
    observers = [m for m in model.modules() if hasattr(m, "merge_observer")]
    for module in observers:
        module.merge_observer = observe
    counter = flop_counter(display=False)
    try:
        with warnings.catch_warnings(), torch.no_grad(), counter:
            warnings.simplefilter("ignore", UserWarning)
            out = model(x)
    except (RuntimeError, NotImplementedError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(
            f"PyTorch cannot run layer '{running[0]}' on {device} in {dtype}: {first}",
            hint="try --dtype fp32, --device meta (shapes only) or --device cuda",
        ) from None
    except Exception as exc:  # torch refused what the analysis accepted: a mismatch, not a crash
        raise torch_mismatch(exc, running[0]) from None
    finally:
        for handle in handles:
            handle.remove()
        for module in observers:
            module.merge_observer = None
    return _Run(shapes, list(out.shape[1:]), int(counter.get_total_flops()))


def torch_mismatch(exc: Exception, layer: str | None = None) -> TorchMismatch:
    """The error for a PyTorch exception on a network cnncalc accepted."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    where = f" in layer '{layer}'" if layer else ""
    return TorchMismatch(
        f"PyTorch refused the network{where}: {type(exc).__name__}: {first}",
        hint="cnncalc's analysis accepted this network and PyTorch did not: a mismatch; "
        "please report it with the spec",
    )


def _total(what: str, expected: int, actual: int) -> TotalCheck:
    return TotalCheck(what=what, expected=expected, actual=actual, ok=expected == actual)


def verify(
    network: Network,
    *,
    device: str = "meta",
    batch: int = 1,
    dtype: str = "fp32",
    optimizer: str = "adam",
    memory: bool = False,
) -> VerifyResult:
    """Run ``network`` in PyTorch on ``device`` ('meta', 'cpu' or 'cuda') and compare. Memory is
    measured on CUDA always, on CPU with ``memory`` (an allocation tracker); the training step
    uses ``optimizer``."""
    torch = require_torch()
    if device not in DEVICES:
        raise UsageError(f"device must be one of {', '.join(DEVICES)}, got '{device}'")
    if dtype not in TORCH_DTYPES:
        raise UsageError(f"dtype must be one of {', '.join(TORCH_DTYPES)} for verify, got '{dtype}'")
    if device == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda: no CUDA GPU is available to PyTorch", hint="use --device cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # e.g. "Failed to initialize NumPy"
        from torch.utils.flop_counter import FlopCounterMode

    report = analyse(network, batch=batch, dtype=dtype)
    torch_dtype = getattr(torch, TORCH_DTYPES[dtype])
    with torch.device(device):
        built = build(network)
    model = built.module.to(dtype=torch_dtype).eval()
    layer_paths = {plan.node.name: path for path, plan in built.plan.layers() if not plan.is_parameter}
    sharers = {
        node.name: layer_paths[node.shares]
        for node in walk_nodes(network.body)
        if isinstance(node, LayerNode) and node.shares in layer_paths
    }
    layer_paths.update(sharers)  # a module called again: its second call's output is that layer's
    paths = {**layer_paths, **_merge_modules(built.plan)}  # hooked; a block's parameters are observed
    parameters = {plan.node.name: path for path, plan in built.plan.layers() if plan.is_parameter}
    x = torch.randn(batch, *network.input.torch_dims(), dtype=torch_dtype, device=device)
    run = _run_hooked(model, paths, x, device, dtype, FlopCounterMode)
    if any(not row.inference for row in report.layers):
        # a training-only head runs in training mode only: its shapes from such a pass (batch ≥ 2,
        # as BatchNorm needs in training); the FLOPs compared stay the eval pass's
        model.train()
        x2 = torch.randn(max(batch, 2), *network.input.torch_dims(), dtype=torch_dtype, device=device)
        trained = _run_hooked(model, paths, x2, device, dtype, FlopCounterMode)
        model.eval()
        run.shapes.update({k: v for k, v in trained.shapes.items() if k not in run.shapes})

    rows = []
    for row in report.layers:
        path = paths.get(row.name, parameters.get(row.name))
        # a layer's own parameters; a merge module (concat, named residual) has none of its own
        if row.name in parameters:  # a parameter its block holds (layer scale)
            own = [model.get_parameter(parameters[row.name])]
        elif row.name in sharers:  # its parameters are the shared module's, counted there
            own = []
        elif path is not None:
            own = model.get_submodule(path).parameters(recurse=row.row_kind == "layer")
        else:
            own = None
        actual_params = None if own is None else sum(p.numel() for p in own)
        expected_shape = row.output_shape.shape().torch_dims()
        rows.append(
            LayerCheck(
                index=row.index,
                name=row.name,
                type=row.type,
                module=path,
                expected_shape=expected_shape,
                actual_shape=run.shapes.get(row.name),
                expected_params=row.params,
                actual_params=actual_params,
                shape_ok=run.shapes.get(row.name) == expected_shape,
                params_ok=row.params == (actual_params or 0),
            )
        )
    totals = [
        _total("params", report.totals.params, sum(p.numel() for p in model.parameters())),
        _total("buffers", report.totals.buffers, sum(b.numel() for b in model.buffers())),
        _total(f"FLOPs (batch {batch})", report.totals.flops_batch, run.flops),
        TotalCheck(
            what="output elements",
            expected=report.output.elements,
            actual=math.prod(run.output_shape),
            ok=run.output_shape == report.output.shape().torch_dims(),
        ),
    ]
    del model, built, x  # free the GPU before measuring memory on a fresh model
    if device == "cuda":
        checks = _cuda_memory(network, batch, dtype, optimizer)
    elif device == "cpu" and memory:
        checks = _cpu_memory(network, batch, dtype, optimizer)
    else:
        checks = []
    return VerifyResult(
        network=network.name,
        device=device,
        dtype=dtype,
        batch=batch,
        torch_version=str(torch.__version__),
        layers=rows,
        totals=totals,
        memory=checks,
    )


def training_loss(model: Any, output: Any) -> Any:
    """The loss the memory measurements (and predictions) assume: the sum of the output plus the
    sums of the side outputs (auxiliary heads) the forward pass left in ``side_outputs``."""
    loss = output.float().sum()
    for module in model.modules():
        for side in getattr(module, "side_outputs", {}).values():
            loss = loss + side.float().sum()
    return loss


def _fresh_cuda(torch: Any) -> int:
    """Free cached blocks and cuBLAS workspaces so the next peak includes them; the baseline."""
    torch.cuda.synchronize()
    clear = getattr(torch._C, "_cuda_clearCublasWorkspaces", None)
    if clear is not None:
        clear()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    return int(torch.cuda.memory_allocated())


def measure_cuda_memory(
    network: Network, batch: int, dtype: str, optimizer: str = "adam"
) -> dict[str, int | None]:
    """Measured CUDA memory in bytes, as :mod:`cnncalc.memory` predicts it (needs a GPU):

    * ``state``: allocated by moving the freshly built model to the GPU (parameters + buffers);
    * ``inference``: peak above that during a no-grad forward pass, the input included;
    * ``training``: peak above that during one step — forward in train mode, backward of
      :func:`training_loss`, ``optimizer.step()`` — starting with no gradients and no optimizer
      state.

    cuBLAS workspaces are freed before each run, so both peaks include them, as predicted.
    ``training`` is None when there is nothing to train (no parameters) or PyTorch refuses the
    step (BatchNorm on a flat vector at batch 1). Otherwise the step's phases are there too:
    ``forward_peak``, ``backward_peak``, ``step_peak`` and what is still allocated after each
    (``after_forward``, ``after_backward``, ``after_step``); ``training`` is the largest peak;
    ``steady`` the peak of a second step after ``zero_grad(set_to_none=True)``.
    """
    torch = require_torch()
    from cnncalc.memory import OPTIMIZERS

    torch_dtype = getattr(torch, TORCH_DTYPES[dtype])
    cuda = torch.device("cuda")
    dims = network.input.torch_dims()
    base = _fresh_cuda(torch)
    model = build(network).module.to(device=cuda, dtype=torch_dtype)
    torch.cuda.synchronize()
    state = int(torch.cuda.memory_allocated()) - base

    model.eval()
    start = _fresh_cuda(torch)
    with torch.no_grad():
        x = torch.randn(batch, *dims, device=cuda, dtype=torch_dtype)
        model(x)
    torch.cuda.synchronize()
    inference = int(torch.cuda.max_memory_allocated()) - start
    del x

    model.train()
    if not any(True for _ in model.parameters()):  # nothing to train (pooling only)
        del model
        _fresh_cuda(torch)
        return {"state": state, "inference": inference, "training": None}
    spec = OPTIMIZERS[optimizer]
    opt = getattr(torch.optim, spec.torch_class)(model.parameters(), lr=1e-3, **spec.torch_kwargs)
    start = _fresh_cuda(torch)
    x = torch.randn(batch, *dims, device=cuda, dtype=torch_dtype)
    result: dict[str, int | None] = {"state": state, "inference": inference, "training": None}

    def phase(name: str) -> None:  # the peak since the last phase, and what is still allocated
        torch.cuda.synchronize()
        result[f"{name}_peak"] = int(torch.cuda.max_memory_allocated()) - start
        result[f"after_{name}"] = int(torch.cuda.memory_allocated()) - start
        torch.cuda.reset_peak_memory_stats()

    try:
        loss = training_loss(model, model(x))
        phase("forward")
        loss.backward()
        del loss
        phase("backward")
        opt.step()
        phase("step")
        result["training"] = max(int(result[f"{name}_peak"] or 0) for name in ("forward", "backward", "step"))
        opt.zero_grad(set_to_none=True)  # a second step, as every later one runs
        training_loss(model, model(x)).backward()
        opt.step()
        torch.cuda.synchronize()
        result["steady"] = int(torch.cuda.max_memory_allocated()) - start
    except ValueError:  # e.g. BatchNorm on a flat vector refuses a batch of 1 in train mode
        pass
    del model, opt, x
    _fresh_cuda(torch)
    return result


def _cpu_memory(network: Network, batch: int, dtype: str, optimizer: str) -> list[MemoryCheck]:
    """Tracked CPU peaks beside the predictions without the GPU workspaces."""
    from cnncalc.memory import predict_memory
    from cnncalc.torch_bridge.tracking import measure_cpu_memory

    measured = measure_cpu_memory(network, batch, dtype, optimizer)
    checks = []
    for what, train in (("inference peak (no grad)", False), (f"training step peak ({optimizer})", True)):
        estimate = predict_memory(
            network, batch=batch, dtype=dtype, train=train, optimizer=optimizer, workspaces=False
        )
        checks.append(
            MemoryCheck(
                what=what,
                predicted_bytes=estimate.peak_above_state,
                measured_bytes=measured["training" if train else "inference"],
            )
        )
    return checks


def _cuda_memory(network: Network, batch: int, dtype: str, optimizer: str = "adam") -> list[MemoryCheck]:
    from cnncalc.memory import predict_memory

    measured = measure_cuda_memory(network, batch, dtype, optimizer)
    inference = predict_memory(network, batch=batch, dtype=dtype, train=False)
    training = predict_memory(network, batch=batch, dtype=dtype, train=True, optimizer=optimizer)
    checks = [
        MemoryCheck(
            what="parameters + buffers",
            predicted_bytes=inference.state_bytes,
            measured_bytes=measured["state"] or 0,
        ),
        MemoryCheck(
            what="inference peak (no grad)",
            predicted_bytes=inference.peak_above_state,
            measured_bytes=measured["inference"] or 0,
        ),
    ]
    if measured["training"] is not None:
        checks.append(
            MemoryCheck(
                what=f"training step peak ({optimizer})",
                predicted_bytes=training.peak_above_state,
                measured_bytes=measured["training"],
            )
        )
        checks.append(
            MemoryCheck(
                what=f"later steps peak ({optimizer})",
                predicted_bytes=training.steady_peak_above_state,
                measured_bytes=measured["steady"] or 0,
            )
        )
    return checks

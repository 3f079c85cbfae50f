"""Memory measured without a GPU: a dispatch mode that sees every tensor storage an op creates,
rounds it to the CUDA caching allocator's 512-byte blocks, and keeps the peak of what is alive.

On CPU this checks the structure of :mod:`cnncalc.memory` — what autograd keeps, when backward
frees it, the optimizer's state and temporaries — without CUDA's specifics (cuDNN and cuBLAS
workspaces, fused dropout, max-pool indices computed without grad).
"""

from __future__ import annotations

import weakref
from functools import cache
from typing import Any

from cnncalc.memory import OPTIMIZERS, block_bytes
from cnncalc.spec import Network
from cnncalc.torch_bridge._torch import require_torch
from cnncalc.torch_bridge.modules import build


@cache
def _tracker_class() -> type:
    torch = require_torch()
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_flatten

    class AllocationTracker(TorchDispatchMode):
        """Live bytes of the storages ops create (views, in-place results and the ``known``
        tensors' storages are not new), and their peak."""

        def __init__(self, known: list[Any]) -> None:
            super().__init__()
            self.known = {t.untyped_storage().data_ptr() for t in known}
            self.live: dict[int, int] = {}
            self.current = 0
            self.peak = 0

        def _free(self, key: int) -> None:
            self.current -= self.live.pop(key)

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            out = func(*args, **(kwargs or {}))
            for tensor in tree_flatten(out)[0]:
                if not isinstance(tensor, torch.Tensor):
                    continue
                storage = tensor.untyped_storage()
                key = storage.data_ptr()
                if key in self.live or key in self.known or not storage.nbytes():
                    continue
                self.live[key] = block_bytes(storage.nbytes())
                self.current += self.live[key]
                self.peak = max(self.peak, self.current)
                weakref.finalize(storage, self._free, key)
            return out

    return AllocationTracker


def allocation_tracker(known: list[Any]) -> Any:
    """A context manager whose ``peak`` is the largest total of live storages created inside it."""
    return _tracker_class()(known)


def measure_cpu_memory(
    network: Network, batch: int, dtype: str = "fp32", optimizer: str = "adam"
) -> dict[str, int]:
    """Peaks above the model state on CPU, tracked as above: ``inference`` (a no-grad forward
    pass) and ``training`` (forward in train mode, backward of the training loss, one foreach
    optimizer step), each including its input batch, as :func:`cnncalc.memory.predict_memory`
    counts them (less the GPU workspaces)."""
    torch = require_torch()
    from cnncalc.torch_bridge.verification import TORCH_DTYPES, training_loss

    torch_dtype = getattr(torch, TORCH_DTYPES[dtype])
    model = build(network).module.to(dtype=torch_dtype)
    state = [*model.parameters(), *model.buffers()]
    dims = network.input.torch_dims()

    # The input is made before tracking (torch.randn allocates a small scalar of its own) and
    # added: the predictions count the caller's input.
    x = torch.randn(batch, *dims, dtype=torch_dtype)
    input_bytes = block_bytes(x.untyped_storage().nbytes())

    model.eval()
    tracker = allocation_tracker([*state, x])
    with torch.no_grad(), tracker:
        model(x)
    inference = tracker.peak + input_bytes

    model.train()
    spec = OPTIMIZERS[optimizer]
    params = list(model.parameters())
    opt = (
        getattr(torch.optim, spec.torch_class)(params, lr=1e-3, foreach=True, **spec.torch_kwargs)
        if params
        else None
    )
    tracker = allocation_tracker([*state, x])
    with tracker:
        if opt is None:  # nothing to train: the forward pass in train mode
            model(x)
        else:  # the output is not held: it is freed once the loss is computed
            training_loss(model, model(x)).backward()
            opt.step()
    return {"inference": inference, "training": tracker.peak + input_bytes}

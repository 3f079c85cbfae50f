"""The memory model against PyTorch on CPU: 'saved activations' against what autograd really
keeps, and the inference and training-step peaks against the tensors a dispatch-mode tracker sees
alive (every storage an op creates, rounded to 512-byte blocks, until it is freed).

``torch.autograd.graph.saved_tensors_hooks`` sees every tensor an op saves for backward during a
training-mode forward pass; distinct storages (parameters, buffers and the caller's input left
out), each rounded to 512-byte blocks, must add up to cnncalc's prediction exactly. This checks the
per-layer table ``SAVED_FOR_BACKWARD`` and the rule that layers before the first weights save
nothing, without a GPU.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator

import pytest

import cnncalc
from cnncalc.memory import MASK_BYTES, block_bytes, predict_memory
from cnncalc.spec import LayerNode, MergeNode, SequenceNode

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from specs import COVERAGE_SPECS  # noqa: E402
from torch.utils._python_dispatch import TorchDispatchMode  # noqa: E402
from torch.utils._pytree import tree_flatten  # noqa: E402

from cnncalc.torch_bridge import build_module  # noqa: E402
from cnncalc.torch_bridge.verification import training_loss  # noqa: E402

BATCH = 2


def _layer_nodes(node: SequenceNode | MergeNode | LayerNode) -> Iterator[LayerNode]:
    if isinstance(node, LayerNode):
        yield node
        return
    for child in node.children if isinstance(node, SequenceNode) else node.branches:
        yield from _layer_nodes(child)


def autograd_saved_bytes(network: cnncalc.Network) -> tuple[int, bool]:
    """Bytes of the distinct activation tensors autograd saves, and whether the output is one."""
    module = build_module(network).train()
    x = torch.randn(BATCH, *network.input.torch_dims())
    skip = {t.untyped_storage().data_ptr() for t in (*module.parameters(), *module.buffers(), x)}
    saved: dict[int, int] = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in skip and storage.nbytes():
            saved[storage.data_ptr()] = block_bytes(storage.nbytes())
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        out = module(x)
    return sum(saved.values()), out.untyped_storage().data_ptr() in saved


@pytest.mark.parametrize("name", sorted(COVERAGE_SPECS))
def test_saved_activations_match_autograd(name: str) -> None:
    network = cnncalc.load(COVERAGE_SPECS[name])
    estimate = predict_memory(network, batch=BATCH, train=True)
    input_bytes = block_bytes(network.input.numel * BATCH * 4)
    output_bytes = block_bytes(cnncalc.analyse(network).output.elements * BATCH * 4)
    measured, output_saved = autograd_saved_bytes(network)
    # the prediction includes the caller's input and the network's output
    predicted = estimate.term("saved_activations") - input_bytes - (0 if output_saved else output_bytes)
    elements = {row.name: row.activation_elements for row in cnncalc.analyse(network).layers}
    for node in _layer_nodes(network.body):
        if node.layer.type == "dropout" and not node.layer.channelwise:  # type: ignore[attr-defined]
            # CPU has no fused dropout: it keeps a float noise tensor where CUDA keeps a bool mask
            n = elements[node.name] * BATCH
            predicted += block_bytes(n * 4) - block_bytes(n * MASK_BYTES)
    assert predicted == measured


class _AllocationTracker(TorchDispatchMode):
    """Every tensor storage an op creates, in 512-byte blocks, until it is freed; the peak."""

    def __init__(self, known: list[torch.Tensor]) -> None:
        super().__init__()
        # parameters, buffers and the caller's input exist before: views of them are not new
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
                continue  # a view, or an in-place result
            self.live[key] = block_bytes(storage.nbytes())
            self.current += self.live[key]
            self.peak = max(self.peak, self.current)
            weakref.finalize(storage, self._free, key)
        return out


@pytest.mark.parametrize("name", sorted(COVERAGE_SPECS))
def test_inference_forward_peak_matches_the_tensors_alive(name: str) -> None:
    network = cnncalc.load(COVERAGE_SPECS[name])
    module = build_module(network).eval()
    x = torch.randn(4, *network.input.torch_dims())
    tracker = _AllocationTracker([*module.parameters(), *module.buffers(), x])
    with torch.no_grad(), tracker:
        module(x)
    estimate = predict_memory(network, batch=4)
    # the caller's input is part of the prediction, allocated before the tracker starts
    assert estimate.term("forward_peak") - block_bytes(x.numel() * 4) == tracker.peak


@pytest.mark.parametrize("name", sorted(set(COVERAGE_SPECS) - {"pooling"}))  # 'pooling' has no weights
def test_training_step_peak_matches_the_tensors_alive(name: str) -> None:
    """Forward, backward of the training loss, then a foreach Adam step, as on the GPU. CPU and
    CUDA kernels differ (workspaces, unfused dropout, max-pool indices without grad), so this checks
    the structure of the model (what autograd keeps, when backward frees it), not CUDA's numbers."""
    network = cnncalc.load(COVERAGE_SPECS[name])
    module = build_module(network).train()
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3, foreach=True)
    x = torch.randn(4, *network.input.torch_dims())
    tracker = _AllocationTracker([*module.parameters(), *module.buffers(), x])
    with tracker:
        training_loss(module, module(x)).backward()
        optimizer.step()
    estimate = predict_memory(network, batch=4, train=True, optimizer="adam")
    predicted = estimate.peak_above_state - estimate.term("cublas_workspace") - block_bytes(x.numel() * 4)
    assert predicted == tracker.peak

"""The memory model against PyTorch on CPU: 'saved activations' against what autograd really
keeps, and the inference and training-step peaks against the tensors a dispatch-mode tracker sees
alive (``cnncalc.torch_bridge.tracking``: every storage an op creates, rounded to 512-byte blocks,
until it is freed).

``torch.autograd.graph.saved_tensors_hooks`` sees every tensor an op saves for backward during a
training-mode forward pass; distinct storages (parameters, buffers and the caller's input left
out), each rounded to 512-byte blocks, must add up to cnncalc's prediction exactly. This checks the
per-layer table ``SAVED_FOR_BACKWARD`` and the rule that layers before the first weights save
nothing, without a GPU.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import cnncalc
from cnncalc.memory import MASK_BYTES, block_bytes, predict_memory
from cnncalc.spec import LayerNode, MergeNode, SequenceNode, SideNode, TapNode

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from specs import COVERAGE_SPECS, INLINE_YAML, INPUT_REFERENCE_YAML, TAPS_YAML, TRAIN_ONLY_YAML  # noqa: E402

from cnncalc.torch_bridge import build_module, verify  # noqa: E402
from cnncalc.torch_bridge.tracking import measure_cpu_memory  # noqa: E402

BATCH = 2
FILES = {
    "inline-merges": INLINE_YAML,
    "train-only-head": TRAIN_ONLY_YAML,
    "taps": TAPS_YAML,
    "input-reference": INPUT_REFERENCE_YAML,
}
SPECS = sorted([*COVERAGE_SPECS, *FILES])


def _load(name: str) -> cnncalc.Network:
    if name in FILES:
        return cnncalc.parse_spec_text(FILES[name], f"{name}.yaml")
    return cnncalc.load(COVERAGE_SPECS[name])


def _layer_nodes(node: SequenceNode | MergeNode | LayerNode) -> Iterator[LayerNode]:
    if isinstance(node, LayerNode):
        yield node
        return
    if isinstance(node, SequenceNode):
        children = node.children
    elif isinstance(node, TapNode):
        return
    else:  # a merge's branches, or a side output's branch
        children = node.branches if isinstance(node, MergeNode) else (node.branch,)
    for child in children:
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


@pytest.mark.parametrize("name", SPECS)
def test_saved_activations_match_autograd(name: str) -> None:
    network = _load(name)
    estimate = predict_memory(network, batch=BATCH, train=True)
    input_bytes = block_bytes(network.input.numel * BATCH * 4)
    output_bytes = block_bytes(cnncalc.analyse(network).output.elements * BATCH * 4)
    measured, output_saved = autograd_saved_bytes(network)
    # the prediction includes the caller's input and the network's output
    predicted = estimate.term("saved_activations") - input_bytes - (0 if output_saved else output_bytes)
    elements = {row.name: row.activation_elements for row in cnncalc.analyse(network).layers}
    # ... and the outputs of the side heads, kept in side_outputs (no layer saves them)
    for side in (c for c in network.body.children if isinstance(c, SideNode)):
        last = side.branch.children[-1]
        predicted -= block_bytes(elements[last.name] * BATCH * 4)  # type: ignore[union-attr]
    for node in _layer_nodes(network.body):
        if node.layer.type == "dropout" and not node.layer.channelwise:  # type: ignore[attr-defined]
            # CPU has no fused dropout: it keeps a float noise tensor where CUDA keeps a bool mask
            n = elements[node.name] * BATCH
            predicted += block_bytes(n * 4) - block_bytes(n * MASK_BYTES)
    assert predicted == measured


@pytest.mark.parametrize("name", SPECS)
def test_inference_forward_peak_matches_the_tensors_alive(name: str) -> None:
    network = _load(name)
    measured = measure_cpu_memory(network, batch=4)["inference"]
    assert predict_memory(network, batch=4, workspaces=False).term("forward_peak") == measured


@pytest.mark.parametrize("name", sorted(set(SPECS) - {"pooling"}))  # 'pooling' has no weights
def test_training_step_peak_matches_the_tensors_alive(name: str) -> None:
    """Forward, backward of the training loss, then a foreach Adam step, as on the GPU. CPU and
    CUDA kernels differ (workspaces, unfused dropout, max-pool indices without grad), so this checks
    the structure of the model (what autograd keeps, when backward frees it), not CUDA's numbers."""
    network = _load(name)
    measured = measure_cpu_memory(network, batch=4, optimizer="adam")["training"]
    estimate = predict_memory(network, batch=4, train=True, optimizer="adam", workspaces=False)
    assert estimate.peak_above_state == measured


def test_verify_on_cpu_sets_tracked_memory_beside_the_predictions() -> None:
    result = verify(cnncalc.load(COVERAGE_SPECS["residual"]), device="cpu", batch=4, memory=True)
    assert [(m.what, m.relative_error) for m in result.memory] == [
        ("inference peak (no grad)", 0.0),
        ("training step peak (adam)", 0.0),
    ]

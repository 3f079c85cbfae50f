"""Build the PyTorch module of a network, in memory, from its :mod:`plan <cnncalc.torch_bridge.plan>`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from cnncalc.layers import CNNCALC_MODULES, TorchCall
from cnncalc.spec import Network
from cnncalc.torch_bridge._torch import require_torch, reserved_names
from cnncalc.torch_bridge.plan import (
    AddStep,
    BlockPlan,
    ConcatStep,
    GateStep,
    LayerPlan,
    Load,
    Save,
    ScaleStep,
    SideStep,
    Step,
    make_plan,
)

MergeObserver = Callable[[str, Any], None]


@cache
def _module_classes() -> tuple[type, type]:
    """The two container classes, defined once torch is imported."""
    torch = require_torch()
    nn = torch.nn

    class SpecSequence(nn.Module):
        """Runs its steps in order: children, its own parameters (layer scale), inline residual
        additions, and side outputs (kept in ``side_outputs`` by name). ``merge_observer`` sees
        each step's result that no submodule's hook can: merges and parameters."""

        def __init__(self, steps: tuple[Step, ...]) -> None:
            super().__init__()
            self.steps = steps
            self.merge_observer: MergeObserver | None = None
            self.side_outputs: dict[str, Any] = {}

        def run(self, steps: tuple[Step, ...], x: Any, saved: dict[str, Any]) -> Any:
            # ``saved``: the outputs ``from:`` references read, for one forward pass
            module = self.get_submodule  # a key may be a path: an inlined block's child
            for step in steps:
                if isinstance(step, ScaleStep):
                    x = self.get_parameter(step.key) * x
                    self.observe(step.name, x)
                elif isinstance(step, AddStep):
                    identity = x
                    x = self.run(step.body, x, saved)
                    shortcut = identity if step.shortcut is None else module(step.shortcut)(identity)
                    x = x + shortcut
                    self.observe(step.name, x)
                elif isinstance(step, ConcatStep):
                    x = self.merged(step, x, saved)
                    self.observe(step.name, x)
                elif isinstance(step, GateStep):
                    # no local name for the scale: it would stay alive to the end of the block
                    x = x * (module(step.gate)(x) if step.gate is not None else self.run(step.body, x, saved))
                    self.observe(step.name, x)
                elif isinstance(step, SideStep):
                    if self.training or not step.train_only:
                        head = self.run(step.body, x, saved) if not step.key else module(step.key)(x)
                        self.side_outputs[step.name] = head
                elif isinstance(step, Save):
                    saved[step.name] = x
                elif isinstance(step, Load):
                    x = saved.pop(step.name) if step.last else saved[step.name]
                else:
                    if step.flatten_first:
                        x = torch.flatten(x, 1)
                    x = module(step.key)(x)
            return x

        def merged(self, step: ConcatStep, x: Any, saved: dict[str, Any]) -> Any:
            """The branches' outputs merged (they are freed on return, as the memory model says)."""
            parts = [self.run(branch, x, saved) for branch in step.branches]
            if step.op == "concat":
                return torch.cat(parts, dim=1)
            merged = parts[0]
            for part in parts[1:]:
                merged = merged + part if step.op == "add" else merged * part
            return merged

        def observe(self, name: str, x: Any) -> None:
            if self.merge_observer is not None:
                self.merge_observer(name, x)

        def forward(self, x: Any) -> Any:
            return self.run(self.steps, x, {})

    class SpecConcat(nn.Module):
        """Runs every branch on the same input and concatenates the results along channels."""

        def forward(self, x: Any) -> Any:
            return torch.cat([branch(x) for branch in self.children()], dim=1)

    return SpecSequence, SpecConcat


def layer_class(call: TorchCall) -> Any:
    """The module class a layer kind names: ``torch.nn.<cls>``, or one of cnncalc's small modules
    (:mod:`cnncalc.torch_bridge.extra_modules`) when ``call.origin`` says so."""
    nn = require_torch().nn
    if call.origin == CNNCALC_MODULES:
        from cnncalc.torch_bridge.extra_modules import CLASSES

        cls = CLASSES.get(call.cls)
    else:
        cls = getattr(nn, call.cls, None)
    if cls is None:
        raise NotImplementedError(f"{call.origin} has no module class '{call.cls}'")
    return cls


def _layer_module(plan: LayerPlan) -> Any:
    return layer_class(plan.call)(**plan.call.kwargs)


def module_from_plan(block: BlockPlan) -> Any:
    """The ``nn.Module`` of one block of a plan (recursively)."""
    sequence_cls, concat_cls = _module_classes()
    module = concat_cls() if block.mode == "concat" else sequence_cls(block.steps)
    for child in block.children:
        if isinstance(child, LayerPlan) and child.is_parameter:  # the block holds the parameter
            module.register_parameter(child.key, getattr(_layer_module(child), child.call.scale_parameter))
            continue
        built = _layer_module(child) if isinstance(child, LayerPlan) else module_from_plan(child)
        module.add_module(child.key, built)
    return module


@dataclass(frozen=True)
class Built:
    """A built module with its plan (to find each spec layer's module path)."""

    module: Any
    plan: BlockPlan


def build(network: Network) -> Built:
    """The module and its plan."""
    plan = make_plan(network, reserved_names())
    return Built(module_from_plan(plan), plan)


def build_module(network: Network) -> Any:
    """An ``nn.Module`` equivalent to ``network``: submodules follow the spec's scopes and a
    layer's attribute path is its qualified name (``layer1.0.conv1``). Build it under
    ``torch.device('meta')`` to skip allocating weights."""
    return build(network).module

"""``cnncalc export --to torch``: the plan of a network as a readable, runnable Python module.

One class per distinct block (identical blocks, such as repeated ResNet blocks with the same
channels, share a class), keyword arguments equal to PyTorch's defaults left out, and an explicit
``forward`` per class in the style of torchvision.
"""

from __future__ import annotations

import inspect
import keyword
import re
from datetime import date
from typing import Any

from cnncalc.spec import Network
from cnncalc.torch_bridge._torch import require_torch, reserved_names
from cnncalc.torch_bridge.plan import AddStep, BlockPlan, LayerPlan, SideStep, Step, make_plan

_INDENT = "    "


def _is_attribute(key: str) -> bool:
    return key.isidentifier() and not keyword.iskeyword(key)


def _ref(key: str) -> str:
    """How ``forward`` reaches a child: ``self.conv1`` or ``getattr(self, "0")``."""
    return f"self.{key}" if _is_attribute(key) else f"getattr(self, {key!r})"


def _assign(key: str, value: str) -> str:
    return f"self.{key} = {value}" if _is_attribute(key) else f"self.add_module({key!r}, {value})"


def _class_name(path: str, fallback: str) -> str:
    words = [w for w in re.split(r"[^0-9A-Za-z]+", path) if w]
    name = ""
    for word in words:  # layer1.0 -> Layer1_0: a digit after a digit gets a separator
        if name and name[-1].isdigit() and word[0].isdigit():
            name += "_"
        name += word[:1].upper() + word[1:]
    name = name or fallback
    if name[0].isdigit():
        name = f"{fallback}{name}"
    return name


class _Writer:
    def __init__(self, defaults: dict[str, dict[str, Any]]):
        self.defaults = defaults
        self.classes: list[str] = []  # class source texts, dependencies first
        self.by_body: dict[str, str] = {}  # class body -> class name
        self.names: set[str] = set()

    # -- layers ---------------------------------------------------------------------------------
    def layer_expr(self, plan: LayerPlan) -> str:
        cls = plan.call.cls
        defaults = self.defaults.setdefault(cls, _signature_defaults(cls))
        args = [
            f"{k}={_literal(v)}"
            for k, v in plan.call.kwargs.items()
            if not (k in defaults and _same(defaults[k], v))
        ]
        return f"nn.{cls}({', '.join(args)})"

    # -- blocks ---------------------------------------------------------------------------------
    def block(self, block: BlockPlan, fallback: str) -> str:
        """Write the class of ``block`` (and of its sub-blocks); return the class name."""
        init = []
        for child in block.children:
            if isinstance(child, LayerPlan):
                init.append(_assign(child.key, self.layer_expr(child)))
            else:
                child_name = self.block(child, "Block")
                init.append(_assign(child.key, f"{child_name}()"))
        if _has_side(block.steps):
            init.append("self.side_outputs: dict[str, torch.Tensor] = {}  # auxiliary heads, by name")
        if block.mode == "concat":
            branches = ", ".join(f"{_ref(c.key)}(x)" for c in block.children)
            forward = [f"return torch.cat([{branches}], dim=1)"]
        else:
            forward = [*self.steps(block.steps, [0]), "return x"]
        doc = f'"""{_describe(block)}"""'
        body = "\n".join(
            [
                f"{_INDENT}def __init__(self) -> None:",
                f"{_INDENT * 2}super().__init__()",
                *(f"{_INDENT * 2}{line}" for line in init),
                "",
                f"{_INDENT}def forward(self, x: torch.Tensor) -> torch.Tensor:",
                *(f"{_INDENT * 2}{line}" for line in forward),
            ]
        )
        if body in self.by_body:
            return self.by_body[body]
        name = _class_name(block.path, fallback)
        candidate, n = name, 1
        while candidate in self.names:
            n += 1
            candidate = f"{name}_{n}"
        self.names.add(candidate)
        self.by_body[body] = candidate
        self.classes.append(f"class {candidate}(nn.Module):\n{_INDENT}{doc}\n\n{body}\n")
        return candidate

    def steps(self, steps: tuple[Step, ...], counter: list[int]) -> list[str]:
        lines: list[str] = []
        for step in steps:
            if isinstance(step, AddStep):
                counter[0] += 1
                saved = "identity" if counter[0] == 1 else f"identity{counter[0]}"
                lines.append(f"{saved} = x")
                lines.extend(self.steps(step.body, counter))
                shortcut = saved if step.shortcut is None else f"{_ref(step.shortcut)}({saved})"
                lines.append(f"x = x + {shortcut}")
            elif isinstance(step, SideStep):
                lines.append(f"self.side_outputs[{step.name!r}] = {_ref(step.key)}(x)")
            else:
                if step.flatten_first:
                    lines.append("x = torch.flatten(x, 1)")
                lines.append(f"x = {_ref(step.key)}(x)")
        return lines


def _has_side(steps: tuple[Step, ...]) -> bool:
    return any(isinstance(s, SideStep) or (isinstance(s, AddStep) and _has_side(s.body)) for s in steps)


def _describe(block: BlockPlan) -> str:
    what = "Concatenates its branches along channels" if block.mode == "concat" else "Spec scope"
    where = f"'{block.path}'" if block.path else "the whole network"
    return f"{what}: {where}, {block.input.text('chw')} → {block.output.text('chw')} (C×H×W)."


def _signature_defaults(cls: str) -> dict[str, Any]:
    nn = require_torch().nn
    try:
        params = inspect.signature(getattr(nn, cls)).parameters
    except (AttributeError, TypeError, ValueError):
        return {}
    return {k: p.default for k, p in params.items() if p.default is not inspect.Parameter.empty}


def _same(default: Any, value: Any) -> bool:
    return type(default) is type(value) and default == value


def _literal(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(_literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def _network_class_name(network: Network) -> str:
    if network.source == "<one-line spec>":
        return "Network"
    name = _class_name(network.name, "Network")
    return name if name.isidentifier() else "Network"


def export_source(network: Network) -> str:
    """Python source defining an ``nn.Module`` equivalent to ``network`` and ``build_model()``."""
    torch = require_torch()
    plan = make_plan(network, reserved_names())
    writer = _Writer({})
    top = writer.block(plan, _network_class_name(network))
    header = [
        f'"""{network.name} as a PyTorch module, generated by cnncalc export.',
        "",
        f"Input: {network.input.text('hwc')} (H×W×C) = {network.input.text('chw')} (C×H×W) per sample.",
    ]
    if network.reference:
        header.append(f"Reference: {network.reference}")
    header += [
        f"Generated on {date.today().isoformat()} with torch {torch.__version__}; edit freely.",
        "Attribute paths are the spec's qualified layer names (e.g. layer1.0.conv1).",
        '"""',
        "",
        "import torch",
        "from torch import nn",
        "",
        f"INPUT_SHAPE = {tuple(network.input.torch_dims())!r}  # C, H, W",
        "",
        "",
    ]
    footer = [
        "def build_model() -> nn.Module:",
        f'{_INDENT}"""A freshly initialised {top}."""',
        f"{_INDENT}return {top}()",
        "",
        "",
        'if __name__ == "__main__":',
        f"{_INDENT}model = build_model().eval()",
        f"{_INDENT}with torch.no_grad():",
        f"{_INDENT * 2}out = model(torch.randn(1, *INPUT_SHAPE))",
        f"{_INDENT}params = sum(p.numel() for p in model.parameters())",
        f'{_INDENT}print(f"output {{tuple(out.shape)}}, {{params:,}} parameters")',
    ]
    return "\n".join(header) + "\n" + "\n\n".join(writer.classes) + "\n\n" + "\n".join(footer) + "\n"

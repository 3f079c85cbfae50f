"""``cnncalc export --to torch``: the plan of a network as a readable, runnable Python module.

One class per distinct block (identical blocks, such as repeated ResNet blocks with the same
channels, share a class), keyword arguments equal to PyTorch's defaults left out, and an explicit
``forward`` per class in the style of torchvision.
"""

from __future__ import annotations

import inspect
import json
import keyword
import re
import textwrap
from dataclasses import dataclass
from datetime import date
from typing import Any

from cnncalc.layers import CNNCALC_MODULES
from cnncalc.spec import Network
from cnncalc.torch_bridge._torch import require_torch, reserved_names
from cnncalc.torch_bridge.modules import layer_class
from cnncalc.torch_bridge.plan import (
    AddStep,
    Apply,
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

_INDENT = "    "
LINE_LENGTH = 88  # the generated module is ruff/black clean at the default line length


@dataclass(frozen=True)
class _Call:
    """A call (or a bracketed list when ``head`` is empty) that may be wrapped over lines."""

    head: str
    args: tuple[str | _Call, ...]
    brackets: str = "()"


Expr = str | _Call
# One statement: text before the expression, the expression, text after it.
Stmt = tuple[str, Expr, str]


def _flat(expr: Expr) -> str:
    if isinstance(expr, str):
        return expr
    return f"{expr.head}{expr.brackets[0]}{', '.join(_flat(a) for a in expr.args)}{expr.brackets[1]}"


def _lines(expr: Expr, indent: int, prefix: str = "", suffix: str = "") -> list[str]:
    """``prefix + expr + suffix`` at ``indent``, wrapped as ruff format would: on one line if it
    fits, else the arguments on one indented line, else one argument per line."""
    pad = " " * indent
    one = f"{pad}{prefix}{_flat(expr)}{suffix}"
    if len(one) <= LINE_LENGTH or isinstance(expr, str) or not expr.args:
        return [one]
    opening, closing = f"{pad}{prefix}{expr.head}{expr.brackets[0]}", f"{pad}{expr.brackets[1]}{suffix}"
    inner = " " * (indent + 4) + ", ".join(_flat(a) for a in expr.args)
    if len(inner) <= LINE_LENGTH:
        return [opening, inner, closing]
    body = [line for arg in expr.args for line in _lines(arg, indent + 4, suffix=",")]
    return [opening, *body, closing]


def _quote(text: str) -> str:
    """A double-quoted Python string literal."""
    return json.dumps(text, ensure_ascii=False)


def _is_attribute(key: str) -> bool:
    return key.isidentifier() and not keyword.iskeyword(key)


def _ref(key: str) -> str:
    """How ``forward`` reaches a child: ``self.conv1`` or ``getattr(self, "0")``; a path
    (``backbone.layer3``, a child of an inlined block) segment by segment."""
    expr = "self"
    for segment in key.split("."):
        expr = f"{expr}.{segment}" if _is_attribute(segment) else f"getattr({expr}, {_quote(segment)})"
    return expr


def _saved_name(name: str) -> str:
    """The local variable holding an output a ``from:`` reference reads."""
    return "saved_" + re.sub(r"\W", "_", name)


def _assign(key: str, value: Expr, parameter: bool = False) -> Stmt:
    """``self.key = value``, or ``add_module`` (``register_parameter``) for a key such as "0"."""
    if _is_attribute(key):
        return (f"self.{key} = ", value, "")
    method = "self.register_parameter" if parameter else "self.add_module"
    return ("", _Call(method, (_quote(key), value)), "")


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
        from cnncalc.torch_bridge.extra_modules import CLASSES

        self.names: set[str] = set(CLASSES)  # the small modules keep their names
        self.extra: dict[str, type] = {}  # cnncalc's small modules used, written before the classes
        self.loaded: set[str] = set()  # the names the current class's forward reads back

    # -- layers ---------------------------------------------------------------------------------
    def layer_expr(self, plan: LayerPlan) -> _Call:
        cls = layer_class(plan.call)
        if plan.call.origin == CNNCALC_MODULES:
            head = cls.__name__  # defined in the exported file (see extra_modules)
            self.extra.setdefault(head, cls)
        else:
            head = f"nn.{cls.__name__}"
        defaults = self.defaults.setdefault(head, _signature_defaults(cls))
        args = tuple(
            f"{k}={_literal(v)}"
            for k, v in plan.call.kwargs.items()
            if not (k in defaults and _same(defaults[k], v))
        )
        return _Call(head, args)

    # -- blocks ---------------------------------------------------------------------------------
    def block(self, block: BlockPlan, fallback: str) -> str:
        """Write the class of ``block`` (and of its sub-blocks); return the class name."""
        init: list[Stmt] = []
        for child in block.children:
            if isinstance(child, LayerPlan) and child.is_parameter:  # LayerScale(...).layer_scale
                held = f"{_flat(self.layer_expr(child))}.{child.call.scale_parameter}"
                init.append(_assign(child.key, held, parameter=True))
            elif isinstance(child, LayerPlan):
                init.append(_assign(child.key, self.layer_expr(child)))
            else:
                child_name = self.block(child, "Block")
                init.append(_assign(child.key, f"{child_name}()"))
        if _has_side(block.steps):
            init.append(("self.side_outputs: dict[str, torch.Tensor] = {}", "", "  # auxiliary heads"))
        forward: list[Stmt]
        if block.inlined:  # a container: the parent's forward runs its children (see plan)
            forward = []
        elif block.mode == "concat":
            branches = _Call("", tuple(f"{_ref(c.key)}(x)" for c in block.children), "[]")
            forward = [("return ", _Call("torch.cat", (branches, "dim=1")), "")]
        else:
            self.loaded = _loaded(block.steps)
            forward = [*self.steps(block.steps, [0]), ("return x", "", "")]
        doc = "\n".join(_docstring([_describe(block)], indent=4))
        method = [
            "",
            f"{_INDENT}def forward(self, x: torch.Tensor) -> torch.Tensor:",
            *(line for stmt in forward for line in _lines(stmt[1], 8, stmt[0], stmt[2])),
        ]
        body = "\n".join(
            [
                f"{_INDENT}def __init__(self) -> None:",
                f"{_INDENT * 2}super().__init__()",
                *(line for stmt in init for line in _lines(stmt[1], 8, stmt[0], stmt[2])),
                *(method if forward else []),
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
        self.classes.append(f"class {candidate}(nn.Module):\n{doc}\n\n{body}\n")
        return candidate

    def steps(self, steps: tuple[Step, ...], counter: list[int]) -> list[Stmt]:
        lines: list[Stmt] = []
        for step in steps:
            if isinstance(step, ScaleStep):
                lines.append((f"x = {_ref(step.key)} * x", "", ""))
            elif isinstance(step, AddStep):
                counter[0] += 1
                saved = "identity" if counter[0] == 1 else f"identity{counter[0]}"
                lines.append((f"{saved} = x", "", ""))
                lines.extend(self.steps(step.body, counter))
                shortcut = saved if step.shortcut is None else f"{_ref(step.shortcut)}({saved})"
                lines.append((f"x = x + {shortcut}", "", ""))
            elif isinstance(step, ConcatStep):
                lines.extend(self.concat(step, counter))
            elif isinstance(step, GateStep):
                if step.gate is not None:
                    lines.append((f"x = x * {_ref(step.gate)}(x)", "", ""))
                else:
                    counter[0] += 1
                    saved = "gated" if counter[0] == 1 else f"gated{counter[0]}"
                    lines.append((f"{saved} = x", "", ""))
                    lines.extend(self.steps(step.body, counter))
                    lines.append((f"x = {saved} * x", "", ""))
                    lines.append((f"del {saved}  # not kept alive to the end of forward", "", ""))
            elif isinstance(step, SideStep) and not step.key:  # an inlined head: its steps here
                counter[0] += 1
                kept = "head_input" if counter[0] == 1 else f"head_input{counter[0]}"
                body: list[Stmt] = [(f"{kept} = x", "", "")]
                body.extend(self.steps(step.body, counter))
                body.append((f"self.side_outputs[{_quote(step.name)}] = x", "", ""))
                body.append((f"x = {kept}", "", ""))
                if step.train_only:  # the head runs only in training
                    lines.append(("if self.training:", "", ""))
                    body = [(_INDENT + a, b, c) for a, b, c in body]
                lines.extend(body)
            elif isinstance(step, SideStep):
                keep = f"self.side_outputs[{_quote(step.name)}] = {_ref(step.key)}(x)"
                if step.train_only:  # the head runs only in training
                    lines.append(("if self.training:", "", ""))
                    keep = _INDENT + keep
                lines.append((keep, "", ""))
            elif isinstance(step, Save):
                if step.name not in self.loaded:  # read where this block's steps run inline
                    continue
                lines.append((f"{_saved_name(step.name)} = x  # read later: {step.name}", "", ""))
            elif isinstance(step, Load):
                lines.append((f"x = {_saved_name(step.name)}", "", ""))
                if step.last:
                    lines.append((f"del {_saved_name(step.name)}  # its last reader", "", ""))
            else:
                if step.flatten_first:
                    lines.append(("x = torch.flatten(x, 1)", "", ""))
                lines.append((f"x = {_ref(step.key)}(x)", "", ""))
        return lines

    def concat(self, step: ConcatStep, counter: list[int]) -> list[Stmt]:
        """``x = torch.cat([x, self.denselayer1(x)], dim=1)`` when every branch is the input or one
        module; otherwise each branch's steps run on a saved input into a part of its own."""
        simple = [_branch_call(branch) for branch in step.branches]
        operator = {"add": " + ", "mul": " * "}.get(step.op)
        if all(call is not None for call in simple):
            calls = tuple(call for call in simple if call is not None)
            freed = _freed(step.branches)
            if operator is not None:
                return [("x = " + operator.join(calls), "", ""), *freed]
            return [("x = ", _Call("torch.cat", (_Call("", calls, "[]"), "dim=1")), ""), *freed]
        counter[0] += 1
        saved = "features" if counter[0] == 1 else f"features{counter[0]}"
        lines: list[Stmt] = [(f"{saved} = x", "", "")]
        names = []
        for i, branch in enumerate(step.branches, start=1):
            part = f"{saved}_{i}"
            lines.append((f"x = {saved}", "", ""))
            lines.extend(self.steps(branch, counter))
            lines.append((f"{part} = x", "", ""))
            names.append(part)
        if operator is not None:
            lines.append(("x = " + operator.join(names), "", ""))
        else:
            lines.append(("x = ", _Call("torch.cat", (_Call("", tuple(names), "[]"), "dim=1")), ""))
        # The comment on a line of its own: with four branches (Inception) the del fills the line.
        lines.append(("# not kept alive to the end of forward", "", ""))
        lines.append((f"del {saved}, {', '.join(names)}", "", ""))
        return lines


def _branch_call(branch: tuple[Step, ...]) -> str | None:
    """``x`` for an empty branch, ``self.key(x)`` for one module, ``saved_a`` or
    ``self.key(saved_a)`` for a ``from:`` reference (and one module); else None."""
    source = "x"
    if branch and isinstance(branch[0], Load):
        source, branch = _saved_name(branch[0].name), branch[1:]
    if not branch:
        return source
    if len(branch) == 1 and isinstance(branch[0], Apply) and not branch[0].flatten_first:
        return f"{_ref(branch[0].key)}({source})"
    return None


def _freed(branches: tuple[tuple[Step, ...], ...]) -> list[Stmt]:
    """``del saved_a`` for each branch that is the last reader of what it loads."""
    names = [b[0].name for b in branches if b and isinstance(b[0], Load) and b[0].last]
    if not names:
        return []
    last = "its last reader" if len(names) == 1 else "their last reader"
    return [(f"del {', '.join(_saved_name(n) for n in names)}  # {last}", "", "")]


def _docstring(paragraphs: list[str], indent: int) -> list[str]:
    """Docstring lines, wrapped to the line length; one line when it fits."""
    pad = " " * indent
    texts = [p.replace("\\", "\\\\").replace('"""', '\\"\\"\\"') for p in paragraphs]
    if len(texts) == 1 and len(pad) + len(texts[0]) + 6 <= LINE_LENGTH:
        return [f'{pad}"""{texts[0]}"""']
    lines: list[str] = []
    for text in texts:
        lines += textwrap.wrap(text, LINE_LENGTH - indent - 6, break_on_hyphens=False) or [""]
    if len(lines) == 1:  # as ruff format writes a one-line docstring, whatever its length
        return [f'{pad}"""{lines[0]}"""']
    lines = [f"{pad}{line}" if line else "" for line in lines]
    return [f'{pad}"""{lines[0].lstrip()}', *lines[1:], f'{pad}"""']


def _loaded(steps: tuple[Step, ...]) -> set[str]:
    """The names ``Load`` steps read in ``steps`` (nested ones too)."""
    names: set[str] = set()
    for step in steps:
        if isinstance(step, Load):
            names.add(step.name)
        elif isinstance(step, AddStep | GateStep | SideStep):
            names |= _loaded(step.body)
        elif isinstance(step, ConcatStep):
            for branch in step.branches:
                names |= _loaded(branch)
    return names


def _has_side(steps: tuple[Step, ...]) -> bool:
    return any(
        isinstance(s, SideStep)
        or (isinstance(s, SideStep) and _has_side(s.body))
        or (isinstance(s, AddStep | GateStep) and _has_side(s.body))
        or (isinstance(s, ConcatStep) and any(_has_side(b) for b in s.branches))
        for s in steps
    )


def _describe(block: BlockPlan) -> str:
    what = "Concatenates its branches along channels" if block.mode == "concat" else "Spec scope"
    where = f"'{block.path}'" if block.path else "the whole network"
    text = f"{what}: {where}, {block.input.text('chw')} → {block.output.text('chw')} (C×H×W)."
    if block.inlined:  # a later layer reads an output inside it (or it reads one outside)
        text += " Its children run in the enclosing forward: a from: reference crosses it."
    return text


def _signature_defaults(cls: type) -> dict[str, Any]:
    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return {}
    return {k: p.default for k, p in params.items() if p.default is not inspect.Parameter.empty}


def _same(default: Any, value: Any) -> bool:
    return type(default) is type(value) and default == value


def _literal(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(_literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, str):
        return _quote(value)
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
    extra = [inspect.getsource(cls) for cls in writer.extra.values()]
    about = [
        f"{network.name} as a PyTorch module, generated by cnncalc export.",
        "",
        f"Input: {network.input.text('hwc')} (H×W×C) = {network.input.text('chw')} (C×H×W) per sample.",
    ]
    if network.reference:
        about.append(f"Reference: {network.reference}")
    about += [
        f"Generated on {date.today().isoformat()} with torch {torch.__version__}; edit freely.",
        "Attribute paths are the spec's qualified layer names (e.g. layer1.0.conv1).",
    ]
    header = [
        *_docstring(about, indent=0),
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
    classes = "\n\n".join([*extra, *writer.classes])
    return "\n".join(header) + "\n" + classes + "\n\n" + "\n".join(footer) + "\n"

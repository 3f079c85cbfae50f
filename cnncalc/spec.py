"""The spec data model.

Two levels:

* :class:`SpecFile` and friends are the pydantic models of a spec *file* (YAML or JSON) as written:
  blocks with arguments, ``repeat``, branches. They define ``cnncalc schema spec``.
* :class:`Network` is the *resolved* form the engine walks: blocks called, repeats unrolled, every
  layer a validated :class:`~cnncalc.layers.LayerDef` with its qualified name and source location.
  It is immutable.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from cnncalc.errors import Location
from cnncalc.layers import LayerDef
from cnncalc.shapes import Shape

# --------------------------------------------------------------------------------------------
# The file form (documentation and JSON Schema; parsing itself is done in cnncalc.parse.build)
# --------------------------------------------------------------------------------------------


class InputFields(BaseModel):
    """The input volume, as explicit named fields."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    height: PositiveInt
    width: PositiveInt
    channels: PositiveInt


class RepeatEntry(BaseModel):
    """``repeat: N`` copies of ``layers``."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    repeat: int | str = Field(description="Copies (an integer, or ${expression} inside a block).")
    layers: list[Any]
    name: str | None = None


class GroupEntry(BaseModel):
    """A named group of layers (a scope for names, a submodule in PyTorch)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    name: str
    layers: list[Any]


class ConcatEntry(BaseModel):
    """Parallel branches on the same input, concatenated along channels (Inception)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    concat: list[list[Any]] = Field(description="Two or more branches, each a list of layers.")
    name: str | None = None


class ResidualEntry(BaseModel):
    """``output = body(x) + shortcut(x)``; the shortcut defaults to identity (ResNet)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    residual: list[Any] = Field(description="The body's layers.")
    shortcut: list[Any] | Literal["identity"] | GroupEntry = Field(
        "identity",
        description="The shortcut's layers, 'identity', or a named group {name, layers} whose name "
        "scopes them (e.g. torchvision's 'downsample').",
    )
    name: str | None = None


class SideEntry(BaseModel):
    """A side output (e.g. GoogLeNet's auxiliary classifiers): the ``side`` layers read the current
    tensor and give an extra output; the main path goes on from the same tensor, unchanged."""

    model_config = ConfigDict(extra="forbid")
    side: list[Any] = Field(description="The side branch's layers.")
    name: str | None = None


class BlockCallEntry(BaseModel):
    """Use a block defined under ``blocks:``, with arguments."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    block: str
    args: dict[str, int | float | str | bool] = Field(default_factory=dict)
    name: str | None = None


class BlockDef(BaseModel):
    """A reusable block: argument defaults (null = required) and its layers. Inside, ``${expr}``
    substitutes arguments (integers, + − * // % and parentheses only; nothing is evaluated as code)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    args: dict[str, int | float | str | bool | None] = Field(default_factory=dict)
    layers: list[Any]
    description: str | None = None


class SpecFile(BaseModel):
    """A network spec file. Each entry of ``layers`` is a layer — a one-line string such as
    ``conv 64 k3 p1`` or a mapping with ``type`` — or a structure (repeat, concat, residual,
    block call, group)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    name: str | None = None
    description: str | None = None
    source: str | None = Field(None, description="Where the architecture comes from.")
    input: str | InputFields = Field(description="'224x224x3' (H×W×C) or named fields.")
    blocks: dict[str, BlockDef] = Field(default_factory=dict)
    layers: list[Any]


# --------------------------------------------------------------------------------------------
# The resolved form
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerNode:
    """One layer, resolved: its validated definition, qualified name and where it was written."""

    layer: LayerDef
    name: str  # qualified, e.g. "layer1.0.conv1"
    path: str  # spec path, e.g. "layers[3].layers[0]"
    location: Location | None = None


@dataclass(frozen=True)
class SequenceNode:
    """Layers applied one after another. ``name`` is a scope (a submodule in PyTorch) when set."""

    children: tuple[Node, ...]
    name: str | None = None
    path: str = ""


@dataclass(frozen=True)
class MergeNode:
    """Branches applied to the same input and merged by channel concatenation or addition."""

    branches: tuple[SequenceNode, ...]
    merge: Literal["concat", "add"]
    name: str
    path: str
    location: Location | None = None


@dataclass(frozen=True)
class SideNode:
    """A branch whose output leaves the network as an extra output (an auxiliary head); the main
    path continues from the branch's input. Its layers count in the totals like any other."""

    branch: SequenceNode
    name: str
    path: str
    location: Location | None = None


Node = LayerNode | SequenceNode | MergeNode | SideNode


@dataclass(frozen=True)
class Network:
    """A resolved network: the input shape and the body to apply to it."""

    name: str
    input: Shape
    body: SequenceNode
    description: str | None = None
    source: str | None = None  # file path, bundled name or "<one-line spec>"
    reference: str | None = None  # where the architecture comes from (paper, torchvision)
    layer_count: int = 0

    def with_input(self, shape: Shape) -> Network:
        """The same network on another input size (``--input``)."""
        return replace(self, input=shape)

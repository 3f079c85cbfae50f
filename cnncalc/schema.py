"""JSON Schema of spec files (``cnncalc schema spec``): the file form as written, and every
registered layer kind from its declared fields.

The file form is described with pydantic models, imported only for this command; parsing itself
(:mod:`cnncalc.parse`) needs no pydantic.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, TypeAdapter

from cnncalc.layers import LayerDef, registered_kinds

SPEC_SCHEMA_VERSION = "1.0"

# The file form as written (documentation only: cnncalc.parse.build parses and validates files).


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
    name: str | None = Field(None, description="A scope for the copies' names.")
    start: int = Field(0, description="The first copy's number.")
    numbered: bool | None = Field(
        None, description="Scope each copy by its number (0, 1, …); default: when 'name' is given."
    )
    index: str | None = Field(
        None,
        description="A name for the copy's number (start, start + 1, …) that the copies' entries can "
        "use: $i, ${i + 1} (e.g. name: denselayer$i).",
    )


class GroupEntry(BaseModel):
    """A named group of layers (a scope for names, a submodule in PyTorch)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    name: str
    layers: list[Any]


class ConcatEntry(BaseModel):
    """Parallel branches on the same input, concatenated along channels (Inception)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    concat: list[list[Any]] = Field(
        description="Two or more branches, each a list of layers ([] is the input itself)."
    )
    name: str | None = None
    inline: bool = Field(
        False,
        description="No scope of its own: the branches' layers are named in the enclosing scope, and "
        "in PyTorch the concatenation is a step of the enclosing module (DenseNet, ShuffleNetV2).",
    )


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


class GateEntry(BaseModel):
    """``output = x × gate(x)``: the gate's layers compute a scale from the input (squeeze-and-
    excitation: gap → 1×1 conv → act → 1×1 conv → sigmoid), broadcast over height and width."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    gate: list[Any] = Field(description="The gate's layers.")
    name: str | None = Field(None, description="A scope for the gate's layers (a submodule in PyTorch).")


class FromEntry(BaseModel):
    """``from: NAME``: from here on the current tensor is the output of an earlier layer, merge or
    named scope (U-Net's skips, a head on an inner stage); the network is then a DAG."""

    model_config = ConfigDict(extra="forbid", defer_build=True, populate_by_name=True)
    from_: str | int = Field(
        alias="from",
        description="A name as the report prints it; inside a block, looked up in the block's scope "
        "first, then outward. It must be computed before this point.",
    )


class AddEntry(BaseModel):
    """Branches on the same input, added element-wise (their shapes must match). A branch may start
    with ``from:``; ``[]`` is the input itself. No scope of its own."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    add: list[list[Any]] = Field(description="Two or more branches, each a list of layers.")
    name: str | None = None


class MulEntry(BaseModel):
    """Two branches on the same input, multiplied element-wise (the second may be a 1×1 per-channel
    scale, broadcast). A branch may start with ``from:``; ``[]`` is the input itself."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    mul: list[list[Any]] = Field(description="Exactly two branches, each a list of layers.")
    name: str | None = None


class IfEntry(BaseModel):
    """Layers used only when a condition holds (inside a block: ``if: ${stride == 1 and inp == out}``);
    ``else`` the other layers, or none. Only the chosen branch is evaluated."""

    model_config = ConfigDict(extra="forbid", defer_build=True, populate_by_name=True)
    if_: bool | str = Field(alias="if", description="true/false, or a ${comparison} inside a block.")
    then: list[Any] = Field(description="The layers when the condition is true.")
    else_: list[Any] = Field(default_factory=list, alias="else", description="The layers otherwise.")


class SideEntry(BaseModel):
    """A side output (e.g. GoogLeNet's auxiliary classifiers): the ``side`` layers read the current
    tensor and give an extra output; the main path goes on from the same tensor, unchanged."""

    model_config = ConfigDict(extra="forbid")
    side: list[Any] = Field(description="The side branch's layers.")
    name: str | None = None
    train_only: bool = Field(
        False,
        description="Runs only in training (torchvision's InceptionAux): its parameters count, its MACs "
        "and activations are not in the inference totals.",
    )


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
    args: dict[str, int | float | str | bool | None] = Field(
        default_factory=dict,
        description="Network arguments and their defaults (null = required): substituted with ${...} "
        "in 'input', 'layers' and every block, as a block's own arguments are.",
    )
    input: str | InputFields = Field(description="'224x224x3' (H×W×C) or named fields.")
    blocks: dict[str, BlockDef] = Field(default_factory=dict)
    layers: list[Any]


def layer_schema(kind: type[LayerDef]) -> dict[str, Any]:
    """JSON Schema of a layer written as a mapping: ``type``, ``name`` and the kind's fields."""
    properties: dict[str, Any] = {
        "type": {"type": "string", "description": "Layer type (case-insensitive): " + ", ".join(kind.names)},
        "name": {"type": "string"},
        "shares": {
            "type": "string",
            "description": "An earlier, identical layer whose parameters this one uses (a module "
            "called twice): counted there once, its MACs at every call.",
        },
    }
    properties.update({name: spec.schema() for name, spec in kind.fields.items()})
    required = ["type", *(name for name, spec in kind.fields.items() if spec.required)]
    return {
        "type": "object",
        "title": kind.__name__,
        "description": (kind.__doc__ or "").strip().splitlines()[0],
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def spec_schema() -> dict[str, Any]:
    """A JSON Schema for YAML/JSON spec files. A ``layers`` item is a one-line layer string, a
    layer mapping (one of the registered kinds) or a structure entry."""
    schema = SpecFile.model_json_schema()
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    entry_refs: list[dict[str, Any]] = [
        {"type": "string", "description": "A layer in one-line notation, e.g. 'conv 64 k3 p1'."}
    ]
    for kind in registered_kinds():
        defs[kind.__name__] = layer_schema(kind)
        entry_refs.append({"$ref": f"#/$defs/{kind.__name__}"})
    structures = (
        RepeatEntry,
        ConcatEntry,
        ResidualEntry,
        GateEntry,
        AddEntry,
        MulEntry,
        FromEntry,
        IfEntry,
        SideEntry,
        BlockCallEntry,
    )
    for model in (*structures, GroupEntry):
        sub = TypeAdapter(model).json_schema(ref_template="#/$defs/{model}")
        defs.update(sub.pop("$defs", {}))
        defs[model.__name__] = sub
        entry_refs.append({"$ref": f"#/$defs/{model.__name__}"})
    defs["Entry"] = {"anyOf": entry_refs}
    schema["properties"]["layers"] = {"type": "array", "items": {"$ref": "#/$defs/Entry"}}
    schema["$id"] = f"https://cnncalc.invalid/schema/spec-{SPEC_SCHEMA_VERSION}.json"
    return schema

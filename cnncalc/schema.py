"""JSON Schema of spec files: the file model plus every registered layer kind."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from cnncalc.layers import registered_kinds
from cnncalc.spec import (
    BlockCallEntry,
    ConcatEntry,
    GroupEntry,
    RepeatEntry,
    ResidualEntry,
    SideEntry,
    SpecFile,
)

SPEC_SCHEMA_VERSION = "1.0"


def spec_schema() -> dict[str, Any]:
    """A JSON Schema for YAML/JSON spec files. A ``layers`` item is a one-line layer string, a
    layer mapping (one of the registered kinds) or a structure entry."""
    schema = SpecFile.model_json_schema()
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    entry_refs: list[dict[str, Any]] = [
        {"type": "string", "description": "A layer in one-line notation, e.g. 'conv 64 k3 p1'."}
    ]
    models = [
        *registered_kinds(),
        RepeatEntry,
        ConcatEntry,
        ResidualEntry,
        SideEntry,
        BlockCallEntry,
        GroupEntry,
    ]
    for model in models:
        sub = TypeAdapter(model).json_schema(ref_template="#/$defs/{model}")
        defs.update(sub.pop("$defs", {}))
        sub.setdefault("description", (model.__doc__ or "").strip().splitlines()[0])
        if model in registered_kinds():
            names = list(getattr(model, "names", ()))
            sub["properties"]["type"] = {
                "type": "string",
                "description": "Layer type (case-insensitive): " + ", ".join(names),
            }
            sub["properties"]["name"] = {"type": "string"}
            sub["required"] = sorted({*sub.get("required", []), "type"})
        defs[model.__name__] = sub
        entry_refs.append({"$ref": f"#/$defs/{model.__name__}"})
    defs["Entry"] = {"anyOf": entry_refs}
    schema["properties"]["layers"] = {"type": "array", "items": {"$ref": "#/$defs/Entry"}}
    schema["$id"] = f"https://cnncalc.invalid/schema/spec-{SPEC_SCHEMA_VERSION}.json"
    return schema

"""Bundled specs, compiled: the located data of a bundled YAML spec stored as JSON, so that
``cnncalc summary resnet152`` runs without importing PyYAML (a third of a cold start's own work).

A compiled spec holds the YAML text it was made from; it is used only while that text is exactly
the bundled file's text, so an edited spec is read from its YAML as usual. The data it gives is
the same as :func:`~cnncalc.parse.files.load_yaml_text` gives (the same locations, for the same
error messages): ``tests/test_architectures.py`` checks both, and that every compiled file is
current. ``python scripts/compile_architectures.py`` rewrites them.
"""

from __future__ import annotations

import json
from typing import Any

from cnncalc.errors import Location
from cnncalc.parse.files import LocatedDict, LocatedList, load_yaml_text

FORMAT = 1


def compile_spec(yaml_text: str, source: str) -> str:
    """The compiled form of a YAML spec (raises SpecError as loading the YAML would)."""
    data = _encode(load_yaml_text(yaml_text, source))
    doc = {"format": FORMAT, "yaml": yaml_text, "data": data}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"


def load_compiled(compiled_text: str, yaml_text: str, source: str) -> Any | None:
    """The located data of ``yaml_text`` from its compiled form; None when the compiled form was
    made from another text or another format (then read the YAML)."""
    try:
        doc = json.loads(compiled_text)
    except ValueError:
        return None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("yaml") != yaml_text:
        return None
    return _decode(doc["data"], source, yaml_text.splitlines())


def _where(loc: Location | None) -> list[int | None]:
    return [None, None] if loc is None else [loc.line, loc.column]


def _encode(value: Any) -> Any:
    if isinstance(value, LocatedDict):
        items = [[key, *_where(value.key_locs.get(key)), _encode(item)] for key, item in value.items()]
        return {"m": _where(value.loc), "k": items}
    if isinstance(value, LocatedList):
        return {
            "s": _where(value.loc),
            "i": [[*_where(loc), _encode(v)] for loc, v in zip(value.item_locs, value, strict=True)],
        }
    if isinstance(value, dict | list):
        raise TypeError("compiled specs hold located data (from load_yaml_text)")
    return value


def _decode(value: Any, source: str, lines: list[str]) -> Any:
    if not isinstance(value, dict):
        return value

    def loc(line: int | None, column: int | None) -> Location | None:
        if line is None:
            return None
        return Location(
            source=source, line=line, column=column, text=lines[line - 1] if line <= len(lines) else None
        )

    if "m" in value:
        out = LocatedDict()
        out.loc = loc(*value["m"])
        for key, line, column, item in value["k"]:
            location = loc(line, column)
            if location is not None:
                out.key_locs[key] = location
            out[key] = _decode(item, source, lines)
        return out
    out_list = LocatedList()
    out_list.loc = loc(*value["s"])
    for line, column, item in value["i"]:
        out_list.item_locs.append(loc(line, column))
        out_list.append(_decode(item, source, lines))
    return out_list

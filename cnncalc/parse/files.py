"""Load YAML and JSON spec text into plain data that remembers where each mapping and list was.

YAML is loaded with PyYAML's safe loader (no tags that construct objects); anchors and aliases are
rejected so that no document can expand exponentially. JSON is checked with :mod:`json` (its errors
have exact positions) and then read through the same located loader for line numbers.
"""

from __future__ import annotations

import json
from typing import Any

from cnncalc.errors import Location, SpecError
from cnncalc.shapes import MAX_DIGITS, whole_number

MAX_SPEC_BYTES = 5_000_000
MAX_NESTING = 200
_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_INT_TAG = "tag:yaml.org,2002:int"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_SCALAR_TAGS = (
    "tag:yaml.org,2002:str",
    _INT_TAG,
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
)


class LocatedDict(dict):
    """A dict that knows its own location and its keys' locations."""

    loc: Location | None = None
    key_locs: dict[str, Location]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.key_locs = {}


class LocatedList(list):
    """A list that knows its own location and its items' locations."""

    loc: Location | None = None
    item_locs: list[Location | None]

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.item_locs = []


def location_of(value: Any) -> Location | None:
    return getattr(value, "loc", None)


def _loc(mark: Any, source: str, lines: list[str]) -> Location:
    line = mark.line + 1
    text = lines[mark.line] if mark.line < len(lines) else None
    return Location(source=source, line=line, column=mark.column + 1, text=text)


def _convert(node: Any, source: str, lines: list[str], depth: int, loader: Any) -> Any:
    import yaml

    if depth > MAX_NESTING:
        raise SpecError(
            f"the document is nested more than {MAX_NESTING} levels deep",
            location=_loc(node.start_mark, source, lines),
        )
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        raise SpecError(
            f"YAML tag '{node.tag}' is not allowed in a spec",
            location=_loc(node.start_mark, source, lines),
            hint="specs hold plain mappings, lists, strings and numbers",
        )
    if isinstance(node, yaml.MappingNode):
        out = LocatedDict()
        out.loc = _loc(node.start_mark, source, lines)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SpecError(
                    "mapping keys must be plain words",
                    location=_loc(key_node.start_mark, source, lines),
                )
            key = loader.construct_scalar(key_node)
            key = str(key)
            if key in out:
                raise SpecError(f"duplicate key '{key}'", location=_loc(key_node.start_mark, source, lines))
            out.key_locs[key] = _loc(key_node.start_mark, source, lines)
            out[key] = _convert(value_node, source, lines, depth + 1, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        out_list = LocatedList()
        out_list.loc = _loc(node.start_mark, source, lines)
        for item in node.value:
            out_list.item_locs.append(_loc(item.start_mark, source, lines))
            out_list.append(_convert(item, source, lines, depth + 1, loader))
        return out_list
    return _scalar(node, source, lines, loader)


def _scalar(node: Any, source: str, lines: list[str], loader: Any) -> Any:
    """A plain scalar: string, number, boolean or null. A date (``2024-01-01``) stays text."""
    if node.tag == _TIMESTAMP_TAG:
        return loader.construct_scalar(node)
    if node.tag not in _SCALAR_TAGS:
        raise SpecError(
            f"YAML tag '{node.tag}' is not allowed in a spec",
            location=_loc(node.start_mark, source, lines),
            hint="specs hold plain mappings, lists, strings and numbers",
        )
    if node.tag == _INT_TAG and len(node.value) > MAX_DIGITS:
        raise SpecError(
            f"a number with {len(node.value):,} digits is too large",
            location=_loc(node.start_mark, source, lines),
            hint="sizes, counts and channels are at most 10^12",
        )
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # e.g. an int in a form PyYAML accepts but Python cannot convert
        raise SpecError(
            f"malformed value '{node.value[:40]}': {exc}", location=_loc(node.start_mark, source, lines)
        ) from None


def _yaml_loader() -> Any:
    """PyYAML's safe loader, the C (libyaml) one when PyYAML was built with it: 5-10× faster."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml_text(text: str, source: str) -> Any:
    """Parse YAML (or JSON) text into located plain data. Raises SpecError with line and column."""
    import yaml

    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(f"spec is larger than {MAX_SPEC_BYTES:,} characters", location=Location(source))
    lines = text.splitlines()
    loader_class = _yaml_loader()
    loader = None
    try:
        # Reject anchors/aliases before composing: they are the only way to make YAML explode.
        for event in yaml.parse(text, Loader=loader_class):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise SpecError(
                    "YAML anchors and aliases (&name, *name) are not supported",
                    location=_loc(event.start_mark, source, lines),
                    hint="define a block under 'blocks:' and call it with '- block: NAME'",
                )
        loader = loader_class(text)
        node = loader.get_single_node()
        if node is None:
            raise SpecError("the spec is empty", location=Location(source))
        return _convert(node, source, lines, 0, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        location = _loc(mark, source, lines) if mark is not None else Location(source)
        if "maximum nesting depth" in problem:  # libyaml's own limit (PyYAML ≥ 6.0.4), past ours
            raise SpecError(
                f"the document is nested more than {MAX_NESTING} levels deep", location=location
            ) from None
        raise SpecError(f"malformed YAML: {problem}", location=location) from None
    except yaml.reader.ReaderError as exc:
        raise SpecError(
            f"malformed YAML: character U+{_code_point(exc.character):04X} is not allowed ({exc.reason})",
            location=_offset_location(text, exc.position, source, lines),
            hint="remove control characters from the spec",
        ) from None
    except yaml.YAMLError as exc:
        problem = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise SpecError(f"malformed YAML: {problem}", location=Location(source)) from None
    except UnicodeEncodeError:
        raise SpecError(
            "the spec holds characters that are not valid Unicode (lone surrogates)",
            location=Location(source),
        ) from None
    except RecursionError:
        raise SpecError("the document is nested too deeply", location=Location(source)) from None
    finally:
        if loader is not None:
            loader.dispose()


def _code_point(character: int | str) -> int:
    """PyYAML's reader reports the character, libyaml its code point."""
    return ord(character) if isinstance(character, str) else int(character)


def _offset_location(text: str, position: int, source: str, lines: list[str]) -> Location:
    """The location of character ``position`` of ``text``."""
    line = text.count("\n", 0, position)
    column = position - (text.rfind("\n", 0, position) + 1)
    return Location(
        source=source, line=line + 1, column=column + 1, text=lines[line] if line < len(lines) else None
    )


def load_json_text(text: str, source: str) -> Any:
    """Parse JSON text; positions of JSON syntax errors come from :mod:`json`."""
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(f"spec is larger than {MAX_SPEC_BYTES:,} characters", location=Location(source))
    try:
        data = json.loads(text, parse_int=whole_number)
    except json.JSONDecodeError as exc:
        lines = text.splitlines()
        line_text = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else None
        raise SpecError(
            f"malformed JSON: {exc.msg}",
            location=Location(source=source, line=exc.lineno, column=exc.colno, text=line_text),
        ) from None
    except SpecError as exc:  # from whole_number: an integer with too many digits
        raise exc.with_location(Location(source)) from None
    except RecursionError:
        raise SpecError("the document is nested too deeply", location=Location(source)) from None
    except ValueError as exc:
        raise SpecError(f"malformed JSON: {exc}", location=Location(source)) from None
    # Read it again through the located loader for line numbers, but only trust that reading if
    # it means exactly what JSON means (YAML 1.1 reads a few JSON scalars differently, e.g. 1e5).
    try:
        located = load_yaml_text(text, source)
    except SpecError:
        return data
    return located if located == data else data

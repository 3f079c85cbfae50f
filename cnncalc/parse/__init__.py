"""Reading specs: bundled names, YAML/JSON files and the one-line form, all into a
:class:`~cnncalc.spec.Network`. Parsing does no arithmetic beyond ``${...}`` substitution."""

from __future__ import annotations

import os
import stat

from cnncalc._gc import paused_gc
from cnncalc.catalog import bundled_names, bundled_spec, compiled_path
from cnncalc.errors import Location, SpecError, UsageError, did_you_mean
from cnncalc.parse.build import build_network, check_input_shape, network_from_data
from cnncalc.parse.compiled import load_compiled
from cnncalc.parse.files import MAX_SPEC_BYTES, load_json_text, load_yaml_text
from cnncalc.parse.oneline import ONELINE_SOURCE, looks_like_oneline, parse_oneline
from cnncalc.records import replace
from cnncalc.shapes import Shape
from cnncalc.spec import Network


def parse_oneline_spec(text: str, order: str = "hwc") -> Network:
    """A network from the one-line form, e.g. ``32x32x3 | conv 10 k5 p2 | relu | fc 10``; its input
    size is read H×W×C, or C×H×W with ``order='chw'``."""
    shape, entries, input_loc = parse_oneline(text, order)
    check_input_shape(shape, input_loc)
    return build_network(entries, shape, source=ONELINE_SOURCE, name=text.strip())


def parse_spec_text(text: str, source: str = "<spec>", *, json_format: bool = False) -> Network:
    """A network from the text of a YAML or JSON spec file."""
    with paused_gc():  # the located data of a big file is a big heap of small objects
        data = load_json_text(text, source) if json_format else load_yaml_text(text, source)
    return network_from_data(data, source, default_name=_stem(source))


def load_spec_file(path: str | os.PathLike[str]) -> Network:
    """A network from a spec file (``.json`` is read as JSON, anything else as YAML)."""
    path = os.fspath(path)
    text = _read_spec(path)
    return parse_spec_text(text, path, json_format=path.lower().endswith(".json"))


def load_bundled(path: str, arguments: dict[str, object] | None = None) -> Network:
    """A bundled spec: from its compiled form while that matches the file (no PyYAML needed);
    ``arguments`` set its network-level ``args:`` (a family member)."""
    text = _read_spec(path)
    try:
        with open(compiled_path(path), encoding="utf-8") as file:
            data = load_compiled(file.read(), text, path)
    except OSError:
        data = None
    if data is None:
        with paused_gc():
            is_json = path.lower().endswith(".json")
            data = load_json_text(text, path) if is_json else load_yaml_text(text, path)
    return network_from_data(data, path, default_name=_stem(path), arguments=arguments)


def load_bundled_name(name: str) -> Network | None:
    """Bundled architecture ``name`` ('_' and '-' alike, any case), named as the catalogue names it
    (a family member: its family's spec with the member's arguments); None when not bundled."""
    found = bundled_spec(name)
    if found is None:
        return None
    canonical, path, arguments, description = found
    network = load_bundled(path, arguments)
    if arguments is None:
        return network
    return replace(network, name=canonical, description=description)


def _stem(source: str) -> str:
    """A spec's default name: its file name without the extension."""
    return os.path.splitext(os.path.basename(source))[0] or "network"


def _read_spec(path: str) -> str:
    """The text of spec file ``path``; SpecError when it is not a readable UTF-8 file of sane size."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise SpecError("not a regular file", location=Location(path), hint="give a YAML or JSON file")
        if info.st_size > 4 * MAX_SPEC_BYTES:  # UTF-8 takes at most 4 bytes per character
            raise SpecError(
                f"the file is {info.st_size:,} bytes, over the limit of {MAX_SPEC_BYTES:,} characters",
                location=Location(path),
            )
        with open(path, encoding="utf-8") as file:
            return file.read()
    except UnicodeDecodeError:
        raise SpecError("the file is not UTF-8 text", location=Location(path)) from None
    except OSError as exc:
        raise SpecError(f"cannot read the file: {exc.strerror}", location=Location(path)) from None


def load_network(
    ref: str | os.PathLike[str], *, order: str = "hwc", input_shape: Shape | None = None
) -> Network:
    """Resolve ``ref``: a one-line spec, an existing file, a bundled architecture name, or a model
    to import (``model.py:NAME``, ``pkg.module:NAME``, ``model.onnx``; see
    :mod:`cnncalc.importers.sources`), traced on ``input_shape``. ``order`` is how a one-line
    spec's input size is written (H×W×C or C×H×W); a file says its own."""
    if isinstance(ref, os.PathLike):
        return load_spec_file(ref)
    if not isinstance(ref, str):
        raise UsageError(
            f"a spec is given as text (a name, a file path or a one-line spec), not {type(ref).__name__}"
        )
    if order not in ("hwc", "chw"):
        raise UsageError(f"order must be 'hwc' or 'chw', got {order!r}")
    if looks_like_oneline(ref):
        return parse_oneline_spec(ref, order)
    from cnncalc.importers.sources import is_import_source

    if is_import_source(ref):
        from cnncalc.importers.sources import load_source

        return load_source(ref, input_shape)
    if _exists(ref):
        return load_spec_file(ref)
    bundled = load_bundled_name(ref) if len(ref) <= 100 and not any(sep in ref for sep in "/\\") else None
    if bundled is not None:
        return bundled
    names = bundled_names()
    if any(sep in ref for sep in "/\\") or ref.lower().endswith((".yaml", ".yml", ".json")):
        raise SpecError(f"no such file: '{_shorten(ref)}'", hint="check the path")
    raise SpecError(
        f"'{_shorten(ref)}' is not a bundled architecture, a file or a one-line spec"
        + did_you_mean(ref[:100], names),
        hint=(
            "run 'cnncalc list' for the bundled names; a one-line spec starts with the input size, "
            "e.g. '32x32x3 | conv 10 k5 p2'"
        ),
    )


def _exists(path: str) -> bool:
    """``os.path.exists(path)``, False for names the OS refuses (too long, NUL bytes)."""
    try:
        os.stat(path)
    except (OSError, ValueError):
        return False
    return True


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "load_network",
    "load_spec_file",
    "parse_oneline_spec",
    "parse_spec_text",
]

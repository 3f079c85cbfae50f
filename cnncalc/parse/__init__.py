"""Reading specs: bundled names, YAML/JSON files and the one-line form, all into a
:class:`~cnncalc.spec.Network`. Parsing does no arithmetic beyond ``${...}`` substitution."""

from __future__ import annotations

from pathlib import Path

from cnncalc.catalog import bundled_names, bundled_path
from cnncalc.errors import Location, SpecError, did_you_mean
from cnncalc.parse.build import build_network, network_from_data
from cnncalc.parse.files import load_json_text, load_yaml_text
from cnncalc.parse.oneline import ONELINE_SOURCE, looks_like_oneline, parse_oneline
from cnncalc.spec import Network


def parse_oneline_spec(text: str) -> Network:
    """A network from the one-line form, e.g. ``32x32x3 | conv 10 k5 p2 | relu | fc 10``."""
    shape, entries, _ = parse_oneline(text)
    return build_network(entries, shape, source=ONELINE_SOURCE, name=text.strip())


def parse_spec_text(text: str, source: str = "<spec>", *, json_format: bool = False) -> Network:
    """A network from the text of a YAML or JSON spec file."""
    data = load_json_text(text, source) if json_format else load_yaml_text(text, source)
    return network_from_data(data, source, default_name=Path(source).stem or "network")


def load_spec_file(path: str | Path) -> Network:
    """A network from a spec file (``.json`` is read as JSON, anything else as YAML)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SpecError("the file is not UTF-8 text", location=Location(str(path))) from None
    except OSError as exc:
        raise SpecError(f"cannot read the file: {exc.strerror}", location=Location(str(path))) from None
    return parse_spec_text(text, str(path), json_format=path.suffix.lower() == ".json")


def load_network(ref: str) -> Network:
    """Resolve ``ref``: a one-line spec, an existing file, or a bundled architecture name."""
    if looks_like_oneline(ref):
        return parse_oneline_spec(ref)
    path = Path(ref)
    if path.is_file():
        return load_spec_file(path)
    bundled = bundled_path(ref)
    if bundled is not None:
        network = load_spec_file(bundled)
        return network
    names = bundled_names()
    if any(sep in ref for sep in "/\\") or path.suffix.lower() in (".yaml", ".yml", ".json"):
        raise SpecError(f"no such file: '{ref}'", hint="check the path")
    raise SpecError(
        f"'{ref}' is not a bundled architecture, a file or a one-line spec" + did_you_mean(ref, names),
        hint=(
            "run 'cnncalc list' for the bundled names; a one-line spec starts with the input size, "
            "e.g. '32x32x3 | conv 10 k5 p2'"
        ),
    )


__all__ = [
    "load_network",
    "load_spec_file",
    "parse_oneline_spec",
    "parse_spec_text",
]

"""The bundled architecture specs (``architectures/`` in the repository, shipped in the wheel).

Paths are plain strings (``os.path``): pathlib is not needed on the CLI's start-up path.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


@lru_cache(maxsize=1)
def architectures_dir() -> str:
    """Where the bundled specs are: inside the installed package, or the repository checkout."""
    here = os.path.dirname(os.path.realpath(__file__))
    packaged = os.path.join(here, "_architectures")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(here), "architectures")


def bundled_names() -> list[str]:
    """Names of the bundled specs, sorted."""
    folder = architectures_dir()
    if not os.path.isdir(folder):
        return []
    return sorted(
        stem for stem, suffix in map(os.path.splitext, os.listdir(folder)) if suffix in SPEC_SUFFIXES
    )


def bundled_path(name: str) -> str | None:
    """The file of bundled spec ``name`` (case-insensitive; '_' and '-' alike), or None."""
    wanted = name.lower().replace("_", "-")
    folder = architectures_dir()
    for suffix in SPEC_SUFFIXES:
        candidate = os.path.join(folder, f"{wanted}{suffix}")
        if os.path.isfile(candidate):
            return candidate
    return None


def compiled_path(spec_path: str) -> str:
    """Where the compiled form of bundled spec file ``spec_path`` is (see cnncalc.parse.compiled)."""
    folder, name = os.path.split(spec_path)
    return os.path.join(folder, "compiled", os.path.splitext(name)[0] + ".json")


def natural_key(name: str) -> list[str | int]:
    """Sort key that orders numbers by value: resnet18, resnet34, …, resnet152."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]

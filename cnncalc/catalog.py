"""The bundled architecture specs (``architectures/`` in the repository, shipped in the wheel)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


@lru_cache(maxsize=1)
def architectures_dir() -> Path:
    """Where the bundled specs are: inside the installed package, or the repository checkout."""
    packaged = Path(__file__).resolve().parent / "_architectures"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "architectures"


def bundled_names() -> list[str]:
    """Names of the bundled specs, sorted."""
    folder = architectures_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.iterdir() if p.suffix in SPEC_SUFFIXES)


def bundled_path(name: str) -> Path | None:
    """The file of bundled spec ``name`` (case-insensitive; '_' and '-' alike), or None."""
    wanted = name.lower().replace("_", "-")
    folder = architectures_dir()
    for suffix in SPEC_SUFFIXES:
        candidate = folder / f"{wanted}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def natural_key(name: str) -> list[str | int]:
    """Sort key that orders numbers by value: resnet18, resnet34, …, resnet152."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]

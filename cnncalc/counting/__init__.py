"""Counting like the peer tools (``--count-as``, ``cnncalc count``) and the training-step cost.

Light on import (option parsing reads :mod:`cnncalc.counting.names`); the API is loaded on first use
from :mod:`cnncalc.counting.convention` and :mod:`cnncalc.counting.training`. Never imports torch or
a peer tool.
"""

from __future__ import annotations

from typing import Any

_API = {"PRESETS", "STYLES", "Counted", "CountedRow", "count_as", "preset"}


def __getattr__(name: str) -> Any:
    if name in _API:
        from cnncalc.counting import convention

        return getattr(convention, name)
    raise AttributeError(f"module 'cnncalc.counting' has no attribute '{name}'")


__all__ = sorted(_API)

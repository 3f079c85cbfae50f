"""The one place that imports torch, lazily, with a clear error when it is missing."""

from __future__ import annotations

import warnings
from types import ModuleType

from cnncalc.errors import MissingDependencyError

INSTALL_HINT = "pip install 'cnncalc[torch]'"


def require_torch() -> ModuleType:
    """``torch``, or :class:`MissingDependencyError` saying how to install it."""
    try:
        with warnings.catch_warnings():
            # torch warns on import when numpy is absent; cnncalc never uses numpy through torch
            warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
            import torch
    except ImportError as exc:
        raise MissingDependencyError(
            f"this needs PyTorch, which is not installed ({exc})", hint=INSTALL_HINT
        ) from None
    return torch


def reserved_names() -> frozenset[str]:
    """Attribute names a submodule may not take (they exist on every ``nn.Module``)."""
    torch = require_torch()
    return frozenset(name for name in dir(torch.nn.Module) if not name.startswith("__"))

"""Layer kinds. Importing this package registers every kind; add a kind by adding a class
decorated with :func:`register` in one of these modules."""

from cnncalc.layers import activation, conv, linear, norm, pool  # noqa: F401  (registration)
from cnncalc.layers.base import (
    GLOBAL_WINDOW,
    InvalidField,
    LayerDef,
    TorchCall,
    Window,
    lookup,
    register,
    registered_kinds,
    registered_names,
)

__all__ = [
    "GLOBAL_WINDOW",
    "InvalidField",
    "LayerDef",
    "TorchCall",
    "Window",
    "lookup",
    "register",
    "registered_kinds",
    "registered_names",
]

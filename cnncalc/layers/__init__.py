"""Layer kinds. Importing this package registers every kind; add a kind by adding a class
decorated with :func:`register` in one of these modules."""

from cnncalc.layers import (  # noqa: F401  (registration)
    activation,
    conv,
    linear,
    norm,
    pool,
    uncounted,
    upsample,
)
from cnncalc.layers.base import (
    CNNCALC_MODULES,
    GLOBAL_WINDOW,
    TORCH_NN,
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
    "CNNCALC_MODULES",
    "GLOBAL_WINDOW",
    "TORCH_NN",
    "InvalidField",
    "LayerDef",
    "TorchCall",
    "Window",
    "lookup",
    "register",
    "registered_kinds",
    "registered_names",
]

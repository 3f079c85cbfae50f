"""The two parts of the ``onnx`` package cnncalc uses: the protobuf classes and C++ shape inference.

``import onnx`` runs the package's ``__init__``, which imports numpy and ml_dtypes (about a second
of start-up, most of it ml_dtypes). cnncalc needs neither: it reads a file into ``ModelProto`` (the
generated protobuf module) and calls ONNX's shape inference (the compiled ``onnx_cpp2py_export``).
So, when ``onnx`` is not imported yet, those two modules are loaded under a package object whose
``__init__`` runs on first use of any other attribute (:class:`_DeferredPackage`): a later
``import onnx`` anywhere in the process then gets the whole, ordinary package.

Nothing in an ONNX file is executed: protobuf parsing reads data, and no pickle is involved.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

from cnncalc.errors import MissingDependencyError

INSTALL_HINT = "pip install 'cnncalc[onnx]'"


class _DeferredPackage(types.ModuleType):
    """The ``onnx`` package before its ``__init__`` has run: submodules import through its
    ``__path__``; the first other attribute looked up runs ``__init__`` in this same module."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        self.__class__ = types.ModuleType  # from now on an ordinary module
        self.__spec__.loader.exec_module(self)  # type: ignore[union-attr]
        return getattr(self, name)


def onnx_parts() -> tuple[Any, Any]:
    """``(onnx_ml_pb2, shape_inference)``: the protobuf module and the C++ shape inference."""
    loaded = sys.modules.get("onnx")
    if loaded is None:
        spec = importlib.util.find_spec("onnx")
        if spec is None or spec.submodule_search_locations is None or spec.loader is None:
            raise MissingDependencyError(
                "reading ONNX files needs the onnx package, which is not installed", hint=INSTALL_HINT
            )
        package = _DeferredPackage("onnx")
        package.__spec__ = spec
        package.__loader__ = spec.loader
        package.__file__ = spec.origin
        package.__path__ = list(spec.submodule_search_locations)
        package.__package__ = "onnx"
        sys.modules["onnx"] = package
    try:
        proto = importlib.import_module("onnx.onnx_ml_pb2")
        inference = importlib.import_module("onnx.onnx_cpp2py_export.shape_inference")
    except ImportError as exc:
        raise MissingDependencyError(
            f"the onnx package is installed but cannot be loaded ({exc})", hint=INSTALL_HINT
        ) from None
    return proto, inference


def latest_opset() -> int:
    """The newest default-domain opset the installed onnx knows."""
    defs = importlib.import_module("onnx.onnx_cpp2py_export.defs")
    return int(defs.schema_version_map()[""][1])

"""Models from outside as SPEC arguments: ``model.py:NAME``, ``pkg.module:NAME``, ``model.onnx``.

This is the one place that recognises such a source and reads it (every command's SPEC goes
through :func:`cnncalc.parse.load_network`, which asks :func:`is_import_source` first). Each
reader gives an :class:`~cnncalc.importers.graph.ImportedGraph`; :mod:`cnncalc.importers.spec_writer`
makes it a spec document and a network.

Loading a ``.py`` file or a module runs its code, as ``python model.py`` would: only import models
you trust. A spec file or an ONNX file never runs code.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

from cnncalc.errors import Location, SpecError, UsageError, did_you_mean
from cnncalc.importers.graph import ImportedGraph
from cnncalc.shapes import Shape
from cnncalc.spec import Network

_SOURCE = re.compile(r"^(?P<target>.+):(?P<name>[A-Za-z_][A-Za-z0-9_]*)$")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
ONNX_SUFFIX = ".onnx"
TORCH_HINT = "importing a PyTorch model needs torch: pip install 'cnncalc[torch]'"


def is_import_source(ref: str) -> bool:
    """Whether ``ref`` names a model to import (``file.py:NAME``, ``pkg.mod:NAME``, ``x.onnx``)."""
    if ref.lower().endswith(ONNX_SUFFIX):
        return True
    match = _SOURCE.match(ref.strip())
    if match is None:
        return False
    target = match["target"]
    return target.endswith(".py") or _DOTTED.match(target) is not None


def import_graph(ref: str, input_shape: Shape | None) -> ImportedGraph:
    """Read the model ``ref`` names into an :class:`ImportedGraph` traced on ``input_shape``."""
    ref = ref.strip()
    if ref.lower().endswith(ONNX_SUFFIX):
        return onnx_graph(ref, input_shape)
    match = _SOURCE.match(ref)
    assert match is not None
    target, name = match["target"], match["name"]
    if input_shape is None:
        raise UsageError(
            f"'{ref}' is a PyTorch model: cnncalc needs the input size to trace it",
            hint="give --input, e.g. --input 224x224x3 (H×W×C) or --input 3x224x224 --order chw",
        )
    factory, user_file = _find_factory(target, name)
    model = _build(factory, name, target, user_file)
    from cnncalc.importers.torch_import import trace

    return trace(model, input_shape, name=name, source=ref, user_file=user_file)


def load_source(ref: str, input_shape: Shape | None) -> Network:
    """The network of the model ``ref`` names, on ``input_shape``."""
    from cnncalc.importers.spec_writer import graph_network

    return graph_network(import_graph(ref, input_shape))


def onnx_graph(path: str, input_shape: Shape | None) -> ImportedGraph:
    """An ONNX file (:mod:`cnncalc.importers.onnx_reader`: read as data, never run), its input
    size from the graph or ``input_shape`` (``--input``)."""
    from cnncalc.importers.onnx_reader import read_onnx

    return read_onnx(path, input_shape=input_shape)


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise UsageError(TORCH_HINT) from None
    return torch


def _find_factory(target: str, name: str) -> tuple[Any, str | None]:
    """The object ``name`` of the file or module ``target``, and the file whose errors to show."""
    _torch()
    if target.endswith(".py"):
        if not os.path.isfile(target):
            raise SpecError(f"no such file: '{target}'", hint="check the path (model.py:NAME)")
        module = _run_file(target)
        user_file: str | None = os.path.abspath(target)
    else:
        module = _import_module(target)
        user_file = getattr(module, "__file__", None)
    if not hasattr(module, name):
        found = [
            n for n, v in vars(module).items() if not n.startswith("_") and (callable(v) or _is_module(v))
        ]
        defined = f"; it defines {', '.join(sorted(found)[:8])}" if found else ""
        suggestion = did_you_mean(name, found)
        raise SpecError(
            f"'{target}' has no '{name}'{suggestion}",
            location=Location(target),
            hint="NAME is an nn.Module subclass, an nn.Module, or a function with no required "
            f"arguments that returns one{defined}",
        )
    return getattr(module, name), user_file


def _is_module(value: Any) -> bool:
    import torch.nn as nn

    return isinstance(value, nn.Module)


def _run_file(path: str) -> Any:
    """Run the user's file as a module (its folder importable, as ``python model.py`` has it)."""
    import importlib.util

    full = os.path.abspath(path)
    module_name = "_cnncalc_model_" + re.sub(r"\W", "_", os.path.splitext(os.path.basename(full))[0])
    spec = importlib.util.spec_from_file_location(module_name, full)
    if spec is None or spec.loader is None:
        raise SpecError("cannot load this file as Python", location=Location(path))
    module = importlib.util.module_from_spec(spec)
    folder = os.path.dirname(full)
    sys.path.insert(0, folder)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise SpecError(
            f"your file has a syntax error: {exc.msg}",
            location=Location(path, line=exc.lineno, column=exc.offset, text=(exc.text or "").rstrip("\n")),
        ) from None
    except Exception as exc:
        raise user_error(exc, full, "running") from None
    finally:
        if sys.path and sys.path[0] == folder:
            sys.path.pop(0)
    return module


def _import_module(target: str) -> Any:
    import importlib

    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as exc:
        if exc.name and target.startswith(exc.name):
            raise SpecError(
                f"no module named '{exc.name}'",
                hint="give an importable module (pkg.module:NAME, on PYTHONPATH) or a file (model.py:NAME)",
            ) from None
        raise user_error(exc, None, "importing") from None
    except Exception as exc:
        raise user_error(exc, None, "importing") from None


def user_error(exc: BaseException, user_file: str | None, doing: str) -> SpecError:
    """The user's own exception, shown as theirs: its type, message and the line of their file."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if user_file is None or os.path.abspath(f.filename) == user_file]
    frame = mine[-1] if mine else (frames[-1] if frames else None)
    location = None
    if frame is not None and (user_file is not None or "site-packages" not in frame.filename):
        location = Location(_short(frame.filename), line=frame.lineno, text=(frame.line or None))
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    detail = f": {text}" if text else ""
    return SpecError(
        f"your model's code raised {type(exc).__name__}{detail} while {doing} it",
        location=location,
        hint="the error is in the model's code (cnncalc runs it to import the model); fix it there",
    )


def _short(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return rel if not rel.startswith("..") else path


def _build_on_cpu(factory: Any, user_file: str | None) -> Any:
    """The model built on the CPU and moved to meta: for constructors that compute with tensor
    values (torchvision's RegNet widths), which the meta device cannot give."""
    try:
        model = factory()
    except Exception as exc:
        raise user_error(exc, user_file, "building") from None
    return model.to("meta") if hasattr(model, "to") else model


def _build(factory: Any, name: str, target: str, user_file: str | None) -> Any:
    """The model: ``factory`` itself (an nn.Module), or what it gives called with no arguments, on
    the meta device (shapes, no storage)."""
    import inspect

    torch = _torch()
    nn = torch.nn
    if isinstance(factory, nn.Module):
        return factory.to("meta")
    if not callable(factory):
        raise SpecError(
            f"'{name}' in '{target}' is a {type(factory).__name__}, not a model",
            hint="NAME is an nn.Module subclass, an nn.Module, or a function returning one",
        )
    try:
        signature = inspect.signature(factory)
        required = [
            p.name
            for p in signature.parameters.values()
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]
    except (TypeError, ValueError):
        required = []
    if required:
        raise SpecError(
            f"'{name}' needs arguments ({', '.join(required)}): cnncalc calls it with none",
            hint=f"add a function with no required arguments that returns the model, e.g. "
            f"def model(): return {name}(...), and import file.py:model",
        )
    try:
        with torch.device("meta"):
            model = factory()
    except NotImplementedError as exc:  # code that reads a tensor's values while building
        if "meta" not in str(exc):
            raise user_error(exc, user_file, "building") from None
        model = _build_on_cpu(factory, user_file)
    except Exception as exc:
        raise user_error(exc, user_file, "building") from None
    if not isinstance(model, nn.Module):
        raise SpecError(
            f"'{name}()' returned a {type(model).__name__}, not an nn.Module",
            hint="NAME is an nn.Module subclass or a function that returns an nn.Module",
        )
    return model

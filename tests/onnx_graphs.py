"""Small ONNX models built with onnx.helper, for the ONNX reader's tests (no torch needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import onnx
from onnx import TensorProto, helper


def weight(name: str, dims: list[int], values: list[float] | None = None) -> TensorProto:
    """A float initializer (zeros unless ``values``)."""
    count = 1
    for d in dims:
        count *= d
    return helper.make_tensor(name, TensorProto.FLOAT, dims, values if values is not None else [0.0] * count)


def ints(name: str, values: list[int]) -> TensorProto:
    """A 1-D int64 initializer (a shape, pads, axes)."""
    return helper.make_tensor(name, TensorProto.INT64, [len(values)], values)


def floats(name: str, values: list[float]) -> TensorProto:
    return helper.make_tensor(name, TensorProto.FLOAT, [len(values)], values)


def model(
    nodes: list[Any],
    input_dims: list[int | str],
    initializers: list[TensorProto] = (),  # type: ignore[assignment]
    outputs: list[str] | None = None,
    opset: int = 17,
    input_name: str = "x",
) -> onnx.ModelProto:
    """A model reading ``x`` of ``input_dims`` (``"N"`` for a dynamic axis) through ``nodes``; its
    outputs are the last node's (or ``outputs``), their shapes left to inference."""
    graph_outputs = [
        helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs or nodes[-1].output
    ]
    graph = helper.make_graph(
        nodes,
        "test",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, input_dims)],
        graph_outputs,
        initializer=list(initializers),
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def save(tmp_path: Path, proto: onnx.ModelProto, name: str = "model.onnx") -> Path:
    path = tmp_path / name
    onnx.save(proto, str(path))
    return path


node = helper.make_node

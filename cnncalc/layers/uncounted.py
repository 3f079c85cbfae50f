"""``uncounted``: an operation of an imported model that cnncalc cannot count (``torch.sort``, an
ONNX ``TopK``, a module it has no kind for). It keeps what the importer saw: the operation, its
output shape and the parameters its module holds. Its MACs are unknown: the report marks the row
as not counted and the totals say how many such operations they leave out, never a silent 0."""

from __future__ import annotations

from typing import Any

from cnncalc.layers.base import LayerDef, TorchCall, register
from cnncalc.layers.fields import NON_NEGATIVE_INT, Problem, Rule, field
from cnncalc.shapes import MAX_DIMENSION, Shape, parse_shape_text

MAX_OP_TEXT = 200


class OperationText(Rule):
    """A short non-empty text naming an operation (``torch.sort``, ``aten.topk``, ``TopK``)."""

    expected = f"a text of 1 to {MAX_OP_TEXT} characters naming the operation"

    def convert(self, value: Any) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_OP_TEXT:
            raise self.wrong_type()
        return value.strip()

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": MAX_OP_TEXT}


class ShapeValue(Rule):
    """A per-sample shape written H×W×C (``56x56x64``), or a vector's length (``1000``)."""

    expected = "a shape such as 56x56x64 (H×W×C) or a vector's length such as 1000"

    def convert(self, value: Any) -> Shape:
        if isinstance(value, Shape):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            shape = Shape(value) if value >= 1 else None
        elif isinstance(value, str):
            text = value.strip()
            shape = Shape(int(text)) if text.isdigit() and int(text) >= 1 else parse_shape_text(text)
        else:
            shape = None
        if shape is None or shape.numel < 1:
            raise self.wrong_type()
        if max(shape.channels, shape.height or 1, shape.width or 1) > MAX_DIMENSION:
            raise Problem(f"it should be at most {MAX_DIMENSION:,}", limit=MAX_DIMENSION, number=shape.numel)
        return shape

    def schema(self) -> dict[str, Any]:
        return {
            "anyOf": [
                {"type": "string", "pattern": "^\\s*[0-9]+\\s*[x×]\\s*[0-9]+\\s*[x×]\\s*[0-9]+\\s*$"},
                {"type": "integer", "exclusiveMinimum": 0, "maximum": MAX_DIMENSION},
            ]
        }


@register
class Uncounted(LayerDef):
    """An operation cnncalc cannot count: its output shape as the importer saw it, the parameters
    and buffers of its module; its MACs are not counted (the totals say how many such operations
    they leave out). ``cnncalc import`` writes one for each operation it cannot map."""

    op: str = field(OperationText(), "What the operation was (e.g. torch.sort, ONNX TopK).")
    output: Shape = field(ShapeValue(), "Its output shape per sample: H×W×C, or a vector's length.")
    params: int = field(NON_NEGATIVE_INT, "Trainable parameters of its module (0 for a function).", default=0)
    buffer_values: int = field(NON_NEGATIVE_INT, "Buffer elements of its module.", default=0)

    types = ("uncounted",)
    names = ("uncounted",)
    family = "uncounted"
    summary = "an operation cnncalc cannot count: its op, output shape, parameters; MACs not counted"
    positional = ("op", "output")
    counted = False

    def output_shape(self, inp: Shape) -> Shape:
        return self.output

    def weights(self, inp: Shape) -> int:
        return self.params

    def buffers(self, inp: Shape) -> int:
        return self.buffer_values

    def describe(self) -> str:
        return self.op

    def torch_call(self, inp: Shape) -> TorchCall:
        raise NotImplementedError(f"'{self.op}' is an operation cnncalc cannot build (uncounted)")

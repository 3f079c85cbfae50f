"""Fully connected layers and the layers that only reshape or mask: fc, flatten, dropout."""

from __future__ import annotations

from cnncalc.layers.base import GLOBAL_WINDOW, LayerDef, TorchCall, register
from cnncalc.layers.fields import BOOLEAN, POSITIVE_INT, PROBABILITY, field
from cnncalc.shapes import Shape


@register
class Linear(LayerDef):
    """Fully connected layer (nn.Linear). A spatial input is flattened first (C×H×W order)."""

    units: int = field(POSITIVE_INT, "Number of output neurons.")
    bias: bool = field(BOOLEAN, "Whether each neuron has a bias.", default=True)

    types = ("fc",)
    names = ("fc", "linear", "dense", "fullyconnected", "fully_connected")
    family = "linear"
    summary = "fully connected: units, bias (a spatial input is flattened first)"
    positional = ("units",)
    short_keys = {"u": "units"}
    flags = {"nobias": {"bias": False}}

    def output_shape(self, inp: Shape) -> Shape:
        return Shape(self.units)

    def weights(self, inp: Shape) -> int:
        return inp.numel * self.units

    def biases(self, inp: Shape) -> int:
        return self.units if self.bias else 0

    def macs(self, inp: Shape, out: Shape) -> int:
        return inp.numel * self.units

    def window(self, inp: Shape, out: Shape) -> str | None:
        return None if inp.is_flat or inp.spatial == (1, 1) else GLOBAL_WINDOW

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall(
            "Linear",
            {"in_features": inp.numel, "out_features": self.units, "bias": self.bias},
            flatten_first=not inp.is_flat,
        )

    def describe(self) -> str:
        return f"{self.units} units" + ("" if self.bias else " no bias")


@register
class Flatten(LayerDef):
    """Flatten H×W×C into a vector of C·H·W features (nn.Flatten, C×H×W order)."""

    types = ("flatten",)
    names = ("flatten",)
    family = "shape"
    summary = "flatten a feature map into a vector (C×H×W order, as torch.flatten)"
    in_place = True

    def output_shape(self, inp: Shape) -> Shape:
        return inp.flattened()

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall("Flatten", {})


@register
class Dropout(LayerDef):
    """Dropout (nn.Dropout; nn.Dropout2d with ``channelwise``). Identity at inference."""

    p: float = field(PROBABILITY, "Drop probability.", default=0.5)
    channelwise: bool = field(BOOLEAN, "Drop whole channels (nn.Dropout2d).", default=False)

    types = ("dropout",)
    names = ("dropout", "drop")
    family = "regularisation"
    summary = "dropout: p (default 0.5); channelwise for Dropout2d"
    positional = ("p",)
    flags = {"channelwise": {"channelwise": True}, "2d": {"channelwise": True}}
    in_place = True

    def torch_call(self, inp: Shape) -> TorchCall:
        cls = "Dropout2d" if self.channelwise else "Dropout"
        return TorchCall(cls, {"p": self.p})

    def describe(self) -> str:
        return f"p={self.p:g}"

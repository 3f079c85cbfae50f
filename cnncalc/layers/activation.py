"""Element-wise activations and softmax. They keep the shape and have no parameters
(except PReLU)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cnncalc.layers.base import LayerDef, TorchCall, register
from cnncalc.shapes import Shape

# canonical type -> PyTorch module class
_TORCH_CLASS = {
    "relu": "ReLU",
    "relu6": "ReLU6",
    "leakyrelu": "LeakyReLU",
    "elu": "ELU",
    "selu": "SELU",
    "gelu": "GELU",
    "silu": "SiLU",
    "mish": "Mish",
    "hardswish": "Hardswish",
    "hardsigmoid": "Hardsigmoid",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "softplus": "Softplus",
    "identity": "Identity",
}

ActivationName = Literal[
    "relu",
    "relu6",
    "leakyrelu",
    "elu",
    "selu",
    "gelu",
    "silu",
    "mish",
    "hardswish",
    "hardsigmoid",
    "tanh",
    "sigmoid",
    "softplus",
    "identity",
]


@register
class Activation(LayerDef):
    """A parameter-free element-wise activation (nn.ReLU, nn.Tanh, nn.Sigmoid, nn.GELU, …)."""

    type: ActivationName
    negative_slope: float | None = Field(None, description="Slope for x < 0 (leakyrelu only).")

    names = (*_TORCH_CLASS, "swish", "leaky_relu", "lrelu")
    type_aliases = {"swish": "silu", "leaky_relu": "leakyrelu", "lrelu": "leakyrelu"}
    family = "activation"
    summary = "element-wise activation without parameters (each name is its own type)"
    positional = ("negative_slope",)
    in_place = True

    def torch_call(self, inp: Shape) -> TorchCall:
        kwargs: dict[str, object] = {}
        if self.type == "leakyrelu" and self.negative_slope is not None:
            kwargs["negative_slope"] = self.negative_slope
        return TorchCall(_TORCH_CLASS[self.type], kwargs)


@register
class Softmax(LayerDef):
    """Softmax over the channel (class) dimension (nn.Softmax(dim=1))."""

    type: Literal["softmax"] = "softmax"
    names = ("softmax", "soft-max")
    family = "activation"
    summary = "softmax over channels/classes"

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall("Softmax", {"dim": 1})


@register
class PReLU(LayerDef):
    """Parametric ReLU (nn.PReLU): one learned slope, or one per channel with ``per_channel``."""

    type: Literal["prelu"] = "prelu"
    per_channel: bool = Field(False, description="One slope per channel instead of one in all.")
    init: float = Field(0.25, description="Initial slope.")
    names = ("prelu",)
    family = "activation"
    summary = "parametric ReLU: 1 learned slope (or 1 per channel)"
    flags = {"per_channel": {"per_channel": True}}

    def weights(self, inp: Shape) -> int:
        return inp.channels if self.per_channel else 1

    def torch_call(self, inp: Shape) -> TorchCall:
        n = inp.channels if self.per_channel else 1
        return TorchCall("PReLU", {"num_parameters": n, "init": self.init})

"""Element-wise activations and softmax. They keep the shape and have no parameters
(except PReLU)."""

from __future__ import annotations

from cnncalc.layers.base import InvalidField, LayerDef, TorchCall, register
from cnncalc.layers.fields import BOOLEAN, NUMBER, Optional, field
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


@register
class Activation(LayerDef):
    """A parameter-free element-wise activation (nn.ReLU, nn.Tanh, nn.Sigmoid, nn.GELU, …)."""

    negative_slope: float | None = field(Optional(NUMBER), "Slope for x < 0 (leakyrelu only).", default=None)

    types = tuple(_TORCH_CLASS)
    names = (*_TORCH_CLASS, "swish", "leaky_relu", "lrelu")
    type_aliases = {"swish": "silu", "leaky_relu": "leakyrelu", "lrelu": "leakyrelu"}
    family = "activation"
    summary = "element-wise activation without parameters (each name is its own type)"
    positional = ("negative_slope",)
    # One kind holds every name, but only leakyrelu takes a value: the usage says so.
    usage = "relu (or any name in the list, alone); leakyrelu [NEGATIVE_SLOPE=0.01]"
    in_place = True

    def check(self) -> None:
        if self.negative_slope is not None and self.type != "leakyrelu":
            raise InvalidField(
                type(self),
                "negative_slope",
                self.negative_slope,
                f"only leakyrelu has one, not {self.type}",
                hint=f"write 'leakyrelu {self.negative_slope:g}' for a slope, or '{self.type}' alone",
                layer_type=self.type,
            )

    def torch_call(self, inp: Shape) -> TorchCall:
        kwargs: dict[str, object] = {}
        if self.type == "leakyrelu" and self.negative_slope is not None:
            kwargs["negative_slope"] = self.negative_slope
        return TorchCall(_TORCH_CLASS[self.type], kwargs)


@register
class Softmax(LayerDef):
    """Softmax over the channel (class) dimension (nn.Softmax(dim=1))."""

    types = ("softmax",)
    names = ("softmax", "soft-max")
    family = "activation"
    summary = "softmax over channels/classes"

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall("Softmax", {"dim": 1})


@register
class PReLU(LayerDef):
    """Parametric ReLU (nn.PReLU): one learned slope, or one per channel with ``per_channel``."""

    per_channel: bool = field(BOOLEAN, "One slope per channel instead of one in all.", default=False)
    init: float = field(NUMBER, "Initial slope.", default=0.25)

    types = ("prelu",)
    names = ("prelu",)
    family = "activation"
    summary = "parametric ReLU: 1 learned slope (or 1 per channel)"
    flags = {"per_channel": {"per_channel": True}}

    def weights(self, inp: Shape) -> int:
        return inp.channels if self.per_channel else 1

    def torch_call(self, inp: Shape) -> TorchCall:
        n = inp.channels if self.per_channel else 1
        return TorchCall("PReLU", {"num_parameters": n, "init": self.init})

"""Fully connected layers (fc; channel_linear over the channels of a feature map), per-channel
scaling (layerscale, fixed_affine), and the layers that only reshape, reorder or mask: flatten,
channel_shuffle, dropout, stochastic_depth."""

from __future__ import annotations

from cnncalc.errors import ShapeError
from cnncalc.layers.base import (
    CNNCALC_MODULES,
    GLOBAL_WINDOW,
    InvalidField,
    LayerDef,
    TorchCall,
    register,
    require_groups_divide,
)
from cnncalc.layers.fields import (
    BOOLEAN,
    NON_NEGATIVE_INT,
    NUMBER,
    PER_CHANNEL_NUMBERS,
    POSITIVE_INT,
    PROBABILITY,
    Choice,
    field,
)
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


@register
class ChannelLinear(LayerDef):
    """A fully connected layer over the channels at every position (ConvNeXt's Linear over C).

    ConvNeXt writes it Permute → nn.Linear → Permute; the numbers are a 1×1 convolution's. On a vector
    it is nn.Linear. Parameters ``weight`` (units×C) and ``bias`` as nn.Linear names them."""

    units: int = field(POSITIVE_INT, "Output channels (out_features).")
    bias: bool = field(BOOLEAN, "Whether each output channel has a bias.", default=True)

    types = ("channel_linear",)
    names = ("channel_linear", "linear_c", "pointwise_linear", "channellinear")
    family = "linear"
    summary = "fully connected over the channels at each position: H×W×C → H×W×units (ConvNeXt)"
    positional = ("units",)
    short_keys = {"u": "units"}
    flags = {"nobias": {"bias": False}}

    def output_shape(self, inp: Shape) -> Shape:
        return Shape(self.units, inp.height, inp.width)

    def weights(self, inp: Shape) -> int:
        return inp.channels * self.units

    def biases(self, inp: Shape) -> int:
        return self.units if self.bias else 0

    def macs(self, inp: Shape, out: Shape) -> int:
        h, w = inp.spatial
        return h * w * inp.channels * self.units

    def torch_call(self, inp: Shape) -> TorchCall:
        kwargs = {"in_features": inp.channels, "out_features": self.units, "bias": self.bias}
        if inp.is_flat:
            return TorchCall("Linear", kwargs)
        return TorchCall("ChannelLinear", kwargs, origin=CNNCALC_MODULES)

    def describe(self) -> str:
        return f"{self.units} units over channels" + ("" if self.bias else " no bias")


@register
class LayerScale(LayerDef):
    """A learned scale per channel, γ of shape C×1×1 (ConvNeXt's ``layer_scale``).

    γ multiplies the feature map; initialised to 1e-6 as in ConvNeXt. One parameter per channel,
    named ``layer_scale``; in PyTorch a parameter of the enclosing block under the layer's name
    (torchvision's ``CNBlock.layer_scale``), not a submodule of its own."""

    init: float = field(NUMBER, "Initial value of every γ.", default=1e-6)

    types = ("layerscale",)
    names = ("layerscale", "layer_scale")
    family = "scale"
    summary = "learned per-channel scale γ (C×1×1), as ConvNeXt's layer_scale (init 1e-6)"
    positional = ("init",)

    def output_shape(self, inp: Shape) -> Shape:
        if inp.is_flat:
            raise ShapeError(
                f"layerscale needs a feature map (its γ is C×1×1) but its input is a flat vector "
                f"of {inp.channels}",
                hint="put it before flatten, on the H×W×C map",
            )
        return inp

    def weights(self, inp: Shape) -> int:
        return inp.channels

    def torch_call(self, inp: Shape) -> TorchCall:
        kwargs = {"channels": inp.channels, "init": self.init}
        return TorchCall("LayerScale", kwargs, origin=CNNCALC_MODULES, scale_parameter="layer_scale")

    def describe(self) -> str:
        return f"γ per channel, init {self.init:g}"


@register
class FixedAffine(LayerDef):
    """A fixed affine map per channel, x_c × scale_c + shift_c: constants, no parameters.

    torchvision's GoogLeNet and Inception v3 with their DEFAULT weights (``transform_input=True``)
    begin so: the ImageNet-normalised input renormalised to mean 0.5 and std 0.5 per channel
    (scale std_c / 0.5, shift (mean_c − 0.5) / 0.5), computed as torchvision's ``_transform_input``.
    No MACs: it is element-wise, as normalisation, and FlopCounterMode counts no element-wise op."""

    scale: tuple[float, ...] = field(PER_CHANNEL_NUMBERS, "The factor of each channel.")
    shift: tuple[float, ...] = field(PER_CHANNEL_NUMBERS, "The term added to each channel.")

    types = ("fixed_affine",)
    names = ("fixed_affine", "channel_affine", "fixedaffine")
    family = "scale"
    summary = "fixed x × scale + shift per channel (lists, one value per channel); no parameters, no MACs"

    def output_shape(self, inp: Shape) -> Shape:
        for name, values in (("scale", self.scale), ("shift", self.shift)):
            if len(values) != inp.channels:
                raise ShapeError(
                    f"fixed_affine: {len(values)} values of {name} for {inp.channels} channels",
                    hint=f"give {name} as a list of {inp.channels} numbers, one per channel",
                )
        return inp

    def torch_call(self, inp: Shape) -> TorchCall:
        kwargs = {"scale": list(self.scale), "shift": list(self.shift)}
        return TorchCall("FixedAffine", kwargs, origin=CNNCALC_MODULES)

    def describe(self) -> str:
        return "x × scale + shift per channel, fixed"


@register
class ChannelShuffle(LayerDef):
    """ShuffleNet's channel shuffle (nn.ChannelShuffle), as torchvision's ``channel_shuffle``.

    The channels are viewed as groups × (C/groups), transposed and flattened. No parameters; a new
    tensor."""

    groups: int = field(POSITIVE_INT, "Number of groups (must divide the channels).")

    types = ("channel_shuffle",)
    names = ("channel_shuffle", "channelshuffle", "shuffle")
    family = "shape"
    summary = "ShuffleNet channel shuffle: groups (dividing the channels); no parameters"
    positional = ("groups",)
    short_keys = {"g": "groups"}

    def output_shape(self, inp: Shape) -> Shape:
        if inp.is_flat:
            raise ShapeError(
                "channel_shuffle needs a feature map (H×W×C) but its input is a flat vector of "
                f"{inp.channels}",
                hint="shuffle channels before flatten",
            )
        require_groups_divide("channel_shuffle", self.groups, inp)
        return inp

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall("ChannelShuffle", {"groups": self.groups})

    def describe(self) -> str:
        return f"{self.groups} groups"


@register
class Chunk(LayerDef):
    """One of ``parts`` equal channel chunks of the input: ``x.chunk(parts, dim=1)[index]``
    (ShuffleNetV2's split of the input between its two branches). A view: no new tensor."""

    parts: int = field(POSITIVE_INT, "Number of equal chunks (must divide the channels).")
    index: int = field(NON_NEGATIVE_INT, "Which chunk, from 0.")

    types = ("chunk",)
    names = ("chunk", "split")
    family = "shape"
    summary = "one of PARTS equal channel chunks (x.chunk(parts, dim=1)[index]); no parameters"
    positional = ("parts", "index")
    in_place = True  # a view of its input

    def check(self) -> None:
        if self.index >= self.parts:
            raise InvalidField(
                type(self),
                "index",
                self.index,
                f"it should be less than parts ({self.parts}): chunks are numbered from 0",
                hint=f"e.g. 'chunk {self.parts} 0' … 'chunk {self.parts} {self.parts - 1}'",
            )

    def output_shape(self, inp: Shape) -> Shape:
        require_groups_divide("chunk", self.parts, inp)
        return Shape(inp.channels // self.parts, inp.height, inp.width)

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall("Chunk", {"parts": self.parts, "index": self.index}, origin=CNNCALC_MODULES)

    def describe(self) -> str:
        return f"chunk {self.index + 1} of {self.parts}"


@register
class StochasticDepth(LayerDef):
    """Stochastic depth (torchvision.ops.StochasticDepth): identity at inference.

    In training it zeroes the whole residual branch of a sample (``row``) or of the batch
    (``batch``) with probability p and scales the rest by 1/(1 − p)."""

    p: float = field(PROBABILITY, "Drop probability in training.", default=0.0)
    mode: str = field(
        Choice("row", "batch"), "Drop per sample ('row') or for the whole batch.", default="row"
    )

    types = ("stochastic_depth",)
    names = ("stochastic_depth", "stochasticdepth", "droppath", "drop_path")
    family = "regularisation"
    summary = "stochastic depth: identity at inference (drops a residual branch with p in training)"
    positional = ("p",)
    flags = {"row": {"mode": "row"}, "batch": {"mode": "batch"}}
    in_place = True

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall("StochasticDepth", {"p": self.p, "mode": self.mode}, origin=CNNCALC_MODULES)

    def describe(self) -> str:
        return f"identity at inference (p={self.p:g} per {self.mode} in training)"

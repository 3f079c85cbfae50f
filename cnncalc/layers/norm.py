"""Normalisation: batch norm (nn.BatchNorm1d/2d), layer norm (nn.LayerNorm; over the channels of a
feature map as ConvNeXt's LayerNorm2d), group norm (nn.GroupNorm), instance norm (nn.InstanceNorm2d)
and local response norm (nn.LocalResponseNorm)."""

from __future__ import annotations

from cnncalc.errors import ShapeError
from cnncalc.layers.base import CNNCALC_MODULES, LayerDef, TorchCall, register, require_groups_divide
from cnncalc.layers.fields import BOOLEAN, NUMBER, POSITIVE_INT, POSITIVE_NUMBER, PROBABILITY, field
from cnncalc.shapes import Shape


class _PerChannelStatistics:
    """Batch and instance norm's state: γ and β per channel when ``affine``; the running mean and
    variance per channel and the int64 batch counter when ``track_running_stats``."""

    affine: bool
    track_running_stats: bool

    def weights(self, inp: Shape) -> int:
        return inp.channels if self.affine else 0

    def biases(self, inp: Shape) -> int:
        return inp.channels if self.affine else 0

    def buffers(self, inp: Shape) -> int:
        return 2 * inp.channels + 1 if self.track_running_stats else 0

    def buffer_bytes(self, inp: Shape, bytes_per_element: int) -> int:
        """Running statistics in the model's dtype; the batch counter is always int64."""
        return 2 * inp.channels * bytes_per_element + 8 if self.track_running_stats else 0


@register
class BatchNorm(_PerChannelStatistics, LayerDef):
    """Batch normalisation over channels (nn.BatchNorm2d, or nn.BatchNorm1d on a flat input).

    Trainable: a scale and a shift per channel (when ``affine``). Buffers: running mean and variance
    per channel (when ``track_running_stats``) plus PyTorch's int64 ``num_batches_tracked``."""

    eps: float = field(POSITIVE_NUMBER, "Added to the variance for stability.", default=1e-5)
    momentum: float = field(PROBABILITY, "Running statistics momentum.", default=0.1)
    affine: bool = field(BOOLEAN, "Learn a scale (gamma) and shift (beta) per channel.", default=True)
    track_running_stats: bool = field(BOOLEAN, "Keep running mean and variance buffers.", default=True)

    types = ("batchnorm",)
    names = ("batchnorm", "bn", "batchnorm2d", "batch_norm", "batchnorm1d")
    family = "norm"
    summary = "batch normalisation: 2 trainable parameters and 2 running statistics per channel"
    flags = {"noaffine": {"affine": False}}

    def check_batch(self, inp: Shape, batch: int, training: bool) -> None:
        """PyTorch normalises with the batch's own statistics in training, and always without
        running statistics; it refuses that when each channel has a single value."""
        if not (training or not self.track_running_stats):
            return
        h, w = inp.spatial
        if batch * h * w > 1:
            return
        if self.track_running_stats:
            why = "in training, batch norm normalises with the batch's own statistics"
            fix = "train with a batch of 2 or more"
        else:
            why = (
                "without running statistics (track_running_stats=false), batch norm always normalises "
                "with the batch's own statistics"
            )
            fix = "use a batch of 2 or more, or keep track_running_stats (the default)"
        raise ShapeError(
            f"{why}, and batch {batch} gives it one value per channel; PyTorch refuses it "
            "(Expected more than 1 value per channel)",
            hint=fix,
        )

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall(
            "BatchNorm1d" if inp.is_flat else "BatchNorm2d",
            {
                "num_features": inp.channels,
                "eps": self.eps,
                "momentum": self.momentum,
                "affine": self.affine,
                "track_running_stats": self.track_running_stats,
            },
        )


@register
class LocalResponseNorm(LayerDef):
    """Local response normalisation across channels (nn.LocalResponseNorm), as in AlexNet."""

    size: int = field(POSITIVE_INT, "Number of neighbouring channels.", default=5)
    alpha: float = field(NUMBER, "Scale.", default=1e-4)
    beta: float = field(NUMBER, "Exponent.", default=0.75)
    k: float = field(NUMBER, "Additive constant (AlexNet uses 2).", default=2.0)

    types = ("lrn",)
    names = ("lrn", "localresponsenorm", "local_response_norm")
    family = "norm"
    summary = "local response normalisation (AlexNet): size 5, alpha 1e-4, beta 0.75, k 2"
    positional = ("size",)

    def output_shape(self, inp: Shape) -> Shape:
        if inp.is_flat:  # torch: "Expected 3D or higher dimensionality input"
            raise ShapeError(
                f"lrn normalises across the channels of a feature map (H×W×C), but its input is a flat "
                f"vector of {inp.channels}",
                hint="put lrn right after a convolution, before any flatten or fc layer",
            )
        return inp

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall(
            "LocalResponseNorm",
            {"size": self.size, "alpha": self.alpha, "beta": self.beta, "k": self.k},
        )

    def describe(self) -> str:
        return f"size {self.size}, α={self.alpha:g}, β={self.beta:g}, k={self.k:g}"


@register
class LayerNorm(LayerDef):
    """Layer normalisation over the channels at each position (LayerNorm2d on a map).

    nn.LayerNorm(C) on a vector; on a feature map ConvNeXt's LayerNorm2d, nn.LayerNorm(C) applied
    with the channels last. Trainable: a scale per channel (when ``affine``) and a shift per channel
    (when ``affine`` and ``bias``), named ``weight`` and ``bias`` as in torch. No buffers: the
    statistics come from the input."""

    eps: float = field(POSITIVE_NUMBER, "Added to the variance for stability (ConvNeXt: 1e-6).", default=1e-5)
    affine: bool = field(
        BOOLEAN, "Learn a scale (and a shift) per channel (elementwise_affine).", default=True
    )
    bias: bool = field(BOOLEAN, "Learn the shift too (only with affine).", default=True)

    types = ("layernorm",)
    names = ("layernorm", "ln", "layer_norm", "layernorm2d")
    family = "norm"
    summary = "layer normalisation over the channels at each position (LayerNorm2d on a feature map)"
    flags = {"noaffine": {"affine": False}, "nobias": {"bias": False}}

    def weights(self, inp: Shape) -> int:
        return inp.channels if self.affine else 0

    def biases(self, inp: Shape) -> int:
        return inp.channels if self.affine and self.bias else 0

    def torch_call(self, inp: Shape) -> TorchCall:
        kwargs = {"normalized_shape": inp.channels, "eps": self.eps, "elementwise_affine": self.affine}
        kwargs["bias"] = self.bias
        if inp.is_flat:
            return TorchCall("LayerNorm", kwargs)
        return TorchCall("LayerNorm2d", kwargs, origin=CNNCALC_MODULES)

    def describe(self) -> str:
        text = f"over channels, eps={self.eps:g}"
        if not self.affine:
            text += ", no affine"
        elif not self.bias:
            text += ", no bias"
        return text


@register
class GroupNorm(LayerDef):
    """Group normalisation (nn.GroupNorm), over groups of channels and all positions.

    The channels split into ``groups``; each group is normalised over its channels and positions.
    Trainable: a scale and a shift per channel (when ``affine``)."""

    groups: int = field(POSITIVE_INT, "Number of channel groups G (must divide the channels).")
    eps: float = field(POSITIVE_NUMBER, "Added to the variance for stability.", default=1e-5)
    affine: bool = field(BOOLEAN, "Learn a scale (gamma) and shift (beta) per channel.", default=True)

    types = ("groupnorm",)
    names = ("groupnorm", "gn", "group_norm")
    family = "norm"
    summary = "group normalisation: groups G dividing the channels; 2 trainable parameters per channel"
    positional = ("groups",)
    short_keys = {"g": "groups"}
    flags = {"noaffine": {"affine": False}}

    def output_shape(self, inp: Shape) -> Shape:
        require_groups_divide("groupnorm", self.groups, inp)
        return inp

    def weights(self, inp: Shape) -> int:
        return inp.channels if self.affine else 0

    def biases(self, inp: Shape) -> int:
        return inp.channels if self.affine else 0

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall(
            "GroupNorm",
            {"num_groups": self.groups, "num_channels": inp.channels, "eps": self.eps, "affine": self.affine},
        )

    def describe(self) -> str:
        return f"{self.groups} groups, eps={self.eps:g}" + ("" if self.affine else ", no affine")


@register
class InstanceNorm(_PerChannelStatistics, LayerDef):
    """Instance normalisation (nn.InstanceNorm2d), per channel and sample over the positions.

    PyTorch's defaults: no affine parameters, no running statistics."""

    eps: float = field(POSITIVE_NUMBER, "Added to the variance for stability.", default=1e-5)
    momentum: float = field(PROBABILITY, "Running statistics momentum.", default=0.1)
    affine: bool = field(BOOLEAN, "Learn a scale (gamma) and shift (beta) per channel.", default=False)
    track_running_stats: bool = field(
        BOOLEAN, "Keep running mean and variance buffers (then inference uses them).", default=False
    )

    types = ("instancenorm",)
    names = ("instancenorm", "instance_norm", "instancenorm2d")
    family = "norm"
    summary = "instance normalisation per channel and sample (torch defaults: no affine, no running stats)"
    flags = {"affine": {"affine": True}, "track": {"track_running_stats": True}}

    def output_shape(self, inp: Shape) -> Shape:
        if inp.is_flat:
            raise ShapeError(
                f"instancenorm needs a feature map (H×W×C) but its input is a flat vector of {inp.channels}",
                hint="use layernorm or batchnorm on a vector",
            )
        if inp.spatial == (1, 1) and not self.track_running_stats:
            raise ShapeError(
                "instancenorm of a 1×1 map: one value per channel has no variance "
                "(PyTorch: 'Expected more than 1 spatial element')",
                hint="normalise before the map shrinks to 1×1, or use track_running_stats",
            )
        return inp

    def torch_call(self, inp: Shape) -> TorchCall:
        return TorchCall(
            "InstanceNorm2d",
            {
                "num_features": inp.channels,
                "eps": self.eps,
                "momentum": self.momentum,
                "affine": self.affine,
                "track_running_stats": self.track_running_stats,
            },
        )

    def describe(self) -> str:
        parts = [f"eps={self.eps:g}"]
        if self.affine:
            parts.append("affine")
        if self.track_running_stats:
            parts.append("running stats")
        return ", ".join(parts)

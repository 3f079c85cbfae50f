"""Normalisation: batch norm (nn.BatchNorm1d/2d) and local response norm (nn.LocalResponseNorm)."""

from __future__ import annotations

from cnncalc.errors import ShapeError
from cnncalc.layers.base import LayerDef, TorchCall, register
from cnncalc.layers.fields import BOOLEAN, NUMBER, POSITIVE_INT, POSITIVE_NUMBER, PROBABILITY, field
from cnncalc.shapes import Shape


@register
class BatchNorm(LayerDef):
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

    def weights(self, inp: Shape) -> int:
        return inp.channels if self.affine else 0

    def biases(self, inp: Shape) -> int:
        return inp.channels if self.affine else 0

    def buffers(self, inp: Shape) -> int:
        return 2 * inp.channels + 1 if self.track_running_stats else 0

    def buffer_bytes(self, inp: Shape, bytes_per_element: int) -> int:
        """Running statistics in the model's dtype; the batch counter is always int64."""
        return 2 * inp.channels * bytes_per_element + 8 if self.track_running_stats else 0

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

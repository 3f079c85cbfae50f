"""The cost of one training step: forward + backward FLOPs per layer, and a time floor.

FLOPs follow ``torch.utils.flop_counter.FlopCounterMode`` (2 per multiply-accumulate of a conv or
fc; bias, normalisation, activations and pooling not counted). Backward per weight layer:

* gradient of the input: as many multiply-accumulates as the forward (a transposed convolution of
  the output gradient with the weights); none for a layer whose input needs no gradient (every
  layer before the first one with parameters: the network input does not require grad);
* gradient of the weights: as many again (a convolution of the input with the output gradient).

FlopCounterMode's formula for the weight gradient of a grouped convolution
(``conv_backward_flop`` in torch/utils/flop_counter.py, torch 2.13) multiplies Cin by Cout
without dividing by the groups, so it reports ``groups`` times the true count: a depthwise 3×3
on 32 channels is reported 32× too large. :attr:`TrainingRow.flop_counter_backward` is what
FlopCounterMode reports, :attr:`TrainingRow.backward` the correct count.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.counting.facts import Facts, facts_of
from cnncalc.errors import UsageError
from cnncalc.report import Report
from cnncalc.spec import Network

INPUT = "input"


@dataclass(frozen=True)
class TrainingRow:
    facts: Facts
    forward: int  # FLOPs for the batch
    grad_input: int
    grad_weight: int
    groups: int
    needs_input_grad: bool

    @property
    def backward(self) -> int:
        return self.grad_input + self.grad_weight

    @property
    def flop_counter_backward(self) -> int:
        """What FlopCounterMode reports for this layer's backward (its grouped-conv weight gradient
        is ``groups`` times too large)."""
        return self.grad_input + self.grad_weight * (self.groups if self.facts.row.family == "conv" else 1)


@dataclass(frozen=True)
class TrainingCost:
    batch: int
    rows: list[TrainingRow]

    @property
    def forward(self) -> int:
        return sum(r.forward for r in self.rows)

    @property
    def backward(self) -> int:
        return sum(r.backward for r in self.rows)

    @property
    def total(self) -> int:
        return self.forward + self.backward

    @property
    def flop_counter_total(self) -> int:
        return self.forward + sum(r.flop_counter_backward for r in self.rows)


def training_cost(report: Report, network: Network) -> TrainingCost:
    """Forward and backward FLOPs of every row of ``report`` for its batch (loss = every output)."""
    batch = report.settings.batch
    requires_grad = {INPUT: False}
    rows = []
    for facts in facts_of(report, network):
        row = facts.row
        needs = any(requires_grad.get(name, True) for name in row.inputs)
        requires_grad[row.name] = needs or row.params > 0
        forward = 2 * row.macs * batch
        rows.append(
            TrainingRow(
                facts=facts,
                forward=forward,
                grad_input=forward if needs and row.macs else 0,
                grad_weight=forward if row.weights and row.macs else 0,
                groups=facts.groups if row.family == "conv" else 1,
                needs_input_grad=needs,
            )
        )
    return TrainingCost(batch, rows)


# --------------------------------------------------------------------------------------------
# Peak throughput: dense (no structured sparsity) TFLOPS from the vendors' datasheets
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Gpu:
    name: str
    tflops: dict[str, float]  # dtype -> dense peak TFLOPS (fp32: the TF32 tensor-core peak if any)
    source: str


GPUS: dict[str, Gpu] = {
    g.name.lower(): g
    for g in (
        Gpu(
            "H100-SXM",
            {"fp64": 67.0, "fp32": 494.5, "fp16": 989.5, "bf16": 989.5},
            "NVIDIA H100 Tensor Core GPU datasheet (SXM5; TF32 989, FP16/BF16 1,979 sparse, halved)",
        ),
        Gpu(
            "A100-SXM",
            {"fp64": 19.5, "fp32": 156.0, "fp16": 312.0, "bf16": 312.0},
            "NVIDIA A100 Tensor Core GPU datasheet (SXM; TF32 156, FP16/BF16 312 dense)",
        ),
        Gpu(
            "V100-SXM2",
            {"fp64": 7.8, "fp32": 15.7, "fp16": 125.0},
            "NVIDIA Tesla V100 datasheet (SXM2; no TF32 or BF16)",
        ),
        Gpu(
            "T4",
            {"fp32": 8.1, "fp16": 65.0},
            "NVIDIA T4 Tensor Core GPU datasheet (no TF32 or BF16)",
        ),
        Gpu(
            "L4",
            {"fp32": 60.0, "fp16": 121.0, "bf16": 121.0},
            "NVIDIA L4 Tensor Core GPU datasheet (TF32 120, FP16/BF16 242 with sparsity, halved)",
        ),
        Gpu(
            "RTX-4090",
            {"fp32": 82.6, "fp16": 165.2, "bf16": 165.2},
            "NVIDIA Ada GPU architecture whitepaper, Appendix A (FP16/BF16 tensor with FP32 accumulate)",
        ),
    )
}


def gpu(name: str) -> Gpu:
    key = name.strip().lower()
    if key not in GPUS:
        raise UsageError(
            f"unknown GPU '{name}'", hint=f"choose from {', '.join(g.name for g in GPUS.values())}"
        )
    return GPUS[key]


def time_floor_ms(flops: int, device: Gpu, dtype: str) -> float:
    """Milliseconds below which ``flops`` cannot run on ``device`` at ``dtype``'s peak: a bound,
    not a prediction (real runs reach a fraction of the peak)."""
    peak = device.tflops.get(dtype)
    if peak is None:
        raise UsageError(
            f"{device.name} has no published {dtype} peak in cnncalc's table",
            hint=f"choose a dtype from {', '.join(device.tflops)}",
        )
    return flops / (peak * 1e12) * 1e3

"""What cnncalc counts and how, stated once. Reports copy :func:`conventions_block` verbatim."""

from __future__ import annotations

from typing import Literal

Dtype = Literal["fp32", "fp16", "bf16", "int8", "fp64"]
ShapeOrder = Literal["hwc", "chw"]

BYTES_PER_ELEMENT: dict[str, int] = {"fp64": 8, "fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}
DTYPE_ALIASES: dict[str, str] = {
    "float32": "fp32",
    "float": "fp32",
    "float16": "fp16",
    "half": "fp16",
    "bfloat16": "bf16",
    "float64": "fp64",
    "double": "fp64",
}

FLOPS_PER_MAC = 2
MB = 1000**2
MIB = 1024**2

CONVENTIONS: dict[str, str] = {
    "shape_order": (
        "Shapes print as H×W×C (the lectures' order) unless --order chw is given; "
        "JSON always carries explicit height, width and channels fields."
    ),
    "macs": (
        "One multiply-accumulate of a convolution (also transposed) or a fully connected layer counts "
        "as 1 MAC; biases, activations, pooling and normalisation are not counted (torchvision's "
        "published 'GFLOPS' are these MACs)."
    ),
    "flops": "FLOPs = 2 × MACs, which is what torch.utils.flop_counter.FlopCounterMode counts.",
    "params": (
        "Parameters are trainable weights and biases. Buffers (BatchNorm running mean and variance, "
        "plus its int64 batch counter) are counted separately as non-trainable state."
    ),
    "activations": (
        "Activation memory of a layer = elements of its output × batch × bytes per element. The "
        "'sum of activations' follows the lectures: the input plus the output of every layer that "
        "allocates a new tensor; element-wise activations, dropout and flatten are treated as in place."
    ),
    "peak": (
        "Inference peak = the largest total of tensors alive at once during a forward pass without "
        "gradients (inputs kept for branches and shortcuts included), parameters excluded."
    ),
    "units": "MB = 10^6 bytes, MiB = 2^20 bytes; both are printed where memory is shown.",
    "output_size": (
        "Output size = floor((N + 2P − D·(F−1) − 1)/S) + 1 (ceil in ceil_mode), exactly as PyTorch."
    ),
    "fully_connected": (
        "A fully connected layer on a spatial input flattens it first (C×H×W order, as torch.flatten)."
    ),
}


def conventions_block() -> dict[str, str]:
    """A copy of the conventions, for embedding in reports."""
    return dict(CONVENTIONS)


def normalise_dtype(name: str) -> str:
    """Map a user-given dtype name to one of :data:`BYTES_PER_ELEMENT`'s keys, or raise ValueError."""
    key = name.strip().lower()
    key = DTYPE_ALIASES.get(key, key)
    if key not in BYTES_PER_ELEMENT:
        raise ValueError(f"unknown dtype '{name}' (choose from {', '.join(BYTES_PER_ELEMENT)})")
    return key

"""Sliding-window arithmetic shared by convolution and pooling, exactly as PyTorch computes it."""

from __future__ import annotations

from cnncalc.errors import ShapeError
from cnncalc.layers.base import pair
from cnncalc.records import record
from cnncalc.shapes import Shape

FIT_WARNING = "window-does-not-fit"  # the code of every warning of LayerDef.fit_warnings (in --json)
FLOOR_INTENDED = (
    "The window is meant not to tile its input: PyTorch's floor is intended, so no 'does not fit' "
    "warning (the output size is the same). One-line spec: the flag 'floor'."
)


@record
class AxisFit:
    """The output length along one axis and whether the window tiles the padded input exactly."""

    size: int
    exact: bool
    numerator: int  # N + 2P − D·(F−1) − 1... plus 1, i.e. N + 2P − F_eff
    stride: int


def effective_kernel(kernel: int, dilation: int) -> int:
    return dilation * (kernel - 1) + 1


def window_output(
    n: int,
    kernel: int,
    stride: int,
    pad_total: int,
    dilation: int = 1,
    ceil_mode: bool = False,
    *,
    axis: str,
    what: str = "kernel",
) -> AxisFit:
    """Output length of a window of ``kernel`` (dilated) sliding with ``stride`` over ``n`` elements
    padded by ``pad_total`` in all (both sides together). Raises ShapeError when it is empty."""
    k_eff = effective_kernel(kernel, dilation)
    span = n + pad_total - k_eff
    if ceil_mode:
        # PyTorch (pooling_output_shape): floor((span + S − 1)/S) + 1, then drop a last window
        # that would start in the right padding. With ceil_mode a window may overhang the padded
        # input (span < 0) as long as one output remains.
        size = (span + stride - 1) // stride + 1
        if size >= 1 and (size - 1) * stride >= n + pad_total // 2:
            size -= 1
        if size >= 1:
            return AxisFit(size=size, exact=span % stride == 0, numerator=span, stride=stride)
    if span < 0 or ceil_mode:
        pad_text = f"padding {pad_total // 2}" if pad_total % 2 == 0 else f"total padding {pad_total}"
        need = -(-(k_eff - n) // 2)
        raise ShapeError(
            f"{axis} {n} is smaller than {what} {k_eff}"
            + (f" (={kernel} dilated by {dilation})" if dilation > 1 else "")
            + f" with {pad_text}",
            hint=f"use padding ≥ {need}, a smaller {what}, or a larger input",
        )
    size = span // stride + 1
    return AxisFit(size=size, exact=span % stride == 0, numerator=span, stride=stride)


_MAX_SEARCH = 10_000


def fit_suggestions(n: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> str:
    """Paddings and strides that make the window tile the input exactly, as a phrase."""
    k_eff = effective_kernel(kernel, dilation)
    # Searches are capped (suggestions are the small values anyway) so that a huge kernel or stride
    # cannot make a warning take minutes.
    first_pad = max(0, -(-(k_eff - n) // 2))
    pad_range = range(first_pad, min(k_eff, first_pad + _MAX_SEARCH) + 1)
    pads = [p for p in pad_range if (n + 2 * p - k_eff) % stride == 0]
    strides = [
        s for s in range(1, min(max(k_eff, stride), _MAX_SEARCH) + 1) if (n + 2 * padding - k_eff) % s == 0
    ]
    parts = []
    if pads:
        shown = pads[:3]
        outs = [(n + 2 * p - k_eff) // stride + 1 for p in shown]
        parts.append("padding " + ", ".join(f"{p} (→ {o})" for p, o in zip(shown, outs, strict=True)))
    if strides:
        shown_s = strides[:4]
        outs = [(n + 2 * padding - k_eff) // s + 1 for s in shown_s]
        parts.append("stride " + ", ".join(f"{s} (→ {o})" for s, o in zip(shown_s, outs, strict=True)))
    return " or ".join(parts)


def not_fit_message(n: int, kernel: int, stride: int, padding: int, dilation: int, axis: str) -> str:
    """'(7 + 2×0 − 3)/3 + 1 = 2.33 does not fit ...' for a window that does not tile its input."""
    k_eff = effective_kernel(kernel, dilation)
    exact = (n + 2 * padding - k_eff) / stride + 1
    floor = (n + 2 * padding - k_eff) // stride + 1
    k_text = str(kernel) if dilation == 1 else f"{dilation}×({kernel}−1)+1"
    msg = (
        f"{axis}: ({n} + 2×{padding} − {k_text})/{stride} + 1 = {exact:.2f} does not fit "
        f"(não cabe); PyTorch floors it to {floor}, ignoring the last "
        f"{(n + 2 * padding - k_eff) % stride} row(s)/column(s)"
    )
    hint = fit_suggestions(n, kernel, stride, padding, dilation)
    if hint:
        msg += f"; fits exactly with {hint}"
    return msg


def fit_warnings(
    inp: Shape,
    kernel: int | tuple[int, int],
    stride: int | tuple[int, int],
    pads: tuple[tuple[int, int], tuple[int, int]],
    dilation: int | tuple[int, int] = 1,
) -> list[str]:
    """Warnings for the axes where (N + 2P − F)/S is not an integer; one line when both agree."""
    warnings = []
    for n, k, s, (total, _lead), d, axis in zip(
        inp.spatial, pair(kernel), pair(stride), pads, pair(dilation), ("height", "width"), strict=True
    ):
        if (n + total - effective_kernel(k, d)) % s:
            warnings.append(not_fit_message(n, k, s, total // 2, d, axis))
    if len(warnings) == 2 and warnings[0][len("height") :] == warnings[1][len("width") :]:
        return ["height and width" + warnings[0][len("height") :]]
    return warnings

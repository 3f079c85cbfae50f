"""Rich tables of ``cnncalc verify`` (cnncalc against PyTorch) results."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from cnncalc.i18n import N_, _, decimal_point, ngettext, translate_message
from cnncalc.render.numbers import exact, mebibytes

if TYPE_CHECKING:
    from cnncalc.torch_bridge.verification import VerifyResult

_OK = Text("✓", style="green")
_BAD = Text("✗", style="bold red")


def _dims(dims: list[int] | None) -> str:
    return "–" if dims is None else "×".join(map(str, dims))


def _mark(ok: bool) -> Text:
    return _OK if ok else _BAD


_INLINE = {"add": N_("(inline add)"), "concat": N_("(inline concat)"), "mul": N_("(inline mul)")}


def _layer_cell(name: str, module: str | None, kind: str) -> Text:
    """The spec name, and the module path when PyTorch's differs (or there is no module: a merge
    done in the forward of the module around it)."""
    text = Text(name)
    if module is None:
        merge = _INLINE.get(kind, _INLINE["add"])
        text.append(" " + _(merge), style="dim")
    elif module != name:
        text.append(f"\n  torch: {module}", style="dim")  # on its own line: the name stays whole
    return text


def verify_table(result: VerifyResult) -> Group:
    """Per-layer rows (shape and params, ✓/✗), totals with deltas, and memory when measured."""
    # No vertical rules and two-line headers, so that a ResNet's or GoogLeNet's names fit whole at
    # 80 columns (the numbers are never wider than their header's lines).
    layers = Table(
        title=Text(  # plain text: a spec's [branches] are no markup
            _("cnncalc vs PyTorch {version}: {network}").format(
                version=result.torch_version, network=result.network
            )
        ),
        title_justify="left",
        caption=_("device {device} · batch {batch} · {dtype} · shapes C×H×W per sample").format(
            device=result.device, batch=result.batch, dtype=result.dtype
        ),
        caption_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 0),  # the box's blank divider is the one space between columns
    )
    longest = max((len(row.name) for row in result.layers), default=5)
    layers.add_column("#", justify="right", style="dim", no_wrap=True)
    layers.add_column(_("Layer"), min_width=min(longest, 40), overflow="fold")  # only the torch line folds
    layers.add_column(_("Shape") + "\ncnncalc", justify="right", no_wrap=True)
    layers.add_column("\ntorch", justify="right", no_wrap=True)
    layers.add_column("", justify="center", no_wrap=True)
    layers.add_column(_("Params") + "\ncnncalc", justify="right", no_wrap=True)
    layers.add_column("\ntorch", justify="right", no_wrap=True)
    layers.add_column("", justify="center", no_wrap=True)
    for row in result.layers:
        layers.add_row(
            str(row.index),
            _layer_cell(row.name, row.module, row.type),
            _dims(row.expected_shape),
            _dims(row.actual_shape),
            _mark(row.shape_ok),
            exact(row.expected_params),
            "–" if row.actual_params is None else exact(row.actual_params),
            _mark(row.params_ok),
        )
    totals = Table(title=_("Totals"), header_style="bold", pad_edge=False)
    totals.add_column(_("What"))
    totals.add_column("cnncalc", justify="right")
    totals.add_column("torch", justify="right")
    totals.add_column("Δ", justify="right")
    totals.add_column("", justify="center")
    for total in result.totals:
        totals.add_row(
            translate_message(total.what),
            exact(total.expected),
            exact(total.actual),
            ("+" if total.delta > 0 else "") + exact(total.delta),
            _mark(total.ok),
        )
    parts: list[Table | Text] = [layers, totals]
    if result.memory:
        title = (
            _("Memory (CUDA, measured with max_memory_allocated)")
            if result.device == "cuda"
            else _("Memory (CPU allocation tracker: the model's structure, without GPU workspaces)")
        )
        memory = Table(title=title, header_style="bold")
        memory.add_column(_("What"))
        memory.add_column(_("Predicted"), justify="right")
        memory.add_column(_("Measured"), justify="right")
        memory.add_column(_("Error"), justify="right")
        for check in result.memory:
            error = check.relative_error
            memory.add_row(
                translate_message(check.what),
                "–" if check.predicted_bytes is None else mebibytes(check.predicted_bytes),
                mebibytes(check.measured_bytes),
                "–" if error is None else decimal_point(f"{error:+.1%}"),
            )
        parts.append(memory)
    verdict = (
        Text("✓ " + _("every shape, parameter, buffer and FLOP count matches PyTorch"), style="green")
        if result.ok
        else Text(
            "✗ "
            + ngettext("{n} mismatch", "{n} mismatches", len(result.mismatches())).format(
                n=len(result.mismatches())
            ),
            style="bold red",
        )
    )
    parts.append(verdict)
    return Group(*parts)

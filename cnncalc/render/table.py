"""The rich terminal table of ``cnncalc summary``."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from cnncalc.render.numbers import both_units, exact, megabytes, si
from cnncalc.render.text import rf_text
from cnncalc.report import Report

_FAMILY_STYLE = {
    "conv": "cyan",
    "linear": "magenta",
    "pool": "green",
    "norm": "yellow",
    "activation": "dim",
    "structure": "bold blue",
}


def summary_table(report: Report) -> Group:
    """A per-layer table and a totals block, ready for ``Console.print``."""
    order = report.settings.order
    order_text = "H×W×C" if order == "hwc" else "C×H×W"
    batch = report.settings.batch
    table = Table(
        title=f"{report.network.name}",
        caption=f"input {report.input.text(order)} ({order_text}) · batch {batch} · "
        f"{report.settings.dtype} · MACs per sample · memory = output × batch",
        header_style="bold",
        show_lines=False,
        pad_edge=False,
        expand=False,
    )
    table.add_column("#", justify="right", style="dim")
    table.add_column("Layer", overflow="fold", max_width=24)
    table.add_column("Type", style="dim", max_width=10, overflow="ellipsis")
    table.add_column(f"Output {order_text}", justify="right")
    table.add_column("Params", justify="right")
    table.add_column("MACs", justify="right")
    table.add_column("Memory", justify="right")
    table.add_column("RF", justify="right")
    for row in report.layers:
        style = _FAMILY_STYLE.get(row.family, "")
        name = "  " * row.depth + row.name.rsplit(".", 1)[-1] if row.depth else row.name
        size, jump = rf_text(row)
        flag = " ⚠" if row.warnings else ""
        table.add_row(
            str(row.index),
            Text(name + flag, style=style),
            row.type,
            row.output_shape.text(order),
            exact(row.params) if row.params else "–",
            si(row.macs) if row.macs else "–",
            megabytes(row.activation_bytes),
            size if not jump or jump == "1" else f"{size} /{jump}",
        )
    return Group(table, totals_text(report))


def totals_text(report: Report) -> Text:
    """The totals block under the table."""
    t = report.totals
    s = report.settings
    text = Text()

    def line(label: str, value: str, note: str = "") -> None:
        text.append(f"{label:<22}", style="bold")
        text.append(value)
        if note:
            text.append(f"  {note}", style="dim")
        text.append("\n")

    line(
        "Parameters",
        f"{exact(t.params)} = {both_units(t.param_bytes)}",
        f"weights {exact(t.weights)} + biases {exact(t.biases)}",
    )
    if t.buffers:
        line("Buffers (non-train.)", f"{exact(t.buffers)} = {both_units(t.buffer_bytes)}", "BN running stats")
    line(
        "MACs per sample",
        f"{exact(t.macs)} ({si(t.macs)})",
        f"FLOPs = 2 × MACs = {si(t.flops, unit='FLOPs')}",
    )
    line(
        "Sum of activations",
        f"{exact(t.activation_sum_elements)} values = {both_units(t.activation_sum_bytes)}",
        f"input + layer outputs, × batch {s.batch}, {s.dtype}",
    )
    line("Params + activations", both_units(t.forward_bytes), "forward only, as the lectures estimate")
    line("Inference peak", both_units(t.peak_inference_bytes), "live activations, no grad")
    line("Output", f"{report.output.text(s.order)}", f"{t.weight_layers} weight layers, {t.layers} layers")
    text.rstrip()
    return text

"""The rich terminal table of ``cnncalc summary``.

Laid out for a terminal of 100 columns: no vertical rules, one space between columns, full qualified
layer names (``layer1.0.conv1``) in one line, and a totals grid whose notes wrap inside their own
column. Golden files in ``tests/golden/`` pin the rendering of every bundled architecture.
"""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from cnncalc.render.numbers import both_units, exact, megabytes, si
from cnncalc.render.text import rf_text
from cnncalc.report import LayerRow, Report

_FAMILY_STYLE = {
    "conv": "cyan",
    "linear": "magenta",
    "pool": "green",
    "norm": "yellow",
    "activation": "dim",
    "structure": "bold blue",
}

# Widths that keep the widest bundled rows (GoogLeNet's branch names, VGG's fc6) on one line.
LAYER_WIDTH = 28
TYPE_WIDTH = 15


def order_name(order: str) -> str:
    return "H×W×C" if order == "hwc" else "C×H×W"


def _rf_cell(row: LayerRow) -> str:
    size, jump = rf_text(row)
    return size if not jump or jump == "1" else f"{size} /{jump}"


def _layer_cell(row: LayerRow) -> Text:
    flag = " ⚠" if row.warnings else ""
    return Text(row.name + flag, style=_FAMILY_STYLE.get(row.family, ""))


def layer_table(report: Report) -> Table:
    """One row per layer: index, qualified name, type, output shape, params, MACs, memory, RF."""
    order = report.settings.order
    table = Table(
        title=Text(report.network.name, style="bold"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1),
        collapse_padding=True,
        pad_edge=False,
        header_style="bold",
    )
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("Layer", no_wrap=True, overflow="ellipsis", max_width=LAYER_WIDTH)
    table.add_column("Type", style="dim", no_wrap=True, overflow="ellipsis", max_width=TYPE_WIDTH)
    table.add_column(f"Output\n{order_name(order)}", justify="right", no_wrap=True)
    table.add_column("Params", justify="right", no_wrap=True)
    table.add_column("MACs", justify="right", no_wrap=True)
    table.add_column(f"Memory\nbatch {report.settings.batch}", justify="right", no_wrap=True)
    table.add_column("RF", justify="right", no_wrap=True)
    for row in report.layers:
        table.add_row(
            str(row.index),
            _layer_cell(row),
            row.type,
            row.output_shape.text(order),
            exact(row.params) if row.params else "–",
            si(row.macs) if row.macs else "–",
            megabytes(row.activation_bytes),
            _rf_cell(row),
        )
    return table


def totals_grid(report: Report) -> Table:
    """The totals under the table: label, value, and a note that wraps in its own column."""
    t = report.totals
    s = report.settings
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(style="dim", overflow="fold")

    grid.add_row(
        "Input",
        f"{report.input.text(s.order)} ({order_name(s.order)})",
        f"batch {s.batch}, {s.dtype} ({s.bytes_per_element} B per value)",
    )
    grid.add_row(
        "Parameters",
        f"{exact(t.params)} = {both_units(t.param_bytes)}",
        f"weights {exact(t.weights)} + biases {exact(t.biases)}",
    )
    if t.buffers:
        grid.add_row(
            "Buffers", f"{exact(t.buffers)} = {both_units(t.buffer_bytes)}", "BN running stats, not trained"
        )
    grid.add_row(
        "MACs per sample",
        f"{exact(t.macs)} ({si(t.macs)})",
        f"FLOPs = 2 × MACs = {si(t.flops, unit='FLOPs')}",
    )
    grid.add_row(
        "Sum of activations",
        f"{exact(t.activation_sum_elements)} values",
        "input + new layer outputs, per sample",
    )
    grid.add_row(
        "Activation memory",
        both_units(t.activation_sum_bytes),
        f"sum of activations × batch {s.batch}",
    )
    grid.add_row(
        "Params + activations", both_units(t.forward_bytes), "forward only, as the lectures estimate"
    )
    grid.add_row("Inference peak", both_units(t.peak_inference_bytes), "live activations, no grad")
    grid.add_row(
        "Output",
        report.output.text(s.order),
        f"{t.weight_layers} weight layers, {t.layers} layers",
    )
    return grid


def summary_table(report: Report) -> Group:
    """A per-layer table and the totals grid, ready for ``Console.print``."""
    return Group(layer_table(report), Text(""), totals_grid(report))

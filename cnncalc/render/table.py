"""The rich terminal table of ``cnncalc summary``.

Laid out for a terminal of 100 columns: no vertical rules, one space between columns, full qualified
layer names (``layer1.0.conv1``) in one line, and a totals grid whose notes wrap inside their own
column. Golden files in ``tests/golden/`` pin the rendering of every bundled architecture.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from cnncalc.i18n import _, ngettext
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
_GAP = 2  # columns between two cells (padding 1 on each side, collapsed)


def order_name(order: str) -> str:
    return "H×W×C" if order == "hwc" else "C×H×W"


def _rf_cell(row: LayerRow) -> str:
    size, jump = rf_text(row)
    return size if not jump or jump == "1" else f"{size} /{jump}"


def _shorten(name: str, width: int) -> str:
    """Cut a qualified name on the left, where it repeats its scope: ``…0.downsample.0``."""
    return name if len(name) <= width else "…" + name[len(name) - width + 1 :]


def layer_table(report: Report, width: int | None = None) -> Table:
    """One row per layer: index, qualified name, type, output shape, params, MACs, memory, RF.

    Each row stays on one line. The numbers keep their width; when ``width`` (the terminal's) is
    too small for the longest names, the names are cut on the left and the types on the right."""
    order = report.settings.order
    headers = ["#", _("Layer"), _("Type"), f"{_('Output')}\n{order_name(order)}", _("Params"), "MACs"]
    headers += [f"{_('Memory')}\nbatch {report.settings.batch}", "RF"]
    cells = [
        [
            str(row.index),
            row.name,
            row.type,
            row.output_shape.text(order),
            exact(row.params) if row.params else "–",
            si(row.macs) if row.macs else "–",
            megabytes(row.activation_bytes),
            _rf_cell(row),
        ]
        for row in report.layers
    ]
    flags = [" ⚠" if row.warnings else "" for row in report.layers]
    widths = [
        max(
            [len(part) for part in header.split("\n")]
            + [len(c[i]) + (len(flags[j]) if i == 1 else 0) for j, c in enumerate(cells)]
        )
        for i, header in enumerate(headers)
    ]
    widths[1] = min(widths[1], LAYER_WIDTH)
    widths[2] = min(widths[2], TYPE_WIDTH)
    if width is not None:
        excess = sum(widths) + _GAP * (len(widths) - 1) - width
        if excess > 0:  # take it from the type first (down to 7), then from the names (down to 8)
            cut = min(excess, max(0, widths[2] - 7))
            widths[2] -= cut
            widths[1] = max(8, widths[1] - (excess - cut))
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
    for i, header in enumerate(headers):
        table.add_column(
            header,
            justify="left" if i in (1, 2) else "right",
            style="dim" if i in (0, 2) else None,
            no_wrap=True,
            overflow="ellipsis",
            width=widths[i],
        )
    for row, cell_row, flag in zip(report.layers, cells, flags, strict=True):
        name = Text(
            _shorten(cell_row[1], widths[1] - len(flag)) + flag, style=_FAMILY_STYLE.get(row.family, "")
        )
        table.add_row(cell_row[0], name, *cell_row[2:])
    return table


def totals_entries(report: Report) -> list[tuple[str, str, str]]:
    """The totals as (label, value, note)."""
    t = report.totals
    s = report.settings
    entries = [
        (
            _("Input"),
            f"{report.input.text(s.order)} ({order_name(s.order)})",
            _("batch {batch}, {dtype} ({bytes} B per value)").format(
                batch=s.batch, dtype=s.dtype, bytes=s.bytes_per_element
            ),
        ),
        (
            _("Parameters"),
            f"{exact(t.params)} = {both_units(t.param_bytes)}",
            _("weights {weights} + biases {biases}").format(weights=exact(t.weights), biases=exact(t.biases)),
        ),
    ]
    if t.buffers:
        entries.append(
            (
                _("Buffers"),
                f"{exact(t.buffers)} = {both_units(t.buffer_bytes)}",
                _("BN running stats, not trained"),
            )
        )
    entries += [
        (
            _("MACs per sample"),
            f"{exact(t.macs)} ({si(t.macs)})",
            f"FLOPs = 2 × MACs = {si(t.flops, unit='FLOPs')}",
        ),
        (
            _("Sum of activations"),
            ngettext("{count} value", "{count} values", t.activation_sum_elements).format(
                count=exact(t.activation_sum_elements)
            ),
            _("input + new layer outputs, per sample"),
        ),
        (
            _("Activation memory"),
            both_units(t.activation_sum_bytes),
            _("sum of activations × batch {batch}").format(batch=s.batch),
        ),
        (
            _("Params + activations"),
            both_units(t.forward_bytes),
            _("forward only, as the lectures estimate"),
        ),
        (_("Inference peak"), both_units(t.peak_inference_bytes), _("live activations, no grad")),
        (
            _("Output"),
            report.output.text(s.order),
            ngettext("{n} weight layer", "{n} weight layers", t.weight_layers).format(n=t.weight_layers)
            + ", "
            + ngettext("{n} layer", "{n} layers", t.layers).format(n=t.layers),
        ),
    ]
    return entries


def totals_grid(report: Report, width: int | None = None) -> Table:
    """The totals under the table: label, value and note in three columns; when ``width`` is too
    narrow for that, each note goes on its own line under its value instead of wrapping."""
    entries = totals_entries(report)
    columns = [max(len(entry[i]) for entry in entries) for i in range(3)]
    stacked = width is not None and sum(columns) + 2 * _GAP > width
    grid = Table.grid(padding=(0, _GAP))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(no_wrap=True)
    if not stacked:
        grid.add_column(style="dim", overflow="fold")
    for label, value, note in entries:
        if stacked:
            grid.add_row(label, value)
            grid.add_row("", Text(note, style="dim"))
        else:
            grid.add_row(label, value, note)
    return grid


class SummaryView:
    """The per-layer table and the totals grid, laid out for the console's width when printed."""

    def __init__(self, report: Report):
        self.report = report

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield layer_table(self.report, options.max_width)
        yield Text("")
        yield totals_grid(self.report, options.max_width)


def summary_table(report: Report) -> SummaryView:
    """A renderable for ``Console.print``: the layer table and the totals grid."""
    return SummaryView(report)

"""The terminal table of ``cnncalc summary``: per-layer (or per-group, ``--depth``) rows and totals.

Laid out here as plain text lines (rich's table engine took most of the time of a ResNet-152
summary): no vertical rules, two spaces between columns, one line per row. When the terminal is
too narrow (80 columns: pipes, CI logs), whole columns are left out first (see
:data:`~cnncalc.render.columns.DROP_ORDER`, and a note says which), then the spacing narrows; a
name is shortened only as the very last resort, and then in its middle, so that its scope and its
last part stay. Golden files in ``tests/golden/`` pin the rendering.

Lines are lists of (text, style) segments (:mod:`cnncalc.render.lines`): printed plain or coloured
by the CLI, given to rich by :class:`SummaryView` for callers that print through a rich console.
"""

from __future__ import annotations

from collections.abc import Sequence

from cnncalc.groups import shown_inputs
from cnncalc.i18n import _, ngettext
from cnncalc.render.columns import (
    DROP_ORDER,
    RIGHT_ALIGNED,
    SHARE_COLUMNS,
    Row,
    cell_functions,
    chosen_columns,
    header,
    order_name,
)
from cnncalc.render.lines import Line, LinesView, wrap_words
from cnncalc.render.numbers import both_units, exact, si
from cnncalc.render.text import not_counted_note
from cnncalc.report import GroupRow, LayerRow, Report

_FAMILY_STYLE = {
    "conv": "cyan",
    "linear": "magenta",
    "pool": "green",
    "norm": "yellow",
    "activation": "dim",
    "structure": "bold blue",
}
_GAP = 2
_FLAG = " ⚠"
CONNECTED_WIDTH = 40  # a longer list of inputs wraps after a comma onto the next lines


def shorten_middle(name: str, width: int) -> str:
    """``name`` in ``width`` characters, cut in its middle: the start of its scope and as many of its
    last parts as fit stay, e.g. ``inception3a…2.1.conv`` or ``incept…relu1``."""
    if len(name) <= width:
        return name
    parts = name.split(".")
    head, tail = parts[0], parts[-1]
    for part in reversed(parts[1:-1]):
        if len(head) + 1 + len(part) + 1 + len(tail) > width:
            break
        tail = f"{part}.{tail}"
    if len(head) + 1 + len(tail) <= width:
        return f"{head}…{tail}"
    room = width - 1 - len(tail)
    if room >= 3:
        return head[:room] + "…" + tail
    return "…" + name[len(name) - width + 1 :]


def _wrap_list(items: Sequence[str], width: int) -> list[str]:
    """Items joined by ', ', broken after a comma into lines of at most ``width`` (a longer item
    keeps its own line whole)."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + 2 + len(item) <= width:
            lines[-1] += f", {item}"
        else:
            if lines:
                lines[-1] += ","
            lines.append(item)
    return lines or [""]


class _Layout:
    """The cells of every row and the widths that fit them into a terminal."""

    def __init__(self, report: Report, columns: Sequence[str] | None, width: int | None):
        rows: Sequence[Row] = report.groups if report.groups is not None else report.layers
        self.report, self.rows = report, rows
        shown = shown_inputs(rows)
        keys = list(chosen_columns(rows, shown, columns))
        cells = cell_functions(report, bars=True)
        self.flags = [_FLAG if row.warnings else "" for row in rows]
        self.text: dict[str, list[list[str]]] = {}
        for key in keys:
            if key == "connected":
                natural = max((len(", ".join(s)) for s in shown), default=0)
                longest = max((len(name) for s in shown for name in s), default=0)
                wrap = max(longest + 1, min(natural, CONNECTED_WIDTH))
                self.text[key] = [_wrap_list(s, wrap) if s else [""] for s in shown]
            elif key == "layer":
                self.text[key] = [[row.name + flag] for row, flag in zip(rows, self.flags, strict=True)]
            else:
                self.text[key] = [[cells[key](row)] for row in rows]
        self.headers = {key: header(key, report) for key in keys}
        self.widths = {
            key: max(max(len(h) for h in self.headers[key]), *(len(t) for c in self.text[key] for t in c))
            for key in keys
        }
        self.gap = _GAP
        self.dropped: list[str] = []
        self.keys = keys
        if width is not None:
            self._fit(width, explicit=columns is not None)

    def total(self) -> int:
        return sum(self.widths[k] for k in self.keys) + self.gap * (len(self.keys) - 1)

    def _fit(self, width: int, explicit: bool) -> None:
        """Narrow the share columns (no bars), leave columns out (unless chosen with --columns), close
        the spacing; names are shortened only when no column chosen by the default is left to go."""
        if self.total() > width:
            plain_cells = cell_functions(self.report, bars=False)
            for key in SHARE_COLUMNS:
                if key in self.keys:
                    self.text[key] = [[plain_cells[key](row)] for row in self.rows]
                    self.widths[key] = max(len(h) for h in self.headers[key])
                    self.widths[key] = max(self.widths[key], *(len(c[0]) for c in self.text[key]))
        if not explicit:
            for key in DROP_ORDER:
                if self.total() <= width:
                    break
                if key in self.keys:
                    self.keys.remove(key)
                    if key != "connected":  # an extra of the default set: shown only where it fits
                        self.dropped.append(key)
        if self.total() > width:
            self.gap = 1
        excess = self.total() - width
        if excess > 0 and not explicit:  # the last resort: shorter names, cut in the middle
            self.widths["layer"] = max(12, self.widths["layer"] - excess)
            self.text["layer"] = [
                [shorten_middle(row.name, self.widths["layer"] - len(flag)) + flag]
                for row, flag in zip(self.rows, self.flags, strict=True)
            ]

    def lines(self) -> list[Line]:
        keys, widths, gap = self.keys, self.widths, " " * self.gap
        out: list[Line] = []
        for level in (0, 1):
            line: Line = []
            for i, key in enumerate(keys):
                text = self.headers[key][level]
                padded = text.rjust(widths[key]) if key in RIGHT_ALIGNED else text.ljust(widths[key])
                line.append(((gap if i else "") + padded, "bold"))
            if level == 1 or any(seg[0].strip() for seg in line):
                out.append(line)
        out.append([("─" * self.total(), "")])
        for r, row in enumerate(self.rows):
            height = max(len(self.text[key][r]) for key in keys)
            for sub in range(height):
                line = []
                for i, key in enumerate(keys):
                    parts = self.text[key][r]
                    text = parts[sub] if sub < len(parts) else ""
                    padded = text.rjust(widths[key]) if key in RIGHT_ALIGNED else text.ljust(widths[key])
                    line.append((gap if i else "", ""))
                    line.append((padded, _style(key, row) if text else ""))
                out.append(line)
        return out


def _style(key: str, row: Row) -> str:
    if key == "layer":
        if isinstance(row, GroupRow) and row.kind == "group":
            return "bold"
        return _FAMILY_STYLE.get(row.family, "") if isinstance(row, LayerRow) else ""
    return "dim" if key in ("index", "type", "connected") else ""


def table_lines(report: Report, width: int | None = None, columns: Sequence[str] | None = None) -> list[Line]:
    """The title, the table of rows and, when columns were left out, a note saying which."""
    title = report.network.name
    if report.depth is not None:
        title += "  " + _("(depth {depth}: layers grouped by scope)").format(depth=report.depth)
    layout = _Layout(report, columns, width)
    lines: list[Line] = [[(title, "bold")], *layout.lines()]
    if layout.dropped:
        names = ", ".join(" ".join(h for h in header(k, report) if h) for k in layout.dropped)
        note = _("left out to fit {width} columns: {names} (choose with --columns)").format(
            width=width, names=names
        )
        lines += [[(part, "dim")] for part in wrap_words(note, width or len(note))]
    if any(not row.inference for row in report.layers):
        note = _("MACs in parentheses: a training-only head, not run at inference nor in the totals")
        lines += [[(part, "dim")] for part in wrap_words(note, width or len(note))]
    return lines


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
            f"{exact(t.macs)} ({si(t.macs)})" + not_counted_note(t.uncounted),
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


def totals_lines(report: Report, width: int | None = None) -> list[Line]:
    """Label, value and note in three columns; when ``width`` is too narrow for that, each note goes
    on its own line under its value."""
    entries = totals_entries(report)
    label_w, value_w, note_w = (max(len(entry[i]) for entry in entries) for i in range(3))
    gap = " " * _GAP
    stacked = width is not None and label_w + value_w + note_w + 2 * _GAP > width
    lines: list[Line] = []
    for label, value, note in entries:
        if stacked:
            lines.append([(label.ljust(label_w), "bold"), (gap + value, "")])
            lines.append([(" " * (label_w + _GAP), ""), (note, "dim")])
        else:
            lines.append(
                [(label.ljust(label_w), "bold"), (gap + value.ljust(value_w) + gap, ""), (note, "dim")]
            )
    return lines


def summary_lines(
    report: Report, width: int | None = None, columns: Sequence[str] | None = None
) -> list[Line]:
    """The whole summary: the table, a blank line, the totals."""
    return [*table_lines(report, width, columns), [], *totals_lines(report, width)]


class SummaryView(LinesView):
    """The summary as a rich renderable, laid out for the console's width when printed."""

    def __init__(self, report: Report, columns: Sequence[str] | None = None):
        super().__init__(lambda width: summary_lines(report, width, columns))
        self.report, self.columns = report, columns


def summary_table(report: Report, columns: Sequence[str] | None = None) -> SummaryView:
    """A renderable for ``Console.print``: the table of rows and the totals."""
    return SummaryView(report, columns)

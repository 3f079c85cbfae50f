"""Machine- and document-friendly renderings of a report: JSON, CSV and Markdown."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from cnncalc.i18n import N_, _, ngettext, translate_message
from cnncalc.render.jsontext import json_text
from cnncalc.render.numbers import both_units, exact, number, si
from cnncalc.report import LayerRow, Report

CSV_COLUMNS = (
    "index",
    "name",
    "type",
    "depth",
    "input",
    "output",
    "weights",
    "biases",
    "params",
    "buffers",
    "macs",
    "flops",
    "activation_elements",
    "activation_bytes",
    "rf_size",
    "rf_jump",
    "inputs",
)
# The CSV header in the current language (English: the column ids above, unchanged).
CSV_HEADERS = {
    "index": N_("csv:index"),
    "name": N_("csv:name"),
    "type": N_("csv:type"),
    "depth": N_("csv:depth"),
    "input": N_("csv:input"),
    "output": N_("csv:output"),
    "weights": N_("csv:weights"),
    "biases": N_("csv:biases"),
    "params": N_("csv:params"),
    "buffers": N_("csv:buffers"),
    "macs": N_("csv:macs"),
    "flops": N_("csv:flops"),
    "activation_elements": N_("csv:activation_elements"),
    "activation_bytes": N_("csv:activation_bytes"),
    "rf_size": N_("csv:rf_size"),
    "rf_jump": N_("csv:rf_jump"),
    "inputs": N_("csv:inputs"),
    # the columns of 'summary --depth N --format csv'
    "kind": N_("csv:kind"),
    "level": N_("csv:level"),
    "first": N_("csv:first"),
    "last": N_("csv:last"),
    "layers": N_("csv:layers"),
    # the columns of 'explain --format csv'
    "layer": N_("csv:layer"),
    "quantity": N_("csv:quantity"),
    "formula": N_("csv:formula"),
    "numbers": N_("csv:numbers"),
    "value": N_("csv:value"),
    "result": N_("csv:result"),
    "notes": N_("csv:notes"),
}


def csv_header(column: str) -> str:
    """The header of ``column``: the id itself in English, its translation otherwise."""
    translated = _(CSV_HEADERS[column])
    return column if translated == CSV_HEADERS[column] else translated


def render_json(report: Report) -> str:
    """The report as stable, indented JSON (validates against ``cnncalc schema report``)."""
    return json_text(report)


def rf_text(row: LayerRow) -> tuple[str, str]:
    """Receptive field size and jump as short strings, e.g. ('11', '4') or ('global', '')."""
    rf = row.receptive_field
    if rf.is_global or rf.size is None or rf.jump is None:
        return "global", ""
    size = _axis_text(rf.size)
    jump = _axis_text(rf.jump)
    return size, jump


def _axis_text(values: tuple[int | float, int | float]) -> str:
    a, b = (number(v) for v in values)
    return a if a == b else f"{a}×{b}"


def _shape_list(row: LayerRow, order: str) -> str:
    return " + ".join(s.text(order) for s in row.input_shapes)


def not_counted_note(count: int) -> str:
    """`` + 3 ops not counted`` after a MACs total that leaves out operations cnncalc cannot count."""
    if not count:
        return ""
    return " + " + ngettext("{n} op not counted", "{n} ops not counted", count).format(n=count)


def render_csv(report: Report) -> str:
    """One row per layer with exact integers; shapes in the report's order. With ``--depth`` one
    row per group instead (its first and last layer, the layers it holds, what it reads)."""
    if report.groups is not None:
        return _render_group_csv(report)
    order = report.settings.order
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [f"{csv_header(c)}_{order}" if c in ("input", "output") else csv_header(c) for c in CSV_COLUMNS]
    )
    for row in report.layers:
        size, jump = rf_text(row)
        writer.writerow(
            [
                row.index,
                row.name,
                row.type,
                row.depth,
                _shape_list(row, order),
                row.output_shape.text(order),
                row.weights,
                row.biases,
                row.params,
                row.buffers,
                row.macs if row.counted else "",
                row.flops if row.counted else "",
                row.activation_elements,
                row.activation_bytes,
                size,
                jump,
                " + ".join(row.inputs),
            ]
        )
    return buffer.getvalue()


GROUP_CSV_COLUMNS = (
    "index",
    "name",
    "kind",
    "type",
    "level",
    "first",
    "last",
    "layers",
    "inputs",
    "output",
    "weights",
    "biases",
    "params",
    "buffers",
    "macs",
    "flops",
    "activation_elements",
    "activation_bytes",
    "rf_size",
    "rf_jump",
)


def _render_group_csv(report: Report) -> str:
    order = report.settings.order
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [f"{csv_header(c)}_{order}" if c == "output" else csv_header(c) for c in GROUP_CSV_COLUMNS]
    )
    for g in report.groups or []:
        size, jump = rf_text(g)  # type: ignore[arg-type]
        writer.writerow(
            [
                g.index,
                g.name,
                g.kind,
                g.type,
                g.level,
                g.first,
                g.last,
                len(g.layers),
                " + ".join(g.inputs),
                g.output_shape.text(order),
                g.weights,
                g.biases,
                g.params,
                g.buffers,
                g.macs,
                g.flops,
                g.activation_elements,
                g.activation_bytes,
                size,
                jump,
            ]
        )
    return buffer.getvalue()


def render_markdown(report: Report, columns: Sequence[str] | None = None) -> str:
    """A Markdown table for slides and exercise sheets (rows or, with ``--depth``, groups), with a
    totals section. ``columns``: keys of :data:`cnncalc.render.columns.COLUMNS`."""
    from cnncalc.groups import shown_inputs
    from cnncalc.render.columns import RIGHT_ALIGNED, cell_functions, chosen_columns, header

    order = report.settings.order
    order_text = "H×W×C" if order == "hwc" else "C×H×W"
    t = report.totals
    rows = report.groups if report.groups is not None else report.layers
    shown = shown_inputs(rows)
    keys = chosen_columns(rows, shown, columns)
    cells = cell_functions(report, bars=False)
    plain_memory = cells["memory"]  # '–' for a group whose layers all work in place
    cells["memory"] = lambda row: "–" if plain_memory(row) == "–" else both_units(row.activation_bytes)
    cells["rf"] = lambda row: rf_text(row)[0]  # type: ignore[arg-type]
    titles = {key: " ".join(h for h in header(key, report) if h) for key in keys}
    titles["output"] = _("Output ({order})").format(order=order_text)
    titles["memory"] = _("Memory")
    depth_note = (
        " " + _("Layers grouped by scope, depth {depth}.").format(depth=report.depth)
        if report.depth is not None
        else ""
    )
    lines = [
        f"### {report.network.name}",
        "",
        _("Input {shape} ({order}), batch {batch}, {dtype}.").format(
            shape=report.input.text(order),
            order=order_text,
            batch=report.settings.batch,
            dtype=report.settings.dtype,
        )
        + depth_note,
        "",
        "| " + " | ".join(titles[k] for k in keys) + " |",
        "|" + "|".join("---:" if k in RIGHT_ALIGNED and k != "output" else "---" for k in keys) + "|",
    ]
    for row, inputs in zip(rows, shown, strict=True):
        texts = [", ".join(inputs) if k == "connected" else cells[k](row) for k in keys]
        if "params" in keys:
            texts[keys.index("params")] = exact(row.params)
        if "macs" in keys:
            texts[keys.index("macs")] = si(row.macs) if getattr(row, "counted", True) else _("not counted")
        lines.append("| " + " | ".join(texts) + " |")
    lines += [
        "",
        _("- **Parameters:** {params} (weights {weights} + biases {biases}) = {memory}").format(
            params=exact(t.params),
            weights=exact(t.weights),
            biases=exact(t.biases),
            memory=both_units(t.param_bytes),
        ),
        _("- **MACs:** {macs} ({short}) per sample; FLOPs = 2 × MACs = {flops}").format(
            macs=exact(t.macs), short=si(t.macs), flops=si(t.flops)
        )
        + not_counted_note(t.uncounted),
        _("- **Sum of activations:** {values} values per sample = {memory} for the batch").format(
            values=exact(t.activation_sum_elements), memory=both_units(t.activation_sum_bytes)
        ),
        _("- **Inference peak (activations):** {memory}").format(memory=both_units(t.peak_inference_bytes)),
    ]
    if report.warnings:
        lines += ["", _("**Warnings**"), ""]
        lines += [
            "- "
            + _("layer {index} '{layer}'").format(index=w.index, layer=w.layer)
            + f" ({w.code}): {translate_message(w.message)}"
            for w in report.warnings
        ]
    return "\n".join(lines) + "\n"

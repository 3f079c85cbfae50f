"""Machine- and document-friendly renderings of a report: JSON, CSV and Markdown."""

from __future__ import annotations

import csv
import io

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
)


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


def render_csv(report: Report) -> str:
    """One row per layer with exact integers; shapes in the report's order."""
    order = report.settings.order
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f"{c}_{order}" if c in ("input", "output") else c for c in CSV_COLUMNS])
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
                row.macs,
                row.flops,
                row.activation_elements,
                row.activation_bytes,
                size,
                jump,
            ]
        )
    return buffer.getvalue()


def render_markdown(report: Report) -> str:
    """A Markdown table for slides and exercise sheets, with a totals section."""
    order = report.settings.order
    order_text = "H×W×C" if order == "hwc" else "C×H×W"
    t = report.totals
    lines = [
        f"### {report.network.name}",
        "",
        f"Input {report.input.text(order)} ({order_text}), batch {report.settings.batch}, "
        f"{report.settings.dtype}.",
        "",
        f"| # | Layer | Type | Output ({order_text}) | Params | MACs | Memory | RF |",
        "|---:|---|---|---|---:|---:|---:|---:|",
    ]
    for row in report.layers:
        size, _ = rf_text(row)
        lines.append(
            f"| {row.index} | {row.name} | {row.type} | {row.output_shape.text(order)} | "
            f"{exact(row.params)} | {si(row.macs)} | {both_units(row.activation_bytes)} | {size} |"
        )
    lines += [
        "",
        f"- **Parameters:** {exact(t.params)} (weights {exact(t.weights)} + biases "
        f"{exact(t.biases)}) = {both_units(t.param_bytes)}",
        f"- **MACs:** {exact(t.macs)} ({si(t.macs)}) per sample; FLOPs = 2 × MACs = {si(t.flops)}",
        f"- **Sum of activations:** {exact(t.activation_sum_elements)} values per sample = "
        f"{both_units(t.activation_sum_bytes)} for the batch",
        f"- **Inference peak (activations):** {both_units(t.peak_inference_bytes)}",
    ]
    if report.warnings:
        lines += ["", "**Warnings**", ""]
        lines += [f"- layer {w.index} '{w.layer}': {w.message}" for w in report.warnings]
    return "\n".join(lines) + "\n"

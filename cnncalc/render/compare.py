"""Renderings of a :class:`~cnncalc.compare.Comparison`: a table (one column per network),
JSON, CSV (one row per network, exact integers) and Markdown."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from cnncalc.compare import ComparedNetwork, Comparison
from cnncalc.i18n import _
from cnncalc.records import field_names
from cnncalc.render.jsontext import json_text
from cnncalc.render.lines import Line, LinesView, grid
from cnncalc.render.numbers import exact, megabytes, si

Metric = tuple[str, Callable[[ComparedNetwork], str]]
NAME_WIDTH = 24  # a long one-line spec as a column header is cut with "…"


def metrics(comparison: Comparison) -> list[Metric]:
    """The rows shown for people: a label and how to format it for one network."""
    s = comparison.settings
    order = "H×W×C" if s.order == "hwc" else "C×H×W"
    rows: list[Metric] = [
        (_("Input ({order})").format(order=order), lambda n: n.input),
        (_("Parameters"), lambda n: exact(n.params)),
        (_("Parameter memory ({dtype})").format(dtype=s.dtype), lambda n: megabytes(n.param_bytes)),
        (_("MACs per sample"), lambda n: si(n.macs)),
        (_("FLOPs per sample"), lambda n: si(n.flops)),
        (_("Activation values per sample"), lambda n: si(n.activation_elements)),
        (_("Activation memory per sample"), lambda n: megabytes(n.activation_bytes_per_sample)),
    ]
    if s.batch > 1:
        rows.append(
            (
                _("Activation memory, batch {batch}").format(batch=s.batch),
                lambda n: megabytes(n.activation_bytes_batch),
            )
        )
    rows += [
        (
            _("Params + activations, batch {batch}").format(batch=s.batch),
            lambda n: megabytes(n.forward_bytes),
        ),
        (
            _("Inference peak, batch {batch}").format(batch=s.batch),
            lambda n: megabytes(n.peak_inference_bytes),
        ),
        (_("Depth (weight layers)"), lambda n: str(n.depth)),
        (_("Weight layers / layers"), lambda n: f"{n.weight_layers} / {n.layers}"),
    ]
    return rows


def comparison_lines(comparison: Comparison, width: int | None = None) -> list[Line]:
    """Metrics down, networks across (a name longer than :data:`NAME_WIDTH` is cut with "…")."""
    s = comparison.settings
    names = [
        n.name if len(n.name) <= NAME_WIDTH else n.name[: NAME_WIDTH - 1] + "…" for n in comparison.networks
    ]
    rows = [[label, *(value(n) for n in comparison.networks)] for label, value in metrics(comparison)]
    return grid(
        _("Comparison · batch {batch} · {dtype} · MACs = conv + fc multiply-accumulates").format(
            batch=s.batch, dtype=s.dtype
        ),
        ["", *names],
        rows,
        right=[False] + [True] * len(names),
        styles=["bold"] + [""] * len(names),
    )


def comparison_table(comparison: Comparison) -> LinesView:
    """A rich renderable of :func:`comparison_lines`."""
    return LinesView(lambda width: comparison_lines(comparison, width))


def render_comparison_json(comparison: Comparison) -> str:
    return json_text(comparison)


def render_comparison_csv(comparison: Comparison) -> str:
    """One row per network; every number exact (bytes, elements, MACs)."""
    fields = field_names(ComparedNetwork)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for network in comparison.networks:
        values = (getattr(network, f) for f in fields)
        writer.writerow(["" if v is None else v for v in values])
    return buffer.getvalue()


def render_comparison_markdown(comparison: Comparison) -> str:
    names = [n.name for n in comparison.networks]
    s = comparison.settings
    lines = [
        "### " + _("Comparison (batch {batch}, {dtype})").format(batch=s.batch, dtype=s.dtype),
        "",
        "| | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for label, value in metrics(comparison):
        lines.append(f"| {label} | " + " | ".join(value(n) for n in comparison.networks) + " |")
    return "\n".join(lines) + "\n"


def render_comparison_latex(comparison: Comparison) -> str:
    """A booktabs ``tabular`` for slides: metrics down, networks across."""
    from cnncalc.render.latex import escape_latex

    names = [escape_latex(n.name) for n in comparison.networks]
    s = comparison.settings
    lines = [
        f"% cnncalc compare (batch {s.batch}, {s.dtype})",
        r"\begin{tabular}{l" + "r" * len(names) + "}",
        r"\toprule",
        " & " + " & ".join(names) + r" \\",
        r"\midrule",
    ]
    for label, value in metrics(comparison):
        cells = [escape_latex(value(n)) for n in comparison.networks]
        lines.append(escape_latex(label) + " & " + " & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"

"""SVG drawings: the network diagram (``summary --format svg``) and bar charts (per layer in the
HTML report, per network for ``compare``). Plain strings, no dependency; the same input gives the
same bytes (golden files in ``tests/golden/``)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape as _html_escape

from cnncalc.compare import Comparison
from cnncalc.i18n import _
from cnncalc.render.graph import (
    BOX_HEIGHT,
    BOX_WIDTH,
    CHAR_WIDTH,
    LABEL_CHARS,
    MARGIN,
    DiagramNode,
    Layout,
    diagram_nodes,
    layout,
    shorten_left,
)
from cnncalc.render.numbers import exact, megabytes, si
from cnncalc.report import Report

FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"

# Fill and stroke per layer family (light fills: the text stays black).
FAMILY_COLOURS = {
    "input": ("#eeeeee", "#555555"),
    "conv": ("#d8f0f7", "#1b7f9e"),
    "linear": ("#f3def3", "#8e3b8e"),
    "pool": ("#dcf2dc", "#2e7d32"),
    "norm": ("#fbf3d0", "#9a7b00"),
    "activation": ("#f4f4f4", "#9e9e9e"),
    "structure": ("#dde6f7", "#2b4f9e"),
    "regularisation": ("#f4f4f4", "#9e9e9e"),
    "shape": ("#f4f4f4", "#9e9e9e"),
    "group": ("#ffffff", "#333333"),
}

GROUP_STROKE = ' stroke-width="2"'  # a collapsed group: a heavier frame

STYLE = (
    f"svg.cc text{{font-family:{FONT};font-size:11px;fill:#111}}"
    "svg.cc .cc-t{font-weight:bold}svg.cc .cc-n{fill:#555}svg.cc .cc-h{font-size:13px;font-weight:bold}"
    "svg.cc .cc-s{fill:#444}svg.cc .cc-e{fill:none;stroke:#666;stroke-width:1.2}"
    "svg.cc .cc-k{stroke-dasharray:4 3}svg.cc .cc-w{fill:#c62828;font-weight:bold}"
)


def escape(text: str) -> str:
    """Text for an SVG element (``html.escape``: ``xml.sax.saxutils`` would import urllib, 50 ms)."""
    return _html_escape(text, quote=False)


def _attr(text: str) -> str:
    return _html_escape(text, quote=True)


def diagram_svg(report: Report, nodes: Sequence[DiagramNode] | None = None) -> str:
    """The diagram of ``report``: one box per node (default: the input and one per layer row)."""
    drawn = list(nodes) if nodes is not None else diagram_nodes(report)
    t = report.totals
    subtitle = _("{params} parameters · {macs} MACs per sample · {layers} layers · output {output}").format(
        params=exact(t.params),
        macs=si(t.macs),
        layers=t.layers,
        output=report.output.text(report.settings.order),
    )
    return render_layout(layout(drawn), report.network.name, subtitle)


def render_layout(plan: Layout, title: str, subtitle: str) -> str:
    """The SVG document of a layout, with a title and a subtitle line above the boxes."""
    width = max(plan.width, MARGIN * 2 + CHAR_WIDTH * len(subtitle))
    room = int((width - 2 * MARGIN) / (CHAR_WIDTH * 1.2))  # the title's font is larger
    title = title if len(title) <= room else title[: room - 1] + "…"
    w, h = _n(width), _n(plan.height)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        f'class="cc cnncalc-diagram" role="img">',
        f"<title>{escape(title)}: {escape(subtitle)}</title>",
        f"<style>{STYLE}</style>",
        f'<rect width="{w}" height="{h}" fill="#ffffff"/>',
        f'<text class="cc-h" x="{MARGIN}" y="{MARGIN + 6}">{escape(title)}</text>',
        f'<text class="cc-s" x="{MARGIN}" y="{MARGIN + 22}">{escape(subtitle)}</text>',
        '<g class="edges">',
    ]
    for edge in plan.edges:
        cls = "cc-e cc-k" if edge.skip else "cc-e"
        out.append(f'<path class="{cls}" d="{edge.path}" marker-end="url(#cc-arrow)"/>')
    out.append("</g>")
    out.append('<g class="nodes">')
    for box in plan.boxes:
        node = box.node
        fill, stroke = FAMILY_COLOURS.get(node.family, FAMILY_COLOURS["group"])
        x, y = box.x, box.y
        shape = node.shape
        room = LABEL_CHARS - len(shape) - 1
        title_text = node.title if len(node.title) <= room else node.title[: max(1, room - 1)] + "…"
        out.append(f'<g class="node" data-name="{_attr(node.label)}">')
        if node.tooltip:
            out.append(f"<title>{escape(node.tooltip)}</title>")
        out.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="4" '
            f'fill="{fill}" stroke="{stroke}"{GROUP_STROKE if node.family == "group" else ""}/>'
        )
        out.append(f'<text class="cc-t" x="{_n(x + 6)}" y="{_n(y + 14)}">{escape(title_text)}</text>')
        out.append(
            f'<text x="{_n(x + BOX_WIDTH - 6)}" y="{_n(y + 14)}" text-anchor="end">{escape(shape)}</text>'
        )
        label = shorten_left(node.label, LABEL_CHARS - (2 if node.warning else 0))
        out.append(f'<text class="cc-n" x="{_n(x + 6)}" y="{_n(y + 28)}">{escape(label)}</text>')
        if node.warning:
            out.append(
                f'<text class="cc-w" x="{_n(x + BOX_WIDTH - 6)}" y="{_n(y + 28)}" text-anchor="end">!</text>'
            )
        out.append("</g>")
    out.append("</g>")
    out.append(
        '<defs><marker id="cc-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#666"/></marker></defs>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


# ------------------------------------------------------------------------------------------------
# Bar charts
# ------------------------------------------------------------------------------------------------

CHART_WIDTH = 900
CHART_HEIGHT = 150
BAR_COLOUR = "#1b7f9e"


def column_chart(
    title: str, labels: Sequence[str], values: Sequence[int], formatted: Sequence[str], scale: str
) -> str:
    """One column per item (a layer), heights to scale from zero; each column's tooltip names it
    and its exact value; ``scale`` labels the top of the axis. For many layers the columns are
    narrow: the shape of the network shows."""
    n = max(1, len(values))
    top = max(values, default=0) or 1
    left, right, head, foot = 70, 10, 22, 18
    plot_w = CHART_WIDTH - left - right
    plot_h = CHART_HEIGHT - head - foot
    step = plot_w / n
    bar = max(step * 0.8, 0.5) if step >= 2 else step
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
        f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" class="cc cnncalc-chart">',
        f"<style>{STYLE}</style>",
        f'<text class="cc-t" x="0" y="14">{escape(title)}</text>',
        f'<text class="cc-s" x="{left - 4}" y="{head + 9}" text-anchor="end">{escape(scale)}</text>',
        f'<text class="cc-s" x="{left - 4}" y="{head + plot_h}" text-anchor="end">0</text>',
        f'<line x1="{left}" y1="{head + plot_h}" x2="{CHART_WIDTH - right}" y2="{head + plot_h}" '
        'stroke="#999"/>',
    ]
    for i, (label, value, text) in enumerate(zip(labels, values, formatted, strict=True)):
        h = plot_h * value / top
        x = left + i * step
        out.append(
            f'<rect x="{_n(x)}" y="{_n(head + plot_h - h)}" width="{_n(bar)}" height="{_n(h)}" '
            f'fill="{BAR_COLOUR}"><title>{escape(f"{i + 1} {label}: {text}")}</title></rect>'
        )
    out.append(
        f'<text class="cc-s" x="{left}" y="{CHART_HEIGHT - 4}">{escape(_("layer"))} 1</text>'
        f'<text class="cc-s" x="{CHART_WIDTH - right}" y="{CHART_HEIGHT - 4}" text-anchor="end">{n}</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def bar_chart(title: str, labels: Sequence[str], values: Sequence[int], formatted: Sequence[str]) -> str:
    """Horizontal bars, one per item (a network), each labelled with its value."""
    label_w = min(28, max((len(label) for label in labels), default=4)) * CHAR_WIDTH + 8
    value_w = max((len(text) for text in formatted), default=4) * CHAR_WIDTH + 8
    row, head = 22, 24
    width = 640
    plot_w = width - label_w - value_w - 8
    height = head + row * len(values) + 6
    top = max(values, default=0) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="cc cnncalc-chart">',
        f"<style>{STYLE}</style>",
        f'<text class="cc-t" x="0" y="14">{escape(title)}</text>',
    ]
    for i, (label, value, text) in enumerate(zip(labels, values, formatted, strict=True)):
        y = head + i * row
        w = plot_w * value / top
        out.append(f'<text x="0" y="{y + 14}">{escape(shorten_left(label, 28))}</text>')
        out.append(
            f'<rect x="{_n(label_w)}" y="{y + 3}" width="{_n(w)}" height="{row - 6}" fill="{BAR_COLOUR}">'
            f"<title>{escape(f'{label}: {text}')}</title></rect>"
        )
        out.append(f'<text x="{_n(label_w + w + 6)}" y="{y + 14}">{escape(text)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def layer_charts(report: Report) -> list[str]:
    """Columns per layer of parameters, MACs and activation memory (exact values in the tooltips)."""
    names = [row.name for row in report.layers]
    params = [row.params for row in report.layers]
    macs = [row.macs for row in report.layers]
    memory = [row.activation_bytes for row in report.layers]
    batch = report.settings.batch
    return [
        column_chart(
            _("Parameters per layer"), names, params, [exact(v) for v in params], si(max(params, default=0))
        ),
        column_chart(
            _("MACs per layer (per sample)"),
            names,
            macs,
            [f"{exact(v)} ({si(v)})" for v in macs],
            si(max(macs, default=0)),
        ),
        column_chart(
            _("Activation memory per layer (batch {batch})").format(batch=batch),
            names,
            memory,
            [megabytes(v) for v in memory],
            megabytes(max(memory, default=0)),
        ),
    ]


def compare_svg(comparison: Comparison) -> str:
    """The networks of a comparison side by side: one bar chart per metric, stacked."""
    s = comparison.settings
    nets = comparison.networks
    names = [n.name for n in nets]
    charts = [
        (_("Parameters"), [n.params for n in nets], [f"{exact(n.params)} ({si(n.params)})" for n in nets]),
        (_("MACs per sample"), [n.macs for n in nets], [si(n.macs) for n in nets]),
        (
            _("Activation memory, batch {batch} ({dtype})").format(batch=s.batch, dtype=s.dtype),
            [n.activation_bytes_batch for n in nets],
            [megabytes(n.activation_bytes_batch) for n in nets],
        ),
        (
            _("Parameter memory ({dtype})").format(dtype=s.dtype),
            [n.param_bytes for n in nets],
            [megabytes(n.param_bytes) for n in nets],
        ),
        (
            _("Inference peak, batch {batch}").format(batch=s.batch),
            [n.peak_inference_bytes for n in nets],
            [megabytes(n.peak_inference_bytes) for n in nets],
        ),
    ]
    parts = [bar_chart(title, names, values, texts) for title, values, texts in charts]
    heights = [int(part.split('height="', 1)[1].split('"', 1)[0]) for part in parts]
    width, gap = 640, 12
    total = sum(heights) + gap * (len(parts) - 1) + 2 * MARGIN
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width + 2 * MARGIN}" height="{total}" '
        f'viewBox="0 0 {width + 2 * MARGIN} {total}" class="cc cnncalc-compare">',
        f'<rect width="{width + 2 * MARGIN}" height="{total}" fill="#ffffff"/>',
    ]
    y = MARGIN
    for part, h in zip(parts, heights, strict=True):
        out.append(part.replace("<svg ", f'<svg x="{MARGIN}" y="{y}" ', 1).rstrip("\n"))
        y += h + gap
    out.append("</svg>")
    return "\n".join(out) + "\n"

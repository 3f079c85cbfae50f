"""Self-contained HTML pages: the report of one network (``summary --format html``) and a
comparison (``compare --format html``). One file each: styles, drawings and the small script are
inline; nothing is fetched (no fonts, no scripts, no images from the network).

The script sorts the table by any column (``page.html#sort=5-desc`` opens it sorted by the 5th
column, descending) and writes its state into ``<html data-cnncalc=…>`` ("ready", or "error: …"
if anything failed), which the browser test reads."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from cnncalc.compare import Comparison
from cnncalc.i18n import _, current_language, translate_message
from cnncalc.render.graph import DiagramNode
from cnncalc.render.numbers import exact, megabytes, si
from cnncalc.render.svg import compare_svg, diagram_svg, layer_charts
from cnncalc.render.text import rf_text
from cnncalc.report import LayerRow, Report

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px;
color:#111;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.sub{color:#555;margin:0 0 12px}
.scroll{overflow:auto;max-height:640px;border:1px solid #ddd;padding:4px;background:#fff}
#diagram-box{max-height:760px}
table{border-collapse:collapse;font-size:13px}
th,td{padding:2px 8px;border-bottom:1px solid #eee;white-space:nowrap}
th{position:sticky;top:0;background:#f6f6f6;text-align:left}
table.sortable th{cursor:pointer;user-select:none}
th.num,td.num{text-align:right}
th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
td.name{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace}
tr.warn td.name::after{content:" ⚠";color:#c62828}
tr.hl td{background:#fff6c2}
dl.totals{display:grid;grid-template-columns:max-content max-content auto;gap:2px 16px;margin:0}
dl.totals dt{font-weight:bold}dl.totals dd{margin:0}dl.totals dd.note{color:#555}
ul.warnings li{color:#8a1c1c}
.charts svg{display:block;margin-bottom:8px;max-width:100%;height:auto}
"""

SCRIPT = r"""
(function () {
  var root = document.documentElement;
  window.addEventListener("error", function (e) {
    root.setAttribute("data-cnncalc", "error: " + e.message);
  });
  try {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var heads = table.tHead.rows[0].cells;
      Array.prototype.forEach.call(heads, function (th, col) {
        th.addEventListener("click", function () {
          var down = th.getAttribute("aria-sort") === "ascending";
          Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", down ? "descending" : "ascending");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          var numeric = th.classList.contains("num");
          rows.sort(function (a, b) {
            var x = a.cells[col].getAttribute("data-v"), y = b.cells[col].getAttribute("data-v");
            var c = numeric ? Number(x) - Number(y) : (x < y ? -1 : x > y ? 1 : 0);
            var ia = a.cells[0].getAttribute("data-v"), ib = b.cells[0].getAttribute("data-v");
            return (down ? -c : c) || Number(ia) - Number(ib);
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
    document.querySelectorAll("svg.cnncalc-diagram g.node").forEach(function (g) {
      g.style.cursor = "pointer";
      g.addEventListener("click", function () {
        var row = document.getElementById("row-" + g.getAttribute("data-name"));
        if (!row) { return; }
        document.querySelectorAll("tr.hl").forEach(function (r) { r.classList.remove("hl"); });
        row.classList.add("hl");
        row.scrollIntoView({block: "center"});
      });
    });
    // A link can open the table sorted: page.html#sort=5 (by the 5th column), #sort=5-desc.
    var wanted = /^#sort=(\d+)(-desc)?$/.exec(location.hash);
    var table = document.getElementById("layers");
    if (wanted && table) {
      var th = table.tHead.rows[0].cells[Number(wanted[1]) - 1];
      if (th) { th.click(); if (wanted[2]) { th.click(); } }
    }
    root.setAttribute("data-cnncalc", "ready");
  } catch (e) {
    root.setAttribute("data-cnncalc", "error: " + e.message);
  }
})();
"""


def _page(title: str, body: list[str]) -> str:
    lang = "pt-BR" if current_language() == "pt" else "en"
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}" data-cnncalc="loading">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No network: nothing outside this file may load, not even by accident.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join([*head, *body, f"<script>{SCRIPT}</script>", "</body>", "</html>"]) + "\n"


def _cell(text: str, value: int | float | str, numeric: bool = False, cls: str = "", hover: str = "") -> str:
    classes = " ".join(c for c in (cls, "num" if numeric else "") if c)
    attr = f' class="{classes}"' if classes else ""
    attr += f' title="{escape(hover)}"' if hover else ""
    return f'<td{attr} data-v="{escape(str(value))}">{escape(text)}</td>'


def _totals(report: Report) -> list[str]:
    # The same entries as the terminal's totals grid (one place for what they say).
    from cnncalc.render.table import totals_entries

    out = ['<dl class="totals">']
    for label, value, note in totals_entries(report):
        out.append(f'<dt>{escape(label)}</dt><dd>{escape(value)}</dd><dd class="note">{escape(note)}</dd>')
    out.append("</dl>")
    return out


def layer_table_html(report: Report) -> list[str]:
    """The per-layer table, sortable by every column (numbers sort by their exact value)."""
    order = report.settings.order
    order_text = "H×W×C" if order == "hwc" else "C×H×W"
    headers = [
        ("#", True),
        (_("Layer"), False),
        (_("Type"), False),
        (f"{_('Output')} {order_text}", True),
        (_("Params"), True),
        ("MACs", True),
        (f"{_('Memory')} batch {report.settings.batch}", True),
        ("RF", True),
        (_("Reads"), False),
    ]
    out = ['<div class="scroll"><table class="sortable" id="layers">', "<thead><tr>"]
    out += [f"<th{' class=num' if num else ''}>{escape(h)}</th>" for h, num in headers]
    out += ["</tr></thead>", "<tbody>"]
    for row in report.layers:
        size, jump = rf_text(row)
        rf_value = row.receptive_field.size[0] if row.receptive_field.size and size != "global" else 10**12
        rf_cell = size if not jump or jump == "1" else f"{size} /{jump}"
        reads = ", ".join(row.inputs)
        warn = ' class="warn"' if row.warnings else ""
        out.append(
            f'<tr id="row-{escape(row.name)}"{warn}>'
            + _cell(str(row.index), row.index, True)
            + _cell(row.name, row.name, cls="name")
            + _cell(row.type, row.type)
            + _cell(row.output_shape.text(order), row.output_shape.elements)
            + _cell(exact(row.params) if row.params else "–", row.params, True)
            + _cell(
                (si(row.macs) if row.macs else "–") if row.counted else _("not counted"),
                row.macs,
                True,
                hover=exact(row.macs),
            )
            + _cell(megabytes(row.activation_bytes), row.activation_bytes, True)
            + _cell(rf_cell, rf_value, True)
            + _cell(reads, reads, cls="name")
            + "</tr>"
        )
    out += ["</tbody></table></div>"]
    return out


def _layer_item(row: LayerRow, order: str) -> str:
    """A layer inside an expanded group: name · type · output [· params] [· MACs]."""
    parts = [row.name, row.type, row.output_shape.text(order)]
    parts += [exact(row.params)] if row.params else []
    parts += [f"MACs {si(row.macs)}"] if row.macs else []
    return "<li>" + escape(" · ".join(parts)) + "</li>"


def group_table_html(report: Report) -> list[str]:
    """With ``--depth N``: one row per group of the view, sortable, each group's name expanding
    (a ``<details>``) into the layers it holds with their own numbers."""
    if not report.groups:
        return []
    order = report.settings.order
    rows = {row.name: row for row in report.layers}
    headers = [
        ("#", True),
        (_("Group"), False),
        (_("Type"), False),
        (_("Output"), True),
        (_("Params"), True),
        ("MACs", True),
        (f"{_('Memory')} batch {report.settings.batch}", True),
    ]
    out = ['<div class="scroll"><table class="sortable" id="groups">', "<thead><tr>"]
    out += [f"<th{' class=num' if num else ''}>{escape(h)}</th>" for h, num in headers]
    out += ["</tr></thead>", "<tbody>"]
    for group in report.groups:
        first = f"{group.first}" if group.first == group.last else f"{group.first}–{group.last}"
        if group.kind == "group":
            inner = "".join(_layer_item(rows[name], order) for name in group.layers)
            count = sum(1 for name in group.layers if rows[name].row_kind == "layer")  # as the diagram
            label = _("{count} layers").format(count=count)
            name_cell = (
                f'<td class="name" data-v="{escape(group.name)}"><details><summary>{escape(group.name)} '
                f"({escape(label)})</summary><ul>{inner}</ul></details></td>"
            )
        else:
            name_cell = _cell(group.name, group.name, cls="name")
        out.append(
            f'<tr id="group-{escape(group.name)}">'
            + _cell(first, group.first, True)
            + name_cell
            + _cell(group.type, group.type)
            + _cell(group.output_shape.text(order), group.output_shape.elements)
            + _cell(exact(group.params) if group.params else "–", group.params, True)
            + _cell(si(group.macs) if group.macs else "–", group.macs, True, hover=exact(group.macs))
            + _cell(megabytes(group.activation_bytes), group.activation_bytes, True)
            + "</tr>"
        )
    out += ["</tbody></table></div>"]
    return out


def _warnings(report: Report) -> list[str]:
    if not report.warnings:
        return [f"<p>{escape(_('No warnings.'))}</p>"]
    out = ['<ul class="warnings">']
    for w in report.warnings:
        where = _("layer {index} '{layer}'").format(index=w.index, layer=w.layer)
        out.append(f"<li>{escape(where)}: {escape(translate_message(w.message))}</li>")
    out.append("</ul>")
    return out


def _conventions(conventions: dict[str, str]) -> list[str]:
    out = ["<dl>"]
    for key, text in conventions.items():
        out.append(f"<dt><code>{escape(key)}</code></dt><dd>{escape(text)}</dd>")
    out.append("</dl>")
    return out


def report_html(report: Report, nodes: Sequence[DiagramNode] | None = None) -> str:
    """The page of one report: totals, diagram, charts, table, warnings, conventions."""
    net = report.network
    s = report.settings
    about = [x for x in (net.description, net.reference) if x]
    body = [
        f"<h1>{escape(net.name)}</h1>",
        f'<p class="sub">{escape(" · ".join(about))}</p>' if about else "",
        f'<p class="sub">{escape(_("batch {batch}, {dtype}").format(batch=s.batch, dtype=s.dtype))} · '
        f"cnncalc</p>",
        f'<h2 id="totals">{escape(_("Totals"))}</h2>',
        *_totals(report),
        f'<h2 id="diagram">{escape(_("Diagram"))}</h2>',
        f'<div class="scroll" id="diagram-box">{diagram_svg(report, nodes)}</div>',
        f'<h2 id="charts">{escape(_("Per layer"))}</h2>',
        '<div class="charts">',
        *layer_charts(report),
        "</div>",
        *(
            [
                f'<h2 id="group-table">{escape(_("Groups (depth {depth})").format(depth=report.depth))}</h2>',
                f'<p class="sub">{escape(_("Click a group to see its layers."))}</p>',
                *group_table_html(report),
            ]
            if report.groups
            else []
        ),
        f'<h2 id="table">{escape(_("Layers"))}</h2>',
        f'<p class="sub">{escape(_("Click a column to sort; click a box in the diagram to find its row."))}'
        "</p>",
        *layer_table_html(report),
        f'<h2 id="warnings">{escape(_("Warnings"))}</h2>',
        *_warnings(report),
        f'<h2 id="conventions">{escape(_("Conventions"))}</h2>',
        *_conventions(report.conventions),
    ]
    return _page(f"cnncalc · {net.name}", [line for line in body if line])


def comparison_html(comparison: Comparison) -> str:
    """The page of a comparison: the metrics table and one chart per metric."""
    from cnncalc.render.compare import metrics

    names = [n.name for n in comparison.networks]
    s = comparison.settings
    out = [
        f"<h1>{escape(_('Comparison'))}</h1>",
        f'<p class="sub">{escape(_("batch {batch}, {dtype}").format(batch=s.batch, dtype=s.dtype))} · '
        f"{escape(_('MACs = conv + fc multiply-accumulates'))}</p>",
        '<div class="scroll"><table id="compare">',
        "<thead><tr><th></th>"
        + "".join(f'<th class="num">{escape(n)}</th>' for n in names)
        + "</tr></thead>",
        "<tbody>",
    ]
    for label, value in metrics(comparison):
        cells = "".join(f'<td class="num">{escape(value(n))}</td>' for n in comparison.networks)
        out.append(f"<tr><th>{escape(label)}</th>{cells}</tr>")
    out += ["</tbody></table></div>", f"<h2>{escape(_('Charts'))}</h2>", '<div class="charts">']
    out.append(compare_svg(comparison))
    out.append("</div>")
    return _page(f"cnncalc · {', '.join(names)}", out)

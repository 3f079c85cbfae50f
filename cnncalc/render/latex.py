"""The summary as a LaTeX table for slides (``summary --format latex``): booktabs, exact numbers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cnncalc.i18n import _
from cnncalc.render.columns import order_name
from cnncalc.render.explain import latex_math
from cnncalc.render.numbers import exact
from cnncalc.report import Report


def escape_latex(text: str) -> str:
    """Escape the characters LaTeX treats specially in text mode."""
    for char, escaped in (
        ("\\", r"\textbackslash{}"),
        ("_", r"\_"),
        ("&", r"\&"),
        ("%", r"\%"),
        ("#", r"\#"),
    ):
        text = text.replace(char, escaped)
    return text


def _number(n: int) -> str:
    return exact(n).replace(",", "{,}")


def _cells(texts: Iterable[str]) -> str:
    """Cells joined by ' & ' (an empty cell as '& &')."""
    line = " & ".join(texts)
    while "&  &" in line:
        line = line.replace("&  &", "& &")
    return line


LATEX_COLUMNS = ("index", "layer", "type", "output", "params", "macs")


def render_latex(report: Report, columns: Sequence[str] | None = None) -> str:
    """A ``tabular`` (needs ``booktabs``) with one row per layer (per group with ``--depth``) and a
    totals row. ``columns``: keys of :mod:`cnncalc.render.columns` (default: index to MACs)."""
    from cnncalc.groups import shown_inputs
    from cnncalc.render.columns import RIGHT_ALIGNED, cell_functions, header

    order = report.settings.order
    rows = report.groups if report.groups is not None else report.layers
    keys = tuple(columns) if columns is not None else LATEX_COLUMNS
    cells = cell_functions(report, bars=False)
    shown = shown_inputs(rows)
    titles = {key: escape_latex(" ".join(h for h in header(key, report) if h)) for key in keys}
    titles["index"] = "\\#"
    titles["output"] = f"{_('Output')} ${latex_math(order_name(order))}$"
    lines = [
        f"% cnncalc summary: {escape_latex(report.network.name)}"
        + (f" (depth {report.depth})" if report.depth is not None else ""),
        r"\begin{tabular}{" + "".join("r" if k in RIGHT_ALIGNED else "l" for k in keys) + "}",
        r"\toprule",
        " & ".join(titles[k] for k in keys) + r" \\",
        r"\midrule",
    ]
    for row, inputs in zip(rows, shown, strict=True):
        texts = []
        for key in keys:
            if key == "output":
                texts.append(f"${latex_math(row.output_shape.text(order))}$")
            elif key == "params":
                texts.append(_number(row.params) if row.params else "--")
            elif key == "macs":
                texts.append(_number(row.macs) if row.macs else "--")
            elif key == "connected":
                texts.append(escape_latex(", ".join(inputs)))
            elif key == "index":
                texts.append(cells[key](row).replace("–", "--"))
            else:
                texts.append(escape_latex(cells[key](row)))
        lines.append(_cells(texts) + r" \\")
    t = report.totals
    totals = {
        "layer": _("Total"),
        "output": f"${latex_math(report.output.text(order))}$",
        "params": _number(t.params),
        "macs": _number(t.macs),
    }
    lines += [
        r"\midrule",
        _cells(totals.get(k, "") for k in keys) + r" \\",
        r"\bottomrule",
        r"\end{tabular}",
    ]
    return "\n".join(lines) + "\n"

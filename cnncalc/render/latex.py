"""The summary as a LaTeX table for slides (``summary --format latex``): booktabs, exact numbers."""

from __future__ import annotations

from cnncalc.i18n import _
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


def render_latex(report: Report) -> str:
    """A ``tabular`` (needs ``booktabs``) with one row per layer and a totals row."""
    order = report.settings.order
    order_text = "H×W×C" if order == "hwc" else "C×H×W"
    header = [
        "\\#",
        _("Layer"),
        _("Type"),
        f"{_('Output')} ${latex_math(order_text)}$",
        _("Params"),
        "MACs",
    ]
    lines = [
        f"% cnncalc summary: {escape_latex(report.network.name)}",
        r"\begin{tabular}{rllrrr}",
        r"\toprule",
        " & ".join(header) + r" \\",
        r"\midrule",
    ]
    for row in report.layers:
        cells = [
            str(row.index),
            escape_latex(row.name),
            escape_latex(row.type),
            f"${latex_math(row.output_shape.text(order))}$",
            _number(row.params) if row.params else "--",
            _number(row.macs) if row.macs else "--",
        ]
        lines.append(" & ".join(cells) + r" \\")
    t = report.totals
    lines += [
        r"\midrule",
        f" & {_('Total')} & & ${latex_math(report.output.text(order))}$ & "
        f"{_number(t.params)} & {_number(t.macs)}" + r" \\",
        r"\bottomrule",
        r"\end{tabular}",
    ]
    return "\n".join(lines) + "\n"

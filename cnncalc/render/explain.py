"""The working of ``cnncalc explain`` (and the one-layer calculators) as text, Markdown, LaTeX or CSV.
Every word goes through :func:`cnncalc.i18n._`; formulas keep the slides' symbols."""

from __future__ import annotations

import csv
import io
import re
from fractions import Fraction

from cnncalc.i18n import _, number, translate_description
from cnncalc.teach.working import LayerWorking, Step, Working, fraction_text

EXPLAIN_FORMATS = ("text", "markdown", "latex", "csv")


def value_text(value: Fraction | int | str) -> str:
    """Whole numbers with thousands separators (as the slides: 34,848); others with 2 decimals."""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return number(value)
    return number(value.numerator) if value.denominator == 1 else fraction_text(value)


def _result_differs(step: Step) -> bool:
    return isinstance(step.result, int) and step.value != step.result


def notes_text(step: Step) -> list[str]:
    return [_(note).format(**args) for note, args in step.notes]


def step_text(step: Step) -> str:
    """``output height = width: (N + 2P − F)/S + 1 = (32 + 2×2 − 5)/1 + 1 = 32``."""
    what = _(step.what)
    if not step.formula and not step.numbers:
        return f"{what}: {value_text(step.result)}"
    if not step.formula:
        return f"{what}: {step.numbers} = {value_text(step.result)}"
    parts = [step.formula]
    if step.numbers and step.numbers != step.formula:
        parts.append(step.numbers)
    if isinstance(step.result, str):
        return f"{what}: {' = '.join(parts)} = {step.result}"
    parts.append(value_text(step.value))
    text = f"{what}: {' = '.join(dict.fromkeys(parts))}"
    if _result_differs(step):
        text += f" → {value_text(step.result)}"
    return text


def layer_heading(layer: LayerWorking) -> str:
    return _("Layer {index} '{name}' ({type}: {description}): {input} → {output}").format(
        index=layer.index,
        name=layer.name,
        type=layer.type,
        description=translate_description(layer.description),
        input=layer.input,
        output=layer.output,
    )


def render_text(working: Working) -> str:
    order = "H×W×C" if working.order == "hwc" else "C×H×W"
    if "×" not in working.input:  # a flat input has no spatial order to name
        order = _("vector")
    lines = [
        _("{network}: input {input} ({order})").format(
            network=working.network, input=working.input, order=order
        )
    ]
    for layer in working.layers:
        lines.append("")
        lines.append(layer_heading(layer))
        for step in layer.steps:
            lines.append(f"  {step_text(step)}")
            lines.extend(f"    ⚠ {note}" for note in notes_text(step))
    if working.totals:
        lines.append("")
        lines.append(_("Totals"))
        lines.extend(f"  {step_text(step)}" for step in working.totals)
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(working: Working) -> str:
    lines = [f"## {working.network}", ""]
    header = [_("Quantity"), _("Formula"), _("Numbers"), _("Value")]
    for layer in [*working.layers, None]:
        if layer is None:
            if not working.totals:
                break
            lines.append(f"### {_('Totals')}")
            steps = working.totals
        else:
            lines.append(f"### {layer_heading(layer)}")
            steps = layer.steps
        lines += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for step in steps:
            value = value_text(step.result) if isinstance(step.result, str) else value_text(step.value)
            if _result_differs(step):
                value += f" → {value_text(step.result)}"
            notes = "; ".join(notes_text(step))
            if notes:
                value += f" ({notes})"
            cells = [_(step.what), f"`{step.formula}`" if step.formula else "", step.numbers, value]
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


_LATEX_SYMBOLS = {
    "×": r"\times ",
    "−": "-",
    "⌈": r"\lceil ",
    "⌉": r"\rceil ",
    "⌊": r"\lfloor ",
    "⌋": r"\rfloor ",
    "′": "'",
    "Σ": r"\sum ",
    "≥": r"\geq ",
    "→": r"\to ",
    "₁": "_1",
    "₂": "_2",
    "…": r"\dots ",
}


def latex_math(text: str) -> str:
    """A formula of the working in LaTeX math: ``(A)/S + 1`` becomes ``\\frac{A}{S} + 1``."""
    match = re.fullmatch(r"(⌈?)\((.*)\)/([^ ⌉]+)(⌉?)( \+ 1)", text)
    if match:
        ceil_open, inner, den, ceil_close, tail = match.groups()
        text = f"{ceil_open}\\frac{{{inner}}}{{{den}}}{ceil_close}{tail}"
    for symbol, latex in _LATEX_SYMBOLS.items():
        text = text.replace(symbol, latex)
    text = text.replace("P_total", r"P_{\mathrm{total}}").replace("batch", r"\mathrm{batch}")
    text = text.replace("bytes", r"\mathrm{bytes}")
    text = re.sub(r"\b(in|out)\b", r"\\mathrm{\1}", text)
    return re.sub(r"(\d),(\d{3})", r"\1{,}\2", text)


def _latex_text(text: str) -> str:
    for char, escaped in (
        ("\\", r"\textbackslash{}"),
        ("&", r"\&"),
        ("%", r"\%"),
        ("_", r"\_"),
        ("#", r"\#"),
        ("{", r"\{"),
        ("}", r"\}"),
        ("×", r"$\times$"),
        ("→", r"$\to$"),
        ("′", "'"),
        ("−", "-"),
        ("≥", r"$\geq$"),
    ):
        text = text.replace(char, escaped)
    return text


def render_latex(working: Working) -> str:
    lines = [f"% {_('cnncalc explain')}: {_latex_text(working.network)}"]
    sections = [(layer_heading(layer), layer.steps) for layer in working.layers]
    if working.totals:
        sections.append((_("Totals"), working.totals))
    for heading, steps in sections:
        lines.append(f"\\paragraph{{{_latex_text(heading)}}}")
        lines.append(r"\begin{align*}")
        rows = []
        for step in steps:
            if isinstance(step.result, str):
                rhs = [latex_math(p) for p in (step.formula, step.numbers) if p] + [latex_math(step.result)]
            else:
                rhs = [latex_math(p) for p in (step.formula, step.numbers) if p]
                rhs.append(latex_math(value_text(step.value)))
                if _result_differs(step):
                    rhs[-1] += r" \to " + latex_math(value_text(step.result))
            row = f"\\text{{{_latex_text(_(step.what))}}} &= " + " = ".join(dict.fromkeys(rhs))
            notes = notes_text(step)
            if notes:
                row += r" && \text{" + _latex_text("; ".join(notes)) + "}"
            rows.append(row)
        lines.append(" \\\\\n".join(rows))
        lines.append(r"\end{align*}")
    return "\n".join(lines) + "\n"


def render_csv(working: Working) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    from cnncalc.render.text import csv_header

    columns = ("index", "layer", "type", "quantity", "formula", "numbers", "value", "result", "notes")
    writer.writerow([csv_header(c) for c in columns])
    rows = [(layer.index, layer.name, layer.type, layer.steps) for layer in working.layers]
    rows.append(("", "totals", "", working.totals))
    for index, name, kind, steps in rows:
        for step in steps:
            writer.writerow(
                [
                    index,
                    name,
                    kind,
                    _(step.what),
                    step.formula,
                    step.numbers,
                    fraction_text(step.value),
                    step.result,
                    "; ".join(notes_text(step)),
                ]
            )
    return buffer.getvalue()


def render_working(working: Working, fmt: str = "text") -> str:
    renderers = {"text": render_text, "markdown": render_markdown, "latex": render_latex, "csv": render_csv}
    return renderers[fmt](working)

"""Text for ``cnncalc apply`` (matrices and dot products), ``check`` (verdicts) and ``quiz``."""

from __future__ import annotations

from fractions import Fraction

from cnncalc.i18n import _, ngettext, number, translate_message
from cnncalc.render.explain import notes_text, step_text
from cnncalc.teach.apply import ConvCell, ConvResult, PoolCell, PoolResult, Volume, number_text, volume_shape
from cnncalc.teach.check import Grade
from cnncalc.teach.quiz import Exercise


def _signed(value: Fraction) -> str:
    return f"({number_text(value)})" if value < 0 else number_text(value)


def matrix_text(volume: Volume, indent: str = "  ", fmt: str = "text") -> str:
    """Channels one after the other, columns right-aligned (Markdown: one table per channel;
    LaTeX: one bmatrix per channel)."""
    shape = volume_shape(volume)
    blocks = []
    for c, matrix in enumerate(volume):
        cells = [[number_text(v) for v in row] for row in matrix]
        title = _("channel {n}").format(n=c + 1) if shape.channels > 1 else ""
        if fmt == "markdown":
            header = "| " + " | ".join(str(j) for j in range(len(cells[0]))) + " |"
            body = ["| " + " | ".join(row) + " |" for row in cells]
            blocks.append(
                "\n".join(
                    ([f"*{title}*", ""] if title else []) + [header, "|" + "--:|" * len(cells[0]), *body]
                )
            )
        elif fmt == "latex":
            body = " \\\\\n".join(" & ".join(row) for row in cells)
            blocks.append(
                (f"% {title}\n" if title else "") + "\\begin{bmatrix}\n" + body + "\n\\end{bmatrix}"
            )
        else:
            width = max(len(x) for row in cells for x in row)
            lines = [indent + "  ".join(x.rjust(width) for x in row) for row in cells]
            blocks.append("\n".join(([indent + title] if title else []) + lines))
    return "\n\n".join(blocks)


def conv_result_text(result: ConvResult, fmt: str = "text") -> str:
    shape = volume_shape(result.input)
    out = volume_shape(result.output)
    k = len(result.filters)
    fh, fw = len(result.filters[0][0]), len(result.filters[0][0][0])
    lines = [
        _("Input {shape}, zero-padding {padding}, stride {stride}").format(
            shape=shape.text(), padding=result.padding, stride=result.stride
        ),
        _("{k} filter(s) {fh}×{fw}×{c}, bias {bias}").format(
            k=k, fh=fh, fw=fw, c=shape.channels, bias=", ".join(number_text(b) for b in result.biases)
        ),
    ]
    if result.relu:
        lines.append(_("activation: ReLU φ(x) = max(0, x)"))
    lines.extend(f"⚠ {translate_message(w)}" for w in result.warnings)
    lines.append(_("Output volume {shape}:").format(shape=out.text()))
    text = "\n".join(lines) + "\n" + matrix_text(result.output, fmt=fmt)
    return text + "\n"


def conv_cell_text(cell: ConvCell) -> str:
    """The dot product behind one output value, term by term, channel by channel."""
    lines = [
        _("output[{row}, {column}] of filter {k} = Σ x·w + b").format(
            row=cell.row, column=cell.column, k=cell.filter + 1
        )
    ]
    channels = sorted({t.channel for t in cell.terms})
    subtotal_texts = []
    for c in channels:
        terms = [t for t in cell.terms if t.channel == c]
        products = " + ".join(f"{_signed(t.x)}×{_signed(t.w)}" for t in terms)
        subtotal = sum((t.product for t in terms), Fraction(0))
        label = _("channel {n}").format(n=c + 1) if len(channels) > 1 else "Σ x·w"
        lines.append(f"  {label}: {products} = {number_text(subtotal)}")
        subtotal_texts.append(_signed(subtotal))
    total = " + ".join([*subtotal_texts, _signed(cell.bias)])
    lines.append(f"  = {total} = {number_text(cell.value)}")
    if cell.relu:
        lines.append(f"  ReLU: max(0, {number_text(cell.value)}) = {number_text(cell.output)}")
    return "\n".join(lines) + "\n"


def pool_result_text(result: PoolResult, fmt: str = "text") -> str:
    kind = _("max pooling") if result.kind == "max" else _("average pooling")
    shape = volume_shape(result.input)
    lines = [
        _("{kind} {k}×{k}, stride {s} on {shape}").format(
            kind=kind, k=result.kernel, s=result.stride, shape=shape.text()
        )
    ]
    lines.extend(f"⚠ {translate_message(w)}" for w in result.warnings)
    lines.append(_("Output volume {shape}:").format(shape=volume_shape(result.output).text()))
    return "\n".join(lines) + "\n" + matrix_text(result.output, fmt=fmt) + "\n"


def relu_result_text(volume: Volume, output: Volume, fmt: str = "text") -> str:
    """ReLU on a whole volume: φ(x) = max(0, x) element by element."""
    lines = [
        _("activation: ReLU φ(x) = max(0, x) on {shape}").format(shape=volume_shape(volume).text()),
        _("Output volume {shape}:").format(shape=volume_shape(output).text()),
    ]
    return "\n".join(lines) + "\n" + matrix_text(output, fmt=fmt) + "\n"


def pool_cell_text(result: PoolResult, cell: PoolCell) -> str:
    values = ", ".join(number_text(v) for v in cell.window)
    head = _("output[{row}, {column}] of channel {c}").format(
        row=cell.row, column=cell.column, c=cell.channel + 1
    )
    if result.kind == "max":
        return f"{head} = max({values}) = {number_text(cell.value)}\n"
    total = " + ".join(_signed(v) for v in cell.window)
    return f"{head} = ({total})/{cell.divisor} = {number_text(cell.value)}\n"


def grade_text(grade: Grade) -> str:
    lines = []
    if grade.student:
        lines.append(_("Student: {name}").format(name=grade.student))
    field_names = {
        "output": _("output volume"),
        "params": _("parameters"),
        "macs": _("MACs"),
        "memory": _("memory"),
    }
    for v in grade.verdicts:
        where = _("totals") if v.layer == "totals" else f"{v.index} {v.layer}"
        label = f"{where} · {field_names[v.field]}"
        if v.given is None:
            lines.append(f"– {label}: {_('not answered')} ({_('answer')}: {v.expected})")
            continue
        if v.correct:
            lines.append(f"✓ {label}: {v.given}")
            continue
        lines.append(f"✗ {label}: {v.given} — {_('correct')}: {v.expected}")
        for hint, args in v.hints:
            lines.append(f"    {_('hint')}: {_(hint).format(**args)}")
        for step in v.working:
            lines.append(f"    {step_text(step)}")
            lines.extend(f"      ⚠ {note}" for note in notes_text(step))
    lines.append(_("Score: {correct}/{total}").format(correct=grade.correct, total=grade.total))
    return "\n".join(lines) + "\n"


def exercise_text(exercise: Exercise) -> str:
    lines = [
        _("Let's practise! (seed {seed})").format(seed=exercise.seed),
        _("Input volume: {h}×{w}×{c}").format(h=exercise.height, w=exercise.width, c=exercise.channels),
    ]
    for i, layer in enumerate(exercise.layers, start=1):
        if layer.kind == "conv":
            text = _("{k} filters {f}×{f}, stride {s}, pad {p}").format(
                k=layer.filters, f=layer.kernel, s=layer.stride, p=layer.padding
            )
        elif layer.kind in ("maxpool", "avgpool"):
            kind = _("max pooling") if layer.kind == "maxpool" else _("average pooling")
            text = _("{kind} {f}×{f}, stride {s}").format(kind=kind, f=layer.kernel, s=layer.stride)
        else:
            text = _("fully connected layer with {n} neurons").format(n=layer.units)
        lines.append(_("Layer {i}: {text}").format(i=i, text=text))
    if exercise.inexact:
        lines.append(
            _(
                "Careful: in one layer the division does not come out whole (não cabe); "
                "give the size PyTorch computes (it rounds down)."
            )
        )
    if exercise.weights_only:
        lines.append(
            _("For each layer: what is the size of the output volume? How many weights (without the biases)?")
        )
    else:
        lines.append(
            _(
                "For each layer: what is the size of the output volume? "
                "How many parameters (weights and biases)?"
            )
        )
    return "\n".join(lines) + "\n"


def answer_key_text(exercise: Exercise) -> str:
    report = exercise.report()
    lines = [_("Answer key")]
    weights = exercise.weights_only
    for row in report.layers:
        count = row.weights if weights else row.params
        template = (
            ngettext(
                "Layer {i}: output {shape}, {params} weight",
                "Layer {i}: output {shape}, {params} weights",
                count,
            )
            if weights
            else ngettext(
                "Layer {i}: output {shape}, {params} parameter",
                "Layer {i}: output {shape}, {params} parameters",
                count,
            )
        )
        lines.append("  " + template.format(i=row.index, shape=row.output_shape.hwc, params=number(count)))
        for warning in row.warnings:
            lines.append("    ⚠ " + translate_message(warning))
    total = report.totals.weights if weights else report.totals.params
    template = (
        ngettext("Total: {params} weight", "Total: {params} weights", total)
        if weights
        else ngettext("Total: {params} parameter", "Total: {params} parameters", total)
    )
    lines.append("  " + template.format(params=number(total)))
    return "\n".join(lines) + "\n"

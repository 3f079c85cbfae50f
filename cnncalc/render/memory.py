"""The view of ``cnncalc memory``: the answer first (``--fit``, the total), then the named terms of
the estimate, each with its explanation wrapped under it, so that it reads at 80 columns."""

from __future__ import annotations

from cnncalc.i18n import _, number
from cnncalc.memory import CALIBRATION, OPTIMIZERS, MemoryEstimate
from cnncalc.render.lines import Line, LinesView, wrap_words
from cnncalc.render.numbers import both_units

_LABEL = 22
INDENT = 4


def memory_lines(
    estimate: MemoryEstimate, fit: tuple[int, int | None] | None = None, width: int | None = None
) -> list[Line]:
    """The ``--fit`` answer and the peaks, then every term: its name and bytes on one line, what it
    is on the next lines (wrapped to ``width``), then the calibration note."""
    width = width or 100
    optimizer = OPTIMIZERS[estimate.optimizer].label if estimate.optimizer else ""
    mode = (
        _("training step ({optimizer})").format(optimizer=optimizer)
        if estimate.train
        else _("inference (no grad)")
    )
    lines: list[Line] = [
        [(_("{network}: GPU memory, {mode}").format(network=estimate.network, mode=mode), "bold")],
        [
            (
                _("batch {batch} · {dtype} · bytes as torch.cuda.max_memory_allocated counts them").format(
                    batch=estimate.batch, dtype=estimate.dtype
                ),
                "dim",
            )
        ],
        [],
    ]

    def entry(label: str, value: str, note: str = "") -> None:
        line: Line = [(f"{label:<{_LABEL}}", "bold"), (value, "")]
        if note and _LABEL + len(value) + 2 + len(note) <= width:
            line.append((f"  {note}", "dim"))
            lines.append(line)
        else:
            lines.append(line)
            if note:
                lines.extend(
                    [[(" " * _LABEL, ""), (part, "dim")] for part in wrap_words(note, width - _LABEL)]
                )

    if fit is not None:
        budget, batch = fit
        entry(
            _("Largest batch"),
            _("{batch} fits in {budget}").format(batch=number(batch), budget=both_units(budget))
            if batch
            else _("not even batch 1 fits in {budget}").format(budget=both_units(budget)),
        )
    entry(_("Predicted total"), both_units(estimate.total_bytes), _("model state + the larger peak"))
    entry(
        _("Model state"),
        both_units(estimate.state_bytes),
        _("parameters + buffers, allocated before the run"),
    )
    if estimate.steady_peak_above_state is None:
        entry(
            _("Peak of the run"),
            both_units(estimate.peak_above_state),
            _("the forward pass, workspaces included"),
        )
    else:
        entry(
            _("Peak, first step"),
            both_units(estimate.peak_above_state),
            _("max(forward, backward, optimizer step), workspaces included"),
        )
        entry(
            _("Peak, later steps"),
            both_units(estimate.steady_peak_above_state),
            _("optimizer state and workspaces kept from the first step"),
        )
    names = [term.key.replace("_", " ") for term in estimate.terms]
    values = [both_units(term.bytes) for term in estimate.terms]
    term_head, bytes_head = _("Term"), _("Bytes")
    name_w = max(len(term_head), *map(len, names))
    value_w = max(len(bytes_head), *map(len, values))
    lines += [[], [(term_head.ljust(name_w) + "  " + bytes_head.rjust(value_w), "bold")]]
    lines.append([("─" * (name_w + 2 + value_w), "")])
    for name, value, term in zip(names, values, estimate.terms, strict=True):
        lines.append([(name.ljust(name_w), "cyan"), ("  " + value.rjust(value_w), "")])
        lines.extend(
            [[(" " * INDENT, ""), (part, "dim")] for part in wrap_words(_(term.explanation), width - INDENT)]
        )
    note = _(
        "Calibrated on {calibration}. cuDNN picks each convolution's algorithm, and with it the "
        "workspace: measured per layer from none to 23× the estimate (median 1.07×), so a peak set "
        "by a convolution can be off by more than 10% (docs/memory-model.md)."
    ).format(calibration=CALIBRATION)
    if not estimate.calibrated:
        note = _("An estimate, not calibrated: {why}.").format(why=estimate.calibration) + " " + note
    if estimate.train and "backward_peak" in estimate.uncertain_terms:
        note = (
            _(
                "The backward peak is an estimate for this network: the gradients that the readers "
                "of an output read by from: references return are added up in an order the model "
                "follows only approximately (docs/memory-model.md)."
            )
            + " "
            + note
        )
    lines += [[]] + [[(part, "dim")] for part in wrap_words(note, width)]
    return lines


def memory_table(estimate: MemoryEstimate, fit: tuple[int, int | None] | None = None) -> LinesView:
    """A rich renderable of :func:`memory_lines`, laid out for the console's width."""
    return LinesView(lambda width: memory_lines(estimate, fit, width))

"""The rich view of ``cnncalc memory``: the named terms of a memory estimate."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from cnncalc.i18n import _, number
from cnncalc.memory import OPTIMIZERS, MemoryEstimate
from cnncalc.render.numbers import both_units

_STATE = ("parameters", "buffers")


def memory_table(estimate: MemoryEstimate, fit: tuple[int, int | None] | None = None) -> Group:
    """The terms, what the peak is made of, and the answer to ``--fit`` when asked."""
    optimizer = OPTIMIZERS[estimate.optimizer].label if estimate.optimizer else ""
    mode = (
        _("training step ({optimizer})").format(optimizer=optimizer)
        if estimate.train
        else _("inference (no grad)")
    )
    table = Table(
        title=_("{network}: GPU memory, {mode}").format(network=estimate.network, mode=mode),
        caption=_("batch {batch} · {dtype} · bytes as torch.cuda.max_memory_allocated counts them").format(
            batch=estimate.batch, dtype=estimate.dtype
        ),
        header_style="bold",
        pad_edge=False,
    )
    table.add_column(_("Term"), style="cyan", no_wrap=True)
    table.add_column(_("Bytes"), justify="right", no_wrap=True)
    table.add_column(_("What it is"), overflow="fold")
    for term in estimate.terms:
        table.add_row(term.key.replace("_", " "), both_units(term.bytes), _(term.explanation))
    text = Text()

    def line(label: str, value: str, note: str, end: str = "\n") -> None:
        text.append(f"{label:<22}", style="bold")
        text.append(value)
        text.append(f"  {note}{end}", style="dim")

    line(
        _("Model state"),
        both_units(estimate.state_bytes),
        _("parameters + buffers, allocated before the run"),
    )
    if estimate.steady_peak_above_state is None:
        line(
            _("Peak of the run"),
            both_units(estimate.peak_above_state),
            _("the forward pass, workspaces included"),
        )
    else:
        line(
            _("Peak, first step"),
            both_units(estimate.peak_above_state),
            _("max(forward, backward, optimizer step), workspaces included"),
        )
        line(
            _("Peak, later steps"),
            both_units(estimate.steady_peak_above_state),
            _("optimizer state and workspaces kept from the first step"),
        )
    line(_("Predicted total"), both_units(estimate.total_bytes), _("model state + the larger peak"), end="")
    if fit is not None:
        budget, batch = fit
        text.append(f"\n{_('Largest batch'):<22}", style="bold")
        text.append(
            _("{batch} fits in {budget}").format(batch=number(batch), budget=both_units(budget))
            if batch
            else _("not even batch 1 fits in {budget}").format(budget=both_units(budget))
        )
    text.append(
        "\n"
        + _(
            "Calibrated on {calibration}. cuDNN picks each convolution's algorithm, and with it the "
            "workspace: measured per layer from none to 23× the estimate (median 1.07×), so a peak set "
            "by a convolution can be off by more than 10% (docs/memory-model.md)."
        ).format(calibration=estimate.calibration),
        style="dim",
    )
    return Group(table, text)

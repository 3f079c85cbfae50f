"""The rich view of ``cnncalc memory``: the named terms of a memory estimate."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from cnncalc.memory import CALIBRATION, OPTIMIZERS, MemoryEstimate
from cnncalc.render.numbers import both_units

_STATE = ("parameters", "buffers")


def memory_table(estimate: MemoryEstimate, fit: tuple[int, int | None] | None = None) -> Group:
    """The terms, what the peak is made of, and the answer to ``--fit`` when asked."""
    optimizer = OPTIMIZERS[estimate.optimizer].label if estimate.optimizer else ""
    mode = f"training step ({optimizer})" if estimate.train else "inference (no grad)"
    table = Table(
        title=f"{estimate.network}: GPU memory, {mode}",
        caption=f"batch {estimate.batch} · {estimate.dtype} · "
        "bytes as torch.cuda.max_memory_allocated counts them",
        header_style="bold",
        pad_edge=False,
    )
    table.add_column("Term", style="cyan", no_wrap=True)
    table.add_column("Bytes", justify="right", no_wrap=True)
    table.add_column("What it is", overflow="fold")
    for term in estimate.terms:
        table.add_row(term.key.replace("_", " "), both_units(term.bytes), term.explanation)
    text = Text()
    text.append(f"{'Model state':<22}", style="bold")
    text.append(both_units(estimate.state_bytes))
    text.append("  parameters + buffers, allocated before the run\n", style="dim")
    if estimate.steady_peak_above_state is None:
        text.append(f"{'Peak of the run':<22}", style="bold")
        text.append(both_units(estimate.peak_above_state))
        text.append("  the forward pass, workspaces included\n", style="dim")
    else:
        text.append(f"{'Peak, first step':<22}", style="bold")
        text.append(both_units(estimate.peak_above_state))
        text.append("  max(forward, backward, optimizer step), workspaces included\n", style="dim")
        text.append(f"{'Peak, later steps':<22}", style="bold")
        text.append(both_units(estimate.steady_peak_above_state))
        text.append("  optimizer state and workspaces kept from the first step\n", style="dim")
    text.append(f"{'Predicted total':<22}", style="bold")
    text.append(both_units(estimate.total_bytes))
    text.append("  model state + the larger peak", style="dim")
    if fit is not None:
        budget, batch = fit
        text.append(f"\n{'Largest batch':<22}", style="bold")
        text.append(
            f"{batch:,} fits in {both_units(budget)}"
            if batch
            else f"not even batch 1 fits in {both_units(budget)}"
        )
    if not estimate.calibrated:
        text.append(f"\nAn estimate, not calibrated: {estimate.calibration}.", style="dim")
    text.append(
        f"\nCalibrated on {CALIBRATION}. cuDNN picks each convolution's algorithm, and with it "
        "the workspace: measured per layer from none to 23× the estimate (median 1.07×), so a peak set "
        "by a convolution can be off by more than 10% (docs/memory-model.md).",
        style="dim",
    )
    return Group(table, text)

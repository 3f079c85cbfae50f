"""Rendering of the peer conventions (``--count-as``, ``cnncalc count``) and of the training-step
cost. Data in (:mod:`cnncalc.counting`), rich tables or JSON text out."""

from __future__ import annotations

import json
from typing import Any

from rich import box
from rich.table import Table

from cnncalc.counting import Counted
from cnncalc.counting.training import Gpu, TrainingCost, time_floor_ms
from cnncalc.i18n import _
from cnncalc.render.numbers import exact, si


def _table(title: str) -> Table:
    return Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        header_style="bold",
    )


def _label(text: str) -> str:
    """The short name of a rule: its text up to the first colon (or comma)."""
    return text.split(":")[0] if ":" in text else text.split(",")[0]


def difference_line(counted: Counted) -> str:
    """One line: how the tool's total differs from cnncalc's MACs, rule by rule."""
    preset = counted.preset
    parts = []
    if preset.measures == "flops":
        parts.append(_("2 FLOPs per MAC"))
    for rule, (_rows, diff) in counted.by_rule().items():
        if diff:
            sign = "+" if diff > 0 else "−"
            parts.append(f"{sign}{exact(abs(diff))} {_label(_(preset.rules[rule]))}")
    if preset.key == "torchvision" and counted.batch > 1:
        parts.append(_("published per image, not for the batch"))
    if preset.key == "ptflops" and counted.batch > 1:
        parts.append(_("module counts per sample, patched functionals for the whole batch"))
    if not parts:
        return _("same as cnncalc's MACs")
    return "; ".join(parts)


def conventions_summary(counts: list[Counted]) -> list[dict[str, Any]]:
    """One entry per convention for ``cnncalc count``."""
    rows = []
    for counted in counts:
        p = counted.preset
        rows.append(
            {
                "convention": p.key,
                "tool": p.tool,
                "version": p.version,
                "unit": p.unit,
                "total": counted.total,
                "printed_per_layer": sum(r.part.printed for r in counted.rows),
                "cnncalc": counted.reference,
                "difference": counted.total - counted.reference,
                "why": difference_line(counted),
                "rules": {k: _(p.rules[k]) for k in counted.by_rule()},
            }
        )
    return rows


def conventions_table(title: str, counts: list[Counted]) -> Table:
    table = _table(title)
    table.add_column(_("Convention"), style="cyan", no_wrap=True)
    table.add_column(_("Unit"), no_wrap=True)
    table.add_column(_("Total"), justify="right", no_wrap=True)
    table.add_column(_("Why it differs from cnncalc's MACs"), overflow="fold")
    for entry in conventions_summary(counts):
        table.add_row(entry["convention"], entry["unit"], exact(entry["total"]), entry["why"])
    return table


def count_as_table(title: str, counted: Counted) -> Table:
    """Per layer: what the tool prints, the rule and its arithmetic."""
    preset = counted.preset
    table = _table(title)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(_("Layer"), style="cyan", overflow="fold")
    table.add_column(_("Type"), no_wrap=True)
    table.add_column(preset.unit, justify="right", no_wrap=True)
    table.add_column(_("Rule"), overflow="fold")
    for r in counted.rows:
        shown = exact(r.part.printed)
        if r.part.extra:
            shown += f" (+{exact(r.part.extra)})"
        table.add_row(str(r.facts.row.index), r.facts.row.name, r.facts.row.type, shown, r.part.formula)
    return table


def count_as_footer(counted: Counted) -> list[str]:
    """The total, the rules used and what they add, each named."""
    preset = counted.preset
    printed = sum(r.part.printed for r in counted.rows)
    lines = [
        _("{tool} {version} total: {total} {unit} ({si})").format(
            tool=preset.tool,
            version=preset.version,
            total=exact(counted.total),
            unit=preset.unit,
            si=si(counted.total),
        )
    ]
    if printed != counted.total:
        lines.append(
            _("  per-layer printout holds {printed}; (+N) is added to the total only").format(
                printed=exact(printed)
            )
        )
    lines.append(
        _("  cnncalc: {reference}; {why}").format(
            reference=exact(counted.reference), why=difference_line(counted)
        )
    )
    for rule, (rows, _diff) in counted.by_rule().items():
        lines.append(f"  · {rule} ({rows}): {_(preset.rules[rule])}")
    lines.append(_("  rules read from {source}").format(source=preset.source))
    return lines


def count_as_json(counted: Counted) -> dict[str, Any]:
    preset = counted.preset
    return {
        "convention": preset.key,
        "tool": preset.tool,
        "version": preset.version,
        "unit": preset.unit,
        "batch": counted.batch,
        "forward_style": counted.style,
        "total": counted.total,
        "cnncalc": counted.reference,
        "rules": {k: _(v) for k, v in preset.rules.items()},
        "layers": [
            {
                "index": r.facts.row.index,
                "name": r.facts.row.name,
                "type": r.facts.row.type,
                "printed": r.part.printed,
                "added_to_total": r.part.extra,
                "rule": r.part.rule,
                "formula": r.part.formula,
            }
            for r in counted.rows
        ],
    }


# --------------------------------------------------------------------------------------------
# Training step
# --------------------------------------------------------------------------------------------
def training_table(title: str, cost: TrainingCost) -> Table:
    table = _table(title)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(_("Layer"), style="cyan", overflow="fold")
    table.add_column(_("Forward"), justify="right", no_wrap=True)
    table.add_column(_("∂input"), justify="right", no_wrap=True)
    table.add_column(_("∂weights"), justify="right", no_wrap=True)
    table.add_column(_("Step"), justify="right", no_wrap=True)
    table.add_column(_("FlopCounterMode"), justify="right", no_wrap=True)
    for r in cost.rows:
        if not r.forward:
            continue
        reported = r.forward + r.flop_counter_backward
        mark = "" if reported == r.forward + r.backward else " ✗"
        table.add_row(
            str(r.facts.row.index),
            r.facts.row.name,
            si(r.forward),
            si(r.grad_input) if r.needs_input_grad else "—",
            si(r.grad_weight),
            si(r.forward + r.backward),
            si(reported) + mark,
        )
    return table


def training_footer(cost: TrainingCost, device: Gpu | None, dtype: str) -> list[str]:
    lines = [
        _("Training step, batch {batch}: forward {forward} + backward {backward} = {total} FLOPs").format(
            batch=cost.batch,
            forward=exact(cost.forward),
            backward=exact(cost.backward),
            total=exact(cost.total),
        ),
        _(
            "  backward = ∂input + ∂weights, 2 FLOPs per multiply-accumulate each; '—': the input needs "
            "no gradient (no parameter before it)"
        ),
    ]
    wrong = [r for r in cost.rows if r.flop_counter_backward != r.backward]
    if wrong:
        lines.append(
            _(
                "  ✗ FlopCounterMode reports {reported} in all: its weight gradient of a grouped conv is "
                "groups× too large ({layers} layers)"
            ).format(reported=exact(cost.flop_counter_total), layers=len(wrong))
        )
    if device is not None:
        ms = time_floor_ms(cost.total, device, dtype)
        lines.append(
            _(
                "  at least {ms} ms per step on {gpu} in {dtype}: a bound from the published peak of "
                "{peak:g} TFLOPS ({source}), not a prediction; real steps reach a fraction of it"
            ).format(
                ms=f"{ms:.4g}", gpu=device.name, dtype=dtype, peak=device.tflops[dtype], source=device.source
            )
        )
        if dtype == "fp32" and device.tflops.get("fp32", 0) > 100:
            lines.append(_("  fp32 uses the TF32 tensor-core peak: PyTorch lets cuDNN convolutions use TF32"))
    return lines


def training_json(cost: TrainingCost, device: Gpu | None, dtype: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "batch": cost.batch,
        "forward_flops": cost.forward,
        "backward_flops": cost.backward,
        "total_flops": cost.total,
        "flop_counter_mode_total": cost.flop_counter_total,
        "layers": [
            {
                "index": r.facts.row.index,
                "name": r.facts.row.name,
                "forward": r.forward,
                "grad_input": r.grad_input,
                "grad_weight": r.grad_weight,
                "needs_input_grad": r.needs_input_grad,
                "flop_counter_mode_backward": r.flop_counter_backward,
            }
            for r in cost.rows
        ],
    }
    if device is not None:
        result["time_floor"] = {
            "kind": "lower bound, not a prediction",
            "gpu": device.name,
            "dtype": dtype,
            "peak_tflops": device.tflops[dtype],
            "source": device.source,
            "ms_per_step_at_least": time_floor_ms(cost.total, device, dtype),
        }
    return result


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)

"""``cnncalc count``: every peer tool's convention side by side, and the training-step cost; the
``--count-as`` option that ``summary``, ``compare`` and ``explain`` share."""

from __future__ import annotations

from typing import Any

import click

from cnncalc.cli.app import SPEC_HELP, cli, console
from cnncalc.cli.count_options import forward_style_option
from cnncalc.cli.summary import load_spec, report_options
from cnncalc.counting.presets import PRESETS
from cnncalc.counting.training import GPUS
from cnncalc.errors import UsageError


def _analysed(spec: str, batch: int, dtype: str, input_size: str | None, order: str) -> tuple[Any, Any]:
    from cnncalc.analysis import analyse

    network = load_spec(spec, input_size, order)
    return network, analyse(network, batch=batch, dtype=dtype, order=order)


def echo_count_as(
    spec: str,
    key: str,
    style: str,
    batch: int,
    dtype: str,
    input_size: str | None,
    order: str,
    fmt: str,
    explain: bool = False,
) -> None:
    """``summary --count-as`` and ``explain --count-as``: the tool's count of every layer."""
    from cnncalc.counting import count_as
    from cnncalc.i18n import _
    from cnncalc.render import counting as rendering

    if fmt not in ("table", "json", "text"):
        shown = "text" if explain else "table or json"
        raise UsageError(f"--count-as works with --format {shown}, not {fmt}")
    network, report = _analysed(spec, batch, dtype, input_size, order)
    counted = count_as(report, network, key, style=style)
    if fmt == "json":
        click.echo(rendering.dumps(rendering.count_as_json(counted)))
        return
    title = _("{network} counted as {tool} {version} · batch {batch} · forward: {style}").format(
        network=report.network.name, tool=counted.preset.tool, version=counted.preset.version,
        batch=batch, style=style,
    )  # fmt: skip
    console().print(rendering.count_as_table(title, counted))
    for line in rendering.count_as_footer(counted):
        click.echo(line)


def echo_compare_count_as(
    specs: tuple[str, ...], key: str, style: str, batch: int, dtype: str, input_size: str | None, order: str,
    fmt: str,
) -> None:  # fmt: skip
    """``compare --count-as``: each network's total as the tool counts it, next to cnncalc's."""
    from cnncalc.counting import count_as
    from cnncalc.i18n import _
    from cnncalc.render import counting as rendering
    from cnncalc.render.numbers import exact

    if fmt not in ("table", "json"):
        raise UsageError(f"--count-as works with --format table or json, not {fmt}")
    counts = []
    for spec in specs:
        network, report = _analysed(spec, batch, dtype, input_size, order)
        counts.append((report.network.name, count_as(report, network, key, style=style)))
    if fmt == "json":
        entries = [{"network": name, **rendering.conventions_summary([c])[0]} for name, c in counts]
        click.echo(rendering.dumps(entries))
        return
    preset = counts[0][1].preset
    table = rendering._table(
        _("Counted as {tool} {version} ({unit}) · batch {batch}").format(
            tool=preset.tool, version=preset.version, unit=preset.unit, batch=batch
        )
    )
    table.add_column(_("Network"), style="cyan", no_wrap=True)
    table.add_column(preset.key, justify="right", no_wrap=True)
    table.add_column("cnncalc", justify="right", no_wrap=True)
    table.add_column(_("Why it differs"), overflow="fold")
    for name, counted in counts:
        table.add_row(
            name, exact(counted.total), exact(counted.reference), rendering.difference_line(counted)
        )
    console().print(table)


@cli.command("count", epilog=SPEC_HELP)
@click.argument("spec")
@report_options
@forward_style_option
@click.option("--train", is_flag=True, help="The training step: forward + backward FLOPs per layer.")
@click.option(
    "--gpu",
    "gpu_name",
    metavar="NAME",
    help="With --train: a time floor from NAME's published peak TFLOPS for --dtype ("
    + ", ".join(g.name for g in GPUS.values())
    + ").",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def count_command(
    spec: str,
    batch: int,
    dtype: str,
    input_size: str | None,
    order: str,
    forward_style: str,
    train: bool,
    gpu_name: str | None,
    as_json: bool,
) -> None:
    """Every tool's MAC/FLOP count of SPEC side by side, each difference from cnncalc's MACs
    explained in one line; with --train, the training step's FLOPs.

    \b
    Conventions: torchvision, flop-counter (torch's FlopCounterMode), torchinfo, fvcore,
    ptflops, ptflops-aten, thop, calflops (see docs/conventions.md for each rule and version).
    Examples:
      cnncalc count resnet50
      cnncalc count googlenet --forward-style torchvision
      cnncalc count resnet50 --train --batch 32 --gpu H100-SXM --dtype bf16
      cnncalc summary resnet50 --count-as thop        (per layer, each rule named)
    """
    from cnncalc.counting import count_as
    from cnncalc.i18n import _
    from cnncalc.render import counting as rendering

    if gpu_name and not train:
        raise UsageError("--gpu gives the time floor of a training step", hint="add --train")
    network, report = _analysed(spec, batch, dtype, input_size, order)
    if train:
        from cnncalc.counting.training import gpu, training_cost

        device = gpu(gpu_name) if gpu_name else None
        if device is not None and report.settings.dtype not in device.tflops:
            raise UsageError(
                f"{device.name} has no published {report.settings.dtype} peak in cnncalc's table",
                hint=f"choose --dtype from {', '.join(device.tflops)}",
            )
        cost = training_cost(report, network)
        if as_json:
            click.echo(rendering.dumps(rendering.training_json(cost, device, report.settings.dtype)))
            return
        title = _("{network} · training step · batch {batch} · FLOPs").format(
            network=report.network.name, batch=batch
        )
        console().print(rendering.training_table(title, cost))
        for line in rendering.training_footer(cost, device, report.settings.dtype):
            click.echo(line)
        return
    counts = [count_as(report, network, key, style=forward_style) for key in PRESETS]
    if as_json:
        entries = rendering.conventions_summary(counts)
        click.echo(rendering.dumps({"network": report.network.name, "batch": batch, "conventions": entries}))
        return
    title = _(
        "{network} · every convention · batch {batch} · forward: {style} · cnncalc: {macs} MACs"
    ).format(
        network=report.network.name, batch=batch, style=forward_style, macs=f"{report.totals.macs_batch:,}"
    )
    console().print(rendering.conventions_table(title, counts))

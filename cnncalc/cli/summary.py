"""Analysis commands: summary, list, schema, layers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from cnncalc.cli.app import cli, console
from cnncalc.cli.count_options import count_as_option
from cnncalc.errors import UsageError


def report_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by commands that analyse a spec."""
    options = [
        click.option(
            "--batch",
            "-b",
            type=click.IntRange(1, 10**9),
            default=1,
            show_default=True,
            help="Batch size for activation memory.",
        ),
        click.option(
            "--dtype",
            "-d",
            default="fp32",
            show_default=True,
            help="Element type: fp32, fp16, bf16, int8 or fp64.",
        ),
        click.option(
            "--input",
            "-i",
            "input_size",
            metavar="HxWxC",
            help="Override the input size, e.g. 299x299x3 (H×W×C; C×H×W with --order chw).",
        ),
        click.option(
            "--order",
            type=click.Choice(["hwc", "chw"]),
            default="hwc",
            show_default=True,
            help="Shape notation: H×W×C (lectures) or C×H×W (PyTorch).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def load_spec(spec: str, input_size: str | None, order: str) -> Any:
    """Load ``spec`` and apply ``--input`` (read in ``order``)."""
    from cnncalc.parse import load_network
    from cnncalc.parse.build import check_input_shape
    from cnncalc.shapes import parse_shape_text

    network = load_network(spec)
    if input_size:
        shape = parse_shape_text(input_size, order)
        if shape is None:
            notation = "3x224x224 (C×H×W)" if order == "chw" else "224x224x3 (H×W×C)"
            raise UsageError(f"--input '{input_size}' is not a size like {notation}")
        check_input_shape(shape)
        network = network.with_input(shape)
    return network


def build_report(spec: str, batch: int, dtype: str, input_size: str | None, order: str) -> Any:
    """Load ``spec``, apply ``--input``, analyse."""
    from cnncalc.analysis import analyse

    return analyse(load_spec(spec, input_size, order), batch=batch, dtype=dtype, order=order)


@cli.command()
@click.argument("spec")
@report_options
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["table", "json", "csv", "markdown", "latex"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json (stdout holds only JSON).")
@click.option("--explain", is_flag=True, help="Then show the working of every layer (as 'cnncalc explain').")
@count_as_option
def summary(
    spec: str,
    batch: int,
    dtype: str,
    input_size: str | None,
    order: str,
    fmt: str,
    as_json: bool,
    explain: bool,
    count_as: str | None,
    forward_style: str,
) -> None:
    """Per-layer shapes, parameters, MACs, memory and receptive field of SPEC, with totals.

    \b
    SPEC is a bundled architecture name (see 'cnncalc list'), a YAML/JSON
    spec file, or a one-line spec, for example:
      cnncalc summary vgg16
      cnncalc summary resnet50 --input 299x299x3 --batch 32
      cnncalc summary "227x227x3 | conv 96 k11 s4 | relu | maxpool 3 2" --format markdown
      cnncalc summary "7x7x1 | conv 1 k3 s3"      (warns: 2.33 does not fit)

    Shapes print as H×W×C unless --order chw. MACs are per sample; FLOPs = 2 × MACs.
    Memory columns are output × batch × bytes per element. Warnings go to stderr.
    --count-as TOOL prints instead what that tool counts per layer (see 'cnncalc count').
    """
    from cnncalc import render

    fmt = "json" if as_json else fmt
    if count_as:
        if explain:
            raise UsageError("--count-as and --explain each print their own table", hint="use one of them")
        from cnncalc.cli.count import echo_count_as

        echo_count_as(spec, count_as, forward_style, batch, dtype, input_size, order, fmt)
        return
    report = build_report(spec, batch, dtype, input_size, order)
    if explain and fmt == "json":
        raise UsageError("--explain works with --format table, markdown, latex or csv, not json")
    if fmt == "json":
        click.echo(render.render_json(report))
    elif fmt == "csv":
        click.echo(render.render_csv(report), nl=False)
    elif fmt == "markdown":
        click.echo(render.render_markdown(report), nl=False)
    elif fmt == "latex":
        from cnncalc.render.latex import render_latex

        click.echo(render_latex(report), nl=False)
    else:
        from cnncalc.render.table import summary_table

        console().print(summary_table(report))
    if explain:
        from cnncalc.cli.teach import echo_summary_explanation

        echo_summary_explanation(spec, batch, dtype, input_size, order, fmt)
    if report.warnings and fmt != "markdown":
        # click (not rich) so that --json/--format runs never import rich; colour only on a terminal.
        from cnncalc.i18n import _, translate_message

        label = click.style(_("warning:"), fg="yellow")
        for warning in report.warnings:
            message = translate_message(warning.message)
            where = _("layer {index} '{layer}'").format(index=warning.index, layer=warning.layer)
            click.echo(f"{label} {where}: {message}", err=True)


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_command(as_json: bool) -> None:
    """The bundled architectures with their parameters and MACs."""
    from cnncalc.analysis import analyse
    from cnncalc.catalog import bundled_names, natural_key
    from cnncalc.parse import load_network
    from cnncalc.render.numbers import exact, si

    rows = []
    for name in sorted(bundled_names(), key=natural_key):
        network = load_network(name)
        report = analyse(network)
        rows.append(
            {
                "name": name,
                "description": network.description or "",
                "input": report.input.hwc,
                "params": report.totals.params,
                "macs": report.totals.macs,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich import box
    from rich.table import Table

    table = Table(
        title="Bundled architectures",
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("Name", style="cyan", no_wrap=True)
    table.add_column("Input", justify="right", no_wrap=True)
    table.add_column("Params", justify="right", no_wrap=True)
    table.add_column("MACs", justify="right", no_wrap=True)
    table.add_column("Variant")
    for row in rows:
        table.add_row(row["name"], row["input"], exact(row["params"]), si(row["macs"]), row["description"])
    console().print(table)


@cli.command()
@click.argument("which", type=click.Choice(["spec", "report", "compare"]))
def schema(which: str) -> None:
    """JSON Schema of spec files (spec), 'summary --json' (report) or 'compare --json' (compare)."""
    if which == "report":
        from cnncalc.report import report_schema

        click.echo(json.dumps(report_schema(), indent=2, ensure_ascii=False))
    elif which == "compare":
        from cnncalc.compare import comparison_schema

        click.echo(json.dumps(comparison_schema(), indent=2, ensure_ascii=False))
    else:
        from cnncalc.schema import spec_schema

        click.echo(json.dumps(spec_schema(), indent=2, ensure_ascii=False))


@cli.command()
def layers() -> None:
    """The layer types a spec can use, with their aliases and fields."""
    from rich.markup import escape
    from rich.table import Table

    from cnncalc.layers import registered_kinds
    from cnncalc.parse.oneline import _usage

    table = Table(title="Layer types", header_style="bold", show_lines=True)
    table.add_column("Type", style="cyan", no_wrap=True)
    table.add_column("Also accepted as", overflow="fold", ratio=1)
    table.add_column("What it is", overflow="fold", ratio=2)
    table.add_column("One-line usage", overflow="fold", ratio=2)
    for kind in registered_kinds():
        table.add_row(
            kind.names[0],
            ", ".join(kind.names[1:]),
            escape(kind.summary),
            escape(_usage(kind).removeprefix("usage: ")),
        )
    console().print(table)

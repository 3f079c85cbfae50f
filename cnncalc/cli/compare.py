"""``cnncalc compare``: several networks side by side."""

from __future__ import annotations

import click

from cnncalc.cli.app import SPEC_HELP, cli
from cnncalc.cli.count_options import count_as_option
from cnncalc.cli.summary import load_spec, report_options


@cli.command(epilog=SPEC_HELP)
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...")
@report_options
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["table", "json", "csv", "markdown", "latex", "svg", "html", "png"]),
    default="table",
    show_default=True,
    help="Output format: svg is a bar chart of the networks side by side, html a page with the "
    "table and the charts, png the chart as an image (needs the extra cnncalc[png]).",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json (stdout holds only JSON).")
@count_as_option
def compare(
    specs: tuple[str, ...],
    batch: int,
    dtype: str,
    input_size: str | None,
    order: str,
    fmt: str,
    as_json: bool,
    count_as: str | None,
    forward_style: str,
) -> None:
    """Parameters, MACs, activation and parameter memory and depth of several SPECs side by side.

    \b
    Each SPEC is a bundled name, a spec file or a one-line spec, for example:
      cnncalc compare alexnet vgg16 googlenet resnet50
      cnncalc compare resnet50 resnet50-v1 --input 299x299x3 --batch 32 --dtype fp16
      cnncalc compare vgg16 vgg16-bn --format markdown
      cnncalc compare alexnet vgg16 googlenet resnet50 --format svg > compare.svg

    Depth counts the weight layers (conv, fc) on the longest path from input to output.
    --input applies to every SPEC. MACs and activations are per sample; memory × batch is marked.
    --count-as TOOL compares the totals as that tool counts them (see 'cnncalc count').
    """
    if count_as:
        from cnncalc.cli.count import echo_compare_count_as

        fmt = "json" if as_json else fmt
        echo_compare_count_as(specs, count_as, forward_style, batch, dtype, input_size, order, fmt)
        return
    from cnncalc.analysis import analyse
    from cnncalc.compare import compare as compare_networks
    from cnncalc.render import compare as rendering

    entries = []
    for spec in specs:
        network = load_spec(spec, input_size, order)
        entries.append((network, analyse(network, batch=batch, dtype=dtype, order=order)))
    comparison = compare_networks(entries)
    fmt = "json" if as_json else fmt
    if fmt == "svg":
        from cnncalc.render.svg import compare_svg

        click.echo(compare_svg(comparison), nl=False)
        return
    if fmt == "html":
        from cnncalc.render.html import comparison_html

        click.echo(comparison_html(comparison), nl=False)
        return
    if fmt == "png":
        from cnncalc.cli.summary import echo_binary
        from cnncalc.render.png import svg_to_png
        from cnncalc.render.svg import compare_svg

        echo_binary(svg_to_png(compare_svg(comparison)))
        return
    if fmt == "json":
        click.echo(rendering.render_comparison_json(comparison))
    elif fmt == "csv":
        click.echo(rendering.render_comparison_csv(comparison), nl=False)
    elif fmt == "markdown":
        click.echo(rendering.render_comparison_markdown(comparison), nl=False)
    elif fmt == "latex":
        click.echo(rendering.render_comparison_latex(comparison), nl=False)
    else:
        from cnncalc.render.lines import echo, terminal_width

        echo(rendering.comparison_lines(comparison, terminal_width()))

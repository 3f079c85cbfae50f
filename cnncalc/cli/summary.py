"""Analysis commands: summary, list, schema, layers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from cnncalc.cli.app import MODEL_HELP, cli
from cnncalc.cli.count_options import count_as_option
from cnncalc.errors import UsageError
from cnncalc.i18n import _, ngettext

STRICT_KEY = "cnncalc.strict"


def _set_strict(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    ctx.meta[STRICT_KEY] = value
    return value


def strict_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--strict``: an operation cnncalc cannot count (an imported model's) is an error, exit 2."""
    return click.option(
        "--strict",
        is_flag=True,
        expose_value=False,
        callback=_set_strict,
        help="Refuse (exit 2) a network with operations cnncalc cannot count (imported models).",
    )(func)


def strict_asked() -> bool:
    """Whether the running command was given ``--strict``."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(STRICT_KEY))


def report_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by commands that analyse a spec."""
    func = strict_option(func)
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
            help="Shape notation of what you type (--input, a one-line spec's input) and of the "
            "output: H×W×C (lectures) or C×H×W (PyTorch).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def question_order(
    text: str, order: str, what: str, *, order_option: bool = True, spec: str | None = None
) -> None:
    """Refuse a size typed in ``order`` whose channels look like a spatial size (``--input
    3x224x224`` read as H×W×C): it is PyTorch's C×H×W (or the other way round). ``spec``: the
    one-line spec ``text`` starts, to point at it."""
    from cnncalc.i18n import _
    from cnncalc.shapes import order_doubt, parse_shape_text

    suggestion = order_doubt(text, order)
    if suggestion is None:
        return
    shape = parse_shape_text(text, order)
    assert shape is not None
    numbers = {"what": what, "text": text, "h": shape.height, "w": shape.width, "c": shape.channels}
    if order == "chw":
        message = _(
            "{what} '{text}' reads as channels {c}, height {h}, width {w} (C×H×W, --order chw): "
            "it looks like a size written H×W×C"
        ).format(**numbers)
        hint = _("in C×H×W it is {suggestion}; in the lectures' H×W×C leave out --order chw")
    else:
        message = _(
            "{what} '{text}' reads as height {h}, width {w}, channels {c} (H×W×C): "
            "its channels look like a spatial size"
        ).format(**numbers)
        hint = (
            _("in H×W×C it is {suggestion}; for PyTorch's C×H×W pass --order chw")
            if order_option
            else _("in H×W×C it is {suggestion}")
        )
    hint = hint.format(suggestion=suggestion) + _(
        " (a size that really is so: a spec file's input {{height: {h}, width: {w}, channels: {c}}})"
    ).format(**numbers)
    location = None
    if spec is not None:
        from cnncalc.errors import Location
        from cnncalc.parse.oneline import ONELINE_SOURCE

        column = spec.find(text.strip()) + 1 if text.strip() in spec else 1
        location = Location(source=ONELINE_SOURCE, column=column, text=spec)
    raise UsageError(message, hint=hint, location=location)


def load_spec(spec: str, input_size: str | None, order: str) -> Any:
    """Load ``spec`` (a one-line spec's input read in ``order``) and apply ``--input`` (read in
    ``order``); a typed size whose channels look spatial is refused (:func:`question_order`)."""
    from cnncalc.i18n import _
    from cnncalc.parse import load_network
    from cnncalc.parse.oneline import looks_like_oneline, oneline_input_text
    from cnncalc.shapes import parse_shape_text

    shape = None
    if input_size:
        from cnncalc.parse.build import check_input_shape

        shape = parse_shape_text(input_size, order)
        if shape is None:
            notation = "3x224x224 (C×H×W)" if order == "chw" else "224x224x3 (H×W×C)"
            raise UsageError(
                _("--input '{size}' is not a size like {notation}").format(size=input_size, notation=notation)
            )
        check_input_shape(shape)
        question_order(input_size, order, "--input")
    network = load_network(spec, order=order, input_shape=shape)
    if not input_size and looks_like_oneline(spec):  # (an --input replaces it)
        question_order(oneline_input_text(spec), order, _("the spec's input"), spec=spec)
    if shape is not None:
        network = network.with_input(shape)
    if strict_asked():
        refuse_uncounted(network)
    return network


def refuse_uncounted(network: Any) -> None:
    """``--strict``: a network with operations cnncalc cannot count is an error (exit 2)."""
    from cnncalc.importers.spec_writer import uncounted_layers

    found = uncounted_layers(network)
    if found:
        listed = "; ".join(f"{name} ({op})" for name, op in found[:10]) + ("; …" if len(found) > 10 else "")
        raise UsageError(
            ngettext(
                "--strict: {n} operation cannot be counted: {listed}",
                "--strict: {n} operations cannot be counted: {listed}",
                len(found),
            ).format(n=len(found), listed=listed),
            hint=_("leave out --strict to get the report with those operations marked 'not counted'"),
        )


def build_report(spec: str, batch: int, dtype: str, input_size: str | None, order: str) -> Any:
    """Load ``spec``, apply ``--input``, analyse."""
    from cnncalc.analysis import analyse

    return analyse(load_spec(spec, input_size, order), batch=batch, dtype=dtype, order=order)


@cli.command(epilog=MODEL_HELP)
@click.argument("spec")
@report_options
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["table", "json", "csv", "markdown", "latex", "svg", "html", "png"]),
    default="table",
    show_default=True,
    help="Output format: svg is a diagram of the network, html a self-contained page (diagram, "
    "sortable table, charts), png the diagram as an image (needs the extra cnncalc[png]).",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json (stdout holds only JSON).")
@click.option("--explain", is_flag=True, help="Then show the working of every layer (as 'cnncalc explain').")
@click.option(
    "--depth",
    type=click.IntRange(1, 64),
    help="Group the layers by scope (the first N parts of their names: 1 = layer1, 2 = layer1.0), "
    "with each group's exact totals.",
)
@click.option(
    "--columns",
    metavar="LIST",
    help="Columns to show, comma-separated: index, layer, type, output, params, macs, memory, rf, "
    "connected, params%, macs%, memory% (shares of the totals), or all.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print no warnings (--json still lists them, with a code).")
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
    depth: int | None,
    columns: str | None,
    quiet: bool,
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
      cnncalc summary googlenet --format svg > googlenet.svg
      cnncalc summary resnet50 --format html > resnet50.html
      cnncalc summary resnet50 --depth 1          (one row per stage, exact totals)
      cnncalc summary googlenet --depth 1 --columns layer,output,params,params%
      cnncalc summary "227x227x3 | conv K96 F11 S4 P0"   (the slides' K filters of size F)
      cnncalc summary "3x224x224 | conv3-64" --order chw (typed and printed C×H×W)

    Shapes print as H×W×C unless --order chw. MACs are per sample; FLOPs = 2 × MACs.
    Memory columns are output × batch × bytes per element. Warnings go to stderr.
    On a narrow terminal whole columns are left out (and named) before any name is cut.
    --count-as TOOL prints instead what that tool counts per layer (see 'cnncalc count').
    """
    from cnncalc import render

    fmt = "json" if as_json else fmt
    if count_as:
        if explain:
            raise UsageError(
                _("--count-as and --explain each print their own table"), hint=_("use one of them")
            )
        from cnncalc.cli.count import echo_count_as

        echo_count_as(spec, count_as, forward_style, batch, dtype, input_size, order, fmt)
        return
    if explain and fmt in ("json", "svg", "html", "png"):
        raise UsageError(
            _("--explain works with --format table, markdown, latex or csv, not {fmt}").format(fmt=fmt)
        )
    if columns is not None and fmt in ("json", "csv", "svg", "html", "png"):
        raise UsageError(
            _("--columns works with --format table, markdown or latex (csv and json hold every column)")
        )
    from cnncalc.render.columns import parse_columns

    chosen = parse_columns(columns)
    report = build_report(spec, batch, dtype, input_size, order)
    if depth is not None:
        from cnncalc.groups import grouped_report

        report = grouped_report(report, depth)
    if fmt == "json":
        # JSON escapes control characters, so there are no colour codes to look for (color=True:
        # click would otherwise scan the whole text for them when stdout is not a terminal)
        click.echo(render.render_json(report), color=True)
    elif fmt == "csv":
        click.echo(render.render_csv(report), nl=False)
    elif fmt == "markdown":
        click.echo(render.render_markdown(report, chosen), nl=False)
    elif fmt == "latex":
        from cnncalc.render.latex import render_latex

        click.echo(render_latex(report, chosen), nl=False)
    elif fmt == "svg":
        from cnncalc.render.svg import diagram_svg

        click.echo(diagram_svg(report), nl=False)
    elif fmt == "html":
        from cnncalc.render.html import report_html

        click.echo(report_html(report), nl=False)
    elif fmt == "png":
        from cnncalc.render.png import svg_to_png
        from cnncalc.render.svg import diagram_svg

        echo_binary(svg_to_png(diagram_svg(report)))
    else:  # plain lines, no rich: a 500-row table renders in milliseconds (colours on a terminal only)
        from cnncalc.render.lines import echo, terminal_width
        from cnncalc.render.table import summary_lines

        echo(summary_lines(report, terminal_width(), chosen))
    if explain:
        from cnncalc.cli.teach import echo_summary_explanation

        echo_summary_explanation(spec, batch, dtype, input_size, order, fmt)
    if report.network.notes and not quiet:
        from cnncalc.i18n import translate_message

        for note in report.network.notes:
            click.echo(f"{click.style(_('note:'), fg='cyan')} {translate_message(note)}", err=True)
    if report.warnings and fmt != "markdown" and not quiet:
        # click (not rich) so that --json/--format runs never import rich; colour only on a terminal.
        from cnncalc.i18n import translate_message

        label = click.style(_("warning:"), fg="yellow")
        for warning in report.warnings:
            message = translate_message(warning.message)
            where = _("layer {index} '{layer}'").format(index=warning.index, layer=warning.layer)
            click.echo(f"{label} {where}: {message}", err=True)


def echo_binary(data: bytes) -> None:
    """Write an image to stdout, which must not be a terminal."""
    stream = click.get_binary_stream("stdout")
    if stream.isatty():
        raise UsageError(
            _("--format png writes an image, not text: send it to a file"),
            hint=_("cnncalc summary SPEC --format png > net.png"),
        )
    stream.write(data)
    stream.flush()


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_command(as_json: bool) -> None:
    """The bundled architectures with their parameters and MACs."""
    from cnncalc.listing import list_rows
    from cnncalc.render.numbers import exact, si

    rows = list_rows()
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from cnncalc.render.lines import echo, grid, terminal_width

    def lines(width: int | None) -> list[Any]:
        return grid(
            _("Bundled architectures"),
            [_("Name"), _("Input"), _("Params"), "MACs", _("Variant")],
            [[r["name"], r["input"], exact(r["params"]), si(r["macs"]), _(r["description"])] for r in rows],
            right=[False, True, True, True, False],
            styles=["cyan", "", "", "", ""],
            width=width,
            rule_to_width=True,
        )

    echo(lines(terminal_width()))


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
    from cnncalc.layers import registered_kinds
    from cnncalc.parse.oneline import _usage
    from cnncalc.render.lines import Line, echo, terminal_width, wrap_words

    # One entry per type: its name and aliases, then what it is and its one-line usage, wrapped under
    # it, so that it reads at 80 columns as well as at 200.
    width = max(40, terminal_width())
    indent = "    "
    lines: list[Line] = [[(_("Layer types"), "bold")], []]
    for kind in registered_kinds():
        head: Line = [(kind.names[0], "bold cyan")]
        if kind.names[1:]:
            aliases = wrap_words(_("also:") + " " + ", ".join(kind.names[1:]), width - len(kind.names[0]) - 2)
            head.append(("  " + aliases[0], "dim"))
            lines.append(head)
            lines += [[(" " * (len(kind.names[0]) + 2) + more, "dim")] for more in aliases[1:]]
        else:
            lines.append(head)
        lines += [[(indent + part, "")] for part in wrap_words(_(kind.summary), width - len(indent))]
        usage = wrap_words(_usage(kind).removeprefix("usage: "), width - len(indent))
        if kind.flags:
            usage += wrap_words(_("flags:") + " " + ", ".join(kind.flags), width - len(indent))
        lines += [[(indent + part, "green")] for part in usage]
    echo(lines)

"""Course companion commands: explain, the one-layer calculators (conv, pool, fc, same, solve),
apply (convolution/pooling by hand), check (grade answers) and quiz."""

from __future__ import annotations

import dataclasses
import json
import random
import sys
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import click

from cnncalc import records
from cnncalc.cli.app import SPEC_HELP, cli
from cnncalc.cli.count_options import count_as_option
from cnncalc.cli.summary import question_order, report_options
from cnncalc.errors import UsageError
from cnncalc.i18n import _

FORMAT_CHOICE = click.Choice(["text", "markdown", "latex", "csv"])


def format_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--format", "-f", "fmt", type=FORMAT_CHOICE, default="text", show_default=True, help="Output format."
    )(func)


def explanation(
    spec: str, batch: int, dtype: str, input_size: str | None, order: str, *, totals: bool = True
) -> Any:
    """Load, analyse and explain ``spec`` (the same options as ``summary``)."""
    from cnncalc.analysis import analyse
    from cnncalc.cli.summary import load_spec
    from cnncalc.teach.working import explain

    network = load_spec(spec, input_size, order)
    report = analyse(network, batch=batch, dtype=dtype, order=order)
    working = explain(network, report)
    return working if totals else dataclasses.replace(working, totals=())


def echo_explanation(working: Any, fmt: str) -> None:
    from cnncalc.render.explain import render_working

    click.echo(render_working(working, fmt), nl=False)


def echo_summary_explanation(
    spec: str, batch: int, dtype: str, input_size: str | None, order: str, summary_format: str
) -> None:
    """The working after a summary (``summary --explain``), in the matching format."""
    fmt = {"table": "text", "markdown": "markdown", "latex": "latex", "csv": "csv"}.get(summary_format)
    if fmt is None:
        raise UsageError(_("--explain works with --format table, markdown, latex or csv, not json"))
    click.echo()
    echo_explanation(explanation(spec, batch, dtype, input_size, order), fmt)


@cli.command("explain", epilog=SPEC_HELP)
@click.argument("spec")
@report_options
@format_option
@click.option(
    "--layer", "-l", "layers", multiple=True, help="Only these layers (name or number; repeatable)."
)
@count_as_option
def explain_command(
    spec: str,
    batch: int,
    dtype: str,
    input_size: str | None,
    order: str,
    fmt: str,
    layers: tuple[str, ...],
    count_as: str | None,
    forward_style: str,
) -> None:
    """Show the working of every layer of SPEC: each formula as the slides write it, with the
    numbers substituted (output size, parameters, MACs, activation memory) and the totals.

    \b
    Examples:
      cnncalc explain "32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10"
      cnncalc explain "7x7x1 | conv 1 k3 s3"          (2.33: não cabe, PyTorch gives 2)
      cnncalc --lang pt explain vgg16 --format latex
      cnncalc explain resnet18 --count-as ptflops   (each layer's rule and arithmetic in ptflops)
    """
    if count_as:
        from cnncalc.cli.count import echo_count_as

        echo_count_as(spec, count_as, forward_style, batch, dtype, input_size, order, fmt, explain=True)
        return
    working = explanation(spec, batch, dtype, input_size, order)
    if layers:
        from cnncalc.errors import did_you_mean
        from cnncalc.i18n import _

        known = {lw.name.lower() for lw in working.layers} | {str(lw.index) for lw in working.layers}
        missing = [w for w in layers if w.lower() not in known]
        if missing:  # every --layer must name a layer: a typo is never dropped silently
            names = ", ".join(lw.name for lw in working.layers[:8])
            more = ", …" if len(working.layers) > 8 else ""
            raise UsageError(
                _("--layer {layer}: no such layer in the network").format(layer=missing[0])
                + did_you_mean(missing[0], [lw.name for lw in working.layers]),
                hint=_("layers are: {names} (or their numbers, 1 to {count})").format(
                    names=names + more, count=len(working.layers)
                ),
            )
        wanted = {w.lower() for w in layers}
        chosen = tuple(lw for lw in working.layers if lw.name.lower() in wanted or str(lw.index) in wanted)
        working = dataclasses.replace(working, layers=chosen, totals=())
    echo_explanation(working, fmt)


def _input_shape(text: str) -> str:
    """``32x32x3`` as is; ``7x7`` → ``7x7x1``; anything else is a usage error."""
    from cnncalc.shapes import parse_shape_text

    candidate = text if text.lower().count("x") + text.count("×") >= 2 else f"{text}x1"
    if parse_shape_text(candidate) is None:
        raise UsageError(
            _("'{text}' is not an input size like 32x32x3 (H×W×C) or 7x7").format(text=text),
            hint=_("write HxWxC"),
        )
    question_order(candidate, "hwc", _("the input"), order_option=False)
    return candidate


@cli.command("conv")
@click.argument("input_size", metavar="HxWxC")
@click.option(
    "--filters", "-K", "filters", type=click.IntRange(1), default=1, show_default=True, help="Filters K."
)
@click.option("--kernel", "-k", "-F", type=click.IntRange(1), required=True, help="Filter size F.")
@click.option("--stride", "-s", type=click.IntRange(1), default=1, show_default=True, help="Stride S.")
@click.option("--padding", "-p", default="0", show_default=True, help="Zero-padding P, or 'same'.")
@click.option("--dilation", "-d", type=click.IntRange(1), default=1, show_default=True)
@click.option("--nobias", is_flag=True, help="Filters without bias.")
@format_option
def conv_command(
    input_size: str,
    filters: int,
    kernel: int,
    stride: int,
    padding: str,
    dilation: int,
    nobias: bool,
    fmt: str,
) -> None:
    """One convolution with the working: 'cnncalc conv 32x32x3 --filters 10 -k 5 -s 1 -p 2'."""
    pad = "same" if padding == "same" else f"p{_int(padding, '--padding')}"
    spec = f"{_input_shape(input_size)} | conv {filters} k{kernel} s{stride} {pad} d{dilation}"
    echo_explanation(
        explanation(spec + (" nobias" if nobias else ""), 1, "fp32", None, "hwc", totals=False), fmt
    )


@cli.command("pool")
@click.argument("input_size", metavar="HxWxC")
@click.option("--kernel", "-k", "-F", type=click.IntRange(1), default=2, show_default=True, help="Window F.")
@click.option("--stride", "-s", type=click.IntRange(1), help="Stride S (default: F).")
@click.option("--padding", "-p", type=click.IntRange(0), default=0, show_default=True)
@click.option("--avg", is_flag=True, help="Average pooling (default: max).")
@click.option("--ceil", is_flag=True, help="ceil_mode: round the output size up.")
@format_option
def pool_command(
    input_size: str, kernel: int, stride: int | None, padding: int, avg: bool, ceil: bool, fmt: str
) -> None:
    """One pooling layer with the working: 'cnncalc pool 55x55x96 -k 3 -s 2'."""
    kind = "avgpool" if avg else "maxpool"
    spec = f"{_input_shape(input_size)} | {kind} {kernel} {stride or kernel} p{padding}" + (
        " ceil" if ceil else ""
    )
    echo_explanation(explanation(spec, 1, "fp32", None, "hwc", totals=False), fmt)


@cli.command("fc")
@click.argument("inputs", metavar="IN")
@click.argument("units", type=click.IntRange(1), metavar="OUT")
@click.option("--nobias", is_flag=True, help="Neurons without bias.")
@format_option
def fc_command(inputs: str, units: int, nobias: bool, fmt: str) -> None:
    """A fully connected layer with the working: 'cnncalc fc 9216 4096' or 'cnncalc fc 6x6x256 4096'."""
    from cnncalc.analysis import analyse
    from cnncalc.parse import load_network
    from cnncalc.shapes import Shape
    from cnncalc.teach.working import explain

    layer = f"fc {units}" + (" nobias" if nobias else "")
    if inputs.isdigit():
        from cnncalc.i18n import _
        from cnncalc.parse.build import check_input_shape
        from cnncalc.shapes import whole_number

        count = whole_number(inputs)
        if count == 0:
            raise UsageError(
                _("an fc layer needs at least 1 input, got 0"),
                hint=_("IN is the number of inputs (e.g. 9216) or the input volume (e.g. 6x6x256)"),
            )
        check_input_shape(Shape(count))
        network = load_network(f"1x1x1 | {layer}").with_input(Shape(count))
    else:
        network = load_network(f"{_input_shape(inputs)} | {layer}")
    network = records.replace(network, name=f"{inputs} → {layer}")
    working = explain(network, analyse(network))
    echo_explanation(dataclasses.replace(working, totals=()), fmt)


def _int(text: str, what: str) -> int:
    if not text.isdigit():
        raise UsageError(_("{what} must be a whole number ≥ 0, got '{text}'").format(what=what, text=text))
    return int(text)


@cli.command("same")
@click.option("--kernel", "-k", type=click.IntRange(1), required=True, help="Filter size F.")
@click.option("--dilation", "-d", type=click.IntRange(1), default=1, show_default=True)
def same_command(kernel: int, dilation: int) -> None:
    """The zero-padding that keeps the size with stride 1: P = (F − 1)/2."""
    from cnncalc.render.explain import notes_text, step_text
    from cnncalc.teach.working import same_padding

    step = same_padding(kernel, dilation)
    click.echo(step_text(step))
    for note in notes_text(step):
        click.echo(f"  ⚠ {note}")


@cli.command("solve")
@click.argument("size", type=click.IntRange(1), metavar="N")
@click.argument("target", type=click.IntRange(1), metavar="TARGET")
@click.option("--kernel", "-k", type=click.IntRange(1), required=True, help="Filter size F.")
@click.option("--stride", "-s", type=click.IntRange(1), help="Fix the stride.")
@click.option("--padding", "-p", type=click.IntRange(0), help="Fix the padding.")
@click.option("--dilation", "-d", type=click.IntRange(1), default=1, show_default=True)
@click.option("--inexact", is_flag=True, help="Also list settings that reach TARGET only by flooring.")
def solve_command(
    size: int, target: int, kernel: int, stride: int | None, padding: int | None, dilation: int, inexact: bool
) -> None:
    """Which stride S and padding P turn size N into TARGET with an F×F filter?

    \b
    Examples:
      cnncalc solve 7 3 -k 3            (S = 2, P = 0 or S = 3, P = 1)
      cnncalc solve 32 16 -k 3 --inexact (S = 2, P = 1: 16.5 floored)
      cnncalc solve 227 55 -k 11 -p 0   (S = 4)
    """
    from cnncalc.render.explain import step_text
    from cnncalc.teach.working import solve_size

    solutions = solve_size(
        size, target, kernel, stride=stride, padding=padding, dilation=dilation, exact_only=not inexact
    )
    if not solutions:
        raise UsageError(
            _("no stride and padding turn {n} into {target} with a {k}×{k} filter").format(
                n=size, target=target, k=kernel
            ),
            hint=_("try --inexact, another filter size, or a pooling layer"),
        )
    for solution in solutions:
        click.echo(f"S = {solution.stride}, P = {solution.padding}: {step_text(solution.step)}")


def _read_matrix(text: str, what: str) -> Any:
    """Inline text, ``@file``, or a path to a file holding the numbers."""
    from cnncalc.teach.apply import parse_volume

    path = Path(text[1:]) if text.startswith("@") else Path(text)
    if text.startswith("@") or (len(text) < 4096 and "\n" not in text and path.suffix and path.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                _("{what}: cannot read '{path}': {reason}").format(what=what, path=path, reason=exc.strerror)
            ) from None
    return parse_volume(text, what)


def _cell(text: str) -> tuple[int, ...]:
    parts = text.replace(" ", "").split(",")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise UsageError(
            _("--show '{text}' is not ROW,COLUMN[,FILTER]").format(text=text),
            hint=_("e.g. --show 0,1 (cells count from 0)"),
        )
    return tuple(int(p) for p in parts)


_STAGE_OPERATIONS = ("conv", "maxpool", "avgpool", "relu")


@click.command("stage", add_help_option=False)
@click.argument("operation", type=click.Choice(_STAGE_OPERATIONS))
@click.option("--filter", "-w", "filters", multiple=True)
@click.option("--stride", "-s", type=click.IntRange(1))
@click.option("--padding", "-p", type=click.IntRange(0), default=0)
@click.option("--bias", "-b", "biases", multiple=True)
@click.option("--relu", is_flag=True)
@click.option("--kernel", "-k", type=click.IntRange(1), default=2)
@click.option("--ceil", is_flag=True)
def _stage_command(**options: Any) -> dict[str, Any]:
    """The options of one '--then' stage: the same as those of 'cnncalc apply'."""
    return options


def _stage_options(text: str, number: int) -> dict[str, Any]:
    """``"maxpool -k 2"`` → the options of that stage, parsed like the command line."""
    import shlex

    try:
        args = shlex.split(text)
    except ValueError as exc:
        raise UsageError(
            _("--then '{stage}': {problem}").format(stage=text, problem=exc),
            hint=_("quote a matrix inside a stage with the other kind of quotes"),
        ) from None
    try:
        with _stage_command.make_context(f"--then #{number}", args) as ctx:
            return dict(ctx.params)
    except click.ClickException as exc:
        raise UsageError(
            _("--then '{stage}': {problem}").format(stage=text, problem=exc.format_message()),
            hint=_(
                "a stage is an operation (conv, maxpool, avgpool, relu) and its options, e.g. 'maxpool -k 2'"
            ),
        ) from None


def _run_stage(
    volume: Any, operation: str, options: dict[str, Any], fmt: str, cells: list[tuple[int, ...]]
) -> tuple[Any, str, dict[str, Any]]:
    """One stage of ``apply``: its output volume, its text and its JSON."""
    from cnncalc.render import teach as render
    from cnncalc.teach import apply

    if operation == "relu":
        output = apply.relu(volume)
        return (
            output,
            render.relu_result_text(volume, output, fmt),
            {"operation": "relu", "output": apply.as_numbers(output), "warnings": []},
        )
    if operation == "conv":
        if not options["filters"]:
            raise UsageError(_("apply conv needs at least one --filter"), hint=_('e.g. -w "1 0; 0 1"'))
        kernels = [_read_matrix(f, _("filter {n}").format(n=i + 1)) for i, f in enumerate(options["filters"])]
        bias_values = [apply.parse_number(b, "--bias") for b in options["biases"]] or [Fraction(0)]
        result = apply.convolve(
            volume,
            kernels,
            stride=options["stride"] or 1,
            padding=options["padding"],
            bias=bias_values,
            relu=options["relu"],
        )
        text = render.conv_result_text(result, fmt)
        for cell in cells:
            row, column, k = (*cell, 1)[:3] if len(cell) == 3 else (*cell, 1)
            text += render.conv_cell_text(apply.conv_cell(result, row, column, k - 1))
        data = {
            "operation": "conv",
            "output": apply.as_numbers(result.output),
            "warnings": list(result.warnings),
        }
        return result.output, text, data
    kind = "max" if operation == "maxpool" else "avg"
    pooled = apply.pool(
        volume,
        kind,  # type: ignore[arg-type]
        kernel=options["kernel"],
        stride=options["stride"],
        padding=options["padding"],
        ceil_mode=options["ceil"],
    )
    text = render.pool_result_text(pooled, fmt)
    for cell in cells:
        row, column, channel = (*cell, 1)[:3] if len(cell) == 3 else (*cell, 1)
        try:
            chosen = pooled.cells[channel - 1][row][column]
        except IndexError:
            raise UsageError(
                _("no output cell ({row}, {column}) in channel {channel}").format(
                    row=row, column=column, channel=channel
                )
            ) from None
        text += render.pool_cell_text(pooled, chosen)
    data = {
        "operation": operation,
        "output": apply.as_numbers(pooled.output),
        "warnings": list(pooled.warnings),
    }
    return pooled.output, text, data


@cli.command("apply")
@click.argument("operation", type=click.Choice(["conv", "maxpool", "avgpool"]))
@click.argument("matrix", metavar="INPUT")
@click.option(
    "--filter", "-w", "filters", multiple=True, help="A filter (repeat for several), same syntax as INPUT."
)
@click.option("--stride", "-s", type=click.IntRange(1), help="Stride (conv: 1, pooling: the window).")
@click.option("--padding", "-p", type=click.IntRange(0), default=0, show_default=True, help="Zero-padding.")
@click.option("--bias", "-b", "biases", multiple=True, help="Bias (one, or one per filter).")
@click.option("--relu", is_flag=True, help="Apply ReLU φ(x) = max(0, x) to the convolution.")
@click.option("--kernel", "-k", type=click.IntRange(1), default=2, show_default=True, help="Pooling window.")
@click.option("--ceil", is_flag=True, help="Pooling with ceil_mode.")
@click.option(
    "--show",
    "cells",
    multiple=True,
    metavar="ROW,COL[,K]",
    help="Show the dot product of a cell (first stage).",
)
@click.option(
    "--then",
    "stages",
    multiple=True,
    metavar="STAGE",
    help="Apply one more stage to the output (repeatable, in order): 'relu', 'maxpool -k 2', "
    "\"conv -w '1 0; 0 1' -p 1\" (the same options as this command).",
)
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["text", "markdown", "latex", "json"]), default="text"
)
def apply_command(
    operation: str,
    matrix: str,
    filters: tuple[str, ...],
    stride: int | None,
    padding: int,
    biases: tuple[str, ...],
    relu: bool,
    kernel: int,
    ceil: bool,
    cells: tuple[str, ...],
    stages: tuple[str, ...],
    fmt: str,
) -> None:
    """Convolve or pool a matrix by hand and print the output values, exactly; with --then, run a
    chain (conv → ReLU → pool → conv) and show the matrix after every stage.

    INPUT and filters are numbers with rows separated by ';' (or new lines) and channels by '|'
    (or a blank line), inline or from a file ('@file.txt').

    \b
    Examples:
      cnncalc apply maxpool "1 1 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4" -k 2 -s 2
      cnncalc apply conv "3 0 0 3 0; 0 0 10 0 3; 0 10 3 10 0; 10 3 3 3 10; 3 3 3 3 3" \\
          -w "-1 -1 1; -1 1 -1; 1 -1 -1" -p 1 --show 0,0
      cnncalc apply conv @input.txt -w @filter.txt -s 2 -p 1 -b 0.5
      cnncalc apply conv "1 2 0 1; 0 1 3 1; 2 0 1 0; 1 1 0 2" -w "1 0; 0 -1" -p 1 \\
          --then relu --then "maxpool -k 2" --then "conv -w '1 1; 1 1'"
    """

    volume = _read_matrix(matrix, _("input"))
    shown = [_cell(c) for c in cells]
    first = {
        "filters": filters,
        "stride": stride,
        "padding": padding,
        "biases": biases,
        "relu": relu,
        "kernel": kernel,
        "ceil": ceil,
    }
    chain = [(operation, first)] + [
        (options.pop("operation"), options)
        for options in (_stage_options(text, i + 2) for i, text in enumerate(stages))
    ]
    texts, datas = [], []
    for number, (op, options) in enumerate(chain, start=1):
        volume, text, data = _run_stage(
            volume, op, options, "text" if fmt == "json" else fmt, shown if number == 1 else []
        )
        if len(chain) > 1:
            heading = _("Stage {n}: {operation}").format(n=number, operation=op)
            text = (f"## {heading}\n\n" if fmt == "markdown" else f"── {heading}\n") + text
        texts.append(text)
        datas.append(data)
    if fmt == "json":
        if len(chain) == 1:
            click.echo(json.dumps({"output": datas[0]["output"], "warnings": datas[0]["warnings"]}))
        else:
            click.echo(json.dumps({"output": datas[-1]["output"], "stages": datas}))
        return
    click.echo("\n".join(texts), nl=False)


def _beside(network: str, answers_file: str) -> str:
    """``network`` with a file it names (a spec, ``model.py:NAME``, ``model.onnx``) found beside the
    answers file when it is there."""
    if "|" in network:
        return network
    folder = Path(answers_file).parent
    if (folder / network).is_file():
        return str(folder / network)
    target, colon, name = network.rpartition(":")
    if colon and target.endswith(".py") and (folder / target).is_file():
        return f"{folder / target}:{name}"
    return network


@cli.command("check")
@click.argument("answers_file", metavar="ANSWERS.yaml", type=click.Path(dir_okay=False))
@click.option(
    "--dtype", "-d", default="fp32", show_default=True, help="Element type for memory in bytes hints."
)
@click.option("--json", "as_json", is_flag=True, help="JSON for auto-graders (stdout holds only JSON).")
def check_command(answers_file: str, dtype: str, as_json: bool) -> None:
    """Grade a student's answers: ✓/✗ per answer, the right value, the working and a hint for the
    usual mistakes. Exit 0 when every answer is right, 1 otherwise, 2 when the file answers
    nothing (an empty submission never passes).

    \b
    ANSWERS.yaml:
      network: "32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10"
      # or any SPEC: vgg16, net.yaml, model.py:Net, model.onnx (files beside ANSWERS.yaml)
      input: 32x32x3    # the input size (a PyTorch model needs it), in 'order'
      biases: true      # false: parameters without biases (the slides' convention)
      order: hwc        # shapes written H×W×C (or chw)
      answers:
        conv1: {output: 32x32x10, params: 760, macs: 768000, memory: 10240}
        maxpool1: {output: 16x16x10, params: 0}
      totals: {params: 26370}
    """
    from cnncalc.analysis import analyse
    from cnncalc.errors import Location, SpecError
    from cnncalc.parse import load_network
    from cnncalc.render.teach import grade_text
    from cnncalc.shapes import parse_shape_text
    from cnncalc.teach.check import grade, load_answers_file

    answers = load_answers_file(answers_file)
    from cnncalc.parse.oneline import looks_like_oneline, oneline_input_text

    if looks_like_oneline(answers.network):  # its input is H×W×C, whatever 'order' the answers use
        question_order(
            oneline_input_text(answers.network),
            "hwc",
            _("the network's input"),
            order_option=False,
            spec=answers.network,
        )
    shape = parse_shape_text(answers.input, answers.order) if answers.input else None
    if answers.input and shape is None:
        raise SpecError(
            _("invalid {field}: {detail}").format(field="input", detail=answers.input),
            location=Location(answers_file),
            hint=_("see 'cnncalc check --help' for the file format"),
        )
    network = load_network(_beside(answers.network, answers_file), input_shape=shape)
    if shape is not None:
        network = network.with_input(shape)
    report = analyse(network, dtype=dtype, order=answers.order)
    result = grade(answers, network, report, answers_file)
    if as_json:
        click.echo(json.dumps(result.to_dict(_), ensure_ascii=False, indent=2))
    else:
        click.echo(grade_text(result), nl=False)
    sys.exit(0 if result.passed else 1)


@cli.command("quiz")
@click.option("--seed", type=click.IntRange(0), help="Seed; the same seed gives the same exercise.")
@click.option(
    "-n", "layers", type=click.IntRange(1, 8), default=3, show_default=True, help="Layers to work out."
)
@click.option("--key", is_flag=True, help="Also print the answer key.")
@click.option(
    "--template", is_flag=True, help="Print an answers file to fill in and grade with 'cnncalc check'."
)
@click.option(
    "--inexact",
    is_flag=True,
    help="One layer's division does not come out whole (não cabe): the answer is PyTorch's floor.",
)
@click.option("--weights-only", is_flag=True, help="Ask for the weights without the biases.")
def quiz_command(
    seed: int | None, layers: int, key: bool, template: bool, inexact: bool, weights_only: bool
) -> None:
    """An exercise like the slides' "Vamos praticar?": output volume and parameters per layer.

    \b
    Examples:
      cnncalc quiz --seed 7                     (the exercise)
      cnncalc quiz --seed 7 --key               (with the answers)
      cnncalc quiz --seed 7 --template > a.yaml (fill in, then: cnncalc check a.yaml)
      cnncalc quiz --seed 7 --inexact --key     (one layer does not fit: não cabe)
      cnncalc quiz --seed 7 --weights-only      (weights without the biases)
    """
    from cnncalc.render.teach import answer_key_text, exercise_text
    from cnncalc.teach.check import answers_template
    from cnncalc.teach.quiz import make_exercise

    if seed is None:
        seed = random.SystemRandom().randrange(10**6)
    exercise = make_exercise(seed, layers, inexact=inexact, weights_only=weights_only)
    if template:
        flags = (" --inexact" if inexact else "") + (" --weights-only" if weights_only else "")
        click.echo(f"# cnncalc quiz --seed {seed} -n {layers}{flags}")
        click.echo(answers_template(exercise.spec, exercise.report(), biases=not weights_only), nl=False)
        return
    click.echo(exercise_text(exercise), nl=False)
    if key:
        click.echo()
        click.echo(answer_key_text(exercise), nl=False)

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
from cnncalc.cli.app import cli
from cnncalc.cli.count_options import count_as_option
from cnncalc.cli.summary import build_report, report_options
from cnncalc.errors import UsageError

FORMAT_CHOICE = click.Choice(["text", "markdown", "latex", "csv"])


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        from cnncalc.i18n import set_language

        set_language(value)
    return value


def lang_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--lang pt|en`` on a command (the same as ``cnncalc --lang``)."""
    return click.option(
        "--lang",
        type=click.Choice(["en", "pt"]),
        expose_value=False,
        is_eager=True,
        callback=_set_lang,
        help="Language of the text (default: from LANG/LC_ALL/LANGUAGE, else English).",
    )(func)


def format_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--format", "-f", "fmt", type=FORMAT_CHOICE, default="text", show_default=True, help="Output format."
    )(func)


def explanation(
    spec: str, batch: int, dtype: str, input_size: str | None, order: str, *, totals: bool = True
) -> Any:
    """Load, analyse and explain ``spec`` (the same options as ``summary``)."""
    from cnncalc.parse import load_network
    from cnncalc.teach.working import explain

    report = build_report(spec, batch, dtype, input_size, order)
    network = load_network(spec)
    if input_size:
        network = network.with_input(report.input.shape())
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
        raise UsageError("--explain works with --format table, markdown, latex or csv, not json")
    click.echo()
    echo_explanation(explanation(spec, batch, dtype, input_size, order), fmt)


@cli.command("explain")
@click.argument("spec")
@report_options
@format_option
@click.option(
    "--layer", "-l", "layers", multiple=True, help="Only these layers (name or number; repeatable)."
)
@lang_option
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
        wanted = {w.lower() for w in layers}
        chosen = tuple(lw for lw in working.layers if lw.name.lower() in wanted or str(lw.index) in wanted)
        if not chosen:
            names = ", ".join(lw.name for lw in working.layers[:8])
            raise UsageError(f"no layer {', '.join(layers)} in the network", hint=f"layers are: {names}, …")
        working = dataclasses.replace(working, layers=chosen, totals=())
    echo_explanation(working, fmt)


def _input_shape(text: str) -> str:
    """``32x32x3`` as is; ``7x7`` → ``7x7x1``; anything else is a usage error."""
    from cnncalc.shapes import parse_shape_text

    candidate = text if text.lower().count("x") + text.count("×") >= 2 else f"{text}x1"
    if parse_shape_text(candidate) is None:
        raise UsageError(f"'{text}' is not an input size like 32x32x3 (H×W×C) or 7x7", hint="write HxWxC")
    return candidate


@cli.command("conv")
@click.argument("input_size", metavar="HxWxC")
@click.option(
    "--filters", "-K", "filters", type=click.IntRange(1), default=1, show_default=True, help="Filters K."
)
@click.option("--kernel", "-k", type=click.IntRange(1), required=True, help="Filter size F.")
@click.option("--stride", "-s", type=click.IntRange(1), default=1, show_default=True, help="Stride S.")
@click.option("--padding", "-p", default="0", show_default=True, help="Zero-padding P, or 'same'.")
@click.option("--dilation", "-d", type=click.IntRange(1), default=1, show_default=True)
@click.option("--nobias", is_flag=True, help="Filters without bias.")
@format_option
@lang_option
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
@click.option("--kernel", "-k", type=click.IntRange(1), default=2, show_default=True, help="Window F.")
@click.option("--stride", "-s", type=click.IntRange(1), help="Stride S (default: F).")
@click.option("--padding", "-p", type=click.IntRange(0), default=0, show_default=True)
@click.option("--avg", is_flag=True, help="Average pooling (default: max).")
@click.option("--ceil", is_flag=True, help="ceil_mode: round the output size up.")
@format_option
@lang_option
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
@lang_option
def fc_command(inputs: str, units: int, nobias: bool, fmt: str) -> None:
    """A fully connected layer with the working: 'cnncalc fc 9216 4096' or 'cnncalc fc 6x6x256 4096'."""
    from cnncalc.analysis import analyse
    from cnncalc.parse import load_network
    from cnncalc.shapes import Shape
    from cnncalc.teach.working import explain

    layer = f"fc {units}" + (" nobias" if nobias else "")
    if inputs.isdigit():
        network = load_network(f"1x1x1 | {layer}").with_input(Shape(int(inputs)))
    else:
        network = load_network(f"{_input_shape(inputs)} | {layer}")
    network = records.replace(network, name=f"{inputs} → {layer}")
    working = explain(network, analyse(network))
    echo_explanation(dataclasses.replace(working, totals=()), fmt)


def _int(text: str, what: str) -> int:
    if not text.isdigit():
        raise UsageError(f"{what} must be a whole number ≥ 0, got '{text}'")
    return int(text)


@cli.command("same")
@click.option("--kernel", "-k", type=click.IntRange(1), required=True, help="Filter size F.")
@click.option("--dilation", "-d", type=click.IntRange(1), default=1, show_default=True)
@lang_option
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
@lang_option
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
    from cnncalc.i18n import _
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
            raise UsageError(f"{what}: cannot read '{path}': {exc.strerror}") from None
    return parse_volume(text, what)


def _cell(text: str) -> tuple[int, ...]:
    parts = text.replace(" ", "").split(",")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise UsageError(
            f"--show '{text}' is not ROW,COLUMN[,FILTER]", hint="e.g. --show 0,1 (cells count from 0)"
        )
    return tuple(int(p) for p in parts)


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
@click.option("--show", "cells", multiple=True, metavar="ROW,COL[,K]", help="Show the dot product of a cell.")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["text", "markdown", "latex", "json"]), default="text"
)
@lang_option
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
    fmt: str,
) -> None:
    """Convolve or pool a matrix by hand and print the output values, exactly.

    INPUT and filters are numbers with rows separated by ';' (or new lines) and channels by '|'
    (or a blank line), inline or from a file ('@file.txt').

    \b
    Examples:
      cnncalc apply maxpool "1 1 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4" -k 2 -s 2
      cnncalc apply conv "3 0 0 3 0; 0 0 10 0 3; 0 10 3 10 0; 10 3 3 3 10; 3 3 3 3 3" \\
          -w "-1 -1 1; -1 1 -1; 1 -1 -1" -p 1 --show 0,0
      cnncalc apply conv @input.txt -w @filter.txt -s 2 -p 1 -b 0.5
    """
    from cnncalc.render import teach as render
    from cnncalc.teach import apply

    volume = _read_matrix(matrix, "input")
    shown = [_cell(c) for c in cells]
    if operation == "conv":
        if not filters:
            raise UsageError("apply conv needs at least one --filter", hint='e.g. -w "1 0; 0 1"')
        kernels = [_read_matrix(f, f"filter {i + 1}") for i, f in enumerate(filters)]
        bias_values = [apply.parse_number(b, "--bias") for b in biases] or [Fraction(0)]
        result = apply.convolve(
            volume, kernels, stride=stride or 1, padding=padding, bias=bias_values, relu=relu
        )
        if fmt == "json":
            data = {"output": apply.as_numbers(result.output), "warnings": list(result.warnings)}
            click.echo(json.dumps(data))
            return
        click.echo(render.conv_result_text(result, fmt), nl=False)
        for cell in shown:
            row, column, k = (*cell, 1)[:3] if len(cell) == 3 else (*cell, 1)
            click.echo(render.conv_cell_text(apply.conv_cell(result, row, column, k - 1)), nl=False)
        return
    kind = "max" if operation == "maxpool" else "avg"
    pooled = apply.pool(volume, kind, kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil)  # type: ignore[arg-type]
    if fmt == "json":
        click.echo(json.dumps({"output": apply.as_numbers(pooled.output), "warnings": list(pooled.warnings)}))
        return
    click.echo(render.pool_result_text(pooled, fmt), nl=False)
    for cell in shown:
        row, column, channel = (*cell, 1)[:3] if len(cell) == 3 else (*cell, 1)
        try:
            chosen = pooled.cells[channel - 1][row][column]
        except IndexError:
            raise UsageError(f"no output cell ({row}, {column}) in channel {channel}") from None
        click.echo(render.pool_cell_text(pooled, chosen), nl=False)


@cli.command("check")
@click.argument("answers_file", metavar="ANSWERS.yaml", type=click.Path(dir_okay=False))
@click.option(
    "--dtype", "-d", default="fp32", show_default=True, help="Element type for memory in bytes hints."
)
@click.option("--json", "as_json", is_flag=True, help="JSON for auto-graders (stdout holds only JSON).")
@lang_option
def check_command(answers_file: str, dtype: str, as_json: bool) -> None:
    """Grade a student's answers: ✓/✗ per answer, the right value, the working and a hint for the
    usual mistakes. Exit 0 when every answer is right, 1 otherwise.

    \b
    ANSWERS.yaml:
      network: "32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10"
      biases: true      # false: parameters without biases (the slides' convention)
      order: hwc        # shapes written H×W×C (or chw)
      answers:
        conv1: {output: 32x32x10, params: 760, macs: 768000, memory: 10240}
        maxpool1: {output: 16x16x10, params: 0}
      totals: {params: 26370}
    """
    from cnncalc.analysis import analyse
    from cnncalc.i18n import _
    from cnncalc.parse import load_network
    from cnncalc.render.teach import grade_text
    from cnncalc.teach.check import grade, load_answers_file

    answers = load_answers_file(answers_file)
    beside = Path(answers_file).parent / answers.network
    network = load_network(
        str(beside) if "|" not in answers.network and beside.is_file() else answers.network
    )
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
@lang_option
def quiz_command(seed: int | None, layers: int, key: bool, template: bool) -> None:
    """An exercise like the slides' "Vamos praticar?": output volume and parameters per layer.

    \b
    Examples:
      cnncalc quiz --seed 7                     (the exercise)
      cnncalc quiz --seed 7 --key               (with the answers)
      cnncalc quiz --seed 7 --template > a.yaml (fill in, then: cnncalc check a.yaml)
    """
    from cnncalc.render.teach import answer_key_text, exercise_text
    from cnncalc.teach.check import answers_template
    from cnncalc.teach.quiz import make_exercise

    if seed is None:
        seed = random.SystemRandom().randrange(10**6)
    exercise = make_exercise(seed, layers)
    if template:
        click.echo(f"# cnncalc quiz --seed {seed} -n {layers}")
        click.echo(answers_template(exercise.spec, exercise.report()), nl=False)
        return
    click.echo(exercise_text(exercise), nl=False)
    if key:
        click.echo()
        click.echo(answer_key_text(exercise), nl=False)

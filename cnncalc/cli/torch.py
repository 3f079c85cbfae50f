"""PyTorch commands: ``export --to torch`` and ``verify`` (torch is imported by the bridge only),
and ``memory``, the model of PyTorch's GPU memory (pure, no torch)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cnncalc.cli.app import SPEC_HELP, cli, console
from cnncalc.cli.summary import strict_option
from cnncalc.errors import UsageError
from cnncalc.i18n import _
from cnncalc.spec import Network


def _load(spec: str, input_size: str | None, order: str) -> Network:
    """Load SPEC and apply ``--input``, both read in ``order``."""
    from cnncalc.cli.summary import load_spec

    return load_spec(spec, input_size, order)


def _given(ctx: click.Context, name: str) -> bool:
    """Whether option ``name`` was given on the command line (not left at its default)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source != click.core.ParameterSource.DEFAULT


_INPUT_OPTION = click.option(
    "--input",
    "-i",
    "input_size",
    metavar="HxWxC",
    help="Override the input size, e.g. 299x299x3 (H×W×C; C×H×W with --order chw).",
)
_ORDER_OPTION = click.option(
    "--order",
    type=click.Choice(["hwc", "chw"]),
    default="hwc",
    show_default=True,
    help="How the sizes you type are written (--input, a one-line spec's input): H×W×C or C×H×W.",
)


@cli.command(epilog=SPEC_HELP)
@click.argument("spec")
@click.option("--to", "target", type=click.Choice(["torch"]), default="torch", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to a file (-: the standard output, as without it).",
)
@_INPUT_OPTION
@strict_option
@_ORDER_OPTION
def export(spec: str, target: str, output: Path | None, input_size: str | None, order: str) -> None:
    """Print a runnable Python module defining SPEC as a PyTorch nn.Module.

    \b
    Examples:
      cnncalc export resnet18 --to torch > resnet18.py && python resnet18.py
      cnncalc export "32x32x3 | conv 10 k5 p2 | relu | maxpool 2 | fc 10"
    """
    from cnncalc.torch_bridge import export_source

    source = export_source(_load(spec, input_size, order))
    if output is None or str(output) == "-":
        click.echo(source, nl=False)
        return
    try:
        output.write_text(source, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            _("cannot write '{path}': {reason}").format(path=output, reason=exc.strerror)
        ) from None
    click.echo(_("wrote {path}").format(path=output), err=True)


@cli.command(epilog=SPEC_HELP)
@click.argument("spec")
@click.option(
    "--device",
    type=click.Choice(["cpu", "cuda", "meta"]),
    default="cpu",
    show_default=True,
    help="Where to run; 'meta' checks shapes, params and FLOPs without computing anything.",
)
@click.option("--batch", "-b", type=click.IntRange(1, 10**6), default=1, show_default=True)
@click.option("--dtype", "-d", type=click.Choice(["fp32", "fp16", "bf16"]), default="fp32", show_default=True)
@click.option(
    "--optimizer",
    type=click.Choice(["sgd", "momentum", "adam", "adamw"]),
    default="adam",
    show_default=True,
    help="Optimizer of the training step measured on CUDA.",
)
@click.option(
    "--memory",
    "track_memory",
    is_flag=True,
    help="On CPU, also track memory (live tensors, 512-byte blocks) against 'cnncalc memory'; "
    "always done with --device cuda.",
)
@_INPUT_OPTION
@strict_option
@_ORDER_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def verify(
    spec: str,
    device: str,
    batch: int,
    dtype: str,
    optimizer: str,
    track_memory: bool,
    input_size: str | None,
    order: str,
    as_json: bool,
) -> None:
    """Check cnncalc's numbers for SPEC against PyTorch; exit 1 on any mismatch.

    Builds the module, runs a forward pass with hooks and compares per layer the output shape
    and parameters, and in total the parameters, buffers and FLOPs (FlopCounterMode). With
    --device cuda it also measures parameter, inference and training-step memory and sets
    them beside 'cnncalc memory's predictions.
    """
    if device != "cuda" and not track_memory and _given(click.get_current_context(), "optimizer"):
        from cnncalc.i18n import _

        raise UsageError(
            _("--optimizer {optimizer} counts only when verify measures memory").format(optimizer=optimizer),
            hint=_(
                "add --device cuda or --memory (the training step is measured then), or leave out --optimizer"
            ),
        )
    from cnncalc.errors import CnncalcError
    from cnncalc.torch_bridge import verify as run_verify
    from cnncalc.torch_bridge.verification import torch_mismatch

    network = _load(spec, input_size, order)
    try:
        result = run_verify(
            network, device=device, batch=batch, dtype=dtype, optimizer=optimizer, memory=track_memory
        )
    except CnncalcError:
        raise
    except Exception as exc:  # PyTorch refused what cnncalc accepted: a mismatch (exit 1), never a crash
        raise torch_mismatch(exc) from None
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        from cnncalc.render.verify import verify_table

        console().print(verify_table(result))
    if not result.ok:
        sys.exit(1)


@cli.command(epilog=SPEC_HELP)
@click.argument("spec")
@click.option("--batch", "-b", type=click.IntRange(1, 10**9), default=1, show_default=True)
@click.option("--dtype", "-d", type=click.Choice(["fp32", "fp16", "bf16"]), default="fp32", show_default=True)
@click.option("--train", is_flag=True, help="One training step (forward, backward, optimizer step).")
@click.option(
    "--optimizer",
    type=click.Choice(["sgd", "momentum", "adam", "adamw"]),
    default="adam",
    show_default=True,
    help="Optimizer for --train (momentum = SGD with momentum).",
)
@click.option(
    "--fit",
    "budget",
    metavar="SIZE",
    help="Find the largest batch that fits, e.g. 24GiB or 16GB (a unit is required; exit 1 if not "
    "even batch 1 fits).",
)
@click.option(
    "--amp",
    type=click.Choice(["fp16", "bf16"]),
    help="With --train: mixed precision (torch.autocast in this dtype + GradScaler; an estimate).",
)
@_INPUT_OPTION
@strict_option
@_ORDER_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the estimate as JSON.")
def memory(
    spec: str,
    batch: int,
    dtype: str,
    train: bool,
    optimizer: str,
    budget: str | None,
    amp: str | None,
    input_size: str | None,
    order: str,
    as_json: bool,
) -> None:
    """Predicted GPU memory of SPEC in PyTorch, broken into named terms, as
    torch.cuda.max_memory_allocated counts it. With --train: the first step and later steps
    (which keep the optimizer state); the total and --fit use the larger. Calibrated on an H100;
    cuDNN's convolution workspace is an estimate (docs/gpu-results.md).

    \b
    Examples:
      cnncalc memory resnet50 --batch 32 --train --optimizer adam
      cnncalc memory vgg16 --train --fit 24GiB
      cnncalc memory resnet50 --train --amp bf16 --batch 64

    --fit SIZE is what the card holds (as nvidia-smi shows it): it leaves room for the CUDA context
    and the caching allocator's reserve (both estimates, named in the output) on top of the
    prediction.
    """
    import json

    from cnncalc.memory import device_headroom, largest_batch_on_device, parse_bytes, predict_memory

    if not train and _given(click.get_current_context(), "optimizer"):
        raise UsageError(
            _("--optimizer {optimizer} counts only in a training step").format(optimizer=optimizer),
            hint=_("add --train (inference keeps no optimizer state), or leave out --optimizer"),
        )
    if amp and not train:
        raise UsageError(_("--amp is a training mode"), hint=_("add --train"))

    network = _load(spec, input_size, order)
    fit = None
    if budget is not None:
        size = parse_bytes(budget)
        if size <= 0:
            raise UsageError(
                _("--fit {budget}: the memory size must be more than 0").format(budget=budget),
                hint=_("e.g. --fit 24GiB"),
            )
        best = largest_batch_on_device(network, size, dtype=dtype, train=train, optimizer=optimizer, amp=amp)
        fit = (size, best)
        batch = best or 1
    if amp:
        from cnncalc.memory import predict_amp_memory

        estimate = predict_amp_memory(network, batch=batch, amp=amp, optimizer=optimizer)
    else:
        estimate = predict_memory(network, batch=batch, dtype=dtype, train=train, optimizer=optimizer)
    headroom = device_headroom(network, batch=batch, dtype=amp or dtype, train=train) if fit else None
    if as_json:
        data = estimate.model_dump()
        if fit is not None and headroom is not None:
            data["fit"] = {"budget_bytes": fit[0], "largest_batch": fit[1]}
            data["fit_headroom"] = headroom.as_dict()
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        from cnncalc.render.lines import echo, terminal_width
        from cnncalc.render.memory import memory_lines

        echo(memory_lines(estimate, fit, terminal_width()))
        if headroom is not None:
            from cnncalc.memory import ALLOCATOR_SOURCE, CUDA_CONTEXT_SOURCE
            from cnncalc.render.numbers import both_units

            click.echo(
                _(
                    "--fit left {total} free besides the prediction (estimates, not measured): CUDA "
                    "context {context} ({context_source}); allocator reserve {reserve} ({reserve_source})."
                ).format(
                    total=both_units(headroom.total),
                    context=both_units(headroom.cuda_context),
                    context_source=CUDA_CONTEXT_SOURCE,
                    reserve=both_units(headroom.allocator_reserve),
                    reserve_source=ALLOCATOR_SOURCE,
                )
            )
    if fit is not None and fit[1] is None:
        sys.exit(1)  # an answer, not an error: nothing fits

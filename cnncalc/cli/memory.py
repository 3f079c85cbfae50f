"""``cnncalc memory``: the GPU memory model, term by term, and the largest batch that fits."""

from __future__ import annotations

import click

from cnncalc.cli.app import SPEC_HELP, cli, console


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
@click.option("--fit", "budget", metavar="SIZE", help="Find the largest batch that fits, e.g. 24GiB or 16GB.")
@click.option("--json", "as_json", is_flag=True, help="Print the estimate as JSON.")
def memory(
    spec: str, batch: int, dtype: str, train: bool, optimizer: str, budget: str | None, as_json: bool
) -> None:
    """Predicted GPU memory of SPEC in PyTorch, broken into named terms.

    \b
    Examples:
      cnncalc memory resnet50 --batch 32 --train --optimizer adam
      cnncalc memory vgg16 --train --fit 24GiB
    """
    import json

    from cnncalc.memory import largest_batch, parse_bytes, predict_memory
    from cnncalc.parse import load_network

    network = load_network(spec)
    fit = None
    if budget is not None:
        size = parse_bytes(budget)
        best = largest_batch(network, size, dtype=dtype, train=train, optimizer=optimizer)
        fit = (size, best)
        batch = best or 1
    estimate = predict_memory(network, batch=batch, dtype=dtype, train=train, optimizer=optimizer)
    if as_json:
        data = estimate.model_dump()
        data["total_bytes"] = estimate.total_bytes
        if fit is not None:
            data["fit"] = {"budget_bytes": fit[0], "largest_batch": fit[1]}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from cnncalc.render.memory import memory_table

    console().print(memory_table(estimate, fit))

"""``--count-as`` and ``--forward-style``: the options summary, compare, explain and count share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from cnncalc.counting.names import CONVENTIONS, FORWARD_STYLES

STYLE_HELP = (
    "How forward calls activations, pools and the residual add: 'export' (modules and 'x + y', as "
    "'cnncalc export' writes) or 'torchvision' (as torchvision's forward: GoogLeNet calls F.relu)."
)


def forward_style_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--forward-style",
        type=click.Choice(FORWARD_STYLES),
        default="export",
        show_default=True,
        help=STYLE_HELP,
    )(func)


def count_as_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--count-as TOOL`` with ``--forward-style``."""
    func = forward_style_option(func)
    return click.option(
        "--count-as",
        type=click.Choice(CONVENTIONS),
        help="Count MACs/FLOPs as that tool does: its per-layer and total numbers, each rule named "
        "(see 'cnncalc count').",
    )(func)

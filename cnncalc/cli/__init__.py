"""The ``cnncalc`` command line: thin commands that parse options, call the core and render.

Each module registers its commands on :data:`cli`; add a command family by adding a module here
and importing it below.
"""

from cnncalc.cli import summary  # noqa: F401  (registers commands)
from cnncalc.cli import torch as _torch  # noqa: F401  (export, verify, memory)
from cnncalc.cli.app import cli, main

__all__ = ["cli", "main"]

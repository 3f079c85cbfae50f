"""The ``cnncalc`` command line: thin commands that parse options, call the core and render.

Each module registers its commands on :data:`cli`; add a command family by adding a module here
and importing it below.
"""

from cnncalc.cli import compare, summary, teach, torch  # noqa: F401  (each registers its commands)
from cnncalc.cli.app import cli, main

__all__ = ["cli", "main"]

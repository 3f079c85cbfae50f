"""The ``cnncalc`` command line: thin commands that parse options, call the core and render.

Each module registers its commands on :data:`cli`; :data:`~cnncalc.cli.app.COMMAND_MODULES` names
the module of every command, which is imported only when that command runs (or for ``--help``).
Add a command family by adding a module and its commands to that table.
"""

from cnncalc.cli.app import cli, main, run

__all__ = ["cli", "main", "run"]

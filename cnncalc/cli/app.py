"""The ``cnncalc`` group, the entry point and what every command shares.

Exit codes: 0 ok, 2 bad input or usage, 1 internal error. Errors print one clear message (JSON
with ``--json``), never a traceback (set CNNCALC_DEBUG=1 to see one).
"""

from __future__ import annotations

import json
import os
import sys
from importlib import import_module
from typing import Any

import click

from cnncalc.errors import CnncalcError, UsageError

SPEC_HELP = (
    "SPEC is a bundled architecture name (see 'cnncalc list'), a YAML/JSON spec file, or a "
    "one-line spec such as '32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10'."
)


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _wants_json() -> bool:
    """Whether the command line asked for JSON output (then errors are JSON too)."""
    args = sys.argv[1:]
    after_format = {args[i + 1] for i, a in enumerate(args[:-1]) if a in ("--format", "-f")}
    return "--json" in args or "--format=json" in args or "json" in after_format


def _fail(error: CnncalcError) -> None:
    from cnncalc.i18n import translate_message

    error.message = translate_message(error.message)
    error.hint = translate_message(error.hint) if error.hint else error.hint
    if _wants_json():
        click.echo(json.dumps(error.to_dict(), ensure_ascii=False))
    else:
        click.echo(_localised_labels(error.render()), err=True)
    sys.exit(error.exit_code)


def _localised_labels(text: str) -> str:
    from cnncalc.i18n import _

    lines = text.split("\n")
    for i, line in enumerate(lines):
        for label in ("error", "hint"):
            if line.startswith(f"{label}: "):
                lines[i] = f"{_(label)}: {line[len(label) + 2 :]}"
    return "\n".join(lines)


def main() -> None:
    """Entry point of the console script."""
    from cnncalc.i18n import set_language

    set_language(None)  # from LANGUAGE / LC_ALL / LC_MESSAGES / LANG; --lang overrides
    try:
        cli.main(standalone_mode=False)
    except CnncalcError as exc:
        _fail(exc)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        _fail(UsageError(exc.format_message(), hint="run with --help for usage"))
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(1)
    except Exception as exc:  # an internal error: one line, no traceback unless asked
        if os.environ.get("CNNCALC_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in cnncalc; set CNNCALC_DEBUG=1 for the traceback.",
            err=True,
        )
        sys.exit(1)


# Which module defines each command; a command's module is imported when the command is used.
COMMAND_MODULES = {
    **dict.fromkeys(("summary", "list", "schema", "layers"), "cnncalc.cli.summary"),
    "compare": "cnncalc.cli.compare",
    "count": "cnncalc.cli.count",
    **dict.fromkeys(
        ("explain", "conv", "pool", "fc", "same", "solve", "apply", "check", "quiz"), "cnncalc.cli.teach"
    ),
    **dict.fromkeys(("export", "verify", "memory"), "cnncalc.cli.torch"),
}


class LazyGroup(click.Group):
    """A group whose commands are defined in :data:`COMMAND_MODULES`, imported on first use: a
    ``summary --json`` run loads neither the teaching nor the torch commands."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            import_module(COMMAND_MODULES[cmd_name])
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if args and not name.startswith("-") and self.get_command(ctx, name) is None:
            from cnncalc.errors import did_you_mean

            raise click.UsageError(f"no such command '{name}'{did_you_mean(name, self.list_commands(ctx))}")
        return super().resolve_command(ctx, args)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="cnncalc")
@click.option(
    "--lang",
    type=click.Choice(["en", "pt"]),
    help="Language of tables, explanations and messages (default: from LANG, else English).",
)
def cli(lang: str | None) -> None:
    """Exact shapes, parameters, MACs/FLOPs, memory and receptive fields of CNNs.

    \b
    Examples:
      cnncalc summary vgg16
      cnncalc summary "32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10"
      cnncalc summary resnet50 --batch 128 --dtype fp16 --json
      cnncalc list
    """
    if lang:
        from cnncalc.i18n import set_language

        set_language(lang)


def console(stderr: bool = False) -> Any:
    """A rich console on stdout (or stderr)."""
    return _console(stderr)

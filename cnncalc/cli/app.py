"""The ``cnncalc`` group, the entry point and what every command shares.

Exit codes: 0 ok, 2 bad input or usage, 1 internal error. Errors print one clear message (JSON
with ``--json``), never a traceback (set CNNCALC_DEBUG=1 to see one).
"""

from __future__ import annotations

import json
import os
import sys
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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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

"""The ``cnncalc`` group, the entry point and what every command shares.

Exit codes: 0 ok, 2 bad input or usage, 1 internal error. Errors print one clear message (JSON
with ``--json``), never a traceback (set CNNCALC_DEBUG=1 to see one).
"""

from __future__ import annotations

import gc
import json
import os
import sys
from importlib import import_module
from typing import Any

import click

from cnncalc.errors import CnncalcError, UsageError
from cnncalc.i18n import N_

MODEL_HELP = N_(
    "SPEC may also be your own model: model.py:NAME or package.module:NAME (an nn.Module class, or a "
    "function returning one, traced with torch.fx on the meta device; loading a .py file runs its code, "
    "as importing it would), or model.onnx (read with the onnx package; nothing in it is executed). "
    "--input gives the input size, e.g. 'cnncalc summary model.py:Net --input 224x224x3'."
)
SPEC_HELP = N_(
    "SPEC is a bundled architecture name (see 'cnncalc list'), a YAML/JSON spec file, a one-line spec "
    "such as '32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10', or your own model: model.py:NAME "
    "or package.module:NAME (an nn.Module class, or a function returning one, traced with torch.fx on "
    "the meta device; loading a .py file runs its code, as importing it would), or model.onnx (read "
    "with the onnx package; nothing in it is executed)."
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
        if line.startswith("  --> "):  # the location: 'spec column 21', 'file.yaml:3:5'
            lines[i] = line.replace(" column ", " " + _("column") + " ")
    return "\n".join(lines)


def _lang_in_args(args: list[str]) -> str | None:
    """The value of the last ``--lang X`` / ``--lang=X`` anywhere on the command line, so that
    even an error click finds before it reads ``--lang`` (an unknown option) is in that language."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--lang="):
            found = arg[len("--lang=") :]
    return found if found in LANGUAGE_CHOICES else None


def run() -> None:
    """The console script (``cnncalc``, ``python -m cnncalc``): :func:`main` with Python's cyclic
    garbage collector off. The process runs one command and exits; what a command builds (a spec,
    its report, the text of the report) is trees of small objects that reference counting frees,
    and the collector would only walk them again after each phase (see :mod:`cnncalc._gc`): about
    5% of the CPU time of ``summary efficientnet_v2_l --json``. :func:`main` itself leaves the
    collector alone, for callers in a longer process."""
    gc.disable()
    main()


def main() -> None:
    """Entry point of the command line (in-process callers; the console script is :func:`run`)."""
    from cnncalc.cli.plaintext import degrade_unencodable_output
    from cnncalc.i18n import set_language

    # A cp1252 or ASCII console gets x for ×, never an encoding error (JSON gets \u00d7).
    degrade_unencodable_output(json_stdout=_wants_json() or sys.argv[1:2] == ["schema"])
    # From LANGUAGE / LC_ALL / LC_MESSAGES / LANG; --lang (before or after the command) overrides.
    set_language(_lang_in_args(sys.argv[1:]))
    try:
        cli.main(standalone_mode=False)
    except CnncalcError as exc:
        _fail(exc)
    except click.exceptions.Abort:
        from cnncalc.i18n import _

        click.echo(_("aborted"), err=True)
        sys.exit(1)
    except click.ClickException as exc:
        from cnncalc.i18n import _

        hint = _("run with --help for usage")
        if isinstance(exc, click.NoSuchOption):
            hint = _(
                "run with --help for usage; a value that starts with '-' can also follow '--' after "
                "the options"
            )
        _fail(UsageError(exc.format_message(), hint=hint))
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(1)
    except Exception as exc:  # an internal error: one line, no traceback unless asked
        if os.environ.get("CNNCALC_DEBUG"):
            raise
        from cnncalc.i18n import _

        click.echo(
            _("internal error: {kind}: {detail}").format(kind=type(exc).__name__, detail=exc)
            + "\n"
            + _("This is a bug in cnncalc; set CNNCALC_DEBUG=1 for the traceback."),
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
    "import": "cnncalc.cli.imports",
}


def _takes_dash_value(token: str, options: set[str], valued: set[str]) -> bool:
    """Whether ``token``, which starts with '-', is a value (a matrix ``-1 0; 0 1``, a spec
    ``-5x32x3 | …``, a number ``-2``) rather than one of the command's options."""
    if len(token) < 2 or token.startswith("--") or token in options or token.split("=", 1)[0] in options:
        return False
    if token[:2] in valued:  # a short option with its value glued on: -k5
        return False
    return token[1].isdigit() or token[1] == "." or any(c in token for c in " ;|\n")


class Command(click.Command):
    """A command that reads an argument starting with a minus sign (``apply conv "-1 0; 0 1"``,
    ``summary "-5x32x3 | …"``) as that argument, not as an unknown option."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options: set[str] = set()
        valued: set[str] = set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                names = {*param.opts, *param.secondary_opts}
                options |= names
                if not param.is_flag and not param.count:
                    valued |= set(param.opts)
        before: list[str] = []
        positional: list[str] = []
        dashed = False
        i = 0
        while i < len(args):
            token = args[i]
            if token == "--":
                positional.extend(args[i + 1 :])
                break
            if token.startswith("-") and len(token) > 1 and not _takes_dash_value(token, options, valued):
                before.append(token)
                if token in valued and i + 1 < len(args):  # the option's value, whatever it looks like
                    before.append(args[i + 1])
                    i += 1
            else:
                dashed = dashed or token.startswith("-")
                positional.append(token)
            i += 1
        if dashed:  # options first, then '--' and the arguments in their order
            args = [*before, "--", *positional]
        return super().parse_args(ctx, args)


LANGUAGE_CHOICES = ("en", "pt")
LANG_HELP = N_("Language of tables, explanations and messages (default: from LANG, else English).")


def _set_language(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        from cnncalc.i18n import set_language

        set_language(value)
    return value


def lang_option() -> click.Option:
    """``--lang en|pt``: every command has it, before or after the command name."""
    return click.Option(
        ["--lang"],
        type=click.Choice(LANGUAGE_CHOICES),
        expose_value=False,
        is_eager=True,
        callback=_set_language,
        help=LANG_HELP,
    )


def _route_click_gettext() -> None:
    """Click's own messages ("Usage:", "Missing argument", "No such option", ...) go through
    cnncalc's catalog: its modules call the ``_``/``ngettext`` they imported from gettext, which
    are replaced here by :mod:`cnncalc.i18n`'s (the ids are in :mod:`cnncalc.cli.click_messages`)."""
    from cnncalc import i18n

    for name, module in list(sys.modules.items()):
        if name.startswith("click.") and hasattr(module, "_"):
            module._ = i18n._  # type: ignore[attr-defined]
            if hasattr(module, "ngettext"):
                module.ngettext = i18n.ngettext  # type: ignore[attr-defined]


def _translated_help(text: str | None) -> str | None:
    """A help text (a docstring or ``help=``) in the current language; the ids are collected by
    scripts/compile_catalogs.py from the docstrings and ``help=`` literals."""
    if not text:
        return text
    import inspect

    from cnncalc.i18n import _

    cleaned = inspect.cleandoc(text)
    return _(cleaned)


class _TranslatedHelp:
    """Mixin: a command's help, short help, epilog and its options' help are message ids,
    translated when click formats them. Every command also gets ``--lang``."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        params = [p for p in self.params if isinstance(p, click.Option)]  # type: ignore[attr-defined]
        saved = (self.help, self.short_help, self.epilog, [p.help for p in params])  # type: ignore[attr-defined]
        try:
            self.help = _translated_help(self.help)  # type: ignore[attr-defined]
            self.short_help = _translated_help(self.short_help)  # type: ignore[attr-defined]
            self.epilog = _translated_help(self.epilog)  # type: ignore[attr-defined]
            for param in params:
                param.help = _translated_help(param.help)
            super().format_help(ctx, formatter)  # type: ignore[misc]
        finally:
            self.help, self.short_help, self.epilog = saved[:3]  # type: ignore[attr-defined]
            for param, text in zip(params, saved[3], strict=True):
                param.help = text

    def get_short_help_str(self, limit: int = 45) -> str:
        saved = self.help, self.short_help  # type: ignore[attr-defined]
        try:
            self.help = _translated_help(saved[0])  # type: ignore[attr-defined]
            self.short_help = _translated_help(saved[1])  # type: ignore[attr-defined]
            return super().get_short_help_str(limit)  # type: ignore[misc,no-any-return]
        finally:
            self.help, self.short_help = saved  # type: ignore[attr-defined]


class CnncalcCommand(_TranslatedHelp, Command):
    """A cnncalc command: translated help, ``--lang``, and values that start with a minus sign."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not any(p.name == "lang" for p in self.params):
            self.params.append(lang_option())


class LazyGroup(_TranslatedHelp, click.Group):
    """A group whose commands are defined in :data:`COMMAND_MODULES`, imported on first use: a
    ``summary --json`` run loads neither the teaching nor the torch commands."""

    command_class = CnncalcCommand

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
            from cnncalc.i18n import _, translate_message

            raise click.UsageError(
                _("no such command '{name}'{rest}").format(
                    name=name, rest=translate_message(did_you_mean(name, self.list_commands(ctx)))
                )
            )
        return super().resolve_command(ctx, args)


# Before the decorators below: click's own strings (version_option's message and help) are then
# looked up through cnncalc.i18n, not through the standard gettext (which would import locale).
_route_click_gettext()


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="cnncalc")
@click.option("--lang", type=click.Choice(LANGUAGE_CHOICES), help=LANG_HELP)
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


cli.command_class = CnncalcCommand


def console(stderr: bool = False) -> Any:
    """A rich console on stdout (or stderr)."""
    return _console(stderr)

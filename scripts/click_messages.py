"""Write ``cnncalc/cli/click_messages.py``: the messages click itself shows (usage errors, "Usage:",
"Options:", "Show this message and exit.", ...), read from the installed click's source, so that
they enter cnncalc's catalog and get a Portuguese translation.

    python scripts/click_messages.py            # rewrite the module from the installed click
    python scripts/click_messages.py --check    # exit 1 when the module differs from it
"""

from __future__ import annotations

import ast
import sys
from importlib.metadata import version
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "cnncalc" / "cli" / "click_messages.py"
# The modules whose messages a cnncalc user can see (not the pager, the shell completion or Windows).
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils")


def click_messages() -> list[tuple[str, ...]]:
    """Each ``_("...")`` id and ``ngettext("...", "...")`` pair of click's modules, in order."""
    found: dict[tuple[str, ...], None] = {}
    folder = Path(click.__file__).parent
    for name in MODULES:
        path = folder / f"{name}.py"
        if not path.is_file():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id == "_" and texts:
                found.setdefault((texts[0],), None)
            elif node.func.id == "ngettext" and len(texts) >= 2:
                found.setdefault((texts[0], texts[1]), None)
    return list(found)


def module_text() -> str:
    lines = [
        "# ruff: noqa: E501",
        f'"""The messages click {version("click")} shows, for the catalog (written by',
        "scripts/click_messages.py from click's source; do not edit). cnncalc.cli.app routes click's",
        'gettext calls through cnncalc.i18n, so these are translated like any other message."""',
        "",
        "from cnncalc.i18n import N_, N_plural",
        "",
        "MESSAGES = (",
    ]
    for entry in click_messages():
        if len(entry) == 1:
            lines.append(f"    N_({entry[0]!r}),")
        else:
            lines.append(f"    N_plural({entry[0]!r}, {entry[1]!r}),")
    lines.append(")")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = module_text()
    if "--check" in argv:
        from cnncalc.cli.click_messages import MESSAGES

        stored = [(m,) if isinstance(m, str) else m for m in MESSAGES]
        if stored != click_messages():
            print(f"{TARGET} is out of date: run python scripts/click_messages.py (then ruff format)")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET} ({text.count('N_')} messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

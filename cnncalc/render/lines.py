"""Text laid out as lines of styled segments, printed without rich's layout engine.

A :data:`Line` is a list of (text, style) segments, the style in rich's words ("bold cyan", "dim",
"" for none). :func:`plain` gives the text (for pipes and files), :func:`ansi` the text coloured
for a terminal, and :class:`LinesView` a rich renderable (for callers printing through a rich
console, such as the golden tests). :func:`grid` lays out a simple table: a header, a rule, rows.
Importing rich's table module costs more than a whole summary; these commands do not need it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Segment = tuple[str, str]
Line = list[Segment]
GAP = 2


def trimmed(line: Line) -> Line:
    """``line`` without its trailing spaces (which may sit inside styled segments)."""
    segments = list(line)
    while segments and not segments[-1][0].rstrip():
        segments.pop()
    if segments:
        text, style = segments[-1]
        segments[-1] = (text.rstrip(), style)
    return segments


def plain(lines: Sequence[Line]) -> str:
    """The lines as text without colour, trailing spaces removed."""
    return "".join("".join(text for text, _style in line).rstrip() + "\n" for line in lines)


def ansi(lines: Sequence[Line]) -> str:
    """The lines with ANSI colours."""
    import click

    return "".join("".join(_paint(t, s, click) for t, s in trimmed(line)) + "\n" for line in lines)


def _paint(text: str, style: str, click: Any) -> str:
    if not style or not text.strip():
        return text
    words = style.split()
    colour = next((w for w in words if w not in ("bold", "dim")), None)
    return click.style(text, fg=colour, bold="bold" in words, dim="dim" in words)


def echo(lines: Sequence[Line]) -> None:
    """Print the lines on stdout: coloured on a terminal, plain otherwise."""
    import sys

    import click

    click.echo((ansi if sys.stdout.isatty() else plain)(lines), nl=False)


def terminal_width() -> int:
    """The terminal's width (COLUMNS when set; 80 when the output is not a terminal)."""
    import shutil

    return shutil.get_terminal_size().columns


class LinesView:
    """A rich renderable of lines made for the console's width: ``make(width)`` gives them."""

    def __init__(self, make: Callable[[int | None], Sequence[Line]]):
        self.make = make

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.text import Text

        for line in self.make(options.max_width):
            text = Text(no_wrap=True, overflow="crop")
            for part, style in trimmed(line):
                text.append(part, style=style or None)
            yield text


def wrap_words(text: str, width: int) -> list[str]:
    """``text`` broken between words into lines of at most ``width`` (a longer word stays whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def grid(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Sequence[bool],
    styles: Sequence[str] = (),
    width: int | None = None,
    rule_to_width: bool = False,
) -> list[Line]:
    """A title, a bold header, a rule and the rows, columns two spaces apart. The last column wraps
    between words when ``width`` is too narrow for it (the others keep their width)."""
    count = len(headers)
    styles = list(styles) or [""] * count
    widths = [max([len(headers[i])] + [len(row[i]) for row in rows]) for i in range(count)]
    fixed = sum(widths[:-1]) + GAP * (count - 1)
    if width is not None and fixed + widths[-1] > width and not right[-1]:
        widths[-1] = max(12, width - fixed)
    total = sum(widths) + GAP * (count - 1)
    if rule_to_width and width is not None:
        total = max(total, width)

    def cells(texts: Sequence[str], cell_styles: Sequence[str]) -> Line:
        line: Line = []
        for i, text in enumerate(texts):
            padded = text.rjust(widths[i]) if right[i] else text.ljust(widths[i])
            line.append((" " * GAP if i else "", ""))
            line.append((padded, cell_styles[i] if text else ""))
        return line

    out: list[Line] = [[(title, "bold")], cells(headers, ["bold"] * count), [("─" * total, "")]]
    for row in rows:
        last = wrap_words(row[-1], widths[-1]) if not right[-1] else [row[-1]]
        out.append(cells([*row[:-1], last[0]], styles))
        for more in last[1:]:
            out.append(cells([""] * (count - 1) + [more], styles))
    return out

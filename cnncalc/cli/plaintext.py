"""Output on consoles that cannot show every character (``PYTHONIOENCODING=cp1252`` or ``ascii``,
a Windows console, a redirect): each character the stream's encoding lacks degrades to plain text
(× → x, − → -, ✓ → OK, → → ->, accents dropped under ASCII) instead of ending in an error."""

from __future__ import annotations

import codecs
import sys
from typing import Any

ERRORS = "cnncalc-plain"
JSON_ERRORS = "cnncalc-json"

# What a character becomes when the encoding lacks it (ASCII only, so that any encoding takes it).
PLAIN = {
    "×": "x",
    "−": "-",
    "–": "-",
    "—": "-",
    "‐": "-",
    "✓": "OK",
    "✔": "OK",
    "✗": "X",
    "✘": "X",
    "→": "->",
    "←": "<-",
    "↔": "<->",
    "⇒": "=>",
    "≈": "~",
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "±": "+/-",
    "⌊": "floor(",
    "⌋": ")",
    "⌈": "ceil(",
    "⌉": ")",
    "′": "'",
    "″": "''",
    "…": "...",
    "·": "*",
    "•": "*",
    "⋅": "*",
    "÷": "/",
    "√": "sqrt",
    "Σ": "sum",
    "∑": "sum",
    "φ": "phi",
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "μ": "u",
    "µ": "u",
    "⚠": "!",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "«": '"',
    "»": '"',
    "\u00a0": " ",
    "\u202f": " ",
}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+", strict=True))


def plain(text: str) -> str:
    """``text`` in ASCII: the :data:`PLAIN` replacements, superscripts as ``^12``, accents dropped,
    box lines as ``-`` and ``|``, anything else ``?``."""
    out: list[str] = []
    in_superscript = False
    for char in text:
        if char in _SUPERSCRIPTS:
            out.append(_SUPERSCRIPTS[char] if in_superscript else "^" + _SUPERSCRIPTS[char])
            in_superscript = True
            continue
        in_superscript = False
        if char.isascii():
            out.append(char)
        elif char in PLAIN:
            out.append(PLAIN[char])
        else:
            out.append(_fallback(char))
    return "".join(out)


def _fallback(char: str) -> str:
    import unicodedata  # only when a character needs it

    stripped = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
    if stripped:
        return stripped
    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS"):
        return "|" if "VERTICAL" in name and "HORIZONTAL" not in name else "-"
    return "?"


def _handler(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return plain(exc.object[exc.start : exc.end]), exc.end


def json_escape(text: str) -> str:
    """``text`` as JSON ``\\uXXXX`` escapes (surrogate pairs above U+FFFF): what
    ``json.dumps(..., ensure_ascii=True)`` writes, so JSON output keeps its exact strings."""
    out = []
    for char in text:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out)


def _json_handler(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return json_escape(exc.object[exc.start : exc.end]), exc.end


class _AsciiStream:
    """An ASCII text stream shown without its binary buffer: click re-encodes an ASCII stream
    it can reach the bytes of as UTF-8, which an ASCII console shows as noise."""

    def __init__(self, stream: Any):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":
            raise AttributeError(name)
        return getattr(self._stream, name)


def degrade_unencodable_output(json_stdout: bool = False) -> None:
    """Make stdout and stderr write what their encoding lacks as plain text; with ``json_stdout``
    stdout (which then holds only JSON, whose non-ASCII characters are all inside strings) writes
    them as ``\\uXXXX`` escapes instead, so that the JSON keeps its exact values."""
    try:
        codecs.lookup_error(ERRORS)
    except LookupError:
        codecs.register_error(ERRORS, _handler)
        codecs.register_error(JSON_ERRORS, _json_handler)
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        encoding = getattr(stream, "encoding", None)
        reconfigure = getattr(stream, "reconfigure", None)
        if not encoding or reconfigure is None:
            continue
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            continue
        if codec.startswith("utf"):  # takes every character
            continue
        try:
            reconfigure(errors=JSON_ERRORS if json_stdout and name == "stdout" else ERRORS)
        except (ValueError, OSError):  # a closed or detached stream: nothing to write to anyway
            continue
        if codec == "ascii":
            setattr(sys, name, _AsciiStream(stream))

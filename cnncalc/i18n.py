"""Translations with the standard gettext catalogs (``cnncalc/locale/<lang>/LC_MESSAGES/cnncalc.mo``).

English is the source language. :func:`set_language` picks the catalog for the whole process;
:func:`_` translates a message id. The catalog sources are ``.po`` files next to the compiled
``.mo`` files (recompile with ``python scripts/compile_catalogs.py``).
"""

from __future__ import annotations

import gettext
import os
import re
from collections.abc import Mapping
from functools import cache

DOMAIN = "cnncalc"
LOCALE_DIR = os.path.join(os.path.dirname(__file__), "locale")
LANGUAGES = ("en", "pt")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """``pt`` when LANGUAGE, LC_ALL, LC_MESSAGES or LANG (the first one set) starts with ``pt``."""
    env = os.environ if environ is None else environ
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            first = value.split(":")[0].lower()
            return "pt" if first.startswith("pt") else "en"
    return "en"


def set_language(language: str | None) -> str:
    """Use ``language`` ('en', 'pt', 'pt_BR', ...; None = from the environment); returns the code used."""
    global _translation, _language
    code = detect_language() if not language else language.lower().replace("-", "_").split("_")[0]
    if code not in LANGUAGES:
        code = "en"
    if code == "en":
        _translation = gettext.NullTranslations()
    else:
        _translation = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[code])
    _language = code
    return code


def current_language() -> str:
    return _language


def _(message: str) -> str:
    """The translation of ``message`` in the current language."""
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (gettext_noop)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


# -- messages produced by the core in English, translated at the edge ------------------------------
# Each entry is a message id with {name} placeholders; an English message that matches the pattern
# is shown with the translated template. Only the CLI calls this, so the core stays language-free.
CORE_MESSAGES = (
    N_("the spec needs argument '{name}': it has no default"),  # before '{kind} needs {fields}'
    N_("unknown layer type '{name}'{rest}"),
    N_("run 'cnncalc layers' to list the layer types"),
    N_("layer {index} '{layer}' ({kind}): input {shape} (H×W×C): {detail}"),
    N_("{axis} {n} is smaller than {what} {size} with padding {padding}"),
    N_("{axis} {n} is smaller than {what} {size} with total padding {padding}"),
    N_("use padding ≥ {need}, a smaller {what}, or a larger input"),
    N_("{kind} needs {fields}"),
    N_("missing field '{field}'"),
    N_("unknown field '{field}'"),
    N_("'{ref}' is not a bundled architecture, a file or a one-line spec{rest}"),
    N_("no such file: '{ref}'"),
    N_("check the path"),
    N_(" (did you mean '{name}'?)"),
    N_(
        "{axis}: {formula} = {value} does not fit (não cabe); PyTorch floors it to {floor}, "
        "ignoring the last {rest} row(s)/column(s){tail}"
    ),
    N_("; fits exactly with {suggestions}"),
    N_("run with --help for usage"),
    N_("see 'cnncalc check --help' for the file format"),
    N_("the network has no layer '{key}'{rest}"),
    N_("give it a default under 'args:' (a bundled family member sets its own)"),
    N_("the spec has no argument '{name}'{rest}"),
    N_("its arguments: {names}"),
    N_("'args' must be a mapping of argument: default"),
    N_("kernel"),
    N_("window"),
    N_("height"),
    N_("width"),
    N_("height and width"),
    N_("error"),
    # Last, so that it only splits what no whole-message pattern matched (e.g. fit suggestions).
    N_("{first} or {second}"),
)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{\w+\})", template)
    regex = "".join(f"(?P<{p[1:-1]}>.*?)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$", re.DOTALL)


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(t, _pattern(t)) for t in CORE_MESSAGES]


def translate_message(text: str) -> str:
    """Translate an English core message by the first :data:`CORE_MESSAGES` pattern it matches;
    the captured parts are translated recursively. Unknown messages come back unchanged."""
    if _language == "en" or not text:
        return text
    for template, pattern in _patterns():
        match = pattern.match(text)
        if match:
            parts = {k: translate_message(v) for k, v in match.groupdict().items()}
            return _(template).format(**parts)
    return text

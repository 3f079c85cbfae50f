"""Keep the gettext catalogs in step with the code.

    python scripts/compile_catalogs.py            # compile every cnncalc/locale/*/LC_MESSAGES/*.po to .mo
    python scripts/compile_catalogs.py --check    # exit 1 if a .mo is stale, a message is untranslated
                                                  # or a user-facing text bypasses the catalog
    python scripts/compile_catalogs.py --update   # append the code's new message ids to the .po files

Message ids are the string literals passed to ``_()`` or ``N_()`` in ``cnncalc/``, the pairs passed
to ``ngettext()`` (stored as ``singular\\0plural``, as .mo files do), and the command-line text click
shows: the docstring of every command function and every ``help=`` of a ``click.option`` (the CLI
translates them when it formats help), each layer kind's ``summary`` (``cnncalc layers``) and each
bundled architecture's ``description`` (``cnncalc list``). The .mo writer follows the GNU format
(magic, counts, two tables of (length, offset), then the strings), keys sorted.
"""

from __future__ import annotations

import ast
import re
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cnncalc"
LOCALE = PACKAGE / "locale"
HEADER = "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\nLanguage: {lang}\n"
PLURAL_SEPARATOR = "\0"


def _text(node: ast.AST | None) -> str | None:
    """The value of a string literal (implicitly concatenated parts included), else None."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_click_decorator(node: ast.AST, names: tuple[str, ...]) -> bool:
    func = node.func if isinstance(node, ast.Call) else node
    return isinstance(func, ast.Attribute) and func.attr in names


def extract(package: Path = PACKAGE) -> list[str]:
    """Message ids in the order they first appear in the code (where they come from: see above)."""
    found: dict[str, None] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                first = _text(node.args[0]) if node.args else None
                if node.func.id in ("_", "N_") and first is not None:
                    found.setdefault(first, None)
                second = _text(node.args[1]) if len(node.args) > 1 else None
                if node.func.id in ("ngettext", "N_plural") and first is not None and second is not None:
                    found.setdefault(first + PLURAL_SEPARATOR + second, None)
            if isinstance(node, ast.Call) and _is_click_decorator(node, ("option", "argument", "Option")):
                for keyword in node.keywords:
                    if keyword.arg == "help" and _text(keyword.value):
                        found.setdefault(_text(keyword.value), None)  # type: ignore[arg-type]
            if isinstance(node, ast.ClassDef) and path.parent.name == "layers":
                for statement in node.body:  # a layer kind's summary, shown by 'cnncalc layers'
                    targets = (
                        [statement.target]
                        if isinstance(statement, ast.AnnAssign)
                        else statement.targets
                        if isinstance(statement, ast.Assign)
                        else []
                    )
                    value = _text(getattr(statement, "value", None))
                    if value and any(isinstance(t, ast.Name) and t.id == "summary" for t in targets):
                        found.setdefault(value, None)
            if isinstance(node, ast.FunctionDef) and any(
                _is_click_decorator(d, ("command", "group")) for d in node.decorator_list
            ):
                doc = ast.get_docstring(node)
                if doc:
                    found.setdefault(doc, None)
    for description in architecture_descriptions():
        found.setdefault(description, None)
    return list(found)


def architecture_descriptions(folder: Path = ROOT / "architectures") -> list[str]:
    """The ``description`` of every bundled architecture (shown by 'cnncalc list')."""
    import yaml

    found = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("description"), str):
            found.append(data["description"])
    return found


# -- user-facing text that bypasses the catalog ------------------------------------------------
# Where text reaches users: the message of an error (any ``...Error(...)``, ``Problem(...)``,
# ``self.error(...)``), a ``hint=``/``message=``/``title=``/``caption=`` keyword, ``click.echo``,
# a rich ``Text``, a table column. There a string with words must come from the catalog: ``_()``
# (``.format`` on it), ``ngettext()``, or, for an error's message and hint (translated when the CLI
# shows it), text that one of ``cnncalc.i18n.CORE_MESSAGES`` matches.
_SINK_CALLS = ("Problem", "echo", "Text", "Table", "add_column", "error")
_SINK_KEYWORDS = ("hint", "message", "title", "caption")
_MARKERS = ("_", "N_", "ngettext", "N_plural")
_WORDS = re.compile(r"[A-Za-z]{2,}")
# The errors users see (other exceptions are programming errors, shown as "internal error").
_USER_ERRORS = (
    "CnncalcError",
    "SpecError",
    "ShapeError",
    "UsageError",
    "MissingDependencyError",
    "InvalidField",
    "Problem",
    "ClickException",
    "BadParameter",
    "error",
)
# Words that read the same in both languages (names of tools, units, options).
_SAME_IN_EVERY_LANGUAGE = {"cnncalc", "torch", "MACs", "FLOPs", "quiz", "seed"}
_SENTINEL = "\x00"


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _literal_text(node: ast.AST) -> str | None:
    """The text of a string literal or f-string, each ``{...}`` as a sentinel; None otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else _SENTINEL
            for v in node.values
        )
    return None


def _combined_text(node: ast.AST) -> str:
    """The text ``node`` makes: literal parts as written, a conditional as its first branch, a
    call to ``_()`` (or any other expression) as a sentinel."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _combined_text(node.left) + _combined_text(node.right)
    if isinstance(node, ast.IfExp):
        return _combined_text(node.body)
    text = _literal_text(node)
    return _SENTINEL if text is None else text


def _bare_texts(node: ast.AST) -> list[str]:
    """The texts ``node`` can make that have words not taken from the catalog."""
    if isinstance(node, ast.Call):
        name = _callee(node)
        if name == "format" and isinstance(node.func, ast.Attribute):
            return _bare_texts(node.func.value)
        return []  # _(), ngettext() or a function's result
    if isinstance(node, ast.IfExp):
        return _bare_texts(node.body) + _bare_texts(node.orelse)
    text = _combined_text(node)
    words = set(_WORDS.findall(text.replace(_SENTINEL, " ")))
    return [text] if words - _SAME_IN_EVERY_LANGUAGE else []


def _translated_at_edge(text: str) -> bool:
    """Whether the CLI shows ``text`` (literal parts, a sentinel for each value) fully translated:
    the template :func:`cnncalc.i18n.matching_template` picks for it leaves no words in its parts, or
    only parts that are themselves translated."""
    sys.path.insert(0, str(ROOT))
    from cnncalc.i18n import matching_template

    found = matching_template(text)
    if found is None:
        return False
    for part in found[1].groupdict().values():
        words = set(_WORDS.findall(part.replace(_SENTINEL, " "))) - _SAME_IN_EVERY_LANGUAGE
        if words and not _translated_at_edge(part):
            return False
    return True


def unmarked_messages(package: Path = PACKAGE) -> list[str]:
    """``path:line: text`` for each user-facing text that does not come from the catalog."""
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            candidates: list[tuple[ast.AST, bool]] = []  # (text, translated at the edge when it matches)
            if isinstance(node, ast.Call):
                name = _callee(node)
                is_error = name in _USER_ERRORS
                if (is_error or name in _SINK_CALLS) and node.args:
                    candidates.append((node.args[0], is_error))
                if is_error or name in _SINK_CALLS:
                    candidates += [(k.value, True) for k in node.keywords if k.arg in _SINK_KEYWORDS]
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id in ("message", "hint", "msg"):
                    candidates.append((node.value, True))
            for value, translated_at_edge in candidates:
                for text in _bare_texts(value):
                    if translated_at_edge and _translated_at_edge(text):
                        continue
                    shown = text.replace(_SENTINEL, "{…}")
                    found.append(f"{path.relative_to(package.parent)}:{value.lineno}: {shown!r}")
    return found


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a .po file (plain entries; comments and fuzzy flags are ignored)."""
    catalog: dict[str, str] = {}
    parts: dict[str, str] = {}  # "id", "plural", "0", "1", ... (msgstr[N]) or "str"
    current: str | None = None

    def flush() -> None:
        if "id" not in parts:
            return
        if "plural" in parts:
            forms = [parts[k] for k in sorted((k for k in parts if k.isdigit()), key=int)]
            value = PLURAL_SEPARATOR.join(forms) if all(forms) and forms else ""
            catalog[parts["id"] + PLURAL_SEPARATOR + parts["plural"]] = value
        elif "str" in parts:
            catalog[parts["id"]] = parts["str"]

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("msgid "):
            flush()
            parts, current = {"id": _unquote(line[6:])}, "id"
        elif line.startswith("msgid_plural "):
            parts["plural"], current = _unquote(line[13:]), "plural"
        elif line.startswith("msgstr["):
            index, rest = line[7:].split("]", 1)
            parts[index], current = _unquote(rest.strip()), index
        elif line.startswith("msgstr "):
            parts["str"], current = _unquote(line[7:]), "str"
        elif line.startswith('"') and current is not None:
            parts[current] += _unquote(line)
    flush()
    return catalog


def compile_mo(catalog: dict[str, str]) -> bytes:
    """The GNU .mo bytes of ``catalog`` (untranslated entries left out)."""
    entries = sorted((k.encode(), v.encode()) for k, v in catalog.items() if v)
    count = len(entries)
    ids_table = 7 * 4
    strs_table = ids_table + count * 8
    data_start = strs_table + count * 8
    ids = b""
    strs = b""
    id_offsets = []
    for key, _value in entries:
        id_offsets.append((len(key), data_start + len(ids)))
        ids += key + b"\0"
    str_offsets = []
    strs_start = data_start + len(ids)
    for _key, value in entries:
        str_offsets.append((len(value), strs_start + len(strs)))
        strs += value + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, count, ids_table, strs_table, 0, 0)
    for length, offset in id_offsets:
        out += struct.pack("<2I", length, offset)
    for length, offset in str_offsets:
        out += struct.pack("<2I", length, offset)
    return out + ids + strs


def _po_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def po_entry(msgid: str) -> str:
    """An untranslated .po entry for ``msgid`` (a plural pair gets msgid_plural and two forms)."""
    if PLURAL_SEPARATOR in msgid:
        singular, plural = msgid.split(PLURAL_SEPARATOR, 1)
        return (
            f'\nmsgid {_po_quote(singular)}\nmsgid_plural {_po_quote(plural)}\nmsgstr[0] ""\nmsgstr[1] ""\n'
        )
    return f'\nmsgid {_po_quote(msgid)}\nmsgstr ""\n'


def untranslated(catalog: dict[str, str], code_ids: list[str]) -> list[str]:
    """The code's message ids that ``catalog`` lacks or leaves empty."""
    return [m for m in code_ids if not catalog.get(m)]


def po_files() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/cnncalc.po"))


def main(argv: list[str]) -> int:
    status = 0
    code_ids = extract()
    for po in po_files():
        text = po.read_text(encoding="utf-8")
        catalog = parse_po(text)
        if "--update" in argv:
            missing = [m for m in code_ids if m not in catalog]
            if missing:
                text = text.rstrip("\n") + "\n" + "".join(po_entry(m) for m in missing)
                po.write_text(text, encoding="utf-8")
                catalog = parse_po(text)
                print(f"{po}: added {len(missing)} message ids")
        mo = po.with_suffix(".mo")
        compiled = compile_mo(catalog)
        if "--check" in argv:
            missing_ids = untranslated(catalog, code_ids)
            if missing_ids:
                print(f"{po}: {len(missing_ids)} untranslated message ids (add them with --update):")
                for msgid in missing_ids:
                    print(f"  {msgid.replace(PLURAL_SEPARATOR, ' | plural: ')!r}")
                status = 1
            if not mo.is_file() or mo.read_bytes() != compiled:
                print(f"{mo} is out of date: run python scripts/compile_catalogs.py")
                status = 1
        else:
            mo.write_bytes(compiled)
            print(f"wrote {mo} ({len([v for v in catalog.values() if v])} messages)")
    if "--check" in argv:
        bare = unmarked_messages()
        if bare:
            print(f"{len(bare)} user-facing texts bypass the catalog (use _() or a CORE_MESSAGES template):")
            for line in bare:
                print(f"  {line}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Keep the gettext catalogs in step with the code.

    python scripts/compile_catalogs.py            # compile every cnncalc/locale/*/LC_MESSAGES/*.po to .mo
    python scripts/compile_catalogs.py --check    # exit 1 if a .mo is stale or a message is untranslated
    python scripts/compile_catalogs.py --update   # append the code's new message ids to the .po files

Message ids are the string literals passed to ``_()`` or ``N_()`` in ``cnncalc/``. The .mo writer
follows the GNU format (magic, counts, two tables of (length, offset), then the strings), keys sorted.
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cnncalc"
LOCALE = PACKAGE / "locale"
HEADER = "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\nLanguage: {lang}\n"


def extract(package: Path = PACKAGE) -> list[str]:
    """Message ids in the order they first appear in the code."""
    found: dict[str, None] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, None)
    return list(found)


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a .po file (plain entries; comments and fuzzy flags are ignored)."""
    catalog: dict[str, str] = {}
    msgid: str | None = None
    msgstr: str | None = None
    current: str | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            catalog[msgid] = msgstr

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("msgid "):
            flush()
            msgid, msgstr, current = _unquote(line[6:]), None, "id"
        elif line.startswith("msgstr "):
            msgstr, current = _unquote(line[7:]), "str"
        elif line.startswith('"'):
            if current == "id" and msgid is not None:
                msgid += _unquote(line)
            elif current == "str" and msgstr is not None:
                msgstr += _unquote(line)
        elif not line or line.startswith("#"):
            continue
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
                text = (
                    text.rstrip("\n")
                    + "\n"
                    + "".join(f'\nmsgid {_po_quote(m)}\nmsgstr ""\n' for m in missing)
                )
                po.write_text(text, encoding="utf-8")
                catalog = parse_po(text)
                print(f"{po}: added {len(missing)} message ids")
        mo = po.with_suffix(".mo")
        compiled = compile_mo(catalog)
        if "--check" in argv:
            untranslated = [m for m in code_ids if not catalog.get(m)]
            if untranslated:
                print(f"{po}: {len(untranslated)} untranslated, e.g. {untranslated[0]!r}")
                status = 1
            if not mo.is_file() or mo.read_bytes() != compiled:
                print(f"{mo} is out of date: run python scripts/compile_catalogs.py")
                status = 1
        else:
            mo.write_bytes(compiled)
            print(f"wrote {mo} ({len([v for v in catalog.values() if v])} messages)")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

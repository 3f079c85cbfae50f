"""Keep the compiled bundled specs (``architectures/compiled/*.json``) and the rows of ``cnncalc list``
(``architectures/compiled/catalog.json``, see cnncalc/listing.py) in step with the YAML and the engine.

    python scripts/compile_architectures.py            # rewrite every compiled spec
    python scripts/compile_architectures.py --check    # exit 1 if one is missing or stale

A compiled spec lets a bundled architecture load without PyYAML (see cnncalc/parse/compiled.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cnncalc.catalog import compiled_path  # noqa: E402
from cnncalc.listing import catalog_path, catalog_text  # noqa: E402
from cnncalc.parse.compiled import compile_spec  # noqa: E402

ARCHITECTURES = ROOT / "architectures"


def expected() -> dict[Path, str]:
    """Every compiled file's path and the text it should hold."""
    out = {}
    for spec in sorted(ARCHITECTURES.glob("*.yaml")):
        out[Path(compiled_path(str(spec)))] = compile_spec(spec.read_text(encoding="utf-8"), str(spec))
    out[Path(catalog_path())] = catalog_text()  # the rows of 'cnncalc list' (cnncalc/listing.py)
    return out


def main(argv: list[str]) -> int:
    wanted = expected()
    if "--check" in argv:
        stale = [p for p, text in wanted.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
        extra = sorted(set((ARCHITECTURES / "compiled").glob("*.json")) - set(wanted))
        for path in stale + extra:
            print(f"{'stale' if path in stale else 'no YAML for'}: {path.relative_to(ROOT)}")
        return 1 if stale or extra else 0
    for path, text in wanted.items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    folder = (ARCHITECTURES / "compiled").relative_to(ROOT)
    print(f"wrote {len(wanted) - 1} compiled specs and catalog.json to {folder}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

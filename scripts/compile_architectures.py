"""Keep the compiled bundled specs (``architectures/compiled/*.json``) and the rows of ``cnncalc list``
(``architectures/compiled/catalog.json``, see cnncalc/listing.py) in step with the YAML and the engine.

    python scripts/compile_architectures.py            # rewrite every compiled spec
    python scripts/compile_architectures.py --check    # exit 1 if one is missing or stale

A compiled network lets a bundled architecture load without PyYAML and without evaluating its blocks
(see cnncalc/parse/compiled.py): one file per bundled name, a family member's included.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cnncalc.catalog import bundled_names, bundled_spec, compiled_path  # noqa: E402
from cnncalc.listing import catalog_path, catalog_text  # noqa: E402
from cnncalc.parse import load_bundled  # noqa: E402
from cnncalc.parse.compiled import compile_network  # noqa: E402

ARCHITECTURES = ROOT / "architectures"


def compiled_text(name: str) -> str:
    """The compiled form of bundled ``name``: its network as built from the YAML."""
    found = bundled_spec(name)
    assert found is not None, name
    _, path, arguments, _ = found
    network = load_bundled(path, arguments)  # no compiled form given: built from the YAML
    return compile_network(network, Path(path).read_text(encoding="utf-8"), arguments)


def _write(files: dict[Path, str]) -> None:
    for path, text in files.items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    check = "--check" in argv
    wanted = {Path(compiled_path(name)): compiled_text(name) for name in bundled_names()}
    if not check:
        _write(wanted)  # first: the list rows below load the networks from these
    wanted[Path(catalog_path())] = catalog_text()  # the rows of 'cnncalc list' (cnncalc/listing.py)
    if check:
        stale = [p for p, text in wanted.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
        extra = sorted(set((ARCHITECTURES / "compiled").glob("*.json")) - set(wanted))
        for path in stale + extra:
            print(f"{'stale' if path in stale else 'no YAML for'}: {path.relative_to(ROOT)}")
        return 1 if stale or extra else 0
    _write({Path(catalog_path()): wanted[Path(catalog_path())]})
    folder = (ARCHITECTURES / "compiled").relative_to(ROOT)
    print(f"wrote {len(wanted) - 1} compiled networks and catalog.json to {folder}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

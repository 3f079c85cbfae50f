"""The rows of ``cnncalc list``: each bundled architecture's description, input, parameters, MACs.

Analysing all the bundled networks takes longer than starting the CLI, so ``scripts/
compile_architectures.py`` stores these rows in ``architectures/compiled/catalog.json``, each with
the SHA-256 of the YAML text it was computed from. A row is used only while its YAML is unchanged;
any other spec is analysed here as usual. ``tests/test_architectures.py`` checks that every stored
row equals what the engine computes now (so a change to the engine that is not followed by
``python scripts/compile_architectures.py`` fails the tests).
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from cnncalc.catalog import architectures_dir, bundled_names, bundled_path, natural_key

FORMAT = 1
ROW_KEYS = ("name", "description", "input", "params", "macs")


def catalog_path() -> str:
    return os.path.join(architectures_dir(), "compiled", "catalog.json")


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def analysed_row(name: str) -> dict[str, Any]:
    """The list row of bundled spec ``name``, computed by the engine."""
    from cnncalc.analysis import analyse
    from cnncalc.parse import load_network

    network = load_network(name)
    report = analyse(network)
    return {
        "name": name,
        "description": network.description or "",
        "input": report.input.hwc,
        "params": report.totals.params,
        "macs": report.totals.macs,
    }


def catalog_text() -> str:
    """The text of catalog.json for the bundled specs as they are now."""
    entries = []
    for name in sorted(bundled_names(), key=natural_key):
        with open(bundled_path(name) or "", encoding="utf-8") as file:
            digest = text_digest(file.read())
        entries.append({**analysed_row(name), "yaml_sha256": digest})
    return json.dumps({"format": FORMAT, "entries": entries}, ensure_ascii=False, indent=1) + "\n"


def _stored() -> dict[str, dict[str, Any]]:
    try:
        with open(catalog_path(), encoding="utf-8") as file:
            doc = json.load(file)
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return {}
    return {entry["name"]: entry for entry in doc.get("entries", []) if isinstance(entry, dict)}


def list_rows() -> list[dict[str, Any]]:
    """The rows of ``cnncalc list``, in natural order: stored ones while their YAML is unchanged."""
    stored = _stored()
    rows = []
    for name in sorted(bundled_names(), key=natural_key):
        entry = stored.get(name)
        if entry is not None:
            with open(bundled_path(name) or "", encoding="utf-8") as file:
                if text_digest(file.read()) == entry.get("yaml_sha256"):
                    rows.append(
                        {key: entry[key] for key in ("name", "description", "input", "params", "macs")}
                    )
                    continue
        rows.append(analysed_row(name))
    return rows

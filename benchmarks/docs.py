"""Keep docs/benchmarks.md up to date: each script rewrites only its own marked section."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"

TEMPLATE = """# Benchmarks and fuzzing

Both sections are written by scripts; rerun them rather than editing the numbers.

## Speed

`python benchmarks/run.py` (full) or `python benchmarks/run.py --quick`.

<!-- bench:start -->
(not run yet)
<!-- bench:end -->

## Fuzzing

`python benchmarks/fuzz.py`. CI runs the same strategies at a smaller size (`tests/test_fuzz.py`).

<!-- fuzz:start -->
(not run yet)
<!-- fuzz:end -->
"""


def replace_section(name: str, body: str) -> None:
    """Replace the text between ``<!-- name:start -->`` and ``<!-- name:end -->`` with ``body``."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else TEMPLATE
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        text = text.rstrip("\n") + f"\n\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(f"{head}{start}\n{body.strip()}\n{end}{tail}", encoding="utf-8")

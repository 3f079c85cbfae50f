"""The long fuzz run: the strategies of ``tests/strategies.py`` on many more inputs than CI runs,
in-process for the three parsers, plus a sample through the real CLI entry point.

    python benchmarks/fuzz.py                 # 20,000 inputs per parser, writes docs/benchmarks.md
    python benchmarks/fuzz.py --examples 2000 --no-write

Every input must end as a report or a ``CnncalcError``; through the CLI, as exit 0 or exit 2 with
``error:`` and no ``Traceback`` on stderr. A traceback stops the run with hypothesis's minimal
failing input (and nothing is written).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from benchmarks.docs import replace_section  # noqa: E402
from tests.strategies import Tally, check, json_texts, oneline_texts, yaml_texts  # noqa: E402

FORMS = {"oneline": oneline_texts, "yaml": yaml_texts, "json": json_texts}


def fuzz_in_process(form: str, examples: int) -> Tally:
    """Run ``examples`` generated inputs of ``form`` through parse + analyse + render."""
    tally = Tally()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(FORMS[form])
    def run(text: str) -> None:
        check(form, text, tally)

    run()
    return tally


def fuzz_cli(samples: int) -> tuple[int, int, int]:
    """``samples`` generated specs through ``python -m cnncalc summary`` (one-line as an argument,
    YAML/JSON as files). Returns (runs, exit 0, exit 2); anything else raises AssertionError."""
    drawn: list[tuple[str, str]] = []

    @settings(max_examples=samples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(sorted(FORMS)).flatmap(lambda f: st.tuples(st.just(f), FORMS[f])))
    def collect(item: tuple[str, str]) -> None:
        drawn.append(item)

    collect()
    counts = {0: 0, 2: 0}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CNNCALC_DEBUG", None)
    with tempfile.TemporaryDirectory() as tmp:
        for i, (form, text) in enumerate(drawn[:samples]):
            if form == "oneline":
                if "\x00" in text:
                    continue  # not passable as one argv element (a leading '-' is: issue 14)
                arg = text
            else:
                path = Path(tmp) / f"spec{i}.{'json' if form == 'json' else 'yaml'}"
                path.write_text(text, encoding="utf-8", errors="surrogatepass")
                arg = str(path)
            result = subprocess.run(
                [sys.executable, "-m", "cnncalc", "summary", arg, "--json"],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
            )
            assert "Traceback" not in result.stderr, (form, text, result.stderr)
            assert result.returncode in (0, 2), (form, text, result.returncode, result.stderr)
            if result.returncode == 2:
                assert '"error"' in result.stdout, (form, text, result.stdout)
            counts[result.returncode] += 1
    return counts[0] + counts[2], counts[0], counts[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=20_000, help="inputs per parser (in-process)")
    parser.add_argument("--cli", type=int, default=200, help="inputs through the real CLI")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()

    rows = []
    started = time.perf_counter()
    for form in FORMS:
        t0 = time.perf_counter()
        tally = fuzz_in_process(form, args.examples)
        seconds = time.perf_counter() - t0
        rows.append((form, tally, seconds))
        print(
            f"{form:8s} {tally.inputs:>7,} inputs: {tally.analysed:,} analysed, {tally.rejected:,} "
            f"rejected with a CnncalcError, 0 other exceptions ({seconds:.0f} s)",
            flush=True,
        )
    t0 = time.perf_counter()
    runs, ok, rejected = fuzz_cli(args.cli)
    cli_seconds = time.perf_counter() - t0
    print(f"cli      {runs:>7,} runs: {ok:,} exit 0, {rejected:,} exit 2, 0 tracebacks ({cli_seconds:.0f} s)")
    total = sum(t.inputs for _, t, _ in rows)
    print(f"total {total:,} inputs in {time.perf_counter() - started:.0f} s: no traceback")
    if args.no_write:
        return

    import hypothesis

    lines = [
        f"Run on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.platform()}, "
        f"Python {platform.python_version()}, hypothesis {hypothesis.__version__}. "
        "Command: `python benchmarks/fuzz.py`.",
        "",
        "| Parser | Inputs | Analysed | Rejected (CnncalcError) | Other exceptions | Time |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for form, tally, seconds in rows:
        lines.append(
            f"| {form} | {tally.inputs:,} | {tally.analysed:,} | {tally.rejected:,} | 0 | {seconds:.0f} s |"
        )
    lines.append(f"| **total in-process** | **{total:,}** | | | **0** | |")
    lines.append(
        f"| CLI (`python -m cnncalc summary … --json`) | {runs:,} | {ok:,} (exit 0) | "
        f"{rejected:,} (exit 2) | 0 tracebacks | {cli_seconds:.0f} s |"
    )
    replace_section("fuzz", "\n".join(lines))
    print("wrote docs/benchmarks.md")


if __name__ == "__main__":
    main()

"""Speed benchmarks of cnncalc, written to docs/benchmarks.md.

    python benchmarks/run.py            # full: 21 cold starts, scale up to 100,000 layers
    python benchmarks/run.py --quick    # 7 cold starts, scale up to 10,000 layers
    python benchmarks/run.py --spec resnet152 --no-write

1. Cold start: ``cnncalc summary SPEC --json`` as a whole process (the installed console script,
   else ``python -m cnncalc``) against the floor any CLI on these libraries pays,
   ``python -c "import click, rich, pydantic"``, and against the bare interpreter. Runs alternate
   so all see the same machine load. Bytecode is written and used, as after ``pip install``
   (``PYTHONDONTWRITEBYTECODE`` is dropped: compiling every module each run is not a cold start).
2. Against torchinfo: ``torchinfo.summary()`` on CPU of the same network (the module
   ``cnncalc export`` writes, built by ``cnncalc.torch_bridge.build_module``) next to cnncalc's
   load + analyse, in the same process, for vgg16 and resnet152.
3. Scale: generated specs of 1k / 10k / 100k layers (flat, one large ``repeat``, 16 levels of
   nested blocks): load, analyse and JSON render times, and the time per layer.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

import cnncalc  # noqa: E402
from benchmarks import specs  # noqa: E402
from benchmarks.docs import replace_section  # noqa: E402
from cnncalc.catalog import bundled_path  # noqa: E402
from cnncalc.render import render_json  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
ENV.pop("CNNCALC_DEBUG", None)
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
ONE_LINE = "224x224x3 | conv 64 k3 p1 | relu | gap | fc 10"


def spec_ref(name: str) -> str:
    """A bundled name or an existing spec file."""
    if Path(name).is_file() or bundled_path(name) is not None:
        return name
    raise SystemExit(f"unknown spec '{name}': not bundled and not a file")


# ---------------------------------------------------------------------------------------------
# 1. Cold start
# ---------------------------------------------------------------------------------------------


def _run_once(cmd: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {result.stderr.decode()[-500:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu


def cnncalc_command() -> list[str]:
    """The console script next to this interpreter (what users run), else ``python -m cnncalc``."""
    script = Path(sys.executable).with_name("cnncalc")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "cnncalc"]


# The other non-torch commands, tables included (issue 13: each within 1.5× of the floor). Their output
# is not a terminal, so tables are laid out for 80 columns, as in CI logs.
TABLE_COMMANDS = {
    "table": (["summary", "resnet152"], "`cnncalc summary resnet152` (the table)"),
    "depth": (["summary", "resnet152", "--depth", "2"], "`cnncalc summary resnet152 --depth 2`"),
    "list": (["list"], "`cnncalc list`"),
    "compare": (
        ["compare", "alexnet", "vgg16", "googlenet", "resnet50"],
        "`cnncalc compare alexnet vgg16 googlenet resnet50`",
    ),
    "explain": (["explain", "alexnet"], "`cnncalc explain alexnet`"),
    # issue 11: the largest bundled zoo specs (864 and 1,092 rows) load from the compiled form too
    "b7": (["summary", "efficientnet_b7", "--json"], "`cnncalc summary efficientnet_b7 --json`"),
    "v2l": (["summary", "efficientnet_v2_l", "--json"], "`cnncalc summary efficientnet_v2_l --json`"),
}


ONNX_LABEL = "`cnncalc summary resnet50.onnx --json` (issue 12: an ONNX file, target ≤ 1 s, no torch)"


def onnx_file(folder: Path) -> Path | None:
    """resnet50 as ONNX (its torch module exported with BatchNorm kept), or None without torch or
    onnx. Made once per run; the timed process reads it without torch."""
    try:
        import onnx  # noqa: F401
        import torch
    except ImportError:
        return None
    from cnncalc.torch_bridge import build_module

    network = cnncalc.load("resnet50")
    path = folder / "resnet50.onnx"
    sample = torch.zeros(1, *network.input.torch_dims())
    torch.onnx.export(
        build_module(network).eval(), (sample,), str(path), dynamo=False, do_constant_folding=False
    )
    return path


def cold_start(spec: str, runs: int, onnx_path: Path | None = None) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) times of whole processes, interleaved so that machine load hits all alike."""
    cnncalc_cmd = cnncalc_command()
    onnx_commands = {"onnx": [*cnncalc_cmd, "summary", str(onnx_path), "--json"]} if onnx_path else {}
    commands = {
        "floor": [sys.executable, "-c", "import click, rich, pydantic"],
        "python": [sys.executable, "-c", "pass"],
        "cnncalc": [*cnncalc_cmd, "summary", spec, "--json"],
        "oneline": [*cnncalc_cmd, "summary", ONE_LINE, "--json"],
        "svg": [*cnncalc_cmd, "summary", spec, "--format", "svg"],
        "html": [*cnncalc_cmd, "summary", spec, "--format", "html"],
        **{key: [*cnncalc_cmd, *args] for key, (args, _label) in TABLE_COMMANDS.items()},
        **onnx_commands,
    }
    for cmd in commands.values():  # warm the file cache and .pyc files
        _run_once(cmd)
    times: dict[str, list[tuple[float, float]]] = {key: [] for key in commands}
    for _ in range(runs):
        for key, cmd in commands.items():
            times[key].append(_run_once(cmd))
    return times


HEAVY = ["yaml", "pydantic", "torch", "numpy", "rich", "cnncalc.render.table", "cnncalc.torch_bridge"]
HEAVY += ["cnncalc.teach", "cnncalc.cli.teach", "jsonschema", "pathlib"]


def modules_loaded(spec: str) -> list[str]:
    """Which heavy modules ``summary SPEC --json`` loads (they should load only when used)."""
    probe = (
        "import sys, io, contextlib\n"
        "from cnncalc.cli import main\n"
        f"sys.argv = ['cnncalc', 'summary', {spec!r}, '--json']\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main()\n    except SystemExit:\n        pass\n"
        f"heavy = {HEAVY!r}\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], env=ENV, capture_output=True, text=True)
    return [m for m in result.stdout.strip().split(",") if m]


# ---------------------------------------------------------------------------------------------
# 2. torchinfo
# ---------------------------------------------------------------------------------------------


def torch_module(network: cnncalc.Network) -> Any:
    """The network as an nn.Module, as ``cnncalc export`` defines it."""
    from cnncalc.torch_bridge import build_module

    return build_module(network)


def _best_of(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        value = func()
        best = min(best, time.perf_counter() - start)
    return best, value


def against_torchinfo(name: str, ref: str, repeats: int) -> dict[str, Any]:
    """cnncalc load + analyse vs torchinfo.summary on CPU, same process, best of ``repeats``."""
    import torch
    import torchinfo

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    network = cnncalc.load(ref)
    module = torch_module(network)
    module.eval()
    shape = network.input
    size = (1, shape.channels, shape.height, shape.width)
    ours, report = _best_of(lambda: cnncalc.analyse(cnncalc.load(ref)), repeats)
    theirs, stats = _best_of(
        lambda: torchinfo.summary(module, input_size=size, device="cpu", verbose=0), repeats
    )
    return {
        "name": name,
        "cnncalc": ours,
        "torchinfo": theirs,
        "ratio": theirs / ours,
        "params_cnncalc": report.totals.params,
        "params_torchinfo": stats.total_params,
        "macs_cnncalc": report.totals.macs,
        "macs_torchinfo": stats.total_mult_adds,
    }


# ---------------------------------------------------------------------------------------------
# 3. Scale
# ---------------------------------------------------------------------------------------------

SCALE_SPECS = {
    "flat list": specs.flat_yaml,
    "one large repeat": specs.repeat_yaml,
    "16 levels of nested blocks": specs.nested_yaml,
}


def _timed_once(text: str, name: str) -> tuple[float, float, float, int, int]:
    gc.collect()
    t0 = time.perf_counter()
    network = cnncalc.parse_spec_text(text, name)
    t1 = time.perf_counter()
    report = cnncalc.analyse(network)
    t2 = time.perf_counter()
    render_json(report)
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, network.layer_count, len(report.layers)


def scale(sizes: list[int]) -> list[dict[str, Any]]:
    """Load / analyse / JSON times per generated spec; best of 3 up to 10k layers, one run above."""
    for generate in SCALE_SPECS.values():  # first use fills the validation caches: not timed
        _timed_once(generate(100), "warm-up.yaml")
    rows = []
    for kind, generate in SCALE_SPECS.items():
        for n in sizes:
            text = generate(n)
            runs = [_timed_once(text, f"{n}.yaml") for _ in range(3 if n <= 10_000 else 1)]
            load, analyse, to_json, layers, report_rows = min(runs, key=lambda r: r[0] + r[1])
            rows.append(
                {
                    "kind": kind,
                    "layers": layers,
                    "rows": report_rows,
                    "load": load,
                    "analyse": analyse,
                    "json": to_json,
                }
            )
            print(
                f"  {kind:28s} {layers:>7,} layers: load {load:.3f} s, analyse {analyse:.3f} s, "
                f"json {to_json:.3f} s",
                flush=True,
            )
    return rows


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f} at the start"
    return f"{cpu}, {os.cpu_count()} CPUs{load}; {platform.platform()}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def markdown(results: dict[str, Any], command: str) -> str:
    versions = ", ".join(
        f"{p} {_version(p)}" for p in ("click", "rich", "pydantic", "PyYAML", "torch", "torchinfo")
    )
    lines = [
        f"Measured {results['date']} on {results['machine']}.",
        f"Python {platform.python_version()}, cnncalc {cnncalc.__version__}; {versions}.",
        f"Command: `{command}`.",
    ]
    cold = results["cold"]
    wall = {k: statistics.median(w for w, _ in v) for k, v in cold.items()}
    fastest = {k: min(w for w, _ in v) for k, v in cold.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in cold.items()}
    runs = len(cold["cnncalc"])
    rows = [
        ("floor", '`python -c "import click, rich, pydantic"` (the floor)'),
        ("python", '`python -c "pass"` (the interpreter alone)'),
        ("cnncalc", f"`{results['command']} summary {results['spec_name']} --json`"),
        (
            "oneline",
            f'`{results["command"]} summary "{ONE_LINE.replace("|", chr(92) + "|")}" --json` (one-line)',
        ),
        ("svg", f"`{results['command']} summary {results['spec_name']} --format svg` (the diagram)"),
        ("html", f"`{results['command']} summary {results['spec_name']} --format html` (the page)"),
    ]
    lines += [
        "",
        f"### Cold start: `cnncalc summary {results['spec_name']} --json` (whole process, {runs} runs)",
        "",
        "| Process | Median wall | Fastest | Median CPU | ÷ floor (wall) | ÷ floor (CPU) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    rows += [(key, label) for key, (_args, label) in TABLE_COMMANDS.items()]
    if "onnx" in cold:
        rows.append(("onnx", ONNX_LABEL))
    for key, label in rows:
        lines.append(
            f"| {label} | {ms(wall[key])} | {ms(fastest[key])} | {ms(cpu[key])} | "
            f"{wall[key] / wall['floor']:.2f}× | {cpu[key] / cpu['floor']:.2f}× |"
        )
    lines += [
        "",
        f"**cnncalc ÷ floor: {wall['cnncalc'] / wall['floor']:.2f}× (wall), "
        f"{cpu['cnncalc'] / cpu['floor']:.2f}× (CPU); target ≤ 1.5×.** CPU time is user + system time of "
        "the process, less sensitive to other load than wall time.",
        "",
        "**The other commands ÷ floor (wall / CPU): "
        + ", ".join(
            f"{key} {wall[key] / wall['floor']:.2f}× / {cpu[key] / cpu['floor']:.2f}×"
            for key in TABLE_COMMANDS
        )
        + "; target ≤ 1.5× each.** Their output is not a terminal (tables laid out for 80 columns).",
        "",
        "Heavy modules loaded by that command: "
        + (", ".join(f"`{m}`" for m in results["modules_file"]) or "none")
        + "; with a one-line spec instead of a file: "
        + (", ".join(f"`{m}`" for m in results["modules_oneline"]) or "none")
        + f" (checked: {', '.join(HEAVY)}).",
    ]
    if results["torchinfo"]:
        lines += [
            "",
            f"### Against torchinfo (same process, CPU, batch 1, best of {results['torchinfo_repeats']})",
            "",
            "| Network | cnncalc load + analyse | `torchinfo.summary()` | torchinfo ÷ cnncalc | "
            "Params (cnncalc / torchinfo) | MACs (cnncalc / torchinfo) |",
            "|---|---:|---:|---:|---|---|",
        ]
        for row in results["torchinfo"]:
            lines.append(
                f"| {row['name']} | {ms(row['cnncalc'])} | {ms(row['torchinfo'])} | "
                f"**{row['ratio']:.1f}×** | "
                f"{row['params_cnncalc']:,} / {row['params_torchinfo']:,} | "
                f"{row['macs_cnncalc']:,} / {row['macs_torchinfo']:,} |"
            )
        lines += [
            "",
            "torch modules built by `cnncalc.torch_bridge.build_module` (what `cnncalc export` writes). "
            "torchinfo's MACs also count BatchNorm and are not expected to match; the parameters must.",
        ]
    else:
        lines += ["", "torchinfo comparison skipped: " + results["torchinfo_skipped"]]
    lines += [
        "",
        "### Scale: generated specs (in-process; one spec = parse + expand + validate)",
        "",
        "| Spec | Layers | Report rows | Load | Analyse | JSON | Load + analyse | per layer |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["scale"]:
        both = row["load"] + row["analyse"]
        lines.append(
            f"| {row['kind']} | {row['layers']:,} | {row['rows']:,} | {row['load']:.3f} s | "
            f"{row['analyse']:.3f} s | {row['json']:.3f} s | **{both:.3f} s** | "
            f"{both / row['layers'] * 1e6:.0f} µs |"
        )
    lines += [
        "",
        "Growth is linear when the time per layer stays flat from 1k to 100k layers.",
    ]
    return "\n".join(lines)


def torchinfo_rows(repeats: int) -> tuple[list[dict[str, Any]], str]:
    """The torchinfo comparison for vgg16 and resnet152, or why it was skipped."""
    try:
        import torch  # noqa: F401
        import torchinfo  # noqa: F401
    except ImportError as exc:
        return [], f"{exc.name} is not installed (pip install -e '.[bench]')"
    print("against torchinfo ...", flush=True)
    rows = []
    for name in ("vgg16", "resnet152"):
        row = against_torchinfo(name, spec_ref(name), repeats)
        rows.append(row)
        print(
            f"  {name}: cnncalc {ms(row['cnncalc'])}, torchinfo {ms(row['torchinfo'])} "
            f"({row['ratio']:.1f}×), params {row['params_cnncalc']:,} / {row['params_torchinfo']:,}"
        )
    return rows, ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, scale up to 10k layers")
    parser.add_argument("--spec", default="resnet152", help="spec for the cold start (default resnet152)")
    parser.add_argument("--no-torch", action="store_true", help="skip the torchinfo comparison")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    cnncalc_cmd = cnncalc_command()
    results: dict[str, Any] = {
        "date": f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        "machine": machine(),
        "spec_name": args.spec,
        "command": " ".join([Path(cnncalc_cmd[0]).name, *cnncalc_cmd[1:]]),
    }
    ref = spec_ref(args.spec)
    runs = 7 if args.quick else 21
    print(f"cold start, {runs} runs each ...", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        results["cold"] = cold_start(ref, runs, None if args.no_torch else onnx_file(Path(folder)))
    for key, values in results["cold"].items():
        walls = [w for w, _ in values]
        print(f"  {key:13s} median {ms(statistics.median(walls))}, fastest {ms(min(walls))}")
    results["modules_file"] = modules_loaded(ref)
    results["modules_oneline"] = modules_loaded(ONE_LINE)
    results["torchinfo_repeats"] = 3 if args.quick else 5
    if args.no_torch:
        results["torchinfo"], results["torchinfo_skipped"] = [], "--no-torch"
    else:
        results["torchinfo"], results["torchinfo_skipped"] = torchinfo_rows(results["torchinfo_repeats"])
    print("scale ...", flush=True)
    results["scale"] = scale([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])
    command = "python benchmarks/run.py" + (" --quick" if args.quick else "")
    if args.spec != "resnet152":
        command += f" --spec {args.spec}"
    if not args.no_write:
        replace_section("bench", markdown(results, command))
        print("wrote docs/benchmarks.md")
    if not args.no_torch:  # importing resnet50 from PyTorch against torchinfo on meta, side by side
        from benchmarks.import_speed import import_markdown, import_rows

        print("importing a PyTorch model ...", flush=True)
        text = import_markdown(import_rows(3 if args.quick else 7))
        print(text)
        if not args.no_write:
            replace_section("import", text)


if __name__ == "__main__":
    main()

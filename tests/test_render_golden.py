"""Golden files of the rendered tables at 100 columns (tests/golden/*.txt).

Regenerate after an intended change with ``CNNCALC_REGEN_GOLDEN=1 pytest tests/test_render_golden.py``
and review the diff. Trailing spaces (rich pads every line to the width) are stripped before comparing.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rich.console import Console, RenderableType

import cnncalc
from cnncalc.catalog import bundled_names
from cnncalc.compare import compare
from cnncalc.render.compare import comparison_table
from cnncalc.render.table import summary_table

GOLDEN = Path(__file__).parent / "golden"
WIDTH = 100
REGENERATE = os.environ.get("CNNCALC_REGEN_GOLDEN") == "1"


def render(renderable: RenderableType, width: int = WIDTH) -> str:
    console = Console(width=width, color_system=None, file=io.StringIO(), force_terminal=False)
    console.print(renderable)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if REGENERATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path}; run with CNNCALC_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs (CNNCALC_REGEN_GOLDEN=1)"


@pytest.mark.parametrize("name", bundled_names())
def test_summary_of_every_bundled_spec(name: str) -> None:
    report = cnncalc.analyse(cnncalc.load(name))
    text = render(summary_table(report))
    check_golden(f"summary-{name}", text)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= WIDTH
    # No wrapping: every layer is one line that starts with its index and holds its full name,
    # output shape and parameters.
    by_index = {line.split()[0]: line for line in lines if line.strip() and line.split()[0].isdigit()}
    for row in report.layers:
        line = by_index[str(row.index)]
        assert row.name in line and row.output_shape.hwc in line
        assert (f"{row.params:,}" if row.params else "–") in line
    assert len(by_index) == len(report.layers)
    # The totals grid: one line per entry (no note wraps at 100 columns).
    totals = lines[lines.index("") + 1 :] if "" in lines else []
    labels = [line.split("  ")[0] for line in totals]
    assert labels[:2] == ["Input", "Parameters"] and labels[-1] == "Output"
    assert f"{report.totals.params:,}" in totals[1]


def test_row_numbers_add_up_to_the_printed_totals() -> None:
    report = cnncalc.analyse(cnncalc.load("googlenet"))
    assert sum(r.params for r in report.layers) == report.totals.params
    assert sum(r.macs for r in report.layers) == report.totals.macs
    assert f"{report.totals.macs:,}" in render(summary_table(report))


def test_one_line_spec_title_is_not_read_as_markup() -> None:
    spec = "8x8x4 | [conv 2 k1 ; conv 3 k3 p1] | fc 10"
    text = render(summary_table(cnncalc.analyse(cnncalc.load(spec))))
    assert text.splitlines()[0] == spec


def test_narrow_terminal_keeps_one_line_per_layer_and_stacks_the_notes() -> None:
    report = cnncalc.analyse(cnncalc.load("resnet18"))
    lines = render(summary_table(report), width=80).splitlines()
    assert max(len(line) for line in lines) <= 80
    blank = lines.index("")
    table, totals = lines[:blank], lines[blank + 1 :]
    rows = [line for line in table if line.split() and line.split()[0].isdigit()]
    assert len(rows) == len(report.layers)
    # Columns are left out before names are cut: every name is whole, and a note says what went.
    assert [line.split()[1] for line in rows] == [row.name for row in report.layers]
    assert table[-1].startswith("left out to fit 80 columns: ") and "Type" in table[-1]
    # Each total is a label line and a note line under its value.
    assert totals[0].startswith("Input ") and totals[1].strip() == "batch 1, fp32 (4 B per value)"
    assert totals[1].index("batch") == totals[0].index("224×224×3")


def test_compare_table() -> None:
    entries = []
    for name in ("alexnet", "vgg16", "googlenet", "resnet50"):
        network = cnncalc.load(name)
        entries.append((network, cnncalc.analyse(network)))
    text = render(comparison_table(compare(entries)))
    check_golden("compare-alexnet-vgg16-googlenet-resnet50", text)
    assert max(len(line) for line in text.splitlines()) <= WIDTH


def test_list_command() -> None:
    from click.testing import CliRunner

    from cnncalc.cli import cli

    result = CliRunner(env={"COLUMNS": str(WIDTH)}).invoke(cli, ["list"])
    assert result.exit_code == 0, result.output
    text = "\n".join(line.rstrip() for line in result.output.splitlines()) + "\n"
    check_golden("list", text)
    rows = [line for line in text.splitlines() if line.split() and line.split()[0] in bundled_names()]
    assert len(rows) == len(bundled_names())  # one line each: the variant note does not wrap


# Grouped views (--depth) and 80-column layouts: (golden name, spec, depth, width, columns).
VIEWS = [
    ("summary-googlenet-depth1", "googlenet", 1, WIDTH, None),
    ("summary-resnet50-depth2", "resnet50", 2, WIDTH, None),
    (
        "summary-googlenet-paper-depth1-shares",
        "googlenet-paper",
        1,
        WIDTH,
        "layer,output,params,params%,macs,macs%",
    ),
    ("summary-resnet152-depth1-80", "resnet152", 1, 80, None),
    ("summary-googlenet-depth2-80", "googlenet", 2, 80, None),
    ("summary-googlenet-80", "googlenet", None, 80, None),
    ("summary-resnet50-80", "resnet50", None, 80, None),
]


@pytest.mark.parametrize(("golden", "spec", "depth", "width", "columns"), VIEWS)
def test_grouped_and_narrow_views(
    golden: str, spec: str, depth: int | None, width: int, columns: str | None
) -> None:
    from cnncalc.groups import grouped_report
    from cnncalc.render.columns import parse_columns

    report = cnncalc.analyse(cnncalc.load(spec))
    if depth is not None:
        report = grouped_report(report, depth)
    text = render(summary_table(report, parse_columns(columns)), width=width)
    check_golden(golden, text)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    rows = report.groups if report.groups is not None else report.layers
    body = lines[next(i for i, line in enumerate(lines) if line.startswith("─")) + 1 : lines.index("")]
    column = 0 if columns is not None and not columns.startswith("index") else 1
    names = [line.split()[column] for line in body if not line.startswith("left out")]
    assert names == [row.name for row in rows]  # every name whole, one line per row


def test_share_columns_and_bars() -> None:
    from cnncalc.groups import grouped_report
    from cnncalc.render.columns import bar, parse_columns

    assert bar(0) == " " * 8 and bar(1) == "█" * 8 and bar(0.5) == "████    " and bar(1 / 16) == "▌       "
    report = grouped_report(cnncalc.analyse(cnncalc.load("resnet18")), 1)
    text = render(summary_table(report, parse_columns("layer,params,params%")), width=WIDTH)
    layer4 = next(line for line in text.splitlines() if line.startswith("layer4"))
    share = 100 * report.groups[7].params / report.totals.params  # layer4 holds the most parameters
    assert f"{share:.1f}%" in layer4 and layer4.endswith("█" * 8)


def test_memory_and_layers_at_80_columns() -> None:
    from click.testing import CliRunner

    from cnncalc.cli import cli
    from cnncalc.memory import largest_batch, predict_memory
    from cnncalc.render.memory import memory_table

    network = cnncalc.load("resnet50")
    best = largest_batch(network, 24 * 2**30, train=True, optimizer="adam")
    estimate = predict_memory(network, batch=best or 1, train=True, optimizer="adam")
    text = render(memory_table(estimate, (24 * 2**30, best)), width=80)
    check_golden("memory-resnet50-train-fit-80", text)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[3].startswith("Largest batch") and f"{best:,} fits in" in lines[3]  # the answer on top
    for term in estimate.terms:  # each explanation on at most 5 lines under its term
        start = next(i for i, line in enumerate(lines) if line.startswith(term.key.replace("_", " ") + " "))
        follow = [line for line in lines[start + 1 : start + 7]]
        explanation = [
            line for line in follow[: next((i for i, x in enumerate(follow) if not x.startswith("    ")), 6)]
        ]
        assert 1 <= len(explanation) <= 5, term.key
    result = CliRunner(env={"COLUMNS": "80"}).invoke(cli, ["layers"])
    assert result.exit_code == 0, result.output
    text = "\n".join(line.rstrip() for line in result.output.splitlines()) + "\n"
    check_golden("layers-80", text)
    assert max(len(line) for line in text.splitlines()) <= 80


@pytest.mark.parametrize(
    ("name", "width", "short"),
    [
        ("inception3a.branch2.1.conv", 26, "inception3a.branch2.1.conv"),
        ("inception3a.branch2.1.conv", 20, "inception3a…1.conv"),
        ("inception3a.branch2.1.conv", 16, "inception3a…conv"),
        ("inception3a.branch2.1.relu1", 12, "incept…relu1"),
        ("layer1.0.downsample.0", 18, "layer1…0"),
        ("averyveryverylongname", 10, "…ylongname"),
    ],
)
def test_names_are_shortened_in_the_middle(name: str, width: int, short: str) -> None:
    from cnncalc.render.table import shorten_middle

    assert shorten_middle(name, width) == short and len(short) <= width


def test_grouped_markdown_csv_and_latex() -> None:
    from cnncalc.groups import grouped_report
    from cnncalc.render import render_csv, render_markdown
    from cnncalc.render.latex import render_latex

    report = grouped_report(cnncalc.analyse(cnncalc.load("googlenet-paper")), 1)
    check_golden("summary-googlenet-paper-depth1-markdown", render_markdown(report))
    check_golden("summary-googlenet-paper-depth1-csv", render_csv(report))
    check_golden("summary-googlenet-paper-depth1-latex", render_latex(report))

"""The diagram (``--format svg``), the HTML report and the comparison charts.

Golden SVGs of small networks are in ``tests/golden/*.svg``; regenerate after an intended change with
``CNNCALC_REGEN_GOLDEN=1 pytest tests/test_pictures.py`` and look at the diff (and the pictures).
The browser tests need Chromium (``.ci/run`` installs Debian's) and skip with the reason without it.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from html import escape
from pathlib import Path

import pytest

import cnncalc
from cnncalc.catalog import bundled_names
from cnncalc.compare import compare
from cnncalc.render.graph import (
    BOX_HEIGHT,
    BOX_WIDTH,
    DiagramNode,
    group_node,
    input_node,
    layer_nodes,
    layout,
)
from cnncalc.render.html import comparison_html, report_html
from cnncalc.render.svg import compare_svg, diagram_svg
from tests.browser import chromium, console_messages, dump_dom, screenshot
from tests.specs import COVERAGE_SPECS
from tests.test_cli import run

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("CNNCALC_REGEN_GOLDEN") == "1"
SVG = "{http://www.w3.org/2000/svg}"


def report_of(spec: str, **kwargs: object) -> cnncalc.Report:
    return cnncalc.analyse(cnncalc.load(spec), **kwargs)  # type: ignore[arg-type]


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGENERATE:
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path}; run with CNNCALC_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs (CNNCALC_REGEN_GOLDEN=1)"


# -- golden files --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["lecture", "inception", "residual"])
def test_diagram_of_a_small_network_matches_its_golden_file(name: str) -> None:
    # Specs from tests/specs.py: a lecture chain, an Inception-style concat (one branch the
    # identity), residuals with an identity and a projection shortcut.
    text = diagram_svg(report_of(COVERAGE_SPECS[name]))
    check_golden(f"diagram-{name}.svg", text)
    assert diagram_svg(report_of(COVERAGE_SPECS[name])) == text  # deterministic


def test_comparison_chart_matches_its_golden_file() -> None:
    names = ["alexnet", "vgg16", "googlenet", "resnet50"]
    comparison = compare([(cnncalc.load(n), report_of(n)) for n in names])
    text = compare_svg(comparison)
    check_golden("compare-alexnet-vgg16-googlenet-resnet50.svg", text)
    root = ET.fromstring(text)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    # Every network's exact parameter count, as the comparison holds it.
    for network in comparison.networks:
        assert f"{network.params:,} " + f"({cnncalc.render.numbers.si(network.params)})" in labels


# -- the layout ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_diagram_is_valid_svg_with_a_box_per_row(name: str) -> None:
    report = report_of(name)
    root = ET.fromstring(diagram_svg(report))
    boxes = root.findall(f"{SVG}g[@class='nodes']/{SVG}g[@class='node']")
    assert [b.get("data-name") for b in boxes] == ["input"] + [r.name for r in report.layers]
    # One edge per (row, distinct input it reads).
    edges = root.findall(f"{SVG}g[@class='edges']/{SVG}path")
    assert len(edges) == sum(len(dict.fromkeys(r.inputs)) for r in report.layers)
    # Every output shape is written in its box.
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert all(r.output_shape.hwc in texts for r in report.layers)


@pytest.mark.parametrize("name", bundled_names())
def test_layout_is_layered_downwards_and_boxes_never_overlap(name: str) -> None:
    nodes = layer_nodes(report_of(name))
    plan = layout(nodes)
    cells = [(b.lane, b.rank) for b in plan.boxes]
    assert len(set(cells)) == len(cells)
    rank = {b.node.names[0]: b.rank for b in plan.boxes}
    for box in plan.boxes[1:]:
        assert box.rank == 1 + max(rank[name] for name in box.node.inputs)
    for edge in plan.edges:
        assert plan.boxes[edge.target].rank > plan.boxes[edge.source].rank
    assert all(b.x + BOX_WIDTH <= plan.width and b.y + BOX_HEIGHT <= plan.height for b in plan.boxes)


def test_googlenet_inception_branches_stand_side_by_side_in_branch_order() -> None:
    plan = layout(layer_nodes(report_of("googlenet")))
    box = {b.node.label: b for b in plan.boxes}
    for module in ("inception3a", "inception4e", "inception5b"):
        firsts = [box[f"{module}.branch1.conv"], box[f"{module}.branch2.0.conv"]]
        firsts += [box[f"{module}.branch3.0.conv"], box[f"{module}.branch4.0"]]
        assert [b.lane for b in firsts] == [0, 1, 2, 3]
        assert len({b.rank for b in firsts}) == 1
        assert box[module].lane == 0  # the concat on the main lane, below the longest branch
        assert box[module].rank == box[f"{module}.branch2.1.relu1"].rank + 1
    assert plan.lanes == 4  # lanes are reused after each merge


def test_resnet_shortcuts_identity_as_skip_edges_projection_in_its_own_lane() -> None:
    report = report_of("resnet50")
    plan = layout(layer_nodes(report))
    box = {b.node.label: b for b in plan.boxes}
    assert box["layer1.0.downsample.0"].lane == 1 and box["layer1.0.conv1"].lane == 0
    assert all(b.lane == 0 for b in plan.boxes if "downsample" not in b.node.label)
    identity_adds = [r.name for r in report.layers if r.type == "add" and "identity" in r.description]
    skips = [plan.boxes[e.target].node.label for e in plan.edges if e.skip]
    assert skips == identity_adds and len(skips) == 12  # 3 + 4 + 6 + 3 blocks, less 4 projections


def test_an_auxiliary_head_goes_beside_the_main_path() -> None:
    plan = layout(layer_nodes(report_of("googlenet-aux")))
    box = {b.node.label: b for b in plan.boxes}
    assert box["aux1.pool"].lane == 1 and box["aux1.fc2"].lane == 1
    assert box["inception4b.branch1.conv"].lane == 0 and box["fc"].lane == 0


def test_a_collapsed_group_is_one_box_that_answers_to_its_layers_names() -> None:
    # The renderer draws any list of nodes: here inception3a collapsed by hand into one box, as a
    # grouping would; the next module reads 'inception3a', which the group's layers include.
    report = report_of("googlenet")
    nodes = layer_nodes(report)
    rows = [r for r in report.layers if r.name.startswith("inception3a")]
    group = group_node(report, rows, "inception3a")
    assert group.title == "19 layers" and group.shape == "28×28×256" and group.inputs[0] == "maxpool2"
    start = rows[0].index  # nodes[0] is the input
    drawn = [*nodes[:start], group, *nodes[start + len(rows) :]]
    plan = layout(drawn)
    box = {b.node.label: b for b in plan.boxes}
    assert box["inception3a"].rank == box["maxpool2"].rank + 1 and box["inception3a"].lane == 0
    into_group = [e for e in plan.edges if plan.boxes[e.target].node is group]
    assert [plan.boxes[e.source].node.label for e in into_group] == ["maxpool2"]
    root = ET.fromstring(diagram_svg(report, drawn))
    assert len(root.findall(f".//{SVG}g[@class='node']")) == len(drawn)


def test_a_name_that_no_earlier_node_gives_is_refused() -> None:
    report = report_of(COVERAGE_SPECS["lecture"])
    nodes = [input_node(report), DiagramNode(names=("a",), title="x", label="a", shape="1", inputs=("b",))]
    with pytest.raises(ValueError, match="reads 'b'"):
        layout(nodes)


def test_names_and_text_are_escaped() -> None:
    text = diagram_svg(report_of("8x8x1 | conv 2 k3 name=a<b&c"))
    assert "a&lt;b&amp;c" in text
    ET.fromstring(text)


# -- the HTML page -------------------------------------------------------------------------------


def test_html_page_is_self_contained() -> None:
    page = report_html(report_of("googlenet"))
    without_namespaces = page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r"https?://", without_namespaces)
    assert not re.search(r"<(link|img|iframe)\b|<script [^>]*src=|@import|url\((?!#)", without_namespaces)
    assert "default-src 'none'" in page  # nothing outside the file may load


def test_html_page_holds_the_numbers_and_the_warnings() -> None:
    report = report_of("resnet50")
    page = report_html(report)
    assert f"{report.totals.params:,}" in page and f"{report.totals.macs:,}" in page
    assert page.count("<tr id=") == len(report.layers)
    assert all(key in page and escape(text) in page for key, text in report.conventions.items())
    # The slides' example that does not fit: the row is marked and the warning is printed.
    student = report_of("7x7x1 | conv 1 k3 s3")
    page = report_html(student)
    assert page.count('class="warn"') == 1 and "2.33 does not fit" in page


def test_html_page_in_portuguese() -> None:
    result = run("--lang", "pt", "summary", COVERAGE_SPECS["lecture"], "--format", "html")
    assert result.returncode == 0, result.stderr
    assert 'lang="pt-BR"' in result.stdout
    assert "Parâmetros por camada" in result.stdout and "Convenções" in result.stdout


# -- the CLI -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["svg", "html"])
def test_summary_and_compare_write_pictures(fmt: str) -> None:
    summary = run("summary", COVERAGE_SPECS["residual"], "--format", fmt)
    assert summary.returncode == 0, summary.stderr
    assert summary.stdout.startswith("<svg" if fmt == "svg" else "<!DOCTYPE html>")
    both = run("compare", "alexnet", COVERAGE_SPECS["lecture"], "--format", fmt)
    assert both.returncode == 0, both.stderr
    assert "61,100,840" in both.stdout  # alexnet's parameters
    if fmt == "svg":
        ET.fromstring(summary.stdout)
        ET.fromstring(both.stdout)


@pytest.mark.parametrize(("name", "depth", "boxes"), [("googlenet", 1, 22), ("resnet50", 1, 11)])
def test_depth_draws_one_box_per_group_of_the_view(name: str, depth: int, boxes: int) -> None:
    """--depth N draws the view's rows: googlenet at depth 1 is transform_input, conv1 … fc with each inception
    module one box; resnet50 its four stem layers, four stages, pool and fc — and the input."""
    result = run("summary", name, "--depth", str(depth), "--format", "svg")
    assert result.returncode == 0, result.stderr
    root = ET.fromstring(result.stdout)
    labels = [g.get("data-name") for g in root.findall(f".//{SVG}g[@class='node']")]
    assert len(labels) == boxes
    assert ("inception4a" if name == "googlenet" else "layer3") in labels


def test_explain_with_a_picture_is_refused() -> None:
    result = run("summary", COVERAGE_SPECS["lecture"], "--format", "svg", "--explain")
    assert result.returncode == 2
    assert "--explain works with" in result.stderr and "svg" in result.stderr


# -- in a real browser ---------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    chromium() is None,
    reason="no Chromium: install Debian's (apt-get install chromium; .ci/run does where it is root) "
    "or set CNNCALC_CHROMIUM",
)


@needs_chromium
def test_html_report_renders_in_a_browser_without_console_messages(tmp_path: Path) -> None:
    report = report_of("resnet50")
    page = tmp_path / "resnet50.html"
    page.write_text(report_html(report), encoding="utf-8")
    # Opened sorted by parameters, descending (#sort=5-desc), so the script surely ran.
    dom, log = dump_dom(page, "#sort=5-desc")
    assert 'data-cnncalc="ready"' in dom, dom[:400]
    assert console_messages(log) == []
    assert f"{report.totals.params:,}" in dom and f"{report.totals.macs:,}" in dom
    assert dom.count("<tr id=") == len(report.layers)
    first = re.search(r'<tr id="row-([^"]+)"', dom)
    heaviest = max(report.layers, key=lambda r: (r.params, -r.index))
    assert first is not None and first.group(1) == heaviest.name
    assert dom.count('<g class="node"') == len(report.layers) + 1
    # And it paints: a blank page's PNG is about 5 KiB, this one's over 100 KiB.
    png = tmp_path / "resnet50.png"
    screenshot(page, png, 1280, 1600)
    assert png.stat().st_size > 50_000


def test_html_page_with_depth_has_a_group_table_that_expands_into_the_layers() -> None:
    from cnncalc.groups import grouped_report

    report = grouped_report(report_of("googlenet"), 1)
    page = report_html(report)
    groups = re.findall(r'<tr id="group-([^"]+)"', page)
    assert groups == [g.name for g in report.groups or []]
    inception = next(g for g in report.groups or [] if g.name == "inception4a")
    details = re.search(
        r'<tr id="group-inception4a">.*?<details><summary>(.*?)</summary><ul>(.*?)</ul>', page
    )
    assert details is not None and "inception4a (19 layers)" in details.group(1)
    assert details.group(2).count("<li>") == len(inception.layers)  # every row it holds, the concat too
    assert f"{inception.params:,}" in page


@needs_chromium
def test_grouped_page_renders_in_a_browser_without_console_messages(tmp_path: Path) -> None:
    from cnncalc.groups import grouped_report

    report = grouped_report(report_of("resnet50"), 1)
    page = tmp_path / "resnet50-depth1.html"
    page.write_text(report_html(report), encoding="utf-8")
    dom, log = dump_dom(page)
    assert 'data-cnncalc="ready"' in dom and console_messages(log) == []
    assert dom.count("<details>") == sum(1 for g in report.groups or [] if g.kind == "group")


@needs_chromium
def test_comparison_page_renders_in_a_browser(tmp_path: Path) -> None:
    names = ["alexnet", "vgg16", "googlenet", "resnet50"]
    comparison = compare([(cnncalc.load(n), report_of(n)) for n in names])
    page = tmp_path / "compare.html"
    page.write_text(comparison_html(comparison), encoding="utf-8")
    dom, log = dump_dom(page)
    assert 'data-cnncalc="ready"' in dom
    assert console_messages(log) == []
    assert all(f"{n.params:,}" in dom for n in comparison.networks)


# -- PNG (the optional extra cnncalc[png]) -------------------------------------------------------


def _cairosvg_missing() -> str | None:
    try:
        import cairosvg  # noqa: F401
    except (ImportError, OSError) as exc:
        return f"CairoSVG or the cairo library is missing ({exc}); pip install 'cnncalc[png]'"
    return None


@pytest.mark.skipif(_cairosvg_missing() is not None, reason=str(_cairosvg_missing()))
def test_png_is_the_diagram_as_an_image(tmp_path: Path) -> None:
    import struct
    import subprocess
    import sys

    out = tmp_path / "lenet5.png"
    with out.open("wb") as stream:
        result = subprocess.run(
            [sys.executable, "-m", "cnncalc", "summary", "lenet5", "--format", "png"],
            stdout=stream,
            stderr=subprocess.PIPE,
            text=False,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    chart = subprocess.run(
        [sys.executable, "-m", "cnncalc", "compare", "lenet5", "alexnet", "--format", "png"],
        capture_output=True,
        timeout=60,
    )
    assert chart.returncode == 0 and chart.stdout[:8] == b"\x89PNG\r\n\x1a\n", chart.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    svg = ET.fromstring(diagram_svg(report_of("lenet5")))
    assert (width, height) == (round(float(svg.get("width", 0))), round(float(svg.get("height", 0))))


def test_png_without_cairosvg_says_how_to_install_it() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['cairosvg'] = None; "
        "sys.argv = ['cnncalc', 'summary', 'lenet5', '--format', 'png']; "
        "from cnncalc.cli import main; main()"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "needs CairoSVG" in result.stderr and "pip install 'cnncalc[png]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_references_several_rows_up_run_in_a_gutter_not_through_boxes() -> None:
    """``from:`` references (the README's U-Net-like example): an edge whose lanes both hold boxes
    leaves the source's right side, runs down the gutter beside its lane, across in the gap above
    the target: golden file, and no vertical run of such an edge lies inside any box."""
    from cnncalc.render.graph import BOX_HEIGHT, BOX_WIDTH, diagram_nodes, layout

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index("name: skips\n")
    network = cnncalc.parse_spec_text(readme[start : readme.index("```", start)], "skips.yaml")
    report = cnncalc.analyse(network)
    check_golden("diagram-skips.svg", diagram_svg(report))
    plan = layout(diagram_nodes(report))
    routed = [e for e in plan.edges if e.skip and e.path.count("L") == 4]
    assert routed, "the taps spec has references several rows up"
    for edge in routed:
        points = [tuple(map(float, p.lstrip("ML").split(","))) for p in edge.path.split()]
        gutter_x = points[1][0]
        top, bottom = points[1][1], points[2][1]
        for box in plan.boxes:
            inside_x = box.x < gutter_x < box.x + BOX_WIDTH
            overlaps_y = box.y < bottom and top < box.y + BOX_HEIGHT
            assert not (inside_x and overlaps_y), (edge, box.node.label)

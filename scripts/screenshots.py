"""The pictures in docs/images/, made with headless Chromium from cnncalc's own output.

    python scripts/screenshots.py

Writes the SVG diagrams of googlenet and resnet50 (the top of each, at 100 %), the HTML report
of googlenet (the whole page, its table sorted by parameters) and the comparison chart, as PNG.
"""

from __future__ import annotations

import math
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

import cnncalc  # noqa: E402
from cnncalc.compare import compare  # noqa: E402
from cnncalc.render.html import report_html  # noqa: E402
from cnncalc.render.svg import compare_svg, diagram_svg  # noqa: E402
from tests.browser import chromium, screenshot  # noqa: E402

IMAGES = ROOT / "docs" / "images"


def main() -> None:
    if chromium() is None:
        raise SystemExit("no chromium: apt-get install chromium (or set CNNCALC_CHROMIUM)")
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        reports = {name: cnncalc.analyse(cnncalc.load(name)) for name in ("googlenet", "resnet50")}
        for name, height in (("googlenet", 1720), ("resnet50", 1560)):
            svg = work / f"{name}.svg"
            svg.write_text(diagram_svg(reports[name]), encoding="utf-8")
            width = math.ceil(float(svg.read_text(encoding="utf-8").split('width="', 1)[1].split('"', 1)[0]))
            screenshot(svg, IMAGES / f"diagram-{name}.png", width, height)
        page = work / "googlenet.html"
        page.write_text(report_html(reports["googlenet"]), encoding="utf-8")
        # The whole page (the diagram and the table scroll inside their boxes), the table sorted
        # by parameters, largest first, as the link report.html#sort=5-desc opens it.
        screenshot(page, IMAGES / "report-googlenet.png", 1280, 2900, "#sort=5-desc")
        names = ["alexnet", "vgg16", "googlenet", "resnet50"]
        comparison = compare([(cnncalc.load(n), cnncalc.analyse(cnncalc.load(n))) for n in names])
        chart = work / "compare.svg"
        chart.write_text(compare_svg(comparison), encoding="utf-8")
        screenshot(chart, IMAGES / "compare.png", 672, 640)
    for png in sorted(IMAGES.glob("*.png")):
        print(f"{png.relative_to(ROOT)}  {png.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()

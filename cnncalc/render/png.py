"""PNG from the SVG drawings, through CairoSVG (the optional extra ``pip install 'cnncalc[png]'``).

CairoSVG is pure Python over the cairo C library (``libcairo2`` on Debian/Ubuntu, ``cairo`` in
Homebrew), which pip does not install: where cairo is missing the error says so. Without either,
``--format svg`` opens in any browser, which can also save a PNG.
"""

from __future__ import annotations

from cnncalc.errors import MissingDependencyError
from cnncalc.i18n import N_, _

INSTALL_HINT = N_(
    "pip install 'cnncalc[png]' (and the cairo library: apt-get install libcairo2), or use --format svg"
)


def svg_to_png(svg: str, scale: float = 1.0) -> bytes:
    """The PNG of an SVG document written by :mod:`cnncalc.render.svg` (nothing external is read)."""
    try:
        import cairosvg
    except ImportError as exc:
        raise MissingDependencyError(
            _("--format png needs CairoSVG, which is not installed ({error})").format(error=exc),
            hint=_(INSTALL_HINT),
        ) from None
    except OSError as exc:  # cairocffi found no libcairo
        raise MissingDependencyError(
            _("--format png needs the cairo library, which was not found ({error})").format(error=exc),
            hint=_(INSTALL_HINT),
        ) from None
    png: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale, unsafe=False)
    return png

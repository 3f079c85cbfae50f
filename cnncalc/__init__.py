"""cnncalc: exact shapes, parameters, MACs/FLOPs, memory and receptive fields of CNNs.

Library use::

    import cnncalc
    net = cnncalc.load("32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10")
    report = cnncalc.analyse(net, batch=1, dtype="fp32")
    report.totals.params        # 25,370 ...

Every error raised on purpose is a :class:`CnncalcError` (never ``SystemExit``).
"""

from __future__ import annotations

from cnncalc.analysis import analyse
from cnncalc.errors import CnncalcError, Location, ShapeError, SpecError, UsageError
from cnncalc.parse import load_network, load_spec_file, parse_oneline_spec, parse_spec_text
from cnncalc.report import Report
from cnncalc.spec import Network

load = load_network

__version__ = "0.1.0"

__all__ = [
    "CnncalcError",
    "Location",
    "Network",
    "Report",
    "ShapeError",
    "SpecError",
    "UsageError",
    "analyse",
    "load",
    "load_network",
    "load_spec_file",
    "parse_oneline_spec",
    "parse_spec_text",
]

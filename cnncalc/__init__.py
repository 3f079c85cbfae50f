"""cnncalc: exact shapes, parameters, MACs/FLOPs, memory and receptive fields of CNNs.

Library use::

    import cnncalc
    net = cnncalc.load("32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10")
    report = cnncalc.analyse(net, batch=1, dtype="fp32")
    report.totals.params        # 26,370 ...

Every error raised on purpose is a :class:`CnncalcError` (never ``SystemExit``). The names below
are imported on first use, so that ``import cnncalc`` (and the CLI's start-up) stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "CnncalcError": "cnncalc.errors",
    "Location": "cnncalc.errors",
    "ShapeError": "cnncalc.errors",
    "SpecError": "cnncalc.errors",
    "UsageError": "cnncalc.errors",
    "analyse": "cnncalc.analysis",
    "load_network": "cnncalc.parse",
    "load_spec_file": "cnncalc.parse",
    "parse_oneline_spec": "cnncalc.parse",
    "parse_spec_text": "cnncalc.parse",
    "Report": "cnncalc.report",
    "Network": "cnncalc.spec",
}
_ALIASES = {"load": "load_network"}

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

if TYPE_CHECKING:
    from cnncalc.analysis import analyse
    from cnncalc.errors import CnncalcError, Location, ShapeError, SpecError, UsageError
    from cnncalc.parse import load_network, load_spec_file, parse_oneline_spec, parse_spec_text
    from cnncalc.parse import load_network as load
    from cnncalc.report import Report
    from cnncalc.spec import Network


def __getattr__(name: str) -> Any:
    target = _ALIASES.get(name, name)
    if target not in _EXPORTS:
        raise AttributeError(f"module 'cnncalc' has no attribute '{name}'")
    value = getattr(import_module(_EXPORTS[target]), target)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])

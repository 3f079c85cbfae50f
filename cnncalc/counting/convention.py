"""A network counted under a peer tool's convention (``--count-as``, ``cnncalc count``).

Reads a :class:`~cnncalc.report.Report` and the network it was made from; never imports torch or a
peer tool. The rules of each tool are in :mod:`cnncalc.counting.presets`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cnncalc.counting.facts import Facts, facts_of
from cnncalc.counting.names import CONVENTIONS, FORWARD_STYLES
from cnncalc.counting.presets import FUNCTIONAL, MODULE, PRESETS, Part, Preset
from cnncalc.errors import UsageError
from cnncalc.report import Report
from cnncalc.spec import Network

# How the forward pass is written. "export": every op a module, the residual add 'x + y' (what
# ``cnncalc export`` writes). "torchvision": as torchvision's own forward for the bundled specs.
STYLES = FORWARD_STYLES

# Rows torchvision's forward calls as functions (torchvision/models/googlenet.py: BasicConv2d and
# InceptionAux use F.relu; InceptionAux uses F.adaptive_avg_pool2d). Other bundled nets
# (AlexNet, VGG, ResNet) call modules for these; ResNet's 'out += identity' is an operator.
PER_SAMPLE = ("torchvision", "ptflops")
_TORCHVISION_FUNCTIONAL = {"googlenet": ("relu", "aux_pool")}


@dataclass(frozen=True)
class CountedRow:
    facts: Facts
    part: Part
    style: str  # MODULE or FUNCTIONAL


@dataclass(frozen=True)
class Counted:
    """A network counted under one preset."""

    preset: Preset
    batch: int
    style: str
    rows: list[CountedRow]

    @property
    def total(self) -> int:
        """The tool's total (what it prints as the model's count)."""
        return sum(r.part.total for r in self.rows)

    @property
    def reference_batch(self) -> int:
        """The batch cnncalc's count is taken for: torchvision publishes per image, and ptflops
        divides its module counts by the batch (its patched functionals it does not)."""
        return 1 if self.preset.key in PER_SAMPLE else self.batch

    @property
    def reference(self) -> int:
        """cnncalc's count in the tool's measure: MACs, or FLOPs = 2 × MACs."""
        factor = 2 if self.preset.measures == "flops" else 1
        return factor * self.reference_batch * sum(r.facts.row.macs for r in self.rows)

    def by_rule(self) -> dict[str, tuple[int, int]]:
        """Rule key -> (rows, the tool's count minus cnncalc's for those rows), in rule order."""
        factor = 2 if self.preset.measures == "flops" else 1
        batch = self.reference_batch
        result: dict[str, tuple[int, int]] = {key: (0, 0) for key in self.preset.rules}
        for r in self.rows:
            rows, diff = result[r.part.rule]
            result[r.part.rule] = (rows + 1, diff + r.part.total - factor * batch * r.facts.row.macs)
        return {k: v for k, v in result.items() if v[0]}


assert tuple(PRESETS) == CONVENTIONS


def torchvision_model(network: Network) -> str | None:
    """The torchvision builder a spec follows (its reference names ``torchvision.models.X``)."""
    match = re.search(r"torchvision\.models\.(\w+)", network.reference or "")
    return match.group(1) if match else None


def _functional(model: str, facts: Facts) -> bool:
    kinds = _TORCHVISION_FUNCTIONAL.get(model, ())
    if facts.kind == "relu" and "relu" in kinds:
        return True
    return "aux_pool" in kinds and facts.kind == "adaptiveavgpool" and facts.row.name.startswith("aux")


def preset(key: str) -> Preset:
    """The preset named ``key`` (UsageError listing the choices otherwise)."""
    if key not in PRESETS:
        raise UsageError(f"unknown convention '{key}'", hint=f"choose from {', '.join(PRESETS)}")
    return PRESETS[key]


def count_as(report: Report, network: Network, key: str, *, style: str = "export") -> Counted:
    """``report`` (made from ``network``) counted as the tool ``key`` counts, for the report's batch."""
    chosen = preset(key)
    if style not in STYLES:
        raise UsageError(f"unknown forward style '{style}'", hint=f"choose from {', '.join(STYLES)}")
    model = torchvision_model(network) if style == "torchvision" else None
    if style == "torchvision" and model is None:
        raise UsageError(
            f"'{network.name}' does not follow a torchvision model, so --forward-style torchvision "
            "has no meaning for it",
            hint="use --forward-style export (the module 'cnncalc export' writes)",
        )
    batch = report.settings.batch
    rows = []
    for facts in facts_of(report, network):
        how = FUNCTIONAL if model is not None and _functional(model, facts) else MODULE
        rows.append(CountedRow(facts, chosen.count(facts, batch, how), how))
    return Counted(chosen, batch, style, rows)


__all__ = ["PRESETS", "STYLES", "Counted", "CountedRow", "count_as", "preset"]

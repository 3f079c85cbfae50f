"""The PyTorch bridge: build a network as an ``nn.Module``, export it as Python source, and verify
cnncalc's numbers against PyTorch. Torch is imported lazily, only here; without it every entry
point raises :class:`~cnncalc.errors.MissingDependencyError` with the install hint."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cnncalc.spec import Network
    from cnncalc.torch_bridge.verification import VerifyResult


def build_module(network: Network) -> Any:
    """An ``nn.Module`` equivalent to ``network`` (see :mod:`cnncalc.torch_bridge.plan`)."""
    from cnncalc.torch_bridge.modules import build_module as _build

    return _build(network)


def export_source(network: Network) -> str:
    """Readable, runnable Python source defining the module of ``network``."""
    from cnncalc.torch_bridge.codegen import export_source as _export

    return _export(network)


def verify(
    network: Network,
    *,
    device: str = "meta",
    batch: int = 1,
    dtype: str = "fp32",
    optimizer: str = "adam",
    memory: bool = False,
) -> VerifyResult:
    """Build, run and compare with cnncalc's report (see :mod:`cnncalc.torch_bridge.verification`)."""
    from cnncalc.torch_bridge.verification import verify as _verify

    return _verify(network, device=device, batch=batch, dtype=dtype, optimizer=optimizer, memory=memory)


__all__ = ["build_module", "export_source", "verify"]

"""Exercises like the slides' "Vamos praticar?": an input volume and a few layers; for each layer,
what is the output volume and how many parameters? Reproducible by seed; the answer key comes from
the engine, and :func:`cnncalc.teach.check.answers_template` turns an exercise into an answers file.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from cnncalc.analysis import analyse
from cnncalc.parse import parse_oneline_spec
from cnncalc.report import Report

# The input sizes and hyper-parameters the lectures use (004 "Valores frequentemente utilizados").
_INPUTS = ((32, 3), (28, 1), (64, 3), (227, 3), (224, 3), (96, 3), (48, 1), (128, 3))
_CONV = ((3, 1, 1), (5, 1, 2), (1, 1, 0), (3, 1, 0), (5, 1, 0), (3, 2, 1), (7, 2, 3), (11, 4, 0), (5, 2, 2))
_POOL = ((2, 2), (3, 2))
_FILTERS = (6, 8, 10, 16, 32, 64, 96, 128)
_UNITS = (10, 18, 100, 128, 1000)


@dataclass(frozen=True)
class QuizLayer:
    kind: str  # conv, maxpool, avgpool, fc
    filters: int = 0
    kernel: int = 0
    stride: int = 1
    padding: int = 0
    units: int = 0

    def spec(self) -> str:
        if self.kind == "conv":
            return f"conv {self.filters} k{self.kernel} s{self.stride} p{self.padding}"
        if self.kind in ("maxpool", "avgpool"):
            return f"{self.kind} {self.kernel} {self.stride}"
        return f"fc {self.units}"


@dataclass(frozen=True)
class Exercise:
    seed: int
    height: int
    width: int
    channels: int
    layers: tuple[QuizLayer, ...]
    weights_only: bool = False  # parameters without biases (the slides' "sem contar os biases")
    inexact: bool = False  # one layer's division is not whole (não cabe)

    @property
    def spec(self) -> str:
        """The exercise as a one-line spec (the network of the answers file)."""
        return " | ".join(
            [f"{self.height}x{self.width}x{self.channels}", *(layer.spec() for layer in self.layers)]
        )

    def report(self) -> Report:
        return analyse(parse_oneline_spec(self.spec))


def _fits(height: int, layer: QuizLayer) -> int | None:
    """The output size when the window tiles the input exactly, else None."""
    span = height + 2 * layer.padding - layer.kernel
    if span < 0 or span % layer.stride:
        return None
    return span // layer.stride + 1


def _floored(height: int, layer: QuizLayer) -> int | None:
    """The output size when the window does not tile the input (não cabe: PyTorch floors), else None."""
    span = height + 2 * layer.padding - layer.kernel
    if span < 0 or not span % layer.stride:
        return None
    return span // layer.stride + 1


def make_exercise(
    seed: int, layers: int = 3, *, inexact: bool = False, weights_only: bool = False
) -> Exercise:
    """A reproducible exercise: ``layers`` conv/pool layers whose windows all fit exactly, and an
    fc layer at the end when the map is small enough to flatten by hand. ``inexact``: exactly one
    layer's division does not come out whole ("não cabe"), so the answer is PyTorch's floor.
    ``weights_only``: the parameters asked are weights without biases."""
    if not 1 <= layers <= 8:
        from cnncalc.errors import UsageError
        from cnncalc.i18n import _

        raise UsageError(_("an exercise has 1 to 8 layers, got {n}").format(n=layers))
    rng = random.Random(seed)
    for _ in range(1000):
        size, channels = rng.choice(_INPUTS)
        current = size
        chosen: list[QuizLayer] = []
        misfit_at = rng.randrange(layers) if inexact else -1
        for i in range(layers):
            pool_now = i > 0 and chosen[-1].kind == "conv" and rng.random() < 0.5
            options: list[QuizLayer]
            if pool_now:
                kind = rng.choice(("maxpool", "maxpool", "avgpool"))
                options = [QuizLayer(kind, kernel=k, stride=s) for k, s in _POOL]
            else:
                filters = rng.choice(_FILTERS)
                options = [QuizLayer("conv", filters, k, s, p) for k, s, p in _CONV]
            rng.shuffle(options)
            size_of = _floored if i == misfit_at else _fits
            layer = next((o for o in options if (size_of(current, o) or 0) >= 2), None)
            if layer is None:
                break
            chosen.append(layer)
            current = size_of(current, layer) or 0
        else:
            if current <= 8:
                chosen.append(QuizLayer("fc", units=rng.choice(_UNITS)))
            return Exercise(seed, size, size, channels, tuple(chosen), weights_only, inexact)
    raise AssertionError("no exercise found")  # pragma: no cover - the tables above always allow one


def question_layers(report: Report) -> list[str]:
    """Names of the layers the exercise asks about (every layer; no activations are generated)."""
    return [row.name for row in report.layers]

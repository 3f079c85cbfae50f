"""The working is arithmetic that adds up: every substituted expression evaluates to the value the
engine computed, across every layer kind; and the renderers show it in text, Markdown, LaTeX, CSV."""

from __future__ import annotations

import ast
import csv
import io
import math
import operator
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import cnncalc
from cnncalc.i18n import set_language
from cnncalc.render.explain import latex_math, render_working
from cnncalc.teach.working import Step, explain

SPECS = [
    "32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10",
    "224x224x3 | conv 64 k7 s2 p3 nobias | bn | relu | maxpool 3 2 p1 | {conv 64 k3 p1 | bn | relu} | gap | fc 1000",
    "56x56x64 | {conv 128 k3 s2 p1 nobias | bn ; conv 128 k1 s2 nobias | bn}",
    "28x28x192 | [conv 64 k1 ; conv 96 k1 | conv 128 k3 p1 ; maxpool 3 1 p1 | conv 32 k1]",
    "32x32x32 | conv 32 k3 p1 groups=32 | conv 64 k3 d2 p2 | conv 64 k3 same | avgpool 3 2 ceil",
    "16x16x8 | deconv 4 k4 s2 p1 | conv 3 k3 s3 | maxpool 2 ceil | flatten | dropout | fc 5 nobias",
    "7x7x1 | conv 1 k3 s3",
    "13x17x3 | conv 4 k=[3,5] s=[2,1] | maxpool 2",
    # the modern single-tensor kinds
    "16x12x8 | groupnorm 4 | layernorm nobias | upsample 1.5 bilinear | pixelshuffle 2 | pixelunshuffle 3 "
    "| channel_linear 16 | layerscale | stochastic_depth 0.1 | channel_shuffle 4 | instancenorm affine "
    "| upsample [2, 0.7] | channel_linear 4 nobias | gap | flatten | layernorm",
]


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    set_language("en")  # the working's words are checked in English
    yield


def _evaluate(expression: str) -> Fraction:
    """Evaluate a substituted formula (×, −, /, ⌈⌉, parentheses) exactly, without eval."""
    text = expression.replace("×", "*").replace("−", "-").replace("⌈", "ceil(").replace("⌉", ")")
    text = text.replace("⌊", "floor(").replace("⌋", ")").replace("²", "**2")
    ops = {
        ast.Add: operator.add,
        ast.Sub: operator.sub,
        ast.Mult: operator.mul,
        ast.Div: operator.truediv,
        ast.Pow: operator.pow,
    }

    def walk(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp):
            return ops[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.Constant):
            return Fraction(node.value)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("ceil", "floor"):
            rounding = math.ceil if node.func.id == "ceil" else math.floor  # type: ignore[attr-defined]
            return Fraction(rounding(walk(node.args[0])))
        raise AssertionError(f"unexpected {ast.dump(node)} in {expression!r}")

    return walk(ast.parse(text, mode="eval"))


def _arithmetic(step: Step) -> str | None:
    """The numbers of a step when they are a plain expression (not shapes or bytes labels)."""
    if not step.numbers or isinstance(step.result, str) or step.formula in ("C′ = K", "C′ = C"):
        return None
    return step.numbers.replace(" × ", "×")


@pytest.mark.parametrize("spec", SPECS)
def test_every_substituted_expression_evaluates_to_the_engines_number(spec: str) -> None:
    network = cnncalc.load(spec)
    report = cnncalc.analyse(network, batch=2, dtype="fp16")
    working = explain(network, report)
    assert [layer.index for layer in working.layers] == [row.index for row in report.layers]
    checked = 0
    for layer in working.layers:
        for step in layer.steps:
            expression = _arithmetic(step)
            if expression is None:
                continue
            assert _evaluate(expression) == step.value, (layer.name, step)
            checked += 1
            if not step.notes or step.fits:
                assert step.value == step.result or not step.fits, (layer.name, step)
    assert checked >= len(working.layers)
    params, macs, activations = working.totals
    assert (params.result, macs.result) == (report.totals.params, report.totals.macs)
    assert activations.result == report.totals.activation_sum_elements


def test_non_integer_sizes_are_flagged_and_floored() -> None:
    network = cnncalc.load("16x16x8 | conv 3 k3 s3")
    (layer,) = explain(network, cnncalc.analyse(network)).layers
    size = layer.steps[0]
    assert (size.numbers, size.value, size.result) == ("(16 + 2×0 − 3)/3 + 1", Fraction(16, 3) + 0, 5)
    assert not size.fits and size.notes[0][1] == {"exact": "5.33", "result": "5"}


def test_ceil_mode_and_dilation_formulas() -> None:
    network = cnncalc.load("32x32x3 | conv 8 k3 d2 p2 | maxpool 3 2 ceil")
    conv, pool = explain(network, cnncalc.analyse(network)).layers
    assert conv.steps[0].formula == "(N + 2P − D×(F − 1) − 1)/S + 1"
    assert conv.steps[0].numbers == "(32 + 2×2 − 2×(3 − 1) − 1)/1 + 1" and conv.steps[0].result == 32
    assert pool.steps[0].formula == "⌈(N − F)/S⌉ + 1"
    assert pool.steps[0].numbers == "⌈(32 − 3)/2⌉ + 1" and pool.steps[0].result == 16  # 15.5 → 16


LECTURE = "32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10"


def _working():  # type: ignore[no-untyped-def]
    network = cnncalc.load(LECTURE)
    return explain(network, cnncalc.analyse(network))


def test_text_rendering() -> None:
    text = render_working(_working(), "text")
    assert "Layer 1 'conv1'" in text
    assert "  output height = width: (N + 2P − F)/S + 1 = (32 + 2×2 − 5)/1 + 1 = 32\n" in text
    assert "  parameters: (F×F×C + 1)×K = (5×5×3 + 1)×10 = 760\n" in text
    assert "  total parameters: Σ = 760 + 25610 = 26,370\n" in text


def test_markdown_rendering() -> None:
    md = render_working(_working(), "markdown")
    assert "| Quantity | Formula | Numbers | Value |" in md
    assert "| parameters | `(F×F×C + 1)×K` | (5×5×3 + 1)×10 | 760 |" in md


def test_latex_rendering() -> None:
    latex = render_working(_working(), "latex")
    assert r"\frac{N + 2P - F}{S} + 1 = \frac{32 + 2\times 2 - 5}{1} + 1 = 32" in latex
    assert latex.count(r"\begin{align*}") == latex.count(r"\end{align*}") == 5
    assert latex_math("⌈(32 − 3)/2⌉ + 1") == r"\lceil \frac{32 - 3}{2}\rceil  + 1"
    assert latex_math("in×out + out") == r"\mathrm{in}\times \mathrm{out} + \mathrm{out}"


def test_csv_rendering() -> None:
    rows = list(csv.DictReader(io.StringIO(render_working(_working(), "csv"))))
    params = [r for r in rows if r["quantity"] == "parameters" and r["layer"] == "conv1"]
    assert params == [
        {"index": "1", "layer": "conv1", "type": "conv", "quantity": "parameters", "formula": "(F×F×C + 1)×K",
         "numbers": "(5×5×3 + 1)×10", "value": "760", "result": "760", "notes": ""}
    ]  # fmt: skip
    assert rows[-1]["layer"] == "totals"


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 64),
    k=st.integers(1, 7),
    s=st.integers(1, 4),
    p=st.integers(0, 3),
    d=st.integers(1, 3),
    ceil=st.booleans(),
)
def test_size_steps_agree_with_the_engine(n: int, k: int, s: int, p: int, d: int, ceil: bool) -> None:
    pool_pad = min(p, k // 2)
    cases = []
    if n + 2 * p - d * (k - 1) - 1 >= 0:
        cases.append((f"{n}x{n}x2 | conv 3 k{k} s{s} p{p} d{d}", n + 2 * p - d * (k - 1) - 1, False))
    if n + 2 * pool_pad - k >= 0:
        cases.append(
            (
                f"{n}x{n}x2 | maxpool {k} {s} p{pool_pad}" + (" ceil" if ceil else ""),
                n + 2 * pool_pad - k,
                ceil,
            )
        )
    assume(cases)
    for spec, span, ceil_mode in cases:
        network = cnncalc.load(spec)
        report = cnncalc.analyse(network)
        size = explain(network, report).layers[0].steps[0]
        assert _evaluate(size.numbers) == size.value, spec
        assert size.result == report.layers[0].output_shape.height, spec
        if not ceil_mode:
            assert size.result == math.floor(size.value), spec  # PyTorch floors (N + 2P − F_eff)/S + 1
            assert size.fits == (span % s == 0), spec
            assert bool(size.notes) != size.fits, spec  # "não cabe" exactly when it does not fit


def test_explain_walks_side_outputs_like_the_engine() -> None:
    # googlenet-aux has two auxiliary heads (side outputs); explain must pair every report row.
    import cnncalc
    from cnncalc.teach.working import explain

    network = cnncalc.load("googlenet-aux")
    report = cnncalc.analyse(network)
    working = explain(network, report)
    assert [layer.name for layer in working.layers] == [row.name for row in report.layers]
    assert any(layer.name.startswith("aux1.") for layer in working.layers)

"""The one-layer calculators, explain and summary --explain/--format latex through the CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cnncalc.cli import cli
from cnncalc.i18n import set_language


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    set_language("en")
    yield
    set_language("en")


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


# (command line, lines the working must show) — the questions students get, with the slides' answers.
CALCULATOR_CASES = [
    (  # 004 "Vamos praticar?": 32×32×3, 10 filtros 5×5, stride 1, pad 2
        ["conv", "32x32x3", "--filters", "10", "-k", "5", "-s", "1", "-p", "2"],
        ["output height = width: (N + 2P − F)/S + 1 = (32 + 2×2 − 5)/1 + 1 = 32",
         "weights per filter: F×F×C = 5×5×3 = 75", "parameters: (F×F×C + 1)×K = (5×5×3 + 1)×10 = 760"],
    ),
    (  # 004 AlexNet POOL1
        ["pool", "55x55x96", "-k", "3", "-s", "2"],
        ["output height = width: (N − F)/S + 1 = (55 − 3)/2 + 1 = 27", "output volume: H′×W′×C′ = 27×27×96"],
    ),
    (  # 004 AlexNet FC6
        ["fc", "9216", "4096"],
        ["parameters: in×out + out = 9216×4096 + 4096 = 37,752,832", "MACs (multiply-accumulates): in×out = 9216×4096 = 37,748,736"],
    ),
    (["fc", "6x6x256", "4096"], ["inputs after flattening: H×W×C = 6×6×256 = 9,216"]),
    (  # 000 "input 7x7, filtro 3x3, com stride 3 — não cabe!" (7x7 means one channel)
        ["conv", "7x7", "-k", "3", "-s", "3"],
        ["= (7 + 2×0 − 3)/3 + 1 = 2.33 → 2", "⚠ does not fit (não cabe): 2.33 → PyTorch floors it to 2"],
    ),
    (["same", "-k", "7"], ["padding that keeps the size (stride 1): (F − 1)/2 = (7 − 1)/2 = 3"]),
    (["solve", "227", "55", "-k", "11", "-p", "0"], ["S = 4, P = 0: output size: (N + 2P − F)/S + 1 = (227 + 2×0 − 11)/4 + 1 = 55"]),
]  # fmt: skip


@pytest.mark.parametrize(("args", "lines"), CALCULATOR_CASES)
def test_calculators_show_the_working(args: list[str], lines: list[str]) -> None:
    out = invoke(*args)
    for line in lines:
        assert line in out, (line, out)


def test_calculators_have_no_totals() -> None:
    assert "Totals" not in invoke("conv", "32x32x3", "-K", "10", "-k", "5", "-p", "2")


def test_explain_one_layer_and_formats() -> None:
    out = invoke(
        "explain",
        "224x224x3 | conv3-64 | maxpool | fc 10",
        "--layer",
        "maxpool1",
    )
    assert out.count("Layer ") == 1 and "(224 − 2)/2 + 1 = 112" in out
    assert invoke("explain", "8x8x1 | conv 2 k3", "-f", "markdown").startswith("## 8x8x1 | conv 2 k3")
    assert r"\begin{align*}" in invoke("explain", "8x8x1 | conv 2 k3", "-f", "latex")
    assert invoke("explain", "8x8x1 | conv 2 k3", "-f", "csv").startswith("index,layer,type,quantity")


def test_summary_explain_and_latex() -> None:
    out = invoke("summary", "32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10", "--explain")
    assert "26,370" in out  # the table's totals ...
    assert "parameters: (F×F×C + 1)×K = (5×5×3 + 1)×10 = 760" in out  # ... then the working
    latex = invoke("summary", "227x227x3 | conv 96 k11 s4 | maxpool 3 2", "--format", "latex")
    assert r"1 & conv1 & conv & $55\times 55\times 96$ & 34{,}944 & 105{,}415{,}200 \\" in latex
    assert latex.rstrip().endswith(r"\end{tabular}")
    refused = CliRunner().invoke(cli, ["summary", "8x8x1 | conv 1 k3", "--json", "--explain"])
    assert refused.exit_code != 0


def test_summary_table_headers_in_portuguese() -> None:
    out = invoke("--lang", "pt", "summary", "32x32x3 | conv 10 k5 s1 p2")
    assert "Camada" in out and "Saída" in out and "H×W×C" in out and "Parâmetros" in out


def test_bad_calculator_input_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["conv", "32x32", "-k", "5", "-p", "x"])
    assert result.exit_code != 0
    assert "--padding must be a whole number" in str(result.exception)


def test_summary_totals_and_warnings_in_portuguese() -> None:
    result = CliRunner().invoke(cli, ["--lang", "pt", "summary", "7x7x1 | conv 1 k3 s3"])
    assert "Soma das ativações" in result.output and "Pico na inferência" in result.output
    assert "pesos 9 + biases 1" in result.output
    # the warning: the fit suggestion joins its parts with "ou", and the label is Portuguese
    assert "aviso: camada 1 'conv1'" in result.output
    assert "cabe exatamente com zero-padding 1 (→ 3) ou stride 1 (→ 5), 2 (→ 3)" in result.output

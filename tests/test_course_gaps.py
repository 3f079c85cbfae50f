"""Grading and working by hand (issue 14): hints for the slides' usual mistakes, a chain of
stages in 'apply', a one-line spec from a vector, and quiz exercises that do not fit or count
weights only. CLI behaviours go through the real entry point (``python -m cnncalc``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cnncalc
from cnncalc.teach import check as C
from cnncalc.teach.quiz import make_exercise

# The slides' Wine MLP (001): 13 features, two hidden layers of 8 and 4, 3 categories.
WINE = "13 | fc 8 | fc 4 | fc 3"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LANGUAGE", "CNNCALC_DEBUG")}
    return subprocess.run(
        [sys.executable, "-m", "cnncalc", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**env, "COLUMNS": "100"},
        timeout=60,
    )


def grade(network: str, answers: str) -> C.Grade:
    parsed = C.load_answers(f'network: "{network}"\n{answers}', "answers.yaml")
    net = cnncalc.load(parsed.network)
    return C.grade(parsed, net, cnncalc.analyse(net))


# (network, the answer, the hint it must get) — each mistake the issue names, from the slides.
NAMED_MISTAKES = [
    # 004 AlexNet: (227 − 11)/4 + 1 = 55; without the + 1 → 54
    ("227x227x3 | conv 96 k11 s4", "conv1: {output: 54x54x96}", C.HINT_PLUS_ONE),
    # 32×32 with F5 P2: 32; without the + 1 → 31
    ("32x32x3 | conv 10 k5 s1 p2", "conv1: {output: 31x31x10}", C.HINT_PLUS_ONE),
    # AlexNet conv2 on 27×27 with F5 P2: 27; without the + 1 → 26
    ("27x27x96 | conv 256 k5 p2", "conv1: {output: 26x26x256}", C.HINT_PLUS_ONE),
    # the stride forgotten: (227 − 11)/1 + 1 = 217
    ("227x227x3 | conv 96 k11 s4", "conv1: {output: 217x217x96}", C.HINT_STRIDE),
    # the second conv's filters taken 3 deep (the network input) instead of 16: (3×3×3 + 1)×16 = 448
    ("32x32x3 | conv 16 k3 p1 | conv 16 k3 p1", "conv2: {params: 448}", C.HINT_PREVIOUS_DEPTH),
    # AlexNet FC6: 6×6×256 = 9216 inputs, 4096 neurons
    ("6x6x256 | fc 4096", "fc1: {params: 9216}", C.HINT_FC_INPUTS),
    ("6x6x256 | fc 4096", "fc1: {output: 9216}", C.HINT_FC_INPUTS),
]


@pytest.mark.parametrize(("network", "answer", "hint"), NAMED_MISTAKES)
def test_hints_for_the_named_mistakes(network: str, answer: str, hint: str) -> None:
    (verdict,) = grade(network, f"answers:\n  {answer}\n").verdicts
    assert not verdict.correct
    assert hint in [h for h, _ in verdict.hints], verdict.hints
    assert C.HINT_GENERIC not in [h for h, _ in verdict.hints]


def test_hint_for_a_total_without_the_output_layer_wine_mlp() -> None:
    # 001: "Número de parâmetros: 8x(13+1) + 4x(8+1) = 148"; the network has 163 (fc3: 4×3 + 3).
    (verdict,) = grade(WINE, "totals: {params: 148}\n").verdicts
    assert verdict.expected == "163"
    assert verdict.hints[0] == (C.HINT_OUTPUT_LAYER, {"layer": "fc3", "params": "15"})
    (other,) = grade(WINE, "totals: {params: 127}\n").verdicts  # 163 − fc2's 36
    assert [h for h, _ in other.hints] == [C.HINT_LEFT_OUT_LAYER]


def test_check_prints_the_named_hints_in_portuguese(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        'network: "227x227x3 | conv 96 k11 s4"\nanswers:\n  conv1: {output: 54x54x96}\n', encoding="utf-8"
    )
    result = run("check", "a.yaml", "--lang", "pt", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "dica: você esqueceu o + 1 de (N + 2P − F)/S + 1: a saída é 55, não 54" in result.stdout


def test_one_line_spec_from_a_vector() -> None:
    result = run("summary", WINE, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["input"]["channels"], report["input"]["height"], report["input"]["hwc"]) == (
        13,
        None,
        "13",
    )
    assert [row["params"] for row in report["layers"]] == [112, 36, 15]
    assert report["totals"]["params"] == 163
    assert cnncalc.analyse(cnncalc.load("1x1x13 | fc 8 | fc 4 | fc 3")).totals.params == 163


def test_a_vector_input_cannot_feed_a_convolution() -> None:
    result = run("summary", "13 | conv 8 k3")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.startswith("error:")


# A 4×4 matrix through conv (2×2, P = 1) → ReLU → max pooling 2×2 → conv (2×2 of ones), by hand.
CHAIN_INPUT = "1 2 0 1; 0 1 3 1; 2 0 1 0; 1 1 0 2"


def test_apply_runs_a_chain_and_shows_every_stage() -> None:
    args = ("apply", "conv", CHAIN_INPUT, "-w", "1 0; 0 -1", "-p", "1")
    stages = ("--then", "relu", "--then", "maxpool -k 2", "--then", "conv -w '1 1; 1 1'")
    result = run(*args, *stages)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for n, op in enumerate(("conv", "relu", "maxpool", "conv"), start=1):
        assert f"── Stage {n}: {op}\n" in out
    assert "  -1  -2   0  -1   0\n" in out  # conv: x[i][j] − x[i−1][j−1] on the padded input
    assert "  0  0  0  3  1\n" in out  # after ReLU
    assert "  0  0\n  1  3\n" in out  # 2×2 max pooling of the 5×5 (não cabe: the last row dropped)
    assert out.rstrip().endswith("Output volume 1×1×1:\n  4")
    data = json.loads(run(*args, *stages, "--format", "json").stdout)
    assert [s["operation"] for s in data["stages"]] == ["conv", "relu", "maxpool", "conv"]
    assert data["stages"][2]["output"] == [[[0, 0], [1, 3]]]
    assert data["output"] == [[[4]]]
    assert "não cabe" in data["stages"][2]["warnings"][0]


def test_apply_chain_agrees_with_running_each_stage() -> None:
    first = json.loads(
        run("apply", "conv", CHAIN_INPUT, "-w", "1 0; 0 -1", "-p", "1", "--relu", "-f", "json").stdout
    )
    matrix = "; ".join(" ".join(str(v) for v in row) for row in first["output"][0])
    alone = json.loads(run("apply", "maxpool", matrix, "-k", "2", "-f", "json").stdout)
    chained = json.loads(
        run("apply", "conv", CHAIN_INPUT, "-w", "1 0; 0 -1", "-p", "1", "--then", "relu", "--then", "maxpool",
            "-f", "json").stdout
    )  # fmt: skip
    assert chained["output"] == alone["output"]


@pytest.mark.parametrize(
    ("stage", "message"),
    [("nosuch", "--then 'nosuch'"), ("conv", "apply conv needs at least one --filter"), ("maxpool -x", "-x")],
)
def test_apply_chain_bad_stage_is_a_clear_error(stage: str, message: str) -> None:
    result = run("apply", "maxpool", "1 2; 3 4", "-k", "1", "--then", stage)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_quiz_exercises_that_do_not_fit() -> None:
    for seed in range(30):
        exercise = make_exercise(seed, 3, inexact=True)
        report = exercise.report()
        assert len(report.warnings) >= 1, exercise.spec  # one division does not come out whole
        assert all("não cabe" in w.message for w in report.warnings)
    result = run("quiz", "--seed", "4", "--inexact", "--key")
    assert result.returncode == 0, result.stderr
    assert "Careful: in one layer the division does not come out whole (não cabe)" in result.stdout
    assert "does not fit (não cabe)" in result.stdout  # the key shows the working of the floor
    portuguese = run("quiz", "--seed", "4", "--inexact", "--lang", "pt").stdout
    assert "Atenção: em uma camada a divisão não é exata (não cabe)" in portuguese


def test_quiz_weights_only_questions_grade_with_check(tmp_path: Path) -> None:
    exercise = make_exercise(5, 3, weights_only=True)
    report = exercise.report()
    text = run("quiz", "--seed", "5", "--weights-only").stdout
    assert "How many weights (without the biases)?" in text
    key = run("quiz", "--seed", "5", "--weights-only", "--key").stdout
    assert f"Total: {report.totals.weights:,} weights" in key
    template = run("quiz", "--seed", "5", "--weights-only", "--template").stdout
    assert "biases: false" in template
    filled = template
    for row in report.layers:
        filled = filled.replace(
            f"{row.name}: {{output: null, params: null}}",
            f"{row.name}: {{output: {row.output_shape.hwc}, params: {row.weights}}}",
        )
    filled = filled.replace("totals: {params: null}", f"totals: {{params: {report.totals.weights}}}")
    (tmp_path / "a.yaml").write_text(filled, encoding="utf-8")
    result = run("check", "a.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout

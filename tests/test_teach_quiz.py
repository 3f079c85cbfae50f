"""Seeded exercises: reproducible, always solvable exactly, and gradable by 'check'."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import cli
from cnncalc.i18n import set_language
from cnncalc.teach.check import grade, load_answers
from cnncalc.teach.quiz import make_exercise


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    set_language("en")
    yield
    set_language("en")


def test_same_seed_same_exercise_and_seeds_differ() -> None:
    assert make_exercise(7) == make_exercise(7)
    assert len({make_exercise(seed).spec for seed in range(20)}) >= 15


@pytest.mark.parametrize("layers", [1, 3, 5])
def test_every_window_fits_exactly(layers: int) -> None:
    for seed in range(60):
        exercise = make_exercise(seed, layers)
        report = exercise.report()
        assert not report.warnings, exercise.spec
        assert sum(1 for r in report.layers if r.type != "fc") == layers


def test_the_template_filled_with_the_key_passes_check() -> None:
    exercise = make_exercise(3)
    report = exercise.report()
    template = CliRunner().invoke(cli, ["quiz", "--seed", "3", "--template"]).output
    blank = load_answers(template, "quiz.yaml")
    assert not grade(blank, cnncalc.load(blank.network), report).passed  # nothing answered yet
    filled = template
    for row in report.layers:
        filled = filled.replace(
            f"{row.name}: {{output: null, params: null}}",
            f"{row.name}: {{output: {row.output_shape.hwc}, params: {row.params}}}",
        )
    filled = filled.replace("totals: {params: null}", f"totals: {{params: {report.totals.params}}}")
    answers = load_answers(filled, "quiz.yaml")
    assert grade(answers, cnncalc.load(answers.network), report).passed


def test_quiz_text_and_key_in_both_languages() -> None:
    english = CliRunner().invoke(cli, ["quiz", "--seed", "1", "--key"]).output
    assert english.startswith("Let's practise! (seed 1)\nInput volume: 64×64×3\n")
    assert "Answer key" in english
    portuguese = CliRunner().invoke(cli, ["quiz", "--seed", "1", "--key", "--lang", "pt"]).output
    assert portuguese.startswith("Vamos praticar? (semente 1)\nVolume de entrada: 64×64×3\n")
    assert "Camada 1: 8 filtros 1×1, stride 1, pad 0" in portuguese
    assert "Gabarito" in portuguese
    assert "qual o tamanho do volume de saída?" in portuguese

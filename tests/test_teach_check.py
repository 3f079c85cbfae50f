"""Grading answers files: verdicts, the right values, and hints that recognise the usual mistakes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cnncalc
from cnncalc.teach import check as C

DATA = Path(__file__).parent / "data"
NETWORK = "32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | conv 16 k3 s2 | fc 10"


def grade_text(text: str) -> C.Grade:
    answers = C.load_answers(text, "answers.yaml")
    network = cnncalc.load(answers.network)
    return C.grade(answers, network, cnncalc.analyse(network, order=answers.order))


def grade_file(path: Path) -> C.Grade:
    return grade_text(path.read_text(encoding="utf-8"))


def hint_ids(verdict: C.Verdict) -> list[str]:
    return [hint for hint, _ in verdict.hints]


def test_every_deliberate_mistake_gets_its_hint() -> None:
    grade = grade_file(DATA / "answers_mistakes.yaml")
    by_key = {(v.layer, v.field): v for v in grade.verdicts}
    expected = {
        ("conv1", "output"): (False, C.HINT_PADDING, "32×32×10"),
        ("conv1", "params"): (False, C.HINT_BIAS, "760"),
        ("conv1", "macs"): (False, C.HINT_FLOPS, "768000"),
        ("conv1", "memory"): (False, C.HINT_BYTES, "10240"),
        ("maxpool1", "output"): (False, C.HINT_ORDER, "16×16×10"),
        ("maxpool1", "params"): (False, C.HINT_POOL_PARAMS, "0"),
        ("conv2", "output"): (False, C.HINT_EXACT, "7×7×16"),
        ("conv2", "params"): (False, C.HINT_DEPTH, "1456"),
        ("fc1", "output"): (True, None, "10"),
        ("fc1", "params"): (True, None, "7850"),
        ("totals", "params"): (False, C.HINT_BIAS, "10066"),
        ("totals", "memory"): (False, C.HINT_ACT_INPUT, "16666"),
    }
    assert set(by_key) == set(expected)
    for key, (correct, hint, right_value) in expected.items():
        verdict = by_key[key]
        assert verdict.correct is correct, key
        assert verdict.expected == right_value, key
        if hint:
            assert hint_ids(verdict) == [hint], key
            assert verdict.working, key  # a wrong answer shows the working
        else:
            assert not verdict.hints and not verdict.working
    assert (grade.correct, grade.total, grade.passed) == (2, 12, False)
    exact = by_key[("conv2", "output")]
    assert dict(exact.hints[0][1]) == {"exact": "7.5", "result": "7"}


def test_the_correct_homework_passes() -> None:
    grade = grade_file(DATA / "answers_correct.yaml")
    assert grade.passed and grade.total == 14, [v for v in grade.verdicts if not v.correct]


# (the answers to one layer, the verdict's hint) — one usual mistake at a time.
SINGLE_MISTAKES = [
    ("conv2: {output: 8x8x16}", C.HINT_CEIL),  # rounded 7.5 up
    ("conv1: {output: 32x32x3}", C.HINT_OUT_DEPTH),  # kept the input depth
    ("conv1: {params: 76}", C.HINT_PER_FILTER),  # one filter: 5×5×3 + 1
    ("conv1: {params: 260}", C.HINT_DEPTH),  # (5×5 + 1)×10
    ("conv1: {macs: 778240}", C.HINT_MAC_BIAS),  # 768000 + one addition per output
    ("fc1: {params: 170}", C.HINT_FLATTEN),  # 16×10 + 10: used the depth, not 7×7×16
    ("conv2: {params: 1440}", C.HINT_BIAS),
    ("conv1: {output: 33x33x10}", C.HINT_GENERIC),  # no recognisable mistake: compare the working
]


@pytest.mark.parametrize(("answer", "hint"), SINGLE_MISTAKES)
def test_single_mistakes(answer: str, hint: str) -> None:
    grade = grade_text(f'network: "{NETWORK}"\nanswers:\n  {answer}\n')
    (verdict,) = grade.verdicts
    assert not verdict.correct
    assert hint_ids(verdict) == [hint]


def test_the_slides_convention_of_weights_without_biases() -> None:
    # 004 (PUCRS) "Cálculo do # de Parâmetros: (sem contar os biases)": with 'biases: false' the
    # slide's VGG16 numbers are right, and a count with biases is flagged.
    vgg = (
        "224x224x3 | (conv3-64)x2 | maxpool | (conv3-128)x2 | maxpool | (conv3-256)x3 | maxpool"
        " | (conv3-512)x3 | maxpool | (conv3-512)x3 | maxpool | fc-4096 | fc-4096 | fc-1000"
    )
    slide = "conv1: {params: '1,728'}\n  conv2: {params: '36,864'}\n  fc1: {params: '102,760,448'}"
    weights_only = grade_text(
        f'network: "{vgg}"\nbiases: false\nanswers:\n  {slide}\ntotals: {{params: "138,344,128"}}\n'
    )
    assert weights_only.passed, weights_only.verdicts
    with_biases = grade_text(f'network: "{vgg}"\nanswers:\n  {slide}\n')
    assert [hint_ids(v) for v in with_biases.verdicts] == [[C.HINT_BIAS]] * 3
    counted_biases = grade_text(f'network: "{vgg}"\nbiases: false\nanswers:\n  conv1: {{params: 1792}}\n')
    assert hint_ids(counted_biases.verdicts[0]) == [C.HINT_WEIGHTS_ONLY]


def test_pytorch_order_when_the_file_says_so() -> None:
    grade = grade_text(f'network: "{NETWORK}"\norder: chw\nanswers:\n  conv1: {{output: 10x32x32}}\n')
    assert grade.passed
    wrong = grade_text(f'network: "{NETWORK}"\norder: chw\nanswers:\n  conv1: {{output: 32x32x10}}\n')
    assert hint_ids(wrong.verdicts[0]) == [C.HINT_ORDER]


@pytest.mark.parametrize(
    ("text", "value"),
    [(760, 760), ("760", 760), ("34,848", 34_848), ("34.848", 34_848), ("138 344 128", 138_344_128),
     ("2.33", C.Fraction(233, 100)), ("abc", None), (None, None)],
)  # fmt: skip
def test_numbers_as_students_write_them(text: object, value: object) -> None:
    assert C.parse_count(text) == value  # type: ignore[arg-type]


def test_unanswered_questions_fail() -> None:
    grade = grade_text(f'network: "{NETWORK}"\nanswers:\n  conv1: {{output: null, params: null}}\n')
    assert [v.answered for v in grade.verdicts] == [False, False]
    assert not grade.passed


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (
            f'network: "{NETWORK}"\nanswers:\n  conv9: {{params: 1}}\n',
            "the network has no layer 'conv9'",
            None,
        ),
        (
            f'network: "{NETWORK}"\nanswers:\n  conv1: {{parms: 1}}\n',
            "unknown field 'answers.conv1.parms'",
            3,
        ),
        ("answers: {}\n", "missing field 'network'", None),
        (f'network: "{NETWORK}"\nbiases: maybe\n', "invalid biases", 2),
    ],
)
def test_bad_answers_files_say_where(text: str, message: str, line: int | None) -> None:
    with pytest.raises(cnncalc.CnncalcError) as info:
        grade_text(text)
    assert message in info.value.message
    if line is not None:
        assert info.value.location is not None and info.value.location.line == line


# -- through the real entry point ------------------------------------------------------------------
def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LANGUAGE", "LC_MESSAGES")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cnncalc", *args], capture_output=True, text=True, env=full_env, timeout=60
    )


def test_check_cli_in_english() -> None:
    result = run("check", str(DATA / "answers_mistakes.yaml"))
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "✗ 1 conv1 · parameters: 750 — correct: 760" in out
    assert "hint: you forgot the biases: add one per filter/neuron (750 weights + 10 biases)" in out
    assert "parameters: (F×F×C + 1)×K = (5×5×3 + 1)×10 = 760" in out  # the working
    assert "hint: you forgot the zero-padding P = 2" in out
    assert "hint: the division does not come out whole; PyTorch floors it: 7.5 → 7" in out
    assert "✓ 5 fc1 · output volume: 1x1x10" in out
    assert out.rstrip().endswith("Score: 2/12")


@pytest.mark.parametrize(
    ("lang_args", "env"), [(["--lang", "pt"], {}), ([], {"LANG": "pt_BR.UTF-8"}), ([], {"LANGUAGE": "pt"})]
)
def test_check_cli_in_portuguese(lang_args: list[str], env: dict[str, str]) -> None:
    result = run(*lang_args, "check", str(DATA / "answers_mistakes.yaml"), env=env)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "✗ 1 conv1 · parâmetros: 750 — correto: 760" in out
    assert "dica: faltou o bias: some um por filtro/neurônio (750 pesos + 10 biases)" in out
    assert "dica: faltou o zero-padding P = 2" in out
    assert "dica: pooling não introduz parâmetros" in out
    assert "dica: o filtro tem a profundidade toda da entrada: F×F×C com C = 10, não F×F" in out
    assert "dica: você escreveu C×H×W, mas este arquivo de respostas usa H×W×C" in out
    assert "dica: a divisão não é exata (não cabe); o PyTorch arredonda para baixo: 7,5 → 7" in out
    assert "parâmetros: (F×F×C + 1)×K = (5×5×3 + 1)×10 = 760" in out
    assert out.rstrip().endswith("Acertos: 2/12")


def test_check_cli_json_for_auto_graders() -> None:
    result = run("check", str(DATA / "answers_mistakes.yaml"), "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert (data["correct"], data["total"], data["passed"]) == (2, 12, False)
    first = data["answers"][0]
    assert first["layer"] == "conv1" and first["field"] == "output" and first["correct"] is False
    assert first["hint_ids"] == [C.HINT_PADDING]
    ok = run("check", str(DATA / "answers_correct.yaml"), "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["passed"] is True


def test_check_cli_errors_are_one_clear_message() -> None:
    result = run("check", "no-such-answers.yaml")
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot read the file")
    assert "Traceback" not in result.stderr

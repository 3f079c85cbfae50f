"""Portuguese through gettext: the catalogs are complete and compiled, the language comes from
--lang or the locale, and the common CLI errors are translated."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc.cli import cli
from cnncalc.i18n import LOCALE_DIR, detect_language, set_language, translate_message

ROOT = Path(__file__).resolve().parent.parent


def _catalog_tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "compile_catalogs", ROOT / "scripts" / "compile_catalogs.py"
    )
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(autouse=True)
def _english_afterwards():  # type: ignore[no-untyped-def]
    yield
    set_language("en")


def test_every_message_is_translated_and_the_mo_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    tool = _catalog_tool()
    assert tool.main(["--check"]) == 0, capsys.readouterr().out
    catalog = tool.parse_po(
        (Path(LOCALE_DIR) / "pt" / "LC_MESSAGES" / "cnncalc.po").read_text(encoding="utf-8")
    )
    assert len(tool.extract()) > 90
    for msgid, msgstr in catalog.items():
        if msgid:
            placeholders = sorted(re.findall(r"\{\w*\}", msgid))
            assert sorted(re.findall(r"\{\w*\}", msgstr)) == placeholders, msgid


def test_messages_are_looked_up_before_formatting() -> None:
    # _("... {n} ...").format(n=…) translates; _(f"... {n} ...") or _("..." + x) never matches the
    # catalog. Dynamic ids (a Step's 'what', a hint id) are module constants marked with N_().
    for path in (ROOT / "cnncalc").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_"):
                (first,) = node.args
                assert not isinstance(first, ast.JoinedStr | ast.BinOp | ast.Call), f"{path}:{node.lineno}"
                if node.func.id == "N_":
                    assert isinstance(first, ast.Constant), f"{path}:{node.lineno}"


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "pt_BR.UTF-8"}, "pt"),
        ({"LANG": "pt_PT.UTF-8"}, "pt"),
        ({"LANGUAGE": "pt_BR:en", "LANG": "en_US.UTF-8"}, "pt"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "pt_BR.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_language_from_the_locale(environ: dict[str, str], language: str) -> None:
    assert detect_language(environ) == language


@pytest.mark.parametrize(
    ("english", "portuguese"),
    [
        (
            "unknown layer type 'maxpol' (did you mean 'maxpool'?)",
            "tipo de camada desconhecido 'maxpol' (você quis dizer 'maxpool'?)",
        ),
        ("conv needs 'filters'", "conv precisa de 'filters'"),
        (
            "layer 1 'conv1' (conv): input 7×7×1 (H×W×C): height 7 is smaller than kernel 9 with padding 0",
            "camada 1 'conv1' (conv): entrada 7×7×1 (H×W×C): altura 7 é menor que o filtro 9 com zero-padding 0",
        ),
        (
            "use padding ≥ 1, a smaller kernel, or a larger input",
            "use zero-padding ≥ 1, um filtro menor ou uma entrada maior",
        ),
        ("something nobody translated", "something nobody translated"),
    ],
)
def test_core_messages_are_translated_at_the_edge(english: str, portuguese: str) -> None:
    set_language("pt")
    assert translate_message(english) == portuguese
    set_language("en")
    assert translate_message(english) == english


def test_explain_in_portuguese_uses_the_lectures_terms() -> None:
    result = CliRunner().invoke(cli, ["--lang", "pt", "explain", "32x32x3 | conv 10 k5 s1 p2 | maxpool 2"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "32x32x3 | conv 10 k5 s1 p2 | maxpool 2: entrada 32×32×3 (H×W×C)" in out
    assert "altura = largura de saída: (N + 2P − F)/S + 1 = (32 + 2×2 − 5)/1 + 1 = 32" in out
    assert "profundidade de saída = número de filtros K: C′ = K = 10" in out
    assert "volume de saída: H′×W′×C′ = 32×32×10" in out
    assert "pesos por filtro: F×F×C = 5×5×3 = 75" in out
    assert "parâmetros: (F×F×C + 1)×K = (5×5×3 + 1)×10 = 760" in out
    assert "pooling não introduz parâmetros" in out
    assert "memória do mapa de ativação (bytes)" in out
    assert "Totais" in out


def test_non_integer_size_in_portuguese() -> None:
    out = CliRunner().invoke(cli, ["explain", "7x7x1 | conv 1 k3 s3", "--lang", "pt"]).output
    assert "= 2,33 → 2\n    ⚠ não cabe: 2,33 → o PyTorch arredonda para baixo, 2" in out


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LANGUAGE", "LC_MESSAGES")}
    return subprocess.run(
        [sys.executable, "-m", "cnncalc", *args],
        capture_output=True,
        text=True,
        env={**full_env, **env},
        timeout=60,
    )


def test_cli_errors_follow_the_locale() -> None:
    result = _run("summary", "32x32x3 | conv 10 k5 | maxpol 2", env={"LANG": "pt_BR.UTF-8"})
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "erro: tipo de camada desconhecido 'maxpol' (você quis dizer 'maxpool'?)"
    assert lines[-1] == "dica: execute 'cnncalc layers' para ver os tipos de camada"
    english = _run("--lang", "en", "summary", "7x7x1 | conv 1 k9", env={"LANG": "pt_BR.UTF-8"})
    assert english.stderr.startswith("error: layer 1 'conv1' (conv): input 7×7×1")


def test_teach_modules_run_without_torch() -> None:
    code = """
import sys
class _NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("blocked")
sys.meta_path.insert(0, _NoTorch())
import cnncalc
from cnncalc.cli import cli
from cnncalc.teach import apply, check, quiz, working
from cnncalc.render import explain, teach
net = cnncalc.load("32x32x3 | conv 10 k5 s1 p2")
w = working.explain(net, cnncalc.analyse(net))
assert "torch" not in sys.modules
print(w.layers[0].steps[0].result)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "32"

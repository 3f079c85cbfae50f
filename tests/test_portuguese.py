"""Portuguese, all of it (issue 14): the catalog is complete and nothing user-facing bypasses it;
--lang works after any command; click's own help and usage errors, errors and hints, tables,
Markdown and CSV are Portuguese; numbers follow Brazilian use in text while JSON stays plain;
plurals agree. CLI behaviours run through the real entry point (``python -m cnncalc``)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cnncalc.cli.app import COMMAND_MODULES
from cnncalc.i18n import LOCALE_DIR, set_language

ROOT = Path(__file__).resolve().parent.parent
ENGLISH_WORDS = (" the ", " is ", " must ", " needs ", " should ", " not ", " column ", "write ", " every ")


def _tool(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(autouse=True)
def _english_afterwards():  # type: ignore[no-untyped-def]
    yield
    set_language("en")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LANGUAGE", "LC_MESSAGES")}
    env.pop("CNNCALC_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "cnncalc", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**env, "COLUMNS": "120"},
        timeout=120,
    )


# -- the catalog ------------------------------------------------------------------------------------
def test_catalog_completeness_every_message_id_has_a_translation() -> None:
    tool = _tool("compile_catalogs")
    catalog = tool.parse_po(
        (Path(LOCALE_DIR) / "pt" / "LC_MESSAGES" / "cnncalc.po").read_text(encoding="utf-8")
    )
    missing = tool.untranslated(catalog, tool.extract())
    listed = "\n".join(f"  {m!r}" for m in missing)
    assert not missing, (
        f"{len(missing)} message ids have no Portuguese translation; run "
        f"'python scripts/compile_catalogs.py --update', translate them in cnncalc.po, recompile:\n{listed}"
    )


def test_catalog_completeness_catches_a_new_message(tmp_path: Path) -> None:
    # The check can fail: a new message, help text or plural that the catalog lacks is listed by id.
    package = tmp_path / "cnncalc"
    package.mkdir()
    (package / "new.py").write_text(
        "import click\n"
        "from cnncalc.i18n import _, ngettext\n"
        "@click.command()\n"
        "@click.option('--x', help='A brand new option.')\n"
        "def cmd(x):\n"
        '    """A brand new command."""\n'
        "    print(_('a brand new message {n}'), ngettext('{n} new thing', '{n} new things', 2))\n",
        encoding="utf-8",
    )
    tool = _tool("compile_catalogs")
    catalog = tool.parse_po(
        (Path(LOCALE_DIR) / "pt" / "LC_MESSAGES" / "cnncalc.po").read_text(encoding="utf-8")
    )
    ids = tool.extract(package)
    assert "a brand new message {n}" in tool.untranslated(catalog, ids)
    assert "A brand new option." in tool.untranslated(catalog, ids)
    assert "A brand new command." in tool.untranslated(catalog, ids)
    assert "{n} new thing\0{n} new things" in tool.untranslated(catalog, ids)


def test_no_user_facing_text_bypasses_the_catalog() -> None:
    bare = _tool("compile_catalogs").unmarked_messages()
    assert not bare, (
        "text shown to users without a translation (wrap it in _() or add a CORE_MESSAGES template):\n"
        + "\n".join(bare)
    )


def test_bypassing_text_is_found(tmp_path: Path) -> None:
    package = tmp_path / "cnncalc"
    package.mkdir()
    (package / "bad.py").write_text(
        "from cnncalc.errors import UsageError\n"
        "from cnncalc.i18n import _\n"
        "def f(x):\n"
        "    if x:\n"
        "        raise UsageError(_('fine {x}').format(x=x), hint=_('also fine'))\n"
        "    raise UsageError(f'every row has {x} values', hint='write it again')\n",
        encoding="utf-8",
    )
    bare = _tool("compile_catalogs").unmarked_messages(package)
    assert bare == ["cnncalc/bad.py:6: 'every row has {…} values'", "cnncalc/bad.py:6: 'write it again'"]


def test_click_messages_module_matches_the_installed_click() -> None:
    assert _tool("click_messages").main(["--check"]) == 0


# -- --lang anywhere, help and click's own messages ------------------------------------------------------
@pytest.mark.parametrize("command", sorted(COMMAND_MODULES))
def test_lang_after_any_command_and_help_in_portuguese(command: str) -> None:
    result = run(command, "--help", "--lang", "pt")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Uso: ") and f"cnncalc {command} " in out.splitlines()[0]
    assert "Opções:" in out and "Mostra esta mensagem e sai." in out and "Idioma das tabelas" in out
    assert "Show this message" not in out and "Options:" not in out


def test_group_help_lists_the_commands_in_portuguese() -> None:
    out = run("--lang", "pt", "--help").stdout
    assert "Dimensões exatas, parâmetros" in out and "Comandos:" in out
    assert "Corrige as respostas de um aluno" in out  # check's short help


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("summary", "--xyzzy", "--lang", "pt"), "erro: A opção '--xyzzy' não existe."),
        (("--lang", "pt", "summary", "--xyzzy"), "erro: A opção '--xyzzy' não existe."),
        (
            ("quiz", "-n", "20", "--lang", "pt"),
            "erro: Valor inválido para '-n': 20 não está no intervalo 1<=x<=8.",
        ),
        (("summary", "--lang", "pt"), "erro: Falta o argumento 'SPEC'."),
        (("sumary", "--lang", "pt"), "erro: comando 'sumary' não existe (você quis dizer 'summary'?)"),
        (
            ("apply", "relu", "1 2", "--lang", "pt"),
            "erro: Valor inválido para '{conv|maxpool|avgpool}': 'relu' não é um destes: 'conv', 'maxpool', 'avgpool'.",
        ),
    ],
)
def test_click_usage_errors_in_portuguese(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    hint = "dica: use --help para ver como usar"
    if "opção" in message:  # an unknown option: also how to pass a value that starts with '-'
        hint = "dica: use --help para ver como usar; um valor que começa com '-' também pode vir depois de '--', após as opções"
    assert result.stderr.splitlines() == [message, hint]


# -- errors and hints ---------------------------------------------------------------------------------------
BAD_INPUTS = [
    ("summary", "7x7x1 | conv 1 k9"),
    ("summary", "32x32x3 | conv 10 k5 | maxpol 2"),
    ("summary", "32x32x3 | conv k5"),
    ("summary", "32x32x3 | conv 10 k5 zz"),
    ("summary", "32x32x3 | conv 10 k5 ||"),
    ("summary", "32x32x3 | (conv 10 k3"),
    ("summary", "32x32x3"),
    ("summary", "hello world"),
    ("summary", "13 | conv 8 k3"),
    ("summary", "32x32x3 | [conv 10 k3 s2; conv 10 k3]"),
    ("summary", "32x32x3 | conv 10 k3 g3"),
    ("summary", "32x32x3 | maxpool 2 p2"),
    ("summary", "nosuch.yaml"),
    ("explain", "32x32x3 | conv 10 k3", "--layer", "nosuch"),
    ("apply", "conv", "1 2; 3", "-w", "1"),
    ("apply", "conv", "1 2; 3 4", "-w", "1 x"),
    ("apply", "maxpool", "1 2; 3 4", "--then", "conv"),
    ("solve", "7", "30", "-k", "3"),
    ("fc", "abc", "10"),
]


@pytest.mark.parametrize("args", BAD_INPUTS, ids=[" ".join(a) for a in BAD_INPUTS])
def test_errors_and_hints_in_portuguese(args: tuple[str, ...]) -> None:
    result = run(*args, "--lang", "pt")
    assert result.returncode == 2, result.stderr
    err = result.stderr
    assert err.startswith("erro: ") and "Traceback" not in err
    assert not [w for w in ENGLISH_WORDS if w in err], err
    assert run(*args).stderr.startswith("error: ")  # English without --lang


def test_a_location_column_in_portuguese() -> None:
    err = run("summary", "32x32x3 | conv 10 k5 zz", "--lang", "pt").stderr
    assert "  --> <one-line spec> coluna 22" in err


def test_warnings_from_apply_in_portuguese() -> None:
    out = run("apply", "maxpool", "1 2 3; 4 5 6; 7 8 9", "-k", "2", "--lang", "pt").stdout
    assert "⚠ altura e largura: (3 + 2×0 − 2)/2 + 1 = 1,50 não cabe; o PyTorch arredonda para baixo, 1" in out


# -- numbers, plurals, tables -----------------------------------------------------------------------------------
def test_numbers_in_brazilian_use_and_json_stays_plain() -> None:
    text = run("summary", "vgg16", "--lang", "pt").stdout
    assert "138.357.544" in text and "15,47 G" in text
    assert "138,357,544" in run("summary", "vgg16").stdout
    explained = run("explain", "7x7x1 | conv 1 k3 s3", "--lang", "pt").stdout
    assert "= 2,33 → 2" in explained
    raw = run("summary", "vgg16", "--json", "--lang", "pt").stdout
    assert json.loads(raw)["totals"]["params"] == 138357544
    assert '"params": 138357544' in raw and "138.357.544" not in raw


@pytest.mark.parametrize(
    ("spec", "portuguese", "english"),
    [
        ("1x1x3 | fc 2", "1 camada com pesos, 1 camada", "1 weight layer, 1 layer"),
        ("1x1x3 | fc 2 | relu", "1 camada com pesos, 2 camadas", "1 weight layer, 2 layers"),
        ("1x1x3 | fc 2 | fc 2", "2 camadas com pesos, 2 camadas", "2 weight layers, 2 layers"),
    ],
)
def test_plurals_agree(spec: str, portuguese: str, english: str) -> None:
    assert portuguese in run("summary", spec, "--lang", "pt").stdout
    assert english in run("summary", spec).stdout


def test_list_layers_and_compare_in_portuguese() -> None:
    listed = run("list", "--lang", "pt").stdout
    assert "Arquiteturas incluídas" in listed and "Parâmetros" in listed and "torchvision; sem LRN" in listed
    assert "61.100.840" in listed
    layers = run("layers", "--lang", "pt").stdout
    assert "Tipos de camada" in layers and "convolução 2-D" in layers and "também:" in layers
    compared = run("compare", "alexnet", "vgg16", "--lang", "pt").stdout
    assert "Comparação · batch 1" in compared and "Profundidade (camadas com pesos)" in compared
    assert "138.357.544" in compared


def test_markdown_and_csv_headers_in_portuguese() -> None:
    markdown = run("summary", "32x32x3 | conv 10 k5 | fc 10", "--format", "markdown", "--lang", "pt").stdout
    assert "| # | Camada | Tipo | Saída (H×W×C) | Parâmetros | MACs | Memória | RF |" in markdown
    assert "- **Parâmetros:** 79.170 (pesos 79.150 + biases 20)" in markdown
    csv = run("summary", "32x32x3 | conv 10 k5 | fc 10", "--format", "csv", "--lang", "pt").stdout
    assert csv.splitlines()[0].startswith(
        "indice,nome,tipo,nivel,entrada_hwc,saida_hwc,pesos,biases,parametros"
    )
    assert csv.splitlines()[1].endswith(",750,10,760,0,588000,1176000,7840,31360,5,1,input")  # plain numbers
    assert run("summary", "32x32x3 | conv 10 k5", "--format", "csv").stdout.startswith("index,name,type")


def test_layer_descriptions_in_portuguese() -> None:
    out = run("explain", "32x32x3 | conv 10 k5 nobias | [conv 1 k1; conv 2 k1]", "--lang", "pt").stdout
    assert "(conv: 10 filtros 5×5×C /1 pad 0 sem bias)" in out
    assert "(conv: 1 filtro 1×1×C /1 pad 0)" in out


def test_memory_in_portuguese() -> None:
    out = run("memory", "32x32x3 | conv 10 k5 | fc 10", "--train", "--lang", "pt").stdout
    assert "memória de GPU, passo de treino" in out and "Estado do modelo" in out and "Total previsto" in out
    assert "pesos e biases, um tensor cada" in out


def test_verify_in_portuguese() -> None:
    pytest.importorskip("torch")
    result = run("verify", "8x8x1 | conv 2 k3 | fc 3", "--lang", "pt")
    assert result.returncode == 0, result.stderr
    assert "cnncalc vs PyTorch" in result.stdout and "Totais" in result.stdout
    assert "todas as dimensões, parâmetros, buffers e FLOPs batem com o PyTorch" in result.stdout

"""``cnncalc import``: a model (a PyTorch module, later ONNX) written as a readable spec file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cnncalc.cli.app import cli
from cnncalc.cli.summary import refuse_uncounted, strict_asked, strict_option
from cnncalc.errors import UsageError
from cnncalc.i18n import _


@cli.command("import")
@click.argument("source")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to a file (-: the standard output, as without it).",
)
@click.option(
    "--input",
    "-i",
    "input_size",
    metavar="HxWxC",
    help="The input size to trace the model with, e.g. 224x224x3 (H×W×C; C×H×W with --order chw).",
)
@click.option(
    "--order",
    type=click.Choice(["hwc", "chw"]),
    default="hwc",
    show_default=True,
    help="How --input is written: H×W×C or C×H×W.",
)
@click.option("--no-blocks", is_flag=True, help="Write every layer out, without blocks for repeated modules.")
@strict_option
def import_command(
    source: str, output: Path | None, input_size: str | None, order: str, no_blocks: bool
) -> None:
    """Write the model SOURCE as a spec file (YAML) that every command reads.

    \b
    SOURCE is a Python file and a name in it (model.py:Net), a module and a
    name (torchvision.models:resnet50), or an ONNX file (model.onnx). NAME is
    an nn.Module subclass, an nn.Module, or a function with no required
    arguments that returns one. The model is traced on the meta device: no
    weights are allocated.

    \b
    Loading a .py file or a module RUNS ITS CODE, as 'python model.py' would:
    import only models you trust. (A spec or ONNX file never runs code.)

    \b
    Examples:
      cnncalc import model.py:Net --input 32x32x3 -o net.yaml
      cnncalc summary net.yaml
      cnncalc summary model.py:Net --input 3x32x32 --order chw

    Layer names are the module paths; scopes of one module class and
    structure become blocks whose arguments are the values that differ.
    An operation cnncalc cannot count is written as 'uncounted' (listed
    with its shapes; --strict refuses it, exit 2).
    """
    from cnncalc.importers.sources import import_graph, is_import_source
    from cnncalc.importers.spec_writer import graph_document, graph_network

    if not is_import_source(source):
        raise UsageError(
            _("'{source}' is not a model to import").format(source=source),
            hint=_("give model.py:NAME, package.module:NAME or model.onnx"),
        )
    shape = _input_shape(input_size, order)
    graph = import_graph(source, shape)
    network = graph_network(graph)  # the document must read back: errors show here, not later
    if strict_asked():
        refuse_uncounted(network)
    text = spec_yaml(graph_document(graph, blocks=not no_blocks), network.notes)
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            _("cannot write '{path}': {reason}").format(path=output, reason=exc.strerror)
        ) from None
    click.echo(_("wrote {path} ({layers} layers)").format(path=output, layers=network.layer_count), err=True)


def _input_shape(input_size: str | None, order: str) -> Any:
    from cnncalc.cli.summary import question_order
    from cnncalc.parse.build import check_input_shape
    from cnncalc.shapes import parse_shape_text

    if not input_size:
        return None
    shape = parse_shape_text(input_size, order)
    if shape is None:
        notation = "3x224x224 (C×H×W)" if order == "chw" else "224x224x3 (H×W×C)"
        raise UsageError(
            _("--input '{size}' is not a size like {notation}").format(size=input_size, notation=notation)
        )
    check_input_shape(shape)
    question_order(input_size, order, "--input")
    return shape


class _Flow(dict):  # type: ignore[type-arg]
    """A mapping written on one line (a layer, a reference, a block call)."""


def _flowed(value: Any) -> Any:
    if isinstance(value, dict):
        inner = {k: _flowed(v) for k, v in value.items()}
        small = ("type" in value or "from" in value or "block" in value) and not any(
            isinstance(v, list) and v and isinstance(v[0], dict | list) for v in value.values()
        )
        return _Flow(inner) if small else inner
    if isinstance(value, list):
        return [_flowed(v) for v in value]
    return value


def spec_yaml(document: dict[str, Any], notes: tuple[str, ...] = ()) -> str:
    """The document as YAML: layers one per line, in the order written; the importer's ``notes``
    (weights tied in the model that the file's layers hold apart…) as comments at its top."""
    import textwrap

    import yaml

    from cnncalc.i18n import translate_message

    class Dumper(yaml.SafeDumper):
        pass

    def flow(dumper: yaml.SafeDumper, data: _Flow) -> Any:
        return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)

    def block(dumper: yaml.SafeDumper, data: dict[str, Any]) -> Any:
        return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)

    Dumper.add_representer(_Flow, flow)
    Dumper.add_representer(dict, block)
    header = "# written by cnncalc import; edit it and run any command on it\n"
    for note in notes:
        lines = textwrap.wrap(f"{_('note:')} {translate_message(note)}", width=100)
        header += "".join(f"# {line}\n" for line in lines)
    return header + yaml.dump(
        _flowed(document),
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=110,
        default_flow_style=False,
    )

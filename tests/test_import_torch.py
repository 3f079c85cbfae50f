"""Importing PyTorch models (issue 12): traced on the meta device, counted as the bundled specs and
as FlopCounterMode count them; every error one message, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from cnncalc.analysis import analyse  # noqa: E402
from cnncalc.catalog import bundled_names  # noqa: E402
from cnncalc.parse import load_network  # noqa: E402
from cnncalc.shapes import Shape  # noqa: E402
from cnncalc.spec import LayerNode, walk_nodes  # noqa: E402
from cnncalc.torch_bridge import export_source  # noqa: E402

DATA = Path(__file__).parent / "data" / "import"
OWN = DATA / "own_model.py"
# nn.AdaptiveAvgPool2d(1) is what a spec's gap exports to: imported, it is the module's kind
SAME_KIND = {"gap": "adaptiveavgpool", "gmp": "adaptivemaxpool"}


def _rows(report):  # type: ignore[no-untyped-def]
    """Each row's name (a merge: its kind; the importer names merges by the op and its scope),
    kind, output shape, parameters, buffers and MACs."""
    return [
        (
            row.name if row.row_kind == "layer" else row.row_kind,
            SAME_KIND.get(row.type, row.type),
            row.output_shape.hwc,
            row.params,
            row.buffers,
            row.macs,
        )
        for row in report.layers
    ]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("CNNCALC_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "cnncalc", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize("name", bundled_names())
def test_export_then_import_gives_the_same_report(name: str, tmp_path: Path) -> None:
    """Round trip: every bundled spec, exported to PyTorch and imported back, has the same rows,
    totals and output (source: the spec itself)."""
    network = load_network(name)
    path = tmp_path / "model.py"
    path.write_text(export_source(network), encoding="utf-8")
    imported = load_network(f"{path}:build_model", input_shape=network.input)
    expected, got = analyse(network), analyse(imported)
    assert _rows(got) == _rows(expected)
    assert (got.totals.params, got.totals.buffers, got.totals.macs) == (
        expected.totals.params,
        expected.totals.buffers,
        expected.totals.macs,
    )
    assert got.output == expected.output
    assert got.totals.uncounted == 0


def _flop_counter(model, shape: Shape):  # type: ignore[no-untyped-def]
    from torch.utils.flop_counter import FlopCounterMode

    x = torch.randn(1, shape.channels, shape.height, shape.width)
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        outputs = model.eval()(x)
    return counter.get_total_flops(), outputs


def test_own_model_counts_as_flop_counter_mode() -> None:
    """Two outputs, functional relu/silu/sigmoid, a gate (×), a skip across scales (cat and +),
    interpolate and a channel mean: params, buffers and MACs as PyTorch counts them."""
    sys.path.insert(0, str(DATA))
    try:
        import own_model
    finally:
        sys.path.pop(0)
    shape = Shape(3, 32, 32)
    model = own_model.TwoHeads()
    flops, (seg, cls) = _flop_counter(model, shape)
    report = analyse(load_network(f"{OWN}:two_heads", input_shape=shape))
    assert report.totals.params == sum(p.numel() for p in model.parameters())
    assert report.totals.buffers == sum(b.numel() for b in model.buffers())
    assert 2 * report.totals.macs == flops
    assert report.totals.uncounted == 0
    outputs = {row.name: row.output_shape for row in report.layers}
    assert outputs["upsample1"].chw == "×".join(map(str, seg.shape[1:]))
    assert outputs["cls"].chw == str(cls.shape[1])
    skip_add = next(row for row in report.layers if row.type == "add")
    assert skip_add.inputs == ["relu2", "down1.silu1"]  # the skip across scales


@pytest.mark.parametrize("name", ["SharedHead", "Shared"])
def test_shared_module_weights_once_macs_at_every_call(name: str) -> None:
    """A conv called twice: FlopCounterMode counts both calls, torch's parameters are counted once."""
    sys.path.insert(0, str(DATA))
    try:
        import own_model
    finally:
        sys.path.pop(0)
    model = getattr(own_model, name)()
    shape = Shape(3 if name == "SharedHead" else 8, 8, 8)
    flops, _ = _flop_counter(model, shape)
    report = analyse(load_network(f"{OWN}:{name}", input_shape=shape))
    assert report.totals.params == sum(p.numel() for p in model.parameters())
    assert 2 * report.totals.macs == flops
    second = next(row for row in report.layers if row.name.endswith("_2"))
    assert second.params == 0 and second.macs > 0


@pytest.mark.parametrize(("name", "size"), [("Shared", "8x8x8"), ("SharedHead", "8x8x3")])
def test_shared_layer_exports_as_the_module_called_again(name: str, size: str, tmp_path: Path) -> None:
    """A ``shares`` layer exports as a second call of the same module: the model's own state_dict
    loads into it strictly, the outputs are the model's, and verify matches PyTorch."""
    out = tmp_path / "exported.py"
    result = run("export", f"{OWN}:{name}", "--input", size, "-o", str(out))
    assert result.returncode == 0, result.stderr
    namespace: dict[str, object] = {}
    exec(compile(out.read_text(encoding="utf-8"), str(out), "exec"), namespace)
    exported, original = namespace["build_model"]().eval(), _own(name).eval()  # type: ignore[operator]
    exported.load_state_dict(original.state_dict(), strict=True)
    h, w, c = (int(v) for v in size.split("x"))
    x = torch.randn(2, c, h, w)
    with torch.no_grad():
        torch.testing.assert_close(exported(x), original(x))
    verified = run("verify", f"{OWN}:{name}", "--input", size, "--device", "cpu")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "every shape, parameter, buffer and FLOP count matches PyTorch" in verified.stdout


@pytest.mark.parametrize(
    ("name", "again"),
    [
        ("BlockCalledAgain", ["block_2.conv"]),
        ("StageCalledTwice", ["stage_2.0.conv", "stage_2.1.conv"]),
        ("BranchesOfOneModule", ["stage_2.0"]),
    ],
)
def test_a_block_called_again_is_a_scope_of_its_own(name: str, again: list[str], tmp_path: Path) -> None:
    """A module with children called twice: its second call's layers are named in a scope of
    their own (``block_2.conv``, as the spec parser names a group opened again) and share the
    first call's weights; counts as FlopCounterMode counts them, and the written spec reads back
    the same."""
    model = _own(name)
    shape = Shape(3, 8, 8)
    flops, _ = _flop_counter(model, shape)
    report = analyse(load_network(f"{OWN}:{name}", input_shape=shape))
    assert report.totals.params == sum(p.numel() for p in model.parameters())
    assert 2 * report.totals.macs == flops
    rows = {row.name: row for row in report.layers}
    for layer in again:
        assert rows[layer].params == 0 and rows[layer].macs > 0, layer
        assert rows[layer.replace("_2", "", 1)].params > 0
    out = tmp_path / "net.yaml"
    result = run("import", f"{OWN}:{name}", "--input", "8x8x3", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert _rows(analyse(load_network(str(out)))) == _rows(report)


def test_tied_weights_across_modules_count_once() -> None:
    """``b.weight = a.weight`` (and the bias): torch's parameters() holds them once, so does the
    import (b shares a); tied in part, the weight counts again and a note says so."""
    model = _own("TiedConvs")
    flops, _ = _flop_counter(model, Shape(3, 8, 8))
    report = analyse(load_network(f"{OWN}:TiedConvs", input_shape=Shape(3, 8, 8)))
    assert report.totals.params == sum(p.numel() for p in model.parameters()) == 84
    assert 2 * report.totals.macs == flops
    part = load_network(f"{OWN}:TiedInPart", input_shape=Shape(3, 8, 8))
    assert analyse(part).totals.params == sum(p.numel() for p in _own("TiedInPart").parameters()) + 81
    assert part.notes == (
        "b: some or all of its parameters are those of a (tied weights), which only a layer defined "
        "the same way can share: they are counted again",
    )


def test_weights_tied_to_a_layer_defined_otherwise_count_again_said() -> None:
    """A decoder's transposed conv holding the encoder's weight: no layer of another definition
    can share it, so it counts again (torch's parameters() has it once), and a note says so; an
    uncounted module holding a tied weight counts only its own (no note: nothing counts twice)."""
    model = _own("TiedDecoder")
    network = load_network(f"{OWN}:TiedDecoder", input_shape=Shape(3, 8, 8))
    tied = model.enc.weight.numel()
    assert analyse(network).totals.params == sum(p.numel() for p in model.parameters()) + tied
    assert network.notes == (
        "dec: some or all of its parameters are those of enc (tied weights), which only a layer "
        "defined the same way can share: they are counted again",
    )


def test_import_writes_the_notes_into_the_file(tmp_path: Path) -> None:
    """The file's layers hold the tied weight apart: its top says so, as the import did."""
    out = tmp_path / "tied.yaml"
    result = run("import", f"{OWN}:TiedDecoder", "--input", "8x8x3", "-o", str(out))
    assert result.returncode == 0, result.stderr
    head = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert " ".join(line[2:] for line in head[1:]) == (
        "note: dec: some or all of its parameters are those of enc (tied weights), which only a "
        "layer defined the same way can share: they are counted again"
    )
    assert analyse(load_network(str(out))).totals.params == 432


def test_a_second_call_is_not_named_as_a_module_of_the_model() -> None:
    """block, block again, then the model's own block_2: the second call of block is block_3."""
    report = analyse(load_network(f"{OWN}:SecondCallAndItsName", input_shape=Shape(8, 8, 8)))
    assert [row.name for row in report.layers if row.type == "conv"] == [
        "block.conv",
        "block_3.conv",
        "block_2.conv",
    ]
    assert [row.params > 0 for row in report.layers if row.type == "conv"] == [True, False, True]


def test_output_dash_is_the_standard_output(tmp_path: Path) -> None:
    """``-o -`` prints the spec (and ``export -o -`` the module), as without -o: no file '-'."""
    written = run("import", f"{OWN}:Shared", "--input", "8x8x8", "-o", "-", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert written.stdout.startswith("# written by cnncalc import") and "shares: conv" in written.stdout
    exported = run("export", "lenet5", "-o", "-", cwd=tmp_path)
    assert exported.returncode == 0 and "class Lenet5(nn.Module)" in exported.stdout
    assert list(tmp_path.iterdir()) == []


def test_import_writes_a_spec_that_reads_back_the_same(tmp_path: Path) -> None:
    out = tmp_path / "net.yaml"
    result = run("import", f"{OWN}:two_heads", "--input", "32x32x3", "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "blocks:" in text and "Down:" in text  # down1 and down2: one block with arguments
    assert "{from: down1.silu1}" in text  # the skip across scales
    direct = analyse(load_network(f"{OWN}:two_heads", input_shape=Shape(3, 32, 32)))
    again = analyse(load_network(str(out)))
    assert _rows(again) == _rows(direct)


@pytest.mark.parametrize("name", ["Pyramid", "NestedBranches"])
def test_branches_of_one_module_list_keep_their_module_paths(tmp_path: Path, name: str) -> None:
    """ASPP's ``convs.0`` … ``convs.2`` are three branches of one concat (and ``blk.a.0``,
    ``blk.a.1``, ``blk.b`` of two adds): the written spec names their layers as the module paths
    (not ``convs_2.1.0`` for a scope opened twice), so the model's state_dict keys are the layers'
    names, and the file reads back the same."""
    model = _own(name)
    report = analyse(load_network(f"{OWN}:{name}", input_shape=Shape(3, 8, 8)))
    weighted = [row.name for row in report.layers if row.params]
    assert weighted == [key.rpartition(".")[0] for key in model.state_dict() if key.endswith(".weight")]
    out = tmp_path / "pyramid.yaml"
    result = run("import", f"{OWN}:{name}", "--input", "8x8x3", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert _rows(analyse(load_network(str(out)))) == _rows(report)


def test_uncounted_operation_is_listed_and_strict_refuses_it() -> None:
    result = run("summary", f"{OWN}:WithSort", "--input", "8x8x3")
    assert result.returncode == 0, result.stderr
    assert "not counted" in result.stdout and "1 op not counted" in result.stdout
    assert "sort: input 8×8×8 → output 8×8×8 (H×W×C): its MACs are not counted" in result.stderr
    export = run("export", f"{OWN}:WithSort", "--input", "8x8x3")
    assert export.returncode == 2
    assert "'sort' is an operation cnncalc cannot count or build (uncounted)" in export.stderr
    strict = run("summary", f"{OWN}:WithSort", "--input", "8x8x3", "--strict")
    assert strict.returncode == 2
    assert "--strict: 1 operation cannot be counted: op1 (sort)" in strict.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.py:Net", "--input", "8x8x3"], "no such file: 'missing.py'"),
        ([f"{OWN}:TwoHead", "--input", "8x8x3"], "has no 'TwoHead' (did you mean 'TwoHeads'?)"),
        (
            [f"{OWN}:Broken", "--input", "8x8x3"],
            "your model's code raised ValueError: the width must be even",
        ),
        ([f"{OWN}:Branchy", "--input", "8x8x3"], "data-dependent control flow) (at "),
        ([f"{OWN}:two_heads", "--input", "32x32x4"], "the model refuses input 32×32×4 (H×W×C)"),
        ([f"{OWN}:two_heads"], "cnncalc needs the input size to trace it"),
        (["model.onnx"], "no such file: 'model.onnx'"),
    ],
)
def test_bad_sources_are_one_clear_error(args: list[str], message: str) -> None:
    result = run("summary", *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_user_error_points_at_their_line() -> None:
    result = run("summary", f"{OWN}:Broken", "--input", "8x8x3")
    line = next(i for i, text in enumerate(OWN.read_text().splitlines(), 1) if "must be even" in text)
    assert f"own_model.py:{line}" in result.stderr
    branchy = run("summary", f"{OWN}:Branchy", "--input", "8x8x3")
    line = next(i for i, text in enumerate(OWN.read_text().splitlines(), 1) if "x.sum() > 0" in text)
    assert f"own_model.py:{line}" in branchy.stderr


def test_every_spec_command_takes_a_model(tmp_path: Path) -> None:
    source = f"{OWN}:two_heads"
    for command in (["explain"], ["memory"], ["export", "--to", "torch"], ["compare", source]):
        result = run(*command, source, "--input", "3x32x32", "--order", "chw")
        assert result.returncode == 0, (command, result.stderr)


def _own(name: str):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(DATA))
    try:
        import own_model
    finally:
        sys.path.pop(0)
    return getattr(own_model, name)()


def test_channels_last_block_is_layernorm_and_channel_linear() -> None:
    """ConvNeXt's pattern (permute → LayerNorm → Linear → GELU → Linear → permute): every layer
    counted on C×H×W, as FlopCounterMode counts it; the permutes are views, no rows."""
    model, shape = _own("ChannelsLast"), Shape(3, 16, 16)
    flops, out = _flop_counter(model, shape)
    report = analyse(load_network(f"{OWN}:ChannelsLast", input_shape=shape))
    assert report.totals.uncounted == 0
    assert report.totals.params == sum(p.numel() for p in model.parameters())
    assert 2 * report.totals.macs == flops
    kinds = {row.name: row.type for row in report.layers if row.row_kind == "layer"}
    assert (kinds["norm"], kinds["up"], kinds["down"]) == ("layernorm", "channel_linear", "channel_linear")
    rows = {row.name: row for row in report.layers}
    assert rows["up"].output_shape.chw == "64×8×8" and rows["up"].inputs == ["norm"]
    assert rows["norm"].inputs == ["dw"]
    assert report.output.chw == "×".join(map(str, out.shape[1:]))


def test_channel_shuffle_and_chunk_are_their_kinds() -> None:
    """ShuffleNet's x.chunk(2, dim=1) reads the stem (not the input), and view → transpose(1, 2)
    → view is channel_shuffle with the view's groups (3, not C / 3)."""
    model, shape = _own("Shuffle"), Shape(3, 8, 8)
    x = torch.randn(2, 24, 4, 4)
    assert torch.equal(sys.modules["own_model"].shuffle(x, 3), torch.nn.ChannelShuffle(3)(x))
    flops, _ = _flop_counter(model, shape)
    report = analyse(load_network(f"{OWN}:Shuffle", input_shape=shape))
    assert report.totals.uncounted == 0
    assert 2 * report.totals.macs == flops
    chunks = [row for row in report.layers if row.type == "chunk"]
    assert [row.inputs for row in chunks] == [["stem"], ["stem"]]
    (shuffled,) = [row for row in report.layers if row.type == "channel_shuffle"]
    assert shuffled.description == "3 groups"


@pytest.mark.parametrize("name", ["NotAShuffle", "ShuffleToOtherShape"])
def test_a_view_that_is_not_a_shuffle_stays_uncounted(name: str) -> None:
    report = analyse(load_network(f"{OWN}:{name}", input_shape=Shape(3, 4, 6)))
    assert report.totals.uncounted == 1
    assert not any(row.type == "channel_shuffle" for row in report.layers)


@pytest.mark.parametrize("name", ["Normalize", "normalize_divide"])
def test_per_channel_transform_is_one_fixed_affine(name: str) -> None:
    """unsqueeze(x[:, i], 1) · a + b (or (… − m) / s) for every channel, then cat: one fixed_affine
    whose scale and shift give the model's own output."""
    report = analyse(load_network(f"{OWN}:{name}", input_shape=Shape(3, 8, 8)))
    assert report.totals.uncounted == 0
    first = report.layers[0]
    assert first.type == "fixed_affine" and first.inputs == ["input"]
    network = load_network(f"{OWN}:{name}", input_shape=Shape(3, 8, 8))
    (affine,) = [n.layer for n in walk_nodes(network.body) if isinstance(n, LayerNode)][:1]
    model, x = _own(name), torch.randn(2, 3, 8, 8)
    scale, shift = torch.tensor(affine.scale), torch.tensor(affine.shift)
    with torch.no_grad():
        expected = model(x)
        got = model.conv(x * scale.view(1, 3, 1, 1) + shift.view(1, 3, 1, 1))
    torch.testing.assert_close(got, expected)


def test_channels_out_of_order_are_not_a_fixed_affine() -> None:
    report = analyse(load_network(f"{OWN}:normalize_reverse", input_shape=Shape(3, 8, 8)))
    assert report.totals.uncounted > 0
    assert not any(row.type == "fixed_affine" for row in report.layers)


def test_a_training_only_head_is_a_train_only_side_head(tmp_path: Path) -> None:
    """inception_v3's AuxLogits, written as ``if self.training: return x, self.aux(x)``: a trace in
    training mode finds it; its parameters are in the totals, its MACs not at inference (as
    FlopCounterMode counts the eval model), and ``import`` writes it as a train_only side."""
    model = _own("TrainingHead")
    flops, _ = _flop_counter(model, Shape(3, 8, 8))
    report = analyse(load_network(f"{OWN}:TrainingHead", input_shape=Shape(3, 8, 8)))
    assert report.totals.params == sum(p.numel() for p in model.parameters())
    assert 2 * report.totals.macs == flops
    assert report.network.notes == []
    aux = [row for row in report.layers if row.name.startswith("aux.")]
    assert [row.name for row in aux] == ["aux.0", "aux.1", "aux.2"]
    assert all(not row.inference for row in aux) and sum(r.params for r in aux) == 10 + 365
    out = tmp_path / "head.yaml"
    result = run("import", f"{OWN}:TrainingHead", "--input", "8x8x3", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "train_only: true" in out.read_text(encoding="utf-8")
    assert _rows(analyse(load_network(str(out)))) == _rows(report)


def test_a_training_head_whose_input_differs_between_the_traces_is_not_added() -> None:
    """An op that runs only in training shifts fx's names: the head's input in the training trace
    is another tensor than the inference node of that name, so the head is not attached (which
    would count it on the wrong tensor); its parameters are missing, and the note says so."""
    model = _own("ShiftedHead")
    report = analyse(load_network(f"{OWN}:ShiftedHead", input_shape=Shape(3, 16, 16)))
    aux = sum(p.numel() for p in model.aux.parameters())
    assert report.totals.params == sum(p.numel() for p in model.parameters()) - aux
    assert not any(row.name.startswith("aux") for row in report.layers)
    (note,) = report.network.notes
    assert note.startswith(f"aux (Conv2d): {aux:,} parameters the forward does not call")


def test_the_training_trace_leaves_the_model_as_it_was() -> None:
    """The training-mode trace runs on a copy: the user's model keeps its Python state (a step
    counter its training forward increments) and its eval mode; the head is still found."""
    from cnncalc.importers.torch_import import trace

    model = _own("CountingHead").eval()
    graph = trace(model, Shape(3, 8, 8), name="counting", source="own_model.py:CountingHead")
    assert model.steps == 0 and not any(m.training for m in model.modules())
    assert graph.train_only == ("aux",) and [n.name for n in graph.nodes] == ["conv", "aux"]


def test_modules_no_forward_calls_are_said() -> None:
    """A module with parameters that neither the inference nor the training forward calls: its
    parameters are missing from the totals, and the report says which module holds them."""
    model = _own("NeverCalled")
    report = analyse(load_network(f"{OWN}:NeverCalled", input_shape=Shape(3, 8, 8)))
    spare = sum(p.numel() for p in model.spare.parameters())
    assert report.totals.params == sum(p.numel() for p in model.body.parameters())
    (note,) = report.network.notes
    assert note.startswith(f"spare (Linear): {spare:,} parameters the forward does not call")
    result = run("summary", f"{OWN}:NeverCalled", "--input", "8x8x3")
    assert result.returncode == 0 and f"{spare:,} parameters the forward does not call" in result.stderr
    translated = run("--lang", "pt", "summary", f"{OWN}:NeverCalled", "--input", "8x8x3")
    assert f"{spare} parâmetros que o forward não chama na inferência" in translated.stderr


@pytest.mark.parametrize("command", ["summary", "explain", "compare", "count", "memory", "verify", "export"])
def test_every_spec_command_help_says_a_model_is_a_spec_and_runs_code(command: str) -> None:
    result = run(command, "--help")
    text = " ".join(result.stdout.split())
    assert result.returncode == 0
    assert "model.py:NAME" in text and "model.onnx" in text
    assert "loading a .py file runs its code" in text


def test_check_grades_answers_about_a_model_beside_the_file(tmp_path: Path) -> None:
    """An answers file names a PyTorch model beside it and its input size (in the file's order)."""
    (tmp_path / "own_model.py").write_text(OWN.read_text(encoding="utf-8"), encoding="utf-8")
    model = _own("ChannelsLast")
    total = sum(p.numel() for p in model.parameters())
    answers = tmp_path / "hw.yaml"
    answers.write_text(
        "network: own_model.py:ChannelsLast\ninput: 3x16x16\norder: chw\n"
        "answers:\n  up: {output: 64x8x8, params: 1088}\n"
        f"totals: {{params: {total}}}\n",
        encoding="utf-8",
    )
    result = run("check", str(answers), cwd=Path("/"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Score: 3/3" in result.stdout
    answers.write_text(
        "network: own_model.py:ChannelsLast\nanswers:\n  up: {params: 1088}\n", encoding="utf-8"
    )
    missing = run("check", str(answers), cwd=Path("/"))
    assert missing.returncode == 2 and "needs the input size" in missing.stderr


def test_shared_module_outside_the_calling_block_is_refused_by_export(tmp_path: Path) -> None:
    spec = tmp_path / "across.yaml"
    spec.write_text(
        "name: across\ninput: 8x8x8\nlayers:\n  - {name: a, layers: [conv 8 k3 p1 name=c]}\n"
        "  - {name: b, layers: [{type: conv, filters: 8, kernel: 3, padding: 1, shares: a.c, name: c2}, "
        "relu name=r]}\n",
        encoding="utf-8",
    )
    result = run("export", str(spec))
    assert result.returncode == 2
    assert "'b.c2' uses the parameters of 'a.c' (shares), which is outside the block" in result.stderr
    assert run("summary", str(spec)).returncode == 0

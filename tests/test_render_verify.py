"""The verify and memory views, rendered on a fixed-width console without colour (no torch)."""

from __future__ import annotations

import io

from rich.console import Console

import cnncalc
from cnncalc.memory import predict_memory
from cnncalc.render.memory import memory_table
from cnncalc.render.verify import verify_table
from cnncalc.torch_bridge.verification import LayerCheck, MemoryCheck, TotalCheck, VerifyResult


def render(renderable: object) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=110, color_system=None, highlight=False).print(renderable)
    return buffer.getvalue()


def _result(params_ok: bool) -> VerifyResult:
    rows = [
        LayerCheck(
            index=1,
            name="conv1",
            type="conv",
            module="conv1",
            expected_shape=[10, 32, 32],
            actual_shape=[10, 32, 32],
            expected_params=760 if params_ok else 750,
            actual_params=760,
            shape_ok=True,
            params_ok=params_ok,
        ),
        LayerCheck(
            index=2,
            name="add1",
            type="add",
            module=None,
            expected_shape=[10, 32, 32],
            actual_shape=[10, 32, 32],
            expected_params=0,
            actual_params=None,
            shape_ok=True,
            params_ok=True,
        ),
    ]
    expected = 760 if params_ok else 750
    totals = [TotalCheck(what="params", expected=expected, actual=760, ok=params_ok)]
    memory = [MemoryCheck(what="inference peak (no grad)", predicted_bytes=1100, measured_bytes=1000)]
    return VerifyResult(
        network="net",
        device="cuda",
        dtype="fp32",
        batch=1,
        torch_version="2.x",
        layers=rows,
        totals=totals,
        memory=memory,
    )


def test_verify_view_marks_matches_and_mismatches() -> None:
    good = render(verify_table(_result(True)))
    assert "✓ every shape, parameter, buffer and FLOP count matches PyTorch" in good
    assert "add1 (inline add)" in good
    assert "+10.0%" in good  # memory: (1100 − 1000) / 1000
    bad_result = _result(False)
    assert not bad_result.ok
    assert bad_result.mismatches() == [
        "layer 1 'conv1': shape [10, 32, 32] vs [10, 32, 32], params 750 vs 760",
        "params: cnncalc 750 vs torch 760",
    ]
    bad = render(verify_table(bad_result))
    assert "✗ 2 mismatches" in bad
    assert "+10" in bad  # the params delta


def test_verify_title_shows_a_spec_with_branches_as_written() -> None:
    """A one-line spec's ``[a ; b]`` branches are text, not rich markup that would vanish."""
    result = _result(True).model_copy(update={"network": "8x8x3 | [crop 4 ; conv 2 k5]"})
    assert "8x8x3 | [crop 4 ; conv 2 k5]" in render(verify_table(result))


def test_verify_view_names_the_kind_of_an_inline_merge() -> None:
    result = _result(True)
    concat = result.layers[1].model_copy(update={"name": "up1.concat1", "type": "concat"})
    text = render(verify_table(result.model_copy(update={"layers": [result.layers[0], concat]})))
    assert "up1.concat1 (inline concat)" in text and "inline add" not in text


def test_memory_view_lists_every_term_and_the_fit() -> None:
    network = cnncalc.load("8x8x1 | conv 2 k3 p1 | relu | maxpool 2 | fc 3")
    estimate = predict_memory(network, batch=4, train=True, optimizer="momentum")
    text = render(memory_table(estimate, fit=(2**30, 1234)))
    for term in estimate.terms:
        assert term.key.replace("_", " ") in text
    assert "training step (SGD + momentum)" in text
    assert "Largest batch         1,234 fits in 1.07 GB (1.00 GiB)" in text
    assert "Calibrated on H100 (sm_90)" in text


def test_verify_view_keeps_long_names_whole_at_80_columns() -> None:
    name = "inception3a.branch2.1.relu1"  # GoogLeNet's longest kind of name
    row = LayerCheck(
        index=196,
        name=name,
        type="relu",
        module="inception3a.branch2.1.relu",
        expected_shape=[1024, 28, 28],
        actual_shape=[1024, 28, 28],
        expected_params=1_025_000,
        actual_params=1_025_000,
        shape_ok=True,
        params_ok=True,
    )
    result = VerifyResult(
        network="googlenet", device="cpu", dtype="fp32", batch=1, torch_version="2.x",
        layers=[row], totals=[], memory=[],
    )  # fmt: skip
    buffer = io.StringIO()
    Console(file=buffer, width=80, color_system=None, highlight=False).print(verify_table(result))
    lines = buffer.getvalue().splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    line = next(line for line in lines if line.lstrip().startswith("196"))
    assert name in line and line.count("1024×28×28") == 2 and line.count("1,025,000") == 2
    under = " ".join(line.strip() for line in lines[lines.index(line) + 1 :][:2])  # under the name
    assert under.startswith("torch: inception3a.branch2.1.relu")

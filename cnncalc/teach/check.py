"""Grading a student's answers: an answers file names a network and gives, per layer, the output
shape, parameters and optionally MACs and memory, plus totals. Each answer gets a verdict with the
right value, the working, and hints that recognise the usual mistakes (as message ids + values).

Answers file (YAML or JSON)::

    network: "32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10"   # any SPEC
    biases: true       # false: parameters are weights only (the slides' "sem contar os biases")
    order: hwc         # how shapes are written: hwc (H×W×C, default) or chw
    answers:
      conv1: {output: 32x32x10, params: 760, macs: 768000, memory: 10240}
      3: {output: 16x16x10, params: 0}        # a layer by name or by its number
    totals: {params: 26370}

``memory`` is the number of activation values per sample (the output H×W×C of the layer; for the
totals the sum of activations, input included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from cnncalc.errors import Location, ShapeError, SpecError
from cnncalc.i18n import N_, _, translate_message
from cnncalc.layers.base import LayerDef, pair
from cnncalc.layers.conv import Conv2d
from cnncalc.layers.linear import Linear
from cnncalc.layers.pool import _WindowPool
from cnncalc.report import LayerRow, Report
from cnncalc.shapes import Shape
from cnncalc.spec import MergeNode, Network
from cnncalc.teach import working as W

Answer = int | float | str | None
Field = Literal["output", "params", "macs", "memory"]

# Hints (message ids; values in braces).
HINT_BIAS = N_("you forgot the biases: add one per filter/neuron ({weights} weights + {biases} biases)")
HINT_WEIGHTS_ONLY = N_("this answers file counts weights only (no biases): {weights}")
HINT_DEPTH = N_("the filter spans the whole input depth: F×F×C with C = {channels}, not F×F")
HINT_PER_FILTER = N_("that is one filter; multiply by the K = {filters} filters")
HINT_POOL_PARAMS = N_("pooling has no parameters: it computes a fixed function (max or average)")
HINT_ORDER = N_("you wrote {given_order} but this answers file uses {order}")
HINT_PADDING = N_("you forgot the zero-padding P = {padding}: (N + 2P − F)/S + 1")
HINT_EXACT = N_("the division does not come out whole; PyTorch floors it: {exact} → {result}")
HINT_CEIL = N_("you rounded up; PyTorch rounds down (floor) unless ceil_mode is on")
HINT_OUT_DEPTH = N_("the depth of the output volume is the number of filters K = {filters}")
HINT_FLOPS = N_("that is FLOPs = 2 × MACs; MACs count one multiply-accumulate as one")
HINT_MAC_BIAS = N_("MACs do not count the bias additions")
HINT_BYTES = N_("that is bytes ({bytes_per} per value); the question asks for the number of values")
HINT_ACT_INPUT = N_("the sum of activations includes the input ({input} values)")
HINT_FLATTEN = N_("an fc layer sees the flattened input: {numel} = {shape} values")
HINT_PLUS_ONE = N_("you left out the + 1 of (N + 2P − F)/S + 1: the output is {result}, not {given}")
HINT_STRIDE = N_("you forgot the stride S = {stride}: divide (N + 2P − F) by S before adding 1")
HINT_PREVIOUS_DEPTH = N_(
    "the filters span the depth of this layer's input, the previous layer's output: "
    "F×F×C with C = {channels}, not {used}"
)
HINT_FC_INPUTS = N_(
    "{inputs} is the number of inputs of the fc layer; it has {units} neurons, "
    "each with {inputs} weights and a bias"
)
HINT_OUTPUT_LAYER = N_("the total leaves out the output layer {layer} ({params} parameters)")
HINT_LEFT_OUT_LAYER = N_("the total leaves out layer {layer} ({params} parameters)")
HINT_GENERIC = N_("compare with the working below")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LayerAnswer(_Model):
    output: Answer = None
    params: Answer = None
    macs: Answer = None
    memory: Answer = None


class TotalsAnswer(_Model):
    params: Answer = None
    macs: Answer = None
    memory: Answer = None


class AnswersFile(_Model):
    """A student's answers to the questions about one network."""

    network: str
    input: str | None = None  # the input size in ``order`` (a PyTorch model's, or another size)
    biases: bool = True
    order: Literal["hwc", "chw"] = "hwc"
    student: str | None = None
    answers: dict[str | int, LayerAnswer] = {}
    totals: TotalsAnswer = TotalsAnswer()


@dataclass(frozen=True)
class Verdict:
    """The grade of one answer."""

    layer: str  # the layer's name, or "totals"
    index: int | None
    field: Field
    given: str | None
    expected: str
    correct: bool
    hints: tuple[tuple[str, dict[str, str]], ...] = ()
    working: tuple[W.Step, ...] = ()

    @property
    def answered(self) -> bool:
        return self.given is not None


@dataclass(frozen=True)
class Grade:
    network: str
    student: str | None
    verdicts: tuple[Verdict, ...] = field(default=())

    @property
    def correct(self) -> int:
        return sum(v.correct for v in self.verdicts)

    @property
    def total(self) -> int:
        return len(self.verdicts)

    @property
    def passed(self) -> bool:
        return self.correct == self.total

    def to_dict(self, translate: Any = lambda s: s) -> dict[str, Any]:
        """JSON-ready: per answer the verdict, expected value and hints (translated by ``translate``)."""
        return {
            "network": self.network,
            "student": self.student,
            "correct": self.correct,
            "total": self.total,
            "passed": self.passed,
            "answers": [
                {
                    "layer": v.layer,
                    "index": v.index,
                    "field": v.field,
                    "given": v.given,
                    "expected": v.expected,
                    "correct": v.correct,
                    "hints": [translate(h).format(**args) for h, args in v.hints],
                    "hint_ids": [h for h, _ in v.hints],
                }
                for v in self.verdicts
            ],
        }


# -- loading --------------------------------------------------------------------------------------
def load_answers(text: str, source: str) -> AnswersFile:
    """Parse and validate an answers file; errors name the file, line and field."""
    from cnncalc.parse.files import LocatedDict, load_json_text, load_yaml_text

    data = load_json_text(text, source) if source.endswith(".json") else load_yaml_text(text, source)
    if not isinstance(data, dict):
        raise SpecError(
            _("an answers file is a mapping with 'network' and 'answers'"),
            location=Location(source),
            hint=_("see 'cnncalc check --help' for an example"),
        )
    try:
        return AnswersFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc: Location | None = Location(source)
        node: Any = data
        for part in err["loc"]:
            if isinstance(node, LocatedDict) and part in node.key_locs:
                loc = node.key_locs[part]
            elif isinstance(node, LocatedDict) and str(part) in node.key_locs:
                loc = node.key_locs[str(part)]
            node = node.get(part) if isinstance(node, dict) else None
        where = ".".join(str(p) for p in err["loc"])
        if err["type"] == "missing":
            message = _("missing field '{field}'").format(field=where)
        elif err["type"] == "extra_forbidden":
            message = _("unknown field '{field}'").format(field=where)
        else:
            message = _("invalid {field}: {detail}").format(field=where, detail=err["msg"])
        raise SpecError(
            message, location=loc, hint=_("see 'cnncalc check --help' for the file format")
        ) from None


def load_answers_file(path: str | Path) -> AnswersFile:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(
            _("cannot read the file: {reason}").format(reason=exc.strerror), location=Location(str(path))
        ) from None
    return load_answers(text, str(path))


# -- parsing what the student wrote ----------------------------------------------------------------
_NUM = r"[-+]?\d+(?:[.,]\d+)?"


def parse_count(value: Answer) -> Fraction | None:
    """``760``, ``"34,848"``, ``"34 848"``, ``"2.33"`` → a number; None if it is not one."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(value).limit_denominator(1000)
    text = str(value).strip().replace("_", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}([,.]\d{3})+", text):
        text = text.replace(",", "").replace(".", "")
    text = text.replace(",", ".")
    try:
        return Fraction(text).limit_denominator(1000)
    except ValueError:
        return None


def parse_dims(value: Answer) -> tuple[Fraction, ...] | None:
    """``"32x32x10"``, ``"32×32×10"``, ``[32, 32, 10]`` or ``4096`` → the numbers written."""
    if value is None:
        return None
    if isinstance(value, int | float):
        number = parse_count(value)
        return (number,) if number is not None else None
    parts = re.split(r"\s*[x×*,]\s*", str(value).strip().strip("[]()"))
    if not parts or not all(re.fullmatch(_NUM, p) for p in parts):
        return None
    return tuple(Fraction(p.replace(",", ".")).limit_denominator(1000) for p in parts)


def _shape_dims(shape: Shape, order: str) -> tuple[int, ...]:
    if shape.is_flat:
        return (shape.channels,)
    h, w = shape.spatial
    return (h, w, shape.channels) if order == "hwc" else (shape.channels, h, w)


# -- grading -----------------------------------------------------------------------------------------
def _steps(steps: list[W.Step], *whats: str) -> tuple[W.Step, ...]:
    return tuple(s for s in steps if s.what in whats)


def _grade_output(
    given: Answer, layer: LayerDef | None, row: LayerRow, steps: list[W.Step], order: str
) -> tuple[bool, list[tuple[str, dict[str, str]]]]:
    out = row.output_shape.shape()
    inp = row.input_shapes[0].shape()
    dims = parse_dims(given)
    expected = _shape_dims(out, order)
    if dims is None:
        return False, [(HINT_GENERIC, {})]
    if dims == tuple(Fraction(d) for d in expected):
        return True, []
    if out.is_flat and len(dims) == 3 and dims[0] == dims[1] == 1 and dims[2] == out.channels:
        return True, []  # the slides write an fc output as [1 × 1 × 4096]
    hints: list[tuple[str, dict[str, str]]] = []
    if isinstance(layer, Linear) and dims in ((Fraction(inp.numel),), (1, 1, Fraction(inp.numel))):
        hints.append((HINT_FC_INPUTS, {"inputs": str(inp.numel), "units": str(layer.units)}))
    other = "chw" if order == "hwc" else "hwc"
    names = {"hwc": "H×W×C", "chw": "C×H×W"}
    if not out.is_flat and dims == tuple(Fraction(d) for d in _shape_dims(out, other)):
        hints.append((HINT_ORDER, {"given_order": names[other], "order": names[order]}))
    size_steps = _steps(steps, W.OUT_HW, W.OUT_H, W.OUT_W)
    if len(dims) == 3 and not out.is_flat:
        spatial = (dims[0], dims[1]) if order == "hwc" else (dims[1], dims[2])
        depth = dims[2] if order == "hwc" else dims[0]
        exact = tuple(s.value for s in size_steps)
        exact = exact * 2 if len(exact) == 1 else exact
        if any(s.denominator != 1 for s in spatial) and all(
            abs(g - e) < Fraction(1, 100) for g, e in zip(spatial, exact, strict=False)
        ):
            hints.append((HINT_EXACT, {"exact": W.fraction_text(exact[0]), "result": str(out.spatial[0])}))
        elif spatial != tuple(Fraction(s) for s in out.spatial) and all(
            g == -(-e.numerator // e.denominator) for g, e in zip(spatial, exact, strict=False)
        ):
            hints.append((HINT_CEIL, {}))
        if isinstance(layer, Conv2d | _WindowPool):
            hints.extend(_sliding_hints(layer, inp, out, spatial))
        if isinstance(layer, Conv2d | _WindowPool) and _has_padding(layer):
            try:
                unpadded = layer.replace(padding=0).output_shape(inp)
            except ShapeError:  # without padding the window may not fit at all
                unpadded = None
            if unpadded is not None and spatial == tuple(Fraction(s) for s in unpadded.spatial):
                pad = layer.pads()[0][1] if isinstance(layer, Conv2d) else pair(layer.padding)[0]
                hints.append((HINT_PADDING, {"padding": str(pad)}))
        if isinstance(layer, Conv2d) and depth != out.channels and depth == inp.channels:
            hints.append((HINT_OUT_DEPTH, {"filters": str(layer.filters)}))
    return False, hints or [(HINT_GENERIC, {})]


def _sliding_hints(
    layer: Conv2d | _WindowPool, inp: Shape, out: Shape, spatial: tuple[Fraction, Fraction]
) -> list[tuple[str, dict[str, str]]]:
    """The + 1 left out (AlexNet's 54 for 55) and the stride forgotten (217 for 55)."""
    hints: list[tuple[str, dict[str, str]]] = []
    if spatial == tuple(Fraction(s - 1) for s in out.spatial):
        given = "×".join(str(s) for s in spatial) if spatial[0] != spatial[1] else str(spatial[0])
        result = "×".join(str(s) for s in out.spatial) if out.height != out.width else str(out.height)
        hints.append((HINT_PLUS_ONE, {"result": result, "given": given}))
    stride = pair(layer.stride if layer.stride is not None else layer.kernel)
    if stride != (1, 1):
        try:
            unstrided = layer.replace(stride=1).output_shape(inp)
        except ShapeError:
            unstrided = None
        if unstrided is not None and spatial == tuple(Fraction(s) for s in unstrided.spatial):
            hints.append(
                (
                    HINT_STRIDE,
                    {"stride": str(stride[0]) if stride[0] == stride[1] else "×".join(map(str, stride))},
                )
            )
    return hints


def _has_padding(layer: Conv2d | _WindowPool) -> bool:
    if isinstance(layer.padding, str):
        return layer.padding == "same"
    return pair(layer.padding) != (0, 0)


def _grade_params(
    given: Fraction, layer: LayerDef | None, row: LayerRow, biases: bool, depths: frozenset[int] = frozenset()
) -> tuple[bool, list[tuple[str, dict[str, str]]]]:
    """``depths``: the channel counts seen before this layer (the input's, earlier layers' outputs)."""
    expected = row.params if biases else row.weights
    if given == expected:
        return True, []
    inp = row.input_shapes[0].shape()
    hints: list[tuple[str, dict[str, str]]] = []
    nums = {"weights": str(row.weights), "biases": str(row.biases)}
    if isinstance(layer, _WindowPool) or (row.family == "pool" and row.params == 0):
        hints.append((HINT_POOL_PARAMS, {}))
    if biases and row.biases and given == row.weights:
        hints.append((HINT_BIAS, nums))
    if not biases and row.biases and given == row.params:
        hints.append((HINT_WEIGHTS_ONLY, nums))
    if isinstance(layer, Conv2d):
        kh, kw = pair(layer.kernel)
        k = layer.filters
        flat = kh * kw * k
        if given in (flat, flat + k) and inp.channels > 1:
            hints.append((HINT_DEPTH, {"channels": str(inp.channels)}))
        if given * k == expected or (biases and given * k == row.params):
            hints.append((HINT_PER_FILTER, {"filters": str(k)}))
        groups = layer.groups if isinstance(layer.groups, int) else 1
        for bias in (1, 0):
            used = given / k - bias
            if used.denominator == 1 and used % (kh * kw) == 0:
                depth = int(used) // (kh * kw) * groups
                if depth not in (1, inp.channels) and depth in depths:
                    hints.append((HINT_PREVIOUS_DEPTH, {"channels": str(inp.channels), "used": str(depth)}))
                    break
    if isinstance(layer, Linear) and given == inp.numel:
        hints.append((HINT_FC_INPUTS, {"inputs": str(inp.numel), "units": str(layer.units)}))
    if isinstance(layer, Linear) and not inp.is_flat:
        in_guess = inp.channels
        if given in (in_guess * layer.units, in_guess * layer.units + layer.units):
            hints.append((HINT_FLATTEN, {"numel": str(inp.numel), "shape": inp.text()}))
    return False, hints or [(HINT_GENERIC, {})]


def _grade_macs(given: Fraction, row: LayerRow) -> tuple[bool, list[tuple[str, dict[str, str]]]]:
    if given == row.macs:
        return True, []
    if row.macs and given == 2 * row.macs:
        return False, [(HINT_FLOPS, {})]
    if row.biases and given == row.macs + row.output_shape.elements:
        return False, [(HINT_MAC_BIAS, {})]
    return False, [(HINT_GENERIC, {})]


def _grade_memory(
    given: Fraction, expected: int, bytes_per: int
) -> tuple[bool, list[tuple[str, dict[str, str]]]]:
    if given == expected:
        return True, []
    if given == expected * bytes_per:
        return False, [(HINT_BYTES, {"bytes_per": str(bytes_per)})]
    return False, [(HINT_GENERIC, {})]


def _find_row(key: str | int, rows: list[LayerRow]) -> LayerRow | None:
    if isinstance(key, int) or str(key).isdigit():
        index = int(key)
        return next((r for r in rows if r.index == index), None)
    by_name = {r.name: r for r in rows}
    return by_name.get(str(key)) or by_name.get(str(key).lower())


def grade(answers: AnswersFile, network: Network, report: Report, source: str = "<answers>") -> Grade:
    """Grade ``answers`` against ``report`` (made from ``network``)."""
    from cnncalc.errors import did_you_mean

    items = list(W.rows_in_order(network.body))
    layers_by_index = {row.index: item for row, item in zip(report.layers, items, strict=True)}
    verdicts: list[Verdict] = []
    order = answers.order
    bpe = report.settings.bytes_per_element
    for key, answer in answers.answers.items():
        row = _find_row(key, report.layers)
        if row is None:
            names = [r.name for r in report.layers]
            raise SpecError(
                _("the network has no layer '{key}'{rest}").format(
                    key=key, rest=translate_message(did_you_mean(str(key), names))
                ),
                location=Location(source, path=f"answers.{key}"),
                hint=_("use a layer name ({names}, …) or a number from 1 to {n}").format(
                    names=", ".join(names[:6]), n=len(names)
                ),
            )
        item = layers_by_index[row.index]
        layer = None if isinstance(item, MergeNode) else item
        steps = list(W.layer_steps(layer, row, report)) if layer is not None else []
        if answer.output is not None or "output" in answer.model_fields_set:
            expected = row.output_shape.text(order)
            if answer.output is None:
                verdicts.append(Verdict(row.name, row.index, "output", None, expected, False))
            else:
                ok, hints = _grade_output(answer.output, layer, row, steps, order)
                verdicts.append(
                    Verdict(
                        row.name,
                        row.index,
                        "output",
                        str(answer.output),
                        expected,
                        ok,
                        tuple(hints) if not ok else (),
                        ()
                        if ok
                        else _steps(
                            steps,
                            W.OUT_HW,
                            W.OUT_H,
                            W.OUT_W,
                            W.OUT_DEPTH,
                            W.OUT_DEPTH_SAME,
                            W.FLATTENED,
                            W.OUT_VOLUME,
                        ),
                    )
                )
        for name in ("params", "macs", "memory"):
            value = getattr(answer, name)
            if value is None and name not in answer.model_fields_set:
                continue
            if name == "params":
                expected_n = row.params if answers.biases else row.weights
                wanted = _params_working(steps, layer, row, answers.biases)
            elif name == "macs":
                expected_n, wanted = row.macs, _steps(steps, W.MACS)
            else:
                expected_n, wanted = row.activation_elements, _steps(steps, W.OUT_VOLUME)
            number = parse_count(value)
            if value is None:
                verdicts.append(Verdict(row.name, row.index, name, None, f"{expected_n}", False))  # type: ignore[arg-type]
                continue
            if number is None:
                ok, hints = False, [(HINT_GENERIC, {})]
            elif name == "params":
                depths = frozenset(
                    [report.input.shape().channels]
                    + [r.output_shape.shape().channels for r in report.layers if r.index < row.index]
                )
                ok, hints = _grade_params(number, layer, row, answers.biases, depths)
            elif name == "macs":
                ok, hints = _grade_macs(number, row)
            else:
                ok, hints = _grade_memory(number, expected_n, bpe)
            verdicts.append(
                Verdict(
                    row.name,
                    row.index,
                    name,
                    str(value),
                    str(expected_n),
                    ok,  # type: ignore[arg-type]
                    () if ok else tuple(hints),
                    () if ok else wanted,
                )
            )
    verdicts.extend(_grade_totals(answers, report))
    if not verdicts:  # "Score: 0/0" with exit 0 would let an empty submission pass an auto-grader
        raise SpecError(
            "the answers file answers nothing: 'answers' and 'totals' are empty",
            location=Location(source),
            hint="give at least one answer under 'answers' (a layer's output, params, macs or memory) or "
            "'totals'; 'cnncalc quiz --template' writes a file to fill in",
        )
    return Grade(report.network.name, answers.student, tuple(verdicts))


def _params_working(
    steps: list[W.Step], layer: LayerDef | None, row: LayerRow, biases: bool
) -> tuple[W.Step, ...]:
    """The parameter working, in the convention being graded: with ``biases: false`` a layer's
    ``(F×F×C + 1)×K`` becomes ``F×F×C×K``, the number the verdict expects."""
    wanted = _steps(steps, W.WEIGHTS_PER_FILTER, W.PARAMS, W.PARAMS_NO_BIAS, W.FLATTENED)
    only = None if biases or layer is None else W.weights_only_step(layer, row)
    if only is None:
        return wanted
    return tuple(only if step.what == W.PARAMS else step for step in wanted)


def _grade_totals(answers: AnswersFile, report: Report) -> list[Verdict]:
    t = report.totals
    work = W.explain_totals(report, biases=answers.biases)
    out = []
    expected_params = t.params if answers.biases else t.weights
    checks: list[tuple[Field, int, tuple[W.Step, ...]]] = [
        ("params", expected_params, (work[0],)),
        ("macs", t.macs, (work[1],)),
        ("memory", t.activation_sum_elements, (work[2],)),
    ]
    for name, expected, steps in checks:
        value = getattr(answers.totals, name)
        if value is None and name not in answers.totals.model_fields_set:
            continue
        number = parse_count(value)
        hints: list[tuple[str, dict[str, str]]] = []
        ok = number == expected
        if not ok and number is not None:
            if name == "params":  # the slides' Wine MLP: 8×(13 + 1) + 4×(8 + 1) = 148 of 163
                hints.extend(_left_out_layer(number, expected, report, answers.biases))
            if name == "params" and answers.biases and t.biases and number == t.weights:
                hints.append((HINT_BIAS, {"weights": str(t.weights), "biases": str(t.biases)}))
            elif name == "params" and not answers.biases and number == t.params:
                hints.append((HINT_WEIGHTS_ONLY, {"weights": str(t.weights), "biases": str(t.biases)}))
            elif name == "macs" and number == 2 * t.macs:
                hints.append((HINT_FLOPS, {}))
            elif name == "memory" and number == t.activation_sum_elements - t.input_elements:
                hints.append((HINT_ACT_INPUT, {"input": str(t.input_elements)}))
            elif name == "memory" and number == t.activation_sum_elements * report.settings.bytes_per_element:
                hints.append((HINT_BYTES, {"bytes_per": str(report.settings.bytes_per_element)}))
        if not ok and value is not None and not hints:
            hints.append((HINT_GENERIC, {}))
        out.append(
            Verdict(
                "totals",
                None,
                name,
                None if value is None else str(value),
                str(expected),
                ok,
                tuple(hints),
                () if ok else steps,
            )
        )
    return out


def _left_out_layer(
    given: Fraction, total: int, report: Report, biases: bool
) -> list[tuple[str, dict[str, str]]]:
    """A total short by exactly one layer's parameters: the output layer (the Wine MLP's 148 for
    163 on the slides) or another one."""
    counted = [(r, r.params if biases else r.weights) for r in report.layers]
    counted = [(r, n) for r, n in counted if n]
    for position, (row, params) in enumerate(reversed(counted)):
        if given == total - params:
            hint = HINT_OUTPUT_LAYER if position == 0 else HINT_LEFT_OUT_LAYER
            return [(hint, {"layer": row.name, "params": str(params)})]
    return []


def answers_template(
    network_ref: str, report: Report, *, fields: tuple[str, ...] = ("output", "params"), biases: bool = True
) -> str:
    """An answers file to fill in: every layer with weights or a new shape, values left empty.
    ``biases=False``: the parameters asked are weights only."""
    lines = [
        f"network: {_yaml_str(network_ref)}",
        f"biases: {'true' if biases else 'false'}",
        f"order: {report.settings.order}",
        "answers:",
    ]
    for row in report.layers:
        if row.in_place and not row.params:
            continue
        lines.append(f"  {row.name}: {{{', '.join(f'{f}: null' for f in fields)}}}")
    lines.append("totals: {params: null}")
    return "\n".join(lines) + "\n"


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

"""Every worked example of the course slides in ../shared/seeds/, reproduced by explain/apply.

Each test names the seed file and the slide (its heading and the line in the extracted text).
Figures were lost in the extraction; the numbers used are the ones that survived. Where a slide
has a wrong number (a slip or an OCR error) the test says so and asserts the right value.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

import cnncalc
from cnncalc.i18n import set_language
from cnncalc.teach import apply
from cnncalc.teach.working import (
    MACS,
    OUT_HW,
    PARAMS,
    PARAMS_NO_BIAS,
    WEIGHTS_PER_FILTER,
    Step,
    explain,
    fraction_text,
    same_padding,
    solve_size,
)


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    set_language("en")  # the working's words are checked in English
    yield


def working(spec: str, **kwargs: object):  # type: ignore[no-untyped-def]
    network = cnncalc.load(spec)
    return explain(network, cnncalc.analyse(network, **kwargs))  # type: ignore[arg-type]


def step(spec: str, what: str, layer: int = 0) -> Step:
    return next(s for s in working(spec).layers[layer].steps if s.what == what)


def numbers(volume: apply.Volume) -> list[list[list[int | float]]]:
    return apply.as_numbers(volume)


# -- 001 (UFRN) "Exemplo: filtros de convolução para detectar orelha de gato" (lines 441-760) ------
CAT_IMAGE = "3 0 0 3 0; 0 0 10 0 3; 0 10 3 10 0; 10 3 3 3 10; 3 3 3 3 3"  # "representação numérica"
CAT_FILTER_1 = "-1 -1 1; -1 1 -1; 1 -1 -1"  # "Filtro de convolução" (line ~500)
CAT_FILTER_2 = "1 -1 -1; -1 1 -1; -1 -1 1"  # "Filtro 2" (line ~640)
# "Filtro de convolução 3D" of the second layer (line ~700): channel 1 | channel 2.
CAT_FILTER_3D = "-1 -1 -1; -1 1 -1; -1 -1 -1 | -1 -1 -1; -1 -1 1; -1 -1 -1"


def test_cat_ear_first_filter_with_zero_padding() -> None:
    # 001 "Aplicar o filtro à imagem toda" with "Zero-padding" (line ~560): the 7×7 padded image and
    # the 5×5 result printed on the slide.
    result = apply.convolve(apply.parse_volume(CAT_IMAGE), [apply.parse_volume(CAT_FILTER_1)], padding=1)
    assert numbers(result.padded)[0][0] == [0] * 7
    assert numbers(result.padded)[0][1] == [0, 3, 0, 0, 3, 0, 0]
    assert numbers(result.output) == [
        [[3, -13, -13, 10, -6], [-13, -26, 10, -23, 10], [-23, 21, -30, -10, -20],
         [11, -20, -9, -26, -3], [-7, -13, -6, 1, -13]]
    ]  # fmt: skip
    # The slide's first worked cell ("3" in the corner, line ~545) as a dot product, term by term.
    cell = apply.conv_cell(result, 0, 0)
    assert len(cell.terms) == 9
    assert [t.product for t in cell.terms if t.product] == [3]
    assert cell.value == 3
    # The "10" the slide shows while sliding (line ~530): output[1, 2].
    assert apply.conv_cell(result, 1, 2).value == 10


def test_cat_ear_relu_and_max_pooling_give_the_new_image() -> None:
    # 001 "Aplicar a não-linearidade" φ(x) = max(0, x), then "Operação de Max-pooling" 2×2 stride 2
    # over the 5×5 map; the slide's 3×3 "Nova imagem" keeps the last row and column, i.e. ceil mode.
    image = apply.parse_volume(CAT_IMAGE)
    filters = [apply.parse_volume(CAT_FILTER_1), apply.parse_volume(CAT_FILTER_2)]
    conv = apply.convolve(image, filters, padding=1, relu=True)
    pooled = apply.pool(conv.output, "max", kernel=2, stride=2, ceil_mode=True)
    channel_1, channel_2 = numbers(pooled.output)
    assert channel_1 == [[3, 10, 10], [21, 0, 0], [0, 1, 0]]  # "Canal 1" (line ~660), as the slide
    # "Canal 2" on the slide is [[7, 10, 0], [0, 18, 11], [1, 0, 0]]. SLIDE SLIP: its top-middle 10
    # is wrong. That window covers outputs (0..1, 2..3) of filter 2: −13, −4, 4, −29 → ReLU → max 4.
    window = [apply.conv_cell(conv, r, c, 1).value for r in (0, 1) for c in (2, 3)]
    assert window == [-13, -4, 4, -29]
    assert channel_2 == [[7, 4, 0], [0, 18, 11], [1, 0, 0]]


def test_cat_ear_second_layer_3d_filter() -> None:
    # 001 "Filtro de convolução da segunda camada" (line ~720): the slide's "Nova representação"
    # (with its 10) convolved with the 3×3×2 filter and zero-padding 1 gives the printed 3×3 result.
    slide_input = apply.parse_volume("3 10 10; 21 0 0; 0 1 0 | 7 10 0; 0 18 11; 1 0 0")
    kernel = apply.parse_volume(CAT_FILTER_3D)
    result = apply.convolve(slide_input, [kernel], padding=1)
    assert numbers(result.output) == [[[-43, -70, -39], [7, -70, -60], [-41, -50, -30]]]
    # With the corrected 4 (see above), each output whose window covers that cell changes by
    # (4 − 10) × the filter weight there: output[0, 0] sees it under weight +1, output[0, 1] under −1.
    corrected = apply.parse_volume("3 10 10; 21 0 0; 0 1 0 | 7 4 0; 0 18 11; 1 0 0")
    fixed = apply.convolve(corrected, [kernel], padding=1)
    assert fixed.output[0][0][0] == -43 + (4 - 10) * 1
    assert fixed.output[0][0][1] == -70 + (4 - 10) * -1
    assert fixed.output[0][2] == result.output[0][2]  # the bottom row never sees that cell


# -- 003 (USP ICMC) "Convolução": 7×7 + padding and 6×6×3 (lines 160-300) -----------------------
USP_7X7 = (
    "2 2 2 2 3 3 3; 1 0 1 1 1 1 0; 1 1 3 3 0 0 0; 1 1 3 2 0 0 3; 1 1 3 2 0 0 3; 1 3 3 2 0 0 3; 3 3 3 2 0 0 3"
)
USP_W = "-1 0.5 1; -1 0 0; 0 0 0.5"  # "Filtro W (3 x 3)"
USP_6X6X3 = (
    "2 2 2 2 3 3; 1 0 1 1 1 1; 1 1 3 3 0 0; 1 1 3 2 0 0; 1 1 3 2 0 0; 1 3 3 2 0 0"
    " | 3 3 1 1 1 1; 3 0 3 1 1 1; 3 3 3 3 0 0; 0 0 3 2 0 0; 1 2 2 2 0 0; 2 2 2 2 0 0"
    " | 0 3 2 2 3 2; 1 1 1 1 1 1; 1 2 3 3 0 0; 1 2 3 1 1 1; 1 3 3 2 1 1; 3 3 0 2 0 2"
)
USP_W3 = (
    "-1 0.5 1; -1 0 0; 0 0 0.5 | 1 0 1; -1 1 0; 0 0 -0.5 | 1 0 1; 1 0.5 -1; 0 1 0"  # "Filtro W (3 x 3 x 3)"
)


def test_usp_7x7_with_padding_first_row() -> None:
    # 003 "Volume de entrada 7 x 7 + padding" (lines 162-210): the slides fill the first output row
    # one value at a time: 0, −1.5, −1.5, −1.5, −1.5.
    result = apply.convolve(apply.parse_volume(USP_7X7), [apply.parse_volume(USP_W)], padding=1)
    assert len(result.output[0]) == 7 and len(result.output[0][0]) == 7  # "Volume de saída" 7×7
    assert numbers(result.output)[0][0][:5] == [0, -1.5, -1.5, -1.5, -1.5]
    cell = apply.conv_cell(result, 0, 1)
    # −1×2 (row of 2s under the −1 column) + 0.5×1 (the 0.5 corner): −2 + 0.5 = −1.5
    assert [(t.x, t.w) for t in cell.terms if t.product] == [(2, -1), (1, Fraction(1, 2))]


def test_usp_6x6x3_stride_1() -> None:
    # 003 "Volume de entrada 6 x 6 x 3 (RGB) + zero padding", last slide of the series (line ~284),
    # no bias. Rows 0-4 of the printed 6×6 output agree.
    result = apply.convolve(apply.parse_volume(USP_6X6X3), [apply.parse_volume(USP_W3)], padding=1)
    out = numbers(result.output)[0]
    assert out[:5] == [
        [1, -2.5, -1, -1, 0.5, 2],
        [11.5, 5.5, 16.5, 9.5, 8, 3],
        [4.5, 8, 7, 9, 2.5, 2.5],
        [5.5, 14, 22, 5, 0.5, 2.5],
        [5.5, 12.5, 9, 7, -0.5, 4.5],
    ]
    # SLIDE SLIP: the slide's last row reads [4, 11, 6, 7, −0.5, 4.5] (it repeats the end of the row
    # above, and that slide's input carries OCR noise). Worked by hand for output[5, 0]: the window
    # is the padded rows 5-7 (input rows 4-5, then zeros) and columns 0-2 (zeros, input columns 0-1):
    #   R: 1×0.5 + 1×1           = 1.5
    #   G: 2×1 + 2×1             = 4
    #   B: 3×1 + 3×0.5 + 3×(−1)  = 1.5   → 7, not the slide's 4.
    cell = apply.conv_cell(result, 5, 0)
    per_channel = [sum((t.product for t in cell.terms if t.channel == c), Fraction(0)) for c in range(3)]
    assert per_channel == [Fraction(3, 2), 4, Fraction(3, 2)]
    assert out[5] == [7, 13, 9.5, 2, -1, 2]


def test_usp_6x6x3_stride_2_with_bias() -> None:
    # 003 "Convolução com stride > 1" (line ~380): stride (2,2), bias 0.5 → "VOLUME de saída 3 x 3",
    # first value 1.5 (the slide's only surviving number). OCR ERROR: that slide's copy of the input
    # reads row 4 of channels 2 and 3 differently ("1 0 3 2 0 0", "1 2 0 2 0 0") and drops a row; the
    # series before it is consistent, so its input is used. The first window never reaches row 4.
    image, kernel = apply.parse_volume(USP_6X6X3), apply.parse_volume(USP_W3)
    strided = apply.convolve(image, [kernel], padding=1, stride=2, bias=Fraction(1, 2))
    assert (len(strided.output[0]), len(strided.output[0][0])) == (3, 3)
    assert strided.output[0][0][0] == Fraction(3, 2)
    # Stride 2 keeps every other output of stride 1, shifted by the bias.
    dense = apply.convolve(image, [kernel], padding=1)
    for i in range(3):
        for j in range(3):
            assert strided.output[0][i][j] == dense.output[0][2 * i][2 * j] + Fraction(1, 2)


# -- pooling: 004 (PUCRS) "MAX Pooling" / "AVERAGE (AVG) Pooling" (lines 921-950); 000 (Unicamp)
# "MAX POOLING" (line ~835) shows the same 6 8 / 3 4 result (its input figure was lost).
@pytest.mark.parametrize(
    ("kind", "matrix", "expected"),
    [
        ("max", "1 1 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4", [[6, 8], [3, 4]]),
        ("avg", "2 3 2 5; 5 6 9 8; 3 2 1 2; 1 2 0 1", [[4, 6], [2, 1]]),
    ],
)
def test_pooling_2x2_stride_2(kind: str, matrix: str, expected: list[list[int]]) -> None:
    result = apply.pool(apply.parse_volume(matrix), kind, kernel=2, stride=2)  # type: ignore[arg-type]
    assert numbers(result.output) == [expected]
    top_right = result.cells[0][0][1]
    assert top_right.window == ((2, 4, 7, 8) if kind == "max" else (2, 5, 9, 8))
    assert top_right.divisor == (1 if kind == "max" else 4)


# -- formulas: 004 "Acertando os Cálculos" (lines 505-520), 000 "Analizando as dimensões espaciais"
# (lines 600-770), 002 "7×7 input (spatially) assume 3×3 filter" (lines 259-371).
@pytest.mark.parametrize(
    ("spec", "numbers_text", "value", "result"),
    [
        ("7x7x1 | conv 1 k3 s1", "(7 + 2×0 − 3)/1 + 1", "5", 5),  # "stride 1: (7 − 3)/1 + 1 = 5"
        ("7x7x1 | conv 1 k3 s2", "(7 + 2×0 − 3)/2 + 1", "3", 3),  # "stride 2: ... = 3"
        ("7x7x1 | conv 1 k3 s3", "(7 + 2×0 − 3)/3 + 1", "2.33", 2),  # "stride 3: ... = 2.33", não cabe
        ("7x7x1 | conv 1 k3 s1 p1", "(7 + 2×1 − 3)/1 + 1", "7", 7),  # "pad 1 ... => output 7x7"
        # 004 "Vamos praticar?" (line ~720): (32 + (2 × 2) − 5)/1 + 1 = 32 (espacialmente)
        ("32x32x3 | conv 10 k5 s1 p2", "(32 + 2×2 − 5)/1 + 1", "32", 32),
        # 004 AlexNet CONV1 (line ~1205): 227, 11×11, stride 4, zero-padding 0 → 55
        ("227x227x3 | conv 96 k11 s4 p0", "(227 + 2×0 − 11)/4 + 1", "55", 55),
    ],
)
def test_output_size_formula(spec: str, numbers_text: str, value: str, result: int) -> None:
    size = step(spec, OUT_HW)
    assert size.formula == "(N + 2P − F)/S + 1"  # 004 "Resumo": L2 = (L1 + 2P − F)/S + 1
    assert size.numbers == numbers_text
    assert fraction_text(size.value) == value
    assert size.result == result
    assert size.fits == (value == str(result))
    if not size.fits:
        assert size.notes and "não cabe" in size.notes[0][0]


def test_pool_formula_as_the_slides_write_it() -> None:
    # 004 "Resumo da Camada de Pooling" (line ~955): L2 = (L1 − F)/S + 1; AlexNet POOL1 → 27.
    pool = step("55x55x96 | maxpool 3 2", OUT_HW)
    assert (pool.formula, pool.numbers, pool.result) == ("(N − F)/S + 1", "(55 − 3)/2 + 1", 27)
    params = step("55x55x96 | maxpool 3 2", PARAMS)
    assert params.result == 0 and params.notes  # "Total de parâmetros nesta camada: zero!"


@pytest.mark.parametrize(("kernel", "padding"), [(3, 1), (5, 2), (7, 3)])
def test_padding_that_keeps_the_size(kernel: int, padding: int) -> None:
    # 004 (line ~650): "zero-padding de (F − 1)/2 ... F = 3 → pad = 1, F = 5 → pad = 2, F = 7 → pad = 3"
    same = same_padding(kernel)
    assert same.result == padding and same.numbers == f"({kernel} − 1)/2"
    assert step(f"7x7x1 | conv 1 k{kernel} p{padding}", OUT_HW).result == 7


def test_solve_finds_the_slides_settings() -> None:
    # 000/004: 7×7 with a 3×3 filter gives 3 with stride 2 (pad 0); AlexNet 227 → 55 needs stride 4.
    assert [(s.stride, s.padding) for s in solve_size(7, 3, 3)] == [(2, 0), (3, 1)]
    assert [(s.stride, s.padding) for s in solve_size(227, 55, 11, padding=0)] == [(4, 0)]
    # 7×7 with stride 3 and no padding cannot give a whole number: "não cabe".
    assert solve_size(7, 2, 3, stride=3, padding=0) == []


# -- parameters --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "per_filter", "params_numbers", "params"),
    [
        # 000 (line ~800), 002 (line ~415), 004 (line ~760): 5×5×3 + 1 = 76; 76 × 10 = 760
        ("32x32x3 | conv 10 k5 s1 p2", "5×5×3", "(5×5×3 + 1)×10", 760),
        # 004 "Vamos praticar?" (line ~790): (3 × 3 × 3 + 1) × 2 = 56 (the 5×5×3 input of the next
        # question; the figure was lost)
        ("5x5x3 | conv 2 k3", "3×3×3", "(3×3×3 + 1)×2", 56),
        # 003 "Número de parâmetros em CNNs" (line ~420): [(k×k×p) + 1] × d
        ("32x32x3 | conv 8 k5", "5×5×3", "(5×5×3 + 1)×8", 608),
        ("32x32x8 | conv 16 k3", "3×3×8", "(3×3×8 + 1)×16", 1168),
        ("32x32x16 | conv 32 k1", "1×1×16", "(1×1×16 + 1)×32", 544),
        # 004 "CONV 1×1 com 32 filtros / Cada filtro tem tamanho 1 × 1 × 64" (line ~905)
        ("56x56x64 | conv 32 k1", "1×1×64", "(1×1×64 + 1)×32", 2080),
        # 004 AlexNet CONV1 (line ~1117): 34,848 + 96 biases
        ("227x227x3 | conv 96 k11 s4", "11×11×3", "(11×11×3 + 1)×96", 34_848 + 96),
    ],
)
def test_conv_parameters(spec: str, per_filter: str, params_numbers: str, params: int) -> None:
    layer = working(spec).layers[0]
    by_what = {s.what: s for s in layer.steps}
    assert by_what[WEIGHTS_PER_FILTER].numbers == per_filter
    assert by_what[PARAMS].formula == "(F×F×C + 1)×K"
    assert by_what[PARAMS].numbers == params_numbers
    assert by_what[PARAMS].value == by_what[PARAMS].result == params


def test_fc_18_neurons_and_alexnet_fc6() -> None:
    # 004 (line ~800): "18 × (5 × 5 × 3) + 18 = 1368"
    fc = working("5x5x3 | fc 18").layers[0]
    flat, _volume, params, _macs, _memory = fc.steps
    assert (flat.numbers, flat.result) == ("5×5×3", 75)
    assert (params.formula, params.numbers, params.result) == ("in×out + out", "75×18 + 18", 1368)
    # 004 AlexNet (line ~1230): "(FC6) conecta os 6 × 6 × 256 = 9216 a 4096 neurônios"
    fc6 = working("6x6x256 | fc 4096").layers[0]
    assert (fc6.steps[0].numbers, fc6.steps[0].result) == ("6×6×256", 9216)


VGG16 = (
    "224x224x3 | (conv3-64 | relu)x2 | maxpool | (conv3-128 | relu)x2 | maxpool"
    " | (conv3-256 | relu)x3 | maxpool | (conv3-512 | relu)x3 | maxpool | (conv3-512 | relu)x3 | maxpool"
    " | fc-4096 | relu | fc-4096 | relu | fc-1000"
)


def test_vgg16_parameters_without_biases_as_the_slide() -> None:
    # 004 "Cálculo do # de Parâmetros: (sem contar os biases)" (line ~1350): (3 × 3 × 3) × 64 = 1,728 …
    slide = [
        ("3×3×3", 64, 1_728), ("3×3×64", 64, 36_864), ("3×3×64", 128, 73_728), ("3×3×128", 128, 147_456),
        ("3×3×128", 256, 294_912), ("3×3×256", 256, 589_824), ("3×3×256", 256, 589_824),
        ("3×3×256", 512, 1_179_648), ("3×3×512", 512, 2_359_296), ("3×3×512", 512, 2_359_296),
        ("3×3×512", 512, 2_359_296), ("3×3×512", 512, 2_359_296), ("3×3×512", 512, 2_359_296),
    ]  # fmt: skip
    convs = [layer for layer in working(VGG16).layers if layer.type == "conv"]
    for layer, (per_filter, filters, weights) in zip(convs, slide, strict=True):
        by_what = {s.what: s for s in layer.steps}
        assert by_what[WEIGHTS_PER_FILTER].numbers == per_filter
        assert by_what[WEIGHTS_PER_FILTER].value * filters == weights
    # "(FC1) (7 × 7 × 512) × 4096 = 102,760,448"; the working shows the flattening 7×7×512 = 25088.
    fc1 = next(layer for layer in working(VGG16).layers if layer.type == "fc")
    assert fc1.steps[0].numbers == "7×7×512" and fc1.steps[0].result == 25_088
    params = next(s for s in fc1.steps if s.what in (PARAMS, PARAMS_NO_BIAS))
    assert params.numbers == "25088×4096 + 4096" and params.result == 102_760_448 + 4096


def test_vgg16_memory_per_layer_as_the_slide_rounds_it() -> None:
    # 004 "Cálculo de memória dos dados" (line ~1470): 224×224×64 ≈ 3.2M, 112×112×64 ≈ 800k, … ≈ 25k.
    slide = [3.2e6, 3.2e6, 800e3, 1.6e6, 1.6e6, 400e3, 800e3, 800e3, 800e3, 200e3, 400e3, 400e3, 400e3,
             100e3, 100e3, 100e3, 100e3, 25e3, 4096, 4096, 1000]  # fmt: skip
    rows = [layer for layer in working(VGG16).layers if layer.type != "relu"]
    assert len(rows) == len(slide)
    for layer, approx in zip(rows, slide, strict=True):
        volume = next(s for s in layer.steps if s.what == "output volume")
        assert abs(int(volume.value) - approx) / approx < 0.04, (layer.name, volume.value, approx)
    totals = working(VGG16).totals
    assert 15e6 < totals[2].result < 15.5e6  # "total de memória dos dados: ≈ 15M"


def test_alexnet_macs_working() -> None:
    # 004 AlexNet CONV1: 55×55 outputs × 96 filters × 11×11×3 multiply-accumulates each.
    macs = step("227x227x3 | conv 96 k11 s4", MACS)
    assert macs.numbers == "55×55×96×11×11×3"
    assert macs.result == 55 * 55 * 96 * 11 * 11 * 3 == 105_415_200


ALEXNET = (
    "227x227x3 | conv 96 k11 s4 p0 | maxpool 3 2 | lrn | conv 256 k5 s1 p2 | maxpool 3 2 | lrn"
    " | conv 384 k3 s1 p1 | conv 384 k3 s1 p1 | conv 256 k3 s1 p1 | maxpool 3 2 | fc 4096 | fc 4096 | fc 1000"
)


def test_alexnet_full_architecture_slide() -> None:
    # 004 "Arquitetura completa (versão simplificada)" (line ~1230), layer by layer.
    expected = {
        "conv1": ("(227 + 2×0 − 11)/4 + 1", 55),
        "maxpool1": ("(55 − 3)/2 + 1", 27),
        "conv2": ("(27 + 2×2 − 5)/1 + 1", 27),
        "maxpool2": ("(27 − 3)/2 + 1", 13),
        "conv3": ("(13 + 2×1 − 3)/1 + 1", 13),
        "conv4": ("(13 + 2×1 − 3)/1 + 1", 13),
        "conv5": ("(13 + 2×1 − 3)/1 + 1", 13),
        "maxpool3": ("(13 − 3)/2 + 1", 6),
    }
    layers = {layer.name: layer for layer in working(ALEXNET).layers}
    for name, (numbers_text, size) in expected.items():
        first = layers[name].steps[0]
        assert (first.what, first.numbers, first.result) == (OUT_HW, numbers_text, size), name
    fc1 = layers["fc1"].steps[0]
    assert (fc1.numbers, fc1.result) == ("6×6×256", 9216)  # "(FC6) conecta os 6 × 6 × 256 = 9216"


def test_repeated_5x5_convolutions_shrink_the_volume() -> None:
    # 000 "input 32x32 com repetidas convoluções com filtro 5x5 ... (32->28->24 ...)" (line ~770) and
    # 004 "Se tivermos 6 filtros 5×5×3 ... nova imagem de tamanho 28×28×6" (line ~225).
    layers = working("32x32x3 | conv 6 k5 | conv 10 k5").layers
    assert [layer.steps[0].numbers for layer in layers] == ["(32 + 2×0 − 5)/1 + 1", "(28 + 2×0 − 5)/1 + 1"]
    assert [layer.output for layer in layers] == ["28×28×6", "24×24×10"]


def test_mlp_parameter_counts() -> None:
    # 003 (USP) "Uma camada com 100 neurônios teria 78400 + 100 = 78500 parâmetros" on 28×28 images.
    fc = working("28x28x1 | fc 100").layers[0]
    flat, _volume, params, *_ = fc.steps
    assert (flat.numbers, flat.result) == ("28×28×1", 784)
    assert params.numbers == "784×100 + 100" and params.result == 78_400 + 100
    # 001 (UFRN) MLP on the Wine data, 13 → 8 → 4: 112 + 36 = 148 (line ~294).
    network = cnncalc.parse_spec_text("input: {height: 1, width: 1, channels: 13}\nlayers: [fc 8, fc 4]")
    mlp = explain(network, cnncalc.analyse(network))
    assert [s.numbers for layer in mlp.layers for s in layer.steps if s.what == PARAMS] == [
        "13×8 + 8",
        "8×4 + 4",
    ]
    assert mlp.totals[0].numbers == "112 + 36" and mlp.totals[0].result == 148

"""The numbers of the course slides in ../shared/seeds/, reproduced by the engine.

Each case names its source: the seed file and the slide (its heading or line in the extracted text).
"""

from __future__ import annotations

import pytest

import cnncalc
from cnncalc.shapes import Shape


def analyse(spec: str, **kwargs: object) -> cnncalc.Report:
    return cnncalc.analyse(cnncalc.load(spec), **kwargs)  # type: ignore[arg-type]


# (source, one-line spec, output shape of the last layer H×W×C, params of the last layer)
SINGLE_LAYER_CASES = [
    # 000 (Unicamp) "Cada filtro tem 5×5×3 + 1 = 76 parâmetros ... 76×10 = 760" (line ~800);
    # 002 (MO444) "10 5x5 filters with stride 1, pad 2" → 32×32×10.
    ("000/002: 10 filtros 5×5, stride 1, pad 2", "32x32x3 | conv 10 k5 s1 p2", "32×32×10", 760),
    # 000 (Unicamp) 7×7 input, 3×3 filter, stride 1 → 5×5 and stride 2 → 3×3.
    ("000: 7×7, filtro 3×3, stride 1", "7x7x1 | conv 1 k3 s1", "5×5×1", 10),
    ("000: 7×7, filtro 3×3, stride 2", "7x7x1 | conv 1 k3 s2", "3×3×1", 10),
    # 000 "Camadas convolucionais com filtros 1x1 existem!" (line ~807): 56×56×64, 32 1×1 filters
    # (CS231n's example) → 56×56×32, each filter 1×1×64 + 1.
    ("000: filtros 1×1", "56x56x64 | conv 32 k1", "56×56×32", (64 + 1) * 32),
    # 004 (PUCRS) "E se utilizássemos uma camada totalmente conectada com 18 neurônios?"
    # 18 × (5×5×3) + 18 = 1368 (line ~855).
    ("004: FC de 18 neurônios sobre 5×5×3", "5x5x3 | fc 18", "18", 1368),
    # 004 AlexNet CONV1: 96 filtros 11×11, stride 4, zero-padding 0 → 55×55×96 (line ~1205).
    ("004: AlexNet CONV1", "227x227x3 | conv 96 k11 s4 p0", "55×55×96", 34_848 + 96),
    # 004 AlexNet POOL1: 3×3 filters at stride 2 → 27×27×96, no parameters.
    ("004: AlexNet POOL1", "55x55x96 | maxpool 3 2", "27×27×96", 0),
    # 000 max pooling 2×2 stride 2 halves the map.
    ("000: max pooling 2×2/2", "224x224x64 | maxpool 2", "112×112×64", 0),
]


@pytest.mark.parametrize(("source", "spec", "shape", "params"), SINGLE_LAYER_CASES)
def test_single_layer_from_the_slides(source: str, spec: str, shape: str, params: int) -> None:
    report = analyse(spec)
    last = report.layers[-1]
    assert last.output_shape.hwc == shape, source
    assert last.params == params, source


def test_alexnet_conv1_weights_and_biases_separately() -> None:
    # 004 (PUCRS) line ~1117: "34,848 + 96 biases".
    row = analyse("227x227x3 | conv 96 k11 s4").layers[0]
    assert (row.weights, row.biases) == (34_848, 96)


def test_seven_by_seven_stride_three_does_not_fit() -> None:
    # 000 (Unicamp): 7×7 input, 3×3 filter, stride 3 → (7 − 3)/3 + 1 = 2.33: "não cabe!"
    report = analyse("7x7x1 | conv 1 k3 s3")
    assert report.layers[0].output_shape.hwc == "2×2×1"  # what PyTorch does: floor
    assert len(report.warnings) == 1
    message = report.warnings[0].message
    assert "2.33" in message and "floors it to 2" in message
    # Suggestions that really fit: padding 1 → (7 + 2 − 3)/3 + 1 = 3; stride 2 → 3.
    assert "padding 1 (→ 3)" in message
    assert "stride 1 (→ 5), 2 (→ 3)" in message


def test_three_layer_example_608_1168_544() -> None:
    # 003 (USP ICMC) "Número de parâmetros em CNNs": [(k×k×p) + 1] × d on 32×32×3:
    # conv k=5 d=8 → 608, conv k=3 d=16 → 1168, conv k=1 d=32 → 544.
    report = analyse("32x32x3 | conv 8 k5 | conv 16 k3 | conv 32 k1")
    assert [r.params for r in report.layers] == [608, 1168, 544]
    assert report.totals.params == 608 + 1168 + 544


def test_mlp_13_8_4_on_wine() -> None:
    # 001 (UFRN) MLP on the Wine data: 13 inputs → 8 → 4: (13×8 + 8) + (8×4 + 4) = 148 (line ~294).
    report = cnncalc.analyse(
        cnncalc.parse_spec_text("input: {height: 1, width: 1, channels: 13}\nlayers: [fc 8, relu, fc 4]")
    )
    assert report.totals.params == 148


def test_mlp_784_100() -> None:
    # 003 (USP ICMC) "Uma camada com 100 neurônios teria 78400 + 100 = 78500 parâmetros".
    report = analyse("28x28x1 | fc 100")
    assert (report.totals.weights, report.totals.biases, report.totals.params) == (78_400, 100, 78_500)


VGG16_ONELINE = (
    "224x224x3 | (conv3-64 | relu)x2 | maxpool | (conv3-128 | relu)x2 | maxpool"
    " | (conv3-256 | relu)x3 | maxpool | (conv3-512 | relu)x3 | maxpool | (conv3-512 | relu)x3 | maxpool"
    " | fc-4096 | relu | dropout | fc-4096 | relu | dropout | fc-1000 | softmax"
)


def test_vgg16_parameters_per_layer_without_biases() -> None:
    # 004 (PUCRS) "Cálculo do # de Parâmetros: (sem contar os biases)" (line ~1350).
    slide = [
        1_728, 36_864, 73_728, 147_456, 294_912, 589_824, 589_824, 1_179_648, 2_359_296,
        2_359_296, 2_359_296, 2_359_296, 2_359_296, 102_760_448, 16_777_216, 4_096_000,
    ]  # fmt: skip
    report = analyse(VGG16_ONELINE)
    weights = [r.weights for r in report.layers if r.weights]
    assert weights == slide
    assert report.totals.weights == 138_344_128  # "total de parâmetros: 138,344,128"
    # 001 (UFRN) Keras table: VGG16 138,357,544 parameters with biases.
    assert report.totals.params == 138_357_544


def test_vgg16_activation_memory_as_the_slide() -> None:
    # 004 (PUCRS) "Cálculo de memória dos dados": ≈ 15M values × 4 bytes ≈ 60 MB/image (line ~1470);
    # with parameters (≈ 550 MB) and batch 128: 550 + 60 × 128 ≈ 8.2 GB (line ~1510).
    report = analyse(VGG16_ONELINE)
    totals = report.totals
    assert totals.activation_sum_elements == 15_238_608  # the slide rounds to "≈ 15M"
    assert totals.activation_sum_bytes == 15_238_608 * 4  # ≈ 61 MB, the slide's "≈ 60MB"
    assert 550e6 < totals.param_bytes < 555e6  # "≈ 550MB" (138,357,544 × 4 = 553.4 MB)
    batch = analyse(VGG16_ONELINE, batch=128).totals
    # The slide's 8.2 GB uses its rounded 60 MB; the exact figure is 8.36 GB (7.78 GiB).
    assert batch.forward_bytes == 138_357_544 * 4 + 15_238_608 * 4 * 128
    assert 8.2e9 <= batch.forward_bytes < 8.4e9


def test_vgg16_shapes_per_stage() -> None:
    # 004 (PUCRS) VGG16 shapes: 224→112→56→28→14→7 with 64/128/256/512/512 channels.
    report = analyse(VGG16_ONELINE)
    pools = [r.output_shape.hwc for r in report.layers if r.type == "maxpool"]
    assert pools == ["112×112×64", "56×56×128", "28×28×256", "14×14×512", "7×7×512"]
    assert report.output.hwc == "1000"


def test_alexnet_2012_as_the_slide_derives_it() -> None:
    # 004 (PUCRS) AlexNet layer by layer (line ~1070-1260): 227 → 55 → 27 → 27 → 13 → 13 → 13 → 13 → 6.
    spec = (
        "227x227x3 | conv 96 k11 s4 | relu | maxpool 3 2 | lrn | conv 256 k5 p2 | relu | maxpool 3 2"
        " | lrn | conv 384 k3 p1 | relu | conv 384 k3 p1 | relu | conv 256 k3 p1 | relu | maxpool 3 2"
        " | flatten | fc 4096 | relu | fc 4096 | relu | fc 1000"
    )
    report = analyse(spec)
    shapes = {r.name: r.output_shape.hwc for r in report.layers}
    assert shapes["conv1"] == "55×55×96"
    assert shapes["maxpool1"] == "27×27×96"
    assert shapes["conv2"] == "27×27×256"
    assert shapes["maxpool2"] == "13×13×256"
    assert shapes["conv3"] == shapes["conv4"] == "13×13×384"
    assert shapes["conv5"] == "13×13×256"
    assert shapes["maxpool3"] == "6×6×256"
    assert shapes["flatten1"] == "9216"
    assert not report.warnings  # every window of the 2012 AlexNet fits exactly at 227


def test_output_size_formula_general_case() -> None:
    # 004 (PUCRS) "(N + 2P − F)/S + 1" with dilation: effective F = D·(F − 1) + 1.
    report = analyse("32x32x3 | conv 4 k3 d2 p2")
    assert report.layers[0].output_shape.hwc == "32×32×4"
    assert report.layers[0].receptive_field.size == (5, 5)


def test_pool_then_fc_receptive_field_is_global() -> None:
    report = analyse("32x32x3 | conv 8 k3 | maxpool 2 | fc 10")
    assert report.layers[0].receptive_field.size == (3, 3)
    assert report.layers[1].receptive_field.size == (4, 4)
    assert report.layers[1].receptive_field.jump == (2, 2)
    assert report.layers[2].receptive_field.is_global


def test_shapes_in_both_orders() -> None:
    shape = Shape(96, 55, 55)
    assert shape.text("hwc") == "55×55×96"
    assert shape.text("chw") == "96×55×55"

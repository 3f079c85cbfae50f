"""Specs shared by the torch tests: together they use every layer kind and every structure."""

from __future__ import annotations

# One-line specs that together use every registered layer kind (test_torch_bridge checks it), with
# concat (Inception-style, one branch the identity) and residual (identity and projection).
COVERAGE_SPECS = {
    "lecture": "32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10",
    # torchvision's transform_input (googlenet, inception_v3) before a stem conv
    "transform-input": "32x32x3 | fixed_affine scale=[0.458,0.448,0.45] shift=[-0.03,-0.088,-0.188] "
    "| conv 8 k3 s2 p1 floor | gap | fc 4",
    "alexnet-like": "67x67x3 | conv 16 k11 s4 p2 | relu | lrn | maxpool 3 2 | conv 32 k5 p2 g2 | relu6 "
    "| maxpool 3 2 ceil | flatten | dropout 0.5 | fc 20 | leakyrelu 0.2 | fc 5 | softmax",
    "activations": "9x9x4 | elu | selu | gelu | silu | mish | hardswish | hardsigmoid | tanh | sigmoid "
    "| softplus | identity | prelu | prelu per_channel | dropout 0.1 channelwise",
    "pooling": "20x17x3 | pad [1, 2, 0, 3] | avgpool 3 s2 p1 exclude_pad | maxpool k3 s1 d2 "
    "| adaptiveavgpool [3, 2] | adaptivemaxpool 2 | gmp",
    "conv-options": "16x12x6 | conv 12 k3x1 s2x1 p1x0 d1x2 nobias | conv 12 k3 dw same "
    "| conv 6 k4 valid | deconv 4 k3 s2 p1 op1 | deconv 8 k2 s2 g2 nobias | batchnorm noaffine | gap "
    "| fc 7 nobias | bn",
    "inception": "28x28x8 | [conv 4 k1 ; conv 2 k1 | conv 6 k3 p1 ; maxpool 3 s1 p1 | conv 3 k1 ; identity ] "
    "| relu",
    "residual": "16x16x8 | { conv 8 k3 p1 nobias | bn | relu | conv 8 k3 p1 nobias | bn } | relu "
    "| { conv 16 k3 s2 p1 | relu ; conv 16 k1 s2 nobias | bn } | gap | fc 10",
    # squeeze-and-excitation gates, alone and inside a residual body (MobileNetV3, EfficientNet)
    "gate": "16x16x8 | conv 8 k3 p1 | < gap | conv 2 k1 | relu | conv 8 k1 | hardsigmoid > "
    "| { conv 8 k1 nobias | bn | < gap | conv 4 k1 | silu | conv 8 k1 | sigmoid > } | gap | fc 4",
    # ConvNeXt's block: depthwise 7×7, LayerNorm2d, Linear over channels ×4, GELU, back, γ, drop path
    "convnext-block": "8x8x8 | conv 8 k1 | layernorm eps=1e-6 | { conv 8 k7 p3 dw | layernorm eps=1e-6 "
    "| channel_linear 32 | gelu | channel_linear 8 | layerscale | stochastic_depth 0.1 }",
    # ShuffleNetV2's unit: the input split in two channel chunks, one kept, one through a branch
    "shuffle-unit": "8x8x16 | [ chunk 2 0 ; chunk 2 1 | conv 8 k1 nobias | bn | relu | conv 8 k3 p1 g8 nobias "
    "| bn | conv 8 k1 nobias | bn | relu ] | channel_shuffle 2 | gap | fc 3",
    "norms-resampling": "12x10x8 | groupnorm 4 | channel_shuffle 2 | instancenorm affine track "
    "| upsample 2 bilinear | pixelunshuffle 2 | pixelshuffle 2 | upsample size=[7,9] bicubic align_corners "
    "| upsample 0.5 mode=nearest-exact | instancenorm | conv 4 k1 | gap | flatten | layernorm nobias",
}

# A spec file with every structure: named groups, numbered repeats, a block with arguments,
# named and unnamed residuals, a named concat, and an fc on a feature map.
STRUCTURES_YAML = """
name: structures
input: 32x32x3
blocks:
  basic:
    args: {planes: null, stride: 1}
    layers:
      - residual: ["conv ${planes} k3 s${stride} p1 nobias", bn, relu, "conv ${planes} k3 p1 nobias", bn]
        shortcut: ["conv ${planes} k1 s${stride} nobias", bn]
      - relu
layers:
  - {type: conv, filters: 8, kernel: 3, padding: 1, name: stem}
  - repeat: 2
    name: layer1
    layers: [{block: basic, args: {planes: 8}}]
  - {block: basic, args: {planes: 16, stride: 2}, name: layer2}
  - residual: [conv 16 k3 p1, relu]
    name: extra
  - concat: [[conv 4 k1], [maxpool 3 s1 p1]]
    name: mix
  - {name: classifier, layers: [dropout, fc 10]}
"""

# Inline concatenations (no scope of their own) as DenseNet writes them — the input beside a
# named dense layer — and with unnamed multi-layer branches; named and unnamed gates.
INLINE_YAML = """
name: inline-merges
input: 12x12x8
blocks:
  dense:
    args: {growth: 4}
    layers:
      - bn name=norm1
      - relu name=relu1
      - conv ${4 * growth} k1 nobias name=conv1
      - bn name=norm2
      - relu name=relu2
      - conv $growth k3 p1 nobias name=conv2
layers:
  - conv 8 k3 p1 name=conv0
  - name: denseblock1
    layers:
      - concat: [[], [{block: dense, name: denselayer1}]]
        inline: true
      - concat: [[], [{block: dense, name: denselayer2}]]
        inline: true
  - concat: [[conv 4 k1, relu], [maxpool 3 s1 p1, conv 4 k1]]
    inline: true
  - gate: [gap name=avgpool, conv 2 k1 name=fc1, relu name=activation, conv 8 k1 name=fc2, sigmoid]
    name: se
  - gap
  - fc 5 name=classifier
"""

# A training-only auxiliary head (InceptionAux): its parameters are in the model, it runs only in
# training mode; with BatchNorm so that the model state it brings shows in the memory checks.
TRAIN_ONLY_YAML = """
name: train-only-head
input: 17x17x8
layers:
  - conv 8 k3 p1 nobias name=conv
  - bn name=bn
  - side: [avgpool 5 s3 name=pool, conv 4 k1 nobias name=conv0, bn name=bn, relu, gap, fc 3 name=fc]
    name: AuxLogits
    train_only: true
  - relu
  - gap
  - fc 5 name=fc
"""

# Names that are not Python attributes, or that nn.Module already uses: the module keeps them
# where torch allows (add_module) and appends '_' where it does not ('train', 'forward').
ODD_NAMES_YAML = """
name: 2 odd-names
input: 8x8x3
layers:
  - {type: conv, filters: 4, kernel: 3, name: train}
  - {type: relu, name: in}
  - {type: bn, name: my-layer}
  - {type: conv, filters: 4, kernel: 1, name: a.b}
  - name: forward
    layers: [conv 4 k1, {type: relu, name: "0"}]
  - {type: fc, units: 3, name: class}
"""

# References to earlier outputs (a DAG): a skip across scales into an inline concat, a reference to
# a named scope, add/mul merges of branches that read other outputs, and a side head on an inner
# stage (DeepLab's auxiliary classifier), which makes the export run that scope's steps inline.
TAPS_YAML = """
name: taps
input: 16x16x4
layers:
  - conv 8 k3 p1 name=stem
  - relu name=act
  - name: encoder
    layers:
      - {name: stage1, layers: [maxpool 2, conv 8 k3 p1, relu]}
      - {name: stage2, layers: [maxpool 2, conv 16 k3 p1, relu]}
  - deconv 8 k2 s2 name=up1
  - concat: [[{from: encoder.stage1}], []]
    inline: true
  - conv 8 k1 name=fuse
  - deconv 8 k2 s2 name=up2
  - add:
      - [{from: act}, conv 8 k1]
      - []
  - mul:
      - []
      - [{from: stem}, sigmoid]
  - side: [{from: encoder.stage2}, gap, fc 3 name=fc]
    name: aux
  - conv 2 k1 name=head
"""

# The network's input read again by a later concat (``from: input``).
INPUT_REFERENCE_YAML = """
name: input-reference
input: 16x16x4
layers:
  - conv 8 k3 p1 name=stem
  - relu
  - concat: [[], [{from: input}]]
    inline: true
  - conv 2 k1 name=head
"""

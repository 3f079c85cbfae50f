"""Translations with the standard gettext catalogs (``cnncalc/locale/<lang>/LC_MESSAGES/cnncalc.mo``).

English is the source language. :func:`set_language` picks the catalog for the whole process;
:func:`_` translates a message id. The catalog sources are ``.po`` files next to the compiled
``.mo`` files (recompile with ``python scripts/compile_catalogs.py``).
"""

from __future__ import annotations

import gettext
import os
import re
from collections.abc import Mapping
from functools import cache

DOMAIN = "cnncalc"
LOCALE_DIR = os.path.join(os.path.dirname(__file__), "locale")
LANGUAGES = ("en", "pt")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """``pt`` when LANGUAGE, LC_ALL, LC_MESSAGES or LANG (the first one set) starts with ``pt``."""
    env = os.environ if environ is None else environ
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            first = value.split(":")[0].lower()
            return "pt" if first.startswith("pt") else "en"
    return "en"


def set_language(language: str | None) -> str:
    """Use ``language`` ('en', 'pt', 'pt_BR', ...; None = from the environment); returns the code used."""
    global _translation, _language
    code = detect_language() if not language else language.lower().replace("-", "_").split("_")[0]
    if code not in LANGUAGES:
        code = "en"
    if code == "en":
        _translation = gettext.NullTranslations()
    else:
        _translation = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[code])
    _language = code
    return code


def current_language() -> str:
    return _language


def _(message: str) -> str:
    """The translation of ``message`` in the current language."""
    return _translation.gettext(message)


def number(value: int | float, places: int | None = None) -> str:
    """A number for text in the current language: ``138,357,544`` and ``2.33`` in English,
    ``138.357.544`` and ``2,33`` in Portuguese (Brazil). ``places``: digits after the point
    (default: none for an int, two for a float). JSON never goes through here."""
    if places is None:
        places = 0 if isinstance(value, int) else 2
    # an int stays exact: the 'f' format would go through a float (80,999,999,999,513,998,932,312,064)
    text = f"{value:,}" if isinstance(value, int) and places == 0 else f"{value:,.{places}f}"
    if _language == "pt":
        text = text.translate(_PT_DIGITS)
    return text


def decimal_point(text: str) -> str:
    """A number already written with '.' as the decimal point (``2.33``) in the current language."""
    return text.replace(".", ",") if _language == "pt" else text


_PT_DIGITS = str.maketrans({",": ".", ".": ","})


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (gettext_noop)."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for the catalog without translating it now."""
    return (singular, plural)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The translation of ``singular`` or ``plural``, whichever agrees with ``n``."""
    return _translation.ngettext(singular, plural, n)


# -- messages produced by the core in English, translated at the edge ------------------------------
# Each entry is a message id with {name} placeholders; an English message is shown with the
# translation of the first template it matches (:func:`matching_template`), its parts translated
# the same way. Only the CLI calls this, so the core stays language-free. scripts/compile_catalogs.py
# checks that every message the core can raise is matched with no English left in the parts.
CORE_MESSAGES = (
    # First match wins: a message's place ("layer 3 'conv2' (conv): …") before what it wraps,
    # a specific message before a shorter one that would also match it.
    # Importing models (issue 12)
    N_(
        "'{op}' is an operation cnncalc cannot count or build (uncounted): a network with one cannot "
        "be exported or verified"
    ),
    N_("summary, explain, compare and memory work on it; export the model's own module"),
    N_("'shares: {written}': no earlier layer of that name{suggestion}"),
    N_("name a layer written before this one, as the report prints it"),
    N_("'shares' names an earlier layer whose parameters this one uses, not {value}"),
    N_("e.g. shares: conv1 (a name as the report prints it)"),
    N_("'shares: {written}': '{name}' is a different layer, so its parameters cannot be this one's"),
    N_("a layer that shares parameters has the same type and fields"),
    N_(
        "layer '{name}' uses the parameters of '{owner}' (shares), which is outside the block that calls "
        "it again: exporting that is not supported yet"
    ),
    N_("summary, memory and the other counts work on this network"),
    N_("'{target}' has no '{name}'{suggestion}"),
    N_(
        "NAME is an nn.Module subclass, an nn.Module, or a function with no required arguments that "
        "returns one{defined}"
    ),
    N_(
        "the model's forward depends on the values of a tensor (data-dependent control flow){at}, so "
        "it cannot be traced without running it on real data"
    ),
    N_("; it defines {names}"),
    N_(" (at {where})"),
    N_("{op}: input {inputs} → output {output} (H×W×C): its MACs are not counted"),
    N_("reading ONNX models is not available yet in this version of cnncalc"),
    N_("export the model's PyTorch module instead: cnncalc summary model.py:NAME --input HxWxC"),
    N_("your model's code raised {kind}: {detail} while {doing} it"),
    N_("your model's code raised {kind} while {doing} it"),
    N_("the error is in the model's code (cnncalc runs it to import the model); fix it there"),
    N_("'{ref}' is a PyTorch model: cnncalc needs the input size to trace it"),
    N_("give --input, e.g. --input 224x224x3 (H×W×C) or --input 3x224x224 --order chw"),
    N_("'{target}' has no '{name}' (did you mean '{suggestion}'?)"),
    N_("'{target}' has no '{name}'"),
    N_(
        "NAME is an nn.Module subclass, an nn.Module, or a function with no required arguments that "
        "returns one; it defines {names}"
    ),
    N_(
        "NAME is an nn.Module subclass, an nn.Module, or a function with no required arguments that "
        "returns one"
    ),
    N_("cannot load this file as Python"),
    N_("'{name}' in '{target}' is a {kind}, not a model"),
    N_("NAME is an nn.Module subclass, an nn.Module, or a function returning one"),
    N_("'{name}' needs arguments ({args}): cnncalc calls it with none"),
    N_(
        "add a function with no required arguments that returns the model, e.g. def model(): return "
        "{name}(...), and import file.py:model"
    ),
    N_("'{name}()' returned a {kind}, not an nn.Module"),
    N_("NAME is an nn.Module subclass or a function that returns an nn.Module"),
    N_("check the path (model.py:NAME)"),
    N_("your file has a syntax error: {detail}"),
    N_("no module named '{name}'"),
    N_("give an importable module (pkg.module:NAME, on PYTHONPATH) or a file (model.py:NAME)"),
    N_(
        "this model reads its input again after other layers; a spec can read an earlier layer, not "
        "the input itself"
    ),
    N_("start the model with a layer that keeps the input (nn.Identity) to name it"),
    N_("the model cannot be traced: {kind}: {detail} (at {where})"),
    N_("the model cannot be traced: {kind}: {detail}"),
    N_(
        "cnncalc traces forward with torch.fx: calls on tensor values (item(), numpy(), print of a "
        "value) cannot be traced"
    ),
    N_(
        "the model's forward depends on the values of a tensor (data-dependent control flow) (at "
        "{where}), so it cannot be traced without running it on real data"
    ),
    N_(
        "the model's forward depends on the values of a tensor (data-dependent control flow), so it "
        "cannot be traced without running it on real data"
    ),
    N_(
        "make that branch depend on sizes or settings, not on values (or use torch.where); or import "
        "the part of the model before it"
    ),
    N_("the model refuses input {shape} (H×W×C): {kind}: {detail} (at {where})"),
    N_("the model refuses input {shape} (H×W×C): {kind}: {detail}"),
    N_("give --input the size the model expects (H×W×C, or C×H×W with --order chw)"),
    N_(
        "'{op}' ({origin}) gives a tensor of shape {shape}, which cnncalc cannot follow (it counts "
        "per-sample feature maps N×C×H×W and vectors N×C)"
    ),
    N_("import the part of the model that works on such tensors, or wrap the rest in a module cnncalc maps"),
    N_(
        "the module '{path}' ({cls}) is called more than once ({origin}): cnncalc cannot yet count "
        "parameters shared between calls (they would be counted at every call)"
    ),
    N_("give each call its own module to count them, or import the model without the shared module"),
    N_("importing a PyTorch model needs torch: pip install 'cnncalc[torch]'"),
    # Counting conventions, the training step and mixed precision (issue 15)
    N_("--count-as works with --format table or json, not {fmt}"),
    N_("--count-as works with --format {shown}, not {fmt}"),
    N_("add --train"),
    N_("choose from {names}"),
    N_("--gpu gives the time floor of a training step"),
    N_("{gpu} has no published {dtype} peak in cnncalc's table"),
    N_("choose --dtype from {names}"),
    N_("choose a dtype from {names}"),
    N_("unknown convention '{name}'"),
    N_("unknown forward style '{name}'"),
    N_("'{name}' does not follow a torchvision model, so --forward-style torchvision has no meaning for it"),
    N_("use --forward-style export (the module 'cnncalc export' writes)"),
    N_("unknown GPU '{name}'"),
    N_("mixed precision runs in fp16 or bf16, not '{dtype}'"),
    # ONNX files (issue 12): cnncalc/importers/onnx_reader.py, onnx_proto.py
    N_("reading ONNX files needs the onnx package, which is not installed"),
    N_("the onnx package is installed but cannot be loaded ({reason})"),
    N_("{path} is not a file"),
    N_("give the path of an .onnx file"),
    N_("{path} is {size} bytes, over protobuf's limit of 2 GiB for one ONNX file"),
    N_("save the weights as external data (onnx.save(..., save_as_external_data=True))"),
    N_("{path} is not a readable ONNX file ({reason})"),
    N_("the file is corrupt or not ONNX; export it again (torch.onnx.export) and check it with onnx.checker"),
    N_("{path} holds no ONNX graph (no IR version or no nodes)"),
    N_("the file is corrupt or not ONNX; export it again (torch.onnx.export)"),
    N_("{path} declares no opset for ONNX's default domain"),
    N_("export it again"),
    N_("unsupported opset {version}: this onnx installation reads opsets {oldest} to {newest}"),
    N_("convert the model (onnx.version_converter.convert_version) or update the onnx package"),
    N_("the model has {count} inputs ({names}); cnncalc reads networks with one input"),
    N_("the input '{name}' is {dims}: cnncalc reads N×C×H×W images or N×F vectors"),
    N_("--input {size} does not fit the model's input '{name}' ({dims})"),
    N_("give H×W×C for an image input, a length for a vector"),
    N_("--input {size} has {given} channels but the model's input '{name}' has {have} ({dims})"),
    N_("keep {count} channels"),
    N_("the model's input '{name}' has a dynamic size ({dims})"),
    N_("give the size with --input HxWxC (e.g. --input 224x224x3)"),
    N_("the input {size} is over cnncalc's size limit"),
    N_("the model rejects the input {size} at {where}: {reason}"),
    N_("give the size the model was exported for (--input), or export it with dynamic axes"),
    N_("give the size the model was exported for (--input)"),
    N_("ONNX node #{index} '{name}' ({op}), {sizes}: {reason}"),
    N_("ONNX node #{index} ({op}), {sizes}: {reason}"),
    N_("ONNX node #{index} '{name}' ({op})"),
    N_("ONNX node #{index} ({op})"),
    N_("ONNX node '{name}' ({op})"),
    N_("ONNX's shape inference"),
    N_("it reshapes {count} values to {dims}"),
    N_("its weight reads {count} channels ({per_group} × {groups} groups) but its input has {channels}"),
    N_("the tensor '{name}' is read before any node writes it"),
    N_(
        "{count} convolutions have weights named by the exporter (onnx::Conv_…) and a bias, and the graph"
        " has no BatchNormalization: torch.onnx.export in eval mode folds each BatchNorm into the "
        "convolution before it, so their parameters are the folded ones (a bias per filter, no BatchNorm "
        "parameters or running statistics); export with training=torch.onnx.TrainingMode.TRAINING or "
        "do_constant_folding=False to keep them"
    ),
    N_(
        "{count} ONNX nodes only compute constants (copies of initializers, shapes, reshape targets): "
        "folded, not counted"
    ),
    N_(
        "{count} convolutions lost a bias of zeros to torch.onnx.export(dynamo=True)'s optimizer "
        "(RemoveOptionalBiasFromConv): a zero bias of the model is not in the file, nor in the counts; "
        "export with optimize=False to keep it"
    ),
    N_(
        "{count} C×1×1 initializers that multiply a feature map are counted as layer scales, one "
        "parameter per channel: an ONNX file does not say whether such a tensor is learned (ConvNeXt's "
        "layer_scale) or a fixed buffer"
    ),
    N_(
        "{count} convolutions hold a BatchNorm that torch.onnx.export(dynamo=True) fused into them (its "
        "optimizer's FuseBatchNormIntoConv): their parameters are the fused ones (a bias per filter, "
        "dropped where it is zero; no BatchNorm parameters or running statistics); export with "
        "optimize=False to keep them"
    ),
    N_(
        "{path} ({module}): {params} parameters the forward does not call at inference (a training-only "
        "head?) are not in the totals; the model has {total}"
    ),
    N_(
        "{path}: some or all of its parameters are those of {layers} (tied weights), which only a "
        "layer defined the same way can share: they are counted again"
    ),
    N_(
        "{tensor} is read by {first} and by {second}: one tensor of varied values (an exporter merges "
        "only equal values), so one module's weights, called again or tied: counted once"
    ),
    N_(
        "{count} initializers read by several modules have their values outside the file: an "
        "exporter's merge of equal values or weights tied, cnncalc cannot tell which; counted for "
        "each module"
    ),
    N_(
        "{count} initializers holding one repeated value (a fresh model's BatchNorm ones and zeros) "
        "are read by several modules: the exporter merges equal values, so each module's are counted"
    ),
    # ONNX ops the reader leaves uncounted, and why
    N_("{sizes}; output size unknown"),
    N_("pads {pads} are not 2-D"),
    N_("auto_pad {mode} on an input of unknown size"),
    N_("auto_pad {mode}"),
    N_("only 2-D convolutions with a known weight shape are counted"),
    N_("the weight is computed in the graph, not an initializer"),
    N_("only 2-D transposed convolutions with a known weight shape are counted"),
    N_("output_shape or auto_pad on a transposed convolution"),
    N_("asymmetric pads {pads}"),
    N_("its weight reads {count} channels but its input has {channels}"),
    N_("only x·Wᵀ + b with a constant 2-D weight W is counted"),
    N_("its weight reads {count} features but its input has {features}"),
    N_("only a vector (or channels last) times a constant 2-D matrix is counted"),
    N_("a layer normalisation from axis {axis} (cnncalc's is over the channels)"),
    N_("an op on a tensor with the channels moved last (N×H×W×C, by a Transpose)"),
    N_("its input's size is unknown (an op before it is not counted)"),
    N_("a slice whose bounds are not constants"),
    N_("a slice that is not of the channels"),
    N_("channels {start}…{end} of {channels}, not one of equal chunks"),
    N_("only 2-D pooling windows are counted"),
    N_("asymmetric pooling pads (top {top}, left {left}, bottom {bottom}, right {right})"),
    N_("its indices output is used"),
    N_("a dilated average pool"),
    N_("global pooling of a tensor that is not N×C×H×W"),
    N_("a {op} that is not over H×W"),
    N_("spatial=0 (statistics per position)"),
    N_("its running statistics are read by other nodes"),
    N_("alpha {alpha} (cnncalc's elu has alpha 1)"),
    N_("alpha {alpha}, beta {beta} (torch's Hardsigmoid is x/6 + 1/2)"),
    N_("a slope that is not an initializer"),
    N_("{count} slopes for {channels} channels"),
    N_("its {bound} is not a constant"),
    N_("a clip to [{low}, {high}] (only [0, 6], ReLU6, is a cnncalc layer)"),
    N_("softmax over axis {axis} (cnncalc's is over the channels)"),
    N_("a flatten from axis {axis} (cnncalc keeps the batch axis)"),
    N_("a {op} with a constant (not a merge of two computed tensors)"),
    N_("a {op} of tensors that are not N×C×H×W or N×F"),
    N_("a {op} that broadcasts {shapes}"),
    N_("a concat along axis {axis} (cnncalc concatenates channels)"),
    N_("a split that is not along the channels"),
    N_("a split into unequal parts {parts}"),
    N_("padding of chosen axes"),
    N_("{mode} padding (cnncalc's pad is zero padding of H×W)"),
    N_("pads {pads} (only non-negative H×W padding is a cnncalc layer)"),
    N_("{mode} resizing"),
    N_("nearest resizing with {transform} and {nearest}"),
    N_("{mode} resizing with {transform} coordinates"),
    N_("a resize whose scales or sizes are not constants over H×W"),
    N_("a reshape of a 5-D view that is not a channel shuffle"),
    N_("a reshape to a size that is not a constant"),
    N_("a reshape from {inp} to {out}"),
    N_("a transpose (cnncalc's layers keep the C×H×W layout)"),
    N_("no cnncalc layer for {op} of domain '{domain}'"),
    N_("no cnncalc layer for {op}"),
    N_("attributes cnncalc cannot read ({reason})"),
    N_("an input whose shape cnncalc cannot represent"),
    N_("a division (only the end of torch's written-out LRN is a cnncalc layer)"),
    N_("DCR order (torch's PixelShuffle is DepthToSpace with mode CRD)"),
    N_("cnncalc refuses it as {kind}: {reason}"),
    N_("cnncalc computes {ours} as {kind}, ONNX's shape inference {theirs}"),
    # References to earlier outputs (from:) and add/mul merges of branches
    N_("'mul' needs exactly two branches, not {n}"),
    N_("mul: [[...], [...]] multiplies the first branch's output by the second's"),
    N_("'add' needs two or more branches"),
    N_("'from' must name an earlier layer, merge or scope, not {what}"),
    N_("e.g. from: layer3 (a name as the report prints it)"),
    N_("'from: {written}': no layer, merge or scope of that name{rest}"),
    N_(
        "use a name as the report prints it (cnncalc summary SPEC lists them); inside a block, names "
        "are looked up in the block first"
    ),
    N_(
        "'from: {written}' names the scope '{name}', which this reference is inside: its output is not "
        "computed yet (that would be a cycle)"
    ),
    N_("name a layer computed before this point, or move the reference after the end of '{name}'"),
    N_("'from: {written}' names '{name}', which comes later: a reference reads an output computed before it"),
    N_("move the reference after that layer, or name an earlier one"),
    # Structures of the modern zoo (gates, inline concats, if, repeat index, training-only heads)
    N_("e.g. 'chunk {parts} 0' … 'chunk {again} {last}'"),
    N_("{what}: {channels} channels are not divisible by groups {groups}"),
    N_("choose groups that divide {channels}: {divisors}"),
    N_("layerscale needs a feature map (its γ is C×1×1) but its input is a flat vector of {n}"),
    N_("put it before flatten, on the H×W×C map"),
    N_("fixed_affine: {n} values of {name} for {channels} channels"),
    N_("give {name} as a list of {channels} numbers, one per channel"),
    N_("channel_shuffle needs a feature map (H×W×C) but its input is a flat vector of {n}"),
    N_("shuffle channels before flatten"),
    N_("instancenorm needs a feature map (H×W×C) but its input is a flat vector of {n}"),
    N_("use layernorm or batchnorm on a vector"),
    N_(
        "instancenorm of a 1×1 map: one value per channel has no variance (PyTorch: 'Expected more than "
        "1 spatial element')"
    ),
    N_("normalise before the map shrinks to 1×1, or use track_running_stats"),
    N_("crop to {th}×{tw} needs an input at least that large, but it is {h}×{w}"),
    N_("a crop only removes pixels: give a size of at most {h}×{w}, or pad the map first (pad)"),
    N_("e.g. 'upsample 2' (scale) or 'upsample size=[56,56]'"),
    N_("write 'upsample 2 bilinear align_corners', or drop align_corners"),
    N_("upsample to {h}×{w}: an empty map ({formula})"),
    N_("use a larger scale (output = floor(N × scale) must be at least 1)"),
    N_("upsample to {h}×{w} = {pixels} pixels, over the limit of {limit}"),
    N_("pixelshuffle {r}: {channels} channels are not divisible by r² = {r2text} = {r2}"),
    N_("give the layer before it a multiple of {n} channels"),
    N_("pixelshuffle {r}: {h}×{w} pixels is over the limit of {limit}"),
    N_("pixelunshuffle {r}: {channels} channels is over the limit of {limit}"),
    N_("pixelunshuffle {r}: {axis} {n} is not divisible by {d}"),
    N_("use a factor that divides {n}, or resize the map first"),
    N_("'{value}' is not true or false (compare it: == != < <= > >=)"),
    N_("cannot compare '{left}' with '{right}'"),
    N_("'{value}' is not a number"),
    N_("the result is not a finite number"),
    N_("functions: {names}"),
    N_("number too large"),
    N_("unknown function '{name}'"),
    N_("missing ')' after the arguments of {name}"),
    N_("{name} takes {count}, not {given}"),
    N_("unknown argument '{name}' (arguments: {names})"),
    N_(
        "layer {index} '{layer}' (mul): the gate gives {scale} but its input is {shape}{order}; a gate "
        "must give the same channels, on 1×1 or the same height and width"
    ),
    N_("end the gate with a 1×1 conv to the input's channels after a global pool (squeeze-and-excitation)"),
    N_("'if' needs true or false, not {value}"),
    N_("compare arguments inside a block: if: ${{stride == 1 and inp == out}}"),
    N_("'if' needs 'then': the layers used when the condition is true"),
    N_("'start' must be a whole number, not {value}"),
    N_("'index' must be a name such as i, not {value}"),
    N_("the copies' layers can then use $i or ${{i + 1}}: start, start + 1, …"),
    N_("every branch of this 'concat' is empty"),
    N_("an empty branch is the input itself; give at least one branch layers"),
    N_("'{key}' must be true or false, not {value}"),
    N_("'gate' needs a list of one or more layers"),
    N_("e.g. gate: [gap, conv 8 k1, relu, conv 32 k1, sigmoid]"),
    N_("'{value}' is not true or false (compare it: == != < <= > >=) in '${{{text}}}'"),
    N_("cannot compare '{left}' with '{right}' in '${{{text}}}'"),
    N_("'{value}' is not a number in '${{{text}}}'"),
    N_("'if' without 'else' in '${{{text}}}' (write: a if condition else b)"),
    N_("write the input as C×H×W, e.g. 3x227x227, or a vector's length, e.g. 13"),
    N_(
        "{detail}, and batch {batch} gives it one value per channel; PyTorch refuses it (Expected "
        "more than 1 value per channel)"
    ),
    N_(
        "layer {index} '{layer}' (concat): branch outputs {shapes}{order} differ in height or width, so "
        "they cannot be concatenated along channels"
    ),
    N_(
        "layer {index} '{layer}' (add): the body gives {body} but the shortcut gives {shortcut}{order}; "
        "they must match to be added"
    ),
    N_("layer {index} '{layer}' (add): shapes {shapes} differ"),
    N_("the spec needs argument '{name}': it has no default"),  # before '{kind} needs {fields}'
    N_("layer {index} '{layer}' ({kind}): input {shape} (H×W×C): {detail}"),
    N_("layer {index} '{layer}' ({kind}): input {shape}: {detail}"),
    N_("layer {index} '{layer}' ({kind}): {detail}"),
    # Whole messages of the core, the most literal text first.
    N_(
        "run 'cnncalc list' for the bundled names; a one-line spec starts with the input size, e.g. "
        "'32x32x3 | conv 10 k5 p2'"
    ),
    N_(
        "layers[{index}] alone expands to {size}: check repeat counts and blocks that call blocks "
        "several times"
    ),
    N_(
        "{axis}: {formula} = {value} does not fit (não cabe); PyTorch floors it to {floor}, ignoring "
        "the last {rest} row(s)/column(s){tail}"
    ),
    N_("padding 'same' needs stride 1 (PyTorch rejects it for strided convolutions)"),
    N_("use a projection shortcut (e.g. conv with 1×1 kernel and the same stride)"),
    N_("write the input as H×W×C, e.g. 227x227x3, or a vector's length, e.g. 13"),
    N_("a spec is given as text (a name, a file path or a one-line spec), not {kind}"),
    N_("the spec holds characters that are not valid Unicode (lone surrogates)"),
    N_("a one-line spec starts with its input size, e.g. '32x32x3 | …'; got '{head}'"),
    N_("the receptive field is too large to report (over 10^308 input pixels)"),
    N_("a residual has a body and at most one shortcut: {{ body ; shortcut }}"),
    N_("a spec file with named blocks is easier to read for deep structures"),
    N_("input must be a size like 224x224x3 or {{height, width, channels}}"),
    N_("output_padding {op} must be smaller than the stride {s} or the dilation {d}"),
    N_("a layer must be a string such as 'conv 64 k3' or a mapping, not {kind}"),
    N_("repeat of {count} × {size} layers is over the limit of {limit} layers in one network"),
    N_("{layer} needs a feature map (H×W×C) but its input is a flat vector of {n}"),
    N_("define a block under 'blocks:' and call it with '- block: NAME'"),
    N_("input channels {channels} and filters {filters} must both be divisible by groups {groups}"),
    N_("try --dtype fp32, --device meta (shapes only) or --device cuda"),
    N_("check the strides: this many stride-2 layers cannot be meant"),
    N_("put convolutions and pooling before any flatten or fc layer"),
    N_("a spec file holds a mapping with 'input' and 'layers', not {kind}"),
    N_("'{ref}' is not a bundled architecture, a file or a one-line spec{rest}"),
    N_("give every branch the same stride and 'same'-style padding"),
    N_("analyse every network with the same batch, dtype and order"),
    N_("a real network repeats a block tens of times, not millions"),
    N_("YAML anchors and aliases (&name, *name) are not supported"),
    N_("concatenation needs two or more branches separated by ';'"),
    N_("every report in a comparison must use the same settings"),
    N_("choose a number of filters that is a multiple of groups"),
    N_("PyTorch requires output_padding < max(stride, dilation)"),
    N_("give an explicit padding, e.g. p = (F − 1)/2 for odd F"),
    N_("the spec expands to {total} layers, over the limit of {limit} layers"),
    N_("input height, width and channels must be whole numbers"),
    N_("specs hold plain mappings, lists, strings and numbers"),
    N_("expected '{char}' to close the '{opener}' opened at column {column}, found {found}"),
    N_("'{key}' must be a list of branches, each a list of layers"),
    N_("{a}/{b} is not a whole number in '${{{expr}}}' (use // to floor)"),
    N_("write it as {{type: {kind}, ...}} or as the string '{text} ...'"),
    N_("--device cuda: no CUDA GPU is available to PyTorch"),
    N_("the file is {size} bytes, over the limit of {limit} characters"),
    N_("add layers after '|', e.g. '32x32x3 | conv 10 k5'"),
    N_("malformed YAML: character U+{code} is not allowed ({name})"),
    N_("see 'cnncalc check --help' for the file format"),
    N_("batch must be a whole number from 1 to {limit}, got {value}"),
    N_("input '{text}' is not a size like 224x224x3 (H×W×C)"),
    N_("the document is nested more than {n} levels deep"),
    N_("sizes, kernel and dilation must be at least 1"),
    N_("this needs PyTorch, which is not installed ({detail})"),
    N_("use padding ≥ {need}, a smaller {what}, or a larger input"),
    N_("input channels {channels} are not divisible by groups {groups}"),
    N_("structures are nested more than {n} levels deep"),
    N_("unknown argument '{name}' in '${{{expr}}}' (arguments: {names})"),
    N_("sizes, counts and channels are at most 10^12"),
    N_("a mapping needs 'type' (a layer) or one of: {keys}"),
    N_("run 'cnncalc layers' to list the layer types"),
    N_("write 'leakyrelu {slope}' for a slope, or '{kind}' alone"),
    N_("PyTorch requires pooling padding ≤ kernel/2"),
    N_("it should be a whole number, not a fraction"),
    N_("'repeat' needs 'layers': the list to repeat"),
    N_("'args' must be a mapping of argument: value"),
    N_("brackets are nested more than {n} levels deep"),
    N_("the report does not belong to this network"),
    N_("dtype must be a name such as 'fp32', got {value}"),
    N_("choose groups that divide the input depth"),
    N_("{axis} {n} is smaller than {what} {size} (={kernel} dilated by {dilation}) with {padding}"),
    N_("'blocks' must be a mapping of name: block"),
    N_("'repeat' must be a whole number ≥ 0, not {value}"),
    N_("'side' needs a list of one or more layers"),
    N_("number too large in '${{{expr}}}' (limit 10^18)"),
    N_("it should be one number or a list of {count} [{names}]"),
    N_("write the input as H×W×C, e.g. 227x227x3"),
    N_("dtype must be one of {choices} for verify, got '{value}'"),
    N_("remove control characters from the spec"),
    N_("{axis} {n} is smaller than {what} {size} with total padding {padding}"),
    N_("padding {padding} is more than half the kernel {kernel}"),
    N_("it should be greater than or equal to {bound}"),
    N_("'type' must be a layer type name, not {kind}"),
    N_("a number with {n} digits ({start}…) is too large"),
    N_("kernel and dilation must be at least 1"),
    N_("filters {filters} are not divisible by groups {groups}"),
    N_("PyTorch cannot run layer '{layer}' on {device} in {dtype}: {detail}"),
    N_("YAML tag '{tag}' is not allowed in a spec"),
    N_("missing layer at the end of the spec"),
    N_("it should be less than or equal to {bound}"),
    N_("write it like 24GiB, 16GB or 512MiB"),
    N_("repeat count {count} is over the limit of {limit}"),
    N_("'concat' needs two or more branches"),
    N_("the spec has an input but no layers"),
    N_("order must be 'hwc' or 'chw', got {value}"),
    N_("compare needs at least one network"),
    N_("block '{name}': 'args' must be a mapping"),
    N_("unexpected character '{char}' in '${{{expr}}}'"),
    N_("a number with {n} digits is too large"),
    N_("optimizer must be one of {choices}, got '{value}'"),
    N_("'{key}' must be a list of layers, not {kind}"),
    N_("the network has more than {limit} layers"),
    N_("the document is nested too deeply"),
    N_("{axis} {n} is smaller than {what} {size} with padding {padding}"),
    N_("mapping keys must be plain words"),
    N_("a named shortcut needs 'layers'"),
    N_("'{name}' is not an integer in '${{{expr}}}'"),
    N_("spec is larger than {limit} characters"),
    N_("empty layer (two '|' in a row?)"),
    N_("'{token}' is not a value or option of {kind}{rest}"),
    N_("entry has no 'type' (it has: {keys})"),
    N_("device must be one of {choices}, got '{value}'"),
    N_("a whole number greater than 0"),
    N_("a list of numbers, one per channel"),
    N_("input {what} must be positive, got {value}"),
    N_("input {what} {value} is over the limit of {limit}"),
    N_("incomplete expression '${{{expr}}}'"),
    N_("only leakyrelu has one, not {kind}"),
    N_("it should be a finite number"),
    N_("block '{name}' has no argument '{arg}'{rest}"),
    N_("division by zero in '${{{expr}}}'"),
    N_("the network has no layer '{key}'{rest}"),
    N_("it should be greater than {bound}"),
    N_("the file is not UTF-8 text"),
    N_("block '{name}' needs argument '{arg}'"),
    N_("expected a layer before '{char}'"),
    N_("{axis} {n} is smaller than {what} {size} with {padding}"),
    N_("{kind}: {field} {value} is over the limit of {limit}"),
    N_("define it under 'blocks:'"),
    N_("run with --help for usage"),
    N_("give a YAML or JSON file"),
    N_("block '{name}' calls itself ({chain})"),
    N_("'{kind}' entry has no field '{field}'{rest}"),
    N_("unexpected '{token}' in '${{{expr}}}'"),
    N_("unexpected value '{value}' for {kind}"),
    N_("inference peak (no grad)"),
    N_("'{value}' is not a memory size"),
    N_("'name' must be a string"),
    N_("block '{name}' needs 'layers'"),
    N_("input {what} must be positive"),
    N_("cannot read the file: {reason}"),
    N_("the spec has no layers"),
    N_("missing ')' in '${{{expr}}}'"),
    N_("{axis}: {formula} = {size} is not positive"),
    N_("it should be at most {limit}"),
    N_("training step peak ({optimizer})"),
    N_("unknown layer type '{name}'{rest}"),
    N_("malformed value '{value}': {detail}"),
    N_("parameters + buffers"),
    N_("; fits exactly with {suggestions}"),
    N_("'{key}' must be a string"),
    N_("later steps peak ({optimizer})"),
    N_(" (did you mean '{name}'?)"),
    N_("reduce the padding"),
    N_("not a regular file"),
    N_("a whole number ≥ {n}"),
    N_("the spec needs '{key}'"),
    N_("the spec is empty"),
    N_("'{key}' is given twice"),
    N_("{kind} has no field '{field}'{rest}"),
    N_("unknown block '{name}'{rest}"),
    N_("blocks defined: {names}"),
    N_("malformed YAML: {detail}"),
    N_("malformed JSON: {detail}"),
    N_("duplicate key '{key}'"),
    N_("'{key}=' has no value"),
    N_("use --device cpu"),
    N_("missing field '{field}'"),
    N_("unknown field '{field}'"),
    N_("no such file: '{ref}'"),
    N_("height and width"),
    N_("its arguments: {names}"),
    N_("output elements"),
    N_("FLOPs (batch {batch})"),
    N_("check the path"),
    N_("{kind}: invalid {field} {value}: {problem}"),
    N_("true or false"),
    N_("unexpected '{char}'"),
    N_("input needs {fields}"),
    N_("empty layer"),
    N_("{usage}; options: {options}"),
    N_("allowed: {names}"),
    N_("a number"),
    N_("channels"),
    N_("usage: {usage}"),
    N_("the end"),
    N_("buffers"),
    N_("{kind} needs {fields}"),
    N_("params"),
    N_("give it a default under 'args:' (a bundled family member sets its own)"),
    N_("argument '{name}' must default to a number, a word or null (required), not {kind}"),
    N_("the spec has no argument '{name}'{rest}"),
    N_("'args' must be a mapping of argument: default"),
    N_("kernel"),
    N_("window"),
    N_("height"),
    N_("width"),
    N_("error"),
    # Silent misreads refused (issue 14)
    N_("input {what} {value} is over the limit of {limit}"),
    N_("sizes, counts and channels are at most 10^12"),
    N_("the input size '{text}' has a negative number; sizes are whole numbers from 1"),
    N_("write the input as H×W×C, e.g. 227x227x3"),
    N_("write the input as C×H×W, e.g. 3x227x227"),
    N_("'{key}' is given twice"),
    N_("capital letters are the slides' ({lecture}); small ones: {small}"),
    N_("usage: relu (or any name in the list, alone); leakyrelu [NEGATIVE_SLOPE=0.01]"),
    N_("lrn normalises across the channels of a feature map (H×W×C), but its input is a flat vector of {n}"),
    N_("put lrn right after a convolution, before any flatten or fc layer"),
    N_(
        "in training, batch norm normalises with the batch's own statistics, and batch {batch} gives it "
        "one value per channel; PyTorch refuses it (Expected more than 1 value per channel)"
    ),
    N_(
        "without running statistics (track_running_stats=false), batch norm always normalises with the "
        "batch's own statistics, and batch {batch} gives it one value per channel; PyTorch refuses it "
        "(Expected more than 1 value per channel)"
    ),
    N_("train with a batch of 2 or more"),
    N_("use a batch of 2 or more, or keep track_running_stats (the default)"),
    N_("PyTorch refused the network in layer '{layer}': {error}"),
    N_("PyTorch refused the network: {error}"),
    N_(
        "cnncalc's analysis accepted this network and PyTorch did not: a mismatch; please report it "
        "with the spec"
    ),
    N_("'{text}' has no unit: {a}GiB, {b}GB or {c}B?"),
    N_("write the unit, e.g. 24GiB (2^30 bytes each), 16GB (10^9) or 512MiB"),
    N_("the answers file answers nothing: 'answers' and 'totals' are empty"),
    N_(
        "give at least one answer under 'answers' (a layer's output, params, macs or memory) or "
        "'totals'; 'cnncalc quiz --template' writes a file to fill in"
    ),
    # Templates that match many messages: after every specific one; the last only splits
    # what nothing else matched (fit suggestions).
    N_("{message} in '${{{text}}}'"),
    N_("{item}, or a list [{names}]"),
    N_("{rule}, or null"),
    N_("it should be {expected}"),
    N_("a number {bounds}"),
    N_("padding {n}"),
    N_("total padding {n}"),
    N_("{first}, or {second}"),
    N_("{first} or {second}"),
)


# Layer descriptions (``LayerDef.describe`` and merge rows), translated by :func:`translate_description`.
DESCRIPTION_MESSAGES = (
    N_("{head} no bias"),
    N_("{head} groups {groups}"),
    N_("{head} (transposed)"),
    N_("{filters} filters {rest}"),
    N_("1 filter {rest}"),
    N_("{units} units"),
    N_("{merge} of {n} branches"),
    N_("residual add (identity shortcut)"),
    N_("residual add"),
    N_("gate: input × scale (receptive field of the input path)"),
    N_("size {size}, {rest}"),
    N_("to {size}"),
    N_("x × scale + shift per channel, fixed"),
)


def _pattern(template: str) -> re.Pattern[str]:
    """The regular expression of a template: each ``{name}`` a lazy group, ``{{``/``}}`` a brace."""
    parts = re.split(r"(\{\{|\}\}|\{\w+\})", template)
    regex = "".join(
        re.escape(p[0]) if p in ("{{", "}}") else f"(?P<{p[1:-1]}>.*?)" if p.startswith("{") else re.escape(p)
        for p in parts
    )
    return re.compile(f"^{regex}$", re.DOTALL)


@cache
def _patterns(templates: tuple[str, ...] = CORE_MESSAGES) -> list[tuple[str, re.Pattern[str]]]:
    return [(t, _pattern(t)) for t in templates]


def matching_template(
    text: str, templates: tuple[str, ...] = CORE_MESSAGES
) -> tuple[str, re.Match[str]] | None:
    """The first of ``templates`` that matches ``text``, with the match."""
    for template, pattern in _patterns(templates):
        match = pattern.match(text)
        if match:
            return template, match
    return None


def translate_message(text: str, templates: tuple[str, ...] = CORE_MESSAGES) -> str:
    """Translate an English core message by the first of ``templates`` (:data:`CORE_MESSAGES`) it
    matches; the captured parts are translated the same way. Unknown messages come back unchanged."""
    if _language == "en" or not text:
        return text
    found = matching_template(text, templates)
    if found is None:
        return text
    template, match = found
    parts = {k: _localised_number(translate_message(v, templates)) for k, v in match.groupdict().items()}
    return _(template).format(**parts)


_ENGLISH_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+\.\d+$")


def _localised_number(text: str) -> str:
    """A number the core wrote in English (``2.33``, ``1,000,000``) as the current language writes it."""
    if _language == "pt" and _ENGLISH_NUMBER.match(text):
        return text.translate(_PT_DIGITS)
    return text


def translate_description(text: str) -> str:
    """A layer description (``64 filters 3×3×C /1 pad 1 no bias``) in the current language."""
    return translate_message(text, DESCRIPTION_MESSAGES)

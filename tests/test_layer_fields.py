"""Declared layer fields (cnncalc/layers/fields.py): what each accepts, the sentence for what it
refuses, and a JSON Schema that agrees with it (`cnncalc schema spec` documents these fields)."""

from __future__ import annotations

import math
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnncalc
from cnncalc.layers import registered_kinds
from cnncalc.layers.base import InvalidField
from cnncalc.layers.conv import Conv2d
from cnncalc.layers.fields import Problem
from cnncalc.layers.linear import Linear
from cnncalc.schema import layer_schema


def message(spec: str) -> str:
    with pytest.raises(cnncalc.SpecError) as info:
        cnncalc.load(spec)
    return info.value.message


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        # what the lectures' students mistype, and what the parser must say
        ("8x8x3 | conv 8 k3.5", "conv: invalid kernel 3.5: it should be a whole number, not a fraction"),
        ("8x8x3 | conv 8 k3 bias=7", "conv: invalid bias 7: it should be true or false"),
        ("8x8x3 | conv true k3", "conv: invalid filters True: it should be a whole number greater than 0"),
        (
            "8x8x3 | conv 8 k3 padding=foo",
            "conv: invalid padding 'foo': it should be a whole number ≥ 0, or a list [height, width], "
            "or 'same' or 'valid'",
        ),
        (
            "8x8x3 | conv 8 k3 stride=[1,2,3]",
            "conv: invalid stride [1, 2, 3]: it should be one number or a list of 2 [height, width]",
        ),
        (
            "8x8x3 | conv 8 k3 groups=half",
            "conv: invalid groups 'half': it should be a whole number greater than 0, or 'depthwise'",
        ),
        ("8x8x3 | dropout 1.5", "dropout: invalid p 1.5: it should be less than or equal to 1"),
        ("8x8x3 | bn eps=0", "batchnorm: invalid eps 0: it should be greater than 0"),
        ("8x8x3 | bn eps=1e999", "batchnorm: invalid eps inf: it should be a finite number"),
        # a slope only leakyrelu has (it used to be accepted and ignored)
        ("8x8x3 | relu 0.1", "relu: invalid negative_slope 0.1: only leakyrelu has one, not relu"),
        (
            "8x8x3 | pad [1,2]",
            "pad: invalid amount [1, 2]: it should be one number or a list of 4 [left, right, top, bottom]",
        ),
        (
            "8x8x3 | conv 8 k1 stride=[1,10000000000000]",
            "conv: stride 10,000,000,000,000 is over the limit of 1,000,000,000,000",
        ),
    ],
)
def test_a_refused_value_is_named_with_what_it_should_be(spec: str, expected: str) -> None:
    assert message(spec) == expected


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        ({"filters": "8", "kernel": 3.0}, {"filters": 8, "kernel": 3}),  # YAML text and 3.0 are whole numbers
        ({"filters": 8, "kernel": [3, 1], "padding": "SAME"}, {"kernel": (3, 1), "padding": "same"}),
        ({"filters": 8, "kernel": 3, "bias": "no"}, {"bias": False}),
        ({"filters": 8, "kernel": 3, "groups": "depthwise"}, {"groups": "depthwise"}),
    ],
)
def test_accepted_values_are_stored_in_one_form(fields: dict[str, Any], stored: dict[str, Any]) -> None:
    layer = Conv2d(**fields)
    for key, value in stored.items():
        assert getattr(layer, key) == value


def file_message(text: str) -> str:
    with pytest.raises(cnncalc.SpecError) as info:
        cnncalc.parse_spec_text(text, "net.yaml")
    return info.value.message


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        # found in review: a field named like the constructor's own argument
        ("[{type: conv, filters: 1, kernel: 1, self: 2}]", "conv has no field 'self'"),
        # True == 1 in Python: validating 1 first must not let true through the validation cache
        ("[conv 4 k3 p1, {type: conv, filters: 4, kernel: 3, padding: true}]", "conv: invalid padding True"),
        ("[fc 1, {type: fc, units: true}]", "fc: invalid units True"),
        ('[{type: conv, filters: "٥", kernel: 1}]', "conv: invalid filters '٥'"),  # not ASCII digits
        (
            '[{type: conv, filters: 4, kernel: "3x3"}]',
            "conv: invalid kernel '3x3': it should be a whole number greater than 0, or a list [height, width]",
        ),
        ("[elu 1]", "elu: invalid negative_slope 1.0: only leakyrelu has one, not elu"),
        (
            "[{type: conv, filters: 1.0e+300, kernel: 1}]",
            "conv: filters 1e+300 is over the limit of 1,000,000,000,000",
        ),
        (
            "[{type: conv, filters: '" + "9" * 200 + "', kernel: 1}]",
            "conv: filters 99999999… (200 digits) is over the limit of 1,000,000,000,000",
        ),
    ],
)
def test_values_found_in_review_are_refused_clearly(layers: str, expected: str) -> None:
    assert file_message(f"input: 8x8x4\nlayers: {layers}\n").startswith(expected)


def test_layers_are_immutable_values() -> None:
    a = Conv2d(filters=8, kernel=3)
    b = Conv2d(filters=8, kernel=[3, 3][0], padding=0)
    assert a == b and hash(a) == hash(b)
    assert a != Linear(units=8)
    with pytest.raises(AttributeError, match="immutable"):
        a.filters = 9  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del a.filters
    wider = a.replace(filters=16)
    assert (wider.filters, a.filters) == (16, 8)
    assert repr(a).startswith("Conv2d(type='conv', filters=8, kernel=3,")


def test_the_library_gets_a_typed_error_for_a_bad_field() -> None:
    with pytest.raises(InvalidField) as info:
        Conv2d(filters=0, kernel=3)
    assert isinstance(info.value, cnncalc.SpecError)  # never a SystemExit or a framework's error
    assert (info.value.field_name, info.value.problem) == ("filters", "it should be greater than 0")
    with pytest.raises(InvalidField, match="conv needs 'filters', 'kernel'"):
        Conv2d()
    with pytest.raises(InvalidField, match="conv has no field 'strid'"):
        Conv2d(filters=1, kernel=1, strid=2)


def _accepts(kind: Any, name: str, value: Any) -> bool:
    try:
        kind.fields[name].rule.convert(value)
    except Problem:
        return False
    return True


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.integers(-(10**13), 10**13)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["same", "valid", "depthwise", "x", ""]),
    lambda children: st.lists(children, max_size=5),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None)
@given(data=st.data(), value=json_values)
def test_every_value_the_schema_allows_is_accepted(data: st.DataObject, value: Any) -> None:
    # The schema documents the fields; a spec that validates against it must also load. (The
    # rules are laxer than the schema: "5", 5.0 and "yes" are accepted but not advertised.)
    kind = data.draw(st.sampled_from([k for k in registered_kinds() if k.fields]))
    name = data.draw(st.sampled_from(sorted(kind.fields)))
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **kind.fields[name].schema()}
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
        value = int(value) if data.draw(st.booleans()) else value
    if jsonschema.Draft202012Validator(schema).is_valid(value):
        assert _accepts(kind, name, value), f"{kind.__name__}.{name} refuses {value!r}"


def test_each_kind_schema_lists_its_fields_and_requires_the_required_ones() -> None:
    for kind in registered_kinds():
        schema = layer_schema(kind)
        assert set(schema["properties"]) == {
            "type",
            "name",
            "shares",
            *kind.fields,
        }  # shares: any layer mapping
        assert set(schema["required"]) == {"type", *(n for n, f in kind.fields.items() if f.required)}
        jsonschema.Draft202012Validator.check_schema(schema)

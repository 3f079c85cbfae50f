"""Records (cnncalc/records.py) behave as frozen dataclasses do, and the fast JSON encoder
(cnncalc/render/jsontext.py) writes exactly what json.dumps(indent=2, ensure_ascii=False) writes."""

from __future__ import annotations

import json
from typing import Literal

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnncalc.records import doc, field, field_names, json_schema, record, replace, to_plain
from cnncalc.render.jsontext import json_text


@record
class Point:
    x: int
    y: int = 0


@record(kw_only=True)
class Named:
    """A record with a description, a default and a nested record."""

    label: str = doc("What it is.")
    where: Point | None = None
    tags: list[str] = field(factory=list)
    kind: Literal["a", "b"] = "a"
    pair: tuple[int, float] = (1, 2.5)


def test_records_behave_like_frozen_dataclasses() -> None:
    p = Point(1)
    assert (p.x, p.y) == (1, 0) and p == Point(1, 0) and p != Point(1, 1)
    assert hash(p) == hash(Point(1, 0)) and {p: "ok"}[Point(1)] == "ok"
    assert repr(p) == "Point(x=1, y=0)"
    with pytest.raises(AttributeError):
        p.x = 2  # type: ignore[misc]
    assert replace(p, y=5) == Point(1, 5) and p.y == 0
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Named("positional")  # type: ignore[misc]
    a, b = Named(label="a"), Named(label="b")
    assert a.tags == [] and a.tags is not b.tags  # a factory makes one per instance
    assert field_names(Named) == ("label", "where", "tags", "kind", "pair")


def test_definitions_dataclasses_refuse_are_refused() -> None:
    with pytest.raises(TypeError, match="mutable default"):

        @record
        class Shared:
            items: list[int] = []  # noqa: RUF012

    with pytest.raises(TypeError, match="follows a field with a default"):

        @record
        class Order:
            a: int = 0
            b: int


def test_mutable_records_are_not_hashable() -> None:
    @record(frozen=False)
    class Counter:
        n: int = 0

    c = Counter()
    c.n += 1
    assert c == Counter(1)
    with pytest.raises(TypeError):
        hash(c)


def test_json_schema_describes_the_plain_form() -> None:
    schema = json_schema(Named, schema_id="https://example.invalid/named.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["required"] == ["label"]
    assert schema["properties"]["label"]["description"] == "What it is."
    assert schema["properties"]["kind"] == {
        "enum": ["a", "b"],
        "type": "string",
        "title": "Kind",
        "default": "a",
    }
    assert "Point" in schema["$defs"]
    value = Named(label="x", where=Point(2, 3), tags=["t"], pair=(4, 0.5))
    jsonschema.validate(to_plain(value), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**to_plain(value), "extra": 1}, schema)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**30, max_value=10**60)  # exact, never 1e+48
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()  # quotes, backslashes, control characters, non-ASCII
)
plain = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(plain)
def test_json_text_is_the_standard_indented_encoding(value: object) -> None:
    assert json_text(value) == json.dumps(value, indent=2, ensure_ascii=False)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.builds(Point, st.integers(), st.integers()), max_size=5),
    st.text(),
    st.lists(st.text(), max_size=3),
)
def test_json_text_of_records_shares_nothing_it_should_not(
    points: list[Point], label: str, tags: list[str]
) -> None:
    # Shared records are written once and reused; the text must still be the plain form's text.
    shared = Point(7, 8)
    value = {
        "a": [Named(label=label, where=shared, tags=tags), Named(label=label, where=shared)],
        "p": points,
    }
    value["again"] = [shared, [shared]]
    assert json_text(value) == json.dumps(to_plain(value), indent=2, ensure_ascii=False)

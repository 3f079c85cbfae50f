"""Fuzzing the three spec parsers (one-line, YAML, JSON) in-process: whatever the input, the result
is a report or a :class:`cnncalc.CnncalcError` with a message, never another exception.

CI size: 1,500 inputs per parser (4,500 in all), about 40 s on 2 cores. ``python benchmarks/fuzz.py`` runs the same
strategies on 10,000+ inputs per parser and records the count in docs/benchmarks.md.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.strategies import check, json_texts, oneline_texts, yaml_texts

CI = settings(
    max_examples=1_500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@CI
@given(oneline_texts)
def test_oneline_parser_never_raises_anything_but_cnncalc_errors(text: str) -> None:
    check("oneline", text)


@CI
@given(yaml_texts)
def test_yaml_parser_never_raises_anything_but_cnncalc_errors(text: str) -> None:
    check("yaml", text)


@CI
@given(json_texts)
def test_json_parser_never_raises_anything_but_cnncalc_errors(text: str) -> None:
    check("json", text)

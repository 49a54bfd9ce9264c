"""What JSONata may spend: catastrophic regexes, quadratic functions, string building, and the
time of a whole execution rather than of one evaluation."""

from __future__ import annotations

import time

import pytest

from asl.api import machine_from_definition, run_machine
from asl.expr import budget
from asl.expr.jsonata import QueryEvaluationError, runtime
from jsonata_support import run

TIMEOUT = "Expression evaluation timeout: Check for infinite loop"
CATASTROPHIC = "/^(a|aa)+$/"   # exponential backtracking on "aaa...a!", even for the regex package


@pytest.mark.parametrize("expression", [
    f"$match($states.input.s, {CATASTROPHIC})",
    f"$replace($states.input.s, {CATASTROPHIC}, 'x')",
    f"$split($states.input.s, {CATASTROPHIC})",
    f"$contains($states.input.s, {CATASTROPHIC})",
], ids=["match", "replace", "split", "contains"])
def test_a_catastrophic_regex_ends_at_the_time_bound(monkeypatch, expression):
    monkeypatch.setattr(runtime, "EVALUATION_TIMEOUT_SECONDS", 0.3)
    started = time.monotonic()
    with pytest.raises(QueryEvaluationError, match=TIMEOUT):
        run("{% " + expression + " %}", states={"input": {"s": "a" * 40 + "!"}})
    assert time.monotonic() - started < 10  # Python's re: minutes


def test_regexes_still_match_as_before():
    assert run("{% $match('ab12cd345', /[0-9]+/).match %}") == ["12", "345"]
    assert run("{% $replace('Hello World', /o/i, '0') %}") == "Hell0 W0rld"
    assert run("{% $split('a1b22c', /[0-9]+/) %}") == ["a", "b", "c"]
    assert run("{% $contains('abc', /B/i) %}") is True


def test_distinct_is_linear_and_keeps_the_librarys_equality():
    started = time.monotonic()
    items = list(range(150_000)) * 2  # 300,000 items, 150,000 distinct
    assert run("{% $distinct($states.input) %}", states={"input": items}) == list(range(150_000))
    assert time.monotonic() - started < 10  # quadratic: minutes
    # 1 and 1.0 (and true) are one value to the library; key order does not matter; arrays' does.
    assert run('{% $distinct([1, 1.0, "1", {"a": 1, "b": 2}, {"b": 2, "a": 1}, [1, 2], [2, 1], null, null]) %}') \
        == [1, "1", {"a": 1, "b": 2}, [1, 2], [2, 1], None]


def test_string_building_stops_at_the_memory_bound():
    started = time.monotonic()
    with pytest.raises(QueryEvaluationError, match="Expression evaluation memory limit exceeded"):
        run("{% $reduce([1..40], function($acc, $v) { $acc & $acc }, 'x') %}")  # 2^40 characters
    assert time.monotonic() - started < 10


def test_the_time_bound_is_per_execution_not_per_evaluation(monkeypatch):
    monkeypatch.setattr(runtime, "EVALUATION_TIMEOUT_SECONDS", 0.4)
    monkeypatch.setattr(budget, "EXECUTION_SECONDS", 1.0)
    definition = {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map", "Items": "{% [1..10] %}", "End": True,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {
            "Type": "Pass", "End": True, "Output": f"{{% $contains('{'a' * 40}!', {CATASTROPHIC}) %}}",
            "Catch": []}}}}}}
    del definition["States"]["M"]["ItemProcessor"]["States"]["P"]["Catch"]
    started = time.monotonic()
    result = run_machine(machine_from_definition(definition), {}, clock="virtual")
    elapsed = time.monotonic() - started
    assert (result.status, result.error) == ("FAILED", "States.QueryEvaluationError")
    assert elapsed < 8  # one evaluation's 0.4 s, then what is left of the execution's 1 s
    # A new execution has a budget of its own.
    again = run_machine(machine_from_definition(definition), {}, clock="virtual")
    assert again.error == "States.QueryEvaluationError"

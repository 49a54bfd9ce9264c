"""Frames of variables: scoping and the size limits AWS sets on variables."""

from collections import ChainMap

import pytest

from asl.errors import STATES_DATA_LIMIT, StatesError
from asl.interp.scope import ASSIGN_LIMIT, EXECUTION_LIMIT, VARIABLE_LIMIT, Frame

KIB = 1024


def text_of_bytes(n: int) -> str:
    """A string whose JSON form (with its two quotes) is n bytes."""
    return "x" * (n - 2)


def test_a_variable_at_the_limit_is_kept():
    frame = Frame(0, ChainMap())
    value = text_of_bytes(VARIABLE_LIMIT)
    sizes = frame.measure({"v": value}, "S")
    frame.assign({"v": value}, sizes)
    assert frame.variables["v"] == value
    assert frame.stored_bytes() == VARIABLE_LIMIT


@pytest.mark.parametrize("assigned,words", [
    ({"big": text_of_bytes(VARIABLE_LIMIT + 1)}, "The variable 'big' assigned by the state 'S'"),
    ({"a": text_of_bytes(130 * KIB), "b": text_of_bytes(130 * KIB)},
     "The variables assigned by the state 'S' have a combined size"),
], ids=["one-variable", "one-assign"])
def test_over_a_limit_is_data_limit_exceeded(assigned, words):
    with pytest.raises(StatesError) as caught:
        Frame(0, ChainMap()).measure(assigned, "S")
    assert caught.value.name == STATES_DATA_LIMIT
    assert caught.value.cause.startswith(words)
    assert caught.value.cause.endswith("exceeding the maximum number of bytes service limit.")


def test_the_execution_total_counts_enclosing_scopes():
    outer = Frame(0, ChainMap(), outer_bytes=EXECUTION_LIMIT - 100 * KIB)
    value = text_of_bytes(60 * KIB)
    outer.assign({"a": value}, outer.measure({"a": value}, "S"))
    inner = outer.child(5)
    assert inner.stored_bytes() == EXECUTION_LIMIT - 40 * KIB
    inner.measure({"b": text_of_bytes(40 * KIB)}, "T")
    with pytest.raises(StatesError, match="variables of the execution"):
        inner.measure({"b": text_of_bytes(40 * KIB + 1)}, "T")


def test_reassigning_a_variable_replaces_its_size():
    frame = Frame(0, ChainMap(), outer_bytes=EXECUTION_LIMIT - ASSIGN_LIMIT)
    for _ in range(3):  # three times the same 200 KiB variable: counted once
        value = text_of_bytes(200 * KIB)
        frame.assign({"v": value}, frame.measure({"v": value}, "S"))
    assert frame.stored_bytes() == EXECUTION_LIMIT - ASSIGN_LIMIT + 200 * KIB


def test_inner_scopes_assign_their_own_frame():
    outer = Frame(0, ChainMap())
    outer.assign({"x": 1}, outer.measure({"x": 1}, "S"))
    inner = outer.child(3)
    inner.assign({"x": 2}, inner.measure({"x": 2}, "T"))
    assert (inner.variables["x"], outer.variables["x"]) == (2, 1)


def test_an_inner_scope_reads_through_until_it_assigns_and_its_siblings_never_see_it():
    outer = Frame(0, ChainMap())
    outer.assign({"x": 1}, outer.measure({"x": 1}, "S"))
    first, second = outer.child(3), outer.child(4)
    assert first.variables["x"] == 1 and first.own_variables() == {}
    first.assign({"y": 2}, first.measure({"y": 2}, "T"))
    assert first.own_variables() == {"y": 2} and dict(first.variables) == {"x": 1, "y": 2}
    assert "y" not in outer.variables and "y" not in second.variables and second.own_variables() == {}
    outer.assign({"z": 3}, outer.measure({"z": 3}, "U"))  # what the enclosing scope sets later is seen
    assert first.variables["z"] == second.variables["z"] == 3


# ---------------------------------------------------------------- through the interpreter

def pad(n_bytes: int) -> str:
    return f"{{% $pad('', {n_bytes - 2}, 'x') %}}"


def test_an_oversized_jsonata_assign_fails_the_state(execute):
    result = execute({"QueryLanguage": "JSONata", "StartAt": "S", "States": {
        "S": {"Type": "Pass", "Assign": {"big": pad(VARIABLE_LIMIT + 1)}, "End": True}}})
    assert (result.status, result.error) == ("FAILED", STATES_DATA_LIMIT)
    assert "'big'" in result.cause
    assert "PassStateExited" not in [e.type for e in result.history.events]


def test_variables_within_the_limits_span_states(execute):
    # 2 x 200 KiB would break one Assign's limit; in two states it is allowed.
    result = execute({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"a": pad(200 * KIB)}, "Next": "B"},
        "B": {"Type": "Pass", "Assign": {"b": pad(200 * KIB)}, "Next": "C"},
        "C": {"Type": "Pass", "Output": "{% $length($a) + $length($b) %}", "End": True}}})
    assert (result.status, result.output) == ("SUCCEEDED", 2 * (200 * KIB - 2))


def test_an_oversized_jsonpath_assign_is_caught_by_states_all(execute):
    branch = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": text_of_bytes(200 * KIB), "End": True}}}
    result = execute({"StartAt": "S", "States": {
        "S": {"Type": "Parallel", "Branches": [branch], "Assign": {"a.$": "$[0]", "b.$": "$[0]"}, "End": True,
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]},
        "Caught": {"Type": "Pass", "End": True}}})
    assert result.status == "SUCCEEDED"
    assert result.output["Error"] == STATES_DATA_LIMIT
    assert "combined size" in result.output["Cause"]

"""The pipeline's short cuts for states without paths give what the full data flow gives."""

from __future__ import annotations

import pytest

from asl.api import machine_from_definition, run_machine

INPUT = {"a": {"b": [1, 2, {"c": "é"}]}, "n": 3, "s": "x"}

# Machines whose states take the short cuts, the full flow, or both; run each way, they must agree.
MACHINES: dict[str, dict] = {
    "pass-parameters": {"P": {"Type": "Pass", "Parameters": {"x.$": "$.a.b[2]", "k": 1}, "End": True}},
    "pass-result-and-parameters": {"P": {"Type": "Pass", "Parameters": {"x.$": "$.n"}, "Result": {"r": 1},
                                         "End": True}},
    "pass-missing-parameter-path": {"P": {"Type": "Pass", "Parameters": {"x.$": "$.nope"}, "End": True}},
    "pass-plain": {"P": {"Type": "Pass", "Next": "Q"}, "Q": {"Type": "Pass", "Result": [1], "End": True}},
    "pass-paths": {"P": {"Type": "Pass", "InputPath": "$.a", "Parameters": {"b.$": "$.b"}, "ResultPath": "$.r",
                         "OutputPath": "$.r", "End": True}},
    "pass-null-paths": {"P": {"Type": "Pass", "InputPath": None, "ResultPath": None, "Next": "Q"},
                        "Q": {"Type": "Pass", "OutputPath": None, "End": True}},
    "pass-assign": {"P": {"Type": "Pass", "Assign": {"v.$": "$.n"}, "Next": "Q"},
                    "Q": {"Type": "Pass", "Parameters": {"v.$": "$v"}, "End": True}},
    "choice-plain": {"C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 2, "Next": "S"}],
                           "Default": "F"},
                     "S": {"Type": "Succeed"}, "F": {"Type": "Fail", "Error": "E"}},
    "choice-rule-assign": {"C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 3, "Next": "S",
                                                                "Assign": {"w.$": "$.s"}}], "Default": "S"},
                           "S": {"Type": "Pass", "Parameters": {"w.$": "$w"}, "End": True}},
    "choice-paths": {"C": {"Type": "Choice", "InputPath": "$.a", "OutputPath": "$.b",
                           "Choices": [{"Variable": "$.b[0]", "NumericEquals": 1, "Next": "S"}]},
                     "S": {"Type": "Succeed", "InputPath": "$[2]"}},
    "wait-succeed": {"W": {"Type": "Wait", "Seconds": 1, "Next": "S"}, "S": {"Type": "Succeed"}},
    "map-plain": {"M": {"Type": "Map", "ItemsPath": "$.a.b", "End": True, "ItemProcessor": {
        "StartAt": "I", "States": {"I": {"Type": "Pass", "Parameters": {"i.$": "$"}, "End": True}}}}},
    "map-result-path": {"M": {"Type": "Map", "ItemsPath": "$.a.b", "ResultPath": "$.out", "End": True,
                              "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}},
}

# What each gives: its output, or the error it fails with.
EXPECTED = {
    "choice-paths": {"c": "é"},
    "choice-plain": INPUT,
    "choice-rule-assign": {"w": "x"},
    "map-plain": [{"i": 1}, {"i": 2}, {"i": {"c": "é"}}],
    "map-result-path": {**INPUT, "out": [1, 2, {"c": "é"}]},
    "pass-assign": {"v": 3},
    "pass-missing-parameter-path": "States.Runtime",
    "pass-null-paths": {},
    "pass-parameters": {"x": {"c": "é"}, "k": 1},
    "pass-paths": {"b": [1, 2, {"c": "é"}]},
    "pass-plain": [1],
    "pass-result-and-parameters": {"r": 1},
    "wait-succeed": INPUT,
}


def _run(states: dict, plain: bool) -> tuple:
    machine = machine_from_definition({"StartAt": next(iter(states)), "States": states}, validate=False)
    if not plain:  # the full flow everywhere
        for state in _all_states(machine):
            object.__setattr__(state, "plain_input", False)
            object.__setattr__(state, "plain_output", False)
    result = run_machine(machine, INPUT, clock="virtual")
    events = [(e["type"], {k: v for k, v in e.items() if k not in ("timestamp",)})
              for e in result.history.to_aws()["events"]]
    return result.status, result.output, result.error, result.cause, events


def _all_states(machine):
    for state in machine.states.values():
        yield state
        processor = getattr(state, "processor", None)
        if processor is not None:
            yield from _all_states(processor)


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_short_cuts_agree_with_the_full_flow(name):
    plain = _run(MACHINES[name], plain=True)
    assert plain == _run(MACHINES[name], plain=False)
    status, output, error = plain[:3]
    assert (error if status == "FAILED" else output) == EXPECTED[name]


@pytest.mark.parametrize("name, state, flags", [
    ("pass-parameters", "P", (True, True)),
    ("pass-paths", "P", (False, False)),
    ("pass-null-paths", "P", (False, False)),
    ("pass-null-paths", "Q", (True, False)),
    ("pass-assign", "P", (True, False)),
    ("choice-paths", "C", (False, False)),
    ("map-result-path", "M", (True, False)),
])
def test_the_short_cuts_are_taken_only_where_nothing_would_change(name, state, flags):
    machine = machine_from_definition({"StartAt": next(iter(MACHINES[name])), "States": MACHINES[name]},
                                      validate=False)
    built = machine.states[state]
    assert (built.plain_input, built.plain_output) == flags


def test_jsonata_states_take_no_short_cut():
    machine = machine_from_definition({"QueryLanguage": "JSONata", "StartAt": "P",
                                       "States": {"P": {"Type": "Pass", "End": True}}}, validate=False)
    assert (machine.states["P"].plain_input, machine.states["P"].plain_output) == (False, False)

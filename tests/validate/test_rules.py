"""Each validation rule, as data: a valid and an invalid definition (code, pointer, line:column)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from asl.loader import load_text
from asl.validate import validate, validate_definition
from asl.validate.rules import RULES

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "rules.yaml").read_text(encoding="utf-8"))


def _errors(diagnostics):
    return [d for d in diagnostics if d.severity == "ERROR"]


@pytest.mark.parametrize("case", CASES, ids=[c["rule"] for c in CASES])
def test_valid_example_has_no_error(case):
    found = validate(load_text(case["valid"], "valid.json"))
    # No error at all, and not the diagnostic under test either (a warning rule's valid example
    # must not trigger its own warning).
    found = [d for d in found if d.severity == "ERROR" or d.code == case["code"]]
    assert found == [], [d.format("valid.json") for d in found]


@pytest.mark.parametrize("case", CASES, ids=[c["rule"] for c in CASES])
def test_invalid_example_is_reported_where_it_is(case):
    found = validate(load_text(case["invalid"], "invalid.json"))
    matching = [d for d in found if d.code == case["code"] and d.pointer == case["pointer"]]
    assert matching, [d.format("invalid.json") + f" [{d.pointer}]" for d in found]
    position = matching[0].position
    assert (position.line, position.column) == (case["line"], case["column"])
    assert matching[0].severity == case.get("severity", "ERROR")


def test_every_rule_has_cases():
    covered = {c["rule"].split(" ")[0] for c in CASES}
    missing = {rule.__name__ for rule in RULES} - covered
    assert not missing, f"rules without a valid/invalid example in cases/rules.yaml: {sorted(missing)}"


def test_all_problems_are_reported_not_only_the_first():
    data = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                       "B": {"Type": "Pass", "ResultPath": "bad", "Next": "Nowhere"},
                                       "C": {"Type": "Succeed"}}}
    codes = sorted(d.code for d in validate_definition(data))
    assert codes == ["MISSING_TRANSITION_TARGET", "SCHEMA_VALIDATION_FAILED"]


CHAIN = {"Process": {"Type": "Pass", "Next": "Store"}, "Store": {"Type": "Pass", "Next": "Notify"},
         "Notify": {"Type": "Pass", "Next": "Done"}, "Done": {"Type": "Succeed"}}


@pytest.mark.parametrize("first", [
    {"Type": "Pass", "Next": "Procss"},                                    # a misspelled Next
    {"Type": "Pass"},                                                      # no Next at all
    {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Nope"}], "Default": "Done"},
    {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True}], "Default": "Done"},
    {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "Next": "Done",
     "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Procss"}]},
])
def test_a_broken_transition_is_reported_once_not_as_unreachable_states_after_it(first):
    data = {"StartAt": "First", "States": {"First": first, **CHAIN}}
    found = _errors(validate_definition(data))
    assert len(found) == 1, [(d.code, d.pointer, d.message) for d in found]
    assert found[0].code in ("MISSING_TRANSITION_TARGET", "SCHEMA_VALIDATION_FAILED")


def test_unreachable_states_are_still_reported_when_no_reachable_transition_is_broken():
    # The broken Next is in a state nothing reaches: it cannot explain why Orphan is unreachable.
    data = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "Orphan": {"Type": "Pass", "Next": "Nope"}}}
    found = sorted((d.code, d.pointer) for d in _errors(validate_definition(data)))
    assert found == [("MISSING_TRANSITION_TARGET", "/States/Orphan/Next"), ("UNREACHABLE_STATE", "/States/Orphan")]


def test_sorted_by_position():
    text = '{"StartAt": "A", "States": {\n "B": {"Type": "Pass", "ResultPath": "x", "End": true},\n' \
           ' "A": {"Type": "Pass", "Next": "Z"}}}'
    found = validate(load_text(text, "x.json"))
    positions = [(d.position.line, d.position.column) for d in found]
    assert positions == sorted(positions)


@pytest.mark.parametrize("data", [None, "", [], 42, {"StartAt": 1, "States": []},
                                  {"StartAt": "A", "States": {"A": None}},
                                  {"StartAt": "A", "States": {"A": {"Type": "Map", "ItemProcessor": []}}},
                                  {"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [None, 1]}}}])
def test_malformed_input_gives_diagnostics_never_exceptions(data):
    found = validate_definition(data)
    assert _errors(found)
    assert not [d for d in found if d.code == "VALIDATOR_ERROR"]


def test_resource_naming_a_module_imports_nothing():
    # A definition cannot make validation import code: Resources are only read as text.
    name = "sfn_validate_must_not_import_this"
    data = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": f"{name}:handler", "Next": "U"},
        "U": {"Type": "Task", "Resource": f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
              "Parameters": {"x.$": f"States.Format('{{}}', $.{name})"}, "End": True}}}
    before = set(sys.modules)
    validate_definition(data)
    validate_definition(data)
    new = set(sys.modules) - before
    assert not [m for m in new if name in m or m == "os.system"]
    assert name not in sys.modules


def test_placeholder_resource_is_a_warning():
    data = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "${ChargeFunctionArn}", "End": True}}}
    found = validate_definition(data)
    assert [d.code for d in found] == ["UNRESOLVED_SUBSTITUTION"]
    assert found[0].severity == "WARNING"


def _nested(levels: int, kind: str = "Parallel") -> dict:
    inner = {"StartAt": "L", "States": {"L": {"Type": "Succeed"}}}
    for i in range(levels):
        body = {"Type": kind, "End": True}
        body.update({"Branches": [inner]} if kind == "Parallel" else {"ItemProcessor": inner})
        inner = {"StartAt": f"S{i}", "States": {f"S{i}": body}}
    return inner


@pytest.mark.parametrize("kind", ["Parallel", "Map"])
def test_nesting_bound_and_no_crash_far_beyond_it(kind):
    from asl.validate.rules import MAX_NESTING

    assert not _errors(validate_definition(_nested(MAX_NESTING, kind)))
    for levels in (MAX_NESTING + 1, 300):
        found = _errors(validate_definition(_nested(levels, kind)))
        assert [d.code for d in found] == ["TOO_DEEPLY_NESTED"]


def test_a_dynamic_field_that_is_no_path_uses_aws_words():
    data = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Assign": {"Variable.$": "nope"}, "End": True}}}
    messages = [d.message for d in validate_definition(data) if d.pointer == "/States/P/Assign/Variable.$"]
    assert messages and messages[0].startswith(
        "The value for the field 'Variable.$' must be a valid JSONPath or a valid intrinsic function call (")


@pytest.mark.parametrize("state,pointer,suggestion", [
    ({"Type": "Pass", "Nxt": "B"}, "/States/A/Nxt", "Next"),
    ({"Type": "Pass", "ResultPth": "$.x", "End": True}, "/States/A/ResultPth", "ResultPath"),
    ({"Type": "Pass", "resultPath": "$.x", "End": True}, "/States/A/resultPath", "ResultPath"),
    ({"Type": "Pas", "End": True}, "/States/A/Type", "Pass"),
    ({"Type": "Choice", "Choices": [{"Variable": "$.x", "StringEqual": "a", "Next": "B"}]},
     "/States/A/Choices/0/StringEqual", "StringEquals"),
    ({"Type": "Choice", "Choices": [{"Not": {"Variable": "$.x", "NumericGreaterThen": 1}, "Next": "B"}]},
     "/States/A/Choices/0/Not/NumericGreaterThen", "NumericGreaterThan"),
    ({"Type": "Pass", "Next": "b"}, "/States/A/Next", "B"),
    ({"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "B"}], "Default": "Bb"},
     "/States/A/Default", "B"),
    ({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True, "QueryLanguage": "JSONata",
      "Credentials": {"RoleArm": "arn:aws:iam::123456789012:role/r"}}, "/States/A/Credentials/RoleArm", "RoleArn"),
])
def test_a_misspelled_name_gets_the_closest_valid_one(state, pointer, suggestion):
    data = {"StartAt": "A", "States": {"A": state, "B": {"Type": "Succeed"}}}
    messages = [d.message for d in validate_definition(data) if d.pointer == pointer]
    assert any(m.endswith(f"(did you mean '{suggestion}'?)") for m in messages), messages


def test_a_misspelled_start_at_gets_the_closest_state_name():
    found = validate_definition({"StartAt": "Strat", "States": {"Start": {"Type": "Succeed"}}})
    assert [d.message for d in found] == ["StartAt 'Strat' does not name a state in this scope (did you mean 'Start'?)"]


def test_no_suggestion_when_nothing_is_close():
    data = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Zzyzx": 1, "Next": "Qwerty"}, "B": {"Type": "Succeed"}}}
    messages = [d.message for d in validate_definition(data) if d.pointer.startswith("/States/A/")]
    assert messages and not [m for m in messages if "did you mean" in m]


FILTER = "$.items[?(@.year < 1999)]"
MAP = {"Type": "Map", "End": True, "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}


@pytest.mark.parametrize("state,pointer,full_path", [
    ({"Type": "Pass", "InputPath": FILTER, "End": True}, "/States/A/InputPath", True),
    ({"Type": "Pass", "OutputPath": FILTER, "End": True}, "/States/A/OutputPath", True),
    ({"Type": "Pass", "Parameters": {"old.$": FILTER}, "End": True}, "/States/A/Parameters/old.$", True),
    ({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultSelector": {"old.$": FILTER},
      "End": True}, "/States/A/ResultSelector/old.$", True),
    ({"Type": "Pass", "ResultPath": FILTER, "End": True}, "/States/A/ResultPath", False),
    ({**MAP, "ItemsPath": FILTER}, "/States/A/ItemsPath", False),
    ({**MAP, "MaxConcurrencyPath": FILTER}, "/States/A/MaxConcurrencyPath", False),
    ({"Type": "Wait", "SecondsPath": FILTER, "End": True}, "/States/A/SecondsPath", False),
    ({"Type": "Wait", "TimestampPath": FILTER, "End": True}, "/States/A/TimestampPath", False),
    ({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSecondsPath": FILTER, "End": True},
     "/States/A/TimeoutSecondsPath", False),
    ({"Type": "Fail", "ErrorPath": FILTER}, "/States/A/ErrorPath", False),
    ({"Type": "Fail", "CausePath": FILTER}, "/States/A/CausePath", False),
    ({"Type": "Choice", "Choices": [{"Variable": FILTER, "IsPresent": True, "Next": "B"}]},
     "/States/A/Choices/0/Variable", False),
    ({"Type": "Choice", "Choices": [{"Variable": "$.x", "StringEqualsPath": FILTER, "Next": "B"}]},
     "/States/A/Choices/0/StringEqualsPath", False),
])
def test_paths_take_any_jsonpath_and_reference_paths_one_node(state, pointer, full_path):
    # The guide's "Paths" / "Reference Paths": a filter selects many nodes, which only a Path may.
    data = {"StartAt": "A", "States": {"A": state, "B": {"Type": "Succeed"}}}
    found = [d.message for d in _errors(validate_definition(data)) if d.pointer == pointer]
    if full_path:
        assert found == []
    else:
        assert found and "is not a reference path" in found[0], found

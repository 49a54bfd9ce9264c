"""JSONata states and workflow variables through the interpreter: fields, errors, scoping."""

import pytest

from conftest import event_types


def jsonata(states: dict, start: str = "S") -> dict:
    return {"QueryLanguage": "JSONata", "StartAt": start, "States": states}


CASES = [
    ("output-expression", {"S": {"Type": "Pass", "Output": "{% $states.input.a * 2 %}", "End": True}}, {"a": 2}, 4),
    ("output-template", {"S": {"Type": "Pass", "Output": {"x": "{% $states.input.a %}", "lit": "a {% b %}"},
                               "End": True}}, {"a": 1}, {"x": 1, "lit": "a {% b %}"}),
    ("pass-default-output-is-input", {"S": {"Type": "Pass", "End": True}}, {"a": 1}, {"a": 1}),
    ("assign-then-read", {"S": {"Type": "Pass", "Assign": {"v": "{% $states.input.a + 1 %}"}, "Next": "T"},
                          "T": {"Type": "Pass", "Output": "{% $v %}", "End": True}}, {"a": 1}, 2),
    ("assign-sees-values-from-before", {
        "S": {"Type": "Pass", "Assign": {"a": 1, "b": 2}, "Next": "T"},
        "T": {"Type": "Pass", "Assign": {"a": "{% $b %}", "b": "{% $a %}"}, "Next": "U"},
        "U": {"Type": "Pass", "Output": {"a": "{% $a %}", "b": "{% $b %}"}, "End": True}}, {}, {"a": 2, "b": 1}),
    ("choice-condition", {"S": {"Type": "Choice", "Choices": [
        {"Condition": "{% $states.input.n > 3 %}", "Next": "Big"}], "Default": "Small"},
        "Big": {"Type": "Pass", "Output": "big", "End": True},
        "Small": {"Type": "Pass", "Output": "small", "End": True}}, {"n": 5}, "big"),
    ("map-items-and-selector", {"S": {"Type": "Map", "Items": "{% $states.input.xs %}",
                                      "ItemSelector": {"v": "{% $states.context.Map.Item.Value * 10 %}"},
                                      "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                                      "End": True}}, {"xs": [1, 2]}, [{"v": 10}, {"v": 20}]),
    ("map-output-uses-result", {"S": {"Type": "Map", "Items": [1, 2], "Output": "{% $count($states.result) %}",
                                      "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                                      "End": True}}, {}, 2),
    ("parallel-output", {"S": {"Type": "Parallel", "Output": "{% $states.result[1] %}", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": 1, "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "Output": 2, "End": True}}}]}}, {}, 2),
    ("wait-seconds-expression", {"S": {"Type": "Wait", "Seconds": "{% $states.input.w %}", "End": True}}, {"w": 3}, {"w": 3}),
    ("catch-output-and-assign", {
        "S": {"Type": "Parallel", "Next": "Done", "Branches": [
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "bad"}}}],
            "Catch": [{"ErrorEquals": ["Oops"], "Next": "Done", "Assign": {"err": "{% $states.errorOutput.Error %}"},
                       "Output": "{% $states.errorOutput.Cause %}"}]},
        "Done": {"Type": "Pass", "Output": {"out": "{% $states.input %}", "err": "{% $err %}"}, "End": True}},
     {}, {"out": "bad", "err": "Oops"}),
    ("fail-expressions", {"S": {"Type": "Fail", "Error": "{% 'E' & $states.input.n %}", "Cause": "{% 'c' %}"}},
     {"n": 1}, ("E1", "c")),
    ("step-functions-functions", {"S": {"Type": "Pass", "Output": {
        "p": "{% $partition([1,2,3], 2) %}", "r": "{% $range(0, 4, 2) %}", "j": "{% $parse('{\"a\":1}') %}",
        "h": "{% $hash('x', 'SHA-256') %}"}, "End": True}}, {},
     {"p": [[1, 2], [3]], "r": [0, 2, 4], "j": {"a": 1},
      "h": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"}),
]


@pytest.mark.parametrize("states,input,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_jsonata_states(execute, states, input, expected):
    result = execute(jsonata(states), input)
    if isinstance(expected, tuple):
        assert (result.status, result.error, result.cause) == ("FAILED", *expected)
        return
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == expected


def test_undefined_result_fails_with_evaluation_failed_event(execute):
    result = execute(jsonata({"S": {"Type": "Pass", "Output": {"r": "{% $nope %}"}, "End": True}}))
    assert result.error == "States.QueryEvaluationError"
    assert result.cause == ("An error occurred while executing the state 'S' (entered at the event id #2). "
                            "The JSONata expression '$nope' specified for the field 'Output/r' returned nothing (undefined).")
    failed = next(e for e in result.history.to_aws()["events"] if e["type"] == "EvaluationFailed")
    assert failed["evaluationFailedEventDetails"]["location"] == "Output/r"
    assert failed["previousEventId"] == 0
    assert event_types(result)[-1] == "ExecutionFailed"


UNDEFINED, TEXT = "{% $nope %}", "{% 'x' %}"
ONE_ITEM = {"Items": [1], "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
LAMBDA = "arn:aws:states:::lambda:invoke"
# Every field of a JSONata state whose evaluation can fail, and the location EvaluationFailed names.
EVALUATED_FIELDS = [
    ("wait-timestamp-unparsable", {"Type": "Wait", "Timestamp": "{% 'nope' %}"}, "Timestamp"),
    ("wait-timestamp-not-text", {"Type": "Wait", "Timestamp": "{% 5 %}"}, "Timestamp"),
    ("wait-timestamp-undefined", {"Type": "Wait", "Timestamp": UNDEFINED}, "Timestamp"),
    ("wait-seconds", {"Type": "Wait", "Seconds": TEXT}, "Seconds"),
    ("pass-output", {"Type": "Pass", "Output": {"a": [1, UNDEFINED]}}, "Output/a[1]"),
    ("pass-assign", {"Type": "Pass", "Assign": {"a": {"b": UNDEFINED}}}, "Assign/a/b"),
    ("choice-condition", {"Type": "Choice", "Choices": [{"Condition": TEXT, "Next": "E"}]}, "Condition"),
    ("choice-rule-output", {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Output": UNDEFINED,
                                                           "Next": "E"}]}, "Output"),
    ("fail-error", {"Type": "Fail", "Error": UNDEFINED}, "Error"),
    ("fail-cause", {"Type": "Fail", "Error": "E", "Cause": UNDEFINED}, "Cause"),
    ("map-items", {"Type": "Map", **ONE_ITEM, "Items": TEXT}, "Items"),
    ("map-item-selector", {"Type": "Map", **ONE_ITEM, "ItemSelector": {"v": UNDEFINED}}, "ItemSelector/v"),
    ("map-max-concurrency", {"Type": "Map", **ONE_ITEM, "MaxConcurrency": TEXT}, "MaxConcurrency"),
    ("map-tolerated-count", {"Type": "Map", **ONE_ITEM, "ToleratedFailureCount": TEXT}, "ToleratedFailureCount"),
    ("map-tolerated-percentage", {"Type": "Map", **ONE_ITEM, "ToleratedFailurePercentage": TEXT},
     "ToleratedFailurePercentage"),
    ("parallel-arguments", {"Type": "Parallel", "Arguments": UNDEFINED, "Branches": [
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}]}, "Arguments"),
    ("task-arguments", {"Type": "Task", "Resource": LAMBDA, "Arguments": {"FunctionName": UNDEFINED}},
     "Arguments/FunctionName"),
    ("task-timeout", {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": TEXT}, "TimeoutSeconds"),
    ("task-heartbeat", {"Type": "Task", "Resource": LAMBDA + ".waitForTaskToken", "HeartbeatSeconds": TEXT},
     "HeartbeatSeconds"),
    ("task-credentials", {"Type": "Task", "Resource": LAMBDA, "Credentials": {"RoleArn": UNDEFINED}},
     "Credentials/RoleArn"),
]


@pytest.mark.parametrize("state,location", [c[1:] for c in EVALUATED_FIELDS], ids=[c[0] for c in EVALUATED_FIELDS])
def test_evaluation_failed_names_the_field(execute, state, location):
    if state["Type"] not in ("Choice", "Fail"):
        state = {**state, "Next": "E"}
    result = execute(jsonata({"S": state, "E": {"Type": "Succeed"}}))
    assert result.error == "States.QueryEvaluationError"
    failed = next(e for e in result.history.to_aws()["events"] if e["type"] == "EvaluationFailed")
    assert failed["evaluationFailedEventDetails"]["location"] == location
    assert failed["evaluationFailedEventDetails"]["state"] == "S"
    # Like the Entered event it follows event 0, but a Wait's duration is evaluated once entered.
    assert failed["previousEventId"] == (2 if state["Type"] == "Wait" else 0)


def test_map_items_must_be_an_array(execute):
    result = execute(jsonata({"S": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}), {"not": "array"})
    assert result.error == "States.QueryEvaluationError"
    assert result.cause.endswith('Map state input must be an array but was: {"not":"array"}')
    assert event_types(result)[-3:] == ["EvaluationFailed", "MapStateFailed", "ExecutionFailed"]
    failed = next(e for e in result.history.to_aws()["events"] if e["type"] == "EvaluationFailed")
    assert "location" not in failed["evaluationFailedEventDetails"]  # the input failed, not a field (as recorded)


def test_mixed_machine_jsonpath_state_in_jsonata_machine(execute):
    result = execute(jsonata({"S": {"Type": "Pass", "QueryLanguage": "JSONPath", "Parameters": {"x.$": "$.a"},
                                    "Next": "T"},
                              "T": {"Type": "Pass", "Output": "{% $states.input.x %}", "End": True}}), {"a": 7})
    assert result.output == 7


def test_jsonpath_assign_and_variable_paths(execute):
    result = execute({"StartAt": "S", "States": {
        "S": {"Type": "Pass", "Assign": {"name.$": "$.who", "lit": "$notAPath"}, "Next": "T"},
        "T": {"Type": "Pass", "Parameters": {"n.$": "$name", "l.$": "$lit", "f.$": "States.Format('hi {}', $name)"},
              "End": True}}}, {"who": "ada"})
    assert result.output == {"n": "ada", "l": "$notAPath", "f": "hi ada"}
    exited = result.history.to_aws()["events"][2]["stateExitedEventDetails"]
    assert exited["assignedVariables"] == {"name": '"ada"', "lit": '"$notAPath"'}


@pytest.mark.parametrize("language,state", [
    ("JSONPath", {"Type": "Pass", "Assign": {}, "End": True}),
    ("JSONata", {"Type": "Pass", "Assign": {}, "End": True}),
    ("JSONPath", {"Type": "Choice", "Assign": {}, "Default": "E",
                  "Choices": [{"Variable": "$", "IsPresent": True, "Assign": {}, "Next": "E"}]}),
    ("JSONata", {"Type": "Choice", "Default": "E",
                 "Choices": [{"Condition": "{% true %}", "Assign": {}, "Next": "E"}]}),
], ids=["jsonpath-pass", "jsonata-pass", "jsonpath-choice-rule", "jsonata-choice-rule"])
def test_empty_assign_records_no_assigned_variables(execute, language, state):
    result = execute({"QueryLanguage": language, "StartAt": "S",
                      "States": {"S": state, "E": {"Type": "Succeed"}}})
    assert result.status == "SUCCEEDED"
    exited = result.history.to_aws()["events"][2]["stateExitedEventDetails"]
    assert exited == {"name": "S", "output": "{}", "outputDetails": {"truncated": False}}


def test_map_iterations_read_outer_variables_but_assign_their_own(execute):
    result = execute(jsonata({
        "S": {"Type": "Pass", "Assign": {"base": 100, "k": 0}, "Next": "M"},
        "M": {"Type": "Map", "Items": [1, 2], "Next": "R", "ItemProcessor": {"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Assign": {"k": "{% $states.input %}"}, "Next": "Q"},
            "Q": {"Type": "Pass", "Output": "{% $base + $k %}", "End": True}}}},
        "R": {"Type": "Pass", "Output": {"results": "{% $states.input %}", "k": "{% $k %}"}, "End": True}}))
    assert result.output == {"results": [101, 102], "k": 0}


JSONATA_ITEM_FAILS_ON_3 = {"StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input = 3 %}", "Next": "F"}], "Default": "P"},
    "F": {"Type": "Fail", "Error": "Three", "Cause": "item 3"},
    "P": {"Type": "Pass", "End": True}}}
WAITS = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": "{% $states.input %}", "End": True}}}


def jsonata_map(processor, **fields):
    return jsonata({"V": {"Type": "Pass", "Assign": {"limit": 1, "pct": 50}, "Next": "S"},
                    "S": {"Type": "Map", "End": True, "ItemProcessor": processor, **fields}}, start="V")


# Map's numeric fields as JSONata expressions (over `$states.input` or a variable).
MAP_FIELDS = [
    ("tolerated-count-expression", JSONATA_ITEM_FAILS_ON_3, {"ToleratedFailureCount": "{% $limit %}"}, [3, 1],
     ("SUCCEEDED", [{"Error": "Three", "Cause": "item 3"}, 1])),
    ("tolerated-count-exceeded", JSONATA_ITEM_FAILS_ON_3, {"ToleratedFailureCount": "{% $limit - 1 %}"}, [3, 1],
     ("FAILED", "States.ExceedToleratedFailureThreshold")),
    ("tolerated-percentage-expression", JSONATA_ITEM_FAILS_ON_3,
     {"ToleratedFailurePercentage": "{% $pct %}"}, [3, 1], ("SUCCEEDED", [{"Error": "Three", "Cause": "item 3"}, 1])),
    ("tolerated-percentage-bad", JSONATA_ITEM_FAILS_ON_3,
     {"ToleratedFailurePercentage": "{% $pct * 3 %}"}, [1], ("FAILED", "States.QueryEvaluationError")),
    ("items-from-input", JSONATA_ITEM_FAILS_ON_3, {"Items": "{% $states.input.xs %}"}, {"xs": [1, 2]},
     ("SUCCEEDED", [1, 2])),
]


@pytest.mark.parametrize("processor,fields,input,expected", [c[1:] for c in MAP_FIELDS],
                         ids=[c[0] for c in MAP_FIELDS])
def test_map_fields_as_expressions(execute, processor, fields, input, expected):
    result = execute(jsonata_map(processor, **fields), input)
    assert (result.status, result.output if result.status == "SUCCEEDED" else result.error) == expected


@pytest.mark.parametrize("max_concurrency,elapsed", [("{% $limit %}", 30), ("{% $states.input[0] - 10 %}", 10)])
def test_max_concurrency_expression_sets_the_lanes(execute, max_concurrency, elapsed):
    # Three 10 s iterations: one lane takes 30 s; 0 (unbounded) runs them together.
    result = execute(jsonata_map(WAITS, MaxConcurrency=max_concurrency), [10, 10, 10])
    assert result.status == "SUCCEEDED", result.cause
    events = result.history.events
    assert (events[-1].timestamp - events[0].timestamp).total_seconds() == elapsed


def test_parallel_arguments_and_branch_scoping(execute):
    result = execute(jsonata({
        "V": {"Type": "Pass", "Assign": {"x": 1}, "Next": "S"},
        "S": {"Type": "Parallel", "Arguments": {"n": "{% $states.input.n + $x %}"}, "Next": "R",
              "Assign": {"fromBranches": "{% $states.result %}"}, "Branches": [
                  {"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"x": 2},
                                                    "Output": "{% $states.input.n + $x %}", "End": True}}}]},
        "R": {"Type": "Pass", "Output": {"x": "{% $x %}", "branches": "{% $fromBranches %}"}, "End": True}},
        start="V"), {"n": 10})
    # The branch's input is the Arguments value; its own Assign does not reach the outer x.
    assert result.output == {"x": 1, "branches": [12]}


def test_wait_timestamp_expression(execute):
    import datetime

    at = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)).replace(microsecond=0)
    result = execute(jsonata({"S": {"Type": "Wait", "Timestamp": "{% $states.input.at %}", "End": True}}),
                     {"at": at.strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert result.status == "SUCCEEDED"
    assert result.history.events[-1].timestamp.replace(microsecond=0) == at


def test_random_and_uuid_in_states(execute):
    result = execute(jsonata({"S": {"Type": "Pass", "Output": {
        "r": "{% $random() %}", "seeded": "{% [$random(7), $random(7)] %}", "u": "{% $uuid() %}"}, "End": True}}))
    out = result.output
    assert 0 <= out["r"] < 1
    assert out["seeded"][0] == out["seeded"][1]
    assert len(out["u"]) == 36 and out["u"][14] == "4"

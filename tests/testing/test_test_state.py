"""asl.testing.test_state: one state run as AWS's TestState answers it."""

import json

import pytest

from asl.testing.test_state import TestStateRefusal
from asl.testing.test_state import test_state as answer

LAMBDA = "arn:aws:states:::lambda:invoke"
RETRY_TASK = {"Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "f"},
              "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2.0}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}], "End": True}


def call(definition, input=None, **request):
    request["definition"] = json.dumps(definition)
    if input is not None:
        request["input"] = json.dumps(input)
    return answer(request)


def test_pass_trace_shows_each_stage():
    response = call({"Type": "Pass", "InputPath": "$.a", "ResultPath": "$.b", "Next": "N"}, {"a": {"x": 1}},
                    inspectionLevel="TRACE")
    assert response["status"] == "SUCCEEDED"
    assert response["nextState"] == "N"
    assert json.loads(response["output"]) == {"a": {"x": 1}, "b": {"x": 1}}
    data = {k: json.loads(v) for k, v in response["inspectionData"].items()}
    assert data == {"input": {"a": {"x": 1}}, "afterInputPath": {"x": 1}, "afterParameters": {"x": 1},
                    "afterResultSelector": {"x": 1}, "afterResultPath": {"a": {"x": 1}, "b": {"x": 1}}}


def test_info_has_no_inspection_data():
    assert "inspectionData" not in call({"Type": "Pass", "End": True}, {})


def test_mocked_task_result_flows_through_result_selector():
    response = call({"Type": "Task", "Resource": LAMBDA, "ResultSelector": {"v.$": "$.p"}, "End": True},
                    {}, mock={"result": '{"p": 7}'}, inspectionLevel="DEBUG")
    assert json.loads(response["output"]) == {"v": 7}
    assert json.loads(response["inspectionData"]["result"]) == {"p": 7}


@pytest.mark.parametrize("retries, status, details", [
    (0, "RETRIABLE", {"retryIndex": 0, "retryBackoffIntervalSeconds": 1}),
    (2, "RETRIABLE", {"retryIndex": 0, "retryBackoffIntervalSeconds": 4}),
    (3, "CAUGHT_ERROR", {"retryIndex": 0, "catchIndex": 0}),
])
def test_retry_then_catch(retries, status, details):
    response = call(RETRY_TASK, {}, mock={"errorOutput": {"error": "Boom", "cause": "c"}}, inspectionLevel="DEBUG",
                    stateConfiguration={"retrierRetryCount": retries})
    assert response["status"] == status
    assert response["error"] == "Boom"
    assert response["inspectionData"]["errorDetails"] == details


def test_uncaught_error_fails():
    response = call({"Type": "Fail", "Error": "E", "Cause": "C"})
    assert response == {"status": "FAILED", "error": "E", "cause": "C"}


def test_state_of_a_machine_and_default_context_name():
    machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                          "B": {"Type": "Pass", "Parameters": {"n.$": "$$.State.Name"}, "End": True}}}
    response = call(machine, {}, stateName="B")
    assert json.loads(response["output"]) == {"n": "StateName"}


@pytest.mark.parametrize("request_, code", [
    ({"definition": json.dumps({"Type": "Pass", "End": True}), "mock": {"result": "1"}}, "ValidationException"),
    ({"definition": json.dumps({"Type": "Task", "Resource": LAMBDA, "End": True})}, "ValidationException"),
    ({"definition": "{not json"}, "InvalidDefinition"),
])
def test_refusals(request_, code):
    with pytest.raises(TestStateRefusal) as info:
        answer(request_)
    assert info.value.code == code

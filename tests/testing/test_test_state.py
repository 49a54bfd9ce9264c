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


PARALLEL = {"Type": "Parallel", "ResultPath": "$.r", "End": True,
            "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]}
MAP = {"Type": "Map", "ItemsPath": "$.v", "MaxConcurrency": 2, "ToleratedFailureCount": 1, "End": True,
       "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}


def test_mocked_parallel_takes_the_mock_as_its_result():
    response = call(PARALLEL, {"a": 1}, mock={"result": '[{"x": 1}]'}, inspectionLevel="TRACE")
    assert json.loads(response["output"]) == {"a": 1, "r": [{"x": 1}]}
    assert set(response["inspectionData"]) == {"input", "afterResultSelector", "afterResultPath"}


def test_mocked_map_shows_items_and_settings():
    response = call(MAP, {"v": [1, 2]}, mock={"result": "[3, 4]"}, inspectionLevel="DEBUG")
    data = response["inspectionData"]
    assert json.loads(data["afterItemsPath"]) == [1, 2]
    assert (data["maxConcurrency"], data["toleratedFailureCount"]) == (2, 1)
    assert json.loads(response["output"]) == [3, 4]


def test_state_inside_a_map_processor_is_found_by_name():
    machine = {"StartAt": "M", "States": {"M": MAP}}
    assert call(machine, {"k": 1}, stateName="I")["status"] == "SUCCEEDED"


def test_given_context_is_dollar_dollar():
    response = call({"Type": "Pass", "Parameters": {"c.$": "$$.Execution.Name"}, "End": True},
                    {}, context=json.dumps({"Execution": {"Name": "n"}}))
    assert json.loads(response["output"]) == {"c": "n"}


@pytest.mark.parametrize("definition, extra, message", [
    (PARALLEL, {"mock": {"result": "{}"}}, "Mocked result must be an array."),
    (MAP, {"mock": {"result": "[1]"}, "stateConfiguration": {"mapIterationFailureCount": 2}},
     "Map iteration failure count must be less than or equal to the number of Map iterations"),
    ({"Type": "Pass", "End": True}, {"context": json.dumps({"Map": {}})},
     "Invalid Context object provided: 'Map' field is not supported when mocking a Context object"),
    ({"Type": "Pass", "End": True}, {"context": json.dumps({"Execution": {"Id": 1}})},
     "Invalid Context object provided: Execution.Id must be a string"),
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, {"stateName": "Z"},
     "State not found in definition"),
])
def test_validation_refusals(definition, extra, message):
    with pytest.raises(TestStateRefusal) as info:
        answer({"definition": json.dumps(definition), "input": '{"v": [1]}', **extra})
    assert (info.value.code, info.value.message) == ("ValidationException", message)


def test_task_without_mock_calls_the_local_handler(tmp_path, monkeypatch):
    from asl.api import test_state as api_test_state

    (tmp_path / "handlers_ts.py").write_text("def double(event, context):\n    return {'n': event['n'] * 2}\n")
    (tmp_path / "resources.yaml").write_text("handlers:\n  Double: handlers_ts:double\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    definition = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Double", "End": True}
    response = api_test_state({"definition": json.dumps(definition), "input": '{"n": 4}',
                               "roleArn": "arn:aws:iam::123456789012:role/R"}, resources=str(tmp_path / "resources.yaml"))
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["output"]) == {"n": 8}


def test_task_without_mock_or_provider_fails():
    definition = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Nope", "End": True}
    response = call(definition, {}, roleArn="arn:aws:iam::123456789012:role/R")
    assert response["status"] == "FAILED"


MAP_ITEMS = {"Type": "Map", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
             "End": True}
MAP_CONTEXT = {"Execution": {"Input": {"values": [1, 2]}, "Name": "n"}}


@pytest.mark.parametrize("items_path, input, cause", [
    ("$$", [1], 'Reference path "$" must point to array.'),
    ("$$.Execution.Input", [1], 'Reference path "$.Execution.Input" must point to array.'),
    ("$.xs", {"xs": 5}, 'Reference path "$.xs" must point to array.'),
    (None, {"xs": 5}, 'Reference path "$" must point to array.'),
])
def test_map_items_path_not_an_array(items_path, input, cause):
    definition = dict(MAP_ITEMS, **({"ItemsPath": items_path} if items_path else {}))
    response = call(definition, input, mock={"result": "[]"}, context=json.dumps(MAP_CONTEXT),
                    inspectionLevel="DEBUG")
    assert (response["status"], response["error"], response["cause"]) == ("FAILED", "States.Runtime", cause)
    # the stages before ItemsPath are still shown
    assert {k: json.loads(v) for k, v in response["inspectionData"].items()} == {"input": input,
                                                                                "afterInputPath": input}


def test_map_items_path_into_the_context():
    response = call(dict(MAP_ITEMS, ItemsPath="$$.Execution.Input.values"), {}, mock={"result": "[1, 2]"},
                    context=json.dumps(MAP_CONTEXT), inspectionLevel="DEBUG")
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["inspectionData"]["afterItemsPath"]) == [1, 2]


def test_http_task_without_an_allowed_endpoint_fails_and_calls_nothing():
    # No resources: no endpoint is allowed; TRACE shows no request, as none was made.
    definition = {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "End": True,
                  "Parameters": {"ApiEndpoint": "http://127.0.0.1:9/x", "Method": "GET"}}
    from asl.api import test_state as api_test_state

    response = api_test_state({"definition": json.dumps(definition), "inspectionLevel": "TRACE",
                               "roleArn": "arn:aws:iam::123456789012:role/R"})
    assert response["status"] == "FAILED" and response["error"] == "States.Runtime"
    assert "'http: allow:'" in response["cause"]
    assert "request" not in response["inspectionData"] and "response" not in response["inspectionData"]


def test_http_status_errors_may_be_retried_by_name():
    definition = {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "End": True,
                  "Parameters": {"ApiEndpoint": "http://x/", "Method": "GET"},
                  "Retry": [{"ErrorEquals": ["States.Http.StatusCode.503"], "MaxAttempts": 2}]}
    response = call(definition, {}, mock={"errorOutput": {"error": "States.Http.StatusCode.503", "cause": "{}"}},
                    inspectionLevel="TRACE")
    assert response["status"] == "RETRIABLE" and "request" not in response["inspectionData"]

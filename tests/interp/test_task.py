"""The Task state's events: what the Scheduled event records (taskCredentials, parameters)."""

import json

import pytest

from asl.api import machine_from_definition, run_machine
from asl.resources.compose import Services

LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:Charge"
ROLE = "arn:aws:iam::111122223333:role/Trusted"


class Answer:
    """A provider answering every Task with `{}`."""

    def invoke(self, call):
        return {}


def run(definition, input=None):
    machine = machine_from_definition(definition, validate=False)
    return run_machine(machine, input or {}, clock="virtual", resources=Services.of(Answer()))


def scheduled(result) -> dict:
    event = next(e for e in result.history.events if e.type.endswith("Scheduled"))
    return event.details


TASKS = [
    ("plain-lambda", "JSONPath", LAMBDA_ARN, {"RoleArn": ROLE}),
    ("plain-lambda-path", "JSONPath", LAMBDA_ARN, {"RoleArn.$": "$.role"}),
    ("plain-lambda-jsonata", "JSONata", LAMBDA_ARN, {"RoleArn": "{% $states.input.role %}"}),
    ("optimized-lambda", "JSONPath", "arn:aws:states:::lambda:invoke", {"RoleArn.$": "$.role"}),
    ("sqs-jsonata", "JSONata", "arn:aws:states:::sqs:sendMessage", {"RoleArn": "{% $states.input.role %}"}),
]


@pytest.mark.parametrize("language,resource,credentials", [t[1:] for t in TASKS], ids=[t[0] for t in TASKS])
def test_the_scheduled_event_carries_task_credentials(language, resource, credentials):
    # LambdaFunctionScheduled records them as TaskScheduled does.
    result = run({"QueryLanguage": language, "StartAt": "S", "States": {
        "S": {"Type": "Task", "Resource": resource, "Credentials": credentials, "End": True}}}, {"role": ROLE})
    assert result.status == "SUCCEEDED", result.cause
    assert scheduled(result)["taskCredentials"] == {"roleArn": ROLE}


def test_no_credentials_no_task_credentials():
    result = run({"StartAt": "S", "States": {"S": {"Type": "Task", "Resource": LAMBDA_ARN, "End": True}}})
    assert "taskCredentials" not in scheduled(result)


def test_each_machine_records_its_own_role_among_many_in_one_process():
    # Credentials are compiled with the model: a machine built after another was freed (and so may
    # reuse its objects' ids) still records its own role (a cache keyed by id(state) did not).
    for run_number in range(200):
        role = f"arn:aws:iam::111122223333:role/Run{run_number}"
        credentials = {"RoleArn": role} if run_number % 2 else {"RoleArn.$": "$.role"}
        result = run({"StartAt": "S", "States": {
            "S": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Credentials": credentials,
                  "End": True}}}, {"role": role})
        assert scheduled(result)["taskCredentials"] == {"roleArn": role}, run_number


APIGATEWAY = "arn:aws:states:::apigateway:invoke"
HEADERS = [
    ("single-string", {"x-api-key": "secret"}, False),
    ("not-an-object", "x-api-key: secret", False),
    ("nested-list", {"x-api-key": [["secret"]]}, False),
    ("list-of-strings", {"x-api-key": ["secret"], "Accept": ["a", "b"]}, True),
    ("none", None, True),
]


@pytest.mark.parametrize("resource", [APIGATEWAY, APIGATEWAY + ".waitForTaskToken"])
@pytest.mark.parametrize("headers,valid", [h[1:] for h in HEADERS], ids=[h[0] for h in HEADERS])
def test_apigateway_headers_must_map_names_to_lists(resource, headers, valid):
    parameters = {"ApiEndpoint": "abc.execute-api.us-east-1.amazonaws.com", "Method": "GET"}
    if headers is not None:
        parameters["Headers"] = headers
    result = run({"StartAt": "S", "States": {
        "S": {"Type": "Task", "Resource": resource, "Parameters": parameters, "TimeoutSeconds": 5, "End": True}}})
    if valid:
        assert any(e.type == "TaskScheduled" for e in result.history.events)
        return
    # AWS fails the state while evaluating its parameters: nothing is scheduled.
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert result.cause == (
        "An error occurred while executing the state 'S' (entered at the event id #2). The Parameters '"
        + json.dumps(parameters, separators=(",", ":")) + "' could not be used to start the Task: "
        "[The value of the field 'Headers' has an invalid format]")
    assert [e.type for e in result.history.events] == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]


ACTIVITY_ARN = "arn:aws:states:us-east-1:123456789012:activity:work"


class Worker:
    """An activity provider as sfn serve's: it reports scheduling and the worker's start, then answers."""

    def __init__(self, answer=None, schedule=True):
        self.answer, self.schedule = answer, schedule

    def invoke(self, call):
        from asl.errors import StateEvaluationError, StatesError

        if not self.schedule:
            raise StateEvaluationError(f"The activity {call.resource.arn} does not exist.")
        call.activity.schedule()
        call.activity.start("w1")
        if isinstance(self.answer, StatesError):
            raise self.answer
        return {"done": True}


def _activity_events(provider, **task):
    definition = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": ACTIVITY_ARN, "End": True, **task}}}
    result = run_machine(machine_from_definition(definition, validate=False), {"x": 1}, clock="virtual",
                         resources=Services.of(provider))
    return result, [(e["type"], {k: v for k, v in e.items() if k.endswith("EventDetails")})
                    for e in result.history.to_aws()["events"][2:-1]]


def test_an_activity_task_records_awss_activity_events():
    result, events = _activity_events(Worker(), TimeoutSeconds=30)
    assert events == [
        ("ActivityScheduled", {"activityScheduledEventDetails": {
            "resource": ACTIVITY_ARN, "input": '{"x":1}', "inputDetails": {"truncated": False}, "timeoutInSeconds": 30}}),
        ("ActivityStarted", {"activityStartedEventDetails": {"workerName": "w1"}}),
        ("ActivitySucceeded", {"activitySucceededEventDetails": {"output": '{"done":true}',
                                                                 "outputDetails": {"truncated": False}}}),
        ("TaskStateExited", {"stateExitedEventDetails": {"name": "A", "output": '{"done":true}',
                                                         "outputDetails": {"truncated": False}}}),
    ]


def test_an_activity_failure_and_a_provider_that_never_reports():
    from asl.errors import StatesError

    result, events = _activity_events(Worker(StatesError("E", "c")))
    assert [t for t, _ in events] == ["ActivityScheduled", "ActivityStarted", "ActivityFailed"]
    assert events[-1][1] == {"activityFailedEventDetails": {"error": "E", "cause": "c"}}
    result, events = _activity_events(Answer())   # a mock: scheduled and started when it answers
    assert [t for t, _ in events] == ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "TaskStateExited"]
    assert events[1][1] == {"activityStartedEventDetails": {}}


def test_an_activity_that_cannot_be_scheduled_records_no_activity_event():
    result, events = _activity_events(Worker(schedule=False))
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert result.cause.endswith(f"The activity {ACTIVITY_ARN} does not exist.")
    assert events == []

"""states:startExecution: fire-and-forget, .sync, .sync:2 and .waitForTaskToken against the machines
a resources file declares; AWS's output shapes and errors; child histories in the store."""

import datetime
import json

import pytest

from asl.api import machine_from_definition, run_machine
from asl.errors import UserInputError
from asl.resources.config import load_resources
from asl.store import Store

CHILD = {"StartAt": "Sleep", "States": {
    "Sleep": {"Type": "Wait", "Seconds": 30, "Next": "Done"},
    "Done": {"Type": "Pass", "Parameters": {"got.$": "$"}, "End": True}}}
FAILING = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "ChildBroke", "Cause": "no luck"}}}
ANSWERING = {"StartAt": "Answer", "States": {"Answer": {
    "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
    "Parameters": {"TaskToken.$": "$.token", "Output": "{\"answered\": \"by the child\"}"}, "End": True}}}

RESOURCES = """
machines:
  Child: child.asl.json
  arn:aws:states:eu-west-1:111122223333:stateMachine:Failing: failing.asl.json
  Answering: answering.asl.json
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "child.asl.json").write_text(json.dumps(CHILD))
    (tmp_path / "failing.asl.json").write_text(json.dumps(FAILING))
    (tmp_path / "answering.asl.json").write_text(json.dumps(ANSWERING))
    (tmp_path / "resources.yaml").write_text(RESOURCES)
    return tmp_path


@pytest.fixture
def invoker(project):
    # run_machine's options for these runs (a test may add a store).
    return {"resources": load_resources(project / "resources.yaml"), "callback_wait": 0.0}


def start(pattern, arn="arn:aws:states:us-east-1:123456789012:stateMachine:Child", **params):
    return {"StartAt": "Start", "States": {"Start": {
        "Type": "Task", "Resource": f"arn:aws:states:::states:startExecution{pattern}",
        "Parameters": {"StateMachineArn": arn, "Name": "kid", "Input": {"n": 1}, **params}, "End": True}}}


def run(definition, invoker):
    return run_machine(machine_from_definition(definition), {}, clock="virtual", **invoker)


def test_fire_and_forget_returns_the_start_response(invoker):
    result = run(start(""), invoker)
    output = result.output
    assert result.status == "SUCCEEDED"
    assert sorted(output) == ["ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"]
    assert output["ExecutionArn"] == "arn:aws:states:us-east-1:123456789012:execution:Child:kid"
    assert isinstance(output["StartDate"], int)
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    # The parent does not wait for the child: its clock did not move.
    events = result.history.events
    assert events[-1].timestamp == events[0].timestamp
    assert "TaskSubmitted" not in [e.type for e in events]


def test_sync_output_has_json_text(invoker):
    result = run(start(".sync"), invoker)
    output = result.output
    assert list(output) == ["ExecutionArn", "Input", "InputDetails", "Name", "Output", "OutputDetails",
                            "RedriveCount", "RedriveStatus", "RedriveStatusReason", "StartDate",
                            "StateMachineArn", "Status", "StopDate"]
    assert output["Input"] == '{"n":1}' and output["Output"] == '{"got":{"n":1}}'
    assert output["Status"] == "SUCCEEDED" and output["StopDate"] - output["StartDate"] == 30000
    assert output["StateMachineArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:Child"
    types = [e.type for e in result.history.events]
    assert types[2:7] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited"]
    submitted = result.history.events[4].details
    assert submitted["resource"] == "startExecution.sync"
    assert sorted(submitted["output"]) == ["ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"]
    # The parent waited as long as the child ran (30 s on the virtual clock).
    events = result.history.events
    assert events[-1].timestamp - events[0].timestamp == datetime.timedelta(seconds=30)


def test_sync2_output_has_json(invoker):
    output = run(start(".sync:2"), invoker).output
    assert output["Input"] == {"n": 1} and output["Output"] == {"got": {"n": 1}}


def test_input_as_json_text_and_absent(invoker):
    assert run(start(".sync:2", Input='{"n": 2}'), invoker).output["Input"] == {"n": 2}
    definition = start(".sync:2")
    del definition["States"]["Start"]["Parameters"]["Input"]
    assert run(definition, invoker).output["Input"] == {}
    result = run(start(".sync", Input="{not json"), invoker)
    assert result.error == "StepFunctions.InvalidExecutionInputException"


def test_failed_child_fails_the_task_with_states_task_failed(invoker):
    result = run(start(".sync", arn="arn:aws:states:eu-west-1:111122223333:stateMachine:Failing"), invoker)
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    cause = json.loads(result.cause)
    assert cause["Status"] == "FAILED" and cause["Error"] == "ChildBroke" and cause["Cause"] == "no luck"
    assert cause["ExecutionArn"] == "arn:aws:states:eu-west-1:111122223333:execution:Failing:kid"
    assert "Output" not in cause and cause["RedriveStatus"] == "REDRIVABLE"
    assert [e.type for e in result.history.events][-2:] == ["TaskFailed", "ExecutionFailed"]


def test_machine_found_by_name_in_any_arn(invoker):
    output = run(start(".sync:2", arn="arn:aws:states:us-east-1:999999999999:stateMachine:Child"), invoker).output
    assert output["Status"] == "SUCCEEDED"


def test_undeclared_machine_is_state_machine_does_not_exist(invoker):
    result = run(start(".sync", arn="arn:aws:states:us-east-1:123456789012:stateMachine:Nope"), invoker)
    assert result.error == "StepFunctions.StateMachineDoesNotExistException"
    assert result.cause.startswith("State Machine Does Not Exist: 'arn:aws:states:us-east-1:123456789012:"
                                   "stateMachine:Nope' (Service: AWSStepFunctions; Status Code: 400; "
                                   "Error Code: StateMachineDoesNotExist; Request ID: ")


def test_sync_timeout_when_the_child_runs_longer(invoker):
    definition = start(".sync")
    definition["States"]["Start"]["TimeoutSeconds"] = 10
    result = run(definition, invoker)
    assert result.error == "States.Timeout"
    events = result.history.events
    assert events[-1].timestamp - events[0].timestamp == datetime.timedelta(seconds=10)


def test_wait_for_task_token_answered_by_the_child(invoker):
    definition = start(".waitForTaskToken", arn="Answering", Input={"token.$": "$$.Task.Token"})
    result = run(definition, invoker)
    assert (result.status, result.output) == ("SUCCEEDED", {"answered": "by the child"})


def test_children_are_stored_with_their_history(project, invoker):
    store = Store(project / "sfn.db")
    invoker["store"] = store
    run(start(".sync"), invoker)
    child = store.find_execution("kid")
    assert child["status"] == "SUCCEEDED" and child["machine"] == "Child"
    assert child["output"] == {"got": {"n": 1}}
    assert [e["type"] for e in store.events(child["arn"])][0] == "ExecutionStarted"


def test_a_machine_that_starts_itself_stops(tmp_path):
    looping = start(".sync", arn="Loop")
    (tmp_path / "loop.asl.json").write_text(json.dumps(looping))
    (tmp_path / "resources.yaml").write_text("machines:\n  Loop: loop.asl.json\n")
    result = run(looping, {"resources": tmp_path / "resources.yaml"})
    assert result.error == "States.TaskFailed"
    assert "ExecutionLimitExceeded" in result.cause


@pytest.mark.parametrize("text, message, line", [
    ("machines:\n  Child: missing.json\n", "machine 'Child': no definition file missing.json", 2),
    ("machines:\n  arn:aws:states:us-east-1:1:activity:x: child.asl.json\n", "is not a state machine ARN", 2),
    ("machines:\n  Child: [a]\n", "must name its definition file", 2),
    ("machines: [a]\n", "'machines' must be a mapping", 1),
])
def test_resources_file_errors(project, text, message, line):
    (project / "bad.yaml").write_text(text)
    with pytest.raises(UserInputError) as err:
        load_resources(project / "bad.yaml")
    assert message in str(err.value) and err.value.location.line == line
    assert str(err.value).startswith(str(project / "bad.yaml"))


def test_sync_task_answered_through_its_token(invoker):
    """As AWS recorded (callback.test_callback.test_sync_with_task_token): the answer wins."""
    definition = start(".sync", arn="Answering", Input={"token.$": "$$.Task.Token"})
    result = run(definition, invoker)
    assert (result.status, result.output) == ("SUCCEEDED", {"answered": "by the child"})


def test_a_child_name_started_twice_fails_the_second_task_as_aws_does(project, invoker):
    """The store never replaces an execution: the second start of `kid` is ExecutionAlreadyExists."""
    invoker["store"] = Store(project / "twice.db")
    definition = {"StartAt": "A", "States": {
        "A": {**start(".sync")["States"]["Start"], "End": False, "Next": "B", "ResultPath": None},
        "B": start(".sync")["States"]["Start"]}}
    result = run(definition, invoker)
    assert result.error == "StepFunctions.ExecutionAlreadyExistsException"
    assert "Execution Already Exists" in result.cause

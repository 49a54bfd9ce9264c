"""Executions through boto3: start, describe, list, history, stop, sync, callbacks, activities, mocks."""

from __future__ import annotations

import json
import threading
import time

import pytest
from botocore.exceptions import ClientError

from serve_helpers import create, error_of, wait_done

WAIT = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}})
FAIL = json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "bad"}}})


def test_start_describe_history(sfn):
    arn = create(sfn)
    started = sfn.start_execution(stateMachineArn=arn, name="run-1", input='{"a": 1}')
    assert started["executionArn"] == "arn:aws:states:us-east-1:123456789012:execution:machine:run-1"
    found = wait_done(sfn, started["executionArn"])
    assert (found["status"], json.loads(found["output"]), found["redriveStatus"]) == \
        ("SUCCEEDED", {"ok": 1}, "NOT_REDRIVABLE")
    events = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    assert [e["type"] for e in events] == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                           "ExecutionSucceeded"]
    assert events[0]["executionStartedEventDetails"]["roleArn"] == "arn:aws:iam::123456789012:role/test-role"
    backwards = sfn.get_execution_history(executionArn=started["executionArn"], reverseOrder=True, maxResults=1,
                                          includeExecutionData=False)
    assert [e["type"] for e in backwards["events"]] == ["ExecutionSucceeded"] and "nextToken" in backwards
    assert "output" not in backwards["events"][0]["executionSucceededEventDetails"]


def test_same_name_is_idempotent_while_running_then_refused(start_server):
    _, _, sfn = start_server(clock="real")
    arn = create(sfn, definition=WAIT)
    first = sfn.start_execution(stateMachineArn=arn, name="once")
    assert sfn.start_execution(stateMachineArn=arn, name="once")["executionArn"] == first["executionArn"]
    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=arn, name="once", input='{"other": 1}')
    assert error_of(excinfo) == ("ExecutionAlreadyExists", f"Execution Already Exists: '{first['executionArn']}'")


@pytest.mark.parametrize("text, message", [
    ("not some json", "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token "
                      "'null', 'true' or 'false')"),
    ("{'not': 'json'", "Unexpected character (''' (code 39)): was expecting double-quote to start field name"),
    ("", "Invalid execution input."),
])
def test_bad_input_is_refused_with_awss_words(sfn, text, message):
    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=create(sfn), input=text)
    assert error_of(excinfo) == ("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{message}'")


def test_stop_aborts_with_error_and_cause(start_server):
    _, _, sfn = start_server(clock="real")
    execution = sfn.start_execution(stateMachineArn=create(sfn, definition=WAIT))["executionArn"]
    deadline = time.monotonic() + 5
    while len(sfn.get_execution_history(executionArn=execution)["events"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    sfn.stop_execution(executionArn=execution, error="Halt", cause="asked to")
    found = sfn.describe_execution(executionArn=execution)
    assert (found["status"], found["error"], found["cause"]) == ("ABORTED", "Halt", "asked to")
    last = sfn.get_execution_history(executionArn=execution)["events"][-1]
    assert (last["type"], last["previousEventId"], last["executionAbortedEventDetails"]) == \
        ("ExecutionAborted", 0, {"error": "Halt", "cause": "asked to"})


def test_list_executions_filters_and_pages(sfn):
    arn = create(sfn)
    failing = create(sfn, definition=FAIL, name="failing")
    names = [sfn.start_execution(stateMachineArn=arn, name=f"e{i}")["executionArn"] for i in range(3)]
    for name in names:
        wait_done(sfn, name)
    wait_done(sfn, sfn.start_execution(stateMachineArn=failing)["executionArn"])
    page = sfn.list_executions(stateMachineArn=arn, maxResults=2)
    assert [e["name"] for e in page["executions"]] == ["e2", "e1"]
    assert [e["name"] for e in sfn.list_executions(stateMachineArn=arn, nextToken=page["nextToken"])["executions"]] \
        == ["e0"]
    assert sfn.list_executions(stateMachineArn=arn, statusFilter="FAILED")["executions"] == []
    assert [e["status"] for e in sfn.list_executions(stateMachineArn=failing)["executions"]] == ["FAILED"]


def test_start_sync_execution_runs_express_only(sfn):
    express = create(sfn, name="fast", type="EXPRESS")
    found = sfn.start_sync_execution(stateMachineArn=express, input="{}")
    assert found["status"] == "SUCCEEDED" and json.loads(found["output"]) == {"ok": 1}
    assert ":express:fast:" in found["executionArn"] and found["billingDetails"]["billedMemoryUsedInMB"] == 64
    with pytest.raises(ClientError) as excinfo:
        sfn.start_sync_execution(stateMachineArn=create(sfn))
    assert error_of(excinfo)[0] == "StateMachineTypeNotSupported"


def test_send_task_success_reaches_a_waiting_execution(start_server, tmp_path):
    (tmp_path / "token_keeper.py").write_text(
        "def keep(event, context):\n    open(event['file'], 'w').write(event['token'])\n    return {}\n")
    resources = tmp_path / "resources.yaml"
    resources.write_text("handlers:\n  keep: token_keeper:keep\n")
    kept = tmp_path / "token.txt"
    _, _, sfn = start_server(clock="real", resources=resources)
    definition = json.dumps({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "keep", "Payload": {"token.$": "$$.Task.Token", "file": str(kept)}},
        "End": True}}})
    execution = sfn.start_execution(stateMachineArn=create(sfn, definition=definition))["executionArn"]
    deadline = time.monotonic() + 5
    while not kept.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    sfn.send_task_success(taskToken=kept.read_text(), output='{"answer": 42}')
    assert json.loads(wait_done(sfn, execution)["output"]) == {"answer": 42}
    with pytest.raises(ClientError) as excinfo:
        sfn.send_task_success(taskToken="not-a-token", output="{}")
    assert error_of(excinfo) == ("InvalidToken", "Invalid Token: 'Invalid token'")


def test_an_activity_worker_runs_unchanged(start_server):
    _, _, sfn = start_server(clock="real", activity_poll=5)
    activity = sfn.create_activity(name="work")["activityArn"]
    definition = json.dumps({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": activity, "End": True}}})
    execution = sfn.start_execution(stateMachineArn=create(sfn, definition=definition), input='{"n": 2}')

    def worker():
        task = sfn.get_activity_task(activityArn=activity, workerName="w")
        sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"double": json.loads(task["input"])["n"] * 2}))

    thread = threading.Thread(target=worker)
    thread.start()
    found = wait_done(sfn, execution["executionArn"])
    thread.join(10)
    assert json.loads(found["output"]) == {"double": 4}


def test_mock_config_test_case_from_the_arn(start_server, tmp_path):
    mocks = tmp_path / "mocks.json"
    mocks.write_text(json.dumps({
        "StateMachines": {"mocked": {"TestCases": {"Happy": {"Call": "Answer"}}}},
        "MockedResponses": {"Answer": {"0": {"Return": {"StatusCode": 200, "Payload": {"v": 7}}}}}}))
    _, _, sfn = start_server(mock_config=mocks)
    definition = json.dumps({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
        "OutputPath": "$.Payload", "End": True}}})
    arn = create(sfn, definition=definition, name="mocked")
    found = wait_done(sfn, sfn.start_execution(stateMachineArn=arn + "#Happy")["executionArn"])
    assert json.loads(found["output"]) == {"v": 7}
    unmocked = wait_done(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])
    assert unmocked["status"] == "FAILED" and unmocked["error"] == "States.Runtime"


def test_a_restarted_server_lists_executions_and_aborts_what_ran(start_server, tmp_path):
    service, server, sfn = start_server(clock="real", store=tmp_path / "kept.db")
    arn = create(sfn, definition=WAIT)
    running = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    done = wait_done(sfn, sfn.start_execution(stateMachineArn=create(sfn, name="quick"))["executionArn"])
    time.sleep(0.1)
    server.stop()
    service.close(2)
    _, _, again = start_server(store=tmp_path / "kept.db")
    assert again.describe_execution(executionArn=done["executionArn"])["status"] == "SUCCEEDED"
    aborted = again.describe_execution(executionArn=running)
    assert aborted["status"] == "ABORTED"
    assert again.get_execution_history(executionArn=running)["events"][-1]["type"] == "ExecutionAborted"

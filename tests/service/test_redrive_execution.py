"""RedriveExecution through boto3: the run goes on, DescribeExecution / ListExecutions show the redrives."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from serve_helpers import create, error_of, wait_done

FLAKY = json.dumps({"StartAt": "First", "States": {
    "First": {"Type": "Pass", "Result": "kept", "ResultPath": "$.first", "Next": "Call"},
    "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
             "OutputPath": "$.Payload", "End": True}}})


@pytest.fixture
def flaky(start_server, tmp_path):
    """A server whose mocked Task fails on its first call and answers on the second."""
    mocks = tmp_path / "mocks.json"
    mocks.write_text(json.dumps({
        "StateMachines": {"flaky": {"TestCases": {"Once": {"Call": "FailThenAnswer"}}}},
        "MockedResponses": {"FailThenAnswer": {
            "0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "down"}},
            "1": {"Return": {"StatusCode": 200, "Payload": {"v": 7}}}}}}))
    _, _, sfn = start_server(mock_config=mocks)
    return sfn, create(sfn, definition=FLAKY, name="flaky")


def test_a_failed_execution_is_redriven_to_success(flaky):
    sfn, machine = flaky
    arn = sfn.start_execution(stateMachineArn=machine + "#Once", name="e1")["executionArn"]
    failed = wait_done(sfn, arn)
    assert (failed["status"], failed["redriveStatus"], failed["redriveCount"]) == ("FAILED", "REDRIVABLE", 0)
    assert "redriveStatusReason" not in failed and "redriveDate" not in failed
    before = len(sfn.get_execution_history(executionArn=arn)["events"])
    answer = sfn.redrive_execution(executionArn=arn)
    assert set(answer) - {"ResponseMetadata"} == {"redriveDate"}
    done = wait_done(sfn, arn)
    assert (done["status"], json.loads(done["output"]), done["redriveCount"]) == ("SUCCEEDED", {"v": 7}, 1)
    assert done["redriveStatus"] == "NOT_REDRIVABLE"
    assert done["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert abs(done["redriveDate"].timestamp() - answer["redriveDate"].timestamp()) < 5
    events = sfn.get_execution_history(executionArn=arn)["events"]
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    redriven = events[before]
    assert redriven["type"] == "ExecutionRedriven" and redriven["previousEventId"] == before
    assert redriven["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert events[before + 1]["type"] == "TaskStateEntered"
    assert json.loads(events[before + 1]["stateEnteredEventDetails"]["input"]) == {"first": "kept"}
    assert [e["type"] for e in events].count("PassStateEntered") == 1
    with pytest.raises(ClientError) as excinfo:
        sfn.redrive_execution(executionArn=arn)
    assert error_of(excinfo) == ("ExecutionNotRedrivable", "Execution is SUCCEEDED and cannot be redriven")


def test_list_executions_filters_by_redrive(flaky):
    sfn, machine = flaky
    redriven = sfn.start_execution(stateMachineArn=machine + "#Once", name="again")["executionArn"]
    other = sfn.start_execution(stateMachineArn=machine + "#Once", name="once")["executionArn"]
    wait_done(sfn, redriven), wait_done(sfn, other)
    sfn.redrive_execution(executionArn=redriven)
    wait_done(sfn, redriven)
    names = {f: [e["name"] for e in sfn.list_executions(stateMachineArn=machine, redriveFilter=f)["executions"]]
             for f in ("REDRIVEN", "NOT_REDRIVEN")}
    assert names == {"REDRIVEN": ["again"], "NOT_REDRIVEN": ["once"]}
    listed = sfn.list_executions(stateMachineArn=machine, redriveFilter="REDRIVEN")["executions"][0]
    assert listed["redriveCount"] == 1 and "redriveDate" in listed


def test_the_same_client_token_is_answered_once(flaky):
    sfn, machine = flaky
    arn = sfn.start_execution(stateMachineArn=machine + "#Once")["executionArn"]
    wait_done(sfn, arn)
    first = sfn.redrive_execution(executionArn=arn, clientToken="token-1")
    wait_done(sfn, arn)
    second = sfn.redrive_execution(executionArn=arn, clientToken="token-1")
    assert second["redriveDate"] == first["redriveDate"]
    assert sfn.describe_execution(executionArn=arn)["redriveCount"] == 1


def test_refusals(start_server):
    _, _, sfn = start_server(clock="real")
    wait = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}})
    running = sfn.start_execution(stateMachineArn=create(sfn, definition=wait))["executionArn"]
    time.sleep(0.05)
    with pytest.raises(ClientError) as excinfo:
        sfn.redrive_execution(executionArn=running)
    assert error_of(excinfo) == ("ExecutionNotRedrivable", "Execution is RUNNING and cannot be redriven")
    assert sfn.describe_execution(executionArn=running)["redriveStatusReason"] == \
        "Execution is RUNNING and cannot be redriven"
    missing = running.rsplit(":", 1)[0] + ":nope"
    with pytest.raises(ClientError) as excinfo:
        sfn.redrive_execution(executionArn=missing)
    assert error_of(excinfo) == ("ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'")
    sfn.stop_execution(executionArn=running)
    stopped = wait_done(sfn, running)
    assert (stopped["status"], stopped["redriveStatus"]) == ("ABORTED", "REDRIVABLE")
    sfn.redrive_execution(executionArn=running)
    time.sleep(0.1)
    again = sfn.describe_execution(executionArn=running)
    assert (again["status"], again["redriveCount"]) == ("RUNNING", 1)
    sfn.stop_execution(executionArn=running)
    types = [e["type"] for e in sfn.get_execution_history(executionArn=running)["events"]]
    assert types == ["ExecutionStarted", "WaitStateEntered", "ExecutionAborted", "ExecutionRedriven",
                     "WaitStateEntered", "ExecutionAborted"]


def test_a_distributed_maps_map_run_is_redriven_with_its_parent(start_server, tmp_path):
    mocks = tmp_path / "mocks.json"
    mocks.write_text(json.dumps({
        "StateMachines": {"fan": {"TestCases": {"Once": {"Work": "FailThenAnswer"}}}},
        "MockedResponses": {"FailThenAnswer": {
            "0": {"Throw": {"Error": "Boom", "Cause": "down"}},
            "1-2": {"Return": {"StatusCode": 200, "Payload": {"ok": True}}}}}}))
    _, _, sfn = start_server(mock_config=mocks)
    definition = json.dumps({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                   "Parameters": {"FunctionName": "f"}, "OutputPath": "$.Payload",
                                                   "End": True}}}}}})
    machine = create(sfn, definition=definition, name="fan")
    arn = sfn.start_execution(stateMachineArn=machine + "#Once", input="[1, 2]")["executionArn"]
    assert wait_done(sfn, arn)["status"] == "FAILED"
    run = sfn.list_map_runs(executionArn=arn)["mapRuns"][0]["mapRunArn"]
    assert sfn.describe_map_run(mapRunArn=run)["status"] == "FAILED"
    sfn.redrive_execution(executionArn=arn)
    done = wait_done(sfn, arn)
    assert (done["status"], json.loads(done["output"])) == ("SUCCEEDED", [{"ok": True}, {"ok": True}])
    described = sfn.describe_map_run(mapRunArn=run)
    assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1) and "redriveDate" in described
    types = [e["type"] for e in sfn.get_execution_history(executionArn=arn)["events"]]
    assert types.count("MapRunStarted") == 1 and types.count("MapRunRedriven") == 1

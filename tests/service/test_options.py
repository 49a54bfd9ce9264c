"""Service options as Step Functions Local users rely on them: the MockConfigFile re-read when it changes,
WAIT_TIME_SCALE applied to Wait states and to Retry intervals (which Step Functions Local forgets)."""

from __future__ import annotations

import json
import time

from serve_helpers import create, wait_done

CALL = json.dumps({"StartAt": "Call", "States": {"Call": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
    "OutputPath": "$.Payload", "End": True}}})


def _mocks(value: int) -> str:
    return json.dumps({"StateMachines": {"mocked": {"TestCases": {"Happy": {"Call": "Answer"}}}},
                       "MockedResponses": {"Answer": {"0": {"Return": {"StatusCode": 200, "Payload": {"v": value}}}}}})


def test_the_mock_config_file_is_read_again_when_it_changes(start_server, tmp_path):
    mocks = tmp_path / "mocks.json"
    mocks.write_text(_mocks(1))
    _, _, sfn = start_server(mock_config=mocks)
    arn = create(sfn, definition=CALL, name="mocked") + "#Happy"
    assert json.loads(wait_done(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])["output"]) == {"v": 1}
    mocks.write_text(_mocks(2))   # no restart
    assert json.loads(wait_done(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])["output"]) == {"v": 2}


def _timed(sfn, definition: str) -> tuple[dict, float]:
    began = time.monotonic()
    found = wait_done(sfn, sfn.start_execution(stateMachineArn=create(sfn, definition=definition))["executionArn"],
                      timeout=30)
    return found, time.monotonic() - began


def test_wait_time_scale_shortens_wait_states(start_server):
    _, _, sfn = start_server(clock="real", wait_scale=0.01)
    wait = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}})
    found, took = _timed(sfn, wait)
    assert found["status"] == "SUCCEEDED"
    assert 0.9 <= took < 10   # 100 s scaled to 1 s


def test_wait_time_scale_shortens_retry_intervals(start_server):
    _, _, sfn = start_server(clock="real", wait_scale=0.01)
    failing = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}
    retried = json.dumps({"StartAt": "P", "States": {"P": {
        "Type": "Parallel", "Branches": [failing], "End": True,
        "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 50, "MaxAttempts": 2, "BackoffRate": 1}]}}})
    found, took = _timed(sfn, retried)
    assert (found["status"], found["error"]) == ("FAILED", "E")
    assert 0.9 <= took < 10   # two intervals of 50 s scaled to 0.5 s each


def test_the_store_runs_in_wal_while_served_and_is_handed_back_in_rollback_mode(tmp_path):
    import sqlite3

    from asl.service import Service

    service = Service(tmp_path / "sfn.db")
    assert service.db.query("PRAGMA journal_mode")[0]["journal_mode"] == "wal"
    service.close(1)
    with sqlite3.connect(tmp_path / "sfn.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"

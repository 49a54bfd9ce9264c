"""`sfn serve` as a process: it says where it listens, and SIGINT / SIGTERM stop it within seconds with
running executions recorded ABORTED, their events kept."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

pytest.importorskip("boto3")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_server_and_aborts_what_runs(tmp_path, signum):
    import boto3

    store = tmp_path / "sfn.db"
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", "0", "--store", str(store)],
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()
        assert line.startswith("sfn serve: listening on http://127.0.0.1:")
        sfn = boto3.client("stepfunctions", endpoint_url=line.split()[4], region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
        definition = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}})
        arn = sfn.create_state_machine(name="slow", definition=definition, roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn, name="long")["executionArn"]
        process.send_signal(signum)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
    from asl.store import Store

    kept = Store(store, write=False)
    assert kept.find_execution("long")["status"] == "ABORTED"
    assert [e["type"] for e in kept.events(execution)][-1] == "ExecutionAborted"


def _serve(store, *options, env=None):
    """A `sfn serve` process on a free port and a boto3 client for it (its first stderr lines read)."""
    import os

    import boto3

    process = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", "0", "--store", str(store),
                                *options], stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    lines = [process.stderr.readline()]
    while not lines[-1].startswith("sfn serve: listening on") and lines[-1]:
        lines.append(process.stderr.readline())
    url = lines[-1].split("listening on ")[1].split()[0]
    client = boto3.client("stepfunctions", endpoint_url=url, region_name="eu-west-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
    return process, client, lines


def _stop(process, signum=signal.SIGINT) -> float:
    """Seconds the process took to exit after the signal."""
    import time

    began = time.monotonic()
    process.send_signal(signum)
    try:
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
    return time.monotonic() - began


def test_a_restarted_server_lists_what_ran_before_ctrl_c_in_its_account_and_region(tmp_path):
    import time

    env = {"AWS_ACCOUNT_ID": "111122223333", "AWS_DEFAULT_REGION": "eu-west-1"}
    store = tmp_path / "sfn.db"
    process, sfn, _ = _serve(store, env=env)
    try:
        slow = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}})
        quick = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        role = "arn:aws:iam::111122223333:role/r"
        arn = sfn.create_state_machine(name="slow", definition=slow, roleArn=role)["stateMachineArn"]
        assert arn == "arn:aws:states:eu-west-1:111122223333:stateMachine:slow"
        quick_arn = sfn.create_state_machine(name="quick", definition=quick, roleArn=role)["stateMachineArn"]
        done = sfn.start_execution(stateMachineArn=quick_arn, name="done")["executionArn"]
        running = [sfn.start_execution(stateMachineArn=arn, name=f"long{i}")["executionArn"] for i in range(3)]
        while sfn.describe_execution(executionArn=done)["status"] == "RUNNING":
            time.sleep(0.02)
        done_events = sfn.get_execution_history(executionArn=done)["events"]
    finally:
        took = _stop(process)
    assert took < 8
    process, sfn, _ = _serve(store, env=env)
    try:
        listed = {e["name"]: e["status"] for e in sfn.list_executions(stateMachineArn=arn)["executions"]}
        assert listed == {"long0": "ABORTED", "long1": "ABORTED", "long2": "ABORTED"}
        for execution in running:
            types = [e["type"] for e in sfn.get_execution_history(executionArn=execution)["events"]]
            assert types == ["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"]
        assert sfn.list_executions(stateMachineArn=quick_arn)["executions"][0]["status"] == "SUCCEEDED"
        assert sfn.get_execution_history(executionArn=done)["events"] == done_events
    finally:
        _stop(process, signal.SIGTERM)


def test_wait_time_scale_from_the_environment_shortens_waits(tmp_path):
    import time

    process, sfn, _ = _serve(tmp_path / "sfn.db", env={"WAIT_TIME_SCALE": "0.005"})
    try:
        definition = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 200, "End": True}}})
        arn = sfn.create_state_machine(name="w", definition=definition, roleArn="arn:aws:iam::1:role/r")["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        deadline = time.monotonic() + 10
        while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED"
    finally:
        _stop(process)


def test_a_non_loopback_address_is_served_with_a_warning(tmp_path):
    process, sfn, lines = _serve(tmp_path / "sfn.db", "--host", "0.0.0.0")
    try:
        assert lines[0].startswith("sfn serve: warning: listening on 0.0.0.0, not loopback")
    finally:
        _stop(process)
    process, sfn, lines = _serve(tmp_path / "sfn.db")
    try:
        assert len(lines) == 1 and "warning" not in lines[0]
    finally:
        _stop(process)

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

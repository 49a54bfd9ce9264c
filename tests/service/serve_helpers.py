"""Helpers of the service tests: a boto3 client for a local endpoint, and small waits."""

from __future__ import annotations

import json
import time

import boto3
from botocore.config import Config

PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": 1}, "End": True}}})
ROLE = "arn:aws:iam::123456789012:role/test-role"


_SESSION = boto3.session.Session()   # one session: the service model is loaded once


def client_for(url: str):
    """A Step Functions client for a local endpoint (dummy credentials, no `sync-` host prefix)."""
    return _SESSION.client("stepfunctions", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(inject_host_prefix=False, retries={"max_attempts": 0},
                                      read_timeout=70))


def create(client, definition: str = PASS, name: str = "machine", **extra) -> str:
    """A new state machine's ARN."""
    return client.create_state_machine(name=name, definition=definition, roleArn=ROLE, **extra)["stateMachineArn"]


def wait_done(client, arn: str, timeout: float = 10) -> dict:
    """DescribeExecution once the execution is no longer RUNNING."""
    deadline = time.monotonic() + timeout
    while True:
        found = client.describe_execution(executionArn=arn)
        if found["status"] != "RUNNING" or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def error_of(excinfo) -> tuple[str, str]:
    """(code, message) of a botocore ClientError."""
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]

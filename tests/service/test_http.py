"""The wire: routing by X-Amz-Target, the `sync-` prefix, AWS's error bodies for bad requests."""

from __future__ import annotations

import http.client
import json

import pytest

from asl.service.http import is_loopback
from serve_helpers import create, wait_done


def post(server, body: bytes, target: str | None = "AWSStepFunctions.ListStateMachines", host: str | None = None,
         headers: dict | None = None) -> tuple[int, dict, http.client.HTTPResponse]:
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    sent = {"Content-Type": "application/x-amz-json-1.0", **(headers or {})}
    if target is not None:
        sent["X-Amz-Target"] = target
    if host is not None:
        sent["Host"] = host
    connection.request("POST", "/", body=body, headers=sent)
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, answer, response


@pytest.fixture
def server(start_server):
    return start_server()[1]


@pytest.mark.parametrize("body, target, status, kind", [
    (b"{}", "AWSStepFunctions.NoSuchThing", 400, "com.amazon.coral.service#UnknownOperationException"),
    (b"{}", None, 400, "com.amazon.coral.service#UnknownOperationException"),
    (b"{not json", "AWSStepFunctions.ListStateMachines", 400, "com.amazon.coral.service#SerializationException"),
    (b"[1, 2]", "AWSStepFunctions.ListStateMachines", 400, "com.amazon.coral.service#SerializationException"),
    (b'{"name": 5, "definition": "{}", "roleArn": "arn:aws:iam::1:role/r"}', "AWSStepFunctions.CreateStateMachine",
     400, "com.amazon.coral.service#SerializationException"),
    (b'{"stateMachineArn": "nope"}', "AWSStepFunctions.DescribeStateMachine", 400,
     "com.amazonaws.swf.service.v2.model#InvalidArn"),
    (b'{"maxResults": 1001}', "AWSStepFunctions.ListStateMachines", 400,
     "com.amazon.coral.validate#ValidationException"),
    (b'{"maxResults": "ten"}', "AWSStepFunctions.ListStateMachines", 400,
     "com.amazon.coral.service#SerializationException"),
    (b'{"name": "m", "definition": "{}", "roleArn": "arn:aws:iam::1:role/r", "tags": "x"}',
     "AWSStepFunctions.CreateStateMachine", 400, "com.amazon.coral.service#SerializationException"),
    (b'{"\xff\xfe": 1}', "AWSStepFunctions.ListStateMachines", 400, "com.amazon.coral.service#SerializationException"),
    (b"", "AWSStepFunctions.StartExecution", 400, "com.amazon.coral.validate#ValidationException"),
])
def test_bad_requests_get_aws_error_bodies(server, body, target, status, kind):
    got_status, answer, response = post(server, body, target)
    assert (got_status, answer["__type"]) == (status, kind)
    assert set(answer) == {"__type", "message"}
    assert response.getheader("Content-Type") == "application/x-amz-json-1.0"


def test_validation_message_names_member_and_constraint(server):
    _, answer, _ = post(server, b'{"maxResults": 1001}')
    assert answer["message"] == ("1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
                                 "constraint: Member must have value less than or equal to 1000")


def test_missing_required_members_are_all_listed(server):
    _, answer, _ = post(server, b"{}", "AWSStepFunctions.CreateStateMachine")
    assert answer["message"].startswith("3 validation errors detected: Value null at 'name' failed to satisfy "
                                        "constraint: Member must not be null; Value null at 'definition'")


def test_oversized_body_is_refused_before_it_is_read(server):
    status, answer, _ = post(server, b"{}", headers={"Content-Length": str(64 * 1024 * 1024)})
    assert status == 413 and answer["__type"].endswith("#RequestEntityTooLargeException")


def test_sync_host_prefix_and_sigv4_headers_are_accepted(server):
    status, answer, _ = post(server, b"{}", host="sync-localhost:8083",
                             headers={"Authorization": "AWS4-HMAC-SHA256 Credential=garbage", "X-Amz-Date": "x"})
    assert status == 200 and answer == {"stateMachines": []}


def test_a_bug_is_an_internal_failure_not_a_traceback(server, monkeypatch):
    monkeypatch.setattr(server.service.machines, "list_state_machines", lambda req: 1 / 0)
    server.service._methods["ListStateMachines"] = server.service.machines.list_state_machines
    status, answer, _ = post(server, b"{}")
    assert status == 500 and answer["__type"] == "com.amazon.coral.service#InternalFailure"
    assert "Traceback" not in answer["message"]


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                            ("0.0.0.0", False), ("192.0.2.1", False)])
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_a_handler_that_raises_fails_only_its_execution(start_server, tmp_path, monkeypatch):
    (tmp_path / "broken_handlers.py").write_text("def boom(event, context):\n    raise RuntimeError('kaput')\n")
    boom = "arn:aws:lambda:us-east-1:123456789012:function:Boom"
    (tmp_path / "resources.yaml").write_text(f"handlers:\n  {boom}: broken_handlers:boom\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    _, _, sfn = start_server(resources=tmp_path / "resources.yaml")
    definition = json.dumps({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": boom, "End": True}}})
    arn = create(sfn, definition=definition)
    found = wait_done(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])
    assert (found["status"], found["error"]) == ("FAILED", "RuntimeError")
    assert wait_done(sfn, sfn.start_execution(stateMachineArn=create(sfn, name="ok"))["executionArn"])["status"] == \
        "SUCCEEDED"

"""TestState on `sfn serve`: the same answers as `asl.api.test_state`, AWS's refusals on the wire."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlparse

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from serve_helpers import _SESSION, ROLE, error_of

from asl.api import test_state as library_answer

PASS = {"Type": "Pass", "InputPath": "$.a", "Parameters": {"v.$": "$.x"}, "ResultPath": "$.r", "Next": "N"}
RETRY_TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
              "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "MaxAttempts": 3}], "End": True}
MAP = {"Type": "Map", "ItemsPath": "$$.Execution.Input", "End": True,
       "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}

ANSWERED = [
    ("pass-trace", {"definition": json.dumps(PASS), "input": '{"a": {"x": 1}}', "inspectionLevel": "TRACE"}),
    ("retriable", {"definition": json.dumps(RETRY_TASK), "inspectionLevel": "DEBUG",
                   "mock": {"errorOutput": {"error": "Boom", "cause": "c"}},
                   "stateConfiguration": {"retrierRetryCount": 1}}),
    ("map-context-not-an-array", {"definition": json.dumps(MAP), "input": "[1]", "inspectionLevel": "DEBUG",
                                  "mock": {"result": "[]"}, "context": '{"Execution": {"Input": {"a": 1}}}'}),
    ("task-without-handler", {"definition": json.dumps(RETRY_TASK), "roleArn": ROLE}),
]


@pytest.mark.parametrize("request_", [a[1] for a in ANSWERED], ids=[a[0] for a in ANSWERED])
def test_endpoint_answers_as_the_library(sfn, request_):
    response = sfn.test_state(**request_)
    response.pop("ResponseMetadata")
    assert response == library_answer(dict(request_))


def test_endpoint_status_and_members(sfn):
    response = sfn.test_state(definition=json.dumps(PASS), input='{"a": {"x": 1}}', inspectionLevel="DEBUG")
    assert (response["status"], response["nextState"]) == ("SUCCEEDED", "N")
    assert json.loads(response["output"]) == {"a": {"x": 1}, "r": {"v": 1}}
    assert json.loads(response["inspectionData"]["afterParameters"]) == {"v": 1}


@pytest.fixture
def raw_client(start_server):
    """A client that leaves the checking to the server (botocore would refuse some requests itself)."""
    _, server, _ = start_server()
    return _SESSION.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test",
                           config=Config(inject_host_prefix=False, parameter_validation=False,
                                         retries={"max_attempts": 0}))


REFUSED = [
    ("not-json", {"definition": "{"}, ("InvalidDefinition", "Invalid definition: not valid JSON")),
    ("unknown-type", {"definition": '{"Type": "Nope"}'}, "InvalidDefinition"),
    ("bad-input", {"definition": json.dumps(PASS), "input": "{"}, "InvalidExecutionInput"),
    ("mock-on-pass", {"definition": json.dumps(PASS), "mock": {"result": "{}"}},
     ("ValidationException", "State type 'Pass' is not supported when a mock is specified")),
    ("no-role", {"definition": json.dumps(RETRY_TASK)},
     ("ValidationException", "RoleArn must be specified when testing a Task state")),
    ("no-definition", {}, ("ValidationException", "1 validation error detected: Value null at 'definition' failed "
                                                  "to satisfy constraint: Member must not be null")),
    ("level", {"definition": json.dumps(PASS), "inspectionLevel": "ALL"},
     ("ValidationException", "1 validation error detected: Value 'ALL' at 'inspectionLevel' failed to satisfy "
                             "constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]")),
    ("nested-constraints", {"definition": json.dumps(RETRY_TASK), "mock": {"errorOutput": {"error": "Boom"}},
                            "stateConfiguration": {"retrierRetryCount": -1, "errorCausedByState": ""}},
     ("ValidationException", "2 validation errors detected: Value '-1' at 'stateConfiguration.retrierRetryCount' "
                             "failed to satisfy constraint: Member must have value greater than or equal to 0; "
                             "Value '' at 'stateConfiguration.errorCausedByState' failed to satisfy constraint: "
                             "Member must have length greater than or equal to 1")),
    ("nested-type", {"definition": json.dumps(RETRY_TASK), "mock": {"errorOutput": {"error": 5}}},
     ("SerializationException", "NUMBER_VALUE can not be converted to a String")),
    ("count-not-integer", {"definition": json.dumps(RETRY_TASK), "mock": {"result": "{}"},
                           "stateConfiguration": {"retrierRetryCount": "x"}},
     ("SerializationException", "STRING_VALUE can not be converted to an Integer")),
]


@pytest.mark.parametrize("request_, expected", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_endpoint_refusals(raw_client, request_, expected):
    with pytest.raises(ClientError) as excinfo:
        raw_client.test_state(**request_)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    code, message = error_of(excinfo)
    assert (code, message) == expected if isinstance(expected, tuple) else code == expected


def test_sync_host_prefix_is_the_same_request(start_server):
    # boto3 sends TestState to `sync-<host>` unless told not to; a proxy may forward it as is.
    _, server, _ = start_server()
    url = urlparse(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    body = json.dumps({"definition": json.dumps({"Type": "Pass", "Result": 1, "End": True})})
    connection.request("POST", "/", body, {"Host": f"sync-{url.netloc}", "X-Amz-Target": "AWSStepFunctions.TestState",
                                           "Content-Type": "application/x-amz-json-1.0"})
    answer = connection.getresponse()
    assert answer.status == 200
    assert json.loads(answer.read()) == {"status": "SUCCEEDED", "output": "1"}
    connection.close()


def test_task_without_mock_calls_the_servers_handler(start_server, tmp_path, monkeypatch):
    (tmp_path / "handlers_ep.py").write_text("def double(event, context):\n    return {'n': event['n'] * 2}\n")
    resources = tmp_path / "resources.yaml"
    resources.write_text("handlers:\n  Double: handlers_ep:double\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    _, _, client = start_server(resources=resources)
    definition = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Double", "End": True}
    response = client.test_state(definition=json.dumps(definition), input='{"n": 4}', roleArn=ROLE)
    assert (response["status"], json.loads(response["output"])) == ("SUCCEEDED", {"n": 8})


def test_trace_of_an_http_task_through_the_endpoint(start_server, tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self):
            data = b'{"ok":true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    web = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{web.server_port}/"
        resources = tmp_path / "resources.yaml"
        resources.write_text(f"http:\n  allow: ['{url}']\n")
        _, _, client = start_server(resources=resources)
        state = {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "End": True,
                 "Parameters": {"ApiEndpoint": url + "orders", "Method": "GET",
                                "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"}}}
        response = client.test_state(definition=json.dumps(state), roleArn=ROLE, inspectionLevel="TRACE")
        assert response["status"] == "SUCCEEDED"
        assert json.loads(response["output"])["ResponseBody"] == {"ok": True}
        trace = response["inspectionData"]
        assert (trace["request"]["method"], trace["request"]["url"]) == ("GET", url + "orders")
        assert (trace["response"]["statusCode"], trace["response"]["body"]) == ("200", '{"ok":true}')
    finally:
        web.shutdown()
        web.server_close()

"""The HTTP Task (arn:aws:states:::http:invoke) against a real http.server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

from asl.api import run_machine, test_state
from asl.definition import machine_from_definition
from asl.errors import UserInputError
from asl.resources.config import load_resources
from asl.resources.http import allowed

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
HTTP = "arn:aws:states:::http:invoke"
CONN = "arn:aws:events:us-east-1:123456789012:connection/Orders/1"
ROLE = "arn:aws:iam::123456789012:role/test"


class _Handler(BaseHTTPRequestHandler):
    """Echoes what it got as JSON; /text answers text, /missing 404."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.server.seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                 "body": body})
        if self.path.startswith("/missing"):
            data, kind, status = b'{"message":"no such order"}', "application/json", 404
        elif self.path.startswith("/text"):
            data, kind, status = b"plain words", "text/plain; charset=utf-8", 200
        else:
            data = json.dumps({"path": self.path, "body": body}).encode()
            kind, status = "application/json", 200
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.seen = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    srv.url = f"http://127.0.0.1:{srv.server_port}/"
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def resources(tmp_path, server):
    path = tmp_path / "resources.yaml"
    path.write_text(f"http:\n  allow: ['{server.url}']\n  connections:\n    {CONN}:\n"
                    f"      api_key: {{name: x-api-key, value: s3cret}}\n"
                    f"      headers: {{X-Tenant: acme}}\n"
                    f"      query_parameters: {{token: qsecret}}\n")
    return path


def machine(parameters, **state):
    return machine_from_definition({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": HTTP, "Parameters": parameters, "End": True, **state}}})


def run(parameters, resources, **state):
    return run_machine(machine(parameters, **state), {}, clock="virtual", resources=str(resources))


def test_get_json_answers_in_aws_shape(server, resources):
    result = run({"ApiEndpoint": server.url + "orders", "Method": "GET"}, resources)
    assert result.status == "SUCCEEDED"
    out = result.output
    assert out["StatusCode"] == 200 and out["StatusText"] == "OK"
    assert out["ResponseBody"] == {"path": "/orders", "body": ""}          # JSON parsed
    assert out["Headers"]["Content-Type"] == ["application/json"]           # each header a list
    sent = server.seen[0]["headers"]
    assert sent["User-Agent"].startswith("Amazon|StepFunctions|HttpInvoke|") and sent["Range"] == "bytes=0-262144"


def test_text_body_stays_text_and_json_body_is_sent_as_json(server, resources):
    out = run({"ApiEndpoint": server.url + "text", "Method": "GET"}, resources).output
    assert out["ResponseBody"] == "plain words"
    out = run({"ApiEndpoint": server.url + "orders", "Method": "POST", "RequestBody": {"id": 7, "ok": True}},
              resources).output
    assert json.loads(out["ResponseBody"]["body"]) == {"id": 7, "ok": True}
    assert server.seen[-1]["headers"]["Content-Type"] == "application/json"


def test_query_parameters_are_added_to_the_url(server, resources):
    out = run({"ApiEndpoint": server.url + "orders", "Method": "GET",
               "QueryParameters": {"status": "open", "tag": ["a", "b"]}}, resources).output
    assert out["ResponseBody"]["path"] == "/orders?status=open&tag=a&tag=b"


@pytest.mark.parametrize("array_format, expected", [
    ("INDICES", [("items[0]", "x"), ("items[1]", "y")]),
    ("BRACKETS", [("items[]", "x"), ("items[]", "y")]),
    ("REPEAT", [("items", "x"), ("items", "y")]),
    ("COMMAS", [("items", "x,y")]),
])
def test_url_encoded_body_follows_the_array_format(server, resources, array_format, expected):
    run({"ApiEndpoint": server.url + "form", "Method": "POST", "RequestBody": {"name": "a b", "items": ["x", "y"]},
         "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                       "RequestEncodingOptions": {"ArrayFormat": array_format}}}, resources)
    seen = server.seen[-1]
    assert seen["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(seen["body"]) == [("name", "a b"), *expected]


def test_404_fails_with_the_status_code_error_and_the_response_as_cause(server, resources):
    result = run({"ApiEndpoint": server.url + "missing", "Method": "GET"}, resources)
    assert result.status == "FAILED" and result.error == "States.Http.StatusCode.404"
    cause = json.loads(result.cause)
    assert cause["StatusCode"] == 404 and cause["StatusText"] == "Not Found"
    assert cause["ResponseBody"] == {"message": "no such order"}


def test_a_404_can_be_caught_by_its_name(server, resources):
    definition = {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": HTTP, "Parameters": {"ApiEndpoint": server.url + "missing",
                                                                   "Method": "GET"},
                 "Catch": [{"ErrorEquals": ["States.Http.StatusCode.404"], "Next": "Gone"}], "End": True},
        "Gone": {"Type": "Pass", "End": True}}}
    result = run_machine(machine_from_definition(definition), {}, clock="virtual", resources=str(resources))
    assert result.status == "SUCCEEDED" and result.output["Error"] == "States.Http.StatusCode.404"


def test_connection_adds_its_auth_headers_and_query(server, resources):
    out = run({"ApiEndpoint": server.url + "orders", "Method": "GET", "Headers": {"X-Tenant": "mine"},
               "Authentication": {"ConnectionArn": CONN}}, resources).output
    sent = server.seen[-1]["headers"]
    assert sent["x-api-key"] == "s3cret" and sent["X-Tenant"] == "acme"   # the connection's value wins
    assert out["ResponseBody"]["path"] == "/orders?token=qsecret"


def test_basic_auth_through_invocation_config(server, tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(f"http:\n  allow: ['{server.url}']\n  connections:\n    {CONN}:\n"
                    f"      basic: {{username: ann, password: pw}}\n")
    run({"ApiEndpoint": server.url, "Method": "GET", "InvocationConfig": {"ConnectionArn": CONN}}, path)
    assert server.seen[-1]["headers"]["Authorization"] == "Basic YW5uOnB3"


def test_an_endpoint_not_allowed_is_refused_before_the_run_and_nothing_is_called(server, resources):
    with pytest.raises(UserInputError, match=r"state 'Call': the HTTP Task's endpoint http://127\.0\.0\.1:1/x "
                                             r"is not allowed; add a prefix of it under 'http: allow:'"):
        run({"ApiEndpoint": "http://127.0.0.1:1/x", "Method": "GET"}, resources)
    assert server.seen == []


def test_a_computed_endpoint_not_allowed_fails_the_task_when_reached(server, resources):
    result = run_machine(machine({"ApiEndpoint.$": "$.url", "Method": "GET"}), {"url": "http://example.com/"},
                         clock="virtual", resources=str(resources))
    assert result.status == "FAILED" and result.error == "States.Runtime"
    assert "http://example.com/ is not allowed" in result.cause and "'http: allow:'" in result.cause


def test_without_a_resources_file_no_http_task_runs(server):
    with pytest.raises(UserInputError, match="is not allowed"):
        run_machine(machine({"ApiEndpoint": server.url, "Method": "GET"}), {}, clock="virtual")
    assert server.seen == []


@pytest.mark.parametrize("url, ok", [
    ("http://127.0.0.1:8080/api", True),
    ("http://127.0.0.1:8080/api/orders?x=1", True),
    ("http://127.0.0.1:8080/apix", False),
    ("http://127.0.0.1:8081/api", False),
    ("https://127.0.0.1:8080/api", False),
    ("http://127.0.0.1:8080@evil.example/api", False),
    ("http://evil.example/http://127.0.0.1:8080/api", False),
    ("http://127.0.0.1:8080/api/../admin", False),
    ("http://127.0.0.1:8080/api/%2e%2e/admin", False),
    ("http://127.0.0.1:8080/api/./orders", False),
])
def test_allow_compares_parsed_urls_not_text(url, ok):
    assert allowed(url, ["http://127.0.0.1:8080/api"]) is ok


def test_connection_refused_fails_with_the_socket_error(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("http:\n  allow: ['http://127.0.0.1:9/']\n")
    result = run({"ApiEndpoint": "http://127.0.0.1:9/", "Method": "GET"}, path)
    assert result.status == "FAILED" and result.error == "States.Http.Socket"


def request(server, reveal=False, **parameters):
    state = {"Type": "Task", "Resource": HTTP, "End": True,
             "Parameters": {"ApiEndpoint": server.url + "orders", "Method": "POST", "RequestBody": {"n": 1},
                            "Authentication": {"ConnectionArn": CONN}, **parameters}}
    req = {"definition": json.dumps(state), "roleArn": ROLE, "inspectionLevel": "TRACE"}
    if reveal:
        req["revealSecrets"] = True
    return req


def test_test_state_trace_shows_request_and_response_without_secrets(server, resources):
    answer = test_state(request(server, Headers={"X-Trace": "1"}), resources=str(resources))
    assert answer["status"] == "SUCCEEDED"
    req, resp = answer["inspectionData"]["request"], answer["inspectionData"]["response"]
    assert req == {"protocol": "http", "method": "POST", "url": server.url + "orders",
                   "headers": "[X-Trace: 1, Content-Type: application/json]", "body": '{"n":1}'}
    assert "s3cret" not in json.dumps(req) and "qsecret" not in json.dumps(req)
    assert resp["protocol"] == "http" and resp["statusCode"] == "200" and resp["statusMessage"] == "OK"
    assert "Content-Type: application/json" in resp["headers"]
    assert json.loads(resp["body"])["path"] == "/orders?token=qsecret"   # the response is never redacted


def test_test_state_trace_reveals_secrets_when_asked(server, resources):
    req = test_state(request(server, reveal=True), resources=str(resources))["inspectionData"]["request"]
    assert req["url"] == server.url + "orders?token=qsecret"
    assert "x-api-key: s3cret" in req["headers"] and "X-Tenant: acme" in req["headers"]


def test_test_state_trace_of_a_404_shows_the_response(server, resources):
    answer = test_state(request(server, ApiEndpoint=server.url + "missing"), resources=str(resources))
    assert answer["status"] == "FAILED" and answer["error"] == "States.Http.StatusCode.404"
    assert answer["inspectionData"]["response"]["statusCode"] == "404"


def test_test_state_debug_and_mocks_show_no_request(server, resources):
    debug = test_state({**request(server), "inspectionLevel": "DEBUG"}, resources=str(resources))
    assert "request" not in debug["inspectionData"]
    calls = len(server.seen)
    mocked = test_state({**request(server), "mock": {"result": '{"StatusCode": 200}'}}, resources=str(resources))
    assert mocked["status"] == "SUCCEEDED" and "request" not in mocked["inspectionData"]
    assert len(server.seen) == calls                                      # a mock calls nothing


@pytest.mark.parametrize("text, where, message", [
    ("http:\n  allow: http://x/\n", ":2:10:", "allow must be a list of URL prefixes"),
    ("http:\n  allow: [ftp://x/]\n", ":2:11:", "an entry must be an http:// or https:// URL prefix"),
    ("http:\n  allow: ['http://u@x/']\n", ":2:11:", "no user, query or fragment"),
    ("http:\n  allowed: []\n", ":2:12:", "unknown option 'allowed' (known: allow, connections)"),
    ("http:\n  connections:\n    nope: {}\n", ":3:11:", "'nope' is not a connection ARN"),
    (f"http:\n  connections:\n    {CONN}:\n      basic: {{username: u}}\n", ":4:14:", "basic needs password"),
    (f"http:\n  connections:\n    {CONN}:\n      headers: {{A: [1]}}\n", ":4:20:", "headers: 'A' must be text"),
])
def test_a_malformed_http_section_is_one_line_naming_file_and_place(tmp_path, text, where, message):
    path = tmp_path / "resources.yaml"
    path.write_text(text)
    with pytest.raises(UserInputError) as info:
        load_resources(path)
    line = str(info.value)
    assert "\n" not in line and message in line and f"resources.yaml{where}" in line


def _sfn_run(folder, definition, resources):
    (folder / "machine.asl.json").write_text(json.dumps(definition))
    (folder / "res.yaml").write_text(resources)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SFN_DEBUG", None)
    return subprocess.run([sys.executable, "-c", "from cli.main import main; main()", "run", "machine.asl.json",
                           "--resources", "res.yaml", "--clock", "virtual", "--output", "json", "--no-store"],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=30)


def test_cli_refuses_a_malformed_http_section_with_exit_2(tmp_path):
    done = _sfn_run(tmp_path, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                    "http:\n  allow: [ftp://x/]\n")
    assert done.returncode == 2
    assert done.stderr == ("res.yaml:2:11: allow: an entry must be an http:// or https:// URL prefix "
                           "(got \"ftp://x/\")\n")


def test_cli_refuses_an_endpoint_not_allowed_with_exit_2(tmp_path):
    definition = {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": HTTP, "End": True,
                                                         "Parameters": {"ApiEndpoint": "https://example.com/x",
                                                                        "Method": "GET"}}}}
    done = _sfn_run(tmp_path, definition, "http:\n  allow: ['http://127.0.0.1:8080/']\n")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "the HTTP Task's endpoint https://example.com/x is not allowed" in done.stderr


@pytest.mark.parametrize("path,headers,error", [
    ("orders", {"X-Evil": "a\r\nInjected: yes"}, "States.Runtime"),   # http.client refuses the header
    ("a b\r\nX: y", {}, "States.Http.Socket"),                         # ... and the URL
])
def test_a_request_http_client_refuses_fails_the_task_cleanly(server, resources, path, headers, error):
    result = run({"ApiEndpoint": server.url + path, "Method": "GET", "Headers": headers}, resources)
    assert (result.status, result.error) == ("FAILED", error), result.cause
    assert server.seen == []

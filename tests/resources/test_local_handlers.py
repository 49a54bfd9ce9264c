"""Local Lambda-style handlers: call shapes, error shapes, timeouts, and what may be imported."""

import json
import sys
import textwrap

import pytest

from asl.api import machine_from_definition, run_machine
from asl.errors import UserInputError
from asl.resources import Dispatcher
from asl.resources.config import find_resources, load_resources
from asl.tasks import missing_providers

HANDLERS = '''
import time

class CardDeclined(Exception):
    pass

def echo(event, context):
    return {"event": event, "fn": context.function_name, "left": context.get_remaining_time_in_millis() > 0,
            "rid": bool(context.aws_request_id)}

def decline(event, context):
    raise CardDeclined("insufficient funds")

def slow(event, context):
    time.sleep(5)

def not_json(event, context):
    return {1, 2}

def mutate(event, context):
    event["changed"] = True
    return event
'''

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    module = f"sfn_test_handlers_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(HANDLERS)
    (tmp_path / "resources.yaml").write_text(textwrap.dedent(f"""\
        handlers:
          Echo: {module}:echo
          Decline: {module}:decline
          Slow: {module}:slow
          NotJson: {module}:not_json
          {ARN}Mutate: {module}:mutate
        """))
    monkeypatch.setattr(sys, "path", list(sys.path))
    return tmp_path


def run(workspace, state, input=None):
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "End": True, **state}}}
    machine = machine_from_definition(definition, validate=False)
    config = load_resources(workspace / "resources.yaml")
    handlers = config.local_handlers()
    handlers.load()
    return run_machine(machine, input or {}, invoker=Dispatcher([handlers]))


def test_plain_arn_returns_the_bare_result(workspace):
    result = run(workspace, {"Resource": ARN + "Echo"}, {"a": 1})
    assert result.output == {"event": {"a": 1}, "fn": "Echo", "left": True, "rid": True}
    types = [e.type for e in result.history.events]
    assert types[2:5] == ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"]


def test_lambda_invoke_wraps_the_result(workspace):
    result = run(workspace, {"Resource": "arn:aws:states:::lambda:invoke",
                             "Parameters": {"FunctionName": "Echo", "Payload": {"x.$": "$.a"}}}, {"a": 2})
    out = result.output
    assert out["StatusCode"] == 200 and out["ExecutedVersion"] == "$LATEST"
    assert out["Payload"]["event"] == {"x": 2}
    assert set(out) == {"ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"}
    scheduled = next(e for e in result.history.to_aws()["events"] if e["type"] == "TaskScheduled")
    details = scheduled["taskScheduledEventDetails"]
    assert details["resourceType"] == "lambda" and details["resource"] == "invoke"
    assert json.loads(details["parameters"]) == {"FunctionName": "Echo", "Payload": {"x": 2}}


def test_exception_becomes_the_error_with_lambda_cause(workspace):
    result = run(workspace, {"Resource": ARN + "Decline"})
    assert result.status == "FAILED" and result.error == "CardDeclined"
    cause = json.loads(result.cause)
    assert cause["errorMessage"] == "insufficient funds" and cause["errorType"] == "CardDeclined"
    assert isinstance(cause["stackTrace"], list) and "decline" in "".join(cause["stackTrace"])


def test_timeout(workspace):
    result = run(workspace, {"Resource": ARN + "Slow", "TimeoutSeconds": 1})
    assert result.error == "States.Timeout"
    assert [e.type for e in result.history.events][-2] == "LambdaFunctionTimedOut"


def test_not_json_serialisable(workspace):
    result = run(workspace, {"Resource": ARN + "NotJson"})
    assert result.status == "FAILED" and "not JSON-serialisable" in result.cause


def test_handler_gets_a_copy_of_the_input(workspace):
    result = run(workspace, {"Resource": ARN + "Mutate", "ResultPath": "$.r"}, {"a": 1})
    assert result.output == {"a": 1, "r": {"a": 1, "changed": True}}


def test_retry_on_handler_error(workspace):
    result = run(workspace, {"Resource": ARN + "Decline",
                             "Retry": [{"ErrorEquals": ["CardDeclined"], "MaxAttempts": 2}]})
    assert [e.type for e in result.history.events].count("LambdaFunctionFailed") == 3


def test_unmapped_resource_is_reported_before_the_run(workspace):
    machine = machine_from_definition({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": ARN + "Unknown", "End": True}}}, validate=False)
    dispatcher = Dispatcher([load_resources(workspace / "resources.yaml").local_handlers()])
    problems = missing_providers(machine, dispatcher)
    assert problems and "state 'T'" in problems[0] and ARN + "Unknown" in problems[0]


@pytest.mark.parametrize("text,message", [
    ("handlers: [1]\n", "'handlers' must be a mapping"),
    ("handlers:\n  X: nocolon\n", "must be 'module:function'"),
    ("handlerz: {}\n", "unknown section 'handlerz'"),
    ("handlers:\n  X: [\n", "invalid YAML"),
])
def test_bad_resources_files(tmp_path, text, message):
    path = tmp_path / "resources.yaml"
    path.write_text(text)
    with pytest.raises(UserInputError) as info:
        load_resources(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_missing_module_fails_before_the_run(tmp_path):
    (tmp_path / "resources.yaml").write_text("handlers:\n  X: no_such_module_here:fn\n")
    with pytest.raises(UserInputError) as info:
        load_resources(tmp_path / "resources.yaml").local_handlers().load()
    assert "cannot import module 'no_such_module_here'" in str(info.value)
    assert ":2:" in str(info.value)


def test_resources_file_is_found_beside_the_definition(tmp_path):
    (tmp_path / "m.asl.json").write_text("{}")
    assert find_resources(tmp_path / "m.asl.json") is None
    (tmp_path / "resources.yml").write_text("handlers: {}\n")
    assert find_resources(tmp_path / "m.asl.json") == tmp_path / "resources.yml"
    (tmp_path / "m.resources.json").write_text("{}")
    assert find_resources(tmp_path / "m.asl.json") == tmp_path / "m.resources.json"


def test_definition_cannot_import_a_module_it_names(tmp_path):
    before = set(sys.modules)
    machine = machine_from_definition({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:os.system", "End": True}}}, validate=False)
    result = run_machine(machine, {}, invoker=Dispatcher([load_resources(None).local_handlers()]))
    assert result.status == "FAILED"
    assert not {m for m in set(sys.modules) - before if m.startswith("os")}


def test_handler_prints_go_to_stderr_not_the_json_output(tmp_path, monkeypatch, capsys):
    module = f"sfn_test_printing_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text("def noisy(event, context):\n    print('log line')\n    return 1\n")
    (tmp_path / "resources.yaml").write_text(f"handlers:\n  Noisy: {module}:noisy\n")
    monkeypatch.setattr(sys, "path", list(sys.path))
    result = run(tmp_path, {"Resource": ARN + "Noisy"})
    captured = capsys.readouterr()
    assert result.output == 1
    assert "log line" in captured.err and "log line" not in captured.out

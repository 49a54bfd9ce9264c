"""`sfn redrive`: a recorded run goes on from where it stopped, with the resources it ran with."""

import json

from click.testing import CliRunner

from cli.main import sfn

MACHINE = {"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
    "B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Flaky", "End": True}}}
HANDLERS = '''
import os
def flaky(event, context):
    if os.path.exists(os.path.join(os.path.dirname(__file__), "broken")):
        raise RuntimeError("broken")
    return {"ok": event}
'''


def invoke(*args):
    return CliRunner().invoke(sfn, [str(a) for a in args])


def setup(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "m.asl.json").write_text(json.dumps(MACHINE))
    (folder / "handlers.py").write_text(HANDLERS)
    (folder / "resources.yaml").write_text("handlers:\n  Flaky: handlers:flaky\n")
    (folder / "broken").write_text("")
    return folder


def test_redrive_reuses_the_runs_resources_and_exits_like_run(tmp_path):
    folder = setup(tmp_path)
    store = tmp_path / "s.db"
    first = invoke("run", folder / "m.asl.json", "--execution-name", "x1", "--store", store, "--output", "json")
    assert first.exit_code == 1 and json.loads(first.stdout)["error"] == "RuntimeError"
    (folder / "broken").unlink()
    again = invoke("redrive", "x1", "--store", store, "--output", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == {"status": "SUCCEEDED", "output": {"ok": {"a": 1}}, "error": None,
                                        "cause": None}
    history = json.loads(invoke("history", "x1", "--store", store, "--output", "json").stdout)["events"]
    types = [e["type"] for e in history]
    assert types[types.index("ExecutionFailed") + 1:types.index("ExecutionFailed") + 3] == \
        ["ExecutionRedriven", "TaskStateEntered"]
    assert types.count("PassStateEntered") == 1


def test_redrive_trace_and_refusals(tmp_path):
    folder = setup(tmp_path)
    store = tmp_path / "s.db"
    invoke("run", folder / "m.asl.json", "--execution-name", "x1", "--store", store, "--output", "json")
    still = invoke("redrive", "x1", "--store", store, "--output", "trace")
    assert still.exit_code == 1
    assert "↻ redriven" in still.output and "▶ B" in still.output and "▶ A" not in still.output
    (folder / "broken").unlink()
    assert invoke("redrive", "x1", "--store", store, "--output", "json").exit_code == 0
    done = invoke("redrive", "x1", "--store", store)
    assert done.exit_code == 2
    assert "ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven" in done.output
    assert "Traceback" not in done.output
    missing = invoke("redrive", "nope", "--store", store)
    assert missing.exit_code == 2 and "ExecutionDoesNotExist" in missing.output


def test_redrive_uses_the_runs_mock_test_case(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "m.json").write_text(json.dumps({"StartAt": "B", "States": {"B": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Any", "End": True}}}))
    (folder / "mocks.json").write_text(json.dumps({
        "StateMachines": {"m": {"TestCases": {"Once": {"B": "FailThenAnswer"}}}},
        "MockedResponses": {"FailThenAnswer": {"0": {"Throw": {"Error": "Boom", "Cause": "down"}},
                                               "1": {"Return": {"v": 7}}}}}))
    store = tmp_path / "s.db"
    first = invoke("run", folder / "m.json", "--mock-config", folder / "mocks.json", "--test-case", "Once",
                   "--execution-name", "mk", "--store", store, "--output", "json")
    assert json.loads(first.stdout)["error"] == "Boom"
    again = invoke("redrive", "mk", "--store", store, "--output", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["output"] == {"v": 7}  # the mock's next response, as in one execution

"""The stored run the graph and report tests draw: a retry, a caught error, a failed Map iteration
and a failing Fail state (import `stored_run` as a fixture)."""

import json
import textwrap

import pytest
from click.testing import CliRunner

from cli.main import sfn

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
DEFINITION = {
    "Comment": "A run that shows every outcome.",
    "StartAt": "Flaky",
    "States": {
        "Flaky": {"Type": "Task", "Resource": ARN + "flaky", "ResultPath": "$.flaky", "Next": "Items",
                  "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 3, "MaxAttempts": 2}]},
        "Items": {"Type": "Map", "ItemsPath": "$.items", "ToleratedFailureCount": 1, "ResultPath": "$.done",
                  "ItemProcessor": {"StartAt": "Work", "States": {
                      "Work": {"Type": "Task", "Resource": ARN + "work", "End": True}}},
                  "Next": "Risky"},
        "Risky": {"Type": "Task", "Resource": ARN + "risky", "Next": "Done",
                  "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": "$.error", "Next": "Recover"}]},
        "Recover": {"Type": "Pass", "Next": "GiveUp"},
        "GiveUp": {"Type": "Fail", "Error": "GaveUp", "Cause": "recovered, then gave up"},
        "Done": {"Type": "Succeed"},
    },
}
HANDLERS = '''
calls = {"flaky": 0}

class Busy(Exception):
    pass

class Bad(Exception):
    pass

class Boom(Exception):
    pass

def flaky(event, context):
    calls["flaky"] += 1
    if calls["flaky"] == 1:
        raise Busy("busy, try again")
    return {"ok": True}

def work(event, context):
    if event == "bad":
        raise Bad(f"cannot work on {event}")
    return event.upper()

def risky(event, context):
    raise Boom("it blew up")
'''


@pytest.fixture(scope="session")
def stored_run(tmp_path_factory):
    """(definition path, store path, execution name) of one FAILED run of DEFINITION."""
    folder = tmp_path_factory.mktemp("run")
    (folder / "outcomes.asl.json").write_text(json.dumps(DEFINITION))
    (folder / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    (folder / "resources.yaml").write_text("handlers:\n  flaky: handlers:flaky\n  work: handlers:work\n"
                                           "  risky: handlers:risky\n")
    store = folder / "sfn.db"
    result = CliRunner().invoke(sfn, ["run", str(folder / "outcomes.asl.json"), "--clock", "virtual",
                                      "--store", str(store),
                                      "--execution-name", "every-outcome", "--output", "json",
                                      "--input", json.dumps({"items": ["a", "bad", "c"]})],
                                catch_exceptions=False)
    assert result.exit_code == 1 and json.loads(result.output)["error"] == "GaveUp", result.output
    return folder / "outcomes.asl.json", store, "every-outcome"

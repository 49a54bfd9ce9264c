"""cli.pipeline: a TestState response drawn as its data flow on a (forced) terminal."""

import io
import json

from rich.console import Console

from asl.testing.test_state import test_state as answer
from cli.pipeline import render_pipeline


def draw(response, width=80):
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=True, color_system="truecolor", highlight=False)
    render_pipeline(response, console)
    return out.getvalue()


def plain(response, width=80):
    out = io.StringIO()
    render_pipeline(response, Console(file=out, width=width, color_system=None, highlight=False))
    return out.getvalue().splitlines()


TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "InputPath": "$.order",
        "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "ResultSelector": {"total.$": "$.Payload.total"},
        "ResultPath": "$.charge", "OutputPath": "$.charge", "Next": "Ship"}


def test_each_stage_in_order_then_status_and_next_state():
    response = answer({"definition": json.dumps(TASK), "input": '{"order": {"id": 7}}', "inspectionLevel": "DEBUG",
                       "mock": {"result": '{"Payload": {"total": 42}}'}})
    lines = plain(response)
    labels = [line[2:].split()[0] for line in lines[:-1]]
    assert labels == ["input", "InputPath", "Parameters", "result", "ResultSelector", "ResultPath", "output"]
    assert lines[1] == '→ InputPath       {"id":7}'
    assert lines[6] == '→ output          {"total":42}'
    assert lines[-1] == "● SUCCEEDED  next → Ship"


def test_map_stages_and_settings():
    state = {"Type": "Map", "ItemsPath": "$.xs", "ItemSelector": {"v.$": "$$.Map.Item.Value"}, "MaxConcurrency": 2,
             "ToleratedFailureCount": 1, "End": True,
             "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
    response = answer({"definition": json.dumps(state), "input": '{"xs": [1, 2]}', "inspectionLevel": "DEBUG",
                       "mock": {"result": "[1, 2]"}})
    lines = plain(response)
    assert [line[2:].split()[0] for line in lines[:3]] == ["input", "InputPath", "ItemsPath"]
    assert "  MaxConcurrency 2 · ToleratedFailureCount 1" in lines
    assert lines[-1] == "● SUCCEEDED"


def test_error_cause_and_retry_details():
    state = dict(TASK, Retry=[{"ErrorEquals": ["Boom"], "IntervalSeconds": 3}])
    response = answer({"definition": json.dumps(state), "input": '{"order": {}}', "inspectionLevel": "DEBUG",
                       "mock": {"errorOutput": {"error": "Boom", "cause": "card declined"}}})
    lines = plain(response)
    assert lines[-4:] == ["● RETRIABLE", "  error Boom", "  cause card declined",
                          "  retryIndex 0, retryBackoffIntervalSeconds 3"]


def test_values_are_collapsed_to_the_width():
    response = {"status": "SUCCEEDED", "output": json.dumps({"k": "x" * 500})}
    lines = plain(response, width=50)
    assert len(lines[0]) == 50 and lines[0].endswith("…")


def test_refusal_and_colours_on_a_terminal():
    drawn = draw({"error": {"code": "InvalidDefinition", "message": "Invalid State Machine Definition"}})
    assert "\x1b[" in drawn  # styled for the terminal
    assert "refused" in drawn and "InvalidDefinition" in drawn and "Invalid State Machine Definition" in drawn
    status = draw({"status": "FAILED", "error": "E", "cause": "C"})
    assert "\x1b[1;31m" in status  # FAILED in bold red

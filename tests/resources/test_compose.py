"""Checks made before a run: what an Express workflow cannot run."""

import pytest

from asl.api import machine_from_definition
from asl.resources.compose import express_problems


def one_state(state: dict) -> dict:
    return {"StartAt": "S", "States": {"S": {**state, "End": True}}}


EXPRESS = [
    ("request-response", {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke"}, None),
    ("inline-map", {"Type": "Map", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}},
     None),
    ("sync", {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2"}, "cannot wait with .sync"),
    ("callback", {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken"},
     "cannot wait with .waitForTaskToken"),
    ("activity", {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:review"},
     "cannot run activities"),
    ("distributed-map", {"Type": "Map", "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}, "cannot run a Distributed Map"),
    ("nested-in-parallel", {"Type": "Parallel", "Branches": [{"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "End": True}}}]}, "state 'T'"),
]


@pytest.mark.parametrize("state,problem", [c[1:] for c in EXPRESS], ids=[c[0] for c in EXPRESS])
def test_what_an_express_workflow_cannot_run(state, problem):
    problems = express_problems(machine_from_definition(one_state(state), validate=False))
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]

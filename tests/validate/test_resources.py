"""Task Resource forms: what the guide documents is accepted, the rest refused with a reason."""

from __future__ import annotations

import pytest

from asl.validate import validate_definition

ACCOUNT = "123456789012"


def _errors(resource: str) -> list[str]:
    data = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True}}}
    return [d.message for d in validate_definition(data) if d.severity == "ERROR"]


@pytest.mark.parametrize("resource", [
    f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f",
    f"arn:aws:states:us-east-1:{ACCOUNT}:activity:worker",
    "arn:aws:states:::lambda:invoke",
    "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "arn:aws:states:::events:putEvents.waitForTaskToken",
    "arn:aws:states:::apigateway:invoke.waitForTaskToken",
    "arn:aws:states:::ecs:runTask.sync",
    "arn:aws:states:::ecs:runTask.waitForTaskToken",
    "arn:aws:states:::glue:startJobRun.sync",
    "arn:aws:states:::batch:submitJob.sync",
    "arn:aws:states:::athena:startQueryExecution.sync",
    "arn:aws:states:::states:startExecution.sync",
    "arn:aws:states:::states:startExecution.sync:2",
    "arn:aws:states:::states:startExecution.waitForTaskToken",
    "arn:aws:states:::aws-sdk:s3:listBuckets",
    "arn:aws:states:::aws-sdk:s3:listBuckets.waitForTaskToken",
])
def test_documented_forms_are_accepted(resource):
    assert _errors(resource) == []


@pytest.mark.parametrize("resource,why", [
    ("arn:aws:states:::aws-sdk:s3:getObject.sync", "AWS SDK integrations have no .sync pattern"),
    ("arn:aws:states:::aws-sdk:s3:getObject.sync:2", "AWS SDK integrations have no .sync pattern"),
    ("arn:aws:states:::lambda:invoke.sync", "lambda has no .sync pattern"),
    ("arn:aws:states:::sqs:sendMessage.sync", "sqs has no .sync pattern"),
    ("arn:aws:states:::dynamodb:putItem.waitForTaskToken", "dynamodb has no .waitForTaskToken pattern"),
    ("arn:aws:states:::glue:startJobRun.waitForTaskToken", "glue has no .waitForTaskToken pattern"),
    ("arn:aws:states:::glue:startJobRun.sync:2", ".sync:2 is only for states:startExecution"),
    (f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:child", "a regional states ARN names an activity"),
    ("arn:aws:states:us-east-1::lambda:invoke", "a regional states ARN names an activity"),
])
def test_undocumented_integration_patterns_are_refused(resource, why):
    messages = _errors(resource)
    assert len(messages) == 1 and messages[0].startswith(f"The resource provided {resource} is not recognized")
    assert messages[0].endswith(f"({why})")

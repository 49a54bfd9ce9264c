"""asl.testing.shapes: a mocked result checked against a service's response shape."""

import pytest

from asl.testing.shapes import check, shape_for

START = "arn:aws:states:::states:startExecution.sync:2"
GET_FUNCTION = "arn:aws:states:::aws-sdk:lambda:getFunction"


@pytest.mark.parametrize("resource, value, strict, problem", [
    (START, {"ExecutionArn": "a", "StartDate": "d"}, True, None),
    (START, {}, True, "Required field 'ExecutionArn' is missing"),
    (START, {}, False, None),
    (START, {"ExecutionArn": "a", "StartDate": 1}, False, "Field 'StartDate' must be a string"),
    (GET_FUNCTION, {"Configuration": {"MemorySize": 127}}, True, "Field 'MemorySize' is less than the minimum value"),
    (GET_FUNCTION, {"Configuration": {"MemorySize": 10241}}, True, "Field 'MemorySize' exceeds the maximum value"),
    (GET_FUNCTION, {"Configuration": {"MemorySize": True}}, True, "Field 'MemorySize' must be a number"),
    ("arn:aws:states:::events:putEvents", {"Entries": [{"EventId": "x"}, {"EventId": [1]}]}, True,
     "Field 'EventId' must be a string"),
    ("arn:aws:states:::events:putEvents", {"Entries": {}}, True, "Field 'Entries' must be an array"),
    ("arn:aws:states:::events:putEvents", {"Unlisted": 1}, True, None),
    ("arn:aws:states:::aws-sdk:kms:encrypt", {"CiphertextBlob": ""}, True,
     "Field 'CiphertextBlob' is smaller than the minimum length"),
    ("arn:aws:states:::dynamodb:putItem", {"ConsumedCapacity": {"CapacityUnits": "1.5"}}, True,
     "Field 'CapacityUnits' must be a number"),
])
def test_check(resource, value, strict, problem):
    assert check(value, shape_for(resource), required=strict) == problem


def test_unknown_resource_has_no_shape():
    assert shape_for("arn:aws:states:::glue:startJobRun") is None

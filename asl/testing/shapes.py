"""Response shapes of service APIs, for TestState's check of a mocked `result` (fieldValidationMode).

A shape is a small tuple tree: ("string", min_len), ("integer", lo, hi), ("number",), ("boolean",),
("list", member), ("structure", {name: shape}, required names), ("any",). Only the members AWS's
API models give each response are listed (from the services' published API references); a
resource with no shape here is not checked. Members a shape does not list are accepted, as AWS
accepts them (an optimized integration's SdkHttpMetadata, for one).
"""

from __future__ import annotations

from typing import Any

STRING = ("string", 0)
INTEGER = ("integer", None, None)
NUMBER = ("number",)
ANY = ("any",)


def _struct(members: dict, required: tuple = ()) -> tuple:
    return ("structure", members, required)


_CAPACITY = _struct({"TableName": STRING, "CapacityUnits": NUMBER, "ReadCapacityUnits": NUMBER,
                     "WriteCapacityUnits": NUMBER})
_DYNAMODB_WRITE = _struct({"Attributes": ANY, "ConsumedCapacity": _CAPACITY, "ItemCollectionMetrics": ANY})

# Keyed by the Resource ARN after `arn:aws:states:::`, without its integration pattern.
SHAPES: dict[str, tuple] = {
    "lambda:invoke": _struct({"StatusCode": INTEGER, "FunctionError": STRING, "LogResult": STRING,
                              "Payload": ANY, "ExecutedVersion": STRING}),
    "states:startExecution": _struct({"ExecutionArn": ("string", 1), "StartDate": STRING},
                                     ("ExecutionArn", "StartDate")),
    "events:putEvents": _struct({"FailedEntryCount": INTEGER, "Entries": ("list", _struct(
        {"EventId": STRING, "ErrorCode": STRING, "ErrorMessage": STRING}))}),
    "dynamodb:putItem": _DYNAMODB_WRITE,
    "dynamodb:updateItem": _DYNAMODB_WRITE,
    "dynamodb:deleteItem": _DYNAMODB_WRITE,
    "dynamodb:getItem": _struct({"Item": ANY, "ConsumedCapacity": _CAPACITY}),
    "aws-sdk:kms:encrypt": _struct({"CiphertextBlob": ("string", 1), "KeyId": ("string", 1),
                                    "EncryptionAlgorithm": STRING}),
    "aws-sdk:lambda:getFunction": _struct({
        "Configuration": _struct({"FunctionName": ("string", 1), "FunctionArn": STRING, "Runtime": STRING,
                                  "Role": STRING, "Handler": STRING, "CodeSize": INTEGER,
                                  "Description": STRING, "Timeout": ("integer", 1, None),
                                  "MemorySize": ("integer", 128, 10240), "LastModified": STRING,
                                  "Version": STRING}),
        "Code": ANY, "Tags": ANY, "Concurrency": ANY}),
}


def shape_for(resource_arn: str) -> tuple | None:
    """The response shape of a Task's resource, or None when sfn does not know it."""
    key = resource_arn.split(":::", 1)[-1]
    for suffix in (".sync:2", ".sync", ".waitForTaskToken"):
        key = key.removesuffix(suffix)
    return SHAPES.get(key)


def check(value: Any, shape: tuple, name: str = "", required: bool = True) -> str | None:
    """The first way value breaks shape, in AWS's words, or None (required=False: PRESENT mode)."""
    kind = shape[0]
    if kind == "any":
        return None
    if kind == "structure":
        if not isinstance(value, dict):
            return f"Field '{name}' must be an object"
        members, needed = shape[1], shape[2]
        if required:
            for member in needed:
                if member not in value:
                    return f"Required field '{member}' is missing"
        for member, item in value.items():
            if member in members:
                problem = check(item, members[member], member, required)
                if problem:
                    return problem
        return None
    if kind == "list":
        if not isinstance(value, list):
            return f"Field '{name}' must be an array"
        return next((p for p in (check(item, shape[1], name, required) for item in value) if p), None)
    if kind == "string":
        if not isinstance(value, str):
            return f"Field '{name}' must be a string"
        return f"Field '{name}' is smaller than the minimum length" if len(value) < shape[1] else None
    if kind == "boolean":
        return None if isinstance(value, bool) else f"Field '{name}' must be a boolean"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind == "integer" and isinstance(value, float)):
        return f"Field '{name}' must be a number"
    if kind == "integer":
        low, high = shape[1], shape[2]
        if low is not None and value < low:
            return f"Field '{name}' is less than the minimum value"
        if high is not None and value > high:
            return f"Field '{name}' exceeds the maximum value"
    return None

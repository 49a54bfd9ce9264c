"""Each operation's input members and their constraints, from the API's service model, checked as AWS does.

A member breaking a length, range, pattern or enum constraint is a ValidationException listing
every failure ("2 validation errors detected: ..."); a member of the wrong JSON type is a
SerializationException, as AWS's JSON protocol answers it. Unknown members are ignored, as AWS does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import CORAL_SERVICE, ApiError, validation


@dataclass(frozen=True)
class Member:
    """One input member: its JSON type and the constraints the service model gives it."""

    kind: str                        # "string", "integer", "boolean", "list", "structure", "float"
    required: bool = False
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    enum: str | None = None          # AWS's message lists the set in its own order: kept as printed


def _s(min: int | None = None, max: int | None = None, required: bool = False, pattern: str | None = None,
       enum: str | None = None) -> Member:
    return Member("string", required, min, max, pattern, enum)


def _i(min: int | None = None, max: int | None = None) -> Member:
    return Member("integer", False, min, max)


ARN = _s(1, 256, True)
LONG_ARN = _s(1, 2000, True)
NAME = _s(1, 80)
PAGE = {"maxResults": _i(0, 1000), "nextToken": _s(1, 1024)}
BOOL = Member("boolean")
LIST = Member("list")
STRUCT = Member("structure")
DATA = _s(None, 262144)
ALIAS_NAME_PATTERN = r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$"
TYPE = _s(enum="[STANDARD, EXPRESS]")
INCLUDED = _s(enum="[ALL_DATA, METADATA_ONLY]")
DEFINITION = _s(1, 1048576, True)

OPERATIONS: dict[str, dict[str, Member]] = {
    "CreateActivity": {"name": _s(1, 80, True), "tags": LIST, "encryptionConfiguration": STRUCT},
    "CreateStateMachine": {"name": _s(1, 80, True), "definition": DEFINITION, "roleArn": ARN, "type": TYPE,
                           "loggingConfiguration": STRUCT, "tags": LIST, "tracingConfiguration": STRUCT,
                           "publish": BOOL, "versionDescription": _s(None, 256),
                           "encryptionConfiguration": STRUCT},
    "CreateStateMachineAlias": {"description": _s(None, 256),
                                "name": _s(1, 80, True, ALIAS_NAME_PATTERN),
                                "routingConfiguration": Member("list", True, 1, 2)},
    "DeleteActivity": {"activityArn": ARN},
    "DeleteStateMachine": {"stateMachineArn": ARN},
    "DeleteStateMachineAlias": {"stateMachineAliasArn": ARN},
    "DeleteStateMachineVersion": {"stateMachineVersionArn": LONG_ARN},
    "DescribeActivity": {"activityArn": ARN},
    "DescribeExecution": {"executionArn": ARN, "includedData": INCLUDED},
    "DescribeMapRun": {"mapRunArn": LONG_ARN},
    "DescribeStateMachine": {"stateMachineArn": ARN, "includedData": INCLUDED},
    "DescribeStateMachineAlias": {"stateMachineAliasArn": ARN},
    "DescribeStateMachineForExecution": {"executionArn": ARN, "includedData": INCLUDED},
    "GetActivityTask": {"activityArn": ARN, "workerName": NAME},
    "GetExecutionHistory": {"executionArn": ARN, **PAGE, "reverseOrder": BOOL, "includeExecutionData": BOOL},
    "ListActivities": dict(PAGE),
    "ListExecutions": {"stateMachineArn": _s(1, 256),
                       "statusFilter": _s(enum="[SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"),
                       "maxResults": _i(0, 1000), "nextToken": _s(1, 3096), "mapRunArn": _s(1, 2000),
                       "redriveFilter": _s(enum="[REDRIVEN, NOT_REDRIVEN]")},
    "ListMapRuns": {"executionArn": ARN, **PAGE},
    "ListStateMachineAliases": {"stateMachineArn": ARN, **PAGE},
    "ListStateMachineVersions": {"stateMachineArn": ARN, **PAGE},
    "ListStateMachines": dict(PAGE),
    "ListTagsForResource": {"resourceArn": ARN},
    "PublishStateMachineVersion": {"stateMachineArn": ARN, "revisionId": _s(), "description": _s(None, 256)},
    "RedriveExecution": {"executionArn": ARN, "clientToken": _s(1, 64, pattern=r"[!-~]+")},
    "SendTaskFailure": {"taskToken": _s(1, 2048, True), "error": _s(0, 256), "cause": _s(0, 32768)},
    "SendTaskHeartbeat": {"taskToken": _s(1, 2048, True)},
    "SendTaskSuccess": {"taskToken": _s(1, 2048, True), "output": _s(None, 262144, True)},
    "StartExecution": {"stateMachineArn": ARN, "name": NAME, "input": DATA, "traceHeader": _s(0, 256)},
    "StartSyncExecution": {"stateMachineArn": ARN, "name": NAME, "input": DATA, "traceHeader": _s(0, 256),
                           "includedData": INCLUDED},
    "StopExecution": {"executionArn": ARN, "error": _s(0, 256), "cause": _s(0, 32768)},
    "TagResource": {"resourceArn": ARN, "tags": Member("list", True)},
    "TestState": {"definition": DEFINITION, "roleArn": _s(1, 256), "input": DATA,
                  "inspectionLevel": _s(enum="[INFO, DEBUG, TRACE]"), "revealSecrets": BOOL, "variables": DATA,
                  "stateName": NAME, "mock": STRUCT, "context": DATA, "stateConfiguration": STRUCT},
    "UntagResource": {"resourceArn": ARN, "tagKeys": Member("list", True)},
    "UpdateMapRun": {"mapRunArn": LONG_ARN, "maxConcurrency": _i(0), "toleratedFailurePercentage":
                     Member("float", False, 0, 100), "toleratedFailureCount": _i(0)},
    "UpdateStateMachine": {"stateMachineArn": ARN, "definition": _s(1, 1048576), "roleArn": _s(1, 256),
                           "loggingConfiguration": STRUCT, "tracingConfiguration": STRUCT, "publish": BOOL,
                           "versionDescription": _s(None, 256), "encryptionConfiguration": STRUCT},
    "UpdateStateMachineAlias": {"stateMachineAliasArn": ARN, "description": _s(None, 256),
                                "routingConfiguration": Member("list", False, 1, 2)},
    "ValidateStateMachineDefinition": {"definition": DEFINITION, "type": TYPE,
                                       "severity": _s(enum="[ERROR, WARNING]"), "maxResults": _i(0, 100)},
}

_JSON_TYPES = {"string": (str,), "integer": (int,), "boolean": (bool,), "list": (list,), "structure": (dict,),
               "float": (int, float)}
_PATTERNS: dict[str, re.Pattern] = {}


def check_input(operation: str, request: dict) -> None:
    """Raise AWS's error for the first wrong type, or every broken constraint, of an operation's input."""
    members = OPERATIONS.get(operation, {})
    problems = []
    for name, member in members.items():
        value = request.get(name)
        if value is None:
            if member.required:
                problems.append(f"Value null at '{name}' failed to satisfy constraint: Member must not be null")
            continue
        if not isinstance(value, _JSON_TYPES[member.kind]) or (member.kind != "boolean" and isinstance(value, bool)):
            raise serialization_error(member.kind, value)
        problems += [f"Value {_shown(value)} at '{name}' failed to satisfy constraint: {rule}"
                     for rule in _broken(member, value)]
    if problems:
        count = len(problems)
        raise validation(f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(problems))


def _shown(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return "'" + str(value) + "'"
    return f"'{value}'"


def _broken(member: Member, value: Any) -> list[str]:
    """The constraint sentences a value breaks, in AWS's order."""
    rules = []
    if member.kind in ("string", "list"):
        size = len(value)
        if member.max is not None and size > member.max:
            rules.append(f"Member must have length less than or equal to {int(member.max)}")
        if member.min is not None and size < member.min:
            rules.append(f"Member must have length greater than or equal to {int(member.min)}")
    elif member.kind in ("integer", "float"):
        if member.max is not None and value > member.max:
            rules.append(f"Member must have value less than or equal to {_number(member.max)}")
        if member.min is not None and value < member.min:
            rules.append(f"Member must have value greater than or equal to {_number(member.min)}")
    if member.pattern is not None and isinstance(value, str):
        pattern = _PATTERNS.get(member.pattern)
        if pattern is None:
            pattern = _PATTERNS[member.pattern] = re.compile(member.pattern)
        if not pattern.fullmatch(value):
            rules.append(f"Member must satisfy regular expression pattern: {member.pattern}")
    if member.enum is not None and value not in member.enum[1:-1].split(", "):
        rules.append(f"Member must satisfy enum value set: {member.enum}")
    return rules


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def serialization_error(kind: str, value: Any) -> ApiError:
    """AWS's SerializationException for a member of the wrong JSON type."""
    found = {str: "STRING_VALUE", bool: "BOOLEAN_VALUE", int: "NUMBER_VALUE", float: "NUMBER_VALUE",
             list: "START_ARRAY", dict: "START_OBJECT"}.get(type(value), "VALUE")
    if kind == "structure":
        message = f"{found} can not be converted to a Structure" if found != "START_ARRAY" else \
            "Start of list found where not expected"
    elif kind == "list":
        message = "Start of structure or map found where not expected." if found == "START_OBJECT" else \
            f"{found} can not be converted to a List"
    else:
        target = {"string": "String", "integer": "Integer", "boolean": "Boolean", "float": "Float"}[kind]
        message = ("Start of structure or map found where not expected." if found == "START_OBJECT"
                   else f"{found} can not be converted to {'an' if target == 'Integer' else 'a'} {target}")
    return ApiError("SerializationException", message, namespace=CORAL_SERVICE)

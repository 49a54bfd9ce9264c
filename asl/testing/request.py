"""A TestState request's members checked as AWS's JSON protocol checks them, before anything runs.

A member of the wrong JSON type is a SerializationException; members breaking the API model's
length, range or enum constraints are one ValidationException listing each ("2 validation errors
detected: ..."), nested members named by their dotted path (`stateConfiguration.retrierRetryCount`).
The wording is the service's (asl/service/shapes.py words the other operations the same way).
"""

from __future__ import annotations

from typing import Any

from ..errors import SfnError

__all__ = ["TestStateRefusal", "check_request"]

# member -> (JSON kind, min, max, enum); nested structures are dicts of the same.
_DATA = ("string", None, 262144, None)
_NAME = ("string", 1, 80, None)
_ERROR_OUTPUT = {"error": ("string", 0, 256, None), "cause": ("string", 0, 32768, None)}
_MOCK = {"result": _DATA, "errorOutput": _ERROR_OUTPUT,
         "fieldValidationMode": ("string", None, None, "[STRICT, PRESENT, NONE]")}
_CONFIGURATION = {"retrierRetryCount": ("integer", 0, None, None), "errorCausedByState": _NAME,
                  "mapIterationFailureCount": ("integer", 0, None, None), "mapItemReaderData": _DATA}
REQUEST = {"definition": ("string", 1, 1048576, None), "roleArn": ("string", 1, 256, None), "input": _DATA,
           "inspectionLevel": ("string", None, None, "[INFO, DEBUG, TRACE]"), "revealSecrets": ("boolean",),
           "variables": _DATA, "stateName": _NAME, "mock": _MOCK, "context": _DATA,
           "stateConfiguration": _CONFIGURATION}
_TYPES = {"string": str, "integer": int, "boolean": bool, "structure": dict}
_FOUND = {str: "STRING_VALUE", bool: "BOOLEAN_VALUE", int: "NUMBER_VALUE", float: "NUMBER_VALUE",
          list: "START_ARRAY", dict: "START_OBJECT"}


class TestStateRefusal(SfnError):
    """What AWS answers with HTTP 400: an error code and its message."""

    __test__ = False  # not a pytest class
    exit_code = 2

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self) -> dict:
        """`{"error": {"code", "message"}}`, as `sfn test-state` prints it."""
        return {"error": {"code": self.code, "message": self.message}}


def check_request(request: dict) -> None:
    """Raise AWS's refusal (TestStateRefusal) for a badly typed or constrained member, if any."""
    if request.get("definition") is None:
        problems = ["Value null at 'definition' failed to satisfy constraint: Member must not be null"]
    else:
        problems = []
    _check(REQUEST, request, "", problems)
    if problems:
        count = len(problems)
        raise TestStateRefusal("ValidationException",
                               f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(problems))


def _check(members: dict, given: dict, prefix: str, problems: list[str]) -> None:
    for name, spec in members.items():
        value = given.get(name)
        if value is None:
            continue
        kind = "structure" if isinstance(spec, dict) else spec[0]
        if not isinstance(value, _TYPES[kind]) or (kind != "boolean" and isinstance(value, bool)):
            _refuse_type(kind, value)
        if kind == "structure":
            _check(spec, value, f"{prefix}{name}.", problems)
            continue
        problems += [f"Value '{value}' at '{prefix}{name}' failed to satisfy constraint: {rule}"
                     for rule in _broken(spec, value)]


def _broken(spec: tuple, value: Any) -> list[str]:
    kind, low, high, enum = (spec + (None, None, None))[:4]
    size = len(value) if kind == "string" else value
    noun = "length" if kind == "string" else "value"
    rules = []
    if high is not None and size > high:
        rules.append(f"Member must have {noun} less than or equal to {high}")
    if low is not None and size < low:
        rules.append(f"Member must have {noun} greater than or equal to {low}")
    if enum is not None and value not in enum[1:-1].split(", "):
        rules.append(f"Member must satisfy enum value set: {enum}")
    return rules


def _refuse_type(kind: str, value: Any) -> None:
    """AWS's SerializationException for a member of the wrong JSON type."""
    found = _FOUND.get(type(value), "VALUE")
    if kind == "structure":
        message = "Start of list found where not expected" if found == "START_ARRAY" else \
            f"{found} can not be converted to a Structure"
    elif found == "START_OBJECT":
        message = "Start of structure or map found where not expected."
    else:
        target = {"string": "String", "integer": "Integer", "boolean": "Boolean"}[kind]
        message = f"{found} can not be converted to {'an' if target == 'Integer' else 'a'} {target}"
    raise TestStateRefusal("SerializationException", message)

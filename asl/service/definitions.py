"""Definitions as the API takes them: validated with AWS's InvalidDefinition wording, built once, and
the per-state `variableReferences` DescribeStateMachine reports."""

from __future__ import annotations

import re
import threading
from typing import Any, Iterator

from ..diagnostics import ERROR
from ..errors import SfnError
from ..loader import load_text
from .errors import ApiError

_INVALID = "Invalid State Machine Definition: '{}'"
_EXPRESS_SYNC = "Express state machine does not support '.sync' service integration at {}"
# AWS's message has two spaces before "at" here; kept as AWS sends it.
_EXPRESS_CALLBACK = "Express state machine does not support '.waitForTaskToken' service integration  at {}"
_EXPRESS_ACTIVITY = "Express state machine does not support Activity ARN at {}"
# A variable read in a path or intrinsic call ($name, not $. or $$ or $[), and in a JSONata expression.
_PATH_VARIABLE = re.compile(r"(?<![\w$])\$([A-Za-z_][A-Za-z0-9_]*)")
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'")
_JSONATA = re.compile(r"\{%(.*?)%\}", re.S)
_JSONATA_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_NOT_STATE_FIELDS = {"Type", "Comment", "Next", "End", "Default", "Resource", "QueryLanguage", "Result",
                     "Retry", "Label", "Branches", "ItemProcessor", "Iterator", "ResultPath", "ErrorEquals"}


def parse_definition(text: str, express: bool = False) -> dict:
    """The definition as data, or AWS's InvalidDefinition naming every error `sfn validate` finds."""
    from ..validate import validate

    try:
        document = load_text(text, "<definition>.json")
    except SfnError as exc:
        raise ApiError("InvalidDefinition", _INVALID.format(f"INVALID_JSON_DESCRIPTION: {_message(exc)}")) from None
    errors = [f"{d.code}: {d.message} at {d.pointer or '/'}" for d in validate(document, text)
              if d.severity == ERROR]
    if not errors and express:
        errors = [f"SCHEMA_VALIDATION_FAILED: {message}" for _, message in express_problems(document.data)]
    if errors:
        raise ApiError("InvalidDefinition", _INVALID.format(", ".join(errors)))
    return document.data


def _message(exc: SfnError) -> str:
    return getattr(exc, "message", None) or str(exc)


def express_problems(data: dict) -> Iterator[tuple[str, str]]:
    """(pointer, message) of what an Express workflow refuses (the guide: no .sync, callbacks, activities)."""
    for pointer, _, state in _states(data, ""):
        resource = state.get("Resource")
        if state.get("Type") != "Task" or not isinstance(resource, str):
            continue
        at = pointer + "/Resource"
        if resource.endswith(".waitForTaskToken"):
            yield at, _EXPRESS_CALLBACK.format(at)
        elif resource.endswith((".sync", ".sync:2")):
            yield at, _EXPRESS_SYNC.format(at)
        elif ":activity:" in resource:
            yield at, _EXPRESS_ACTIVITY.format(at)


def _states(machine: Any, pointer: str) -> Iterator[tuple[str, str, dict]]:
    """(pointer, name, state) of every state, in branches and item processors too."""
    states = machine.get("States") if isinstance(machine, dict) else None
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        here = f"{pointer}/States/{_escape(name)}"
        yield here, name, state
        for i, branch in enumerate(state.get("Branches") or []):
            yield from _states(branch, f"{here}/Branches/{i}")
        for field in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(field), dict):
                yield from _states(state[field], f"{here}/{field}")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def variable_references(data: dict) -> dict[str, list[str]]:
    """Per state, the workflow variables it reads (DescribeStateMachine's variableReferences)."""
    top = data.get("QueryLanguage", "JSONPath")
    found: dict[str, list[str]] = {}
    for _, name, state in _states(data, ""):
        jsonata = state.get("QueryLanguage", top) == "JSONata"
        names: set[str] = set()
        for field, value in state.items():
            if field not in _NOT_STATE_FIELDS:
                _collect(value, field, jsonata, names)
        if names:
            found[name] = sorted(names)
    return found


def _collect(value: Any, key: str, jsonata: bool, names: set[str]) -> None:
    """Variables read by one field's value (templates are walked: only `.$` members are evaluated)."""
    if isinstance(value, dict):
        for child_key, child in value.items():
            if child_key not in ("Next", "ErrorEquals", "ResultPath"):
                _collect(child, child_key, jsonata, names)
    elif isinstance(value, list):
        for item in value:
            _collect(item, key, jsonata, names)
    elif isinstance(value, str):
        if jsonata:
            for expression in _JSONATA.findall(value):
                names.update(n for n in re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_]|\s*\()",
                                                  _JSONATA_QUOTED.sub("", expression)) if n != "states")
        elif key.endswith((".$", "Path")) or key == "Variable":
            names.update(_PATH_VARIABLE.findall(_QUOTED.sub("", value)))


class Compiled:
    """Definitions built into machines once each (by text), shared by every execution of them."""

    def __init__(self) -> None:
        self._machines: dict[str, Any] = {}
        self._lock = threading.Lock()

    def machine(self, text: str) -> Any:
        """The built StateMachine of a definition text the API already validated."""
        with self._lock:
            found = self._machines.get(text)
        if found is None:
            from ..definition import compile_document

            found = compile_document(load_text(text, "<definition>.json"), False, text)
            with self._lock:
                self._machines[text] = found
        return found

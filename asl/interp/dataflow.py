"""The JSONPath data flow of a state: InputPath -> Parameters -> ResultSelector -> ResultPath -> OutputPath."""

from __future__ import annotations

import json
from typing import Any

from ..errors import STATES_DATA_LIMIT, StateEvaluationError, StatesError
from ..expr.jsonpath import PathNotFound, set_path
from ..expr.template import compact_json

PAYLOAD_LIMIT = 262_144  # bytes of UTF-8 JSON per state input, output or result


def select(path: Any, is_null: bool, value: Any, scope: Any) -> Any:
    """InputPath / OutputPath: `$` by default, `{}` for null, AWS's message when nothing matches."""
    if is_null:
        return {}
    if path is None:
        return value
    try:
        return scope.resolve(path, value)
    except PathNotFound:
        raise StateEvaluationError(f"Invalid path '{path.text}' : {missing_reason(path, value)}") from None


def missing_reason(path: Any, doc: Any) -> str:
    """Jayway's words: a missing leaf has "No results", a missing step on the way "Missing property"."""
    steps = path.steps
    if path.root == "$" and steps:
        node = doc
        for i, step in enumerate(steps[:-1]):
            if isinstance(step, str):
                found = node.get(step, _MISSING) if isinstance(node, dict) else _MISSING
            else:
                found = node[step] if isinstance(node, list) and -len(node) <= step < len(node) else _MISSING
            if found is _MISSING:
                return f"Missing property in path {path.bracket_form(i + 1)}"
            node = found
    return f"No results for path: {path.bracket_form()}"


_MISSING = object()


def path_value(path: Any, doc: Any, scope: Any, field: str) -> Any:
    """A `...Path` field's value; AWS's message when it selects nothing."""
    try:
        return scope.resolve(path, doc)
    except PathNotFound:
        raise StateEvaluationError(f"The {field} does not reference an input value: {path.text}") from None


def apply_template(template: Any, doc: Any, scope: Any) -> Any:
    """Parameters / ResultSelector / ItemSelector over doc."""
    if template is None:
        return doc
    return template.evaluate(scope.resolver(doc), doc)


def place_result(state: Any, raw_input: Any, result: Any) -> Any:
    """ResultPath: replace the input, drop the result (null) or merge it into the input."""
    if state.result_path_null:
        return raw_input
    path = state.result_path
    if path is None:
        return result
    try:
        return set_path(raw_input, path, result)
    except PathNotFound:
        raise StateEvaluationError(
            f"Invalid path '{path.text}' : Unable to apply ResultPath to the input "
            f"'{compact_json(raw_input)}'") from None


def json_size(value: Any) -> int:
    """Bytes of a value as compact UTF-8 JSON: what AWS's size limits count."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def check_size(value: Any, state_name: str) -> None:
    """States.DataLimitExceeded when a result is over 256 KiB as UTF-8 JSON."""
    if isinstance(value, (dict, list, str)):
        if json_size(value) > PAYLOAD_LIMIT:
            raise StatesError(
                STATES_DATA_LIMIT,
                f"The state/task '{state_name}' returned a result with a size exceeding the maximum "
                f"number of bytes service limit.")

"""Fields whose result must be of one JSON type (a Choice `Condition`, Map `Items`, Wait `Seconds`,
...), failing with AWS's "unexpected result type" / "unexpected value" causes."""

from __future__ import annotations

from typing import Any, Mapping

from .errors import QueryEvaluationError, subject
from .templates import NO_VARIABLES, JsonataField, compile_template
from .values import compact, type_name


def _unexpected_type(tmpl: JsonataField, field: str, expected: str, value: Any) -> QueryEvaluationError:
    return QueryEvaluationError(
        f"{subject(tmpl.text, field)} returned an unexpected result type. Expected '{expected}', "
        f"but was '{type_name(value)}' for value: {compact(value)}", field)


def _evaluated(tmpl: Any, states: Mapping[str, Any], variables: Mapping[str, Any],
               field: str | None) -> tuple[JsonataField, str, Any]:
    if not isinstance(tmpl, JsonataField):
        tmpl = compile_template(tmpl, field or "Value")
    return tmpl, field or tmpl.field, tmpl.evaluate(states, variables)


def evaluate_condition(tmpl: Any, states: Mapping[str, Any], variables: Mapping[str, Any] = NO_VARIABLES,
                       field: str | None = None) -> bool:
    """A Choice rule's `Condition`: the expression must return a boolean."""
    tmpl, field, value = _evaluated(tmpl, states, variables, field)
    if not isinstance(value, bool):
        raise _unexpected_type(tmpl, field, "boolean", value)
    return value


def evaluate_array(tmpl: Any, states: Mapping[str, Any], variables: Mapping[str, Any] = NO_VARIABLES,
                   field: str | None = None) -> list:
    """A field that must be an array (Map `Items`)."""
    tmpl, field, value = _evaluated(tmpl, states, variables, field)
    if not isinstance(value, list):
        raise _unexpected_type(tmpl, field, "array", value)
    return value


def evaluate_string(tmpl: Any, states: Mapping[str, Any], variables: Mapping[str, Any] = NO_VARIABLES,
                    field: str | None = None) -> str:
    """A field that must be a string (Fail `Error` / `Cause`, Wait `Timestamp`)."""
    tmpl, field, value = _evaluated(tmpl, states, variables, field)
    if not isinstance(value, str):
        raise _unexpected_type(tmpl, field, "string", value)
    return value


def evaluate_number(tmpl: Any, states: Mapping[str, Any], variables: Mapping[str, Any] = NO_VARIABLES,
                    field: str | None = None, *, minimum: float | None = None,
                    maximum: float | None = None) -> int | float:
    """A numeric field (ToleratedFailurePercentage), optionally within [minimum, maximum]."""
    tmpl, field, value = _evaluated(tmpl, states, variables, field)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _unexpected_type(tmpl, field, "number", value)
    _check_range(tmpl, field, value, minimum, maximum)
    return value


def evaluate_int(tmpl: Any, states: Mapping[str, Any], variables: Mapping[str, Any] = NO_VARIABLES,
                 field: str | None = None, *, minimum: int | None = 0,
                 maximum: int | None = None) -> int:
    """An integer field (Seconds, TimeoutSeconds, MaxConcurrency, ...), by default non-negative."""
    tmpl, field, value = _evaluated(tmpl, states, variables, field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _unexpected_type(tmpl, field, "integer", value)
    _check_range(tmpl, field, value, minimum, maximum)
    return value


def _check_range(tmpl: JsonataField, field: str, value: float, minimum: float | None,
                 maximum: float | None) -> None:
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = (f"between {minimum} and {maximum}" if minimum is not None and maximum is not None
                  else f"at least {minimum}" if minimum is not None else f"at most {maximum}")
        raise QueryEvaluationError(
            f"{subject(tmpl.text, field)} returned an unexpected value. Expected a value {bounds}, "
            f"but was: {compact(value)}", field)

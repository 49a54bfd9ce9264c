"""Choice rules, Retry and Task resources as short text for edge labels and badges."""

from __future__ import annotations

import json
import re
from typing import Any

MAX_LABEL = 60

_COMPARISONS = {"Equals": "==", "LessThan": "<", "GreaterThan": ">", "LessThanEquals": "<=",
                "GreaterThanEquals": ">="}
_TYPE_TESTS = {"IsNull": "null", "IsPresent": "present", "IsNumeric": "numeric", "IsString": "a string",
               "IsBoolean": "a boolean", "IsTimestamp": "a timestamp"}
_KINDS = ("String", "Numeric", "Boolean", "Timestamp")
_JSONATA = re.compile(r"^\s*\{%(.*)%\}\s*$", re.S)


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def condition_text(rule: Any) -> str:
    """A Choice rule's condition as short text: `$.x == 'EUR' or $.y < 3`, or the JSONata expression."""
    return shorten(_condition(rule, top=True))


def _condition(rule: Any, top: bool = False) -> str:
    if not isinstance(rule, dict):
        return "?"
    if "Condition" in rule:
        return jsonata_text(rule["Condition"])
    for word in ("And", "Or"):
        if isinstance(rule.get(word), list):
            text = f" {word.lower()} ".join(_condition(r) for r in rule[word])
            return text if top else f"({text})"
    if "Not" in rule:
        return f"not {_condition(rule['Not'])}"
    variable = rule.get("Variable", "?")
    for key, operand in rule.items():
        if key in ("Variable", "Next", "Comment", "Assign", "Output"):
            continue
        return _comparison(str(variable), key, operand)
    return str(variable)


def _comparison(variable: str, operator: str, operand: Any) -> str:
    if operator in _TYPE_TESTS:
        return f"{variable} is {'' if operand is True else 'not '}{_TYPE_TESTS[operator]}"
    if operator == "StringMatches":
        return f"{variable} matches {_value(operand)}"
    by_path = operator.endswith("Path")
    base = operator[:-4] if by_path else operator
    kind = next((k for k in _KINDS if base.startswith(k)), None)
    symbol = _COMPARISONS.get(base[len(kind):]) if kind else None
    if symbol is None:
        return f"{variable} {operator} {_value(operand)}"
    return f"{variable} {symbol} {operand if by_path else _value(operand)}"


def _value(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value + "'"
    return json.dumps(value)


def jsonata_text(value: Any) -> str:
    """A JSONata `{% expression %}` without its delimiters (anything else as JSON)."""
    if isinstance(value, str):
        m = _JSONATA.match(value)
        return m.group(1).strip() if m else value
    return json.dumps(value)


def retry_text(retrier: Any) -> str:
    """One Retry entry: `PaymentGatewayBusy ×3 (2s, backoff 2)`."""
    if not isinstance(retrier, dict):
        return "?"
    errors = ", ".join(str(e) for e in retrier.get("ErrorEquals", []) or [])
    attempts = retrier.get("MaxAttempts", 3)
    parts = [f"{retrier.get('IntervalSeconds', 1)}s"]
    if retrier.get("BackoffRate", 2.0) != 1:
        parts.append(f"backoff {retrier.get('BackoffRate', 2.0)}")
    if "MaxDelaySeconds" in retrier:
        parts.append(f"max {retrier['MaxDelaySeconds']}s")
    if retrier.get("JitterStrategy") == "FULL":
        parts.append("jitter")
    return f"{errors} ×{attempts} ({', '.join(parts)})"


def resource_text(resource: Any) -> str:
    """A Task resource, short: `λ ValidateOrder`, `lambda:invoke`, `sqs:sendMessage`, `activity Approve`."""
    if not isinstance(resource, str) or not resource.startswith("arn:"):
        return jsonata_text(resource)
    parts = resource.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return "λ " + parts[6]
    if len(parts) >= 7 and parts[5] == "activity":
        return "activity " + parts[6]
    if len(parts) >= 6 and parts[2] == "states" and parts[3:5] == ["", ""]:
        return ":".join(parts[5:])
    return resource

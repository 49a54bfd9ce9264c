"""SNS subscription filter policies: matching a message, and checking a policy as SNS would when it is set."""

from __future__ import annotations

import json
import math
from typing import Any

from ..source import pointer


def accepts(policy: dict | None, scope: str, body: str, attributes: dict) -> bool:
    """Whether a subscription's filter policy lets a message through (no policy: every message)."""
    if not policy:
        return True
    if scope == "MessageBody":
        try:
            payload = json.loads(body)
        except ValueError:
            return False
        return isinstance(payload, dict) and policy_matches(policy, payload)
    values = {}
    for name, attr in attributes.items():
        value = attr.get("StringValue")
        data_type = str(attr.get("DataType", ""))
        if data_type.startswith("Number"):
            try:
                value = float(value)
            except (TypeError, ValueError):
                pass
        elif data_type.startswith("String.Array"):
            try:
                value = json.loads(value)
            except (TypeError, ValueError, RecursionError):  # not an array: matched as the text it is
                pass
        values[name] = value
    return policy_matches(policy, values)


_MISSING = object()


def policy_matches(policy: dict, payload: dict) -> bool:
    """Whether an SNS filter policy accepts a message (attributes, or a JSON body with nested keys)."""
    for key, rule in policy.items():
        if key == "$or":
            if not any(policy_matches(p, payload) for p in rule):
                return False
            continue
        value = payload.get(key, _MISSING) if isinstance(payload, dict) else _MISSING
        if isinstance(rule, dict):   # nested keys (MessageBody scope)
            if not isinstance(value, dict) or not policy_matches(rule, value):
                return False
            continue
        conditions = rule if isinstance(rule, list) else [rule]
        if not any(_condition(c, value) for c in conditions):
            return False
    return True


def _condition(condition: Any, value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    if not isinstance(condition, dict):
        return value is not _MISSING and any(_equal(condition, v) for v in values)
    if len(condition) != 1:
        return False
    op, arg = next(iter(condition.items()))
    if op == "exists":
        return (value is not _MISSING) == bool(arg)
    if value is _MISSING:
        return False
    if op == "prefix":
        return any(isinstance(v, str) and v.startswith(arg) for v in values)
    if op == "suffix":
        return any(isinstance(v, str) and v.endswith(arg) for v in values)
    if op == "equals-ignore-case":
        return any(isinstance(v, str) and v.lower() == str(arg).lower() for v in values)
    if op == "anything-but":
        if isinstance(arg, dict):
            return not any(_condition(arg, v) for v in values)
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(_equal(e, v) for e in excluded for v in values)
    if op == "numeric":
        return any(_numeric(arg, v) for v in values)
    return False


def _equal(expected: Any, value: Any) -> bool:
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        try:
            return float(value) == float(expected)
        except (TypeError, ValueError):
            return False
    return expected == value


def _numeric(ops: list, value: Any) -> bool:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    checks = {"=": number.__eq__, "<": number.__lt__, "<=": number.__le__, ">": number.__gt__, ">=": number.__ge__}
    try:
        return all(checks[ops[i]](float(ops[i + 1])) for i in range(0, len(ops) - 1, 2))
    except (KeyError, TypeError, ValueError):  # a policy built in Python, not checked by filter_policy_problem
        return False


_STRING_OPERATORS = ("prefix", "suffix", "equals-ignore-case")
_OPERATORS = ("anything-but", "equals-ignore-case", "exists", "numeric", "prefix", "suffix")
_LOWER, _UPPER = (">", ">="), ("<", "<=")


def filter_policy_problem(policy: Any, scope: str = "MessageAttributes") -> tuple[str, str] | None:
    """What SNS would refuse in a filter policy (or what sfn cannot evaluate): (JSON pointer, message), or None."""
    try:
        _check_policy(policy, scope, ())
    except _PolicyProblem as problem:
        return pointer(*problem.where), problem.message
    except RecursionError:
        return "", "a filter policy nested too deeply"
    return None


class _PolicyProblem(Exception):
    """Where in a filter policy (JSON pointer tokens) the first problem is, and what it is."""

    def __init__(self, where: tuple, message: str) -> None:
        super().__init__(message)
        self.where, self.message = where, message


def _check_policy(policy: Any, scope: str, where: tuple) -> None:
    if not isinstance(policy, dict):
        raise _PolicyProblem(where, "a filter policy must be a mapping of keys to lists of conditions")
    for key, rule in policy.items():
        at = (*where, key)
        if key == "$or":
            if not isinstance(rule, list) or not rule:
                raise _PolicyProblem(at, "'$or' takes a list of filter policies")
            for i, alternative in enumerate(rule):
                _check_policy(alternative, scope, (*at, i))
        elif isinstance(rule, dict):
            if scope != "MessageBody":
                raise _PolicyProblem(at, f"nested keys under '{key}' need filter_policy_scope: MessageBody "
                                         f"(message attributes are not nested)")
            if not rule:
                raise _PolicyProblem(at, f"'{key}' has no keys under it")
            _check_policy(rule, scope, at)
        elif isinstance(rule, list):
            if not rule:
                raise _PolicyProblem(at, f"'{key}' has an empty list of conditions (it would match nothing)")
            for i, condition in enumerate(rule):
                _check_condition(condition, (*at, i))
        else:
            raise _PolicyProblem(at, f"the value of '{key}' must be a list of conditions, such as "
                                     f"[{show_json(rule)}]")


def show_json(value: Any) -> str:
    """A value as JSON text for a message (repr when it is not JSON)."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_condition(condition: Any, where: tuple) -> None:
    if condition is None or isinstance(condition, (str, bool)) or _is_number(condition):
        return  # an exact value
    if not isinstance(condition, dict):
        raise _PolicyProblem(where, "a condition is a string, a number, true, false, null or an "
                                    "{operator: value} mapping")
    if len(condition) != 1:
        raise _PolicyProblem(where, f"a condition mapping holds exactly one operator (got {len(condition)})")
    op, arg = next(iter(condition.items()))
    at = (*where, op)
    if op in _STRING_OPERATORS:
        if not isinstance(arg, str):
            raise _PolicyProblem(at, f"'{op}' takes a string")
    elif op == "exists":
        if not isinstance(arg, bool):
            raise _PolicyProblem(at, "'exists' takes true or false")
    elif op == "numeric":
        _check_numeric(arg, at)
    elif op == "anything-but":
        if isinstance(arg, dict):
            inner = next(iter(arg), None)
            if len(arg) != 1 or inner not in _STRING_OPERATORS or not isinstance(arg[inner], str):
                raise _PolicyProblem(at, "'anything-but' takes a value, a list of values, or one of "
                                         "{prefix: STRING}, {suffix: STRING}, {equals-ignore-case: STRING}")
        elif isinstance(arg, list):
            if not arg:
                raise _PolicyProblem(at, "'anything-but' has an empty list")
            for i, value in enumerate(arg):
                if not (isinstance(value, str) or _is_number(value)):
                    raise _PolicyProblem((*at, i), "'anything-but' lists strings or numbers")
        elif not (isinstance(arg, str) or _is_number(arg)):
            raise _PolicyProblem(at, "'anything-but' takes a string, a number or a list of them")
    else:
        raise _PolicyProblem(at, f"unsupported filter operator '{op}' (sfn evaluates: {', '.join(_OPERATORS)})")


def _check_numeric(ops: Any, at: tuple) -> None:
    shape = "'numeric' takes [OPERATOR, NUMBER] or a range [\">\"|\">=\", NUMBER, \"<\"|\"<=\", NUMBER]"
    if not isinstance(ops, list) or len(ops) not in (2, 4):
        raise _PolicyProblem(at, shape)
    for i in range(0, len(ops), 2):
        if not _is_number(ops[i + 1]):
            raise _PolicyProblem((*at, i + 1), f"'numeric' compares with numbers (got {show_json(ops[i + 1])})")
    allowed = [("=", *_LOWER, *_UPPER)] if len(ops) == 2 else [_LOWER, _UPPER]
    for i, operators in zip(range(0, len(ops), 2), allowed):
        if ops[i] not in operators:
            raise _PolicyProblem((*at, i), f"{shape} (got {show_json(ops[i])})")

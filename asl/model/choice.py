"""Choice rules compiled into predicates over an evaluation scope (parse once, test many)."""

from __future__ import annotations

import datetime
import re
from typing import Any, Callable

from ..errors import StateEvaluationError
from ..expr.jsonpath import Path, PathNotFound

Predicate = Callable[[Any], bool]

_TIMESTAMP = r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|z|[+-]\d{2}:\d{2})$"


def parse_timestamp(value: Any) -> datetime.datetime | None:
    """An RFC 3339 timestamp as Step Functions accepts it, or None."""
    if type(value) is not str:
        return None
    m = re.match(_TIMESTAMP, value)
    if m is None:
        return None
    date, time, fraction, zone = m.groups()
    fraction = (fraction or ".0")[:7]
    zone = "+00:00" if zone in ("Z", "z") else zone
    try:
        return datetime.datetime.fromisoformat(f"{date}T{time}{fraction}{zone}")
    except ValueError:
        return None


def _is_number(v: Any) -> bool:
    return (type(v) is int or type(v) is float)


def _is_string(v: Any) -> bool:
    return type(v) is str


def _is_bool(v: Any) -> bool:
    return type(v) is bool


def _string_matches(pattern: str) -> Callable[[str], bool]:
    # `*` is a wildcard; `\*` and `\\` are literal.
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else re.escape(ch))
        i += 1
    regex = re.compile("".join(out), re.S)
    return lambda s: regex.fullmatch(s) is not None


_COMPARE = {
    "Equals": lambda a, b: a == b,
    "LessThan": lambda a, b: a < b,
    "GreaterThan": lambda a, b: a > b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThanEquals": lambda a, b: a >= b,
}
# operator prefix -> (type check, conversion)
_KINDS = {
    "String": (_is_string, lambda v: v),
    "Numeric": (_is_number, lambda v: v),
    "Boolean": (_is_bool, lambda v: v),
    "Timestamp": (lambda v: parse_timestamp(v) is not None, parse_timestamp),
}

COMPARISON_OPERATORS = tuple(
    f"{kind}{cmp}" for kind in ("String", "Numeric", "Timestamp") for cmp in _COMPARE
) + ("BooleanEquals",)
TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
ALL_OPERATORS = COMPARISON_OPERATORS + tuple(op + "Path" for op in COMPARISON_OPERATORS) + \
    TYPE_TESTS + ("StringMatches",)


def _variable(scope: Any, path: Path) -> Any:
    try:
        return scope.resolve(path)
    except PathNotFound:
        raise _invalid(path) from None


def _invalid(path: Path) -> StateEvaluationError:
    return StateEvaluationError(
        f"Invalid path '{path.text}': The choice state's condition path references an invalid value.")


def _reader(path: Path) -> Callable[[Any], Any]:
    """The value `path` selects in a bound scope: a `$` path reads the scope's document itself."""
    if path.root != "$":
        return lambda scope: _variable(scope, path)
    find = path.find

    def read(scope: Any) -> Any:
        try:
            return find(scope.doc)
        except PathNotFound:
            raise _invalid(path) from None
    return read


def comparison(variable: Path, operator: str, operand: Any) -> Predicate:
    """A data-test rule: `Variable` compared by `operator` with a value or (…Path) a path."""
    if operator in TYPE_TESTS:
        return _type_test(variable, operator, operand)
    read = _reader(variable)
    if operator == "StringMatches":
        matches = _string_matches(operand)
        return lambda scope: (lambda v: type(v) is str and matches(v))(read(scope))
    by_path = operator.endswith("Path")
    base = operator[:-4] if by_path else operator
    kind = next(k for k in _KINDS if base.startswith(k))
    check, convert = _KINDS[kind]
    compare = _COMPARE[base[len(kind):]]

    if by_path:
        read_other = _reader(operand)

        def test(scope: Any) -> bool:
            value = read(scope)
            other = read_other(scope)
            return check(value) and check(other) and compare(convert(value), convert(other))
        return test
    converted = convert(operand) if check(operand) else None

    def test_value(scope: Any) -> bool:
        value = read(scope)
        return check(value) and compare(convert(value), converted)
    return test_value


def _type_test(variable: Path, operator: str, expected: bool) -> Predicate:
    if operator == "IsPresent":
        def present(scope: Any) -> bool:
            try:
                value = scope.resolve(variable)
            except PathNotFound:
                return not expected
            if not variable.definite and value == []:
                return not expected
            return expected
        return present
    check = {
        "IsNull": lambda v: v is None,
        "IsNumeric": _is_number,
        "IsString": _is_string,
        "IsBoolean": _is_bool,
        "IsTimestamp": lambda v: parse_timestamp(v) is not None,
    }[operator]

    def test(scope: Any) -> bool:
        try:
            value = scope.resolve(variable)
        except PathNotFound:
            return False
        return check(value) == expected
    return test


def all_of(rules: list[Predicate]) -> Predicate:
    """And."""
    return lambda scope: all(rule(scope) for rule in rules)


def any_of(rules: list[Predicate]) -> Predicate:
    """Or."""
    return lambda scope: any(rule(scope) for rule in rules)


def negate(rule: Predicate) -> Predicate:
    """Not."""
    return lambda scope: not rule(scope)

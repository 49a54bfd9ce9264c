"""The errors of JSONata fields, and jsonata's failures worded as AWS (after jsonata-js) words them."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from jsonata import JException

from ...errors import SfnError, StateEvaluationError
from .values import Unsupported, is_function, plain

STATES_QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"


class JsonataSyntaxError(SfnError):
    """An expression of the definition that does not parse (caught when the template compiles)."""

    def __init__(self, message: str, field: str, expression: str = "", code: str | None = None,
                 position: int | None = None) -> None:
        self.message = message
        self.field = field
        self.expression = expression
        self.code = code
        self.position = position
        super().__init__(f"{subject(expression, field)} is invalid: {message}")


class QueryEvaluationError(StateEvaluationError):
    """States.QueryEvaluationError; `location` is the field path the EvaluationFailed event names."""

    def __init__(self, cause: str, location: str) -> None:
        super().__init__(cause, STATES_QUERY_EVALUATION_ERROR)
        self.location = location


class CodedError(JException):
    """An error of Step Functions' own functions, carrying AWS's code and sentence verbatim."""

    def __init__(self, code: str, sentence: str) -> None:
        RuntimeError.__init__(self, sentence)   # JException's own init formats from its catalog
        self.error, self.sentence = code, sentence
        self.location, self.current, self.expected, self.extra = -1, None, None, None
        self.type, self.remaining = None, None


class BoundExceeded(JException):
    """An evaluation bound tripped. A JException, so jsonata's `and`/`or` re-raise it untouched;
    AWS writes these messages without a code, after a colon."""

    def __init__(self, message: str) -> None:
        super().__init__(message, -1)
        self.bound_message = message


STACK_OVERFLOW = ("Stack overflow error: Check for non-terminating recursive function. "
                  "Consider rewriting as tail-recursive.")
TIMEOUT = "Expression evaluation timeout: Check for infinite loop"
MEMORY = "Expression evaluation memory limit exceeded: Check for excessive memory usage"

# jsonata-python's catalog is jsonata-js's with "function" replaced by "Object"; AWS prints the
# jsonata-js sentences, so the word is restored here once.
_CATALOG = {code: re.sub(r"\bObject\b", "function", text) for code, text in JException.error_codes.items()}
# A few library sites raise with the sentence in the code slot; jsonata-js gives these codes.
_CODE_OF_SENTENCE = {
    "Second argument of replace function cannot be an empty string": "D3010",
    "Fourth argument of replace function must evaluate to a positive number": "D3011",
}
# T0412 names the element type the signature wanted, as jsonata-js does.
_ARRAY_OF = {"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects",
             "s": "strings"}
_PLACEHOLDER = re.compile(r"\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}")


def _js_json(value: Any) -> str:
    """JSON.stringify as jsonata-js inserts a `{{value}}` into a message (undefined stays bare)."""
    if value is None or is_function(value):
        return "undefined"
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    try:
        return json.dumps(plain(value), separators=(",", ":"), ensure_ascii=False)
    except (Unsupported, TypeError, ValueError):
        return str(value)


def _render(code: str, args: list[Any]) -> str:
    """A catalog sentence with its placeholders filled from the exception's values, in order."""
    template = _CATALOG[code]
    values = iter(args)

    def fill(match: re.Match) -> str:
        value = next(values, None)
        if match.group(1):          # {{{x}}}: inserted raw
            return "undefined" if value is None else str(value)
        return _js_json(value)

    return _PLACEHOLDER.sub(fill, template)


_CALLED_FUNCTION = re.compile(r"\$([A-Za-z_]\w*)\s*\($")


def describe(err: JException, expression: str = "") -> tuple[str | None, str]:
    """(code, sentence) of a jsonata error, worded as jsonata-js (and so AWS) words it."""
    if isinstance(err, CodedError):
        return err.error, err.sentence
    code = err.error
    args = [err.current, err.expected, err.extra]
    if code in _CODE_OF_SENTENCE:
        return _CODE_OF_SENTENCE[code], code
    if code not in _CATALOG:
        return None, str(code)
    if code == "T0412":
        args[2] = _ARRAY_OF.get(err.extra, err.extra)
    elif code == "T0410" and not isinstance(err.current, int):
        # Raised inside a function without the argument index (a null argument, nearly always
        # the first); the function's name is the call the error position points into.
        name = err.current
        if name is None and isinstance(err.location, int) and err.location > 0:
            called = _CALLED_FUNCTION.search(expression[:err.location])
            name = called.group(1) if called else None
        args = [1, name]
    return code, _render(code, args)


def subject(expression: str, field: str) -> str:
    """The opening of every AWS cause about an expression."""
    return f"The JSONata expression '{expression}' specified for the field '{field}'"


def error_cause(exc: BaseException, expression: str, field: str) -> str:
    """AWS's cause for an expression whose evaluation raised `exc`."""
    opening = subject(expression, field)
    if isinstance(exc, BoundExceeded):
        return f"{opening} threw an error during evaluation: {exc.bound_message}"
    if isinstance(exc, RecursionError):
        return f"{opening} threw an error during evaluation: {STACK_OVERFLOW}"
    if isinstance(exc, JException):
        code, sentence = describe(exc, expression)
        if code is None:
            return f"{opening} threw an error during evaluation: {sentence}"
        return f"{opening} threw an error during evaluation. {code}: {sentence}"
    # A defect of the library rather than of the expression; AWS reports its own as "internal".
    return f"{opening} threw an internal error during evaluation. {type(exc).__name__}: {exc}"

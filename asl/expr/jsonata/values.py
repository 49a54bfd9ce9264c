"""jsonata-python results as plain JSON values, and the JSON names AWS's messages use for them."""

from __future__ import annotations

import json
import math
from typing import Any

from jsonata import Functions
from jsonata.utils import Utils

NULL = Utils.NULL_VALUE         # jsonata-python's JSON null; Python None is JSONata's undefined


class Unsupported(Exception):
    """A result JSON cannot hold (a function, a regex)."""


def is_function(value: Any) -> bool:
    """Whether a jsonata value is a function or a regex (neither is JSON)."""
    return Utils.is_function(value) or Functions.is_lambda(value) or Functions.is_regex(value)


def _plain_float(value: float) -> Any:
    if value != value:
        return "NaN"                 # JSON has no non-finite numbers; AWS writes JavaScript's names
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and -1e21 < value < 1e21:
        return int(value)            # AWS prints 3, not 3.0 (JavaScript numbers)
    return value


def plain(value: Any) -> Any:
    """The JSON value behind a jsonata result: sequences to lists, JSON null to None, integral
    floats to ints. Unchanged containers are returned as they are (no copy)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return value
    if kind is float:
        return _plain_float(value)
    if value is None or value is NULL:
        return None
    if kind is dict:
        copy = None
        for key, item in value.items():
            item_plain = plain(item)
            if item_plain is not item:
                if copy is None:
                    copy = dict(value)
                copy[key] = item_plain
        return value if copy is None else copy
    if kind is list:
        copy = None
        for index, item in enumerate(value):
            item_plain = plain(item)
            if item_plain is not item:
                if copy is None:
                    copy = list(value)
                copy[index] = item_plain
        return value if copy is None else copy
    if isinstance(value, Utils.RangeList):       # its __iter__ stops one short: index it
        return [value[i] for i in range(len(value))]
    if isinstance(value, list):                  # jsonata sequences (JList)
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (int, float)):          # numeric subclasses (not bool: handled above)
        return _plain_float(float(value)) if isinstance(value, float) else int(value)
    raise Unsupported(type(value).__name__)


def type_name(value: Any) -> str:
    """The JSON type name AWS uses in its messages ('null', 'boolean', 'number', ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def compact(value: Any) -> str:
    """A JSON value as AWS quotes it in a message: no spaces, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

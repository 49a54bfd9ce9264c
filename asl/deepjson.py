"""JSON text of values nested deeper than recursion allows: encoded and decoded with a stack of their own.

The json module recurses once per level (in C, counted against `sys.getrecursionlimit()`), so
whether a 2,000-deep value could be written or read back would depend on what else the process
has done to that limit (jsonata raises it). These coders give the same text and values at any
depth; callers use them past a depth, or when json gives up, so shallow values keep json's speed.
"""

from __future__ import annotations

import json
import math
import re
from json.decoder import scanstring
from typing import Any

# Levels a recursive coder may go down before handing the rest to these (far below any limit).
DEPTH = 100

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
# Members of a dict / list that orjson may not write for json's text: nested containers (walked by
# the callers) and floats (orjson writes NaN and the infinities as null, and 1e-07 as 1e-7).
NOT_FLAT = frozenset((dict, list, float))
CONTAINERS = frozenset((dict, list))
_SPACE = r"[ \t\n\r]*"
_NUMBER = r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?"
_LITERALS = {"true": True, "false": False, "null": None}


def finite_float(text: str) -> float:
    """json's parse_float that refuses a number past a double's range (1e400), which would parse as an
    infinity no JSON text can hold (~0.25 us a float literal; nothing for a text without one)."""
    value = float(text)
    if value in _INFINITIES:
        raise ValueError(f"the number {text} is out of range")
    return value


_INFINITIES = (math.inf, -math.inf)


def dumps(value: Any) -> str:
    """Compact JSON text (separators "," and ":", not ASCII-escaped), as json gives it, at any depth."""
    try:
        return _ENCODER.encode(value)
    except RecursionError:
        return _stacked(value)


def _stacked(value: Any) -> str:
    """json's compact text, built without recursion."""
    out: list[str] = []
    stack: list[tuple[bool, Any]] = [(False, value)]  # (is text to copy, item)
    while stack:
        is_text, item = stack.pop()
        if is_text:
            out.append(item)
        elif isinstance(item, dict) and item:
            out.append("{")
            stack.append((True, "}"))
            entries = list(item.items())
            for index in range(len(entries) - 1, -1, -1):
                key, member = entries[index]
                stack.append((False, member))
                stack.append((True, ("," if index else "") + _ENCODER.encode(key) + ":"))
        elif isinstance(item, (list, tuple)) and item:
            out.append("[")
            stack.append((True, "]"))
            for index in range(len(item) - 1, -1, -1):
                stack.append((False, item[index]))
                if index:
                    stack.append((True, ","))
        else:
            out.append(_ENCODER.encode(item))
    return "".join(out)


def loads(text: str) -> Any:
    """A JSON value from text at any depth (json.loads, and this module's own parser past its reach)."""
    try:
        return json.loads(text)
    except RecursionError:
        return _parse(text)


def _parse(text: str) -> Any:
    """json.loads without recursion: containers being filled are kept on a list; ValueError if malformed."""
    stack: list[tuple[Any, Any]] = []  # (dict or list being filled, the key the next value goes to)
    space = re.compile(_SPACE).match
    pos = space(text, 0).end()
    while True:
        # One value starts at pos: a container opens (and its first member follows), or a scalar ends here.
        char = text[pos:pos + 1]
        if char in ("{", "["):
            container: Any = {} if char == "{" else []
            pos = space(text, pos + 1).end()
            if text[pos:pos + 1] != ("}" if char == "{" else "]"):
                key = None
                if char == "{":
                    key, pos = _key(text, pos)
                stack.append((container, key))
                continue
            value, pos = container, pos + 1
        elif char == '"':
            value, pos = scanstring(text, pos + 1)
        else:
            value, pos = _scalar(text, pos)
        # Put the value in its container; a container that closes is itself a value for the one above.
        while True:
            pos = space(text, pos).end()
            if not stack:
                if pos != len(text):
                    raise ValueError(f"extra data at character {pos}")
                return value
            container, key = stack[-1]
            if key is None:
                container.append(value)
            else:
                container[key] = value
            char = text[pos:pos + 1]
            if char == ",":
                pos = space(text, pos + 1).end()
                if key is not None:
                    key, pos = _key(text, pos)
                    stack[-1] = (container, key)
                break
            if char != ("]" if key is None else "}"):
                raise ValueError(f"expected ',' or the end of a container at character {pos}")
            stack.pop()
            value, pos = container, pos + 1


def _key(text: str, pos: int) -> tuple[str, int]:
    """An object's member name and the position after its colon."""
    if text[pos:pos + 1] != '"':
        raise ValueError(f"expected a property name at character {pos}")
    key, pos = scanstring(text, pos + 1)
    space = re.compile(_SPACE).match
    pos = space(text, pos).end()
    if text[pos:pos + 1] != ":":
        raise ValueError(f"expected ':' at character {pos}")
    return key, space(text, pos + 1).end()


def _scalar(text: str, pos: int) -> tuple[Any, int]:
    """A number, true, false or null at pos, and the position after it."""
    for word, value in _LITERALS.items():
        if text.startswith(word, pos):
            return value, pos + len(word)
    match = re.compile(_NUMBER).match(text, pos)
    if match is None:
        raise ValueError(f"expected a value at character {pos}")
    integer, fraction, exponent = match.groups()
    number = float(match.group()) if fraction or exponent else int(integer)
    return number, match.end()

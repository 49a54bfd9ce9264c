"""The plainest YAML read without PyYAML: block mappings of unquoted words, decimal integers, booleans, null.

Importing PyYAML and its first load cost ~10 ms, a fifth of a short `sfn run`; most resources
files (`handlers: {name: module:function}`) need none of what it does. `parse` reads only text
whose meaning under YAML 1.1 (PyYAML's) is beyond doubt, and answers None for anything else
(quotes, lists, flow style, anchors, tags, tabs, non-ASCII, a key YAML reads as a boolean or
null, a number other than a plain decimal integer, a repeated key, odd indentation, ...): the
caller then loads the text with PyYAML, which also reports every error. tests/test_plainyaml.py
compares the two on generated texts.
"""

from __future__ import annotations

import re
from typing import Any

from .source import Position, escape_pointer_token

# A word PyYAML resolves to a string: no leading digit, sign, dot or indicator; no space or '#'.
_WORD = re.compile(r"[A-Za-z_/][A-Za-z0-9_.\-/:]*")
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
# The spellings PyYAML's resolver reads as booleans and null (others, like `tRUE`, are left to it).
_CONSTANTS = {**dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
              **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
              **dict.fromkeys(("~", "null", "Null", "NULL"), None)}
# Those words in any letter case are no strings read here (refusing a few strings is safe).
_NOT_STRINGS = frozenset(word.lower() for word in _CONSTANTS)
_OUTSIDE = re.compile(r"[^\n\x20-\x7e]")  # a tab, a carriage return, a control or non-ASCII character


def parse(text: str) -> tuple[dict, dict[str, Position], dict[str, Position]] | None:
    """What PyYAML's safe loader makes of text, with where each value and key starts (the pointers and
    positions `source.yaml_positions` gives), if text is plain enough to be sure; else None.

    A document of comments alone is also None (PyYAML reads it as null): the caller loads it with PyYAML.
    """
    if _OUTSIDE.search(text):
        return None
    root: dict[str, Any] = {}
    values: dict[str, Position] = {}
    keys: dict[str, Position] = {}
    # the mappings a line may add to: (indentation, mapping, its pointer)
    open_maps: list[tuple[int, dict, str]] = [(0, root, "")]
    pending: tuple[int, dict, str, str] | None = None  # a key with nothing after it: a mapping or null
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.lstrip(" ")
        if not stripped or stripped[0] == "#":
            continue
        indent = len(line) - len(stripped)
        key, colon, rest = stripped.partition(":")
        if not colon or (rest and rest[0] != " ") or not _is_string(key):
            return None
        value = rest.lstrip(" ")
        value_column = indent + len(key) + 2 + len(rest) - len(value)
        if value[:1] == "#":
            value = ""
        elif " #" in value:
            value = value[:value.index(" #")]
        value = value.rstrip(" ")
        if pending is not None:
            parent_indent, parent, parent_key, parent_pointer = pending
            pending = None
            if indent > parent_indent:  # the first key of the mapping the pending key holds
                parent[parent_key] = child = {}
                open_maps.append((indent, child, parent_pointer))
                values[parent_pointer] = Position(number, indent + 1)
        while open_maps[-1][0] > indent:
            open_maps.pop()
        depth, mapping, mapping_pointer = open_maps[-1]
        if depth != indent or key in mapping:
            return None
        if not root:
            values[""] = Position(number, 1)
        item = mapping_pointer + "/" + escape_pointer_token(key)
        keys[item] = Position(number, indent + 1)
        if not value:
            mapping[key] = None
            pending = (indent, mapping, key, item)
            values[item] = Position(number, indent + len(key) + 2)  # right after the colon, as PyYAML marks it
            continue
        if _is_string(value):
            mapping[key] = value
        elif value in _CONSTANTS:
            mapping[key] = _CONSTANTS[value]
        elif _INTEGER.fullmatch(value):
            mapping[key] = int(value)
        else:
            return None
        values[item] = Position(number, value_column)
    return (root, values, keys) if root else None


def _is_string(word: str) -> bool:
    return (_WORD.fullmatch(word) is not None and word[-1] != ":" and word.lower() not in _NOT_STRINGS)

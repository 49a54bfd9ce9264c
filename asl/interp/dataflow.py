"""The JSONPath data flow of a state: InputPath -> Parameters -> ResultSelector -> ResultPath -> OutputPath."""

from __future__ import annotations

import json
from typing import Any

import orjson

from .. import deepjson
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


def json_size(value: Any, floats: bool = True) -> int:
    """Bytes of a value as compact UTF-8 JSON: what AWS's size limits count.

    floats=False: the caller knows the value holds no float (one parsed without one), so orjson,
    whose text is json's but for floats, measures it in one C call (~10x json's speed)."""
    if not floats:
        try:
            return len(orjson.dumps(value))
        except orjson.JSONEncodeError:  # an integer past 64 bits, a lone surrogate: json measures it
            pass
    # surrogatepass: a lone surrogate (JSON's "\\ud800") counts its three bytes instead of failing
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass"))


class PayloadSizes:
    """The JSON size of state outputs, each large object measured once.

    Values are never changed once produced and a state's output usually shares most of its
    objects with its input, so the sizes of larger collections are remembered by identity (the
    object held, so its id cannot be reused): passing a big document on costs a lookup, a
    ResultPath merge only the new part.
    """

    __slots__ = ("_known", "_keys", "_walked")

    LIMIT_ENTRIES = 100_000  # remembered objects before the memory is dropped and rebuilt
    REMEMBER_FROM = 128      # bytes: smaller collections are cheaper to measure again
    SHARED_BYTES = 2048      # remembered members a value may hold and still be measured by one orjson call
    PLAIN_BYTES = 16384      # what one orjson call may show within the limit (at most a third of it)

    def __init__(self) -> None:
        self._known: dict[int, tuple[Any, int]] = {}
        self._keys: dict[str, int] = {}  # member name -> its size: the same few names recur in every output
        self._walked: set[str] = set()   # states whose outputs size() measures (see check)

    def size(self, value: Any) -> int:
        """Bytes of value as compact UTF-8 JSON (what json_size gives)."""
        kind = type(value)
        if kind is str:
            return _text_size(value)
        if kind is dict or kind is list:
            known = self._known.get(id(value))
            if known is not None and known[0] is value:
                return known[1]
            total = -1
            if _flat(map(type, value.values() if kind is dict else value)):
                try:  # orjson's text is json's here: one C call instead of a walk
                    total = len(orjson.dumps(value))
                except orjson.JSONEncodeError:  # an integer past 64 bits, a lone surrogate: walked
                    pass
            if total < 0:
                total = self._walk(value, kind)
            if total >= self.REMEMBER_FROM:
                if len(self._known) >= self.LIMIT_ENTRIES:
                    self._known.clear()
                self._known[id(value)] = (value, total)
            return total
        if kind is int:
            return len(repr(value))
        if value is None or kind is bool:
            return 4 if value is None or value else 5
        return len(json.dumps(value))

    def _walk(self, value: Any, kind: type) -> int:
        """size() of a dict / list member by member (nested containers, floats, what orjson refuses)."""
        size, text_size = self.size, _text_size
        # Strings and integers, most leaves, are measured here: a call each fewer.
        if kind is dict:
            total = 1 + 2 * len(value)  # braces, commas and colons
            keys = self._keys
            for key, item in value.items():
                leaf = type(item)
                measured = keys.get(key)
                if measured is None:
                    if len(keys) >= self.LIMIT_ENTRIES:
                        keys.clear()
                    measured = keys[key] = text_size(key)
                total += measured + (text_size(item) if leaf is str else
                                     len(repr(item)) if leaf is int else size(item))
            return total
        total = 1 + len(value)  # brackets and commas
        for item in value:
            leaf = type(item)
            total += (text_size(item) if leaf is str else len(repr(item)) if leaf is int else size(item))
        return total

    def check(self, value: Any, state_name: str) -> None:
        """States.DataLimitExceeded when a state's result or output is over 256 KiB."""
        kind = type(value)
        if kind is dict and len(value) <= 16 and _flat(map(type, value.values())):
            # Most outputs: a small flat object, measured by one orjson call here (size() would look
            # it up among the remembered ones first, rarely a hit for so small an object).
            try:
                if len(orjson.dumps(value)) <= PAYLOAD_LIMIT:
                    return
            except orjson.JSONEncodeError:  # an integer past 64 bits, a lone surrogate: measured below
                pass
        if kind is dict or kind is list:
            # A state whose output was once too large or too shared for one orjson call is measured
            # by size() from then on (its outputs keep their shape: the attempt would be wasted).
            if state_name not in self._walked:
                if self._plainly_within(value, kind):
                    return
                self._walked.add(state_name)
        elif kind is not str:
            return
        if self.size(value) > PAYLOAD_LIMIT:
            raise _too_large(state_name)

    def _plainly_within(self, value: Any, kind: type) -> bool:
        """Whether one orjson call shows a new nested value far within the limit (no walk member by member).

        orjson's text is json's but for floats (1e-7 for 1e-07) and the infinities (null): json's is at
        most 2.25 times as long, so a third of the limit is within it whatever the value holds. Not
        tried on a value size() remembers, or one sharing more than SHARED_BYTES of members it does (a
        document passed on: size() adds their sizes instead of encoding them again).
        """
        known = self._known
        found = known.get(id(value))
        if found is not None and found[0] is value:
            return False
        shared, containers = 0, deepjson.CONTAINERS
        for member in (value.values() if kind is dict else value):
            if type(member) in containers:
                found = known.get(id(member))
                if found is not None and found[0] is member:
                    shared += found[1]
        if shared > self.SHARED_BYTES:
            return False
        try:
            length = len(orjson.dumps(value))
        except orjson.JSONEncodeError:  # an integer past 64 bits, a lone surrogate: size() measures it
            return False
        # A large one is measured by size() too, which remembers its parts: passed on, they are then
        # shared members, looked up instead of encoded again.
        return length <= self.PLAIN_BYTES


_flat = deepjson.NOT_FLAT.isdisjoint


def _text_size(text: str) -> int:
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return len(text) + 2  # nothing to escape: the text and its quotes
    encoded = json.dumps(text, ensure_ascii=False)
    return len(encoded) if encoded.isascii() else len(encoded.encode("utf-8", "surrogatepass"))


def _too_large(state_name: str) -> StatesError:
    return StatesError(STATES_DATA_LIMIT, f"The state/task '{state_name}' returned a result with a size exceeding "
                                          f"the maximum number of bytes service limit.")

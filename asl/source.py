"""Source positions: a map from JSON pointer to line:column, built lazily from the file text."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from typing import Callable, Iterator

from .record import record


@record(frozen=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    column: int


def escape_pointer_token(token: str | int) -> str:
    """One JSON pointer reference token, escaped as RFC 6901 says."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """A JSON pointer from its tokens: pointer('States', 'A') == '/States/A'."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)


class SourceMap:
    """JSON pointer -> Position of the value (and of the key, for object members).

    Built on first use: running a machine never pays for positions it does not report.
    """

    def __init__(self, builder: Callable[[], tuple[dict[str, Position], dict[str, Position], list[str]]]) -> None:
        self._builder = builder
        self._values: dict[str, Position] | None = None
        self._keys: dict[str, Position] = {}
        self._duplicates: list[str] = []

    def _ensure(self) -> None:
        if self._values is None:
            self._values, self._keys, self._duplicates = self._builder()

    def value(self, ptr: str) -> Position | None:
        """Position of the value at ptr, or of its nearest ancestor that has one."""
        self._ensure()
        while True:
            found = self._values.get(ptr)
            if found is not None or not ptr:
                return found
            ptr = ptr.rsplit("/", 1)[0]

    def key(self, ptr: str) -> Position | None:
        """Position of the member name at ptr (falls back to the value's position)."""
        self._ensure()
        return self._keys.get(ptr) or self.value(ptr)

    def duplicate_keys(self) -> list[str]:
        """Pointers of object members whose name appears twice in the same object."""
        self._ensure()
        return list(self._duplicates)


class _LineIndex:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset)
        return Position(line, offset - self.starts[line - 1] + 1)


class _OffsetPositions(Mapping):
    """Pointer -> Position, held as text offsets: a Position is made only for a pointer looked up.

    A scan records tens of thousands of places while a report asks for a handful.
    """

    def __init__(self, offsets: dict[str, int], index: _LineIndex) -> None:
        self._offsets = offsets
        self._index = index

    def __getitem__(self, ptr: str) -> Position:
        return self._index.position(self._offsets[ptr])

    def get(self, ptr: str, default: Position | None = None) -> Position | None:
        offset = self._offsets.get(ptr)
        return default if offset is None else self._index.position(offset)

    def __contains__(self, ptr: object) -> bool:
        return ptr in self._offsets

    def __iter__(self) -> Iterator[str]:
        return iter(self._offsets)

    def __len__(self) -> int:
        return len(self._offsets)


# One match per string (a member name when a colon follows), bracket or scalar; commas, colons
# and whitespace are stepped over by the search itself. The text is valid JSON (already parsed).
_TOKEN = r'(?s)("[^"\\]*(?:\\.[^"\\]*)*")(\s*:)?|([{}\[\]])|(-?[0-9][^\s,\]}]*|true|false|null)'


def json_positions(text: str) -> tuple[Mapping[str, Position], Mapping[str, Position], list[str]]:
    """Scan valid JSON text: where every value and member name starts, and repeated names."""
    import json

    values: dict[str, int] = {}  # offsets; Positions are made on lookup
    keys: dict[str, int] = {}
    duplicates: list[str] = []
    # Stack of [pointer, is_object, next array index, seen names].
    stack: list[list] = []
    current_key = ""
    key_pos = 0
    for m in re.finditer(_TOKEN, text):
        string, colon, punct, _ = m.groups()
        if colon is not None:
            # Only a name with an escape needs decoding (valid JSON has no raw control characters).
            current_key = string[1:-1] if "\\" not in string else json.loads(string)
            key_pos = m.start()
            continue
        if punct == "}" or punct == "]":
            stack.pop()
            continue
        # A value starts here: work out its pointer.
        if not stack:
            ptr = ""
        else:
            top = stack[-1]
            if top[1]:
                ptr = top[0] + "/" + escape_pointer_token(current_key)
                if current_key in top[3]:
                    duplicates.append(ptr)
                top[3].add(current_key)
                keys[ptr] = key_pos
            else:
                ptr = top[0] + "/" + str(top[2])
                top[2] += 1
        values[ptr] = m.start()  # the last duplicate wins, as in json.loads
        if punct == "{":
            stack.append([ptr, True, 0, set()])
        elif punct == "[":
            stack.append([ptr, False, 0, None])
    index = _LineIndex(text)
    return _OffsetPositions(values, index), _OffsetPositions(keys, index), duplicates


def yaml_positions(node) -> tuple[dict[str, Position], dict[str, Position], list[str]]:
    """Walk a composed YAML node tree: where every value and key starts, and repeated keys."""
    import yaml

    values: dict[str, Position] = {}
    keys: dict[str, Position] = {}
    duplicates: list[str] = []

    def mark(n) -> Position:
        return Position(n.start_mark.line + 1, n.start_mark.column + 1)

    def walk(n, ptr: str) -> None:
        values.setdefault(ptr, mark(n))
        if isinstance(n, yaml.MappingNode):
            seen = set()
            for key_node, value_node in n.value:
                name = str(key_node.value)
                child = ptr + "/" + escape_pointer_token(name)
                if name in seen:
                    duplicates.append(child)
                seen.add(name)
                keys[child] = mark(key_node)
                walk(value_node, child)
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, f"{ptr}/{i}")

    if node is not None:
        walk(node, "")
    return values, keys, duplicates

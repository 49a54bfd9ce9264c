"""Positions inside a DefinitionString: offsets of the embedded JSON text mapped back to the template.

A template string's decoded value is matched character by character against its source text (a
JSON string literal with its escapes, or a YAML scalar in any style). Where the match is exact the
diagnostic gets the real line:column in the template; where it is not (an unknown escape, YAML
folding that cannot be aligned, text after a substitution that changed lengths) the caller falls
back to the string's own position. Nothing here raises on odd input: it returns None instead.
"""

from __future__ import annotations

import bisect
import json
from typing import Any

from ..source import Position, SourceMap, json_positions
from .cfn import Machine

_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WHITESPACE = " \t\r\n"
_SHORT_FORMS = {"Ref": "!Ref", "Condition": "!Condition"}


def json_literal_offsets(text: str, start: int, value: str) -> list[int] | None:
    """Offset in `text` of each character of `value`, read from the JSON string literal at `start`."""
    if not (0 <= start < len(text)) or text[start] != '"':
        return None
    offsets: list[int] = []
    decoded: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            # Exact only if our reading of the escapes gives back what json.loads gave.
            return offsets if "".join(decoded) == value else None
        if c != "\\":
            decoded.append(c)
            offsets.append(i)
            i += 1
            continue
        e = text[i + 1:i + 2]
        if e in _JSON_ESCAPES:
            decoded.append(_JSON_ESCAPES[e])
            offsets.append(i)
            i += 2
            continue
        code = _hex(text, i + 2, 4) if e == "u" else None
        if code is None:
            return None
        length = 6
        low = _hex(text, i + 8, 4) if text[i + 6:i + 8] == "\\u" else None
        if 0xD800 <= code < 0xDC00 and low is not None and 0xDC00 <= low < 0xE000:
            # A surrogate pair is one character of the decoded string, as json.loads joins them.
            code, length = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), 12
        decoded.append(chr(code))
        offsets.append(i)
        i += length
    return None


def yaml_scalar_offsets(text: str, node: Any, value: str) -> list[int] | None:
    """Offset in `text` of each character of `value` (or of its exactly mapped prefix), from a YAML scalar node."""
    import yaml

    if not isinstance(node, yaml.ScalarNode) or node.value != value:
        return None
    start, end, style = node.start_mark.index, node.end_mark.index, node.style
    if not (0 <= start <= end <= len(text)):
        return None
    start = _skip_properties(text, start, end)   # the node starts at its tag or anchor, if any
    if style in ("|", ">"):
        # Content starts on the line after the header (`|`, `|-`, `>2`, a comment ...).
        header_end = text.find("\n", start, end)
        if header_end < 0:
            return None
        units = [(text[i], i) for i in range(header_end + 1, end)]
        return _align(units, value)
    if style in ("'", '"') and not (text[start:start + 1] == style == text[end - 1:end] and start < end - 1):
        return None
    if style == "'":
        units = _single_quoted_units(text, start + 1, end - 1)
    elif style == '"':
        units = _double_quoted_units(text, start + 1, end - 1)
    elif style is None or style == "":
        units = [(text[i], i) for i in range(start, end)]
    else:
        return None
    return _align(units, value) if units is not None else None


def _skip_properties(text: str, start: int, end: int) -> int:
    # `!Sub 'x'`, `&anchor "x"`: tags and anchors stand before the scalar, separated by blanks.
    i = start
    while i < end and text[i] in "!&":
        while i < end and text[i] not in _WHITESPACE:
            i += 1
        while i < end and text[i] in _WHITESPACE:
            i += 1
    return i


def _single_quoted_units(text: str, start: int, end: int) -> list[tuple[str, int]]:
    units, i = [], start
    while i < end:
        units.append((text[i], i))
        i += 2 if text[i] == "'" and text[i + 1:i + 2] == "'" else 1   # '' is one quote
    return units


def _double_quoted_units(text: str, start: int, end: int) -> list[tuple[str, int]] | None:
    from yaml.scanner import Scanner

    units, i = [], start
    while i < end:
        c = text[i]
        if c != "\\":
            units.append((c, i))
            i += 1
            continue
        e = text[i + 1:i + 2]
        if e in Scanner.ESCAPE_REPLACEMENTS:
            units.append((Scanner.ESCAPE_REPLACEMENTS[e], i))
            i += 2
        elif e in Scanner.ESCAPE_CODES:
            code = _hex(text, i + 2, Scanner.ESCAPE_CODES[e])
            if code is None or code > 0x10FFFF:
                return None
            units.append((chr(code), i))
            i += 2 + Scanner.ESCAPE_CODES[e]
        elif e in ("\n", "\r"):
            i += 2   # an escaped line break joins the lines: no character of its own
        else:
            return None
    return units


def _align(units: list[tuple[str, int]], value: str) -> list[int]:
    """Offsets of the longest prefix of `value` that the source units spell out.

    YAML only ever drops or folds whitespace (indentation, line breaks becoming spaces), so the
    non-blank characters of the value appear among the units in order: each is matched to its
    own source character, and blanks are skipped where the value has none.
    """
    offsets: list[int] = []
    j, n = 0, len(value)
    for ch, off in units:
        if j == n:
            break
        v = value[j]
        if ch == v or (v == " " and ch == "\n"):
            offsets.append(off)
            j += 1
        elif ch not in _WHITESPACE:
            break   # our reading of the scalar went wrong here: only the prefix is trusted
    return offsets


def _hex(text: str, start: int, length: int) -> int | None:
    digits = text[start:start + length]
    if len(digits) != length or any(c not in "0123456789abcdefABCDEF" for c in digits):
        return None
    return int(digits, 16)


class TemplatePositions:
    """Template positions for diagnostics inside the DefinitionStrings of one template file."""

    def __init__(self, text: str, source_map: Any, yaml_file: bool) -> None:
        self.text = text
        self._source_map = source_map
        self._yaml: bool | None = True if yaml_file else None   # decided on first use
        self._root: Any = None
        self._starts: list[int] | None = None
        self._strings: dict[str, list[int] | None] = {}
        self._inner: dict[int, tuple[SourceMap, list[int]]] = {}

    def at_offset(self, machine: Machine, offset: int) -> Position | None:
        """Where character `offset` of the machine's definition text is in the template, if exactly known."""
        try:
            return self._at_offset(machine, offset)
        except Exception:  # positions are a convenience: never fail validation over them
            return None

    def at_pointer(self, machine: Machine, ptr: str) -> Position | None:
        """Where the member name (or value) at inner pointer `ptr` is in the template, if exactly known."""
        try:
            return self._at_pointer(machine, ptr)
        except Exception:  # as above
            return None

    def _at_offset(self, machine: Machine, offset: int) -> Position | None:
        for piece in machine.pieces:
            if piece.start <= offset < piece.end:
                offsets = self._offsets(piece.pointer, piece.value)
                k = offset - piece.start
                return self._position(offsets[k]) if offsets is not None and k < len(offsets) else None
        return None

    def _at_pointer(self, machine: Machine, ptr: str) -> Position | None:
        if not ptr or machine.text is None:
            return None   # the whole definition: the string's own position says it best
        if id(machine) not in self._inner:
            inner = SourceMap(lambda: json_positions(machine.text))
            self._inner[id(machine)] = (inner, _line_starts(machine.text))
        inner, starts = self._inner[id(machine)]
        found = inner.key(ptr)
        if found is None:
            return None
        return self._at_offset(machine, starts[found.line - 1] + found.column - 1)

    def _offsets(self, ptr: str, value: str) -> list[int] | None:
        if ptr not in self._strings:
            self._strings[ptr] = self._yaml_offsets(ptr, value) if self._is_yaml() else self._json_offsets(ptr, value)
        return self._strings[ptr]

    def _is_yaml(self) -> bool:
        if self._yaml is None:
            try:
                json.loads(self.text)
                self._yaml = False
            except (ValueError, RecursionError):
                self._yaml = True   # loaded as YAML after JSON failed
        return self._yaml

    def _json_offsets(self, ptr: str, value: str) -> list[int] | None:
        # The source map gives an ancestor's position for a pointer it lacks: the literal check
        # (a quote there, decoding to `value`) rules that out.
        found = self._source_map.value(ptr) if self._source_map is not None else None
        if found is None:
            return None
        starts = self._line_starts()
        if found.line > len(starts):
            return None
        return json_literal_offsets(self.text, starts[found.line - 1] + found.column - 1, value)

    def _yaml_offsets(self, ptr: str, value: str) -> list[int] | None:
        import yaml

        if self._root is None:
            try:
                loader = yaml.SafeLoader(self.text)   # composing only: tags need no constructor
                try:
                    self._root = loader.get_single_node() or False
                finally:
                    loader.dispose()
            except yaml.YAMLError:
                self._root = False
        node = _yaml_node(self._root, ptr) if self._root is not False else None
        return yaml_scalar_offsets(self.text, node, value) if node is not None else None

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = _line_starts(self.text)
        return self._starts

    def _position(self, offset: int) -> Position:
        starts = self._line_starts()
        line = bisect.bisect_right(starts, offset)
        return Position(line, offset - starts[line - 1] + 1)


def _line_starts(text: str) -> list[int]:
    # Lines end at \n only, as in asl.source, so both maps count lines alike.
    starts, i = [0], text.find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


def _yaml_node(root: Any, ptr: str) -> Any:
    """The composed YAML node at a JSON pointer of the loaded data; short-form tags count as their long form."""
    import yaml

    node = root
    for raw in ptr.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        short = _SHORT_FORMS.get(token) or ("!" + token[4:] if token.startswith("Fn::") else None)
        if short and node.tag == short:
            continue   # `!Sub x` loads as {"Fn::Sub": x}: the pointer's Fn::Sub is this same node
        if isinstance(node, yaml.MappingNode):
            matches = [v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == token]
            if not matches:
                return None
            node = matches[-1]   # the last duplicate wins, as when loading
        elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
            node = node.value[int(token)]
        else:
            return None
    return node

"""What the user's data may hold must not drive the terminal: escape sequences shown, never sent.

State names, errors, causes, inputs, outputs, message bodies and handler text can carry ESC
(CSI / OSC sequences), C1 controls (a raw CSI is U+009B) or carriage returns that would move the
cursor, retitle the window or hide a line. Everything cli/ prints from a run goes through here.
"""

from __future__ import annotations

import json
import re
from typing import Any

from asl.diagnostics import printable

# DEL and the C1 controls: JSON text may hold them raw (only C0 must be escaped in JSON).
_RAW_IN_JSON = r"[\x7f-\x9f]"
# Every control character but newline and tab, for text shown on several lines.
_CONTROL_BUT_LINES = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"


def safe(value: Any) -> str:
    """One line of text: every control character (newlines too) as a visible `\\xNN` escape."""
    return printable(value if isinstance(value, str) else str(value))


def safe_lines(value: Any) -> str:
    """Text that may span lines: newlines and tabs kept, every other control character escaped."""
    text = value if isinstance(value, str) else str(value)
    return re.sub(_CONTROL_BUT_LINES, lambda m: f"\\x{ord(m.group()):02x}", text)


def safe_json(text: str) -> str:
    """JSON text with DEL and C1 controls as `\\u` escapes: the same JSON value, nothing for a terminal to act on."""
    if text.isascii() and "\x7f" not in text:  # the common case, two scans in C: nothing to escape
        return text
    return re.sub(_RAW_IN_JSON, lambda m: f"\\u{ord(m.group()):04x}", text)


def json_text(value: Any, indent: int | None = None) -> str:
    """`value` as JSON text (non-ASCII kept readable) that is safe to print."""
    try:
        text = json.dumps(value, indent=indent, ensure_ascii=False)
    except RecursionError:  # too deep for json's encoder: compact, built without recursion
        from asl.deepjson import dumps

        text = dumps(value)
    return safe_json(text)


class SafeWriter:
    """A text stream for JSON written piece by piece (a streamed history): each piece escaped as safe_json."""

    def __init__(self, out: Any) -> None:
        self.out = out

    def write(self, text: str) -> None:
        """Write one piece of JSON text."""
        self.out.write(safe_json(text))

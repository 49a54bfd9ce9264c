"""Diagnostics: what validation finds, as values (never raised at the user)."""

from __future__ import annotations

import re

from .record import record
from .source import Position

ERROR = "ERROR"
WARNING = "WARNING"

# C0 controls (ESC, newlines...), DEL and C1 controls (CSI U+009B, OSC U+009D...): a state name
# holding them must not move the cursor, retitle the terminal or break a one-line diagnostic.
_CONTROL = r"[\x00-\x1f\x7f-\x9f]"


def printable(text: str) -> str:
    """`text` safe to print on a terminal: control characters become visible `\\xNN` escapes."""
    return re.sub(_CONTROL, lambda m: f"\\x{ord(m.group()):02x}", text)


@record(frozen=True)
class Diagnostic:
    """One problem in a definition, with AWS's ValidateStateMachineDefinition code where one exists."""

    code: str
    message: str
    pointer: str = ""
    severity: str = ERROR
    position: Position | None = None

    def format(self, file: str) -> str:
        """`FILE:LINE:COLUMN: SEVERITY CODE message` (line and column left out when unknown), printable."""
        where = file if self.position is None else f"{file}:{self.position.line}:{self.position.column}"
        return printable(f"{where}: {self.severity} {self.code} {self.message}")

    def as_dict(self, file: str) -> dict:
        """The machine-readable form used by `sfn validate --format json`."""
        return {
            "file": file,
            "line": self.position.line if self.position else None,
            "column": self.position.column if self.position else None,
            "severity": self.severity,
            "code": self.code,
            "pointer": self.pointer,
            "message": self.message,
        }

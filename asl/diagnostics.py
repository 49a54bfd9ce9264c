"""Diagnostics: what validation finds, as values (never raised at the user)."""

from __future__ import annotations

from dataclasses import dataclass

from .source import Position

ERROR = "ERROR"
WARNING = "WARNING"


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a definition, with AWS's ValidateStateMachineDefinition code where one exists."""

    code: str
    message: str
    pointer: str = ""
    severity: str = ERROR
    position: Position | None = None

    def format(self, file: str) -> str:
        """`FILE:LINE:COLUMN: SEVERITY CODE message` (line and column left out when unknown)."""
        where = file if self.position is None else f"{file}:{self.position.line}:{self.position.column}"
        return f"{where}: {self.severity} {self.code} {self.message}"

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

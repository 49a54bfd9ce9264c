"""Regular expressions of JSONata on the `regex` package, bounded by the evaluation's deadline.

Python's `re` cannot be interrupted: `(a+)+$` on 40 characters runs for minutes, past every
bound. `regex` takes a timeout, so a catastrophic pattern in `$match` / `$replace` / `$split` /
`$contains` ends with AWS's timeout error like any runaway expression.
"""

from __future__ import annotations

import time
from typing import Any, Iterator

import regex

from .. import budget
from .errors import TIMEOUT, BoundExceeded

MAX_STRING = 16 * 1024 * 1024   # characters a string result may have (past it: AWS's memory error)


def _seconds_left() -> float:
    left = budget.deadline() - time.monotonic()
    if left <= 0:
        raise BoundExceeded(TIMEOUT)
    return left


class GuardedPattern:
    """A compiled `regex` pattern whose every search stops at the evaluation's deadline."""

    __slots__ = ("pattern",)

    def __init__(self, pattern: Any) -> None:
        self.pattern = pattern

    def search(self, string: str) -> Any:
        """As re.Pattern.search, bounded."""
        with _bounded():
            return self.pattern.search(string, timeout=_seconds_left())

    def finditer(self, string: str) -> Iterator[Any]:
        """As re.Pattern.finditer (matches listed at once, within the bound)."""
        with _bounded():
            return iter(list(self.pattern.finditer(string, timeout=_seconds_left())))

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        """As re.Pattern.sub, bounded."""
        with _bounded():
            return self.pattern.sub(repl, string, count=count, timeout=_seconds_left())

    def split(self, string: str, maxsplit: int = 0) -> list[str]:
        """As re.Pattern.split, bounded."""
        with _bounded():
            return self.pattern.split(string, maxsplit=maxsplit, timeout=_seconds_left())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pattern, name)


class _bounded:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        if kind is TimeoutError:
            raise BoundExceeded(TIMEOUT) from None
        return False


def guarded_engine(pattern: str, flags: Any) -> GuardedPattern:
    """jsonata-python's regex engine hook: the pattern compiled by `regex`, bounded in time."""
    options = regex.V0
    if flags.case_insensitive:
        options |= regex.IGNORECASE
    if flags.multiline:
        options |= regex.MULTILINE
    return GuardedPattern(regex.compile(pattern, options))

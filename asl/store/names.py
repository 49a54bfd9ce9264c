"""Execution names as StartExecution takes them: 1 to 80 characters, none of those ARNs and URLs reserve."""

from __future__ import annotations

import functools
import re

from ..errors import ApiError, Location

MAX_LENGTH = 80
# What the API reference lists: whitespace, brackets, wildcards, special characters, control
# characters (U+0000-001F, U+007F-009F), U+FFFE-FFFF, surrogates and U+10FFFF.
_FORBIDDEN = r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff\U0010ffff]"


@functools.cache
def _forbidden() -> re.Pattern:
    # Compiled when a name needs it (~0.4 ms, the ranges above U+FFFF): not at every run's import.
    return re.compile(_FORBIDDEN)


def _plain(name: str) -> bool:
    """Whether the name is only ASCII letters, digits, '-', '_' and '.' (a UUID, most names): none is forbidden."""
    return name.isascii() and name.replace("-", "a").replace("_", "a").replace(".", "a").isalnum()


def check_execution_name(name: str, where: str | None = None) -> None:
    """ApiError unless StartExecution would take this execution name (`where`: the option that gave it)."""
    location = Location(where) if where else None
    if not 1 <= len(name) <= MAX_LENGTH:
        bound = "greater than or equal to 1" if not name else f"less than or equal to {MAX_LENGTH}"
        raise ApiError("ValidationException", f"1 validation error detected: Value '{name}' at 'name' failed to "
                                              f"satisfy constraint: Member must have length {bound}", location)
    if not _plain(name) and _forbidden().search(name):
        shown = name if name.isprintable() else ascii(name)[1:-1]
        raise ApiError("InvalidName", f"Invalid Name: '{shown}'", location)

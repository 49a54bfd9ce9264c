"""Output files refused before a run when they cannot be written (handlers have effects)."""

from __future__ import annotations

import os

from asl.errors import Location, UserInputError


def check_writable(path: str, what: str) -> None:
    """Raise UserInputError ("cannot write WHAT: reason", at the path) unless `path` can be written."""
    existed = os.path.exists(path)
    try:
        with open(path, "a"):
            pass
    except OSError as exc:
        raise UserInputError(f"cannot write {what}: {exc.strerror}", Location(path or repr(path))) from None
    if not existed:
        os.unlink(path)  # written after the run; an empty file must not stand for the output meanwhile

"""Output files refused before a run when they cannot be written (handlers have effects)."""

from __future__ import annotations

from pathlib import Path

from asl.errors import Location, UserInputError


def check_writable(path: str, what: str) -> None:
    """Raise UserInputError ("cannot write WHAT: reason", at the path) unless `path` can be written."""
    target = Path(path)
    existed = target.exists()
    try:
        with open(target, "a"):
            pass
    except OSError as exc:
        raise UserInputError(f"cannot write {what}: {exc.strerror}", Location(path or repr(path))) from None
    if not existed:
        target.unlink()  # written after the run; an empty file must not stand for the output meanwhile

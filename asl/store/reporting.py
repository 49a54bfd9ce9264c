"""What the store tells the user when SQLite, the file system or a stored row fails: one line naming the file."""

from __future__ import annotations

import functools
import sqlite3
import time
from typing import TYPE_CHECKING, Any, Callable

from ..errors import Location, UserInputError

if TYPE_CHECKING:  # annotations only: pathlib (with urllib.parse) is ~4 ms of a run's start
    from os import PathLike

# What decoding a damaged stored value raises (json, History.of_columns, datetime): the row is unusable.
DAMAGE = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, RecursionError)

# A write that finds the database locked is tried again this many times, after growing pauses,
# once SQLite's own busy timeout has run out (concurrent runs on one store all get their turn).
RETRIES = 5
PAUSE = 0.05


def code(exc: BaseException) -> int:
    """SQLite's primary result code of an error (extended codes keep it in the low byte), else 0."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF


def read_only(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused a write because the file or its folder cannot be written."""
    return code(exc) in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM)


def locked(exc: BaseException) -> bool:
    """Whether another connection holds the lock this one needs."""
    return code(exc) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def why(exc: BaseException) -> str:
    """An exception as a short phrase for a one-line message."""
    if isinstance(exc, KeyError):
        return f"no {exc.args[0]!r}" if exc.args else "a key is missing"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def store_error(path: str | PathLike, exc: BaseException, doing: str) -> UserInputError:
    """A SQLite (or file, or encoding) failure as a one-line error naming the store file."""
    text = why(exc)
    if isinstance(exc, UnicodeEncodeError):
        text = f"a name or text is not valid UTF-8 ({text})"
    elif any(sign in text for sign in ("no such table", "no such column", "has no column named",
                                       "file is not a database")):
        return UserInputError(f"not an sfn store ({text})", Location(str(path)))
    elif "malformed" in text or "Could not decode" in text:
        return UserInputError(f"the store is damaged ({text})", Location(str(path)))
    elif code(exc) in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM):
        doing = "write"
    return UserInputError(f"cannot {doing} the store: {text}", Location(str(path)))


def reported(doing: str) -> Callable:
    """Store methods run one at a time per store (the recording's flusher shares the connection) and
    raise UserInputError naming the file, never sqlite3's errors (`doing`: read / write)."""
    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def reporting(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                with self.lock:
                    return method(self, *args, **kwargs)
            except (sqlite3.Error, UnicodeEncodeError, OSError) as exc:
                raise store_error(self.file, exc, doing) from None
        return reporting
    return decorate


def transaction(method: Callable) -> Callable:
    """Run a store method in one write transaction (the write lock taken first), retried while locked.

    BEGIN IMMEDIATE waits (SQLite's busy timeout) for the lock before reading anything, so two
    writers never deadlock upgrading a read; if the wait runs out, the whole transaction is tried
    again a few times. The method must do nothing but SQL before it returns or raises.
    """
    @functools.wraps(method)
    def transacting(self: Any, *args: Any, **kwargs: Any) -> Any:
        db = self.db
        for attempt in range(RETRIES + 1):
            try:
                db.execute("BEGIN IMMEDIATE")
                result = method(self, *args, **kwargs)
                db.commit()
                return result
            except sqlite3.Error as exc:
                if db.in_transaction:
                    db.rollback()
                if not locked(exc) or attempt == RETRIES:
                    raise
            except BaseException:
                if db.in_transaction:
                    db.rollback()
                raise
            time.sleep(PAUSE * 2 ** attempt)
    return transacting

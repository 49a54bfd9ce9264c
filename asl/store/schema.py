"""The store's tables, its version (`PRAGMA user_version`) and the way an older store is brought up to it.

A store says which version of these tables it holds. Opening one checks, before changing anything,
that the file is an sfn store and not one from a newer sfn (whose tables this one would misread or
rebuild); an older one is migrated forward in one transaction. Version 0 is every store written
before versions were kept; version 2 may hold histories whose values link to others (segments of
format 2, asl.store.nodes), which an older sfn would misread: its format-1 segments read as they are.
"""

from __future__ import annotations

import functools
import sqlite3
from typing import TYPE_CHECKING

from ..errors import Location, UserInputError
from .reporting import read_only, store_error

if TYPE_CHECKING:  # annotations only: pathlib (with urllib.parse) is ~4 ms of a run's start
    from os import PathLike

VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS executions (
    arn TEXT PRIMARY KEY, name TEXT NOT NULL, machine TEXT NOT NULL, definition TEXT,
    status TEXT NOT NULL, input TEXT, output TEXT, error TEXT, cause TEXT,
    started_at TEXT NOT NULL, stopped_at TEXT, pid INTEGER, owner TEXT, size INTEGER NOT NULL DEFAULT 0,
    redrive TEXT, redrive_count INTEGER NOT NULL DEFAULT 0, redrive_date TEXT, options TEXT
);
CREATE TABLE IF NOT EXISTS events (
    execution_arn TEXT NOT NULL REFERENCES executions(arn) ON DELETE CASCADE,
    id INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (execution_arn, id)
);
CREATE TABLE IF NOT EXISTS history_columns (
    execution_arn TEXT NOT NULL, idx INTEGER NOT NULL, columns TEXT NOT NULL, PRIMARY KEY (execution_arn, idx)
);
CREATE TABLE IF NOT EXISTS history_chunks (
    execution_arn TEXT NOT NULL REFERENCES executions(arn) ON DELETE CASCADE,
    idx INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY (execution_arn, idx)
);
CREATE TABLE IF NOT EXISTS messages (
    message_id TEXT NOT NULL, execution_arn TEXT, service TEXT NOT NULL, target TEXT NOT NULL,
    sent_at TEXT, message TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS task_tokens (
    token TEXT PRIMARY KEY, execution_arn TEXT, state_name TEXT, status TEXT NOT NULL DEFAULT 'PENDING',
    output TEXT, error TEXT, cause TEXT, heartbeats INTEGER NOT NULL DEFAULT 0, created_at TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_target ON messages(target);
CREATE INDEX IF NOT EXISTS messages_by_execution ON messages(execution_arn);
CREATE INDEX IF NOT EXISTS executions_by_start ON executions(started_at);
CREATE INDEX IF NOT EXISTS executions_running ON executions(status) WHERE status = 'RUNNING';
"""
# executions_running: the runs whose owner may be gone (checked at every run's end) found without
# reading every row; a store made before it gets it when next opened for writing (an older sfn
# keeps it up to date, as SQLite does any index).

# Columns added in place to stores that were written before them: not required of a store.
_ADDED = {"executions": {"pid": "INTEGER", "owner": "TEXT", "size": "INTEGER NOT NULL DEFAULT 0",
                         # redrive: where an unsuccessful run stopped (asl.interp.redrive); options: how it ran
                         "redrive": "TEXT", "redrive_count": "INTEGER NOT NULL DEFAULT 0", "redrive_date": "TEXT",
                         "options": "TEXT"},
          "task_tokens": {"heartbeats": "INTEGER NOT NULL DEFAULT 0", "created_at": "TEXT"}}

# Version 0 kept each history's columns in one row of `histories`; they become its first segment.
_MOVE_HISTORIES = ["INSERT OR REPLACE INTO history_columns (execution_arn, idx, columns) "
                   "SELECT execution_arn, 0, columns FROM histories", "DROP TABLE histories"]
# What each execution's rows hold, for the size bound of the retention (estimated once, when upgrading).
_SIZES = """UPDATE executions SET size = coalesce(length(input), 0) + coalesce(length(output), 0)
    + coalesce(length(definition), 0)
    + coalesce((SELECT sum(length(columns)) FROM history_columns WHERE execution_arn = executions.arn), 0)
    + coalesce((SELECT sum(length(value)) FROM history_chunks WHERE execution_arn = executions.arn), 0)
    + coalesce((SELECT sum(length(event)) FROM events WHERE execution_arn = executions.arn), 0)"""


@functools.cache
def created() -> dict[str, str]:
    """Each table and index SCHEMA creates and its CREATE statement as sqlite_master keeps it.

    Read off SCHEMA's text (SQLite keeps a statement as written, `IF NOT EXISTS` left out), not from a
    database built to ask: a store whose sqlite_master holds exactly these is current as it is.
    """
    found = {}
    for statement in SCHEMA.split(";"):
        statement = statement.strip().replace(" IF NOT EXISTS ", " ", 1)
        if statement:
            found[statement.split(None, 3)[2]] = statement
    return found


@functools.cache
def _schema() -> dict[str, tuple[str, set[str]]]:
    """Each table and index SCHEMA creates: its CREATE statement and columns (SCHEMA is the one source)."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(SCHEMA)
        return {name: (sql, {row[1] for row in db.execute(f"PRAGMA table_info({name})")})
                for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")}
    finally:
        db.close()


def prepare(db: sqlite3.Connection, path: str | PathLike, write: bool, new: bool = False) -> bool:
    """Check the file is a store this sfn reads and bring it up to VERSION; whether it can be written.

    A file that is not an sfn store, or one from a newer sfn, is a UserInputError and left as it
    is; write=False also opens a store that cannot be written (missing tables read as empty).
    new: the file was empty: it is made an incremental auto-vacuum store (freed pages can then be
    given back without rewriting the file; an old store switches at VACUUM).
    """
    writable = False
    try:
        try:
            # The lock first, so that two processes opening a new store do not both create it; then
            # the version rewritten as it is, a write that changes nothing: a store that cannot be
            # written fails here, when opened, rather than halfway through a run.
            if new:
                # The pragma takes the write lock itself, in the transaction that creates the tables:
                # on its own it would be a commit of its own (~1 ms), and after BEGIN IMMEDIATE (which
                # starts the file with its header) too late to take effect.
                db.execute("BEGIN")
                db.execute("PRAGMA auto_vacuum = INCREMENTAL")
            else:
                db.execute("BEGIN IMMEDIATE")
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            db.execute(f"PRAGMA user_version = {version}")
            writable = True
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.rollback()
            if not read_only(exc) or new:  # a new file that cannot be written is refused, as ever
                raise
            if write:
                _changes(db, path, False)  # a file that is not an sfn store at all says so first
                raise
        try:
            changes = _changes(db, path, writable)
            for statement in changes:
                db.execute(statement)
            if writable and changes:
                db.commit()
        finally:
            if db.in_transaction:
                db.rollback()
    except sqlite3.Error as exc:
        raise store_error(path, exc, "open") from None
    return writable


def _changes(db: sqlite3.Connection, path: str | PathLike, writable: bool) -> list[str]:
    """The statements that make the file a current store; UserInputError if this sfn cannot take it."""
    master = db.execute("SELECT name, type, sql FROM sqlite_master").fetchall()
    kinds = {name: kind for name, kind, _ in master}
    if "executions" not in kinds and any(kind == "table" and not name.startswith("sqlite_")
                                         for name, kind in kinds.items()):
        raise UserInputError("not an sfn store (it has no executions table)", Location(str(path)))
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > VERSION:
        raise UserInputError(f"the store was written by a newer sfn (store version {version}; this sfn reads up "
                             f"to {VERSION}): left as it is; upgrade sfn, or pass --store PATH for another store",
                             Location(str(path)))
    # The common cases without asking the tables (or building SCHEMA in memory to compare them with):
    # a store this sfn made, as it made it, and an empty file.
    if version == VERSION and {name: sql for name, _, sql in master if sql is not None} == created():
        return []
    if writable and not kinds:
        return [*created().values(), f"PRAGMA user_version = {VERSION}"]
    ours = _schema()
    columns = {name: {row[1] for row in db.execute(f"PRAGMA table_info({name})")}
               for name in [*ours, "histories"] if kinds.get(name) == "table"}
    # Development builds before versions kept histories in other shapes: dropped, not misread.
    stale = version == 0 and (("histories" in columns and "columns" not in columns["histories"])
                              or "history_values" in kinds)
    for name, have in columns.items():
        missing = sorted(ours[name][1] - set(_ADDED.get(name, ())) - have) if name in ours else []
        if missing:
            raise UserInputError(f"not an sfn store (table {name} has no column {missing[0]})", Location(str(path)))
    lacking = [sql for name, (sql, _) in ours.items() if name not in kinds]
    if not writable:
        # A read-only store from an older version: empty temporary tables stand in for those it lacks,
        # and its one-row histories for their first segments.
        temporary = [sql.replace("CREATE TABLE", "CREATE TEMP TABLE", 1)
                     for sql in lacking if sql.startswith("CREATE TABLE") and "history_columns" not in sql]
        if "history_columns" not in kinds:
            source = "main.histories" if "histories" in columns and not stale else None
            temporary.append("CREATE TEMP VIEW history_columns AS " + (
                f"SELECT execution_arn, 0 AS idx, columns FROM {source}" if source else
                "SELECT NULL AS execution_arn, 0 AS idx, NULL AS columns WHERE 0"))
        return temporary
    changes = ["DROP TABLE IF EXISTS histories", "DROP TABLE IF EXISTS history_values"] if stale else []
    changes += lacking
    for table, added in _ADDED.items():
        present = columns.get(table, ours[table][1])  # a table created now has SCHEMA's columns
        changes += [f"ALTER TABLE {table} ADD COLUMN {column} {kind}"
                    for column, kind in added.items() if column not in present]
    if "histories" in columns and not stale:
        # Version 0's histories; or rows an older sfn wrote into a store this one had upgraded.
        changes += _MOVE_HISTORIES
    if version < 1 and kinds:
        changes.append(_SIZES)
    if version < VERSION:
        changes.append(f"PRAGMA user_version = {VERSION}")
    return changes

"""The API's own tables in the sfn store, and one lock around the store's connection.

The tables are created here, in a step of their own after `asl.store.Store` opened the file (its
schema stays the store's business): state machines, versions, aliases, activities, tags, map runs,
and what the API knows of an execution beyond the store's `executions` row (which machine, version
or alias started it, its type). `CREATE TABLE IF NOT EXISTS` only: an older store gains them, and a
store the API never touched keeps working for `sfn executions` / `sfn history`.
"""

from __future__ import annotations

import threading
from typing import Any

API_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_state_machines (
    arn TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, definition TEXT NOT NULL,
    role_arn TEXT NOT NULL, logging TEXT NOT NULL, tracing TEXT NOT NULL, created REAL NOT NULL,
    updated REAL, revision_id TEXT, last_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS api_versions (
    arn TEXT PRIMARY KEY, machine_arn TEXT NOT NULL, number INTEGER NOT NULL, definition TEXT NOT NULL,
    role_arn TEXT NOT NULL, logging TEXT NOT NULL, tracing TEXT NOT NULL, description TEXT,
    revision_id TEXT, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS api_aliases (
    arn TEXT PRIMARY KEY, machine_arn TEXT NOT NULL, name TEXT NOT NULL, description TEXT,
    routing TEXT NOT NULL, created REAL NOT NULL, updated REAL
);
CREATE TABLE IF NOT EXISTS api_activities (
    arn TEXT PRIMARY KEY, name TEXT NOT NULL, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tags (
    resource_arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (resource_arn, key)
);
CREATE TABLE IF NOT EXISTS api_executions (
    arn TEXT PRIMARY KEY, machine_arn TEXT NOT NULL, version_arn TEXT, alias_arn TEXT, type TEXT NOT NULL,
    name TEXT NOT NULL, input TEXT NOT NULL, started REAL NOT NULL, trace_header TEXT, machine TEXT NOT NULL,
    stopped REAL, status TEXT, error TEXT, cause TEXT
);
CREATE INDEX IF NOT EXISTS api_executions_by_machine ON api_executions(machine_arn);
CREATE TABLE IF NOT EXISTS api_map_runs (
    arn TEXT PRIMARY KEY, execution_arn TEXT NOT NULL, started REAL NOT NULL, stopped REAL,
    status TEXT NOT NULL, max_concurrency INTEGER NOT NULL, tolerated_percentage REAL NOT NULL,
    tolerated_count INTEGER NOT NULL, items INTEGER NOT NULL DEFAULT 0
);
"""


class LockedStore:
    """An `asl.store.Store` whose every call (the runs' too) holds one lock: one connection, many threads."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.lock = threading.RLock()
        self.path = store.path
        with self.lock:
            store.db.executescript(API_SCHEMA)
            # A server commits several times per execution: in the default rollback journal each commit
            # waits for fsyncs (some 20 ms), in WAL with synchronous=NORMAL it does not (still safe from
            # corruption; a power cut may lose the last commits). close() puts the rollback journal back.
            store.db.execute("PRAGMA journal_mode=WAL")
            store.db.execute("PRAGMA synchronous=NORMAL")

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if not callable(attribute):
            return attribute

        def locked(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                return attribute(*args, **kwargs)
        return locked

    def close(self) -> None:
        """Back to the rollback journal the rest of sfn expects (when no other process holds the file), then close."""
        with self.lock:
            try:
                self._store.db.execute("PRAGMA journal_mode=DELETE")
            except Exception:  # noqa: BLE001 - another connection is open: the file stays in WAL, still readable
                pass
            self._store.close()

    def query(self, sql: str, args: tuple = ()) -> list[dict]:
        """Rows of a SELECT as dicts."""
        with self.lock:
            return [dict(row) for row in self._store.db.execute(sql, args)]

    def one(self, sql: str, args: tuple = ()) -> dict | None:
        """The first row of a SELECT, or None."""
        rows = self.query(sql, args)
        return rows[0] if rows else None

    def write(self, *statements: tuple[str, tuple]) -> None:
        """Run statements in one transaction."""
        with self.lock:
            db = self._store.db
            with db:
                for sql, args in statements:
                    db.execute(sql, args)

"""The local store: executions, their history events, stub messages and task tokens, in SQLite.

`.sfn/sfn.db` beside the definition by default. An execution is recorded RUNNING when it starts
and completed in one transaction when it ends, so an interrupted run leaves a consistent store
(`mark_interrupted`, run whenever executions are listed or looked up, turns what a process that
is gone left RUNNING into ABORTED).
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from .errors import Location, UserInputError

SCHEMA = """
CREATE TABLE IF NOT EXISTS executions (
    arn TEXT PRIMARY KEY, name TEXT NOT NULL, machine TEXT NOT NULL, definition TEXT,
    status TEXT NOT NULL, input TEXT, output TEXT, error TEXT, cause TEXT,
    started_at TEXT NOT NULL, stopped_at TEXT
);
CREATE TABLE IF NOT EXISTS events (
    execution_arn TEXT NOT NULL REFERENCES executions(arn) ON DELETE CASCADE,
    id INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (execution_arn, id)
);
CREATE TABLE IF NOT EXISTS histories (
    execution_arn TEXT PRIMARY KEY REFERENCES executions(arn) ON DELETE CASCADE, columns TEXT NOT NULL
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
"""


_ROW_BYTES = 65_536  # a row per small value costs more than encoding it; big ones stay one a row


def _chunks(texts: Any) -> Any:
    """Value texts grouped into JSON arrays of about _ROW_BYTES (memory stays bounded)."""
    chunk: list[str] = []
    size = 0
    for text in texts:
        chunk.append(text)
        size += len(text)
        if size >= _ROW_BYTES:
            yield "[" + ",".join(chunk) + "]"
            chunk, size = [], 0
    if chunk:
        yield "[" + ",".join(chunk) + "]"


def _alive(pid: int | None) -> bool:
    """Whether a process with this id runs on this machine (None: a store from before pids)."""
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


def default_path(definition: str | Path) -> Path:
    """`.sfn/sfn.db` in the definition's folder."""
    return Path(definition).resolve().parent / ".sfn" / "sfn.db"


class Store:
    """One SQLite database; every write is its own transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path), timeout=10, check_same_thread=False)
            old = {row[1] for row in self.db.execute("PRAGMA table_info(histories)")}
            tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if (old and "columns" not in old) or "history_values" in tables:
                # Development builds kept histories in other shapes: dropped, not misread.
                self.db.execute("DROP TABLE IF EXISTS histories")
                self.db.execute("DROP TABLE IF EXISTS history_values")
            self.db.executescript(SCHEMA)
            columns = {row[1] for row in self.db.execute("PRAGMA table_info(task_tokens)")}
            # Stores made before heartbeats were kept gain the columns (SQLite adds them in place).
            for column, kind in (("heartbeats", "INTEGER NOT NULL DEFAULT 0"), ("created_at", "TEXT")):
                if column not in columns:
                    self.db.execute(f"ALTER TABLE task_tokens ADD COLUMN {column} {kind}")
            if "pid" not in {row[1] for row in self.db.execute("PRAGMA table_info(executions)")}:
                self.db.execute("ALTER TABLE executions ADD COLUMN pid INTEGER")
        except (OSError, sqlite3.Error) as exc:
            raise UserInputError(f"cannot open the store: {exc}", Location(str(self.path))) from None
        self.db.row_factory = sqlite3.Row

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    # ------------------------------------------------------------ writes

    def start_execution(self, arn: str, name: str, machine: str, definition: str | None, input: Any,
                        started_at: str) -> None:
        """Record an execution as RUNNING."""
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO executions (arn, name, machine, definition, status, input, "
                            "started_at, pid) VALUES (?, ?, ?, ?, 'RUNNING', ?, ?, ?)",
                            (arn, name, machine, definition, json.dumps(input), started_at, os.getpid()))

    def finish_execution(self, arn: str, result: Any, stopped_at: str) -> None:
        """Status, output and every event of a finished execution, in one transaction."""
        with self.db:
            self.db.execute("UPDATE executions SET status = ?, output = ?, error = ?, cause = ?, stopped_at = ? "
                            "WHERE arn = ?", (result.status, json.dumps(result.output), result.error,
                                              result.cause, stopped_at, arn))
            self.db.execute("DELETE FROM events WHERE execution_arn = ?", (arn,))
            # The history's columns, and its values (each object once) streamed in rows of about
            # _ROW_BYTES, each a JSON array; the AWS form is rendered when read (sfn history).
            columns, values = result.history.dump()
            self.db.execute("DELETE FROM history_chunks WHERE execution_arn = ?", (arn,))
            self.db.execute("INSERT OR REPLACE INTO histories (execution_arn, columns) VALUES (?, ?)",
                            (arn, columns))
            self.db.executemany("INSERT INTO history_chunks (execution_arn, idx, value) VALUES (?, ?, ?)",
                                ((arn, i, text) for i, text in enumerate(_chunks(values))))

    def add_message(self, message: Any) -> None:
        """Keep one stub message (an asl.resources.messaging.Message)."""
        with self.db:
            self.db.execute("INSERT INTO messages (message_id, execution_arn, service, target, sent_at, message) "
                            "VALUES (?, ?, ?, ?, ?, ?)", (message.message_id, message.execution_arn, message.service,
                                                          message.target, message.sent_at,
                                                          json.dumps(message.to_dict())))

    def add_task_token(self, token: str, execution_arn: str | None, state_name: str | None) -> None:
        """Record a task token as PENDING: another process may now answer it."""
        import datetime

        now = datetime.datetime.now(datetime.timezone.utc).isoformat()
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO task_tokens (token, execution_arn, state_name, status, created_at) "
                            "VALUES (?, ?, ?, 'PENDING', ?)", (token, execution_arn, state_name, now))

    def answer_task_token(self, token: str, status: str | None, output: str | None = None,
                          error: str | None = None, cause: str | None = None) -> None:
        """SendTaskSuccess / Failure (status SUCCEEDED / FAILED) or Heartbeat (None); raises TaskTokenError."""
        from .callbacks import TASK_DOES_NOT_EXIST, TASK_TIMED_OUT, TaskTokenError

        with self.db:
            row = self.db.execute("SELECT t.status, e.status AS execution_status FROM task_tokens t LEFT JOIN "
                                  "executions e ON e.arn = t.execution_arn WHERE t.token = ?", (token,)).fetchone()
            if row is None:
                raise TaskTokenError(TASK_DOES_NOT_EXIST)
            # A token of an execution that is over (an interrupted run too) waits for nothing any more.
            if row["status"] != "PENDING" or row["execution_status"] not in (None, "RUNNING"):
                raise TaskTokenError(TASK_TIMED_OUT)
            if status is None:
                self.db.execute("UPDATE task_tokens SET heartbeats = heartbeats + 1 WHERE token = ?", (token,))
            else:
                self.db.execute("UPDATE task_tokens SET status = ?, output = ?, error = ?, cause = ? "
                                "WHERE token = ? AND status = 'PENDING'", (status, output, error, cause, token))

    def close_task_token(self, token: str, status: str) -> None:
        """The Task of a token is over (answered, timed out or ended otherwise)."""
        with self.db:
            self.db.execute("UPDATE task_tokens SET status = ? WHERE token = ?", (status, token))

    def task_token(self, token: str) -> dict | None:
        """One task token's row (status, output, error, cause, heartbeats), or None."""
        row = self.db.execute("SELECT * FROM task_tokens WHERE token = ?", (token,)).fetchone()
        return dict(row) if row is not None else None

    def task_tokens(self, status: str | None = "PENDING") -> list[dict]:
        """Task tokens, oldest first (PENDING ones by default: the Tasks waiting for an answer)."""
        query, args = "SELECT * FROM task_tokens", []
        if status is not None:
            query += " WHERE status = ?"
            args.append(status)
        return [dict(row) for row in self.db.execute(query + " ORDER BY rowid", args)]

    def mark_interrupted(self) -> int:
        """Executions left RUNNING by a process that is gone (killed, crashed) become ABORTED; how many.

        Runs still going in another process (one waiting for a callback, say) are left alone.
        """
        dead = [row["arn"] for row in self.db.execute("SELECT arn, pid FROM executions WHERE status = 'RUNNING'")
                if not _alive(row["pid"])]
        if not dead:
            return 0
        with self.db:
            self.db.executemany("UPDATE executions SET status = 'ABORTED' WHERE arn = ? AND status = 'RUNNING'",
                                [(arn,) for arn in dead])
        return len(dead)

    # ------------------------------------------------------------ reads

    def executions(self, limit: int = 50) -> list[dict]:
        """The most recent executions first."""
        self.mark_interrupted()
        rows = self.db.execute("SELECT arn, name, machine, status, error, started_at, stopped_at FROM executions "
                               "ORDER BY started_at DESC, rowid DESC LIMIT ?", (limit,))
        return [dict(row) for row in rows]

    def find_execution(self, ref: str) -> dict | None:
        """An execution by ARN, name, or a unique prefix of its name."""
        self.mark_interrupted()
        row = self.db.execute("SELECT * FROM executions WHERE arn = ? OR name = ?", (ref, ref)).fetchone()
        if row is None:
            rows = self.db.execute("SELECT * FROM executions WHERE name LIKE ? ESCAPE '\\'",
                                   (ref.replace("%", "\\%").replace("_", "\\_") + "%",)).fetchall()
            row = rows[0] if len(rows) == 1 else None
        if row is None:
            return None
        found = dict(row)
        for key in ("input", "output"):
            found[key] = json.loads(found[key]) if found[key] is not None else None
        return found

    def events(self, arn: str) -> list[dict]:
        """An execution's history events as GetExecutionHistory returns them."""
        row = self.db.execute("SELECT columns FROM histories WHERE execution_arn = ?", (arn,)).fetchone()
        if row is not None:
            from .history import History

            values = self.db.execute("SELECT value FROM history_chunks WHERE execution_arn = ? ORDER BY idx",
                                     (arn,))
            parsed = (value for chunk in values for value in json.loads(chunk["value"]))
            return History.load(row["columns"], parsed).to_aws()["events"]
        # Stores written before histories were kept as one row hold an event per row.
        rows = self.db.execute("SELECT event FROM events WHERE execution_arn = ? ORDER BY id", (arn,))
        return [json.loads(row["event"]) for row in rows]

    def messages(self, target: str | None = None, execution_arn: str | None = None) -> list[dict]:
        """Kept messages, oldest first, optionally of one topic / queue and one execution."""
        query, args = "SELECT message FROM messages WHERE 1 = 1", []
        if target is not None:
            query += " AND target = ?"
            args.append(target)
        if execution_arn is not None:
            query += " AND execution_arn = ?"
            args.append(execution_arn)
        return [json.loads(row["message"]) for row in self.db.execute(query + " ORDER BY rowid", args)]


class Recording:
    """One execution being written to a store: RUNNING now, complete when `finish` is called."""

    def __init__(self, store: Store, machine: str, name: str, definition: str | None, input: Any,
                 invoker: Any = None) -> None:
        import datetime

        from .interp.context import ExecutionInfo

        self.store = store
        self.arn = ExecutionInfo(machine_name=machine, name=name).execution_arn
        now = datetime.datetime.now(datetime.timezone.utc).isoformat()
        store.start_execution(self.arn, name, machine, definition, input, now)
        # Stub messages are written as they are sent, so they survive an interrupted run.
        for provider in getattr(invoker, "providers", []):
            if hasattr(provider, "listeners") and hasattr(provider, "messages_for"):
                provider.listeners.append(store.add_message)

    def finish(self, result: Any) -> None:
        """Status, output and events of the finished execution."""
        last = result.history.last_time
        stopped = last.isoformat() if last is not None else None
        self.store.finish_execution(self.arn, result, stopped)

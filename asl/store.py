"""The local store: executions, their history events, stub messages and task tokens, in SQLite.

`.sfn/sfn.db` beside the definition by default. An execution is recorded RUNNING when it starts
and completed in one transaction when it ends, so an interrupted run leaves a consistent store
(`mark_interrupted`, run whenever executions are listed or looked up, turns what a process that
is gone left RUNNING into ABORTED).

Opening checks the file is an sfn store before changing anything in it. A file that is not one,
a row that does not decode and anything SQLite refuses are UserInputErrors naming the file;
`Store(path, write=False)` still reads a store that cannot be written.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Callable

from .errors import TASK_DOES_NOT_EXIST, TASK_TIMED_OUT, Location, TaskTokenError, UserInputError

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

# Columns stores gained after the first ones were written: added in place, so not required of a store.
_ADDED = {"executions": {"pid": "INTEGER"},
          "task_tokens": {"heartbeats": "INTEGER NOT NULL DEFAULT 0", "created_at": "TEXT"}}

# What decoding a damaged stored value raises (json, History.load, datetime): the row is unusable.
_DAMAGE = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, RecursionError)

_CANDIDATES = 5  # names an ambiguous prefix lists

# Columns of executions that hold text (NOT NULL ones too): anything else is a damaged row.
_TEXT_COLUMNS = {"arn", "name", "machine", "definition", "status", "input", "output", "error", "cause",
                 "started_at", "stopped_at"}
_NOT_NULL = {"arn", "name", "machine", "status", "started_at"}
# Fields of a stored message `sfn messages` prints as text.
_MESSAGE_TEXT = ("message_id", "service", "target", "body", "sent_at")


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


def _read_only(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused a write because the file or its folder cannot be written."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF  # extended codes keep the primary one in the low byte
    return code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM)


def _why(exc: BaseException) -> str:
    """An exception as a short phrase for a one-line message."""
    if isinstance(exc, KeyError):
        return f"no {exc.args[0]!r}" if exc.args else "a key is missing"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _store_error(path: Path, exc: Exception, doing: str) -> UserInputError:
    """A SQLite (or file, or encoding) failure as a one-line error naming the store file."""
    text = _why(exc)
    if isinstance(exc, UnicodeEncodeError):
        text = f"a name or text is not valid UTF-8 ({text})"
    elif any(sign in text for sign in ("no such table", "no such column", "has no column named",
                                       "file is not a database")):
        return UserInputError(f"not an sfn store ({text})", Location(str(path)))
    elif "malformed" in text or "Could not decode" in text:
        return UserInputError(f"the store is damaged ({text})", Location(str(path)))
    elif getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM):
        doing = "write"
    return UserInputError(f"cannot {doing} the store: {text}", Location(str(path)))


def _reported(doing: str) -> Callable:
    """Store methods raise UserInputError naming the file, never sqlite3's errors (`doing`: read / write)."""
    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def reporting(self: "Store", *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except (sqlite3.Error, UnicodeEncodeError) as exc:
                raise _store_error(self.path, exc, doing) from None
        return reporting
    return decorate


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
    if not isinstance(pid, int) or pid <= 0:  # kill(-n, 0) would ask about a process group
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


def _check_events(events: list) -> None:
    """ValueError unless these are events `sfn history` can print (id, type, zoned timestamp, details)."""
    for event in events:
        if not (isinstance(event, dict) and isinstance(event.get("id"), int) and isinstance(event.get("type"), str)
                and isinstance(event.get("timestamp"), str)):
            raise ValueError("an event lacks its id, type or timestamp")
        if datetime.datetime.fromisoformat(event["timestamp"]).tzinfo is None:
            raise ValueError(f"event {event['id']} has a timestamp without a time zone")
        for key, details in event.items():
            if key.endswith("EventDetails") and not (isinstance(details, dict)
                                                     and isinstance(details.get("name", ""), str)):
                raise ValueError(f"event {event['id']} has malformed {key}")


STORE_VARIABLE = "SFN_STORE"


def default_path() -> Path:
    """The store every command uses by default: `$SFN_STORE`, else sfn/sfn.db in the user's state folder.

    One per user rather than one per folder, so `sfn executions` or `sfn task success` finds what
    `sfn run` recorded whatever folder either runs in.
    """
    chosen = os.environ.get(STORE_VARIABLE)
    if chosen:
        return Path(chosen).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or str(Path("~/.local/state").expanduser())
    return Path(state) / "sfn" / "sfn.db"


class Store:
    """One SQLite database; every write is its own transaction.

    What SQLite refuses, and rows that do not decode, raise UserInputError naming the file.
    """

    def __init__(self, path: str | Path, write: bool = True) -> None:
        """Open the store, creating or upgrading its tables; write=False also opens one that is read-only."""
        self.path = Path(path)
        self.writable = False
        self._aborted: set[str] = set()  # interrupted runs a read-only store could not mark ABORTED
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path), timeout=10, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise _store_error(self.path, exc, "open") from None
        try:
            self._prepare(write)
        except BaseException:
            self.db.close()
            raise
        self.db.row_factory = sqlite3.Row

    def _prepare(self, write: bool) -> None:
        """Take the write lock, check that the file is an sfn store, then create what it lacks."""
        try:
            try:
                # The lock first, so that two processes opening a new store do not both create it; then
                # the version rewritten as it is, a write that changes nothing: a store that cannot be
                # written fails here, when opened, rather than halfway through a run.
                self.db.execute("BEGIN IMMEDIATE")
                version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
                self.db.execute(f"PRAGMA user_version = {version}")
                self.writable = True
            except sqlite3.Error as exc:
                if self.db.in_transaction:
                    self.db.rollback()
                if not _read_only(exc):
                    raise
                if write:
                    self._changes()  # a file that is not an sfn store at all says so first
                    raise
            try:
                changes = self._changes()
                for statement in changes:
                    self.db.execute(statement)
                if self.writable and changes:
                    self.db.commit()
            finally:
                if self.db.in_transaction:
                    self.db.rollback()
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc, "open") from None

    def _changes(self) -> list[str]:
        """The statements that make the file a current store; UserInputError if it is not an sfn store."""
        kinds = dict(self.db.execute("SELECT name, type FROM sqlite_master"))
        ours = _schema()
        columns = {name: {row[1] for row in self.db.execute(f"PRAGMA table_info({name})")}
                   for name in ours if kinds.get(name) == "table"}
        # Development builds kept histories in other shapes: dropped, not misread.
        stale = ("histories" in columns and "columns" not in columns["histories"]) or "history_values" in kinds
        if "executions" not in kinds and any(kind == "table" and not name.startswith("sqlite_")
                                             for name, kind in kinds.items()):
            raise UserInputError("not an sfn store (it has no executions table)", Location(str(self.path)))
        for name, have in columns.items():
            missing = sorted(ours[name][1] - set(_ADDED.get(name, ())) - have)
            if missing and not (name == "histories" and stale):
                raise UserInputError(f"not an sfn store (table {name} has no column {missing[0]})",
                                     Location(str(self.path)))
        lacking = [sql for name, (sql, _) in ours.items() if name not in kinds or (stale and name == "histories")]
        if not self.writable:
            # A read-only store from an older version: empty temporary tables stand in for those it lacks.
            return [sql.replace("CREATE TABLE", "CREATE TEMP TABLE", 1)
                    for sql in lacking if sql.startswith("CREATE TABLE")]
        changes = ["DROP TABLE IF EXISTS histories", "DROP TABLE IF EXISTS history_values"] if stale else []
        changes += lacking
        for table, added in _ADDED.items():
            present = columns.get(table, ours[table][1])  # a table created now has SCHEMA's columns
            changes += [f"ALTER TABLE {table} ADD COLUMN {column} {kind}"
                        for column, kind in added.items() if column not in present]
        return changes

    def _check_text(self, value: str, what: str) -> None:
        """UserInputError if a name given on the command line is not UTF-8 (surrogate-escaped bytes)."""
        try:
            value.encode()
        except UnicodeEncodeError:
            raise UserInputError(f"{what} {ascii(value)} is not valid UTF-8", Location(str(self.path))) from None

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    # ------------------------------------------------------------ writes

    @_reported("write")
    def start_execution(self, arn: str, name: str, machine: str, definition: str | None, input: Any,
                        started_at: str) -> None:
        """Record an execution as RUNNING."""
        self._check_text(name, "execution name")
        self._check_text(machine, "state machine name")
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO executions (arn, name, machine, definition, status, input, "
                            "started_at, pid) VALUES (?, ?, ?, ?, 'RUNNING', ?, ?, ?)",
                            (arn, name, machine, definition, json.dumps(input), started_at, os.getpid()))

    @_reported("write")
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

    @_reported("write")
    def add_message(self, message: Any) -> None:
        """Keep one stub message (an asl.resources.messaging.Message)."""
        with self.db:
            self.db.execute("INSERT INTO messages (message_id, execution_arn, service, target, sent_at, message) "
                            "VALUES (?, ?, ?, ?, ?, ?)", (message.message_id, message.execution_arn, message.service,
                                                          message.target, message.sent_at,
                                                          json.dumps(message.to_dict())))

    @_reported("write")
    def add_task_token(self, token: str, execution_arn: str | None, state_name: str | None) -> None:
        """Record a task token as PENDING: another process may now answer it."""
        now = datetime.datetime.now(datetime.timezone.utc).isoformat()
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO task_tokens (token, execution_arn, state_name, status, created_at) "
                            "VALUES (?, ?, ?, 'PENDING', ?)", (token, execution_arn, state_name, now))

    @_reported("write")
    def answer_task_token(self, token: str, status: str | None, output: str | None = None,
                          error: str | None = None, cause: str | None = None) -> None:
        """SendTaskSuccess / Failure (status SUCCEEDED / FAILED) or Heartbeat (None); raises TaskTokenError."""

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

    @_reported("write")
    def close_task_token(self, token: str, status: str) -> None:
        """The Task of a token is over (answered, timed out or ended otherwise)."""
        with self.db:
            self.db.execute("UPDATE task_tokens SET status = ? WHERE token = ?", (status, token))

    @_reported("read")
    def task_token(self, token: str) -> dict | None:
        """One task token's row (status, output, error, cause, heartbeats), or None."""
        row = self.db.execute("SELECT * FROM task_tokens WHERE token = ?", (token,)).fetchone()
        return dict(row) if row is not None else None

    @_reported("read")
    def task_tokens(self, status: str | None = "PENDING") -> list[dict]:
        """Task tokens, oldest first (PENDING ones by default: the Tasks waiting for an answer)."""
        query, args = "SELECT * FROM task_tokens", []
        if status is not None:
            query += " WHERE status = ?"
            args.append(status)
        return [dict(row) for row in self.db.execute(query + " ORDER BY rowid", args)]

    @_reported("write")
    def mark_interrupted(self) -> int:
        """Executions left RUNNING by a process that is gone (killed, crashed) become ABORTED; how many.

        Runs still going in another process (one waiting for a callback, say) are left alone.
        """
        # SELECT *: a read-only store from before pids has no pid column (its runs count as gone).
        dead = [row["arn"] for row in self.db.execute("SELECT * FROM executions WHERE status = 'RUNNING'")
                if not _alive(row["pid"] if "pid" in row.keys() else None)]
        if not dead:
            return 0
        if not self.writable:
            # Only reading: the runs show as ABORTED to this process, and the file is left as it is.
            self._aborted.update(dead)
            return len(dead)
        with self.db:
            self.db.executemany("UPDATE executions SET status = 'ABORTED' WHERE arn = ? AND status = 'RUNNING'",
                                [(arn,) for arn in dead])
        return len(dead)

    # ------------------------------------------------------------ reads

    @_reported("read")
    def executions(self, limit: int = 50) -> list[dict]:
        """The most recent executions first."""
        self.mark_interrupted()
        rows = self.db.execute("SELECT arn, name, machine, status, error, started_at, stopped_at FROM executions "
                               "ORDER BY started_at DESC, rowid DESC LIMIT ?", (limit,))
        return [self._execution(row) for row in rows]

    @_reported("read")
    def find_execution(self, ref: str) -> dict | None:
        """An execution by ARN, name, or a unique prefix of its name; None if none, UserInputError if several."""
        self._check_text(ref, "execution name")
        self.mark_interrupted()
        row = self.db.execute("SELECT * FROM executions WHERE arn = ? OR name = ?", (ref, ref)).fetchone()
        if row is None and ref:  # an empty prefix would pick the only execution, or any
            prefix = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = self.db.execute("SELECT * FROM executions WHERE name LIKE ? ESCAPE '\\' ORDER BY name, rowid "
                                   "LIMIT ?", (prefix, _CANDIDATES + 1)).fetchall()
            if len(rows) > 1:
                names = [str(row["name"]) for row in rows[:_CANDIDATES]]
                if len(set(names)) < len(names):  # one name on several machines: only ARNs tell them apart
                    names = [str(row["arn"]) for row in rows[:_CANDIDATES]]
                more = ", ..." if len(rows) > _CANDIDATES else ""
                raise UserInputError(f"'{ref}' matches several executions: {', '.join(names)}{more} "
                                     "(give more of the name, or the ARN)", Location(str(self.path)))
            row = rows[0] if rows else None
        return self._execution(row) if row is not None else None

    def _execution(self, row: sqlite3.Row) -> dict:
        """An executions row as a dict, input and output parsed; UserInputError if it is damaged."""
        found = dict(row)
        label = found.get("name") if isinstance(found.get("name"), str) else found.get("arn")
        for key, value in found.items():
            if key in _TEXT_COLUMNS and not isinstance(value, str) and (value is not None or key in _NOT_NULL):
                raise self._damaged(f"execution '{label}': its {key} is not text")
        if found.get("status") == "RUNNING" and found.get("arn") in self._aborted:
            found["status"] = "ABORTED"
        for key in ("input", "output"):
            if found.get(key) is not None:
                try:
                    found[key] = json.loads(found[key])
                except _DAMAGE as exc:
                    raise self._damaged(f"execution '{label}': its stored {key} is damaged ({_why(exc)})") from None
        return found

    def _damaged(self, message: str) -> UserInputError:
        """The error for a row that cannot be read back, naming the store."""
        return UserInputError(message, Location(str(self.path)))

    @_reported("read")
    def events(self, arn: str) -> list[dict]:
        """An execution's history events as GetExecutionHistory returns them."""
        row = self.db.execute("SELECT columns FROM histories WHERE execution_arn = ?", (arn,)).fetchone()
        try:
            if row is not None:
                from .history import History

                values = self.db.execute("SELECT value FROM history_chunks WHERE execution_arn = ? ORDER BY idx",
                                         (arn,))
                parsed = (value for chunk in values for value in json.loads(chunk["value"]))
                events = History.load(row["columns"], parsed).to_aws()["events"]
            else:
                # Stores written before histories were kept as one row hold an event per row.
                rows = self.db.execute("SELECT event FROM events WHERE execution_arn = ? ORDER BY id", (arn,))
                events = [json.loads(row["event"]) for row in rows]
            _check_events(events)
        except _DAMAGE as exc:
            named = self.db.execute("SELECT name FROM executions WHERE arn = ?", (arn,)).fetchone()
            label = named["name"] if named is not None else arn
            raise self._damaged(f"execution '{label}': its stored history is damaged ({_why(exc)})") from None
        return events

    @_reported("read")
    def messages(self, target: str | None = None, execution_arn: str | None = None) -> list[dict]:
        """Kept messages, oldest first, optionally of one topic / queue and one execution."""
        query, args = "SELECT rowid, message FROM messages WHERE 1 = 1", []
        if target is not None:
            self._check_text(target, "topic or queue name")
            query += " AND target = ?"
            args.append(target)
        if execution_arn is not None:
            query += " AND execution_arn = ?"
            args.append(execution_arn)
        return [self._message(row) for row in self.db.execute(query + " ORDER BY rowid", args)]

    def _message(self, row: sqlite3.Row) -> dict:
        """A messages row parsed; UserInputError unless it is an object with the fields `sfn messages` shows."""
        try:
            message = json.loads(row["message"])
            if not isinstance(message, dict):
                raise ValueError("not a JSON object")
            bad = next((key for key in _MESSAGE_TEXT if not isinstance(message.get(key), str)), None)
            if bad is None and not isinstance(message.get("state_name"), (str, type(None))):
                bad = "state_name"
            if bad is not None:
                raise ValueError(f"its {bad} is not text")
        except _DAMAGE as exc:
            raise self._damaged(f"stored message {row['rowid']} is damaged ({_why(exc)})") from None
        return message


class Recording:
    """One execution being written to a store: RUNNING now, complete when `finish` is called."""

    def __init__(self, store: Store, machine: str, name: str, definition: str | None, input: Any,
                 messages: Any = None, *, arn: str | None = None, started: datetime.datetime | None = None) -> None:
        from .aws import execution_arn

        self.store = store
        # The run's own ARN (an Express one has its own form); a Standard one when not given.
        self.arn = arn or execution_arn(machine, name)
        started = started or datetime.datetime.now(datetime.timezone.utc)
        store.start_execution(self.arn, name, machine, definition, input, started.isoformat())
        if messages is not None:
            # Stub messages are written as they are sent, so they survive an interrupted run.
            messages.listeners.append(store.add_message)

    def finish(self, result: Any) -> None:
        """Status, output and events of the finished execution."""
        last = result.history.last_time
        stopped = last.isoformat() if last is not None else None
        self.store.finish_execution(self.arn, result, stopped)

"""The Store: one SQLite file of executions, their histories, stub messages and task tokens.

Writes are short transactions that take the write lock first and are tried again while another
process holds it; every method runs under the store's own lock, so a recording's flusher thread
can share the connection. What SQLite refuses, and rows that do not decode, raise UserInputError
naming the file.
"""

from __future__ import annotations

import datetime
import json
import os
import sqlite3
import threading
from typing import TYPE_CHECKING, Any, Iterator

from .. import deepjson
from ..errors import ApiError, Location, UserInputError
from . import owners
from .names import check_execution_name
from .reporting import DAMAGE, reported, store_error, transaction, why
from .retention import Pruned, Retention, doomed
from .schema import prepare
from .segments import Segment, SegmentWriter, read_history

if TYPE_CHECKING:  # annotations only: pathlib (with urllib.parse) is ~4 ms of a run's start
    from pathlib import Path

_CANDIDATES = 5  # names an ambiguous prefix lists

# Columns of executions that hold text (NOT NULL ones too): anything else is a damaged row.
_TEXT_COLUMNS = {"arn", "name", "machine", "definition", "status", "input", "output", "error", "cause",
                 "started_at", "stopped_at"}
_NOT_NULL = {"arn", "name", "machine", "status", "started_at"}
_LISTED = ("arn", "name", "machine", "status", "error", "started_at", "stopped_at")
# Fields of a stored message `sfn messages` prints as text.
_MESSAGE_TEXT = ("message_id", "service", "target", "body", "sent_at")
_ENDS = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}
# Rows of one execution, table by table (a pruned execution leaves none).
_OWN_ROWS = (("executions", "arn"), ("history_columns", "execution_arn"), ("history_chunks", "execution_arn"),
             ("events", "execution_arn"), ("messages", "execution_arn"), ("task_tokens", "execution_arn"))


def _alive(pid: Any) -> bool:
    """Whether a process with this id runs here (stores from before owner locks; None: before pids)."""
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


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


class Store:
    """One SQLite database; every write is its own transaction."""

    def __init__(self, path: str | Path, write: bool = True, timeout: float = 10.0) -> None:
        """Open the store, creating or upgrading its tables; write=False also opens one that is read-only.

        `timeout`: seconds a write waits for another process's lock before it is tried again.
        """
        self.file = os.fspath(path)   # a str: a run need not import pathlib (~4 ms) for it
        self.lock = threading.RLock()
        self._aborted: set[str] = set()  # interrupted runs a read-only store could not mark ABORTED
        self._owners: dict[str, str | None] = {}  # executions this store started: arn -> owner lock
        try:
            folder = os.path.dirname(self.file)
            if folder:
                os.makedirs(folder, exist_ok=True)
            new = not os.path.exists(self.file) or os.stat(self.file).st_size == 0
            self.db = sqlite3.connect(self.file, timeout=timeout, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise store_error(self.file, exc, "open") from None
        try:
            self.writable = prepare(self.db, self.file, write, new=new)
        except BaseException:
            self.db.close()
            raise
        self.db.row_factory = sqlite3.Row

    @property
    def path(self) -> Path:
        """The store's file."""
        from pathlib import Path

        return Path(self.file)

    def _check_text(self, value: str, what: str) -> None:
        """UserInputError if a name given on the command line is not UTF-8 (surrogate-escaped bytes)."""
        try:
            value.encode()
        except UnicodeEncodeError:
            raise UserInputError(f"{what} {ascii(value)} is not valid UTF-8", Location(self.file)) from None

    def close(self) -> None:
        """Close the database."""
        with self.lock:
            self.db.close()

    # ------------------------------------------------------------ executions being recorded

    @reported("write")
    def start_execution(self, arn: str, name: str, machine: str, definition: str | None, input: Any,
                        started_at: str, options: dict | None = None) -> None:
        """Record an execution as RUNNING, as StartExecution starts one.

        ApiError InvalidName (or ValidationException) for a name StartExecution refuses, and
        ExecutionAlreadyExists if the store holds this ARN already: an execution is never replaced.
        options: how it was run (resources file, mocks, ...), for `sfn redrive` to run it the same way.
        """
        check_execution_name(name)
        self._check_text(machine, "state machine name")
        text = deepjson.dumps(input)
        # The owner's lock is held before the row says RUNNING, so nobody sees the run without it.
        owner = owners.take(self.file) if self.writable else None
        try:
            self._insert(arn, name, machine, definition, text, started_at, owner)
            if options:
                self._set_options(arn, json.dumps(options))
        except BaseException:
            owners.release(self.file, owner)
            raise
        self._owners[arn] = owner

    @transaction
    def _insert(self, arn: str, name: str, machine: str, definition: str | None, input: str, started_at: str,
                owner: str | None) -> None:
        if self.db.execute("SELECT 1 FROM executions WHERE arn = ?", (arn,)).fetchone() is not None:
            raise ApiError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'", Location(self.file))
        self.db.execute("INSERT INTO executions (arn, name, machine, definition, status, input, started_at, pid, "
                        "owner, size) VALUES (?, ?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?)",
                        (arn, name, machine, definition, input, started_at, os.getpid(), owner,
                         len(input) + len(definition or "")))

    @transaction
    def _set_options(self, arn: str, options: str) -> None:
        self.db.execute("UPDATE executions SET options = ? WHERE arn = ?", (options, arn))

    @reported("read")
    def redrive_source(self, ref: str) -> dict | None:
        """What a redrive continues: the execution's row (`redrive` and `options` parsed), its History
        (`history`) and how many values its segments hold (`values`, `segments`); None if there is none."""
        found = self.find_execution(ref)
        if found is None:
            return None
        arn = found["arn"]
        row = self.db.execute("SELECT redrive, options, (SELECT count(*) FROM history_columns WHERE "
                              "execution_arn = arn) AS segments FROM executions WHERE arn = ?", (arn,)).fetchone()
        try:
            found["redrive"] = json.loads(row["redrive"]) if row["redrive"] else None
            found["options"] = json.loads(row["options"]) if row["options"] else {}
            columns = [r["columns"] for r in self.db.execute(
                "SELECT columns FROM history_columns WHERE execution_arn = ? ORDER BY idx", (arn,))]
            values = [value for r in self.db.execute(
                "SELECT value FROM history_chunks WHERE execution_arn = ? ORDER BY idx", (arn,))
                for value in deepjson.loads(r["value"])]
            found["history"] = read_history(columns, [deepjson.dumps(values)]) if columns else None
        except DAMAGE as exc:
            raise self._damaged(f"execution '{found['name']}': its stored history is damaged ({why(exc)})") from None
        found["values"], found["segments"] = len(values), row["segments"]
        return found

    @reported("write")
    def reopen_execution(self, arn: str, redrive_date: str, redrive_count: int) -> int:
        """A redriven execution is RUNNING again (one more redrive); its redrive count.

        redrive_count: the count the redrive read with the execution's history. ApiError
        ExecutionNotRedrivable if it is not FAILED, TIMED_OUT or ABORTED with that count any more
        (another redrive came first: its history is not the one read).
        """
        owner = owners.take(self.file) if self.writable else None
        try:
            count = self._reopen(arn, redrive_date, redrive_count, owner)
        except BaseException:
            owners.release(self.file, owner)
            raise
        self._owners[arn] = owner
        return count

    @transaction
    def _reopen(self, arn: str, redrive_date: str, redrive_count: int, owner: str | None) -> int:
        changed = self.db.execute(
            "UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, stopped_at = NULL, "
            "redrive = NULL, redrive_count = redrive_count + 1, redrive_date = ?, pid = ?, owner = ? "
            "WHERE arn = ? AND status IN ('FAILED', 'TIMED_OUT', 'ABORTED') AND redrive_count = ?",
            (redrive_date, os.getpid(), owner, arn, redrive_count))
        if changed.rowcount != 1:
            status = self._status(arn)
            reason = (f"Execution is {status} and cannot be redriven" if status not in ("FAILED", "TIMED_OUT", "ABORTED")
                      else "Execution was redriven meanwhile")
            raise ApiError("ExecutionNotRedrivable", reason, Location(self.file))
        return self.db.execute("SELECT redrive_count FROM executions WHERE arn = ?", (arn,)).fetchone()[0]

    @reported("write")
    @transaction
    def append_history(self, arn: str, segments: list[Segment]) -> None:
        """Add events of a running execution (segments in order), in one transaction."""
        self._append(arn, segments)

    def _append(self, arn: str, segments: list[Segment]) -> None:
        size = 0
        for segment in segments:
            self.db.execute("INSERT INTO history_columns (execution_arn, idx, columns) VALUES (?, ?, ?)",
                            (arn, segment.index, segment.columns))
            size += len(segment.columns)
            for first, row in segment.rows():  # encoded one row at a time, as it is written
                self.db.execute("INSERT INTO history_chunks (execution_arn, idx, value) VALUES (?, ?, ?)",
                                (arn, first, row))
                size += len(row)
        self.db.execute("UPDATE executions SET size = size + ? WHERE arn = ?", (size, arn))

    @reported("write")
    def complete_execution(self, arn: str, result: Any, stopped_at: str | None, segments: list[Segment]) -> None:
        """Status, output and the last events of an execution, in one transaction; its owner lock is released."""
        output = deepjson.dumps(result.output)
        self._complete(arn, result, output, stopped_at, segments)
        owners.release(self.file, self._owners.pop(arn, None))

    @transaction
    def _complete(self, arn: str, result: Any, output: str, stopped_at: str | None, segments: list[Segment]) -> None:
        self._append(arn, segments)
        resume = getattr(result, "resume", None)
        resume = deepjson.dumps(resume) if resume is not None else None  # where a redrive continues the run
        self.db.execute("UPDATE executions SET status = ?, output = ?, error = ?, cause = ?, stopped_at = ?, "
                        "redrive = ?, size = size + ? WHERE arn = ?",
                        (result.status, output, result.error, result.cause, stopped_at, resume,
                         len(output) + len(resume or ""), arn))

    def finish_execution(self, arn: str, result: Any, stopped_at: str | None) -> None:
        """Status, output and every event of a finished execution, in one transaction."""
        self.complete_execution(arn, result, stopped_at, [SegmentWriter().segment(result.history.events)])

    # ------------------------------------------------------------ messages and task tokens

    @reported("write")
    @transaction
    def add_message(self, message: Any) -> None:
        """Keep one stub message (an asl.resources.messages.Message)."""
        self.db.execute("INSERT INTO messages (message_id, execution_arn, service, target, sent_at, message) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (message.message_id, message.execution_arn, message.service,
                                                      message.target, message.sent_at, json.dumps(message.to_dict())))

    @reported("write")
    @transaction
    def add_task_token(self, token: str, execution_arn: str | None, state_name: str | None) -> None:
        """Record a task token as PENDING: another process may now answer it."""
        self.db.execute("INSERT OR REPLACE INTO task_tokens (token, execution_arn, state_name, status, created_at) "
                        "VALUES (?, ?, ?, 'PENDING', ?)", (token, execution_arn, state_name, _now()))

    @reported("write")
    @transaction
    def answer_task_token(self, token: str, status: str | None, output: str | None = None,
                          error: str | None = None, cause: str | None = None) -> None:
        """SendTaskSuccess / Failure (status SUCCEEDED / FAILED) or Heartbeat (None); raises TaskTokenError."""
        from ..errors import TASK_DOES_NOT_EXIST, TASK_TIMED_OUT, TaskTokenError

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

    @reported("write")
    @transaction
    def close_task_token(self, token: str, status: str) -> None:
        """The Task of a token is over (answered, timed out or ended otherwise); an answer kept stays."""
        self.db.execute("UPDATE task_tokens SET status = ? WHERE token = ? AND status = 'PENDING'", (status, token))

    @reported("write")
    @transaction
    def expire_task_token(self, token: str) -> bool:
        """Time a PENDING token out, atomically: False when an answer got in first (the run must use it)."""
        cursor = self.db.execute("UPDATE task_tokens SET status = 'TIMED_OUT' WHERE token = ? AND status = 'PENDING'",
                                 (token,))
        return cursor.rowcount == 1 or self.db.execute(
            "SELECT 1 FROM task_tokens WHERE token = ?", (token,)).fetchone() is None

    @reported("read")
    def task_token(self, token: str) -> dict | None:
        """One task token's row (status, output, error, cause, heartbeats), or None."""
        row = self.db.execute("SELECT * FROM task_tokens WHERE token = ?", (token,)).fetchone()
        return dict(row) if row is not None else None

    @reported("read")
    def task_tokens(self, status: str | None = "PENDING") -> list[dict]:
        """Task tokens, oldest first (PENDING ones by default: the Tasks waiting for an answer)."""
        query, args = "SELECT * FROM task_tokens", []
        if status is not None:
            query += " WHERE status = ?"
            args.append(status)
        return [dict(row) for row in self.db.execute(query + " ORDER BY rowid", args)]

    # ------------------------------------------------------------ runs that ended without a word

    def _running(self, row: sqlite3.Row) -> bool:
        """Whether the process that recorded a RUNNING execution still runs it (its lock; else its pid)."""
        keys = row.keys()
        held = owners.alive(self.file, row["owner"]) if "owner" in keys else None
        if held is None:  # recorded before owner locks (or where files cannot be locked)
            return _alive(row["pid"] if "pid" in keys else None)
        return held

    @reported("write")
    def mark_interrupted(self) -> int:
        """Executions left RUNNING by a process that is gone (killed, crashed) become ABORTED; how many.

        Runs still going in another process (one waiting for a callback, say, in another container
        sharing the folder) are left alone.
        """
        # SELECT *: a read-only store from before pids has no pid column (its runs count as gone).
        rows = self.db.execute("SELECT * FROM executions WHERE status = 'RUNNING'").fetchall()
        dead = [row for row in rows if not self._running(row)]
        if not dead:
            return 0
        if not self.writable:
            # Only reading: the runs show as ABORTED to this process, and the file is left as it is.
            self._aborted.update(row["arn"] for row in dead)
            return len(dead)
        self._abort([row["arn"] for row in dead])
        for row in dead:
            owners.forget(self.file, row["owner"])
        return len(dead)

    @transaction
    def _abort(self, arns: list[str]) -> None:
        self.db.executemany("UPDATE executions SET status = 'ABORTED' WHERE arn = ? AND status = 'RUNNING'",
                            [(arn,) for arn in arns])

    # ------------------------------------------------------------ retention

    @reported("write")
    def prune(self, retention: Retention, vacuum: bool = True, spare: str | None = None) -> Pruned:
        """Remove the executions (with their events, messages and tokens) the retention does not keep.

        vacuum: rewrite the file to give all free space back to the file system (VACUUM); else
        only the pages freed now are given back (a store from before incremental vacuum is
        rewritten once). spare: an execution never removed (the run just recorded).
        """
        self.mark_interrupted()
        before = os.stat(self.file).st_size
        removed = 0
        now = datetime.datetime.now(datetime.timezone.utc)
        for _ in range(3):  # sizes are estimates: measured again after each round
            arns = doomed(self.db, retention, now, spare)
            if not arns:
                break
            self._remove(arns)
            removed += len(arns)
        incremental = self.db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
        if vacuum or (removed and not incremental):
            self.db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # a store from before it: switched by VACUUM
            self.db.execute("VACUUM")
        elif removed:
            self.db.executescript("PRAGMA incremental_vacuum;")  # stepped to the end: every freed page
        return Pruned(removed, before, os.stat(self.file).st_size)

    @transaction
    def _remove(self, arns: list[str]) -> None:
        for table, column in _OWN_ROWS:
            self.db.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(arn,) for arn in arns])

    # ------------------------------------------------------------ reads

    @reported("read")
    def executions(self, limit: int = 50) -> list[dict]:
        """The most recent executions first."""
        self.mark_interrupted()
        rows = self.db.execute(f"SELECT {', '.join(_LISTED)} FROM executions "
                               "ORDER BY started_at DESC, rowid DESC LIMIT ?", (limit,))
        return [self._execution(row) for row in rows]

    @reported("read")
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
                                     "(give more of the name, or the ARN)", Location(self.file))
            row = rows[0] if rows else None
        return self._execution(row) if row is not None else None

    def _execution(self, row: sqlite3.Row) -> dict:
        """An executions row as a dict, input and output parsed; UserInputError if it is damaged."""
        found = {key: row[key] for key in row.keys() if key not in ("pid", "owner", "size", "redrive", "options")}
        label = found.get("name") if isinstance(found.get("name"), str) else found.get("arn")
        for key, value in found.items():
            if key in _TEXT_COLUMNS and not isinstance(value, str) and (value is not None or key in _NOT_NULL):
                raise self._damaged(f"execution '{label}': its {key} is not text")
        if found.get("status") == "RUNNING" and found.get("arn") in self._aborted:
            found["status"] = "ABORTED"
        for key in ("input", "output"):
            if found.get(key) is not None:
                try:
                    found[key] = deepjson.loads(found[key])
                except DAMAGE as exc:
                    raise self._damaged(f"execution '{label}': its stored {key} is damaged ({why(exc)})") from None
        return found

    def _damaged(self, message: str) -> UserInputError:
        """The error for a row that cannot be read back, naming the store."""
        return UserInputError(message, Location(self.file))

    @reported("read")
    def events(self, arn: str) -> list[dict]:
        """An execution's history events as GetExecutionHistory returns them (so far, for a running one).

        The history of a run whose process was killed ends with ExecutionAborted after what it recorded.
        """
        return list(self.iter_events(arn))

    def iter_events(self, arn: str) -> Iterator[dict]:
        """`events`, one at a time: a long history with large payloads is never all in its AWS form at once.

        A damaged history raises before the first event when its columns cannot be read, else at
        the first event that is not well formed.
        """
        last = None
        try:
            with self.lock:  # as `reported` does for one call: the recording's flusher shares the connection
                for event in self._checked_events(arn):
                    last = event
                    yield event
                aborted = last is not None and last["type"] not in _ENDS and self._status(arn) == "ABORTED"
        except (sqlite3.Error, UnicodeEncodeError, OSError) as exc:
            raise store_error(self.file, exc, "read") from None
        if aborted:
            yield {"id": last["id"] + 1, "previousEventId": last["id"], "timestamp": last["timestamp"],
                   "type": "ExecutionAborted", "executionAbortedEventDetails": {}}

    def _checked_events(self, arn: str) -> Iterator[dict]:
        try:
            columns = [row["columns"] for row in self.db.execute(
                "SELECT columns FROM history_columns WHERE execution_arn = ? ORDER BY idx", (arn,))]
            if columns:
                chunks = self.db.execute("SELECT value FROM history_chunks WHERE execution_arn = ? ORDER BY idx",
                                         (arn,))
                events = read_history(columns, (row["value"] for row in chunks)).iter_aws()
            else:
                # Stores written before histories were kept as columns hold an event per row.
                rows = self.db.execute("SELECT event FROM events WHERE execution_arn = ? ORDER BY id", (arn,))
                events = (json.loads(row["event"]) for row in rows.fetchall())
            for event in events:
                _check_events([event])
                yield event
        except DAMAGE as exc:
            named = self.db.execute("SELECT name FROM executions WHERE arn = ?", (arn,)).fetchone()
            label = named["name"] if named is not None else arn
            raise self._damaged(f"execution '{label}': its stored history is damaged ({why(exc)})") from None

    def _status(self, arn: str) -> str | None:
        row = self.db.execute("SELECT status FROM executions WHERE arn = ?", (arn,)).fetchone()
        status = row["status"] if row is not None else None
        return "ABORTED" if status == "RUNNING" and arn in self._aborted else status

    @reported("read")
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
        except DAMAGE as exc:
            raise self._damaged(f"stored message {row['rowid']} is damaged ({why(exc)})") from None
        return message

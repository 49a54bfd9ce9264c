"""The SQLite store and the commands that read it: executions, history, messages."""

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl.api import machine_from_definition, run_machine
from asl.errors import UserInputError
from asl.resources.messages import Message
from asl.store import Recording, Store, default_path
from asl.store.database import _alive
from cli.main import sfn

REAL_CONNECT = sqlite3.connect  # the read_only fixture replaces sqlite3.connect

PUBLISH = {"StartAt": "Publish", "States": {
    "Publish": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:orders", "Message.$": "$"},
                "ResultPath": "$.sent", "Next": "Send"},
    "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
             "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/audit",
                            "MessageBody": "done"}, "End": True}}}
RESOURCES = "topics: {orders: {}}\nqueues: {audit: {}, order-events: {}}\n" \
            "subscriptions:\n  orders:\n    - queue: order-events\n"


def sfn_cli(*args, cwd=None):
    return CliRunner().invoke(sfn, [str(a) for a in args])


@pytest.fixture
def project(tmp_path):
    (tmp_path / "orders.json").write_text(json.dumps(PUBLISH))
    (tmp_path / "resources.yaml").write_text(RESOURCES)
    return tmp_path


def run_orders(project, *extra):
    return sfn_cli("run", project / "orders.json", "--input", '{"id": 1}', "--output", "json",
                   "--clock", "virtual", *extra)


def test_run_keeps_execution_events_and_messages(project):
    result = run_orders(project, "--execution-name", "first")
    assert result.exit_code == 0, result.output
    store = Store(default_path())
    [row] = store.executions()
    assert row["name"] == "first" and row["status"] == "SUCCEEDED" and row["machine"] == "orders"
    found = store.find_execution("fir")
    assert found["input"] == {"id": 1} and found["output"]["MessageId"]
    types = [e["type"] for e in store.events(found["arn"])]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    assert [m["target"] for m in store.messages()] == ["orders", "order-events", "audit"]
    assert store.messages("audit")[0]["body"] == "done"
    assert store.messages(execution_arn=found["arn"])[0]["state_name"] == "Publish"


def test_no_store_and_store_path(project, tmp_path):
    assert run_orders(project, "--no-store").exit_code == 0
    assert not default_path().exists()
    elsewhere = tmp_path / "elsewhere" / "x.db"
    assert run_orders(project, "--store", elsewhere).exit_code == 0
    assert len(Store(elsewhere).executions()) == 1


def test_cli_executions_history_and_messages(project):
    run_orders(project, "--execution-name", "one")
    run_orders(project, "--execution-name", "two")
    db = default_path()
    listed = sfn_cli("executions", "--store", db, "--output", "json")
    assert [r["name"] for r in json.loads(listed.stdout)] == ["two", "one"]
    # CliRunner's stdout is not a terminal: plain lines with whole names.
    lines = sfn_cli("executions", "--store", db).stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["two", "one"]
    assert all(line.split("\t")[2] == "SUCCEEDED" for line in lines)
    history = sfn_cli("history", "one", "--store", db, "--output", "json")
    events = json.loads(history.stdout)["events"]
    assert history.exit_code == 0 and events[-1]["type"] == "ExecutionSucceeded"
    assert isinstance(events[0]["executionStartedEventDetails"]["input"], str)   # JSON text, as AWS gives it
    trace = sfn_cli("history", "two", "--store", db)
    assert "Publish" in trace.stdout and "SUCCEEDED" in trace.stdout
    queue = json.loads(sfn_cli("messages", "order-events", "--store", db, "--output", "json").stdout)
    assert len(queue) == 2 and json.loads(queue[0]["body"])["Type"] == "Notification"
    mine = json.loads(sfn_cli("messages", "--execution", "one", "--store", db, "--output", "json").stdout)
    assert len(mine) == 3
    assert "orders" in sfn_cli("messages", "--store", db).stdout


@pytest.mark.parametrize("args,message", [
    (["history", "nope"], "no execution 'nope'"),
    (["messages", "--execution", "nope"], "no execution 'nope'"),
])
def test_cli_unknown_execution_exits_2(project, args, message):
    run_orders(project)
    result = sfn_cli(*args, "--store", default_path())
    assert result.exit_code == 2 and message in result.output


@pytest.mark.parametrize("command", ["executions", "history X", "messages"])
def test_cli_without_a_store_exits_2(tmp_path, command):
    result = sfn_cli(*command.split(), "--store", tmp_path / "none.db")
    assert result.exit_code == 2 and "no store here" in result.output


def test_interrupted_run_is_consistent_and_marked_aborted(tmp_path):
    from asl.store import owners

    store = Store(tmp_path / "s.db")
    machine = machine_from_definition({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    recording = Recording(store, "m", "crashed", None, {"x": 1})
    # Still running in this (live) process: left alone, whatever its pid says.
    with store.db:
        store.db.execute("UPDATE executions SET pid = ? WHERE name = 'crashed'", (dead_pid(),))
    assert store.find_execution("crashed")["status"] == "RUNNING"
    assert store.events(recording.arn) == []
    assert store.mark_interrupted() == 0
    # The process lets go of its lock as it dies: the execution is ABORTED when next looked at.
    owners.release(store.path, store._owners[recording.arn])
    assert store.find_execution("crashed")["status"] == "ABORTED"
    done = Recording(store, "m", "fine", None, {})
    done.finish(run_machine(machine, {}, clock="virtual"))
    assert store.find_execution("fine")["status"] == "SUCCEEDED"
    assert store.mark_interrupted() == 0


def test_a_run_recorded_before_owner_locks_is_judged_by_its_pid(tmp_path):
    store = Store(tmp_path / "s.db")
    for name, pid in (("gone", dead_pid()), ("here", os.getpid())):
        with store.db:
            store.db.execute("INSERT INTO executions (arn, name, machine, status, started_at, pid) VALUES "
                             "(?, ?, 'm', 'RUNNING', '2024-01-01T00:00:00+00:00', ?)", (f"arn:{name}", name, pid))
    assert {row["name"]: row["status"] for row in store.executions()} == {"gone": "ABORTED", "here": "RUNNING"}


def test_ctrl_c_during_run_is_stored_as_aborted(tmp_path):
    from asl.resources.compose import Services

    class Interrupting:
        def can_handle(self, state_name, resource, parameters):
            return True

        def invoke(self, call):
            raise KeyboardInterrupt

    machine = machine_from_definition({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": True}}})
    store = Store(tmp_path / "s.db")
    recording = Recording(store, "m", "stopped", None, {})
    recording.finish(run_machine(machine, {}, clock="virtual", resources=Services.of(Interrupting())))
    found = store.find_execution("stopped")
    assert found["status"] == "ABORTED"
    assert store.events(found["arn"])[-1]["type"] == "ExecutionAborted"


def test_unwritable_store_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_orders_at(tmp_path, "--store", blocker / "sub" / "s.db")
    assert result.exit_code == 2 and "cannot open the store" in result.output


def run_orders_at(folder, *extra):
    (folder / "m.json").write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}))
    return sfn_cli("run", folder / "m.json", "--output", "json", *extra)


# ---------------------------------------------------------------- bad stores: one-line errors, never a crash
PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}


def record(store, *names):
    """Run a one-state machine once per name, recorded in the store."""
    machine = machine_from_definition(PASS)
    for name in names:
        recording = Recording(store, "m", name, None, {"n": name})
        recording.finish(run_machine(machine, {"n": name}, clock="virtual", execution_name=name))
    return store


@pytest.fixture
def recorded(tmp_path):
    """A store with executions e1 and e2, and one message."""
    store = record(Store(tmp_path / "s.db"), "e1", "e2")
    store.add_message(Message(message_id="m-1", service="sqs", target="q", body="hi", sent_at="now"))
    return store


def tables(path):
    db = sqlite3.connect(path)
    try:
        return sorted(name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    finally:
        db.close()


@pytest.mark.parametrize("setup,problem", [
    ("CREATE TABLE executions (id INTEGER, name TEXT, status TEXT)", "table executions has no column arn"),
    ("CREATE TABLE people (id INTEGER)", "it has no executions table"),
    ("CREATE TABLE executions (arn TEXT, name TEXT, machine TEXT, definition TEXT, status TEXT, input TEXT, "
     "output TEXT, error TEXT, cause TEXT, started_at TEXT, stopped_at TEXT); "
     "CREATE TABLE messages (message_id TEXT, target TEXT)", "table messages has no column execution_arn"),
    (b"not a database at all, but long enough to look like one" * 4, "file is not a database"),
])
@pytest.mark.parametrize("write", [True, False])
def test_a_file_that_is_not_an_sfn_store_is_refused_untouched(tmp_path, setup, problem, write):
    path = tmp_path / "x.db"
    if isinstance(setup, bytes):
        path.write_bytes(setup)
    else:
        sqlite3.connect(path).executescript(setup)
    before = path.read_bytes()
    with pytest.raises(UserInputError) as caught:
        Store(path, write=write)
    assert str(caught.value) == f"{path}: not an sfn store ({problem})"
    assert path.read_bytes() == before  # nothing of ours was added to someone else's database


def test_an_empty_file_becomes_a_store(tmp_path):
    (tmp_path / "new.db").write_bytes(b"")
    Store(tmp_path / "new.db").close()
    assert "executions" in tables(tmp_path / "new.db")


def test_a_store_of_an_older_version_is_upgraded_not_refused(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    # No pid, no task_tokens / history_chunks, and histories in a development build's shape.
    db.executescript("""
        CREATE TABLE executions (arn TEXT PRIMARY KEY, name TEXT NOT NULL, machine TEXT NOT NULL, definition TEXT,
            status TEXT NOT NULL, input TEXT, output TEXT, error TEXT, cause TEXT, started_at TEXT NOT NULL,
            stopped_at TEXT);
        CREATE TABLE events (execution_arn TEXT NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL);
        CREATE TABLE histories (execution_arn TEXT PRIMARY KEY, blob TEXT);
        CREATE TABLE messages (message_id TEXT NOT NULL, execution_arn TEXT, service TEXT NOT NULL,
            target TEXT NOT NULL, sent_at TEXT, message TEXT NOT NULL);
        INSERT INTO executions VALUES ('arn:old', 'old', 'm', NULL, 'SUCCEEDED', '{}', '{}', NULL, NULL,
            '2024-01-01T00:00:00+00:00', NULL);
        INSERT INTO events VALUES ('arn:old', 1, '{"id": 1, "previousEventId": 0, "type": "ExecutionStarted",
            "timestamp": "2024-01-01T00:00:00+00:00", "executionStartedEventDetails": {"input": "{}"}}');
    """)
    db.close()
    store = Store(path)
    assert [row["name"] for row in store.executions()] == ["old"]
    assert [e["type"] for e in store.events("arn:old")] == ["ExecutionStarted"]
    assert {"task_tokens", "history_chunks"} <= set(tables(path))
    assert "pid" in {row[1] for row in store.db.execute("PRAGMA table_info(executions)")}
    record(store, "new")
    assert store.find_execution("new")["status"] == "SUCCEEDED"


# (SQL damaging the store of `recorded`, what is read, the one-line message after "STORE: ")
DAMAGE = [
    ("UPDATE executions SET input = '{bad' WHERE name = 'e1'", "find e1",
     "execution 'e1': its stored input is damaged (Expecting property name"),
    ("UPDATE executions SET output = '[1' WHERE name = 'e1'", "find e1",
     "execution 'e1': its stored output is damaged (Expecting"),
    ("UPDATE executions SET status = X'41' WHERE name = 'e1'", "list", "execution 'e1': its status is not text"),
    ("UPDATE executions SET name = X'00ff' WHERE name = 'e1'", "list",
     "execution 'arn:aws:states:us-east-1:123456789012:execution:m:e1': its name is not text"),
    ("UPDATE executions SET machine = CAST(X'ff' AS TEXT) WHERE name = 'e1'", "list",
     "the store is damaged (Could not decode to UTF-8"),
    ("UPDATE history_chunks SET value = '[oops'", "events e1",
     "execution 'e1': its stored history is damaged (Expecting value"),
    ("UPDATE history_chunks SET value = '" + "[" * 100_000 + "'", "events e1",
     "execution 'e1': its stored history is damaged (expected a value at character 100000)"),
    ("UPDATE history_columns SET columns = '{\"format\": 1}'", "events e1",
     "execution 'e1': its stored history is damaged (no 'data')"),
    ("UPDATE history_columns SET columns = '[]'", "events e1", "execution 'e1': its stored history is damaged"),
    ("UPDATE history_columns SET columns = json_set(columns, '$.data[0]', 99)", "events e1",
     "execution 'e1': its stored history is damaged (list index out of range)"),
    ("UPDATE history_columns SET columns = json_set(columns, '$.types[0]', 5)", "events e1",
     "execution 'e1': its stored history is damaged"),
    ("UPDATE history_columns SET columns = json_set(columns, '$.tables.times[0]', 'noon')", "events e1",
     "execution 'e1': its stored history is damaged (Invalid isoformat string: 'noon')"),
    ("UPDATE history_columns SET columns = json_set(columns, '$.tables.times[0]', '2024-01-01T00:00:00')",
     "events e1", "execution 'e1': its stored history is damaged (event 1 has a timestamp without a time zone)"),
    ("UPDATE history_columns SET columns = json_set(columns, '$.tables.names[1]', json('[1]'))", "events e1",
     "execution 'e1': its stored history is damaged (event 2 has malformed stateEnteredEventDetails)"),
    ("UPDATE history_columns SET columns = json_set(columns, '$.times[0]', 'noon')", "events e1",
     "execution 'e1': its stored history is damaged (column times holds something else than numbers)"),
    ("UPDATE history_columns SET columns = json_set(columns, '$.times[0]', 9000000000000000000)", "events e1",
     "execution 'e1': its stored history is damaged (date value out of range)"),
    ("UPDATE history_columns SET columns = json_set(columns, '$.format', 2, '$.times[0]', -1)", "events e1",
     "execution 'e1': its stored history is damaged (column times holds something else than indexes)"),
    ("UPDATE history_columns SET columns = json_set(columns, '$.names[0]', -1)", "events e1",
     "execution 'e1': its stored history is damaged (column names holds something else than indexes)"),
    ("UPDATE history_columns SET columns = json_set(columns, '$.links', json('[[0, \"x\", 0]]'))", "events e1",
     "execution 'e1': its stored history is damaged (link 0 -> 0 is out of order or range)"),
    # a store of format 1 (before values were linked): its columns hold the types, times and names themselves
    ("UPDATE history_columns SET columns = json_set(json_remove(columns, '$.tables'), '$.times[0]', 'noon')",
     "events e1", "execution 'e1': its stored history is damaged (Invalid isoformat string: 'noon')"),
    ("DELETE FROM history_columns; INSERT INTO events VALUES ((SELECT arn FROM executions WHERE name = 'e1'), 1, 'x')",
     "events e1", "execution 'e1': its stored history is damaged (Expecting value"),
    ("DELETE FROM history_columns; INSERT INTO events VALUES ((SELECT arn FROM executions WHERE name = 'e1'), 1, "
     "'{\"id\": 1}')", "events e1",
     "execution 'e1': its stored history is damaged (an event lacks its id, type or timestamp)"),
    ("UPDATE messages SET message = '{bad'", "messages", "stored message 1 is damaged (Expecting property name"),
    ("UPDATE messages SET message = '[1, 2]'", "messages", "stored message 1 is damaged (not a JSON object)"),
    ("UPDATE messages SET message = json_set(message, '$.body', 5)", "messages",
     "stored message 1 is damaged (its body is not text)"),
    ("UPDATE messages SET message = json_set(message, '$.state_name', json('{}'))", "messages",
     "stored message 1 is damaged (its state_name is not text)"),
    ("DROP TABLE history_chunks", "events e1", "not an sfn store (no such table: history_chunks)"),
]


def read(store, what):
    """Do one of DAMAGE's reads."""
    if what == "list":
        return store.executions()
    if what == "messages":
        return store.messages()
    verb, name = what.split()
    if verb == "find":
        return store.find_execution(name)
    return store.events(store.find_execution(name)["arn"])


@pytest.mark.parametrize("sql,what,message", DAMAGE, ids=[d[0][:40] for d in DAMAGE])
def test_a_damaged_row_is_a_one_line_error_naming_the_store(recorded, sql, what, message):
    other = sqlite3.connect(recorded.path)
    other.executescript(sql)
    other.close()
    with pytest.raises(UserInputError) as caught:
        read(recorded, what)
    text = str(caught.value)
    assert text.startswith(f"{recorded.path}: {message}") and "\n" not in text


def test_stores_opened_at_once_are_created_once(tmp_path):
    import threading

    # Tables are created under the write lock, after looking at what is there: never twice.
    start = threading.Barrier(8)
    failures = []

    def open_store():
        start.wait()
        try:
            Store(tmp_path / "new.db").close()
        except Exception as exc:  # collected: the assertion shows them all
            failures.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_sqlite_errors_of_any_method_become_user_input_errors(recorded, monkeypatch):
    import asl.store.reporting

    monkeypatch.setattr(asl.store.reporting, "PAUSE", 0.001)  # tried again, then reported
    with pytest.raises(UserInputError, match="cannot write the store: database is locked"):
        locker = sqlite3.connect(recorded.path)
        locker.execute("BEGIN EXCLUSIVE")
        recorded.db.execute("PRAGMA busy_timeout = 0")
        try:
            recorded.add_task_token("t", None, None)
        finally:
            locker.rollback()
    assert recorded.task_tokens() == []


# ---------------------------------------------------------------- read-only stores


@pytest.fixture
def read_only(monkeypatch):
    """SQLite opens every store file read-only (chmod alone does not stop root)."""
    def read_only_connect(database, *args, **kwargs):
        if database == ":memory:":
            return REAL_CONNECT(database, *args, **kwargs)
        return REAL_CONNECT(Path(database).resolve().as_uri() + "?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", read_only_connect)


def dead_pid():
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


def test_a_read_only_store_is_read_but_not_written(recorded, read_only):
    with recorded.db:
        recorded.db.execute("UPDATE executions SET status = 'RUNNING', pid = ? WHERE name = 'e1'", (dead_pid(),))
    with pytest.raises(UserInputError) as caught:
        Store(recorded.path)
    assert str(caught.value) == f"{recorded.path}: cannot write the store: attempt to write a readonly database"
    store = Store(recorded.path, write=False)
    assert not store.writable
    # The run whose process is gone reads as ABORTED, though the file cannot say so.
    assert {row["name"]: row["status"] for row in store.executions()} == {"e1": "ABORTED", "e2": "SUCCEEDED"}
    found = store.find_execution("e1")
    assert found["status"] == "ABORTED" and store.events(found["arn"])[-1]["type"] == "ExecutionSucceeded"
    assert [m["body"] for m in store.messages()] == ["hi"]
    assert recorded.db.execute("SELECT status FROM executions WHERE name = 'e1'").fetchone()[0] == "RUNNING"
    with pytest.raises(UserInputError, match="cannot write the store: attempt to write a readonly database"):
        store.start_execution("arn:x", "x", "m", None, {}, "2024-01-01T00:00:00+00:00")


def test_a_read_only_file_that_is_not_a_store_says_so_first(tmp_path, read_only):
    path = tmp_path / "x.db"
    REAL_CONNECT(path).executescript("CREATE TABLE executions (id INTEGER)")
    for write in (True, False):
        with pytest.raises(UserInputError, match="not an sfn store \\(table executions has no column arn\\)"):
            Store(path, write=write)


def test_a_read_only_store_of_an_older_version_is_read(tmp_path, read_only):
    path = tmp_path / "old.db"
    db = REAL_CONNECT(path)
    db.executescript("""
        CREATE TABLE executions (arn TEXT PRIMARY KEY, name TEXT NOT NULL, machine TEXT NOT NULL,
            definition TEXT, status TEXT NOT NULL, input TEXT, output TEXT, error TEXT, cause TEXT,
            started_at TEXT NOT NULL, stopped_at TEXT);
        CREATE TABLE histories (execution_arn TEXT PRIMARY KEY, blob TEXT);
        INSERT INTO executions VALUES ('arn:old', 'old', 'm', NULL, 'RUNNING', '{}', NULL, NULL, NULL,
            '2024-01-01T00:00:00+00:00', NULL);
    """)
    db.close()
    store = Store(path, write=False)
    # No pid column: a run from before pids were kept counts as gone; missing tables read as empty.
    assert [row["status"] for row in store.executions()] == ["ABORTED"]
    assert store.events("arn:old") == [] and store.messages() == [] and store.task_tokens() == []


# ---------------------------------------------------------------- looking executions up


@pytest.mark.parametrize("ref,found", [
    ("e1", "e1"),           # a whole name wins over the longer names it begins
    ("e10", "e10"),
    ("ord", "order_1"),     # a unique prefix
    ("order_", "order_1"),  # _ and % are characters of the name, not LIKE's wildcards
    ("e%", None),
    ("o\\", None),
    ("", None),             # an empty prefix begins every name: no match, not the only execution
    ("nope", None),
])
def test_find_execution_by_name_or_unique_prefix(tmp_path, ref, found):
    store = record(Store(tmp_path / "s.db"), "e1", "e10", "e11", "order_1")
    result = store.find_execution(ref)
    assert (result["name"] if result else None) == found


@pytest.mark.parametrize("names,ref,listed", [
    (["e1", "e2"], "e", "e1, e2"),
    (["e10", "e11", "e12", "e13", "e14", "e15", "e16"], "e1", "e10, e11, e12, e13, e14, ..."),
])
def test_an_ambiguous_prefix_says_so_and_lists_candidates(tmp_path, names, ref, listed):
    store = record(Store(tmp_path / "s.db"), *names)
    with pytest.raises(UserInputError) as caught:
        store.find_execution(ref)
    assert str(caught.value) == (f"{store.path}: '{ref}' matches several executions: {listed} "
                                 "(give more of the name, or the ARN)")


def test_an_ambiguous_prefix_of_one_name_on_two_machines_lists_arns(tmp_path):
    store = Store(tmp_path / "s.db")
    for machine in ("a", "b"):
        Recording(store, machine, "run-1", None, {})
    with pytest.raises(UserInputError, match=r"matches several executions: arn:\S+:a:run-1, arn:\S+:b:run-1"):
        store.find_execution("run")


# Surrogate-escaped bytes: what Python makes of a command-line argument that is not UTF-8.
@pytest.mark.parametrize("call,what", [
    (lambda store: store.find_execution("\udcff"), "execution name '\\udcff'"),
    (lambda store: store.messages("q\udcfe"), "topic or queue name 'q\\udcfe'"),
    (lambda store: Recording(store, "\udcff", "e", None, {}), "state machine name '\\udcff'"),
])
def test_names_that_are_not_utf8_are_one_line_errors(recorded, call, what):
    with pytest.raises(UserInputError) as caught:
        call(recorded)
    assert str(caught.value) == f"{recorded.path}: {what} is not valid UTF-8"


@pytest.mark.parametrize("pid,alive", [
    (None, False), (0, False), (-1, False), ("123", False), (2**80, False), (os.getpid(), True),
])
def test_alive_takes_whatever_a_pid_column_holds(pid, alive):
    assert _alive(pid) is alive


def test_a_garbage_pid_counts_as_a_gone_process(recorded):
    with recorded.db:
        recorded.db.execute("UPDATE executions SET status = 'RUNNING', pid = 'x' WHERE name = 'e1'")
    assert recorded.mark_interrupted() == 1
    assert recorded.find_execution("e1")["status"] == "ABORTED"

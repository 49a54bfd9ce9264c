"""The store's version: older stores are migrated forward, newer ones refused and left untouched."""

import json
import sqlite3

import pytest
from click.testing import CliRunner

from asl.api import machine_from_definition, run_machine
from asl.errors import UserInputError
from asl.store import Recording, Store
from asl.store.schema import VERSION
from cli.main import sfn

PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}


def cli(*args):
    return CliRunner().invoke(sfn, [str(a) for a in args], catch_exceptions=False)


def version(path):
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def recorded_store(path, name="e1"):
    store = Store(path)
    recording = Recording(store, "m", name, None, {})
    recording.finish(run_machine(machine_from_definition(PASS), {}, clock="virtual", execution_name=name))
    store.close()
    return path


# What a newer sfn might have done to the store (version first: tables are only read after it).
NEWER = [
    f"PRAGMA user_version = {VERSION + 1}",
    f"PRAGMA user_version = {VERSION + 7}; ALTER TABLE history_columns RENAME TO history_parts",
    f"PRAGMA user_version = {VERSION + 1}; CREATE TABLE redrives (arn TEXT, n INTEGER)",
    f"PRAGMA user_version = {VERSION + 1}; ALTER TABLE executions DROP COLUMN definition",
]


@pytest.mark.parametrize("change", NEWER)
@pytest.mark.parametrize("args", [["executions"], ["history", "e1"], ["messages"], ["task", "list"],
                                  ["executions", "--prune"], ["run", "DEFINITION", "--output", "json"]])
def test_a_newer_store_is_refused_and_left_as_it_is(tmp_path, change, args):
    path = recorded_store(tmp_path / "s.db")
    db = sqlite3.connect(path)
    db.executescript(change)
    db.close()
    before = path.read_bytes()
    definition = tmp_path / "m.json"
    definition.write_text(json.dumps(PASS))
    result = cli(*[definition if arg == "DEFINITION" else arg for arg in args], "--store", path)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"{path}: the store was written by a newer sfn (store version ")
    assert result.stderr.count("\n") == 1
    assert path.read_bytes() == before


def test_a_newer_store_is_refused_by_the_library_too(tmp_path):
    path = recorded_store(tmp_path / "s.db")
    sqlite3.connect(path).execute(f"PRAGMA user_version = {VERSION + 1}").connection.close()
    for write in (True, False):
        with pytest.raises(UserInputError, match="written by a newer sfn"):
            Store(path, write=write)


def test_a_new_store_has_the_current_version(tmp_path):
    recorded_store(tmp_path / "s.db")
    assert version(tmp_path / "s.db") == VERSION


def test_an_unversioned_store_is_migrated_forward_keeping_its_histories(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    # What sfn wrote before versions: a history's columns in one row of `histories`.
    db.executescript("""
        CREATE TABLE executions (arn TEXT PRIMARY KEY, name TEXT NOT NULL, machine TEXT NOT NULL, definition TEXT,
            status TEXT NOT NULL, input TEXT, output TEXT, error TEXT, cause TEXT, started_at TEXT NOT NULL,
            stopped_at TEXT, pid INTEGER);
        CREATE TABLE histories (execution_arn TEXT PRIMARY KEY, columns TEXT NOT NULL);
        CREATE TABLE history_chunks (execution_arn TEXT NOT NULL, idx INTEGER NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (execution_arn, idx));
        CREATE TABLE messages (message_id TEXT NOT NULL, execution_arn TEXT, service TEXT NOT NULL,
            target TEXT NOT NULL, sent_at TEXT, message TEXT NOT NULL);
        INSERT INTO executions VALUES ('arn:old', 'old', 'm', NULL, 'SUCCEEDED', '{}', '{"ok": true}', NULL, NULL,
            '2024-01-01T00:00:00+00:00', NULL, 1);
        INSERT INTO histories VALUES ('arn:old', '{"format": 1, "data": [0, 1], "previous": [0, 1],
            "types": ["ExecutionStarted", "ExecutionSucceeded"], "times": ["2024-01-01T00:00:00+00:00",
            "2024-01-01T00:00:01+00:00"], "names": [null, null], "assigned": {}}');
        INSERT INTO history_chunks VALUES ('arn:old', 0, '[{"input": {}}, {"output": {"ok": true}}]');
    """)
    db.close()
    # Where it cannot be written, it is read as it is.
    before = path.read_bytes()
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda db, *a, **k: connect(
        db if db == ":memory:" else f"{path.as_uri()}?mode=ro", *a, uri=db != ":memory:", **k))
    reader = Store(path, write=False)
    assert [e["type"] for e in reader.events("arn:old")] == ["ExecutionStarted", "ExecutionSucceeded"]
    assert path.read_bytes() == before
    monkeypatch.undo()
    store = Store(path)
    assert version(path) == VERSION
    assert [e["type"] for e in store.events("arn:old")] == ["ExecutionStarted", "ExecutionSucceeded"]
    assert store.db.execute("SELECT size FROM executions").fetchone()[0] > 0  # the retention can weigh it
    assert "histories" not in {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}


def test_rows_an_older_sfn_wrote_after_the_upgrade_are_taken_in(tmp_path):
    path = recorded_store(tmp_path / "s.db")
    db = sqlite3.connect(path)
    # An older sfn recreates `histories` and writes its history there (it ignores the version).
    db.executescript("""
        CREATE TABLE histories (execution_arn TEXT PRIMARY KEY, columns TEXT NOT NULL);
        INSERT INTO executions (arn, name, machine, status, started_at) VALUES
            ('arn:o', 'o', 'm', 'SUCCEEDED', '2024-01-01T00:00:00+00:00');
        INSERT INTO histories VALUES ('arn:o', '{"format": 1, "data": [0], "previous": [0],
            "types": ["ExecutionStarted"], "times": ["2024-01-01T00:00:00+00:00"], "names": [null], "assigned": {}}');
        INSERT INTO history_chunks VALUES ('arn:o', 0, '[{"input": {}}]');
    """)
    db.close()
    store = Store(path)
    assert [e["type"] for e in store.events("arn:o")] == ["ExecutionStarted"]
    assert [e["type"] for e in store.events(store.find_execution("e1")["arn"])][-1] == "ExecutionSucceeded"


def test_a_version_1_store_is_upgraded_and_its_format_1_histories_read_as_they_were(tmp_path):
    path = tmp_path / "v1.db"
    machine = machine_from_definition({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": {"big": list(range(3000))}, "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Pass", "Result": 1, "ResultPath": "$.b", "End": True}}})
    history = run_machine(machine, {"in": "ä"}, clock="virtual").history
    columns, values = history.dump()  # format 1: each event's value whole, once by identity
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO executions (arn, name, machine, status, started_at) VALUES "
               "('arn:v1', 'v1', 'm', 'SUCCEEDED', '2024-01-01T00:00:00+00:00')")
    db.execute("INSERT INTO history_columns VALUES ('arn:v1', 0, ?)", (columns,))
    db.execute("INSERT INTO history_chunks VALUES ('arn:v1', 0, ?)", ("[" + ",".join(values) + "]",))
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    store = Store(path)
    assert version(path) == VERSION == 2
    assert store.events("arn:v1") == history.to_aws()["events"]
    # Recorded now, the same history links the shared list instead of writing it again.
    recording = Recording(store, "m", "v2", None, {"in": "ä"})
    result = run_machine(machine, {"in": "ä"}, clock="virtual", execution_name="v2")
    recording.finish(result)
    arn = store.find_execution("v2")["arn"]
    assert store.events(arn) == result.history.to_aws()["events"]
    stored = "".join(row[0] for row in store.db.execute("SELECT value FROM history_chunks WHERE execution_arn = ?",
                                                         (arn,)))
    assert stored.count(",2999]") == 1


def test_created_is_what_sqlite_keeps_of_the_schema():
    from asl.store.schema import SCHEMA, created

    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    kept = {name: sql for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")}
    db.close()
    assert created() == kept and list(created()) == list(kept)


def change_counter(path):
    """How many transactions have changed the file (its header's file change counter)."""
    return int.from_bytes(path.read_bytes()[24:28], "big")


def test_a_new_store_is_created_in_one_transaction_with_incremental_vacuum(tmp_path):
    path = tmp_path / "s.db"
    Store(path).close()
    assert change_counter(path) == 1 and version(path) == VERSION
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    db.close()
    (tmp_path / "empty.db").write_bytes(b"")  # an empty file is a new store too
    Store(tmp_path / "empty.db").close()
    assert sqlite3.connect(tmp_path / "empty.db").execute("PRAGMA auto_vacuum").fetchone()[0] == 2


def statements_of_opening(path, monkeypatch):
    """The SQL a Store runs while it is opened."""
    seen = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        db = connect(*args, **kwargs)
        db.set_trace_callback(seen.append)
        return db

    monkeypatch.setattr(sqlite3, "connect", traced)
    Store(path).close()
    monkeypatch.undo()
    return seen


def test_a_current_store_is_opened_without_asking_its_tables(tmp_path, monkeypatch):
    path = recorded_store(tmp_path / "s.db")
    before = change_counter(path)
    seen = statements_of_opening(path, monkeypatch)
    assert not [s for s in seen if "table_info" in s or "CREATE" in s] and change_counter(path) == before
    # A store that has been analyzed (sqlite_stat1) is checked the long way, and is still current.
    db = sqlite3.connect(path)
    db.execute("ANALYZE")
    db.close()
    seen = statements_of_opening(path, monkeypatch)
    assert [s for s in seen if "table_info" in s] and change_counter(path) == before + 1


def test_a_current_version_file_without_a_column_is_still_refused(tmp_path):
    path = recorded_store(tmp_path / "s.db")
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE history_chunks DROP COLUMN value")
    db.commit()
    db.close()
    with pytest.raises(UserInputError, match="not an sfn store \\(table history_chunks has no column value\\)"):
        Store(path)


def test_runs_left_running_are_looked_up_through_an_index(tmp_path, monkeypatch):
    store = Store(recorded_store(tmp_path / "s.db"))
    seen = []
    store.db.set_trace_callback(seen.append)
    store.mark_interrupted()
    store.db.set_trace_callback(None)
    query = next(s for s in seen if s.startswith("SELECT") and "RUNNING" in s)
    plan = " ".join(row[-1] for row in store.db.execute("EXPLAIN QUERY PLAN " + query))
    assert "USING INDEX executions_running" in plan, plan


def test_a_store_made_before_the_running_index_gets_it_when_opened(tmp_path, monkeypatch):
    path = recorded_store(tmp_path / "s.db")
    db = sqlite3.connect(path)
    db.execute("DROP INDEX executions_running")
    db.commit()
    db.close()
    store = Store(path)
    assert store.executions()[0]["name"] == "e1"
    store.close()
    assert "executions_running" in {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert not [s for s in statements_of_opening(path, monkeypatch) if "table_info" in s]  # current again


def test_a_store_another_process_created_meanwhile_is_opened_as_it_is(tmp_path):
    # Two processes may both find the file missing; the second one's `new` then meets a made store.
    from asl.store.schema import prepare

    path = recorded_store(tmp_path / "s.db")
    before = path.read_bytes()
    db = sqlite3.connect(path)
    assert prepare(db, path, True, new=True) is True
    db.close()
    assert path.read_bytes() == before
    plain = tmp_path / "plain.db"  # made without auto-vacuum (by another program): it stays so
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    sqlite3.connect(plain).execute("DROP TABLE t").connection.close()
    db = sqlite3.connect(plain)
    assert prepare(db, plain, True, new=True) is True
    assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 0 and version(plain) == VERSION
    db.close()


def test_a_new_store_is_created_under_the_write_lock(tmp_path):
    path = tmp_path / "s.db"
    holder = sqlite3.connect(path)
    holder.execute("BEGIN IMMEDIATE")  # another process creating it
    with pytest.raises(UserInputError, match="cannot open the store: database is locked"):
        Store(path, timeout=0.1)
    holder.rollback()
    holder.close()
    Store(path).close()
    assert version(path) == VERSION and change_counter(path) == 1

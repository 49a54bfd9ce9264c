"""Recording: events reach the store as the run goes; killed, stopped, concurrent, unsaveable and deep runs."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import asl.store.database
from asl import deepjson
from asl.api import machine_from_definition, run_machine
from asl.errors import UserInputError
from asl.resources.compose import Services
from asl.store import Recording, Retention, Store
from cli.main import sfn

ROOT = Path(__file__).resolve().parents[2]
SFN = [sys.executable, "-c", "from cli.main import main; main()"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def env_for(folder):
    """The environment of an `sfn` run in `folder`, whose default store is `folder/.sfn/sfn.db`."""
    return {**ENV, "SFN_STORE": str(Path(folder) / ".sfn" / "sfn.db")}
TASK = {"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Result": {"x": 1}, "Next": "T"},
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": True}}}
# Waits a minute on the real clock: the process is stopped while it waits.
WAITING = {"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Result": {"x": 1}, "Next": "W"},
    "W": {"Type": "Wait", "Seconds": 60, "Next": "B"},
    "B": {"Type": "Pass", "End": True}}}
CHAIN = {"StartAt": "Init", "States": {
    "Init": {"Type": "Pass", "Parameters": {"i": 0, "n.$": "$.n"}, "Next": "Inc"},
    "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"}, "Next": "Check"},
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThanPath": "$.n", "Next": "Inc"}],
              "Default": "Done"},
    "Done": {"Type": "Succeed"}}}


def types(events):
    return [event["type"] for event in events]


def test_events_reach_the_store_while_the_run_goes(tmp_path):
    store = Store(tmp_path / "s.db")
    seen = {}

    class Peek:
        """A Task that looks at the store from another connection before it answers."""

        def invoke(self, call):
            reader = Store(store.path, write=False)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and "TaskStateEntered" not in seen.setdefault("types", []):
                seen["types"] = types(reader.events(call.env.execution_arn))
                time.sleep(0.02)
            return {"ok": True}

    # run_machine attaches the recording's listener itself: events are written as the run goes.
    result = run_machine(machine_from_definition(TASK), {}, clock="virtual", resources=Services.of(Peek()),
                         store=store, execution_name="live")
    assert seen["types"][:4] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "TaskStateEntered"]
    events = store.events(result.info.execution_arn)
    assert types(events) == types(e.to_aws() for e in result.history.events)
    assert events == result.history.to_aws()["events"]  # written in segments, read back as one history


def test_many_segments_read_back_as_the_history_aws_gives(tmp_path, monkeypatch):
    import asl.store.recording

    monkeypatch.setattr(asl.store.recording, "FLUSH_EVENTS", 7)  # a segment every 7 events
    store = Store(tmp_path / "s.db")
    machine = machine_from_definition({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemProcessor": {"StartAt": "P", "States": {"P": {
            "Type": "Pass", "Assign": {"seen.$": "$"}, "End": True}}}}}})
    shared = {"k": list(range(20))}
    recording = Recording(store, "m", "segments", None, [shared] * 10)
    result = run_machine(machine, [shared] * 10, clock="virtual", listeners=[recording.on_event])
    recording.finish(result)
    assert store.db.execute("SELECT count(*) FROM history_columns").fetchone()[0] > 5
    assert store.events(recording.arn) == result.history.to_aws()["events"]


def test_each_flush_writes_the_segments_made_since_in_one_transaction_or_a_slow_run_s_events(tmp_path, monkeypatch):
    import asl.store.recording

    monkeypatch.setattr(asl.store.recording, "FLUSH_EVENTS", 4)
    store = Store(tmp_path / "s.db")
    result = run_machine(machine_from_definition(CHAIN), {"n": 5}, clock="virtual")
    recording = Recording(store, "m", "flushed", None, {"n": 5}, flush_seconds=60)
    recording._stop = True  # its own flusher stopped: this test steps one (in this thread)
    recording._wake.set()
    recording._flusher.join()
    appends = []
    append = store.append_history
    monkeypatch.setattr(store, "append_history", lambda arn, segments: (appends.append(len(segments)),
                                                                        append(arn, segments)))
    for event in result.history.events[:10]:  # two segments of 4 taken, 2 more events gathered
        recording.on_event(event)

    def step():
        """One round of the flusher (its FLUSH_SECONDS wait returns at once)."""
        rounds = iter([False])

        def wait(seconds):
            try:
                return next(rounds)
            except StopIteration:
                recording._stop = True
                return True

        recording._stop = False
        monkeypatch.setattr(recording._wake, "wait", wait)
        recording._flush_every(60)

    def written():
        return [len(json.loads(row[0])["types"]) for row in
                store.db.execute("SELECT columns FROM history_columns ORDER BY idx")]

    assert written() == []  # a segment taken waits for the flusher
    step()
    assert written() == [4, 4] and appends == [2]  # both in one transaction; the 2 gathered stay
    step()
    assert written() == [4, 4, 2] and appends == [2, 1]  # none made since: a slow run's events are taken
    recording.finish(result)
    assert store.events(recording.arn) == result.history.to_aws()["events"]


def test_a_recording_that_is_not_a_listener_still_writes_the_whole_history(tmp_path):
    store = Store(tmp_path / "s.db")
    recording = Recording(store, "m", "late", None, {})
    result = run_machine(machine_from_definition(CHAIN), {"n": 3}, clock="virtual")
    recording.finish(result)
    assert store.events(recording.arn) == result.history.to_aws()["events"]


# ---------------------------------------------------------------- a process stopped from outside

def start(folder, definition, name):
    (folder / "m.json").write_text(json.dumps(definition))
    return subprocess.Popen(SFN + ["run", "m.json", "--output", "json", "--clock", "real", "--execution-name", name],
                            cwd=folder,
                            env=env_for(folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(folder, name, event_type, run):
    """The store's events of the execution once `event_type` is among them (the run still going)."""
    path = folder / ".sfn" / "sfn.db"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if path.is_file():
            store = Store(path, write=False)
            found = store.find_execution(name)
            if found is not None and event_type in types(store.events(found["arn"])):
                assert found["status"] == "RUNNING"
                return
        if run.poll() is not None:
            pytest.fail(str(run.communicate()))
        time.sleep(0.05)
    run.kill()
    pytest.fail(f"no {event_type} in the store within 30 s")


def test_a_killed_run_keeps_what_it_recorded_and_is_listed_aborted(tmp_path):
    run = start(tmp_path, WAITING, "killed")
    try:
        wait_for(tmp_path, "killed", "WaitStateEntered", run)
    finally:
        run.kill()  # SIGKILL: nothing runs in the process after it
        run.communicate()
    store = Store(tmp_path / ".sfn" / "sfn.db")
    [row] = store.executions()
    assert row["status"] == "ABORTED"
    events = store.events(row["arn"])
    assert types(events) == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered",
                             "ExecutionAborted"]
    assert events[-1]["previousEventId"] == 4 and events[-1]["timestamp"] == events[-2]["timestamp"]
    trace = CliRunner().invoke(sfn, ["history", "killed", "--store", str(store.path)])
    assert trace.exit_code == 0 and "ABORTED" in trace.stdout
    # Its lock file went with it; nothing is left behind once it is marked.
    assert list((tmp_path / ".sfn" / "sfn.db-running").iterdir()) == []


def test_sigterm_ends_a_run_as_ctrl_c_does(tmp_path):
    run = start(tmp_path, WAITING, "stopped")
    try:
        wait_for(tmp_path, "stopped", "WaitStateEntered", run)
        run.send_signal(signal.SIGTERM)
        out, err = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 1 and json.loads(out)["status"] == "ABORTED", err
    store = Store(tmp_path / ".sfn" / "sfn.db")
    found = store.find_execution("stopped")
    assert found["status"] == "ABORTED" and found["stopped_at"] is not None
    assert types(store.events(found["arn"]))[-2:] == ["WaitStateEntered", "ExecutionAborted"]


def test_concurrent_runs_on_one_store_are_all_kept(tmp_path):
    (tmp_path / "m.json").write_text(json.dumps(CHAIN))
    runs = [subprocess.Popen(SFN + ["run", "m.json", "--output", "json", "--clock", "virtual", "--input",
                                    '{"n": 1500}', "--execution-name", f"c{n}"], cwd=tmp_path, env=env_for(tmp_path),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(8)]
    outcomes = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0] * 8, outcomes
    assert all(err == "" for _, err in outcomes), outcomes
    store = Store(tmp_path / ".sfn" / "sfn.db")
    assert sorted(row["name"] for row in store.executions()) == [f"c{n}" for n in range(8)]
    for n in range(8):
        events = store.events(store.find_execution(f"c{n}")["arn"])
        assert len(events) == 4 * 1500 + 6 and events[-1]["type"] == "ExecutionSucceeded"


def test_a_write_that_finds_the_store_locked_is_tried_again(tmp_path):
    store = Store(tmp_path / "s.db", timeout=0.05)
    holder = sqlite3.connect(store.path, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    # Held longer than the busy timeout, shorter than the retries.
    releaser = threading.Thread(target=lambda: (time.sleep(0.3), holder.rollback()))
    releaser.start()
    store.add_task_token("t", None, "S")
    releaser.join()
    assert store.task_token("t")["state_name"] == "S"


# ---------------------------------------------------------------- a store that cannot take the end

@pytest.fixture
def full_store(monkeypatch):
    """Stores opened from now on cannot grow: the disk is full for SQLite."""
    opened = asl.store.database.prepare

    def prepare(db, path, write, **kwargs):
        writable = opened(db, path, write, **kwargs)
        db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0] + 1}")
        return writable

    monkeypatch.setattr(asl.store.database, "prepare", prepare)


# A small definition and input (they are recorded when the run starts) with a 100 KB output.
BIG_OUTPUT = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
    "Type": "Pass", "Output": {"r": "{% [1..20000] %}"}, "End": True}}}


def test_a_run_whose_end_cannot_be_recorded_still_prints_its_result(tmp_path, full_store):
    (tmp_path / "m.json").write_text(json.dumps(BIG_OUTPUT))
    result = CliRunner().invoke(sfn, ["run", str(tmp_path / "m.json"), "--output", "json", "--execution-name",
                                      "big", "--store", str(tmp_path / "s.db")], catch_exceptions=False)
    assert result.exit_code == 0  # the run's own exit code: it SUCCEEDED
    assert json.loads(result.stdout)["output"]["r"] == list(range(1, 20001))
    assert result.stderr == (f"sfn: warning: {tmp_path / 's.db'}: cannot write the store: database or disk is "
                             "full; the end of execution 'big' was not recorded\n")


def test_finish_says_which_execution_was_not_recorded(tmp_path, full_store):
    store = Store(tmp_path / "s.db")
    recording = Recording(store, "m", "big", None, {})
    result = run_machine(machine_from_definition(BIG_OUTPUT), {}, clock="virtual", listeners=[recording.on_event])
    with pytest.raises(UserInputError, match="database or disk is full; the end of execution 'big' was not recorded"):
        recording.finish(result)


# ---------------------------------------------------------------- values nested deeper than recursion goes

def deep(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("definition,depth", [
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, 900),
    # JSONata raises the process's recursion limit, so a run takes in what a fresh process could not read.
    ({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass",
                                                                   "Output": "{% $states.input %}", "End": True}}},
     2000),
])
def test_deep_values_are_saved_and_read_back(tmp_path, definition, depth):
    (tmp_path / "m.json").write_text(json.dumps(definition))
    (tmp_path / "in.json").write_text(deep(depth))
    ran = subprocess.run(SFN + ["run", "m.json", "--input-file", "in.json", "--output", "json", "--execution-name",
                                "deep"], cwd=tmp_path, env=env_for(tmp_path), capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0 and ran.stderr == "", ran.stderr
    # Read back by fresh processes, whose recursion limit is Python's own.
    history = subprocess.run(SFN + ["history", "deep", "--output", "json"], cwd=tmp_path, env=env_for(tmp_path),
                             capture_output=True, text=True, timeout=60)
    assert history.returncode == 0, history.stderr
    events = json.loads(history.stdout)["events"]
    assert events[0]["executionStartedEventDetails"]["input"] == deep(depth)
    assert events[-1]["executionSucceededEventDetails"]["output"] == deep(depth)
    listed = subprocess.run(SFN + ["executions"], cwd=tmp_path, env=env_for(tmp_path), capture_output=True, text=True, timeout=60)
    assert listed.stdout.split("\t")[2] == "SUCCEEDED", listed.stderr
    found = Store(tmp_path / ".sfn" / "sfn.db").find_execution("deep")
    assert deepjson.dumps(found["input"]) == deepjson.dumps(found["output"]) == deep(depth)


def test_the_retention_runs_after_each_recorded_run(tmp_path):
    store = Store(tmp_path / "s.db")
    for n in range(3):
        recording = Recording(store, "m", f"r{n}", None, {}, retention=Retention(keep=1))
        recording.finish(run_machine(machine_from_definition(CHAIN), {"n": 1}, clock="virtual"))
    assert [row["name"] for row in store.executions()] == ["r2"]

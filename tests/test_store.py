"""The SQLite store and the commands that read it: executions, history, messages."""

import json

import pytest
from click.testing import CliRunner

from asl.api import machine_from_definition, run_machine
from asl.store import Recording, Store
from cli.main import sfn

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
    store = Store(project / ".sfn" / "sfn.db")
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
    assert not (project / ".sfn").exists()
    elsewhere = tmp_path / "elsewhere" / "x.db"
    assert run_orders(project, "--store", elsewhere).exit_code == 0
    assert len(Store(elsewhere).executions()) == 1


def test_cli_executions_history_and_messages(project):
    run_orders(project, "--execution-name", "one")
    run_orders(project, "--execution-name", "two")
    db = project / ".sfn" / "sfn.db"
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
    result = sfn_cli(*args, "--store", project / ".sfn" / "sfn.db")
    assert result.exit_code == 2 and message in result.output


@pytest.mark.parametrize("command", ["executions", "history X", "messages"])
def test_cli_without_a_store_exits_2(tmp_path, command):
    result = sfn_cli(*command.split(), "--store", tmp_path / "none.db")
    assert result.exit_code == 2 and "no store here" in result.output


def test_interrupted_run_is_consistent_and_marked_aborted(tmp_path):
    store = Store(tmp_path / "s.db")
    machine = machine_from_definition({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    recording = Recording(store, "m", "crashed", None, {"x": 1})
    # Still running in this (live) process: left alone.
    assert store.find_execution("crashed")["status"] == "RUNNING"
    assert store.events(recording.arn) == []
    assert store.mark_interrupted() == 0
    # The process dies here (a pid that has exited): the execution is ABORTED when next looked at.
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with store.db:
        store.db.execute("UPDATE executions SET pid = ? WHERE name = 'crashed'", (gone.pid,))
    assert store.find_execution("crashed")["status"] == "ABORTED"
    done = Recording(store, "m", "fine", None, {})
    done.finish(run_machine(machine, {}, clock="virtual"))
    assert store.find_execution("fine")["status"] == "SUCCEEDED"
    assert store.mark_interrupted() == 0


def test_ctrl_c_during_run_is_stored_as_aborted(tmp_path):
    from asl.resources import Dispatcher

    class Interrupting:
        def invoke(self, call):
            raise KeyboardInterrupt

    machine = machine_from_definition({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": True}}})
    store = Store(tmp_path / "s.db")
    recording = Recording(store, "m", "stopped", None, {})
    recording.finish(run_machine(machine, {}, clock="virtual", invoker=Dispatcher([Interrupting()])))
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

"""Activity Tasks through the endpoint: a boto3 worker (get_activity_task, send_task_*) and AWS's history.

The expected histories follow executions recorded against AWS (LocalStack's activity snapshots):
ActivityScheduled (timeoutInSeconds / heartbeatInSeconds only when set), ActivityStarted with the
worker's name (empty details without one), ActivitySucceeded / ActivityFailed; a missing activity
fails the execution with States.Runtime and no activity event.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from serve_helpers import client_for, create, wait_done


def _machine(sfn, activity: str, **task) -> str:
    state = {"Type": "Task", "Resource": activity, "End": True, **task}
    return create(sfn, definition=json.dumps({"StartAt": "Work", "States": {"Work": state}}),
                  name=f"m{time.monotonic_ns()}")


def _worker(url: str, activity: str, answer, **poll) -> threading.Thread:
    """A worker as one is written against AWS: poll, then answer the token (in its own client)."""
    def work():
        client = client_for(url)
        task = client.get_activity_task(activityArn=activity, **poll)
        answer(client, task)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def _history(sfn, arn: str) -> list[tuple[str, dict]]:
    events = sfn.get_execution_history(executionArn=arn)["events"]
    return [(e["type"], next((v for k, v in e.items() if k.endswith("EventDetails")), None)) for e in events]


def _succeed(client, task):
    client.send_task_success(taskToken=task["taskToken"], output=task["input"])


def _fail(client, task):
    client.send_task_failure(taskToken=task["taskToken"], error="Programmatic Error", cause="it broke")


@pytest.mark.parametrize("task, poll, answer, middle, ending", [
    ({}, {"workerName": "w1"}, _succeed,
     [("ActivityStarted", {"workerName": "w1"}),
      ("ActivitySucceeded", {"output": '{"n":2}', "outputDetails": {"truncated": False}})],
     "ExecutionSucceeded"),
    ({"TimeoutSeconds": 60, "HeartbeatSeconds": 10}, {}, _succeed,
     [("ActivityStarted", {}),
      ("ActivitySucceeded", {"output": '{"n":2}', "outputDetails": {"truncated": False}})],
     "ExecutionSucceeded"),
    ({}, {"workerName": "w2"}, _fail,
     [("ActivityStarted", {"workerName": "w2"}), ("ActivityFailed", {"error": "Programmatic Error", "cause": "it broke"})],
     "ExecutionFailed"),
])
def test_a_worker_written_against_aws_runs_and_the_history_is_awss(start_server, task, poll, answer, middle, ending):
    _, server, sfn = start_server(activity_poll=5)
    activity = sfn.create_activity(name="work")["activityArn"]
    worker = _worker(server.url, activity, answer, **poll)
    execution = sfn.start_execution(stateMachineArn=_machine(sfn, activity, **task), input='{"n": 2}')["executionArn"]
    worker.join(10)
    wait_done(sfn, execution)
    history = _history(sfn, execution)
    scheduled = {"resource": activity, "input": '{"n":2}', "inputDetails": {"truncated": False}}
    if task:
        scheduled.update(timeoutInSeconds=60, heartbeatInSeconds=10)
    assert [t for t, _ in history[:2]] == ["ExecutionStarted", "TaskStateEntered"]
    assert history[2] == ("ActivityScheduled", scheduled)
    assert history[3:5] == middle
    assert history[-1][0] == ending
    if ending == "ExecutionFailed":   # no Catch: the activity's error and cause end the execution as they are
        assert history[-1][1] == {"error": "Programmatic Error", "cause": "it broke"}


def test_a_missing_activity_fails_the_execution_without_activity_events(sfn):
    activity = sfn.create_activity(name="gone")["activityArn"]
    machine = _machine(sfn, activity)
    sfn.delete_activity(activityArn=activity)
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    found = wait_done(sfn, execution)
    assert (found["status"], found["error"]) == ("FAILED", "States.Runtime")
    assert found["cause"] == ("An error occurred while executing the state 'Work' (entered at the event id #2). "
                              f"The activity {activity} does not exist.")
    assert [t for t, _ in _history(sfn, execution)] == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]


def test_no_worker_before_timeout_seconds_is_activity_timed_out(start_server):
    _, _, sfn = start_server(callback_wait=0.3)   # virtual clock: 0.3 real seconds, then simulated time runs on
    activity = sfn.create_activity(name="idle")["activityArn"]
    execution = sfn.start_execution(stateMachineArn=_machine(sfn, activity, TimeoutSeconds=30))["executionArn"]
    found = wait_done(sfn, execution)
    assert (found["status"], found["error"]) == ("FAILED", "States.Timeout")
    types = [t for t, _ in _history(sfn, execution)]
    assert types == ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityTimedOut", "ExecutionFailed"]


def test_a_task_given_up_is_not_handed_to_a_later_worker(start_server):
    _, server, sfn = start_server(callback_wait=0.3, activity_poll=1)
    activity = sfn.create_activity(name="late")["activityArn"]
    execution = sfn.start_execution(stateMachineArn=_machine(sfn, activity, TimeoutSeconds=30))["executionArn"]
    wait_done(sfn, execution)
    assert "taskToken" not in sfn.get_activity_task(activityArn=activity)


def test_heartbeats_from_the_worker_are_accepted(start_server):
    _, server, sfn = start_server(activity_poll=5)
    activity = sfn.create_activity(name="beats")["activityArn"]

    def answer(client, task):
        client.send_task_heartbeat(taskToken=task["taskToken"])
        client.send_task_success(taskToken=task["taskToken"], output='"done"')

    worker = _worker(server.url, activity, answer, workerName="w")
    execution = sfn.start_execution(stateMachineArn=_machine(sfn, activity, HeartbeatSeconds=5))["executionArn"]
    worker.join(10)
    assert wait_done(sfn, execution)["output"] == '"done"'

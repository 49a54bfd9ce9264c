""".waitForTaskToken: answers from handlers (at once, or later from a thread), through the store,
heartbeats and timeouts on both clocks, AWS's errors for tokens nobody waits on."""

import datetime
import json
import threading
import time

import pytest

from asl.api import machine_from_definition, run_machine
from asl.callbacks import (new_token, send_task_failure, send_task_heartbeat,
                           send_task_success, well_formed)
from asl.errors import TaskTokenError
from asl.store import Store

# Handlers answer through asl.callbacks; what they do depends on the event they get.
HANDLERS = """
import json, threading, time
from asl.callbacks import send_task_success, send_task_failure, send_task_heartbeat

def approve(event, context):
    send_task_success(event["token"], {"approved": True, "order": event["order"]})
    return {"sent": True}

def reject(event, context):
    send_task_failure(event["token"], "Rejected", "over budget")

def later(event, context):
    def answer():
        for _ in range(event.get("beats", 0)):
            time.sleep(event["every"])
            send_task_heartbeat(event["token"])
        time.sleep(event.get("delay", 0.05))
        send_task_success(event["token"], "late but here")
    threading.Thread(target=answer, daemon=True).start()

def ignore(event, context):
    return None

def consume(event, context):
    for record in event["Records"]:
        body = json.loads(record["body"])
        send_task_success(body["token"], {"queued": body["n"]})

def notified(event, context):
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    send_task_success(message["token"], {"via": "sns"})
"""

RESOURCES = """
handlers:
  Approve: cb_handlers:approve
  Reject: cb_handlers:reject
  Later: cb_handlers:later
  Ignore: cb_handlers:ignore
queues:
  work: {consumer: cb_handlers:consume}
  nobody: {}
topics:
  alerts: {}
subscriptions:
  alerts:
    - handler: cb_handlers:notified
"""


@pytest.fixture
def invoker(tmp_path):
    (tmp_path / "cb_handlers.py").write_text(HANDLERS)
    (tmp_path / "resources.yaml").write_text(RESOURCES)
    # run_machine's options for these runs; tests change the store and the callback wait.
    return {"resources": tmp_path / "resources.yaml", "callback_wait": 0.0}


def lambda_task(function, payload=None, **fields):
    payload = payload or {}
    state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
             "Parameters": {"FunctionName": function,
                            "Payload": {"token.$": "$$.Task.Token", **payload}},
             "End": True, **fields}
    return {"StartAt": "Wait", "States": {"Wait": state}}


def run(definition, invoker, input=None, clock="virtual"):
    return run_machine(machine_from_definition(definition), input or {}, clock=clock, **invoker)


def types(result):
    return [e.type for e in result.history.events]


def test_handler_answers_at_once(invoker):
    result = run(lambda_task("Approve", {"order.$": "$.order"}), invoker, {"order": 7})
    assert result.status == "SUCCEEDED"
    assert result.output == {"approved": True, "order": 7}
    assert types(result)[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    submitted = result.history.events[4].details
    # TaskSubmitted holds the invoke response (the function's return value as Payload).
    assert submitted["resource"] == "invoke.waitForTaskToken" and submitted["output"]["Payload"] == {"sent": True}


def test_handler_answers_later_from_a_thread_real_clock(invoker):
    result = run(lambda_task("Later", {"delay": 0.1}), invoker, clock="real")
    assert (result.status, result.output) == ("SUCCEEDED", "late but here")


def test_virtual_clock_waits_a_bounded_real_time_for_a_thread(invoker):
    invoker["callback_wait"] = 5.0
    started = time.monotonic()
    result = run(lambda_task("Later", {"delay": 0.1}), invoker)
    assert (result.status, result.output) == ("SUCCEEDED", "late but here")
    assert time.monotonic() - started < 4  # it returned as soon as the answer came


def test_send_task_failure_fails_the_task_and_catch_sees_it(invoker):
    definition = lambda_task("Reject", Catch=[{"ErrorEquals": ["Rejected"], "Next": "Caught"}])
    del definition["States"]["Wait"]["End"]
    definition["States"]["Wait"]["Next"] = "Never"
    definition["States"]["Never"] = {"Type": "Succeed"}
    definition["States"]["Caught"] = {"Type": "Pass", "End": True}
    result = run(definition, invoker)
    assert result.output == {"Error": "Rejected", "Cause": "over budget"}
    failed = next(e for e in result.history.events if e.type == "TaskFailed")
    assert failed.details["error"] == "Rejected" and failed.details["cause"] == "over budget"


def test_heartbeat_timeout_on_the_virtual_clock(invoker):
    result = run(lambda_task("Ignore", HeartbeatSeconds=5, TimeoutSeconds=60), invoker)
    assert (result.status, result.error) == ("FAILED", "States.HeartbeatTimeout")
    timed_out = next(e for e in result.history.events if e.type == "TaskTimedOut")
    # AWS's event has no cause; this give-up is sfn's own (nobody answered in real time), so it says why.
    cause = timed_out.details.pop("cause")
    assert timed_out.details == {"resourceType": "lambda", "resource": "invoke.waitForTaskToken",
                                 "error": "States.HeartbeatTimeout"}
    assert "within the 0 real seconds a virtual-clock run waits for one (--callback-wait" in cause
    assert "the Task's HeartbeatSeconds (5 s) ran out on the simulated clock" in cause and result.cause == cause
    events = result.history.events
    submitted = next(e for e in events if e.type == "TaskSubmitted")
    assert timed_out.timestamp - submitted.timestamp == datetime.timedelta(seconds=5)


def test_timeout_seconds_on_the_virtual_clock(invoker):
    result = run(lambda_task("Ignore", TimeoutSeconds=30), invoker)
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert "--callback-wait" in result.cause and "the Task's TimeoutSeconds (30 s) ran out" in result.cause
    events = result.history.events
    assert events[-1].timestamp - events[0].timestamp == datetime.timedelta(seconds=30)


def test_no_timeout_never_hangs(invoker):
    # The Task's default TimeoutSeconds (99999999 s) is longer than a Standard execution may run:
    # the execution times out first, after a year.
    result = run(lambda_task("Ignore"), invoker)
    assert result.status == "TIMED_OUT"
    events = result.history.events
    assert events[-1].timestamp - events[0].timestamp == datetime.timedelta(days=365)


def test_execution_timeout_comes_first(invoker):
    definition = {**lambda_task("Ignore", HeartbeatSeconds=500), "TimeoutSeconds": 20}
    assert run(definition, invoker).status == "TIMED_OUT"


def test_heartbeats_keep_a_task_alive_on_the_real_clock(invoker):
    payload = {"beats": 4, "every": 0.15, "delay": 0.1}
    result = run(lambda_task("Later", payload, HeartbeatSeconds=1), invoker, clock="real")
    # 0.7 s of work: without heartbeats it would still pass HeartbeatSeconds=1 only just, so
    # also check that a real timeout fires when heartbeats stop.
    assert (result.status, result.output) == ("SUCCEEDED", "late but here")
    result = run(lambda_task("Ignore", HeartbeatSeconds=1), invoker, clock="real")
    assert result.error == "States.HeartbeatTimeout"


def test_sqs_consumer_answers(invoker):
    definition = {"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/work",
                       "MessageBody": {"token.$": "$$.Task.Token", "n": 3}}, "End": True}}}
    result = run(definition, invoker)
    assert result.output == {"queued": 3}
    submitted = next(e for e in result.history.events if e.type == "TaskSubmitted")
    assert set(submitted.details["output"]) >= {"MessageId", "MD5OfMessageBody", "SdkHttpMetadata"}


def test_sns_subscriber_answers(invoker):
    definition = {"StartAt": "Publish", "States": {"Publish": {
        "Type": "Task", "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
        "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts",
                       "Message": {"token.$": "$$.Task.Token"}}, "End": True}}}
    assert run(definition, invoker).output == {"via": "sns"}


def test_undeclared_queue_fails_before_waiting(invoker):
    definition = {"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/missing",
                       "MessageBody": {"token.$": "$$.Task.Token"}}, "End": True}}}
    result = run(definition, invoker)
    assert result.error == "SQS.AmazonSQSException"
    assert "TaskSubmitted" not in types(result)


def test_answers_through_the_store(tmp_path, invoker):
    """A second connection to the store stands in for `sfn task success` in another process."""
    store = Store(tmp_path / "sfn.db")
    invoker.update(store=store, callback_wait=5.0)
    path = tmp_path / "sfn.db"

    def answer():
        for _ in range(200):
            rows = Store(path).task_tokens()
            if rows:
                # What `sfn task heartbeat|success` does in another process (where the token is
                # not in memory): write the answer into the store.
                other = Store(path)
                other.answer_task_token(rows[0]["token"], None)
                other.answer_task_token(rows[0]["token"], "SUCCEEDED", json.dumps({"from": "store"}))
                return
            time.sleep(0.02)

    thread = threading.Thread(target=answer)
    thread.start()
    result = run(lambda_task("Ignore", HeartbeatSeconds=100), invoker)
    thread.join()
    assert result.output == {"from": "store"}
    (row,) = store.task_tokens(None)
    assert (row["status"], row["heartbeats"]) == ("SUCCEEDED", 1)
    with pytest.raises(TaskTokenError) as late:
        send_task_success(row["token"], {}, store=Store(path))
    assert late.value.code == "TaskTimedOut" and late.value.exit_code == 1


def test_token_errors(tmp_path):
    with pytest.raises(TaskTokenError) as bad:
        send_task_success("not-a-token", {})
    assert (bad.value.code, bad.value.message, bad.value.exit_code) == ("InvalidToken", "Invalid Token: 'Invalid token'", 2)
    token = new_token()
    assert well_formed(token) and not well_formed(token[:-2])
    with pytest.raises(TaskTokenError) as unknown:
        send_task_failure(token, "E", "C")
    assert unknown.value.code == "TaskDoesNotExist"
    with pytest.raises(TaskTokenError) as unknown_in_store:
        send_task_heartbeat(token, store=Store(tmp_path / "sfn.db"))
    assert unknown_in_store.value.code == "TaskDoesNotExist"
    with pytest.raises(TaskTokenError) as output:
        send_task_success(token, {"not json": object()})
    assert output.value.code == "InvalidOutput"
    for not_json in (float("nan"), float("inf")):  # json writes them, but they are no JSON: AWS refuses them
        with pytest.raises(TaskTokenError) as output:
            send_task_success(token, {"x": [not_json]})
        assert output.value.code == "InvalidOutput"


def test_answering_twice_is_task_timed_out(invoker):
    tokens = []
    definition = lambda_task("Approve", {"order": 1})
    result = run(definition, invoker)
    token = json.loads(json.dumps(result.history.to_aws()))  # the token is in TaskScheduled's parameters
    scheduled = next(e for e in token["events"] if e["type"] == "TaskScheduled")
    tokens.append(json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["Payload"]["token"])
    with pytest.raises(TaskTokenError) as late:
        send_task_success(tokens[0], {})
    assert late.value.message == "Task Timed Out: 'Provided task does not exist anymore'"


def test_sdk_send_task_success_with_a_bad_token(invoker):
    definition = {"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
        "Parameters": {"Output": "ParameterOutput", "TaskToken": "NoSuchTaskToken"}, "End": True}}}
    result = run(definition, invoker)
    assert result.error == "Sfn.InvalidTokenException"
    assert result.cause.startswith("Invalid Token: 'Invalid token' (Service: Sfn, Status Code: 400, Request ID: ")
    assert result.cause.endswith(") (SDK Attempt Count: 1)")


def test_a_token_nobody_answered_is_closed_as_timed_out(tmp_path, invoker):
    store = Store(tmp_path / "sfn.db")
    invoker["store"] = store
    result = run(lambda_task("Ignore", TimeoutSeconds=5), invoker)
    assert result.error == "States.Timeout"
    (row,) = store.task_tokens(None)
    assert row["status"] == "TIMED_OUT"
    with pytest.raises(TaskTokenError) as late:
        send_task_success(row["token"], {}, store=Store(tmp_path / "sfn.db"))
    assert late.value.code == "TaskTimedOut"


def test_callback_inside_a_parallel_branch_really_waits_on_the_real_clock(invoker):
    # Branches run on lane clocks; a callback there must wait for its answer in real time,
    # not give up the way a virtual clock does when nobody answers at once.
    branch = lambda_task("Later", {"delay": 0.2})
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [branch]}}}
    result = run(definition, invoker, clock="real")
    assert (result.status, result.output) == ("SUCCEEDED", ["late but here"])


def jsonata_task(function, **fields):
    state = {"Type": "Task", "QueryLanguage": "JSONata",
             "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
             "Arguments": {"FunctionName": function, "Payload": {"token": "{% $states.context.Task.Token %}"}},
             "End": True, **fields}
    return {"StartAt": "Wait", "States": {"Wait": state}}


def with_variables(definition, **variables):
    """Put a Pass that assigns variables before the Task."""
    states = {"Vars": {"Type": "Pass", "Assign": variables, "Next": "Wait"}, **definition["States"]}
    return {"StartAt": "Vars", "States": states}


# Each way of giving a Task's timeouts: literal, JSONPath (input or variable), JSONata.
TIMEOUT_FORMS = [
    ("jsonpath-path-from-input", lambda_task("Ignore", TimeoutSecondsPath="$.t"), {"t": 7}, "States.Timeout", 7),
    ("jsonpath-path-from-variable", with_variables(lambda_task("Ignore", HeartbeatSecondsPath="$hb"), hb=4),
     {}, "States.HeartbeatTimeout", 4),
    ("jsonata-timeout-expression", jsonata_task("Ignore", TimeoutSeconds="{% $states.input.t * 2 %}"), {"t": 6},
     "States.Timeout", 12),
    ("jsonata-heartbeat-from-variable",
     with_variables(jsonata_task("Ignore", HeartbeatSeconds="{% $hb %}", TimeoutSeconds=100), hb=3),
     {}, "States.HeartbeatTimeout", 3),
]


@pytest.mark.parametrize("definition,input,error,seconds", [c[1:] for c in TIMEOUT_FORMS],
                         ids=[c[0] for c in TIMEOUT_FORMS])
def test_timeouts_from_expressions(invoker, definition, input, error, seconds):
    result = run(definition, invoker, input)
    assert (result.status, result.error) == ("FAILED", error)
    events = result.history.events
    submitted = next(e for e in events if e.type == "TaskSubmitted")
    timed_out = next(e for e in events if e.type == "TaskTimedOut")
    assert timed_out.timestamp - submitted.timestamp == datetime.timedelta(seconds=seconds)


def test_a_jsonata_timeout_must_be_positive(invoker):
    result = run(jsonata_task("Ignore", TimeoutSeconds="{% $states.input.t %}"), invoker, {"t": 0})
    assert (result.status, result.error) == ("FAILED", "States.QueryEvaluationError")
    assert result.cause.endswith("Expected a value between 1 and 99999999, but was: 0")


def test_a_waiting_task_is_told_once_with_its_token(invoker, tmp_path):
    told = []
    invoker["on_callback"] = lambda *args: told.append(args)
    store = Store(tmp_path / "s.db")
    result = run(lambda_task("Ignore", TimeoutSeconds=30), {**invoker, "store": store})
    assert result.status == "FAILED"
    [(token, state, due)] = told
    [row] = store.task_tokens(None)
    assert (token, state, row["status"]) == (row["token"], "Wait", "TIMED_OUT")
    submitted = next(e for e in result.history.events if e.type == "TaskSubmitted")
    assert due - submitted.timestamp == datetime.timedelta(seconds=30)


def test_a_task_answered_at_once_is_not_told(invoker):
    told = []
    invoker["on_callback"] = lambda *args: told.append(args)
    assert run(lambda_task("Approve", {"order": 1}), invoker).status == "SUCCEEDED"
    assert told == []


# ------------------------------------------------------------------ races: exactly one answer wins

def _queue_wait(timeout_seconds=None):
    state = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
             "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/nobody",
                            "MessageBody": {"token.$": "$$.Task.Token"}}, "End": True}
    if timeout_seconds:
        state["TimeoutSeconds"] = timeout_seconds
    return {"StartAt": "Wait", "States": {"Wait": state}}


def _race(invoker, answerers, answer, rounds, window):
    """Run `rounds` executions whose answers land around the moment the Task gives up; what each saw."""
    import random

    outcomes = []
    for i in range(rounds):
        accepted, threads = [], []

        def on_wait(token, state, due, _accepted=accepted, _threads=threads):
            def one(n):
                time.sleep(random.uniform(0, 2 * window))
                try:
                    answer(token, n)
                    _accepted.append(n)
                except TaskTokenError as exc:
                    assert exc.code == "TaskTimedOut"
            _threads.extend(threading.Thread(target=one, args=(n,)) for n in range(answerers))
            for thread in _threads:
                thread.start()

        result = run_machine(machine_from_definition(_queue_wait(1)), {}, clock="virtual", on_callback=on_wait,
                             **{**invoker, "callback_wait": window})
        for thread in threads:
            thread.join()
        outcomes.append((result.status, result.error, result.output, list(accepted)))
    return outcomes


def _check_exactly_one_won(outcomes):
    for status, error, output, accepted in outcomes:
        assert len(accepted) <= 1, "two answers to one token were both acknowledged"
        if accepted:
            assert (status, output) == ("SUCCEEDED", {"n": accepted[0]}), "an acknowledged answer was lost"
        else:
            assert (status, error) == ("FAILED", "States.Timeout")
    assert {o[0] for o in outcomes} == {"SUCCEEDED", "FAILED"}  # the race went both ways


def test_answers_racing_the_timeout_in_process(invoker):
    outcomes = _race(invoker, 2, lambda token, n: send_task_success(token, {"n": n}), rounds=40, window=0.02)
    _check_exactly_one_won(outcomes)


def test_answers_racing_the_timeout_through_the_store(tmp_path, invoker):
    path = tmp_path / "sfn.db"
    invoker.update(store=Store(path))

    def from_another_process(token, n):  # as `sfn task success` does where the token is not in memory
        Store(path).answer_task_token(token, "SUCCEEDED", json.dumps({"n": n}))

    outcomes = _race(invoker, 2, from_another_process, rounds=30, window=0.05)
    _check_exactly_one_won(outcomes)
    statuses = {row["status"] for row in Store(path).task_tokens(None)}
    assert statuses <= {"SUCCEEDED", "TIMED_OUT"}

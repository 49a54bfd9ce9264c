"""Redrive at the interpreter: from where an execution stopped, history appended, successful steps kept."""

import pytest

from asl.api import machine_from_definition, redrive_execution, run_machine
from asl.errors import ApiError, StatesError
from asl.resources.compose import Services


class Flaky:
    """Answers every Task with its input plus a mark; the states in `broken` fail (until repaired)."""

    def __init__(self, *broken):
        self.broken = set(broken)
        self.calls = []

    def invoke(self, call):
        key = call.state_name if not isinstance(call.parameters, dict) or "key" not in call.parameters \
            else call.parameters["key"]
        self.calls.append(key)
        if key in self.broken:
            raise StatesError("Boom", f"{key} is broken")
        return {"done": key}


def first_run(tmp_path, definition, provider, input=None, name="e1", clock="virtual"):
    store = tmp_path / "sfn.db"
    machine = machine_from_definition(definition, validate=False)
    result = run_machine(machine, input or {}, resources=Services.of(provider), store=store, execution_name=name,
                         definition_text=__import__("json").dumps(definition), name="m", clock=clock)
    return store, result


def redrive(store, provider, name="e1", **options):
    return redrive_execution(name, store=store, resources=Services.of(provider), **options)


def types(result):
    return [e.type for e in result.history.events]


TASK_CHAIN = {"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": "$.a", "Next": "B",
          "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 1, "IntervalSeconds": 1}]},
    "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": "$.b", "End": True,
          "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 1, "IntervalSeconds": 1}]}}}


def test_a_failed_task_is_entered_again_with_its_input_and_the_run_goes_on(tmp_path):
    provider = Flaky("B")
    store, result = first_run(tmp_path, TASK_CHAIN, provider, {"x": 1})
    assert result.status == "FAILED" and provider.calls == ["A", "B", "B"]
    before = result.history.last_id
    provider.broken.clear()
    again = redrive(store, provider)
    assert again.status == "SUCCEEDED"
    assert again.output == {"x": 1, "a": {"done": "A"}, "b": {"done": "B"}}
    assert provider.calls == ["A", "B", "B", "B"]  # A is not run again; B's Retry starts over
    events = again.history.events
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    redriven = events[before]
    assert (redriven.type, redriven.previous_id, redriven.details) == \
        ("ExecutionRedriven", before, {"redriveCount": 1})
    entered = events[before + 1]
    assert (entered.type, entered.name, entered.previous_id) == ("TaskStateEntered", "B", redriven.id)
    assert entered.value == {"x": 1, "a": {"done": "A"}}
    assert types(again)[-1] == "ExecutionSucceeded"
    assert all(e.previous_id < e.id for e in events)


def test_the_store_keeps_one_history_and_counts_redrives(tmp_path):
    from asl.store import Store

    provider = Flaky("B")
    store, result = first_run(tmp_path, TASK_CHAIN, provider)
    first = redrive(store, provider)
    assert first.status == "FAILED"
    provider.broken.clear()
    second = redrive(store, provider)
    assert second.status == "SUCCEEDED"
    db = Store(store)
    found = db.find_execution("e1")
    assert (found["status"], found["redrive_count"]) == ("SUCCEEDED", 2) and found["redrive_date"]
    events = db.events(found["arn"])
    assert [e["type"] for e in events].count("ExecutionRedriven") == 2
    assert [e["executionRedrivenEventDetails"]["redriveCount"] for e in events
            if e["type"] == "ExecutionRedriven"] == [1, 2]
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert len(events) == second.history.last_id
    with pytest.raises(ApiError, match="ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven"):
        redrive(store, provider)


def test_unknown_executions_are_refused(tmp_path):
    provider = Flaky()
    store, _ = first_run(tmp_path, TASK_CHAIN, provider)
    with pytest.raises(ApiError, match="ExecutionDoesNotExist"):
        redrive(store, provider, name="nope")


PARALLEL = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
    {"StartAt": "L1", "States": {"L1": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                        "Parameters": {"key": "left"}, "End": True}}},
    {"StartAt": "R1", "States": {
        "R1": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"key": "r1"},
               "ResultPath": "$.r1", "Next": "R2"},
        "R2": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"key": "r2"},
               "ResultPath": "$.r2", "End": True}}},
    {"StartAt": "T1", "States": {"T1": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                        "Parameters": {"key": "third"}, "End": True}}}]}}}


# On the fast clock, branches and iterations run as lanes in threads (asl/interp/lanes.py).
@pytest.mark.parametrize("clock", ["virtual", "fast"])
def test_a_parallel_reruns_only_its_failed_branch_from_its_failed_state(tmp_path, clock):
    provider = Flaky("r2")
    store, result = first_run(tmp_path, PARALLEL, provider, {"in": 1}, clock=clock)
    assert result.status == "FAILED" and provider.calls == ["left", "r1", "r2"]
    provider.broken.clear()
    again = redrive(store, provider, clock=clock)
    assert again.status == "SUCCEEDED", again.cause
    # left kept, r1 kept (R1 succeeded in the branch), r2 again, third not started before: run now
    assert provider.calls == ["left", "r1", "r2", "r2", "third"]
    assert again.output == [{"done": "left"}, {"in": 1, "r1": {"done": "r1"}, "r2": {"done": "r2"}},
                            {"done": "third"}]
    new = types(again)[result.history.last_id:]
    assert new[:4] == ["ExecutionRedriven", "ParallelStateEntered", "ParallelStateStarted", "TaskStateEntered"]


MAP = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemsPath": "$.items",
                                        "ItemSelector": {"key.$": "$$.Map.Item.Value"},
                                        "ItemProcessor": {"StartAt": "Work", "States": {
                                            "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                     "End": True}}}}}}


@pytest.mark.parametrize("clock", ["virtual", "fast"])
@pytest.mark.parametrize("mode", ["INLINE", "DISTRIBUTED"])
def test_a_map_reruns_only_its_failed_iterations(tmp_path, mode, clock):
    definition = __import__("copy").deepcopy(MAP)
    definition["States"]["M"]["ItemProcessor"]["ProcessorConfig"] = {"Mode": mode}
    provider = Flaky("b")
    store, result = first_run(tmp_path, definition, provider, {"items": ["a", "b", "c"]}, clock=clock)
    assert result.status == "FAILED" and provider.calls == ["a", "b"]
    provider.broken.clear()
    again = redrive(store, provider, clock=clock)
    assert again.status == "SUCCEEDED", again.cause
    assert provider.calls == ["a", "b", "b", "c"]
    assert again.output == [{"done": "a"}, {"done": "b"}, {"done": "c"}]
    new = types(again)[result.history.last_id:]
    if mode == "INLINE":
        assert new.count("MapIterationStarted") == 2
    else:
        assert "MapRunRedriven" in new and "MapRunStarted" not in new


VARIABLES = {"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
    "Set": {"Type": "Pass", "Assign": {"greeting": "hello"}, "Next": "Use"},
    "Use": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"key": "use", "g": "{% $greeting %}", "count": "{% $states.context.Execution.RedriveCount %}",
                          "start": "{% $states.context.Execution.StartTime %}"},
            "Output": "{% $states.result %}", "End": True}}}


def test_variables_and_the_context_object_are_kept(tmp_path):
    seen = []

    class Record(Flaky):
        def invoke(self, call):
            seen.append(call.parameters)
            return super().invoke(call)

    provider = Record("use")
    store, result = first_run(tmp_path, VARIABLES, provider)
    assert result.status == "FAILED"
    provider.broken.clear()
    again = redrive(store, provider)
    assert again.status == "SUCCEEDED", again.cause
    assert [p["g"] for p in seen] == ["hello", "hello"]
    assert [p["count"] for p in seen] == [0, 1]
    assert seen[0]["start"] == seen[1]["start"]
    assert "RedriveTime" in again.info.execution_object()


def test_an_aborted_wait_is_redriven(tmp_path):
    """A run stopped mid-way (here: timed out in a Wait) goes on from that state."""
    definition = {"TimeoutSeconds": 5, "StartAt": "W", "States": {
        "W": {"Type": "Wait", "SecondsPath": "$.w", "Next": "Done"}, "Done": {"Type": "Pass", "End": True}}}
    provider = Flaky()
    store, result = first_run(tmp_path, definition, provider, {"w": 3})
    assert result.status == "SUCCEEDED"
    store, result = first_run(tmp_path, definition, provider, {"w": 10}, name="e2")
    assert result.status == "TIMED_OUT"
    again = redrive(store, provider, name="e2")
    # TimeoutSeconds counts from the redrive: the Wait of 10 s times out again
    assert again.status == "TIMED_OUT"
    new = types(again)[result.history.last_id:]
    assert new == ["ExecutionRedriven", "WaitStateEntered", "ExecutionTimedOut"]


def test_retry_counters_start_again_on_a_redrive(tmp_path):
    provider = Flaky("B")
    store, _ = first_run(tmp_path, TASK_CHAIN, provider)
    assert provider.calls.count("B") == 2  # the call and its one retry
    again = redrive(store, provider)
    assert again.status == "FAILED"
    assert provider.calls.count("B") == 4  # the Retrier's MaxAttempts counts afresh


def test_a_caught_error_in_a_branch_is_not_a_failure_and_branch_variables_are_kept(tmp_path):
    definition = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {
        "Type": "Parallel", "End": True, "Branches": [{"StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"inner": "{% 'branch-' & $states.input.n %}"}, "Next": "Call"},
            "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Arguments": {"key": "call", "inner": "{% $inner %}"}, "Output": "{% $states.result %}",
                     "End": True}}}]}}}
    provider = Flaky("call")
    store, result = first_run(tmp_path, definition, provider, {"n": 3})
    assert result.status == "FAILED"
    provider.broken.clear()
    again = redrive(store, provider)
    assert again.status == "SUCCEEDED", again.cause
    assert again.output == [{"done": "call"}]
    new = types(again)[result.history.last_id:]
    assert "PassStateEntered" not in new  # Set succeeded: its variable is restored, not assigned again


def test_runs_recorded_without_a_redrive_point_are_not_redrivable(tmp_path):
    from asl.store import Store

    provider = Flaky("B")
    store, _ = first_run(tmp_path, TASK_CHAIN, provider)
    db = Store(store)
    db.db.execute("UPDATE executions SET redrive = NULL")  # as an sfn before redrive recorded it
    db.db.commit()
    db.close()
    with pytest.raises(ApiError, match="Execution was started before the launch of RedriveExecution"):
        redrive(store, provider)


NOW = __import__("datetime").datetime(2026, 6, 1, tzinfo=__import__("datetime").timezone.utc)
DAY = __import__("datetime").timedelta(days=1)
REFUSALS = [
    # id, status, express, started, stopped, events, kept, reason
    ("failed", "FAILED", False, NOW - DAY, NOW - DAY, 10, True, None),
    ("timed-out", "TIMED_OUT", False, NOW - DAY, NOW - DAY, 10, True, None),
    ("aborted", "ABORTED", False, NOW - DAY, NOW - DAY, 10, True, None),
    ("succeeded", "SUCCEEDED", False, NOW - DAY, NOW - DAY, 10, True, "Execution is SUCCEEDED and cannot be redriven"),
    ("running", "RUNNING", False, NOW - DAY, None, 10, True, "Execution is RUNNING and cannot be redriven"),
    ("express", "FAILED", True, NOW - DAY, NOW - DAY, 10, True, "Execution is EXPRESS and cannot be redriven"),
    ("events", "FAILED", False, NOW - DAY, NOW - DAY, 24_999, True, "Execution history event limit exceeded"),
    ("events-room", "FAILED", False, NOW - DAY, NOW - DAY, 24_998, True, None),
    ("14-days", "FAILED", False, NOW - 20 * DAY, NOW - 15 * DAY, 10, True, "Execution redrivable period exceeded"),
    ("13-days", "FAILED", False, NOW - 20 * DAY, NOW - 13 * DAY, 10, True, None),
    ("a-year", "FAILED", False, NOW - 366 * DAY, NOW - DAY, 10, True,
     "Execution has exceeded the max execution time"),
    ("older-sfn", "FAILED", False, NOW - DAY, NOW - DAY, 10, False,
     "Execution was started before the launch of RedriveExecution"),
]


@pytest.mark.parametrize("status,express,started,stopped,events,kept,reason", [r[1:] for r in REFUSALS],
                         ids=[r[0] for r in REFUSALS])
def test_redrive_conditions(status, express, started, stopped, events, kept, reason):
    from asl.interp.redrive import refusal

    assert refusal(status, express=express, started=started, stopped=stopped, events=events, kept=kept,
                   now=NOW) == reason


def test_a_map_inside_a_parallel_reruns_only_the_failed_iteration(tmp_path):
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Solo", "States": {"Solo": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                "Parameters": {"key": "solo"}, "End": True}}},
        {"StartAt": "M", "States": {"M": MAP["States"]["M"]}}]}}}
    provider = Flaky("y")
    store, result = first_run(tmp_path, definition, provider, {"items": ["x", "y", "z"]})
    assert result.status == "FAILED" and provider.calls == ["solo", "x", "y"]
    provider.broken.clear()
    again = redrive(store, provider)
    assert again.status == "SUCCEEDED", again.cause
    assert provider.calls == ["solo", "x", "y", "y", "z"]
    assert again.output == [{"done": "solo"}, [{"done": "x"}, {"done": "y"}, {"done": "z"}]]


@pytest.mark.parametrize("clock", ["virtual", "fast"])
def test_tolerated_failures_are_rerun_when_the_threshold_failed_the_map(tmp_path, clock):
    definition = __import__("copy").deepcopy(MAP)
    definition["States"]["M"]["ToleratedFailureCount"] = 1
    provider = Flaky("a", "c")
    store, result = first_run(tmp_path, definition, provider, {"items": ["a", "b", "c"]}, clock=clock)
    assert result.error == "States.ExceedToleratedFailureThreshold"
    provider.broken.clear()
    again = redrive(store, provider, clock=clock)
    assert again.status == "SUCCEEDED", again.cause
    assert provider.calls == ["a", "b", "c", "a", "c"]
    assert again.output == [{"done": "a"}, {"done": "b"}, {"done": "c"}]


def test_a_redrive_that_read_a_stale_record_is_refused(tmp_path):
    """Two redrives of one record: the second finds the history it read replaced, and runs nothing."""
    from asl.store import Store

    provider = Flaky("B")
    store, _ = first_run(tmp_path, TASK_CHAIN, provider)
    db = Store(store)
    stale = db.redrive_source("e1")
    redrive(store, provider)  # FAILED again, one more redrive
    with pytest.raises(ApiError, match="ExecutionNotRedrivable: Execution was redriven meanwhile"):
        db.reopen_execution(stale["arn"], "2026-01-01T00:00:00+00:00", stale["redrive_count"])
    db.close()


def test_the_store_shows_the_redriven_execution_running_then_ended(tmp_path):
    from asl.store import Store

    provider = Flaky("B")
    store, _ = first_run(tmp_path, TASK_CHAIN, provider)
    reader = Store(store)
    seen = []
    provider.broken.clear()
    redrive(store, provider, listeners=[lambda event: seen.append(reader.find_execution("e1")["status"])])
    assert seen[0] == "RUNNING" and reader.find_execution("e1")["status"] == "SUCCEEDED"
    reader.close()


def test_a_branch_stopped_by_its_failing_sibling_is_rerun(tmp_path):
    class Slow(Flaky):
        def invoke(self, call):
            if call.parameters["key"] == "slow":
                __import__("time").sleep(0.2)  # still in its call when the other branch fails
            return super().invoke(call)

    def task(key):
        return {"StartAt": key, "States": {key: {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                 "Parameters": {"key": key}, "End": True}}}

    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True,
                                                   "Branches": [task("slow"), task("bad")]}}}
    provider = Slow("bad")
    store, result = first_run(tmp_path, definition, provider, clock="fast")
    assert result.status == "FAILED" and sorted(provider.calls) == ["bad", "slow"]
    provider.broken.clear()
    again = redrive(store, provider, clock="fast")
    assert again.status == "SUCCEEDED", again.cause
    assert sorted(provider.calls) == ["bad", "bad", "slow", "slow"]
    assert again.output == [{"done": "slow"}, {"done": "bad"}]

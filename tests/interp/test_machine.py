"""The execution as a whole: how long it may run (TimeoutSeconds and AWS's maximum durations)."""

import datetime

import pytest

from asl.api import machine_from_definition, run_machine
from asl.history import MAX_HISTORY_EVENTS
from asl.interp.machine import MAX_EXPRESS_SECONDS, MAX_STANDARD_SECONDS

# A Wait loop whose way out is never taken.
FOREVER = {"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 86400, "Next": "C"},
    "C": {"Type": "Choice", "Choices": [{"Variable": "$.done", "IsPresent": True, "Next": "D"}], "Default": "W"},
    "D": {"Type": "Succeed"}}}


def elapsed(result) -> float:
    events = result.history.events
    return (events[-1].timestamp - events[0].timestamp).total_seconds()


@pytest.mark.parametrize("definition,execution_type,seconds", [
    (FOREVER, "STANDARD", MAX_STANDARD_SECONDS),
    (FOREVER, "EXPRESS", MAX_EXPRESS_SECONDS),
    ({**FOREVER, "TimeoutSeconds": 3600}, "STANDARD", 3600),           # TimeoutSeconds comes first
    ({**FOREVER, "TimeoutSeconds": 99999998}, "STANDARD", MAX_STANDARD_SECONDS),  # the maximum still holds
    ({"StartAt": "W", "States": {"W": {"Type": "Wait", "Timestamp": "9999-12-31T00:00:00Z", "End": True}}},
     "STANDARD", MAX_STANDARD_SECONDS),
    ({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}],
        "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 99999999, "BackoffRate": 2, "MaxAttempts": 40}]}}},
     "STANDARD", MAX_STANDARD_SECONDS),
], ids=["wait-loop", "wait-loop-express", "timeout-seconds", "timeout-over-the-maximum", "far-timestamp",
        "huge-backoff"])
def test_an_execution_times_out_at_its_limit(definition, execution_type, seconds):
    result = run_machine(machine_from_definition(definition), {}, clock="virtual", execution_type=execution_type)
    assert result.status == "TIMED_OUT"
    assert result.history.events[-1].type == "ExecutionTimedOut"
    assert elapsed(result) == pytest.approx(seconds)


def test_an_execution_within_the_limit_runs_to_its_end():
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 364 * 86400, "End": True}}}
    result = run_machine(machine_from_definition(definition), {}, clock="virtual")
    assert result.status == "SUCCEEDED"
    assert elapsed(result) == datetime.timedelta(days=364).total_seconds()


LOOP = {"StartAt": "Loop", "States": {
    "Loop": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "D"}], "Default": "Loop"},
    "D": {"Type": "Succeed"}}}


def test_a_standard_history_holds_25000_events_then_the_execution_fails():
    result = run_machine(machine_from_definition(LOOP), {"spin": True}, clock="virtual")
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert result.cause == "The execution reached the maximum number of history events (25000)."
    events = result.history.to_aws()["events"]
    assert len(events) == MAX_HISTORY_EVENTS
    assert (events[-2]["id"], events[-2]["type"]) == (24_999, "ChoiceStateExited")
    assert events[-1] == {**events[-1], "id": 25_000, "previousEventId": 24_999, "type": "ExecutionFailed",
                          "executionFailedEventDetails": {"error": "States.Runtime", "cause": result.cause}}


def test_the_history_quota_cannot_be_caught():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [LOOP],
                                                   "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}]},
                                             "C": {"Type": "Succeed"}}}
    result = run_machine(machine_from_definition(definition), {"spin": True}, clock="virtual")
    assert (result.status, result.error) == ("FAILED", "States.Runtime")


def test_an_express_execution_has_no_history_quota():
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
    result = run_machine(machine_from_definition(definition), list(range(7000)), clock="virtual",
                         execution_type="EXPRESS")
    assert result.status == "SUCCEEDED" and len(result.history.events) > MAX_HISTORY_EVENTS


@pytest.mark.parametrize("clock", ["virtual", "fast"])
def test_an_express_loop_that_never_waits_ends_at_sfns_bound(monkeypatch, clock):
    import asl.history as history

    monkeypatch.setattr(history, "MAX_EXPRESS_EVENTS", 30_000)  # the real bound (500,000) takes seconds
    result = run_machine(machine_from_definition(LOOP), {"spin": True}, clock=clock, execution_type="EXPRESS")
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert result.cause == ("sfn limit: an Express execution may record at most 30000 events here "
                            "(AWS would run it until its 5-minute limit)")
    assert len(result.history.events) == 30_000


def test_the_express_bound_leaves_room_for_large_express_maps():
    from asl.history import MAX_EXPRESS_EVENTS

    assert MAX_EXPRESS_EVENTS >= 20 * MAX_HISTORY_EVENTS


@pytest.mark.parametrize("execution_type,cause", [
    ("STANDARD", "The execution reached the maximum number of history events (25000)."),
    ("EXPRESS", "sfn limit: an Express execution may record at most 30000 events here "
                "(AWS would run it until its 5-minute limit)"),
])
def test_a_distributed_map_child_that_loops_fails_at_its_bound_and_fails_the_map(monkeypatch, execution_type, cause):
    import asl.history as history

    monkeypatch.setattr(history, "MAX_EXPRESS_EVENTS", 30_000)  # the real bound (500,000) takes seconds
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type}, **LOOP}}}}
    result = run_machine(machine_from_definition(definition), [{"spin": True}], clock="virtual")
    assert (result.status, result.error, result.cause) == ("FAILED", "States.Runtime", cause)
    assert len(result.history.events) < 20  # the child's events are its own, not the parent's



class TickingClock:
    """A clock one millisecond later at every reading: a reading taken twice shows."""

    virtual = True

    def __init__(self):
        import datetime

        self.moment = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
        self.step = datetime.timedelta(milliseconds=1)

    def now(self):
        self.moment += self.step
        return self.moment

    def sleep(self, seconds):
        pass

    def fork(self, start):
        return self

    def advance_to(self, moment):
        pass

    def abort(self):
        pass


def test_the_entered_time_in_the_context_is_the_entered_event_s_time():
    from asl.api import machine_from_definition, run_machine

    machine = machine_from_definition({"StartAt": "P", "States": {"P": {
        "Type": "Pass", "Parameters": {"at.$": "$$.State.EnteredTime"}, "End": True}}})
    result = run_machine(machine, {}, clock=TickingClock())
    entered = next(e for e in result.history.events if e.type == "PassStateEntered").timestamp
    assert result.output["at"] == entered.strftime("%Y-%m-%dT%H:%M:%S.") + f"{entered.microsecond // 1000:03d}Z"

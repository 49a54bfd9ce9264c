"""Real concurrency (asl.interp.lanes): Map iterations and Parallel branches whose Tasks wait overlap on
the fast clock, up to their width, with results in order and a consistent history."""

from __future__ import annotations

import threading
import time

import pytest

import asl.interp.lanes as lanes
from asl.api import machine_from_definition, run_machine
from asl.callbacks import Submitted, send_task_success
from asl.errors import StatesError
from asl.resources.compose import Services

from conftest import event_types

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:Work"


class Handler:
    """A provider that sleeps `delay(value)` seconds per call and counts the calls running at once."""

    def __init__(self, delay=lambda value: 0.05, fail=lambda value: False):
        self.delay, self.fail = delay, fail
        self.lock = threading.Lock()
        self.running = self.peak = self.calls = 0

    def invoke(self, call):
        value = call.parameters
        with self.lock:
            self.running += 1
            self.calls += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(self.delay(value))
            if self.fail(value):
                raise StatesError("Boom", f"item {value}")
            return value
        finally:
            with self.lock:
                self.running -= 1


def task(**fields):
    return {"Type": "Task", "Resource": FUNCTION, **({} if "Next" in fields else {"End": True}), **fields}


def map_of(processor_state, **fields):
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, **fields, "ItemProcessor": {
        "StartAt": "T", "States": {"T": processor_state}}}}}


def run(definition, input, provider, clock="fast", **options):
    machine = machine_from_definition(definition, validate=False)
    return run_machine(machine, input, clock=clock, resources=Services.of(provider), **options)


def iteration_events(result, kind):
    return sorted(e.details["index"] for e in result.history.events if e.type == kind)


@pytest.mark.parametrize("items,width,expected", [(12, 3, 3), (10, 1, 1), (45, 0, 40)],
                         ids=["max-concurrency-3", "max-concurrency-1", "unset-is-40"])
def test_map_iterations_overlap_up_to_max_concurrency(items, width, expected):
    handler = Handler(delay=lambda value: 0.2 if width == 0 else 0.05)
    fields = {"MaxConcurrency": width} if width else {}
    result = run(map_of(task(), **fields), list(range(items)), handler)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert handler.peak == expected
    assert result.output == list(range(items))


def test_map_results_stay_in_item_order_when_later_items_finish_first():
    handler = Handler(delay=lambda value: (8 - value) * 0.01)
    result = run(map_of(task(), MaxConcurrency=8), list(range(8)), handler)
    assert result.output == list(range(8))
    assert handler.peak > 1


def test_parallel_branches_overlap():
    handler = Handler()
    branches = [{"StartAt": f"B{i}", "States": {f"B{i}": task(Parameters={"b": i})}} for i in range(3)]
    result = run({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": branches}}},
                 {}, handler)
    assert result.status == "SUCCEEDED"
    assert result.output == [{"b": 0}, {"b": 1}, {"b": 2}]
    assert handler.peak == 3


def test_a_nested_map_overlaps_with_its_outer_iterations():
    handler = Handler()
    inner = {"Type": "Map", "End": True, "ItemProcessor": {"StartAt": "T", "States": {"T": task()}}}
    result = run(map_of(inner), [[1, 2, 3], [4, 5, 6], [7, 8, 9]], handler)
    assert result.output == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert handler.peak == 9


def test_a_failing_iteration_stops_the_others_with_map_iteration_aborted():
    # Item 0 fails while items 1 and 2 still wait on their calls.
    handler = Handler(delay=lambda value: 0.05 if value == 0 else 0.3, fail=lambda value: value == 0)
    result = run(map_of(task(), MaxConcurrency=3), list(range(6)), handler)
    assert (result.status, result.error, result.cause) == ("FAILED", "Boom", "item 0")
    assert handler.calls == 3  # items 3..5 never start
    assert iteration_events(result, "MapIterationStarted") == [0, 1, 2]
    assert iteration_events(result, "MapIterationFailed") == [0]
    assert iteration_events(result, "MapIterationAborted") == [1, 2]
    types = event_types(result)
    assert types[-2:] == ["MapStateFailed", "ExecutionFailed"]
    # The stopped iterations record nothing after their Task started.
    assert types.count("LambdaFunctionSucceeded") == 0


def test_a_failing_branch_stops_the_other_branches():
    handler = Handler(delay=lambda value: 0.05 if value == "fails" else 0.3, fail=lambda value: value == "fails")
    slow = {"StartAt": "S", "States": {"S": task(Parameters="slow", Next="After"),
                                       "After": {"Type": "Pass", "End": True}}}
    fails = {"StartAt": "F", "States": {"F": task(Parameters="fails")}}
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [slow, fails]}}}
    result = run(definition, {}, handler)
    assert (result.status, result.error) == ("FAILED", "Boom")
    types = event_types(result)
    assert "PassStateEntered" not in types
    assert types[-2:] == ["ParallelStateFailed", "ExecutionFailed"]


def test_tolerated_failures_of_a_distributed_map_under_concurrency():
    handler = Handler(delay=lambda value: 0.02, fail=lambda value: value % 4 == 0)
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "T",
                 "States": {"T": task()}}

    def definition(tolerated):
        return {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "MaxConcurrency": 5,
                                                 "ToleratedFailureCount": tolerated, "ItemProcessor": processor}}}

    result = run(definition(3), list(range(10)), handler)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == [{"Error": "Boom", "Cause": f"item {i}"} if i % 4 == 0 else i for i in range(10)]
    assert handler.peak > 1
    result = run(definition(1), list(range(10)), Handler(delay=lambda value: 0.02, fail=lambda value: value % 4 == 0))
    assert (result.status, result.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    assert event_types(result)[-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]


def test_retry_and_variables_stay_per_iteration():
    failed_once: set = set()

    def fail(value):
        with lock:
            if value in failed_once:
                return False
            failed_once.add(value)
            return True

    lock = threading.Lock()
    handler = Handler(delay=lambda value: 0.02, fail=fail)
    processor = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"mine.$": "$"}, "Next": "T"},
        "T": task(Retry=[{"ErrorEquals": ["Boom"], "IntervalSeconds": 1}], Next="R"),
        "R": {"Type": "Pass", "Parameters": {"mine.$": "$mine", "got.$": "$"}, "End": True}}}
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": processor}}}
    result = run(definition, list(range(6)), handler)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == [{"mine": i, "got": i} for i in range(6)]
    assert handler.calls == 12 and handler.peak > 1


def test_callbacks_wait_in_lanes_at_once():
    waiting = {"now": 0, "peak": 0}
    lock = threading.Lock()

    class Callback:
        def invoke(self, call):
            with lock:
                waiting["now"] += 1
                waiting["peak"] = max(waiting["peak"], waiting["now"])

            def answer():
                with lock:
                    waiting["now"] -= 1
                send_task_success(call.task_token, {"done": call.parameters["v"]})

            threading.Timer(0.1, answer).start()
            return Submitted({})

    state = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True,
             "Parameters": {"token.$": "$$.Task.Token", "v.$": "$"}}
    result = run(map_of(state, MaxConcurrency=4), list(range(8)), Callback())
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == [{"done": i} for i in range(8)]
    assert waiting["peak"] == 4


def test_the_execution_timeout_stops_every_lane():
    class Never:
        def invoke(self, call):
            return Submitted({})

    state = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True,
             "Parameters": {"token.$": "$$.Task.Token"}}
    started = time.monotonic()
    result = run({**map_of(state), "TimeoutSeconds": 1}, list(range(5)), Never())
    assert result.status == "TIMED_OUT"
    assert time.monotonic() - started < 5
    assert event_types(result)[-1] == "ExecutionTimedOut"


def test_stopping_the_execution_aborts_every_lane():
    handler = Handler(delay=lambda value: 0.05)
    interpreters = []
    threading.Timer(0.15, lambda: interpreters[0].abort("Stop", "asked")).start()
    started = time.monotonic()
    result = run(map_of(task(), MaxConcurrency=2), list(range(100)), handler, on_start=interpreters.append)
    assert (result.status, result.error) == ("ABORTED", "Stop")
    assert time.monotonic() - started < 2 and handler.calls < 100


def test_no_event_is_lost_or_duplicated_and_each_iteration_chains_to_its_start():
    handler = Handler(delay=lambda value: (value * 7 % 5) * 0.002)
    result = run(map_of(task(), MaxConcurrency=10), list(range(100)), handler)
    events = result.history.events
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    by_id = {e.id: e for e in events}
    ends = [e for e in events if e.type == "MapIterationSucceeded"]
    assert sorted(e.details["index"] for e in ends) == list(range(100))
    for end in ends:
        event = by_id[end.previous_id]
        while event.type != "MapIterationStarted":
            assert event.previous_id < event.id
            event = by_id[event.previous_id]
        assert event.details["index"] == end.details["index"]


def test_the_store_records_every_event_of_a_concurrent_run(tmp_path):
    from asl.store import Store

    handler = Handler(delay=lambda value: 0.01)
    store = Store(tmp_path / "sfn.db")
    result = run(map_of(task(), MaxConcurrency=8), list(range(40)), handler, store=store)
    stored = store.events(result.info.execution_arn)
    assert [e["id"] for e in stored] == list(range(1, len(result.history.events) + 1))
    assert [e["type"] for e in stored] == event_types(result)


def _shape(result):
    start = result.history.events[0].timestamp
    return [(e.id, e.previous_id, e.type, e.timestamp - start, e.details) for e in result.history.events]


def test_the_virtual_clock_runs_lanes_one_after_another_identically():
    handler = Handler(delay=lambda value: 0.001)
    definition = map_of(task(), MaxConcurrency=3)
    first, second = (run(definition, list(range(9)), handler, clock="virtual") for _ in range(2))
    assert _shape(first) == _shape(second)
    assert handler.peak == 1


def test_calls_that_answer_at_once_keep_the_sequential_order(monkeypatch):
    monkeypatch.setattr(lanes, "GRACE", 5.0)  # no call here is that slow, however loaded the machine
    definition = map_of(task(), MaxConcurrency=3)
    fast = run(definition, list(range(9)), Handler(delay=lambda value: 0))
    virtual = run(definition, list(range(9)), Handler(delay=lambda value: 0), clock="virtual")
    assert [(e.id, e.previous_id, e.type) for e in fast.history.events] == \
           [(e.id, e.previous_id, e.type) for e in virtual.history.events]


def test_a_failing_iteration_stops_callbacks_waiting_in_other_lanes():
    class Callback:
        def invoke(self, call):
            if call.parameters["v"] == 0:
                time.sleep(0.05)
                raise StatesError("Boom", "item 0")
            return Submitted({})  # never answered

    state = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True,
             "Parameters": {"token.$": "$$.Task.Token", "v.$": "$"}}
    started = time.monotonic()
    result = run(map_of(state), list(range(4)), Callback())
    assert (result.status, result.error) == ("FAILED", "Boom")
    assert time.monotonic() - started < 3
    assert iteration_events(result, "MapIterationAborted") == [1, 2, 3]


def test_ctrl_c_aborts_every_lane():
    import _thread

    handler = Handler(delay=lambda value: 0.05)
    threading.Timer(0.15, _thread.interrupt_main).start()
    started = time.monotonic()
    result = run(map_of(task(), MaxConcurrency=4), list(range(200)), handler)
    assert result.status == "ABORTED"
    assert event_types(result)[-1] == "ExecutionAborted"
    assert time.monotonic() - started < 2 and handler.calls < 200
    time.sleep(0.1)
    assert handler.running == 0  # no lane goes on after the run ended


@pytest.mark.parametrize("width,took", [(0, 20), (2, 20), (1, 35)])
def test_waits_in_lanes_overlap_on_the_fast_clock_up_to_the_width(width, took):
    import datetime

    waits = {"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$", "End": True}}}
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "MaxConcurrency": width,
                                                   "ItemProcessor": waits}}}
    result = run(definition, [10, 20, 5], Handler())
    events = result.history.events
    elapsed = events[-1].timestamp - events[0].timestamp
    assert datetime.timedelta(seconds=took) <= elapsed < datetime.timedelta(seconds=took + 1)


def test_ctrl_c_does_not_wait_for_ever_for_a_lane_stuck_in_its_call(monkeypatch):
    import _thread

    monkeypatch.setattr(lanes, "INTERRUPT_WAIT", 0.2)
    handler = Handler(delay=lambda value: 1.5)
    threading.Timer(0.2, _thread.interrupt_main).start()
    started = time.monotonic()
    result = run(map_of(task(), MaxConcurrency=2), list(range(4)), handler)
    assert result.status == "ABORTED" and time.monotonic() - started < 1.2
    count = len(result.history.events)
    time.sleep(1.6)  # the stuck calls return meanwhile: their lanes add nothing to the ended run
    assert len(result.history.events) == count and event_types(result)[-1] == "ExecutionAborted"


@pytest.mark.parametrize("clock", ["real", "fast"])
def test_iterations_that_never_wait_run_on_one_lane_without_a_switch_per_item(monkeypatch, clock):
    handoffs = []
    release = lanes.Baton.release
    monkeypatch.setattr(lanes.Baton, "release", lambda self, lane: (handoffs.append(lane), release(self, lane))[1])
    pure = {"Type": "Pass", "Parameters": {"n.$": "$"}, "End": True}
    result = run(map_of(pure, MaxConcurrency=5), list(range(300)), Handler(), clock=clock)
    assert result.output == [{"n": n} for n in range(300)]
    assert len(handoffs) <= 5 + 1  # each lane once as it ends, the owner once: not once per item
    assert iteration_events(result, "MapIterationSucceeded") == list(range(300))


def test_a_lane_whose_call_returned_goes_on_before_the_idle_lanes_take_every_job(monkeypatch):
    monkeypatch.setattr(lanes, "GRACE", 0.005)
    # Item 0's call waits past GRACE (the next lanes take jobs meanwhile); every other call answers
    # within it, so a lane would keep taking jobs unless it saw item 0's lane waiting to go on.
    handler = Handler(delay=lambda value: 0.05 if value == 0 else 0.001)
    result = run(map_of(task(), MaxConcurrency=4), list(range(400)), handler)
    assert result.output == list(range(400))
    ends = [e.details["index"] for e in result.history.events if e.type == "MapIterationSucceeded"]
    assert ends.index(0) < 300


def test_waits_counted_on_a_lane_keep_the_lanes_taking_turns(monkeypatch):
    handoffs = []
    release = lanes.Baton.release
    monkeypatch.setattr(lanes.Baton, "release", lambda self, lane: (handoffs.append(lane), release(self, lane))[1])
    wait = {"Type": "Wait", "Seconds": 1, "End": True}
    result = run(map_of(wait, MaxConcurrency=2), list(range(6)), Handler(), clock="fast")
    assert result.status == "SUCCEEDED"
    assert len(handoffs) >= 6  # a lane that waited is later than the idle one in line: it hands on

"""The fast clock (`sfn run`'s default): real time, but Wait states and Retry intervals pass at once."""

import datetime

import pytest

import asl.interp.clock
from asl.api import machine_from_definition, run_machine
from asl.interp.clock import FastClock, make_clock


@pytest.fixture(autouse=True)
def no_real_sleep(monkeypatch):
    def fail(self, seconds):
        raise AssertionError(f"slept {seconds}s of real time")
    monkeypatch.setattr(asl.interp.clock.RealClock, "sleep", fail)


def wait(seconds):
    return {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": seconds, "End": True}}}


def test_a_skipped_wait_moves_the_clock_on():
    clock = make_clock("fast")
    assert isinstance(clock, FastClock) and not clock.virtual
    before = clock.now()
    clock.sleep(3600)
    assert datetime.timedelta(seconds=3600) <= clock.now() - before < datetime.timedelta(seconds=3601)


def test_parallel_waits_overlap_and_end_with_the_slowest_branch():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True,
                                                   "Branches": [wait(10), wait(20), wait(5)]}}}
    result = run_machine(machine_from_definition(definition), {}, clock="fast")
    events = result.history.events
    took = events[-1].timestamp - events[0].timestamp
    assert result.status == "SUCCEEDED" and datetime.timedelta(seconds=20) <= took < datetime.timedelta(seconds=21)


def test_the_execution_timeout_still_comes_on_time():
    result = run_machine(machine_from_definition({**wait(100), "TimeoutSeconds": 30}), {}, clock="fast")
    events = result.history.events
    assert result.status == "TIMED_OUT"
    assert abs(events[-1].timestamp - events[0].timestamp - datetime.timedelta(seconds=30)) < datetime.timedelta(seconds=1)


def test_a_lane_clock_runs_in_real_time_from_its_start_plus_the_waits_it_counted():
    from asl.interp.clock import RealClock

    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    lane = RealClock().fork(start)
    assert lane.waited == 0
    assert datetime.timedelta(0) <= lane.now() - start < datetime.timedelta(seconds=5)
    lane.sleep(3600)
    lane.advance_to(lane.now() + datetime.timedelta(seconds=60))
    assert lane.waited == pytest.approx(3660, abs=1)
    assert datetime.timedelta(seconds=3660) <= lane.now() - start < datetime.timedelta(seconds=3665)
    assert lane.fork(start).waited == 0  # a nested lane counts its own

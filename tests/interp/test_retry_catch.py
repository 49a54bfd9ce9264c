"""Retry and Catch: matching rules, backoff read from the virtual clock, what catchers produce."""

import pytest

from asl.errors import error_matches

from conftest import event_types


@pytest.mark.parametrize("pattern,name,expected", [
    ("E", "E", True),
    ("E", "F", False),
    ("States.ALL", "AnyError", True),
    ("States.ALL", "States.Timeout", True),
    ("States.ALL", "States.Runtime", False),
    ("States.ALL", "States.DataLimitExceeded", True),
    ("States.Runtime", "States.Runtime", False),
    ("States.TaskFailed", "CustomError", True),
    ("States.TaskFailed", "States.Timeout", False),

])
def test_error_matching(pattern, name, expected):
    assert error_matches(pattern, name) is expected


def failing_parallel(retry=None, catch=None, error="Boom"):
    state = {"Type": "Parallel", "End": True,
             "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": error, "Cause": "why"}}}]}
    if retry is not None:
        state["Retry"] = retry
    if catch is not None:
        state["Catch"] = catch
        state.pop("End")
        state["Next"] = "Done"
    return {"StartAt": "P", "States": {"P": state, "Done": {"Type": "Pass", "End": True}}}


def started_times(result):
    start = result.history.events[0].timestamp
    return [(e.timestamp - start).total_seconds() for e in result.history.events if e.type == "ParallelStateStarted"]


RETRY_TIMING = [
    # retrier, expected offsets of each attempt's start
    ({"ErrorEquals": ["Boom"]}, [0, 1, 3, 7]),
    ({"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "MaxAttempts": 2, "BackoffRate": 3}, [0, 2, 8]),
    ({"ErrorEquals": ["Boom"], "IntervalSeconds": 5, "MaxAttempts": 3, "BackoffRate": 2, "MaxDelaySeconds": 7},
     [0, 5, 12, 19]),
    ({"ErrorEquals": ["Boom"], "MaxAttempts": 0}, [0]),
    ({"ErrorEquals": ["Other"]}, [0]),
    ({"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}, [0, 1]),
]


@pytest.mark.parametrize("retrier,offsets", RETRY_TIMING)
def test_backoff_on_the_virtual_clock(execute, retrier, offsets):
    result = execute(failing_parallel(retry=[retrier]))
    assert result.status == "FAILED" and result.error == "Boom"
    assert started_times(result) == offsets


def test_full_jitter_stays_within_the_interval(execute):
    result = execute(failing_parallel(retry=[{"ErrorEquals": ["Boom"], "IntervalSeconds": 4, "MaxAttempts": 1,
                                              "JitterStrategy": "FULL"}]))
    first, second = started_times(result)
    assert 0 <= second - first <= 4


def test_each_retrier_counts_its_own_attempts(execute):
    # Errors alternate between two retriers only if each keeps its own counter; here one error
    # name exhausts its retrier while the other retrier is untouched.
    result = execute(failing_parallel(retry=[{"ErrorEquals": ["Other"], "MaxAttempts": 5},
                                             {"ErrorEquals": ["Boom"], "MaxAttempts": 2}]))
    assert len(started_times(result)) == 3


def test_parallel_failed_event_only_after_the_last_attempt(execute):
    result = execute(failing_parallel(retry=[{"ErrorEquals": ["Boom"], "MaxAttempts": 1}]))
    assert event_types(result).count("ParallelStateFailed") == 1
    assert event_types(result)[-2:] == ["ParallelStateFailed", "ExecutionFailed"]


CATCH = [
    # catcher, expected output of the Done state
    ({"ErrorEquals": ["Boom"], "Next": "Done"}, {"Error": "Boom", "Cause": "why"}),
    ({"ErrorEquals": ["States.ALL"], "Next": "Done", "ResultPath": "$.err"},
     {"in": 1, "err": {"Error": "Boom", "Cause": "why"}}),
    ({"ErrorEquals": ["Boom"], "Next": "Done", "ResultPath": None}, {"in": 1}),
]


@pytest.mark.parametrize("catcher,output", CATCH)
def test_catch_output(execute, catcher, output):
    result = execute(failing_parallel(catch=[catcher]), {"in": 1})
    assert result.status == "SUCCEEDED"
    assert result.output == output


def test_first_matching_catcher_wins(execute):
    result = execute(failing_parallel(catch=[{"ErrorEquals": ["Nope"], "Next": "Done", "ResultPath": "$.a"},
                                             {"ErrorEquals": ["Boom"], "Next": "Done", "ResultPath": "$.b"},
                                             {"ErrorEquals": ["States.ALL"], "Next": "Done", "ResultPath": "$.c"}]))
    assert set(result.output) == {"b"}


def test_states_all_does_not_catch_runtime_errors(execute):
    definition = {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Done", "Branches": [
            {"StartAt": "X", "States": {"X": {"Type": "Pass", "InputPath": "$.missing", "End": True}}}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}]},
        "Done": {"Type": "Pass", "End": True}}}
    result = execute(definition)
    assert result.status == "FAILED" and result.error == "States.Runtime"


def test_retry_then_catch(execute):
    result = execute(failing_parallel(retry=[{"ErrorEquals": ["Boom"], "MaxAttempts": 2}],
                                      catch=[{"ErrorEquals": ["Boom"], "Next": "Done"}]))
    assert result.status == "SUCCEEDED"
    assert len(started_times(result)) == 3


def test_backoff_past_what_a_float_holds_is_capped_by_max_delay(execute):
    # 2.0 ** 1024 overflows a float: the wait is MaxDelaySeconds all the same.
    retrier = {"ErrorEquals": ["Boom"], "MaxAttempts": 1030, "BackoffRate": 2.0, "MaxDelaySeconds": 5}
    result = execute(failing_parallel(retry=[retrier]))
    assert (result.status, result.error) == ("FAILED", "Boom")
    offsets = started_times(result)
    assert len(offsets) == 1031 and offsets[-1] - offsets[-2] == 5


def test_backoff_past_what_a_float_holds_without_max_delay_times_the_execution_out(execute):
    retrier = {"ErrorEquals": ["Boom"], "MaxAttempts": 1030, "BackoffRate": 2.5}
    assert execute(failing_parallel(retry=[retrier])).status == "TIMED_OUT"

"""Which Retrier takes an error and how many attempts it allows: the trace's "attempt N of M"."""

import pytest

from asl.api import machine_from_definition
from cli.retries import RetryCount, states_by_name

RETRY = [{"ErrorEquals": ["A"], "MaxAttempts": 2}, {"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}]


def state(retry):
    machine = machine_from_definition({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "Retry": retry,
        "End": True}}}, validate=False)
    return machine.states["T"]


@pytest.mark.parametrize("errors,labels", [
    (["A", "A"], ["attempt 2 of 3", "attempt 3 of 3"]),
    (["B"], ["attempt 2 of 2"]),
    (["A", "B"], ["attempt 2 of 3", "attempt 3 of 3"]),      # one A retry spent, then B's only one
    (["B", "A", "A"], ["attempt 2 of 2", "attempt 3 of 4", "attempt 4 of 4"]),
    (["States.Runtime"], ["attempt 2"]),                     # no Retrier takes it: no limit to say
])
def test_labels_follow_the_retrier_that_takes_each_error(errors, labels):
    count = RetryCount(state(RETRY))
    said = []
    for error in errors:
        said.append(count.label(error))
        count.retried(error)
    assert said == labels


def test_a_name_used_in_two_scopes_gives_no_limit():
    branch = {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}}
    machine = machine_from_definition({"StartAt": "P", "States": {"P": {
        "Type": "Parallel", "Branches": [branch, branch], "Next": "M"},
        "M": {"Type": "Map", "ItemProcessor": {"StartAt": "Y", "States": {"Y": {"Type": "Pass", "End": True}}},
              "End": True}}}, validate=False)
    states = states_by_name(machine)
    assert states["X"] is None and states["Y"].type == "Pass" and states["P"].type == "Parallel"
    assert states_by_name(None) == {}

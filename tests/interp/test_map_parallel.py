"""Map and Parallel: outputs in order, item selection, concurrency fields, tolerated failures."""

import pytest

from conftest import event_types

ITEM_FAILS_ON_3 = {"StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "F"}], "Default": "P"},
    "F": {"Type": "Fail", "Error": "Three", "Cause": "item 3"},
    "P": {"Type": "Pass", "End": True}}}


def map_machine(**fields):
    state = {"Type": "Map", "End": True, "ItemProcessor": ITEM_FAILS_ON_3, **fields}
    return {"StartAt": "M", "States": {"M": state}}


def test_parallel_outputs_in_branch_order(execute):
    branches = [{"StartAt": f"B{i}", "States": {f"B{i}": {"Type": "Pass", "Result": i, "End": True}}} for i in range(4)]
    result = execute({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": branches, "End": True}}})
    assert result.output == [0, 1, 2, 3]


def test_parallel_branches_read_outer_variables_and_theirs_go_out_of_scope(execute):
    def definition(after):
        return {"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "P"},
            "P": {"Type": "Parallel", "Next": "R", "Branches": [{"StartAt": "B", "States": {
                "B": {"Type": "Pass", "Parameters": {"seen.$": "$x"}, "Assign": {"y": 2}, "End": True}}}]},
            "R": {"Type": "Pass", "Parameters": after, "End": True}}}

    result = execute(definition({"outer.$": "$x", "branch.$": "$[0].seen"}), validate=True)
    assert result.output == {"outer": 1, "branch": 1}
    result = execute(definition({"inner.$": "$y"}), validate=True)
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "The JSONPath '$y' specified for the field 'inner.$' could not be found" in result.cause


MAPS = [
    ("items", {}, [1, 2, 4], [1, 2, 4]),
    ("items-path", {"ItemsPath": "$.xs"}, {"xs": [5, 6]}, [5, 6]),
    ("item-selector", {"ItemsPath": "$.xs", "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value",
                                                             "k.$": "$.k"}},
     {"xs": ["a", "b"], "k": 0}, [{"i": 0, "v": "a", "k": 0}, {"i": 1, "v": "b", "k": 0}]),
    ("legacy-parameters", {"Parameters": {"v.$": "$$.Map.Item.Value"}}, [1], [{"v": 1}]),
    ("empty", {}, [], []),
    ("tolerated-count", {"ToleratedFailureCount": 1}, [1, 3, 2],
     [1, {"Error": "Three", "Cause": "item 3"}, 2]),
    ("tolerated-percentage", {"ToleratedFailurePercentage": 50}, [3, 1],
     [{"Error": "Three", "Cause": "item 3"}, 1]),
    ("max-concurrency-path", {"MaxConcurrencyPath": "$.mc", "ItemsPath": "$.xs"}, {"mc": 2, "xs": [1]}, [1]),
    ("batcher", {"ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"b": 1}},
                 "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}},
     [1, 2, 4], [{"Items": [1, 2], "BatchInput": {"b": 1}}, {"Items": [4], "BatchInput": {"b": 1}}]),
]


@pytest.mark.parametrize("fields,input,output", [m[1:] for m in MAPS], ids=[m[0] for m in MAPS])
def test_map_outputs(execute, fields, input, output):
    result = execute(map_machine(**fields), input)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == output


MAP_FAILURES = [
    ("item-fails", {}, [1, 3], "Three", "item 3"),
    ("threshold", {"ToleratedFailureCount": 0}, [3], "States.ExceedToleratedFailureThreshold", None),
    ("not-an-array", {"ItemsPath": "$.xs"}, {"xs": 5}, "States.Runtime", 'Reference path "$.xs" must point to array.'),
    ("items-path-missing", {"ItemsPath": "$.a.b"}, {}, "States.Runtime",
     "Invalid path '$.a.b' : Missing property in path $['a']"),
    ("bad-concurrency-path", {"MaxConcurrencyPath": "$.mc", "ItemsPath": "$.xs"}, {"mc": "x", "xs": [1]}, "States.Runtime",
     'The MaxConcurrencyPath field refers to value "x" which is not a valid integer: $.mc'),
]


@pytest.mark.parametrize("fields,input,error,cause", [m[1:] for m in MAP_FAILURES], ids=[m[0] for m in MAP_FAILURES])
def test_map_failures(execute, fields, input, error, cause):
    result = execute(map_machine(**fields), input)
    assert result.status == "FAILED"
    assert result.error == error
    if cause:
        assert result.cause.endswith(cause)


def test_inline_map_events(execute):
    result = execute(map_machine(MaxConcurrency=1), [1])
    assert event_types(result) == [
        "ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapIterationStarted",
        "ChoiceStateEntered", "ChoiceStateExited", "PassStateEntered", "PassStateExited",
        "MapIterationSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]


def test_distributed_map_events_keep_iterations_out_of_the_parent_history(execute):
    processor = dict(ITEM_FAILS_ON_3, ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"})
    result = execute({"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": processor}}}, [1, 2])
    assert result.output == [1, 2]
    assert event_types(result) == [
        "ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunSucceeded",
        "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]


def test_distributed_map_exited_follows_map_run_started(execute):
    # AWS's link since 2024-11: MapStateExited's previousEventId is the MapRunStarted event.
    processor = dict(ITEM_FAILS_ON_3, ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"})
    result = execute({"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": processor}}}, [1])
    by_type = {e.type: e for e in result.history.events}
    assert by_type["MapStateExited"].previous_id == by_type["MapRunStarted"].id
    assert by_type["MapRunSucceeded"].previous_id == by_type["MapRunStarted"].id
    assert by_type["MapStateSucceeded"].previous_id == by_type["MapRunSucceeded"].id


@pytest.mark.parametrize("language,selector", [
    ("JSONPath", {"item.$": "$$.Map.Item"}),
    ("JSONata", {"item": "{% $states.context.Map.Item %}"}),
])
@pytest.mark.parametrize("mode", ["INLINE", "DISTRIBUTED"])
def test_map_item_source_of_items_from_the_input_is_state_data(execute, language, selector, mode):
    # The Developer Guide's context object: Map.Item.Source is STATE_DATA for items of the state input.
    processor = {"ProcessorConfig": {"Mode": mode, "ExecutionType": "STANDARD"}, "StartAt": "P",
                 "States": {"P": {"Type": "Pass", "End": True}}}
    result = execute({"QueryLanguage": language, "StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemSelector": selector, "ItemProcessor": processor}}}, ["a", "b"])
    assert result.output == [{"item": {"Index": 0, "Value": "a", "Source": "STATE_DATA"}},
                             {"item": {"Index": 1, "Value": "b", "Source": "STATE_DATA"}}]


def test_map_of_ten_thousand_items_as_express():
    # 80,000 events: over a Standard execution's history quota, so Express (as on AWS).
    from asl.api import machine_from_definition, run_machine

    result = run_machine(machine_from_definition(map_machine(), validate=False), list(range(4, 10_004)),
                         execution_type="EXPRESS")
    assert result.status == "SUCCEEDED" and len(result.output) == 10_000


def _elapsed(result) -> float:
    events = result.history.events
    return (events[-1].timestamp - events[0].timestamp).total_seconds()


def wait_branch(seconds):
    return {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": seconds, "End": True}}}


def test_parallel_branches_overlap_on_the_virtual_clock(execute):
    result = execute({"StartAt": "P", "States": {"P": {
        "Type": "Parallel", "End": True, "Branches": [wait_branch(10), wait_branch(30), wait_branch(20)]}}})
    assert _elapsed(result) == 30


def test_parallel_overlap_keeps_the_machine_within_its_timeout(execute):
    result = execute({"TimeoutSeconds": 15, "StartAt": "P", "States": {"P": {
        "Type": "Parallel", "End": True, "Branches": [wait_branch(10), wait_branch(10)]}}})
    assert result.status == "SUCCEEDED"


@pytest.mark.parametrize("max_concurrency,items,elapsed", [
    (0, [10, 10, 10, 10], 10),      # unbounded: all together
    (1, [10, 10, 10, 10], 40),      # one at a time
    (2, [10, 10, 10, 10], 20),      # two lanes
    (2, [30, 10, 10, 10], 30),      # the short ones share the second lane
    (3, [5], 5),
    (0, [0, 10, 0, 0, 20, 0], 20),  # a lane that did not move is taken again
    (2, [0, 0, 10, 0, 30, 0], 30),
])
def test_map_iterations_share_max_concurrency_lanes(execute, max_concurrency, items, elapsed):
    result = execute({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "MaxConcurrency": max_concurrency,
        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$", "End": True}}}}}},
        items)
    assert result.status == "SUCCEEDED"
    assert _elapsed(result) == elapsed


def test_each_iteration_runs_from_its_lanes_time_when_lanes_are_reused(execute, monkeypatch):
    from asl.interp.clock import VirtualClock

    forks = []
    fork = VirtualClock.fork
    monkeypatch.setattr(VirtualClock, "fork", lambda self, start: forks.append(start) or fork(self, start))
    result = execute({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "MaxConcurrency": 2,
        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$", "End": True}}}}}},
        [0, 0, 10, 0, 30, 0, 0])
    start = result.history.events[0].timestamp
    ended = {e.details["index"]: (e.timestamp - start).total_seconds()
             for e in result.history.events if e.type == "MapIterationSucceeded"}
    # lane A: 0, 10 (ends at 10), then 5 and 6 from 10; lane B: 1, 3, then 4 (ends at 30)
    assert ended == {0: 0, 1: 0, 2: 10, 3: 0, 4: 30, 5: 10, 6: 10}
    assert len(forks) == 3  # for item 0, for item 3 (item 2 moved the clock it reused) and for item 5, at 10


def test_iterations_that_never_wait_share_one_lane_clock(execute, monkeypatch):
    from asl.interp.clock import VirtualClock

    forks = []
    fork = VirtualClock.fork
    monkeypatch.setattr(VirtualClock, "fork", lambda self, start: forks.append(start) or fork(self, start))
    result = execute(map_machine(ItemProcessor={"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
                     list(range(50)))
    assert result.output == list(range(50))
    assert len(forks) == 1


class RecordingRealClock:
    """A real clock that records its sleeps instead of sleeping (and advances by them)."""

    virtual = False

    def __init__(self):
        import datetime

        from asl.interp.clock import RealClock

        self._real = RealClock()
        self.offset = datetime.timedelta()
        self.sleeps = []

    def now(self):
        return self._real.now() + self.offset

    def sleep(self, seconds):
        import datetime

        if seconds > 0:
            self.sleeps.append(seconds)
            self.offset += datetime.timedelta(seconds=seconds)

    def fork(self, start):
        from asl.interp.clock import LaneClock

        return LaneClock(start, self)

    def advance_to(self, moment):
        self.sleep((moment - self.now()).total_seconds())

    def abort(self):
        pass


def test_real_clock_sleeps_once_for_the_slowest_branch():
    from asl.api import machine_from_definition, run_machine

    clock = RecordingRealClock()
    machine = machine_from_definition({"StartAt": "P", "States": {"P": {
        "Type": "Parallel", "End": True, "Branches": [wait_branch(10), wait_branch(30), wait_branch(20)]}}},
        validate=False)
    result = run_machine(machine, {}, clock=clock)
    assert result.status == "SUCCEEDED"
    assert len(clock.sleeps) == 1 and 29 < clock.sleeps[0] <= 30


@pytest.mark.parametrize("mode,status", [("INLINE", "SUCCEEDED"), ("DISTRIBUTED", "FAILED")])
def test_only_inline_map_iterations_read_outer_variables(execute, mode, status):
    # The guide: "Distributed Map states cannot currently reference variables in outer scopes."
    result = execute({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "M"},
        "M": {"Type": "Map", "End": True, "ItemProcessor": {
            "ProcessorConfig": {"Mode": mode, "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x.$": "$x"}, "End": True}}}}}}, [0])
    assert result.status == status
    if status == "SUCCEEDED":
        assert result.output == [{"x": 1}]


def jsonata_batching_map(batcher):
    return {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "Items": "{% $states.input.xs %}", "ItemBatcher": batcher,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}


def test_jsonata_item_batcher_fields_are_expressions(execute):
    batcher = {"MaxItemsPerBatch": "{% $states.input.size %}", "BatchInput": {"b": "{% $states.input.size * 10 %}"}}
    result = execute(jsonata_batching_map(batcher), {"xs": [1, 2, 4], "size": 2})
    assert (result.status, result.output) == ("SUCCEEDED", [{"Items": [1, 2], "BatchInput": {"b": 20}},
                                                            {"Items": [4], "BatchInput": {"b": 20}}])


def test_jsonata_max_items_per_batch_of_the_wrong_type_is_a_query_error(execute):
    result = execute(jsonata_batching_map({"MaxItemsPerBatch": "{% 'two' %}"}), {"xs": [1]})
    assert (result.status, result.error) == ("FAILED", "States.QueryEvaluationError")
    assert "MaxItemsPerBatch" in result.cause and "Expected 'integer'" in result.cause


@pytest.mark.parametrize("value, fails", [(100, False), (100.5, True), (250, True), (0, False)])
def test_a_tolerated_failure_percentage_path_is_a_percentage(execute, value, fails):
    """ToleratedFailurePercentage ranges over 0..100 (the API's valid range): more fails the state."""
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ToleratedFailurePercentagePath": "$.pct", "ItemsPath": "$.items", "End": True,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
    result = execute(definition, {"pct": value, "items": [1]})
    if fails:
        assert result.error == "States.Runtime"
        assert f'The ToleratedFailurePercentagePath field refers to value "{value}" which is not a valid number' \
            in result.cause
    else:
        assert result.status == "SUCCEEDED"


def test_map_items_path_in_the_context_not_an_array(execute):
    # AWS names a context path against its own root (TestState's recordings): "$$.Execution" -> "$.Execution"
    result = execute(map_machine(ItemsPath="$$.Execution"), {})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert result.cause.endswith('Reference path "$.Execution" must point to array.')

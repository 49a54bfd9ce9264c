"""The JSONPath data flow and the simple states, end to end, with AWS's error names and causes."""

import pytest

from conftest import event_types


def machine(state: dict, **extra) -> dict:
    return {"StartAt": "S", "States": {"S": {**state, **({"End": True} if state["Type"] not in ("Fail", "Succeed", "Choice") else {})}}, **extra}


CASES = [
    # id, state, input, expected output
    ("pass-through", {"Type": "Pass"}, {"a": 1}, {"a": 1}),
    ("result", {"Type": "Pass", "Result": {"r": 1}}, {"a": 1}, {"r": 1}),
    ("result-path-merge", {"Type": "Pass", "Result": 2, "ResultPath": "$.b"}, {"a": 1}, {"a": 1, "b": 2}),
    ("result-path-null", {"Type": "Pass", "Result": 2, "ResultPath": None}, {"a": 1}, {"a": 1}),
    ("result-path-deep", {"Type": "Pass", "Result": 2, "ResultPath": "$.x.y"}, {"a": 1}, {"a": 1, "x": {"y": 2}}),
    ("input-path", {"Type": "Pass", "InputPath": "$.a"}, {"a": {"b": 1}}, {"b": 1}),
    ("input-path-null", {"Type": "Pass", "InputPath": None}, {"a": 1}, {}),
    ("output-path", {"Type": "Pass", "OutputPath": "$.a"}, {"a": [1]}, [1]),
    ("output-path-null", {"Type": "Pass", "OutputPath": None}, {"a": 1}, {}),
    ("parameters", {"Type": "Pass", "Parameters": {"x.$": "$.a", "k": "v", "n": {"y.$": "$.b[0]"}}},
     {"a": 1, "b": [7]}, {"x": 1, "k": "v", "n": {"y": 7}}),
    ("parameters-in-array", {"Type": "Pass", "Parameters": {"l": [{"x.$": "$.a"}, 2]}}, {"a": 1}, {"l": [{"x": 1}, 2]}),
    ("parameters-intrinsic", {"Type": "Pass", "Parameters": {"m.$": "States.MathAdd($.a, 2)"}}, {"a": 1}, {"m": 3}),
    ("parameters-context", {"Type": "Pass", "Parameters": {"n.$": "$$.State.Name"}}, {}, {"n": "S"}),
    ("result-dollar-keys-are-literal", {"Type": "Pass", "Result": {"x.$": "$.a"}}, {"a": 1}, {"x.$": "$.a"}),
    ("succeed-output-path", {"Type": "Succeed", "OutputPath": "$.a"}, {"a": 3}, 3),
    ("wait-seconds-path", {"Type": "Wait", "SecondsPath": "$.w"}, {"w": 5}, {"w": 5}),
    ("wait-timestamp", {"Type": "Wait", "Timestamp": "2000-01-01T00:00:00Z"}, {}, {}),
]


@pytest.mark.parametrize("state,input,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_output(execute, state, input, expected):
    result = execute(machine(state), input)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == expected


FAILURES = [
    ("input-path-missing", {"Type": "Pass", "InputPath": "$.nope"}, {},
     "States.Runtime", "Invalid path '$.nope' : No results for path: $['nope']"),
    ("output-path-missing", {"Type": "Pass", "OutputPath": "$.nope"}, {},
     "States.Runtime", "Invalid path '$.nope' : No results for path: $['nope']"),
    ("parameter-missing", {"Type": "Pass", "Parameters": {"v.$": "$.nope"}}, {"a": 1},
     "States.Runtime", "The JSONPath '$.nope' specified for the field 'v.$' could not be found in the input '{\"a\":1}'"),
    ("fail", {"Type": "Fail", "Error": "E", "Cause": "C"}, {}, "E", "C"),
    ("fail-paths", {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"}, {"e": "E2", "c": "C2"}, "E2", "C2"),
    ("fail-error-path-missing", {"Type": "Fail", "ErrorPath": "$.x"}, {},
     "States.Runtime", "The JSONPath '$.x' specified for the field 'ErrorPath' could not be found in the input '{}'"),
    ("wait-negative", {"Type": "Wait", "SecondsPath": "$.w"}, {"w": -1},
     "States.Runtime", "The SecondsPath parameter references a negative value: $.w == -1"),
    ("wait-not-integer", {"Type": "Wait", "SecondsPath": "$.w"}, {"w": 1.5},
     "States.Runtime", "The SecondsPath parameter cannot be parsed as a long value: $.w == 1.5"),
    ("wait-missing", {"Type": "Wait", "SecondsPath": "$.w"}, {},
     "States.Runtime", "The SecondsPath parameter does not reference an input value: $.w"),
    # A string is printed as it is, as AWS prints a JSONata Timestamp it cannot parse.
    ("wait-timestamp-path-not-iso", {"Type": "Wait", "TimestampPath": "$.t"}, {"t": "05-12-2016T21:29:29Z"},
     "States.Runtime", "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
     "date-time format string: $.t == 05-12-2016T21:29:29Z"),
    ("wait-timestamp-path-number", {"Type": "Wait", "TimestampPath": "$.t"}, {"t": 12},
     "States.Runtime", "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
     "date-time format string: $.t == 12"),
    ("timeout-seconds-path-missing", {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listBuckets",
                                      "TimeoutSecondsPath": "$.t"}, {},
     "States.Runtime", "Invalid path '$.t' : No results for path: $['t']"),
    ("heartbeat-seconds-path-missing", {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listBuckets",
                                        "HeartbeatSecondsPath": "$.a.h"}, {},
     "States.Runtime", "Invalid path '$.a.h' : Missing property in path $['a']"),
    ("too-large", {"Type": "Pass", "Result": "x" * 262_200}, {},
     "States.DataLimitExceeded",
     "The state/task 'S' returned a result with a size exceeding the maximum number of bytes service limit."),
    ("no-choice", {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "S"}]}, {},
     "States.NoChoiceMatched", "No Matches!"),
]


@pytest.mark.parametrize("state,input,error,cause", [c[1:] for c in FAILURES], ids=[c[0] for c in FAILURES])
def test_failure(execute, state, input, error, cause):
    result = execute(machine(state), input)
    assert result.status == "FAILED"
    assert result.error == error
    assert result.cause.endswith(cause)
    if error == "States.Runtime":
        assert result.cause.startswith("An error occurred while executing the state 'S' (entered at the event id #2). ")


def test_history_shape(execute):
    result = execute({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}, {"k": 1})
    events = result.history.to_aws()["events"]
    assert [(e["id"], e["previousEventId"], e["type"]) for e in events] == [
        (1, 0, "ExecutionStarted"), (2, 0, "PassStateEntered"), (3, 2, "PassStateExited"),
        (4, 3, "SucceedStateEntered"), (5, 4, "SucceedStateExited"), (6, 5, "ExecutionSucceeded")]
    assert events[1]["stateEnteredEventDetails"] == {"name": "A", "input": '{"k":1}', "inputDetails": {"truncated": False}}


def test_failed_state_has_no_exit_event(execute):
    result = execute(machine({"Type": "Pass", "InputPath": "$.x"}), {})
    assert event_types(result) == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]


def test_context_object(execute):
    result = execute(machine({"Type": "Pass", "Parameters": {"c.$": "$$"}}), {"in": 1})
    ctx = result.output["c"]
    assert ctx["Execution"]["Input"] == {"in": 1}
    assert ctx["Execution"]["Id"].startswith("arn:aws:states:us-east-1:123456789012:execution:StateMachine:")
    assert ctx["StateMachine"]["Id"] == "arn:aws:states:us-east-1:123456789012:stateMachine:StateMachine"
    assert ctx["State"]["Name"] == "S" and "RetryCount" not in ctx["State"]
    assert ctx["Execution"]["RedriveCount"] == 0


def test_virtual_clock_advances_with_wait(execute):
    result = execute(machine({"Type": "Wait", "Seconds": 90}))
    events = result.history.events
    assert (events[-1].timestamp - events[0].timestamp).total_seconds() == 90


def test_execution_timeout(execute):
    definition = machine({"Type": "Wait", "Seconds": 100})
    definition["TimeoutSeconds"] = 10
    result = execute(definition)
    assert result.status == "TIMED_OUT"
    assert event_types(result)[-1] == "ExecutionTimedOut"


@pytest.mark.parametrize("path,input,reason", [
    ("$.a", {}, "No results for path: $['a']"),
    ("$.a.b.c", {"a": {}}, "Missing property in path $['a']['b']"),
    ("$.no.such", {}, "Missing property in path $['no']"),
    ("$.l[0].x", {"l": [{}]}, "No results for path: $['l'][0]['x']"),
])
def test_missing_path_wording(execute, path, input, reason):
    result = execute(machine({"Type": "Pass", "OutputPath": path}), input)
    assert result.cause.endswith(f"Invalid path '{path}' : {reason}")


def test_states_runtime_is_never_caught(execute):
    definition = {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Done", "OutputPath": "$.x.y",
              "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}],
              "Catch": [{"ErrorEquals": ["States.Runtime"], "Next": "Done"}]},
        "Done": {"Type": "Pass", "End": True}}}
    result = execute(definition)
    assert result.status == "FAILED" and result.error == "States.Runtime"


def _kib(n: int) -> str:
    return "x" * (n * 1024)


OVERSIZED_OUTPUTS = [
    # Each part is under 256 KiB; the state's output is not.
    ("result-path-merge", {"Type": "Pass", "Result": _kib(100), "ResultPath": "$.b", "End": True}, {"a": _kib(200)}),
    ("map-result", {"Type": "Map", "End": True, "ItemProcessor": {"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Result": _kib(100), "End": True}}}}, [1, 2, 3]),
    ("parallel-result", {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": _kib(200), "End": True}}},
        {"StartAt": "Q", "States": {"Q": {"Type": "Pass", "Result": _kib(200), "End": True}}}]}, {}),
    ("jsonata-output", {"Type": "Pass", "QueryLanguage": "JSONata", "End": True,
                        "Output": "{% [$states.input.a, $states.input.a] %}"}, {"a": _kib(200)}),
]


@pytest.mark.parametrize("state,input", [c[1:] for c in OVERSIZED_OUTPUTS], ids=[c[0] for c in OVERSIZED_OUTPUTS])
def test_a_state_output_over_256_kib_is_data_limit_exceeded(execute, state, input):
    result = execute({"StartAt": "S", "States": {"S": state}}, input)
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")
    assert result.cause == ("The state/task 'S' returned a result with a size exceeding the maximum number of "
                            "bytes service limit.")


def test_an_output_just_under_the_limit_passes_and_the_error_can_be_caught(execute):
    # 262144 bytes exactly: {"a":"..."} around a string of 262136 characters.
    result = execute(machine({"Type": "Pass", "Parameters": {"a.$": "$.s"}}), {"s": "x" * 262_136})
    assert result.status == "SUCCEEDED"
    caught = execute({"StartAt": "M", "States": {
        "M": {"Type": "Map", "Next": "Done", "ItemProcessor": {"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Result": _kib(100), "End": True}}},
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}]},
        "Done": {"Type": "Succeed"}}}, [1, 2, 3])
    assert caught.status == "SUCCEEDED" and caught.output["Error"] == "States.DataLimitExceeded"


def test_payload_sizes_match_json_size():
    from asl.interp.dataflow import PayloadSizes, json_size

    sizes = PayloadSizes()
    values = [{"a": [1, 2.5, None, True, False, 'é"x\\', {"k": "v"}], "b": {"c": []}, "d": {}, "e": -3,
               "t": "a\tb", "u": "\u2603\u2028"}, [], {}, "x", [{"k" * 600: 1}], 10 ** 30, -0.0, 1.5e-7,
              # flat collections, measured by one encoding: escapes, non-ASCII, a lone surrogate, non-finite numbers
              {"id": 1, "v": 2.5, "tag": "item", "n": None, "t": True, "f": False}, ["\u00e9", "\U0001f600", "\ud800"],
              {"q": 'say "hi"\n', "c": "\x01\x7f"}, [float("nan"), float("inf"), -float("inf")], ["x" * 700] * 3,
              [[], {}, [1, "é"]], {"deep": {"er": {"est": ["\u2603"]}}},
              # member names are measured once per PayloadSizes: the same ones again, escaped or not
              {"é\"k": 1, "a": {"é\"k": [2], "tag": "x"}}, {"tag": "item", "id": 1, "v": 2},
              # what orjson refuses (measured by the walk) and its 64-bit bounds
              {"big": 2 ** 70, "s": "x"}, [-(2 ** 63), 2 ** 64 - 1], list(range(1000)), ["\x00\u2028", 1e-07, 1e16]]
    for value in values:
        assert sizes.size(value) == sizes.size(value) == json_size(value)


def test_json_size_of_a_value_without_floats_is_json_size():
    from asl.interp.dataflow import json_size

    # what orjson writes as json does (escapes, non-ASCII, nesting) and what it refuses (json measures it)
    for value in [{"items": [{"id": n, "v": n % 7, "s": "é\"\\\t\u2028"} for n in range(50)]}, [], {}, "x", None,
                  [True, False, None, -(2 ** 63), 2 ** 64 - 1], {"big": 2 ** 70}, ["\ud800"], {"deep": [[[{}]]]}]:
        assert json_size(value, floats=False) == json_size(value)



@pytest.mark.parametrize("value, over", [
    ({"a": "x" * 262_136}, False),                  # 262,144 bytes exactly
    ({"a": "x" * 262_137}, True),
    ({"a": "x" * 262_130, "n": 2 ** 70}, True),     # orjson refuses the integer: measured by the walk
    ({"a": "\ud800" * 87_379}, True),               # a lone surrogate counts its 3 bytes (orjson refuses it)
    ({"a": "\ud800" * 87_378}, False),
    ({"a": {"b": ["x" * 262_128]}}, False),        # nested: 262,144 bytes exactly
    ({"a": {"b": ["x" * 262_129]}}, True),
    ([[1e-07] * 43_690, []], True),                 # json's 1e-07 is a byte longer than orjson's 1e-7
    ([[1e-07] * 43_690], False),
])
def test_a_small_flat_output_is_checked_at_the_limit_exactly(value, over):
    from asl.errors import StatesError
    from asl.interp.dataflow import PayloadSizes, json_size

    assert (json_size(value) > 262_144) is over
    if over:
        with pytest.raises(StatesError, match="exceeding the maximum number of bytes"):
            PayloadSizes().check(value, "S")
    else:
        PayloadSizes().check(value, "S")


def _counting_sizes():
    """A PayloadSizes whose class counts the calls of size() (Counting.asked)."""
    from asl.interp.dataflow import PayloadSizes

    class Counting(PayloadSizes):
        asked = 0

        def size(self, value):
            Counting.asked += 1
            return super().size(value)

    return Counting, Counting()


def test_a_small_flat_output_is_measured_without_the_remembered_sizes():
    Counting, sizes = _counting_sizes()
    sizes.check({"id": 1, "v": "x", "ok": True, "n": None}, "S")
    assert Counting.asked == 0
    # A small nested one too, floats and infinities and all (json's text is at most 2.25 times orjson's)
    sizes.check({"id": 1, "v": [1, {"f": [1e-07, float("inf")] * 1000}]}, "S")
    assert Counting.asked == 0


def test_a_large_or_shared_output_is_measured_by_the_remembered_sizes():
    from asl.interp.dataflow import json_size

    Counting, sizes = _counting_sizes()
    document = {"orders": [{"id": n, "items": [{"sku": f"s{n}", "q": 1}]} for n in range(1000)]}
    sizes.check({"doc": document}, "Big")   # past PLAIN_BYTES: size() measures, and remembers, its parts
    assert Counting.asked > 0 and sizes._known[id(document)] == (document, json_size(document))
    # The next state's output shares the document: size() adds its remembered size, nothing is encoded again.
    Counting.asked = 0
    sizes.check({"doc": document, "i": {"n": 1}}, "Next")
    assert Counting.asked > 0
    # ...and that state's outputs go straight to size() from then on, even a small one.
    Counting.asked = 0
    sizes.check({"i": {"n": 2}}, "Next")
    assert Counting.asked > 0

"""History kept as columns renders exactly as plain events would (the hot path stores no objects)."""

from __future__ import annotations

import datetime
import json

import pytest

from asl.history import Event, History
from asl.interp.clock import VirtualClock

START = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)


def _history() -> History:
    clock = VirtualClock(START)
    history = History(clock)
    doc = {"a": [1, 2.5, "é"], "b": None}
    history.add("ExecutionStarted", 0, {"input": doc, "roleArn": "arn:role"})
    history.add_state("PassStateEntered", 1, "P", doc, True)
    clock.sleep(1.5)
    history.add_state("PassStateExited", 2, "P", {"x": 1}, False, {"v": [1], "w": "s"})
    history.add_state("ChoiceStateEntered", 3, "C", {"x": 1}, True)
    history.add_state("ChoiceStateExited", 4, "C", {"x": 1}, False)
    history.add("ExecutionSucceeded", 5, {"output": {"x": 1}})
    return history


def _as_plain_event(event: Event) -> Event:
    return Event(event.id, event.previous_id, event.timestamp, event.type, event.details)


def test_columns_render_as_plain_events_would():
    history = _history()
    assert history.last_id == 6
    plain = [_as_plain_event(e).to_aws() for e in history.events]
    rendered = history.to_aws()["events"]
    assert json.dumps(rendered) == json.dumps(plain)  # same members, same order, same text
    assert rendered[2]["stateExitedEventDetails"] == {
        "name": "P", "output": '{"x":1}', "outputDetails": {"truncated": False},
        "assignedVariables": {"v": "[1]", "w": '"s"'}, "assignedVariablesDetails": {"truncated": False}}
    assert rendered[1]["stateEnteredEventDetails"]["input"] == '{"a":[1,2.5,"é"],"b":null}'
    assert rendered[2]["timestamp"] == "2024-01-01T00:00:01.500000+00:00"


def test_listeners_see_each_event_as_it_is_recorded():
    seen = []
    history = History(VirtualClock(START), [lambda e: seen.append((e.id, e.type, e.details))])
    history.add("ExecutionStarted", 0, {"input": {}})
    history.add_state("PassStateEntered", 1, "P", {}, True)
    assert seen == [(1, "ExecutionStarted", {"input": {}}), (2, "PassStateEntered", {"input": {}, "name": "P"})]
    assert [e.type for e in history.events] == ["ExecutionStarted", "PassStateEntered"]


def test_dump_and_load_render_the_same_events():
    from asl.api import machine_from_definition, run_machine
    from asl.history import History

    machine = machine_from_definition({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"v": 1}, "Result": {"big": list(range(50))}, "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 5, "Next": "F"},
        "F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}, validate=False)
    history = run_machine(machine, {"in": "ä"}).history
    columns, values = history.dump()
    values = list(values)
    assert History.load(columns, [json.loads(v) for v in values]).to_aws() == history.to_aws()
    # the Pass output and the Wait input are one object: written once
    assert sum(v.count('"big":[0,1,2') for v in values) == 1


@pytest.mark.parametrize("damage", [
    lambda body: body["previous"].append(1),        # a column longer than the others
    lambda body: body["names"].pop(),               # one shorter
], ids=["longer", "shorter"])
def test_columns_that_do_not_fit_together_are_refused(damage):
    from asl.history import History

    columns, values = _history().dump()
    body = json.loads(columns)
    damage(body)
    with pytest.raises(ValueError, match="do not fit together"):
        History.of_columns(body, [json.loads(v) for v in values])


def test_columns_give_each_field_of_the_events_in_order():
    history = _history()
    previous, types, times, names, data, assigned = history.columns(1, 4)
    events = history.events[1:4]
    assert previous == [e.previous_id for e in events] and types == [e.type for e in events]
    assert times == [e.timestamp for e in events] and names == [getattr(e, "name", None) for e in events]
    assert data == [e.value if hasattr(e, "name") else e.details for e in events]
    assert history.columns(4, 4) == ([], [], [], [], [], {})


def test_shared_texts_encode_like_json_and_reuse_shared_parts():
    import json

    from asl.history import SharedTexts

    shared = {"deep": [{"k": "ä", "n": [1, 2.5, None, True]}] * 3}
    values = [{"a": shared, "i": i} for i in range(3)] + [[shared, "x"], "s", 1, None, []]
    texts = SharedTexts()
    for value in values:
        assert texts.encode(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert id(shared) in texts.memo


def test_shared_texts_texts_join_to_the_json_array_of_the_values():
    from asl.history import FLAT_BATCH, FLAT_ITEMS, SharedTexts

    shared = {"deep": [{"k": "ä"}]}
    flat = [{"i": i, "s": "é"} for i in range(FLAT_BATCH + 3)]
    values = flat[:5] + [shared, {"a": shared}] + flat[5:] + [list(range(FLAT_ITEMS + 1)), "s", 1.5, None, [], {}]
    pieces = list(SharedTexts().texts(values))
    assert sum(count for count, _ in pieces) == len(values)
    assert "[" + ",".join(text for _, text in pieces) + "]" == json.dumps(values, separators=(",", ":"),
                                                                          ensure_ascii=False)


def test_segments_of_columns_are_the_segments_of_events():
    from asl.store.segments import SegmentWriter

    history = _history()
    by_events, by_columns = SegmentWriter(), SegmentWriter()
    for start, stop in ((0, 2), (2, 6)):
        a = by_events.segment(history.events[start:stop])
        b = by_columns.segment_of_columns(*history.columns(start, stop))
        assert (a.index, a.columns, a.first_value, list(a.rows())) == (b.index, b.columns, b.first_value,
                                                                       list(b.rows()))
    assert '"assigned":{"2":{"v":[1],"w":"s"}}' in b.columns


# ------------------------------------------------------------------ streaming the AWS form

import json as _json  # noqa: E402



from asl.history import write_aws_json  # noqa: E402


@pytest.mark.parametrize("events", [
    [],
    [{"id": 1, "type": "ExecutionStarted", "details": {"input": "{\"é\": [1, {}]}", "nested": {"a": [1, 2]}}}],
    [{"id": i, "previousEventId": i - 1, "type": "PassStateEntered", "x": {"y": ["\u2603", None]}}
     for i in range(1, 5)],
], ids=["none", "one", "several"])
@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_streamed_json_is_what_json_dumps_writes(events, ensure_ascii):
    import io

    out = io.StringIO()
    write_aws_json(iter(events), out, ensure_ascii=ensure_ascii)
    assert out.getvalue() == _json.dumps({"events": events}, indent=1, ensure_ascii=ensure_ascii) + "\n"

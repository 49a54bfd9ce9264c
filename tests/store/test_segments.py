"""Segments' columns: the text put together from its parts is the columns dict's compact JSON, and reads back."""

from __future__ import annotations

import datetime
import json

import pytest

from asl import deepjson
from asl.history import History
from asl.interp.clock import VirtualClock
from asl.store.nodes import NODE_BYTES
from asl.store.segments import FORMAT, SegmentWriter, _coded_text, read_history

START = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("column, table, text", [
    ([], [], ""),
    (["a"], ["a"], "0"),
    (["b", "a", "b", None, "a", None], ["b", "a", None], "0,1,0,2,1,2"),
    ([None] * 3, [None], "0,0,0"),
    (["é", "\u2603", "é"] + [str(i) for i in range(12)], ["é", "\u2603", *map(str, range(12))],
     "0,1,0," + ",".join(str(i) for i in range(2, 14))),
])
def test_coded_text_is_each_entry_s_index_among_the_distinct_ones(column, table, text):
    assert _coded_text(column) == (table, text)


def _history() -> History:
    clock = VirtualClock(START)
    history = History(clock)
    big = {"rows": [{"i": i, "é": "\u2603"} for i in range(NODE_BYTES // 8)]}
    history.add("ExecutionStarted", 0, {"input": big, "roleArn": "arn:role"})
    history.add_state("PassStateEntered", 1, "P ü", big, True)
    clock.sleep(1.5)
    history.add_state("PassStateExited", 2, "P ü", {**big, "n": 1}, False, {"v": [1], "w": "s"})
    history.add_state("ChoiceStateEntered", 3, "C", "text", True, {"ignored": 1})
    clock.sleep(0.25)
    history.add_state("ChoiceStateExited", 4, "C", None, False)
    history.add("ExecutionSucceeded", 5, {"output": None})
    return history


@pytest.mark.parametrize("cuts", [(0, 6), (0, 1, 6), (0, 2, 3, 6), (0, 1, 2, 3, 4, 5, 6)])
def test_columns_text_is_the_columns_compact_json_and_reads_back(cuts):
    history = _history()
    writer = SegmentWriter()
    segments = [writer.segment_of_columns(*history.columns(start, stop)) for start, stop in zip(cuts, cuts[1:])]
    for segment in segments:
        body = json.loads(segment.columns)
        assert body["format"] == FORMAT
        assert segment.columns == deepjson.dumps(body)  # compact, not ASCII-escaped, as deepjson writes it
        assert list(body) == ["format", "data", "previous", "types", "times", "names", "assigned", "links", "tables"]
    read = read_history([s.columns for s in segments], [row for s in segments for _, row in s.rows()])
    assert json.dumps(read.to_aws()) == json.dumps(history.to_aws())
    first = json.loads(segments[0].columns)
    assert first["tables"]["names"][0] is None and first["names"][0] == 0


TWO_HOURS_EAST = datetime.timezone(datetime.timedelta(hours=2))


@pytest.mark.parametrize("times, table, offsets", [
    ([START] * 3, [START.isoformat()], [0, 0, 0]),
    # a lane's clock may be behind the first event's: offsets can be negative
    ([START, START + datetime.timedelta(seconds=1), START - datetime.timedelta(microseconds=500)],
     [START.isoformat()], [0, 1_000_000, -500]),
    # an instant in another zone is the same instant after the first moment
    ([START.astimezone(TWO_HOURS_EAST), START + datetime.timedelta(microseconds=1)],
     ["2024-01-01T02:00:00+02:00"], [0, 1]),
    ([], [], []),
])
def test_times_are_microseconds_after_the_first_moment(times, table, offsets):
    count = len(times)
    segment = SegmentWriter().segment_of_columns(list(range(count)), ["PassStateEntered"] * count, times,
                                                 ["P"] * count, [None] * count, {})
    body = json.loads(segment.columns)
    assert (body["tables"]["times"], body["times"]) == (table, offsets)
    read = read_history([segment.columns], [row for _, row in segment.rows()])
    assert [event.timestamp for event in read.events] == times


def test_a_segment_of_format_2_reads_back():
    # format 2 gave times as indexes into the segment's table of ISO texts
    history = _history()
    segment = SegmentWriter().segment_of_columns(*history.columns(0, 6))
    body = json.loads(segment.columns)
    moments = list(dict.fromkeys(event.timestamp.isoformat() for event in history.events))
    body.update(format=2, times=[moments.index(event.timestamp.isoformat()) for event in history.events])
    body["tables"]["times"] = moments
    read = read_history([json.dumps(body)], [row for _, row in segment.rows()])
    assert json.dumps(read.to_aws()) == json.dumps(history.to_aws())

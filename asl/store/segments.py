"""A history as the store keeps it: segments of columns, and each distinct value's JSON once.

Events are written a segment at a time as the execution runs (so a killed run keeps what it had
recorded) and read back as one History. A segment's columns have History.dump's shape ("data"
holds indexes into the values of the whole history, "assigned" is keyed by event position); its
new values follow in rows of about ROW_BYTES, each a JSON array keyed by the index of its first
value. A state's output is usually the next state's input, the same object: it is written once
however many events (and segments) hold it. Values are encoded only as their rows are written,
one row at a time, so a history of large documents is never held twice in memory.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

from ..record import record
from .. import deepjson
from ..history import Event, History, SharedTexts, StateEvent

ROW_BYTES = 65_536  # a row per small value costs more than encoding it; big ones stay one a row
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_LISTS = ("data", "previous", "types", "times", "names")


@record
class Segment:
    """Events ready to be written: their columns row (number `index`) and the values they add."""

    index: int
    columns: str
    first_value: int           # the index of values[0] among the history's values
    values: list[Any]
    texts: SharedTexts         # the writer's: each dict / list encoded once by identity

    def rows(self) -> Iterator[tuple[int, str]]:
        """(index of its first value, JSON array of values) rows, encoded now (each time it is asked)."""
        start, row, size, done = self.first_value, [], 0, 0
        for count, text in self.texts.texts(self.values):  # small flat values come several to a text
            done += count
            row.append(text)
            size += len(text)
            if size >= ROW_BYTES:
                yield start, "[" + ",".join(row) + "]"
                start, row, size = self.first_value + done, [], 0
        if row:
            yield start, "[" + ",".join(row) + "]"


class SegmentWriter:
    """Turns one execution's events, in order, into Segments; values shared between segments are written once."""

    def __init__(self) -> None:
        self.texts = SharedTexts()
        self.seen: dict[int, int] = {}  # id of a dict / list written -> its index among the values
        self.kept: list[Any] = []       # those objects: alive, so that their ids are not reused
        self.values = 0                 # values in segments so far
        self.events = 0                 # events in segments so far
        self.segments = 0

    def segment(self, events: Iterable[Event]) -> Segment:
        """The next segment: these events, which follow the ones already taken (no value is encoded yet)."""
        return self.segment_of_rows(
            (event.previous_id, event.type, event.timestamp, event.name, event.value, event.assigned)
            if isinstance(event, StateEvent) else
            (event.previous_id, event.type, event.timestamp, None, event.details, None)
            for event in events)

    def segment_of_columns(self, previous: list[int], types: list[str], times: list, names: list[str | None],
                           data: list, assigned: dict[int, dict]) -> Segment:
        """The next segment, of History.columns' lists: the same segment as segment_of_rows makes of those events.

        Column by column, without a tuple per event (a Map of 10k items records ~60k events).
        """
        first = self.events
        seen, kept, values = self.seen, self.kept, []
        refs: list[int] = []
        next_ref = self.values
        for value in data:
            if isinstance(value, (dict, list)):
                ref = seen.get(id(value))
                if ref is None:
                    ref = seen[id(value)] = next_ref
                    next_ref += 1
                    kept.append(value)
                    values.append(value)
            else:
                ref = next_ref
                next_ref += 1
                values.append(value)
            refs.append(ref)
        # A virtual clock stamps runs of events with one datetime object: each is formatted once
        # (the lists are alive meanwhile, so an id names one object).
        stamps = {key: moment.isoformat() for key, moment in dict(zip(map(id, times), times)).items()}
        texts = list(map(stamps.__getitem__, map(id, times)))
        # as segment_of_rows: only a state event's (one with a name) assignedVariables, in event order
        kept_assigned = {str(first + position): assigned[position] for position in sorted(assigned)
                         if names[position] is not None and assigned[position] is not None}
        columns = {"format": 1, "data": refs, "previous": previous, "types": types, "times": texts, "names": names,
                   "assigned": kept_assigned}
        segment = Segment(self.segments, deepjson.dumps(columns), self.values, values, self.texts)
        self.segments += 1
        self.values += len(values)
        self.events += len(types)
        return segment

    def segment_of_rows(self, rows: Iterable[tuple]) -> Segment:
        """The next segment, of History.rows' tuples (no Event object per event)."""
        refs: list[int] = []
        previous: list[int] = []
        types: list[str] = []
        names: list[str | None] = []
        assigned: dict[str, Any] = {}
        times: list[str] = []
        stamps: dict[int, str] = {}  # a virtual clock stamps runs of events with one datetime object
        values: list[Any] = []
        seen = self.seen
        for previous_id, type, moment, name, value, assigned_variables in rows:
            if name is not None and assigned_variables is not None:
                assigned[str(self.events + len(types))] = assigned_variables
            container = isinstance(value, (dict, list))
            ref = seen.get(id(value)) if container else None
            if ref is None:
                ref = self.values + len(values)
                if container:
                    seen[id(value)] = ref
                    self.kept.append(value)
                values.append(value)
            refs.append(ref)
            previous.append(previous_id)
            types.append(type)
            names.append(name)
            stamp = stamps.get(id(moment))
            if stamp is None:
                stamp = stamps[id(moment)] = moment.isoformat()
            times.append(stamp)
        columns = {"format": 1, "data": refs, "previous": previous, "types": types, "times": times, "names": names,
                   "assigned": assigned}
        segment = Segment(self.segments, deepjson.dumps(columns), self.values, values, self.texts)
        self.segments += 1
        self.values += len(values)
        self.events += len(types)
        return segment


def read_history(columns: list[str], chunks: Iterable[str]) -> History:
    """The History that segments' columns (in order) and value rows hold; ValueError and the like if damaged."""
    values = [value for chunk in chunks for value in deepjson.loads(chunk)]
    if len(columns) == 1:
        return History.load(columns[0], values)
    whole: dict[str, Any] = {"format": 1, **{key: [] for key in _LISTS}, "assigned": {}}
    for text in columns:
        body = json.loads(text)
        for key in _LISTS:
            whole[key] += body[key]
        whole["assigned"].update(body["assigned"])
    return History.load(_ENCODER.encode(whole), values)

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
        previous, types, times, names, data, assigned = [], [], [], [], [], {}
        for position, event in enumerate(events):
            previous.append(event.previous_id)
            types.append(event.type)
            times.append(event.timestamp)
            if isinstance(event, StateEvent):
                names.append(event.name)
                data.append(event.value)
                if event.assigned is not None:
                    assigned[position] = event.assigned
            else:
                names.append(None)
                data.append(event.details)
        return self.segment_of_columns(previous, types, times, names, data, assigned)

    def segment_of_columns(self, previous: list[int], types: list[str], times: list, names: list[str | None],
                           data: list, assigned: dict[int, dict]) -> Segment:
        """The next segment, of History.columns' lists (`segment` makes them of Event objects).

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
        # only a state event's (one with a name) assignedVariables, in event order
        kept_assigned = {str(first + position): assigned[position] for position in sorted(assigned)
                         if names[position] is not None and assigned[position] is not None}
        columns = {"format": 1, "data": refs, "previous": previous, "types": types, "times": texts, "names": names,
                   "assigned": kept_assigned}
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

"""A history as the store keeps it: segments of columns, and each distinct value's JSON once.

Events are written a segment at a time as the execution runs (so a killed run keeps what it had
recorded) and read back as one History. A segment's columns have History.dump's shape ("data"
holds indexes into the values of the whole history, "assigned" is keyed by event position); format 2
gives types, times and names as indexes into its "tables" and adds "links", the values that sit
inside other values (asl.store.nodes); format 3 gives times as microseconds after the one moment
its "times" table holds (a run on the real clock stamps every event differently: ISO text for each
cost ~1 us an event). Its new values follow in rows of about ROW_BYTES, each a
JSON array keyed by the index of its first value. A state's output is usually the next state's
input, the same object, and a ResultPath merge shares all but the path to the result: each such
part is written once however many events (and segments) hold it.
"""

from __future__ import annotations

import datetime
import json
from itertools import repeat
from operator import floordiv, is_, sub
from typing import Any, Iterable, Iterator

from ..record import record
from .. import deepjson
from ..history import Event, History, StateEvent
from .nodes import NodeEncoder, fast_dumps, relink

ROW_BYTES = 65_536  # a row per small value costs more than encoding it; big ones stay one a row
FORMAT = 3          # 1: values hold no links; 2: times are indexes into `tables` (both read still)
_LISTS = ("data", "previous", "types", "times", "names")
_CODED = ("types", "times", "names")  # format 2: indexes into the segment's `tables` (3: not times)
_MICROSECOND = datetime.timedelta(microseconds=1)


@record
class Segment:
    """Events ready to be written: their columns row (number `index`) and the values they add, encoded."""

    index: int
    columns: str
    first_value: int                 # the index of the first new value among the history's values
    pieces: list[tuple[int, str]]    # (n, the comma-separated JSON of the next n new values)

    def rows(self) -> Iterator[tuple[int, str]]:
        """(index of its first value, JSON array of values) rows of about ROW_BYTES."""
        start, row, size, done = self.first_value, [], 0, 0
        for count, text in self.pieces:
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
        self.nodes = NodeEncoder()
        self.events = 0                 # events in segments so far
        self.segments = 0

    @property
    def values(self) -> int:
        """Values numbered so far (a redrive's writer goes on from the recorded ones)."""
        return self.nodes.count

    @values.setter
    def values(self, count: int) -> None:
        self.nodes.count = count

    def segment(self, events: Iterable[Event]) -> Segment:
        """The next segment: these events, which follow the ones already taken."""
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
        first, first_value = self.events, self.nodes.count
        refs = self.nodes.refs(data)
        pieces, links = self.nodes.take()
        # Microseconds after the first event's moment (a virtual clock stamps runs of events with one
        # datetime object: all 0 without a subtraction each).
        if not times or all(map(is_, times, repeat(times[0]))):
            times_coded = ",".join(repeat("0", len(times)))
        else:
            offsets = map(floordiv, map(sub, times, repeat(times[0])), repeat(_MICROSECOND))
            times_coded = fast_dumps(list(offsets))[1:-1]
        # only a state event's (one with a name) assignedVariables, in event order
        kept_assigned = {str(first + position): assigned[position] for position in sorted(assigned)
                         if names[position] is not None and assigned[position] is not None}
        type_table, types_coded = _coded_text(types)
        name_table, names_coded = _coded_text(names)
        tables = {"types": type_table, "times": [times[0].isoformat()] if times else [], "names": name_table}
        # deepjson.dumps of the columns as a dict, put together from its parts: the coded columns are
        # joined from their codes' texts (cheaper than a list of ints and json's int-to-text).
        columns = "".join((
            '{"format":', str(FORMAT), ',"data":', fast_dumps(refs), ',"previous":', fast_dumps(previous),
            ',"types":[', types_coded, '],"times":[', times_coded, '],"names":[', names_coded,
            '],"assigned":', deepjson.dumps(kept_assigned), ',"links":', fast_dumps(links),
            ',"tables":', deepjson.dumps(tables), "}"))
        segment = Segment(self.segments, columns, first_value, pieces)
        self.segments += 1
        self.events += len(types)
        return segment


def _coded_text(column: list) -> tuple[list, str]:
    """A column's distinct entries, and the comma-separated indexes among them of its entries (JSON, brackets left off)."""
    table = list(dict.fromkeys(column))
    codes = dict(zip(table, map(str, range(len(table)))))
    return table, ",".join(map(codes.__getitem__, column))


def _decoded(body: dict) -> dict:
    """Columns with types, times and names in full (format 2 codes them by `tables`, format 1 does not;
    format 3 gives times as microseconds after its one moment: they become datetimes)."""
    tables = body.get("tables")
    if tables is not None:
        for key in _CODED:
            codes, table = body[key], tables[key]
            offsets = key == "times" and body.get("format") == 3
            if codes and (not {int}.issuperset(map(type, codes)) or not offsets and min(codes) < 0):
                raise ValueError(f"column {key} holds something else than " + ("numbers" if offsets else "indexes"))
            if offsets:
                body[key] = _moments(codes, table)
            else:
                body[key] = list(map(table.__getitem__, codes))
    return body


def _moments(offsets: list[int], table: list[str]) -> list[datetime.datetime]:
    """Format 3's times: the table's one moment plus each offset in microseconds (one datetime per distinct offset)."""
    if not offsets:
        return []
    (first,) = table
    base = datetime.datetime.fromisoformat(first)
    made: dict[int, datetime.datetime] = {}
    return [made.get(o) or made.setdefault(o, base + datetime.timedelta(microseconds=o)) for o in offsets]


def read_history(columns: list[str], chunks: Iterable[str]) -> History:
    """The History that segments' columns (in order) and value rows hold; ValueError and the like if damaged."""
    values = [value for chunk in chunks for value in deepjson.loads(chunk)]
    bodies = [_decoded(json.loads(text)) for text in columns]
    for body in bodies:
        relink(values, body.get("links", ()))  # format 1 has none
    if len(bodies) == 1:
        return History.of_columns(bodies[0], values)
    whole: dict[str, Any] = {"format": FORMAT, **{key: [] for key in _LISTS}, "assigned": {}}
    for body in bodies:
        for key in _LISTS:
            whole[key] += body[key]
        whole["assigned"].update(body["assigned"])
    return History.of_columns(whole, values)

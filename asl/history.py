"""History events in the shape of GetExecutionHistory, and the sinks that consume them.

Events are kept as small records while the execution runs; JSON text for inputs and outputs is
produced only when a consumer asks for the AWS form (`to_aws`), so running stays cheap.
"""

from __future__ import annotations

import json
import sys
from array import array
from typing import IO, Any, Callable, Iterable, Iterator

from . import deepjson

# Detail fields that AWS gives as JSON text, with the `...Details` flag beside them.
_JSON_FIELDS = {"input": "inputDetails", "output": "outputDetails"}

_DETAILS_KEY: dict[str, str] = {}


def details_key(event_type: str) -> str | None:
    """The name of an event type's details member: TaskStateEntered -> stateEnteredEventDetails."""
    key = _DETAILS_KEY.get(event_type)
    if key is None:
        for suffix in ("StateEntered", "StateExited"):
            if event_type.endswith(suffix) and event_type[: -len(suffix)] in _STATE_TYPES:
                key = "state" + suffix[5:] + "EventDetails"
                break
        else:
            key = event_type[0].lower() + event_type[1:] + "EventDetails"
        _DETAILS_KEY[event_type] = key
    return key


_STATE_TYPES = {"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Map", "Parallel"}


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
FLAT_ITEMS = 64      # SharedTexts.texts: a dict / list of at most this many scalars is encoded with its neighbours
FLAT_BATCH = 256     # and at most this many such values in one call


class SharedTexts:
    """Compact JSON of recorded values, each dict / list encoded once by identity.

    A state's output is usually the next state's input, and a ResultPath merge copies only the
    top-level object, sharing everything below it: encoding by identity makes a long history of
    a large document cost little more than the document. Sound because the interpreter never
    changes a value in place once it is recorded (events hold references, not copies).
    """

    __slots__ = ("memo",)
    LIMIT = 4096  # texts kept at most: most sharing is between neighbouring events

    def __init__(self) -> None:
        self.memo: dict[int, str] = {}

    def encode(self, value: Any, depth: int = 0) -> str:
        """The value's compact JSON text (past deepjson.DEPTH levels, without recursion)."""
        if len(self.memo) > self.LIMIT:  # a cache only: forgetting costs time, never correctness
            self.memo.clear()
        if depth > deepjson.DEPTH:
            return deepjson.dumps(value)
        kind = type(value)
        if kind is dict:
            text = self.memo.get(id(value))
            if text is None:
                if any(type(v) is dict or type(v) is list for v in value.values()):
                    text = "{" + ",".join(_ENCODER.encode(k) + ":" + self.encode(v, depth + 1)
                                          for k, v in value.items()) + "}"
                else:
                    text = _ENCODER.encode(value)
                self.memo[id(value)] = text
            return text
        if kind is list:
            text = self.memo.get(id(value))
            if text is None:
                if any(type(v) is dict or type(v) is list for v in value):
                    text = "[" + ",".join(text for _, text in self.texts(value, depth + 1)) + "]"
                else:
                    text = _ENCODER.encode(value)
                self.memo[id(value)] = text
            return text
        return _ENCODER.encode(value)

    def texts(self, values: Iterable[Any], depth: int = 0) -> Iterator[tuple[int, str]]:
        """(n, text): the compact JSON of the next n values, comma-separated, for all of `values` in order.

        Consecutive flat values (a scalar, or a dict / list of at most FLAT_ITEMS items none of
        which is a dict / list) are encoded in one json call: the same text as one call each,
        without a Python call per value (a Map over 10k items records ~40k of them). A flat
        value shares no part with another, so the identity cache would save nothing there.
        """
        flat: list = []
        no_containers = deepjson.CONTAINERS.isdisjoint
        for value in values:
            kind = type(value)
            if (kind is not dict and kind is not list) or (
                    len(value) <= FLAT_ITEMS and no_containers(map(type, value.values() if kind is dict else value))):
                flat.append(value)
                if len(flat) >= FLAT_BATCH:
                    yield len(flat), _ENCODER.encode(flat)[1:-1]
                    flat = []
                continue
            if flat:
                yield len(flat), _ENCODER.encode(flat)[1:-1]
                flat = []
            yield 1, self.encode(value, depth)
        if flat:
            yield len(flat), _ENCODER.encode(flat)[1:-1]


def _text(value: Any, texts: SharedTexts | None = None) -> str:
    """Compact JSON text (through `texts` when a rendering shares one)."""
    if texts is None:
        return deepjson.dumps(value)
    return texts.encode(value)


def _encoded(values: list) -> Iterator[str]:
    texts = SharedTexts()
    for value in values:
        yield texts.encode(value)


class Event:
    """One history event; `details` holds Python values until rendered with `to_aws()`."""

    __slots__ = ("id", "previous_id", "timestamp", "type", "details")

    def __init__(self, id: int, previous_id: int, timestamp: Any, type: str, details: dict | None) -> None:
        self.id = id
        self.previous_id = previous_id
        self.timestamp = timestamp
        self.type = type
        self.details = details

    def to_aws(self, texts: SharedTexts | None = None, stamps: dict | None = None) -> dict:
        """The event as GetExecutionHistory returns it (JSON text for input / output)."""
        moment = self.timestamp
        if stamps is None:
            stamp = moment.isoformat()
        else:  # a virtual clock stamps runs of events with the same datetime object
            stamp = stamps.get(id(moment))
            if stamp is None:
                stamp = stamps[id(moment)] = moment.isoformat()
        event: dict[str, Any] = {
            "id": self.id,
            "previousEventId": self.previous_id,
            "timestamp": stamp,
            "type": self.type,
        }
        if self.details is not None:
            details = {}
            for key, value in self.details.items():
                if key in _JSON_FIELDS:
                    details[key] = _text(value, texts)
                    details[_JSON_FIELDS[key]] = {"truncated": False}
                elif key == "assignedVariables":
                    details[key] = {name: _text(v) for name, v in value.items()}
                    details["assignedVariablesDetails"] = {"truncated": False}
                else:
                    details[key] = value
            event[details_key(self.type)] = details
        return event


class StateEvent(Event):
    """A ...StateEntered / ...StateExited event, kept without a details dict until one is read.

    One of these is recorded per state entered and exited; storing the name and value directly
    saves a dict per event (memory and garbage-collector work on long executions).
    """

    __slots__ = ("name", "value", "assigned", "entered")

    def __init__(self, id: int, previous_id: int, timestamp: Any, type: str, name: str, value: Any,
                 assigned: dict | None, entered: bool) -> None:
        self.id = id
        self.previous_id = previous_id
        self.timestamp = timestamp
        self.type = type
        self.name = name
        self.value = value
        self.assigned = assigned
        self.entered = entered

    @property
    def details(self) -> dict:
        """`{"input", "name"}` when entered; `{"name", "output"[, "assignedVariables"]}` when exited."""
        if self.entered:
            return {"input": self.value, "name": self.name}
        details = {"name": self.name, "output": self.value}
        if self.assigned is not None:
            details["assignedVariables"] = self.assigned
        return details


# A Standard execution's history holds at most this many events (AWS's quota); Express has none.
MAX_HISTORY_EVENTS = 25_000
# sfn's own bound for Express executions, which AWS ends only at 5 minutes: a loop that never waits
# would otherwise grow in memory until then (or for ever on the virtual clock).
MAX_EXPRESS_EVENTS = 500_000


def history_bound(express: bool) -> tuple[int, str]:
    """The most events an execution (or a Distributed Map's child) may record, and its cause past them."""
    if express:
        return MAX_EXPRESS_EVENTS, (f"sfn limit: an Express execution may record at most {MAX_EXPRESS_EVENTS} "
                                    "events here (AWS would run it until its 5-minute limit)")
    return MAX_HISTORY_EVENTS, f"The execution reached the maximum number of history events ({MAX_HISTORY_EVENTS})."


class HistoryFull(Exception):
    """The history holds all the events it may: only the execution's own end can follow."""


class History:
    """The ordered events of one execution, passed to listeners as they happen.

    While the execution runs, events are kept as columns (one entry per event in a few lists)
    rather than one object each: a 10,000-item Map records 80,000 events, and objects would
    cost memory and garbage-collector passes over them. `events` builds the objects on demand.

    Appends take no lock: Map and Parallel lanes running in threads add events (and so call the
    listeners) only while they hold the execution's baton (asl.interp.lanes), one at a time.
    """

    def __init__(self, clock: Any, listeners: list[Callable[[Event], None]] | None = None) -> None:
        self.clock = clock
        self.listeners = listeners if listeners is not None else []
        self._previous = array("q")         # previousEventId; an event's id is its position + 1
        self._types: list[str] = []
        self._times: list[Any] = []
        self._names: list[str | None] = []  # the state's name for ...StateEntered / Exited, else None
        self._data: list[Any] = []          # state events: the input / output; others: the details
        self._assigned: dict[int, dict] = {}  # position -> assignedVariables of a ...StateExited
        self._events: list[Event] = []      # objects built so far by `events`
        self._room = sys.maxsize            # events a state may still add: see `limit`
        self._batch_at = sys.maxsize        # the event count at which `_batch` is called next: see `every`
        self._batch: Callable[[], None] | None = None
        self._batch_size = 0

    def adopt(self, earlier: "History") -> None:
        """Go on after `earlier`'s events (a redriven execution's history continues its old one)."""
        self._previous = array("q", earlier._previous)
        self._types = list(earlier._types)
        self._times = list(earlier._times)
        self._names = list(earlier._names)
        self._data = list(earlier._data)
        self._assigned = dict(earlier._assigned)
        self._events = []

    def limit(self, events: int) -> None:
        """Allow at most this many events: the last one is the execution's end (AWS's 25,000)."""
        self._room = events - 1

    @property
    def last_id(self) -> int:
        """The id of the newest event (0 before the first)."""
        return len(self._types)

    @property
    def last_time(self) -> Any:
        """When the newest event happened (None before the first)."""
        return self._times[-1] if self._times else None

    @property
    def events(self) -> list[Event]:
        """The events as Event objects (built on first access, extended as more are recorded)."""
        events = self._events
        for index in range(len(events), len(self._types)):
            events.append(self._event(index))
        return events

    def _event(self, index: int) -> Event:
        name = self._names[index]
        type = self._types[index]
        if name is None:
            return Event(index + 1, self._previous[index], self._times[index], type, self._data[index])
        return StateEvent(index + 1, self._previous[index], self._times[index], type, name, self._data[index],
                          self._assigned.get(index), type.endswith("Entered"))

    def add(self, type: str, previous_id: int, details: dict | None = None) -> int:
        """Record an event and return its id."""
        count = len(self._types)
        if count >= self._room and not type.startswith("Execution"):
            raise HistoryFull()
        now = self.clock.now()
        self._previous.append(previous_id)
        self._types.append(type)
        self._times.append(now)
        self._names.append(None)
        self._data.append(details)  # last: `recorded` counts the events every column holds
        if self.listeners:
            self._notify(count)
        count += 1
        if count >= self._batch_at:
            self._batched()
        return count

    def add_state(self, type: str, previous_id: int, name: str, value: Any, entered: bool,
                  assigned: dict | None = None) -> int:
        """Record a ...StateEntered (value: the input) or ...StateExited (value: the output) event."""
        count = len(self._types)
        if count >= self._room:
            raise HistoryFull()
        self._previous.append(previous_id)
        self._types.append(type)
        self._times.append(self.clock.now())
        self._names.append(name)
        if assigned is not None:
            self._assigned[count] = assigned
        self._data.append(value)  # last: `recorded` counts the events every column holds
        if self.listeners:
            self._notify(count)
        count += 1
        if count >= self._batch_at:
            self._batched()
        return count

    def every(self, events: int, callback: Callable[[], None]) -> None:
        """Call `callback` (in the thread adding events) each time `events` more have been recorded.

        A batch reader (the store's recording) reads `columns` then, instead of a listener's call
        and an Event object per event.
        """
        self._batch, self._batch_size = callback, events
        self._batch_at = len(self._types) + events

    def _batched(self) -> None:
        self._batch_at = len(self._types) + self._batch_size
        self._batch()

    @property
    def recorded(self) -> int:
        """How many events are complete in every column: other threads may read `columns` up to it."""
        return len(self._data)

    def columns(self, start: int, stop: int) -> tuple[list, list, list, list, list, dict[int, dict]]:
        """Events start..stop-1, a list per column: previous ids, types, timestamps, state names (None for other
        events), values or details, and assignedVariables keyed by position among them."""
        assigned = {index - start: value for index, value in self._assigned.items() if start <= index < stop}
        return (self._previous[start:stop].tolist(), self._types[start:stop], self._times[start:stop],
                self._names[start:stop], self._data[start:stop], assigned)

    def _notify(self, index: int) -> None:
        event = self._event(index)
        for listener in self.listeners:
            listener(event)

    def dump(self) -> tuple[str, Iterator[str]]:
        """The columns as compact JSON, and each value object's JSON once (for the store).

        A state's output is usually the next state's input, the same object: writing values by
        identity keeps a long history a fraction of its rendered size, and rendering (JSON text
        inside JSON) is left to whoever reads it back. Values come one at a time, so a writer
        can stream them.
        """
        values: list = []
        seen: dict[int, int] = {}
        refs = []
        append_ref, append_value, lookup = refs.append, values.append, seen.get
        for value in self._data:
            key = id(value)
            ref = lookup(key)
            if ref is None or not isinstance(value, (dict, list)):
                ref = len(values)
                if isinstance(value, (dict, list)):
                    seen[key] = ref
                append_value(value)
            append_ref(ref)
        stamps: dict[int, str] = {}
        times = []
        for moment in self._times:
            stamp = stamps.get(id(moment))
            if stamp is None:
                stamp = stamps[id(moment)] = moment.isoformat()
            times.append(stamp)
        columns = _ENCODER.encode({
            "format": 1, "data": refs, "previous": list(self._previous),
            "types": self._types, "times": times, "names": self._names,
            "assigned": {str(k): v for k, v in self._assigned.items()},
        })
        return columns, _encoded(values)

    @classmethod
    def load(cls, columns: str, values: Iterable[Any]) -> "History":
        """A history from `dump`'s columns and its values, parsed (read back for `sfn history`)."""
        return cls.of_columns(json.loads(columns), values)

    @classmethod
    def of_columns(cls, body: dict, values: Iterable[Any]) -> "History":
        """A history from `dump`'s columns, parsed, and its values (`load` of parsed text)."""
        import datetime

        history = cls(clock=None)
        values = list(values)
        history._data = [values[ref] for ref in body["data"]]
        history._previous = array("q", body["previous"])
        history._types = body["types"]
        parsed: dict[str, Any] = {}
        history._times = [parsed.get(t) or parsed.setdefault(t, datetime.datetime.fromisoformat(t)) if type(t) is str
                          else t for t in body["times"]]  # text (formats 1 and 2) or datetimes (the store's 3)
        history._names = body["names"]
        if not len(history._data) == len(history._previous) == len(history._types) == len(history._times) \
                == len(history._names):
            raise ValueError("the columns of the history do not fit together")
        history._assigned = {int(k): v for k, v in body["assigned"].items()}
        return history

    def to_aws(self) -> dict:
        """`{"events": [...]}` as GetExecutionHistory returns it."""
        return {"events": list(self.iter_aws())}

    def iter_aws(self) -> Iterator[dict]:
        """The events in the AWS form one at a time (for writers that stream them)."""
        texts = SharedTexts()
        stamps: dict[int, str] = {}
        for index in range(len(self._types)):
            # Built one by one, not through `events`: a long history's objects are never all alive.
            event = self._events[index] if index < len(self._events) else self._event(index)
            yield event.to_aws(texts, stamps)


def write_aws_json(events: Iterable[dict], out: IO[str], ensure_ascii: bool = True) -> None:
    """Write `{"events": [...]}` as json.dumps(..., indent=1) would, one event at a time.

    A history of 30,000 events with large payloads is gigabytes as one string: streamed, only one
    event's text exists at a time. JSON strings hold no raw newline, so indenting by lines is safe.
    """
    out.write('{\n "events": [')
    first = True
    for event in events:
        text = json.dumps(event, indent=1, ensure_ascii=ensure_ascii).replace("\n", "\n  ")
        out.write(("\n  " if first else ",\n  ") + text)
        first = False
    out.write(']\n}\n' if first else '\n ]\n}\n')

"""History events in the shape of GetExecutionHistory, and the sinks that consume them.

Events are kept as small records while the execution runs; JSON text for inputs and outputs is
produced only when a consumer asks for the AWS form (`to_aws`), so running stays cheap.
"""

from __future__ import annotations

import json
from typing import Any, Callable

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


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Event:
    """One history event; `details` holds Python values until rendered with `to_aws()`."""

    __slots__ = ("id", "previous_id", "timestamp", "type", "details")

    def __init__(self, id: int, previous_id: int, timestamp: Any, type: str, details: dict | None) -> None:
        self.id = id
        self.previous_id = previous_id
        self.timestamp = timestamp
        self.type = type
        self.details = details

    def to_aws(self) -> dict:
        """The event as GetExecutionHistory returns it (JSON text for input / output)."""
        event: dict[str, Any] = {
            "id": self.id,
            "previousEventId": self.previous_id,
            "timestamp": self.timestamp.isoformat(),
            "type": self.type,
        }
        if self.details is not None:
            details = {}
            for key, value in self.details.items():
                if key in _JSON_FIELDS:
                    details[key] = _text(value)
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


class History:
    """The ordered events of one execution, passed to listeners as they happen."""

    def __init__(self, clock: Any, listeners: list[Callable[[Event], None]] | None = None) -> None:
        self.clock = clock
        self.events: list[Event] = []
        self.listeners = listeners or []

    @property
    def last_id(self) -> int:
        """The id of the newest event (0 before the first)."""
        return len(self.events)

    def add(self, type: str, previous_id: int, details: dict | None = None) -> int:
        """Record an event and return its id."""
        event = Event(len(self.events) + 1, previous_id, self.clock.now(), type, details)
        self.events.append(event)
        for listener in self.listeners:
            listener(event)
        return event.id

    def add_state(self, type: str, previous_id: int, name: str, value: Any, entered: bool,
                  assigned: dict | None = None) -> int:
        """Record a ...StateEntered (value: the input) or ...StateExited (value: the output) event."""
        events = self.events
        event = StateEvent(len(events) + 1, previous_id, self.clock.now(), type, name, value, assigned, entered)
        events.append(event)
        for listener in self.listeners:
            listener(event)
        return event.id

    def to_aws(self) -> dict:
        """`{"events": [...]}` as GetExecutionHistory returns it."""
        return {"events": [e.to_aws() for e in self.events]}

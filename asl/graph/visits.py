"""A run's history (GetExecutionHistory events) read back as visits: each entry into a state,
with the events that belong to it, its attempts, its outcome, and where it sits in the graph.

Events carry only state names, and Parallel branches and Map iterations interleave, so each
event is given to a visit through its `previousEventId`: an event belongs to the visit its
previous event belongs to, except that after a `...StateExited` the lane is back in the
enclosing visit; `Map...` / `Parallel...` events belong to the nearest Map / Parallel visit and a
`...StateExited` to the nearest open visit of its name. A state's node is found in the scope of
its enclosing visit (the branch whose StartAt it is, or the scope of the state before it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .marks import CAUGHT, FAILED, RETRIED, RUNNING, SUCCEEDED
from .model import Graph, state_id

# Events that start an attempt at a state (a Retry makes another).
ATTEMPT_STARTS = {"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled", "ParallelStateStarted",
                  "MapStateStarted"}
# Events that end an attempt well.
ATTEMPT_SUCCESSES = {"TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded", "ParallelStateSucceeded",
                     "MapStateSucceeded"}
_NOT_FAILURES = {"MapIterationFailed", "ExecutionFailed"}   # an iteration's / the run's, not the state's


def is_failure(event_type: str) -> bool:
    """Whether an event is a state's error (a Task's, a Map's or Parallel's, an evaluation's)."""
    return (event_type.endswith(("Failed", "TimedOut")) and event_type not in _NOT_FAILURES) or \
        event_type.endswith("Aborted") and not event_type.startswith(("Execution", "MapIteration"))


@dataclass
class Attempt:
    """One try at a state: when it started and ended, and the error that ended it, if any."""

    start: str
    end: str | None = None
    error: str | None = None
    cause: str | None = None


@dataclass
class Visit:
    """One entry into a state."""

    index: int
    name: str
    type: str
    node: str                      # the graph node ("" when the definition has no such state there)
    parent: int | None             # the enclosing Map / Parallel visit
    lane: int | None               # Map iteration index or Parallel branch index inside the parent
    entered: int                   # event ids
    entered_at: str
    input: Any = None              # JSON text, as in the history
    exited: int | None = None
    exited_at: str | None = None
    output: Any = None
    events: list[int] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    failures: list[tuple[str | None, str | None]] = field(default_factory=list)   # (error, cause)
    iterations: dict[str, int] = field(default_factory=dict)    # Map: Succeeded / Failed / Aborted counts
    via: int | None = None         # the visit before it in its lane (None: first of its scope)
    caught_from: bool = False      # reached through a Catch of `via`

    @property
    def retries(self) -> int:
        """How often a Retry ran the state again."""
        return max(0, len(self.attempts) - 1)

    @property
    def caught(self) -> bool:
        """Left with an error (a Catch took it on)."""
        return self.exited is not None and bool(self.attempts) and self.attempts[-1].error is not None

    def outcome(self) -> str:
        """succeeded, retried, caught, failed, or running (did not finish)."""
        if self.exited is not None:
            return CAUGHT if self.caught else RETRIED if self.retries else SUCCEEDED
        return FAILED if self.failures or self.type == "Fail" else RUNNING


@dataclass
class Run:
    """Every visit, the execution's end, and how each event was attributed."""

    visits: list[Visit]
    events: list[dict]
    owner: list[int | None]        # by event position: the visit it belongs to
    status: str = "RUNNING"
    error: str | None = None
    cause: str | None = None
    failed_visit: int | None = None   # the visit whose failure ended the execution
    start: str | None = None
    end: str | None = None


def details(event: dict) -> dict:
    """An event's `...EventDetails` member ({} when it has none)."""
    return next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})


def read_run(graph: Graph, events: list[dict]) -> Run:
    """Attribute every event of a history to a visit of a state of `graph`."""
    return _Reader(graph, events).read()


class _Reader:
    def __init__(self, graph: Graph, events: list[dict]) -> None:
        self.g = graph
        self.events = events
        # Ids as recorded (a damaged or placeholder id is no anchor for anything).
        self.position = {e["id"]: i for i, e in enumerate(events) if type(e.get("id")) is int}
        self.owner: list[int | None] = []
        self.visits: list[Visit] = []
        self.branches_used: dict[int, set[str]] = {}   # Parallel visit -> scopes started this attempt
        self.iteration: dict[int, int] = {}            # Map visit -> the iteration started last
        self.entered_after: dict[int | None, int] = {}  # event position -> the visit entered right after it

    def read(self) -> Run:
        run = Run(self.visits, self.events, self.owner)
        for event in self.events:
            kind = str(event.get("type", ""))
            prev_id = event.get("previousEventId")
            prev = self.position.get(prev_id) if type(prev_id) is int else None
            context = self._context(prev)
            if not kind.startswith("Execution") and not kind.endswith("StateEntered"):
                # AWS gives an EvaluationFailed the previous event of its state's StateEntered.
                entered = self.entered_after.get(prev)
                if entered is not None and self.visits[entered].exited is None and \
                        (prev is None or str(self.events[prev].get("type", "")).endswith("StateExited")):
                    context = entered
            info = details(event)
            stamp = str(event.get("timestamp", ""))
            if kind.endswith("StateEntered"):
                visit = self.entered_after[prev] = self._enter(event, kind, info, context, prev)
            elif kind.endswith("StateExited"):
                visit = self._up(context, lambda v: v.name == info.get("name") and v.exited is None)
                if visit is not None:
                    self.visits[visit].exited, self.visits[visit].exited_at = event.get("id"), stamp
                    self.visits[visit].output = info.get("output")
            elif kind.startswith("Execution"):
                visit = None
                self._execution(run, kind, info, stamp, context)
            elif kind.startswith("Map"):
                visit = self._up(context, lambda v: v.type == "Map")
            elif kind.startswith("Parallel"):
                visit = self._up(context, lambda v: v.type == "Parallel")
            else:
                visit = context
            self.owner.append(visit)
            if visit is not None:
                self._record(self.visits[visit], kind, info, stamp, event)
        return run

    def _context(self, prev: int | None) -> int | None:
        """The visit a lane is in after event `prev`."""
        if prev is None:
            return None
        visit = self.owner[prev]
        if visit is not None and str(self.events[prev].get("type", "")).endswith("StateExited"):
            return self.visits[visit].parent
        return visit

    def _up(self, visit: int | None, test) -> int | None:
        while visit is not None and not test(self.visits[visit]):
            visit = self.visits[visit].parent
        return visit

    def _enter(self, event: dict, kind: str, info: dict, parent: int | None, prev: int | None) -> int:
        name = str(info.get("name", ""))
        before = None
        if prev is not None and self.owner[prev] is not None and \
                str(self.events[prev].get("type", "")).endswith("StateExited") and \
                self.visits[self.owner[prev]].parent == parent:
            before = self.owner[prev]
        node, lane = self._place(name, parent, before, prev)
        visit = Visit(len(self.visits), name, kind[:-len("StateEntered")], node, parent, lane, event.get("id"),
                      str(event.get("timestamp", "")), info.get("input"), via=before,
                      caught_from=before is not None and self.visits[before].caught)
        self.visits.append(visit)
        return visit.index

    def _place(self, name: str, parent: int | None, before: int | None, prev: int | None) -> tuple[str, int | None]:
        """The node of a state entered in `parent`'s scopes, and its lane there."""
        if before is not None:
            sibling = self.visits[before]
            scope = self.g.nodes[sibling.node].scope if sibling.node else None
            node = state_id(scope, name) if scope is not None else ""
            return (node if node in self.g.nodes else ""), sibling.lane
        if parent is None:
            node = state_id(self.g.root, name)
            return (node if node in self.g.nodes else ""), None
        holder = self.visits[parent]
        scopes = list(self.g.nodes[holder.node].groups) if holder.node else []
        if holder.type == "Map":
            lane = None
            if prev is not None and self.events[prev].get("type") == "MapIterationStarted":
                lane = details(self.events[prev]).get("index")
            lane = lane if isinstance(lane, int) else self.iteration.get(parent)
            node = state_id(scopes[0], name) if scopes else ""
            return (node if node in self.g.nodes else ""), lane
        used = self.branches_used.setdefault(parent, set())
        starts = [s for s in scopes if s not in used and self._starts_with(s, name)]
        others = [s for s in scopes if state_id(s, name) in self.g.nodes]
        scope = (starts or others or [None])[0]
        if scope is None:
            return "", None
        used.add(scope)
        return state_id(scope, name), scopes.index(scope)

    def _starts_with(self, scope: str, name: str) -> bool:
        return any(e.src == scope + "#start" and e.dst == state_id(scope, name) for e in self.g.edges)

    def _record(self, visit: Visit, kind: str, info: dict, stamp: str, event: dict) -> None:
        visit.events.append(event.get("id"))
        if kind in ATTEMPT_STARTS:
            visit.attempts.append(Attempt(stamp))
            if kind == "ParallelStateStarted":
                self.branches_used[visit.index] = set()
        elif kind in ATTEMPT_SUCCESSES and visit.attempts:
            visit.attempts[-1].end = stamp
        elif is_failure(kind):
            error, cause = info.get("error"), info.get("cause")
            visit.failures.append((error, cause))
            if not visit.attempts:   # a state failing before any attempt (a path, a JSONata error)
                visit.attempts.append(Attempt(visit.entered_at))
            attempt = visit.attempts[-1]
            attempt.end, attempt.error, attempt.cause = stamp, error or kind, cause
        elif kind.startswith("MapIteration"):
            outcome = kind[len("MapIteration"):]
            if outcome == "Started":
                index = info.get("index")
                if isinstance(index, int):
                    self.iteration[visit.index] = index
            else:
                visit.iterations[outcome] = visit.iterations.get(outcome, 0) + 1

    def _execution(self, run: Run, kind: str, info: dict, stamp: str, context: int | None) -> None:
        if kind == "ExecutionStarted":
            run.start = stamp
            return
        ending = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED", "ExecutionTimedOut": "TIMED_OUT",
                  "ExecutionAborted": "ABORTED"}.get(kind)
        if ending is None:
            return
        run.status, run.end = ending, stamp
        if ending != "SUCCEEDED":
            run.error, run.cause = info.get("error"), info.get("cause")
            run.failed_visit = context


def parsed(text: Any) -> Any:
    """A history's JSON text as a value (anything that does not parse, as it is)."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text

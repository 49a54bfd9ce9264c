"""The execution trace: history events printed as a tree of states, live or from a stored history.

A history listener with no logic of its own beyond reading events: Parallel branches and Map
iterations get a header and a guide (`├─ branch 1`, `│`), an error a Catch took is said with the
state it went to, a retry with its attempt and backoff, and the end with status, duration and
state transitions.

On the real and fast clocks branches and iterations run at once (asl/interp/lanes.py), so their
events interleave. Each event is put in its lane by its previousEventId: a branch starts where a
state is entered right after ParallelStateStarted, an iteration at MapIterationStarted (after
MapStateStarted), and every later event of a lane follows one of the same lane. Each lane keeps its
own open visits, and when the next line belongs to another lane than the last one printed, that
lane's header is said again ("(continued)") so every line sits under its own branch or iteration.
On the virtual clock lanes run one after another, and the trace is what it always was.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from rich.console import Console
from rich.highlighter import JSONHighlighter
from rich.text import Text

from .retries import RetryCount, states_by_name
from .safe_text import safe, safe_json, safe_lines

_STYLE = {"SUCCEEDED": "bold green", "FAILED": "bold red", "TIMED_OUT": "bold yellow", "ABORTED": "bold yellow",
          "RUNNING": "bold blue"}
_HIGHLIGHT_LIMIT = 100_000  # characters of output the trace colours; longer output is printed plain
# Events that start an attempt at a state: after a failure of the same state, a Retry's.
_ATTEMPTS = ("TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled", "ParallelStateStarted",
             "MapStateStarted")
_NESTED_ENDS = ("ParallelStateSucceeded", "ParallelStateFailed", "ParallelStateAborted", "MapStateSucceeded",
                "MapStateFailed", "MapStateAborted")
_NOT_STATE_FAILURES = ("ExecutionFailed", "ExecutionTimedOut", "MapIterationFailed")
_GUIDE = "│  "


def _cause_text(cause: Any) -> str:
    """A Lambda-shaped JSON cause shows as its message; other causes as they are."""
    if isinstance(cause, str) and cause.startswith("{"):
        try:
            parsed = json.loads(cause)
        except (ValueError, RecursionError):
            return cause
        if isinstance(parsed, dict) and "errorMessage" in parsed:
            return str(parsed["errorMessage"])
    return "" if cause is None else str(cause)


def _compact(value: Any) -> str:
    from asl.deepjson import dumps  # any depth: a value 2,000 levels deep is still printed

    return dumps(value)


def _seconds(seconds: float) -> str:
    return f"{seconds:g}s"


class _Visit:
    """One entry into a state, open until its StateExited."""

    __slots__ = ("name", "type", "entered", "failed", "error", "cause", "failed_at", "retries", "announced",
                 "started")

    def __init__(self, name: str, type: str, entered: Any, state: Any) -> None:
        self.name = name
        self.type = type
        self.entered = entered
        self.failed = False               # the attempt that ended last failed (a Retry or Catch decides next)
        self.error: str | None = None
        self.cause: str | None = None
        self.failed_at = entered
        self.retries = RetryCount(state)
        self.announced = False            # the retry was said already (by a live wait note)
        self.started = False              # an attempt began (a Parallel's / Map's ...StateStarted)


class _Frame:
    """An open Parallel or Map: its lanes' states are drawn one guide deeper than its own."""

    __slots__ = ("kind", "started", "parent", "lanes", "branches")

    def __init__(self, kind: str, started: int | None, parent: "_Lane") -> None:
        self.kind = kind
        self.started = started            # its ...StateStarted's event id: a lane's first event follows it
        self.parent = parent              # the lane its Parallel / Map state is in
        self.lanes: list[_Lane] = []
        self.branches = 0                 # branches begun: the history numbers none, they begin in order


class _Lane:
    """A branch or an iteration (or the execution itself): its open visits, its last error, its pending Catch."""

    __slots__ = ("frame", "label", "depth", "visits", "frames", "last_error", "closed")

    def __init__(self, frame: _Frame | None, label: str) -> None:
        self.frame = frame                # the Parallel / Map it is a lane of; None for the execution
        self.label = label
        self.depth = 0 if frame is None else frame.parent.depth + 1   # guides before its states' lines
        self.visits: list[_Visit] = []    # open visits, the innermost last
        self.frames: list[_Frame] = []    # Parallels / Maps started in it and still open
        # What a Fail state ends with, when it is written out (its error shows nowhere else in a branch).
        self.last_error: tuple[str | None, str | None] = (None, None)
        self.closed = False

    def chain(self) -> list["_Lane"]:
        """Its own and its enclosing branches' and iterations' lanes, the outermost first (not the execution's)."""
        lanes: list[_Lane] = []
        lane: _Lane = self
        while lane.frame is not None:
            lanes.append(lane)
            lane = lane.frame.parent
        return lanes[::-1]


class TraceRenderer:
    """Prints each state as it is entered and exited, nested under its branch or iteration.

    Every state line fits the terminal: data is cut with an ellipsis rather than wrapped. Everything
    taken from the run (names, errors, data) is printed as text, its control characters escaped.
    """

    def __init__(self, console: Console | None = None, machine: Any = None) -> None:
        self.console = console or Console(highlight=False, markup=False, emoji=False)
        self.states = states_by_name(machine)   # for Retry limits; {} without the definition
        self.start = None
        self.end = None
        self.before = None                      # the previous event's time
        self.elapsed = 0.0
        self.transitions = 0
        self.root = _Lane(None, "")             # the execution's own states
        self.current = self.root                # the lane of the last event: where a wait note goes
        self.shown: list[_Lane] = []            # the lanes whose headers the last line printed sits under
        self.lanes: dict[int, _Lane] = {}       # event id -> its lane, for events outside the execution's own
        self.started: dict[int, _Frame] = {}    # open frames by their ...StateStarted's event id
        # Visits exited after an error, by lane: said when the state a Catch sent the lane to is entered.
        self.caught: dict[_Lane, tuple[_Visit, Any]] = {}
        self.last_error: tuple[str | None, str | None] = (None, None)   # the last in any lane

    # -- printing --------------------------------------------------------------------------------

    def _line(self, parts: list[tuple[str, str]], data: str, data_style: str, guides: int, cut: bool) -> None:
        width = max(self.console.width, 40)
        line = Text(f"{self.elapsed:8.3f}s ", style="dim")
        line.append(_GUIDE * guides, style="dim")
        for text, style in parts:
            line.append(text, style=style)
        if data:
            line.append("  ")
            # Cut before handing it to rich: measuring megabytes of text only to drop them is slow.
            line.append(safe(data[:width]), style=data_style)
        if cut:
            line.truncate(width, overflow="ellipsis")
            self.console.print(line, no_wrap=True)
        else:
            self.console.print(line, soft_wrap=True)

    def _print(self, parts: list[tuple[str, str]], data: str = "", data_style: str = "dim",
               lane: _Lane | None = None, guides: int | None = None, cut: bool = True) -> None:
        lane = self.current if lane is None else lane
        self._show(lane)
        self._line(parts, data, data_style, lane.depth if guides is None else guides, cut)

    def _show(self, lane: _Lane) -> None:
        """Say again the headers of the lanes `lane` is in that the last line printed was not under."""
        # A line under the guides of lanes other than the last line's would read as theirs: say where it is.
        chain = lane.chain()
        same = 0
        while same < min(len(chain), len(self.shown)) and chain[same] is self.shown[same]:
            same += 1
        for other in chain[same:]:
            self._line([(f"├─ {other.label}", "dim"), (" (continued)", "dim italic")], "", "dim", other.depth - 1,
                       True)
        self.shown = chain

    def _begin(self, lane: _Lane) -> None:
        """A branch's or iteration's header, where it starts."""
        self._show(lane.frame.parent)
        self._line([(f"├─ {lane.label}", "dim")], "", "dim", lane.depth - 1, True)
        self.shown = lane.chain()

    def note(self, text: str) -> None:
        """A line (or lines) about the state running now, printed whole: a wake time, a token to answer."""
        first, *rest = text.split("\n")
        lane = self.current
        visit = lane.visits[-1] if lane.visits else None
        if visit is not None and visit.failed and first.startswith("↻"):
            visit.announced = True   # the retry's own line would say it again
        self._print([("  " + safe(first), "yellow")], lane=lane, cut=False)
        for line in rest:
            self.console.print(Text(" " * 10 + _GUIDE * lane.depth + safe(line)), soft_wrap=True)

    def attempt_label(self) -> str | None:
        """The attempt a Retry is about to make ("attempt 2 of 4"), for a live wait note; None if none is."""
        visit = self.current.visits[-1] if self.current.visits else None
        return visit.retries.label(visit.error) if visit is not None and visit.failed else None

    # -- lanes -----------------------------------------------------------------------------------

    def _recorded_in(self, event: Any) -> _Lane:
        """The lane of the event this one follows (its previousEventId); the last event's when it names none."""
        previous = event_previous(event)
        if previous is None:
            return self.current
        return self.lanes.get(previous, self.root)

    @staticmethod
    def _open(lane: _Lane) -> _Lane:
        """The lane itself, or, once its Parallel / Map is over, the innermost enclosing lane still open."""
        while lane.closed and lane.frame is not None:
            lane = lane.frame.parent
        return lane

    @staticmethod
    def _nearest(lane: _Lane, kind: str) -> _Frame | None:
        """The Parallel / Map (`kind`) an event after one of `lane`'s is about: one the lane started, else its own."""
        # One the lane started comes first: a Map with no items ends right after its MapStateStarted.
        if lane.frames and lane.frames[-1].kind == kind:
            return lane.frames[-1]
        while lane.frame is not None:
            if lane.frame.kind == kind:
                return lane.frame
            lane = lane.frame.parent
        return None

    def _new_lane(self, frame: _Frame, label: str) -> _Lane:
        """A branch's or an iteration's lane, begun."""
        lane = _Lane(frame, label)
        frame.lanes.append(lane)
        return lane

    def _close_lane(self, lane: _Lane) -> None:
        """A branch or iteration is over: what it left open (a Fail state, a failed state) closes with it."""
        if lane.closed:
            return
        pending = self.caught.pop(lane, None)
        if pending is not None:   # never entered the state its Catch named: said without one
            self._say_caught(lane, pending, None)
        for frame in list(lane.frames):   # a lane stopped inside a nested Parallel / Map leaves it open
            self._close_frame(frame)
        lane.visits.clear()
        lane.closed = True

    def _close_frame(self, frame: _Frame) -> None:
        """A Parallel / Map is over: its lanes with it, and events that follow theirs are its state's lane's."""
        for lane in frame.lanes:
            self._close_lane(lane)
        self.started.pop(frame.started, None)
        if frame in frame.parent.frames:
            frame.parent.frames.remove(frame)

    def _iteration(self, lane: _Lane, details: dict) -> _Lane | None:
        """The open iteration a MapIteration... event is about: its index, of the Map named, at or above `lane`."""
        index, name = details.get("index"), details.get("name")
        at: _Lane | None = lane
        while at is not None and at.frame is not None:
            parent = at.frame.parent
            if (at.frame.kind == "Map" and at.label == f"iteration {index}"
                    and (name is None or not parent.visits or parent.visits[-1].name == str(name))):
                return at
            at = parent
        return lane if lane.frame is not None and lane.frame.kind == "Map" else None

    # -- events ----------------------------------------------------------------------------------

    def on_event(self, event: Any) -> None:
        """Listener called by the interpreter for every history event (or fed a stored history's)."""
        if self.start is None:
            self.start = event.timestamp
        self.before, self.end = self.end, event.timestamp
        self.elapsed = (event.timestamp - self.start).total_seconds()
        kind = event.type
        details = event.details or {}
        origin = self._recorded_in(event)
        lane = self._open(origin)
        begun = self.started.get(event_previous(event))
        if begun is not None and (kind == "MapIterationStarted" if begun.kind == "Map"
                                  else kind.endswith("StateEntered")):
            # The first event of a branch or an iteration: a lane of its own.
            label = f"iteration {details.get('index')}" if begun.kind == "Map" else f"branch {begun.branches}"
            begun.branches += begun.kind == "Parallel"
            lane = self._new_lane(begun, label)
            self._begin(lane)
        elif kind == "MapIterationStarted":
            # No previousEventId to go by: the innermost open Map, its iterations one after another.
            frame = self._nearest(lane, "Map")
            if frame is None:
                return
            if lane.frame is frame:
                self._close_lane(lane)
            lane = self._new_lane(frame, f"iteration {details.get('index')}")
            self._begin(lane)
        pending = self.caught.pop(lane, None)
        if pending is not None:
            target = None
            if kind.endswith("StateEntered") and event_previous(event) in (pending[1].id, None):
                target = details.get("name")
            self._say_caught(lane, pending, target)
        self.current = lane
        if kind.endswith("StateEntered"):
            self._entered(event, kind, details, lane)
        elif kind.endswith("StateExited"):
            self._exited(event, details, lane)
        elif kind in _ATTEMPTS:
            self._attempt(event, kind, details, lane, origin)
        elif kind in _NESTED_ENDS:
            self._nested_end(event, kind, details, lane, origin)
        elif kind in ("MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"):
            iteration = self._iteration(lane, details)
            if iteration is not None:
                self.current = iteration
                if not kind.endswith("Succeeded"):
                    what = "failed" if kind.endswith("Failed") else "aborted"
                    error = iteration.last_error[0]
                    error = f": {safe(error)}" if what == "failed" and error else ""
                    self._print([(f"✖ iteration {safe(details.get('index'))} {what}{error}", "red")],
                                lane=iteration)
                self._close_lane(iteration)
                self.current = self._open(iteration)
        elif kind == "ExecutionRedriven":
            self._print([("↻ redriven", "yellow"), (f" (redrive {safe(details.get('redriveCount'))})", "dim")],
                        lane=self.root)
        elif kind == "MapRunStarted":
            # Said under its Map, whose child executions' states are not in this history.
            self._print([(f"  → Map Run {safe(details.get('mapRunArn'))}", "dim")],
                        guides=lane.depth + (1 if lane.frames else 0))
        elif kind.endswith(("Failed", "TimedOut")) and kind not in _NOT_STATE_FAILURES:
            self._failed(event, kind, details, lane)
        if self.current is not self.root:
            self.lanes[event.id] = self.current

    def _entered(self, event: Any, kind: str, details: dict, lane: _Lane) -> None:
        self.transitions += 1
        name = str(details.get("name"))
        state = self.states.get(name)
        visit = _Visit(name, kind[:-len("StateEntered")], event.timestamp, state)
        lane.visits.append(visit)
        error, cause = getattr(state, "error", None), getattr(state, "cause", None)
        lane.last_error = (error if isinstance(error, str) else None, cause if isinstance(cause, str) else None)
        if lane.last_error != (None, None):
            self.last_error = lane.last_error
        style = "red" if visit.type == "Fail" else "cyan"
        mark = "✖" if visit.type == "Fail" else "▶"
        self._print([(f"{mark} {safe(name)}", style), (f" {visit.type}", "dim")], _compact(details.get("input")),
                    lane=lane)

    def _exited(self, event: Any, details: dict, lane: _Lane) -> None:
        name = str(details.get("name"))
        owner: _Lane | None = lane
        while owner is not None and not any(visit.name == name for visit in owner.visits):
            # A Parallel / Map exited with no ...StateSucceeded / Failed before it: its lanes end here.
            owner = owner.frame.parent if owner.frame is not None else None
        if owner is None:
            return
        for frame in list(owner.frames):
            self._close_frame(frame)
        self.current = owner
        at = next(i for i in range(len(owner.visits) - 1, -1, -1) if owner.visits[i].name == name)
        visit = owner.visits.pop(at)
        if visit.failed:
            self.caught[owner] = (visit, event)   # a Catch took the error: said with its target, entered next
            return
        took = (event.timestamp - visit.entered).total_seconds()
        data = _compact(details.get("output"))
        if details.get("assignedVariables"):
            data = f"vars {_compact(details['assignedVariables'])}  {data}"
        self._print([(f"✔ {safe(name)}", "green"), (f" ({took:.3f}s)", "dim")], data, "default", lane=owner)

    def _say_caught(self, lane: _Lane, pending: tuple[_Visit, Any], target: Any) -> None:
        visit, exited = pending
        took = (exited.timestamp - visit.entered).total_seconds()
        error = safe(visit.error) if visit.error else "error"
        head = f"✖ {safe(visit.name)}"
        caught = f" {error} caught" + (f" → {safe(target)}" if target is not None else "")
        output = _compact((exited.details or {}).get("output"))
        self._print([(head, "dark_orange"), (f" ({took:.3f}s)", "dim"), (caught, "dark_orange")], output, lane=lane)

    def _attempt(self, event: Any, kind: str, details: dict, lane: _Lane, origin: _Lane) -> None:
        nested = kind[:-len("StateStarted")] if kind in ("ParallelStateStarted", "MapStateStarted") else None
        visit = lane.visits[-1] if lane.visits else None
        while nested and not (visit is not None and visit.type == nested and not visit.started):
            # The open Parallel / Map starts again: its failed attempt ended with no ...StateFailed (AWS
            # records a retried one so), so it ends here; this event follows one of its lanes'.
            frame = self._nearest(lane, nested)
            if frame is None:
                break
            self._nested_end(SimpleNamespace(timestamp=self.before), nested + "StateFailed", {}, lane, origin)
            lane = frame.parent
            visit = lane.visits[-1] if lane.visits else None
        self.current = lane
        if visit is not None:
            visit.started = True
        if visit is not None and visit.failed:   # the state failed and runs again: a Retry
            label = visit.retries.label(visit.error)
            visit.retries.retried(visit.error)
            if not visit.announced:
                wait = (event.timestamp - visit.failed_at).total_seconds()
                self._print([(f"  ↻ {label} in {_seconds(wait)}", "yellow")], lane=lane)
            visit.failed, visit.announced, visit.error, visit.cause = False, False, None, None
            self.transitions += 1   # AWS counts a retry as a state transition
        if nested:
            frame = _Frame(nested, event.id, lane)
            lane.frames.append(frame)
            self.started[event.id] = frame
            return
        target = details.get("resource")
        if details.get("resourceType"):
            target = f"{details['resourceType']}:{target}"
        self._print([(f"  → {safe(target)}", "dim")], lane=lane)

    def _nested_end(self, event: Any, kind: str, details: dict, lane: _Lane, origin: _Lane) -> None:
        frame = self._nearest(lane, kind[:kind.index("State")])
        if frame is not None:
            self._close_frame(frame)
            lane = frame.parent
        self.current = lane
        if kind.endswith("Failed") and lane.visits:
            # The failed branch's or iteration's error is the Parallel's / Map's (its event names none):
            # that lane's, whose event this one follows.
            error, cause = details.get("error"), details.get("cause")
            if error is None:
                error, cause = origin.last_error if origin.last_error != (None, None) else self.last_error
            lane.last_error = (error, cause)
            self._mark_failed(lane.visits[-1], event, error, cause)

    def _failed(self, event: Any, kind: str, details: dict, lane: _Lane) -> None:
        error, cause = details.get("error"), details.get("cause")
        lane.last_error = self.last_error = (error, cause)
        if lane.visits:
            self._mark_failed(lane.visits[-1], event, error, cause)
        text = f"{safe(error)}: {safe(_cause_text(cause))}" if error is not None or cause is not None else kind
        self._print([(f"  ✖ {text}", "red")], lane=lane)

    @staticmethod
    def _mark_failed(visit: _Visit, event: Any, error: str | None, cause: str | None) -> None:
        visit.failed, visit.error, visit.cause, visit.failed_at = True, error, cause, event.timestamp

    # -- the end ---------------------------------------------------------------------------------

    def finish(self, result: Any) -> None:
        """The closing summary (status, duration, state transitions), then the output or the error and cause."""
        for lane, pending in list(self.caught.items()):   # the run ended before a Catch's target was entered
            del self.caught[lane]
            self._say_caught(lane, pending, None)
        status = str(result.status)
        line = Text(f"\n{safe(status)}", style=_STYLE.get(status, "bold"))
        figures = []
        if self.start is not None and status != "RUNNING":
            figures.append(f"in {(self.end - self.start).total_seconds():.3f}s")
        plural = "" if self.transitions == 1 else "s"
        figures.append(f"{self.transitions} state transition{plural}")
        line.append("  " + ", ".join(figures), style="dim")
        self.console.print(line)
        if status == "SUCCEEDED":
            self._print_output(result.output)
        elif result.error is not None or result.cause is not None:
            self.console.print(Text(f"{safe(result.error)}: {safe_lines(_cause_text(result.cause))}", style="red"))

    def _print_output(self, output: Any) -> None:
        try:
            text = json.dumps(output, ensure_ascii=False, indent=2)
        except RecursionError:  # too deep to indent: printed compact, as it was stored
            text = _compact(output)
        text = safe_json(text)
        if len(text) > _HIGHLIGHT_LIMIT or text.count("[") + text.count("{") > 400:  # rich would take minutes to colour megabytes
            self.console.file.write(text + "\n")
        else:
            # Coloured as it stands: print_json would parse it and print the escaped characters raw again.
            self.console.print(JSONHighlighter()(Text(text)), soft_wrap=True)


def event_previous(event: Any) -> int | None:
    """An event's previousEventId (live events call it previous_id)."""
    return getattr(event, "previous_id", None)

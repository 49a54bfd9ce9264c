"""The execution trace: history events printed as a tree of states, live or from a stored history.

A history listener with no logic of its own beyond reading events: Parallel branches and Map
iterations get a header and a guide (`├─ branch 1`, `│`), an error a Catch took is said with the
state it went to, a retry with its attempt and backoff, and the end with status, duration and
state transitions. The interpreter runs branches and iterations one after another, so a branch's
events arrive together; a branch starts where a state is entered right after ParallelStateStarted
(its previousEventId), an iteration at MapIterationStarted.
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
    """An open Parallel or Map: its lanes' states are drawn one guide deeper."""

    __slots__ = ("kind", "started", "lane", "base")

    def __init__(self, kind: str, started: int | None, base: int) -> None:
        self.kind = kind
        self.started = started            # ParallelStateStarted's event id: a branch's first state follows it
        self.lane: int | None = None
        self.base = base                  # open visits outside it: a lane's own end where a Fail leaves one open


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
        self.visits: list[_Visit] = []          # open visits, the innermost last
        self.frames: list[_Frame] = []
        self.caught: tuple[_Visit, Any] | None = None   # exited after an error: said when its target is entered
        self.last_error: tuple[str | None, str | None] = (None, None)

    # -- printing --------------------------------------------------------------------------------

    def _print(self, parts: list[tuple[str, str]], data: str = "", data_style: str = "dim",
               guides: int | None = None, cut: bool = True) -> None:
        width = max(self.console.width, 40)
        line = Text(f"{self.elapsed:8.3f}s ", style="dim")
        line.append(_GUIDE * (len(self.frames) if guides is None else guides), style="dim")
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

    def note(self, text: str) -> None:
        """A line (or lines) about the state running now, printed whole: a wake time, a token to answer."""
        first, *rest = text.split("\n")
        visit = self.visits[-1] if self.visits else None
        if visit is not None and visit.failed and first.startswith("↻"):
            visit.announced = True   # the retry's own line would say it again
        self._print([("  " + safe(first), "yellow")], cut=False)
        for line in rest:
            self.console.print(Text(" " * 10 + _GUIDE * len(self.frames) + safe(line)), soft_wrap=True)

    def attempt_label(self) -> str | None:
        """The attempt a Retry is about to make ("attempt 2 of 4"), for a live wait note; None if none is."""
        visit = self.visits[-1] if self.visits else None
        return visit.retries.label(visit.error) if visit is not None and visit.failed else None

    # -- events ----------------------------------------------------------------------------------

    def on_event(self, event: Any) -> None:
        """Listener called by the interpreter for every history event (or fed a stored history's)."""
        if self.start is None:
            self.start = event.timestamp
        self.before, self.end = self.end, event.timestamp
        self.elapsed = (event.timestamp - self.start).total_seconds()
        kind = event.type
        details = event.details or {}
        if self.caught is not None:
            self._say_caught(event, kind, details)
        if kind.endswith("StateEntered"):
            self._entered(event, kind, details)
        elif kind.endswith("StateExited"):
            self._exited(event, details)
        elif kind in _ATTEMPTS:
            self._attempt(event, kind, details)
        elif kind in _NESTED_ENDS:
            self._nested_end(event, kind, details)
        elif kind == "MapIterationStarted":
            if self.frames:
                self._lane_ends()
                self.frames[-1].lane = details.get("index")
                self._print([(f"├─ iteration {safe(details.get('index'))}", "dim")], guides=len(self.frames) - 1)
        elif kind in ("MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"):
            self._lane_ends()
            if not kind.endswith("Succeeded"):
                what = "failed" if kind.endswith("Failed") else "aborted"
                error = f": {safe(self.last_error[0])}" if what == "failed" and self.last_error[0] else ""
                self._print([(f"✖ iteration {safe(details.get('index'))} {what}{error}", "red")])
        elif kind == "ExecutionRedriven":
            self._print([("↻ redriven", "yellow"), (f" (redrive {safe(details.get('redriveCount'))})", "dim")])
        elif kind == "MapRunStarted":
            self._print([(f"  → Map Run {safe(details.get('mapRunArn'))}", "dim")])
        elif kind.endswith(("Failed", "TimedOut")) and kind not in _NOT_STATE_FAILURES:
            self._failed(event, kind, details)

    def _entered(self, event: Any, kind: str, details: dict) -> None:
        self.transitions += 1
        frame = self.frames[-1] if self.frames else None
        if frame is not None and frame.kind == "Parallel" and event_previous(event) == frame.started:
            self._lane_ends()
            frame.lane = 0 if frame.lane is None else frame.lane + 1
            self._print([(f"├─ branch {frame.lane}", "dim")], guides=len(self.frames) - 1)
        name = str(details.get("name"))
        state = self.states.get(name)
        visit = _Visit(name, kind[:-len("StateEntered")], event.timestamp, state)
        self.visits.append(visit)
        # What a Fail state ends with, when it is written out (its error shows nowhere else in a branch).
        error, cause = getattr(state, "error", None), getattr(state, "cause", None)
        self.last_error = (error if isinstance(error, str) else None, cause if isinstance(cause, str) else None)
        style = "red" if visit.type == "Fail" else "cyan"
        mark = "✖" if visit.type == "Fail" else "▶"
        self._print([(f"{mark} {safe(name)}", style), (f" {visit.type}", "dim")], _compact(details.get("input")))

    def _exited(self, event: Any, details: dict) -> None:
        name = str(details.get("name"))
        at = next((i for i in range(len(self.visits) - 1, -1, -1) if self.visits[i].name == name), None)
        if at is None:
            return
        visit = self.visits.pop(at)
        if visit.failed:
            self.caught = (visit, event)   # a Catch took the error: said with its target, entered next
            return
        took = (event.timestamp - visit.entered).total_seconds()
        data = _compact(details.get("output"))
        if details.get("assignedVariables"):
            data = f"vars {_compact(details['assignedVariables'])}  {data}"
        self._print([(f"✔ {safe(name)}", "green"), (f" ({took:.3f}s)", "dim")], data, "default")

    def _say_caught(self, event: Any, kind: str, details: dict) -> None:
        visit, exited = self.caught
        self.caught = None
        target = None
        if kind.endswith("StateEntered") and event_previous(event) in (exited.id, None):
            target = details.get("name")
        took = (exited.timestamp - visit.entered).total_seconds()
        error = safe(visit.error) if visit.error else "error"
        head = f"✖ {safe(visit.name)}"
        caught = f" {error} caught" + (f" → {safe(target)}" if target is not None else "")
        output = _compact((exited.details or {}).get("output"))
        self._print([(head, "dark_orange"), (f" ({took:.3f}s)", "dim"), (caught, "dark_orange")], output)

    def _attempt(self, event: Any, kind: str, details: dict) -> None:
        visit = self.visits[-1] if self.visits else None
        nested = kind[:-len("StateStarted")] if kind in ("ParallelStateStarted", "MapStateStarted") else None
        if nested and self.frames and not (visit is not None and visit.type == nested and not visit.started):
            # The open Parallel / Map starts again: its failed attempt ended with no ...StateFailed (AWS
            # records a retried one so), so it ends here.
            self._nested_end(SimpleNamespace(timestamp=self.before), nested + "StateFailed", {})
            visit = self.visits[-1] if self.visits else None
        if visit is not None:
            visit.started = True
        if visit is not None and visit.failed:   # the state failed and runs again: a Retry
            label = visit.retries.label(visit.error)
            visit.retries.retried(visit.error)
            if not visit.announced:
                wait = (event.timestamp - visit.failed_at).total_seconds()
                self._print([(f"  ↻ {label} in {_seconds(wait)}", "yellow")])
            visit.failed, visit.announced, visit.error, visit.cause = False, False, None, None
            self.transitions += 1   # AWS counts a retry as a state transition
        if kind in ("ParallelStateStarted", "MapStateStarted"):
            self.frames.append(_Frame(kind[:-len("StateStarted")], event.id, len(self.visits)))
            return
        target = details.get("resource")
        if details.get("resourceType"):
            target = f"{details['resourceType']}:{target}"
        self._print([(f"  → {safe(target)}", "dim")])

    def _lane_ends(self) -> None:
        """A branch or iteration is over: what it left open (a Fail state, a failed state) closes with it."""
        if self.frames:
            del self.visits[self.frames[-1].base:]

    def _nested_end(self, event: Any, kind: str, details: dict) -> None:
        if self.frames:
            self._lane_ends()
            self.frames.pop()
        if kind.endswith("Failed") and self.visits:
            # The branch's or iteration's error is the Parallel's / Map's (its event names none).
            error, cause = details.get("error"), details.get("cause")
            if error is None:
                error, cause = self.last_error
            self._mark_failed(self.visits[-1], event, error, cause)

    def _failed(self, event: Any, kind: str, details: dict) -> None:
        error, cause = details.get("error"), details.get("cause")
        self.last_error = (error, cause)
        if self.visits:
            self._mark_failed(self.visits[-1], event, error, cause)
        text = f"{safe(error)}: {safe(_cause_text(cause))}" if error is not None or cause is not None else kind
        self._print([(f"  ✖ {text}", "red")])

    @staticmethod
    def _mark_failed(visit: _Visit, event: Any, error: str | None, cause: str | None) -> None:
        visit.failed, visit.error, visit.cause, visit.failed_at = True, error, cause, event.timestamp

    # -- the end ---------------------------------------------------------------------------------

    def finish(self, result: Any) -> None:
        """The closing summary (status, duration, state transitions), then the output or the error and cause."""
        if self.caught is not None:
            self._say_caught(None, "", {})
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

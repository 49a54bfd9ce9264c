"""Redrive: where an unsuccessful execution stopped, kept when it ends, and the run that continues it.

AWS's RedriveExecution "continues the failed execution from the unsuccessful step and uses the
same input", keeps the results of the steps that succeeded, and for a Parallel or an inline Map
"redrives only the iterations and branches that failed or aborted"; a Distributed Map's failed Map
Run is redriven with its parent, rerunning only its unsuccessful child executions.

While an error unwinds the interpreter, each scope it leaves notes where it was (`note`): the
state it was running (or about to enter), that state's input and the scope's own variables, and,
for a Parallel or Map, which branches / iterations succeeded (their outputs) and where the others
stopped. `Interpreter.run` keeps that tree on the result (`ExecutionResult.resume`, plain JSON, so
the store can keep it with the execution); `redrive` runs the same machine again from it, appending
to the execution's history: ExecutionRedriven, then the unsuccessful state entered again with its
original input. Retry counters start again (the state is entered anew); the mock responses a
state consumed (`task_attempts`) carry on, as in one execution.
"""

from __future__ import annotations

import datetime
from collections import ChainMap
from typing import Any

from ..history import History
from .dataflow import json_size
from .scope import Frame

FORMAT = 1  # of the kept JSON: a store holding another one is not redriven


def note(err: BaseException, state: Any, data: Any, frame: Frame) -> None:
    """A scope is left by `err` while running `state` on `data`: where to continue (innermost first)."""
    point = {"state": state.name, "input": data, "variables": dict(frame.own_variables())}
    lanes = getattr(err, "redrive_lanes", None)
    if lanes is not None:
        point["lanes"] = lanes
        err.redrive_lanes = None
    err.redrive_point = point


def taken(err: BaseException) -> dict | None:
    """The point a nested scope noted on `err` (now the enclosing Parallel / Map's to keep)."""
    point = getattr(err, "redrive_point", None)
    err.redrive_point = None
    return point


def lanes_failed(err: BaseException, done: dict[int, Any], redo: dict[int, dict | None]) -> None:
    """A Parallel / Map fails: its branches or iterations that succeeded, and where the others stopped.

    redo: index -> the point where it stopped, or None for one that has not started (run from its start).
    """
    err.redrive_lanes = {"done": {str(i): v for i, v in done.items()},
                         "redo": {str(i): p for i, p in redo.items()}}


def carry(old: BaseException, new: BaseException) -> BaseException:
    """`new` replaces `old` on its way out (a tolerated-failure threshold): it takes the lanes along."""
    new.redrive_lanes = getattr(old, "redrive_lanes", None)
    return new


def kept(err: BaseException, task_attempts: dict[str, int]) -> dict | None:
    """What a failed execution keeps to be redriven (JSON), or None when nothing was noted."""
    point = getattr(err, "redrive_point", None)
    if point is None:
        return None
    return {"format": FORMAT, "point": point, "task_attempts": dict(task_attempts)}


class Lanes:
    """A redriven Parallel / Map's plan: the outputs it keeps, and where each other lane restarts."""

    __slots__ = ("done", "redo", "map_run")

    def __init__(self, lanes: dict) -> None:
        self.done = {int(i): v for i, v in lanes.get("done", {}).items()}
        self.redo = {int(i): p for i, p in lanes.get("redo", {}).items()}
        self.map_run: str | None = lanes.get("map_run")  # a Distributed Map's Map Run ARN

    def restart(self, index: int) -> dict | None:
        """Where lane `index` starts again (None: at its beginning)."""
        return self.redo.get(index)


def restore(frame: Frame, point: dict) -> None:
    """Put a noted point's variables back in `frame`, and its Parallel / Map plan for the state to find."""
    variables = point.get("variables") or {}
    if variables:
        frame.assign(variables, {name: json_size(value) for name, value in variables.items()})
    lanes = point.get("lanes")
    frame.lanes = Lanes(lanes) if lanes is not None else None


def resume_machine(interp: Any, machine: Any, frame: Frame, point: dict | None, input: Any) -> Any:
    """Run a branch / iteration again: from its start, or from where it stopped (variables restored)."""
    if point is None:
        return interp.run_machine(machine, input, frame)
    restore(frame, point)
    return interp.run_machine(machine, point["input"], frame, point["state"])


def redrive(interp: Any, previous: History, kept_state: dict, redrive_count: int,
            started: datetime.datetime) -> Any:
    """Continue an execution from what it kept: its history goes on from `previous`; an ExecutionResult.

    started: when the execution first started (its one-year limit, and `$$.Execution.StartTime`).
    """
    from .clock import iso

    history = interp.history
    history.adopt(previous)
    info = interp.info
    info.redrive_count = redrive_count
    now = interp.clock.now()
    info.redrive_time = iso(now)
    point = kept_state["point"]
    interp.task_attempts.update(kept_state.get("task_attempts") or {})

    def body(frame: Frame) -> Any:
        # Event ids go on from the old history; the state is entered again after ExecutionRedriven.
        frame.cursor = history.add("ExecutionRedriven", history.last_id, {"redriveCount": redrive_count})
        restore(frame, point)
        return interp.run_machine(interp.machine, point["input"], frame, point["state"])

    # The execution's TimeoutSeconds counts from the redrive (its one year from the first start).
    return interp.conclude(body, now, started)


def top_frame() -> Frame:
    """The execution's own scope."""
    return Frame(0, ChainMap())


# RedriveExecution's conditions (its API reference) and DescribeExecution's redriveStatusReason words.
REDRIVABLE_DAYS = 14
MAX_OPEN_DAYS = 365
MAX_EVENTS = 24_999  # "less than 24,999": room for ExecutionRedriven and at least one more event
REDRIVABLE_STATUSES = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})


def refusal(status: str, *, express: bool, started: datetime.datetime, stopped: datetime.datetime | None,
            events: int, kept: bool, now: datetime.datetime) -> str | None:
    """Why an execution cannot be redriven now (DescribeExecution's redriveStatusReason), or None."""
    if express:
        return "Execution is EXPRESS and cannot be redriven"
    if status not in REDRIVABLE_STATUSES:
        return f"Execution is {status} and cannot be redriven"
    if events >= MAX_EVENTS:
        return "Execution history event limit exceeded"
    if now - started > datetime.timedelta(days=MAX_OPEN_DAYS):
        return "Execution has exceeded the max execution time"
    if stopped is not None and now - stopped > datetime.timedelta(days=REDRIVABLE_DAYS):
        return "Execution redrivable period exceeded"
    if not kept:
        # Runs recorded before sfn kept where they stopped (or whose process was killed): AWS's words
        # for executions older than the feature.
        return "Execution was started before the launch of RedriveExecution"
    return None


def record_refusal(found: dict, now: datetime.datetime | None = None, events: int | None = None) -> str | None:
    """`refusal` for an execution as the store records it (Store.redrive_source's record, or its row).

    events: its history's length (default: the record's history, else 0: not known, not checked).
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    history = found.get("history")
    if events is None:
        events = history.last_id if history is not None else 0
    kept = found.get("redrive")
    if isinstance(kept, dict):
        kept = kept.get("format") == FORMAT and found.get("definition") is not None
    stopped = found.get("stopped_at")
    return refusal(found["status"], express=":express:" in found["arn"],
                   started=datetime.datetime.fromisoformat(found["started_at"]),
                   stopped=datetime.datetime.fromisoformat(stopped) if stopped else None,
                   events=events, kept=bool(kept), now=now)

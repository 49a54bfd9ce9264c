"""Task tokens: `.waitForTaskToken` callbacks and SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat.

A Task whose resource ends in `.waitForTaskToken` (or `.sync`) gets a token in `$$.Task.Token`;
the interpreter opens it here before the service is called, so a handler may answer at once.
Answers come two ways:

- in this process: `send_task_success(token, output)` (and `_failure`, `_heartbeat`) from a
  handler, a queue consumer or any thread the run started;
- from another process, through the SQLite store (`asl.store.Store`): `sfn task success TOKEN`
  writes the answer, and the waiting run polls the store for it.

How long a Task waits, measured on the execution's clock:

- real clock: until an answer, HeartbeatSeconds without a heartbeat (States.HeartbeatTimeout),
  TimeoutSeconds (States.Timeout), the execution's TimeoutSeconds, or an abort (Ctrl-C);
- virtual clock: simulated time stands still while the Task waits for a real answer, at most
  `CallbackOptions.virtual_wait` real seconds. If none comes, the clock jumps to the first
  deadline (HeartbeatSeconds, TimeoutSeconds - 99999999 when absent, as the spec says - or the
  execution's TimeoutSeconds) and the Task times out there, as it would on AWS. A virtual run
  never hangs.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import OrderedDict
from typing import Any, Callable

from .record import record
from .errors import (INVALID_OUTPUT, INVALID_TOKEN, TASK_DOES_NOT_EXIST, TASK_TIMED_OUT, StatesError,
                     TaskTokenError)


# ASL: "If not provided, the default value of TimeoutSeconds is 99999999".
DEFAULT_TASK_TIMEOUT = 99999999
_TOKEN_MAGIC = b"sfn-local:"
_TOKEN_BYTES = 32
PENDING, SUCCEEDED, FAILED, TIMED_OUT, CLOSED = "PENDING", "SUCCEEDED", "FAILED", "TIMED_OUT", "CLOSED"


@record
class Submitted:
    """A provider's answer to a `.waitForTaskToken` or `.sync` Task: the service took the request.

    `output` is the service's immediate response (AWS records it as TaskSubmitted). For a
    callback the Task then waits for its token (after `then()`, when given, has run: e.g. a
    nested execution that may answer it); for `.sync`, `then()` runs the job and returns the
    Task's result (or raises its StatesError).
    """

    output: Any
    then: Callable[[], Any] | None = None

    def complete(self, call: Any) -> Any:
        """The Task's result once the callback arrives or the job ends."""
        if call.resource.callback:
            if self.then is not None:
                self.then()
            return wait_for_task_token(call)
        if self.then is None:
            return self.output
        try:
            result = self.then()
        except StatesError:
            if not _answered(call.task_token):
                raise
            result = None
        # AWS ends a .sync Task whose token is answered (SendTaskSuccess / Failure) with that answer.
        pending = pending_task(call.task_token) if call.task_token else None
        if pending is not None and pending.answered:
            if pending.status == SUCCEEDED:
                return pending.output
            raise StatesError(pending.error, pending.cause)
        return result


@record
class PendingTask:
    """One open task token and what has been answered for it."""

    token: str
    execution_arn: str | None = None
    state_name: str | None = None
    store: Any = None
    status: str = PENDING
    output: Any = None
    error: str | None = None
    cause: str | None = None
    heartbeats: int = 0
    answered: bool = False            # an answer arrived (it may be a failure)
    waited: bool = False              # a Task waited on it (else: mocked or failed before waiting)


_lock = threading.Condition()
_pending: dict[str, PendingTask] = {}
# Tokens closed in this process, so a late answer gets TaskTimedOut rather than TaskDoesNotExist.
_closed: OrderedDict[str, str] = OrderedDict()
_CLOSED_KEPT = 10000


def new_token() -> str:
    """A fresh opaque task token (base64, like AWS's)."""
    import base64  # here: only a callback Task needs it, not every start

    raw = _TOKEN_MAGIC + os.urandom(_TOKEN_BYTES)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def well_formed(token: Any) -> bool:
    """Whether a token could have been issued by sfn (else AWS's InvalidToken applies)."""
    if not isinstance(token, str) or not token or len(token) > 1024:
        return False
    import base64

    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return False
    return raw.startswith(_TOKEN_MAGIC) and len(raw) == len(_TOKEN_MAGIC) + _TOKEN_BYTES


# ------------------------------------------------------------------ the interpreter's side

def open_task(token: str, execution_arn: str | None = None, state_name: str | None = None,
              store: Any = None) -> PendingTask:
    """Register a token as waiting for an answer (in this process, and in the store if given)."""
    pending = PendingTask(token, execution_arn, state_name, store)
    with _lock:
        _pending[token] = pending
    if store is not None:
        store.add_task_token(token, execution_arn, state_name)
    return pending


def close_task(token: str, status: str = CLOSED) -> None:
    """The Task is over: later answers for the token get TaskTimedOut."""
    with _lock:
        pending = _pending.pop(token, None)
        _closed[token] = status
        while len(_closed) > _CLOSED_KEPT:
            _closed.popitem(last=False)
    if pending is not None and pending.store is not None:
        if pending.answered:
            status = pending.status
        elif pending.waited and status == CLOSED:
            status = TIMED_OUT  # waited in vain: a timeout, an execution timeout or an abort
        try:
            pending.store.close_task_token(token, status)
        except Exception:  # the run's outcome matters more than the bookkeeping of a closed token
            pass


def _answered(token: str | None) -> bool:
    pending = pending_task(token) if token else None
    return pending is not None and pending.answered


def pending_task(token: str) -> PendingTask | None:
    """The open task of a token in this process, if any."""
    with _lock:
        return _pending.get(token)


def wait_for_task_token(call: Any) -> Any:
    """Block the Task until its token is answered; its output, or the StatesError it ends with."""
    env = call.env
    options = env.callbacks
    token = call.task_token
    pending = pending_task(token)
    if pending is None:  # a provider used without the interpreter opening the token first
        pending = open_task(token, None, call.state_name, options.store)
    pending.waited = True
    store = pending.store
    start = env.now()
    timeout_at = start + _delta(call.timeout_seconds or DEFAULT_TASK_TIMEOUT)
    heartbeat = call.heartbeat_seconds
    last_beat, beats_seen = start, 0
    window_end = time.monotonic() + max(options.virtual_wait, 0)
    told = options.on_wait is None
    while True:
        if store is not None and not pending.answered:
            _poll_store(pending, store)
        if pending.answered:
            if pending.status == SUCCEEDED:
                return pending.output
            raise StatesError(pending.error, pending.cause)
        if pending.heartbeats > beats_seen:
            beats_seen, last_beat = pending.heartbeats, env.now()
        env.check_time()  # aborted, or the execution's own TimeoutSeconds passed
        now = env.now()
        due, name = timeout_at, "States.Timeout"
        if heartbeat:
            beat_due = last_beat + _delta(heartbeat)
            if beat_due < due:
                due, name = beat_due, "States.HeartbeatTimeout"
        if now >= due:
            if _timeout_stands(pending, store):
                raise StatesError(name, None)
            continue  # an answer got in at the deadline: the Task uses it
        if not told:
            told = True
            options.on_wait(token, call.state_name, due)
        if env.virtual:
            left = window_end - time.monotonic()
            if left <= 0:
                # Nobody answered in real time: simulated time runs on to the first deadline.
                env.sleep((due - now).total_seconds())  # ExecutionTimedOut if that comes first
                if not _timeout_stands(pending, store):
                    continue
                raise StatesError(name, _gave_up(options.virtual_wait, name, heartbeat if name ==
                                                 "States.HeartbeatTimeout" else call.timeout_seconds))
            _wait(pending, min(left, options.poll_seconds if store is not None else left))
        else:
            remaining = (due - now).total_seconds()
            if env.deadline is not None:
                remaining = min(remaining, (env.deadline - now).total_seconds())
            step = options.poll_seconds if store is not None else 0.25
            _wait(pending, max(min(remaining, step), 0.001))


def _timeout_stands(pending: PendingTask, store: Any) -> bool:
    """Close the token for a timeout unless an answer got in first: exactly one of the two wins.

    Under the lock in-process answers take, and in the store with a compare-and-set, so an answer
    is either seen here (and the Task uses it) or refused with TaskTimedOut — never acknowledged
    and then lost.
    """
    with _lock:
        if not pending.answered and store is not None and not store.expire_task_token(pending.token):
            _poll_store(pending, store)  # answered in the store just now
        if pending.answered:
            return False
        pending.answered, pending.status = True, TIMED_OUT  # later answers: TaskTimedOut
        return True


def _gave_up(waited: float, name: str, seconds: float | None) -> str:
    """Why a virtual-clock Task timed out: AWS's error name stays, sfn's reason is the cause."""
    field = "HeartbeatSeconds" if name == "States.HeartbeatTimeout" else "TimeoutSeconds"
    limit = f"{seconds:g} s" if seconds else f"{DEFAULT_TASK_TIMEOUT} s, the default"
    return (f"No answer to the task token within the {waited:g} real seconds a virtual-clock run waits for one "
            f"(--callback-wait; callback_wait= in run_machine), so the Task's {field} ({limit}) ran out on the "
            f"simulated clock. Wait longer with --callback-wait, or run on --clock fast, where a callback waits "
            f"in real time.")


def _delta(seconds: float) -> Any:
    import datetime

    return datetime.timedelta(seconds=seconds)


def _wait(pending: PendingTask, seconds: float) -> None:
    """Sleep in real time until an in-process answer arrives or `seconds` pass."""
    with _lock:
        if not pending.answered:
            _lock.wait(seconds)  # answers and heartbeats notify


def _poll_store(pending: PendingTask, store: Any) -> None:
    row = store.task_token(pending.token)
    if row is None:
        return
    with _lock:
        if row["heartbeats"] and row["heartbeats"] > pending.heartbeats:
            pending.heartbeats = row["heartbeats"]
        if row["status"] in (SUCCEEDED, FAILED) and not pending.answered:
            pending.answered = True
            pending.status = row["status"]
            pending.output = json.loads(row["output"]) if row["output"] is not None else None
            pending.error, pending.cause = row["error"], row["cause"]


# ------------------------------------------------------------------ the answering side

def send_task_success(token: str, output: Any, store: Any = None) -> None:
    """SendTaskSuccess: the waiting Task succeeds with `output` (a JSON value, not JSON text)."""
    try:
        output = json.loads(json.dumps(output, allow_nan=False))  # NaN is no JSON: AWS refuses it
    except (TypeError, ValueError) as exc:
        raise TaskTokenError(INVALID_OUTPUT, f"Invalid Output: '{exc}'") from None
    _answer(token, store, SUCCEEDED, output=output)


def send_task_failure(token: str, error: str | None = None, cause: str | None = None, store: Any = None) -> None:
    """SendTaskFailure: the waiting Task fails with `error` and `cause` (Retry and Catch see them)."""
    _answer(token, store, FAILED, error=error, cause=cause)


def send_task_heartbeat(token: str, store: Any = None) -> None:
    """SendTaskHeartbeat: the waiting Task's HeartbeatSeconds clock starts again."""
    _answer(token, store, None)


def _answer(token: str, store: Any, status: str | None, output: Any = None, error: str | None = None,
            cause: str | None = None) -> None:
    if not well_formed(token):
        raise TaskTokenError(INVALID_TOKEN)
    with _lock:
        pending = _pending.get(token)
        if pending is not None:
            if pending.answered:
                raise TaskTokenError(TASK_TIMED_OUT)
            if status is None:
                pending.heartbeats += 1
            else:
                pending.answered, pending.status = True, status
                pending.output, pending.error, pending.cause = output, error, cause
            _lock.notify_all()
            return
        if token in _closed:
            raise TaskTokenError(TASK_TIMED_OUT)
    if store is None:
        raise TaskTokenError(TASK_DOES_NOT_EXIST)
    store.answer_task_token(token, status, None if status != SUCCEEDED else json.dumps(output), error, cause)

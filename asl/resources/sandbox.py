"""Calling handlers in their worker processes, and the errors Lambda reports for what goes wrong there.

A handler's own exceptions and unencodable results are shaped in the worker (as in sfn's process,
by `lambda_runtime.handler_error` / `lambda_runtime.encode_result`); what only the sandbox sees is shaped here:
the function's timeout (default 3 seconds, a new Lambda function's) as `Sandbox.Timedout`, and a
process that ended mid-call (`os._exit`, a crash, a signal) as `Runtime.ExitError`, each with
Lambda's `RequestId: ... Error: ...` message.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable

from ..aws import function_arn
from ..errors import StatesError, UserInputError
from .config import HandlerSpec
from .lambda_runtime import request_id  # uuid4's text without uuid's objects: ~1.4 us less a call
from .process import POOL, WorkerExited, WorkerTimedOut

INIT_SECONDS = 10.0      # Lambda's limit on a function's Init phase (the import of its module)


def _module(spec: HandlerSpec) -> str:
    return spec.target.partition(":")[0]


def load_in_workers(specs: list[HandlerSpec], base_dir: str | os.PathLike | None) -> Callable[[], None]:
    """Ask each spec's worker to import its module (all started first); the call that waits for them,
    a UserInputError at the spec if one fails. Meanwhile the caller goes on (opens its store, say)."""
    workers: dict[str, Any] = {}   # one worker per module, however many of its functions are named
    pending = []

    def collect() -> None:
        try:
            for spec, worker, ident in pending:
                _loaded(spec, worker, ident)
        finally:
            pending.clear()
            for module, worker in workers.items():
                POOL.release(worker, base_dir, module)
            workers.clear()

    try:
        for spec in specs:
            module = _module(spec)
            worker = workers.get(module) or workers.setdefault(module, POOL.acquire(base_dir, module))
            if spec.target not in worker.loaded:
                pending.append((spec, worker, worker.send({"op": "load", "target": spec.target})))
    except BaseException:
        collect()
        raise
    return collect


def _loaded(spec: HandlerSpec, worker: Any, ident: int) -> None:
    module = _module(spec)
    try:
        reply = worker.wait(ident, INIT_SECONDS)
    except WorkerTimedOut:
        raise UserInputError(f"cannot import handler module '{module}': it did not finish importing "
                             f"within {INIT_SECONDS:g} seconds", spec.location) from None
    except WorkerExited as exc:
        raise UserInputError(f"cannot import handler module '{module}': its process ended "
                             f"({exc}) while importing", spec.location) from None
    if reply.get("interrupt"):
        raise KeyboardInterrupt
    if "import_error" in reply:
        raise UserInputError(reply["import_error"], spec.location)
    worker.loaded.add(spec.target)


def call_in_worker(spec: HandlerSpec, name: str, event: Any, task_timeout: float | None,
                   base_dir: str | os.PathLike | None) -> Any:
    """Call a handler in its module's worker: its result (JSON), or the Task's StatesError."""
    module = _module(spec)
    worker = POOL.acquire(base_dir, module)
    rid = request_id()
    try:
        if spec.target not in worker.loaded:
            ident = worker.send({"op": "load", "target": spec.target})
            try:
                _loaded(spec, worker, ident)
            except UserInputError as exc:
                raise StatesError("Lambda.ResourceNotFoundException", str(exc)) from None
        ident = worker.send({"op": "call", "target": spec.target, "event": event, "name": name,
                             "arn": function_arn(name), "timeout": spec.timeout, "request_id": rid})
        try:
            reply = worker.wait(ident, min(task_timeout or spec.timeout, spec.timeout))
        except WorkerTimedOut:
            raise timeout_error(task_timeout, spec.timeout, rid) from None
        except WorkerExited as exc:
            raise exit_error(str(exc), rid) from None
    finally:
        POOL.release(worker, base_dir, module)
    if reply.get("interrupt"):
        raise KeyboardInterrupt  # the handler raised it: Ctrl-C's meaning, the execution aborts
    if "error" in reply:
        raise StatesError(*reply["error"])
    return reply.get("result")


def timeout_error(task_timeout: float | None, function_timeout: float, rid: str) -> StatesError:
    """The Task's TimeoutSeconds (States.Timeout) when it came first, else the function's own timeout."""
    if task_timeout and task_timeout <= function_timeout:
        return StatesError("States.Timeout", None)
    return _sandbox_error("Sandbox.Timedout", f"RequestId: {rid} Error: Task timed out after "
                                              f"{function_timeout:.2f} seconds")


def exit_error(how: str, rid: str) -> StatesError:
    """The function's process ended during the call: Lambda's Runtime.ExitError."""
    return _sandbox_error("Runtime.ExitError", f"RequestId: {rid} Error: Runtime exited with error: {how}")


def _sandbox_error(name: str, message: str) -> StatesError:
    # Errors the sandbox reports, not the runtime: errorType and errorMessage only, no stack trace.
    return StatesError(name, json.dumps({"errorType": name, "errorMessage": message}))

"""The AWS Step Functions API as plain Python, over the sfn store: what `sfn serve` puts on the wire.

    service = Service(".sfn/sfn.db", resources="resources.yaml")
    arn = service.call("CreateStateMachine", {"name": "m", "definition": "...", "roleArn": "arn:..."})
    service.call("StartExecution", {"stateMachineArn": arn["stateMachineArn"]})

`call(operation, request)` takes and returns the API's JSON members (timestamps as epoch seconds)
and raises `ApiError` with AWS's code and message. One module per family of operations.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path
from typing import Any, Callable

from ..errors import SfnError
from .activities import Activities, ActivityTasks
from .db import LockedStore
from .definitions import Compiled
from .errors import ApiError
from .executions import Executions
from .machines import Machines
from .maprun import MapRuns
from .runner import Handle, Runner, make_clock
from .shapes import OPERATIONS, check_input
from .tags import Tags

__all__ = ["ApiError", "Service"]


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


class Service:
    """Every operation of the API, executions run on a worker pool through `asl.api.run_machine`."""

    def __init__(self, store: str | Path, resources: str | Path | None = None, mock_config: str | Path | None = None,
                 clock: str = "real", wait_scale: float | None = None, workers: int = 32,
                 callback_wait: float = 60.0, activity_poll: float = 60.0, s3_dir: str | Path | None = None) -> None:
        from ..resources import Dispatcher
        from ..resources.compose import Services, build_services
        from ..resources.config import load_resources
        from ..store import Store

        if s3_dir is not None:
            from ..s3local import S3Folder

            S3Folder(s3_dir)  # a bad folder is a one-line error before serving
        self.s3_dir = s3_dir
        services = build_services(load_resources(resources))
        self.activities = Activities(None, activity_poll)
        # Activity Tasks are answered by the workers polling GetActivityTask, after every other provider.
        self.services = Services(Dispatcher([*services.dispatcher.providers, ActivityTasks(self.activities)]),
                                 services.messages, services.config)
        self.db = LockedStore(Store(store))
        self.activities.db = self.db
        self.clock, self.wait_scale, self.callback_wait = clock, wait_scale, callback_wait
        self.mock_config = str(mock_config) if mock_config is not None else None
        self.compiled = Compiled()
        self.runner = Runner(self._run, workers)
        self.machines = Machines(self.db)
        self.executions = Executions(self.db, self.machines, self.runner, self.mock_config)
        self.tags = Tags(self.db)
        self.map_runs = MapRuns(self.executions)
        self._recover()
        self._methods: dict[str, Callable[[dict], dict]] = {}
        for family in (self.machines, self.executions, self.activities, self.tags, self.map_runs, self):
            for operation in OPERATIONS:
                method = getattr(family, _snake(operation), None)
                if method is not None and operation not in self._methods:
                    self._methods[operation] = method

    def call(self, operation: str, request: dict) -> dict:
        """One API call: the response members, or ApiError."""
        method = self._methods.get(operation)
        if method is None:
            raise ApiError("UnknownOperationException", "", namespace="com.amazon.coral.service")
        check_input(operation, request)
        return method(request)

    # ------------------------------------------------------------------ operations of no family

    def validate_state_machine_definition(self, req: dict) -> dict:
        """The same diagnostics as `sfn validate`, in AWS's shape."""
        from ..diagnostics import ERROR, Diagnostic
        from ..loader import load_text
        from ..validate import validate
        from .definitions import express_problems

        text = req["definition"]
        try:
            document = load_text(text, "<definition>.json")
        except SfnError as exc:
            found = [Diagnostic("INVALID_JSON_DESCRIPTION", getattr(exc, "message", str(exc)), "")]
        else:
            found = validate(document, text)
            if req.get("type") == "EXPRESS" and isinstance(document.data, dict) and \
                    not any(d.severity == ERROR for d in found):
                found += [Diagnostic("SCHEMA_VALIDATION_FAILED", message, at)
                          for at, message in express_problems(document.data)]
        if req.get("severity", "ERROR") == "ERROR":
            found = [d for d in found if d.severity == ERROR]
        limit = req.get("maxResults") or 100
        diagnostics = [{"severity": d.severity, "code": d.code, "message": d.message, "location": d.pointer or "/"}
                       for d in found]
        return {"result": "FAIL" if any(d.severity == ERROR for d in found) else "OK",
                "diagnostics": diagnostics[:limit], "truncated": len(diagnostics) > limit}

    def test_state(self, req: dict) -> dict:
        """AWS's TestState, as `sfn test-state` answers it (asl/service/test_state.py)."""
        from .test_state import test_state

        return test_state(self.services, req)

    # ------------------------------------------------------------------ running executions

    def _run(self, handle: Handle) -> Any:
        """One execution through the composition root; a failure before the run fails only this execution."""
        from ..api import run_machine

        job = handle.job
        if job.redrive:
            return self._redrive(handle)
        try:
            machine = self.compiled.machine(job.definition)
            mocks = (self.mock_config, job.mock_case) if job.mock_case else None
            return run_machine(machine, job.input, name=job.machine_name, resources=self.services, mocks=mocks,
                               store=self.db, clock=make_clock(self.clock, self.wait_scale),
                               execution_name=job.name, execution_type="EXPRESS" if job.express else "STANDARD",
                               callback_wait=self.callback_wait, definition_text=job.definition, strict=False,
                               on_start=handle.started, s3_dir=self.s3_dir,
                               options={"test_case": job.mock_case} if job.mock_case else None)
        except Exception as exc:  # noqa: BLE001 - never the server's end, only this execution's
            cause = str(exc) if isinstance(exc, SfnError) else f"internal error: {type(exc).__name__}: {exc}"
            self._fail(job.arn, "States.Runtime", cause)
            return None

    def _redrive(self, handle: Handle) -> Any:
        """RedriveExecution's run; a refusal found only now (another redrive won) leaves the execution as it is."""
        from ..api import redrive_execution

        job = handle.job
        try:
            mocks = (self.mock_config, job.mock_case) if job.mock_case and self.mock_config else None
            return redrive_execution(job.arn, store=self.db, resources=self.services, mocks=mocks,
                                     clock=make_clock(self.clock, self.wait_scale), callback_wait=self.callback_wait,
                                     strict=False, on_start=handle.started,
                                     machine=self.compiled.machine(job.definition))
        except Exception as exc:  # noqa: BLE001 - never the server's end
            sys.stderr.write(f"sfn serve: redrive of {job.arn} did not start: {exc}\n")
            return None

    def _fail(self, arn: str, error: str, cause: str) -> None:
        stopped = time.time()
        self.db.write(("UPDATE api_executions SET status = 'FAILED', error = ?, cause = ?, stopped = ? "
                       "WHERE arn = ?", (error, cause, stopped, arn)),
                      ("UPDATE executions SET status = 'FAILED', error = ?, cause = ? WHERE arn = ? AND "
                       "status = 'RUNNING'", (error, cause, arn)))

    def _recover(self) -> None:
        """Executions a stopped server left unfinished are ABORTED (the store marks the ones it recorded)."""
        self.db.mark_interrupted()
        self.db.write(("UPDATE api_executions SET status = 'ABORTED', stopped = ? WHERE status IS NULL AND arn NOT "
                       "IN (SELECT arn FROM executions)", (time.time(),)))

    def close(self, grace: float = 5.0) -> None:
        """Abort what runs (recorded ABORTED with its events), wait up to `grace` seconds, close the store."""
        self.activities.closing.set()
        for handle in self.runner.shutdown(grace):
            if handle.interpreter is None:
                self.db.write(("UPDATE api_executions SET status = 'ABORTED', stopped = ? WHERE arn = ?",
                               (time.time(), handle.job.arn)))
        with self.db.lock:
            self.db.close()


def mock_config_from_env(given: str | None) -> str | None:
    """--mock-config, else Step Functions Local's SFN_MOCK_CONFIG."""
    return given or os.environ.get("SFN_MOCK_CONFIG") or None

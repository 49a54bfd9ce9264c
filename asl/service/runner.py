"""Executions on a bounded worker pool, each through `asl.api.run_machine`, with a handle to stop it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from ..interp.clock import RealClock, VirtualClock


class ScaledClock(RealClock):
    """Real time whose waits (Wait states, Retry intervals, lanes) last `scale` times as long:
    Step Functions Local's WAIT_TIME_SCALE, applied to Retry intervals too."""

    def __init__(self, scale: float) -> None:
        super().__init__()
        self.scale = scale

    def sleep(self, seconds: float) -> None:
        """Wait `seconds * scale` of real time."""
        super().sleep(seconds * self.scale)


@dataclass
class Job:
    """One execution to run: what run_machine needs, and what the API fixed before it started."""

    arn: str
    machine_name: str
    name: str
    input: Any
    definition: str
    role: str
    express: bool
    express_id: str | None = None
    mock_case: str | None = None
    redrive: bool = False   # RedriveExecution: continue the recorded execution rather than start one


@dataclass
class Handle:
    """A queued or running execution: its interpreter once started, and a stop asked before that."""

    job: Job
    interpreter: Any = None
    stop: tuple[str | None, str | None] | None = None
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def started(self, interpreter: Any) -> None:
        """run_machine's on_start: the API's role and ARN, and a stop that came first."""
        interpreter.info.role = self.job.role
        if self.job.express_id is not None:
            interpreter.info.express_suffix = self.job.express_id
        with self.lock:
            self.interpreter = interpreter
            if self.stop is not None:
                interpreter.abort(*self.stop)

    def abort(self, error: str | None = None, cause: str | None = None) -> None:
        """Stop the execution at its next boundary (or as soon as it starts)."""
        with self.lock:
            self.stop = (error, cause)
            if self.interpreter is not None:
                self.interpreter.abort(error, cause)


class Runner:
    """Runs jobs concurrently (at most `workers` at once) and keeps the handles of unfinished ones."""

    def __init__(self, run: Callable[[Handle], Any], workers: int = 32) -> None:
        self._run = run
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sfn-execution")
        self.handles: dict[str, Handle] = {}
        self._lock = threading.Lock()

    def submit(self, job: Job) -> Handle:
        """Queue a job; it runs when a worker is free."""
        handle = Handle(job)
        with self._lock:
            self.handles[job.arn] = handle
        self.pool.submit(self._work, handle)
        return handle

    def run_now(self, job: Job) -> Handle:
        """Run a job in the calling thread (StartSyncExecution) and return its finished handle."""
        handle = Handle(job)
        with self._lock:
            self.handles[job.arn] = handle
        self._work(handle)
        return handle

    def _work(self, handle: Handle) -> None:
        try:
            handle.result = self._run(handle)
        finally:
            with self._lock:
                self.handles.pop(handle.job.arn, None)
            handle.done.set()

    def handle(self, arn: str) -> Handle | None:
        """The handle of an unfinished execution."""
        with self._lock:
            return self.handles.get(arn)

    def shutdown(self, grace: float = 5.0) -> list[Handle]:
        """Abort every unfinished execution, wait up to `grace` seconds; the handles still unfinished."""
        with self._lock:
            handles = list(self.handles.values())
        for handle in handles:
            handle.abort()
        deadline = time.monotonic() + grace
        for handle in handles:
            handle.done.wait(max(deadline - time.monotonic(), 0))
        self.pool.shutdown(wait=False, cancel_futures=True)
        return [h for h in handles if not h.done.is_set()]


def make_clock(kind: str, scale: float | None) -> Any:
    """A fresh clock for one execution: virtual, real, or real with scaled waits."""
    if kind == "virtual":
        return VirtualClock()
    return ScaledClock(scale) if scale is not None and scale != 1 else RealClock()

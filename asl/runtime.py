"""What one execution runs with, and the narrow view of it that Task providers get.

`asl.api` builds a `RunEnvironment` for every execution it starts (a child execution gets its
own, one level deeper); the interpreter hands providers a `TaskEnv` through `TaskCall.env`, so a
provider can read the time, sleep on the execution's clock and start a child execution, and
nothing else of the interpreter.
"""

from __future__ import annotations

import datetime
from dataclasses import field
from typing import Any, Callable, Protocol

from .record import record

MAX_DEPTH = 20   # executions starting executions: a cycle stops here instead of recursing forever


@record
class CallbackOptions:
    """How a run waits for task-token answers: the store to poll, and the virtual clock's real-time allowance."""

    store: Any = None                 # asl.store.Store, or None: only in-process answers
    virtual_wait: float = 2.0         # real seconds a virtual-clock Task waits for an answer
    poll_seconds: float = 0.05        # how often the store is read while waiting
    # Told when a Task starts waiting for an answer nobody gave yet: (token, state name, when it gives up).
    on_wait: Callable[[str, str | None, datetime.datetime], None] | None = None


@record
class ChildRun:
    """A child execution a Task asks for: which machine, its name and input, when it starts, on what clock."""

    spec: Any                         # asl.resources.config.MachineSpec
    name: str
    input: Any
    started: datetime.datetime
    clock: Any
    depth: int                        # the child's: its parent's plus one


@record
class RunEnvironment:
    """Everything an execution runs with besides its machine and input."""

    dispatcher: Any                                   # asl.resources.Dispatcher
    store: Any = None                                 # asl.store.Store, or None
    callbacks: CallbackOptions = field(default_factory=CallbackOptions)
    depth: int = 0                                    # 0: a top-level execution
    start_child: Callable[[ChildRun], Any] | None = None   # runs a child to its end: its ExecutionResult
    s3: Any = None                                    # asl.s3local.S3Folder standing in for S3, or None


class Execution(Protocol):
    """What the interpreter exposes of a running execution (asl.interp.machine.Interpreter)."""

    deadline: datetime.datetime | None
    clock: Any

    def now(self) -> datetime.datetime: ...
    def sleep(self, seconds: float) -> None: ...
    def check_time(self) -> None: ...
    def child_clock(self, started: datetime.datetime) -> Any: ...


class TaskEnv:
    """The view of the running execution a Task provider may use."""

    __slots__ = ("_execution", "run", "execution_arn")

    def __init__(self, execution: Execution, run: RunEnvironment, execution_arn: str) -> None:
        self._execution = execution
        self.run = run
        self.execution_arn = execution_arn

    def now(self) -> datetime.datetime:
        """The execution's current time (its clock: real, virtual, or a lane's)."""
        return self._execution.now()

    def sleep(self, seconds: float) -> None:
        """Wait on the execution's clock, never past its deadline (then ExecutionTimedOut)."""
        self._execution.sleep(seconds)

    def check_time(self) -> None:
        """Raise when the execution was aborted or its deadline has passed."""
        self._execution.check_time()

    @property
    def deadline(self) -> datetime.datetime | None:
        """When the execution times out."""
        return self._execution.deadline

    @property
    def virtual(self) -> bool:
        """Whether time is simulated (waits advance a clock instead of sleeping)."""
        return bool(getattr(self._execution.clock, "virtual", False))

    @property
    def store(self) -> Any:
        """The store this run is recorded in, or None."""
        return self.run.store

    @property
    def callbacks(self) -> CallbackOptions:
        """How task tokens are waited for."""
        return self.run.callbacks

    @property
    def s3(self) -> Any:
        """The local folder standing in for Amazon S3 (asl.s3local.S3Folder), or None."""
        return self.run.s3

    @property
    def depth(self) -> int:
        """How deep this execution is nested (0: started by the user)."""
        return self.run.depth

    def start_child(self, spec: Any, name: str, input: Any, started: datetime.datetime) -> Any:
        """Run a child execution to its end (recorded like any other); its ExecutionResult."""
        if self.run.start_child is None:
            raise RuntimeError("this run cannot start child executions")
        clock = self._execution.child_clock(started)
        return self.run.start_child(ChildRun(spec, name, input, started, clock, self.run.depth + 1))

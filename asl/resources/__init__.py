"""Task resources: what a Task state's Resource reaches when it runs locally.

The interpreter hands every Task to a dispatcher as a `TaskCall`; providers (mocked responses,
local Python handlers, SNS / SQS stubs) are tried in order, and the first that owns the call
answers it or raises a StatesError.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any, Iterator

from ..record import record
from ..aws import Resource
from ..errors import StatesError
from ..runtime import TaskEnv


@record
class TaskCall:
    """One attempt of one Task state."""

    state_name: str
    resource: Resource
    parameters: Any
    attempt: int = 0                 # zero-based, per state, across retries and re-entries
    context: dict = field(default_factory=dict)
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    task_token: str | None = None
    env: TaskEnv | None = None       # the running execution, as providers may see it
    activity: Any = None             # an activity Task's events (schedule(), start(worker)) for its provider
    trace: dict | None = None        # TestState TRACE: {"revealSecrets": bool}; an HTTP provider adds request / response


class NotHandled(Exception):
    """A provider does not own this call; the dispatcher tries the next one."""


class Dispatcher:
    """Tries providers in order; the first that does not raise NotHandled answers."""

    def __init__(self, providers: list[Any] | None = None) -> None:
        self.providers = list(providers or [])

    def each(self) -> Iterator[Any]:
        """The providers in the order they are asked (a lazy dispatcher builds each as it is reached)."""
        return iter(self.providers)

    def invoke(self, call: TaskCall) -> Any:
        """The Task's result, or a StatesError."""
        for provider in self.each():
            try:
                return provider.invoke(call)
            except NotHandled:
                continue
        raise StatesError(
            "States.Runtime",
            f"No handler, stub or mock for the resource '{call.resource}' of state '{call.state_name}': "
            f"map it to a Python function in a resources file (--resources), or mock it "
            f"(--mock-config).")

    def without(self, kind: type) -> "Dispatcher":
        """The same providers but those of one kind (a child execution's: no mocks of the parent's states)."""
        return Dispatcher([p for p in self.providers if not isinstance(p, kind)])

    def answering(self, state_name: str, resource: Resource, parameters: Any) -> Any:
        """The first provider that owns this Task (one without `can_handle` owns every one), or None."""
        for provider in self.each():
            check = getattr(provider, "can_handle", None)
            if check is None or check(state_name, resource, parameters):
                return provider
        return None

    def missing(self, state_name: str, resource: Resource, parameters: Any) -> str | None:
        """Why no provider could answer this Task (checked before the run), or None."""
        if self.answering(state_name, resource, parameters) is not None:
            return None
        for provider in self.providers:
            # A provider that owns the resource but refuses this use of it says why (an HTTP Task's endpoint).
            explain = getattr(provider, "explain", None)
            message = explain(state_name, resource, parameters) if explain is not None else None
            if message:
                return message
        return (f"state '{state_name}': no handler, stub or mock for the resource '{resource}'; "
                f"map it to a Python function in a resources file (--resources) or mock it (--mock-config)")

"""The local handler behind retry_catch_task's Lambda: it always fails, as the workload needs."""

from __future__ import annotations

from typing import Any


class BenchAlwaysFails(Exception):
    """The error the Task reports (its class name becomes the ASL error name)."""


def always_fails(event: Any, context: Any) -> Any:
    """Fail every invocation."""
    raise BenchAlwaysFails("deliberate failure")

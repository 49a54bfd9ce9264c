"""What one execution's JSONata may spend in time, across all its evaluations (stdlib only).

Each evaluation has its own 10-second bound (jsonata/runtime.py); on top, an execution's
evaluations together get EXECUTION_SECONDS, so 20 Map iterations of a runaway expression cost
60 seconds, not 200. The interpreter opens one budget per execution; this module imports
nothing heavy, so a run without JSONata does not pay for jsonata-python.
"""

from __future__ import annotations

import threading
import time
from typing import Any

EXECUTION_SECONDS = 60.0

_local = threading.local()


class Budget:
    """JSONata time spent by one execution (and the child executions it runs in its thread)."""

    __slots__ = ("spent",)

    def __init__(self) -> None:
        self.spent = 0.0

    def left(self) -> float:
        """Seconds of evaluation this execution may still spend."""
        return EXECUTION_SECONDS - self.spent


def current() -> Budget:
    """The running execution's budget; outside one (a test, `sfn test-state`) a fresh one each time."""
    budget = getattr(_local, "budget", None)
    return budget if budget is not None else Budget()


class execution_budget:
    """`with execution_budget():` around one execution: its evaluations share a fresh budget.

    A child execution run in the same thread keeps its parent's: the budget bounds the whole run.
    """

    def __enter__(self) -> Budget:
        self.saved = getattr(_local, "budget", None)
        if self.saved is None:
            _local.budget = Budget()
        return _local.budget

    def __exit__(self, *exc: Any) -> None:
        _local.budget = self.saved


def set_deadline(deadline: float) -> None:
    """The monotonic time the current evaluation must end by (bounded regexes read it)."""
    _local.deadline = deadline


def deadline() -> float:
    """The current evaluation's deadline (0.0 outside one)."""
    return getattr(_local, "deadline", 0.0)

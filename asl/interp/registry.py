"""Which action runs each state type (one small function per type)."""

from __future__ import annotations

from typing import Any, Callable

from .actions import run_choice, run_fail, run_pass, run_succeed, run_wait
from .nested import run_map, run_parallel
from .task import run_task

ACTIONS: dict[str, Callable[..., Any]] = {
    "Pass": run_pass,
    "Succeed": run_succeed,
    "Fail": run_fail,
    "Choice": run_choice,
    "Wait": run_wait,
    "Task": run_task,
    "Parallel": run_parallel,
    "Map": run_map,
}

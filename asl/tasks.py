"""Checks over a machine's Task states, made before a run starts."""

from __future__ import annotations

from typing import Any, Iterator

from .model.states import MapState, ParallelState, StateMachine, TaskState


def task_states(machine: StateMachine) -> Iterator[TaskState]:
    """Every Task state, in branches and item processors too."""
    for state in machine.states.values():
        if isinstance(state, TaskState):
            yield state
        elif isinstance(state, ParallelState):
            for branch in state.branches:
                yield from task_states(branch)
        elif isinstance(state, MapState) and state.processor is not None:
            yield from task_states(state.processor)


def missing_providers(machine: StateMachine, dispatcher: Any) -> list[str]:
    """One message per Task state no provider can answer."""
    problems = []
    for state in task_states(machine):
        raw = getattr(state.parameters, "root", None)
        problem = dispatcher.missing(state.name, state.resource, raw)
        if problem:
            problems.append(problem)
    return problems

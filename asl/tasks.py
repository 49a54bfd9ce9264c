"""Checks over a machine's states, made before a run starts: what it needs that is not there."""

from __future__ import annotations

from typing import Any, Iterator

from .model.states import MapState, ParallelState, StateMachine, TaskState


def all_states(machine: StateMachine) -> Iterator[Any]:
    """Every state, in branches and item processors too."""
    for state in machine.states.values():
        yield state
        if isinstance(state, ParallelState):
            for branch in state.branches:
                yield from all_states(branch)
        elif isinstance(state, MapState) and state.processor is not None:
            yield from all_states(state.processor)


def task_states(machine: StateMachine) -> Iterator[TaskState]:
    """Every Task state, in branches and item processors too."""
    return (state for state in all_states(machine) if isinstance(state, TaskState))


def unsupported_fields(machine: StateMachine) -> list[str]:
    """Fields sfn cannot run faithfully: said before the run rather than run differently."""
    problems = []
    for state in all_states(machine):
        if isinstance(state, MapState):
            for field, value in (("ItemReader", state.item_reader), ("ResultWriter", state.result_writer)):
                if value is not None:
                    problems.append(f"state '{state.name}': {field} reads or writes Amazon S3, which sfn does "
                                    f"not emulate; give the items in the input (ItemsPath / Items) instead")
    return problems


def missing_providers(machine: StateMachine, dispatcher: Any) -> list[str]:
    """One message per Task state no provider can answer."""
    problems = []
    for state in task_states(machine):
        raw = getattr(state.parameters, "root", None)
        problem = dispatcher.missing(state.name, state.resource, raw)
        if problem:
            problems.append(problem)
    return problems


def express_problems(machine: StateMachine) -> list[str]:
    """What an Express workflow cannot run: only request-response integrations, no Distributed Map.

    The guide's comparison of workflow types: Express supports neither the job-run (`.sync`) nor the
    callback (`.waitForTaskToken`) pattern, nor activities or Distributed Map.
    """
    problems = []
    for state in all_states(machine):
        if isinstance(state, TaskState):
            resource = state.resource
            pattern = (".sync" if resource.endswith((".sync", ".sync:2"))
                       else ".waitForTaskToken" if resource.endswith(".waitForTaskToken") else None)
            if pattern is not None:
                problems.append(f"state '{state.name}': an Express workflow cannot wait with {pattern} "
                                f"({resource}); only Standard workflows can")
            elif ":activity:" in resource:
                problems.append(f"state '{state.name}': an Express workflow cannot run activities ({resource})")
        elif isinstance(state, MapState) and state.mode == "DISTRIBUTED":
            problems.append(f"state '{state.name}': an Express workflow cannot run a Distributed Map")
    return problems

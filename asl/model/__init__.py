"""The typed model of a state machine: frozen dataclasses built once from a definition."""

from .build import build_machine
from .states import (
    Catcher, ChoiceRule, ChoiceState, FailState, MapState, ParallelState, PassState, Retrier,
    State, StateMachine, SucceedState, TaskState, WaitState,
)

__all__ = [
    "build_machine", "Catcher", "ChoiceRule", "ChoiceState", "FailState", "MapState",
    "ParallelState", "PassState", "Retrier", "State", "StateMachine", "SucceedState", "TaskState",
    "WaitState",
]

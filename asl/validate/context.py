"""What every rule receives: the definition, its scopes and states (walked once), its source map."""

from __future__ import annotations

from dataclasses import field
from typing import Any, Callable, Iterator

from ..record import record
from ..diagnostics import ERROR, Diagnostic
from ..source import SourceMap
from .walk import Scope, State, iter_scopes, iter_states

Rule = Callable[["Context"], Iterator[Diagnostic]]


@record
class Context:
    """The definition under validation, walked once and shared by all rules."""

    data: Any
    source_map: SourceMap | None = None
    scopes: list[Scope] = field(init=False)
    states: list[State] = field(init=False)

    _by_scope: dict[int, list[State]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.scopes = list(iter_scopes(self.data))
        self.states = list(iter_states(self.data, self.scopes))
        # Grouped once: rules ask for each scope's states, and filtering all states per scope
        # would cost states x scopes on Map- and Parallel-heavy definitions.
        self._by_scope = {id(scope): [] for scope in self.scopes}
        for state in self.states:
            self._by_scope[id(state.scope)].append(state)

    def states_of(self, scope: Scope) -> list[State]:
        """The states directly inside one scope."""
        return list(self._by_scope.get(id(scope), ()))


def get_in(data: Any, *keys: str) -> Any:
    """data[k1][k2]... or None where a step is missing or not an object."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def dict_items(value: Any) -> Iterator[tuple[int, dict]]:
    """(index, item) for the objects of a list (anything else yields nothing)."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def diag(code: str, message: str, pointer: str, severity: str = ERROR) -> Diagnostic:
    """A diagnostic without a position (validate() fills positions from the source map)."""
    return Diagnostic(code, message, pointer, severity)

"""Walk a definition's scopes (the machine, Parallel branches, Map processors) and states.

Rules run after the schema but must not trust it: every accessor here tolerates wrong types.
"""

from __future__ import annotations

from typing import Any, Iterator

from ..record import record
from ..source import escape_pointer_token

JSONPATH = "JSONPath"
JSONATA = "JSONata"


@record(frozen=True)
class Scope:
    """One `StartAt` + `States` machine: the top level, a Parallel branch or a Map processor."""

    pointer: str
    data: dict
    query_language: str          # the machine-wide default the states of this scope inherit
    parent: "Scope | None" = None  # the scope holding the Parallel / Map state, None at the top

    @property
    def states(self) -> dict:
        states = self.data.get("States")
        return states if isinstance(states, dict) else {}

    @property
    def depth(self) -> int:
        """How many Parallel / Map states enclose this scope (0 at the top level)."""
        depth, outer = 0, self.parent
        while outer is not None:
            depth, outer = depth + 1, outer.parent
        return depth


@record(frozen=True)
class State:
    """One state with its pointer, its scope and the query language it is evaluated in."""

    name: str
    pointer: str
    data: dict
    scope: Scope
    query_language: str

    @property
    def type(self) -> str | None:
        value = self.data.get("Type")
        return value if isinstance(value, str) else None

    def at(self, *tokens: str | int) -> str:
        """The pointer of a field (or deeper) of this state."""
        return self.pointer + "".join("/" + escape_pointer_token(t) for t in tokens)

    @property
    def jsonata(self) -> bool:
        return self.query_language == JSONATA


def machine_query_language(data: Any) -> str:
    """The top-level QueryLanguage (JSONPath when absent or malformed)."""
    if isinstance(data, dict) and data.get("QueryLanguage") == JSONATA:
        return JSONATA
    return JSONPATH


def iter_scopes(data: Any) -> Iterator[Scope]:
    """Every scope of the definition, outermost first."""
    if not isinstance(data, dict):
        return
    default = machine_query_language(data)
    stack = [Scope("", data, default)]
    while stack:
        scope = stack.pop(0)
        yield scope
        for name, state in scope.states.items():
            if not isinstance(state, dict):
                continue
            base = scope.pointer + "/States/" + escape_pointer_token(name)
            for ptr, inner in child_scopes(state, base):
                # Inner states inherit the machine-wide default, not the parent state's choice.
                stack.append(Scope(ptr, inner, default, scope))


def child_scopes(state: dict, base: str) -> Iterator[tuple[str, dict]]:
    """The nested machines of a Parallel or Map state, with their pointers."""
    kind = state.get("Type")
    if kind == "Parallel" and isinstance(state.get("Branches"), list):
        for i, branch in enumerate(state["Branches"]):
            if isinstance(branch, dict):
                yield f"{base}/Branches/{i}", branch
    elif kind == "Map":
        for field in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(field), dict):
                yield f"{base}/{field}", state[field]


def iter_states(data: Any, scopes: list[Scope] | None = None) -> Iterator[State]:
    """Every state of every scope (of `scopes` when the caller already walked them)."""
    for scope in scopes if scopes is not None else iter_scopes(data):
        for name, body in scope.states.items():
            if not isinstance(body, dict):
                continue
            own = body.get("QueryLanguage")
            language = own if own in (JSONPATH, JSONATA) else scope.query_language
            yield State(name, scope.pointer + "/States/" + escape_pointer_token(name), body, scope, language)

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


class State:
    """One state with its pointer, its scope and the query language it is evaluated in.

    A plain slotted class, not a record: a definition has thousands of states and every rule
    reads `type` and `jsonata`, so both are computed once here rather than on each read.
    """

    __slots__ = ("name", "_pointer", "data", "scope", "query_language", "type", "jsonata", "_targets")

    def __init__(self, name: str, pointer: str | None, data: dict, scope: Scope, query_language: str) -> None:
        self.name = name
        self._pointer = pointer  # None: built from the scope's pointer and the name when first asked for
        self.data = data
        self.scope = scope
        self.query_language = query_language
        kind = data.get("Type")
        self.type: str | None = kind if isinstance(kind, str) else None
        self.jsonata: bool = query_language == JSONATA
        self._targets: list[str] | None = None

    @property
    def pointer(self) -> str:
        """The state's JSON pointer (only diagnostics need it: built on first use)."""
        pointer = self._pointer
        if pointer is None:
            pointer = self._pointer = self.scope.pointer + "/States/" + escape_pointer_token(self.name)
        return pointer

    def __repr__(self) -> str:
        return f"State(name={self.name!r}, pointer={self.pointer!r}, query_language={self.query_language!r})"

    def at(self, *tokens: str | int) -> str:
        """The pointer of a field (or deeper) of this state."""
        return self.pointer + "".join("/" + escape_pointer_token(t) for t in tokens)

    def targets(self) -> list[str]:
        """The state names its Next, Default, Choices' and Catchers' Next give (computed once; do not mutate)."""
        targets = self._targets
        if targets is None:
            body = self.data
            targets = [body[key] for key in ("Next", "Default") if isinstance(body.get(key), str)]
            for field in ("Choices", "Catch"):
                items = body.get(field)
                if isinstance(items, list):
                    targets += [item["Next"] for item in items
                                if isinstance(item, dict) and isinstance(item.get("Next"), str)]
            self._targets = targets
        return targets


class Fields:
    """An ordered group of field names: which of them a state body holds, in the group's order."""

    def __init__(self, names: tuple[str, ...] | list[str]) -> None:
        self.names = tuple(names)
        self._set = frozenset(self.names)
        self._rank = {name: i for i, name in enumerate(self.names)}

    def present(self, body: dict) -> list[str]:
        """The group's names that are keys of `body`, in the group's order (one C-level set operation)."""
        found = self._set.intersection(body)
        return sorted(found, key=self._rank.__getitem__) if len(found) > 1 else list(found)

    def any_in(self, body: dict) -> bool:
        """Whether `body` holds any of the group's names."""
        return not self._set.isdisjoint(body)


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
            yield State(name, None, body, scope, language)

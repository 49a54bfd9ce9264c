"""Evaluation scope of one state: resolves `$`, `$$` and `$var` paths, and binds JSONata."""

from __future__ import annotations

from collections import ChainMap
from typing import Any, Callable

from ..errors import STATES_DATA_LIMIT, StatesError
from ..expr.jsonpath import Path, PathNotFound
from .clock import iso
from .dataflow import json_size


# Only states that can retry carry `$$.State.RetryCount` (AWS leaves it out of Pass, Choice, ...).
_RETRYABLE = frozenset({"Task", "Parallel", "Map"})


# The limits AWS documents for variables ("Passing data between states with variables"). The
# guide gives no error name or wording for them; sfn reports the payload-size error,
# States.DataLimitExceeded, in the words AWS uses for an oversized result.
VARIABLE_LIMIT = 262_144  # bytes of one variable
ASSIGN_LIMIT = 262_144  # bytes of all the variables one Assign sets
EXECUTION_LIMIT = 10 * 1024 * 1024  # bytes of all the variables an execution stores


class Frame:
    """One thread of control (the execution, a Parallel branch, a Map iteration).

    `cursor` is the previousEventId its next event takes; `variables` reads through to the
    enclosing scopes but assignments land in this frame only. `sizes` holds the bytes of each
    variable this frame stored, `outer_bytes` what its enclosing scopes hold.
    """

    __slots__ = ("cursor", "variables", "sizes", "outer_bytes", "lanes", "owns")

    def __init__(self, cursor: int, variables: ChainMap, outer_bytes: int = 0, owns: bool = True) -> None:
        self.cursor = cursor
        self.variables = variables
        self.sizes: dict[str, int] = {}
        self.outer_bytes = outer_bytes
        self.lanes = None  # a redrive: the Parallel / Map this scope runs first keeps these lanes' outputs
        # False: `variables` is still the enclosing scope's, until this one assigns (most never do,
        # and a Map of 10k items would otherwise make a layer per item)
        self.owns = owns

    def child(self, cursor: int) -> "Frame":
        """A nested scope that reads this one's variables and assigns its own."""
        return Frame(cursor, self.variables, self.stored_bytes(), False)

    def own_variables(self) -> dict:
        """The variables this scope assigned itself."""
        return self.variables.maps[0] if self.owns else {}

    def stored_bytes(self) -> int:
        """Bytes of every variable this scope can see."""
        return self.outer_bytes + sum(self.sizes.values())

    def measure(self, assigned: dict, state_name: str, size: Callable[[Any], int] = json_size) -> dict[str, int]:
        """The size of each assigned variable; States.DataLimitExceeded past AWS's limits.

        `size` measures a value (the execution's PayloadSizes.size knows what it measured already).
        """
        sizes = {name: size(value) for name, value in assigned.items()}
        for name, size in sizes.items():
            if size > VARIABLE_LIMIT:
                raise _too_big(f"The variable '{name}' assigned by the state '{state_name}' has a size")
        if sum(sizes.values()) > ASSIGN_LIMIT:
            raise _too_big(f"The variables assigned by the state '{state_name}' have a combined size")
        kept = sum(size for name, size in self.sizes.items() if name not in sizes)
        if self.outer_bytes + kept + sum(sizes.values()) > EXECUTION_LIMIT:
            raise _too_big(f"After the state '{state_name}', the variables of the execution have a size")
        return sizes

    def assign(self, assigned: dict, sizes: dict[str, int]) -> None:
        """Store a state's assignments (measured first) in this frame, all together."""
        if not self.owns:
            self.variables, self.owns = self.variables.new_child(), True
        self.variables.maps[0].update(assigned)
        self.sizes.update(sizes)


def _too_big(subject: str) -> StatesError:
    return StatesError(STATES_DATA_LIMIT, f"{subject} exceeding the maximum number of bytes service limit.")


class Scope:
    """What one state's expressions can see while it runs."""

    __slots__ = ("interp", "state", "frame", "entered_at", "retry_count", "map_item", "task_token", "inspection")

    def __init__(self, interp: Any, state: Any, frame: Frame, entered_at: Any) -> None:
        self.interp = interp
        self.state = state
        self.frame = frame
        self.entered_at = entered_at  # a datetime; formatted only when `$$` is read
        self.retry_count = 0
        self.map_item: tuple[int, Any, str] | None = None  # (Index, Value, Source) of `$$.Map.Item`
        self.task_token: str | None = None
        # TestState's inspection data: when a dict, the pipeline stages record their values in it.
        self.inspection: dict | None = None

    @property
    def entered_time(self) -> str:
        """`$$.State.EnteredTime`: ISO 8601 with milliseconds."""
        return iso(self.entered_at)

    def context(self) -> dict:
        """The context object `$$` as this state sees it now."""
        info = self.interp.info
        ctx = {
            "Execution": info.execution_object(),
            "State": {"EnteredTime": self.entered_time, "Name": self.state.name},
            "StateMachine": info.machine_object(),
        }
        if self.state.type in _RETRYABLE:
            ctx["State"]["RetryCount"] = self.retry_count
        if self.task_token is not None:
            ctx["Task"] = {"Token": self.task_token}
        if self.map_item is not None:
            index, value, source = self.map_item
            ctx["Map"] = {"Item": {"Index": index, "Value": value, "Source": source}}
        return ctx

    def resolve(self, path: Path, doc: Any) -> Any:
        """The value a path selects: in doc (`$`), the context (`$$`) or a variable."""
        root = path.root
        if root == "$":
            return path.find(doc)
        if root == "$$":
            return path.find(self.context())
        variables = self.frame.variables
        if path.variable not in variables:
            raise PathNotFound(path.text)
        return path.find(variables[path.variable])

    def resolver(self, doc: Any):
        """A one-argument resolver over doc, for templates and intrinsics."""
        return lambda path: self.resolve(path, doc)

    def bound(self, doc: Any) -> "BoundScope":
        """This scope with `$` fixed to doc (what Choice rules evaluate against)."""
        return BoundScope(self, doc)

    def states_binding(self, input: Any, result: Any = None, error_output: Any = None,
                       has_result: bool = False, has_error: bool = False) -> dict:
        """The reserved JSONata variable `$states`."""
        states = {"input": input, "context": self.context()}
        if has_result:
            states["result"] = result
        if has_error:
            states["errorOutput"] = error_output
        return states


class BoundScope:
    """A Scope with the document fixed: `resolve(path)` and `condition(template)`."""

    __slots__ = ("scope", "doc")

    def __init__(self, scope: Scope, doc: Any) -> None:
        self.scope = scope
        self.doc = doc

    def resolve(self, path: Path) -> Any:
        return self.scope.resolve(path, self.doc)

    def condition(self, template: Any) -> bool:
        from ..expr.jsonata import evaluate_condition

        return evaluate_condition(template, self.scope.states_binding(self.doc), self.scope.frame.variables)

"""Evaluation scope of one state: resolves `$`, `$$` and `$var` paths, and binds JSONata."""

from __future__ import annotations

from collections import ChainMap
from typing import Any

from ..expr.jsonpath import Path, PathNotFound
from .clock import iso


# Only states that can retry carry `$$.State.RetryCount` (AWS leaves it out of Pass, Choice, ...).
_RETRYABLE = frozenset({"Task", "Parallel", "Map"})


class Frame:
    """One thread of control (the execution, a Parallel branch, a Map iteration).

    `cursor` is the previousEventId its next event takes; `variables` reads through to the
    enclosing scopes but assignments land in this frame only.
    """

    __slots__ = ("cursor", "variables")

    def __init__(self, cursor: int, variables: ChainMap) -> None:
        self.cursor = cursor
        self.variables = variables

    def child(self, cursor: int) -> "Frame":
        """A nested scope that reads this one's variables and assigns its own."""
        return Frame(cursor, self.variables.new_child())


class Scope:
    """What one state's expressions can see while it runs."""

    __slots__ = ("interp", "state", "frame", "entered_at", "retry_count", "map_item", "task_token")

    def __init__(self, interp: Any, state: Any, frame: Frame, entered_at: Any) -> None:
        self.interp = interp
        self.state = state
        self.frame = frame
        self.entered_at = entered_at  # a datetime; formatted only when `$$` is read
        self.retry_count = 0
        self.map_item: tuple[int, Any] | None = None
        self.task_token: str | None = None

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
            ctx["Map"] = {"Item": {"Index": self.map_item[0], "Value": self.map_item[1]}}
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

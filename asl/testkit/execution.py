"""An execution as a test sees it: status, output, error, cause, events, the path taken, and
assertions whose failures read as a summary (status, error, cause, path, a diff of outputs).
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from ..history import StateEvent


class Status(str):
    """An execution's status; a plain string that knows its execution, so a failed
    `assert execution.status == "SUCCEEDED"` can show what happened (the pytest plugin's hook)."""

    execution: "Execution"


class Execution:
    """One finished execution of a definition (wraps asl.interp's ExecutionResult)."""

    def __init__(self, result: Any, label: str) -> None:
        self.result = result
        self.label = label
        self.status = Status(result.status)
        self.status.execution = self
        self.output = result.output
        self.error = result.error
        self.cause = result.cause
        self._events: list[dict] | None = None

    @property
    def history(self) -> Any:
        """The asl.history.History of the run."""
        return self.result.history

    @property
    def events(self) -> list[dict]:
        """The history as GetExecutionHistory returns it (its `events` list)."""
        if self._events is None:
            self._events = self.history.to_aws()["events"]
        return self._events

    def _state_events(self) -> list[StateEvent]:
        return [e for e in self.history.events if isinstance(e, StateEvent)]

    @property
    def path(self) -> list[str]:
        """The names of the states entered, in order (nested states included)."""
        return [e.name for e in self._state_events() if e.entered]

    def state_input(self, name: str) -> Any:
        """The input of the last visit to a state (LookupError when it was never entered)."""
        return self._last(name, True)

    def state_output(self, name: str) -> Any:
        """The output of the last visit to a state (LookupError when it never exited)."""
        return self._last(name, False)

    def _last(self, name: str, entered: bool) -> Any:
        for event in reversed(self._state_events()):
            if event.name == name and event.entered == entered:
                return event.value
        what = "entered" if entered else "exited"
        raise LookupError(f"state '{name}' was never {what}; path: {' -> '.join(self.path) or '(none)'}")

    # ------------------------------------------------------------------ assertions

    def describe(self) -> str:
        """A few lines: the definition, status, error and cause, the path taken, the output."""
        lines = [f"execution of {self.label}: {self.status}"]
        if self.error is not None:
            lines.append(f"  error: {self.error}")
        if self.cause is not None:
            lines.append(f"  cause: {self.cause}")
        lines.append(f"  path:  {' -> '.join(self.path) or '(no state entered)'}")
        if self.status == "SUCCEEDED":
            lines.append(f"  output: {_short(self.output)}")
        return "\n".join(lines)

    def assert_succeeded(self, output: Any = ...) -> "Execution":
        """Fail with a summary unless the run succeeded (and, given `output`, produced exactly it)."""
        if self.status != "SUCCEEDED":
            raise AssertionError(f"expected SUCCEEDED\n{self.describe()}")
        if output is not ... and output != self.output:
            raise AssertionError(f"the output differs\n{self.describe()}\n{output_diff(output, self.output)}")
        return self

    def assert_failed(self, error: str | None = None, cause: str | None = None) -> "Execution":
        """Fail with a summary unless the run failed (with this error and cause, when given)."""
        problems = []
        if self.status != "FAILED":
            problems.append("expected FAILED")
        if error is not None and self.error != error:
            problems.append(f"expected error {error!r}")
        if cause is not None and self.cause != cause:
            problems.append(f"expected cause {cause!r}")
        if problems:
            raise AssertionError("; ".join(problems) + "\n" + self.describe())
        return self

    def assert_output(self, expected: Any) -> "Execution":
        """Fail with a diff unless the output contains `expected` (objects: a subset, recursively)."""
        mismatches = subset_mismatches(expected, self.output)
        if mismatches:
            raise AssertionError("the output does not match\n" + "\n".join("  " + m for m in mismatches) +
                                 f"\n{self.describe()}\n{output_diff(expected, self.output)}")
        return self

    def __repr__(self) -> str:
        return f"<Execution {self.label} {self.status} path={self.path!r}>"


def _short(value: Any, limit: int = 200) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def output_diff(expected: Any, actual: Any) -> str:
    """A unified diff of two JSON values, pretty-printed with sorted keys."""
    def lines(value: Any) -> list[str]:
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str).splitlines()

    return "\n".join(difflib.unified_diff(lines(expected), lines(actual), "expected", "actual", lineterm=""))


def subset_mismatches(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Where `actual` does not contain `expected`: objects need only the expected members (recursively);
    arrays and scalars must match in full (arrays element by element)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {_short(actual, 80)}"]
        problems = []
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{where}.{key}: missing")
            else:
                problems += subset_mismatches(value, actual[key], f"{where}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {_short(expected, 80)}, got {_short(actual, 80)}"]
        problems = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            problems += subset_mismatches(e, a, f"{where}[{i}]")
        return problems
    # JSON's equality: true is not 1 (Python's is)
    if expected != actual or isinstance(expected, bool) != isinstance(actual, bool):
        return [f"{where}: expected {_short(expected, 80)}, got {_short(actual, 80)}"]
    return []

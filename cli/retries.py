"""Which Retrier of a state takes an error, and how many attempts that allows: the trace's "attempt 2 of 4".

The history says that a state was tried again, not under which Retrier or how often it may be; the
definition says that. States are looked up by name: a name used in two scopes (branches may
repeat one) gives no limit rather than a wrong one.
"""

from __future__ import annotations

from typing import Any

from asl.errors import error_matches


def states_by_name(machine: Any) -> dict[str, Any]:
    """Every state of a machine and of its branches and item processors, by name (None: a name used twice)."""
    found: dict[str, Any] = {}
    pending = [machine] if machine is not None else []
    while pending:  # iterative: nesting has no depth limit in a definition
        scope = pending.pop()
        for name, state in (getattr(scope, "states", None) or {}).items():
            found[name] = None if name in found else state
            pending.extend(getattr(state, "branches", ()) or ())
            if getattr(state, "processor", None) is not None:
                pending.append(state.processor)
    return found


class RetryCount:
    """One visit's retries: how often each Retrier of its state has run it again."""

    def __init__(self, state: Any) -> None:
        self.retriers = tuple(getattr(state, "retry", ()) or ())
        self.used = [0] * len(self.retriers)
        self.attempts = 1

    def _retrier(self, error: str | None) -> int | None:
        """The index of the first Retrier whose ErrorEquals takes `error`, as the interpreter picks it."""
        for index, retrier in enumerate(self.retriers):
            if any(error_matches(pattern, error) for pattern in retrier.error_equals):
                return index
        return None

    def label(self, error: str | None) -> str:
        """The next attempt, said before it starts: "attempt 2 of 4" (without "of" when the limit is unknown)."""
        index = self._retrier(error)
        number = self.attempts + 1
        if index is None:
            return f"attempt {number}"
        # Attempts the other Retriers (and the first try) made, plus all this Retrier allows.
        limit = self.attempts - self.used[index] + self.retriers[index].max_attempts
        return f"attempt {number} of {max(limit, number)}"

    def retried(self, error: str | None) -> None:
        """Count a retry of a failure with `error`."""
        index = self._retrier(error)
        if index is not None:
            self.used[index] += 1
        self.attempts += 1

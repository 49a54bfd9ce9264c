"""The two ways an intrinsic call fails: it does not parse, or it fails while it runs."""

from __future__ import annotations

from ...errors import STATES_RUNTIME, SfnError, StateEvaluationError


class IntrinsicSyntaxError(SfnError):
    """An intrinsic call that cannot compile; `offset` is the 0-based index in `text` to blame."""

    def __init__(self, message: str, offset: int, text: str = "") -> None:
        self.message = message
        self.offset = offset
        self.text = text
        super().__init__(f"{message} (at position {offset + 1})")

    def caret(self) -> str:
        """The call on one line and a caret under the offending character."""
        return f"{self.text}\n{' ' * self.offset}^"


class IntrinsicRuntimeError(StateEvaluationError):
    """A call that failed while it ran: `cause` is AWS's sentence, `detail` says precisely why."""

    def __init__(self, cause: str, detail: str | None = None, name: str = STATES_RUNTIME) -> None:
        super().__init__(cause, name)
        self.detail = detail


class ArgumentError(Exception):
    """Raised inside a function implementation; the call turns it into IntrinsicRuntimeError."""

    def __init__(self, function: str, detail: str) -> None:
        super().__init__(detail)
        self.function = function
        self.detail = detail

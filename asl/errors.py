"""One exception hierarchy: every failure sfn reports maps to one of these classes."""

from __future__ import annotations

from .record import record


class SfnError(Exception):
    """Base of every error sfn raises on purpose; the CLI turns it into one line and an exit code."""

    exit_code = 2
    located = False   # whether the message starts with the place it is about (FILE:LINE:COLUMN)


@record
class Location:
    """Where in a file something went wrong (line and column are 1-based, 0 = unknown)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        parts = [self.file]
        if self.line:
            parts.append(str(self.line))
            if self.column:
                parts.append(str(self.column))
        return ":".join(parts)


class UserInputError(SfnError):
    """A file or argument the user gave cannot be used: `FILE:LINE:COLUMN: message`."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.message = message
        self.location = location
        self.located = location is not None
        super().__init__(f"{location}: {message}" if location else message)


class ApiError(UserInputError):
    """A request the Step Functions API refuses, with AWS's error code (ExecutionAlreadyExists, InvalidName)."""

    def __init__(self, code: str, message: str, location: Location | None = None) -> None:
        self.code = code
        self.detail = message  # AWS's message alone (a Task's cause, when an integration gets this error)
        super().__init__(f"{code}: {message}", location)


class DefinitionError(SfnError):
    """A definition that cannot run: carries every diagnostic found."""

    def __init__(self, file: str, diagnostics: list) -> None:
        self.file = file
        self.diagnostics = diagnostics
        first = diagnostics[0] if diagnostics else None
        super().__init__(first.format(file) if first is not None else f"{file}: invalid definition")


class UnvalidatedDefinitionError(SfnError):
    """A definition run without validation broke where validation would have stopped it."""

    located = True

    def __init__(self, file: str, exc: BaseException) -> None:
        super().__init__(f"{file}: the definition is malformed ({type(exc).__name__}: {exc}); "
                         f"`sfn validate {file}` says where")


# ---------------------------------------------------------------- runtime (ASL) errors

STATES_ALL = "States.ALL"
STATES_TASK_FAILED = "States.TaskFailed"
STATES_TIMEOUT = "States.Timeout"
STATES_RUNTIME = "States.Runtime"
STATES_DATA_LIMIT = "States.DataLimitExceeded"
# No Retrier or Catcher takes States.Runtime, not even one naming it (AWS's recorded
# test_catch_states_runtime). A task result over the size limit, by contrast, is caught by
# States.ALL in AWS's recordings, whatever the guide says, so DataLimitExceeded is not here.
TERMINAL_ERRORS = frozenset({STATES_RUNTIME})


class StatesError(SfnError):
    """An error raised while a state machine runs, named as ASL names it (`States.Runtime`, ...)."""

    exit_code = 1

    def __init__(self, name: str | None, cause: str | None = None) -> None:
        self.name = name
        self.cause = cause
        super().__init__(f"{name}: {cause}" if cause else str(name))


def error_matches(pattern: str, name: str | None) -> bool:
    """Whether an ErrorEquals entry matches a raised error name (States.ALL, States.TaskFailed)."""
    if name in TERMINAL_ERRORS:
        return False
    if pattern == name:
        return True
    if pattern == STATES_ALL:
        return True
    if pattern == STATES_TASK_FAILED:
        return name != STATES_TIMEOUT
    return False


class StateEvaluationError(StatesError):
    """A failure evaluating one of a state's own fields (a path, an intrinsic, an expression).

    `cause` is the specific sentence ("The JSONPath '$.x' specified for the field 'a.$' could not
    be found in the input '{}'"); the interpreter prefixes AWS's
    "An error occurred while executing the state 'S' (entered at the event id #N). " to it.
    """

    def __init__(self, cause: str, name: str = STATES_RUNTIME) -> None:
        super().__init__(name, cause)


# AWS's error codes and messages for SendTask* requests it refuses.
INVALID_TOKEN = "InvalidToken"
TASK_DOES_NOT_EXIST = "TaskDoesNotExist"
TASK_TIMED_OUT = "TaskTimedOut"
INVALID_OUTPUT = "InvalidOutput"
_MESSAGES = {
    INVALID_TOKEN: "Invalid Token: 'Invalid token'",
    TASK_DOES_NOT_EXIST: "Task Does Not Exist: 'Provided task does not exist'",
    TASK_TIMED_OUT: "Task Timed Out: 'Provided task does not exist anymore'",
}


class TaskTokenError(SfnError):
    """Step Functions refused a SendTask* request: `code` is AWS's error code (InvalidToken, ...)."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message or _MESSAGES.get(code, code)
        # A token nobody waits for is an answer that came too late (1); a malformed token or
        # output is bad input (2), as the CLI's exit codes go.
        self.exit_code = 1 if code in (TASK_DOES_NOT_EXIST, TASK_TIMED_OUT) else 2
        super().__init__(f"{code}: {self.message}")


class ExecutionTimedOut(Exception):
    """The execution's deadline (its TimeoutSeconds, or AWS's longest run) passed."""


class ExecutionAborted(Exception):
    """The execution was stopped from outside (Ctrl-C, an abort request)."""

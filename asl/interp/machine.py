"""The state loop: transitions, Retry / Catch, execution timeout, and the execution's history."""

from __future__ import annotations

import datetime
from collections import ChainMap
from typing import Any, Callable

from ..record import record
from ..errors import (STATES_RUNTIME, ExecutionAborted, ExecutionTimedOut, StateEvaluationError, StatesError,
                      error_matches)
from ..history import History, HistoryFull, history_bound
from ..model.states import StateMachine
from ..runtime import RunEnvironment, TaskEnv
from .clock import VirtualClock, check_within, iso, sleep_within
from .context import ExecutionInfo
from .dataflow import PayloadSizes, place_result
from .pipeline import Outcome, jsonata_assign, jsonata_value, jsonpath_assign
from . import redrive
from .registry import ACTIONS
from .scope import Frame, Scope

QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
_NESTING = frozenset({"Map", "Parallel"})
_LONGEST_DELAY = 10 * 366 * 86400.0  # a Retry wait past any execution's end (its deadline ends it first)
# EvaluationFailed shares its previousEventId with the state's Entered event (as AWS records it),
# except for a Wait: AWS evaluates its duration once the state is entered, so the event follows
# WaitStateEntered (the recorded JSONata Wait Timestamp failures).
_EVALUATED_AFTER_ENTRY = frozenset({"Wait"})
SUCCEEDED, FAILED, TIMED_OUT, ABORTED = "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"


@record
class ExecutionResult:
    """How an execution ended."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    history: History | None = None
    info: ExecutionInfo | None = None
    store_error: Exception | None = None   # the store could not record the end of the run
    resume: dict | None = None   # an unsuccessful run: where a redrive continues it (asl.interp.redrive)

    def as_dict(self) -> dict:
        """`{"status", "output", "error", "cause"}` as `sfn run --output json` prints it."""
        return {"status": self.status, "output": self.output, "error": self.error, "cause": self.cause}


# Event type names per state type, built once (one shared string per type, not one per event).
_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Map", "Parallel")
_ENTERED = {t: t + "StateEntered" for t in _TYPES}
_EXITED = {t: t + "StateExited" for t in _TYPES}


# The longest an execution may run (the quotas page: a year for Standard, five minutes for Express
# workflows); past it AWS times the execution out, so an endless Wait or Retry loop ends too.
MAX_STANDARD_SECONDS = 365 * 24 * 3600
MAX_EXPRESS_SECONDS = 5 * 60


class Interpreter:
    """Runs one execution of a machine. Not reusable: make one per execution."""

    def __init__(self, machine: StateMachine, *, clock: Any, info: ExecutionInfo,
                 env: RunEnvironment | None = None, listeners: list[Callable] | None = None) -> None:
        self.machine = machine
        self.clock = clock
        self.info = info
        if env is None:
            from ..resources import Dispatcher

            env = RunEnvironment(Dispatcher())  # no providers: every Task fails with the dispatcher's message
        self.env = env
        self.task_env = TaskEnv(self, env, info.execution_arn)
        self.history = History(clock, listeners)
        self.deadline = None
        self._aborted = False
        self._abort_details: dict = {}
        self.task_attempts: dict[str, int] = {}  # per state, across retries and re-entries
        self.sizes = PayloadSizes()  # every state's output is at most 256 KiB, as on AWS
        # Told which Choice rule, Retrier and Catcher applied (`chose`, `retried`, `caught`): what the
        # history cannot say when two of them lead to the same state. None (no cost) unless a test
        # tool (asl.testkit.coverage) sets one through run_machine's on_start.
        self.observer: Any = None
        self.baton = None  # an asl.interp.lanes.Baton while Map / Parallel lanes run in threads

    # ------------------------------------------------------------------ execution

    def run(self, input: Any) -> ExecutionResult:
        """Run to the end and return the result; the history is in `self.history`."""
        started_at = self.clock.now()
        self.info.start_time = iso(started_at)
        self.info.input = input

        def body(frame: Frame) -> Any:
            self.history.add("ExecutionStarted", 0, {"input": input, "roleArn": self.info.role_arn})
            return self.run_machine(self.machine, input, frame)

        return self.conclude(body, started_at, started_at)

    def conclude(self, body: Callable[[Frame], Any], now: datetime.datetime,
                 started_at: datetime.datetime) -> ExecutionResult:
        """Run `body` in the execution's scope and record how the execution ends (a redrive's too).

        The deadline is TimeoutSeconds from `now`, within the longest an execution may stay open
        from `started_at`. The JSONata time of the whole execution is bounded, not one evaluation's.
        """
        from ..expr.budget import execution_budget

        with execution_budget():
            return self._conclude(body, now, started_at)

    def _conclude(self, body: Callable[[Frame], Any], now: datetime.datetime,
                  started_at: datetime.datetime) -> ExecutionResult:
        history = self.history
        limit = MAX_EXPRESS_SECONDS if self.info.express else MAX_STANDARD_SECONDS
        self.deadline = started_at + datetime.timedelta(seconds=limit)
        if self.machine.timeout_seconds is not None:
            self.deadline = min(self.deadline, now + datetime.timedelta(seconds=self.machine.timeout_seconds))
        history.limit(history_bound(self.info.express)[0])
        frame = Frame(0, ChainMap())
        result = ExecutionResult(FAILED, history=history, info=self.info)
        try:
            output = body(frame)
        except StatesError as err:
            # A timeout's empty cause is no cause for AWS (ExecutionFailed and DescribeExecution).
            cause = None if err.cause == "" and err.name == "States.Timeout" else err.cause
            result.error, result.cause = err.name, cause
            result.resume = redrive.kept(err, self.task_attempts)
            details = {}
            if err.name is not None:
                details["error"] = err.name
            if cause is not None:
                details["cause"] = cause
            history.add("ExecutionFailed", frame.cursor, details)
        except HistoryFull:
            result.error = STATES_RUNTIME
            result.cause = history_bound(self.info.express)[1]
            history.add("ExecutionFailed", history.last_id, {"error": result.error, "cause": result.cause})
        except ExecutionTimedOut as err:
            result.status = TIMED_OUT
            result.resume = redrive.kept(err, self.task_attempts)
            history.add("ExecutionTimedOut", history.last_id, {})
        except (ExecutionAborted, KeyboardInterrupt) as err:
            result.status = ABORTED
            result.error, result.cause = self._abort_details.get("error"), self._abort_details.get("cause")
            result.resume = redrive.kept(err, self.task_attempts)
            # An abort comes from outside the state flow: AWS links it to no event (recorded StopExecution).
            history.add("ExecutionAborted", 0, dict(self._abort_details))
        else:
            result.status, result.output = SUCCEEDED, output
            history.add("ExecutionSucceeded", frame.cursor, {"output": output})
        return result

    def now(self) -> datetime.datetime:
        """The execution's current time (its clock may be a lane's)."""
        return self.clock.now()

    def child_clock(self, started: datetime.datetime) -> Any:
        """The clock a child execution started now runs on: a fork of simulated time, or the real clock."""
        return VirtualClock(started) if getattr(self.clock, "virtual", False) else self.clock

    def use_clock(self, clock: Any) -> None:
        """Run on another clock from now on (a lane of simulated concurrency); events follow it."""
        self.clock = clock
        self.history.clock = clock

    def abort(self, error: str | None = None, cause: str | None = None) -> None:
        """Ask the execution to stop at the next state boundary (StopExecution's error and cause, if given)."""
        self._abort_details = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
        self._aborted = True
        self.clock.abort()

    @property
    def aborted(self) -> bool:
        """Whether the execution was asked to stop."""
        return self._aborted

    def check_time(self) -> None:
        """Raise when the execution was aborted or its TimeoutSeconds has passed."""
        check_within(self.clock, self.deadline, self._aborted)

    def sleep(self, seconds: float) -> None:
        """Wait through the clock, never past the execution's deadline."""
        sleep_within(self.clock, self.deadline, seconds)
        self.check_time()

    def run_machine(self, machine: StateMachine, input: Any, frame: Frame, start: str | None = None) -> Any:
        """Run a machine, branch or iteration from StartAt (or `start`: a redrive) to an end; return its output."""
        states = machine.states
        state = states[start or machine.start_at]
        data = input
        while True:
            try:
                outcome = self.run_state(state, data, frame)
            except BaseException as err:
                redrive.note(err, state, data, frame)  # where a redrive continues this scope
                raise
            if outcome.next is None:
                return outcome.output
            data = outcome.output
            state = states[outcome.next]

    # ------------------------------------------------------------------ one state

    def run_state(self, state: Any, raw_input: Any, frame: Frame) -> Outcome:
        """Enter, run (with Retry / Catch), exit: the events AWS records for one state."""
        deadline = self.deadline
        if self._aborted or deadline is not None and self.clock.now() >= deadline:
            self.check_time()  # raises: the test is inline since it runs for every state
        history = self.history
        entered_prev = frame.cursor
        entered = history.add_state(_ENTERED[state.type], entered_prev, state.name, raw_input, True)
        frame.cursor = entered
        # `$$.State.EnteredTime` is the entered event's time (kept as a datetime, formatted only if read).
        scope = Scope(self, state, frame, history.last_time)
        action = ACTIONS[state.type]
        attempts = None
        sizes = None
        while True:
            try:
                outcome = action(self, state, raw_input, scope)
                if outcome.output is not raw_input:  # an input passed on was measured as an output
                    self.sizes.check(outcome.output, state.name)
                if outcome.assigned:
                    sizes = frame.measure(outcome.assigned, state.name, self.sizes.size)
                break
            except StatesError as err:
                if isinstance(err, StateEvaluationError):
                    err = self._state_failure(err, state, entered, entered_prev, frame)
                if attempts is None:
                    attempts = [0] * len(state.retry)
                if self._retry(state, err, attempts, scope):
                    continue
                if state.type in _NESTING and err.name != STATES_RUNTIME:
                    frame.cursor = history.add(state.type + "StateFailed", frame.cursor)
                outcome = self._catch(state, err, raw_input, scope)
                if outcome is None:
                    raise err
                self.sizes.check(outcome.output, state.name)
                if outcome.assigned:
                    sizes = frame.measure(outcome.assigned, state.name, self.sizes.size)
                break
        if outcome.assigned:
            # All assignments of a state see the values from before it; they land together.
            frame.assign(outcome.assigned, sizes)
        if state.type != "Fail":
            # `"Assign": {}` assigns nothing, and AWS then records no assignedVariables.
            frame.cursor = history.add_state(_EXITED[state.type], frame.cursor, state.name, outcome.output,
                                             False, outcome.assigned or None)
        return outcome

    def _state_failure(self, err: StateEvaluationError, state: Any, entered: int, entered_prev: int,
                       frame: Frame) -> StatesError:
        """AWS's prefix on a state's own evaluation failure, and EvaluationFailed for JSONata."""
        cause = (f"An error occurred while executing the state '{state.name}' "
                 f"(entered at the event id #{entered}). {err.cause}")
        if err.name == QUERY_EVALUATION_ERROR:
            details = {"cause": cause, "error": err.name, "state": state.name}
            location = getattr(err, "location", None)
            if location is not None:
                details["location"] = location
            previous = entered if state.type in _EVALUATED_AFTER_ENTRY else entered_prev
            frame.cursor = self.history.add("EvaluationFailed", previous, details)
        return StatesError(err.name, cause)

    def _retry(self, state: Any, err: StatesError, attempts: list[int], scope: Scope) -> bool:
        """Wait and return True when a Retrier takes this error; False when none does (or is spent)."""
        for i, retrier in enumerate(state.retry):
            if any(error_matches(p, err.name) for p in retrier.error_equals):
                if attempts[i] >= retrier.max_attempts:
                    return False
                try:
                    delay = retrier.interval_seconds * (retrier.backoff_rate ** attempts[i])
                except OverflowError:  # BackoffRate 2.0 past attempt 1,023: longer than any execution
                    delay = _LONGEST_DELAY
                delay = min(delay, _LONGEST_DELAY)
                if retrier.max_delay_seconds is not None:
                    delay = min(delay, retrier.max_delay_seconds)
                if retrier.jitter == "FULL":
                    import random  # only a FULL jitter needs it: not at every start

                    delay = random.uniform(0, delay)
                attempts[i] += 1
                scope.retry_count += 1
                if self.observer is not None:
                    self.observer.retried(state, i)
                self.sleep(delay)
                return True
        return False

    def _catch(self, state: Any, err: StatesError, raw_input: Any, scope: Scope) -> Outcome | None:
        """The first matching Catcher's outcome, or None."""
        for index, catcher in enumerate(state.catch):
            if not any(error_matches(p, err.name) for p in catcher.error_equals):
                continue
            if self.observer is not None:
                self.observer.caught(state, index)
            error_output = {"Error": err.name, "Cause": err.cause}
            if state.is_jsonata:
                states = scope.states_binding(raw_input, error_output=error_output, has_error=True)
                assigned = jsonata_assign(catcher.assign, states, scope)
                output = error_output if catcher.output is None else jsonata_value(catcher.output, states, scope)
            else:
                assigned = jsonpath_assign(catcher.assign, error_output, scope)
                if catcher.result_path_null:
                    output = raw_input
                elif catcher.result_path is None:
                    output = error_output
                else:
                    output = place_result(catcher, raw_input, error_output)
            return Outcome(output, catcher.next, assigned)
        return None

"""One small action per state type: compute the result and where to go next.

The shared pipeline (InputPath, Parameters, ResultSelector, ResultPath, OutputPath, or JSONata's
Arguments / Output / Assign) is in pipeline.py; actions only add their own work. Task is in
task.py, Parallel and Map in nested.py; registry.py maps state types to actions.
"""

from __future__ import annotations

import datetime
from typing import Any

from ..errors import StateEvaluationError, StatesError
from ..expr.template import compact_json
from ..model.choice import parse_timestamp
from .dataflow import apply_template, path_value, select
from .pipeline import Outcome, effective_input, finish, jsonata_value, next_state, passthrough


def run_pass(interp: Any, state: Any, raw_input: Any, scope: Any) -> Outcome:
    """Pass: Result (or the effective input) placed by ResultPath."""
    if state.is_jsonata:
        return finish(interp, state, raw_input, raw_input, scope, next_state(state), result_is_input=True)
    effective = effective_input(state, raw_input, scope)
    result = state.result if state.has_result else effective
    if state.has_result:
        interp.sizes.check(result, state.name)
    return finish(interp, state, raw_input, result, scope, next_state(state))


def run_succeed(interp: Any, state: Any, raw_input: Any, scope: Any) -> Outcome:
    """Succeed: stop here with the input as output."""
    return passthrough(state, raw_input, scope, None)


def run_fail(interp: Any, state: Any, raw_input: Any, scope: Any) -> Outcome:
    """Fail: raise the state's Error / Cause."""
    if state.is_jsonata:
        states = scope.states_binding(raw_input)
        error = _maybe_jsonata(state.error, states, scope)
        cause = _maybe_jsonata(state.cause, states, scope)
    else:
        # ErrorPath / CausePath compile to template nodes that already word AWS's path-not-found cause.
        error = apply_template(state.error_path, raw_input, scope) \
            if state.error_path is not None else state.error
        cause = apply_template(state.cause_path, raw_input, scope) \
            if state.cause_path is not None else state.cause
    raise StatesError(error, cause)


def _maybe_jsonata(value: Any, states: dict, scope: Any) -> Any:
    if value is None or not hasattr(value, "evaluate"):
        return value
    return jsonata_value(value, states, scope)


def run_choice(interp: Any, state: Any, raw_input: Any, scope: Any) -> Outcome:
    """Choice: the first matching rule's Next, else Default, else States.NoChoiceMatched."""
    if state.is_jsonata:
        doc = raw_input
    else:
        doc = select(state.input_path, state.input_path_null, raw_input, scope)
    bound = scope.bound(doc)
    for rule in state.choices:
        if rule.test(bound):
            if interp.observer is not None:
                interp.observer.chose(state, next(i for i, r in enumerate(state.choices) if r is rule))
            return passthrough(state, raw_input, scope, rule.next, rule)
    if state.default is not None:
        if interp.observer is not None:
            interp.observer.chose(state, None)
        return passthrough(state, raw_input, scope, state.default)
    raise StatesError("States.NoChoiceMatched", "No Matches!")


def run_wait(interp: Any, state: Any, raw_input: Any, scope: Any) -> Outcome:
    """Wait: sleep through the execution's clock, then pass the input on."""
    seconds = _wait_seconds(interp, state, raw_input, scope)
    interp.sleep(seconds)
    return passthrough(state, raw_input, scope, next_state(state))


def _wait_seconds(interp: Any, state: Any, raw_input: Any, scope: Any) -> float:
    if state.is_jsonata:
        states = scope.states_binding(raw_input)
        if state.seconds is not None:
            from ..expr.jsonata import evaluate_int

            return evaluate_int(state.seconds, states, scope.frame.variables, "Seconds") \
                if hasattr(state.seconds, "evaluate") else state.seconds
        stamp = _maybe_jsonata(state.timestamp, states, scope)
        moment = parse_timestamp(stamp)
        if moment is None:
            from ..expr.jsonata import QueryEvaluationError

            # EvaluationFailed names the field, as for the expression's own failures.
            raise QueryEvaluationError(
                "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format "
                "string: " + str(stamp), "Timestamp")
        return _until(interp, moment)
    if state.seconds is not None:
        return state.seconds
    if state.timestamp is not None:
        return _until(interp, parse_timestamp(state.timestamp))
    doc = select(state.input_path, state.input_path_null, raw_input, scope)
    if state.seconds_path is not None:
        path = state.seconds_path
        value = path_value(path, doc, scope, "SecondsPath parameter")
        if type(value) is not int:
            raise StateEvaluationError(
                f"The SecondsPath parameter cannot be parsed as a long value: {path.text} == "
                f"{compact_json(value)}")
        if value < 0:
            raise StateEvaluationError(
                f"The SecondsPath parameter references a negative value: {path.text} == {value}")
        return value
    path = state.timestamp_path
    value = path_value(path, doc, scope, "TimestampPath parameter")
    moment = parse_timestamp(value)
    if moment is None:
        # AWS prints a string as it is (as for a JSONata Timestamp), other values as JSON.
        shown = value if isinstance(value, str) else compact_json(value)
        raise StateEvaluationError(
            f"The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time "
            f"format string: {path.text} == {shown}")
    return _until(interp, moment)


def _until(interp: Any, moment: datetime.datetime | None) -> float:
    if moment is None:
        return 0
    return max((moment - interp.clock.now()).total_seconds(), 0)

"""One small action per state type: compute the result and where to go next.

The shared pipeline (InputPath, Parameters, ResultSelector, ResultPath, OutputPath, or JSONata's
Arguments / Output / Assign) lives in the helpers at the top; actions only add their own work.
"""

from __future__ import annotations

import datetime
from typing import Any

from ..errors import StateEvaluationError, StatesError
from ..expr.template import compact_json
from ..model.choice import parse_timestamp
from .dataflow import apply_template, path_value, place_result, select
from .machine import Outcome

QUERY_ERROR = "States.QueryEvaluationError"


# ---------------------------------------------------------------- shared pipeline

def jsonpath_assign(template: Any, doc: Any, scope: Any) -> dict | None:
    """Evaluate a JSONPath Assign template over doc (variables as before the state)."""
    return None if template is None else apply_template(template, doc, scope)


def jsonata_value(template: Any, states: dict, scope: Any) -> Any:
    """Evaluate a JSONata template with `$states` and the visible variables."""
    return template.evaluate(states, scope.frame.variables)


def jsonata_assign(template: Any, states: dict, scope: Any) -> dict | None:
    """Evaluate a JSONata Assign (variables as before the state)."""
    return None if template is None else jsonata_value(template, states, scope)


def finish(interp: Any, state: Any, raw_input: Any, result: Any, scope: Any, next_state: str | None,
           result_is_input: bool = False) -> Outcome:
    """The common tail of Pass / Task / Parallel / Map: selector, assign, ResultPath, OutputPath."""
    if state.is_jsonata:
        states = scope.states_binding(raw_input, result, has_result=not result_is_input)
        assigned = jsonata_assign(state.assign, states, scope)
        output = result if state.output is None else jsonata_value(state.output, states, scope)
        return Outcome(output, next_state, assigned)
    if state.result_selector is not None:
        result = apply_template(state.result_selector, result, scope)
    assigned = jsonpath_assign(state.assign, result, scope)
    output = select(state.output_path, state.output_path_null,
                    place_result(state, raw_input, result), scope)
    return Outcome(output, next_state, assigned)


def passthrough(state: Any, raw_input: Any, scope: Any, next_state: str | None,
                rule: Any = None) -> Outcome:
    """Choice / Wait / Succeed: the output is the (filtered) input."""
    if state.is_jsonata:
        states = scope.states_binding(raw_input)
        assign = rule.assign if rule is not None and rule.assign is not None else state.assign
        out = rule.output if rule is not None and rule.output is not None else state.output
        assigned = jsonata_assign(assign, states, scope)
        output = raw_input if out is None else jsonata_value(out, states, scope)
        return Outcome(output, next_state, assigned)
    effective = select(state.input_path, state.input_path_null, raw_input, scope)
    assigned = jsonpath_assign(state.assign, effective, scope)
    if rule is not None and rule.assign is not None:
        assigned = {**(assigned or {}), **jsonpath_assign(rule.assign, effective, scope)}
    output = select(state.output_path, state.output_path_null, effective, scope)
    return Outcome(output, next_state, assigned)


def effective_input(state: Any, raw_input: Any, scope: Any) -> Any:
    """JSONPath: InputPath then Parameters. JSONata: Arguments over `$states.input`."""
    if state.is_jsonata:
        if state.parameters is None:
            return raw_input
        return jsonata_value(state.parameters, scope.states_binding(raw_input), scope)
    effective = select(state.input_path, state.input_path_null, raw_input, scope)
    if state.parameters is not None:
        effective = apply_template(state.parameters, effective, scope)
    return effective


def _next(state: Any) -> str | None:
    return None if state.end else state.next


# ---------------------------------------------------------------- actions

def run_pass(interp: Any, state: Any, raw_input: Any, scope: Any) -> Outcome:
    """Pass: Result (or the effective input) placed by ResultPath."""
    if state.is_jsonata:
        return finish(interp, state, raw_input, raw_input, scope, _next(state), result_is_input=True)
    effective = effective_input(state, raw_input, scope)
    result = state.result if state.has_result else effective
    if state.has_result:
        interp.sizes.check(result, state.name)
    return finish(interp, state, raw_input, result, scope, _next(state))


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
            return passthrough(state, raw_input, scope, rule.next, rule)
    if state.default is not None:
        return passthrough(state, raw_input, scope, state.default)
    raise StatesError("States.NoChoiceMatched", "No Matches!")


def run_wait(interp: Any, state: Any, raw_input: Any, scope: Any) -> Outcome:
    """Wait: sleep through the execution's clock, then pass the input on."""
    seconds = _wait_seconds(interp, state, raw_input, scope)
    interp.sleep(seconds)
    return passthrough(state, raw_input, scope, _next(state))


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
        raise StateEvaluationError(
            f"The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time "
            f"format string: {path.text} == {compact_json(value)}")
    return _until(interp, moment)


def _until(interp: Any, moment: datetime.datetime | None) -> float:
    if moment is None:
        return 0
    return max((moment - interp.clock.now()).total_seconds(), 0)


ACTIONS = {
    "Pass": run_pass,
    "Succeed": run_succeed,
    "Fail": run_fail,
    "Choice": run_choice,
    "Wait": run_wait,
}


def _register_nesting_actions() -> None:
    # Task, Parallel and Map live in their own modules, which import this one's helpers.
    from .nested import run_map, run_parallel
    from .task import run_task

    ACTIONS.update(Task=run_task, Parallel=run_parallel, Map=run_map)


_register_nesting_actions()

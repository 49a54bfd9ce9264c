"""The pipeline every state shares: what a state produced (Outcome), its effective input, and the
data-flow tail (ResultSelector, Assign, ResultPath, OutputPath, or JSONata's Arguments / Output /
Assign). The bottom of the interpreter: state actions and the machine import it, it imports neither.
"""

from __future__ import annotations

from typing import Any

from .dataflow import apply_template, place_result, select

QUERY_ERROR = "States.QueryEvaluationError"


class Outcome:
    """What one state produced: its output, where to go (None: end) and the variables it set."""

    # A plain class: made once per state run, and @dataclass would compile its methods at every start.
    __slots__ = ("output", "next", "assigned")

    def __init__(self, output: Any, next: str | None, assigned: dict | None = None) -> None:
        self.output, self.next, self.assigned = output, next, assigned


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
    inspection = scope.inspection
    if state.plain_output and inspection is None:
        return Outcome(result, next_state)  # none of the tail's fields: what follows would change nothing
    if inspection is not None and not result_is_input:
        inspection["result"] = result
    if state.is_jsonata:
        states = scope.states_binding(raw_input, result, has_result=not result_is_input)
        assigned = jsonata_assign(state.assign, states, scope)
        output = result if state.output is None else jsonata_value(state.output, states, scope)
        return Outcome(output, next_state, assigned)
    if state.result_selector is not None:
        result = apply_template(state.result_selector, result, scope)
    assigned = jsonpath_assign(state.assign, result, scope)
    placed = place_result(state, raw_input, result)
    if inspection is not None:
        inspection["afterResultSelector"] = result
        inspection["afterResultPath"] = placed
    output = select(state.output_path, state.output_path_null, placed, scope)
    return Outcome(output, next_state, assigned)


def passthrough(state: Any, raw_input: Any, scope: Any, next_state: str | None,
                rule: Any = None) -> Outcome:
    """Choice / Wait / Succeed: the output is the (filtered) input."""
    if state.plain_input and state.plain_output and scope.inspection is None and (rule is None or rule.assign is None):
        return Outcome(raw_input, next_state)  # no path and no Assign: what follows would change nothing
    if state.is_jsonata:
        states = scope.states_binding(raw_input)
        assign = rule.assign if rule is not None and rule.assign is not None else state.assign
        out = rule.output if rule is not None and rule.output is not None else state.output
        assigned = jsonata_assign(assign, states, scope)
        output = raw_input if out is None else jsonata_value(out, states, scope)
        return Outcome(output, next_state, assigned)
    effective = select(state.input_path, state.input_path_null, raw_input, scope)
    if scope.inspection is not None:
        scope.inspection["afterInputPath"] = effective
    assigned = jsonpath_assign(state.assign, effective, scope)
    if rule is not None and rule.assign is not None:
        assigned = {**(assigned or {}), **jsonpath_assign(rule.assign, effective, scope)}
    output = select(state.output_path, state.output_path_null, effective, scope)
    return Outcome(output, next_state, assigned)


def effective_input(state: Any, raw_input: Any, scope: Any) -> Any:
    """JSONPath: InputPath then Parameters. JSONata: Arguments over `$states.input`."""
    inspection = scope.inspection
    if state.plain_input and inspection is None:  # the common case, without the steps that change nothing
        template = state.parameters
        return raw_input if template is None else template.evaluate(scope.resolver(raw_input), raw_input)
    if state.is_jsonata:
        if state.parameters is None:
            return raw_input
        arguments = jsonata_value(state.parameters, scope.states_binding(raw_input), scope)
        if inspection is not None:
            inspection["afterArguments"] = arguments
        return arguments
    effective = select(state.input_path, state.input_path_null, raw_input, scope)
    if inspection is not None:
        inspection["afterInputPath"] = effective
    if state.parameters is not None:
        effective = apply_template(state.parameters, effective, scope)
    if inspection is not None:
        inspection["afterParameters"] = effective
    return effective


def next_state(state: Any) -> str | None:
    """Where a state goes when it is done: its Next, or None at an End."""
    return None if state.end else state.next

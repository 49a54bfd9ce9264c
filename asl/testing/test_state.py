"""AWS's TestState API, offline: one request -> one state run once -> the API's response.

The state runs through the interpreter's own actions and pipeline (a Scope with an inspection
dict records each data-flow stage); Retry and Catch are judged once, as TestState does, with
`stateConfiguration.retrierRetryCount` standing in for the retries already made.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import STATES_RUNTIME, SfnError, StatesError, error_matches
from ..interp.scope import Scope
from .request import TestStateRefusal, check_request

__all__ = ["TestStateRefusal", "test_state"]

# $$.State.Name of the state under test when the request gives no context (AWS's recordings).
STATE_NAME = "StateName"
_NO_MOCK = frozenset({"Pass", "Fail", "Succeed"})
_NEED_MOCK = frozenset({"Map", "Parallel"})
# inspectionData members that are JSON text on the wire.
_TEXT_MEMBERS = frozenset({"input", "afterInputPath", "afterParameters", "afterArguments", "result",
                           "afterResultSelector", "afterResultPath", "variables", "afterItemsPath",
                           "afterItemSelector", "afterItemBatcher", "afterItemsPointer"})
# The context members a request may give ($$.Map is refused: a Map iteration is not tested alone).
_CONTEXT_MEMBERS = {"Execution": {"Id", "Input", "Name", "RoleArn", "StartTime", "RedriveCount", "RedriveTime"},
                    "State": {"EnteredTime", "Name", "RetryCount"}, "StateMachine": {"Id", "Name"},
                    "Task": {"Token"}}


def _json_member(request: dict, name: str, default: Any) -> Any:
    """A JSON-text member of the request, parsed (absent: default)."""
    text = request.get(name)
    if text is None:
        return default
    if not isinstance(text, str):
        raise TestStateRefusal("ValidationException", f"'{name}' must be JSON text")
    try:
        return json.loads(text)
    except ValueError:
        code = "InvalidDefinition" if name == "definition" else "InvalidExecutionInput" \
            if name == "input" else "ValidationException"
        raise TestStateRefusal(code, f"Invalid {name}: not valid JSON") from None


def _targets(state: dict) -> set[str]:
    """The states a state may go to (its Next, Choice rules and Default, Catchers)."""
    names = {state.get("Next"), state.get("Default")}
    names.update(rule.get("Next") for rule in state.get("Choices", []) if isinstance(rule, dict))
    names.update(c.get("Next") for c in state.get("Catch", []) if isinstance(c, dict))
    return {n for n in names if isinstance(n, str)}


def _one_state_machine(definition: Any, state_name: str | None) -> tuple[dict, str]:
    """A machine holding the state under test (and stand-ins for where it may go), and its name."""
    if not isinstance(definition, dict):
        raise TestStateRefusal("InvalidDefinition", "Invalid State Machine Definition")
    if "States" in definition:
        name = state_name if state_name is not None else definition.get("StartAt")
        found = _find_state(definition, name, definition.get("QueryLanguage"))
        if found is None:
            raise TestStateRefusal("ValidationException", "State not found in definition")
        state, language = found
    else:
        name, state, language = STATE_NAME, definition, None
    machine = {"StartAt": name, "States": {name: state}}
    if language is not None:
        machine["QueryLanguage"] = language
    for target in _targets(state):
        machine["States"].setdefault(target, {"Type": "Succeed"})
    return machine, name


def _find_state(machine: dict, name: Any, language: Any) -> tuple[dict, Any] | None:
    """The state called name anywhere in a machine (Map processors and Parallel branches included),
    with the query language it inherits."""
    states = machine.get("States")
    if not isinstance(states, dict):
        return None
    if isinstance(states.get(name), dict):
        return states[name], language
    for state in states.values():
        if not isinstance(state, dict):
            continue
        inner_language = state.get("QueryLanguage", language)
        nested = [state.get("ItemProcessor"), state.get("Iterator"), *(state.get("Branches") or [])]
        for sub in nested:
            found = _find_state(sub, name, sub.get("QueryLanguage", inner_language)) \
                if isinstance(sub, dict) else None
            if found is not None:
                return found
    return None


def _check_context(context: Any, state: dict) -> None:
    """AWS's refusals of a context object the request gives."""
    if not isinstance(context, dict):
        raise TestStateRefusal("ValidationException", "Invalid Context object provided: must be an object")
    for key, value in context.items():
        if key == "Map":
            raise TestStateRefusal("ValidationException", "Invalid Context object provided: 'Map' field is not "
                                                          "supported when mocking a Context object")
        if key not in _CONTEXT_MEMBERS:
            raise TestStateRefusal("ValidationException", f"Invalid Context object provided: Field '{key}' is not allowed")
        for member, item in (value.items() if isinstance(value, dict) else ()):
            if member not in _CONTEXT_MEMBERS[key]:
                raise TestStateRefusal("ValidationException",
                                       f"Invalid Context object provided: Field '{member}' is not allowed")
            if member in ("Id", "Name", "RoleArn", "StartTime", "EnteredTime", "Token") and not isinstance(item, str):
                raise TestStateRefusal("ValidationException",
                                       f"Invalid Context object provided: {key}.{member} must be a string")
    resource = state.get("Resource")
    if "Task" in context and not (isinstance(resource, str) and resource.endswith((".sync", ".waitForTaskToken"))):
        raise TestStateRefusal("ValidationException", "Invalid Context object provided: Context object contains "
                               "'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' "
                               "service integration pattern")


def _check_mock_result(mock: dict, resource: Any) -> None:
    """A mocked result against the service's response shape, as fieldValidationMode asks."""
    from .shapes import check, shape_for

    mode = mock.get("fieldValidationMode", "STRICT")
    text = mock.get("result")
    if mode == "NONE" or not isinstance(text, str) or not isinstance(resource, str):
        return
    shape = shape_for(resource)
    if shape is None:
        return
    try:
        value = json.loads(text)
    except ValueError:
        return  # _MockAnswer refuses it
    problem = check(value, shape, required=mode == "STRICT")
    if problem:
        raise TestStateRefusal("ValidationException", f"Mock result schema validation error: {problem}")


class _MockAnswer:
    """The request's `mock`: every Task call returns its result or raises its errorOutput."""

    def __init__(self, mock: dict) -> None:
        self.error = mock.get("errorOutput")
        self.result = None
        if self.error is None:
            text = mock.get("result")
            try:
                self.result = json.loads(text) if isinstance(text, str) else None
            except ValueError:
                raise TestStateRefusal("ValidationException", "Mocked result must be valid JSON") from None

    def can_handle(self, state_name: str, resource: Any, parameters: Any) -> bool:
        return True

    def invoke(self, call: Any) -> Any:
        if self.error is not None:
            raise StatesError(self.error.get("error"), self.error.get("cause"))
        from ..resources.mocks import mocked_result

        return mocked_result(call.resource, self.result)


def test_state(request: dict, dispatcher: Any = None) -> dict:
    """Answer one TestState request (wire member names) as AWS does; refusals raise TestStateRefusal.

    dispatcher: what answers a Task tested without a mock (`asl.api.test_state` passes the one
    `sfn run` would use); None: no providers, so such a Task fails as an unhandled one does.
    """
    check_request(request)  # member types and constraints, as the API checks them
    level = request.get("inspectionLevel") or "INFO"
    definition = _json_member(request, "definition", None)
    input = _json_member(request, "input", {})
    variables = _json_member(request, "variables", None)
    context = _json_member(request, "context", None)
    config = request.get("stateConfiguration") or {}
    mock = request.get("mock")
    machine_def, name = _one_state_machine(definition, request.get("stateName"))
    state_type = machine_def["States"][name].get("Type")
    if mock is not None and state_type in _NO_MOCK:
        raise TestStateRefusal("ValidationException",
                               f"State type '{state_type}' is not supported when a mock is specified")
    if mock is not None and request.get("revealSecrets"):
        raise TestStateRefusal("ValidationException",
                               "TestState does not support RevealSecrets when a mock is specified.")
    if mock is None and "mapIterationFailureCount" in config:
        raise TestStateRefusal("ValidationException",
                               "TestState does not support MapIterationFailureCount when a mock is not specified.")
    if mock is None and state_type == "Task" and request.get("roleArn") is None:
        raise TestStateRefusal("ValidationException", "RoleArn must be specified when testing a Task state")
    if context is not None:
        _check_context(context, machine_def["States"][name])
    if mock is not None and state_type == "Task":
        _check_mock_result(mock, machine_def["States"][name].get("Resource"))
    from ..model import build_machine

    try:
        machine = build_machine(machine_def)
    except SfnError as exc:
        raise TestStateRefusal("InvalidDefinition", str(exc)) from None
    return _run(machine, name, input, variables, context, config, mock, request.get("roleArn"), level, dispatcher,
                bool(request.get("revealSecrets")))


def _run(machine: Any, name: str, input: Any, variables: Any, context: Any, config: dict, mock: dict | None,
         role: str | None, level: str, dispatcher: Any, reveal: bool = False) -> dict:
    """Run the state once and shape the response."""
    from collections import ChainMap

    from ..interp.clock import iso, make_clock
    from ..interp.context import ExecutionInfo
    from ..interp.machine import Interpreter
    from ..interp.registry import ACTIONS
    from ..interp.scope import Frame
    from ..resources import Dispatcher
    from ..runtime import RunEnvironment

    if mock is not None:
        dispatcher = Dispatcher([_MockAnswer(mock)])
    elif dispatcher is None:
        dispatcher = Dispatcher()
    clock = make_clock("virtual")
    info = ExecutionInfo(machine_name="StateMachine", express=True)
    info.input = input
    state = machine.states[name]
    interp = Interpreter(machine, clock=clock, info=info, env=RunEnvironment(dispatcher))
    info.start_time = iso(clock.now())
    frame = Frame(0, ChainMap(dict(variables)) if isinstance(variables, dict) else ChainMap())
    scope = _TestScope(interp, state, frame, clock.now(), context, role)
    scope.retry_count = config.get("retrierRetryCount", 0)
    inspection: dict = {"input": input}
    scope.inspection = inspection
    scope.item_reader_data = config.get("mapItemReaderData")
    scope.mock = mock
    scope.failures = config.get("mapIterationFailureCount", 0)
    # TRACE: an HTTP Task records its request and response here (a mocked one calls nothing: none shown).
    scope.trace = {"revealSecrets": reveal} if level == "TRACE" and mock is None else None
    response: dict = {}
    action = _mocked_nested if mock is not None and state.type in _NEED_MOCK else ACTIONS[state.type]
    try:
        outcome = action(interp, state, input, scope)
        if state.type == "Pass" and not state.is_jsonata:
            if state.has_result:  # AWS shows a Pass's Result, not the input stages it ignores
                inspection.pop("afterInputPath", None)
                inspection.pop("afterParameters", None)
            else:
                inspection.pop("result", None)
        elif state.type in _NEED_MOCK:
            inspection.pop("result", None)
    except StatesError as err:
        if state.type == "Fail" and not state.is_jsonata:
            inspection["afterInputPath"] = input
        response.update(error=err.name, cause=err.cause)
        response["status"] = _handle_error(state, err, input, scope, config, inspection, response)
    else:
        response["status"] = "SUCCEEDED"
        response["output"] = outcome.output
        if outcome.next is not None:
            response["nextState"] = outcome.next
        if outcome.assigned or variables:
            inspection["variables"] = {**frame.variables, **(outcome.assigned or {})}
    if scope.trace is not None:
        inspection.update({k: scope.trace[k] for k in ("request", "response") if k in scope.trace})
    return _wire(response, inspection if level != "INFO" else None)


def _handle_error(state: Any, err: StatesError, input: Any, scope: Any, config: dict, inspection: dict,
                  response: dict) -> str:
    """RETRIABLE while a Retrier takes the error, CAUGHT_ERROR for a Catcher, else FAILED."""
    details: dict = {}
    retried = config.get("retrierRetryCount", 0)
    for i, retrier in enumerate(getattr(state, "retry", ())):
        if any(error_matches(p, err.name) for p in retrier.error_equals):
            details["retryIndex"] = i
            if retried < retrier.max_attempts:
                delay = retrier.interval_seconds * (retrier.backoff_rate ** retried)
                if retrier.max_delay_seconds is not None:
                    delay = min(delay, retrier.max_delay_seconds)
                details["retryBackoffIntervalSeconds"] = int(delay)
                inspection["errorDetails"] = details
                return "RETRIABLE"
            break
    catchers = getattr(state, "catch", ()) if err.name != STATES_RUNTIME else ()
    for i, catcher in enumerate(catchers):
        if any(error_matches(p, err.name) for p in catcher.error_equals):
            outcome = scope.interp._catch(state, err, input, scope)  # the interpreter's Catch, output and all
            details["catchIndex"] = i
            inspection["errorDetails"] = details
            response["output"] = outcome.output
            response["nextState"] = outcome.next
            return "CAUGHT_ERROR"
    if details:
        inspection["errorDetails"] = details
    return "FAILED"


def _mocked_nested(interp: Any, state: Any, input: Any, scope: Any) -> Any:
    """A mocked Map or Parallel: its own stages (items, settings) are evaluated, the mock is its result."""
    from ..interp.dataflow import select
    from ..interp.nested import items_at, map_items, map_number
    from ..interp.pipeline import finish, next_state

    inspection = scope.inspection
    mock = scope.mock
    if state.type == "Map":
        if state.item_reader is not None and scope.item_reader_data is not None:
            pass  # ItemsPath does not apply to what a reader reads
        elif state.is_jsonata:
            map_items(state, input, scope)  # for its check that the items are an array
        else:  # afterInputPath is shown also when ItemsPath then fails (as recorded)
            inspection["afterInputPath"] = select(state.input_path, state.input_path_null, input, scope)
            inspection["afterItemsPath"] = items_at(state, inspection["afterInputPath"], scope)
        inspection["maxConcurrency"] = map_number(state.max_concurrency, state.max_concurrency_path,
                                                  "MaxConcurrency", input, scope, int) or 0
        for field, label, kind, key in (
                ("tolerated_failure_count", "ToleratedFailureCount", int, "toleratedFailureCount"),
                ("tolerated_failure_percentage", "ToleratedFailurePercentage", float, "toleratedFailurePercentage")):
            value = map_number(getattr(state, field), getattr(state, field + "_path"), label, input, scope, kind)
            if value is not None:
                inspection[key] = value
    error = mock.get("errorOutput")
    if error is not None:
        raise StatesError(error.get("error"), error.get("cause"))
    result = _MockAnswer(mock).result
    if not isinstance(result, (dict if state.type == "Map" and state.result_writer is not None else list)):
        raise TestStateRefusal("ValidationException", "Mocked result must be an array.")
    if isinstance(result, list) and scope.failures > len(result):
        raise TestStateRefusal("ValidationException",
                               "Map iteration failure count must be less than or equal to the number of Map iterations")
    return finish(interp, state, input, result, scope, next_state(state))


def _wire(response: dict, inspection: dict | None) -> dict:
    """The response with AWS's JSON-text members as text."""
    if "output" in response:
        response["output"] = _text(response["output"])
    if inspection is not None:
        data = {k: (_text(v) if k in _TEXT_MEMBERS else v) for k, v in inspection.items()}
        response["inspectionData"] = data
    for key in ("error", "cause"):
        if response.get(key) is None:
            response.pop(key, None)
    return response


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class _TestScope(Scope):
    """A Scope whose `$$` is the request's context, or the made-up express execution's."""

    __slots__ = ("given", "role", "item_reader_data", "mock", "failures", "trace")

    def __init__(self, interp: Any, state: Any, frame: Any, entered_at: Any, given: Any, role: str | None) -> None:
        super().__init__(interp, state, frame, entered_at)
        self.given = given
        self.role = role

    def context(self) -> dict:
        """The request's context as given, else the express execution's with AWS's stand-ins."""
        if self.given is not None:
            return self.given
        ctx = super().context()
        ctx["Execution"]["RoleArn"] = self.role
        ctx["State"]["Name"] = STATE_NAME
        return ctx

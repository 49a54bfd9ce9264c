"""The Task state: resolve the call, emit AWS's Task / LambdaFunction / Activity events, hand it to a provider."""

from __future__ import annotations

from typing import Any

from ..callbacks import Submitted, close_task, new_token, open_task
from ..aws import ACTIVITY, FUNCTION
from ..errors import StateEvaluationError, StatesError
from ..expr.template import compact_json
from ..resources import TaskCall
from .pipeline import effective_input, finish, jsonata_value, next_state
from .dataflow import apply_template, select
from .lanes import call as service_call

# Both end a Task with AWS's TaskTimedOut (LambdaFunctionTimedOut, ActivityTimedOut) event.
_TIMEOUTS = frozenset({"States.Timeout", "States.HeartbeatTimeout"})


def _seconds(state: Any, field: str, raw_input: Any, scope: Any) -> float | None:
    """TimeoutSeconds / HeartbeatSeconds, their Path forms, or a JSONata expression."""
    value = getattr(state, field)
    path = getattr(state, field + "_path")
    name = "TimeoutSeconds" if field == "timeout_seconds" else "HeartbeatSeconds"
    if path is not None:
        # A path that selects nothing gets the generic wording here (AWS's recorded
        # INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH), not Wait's "does not reference an input value".
        value = select(path, False, raw_input, scope)
        if type(value) is not int or value <= 0:
            raise StateEvaluationError(f"The {name}Path parameter references an invalid value: "
                                       f"{path.text} == {compact_json(value)}")
        return value
    if value is not None and hasattr(value, "evaluate"):
        from ..expr.jsonata import evaluate_int

        # Positive, as the Path form requires; 99999999 is the ASL's largest timeout.
        return evaluate_int(value, scope.states_binding(raw_input), scope.frame.variables, name,
                            minimum=1, maximum=99_999_999)
    return value


def run_task(interp: Any, state: Any, raw_input: Any, scope: Any) -> Any:
    """Task: call the resource through the dispatcher; its result flows through the pipeline."""
    resource = state.resource
    if resource.has_token:
        # Set before Parameters are evaluated: they read it as $$.Task.Token (AWS has one for .sync too).
        scope.task_token = new_token()
    parameters = effective_input(state, raw_input, scope)
    if resource.api == "apigateway:invoke":
        _check_headers(parameters)
    timeout = _seconds(state, "timeout_seconds", raw_input, scope)
    heartbeat = _seconds(state, "heartbeat_seconds", raw_input, scope)
    history = interp.history
    frame = scope.frame
    plain_lambda = resource.kind == FUNCTION
    credentials = _credentials(state, raw_input, scope)
    activity = None
    if resource.kind == ACTIVITY:
        details = {"resource": resource.arn, "input": parameters}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            details["heartbeatInSeconds"] = heartbeat
        activity = ActivityEvents(history, frame, details)
        kind = None
    elif plain_lambda:
        details = {"resource": resource.arn, "input": parameters}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if credentials is not None:
            details["taskCredentials"] = credentials
        frame.cursor = history.add("LambdaFunctionScheduled", frame.cursor, details)
        frame.cursor = history.add("LambdaFunctionStarted", frame.cursor)
        kind = None
    else:
        kind = {"resourceType": resource.resource_type, "resource": resource.event_resource}
        details = {**kind, "region": interp.info.region, "parameters": compact_json(parameters)}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            details["heartbeatInSeconds"] = heartbeat
        if credentials is not None:
            details["taskCredentials"] = credentials
        frame.cursor = history.add("TaskScheduled", frame.cursor, details)
        frame.cursor = history.add("TaskStarted", frame.cursor, dict(kind))
    attempt = interp.task_attempts.get(state.name, 0)
    interp.task_attempts[state.name] = attempt + 1
    call = TaskCall(state.name, resource, parameters, attempt, scope.context(), timeout, heartbeat,
                    scope.task_token, interp.task_env, activity, getattr(scope, "trace", None))
    token = scope.task_token
    if token is not None:
        # Open before the service is called: a handler may answer the token at once.
        open_task(token, interp.info.execution_arn, state.name, interp.env.callbacks.store)
    try:
        # In a lane running in a thread, other lanes go on while the service keeps this one waiting.
        result = service_call(interp, interp.env.dispatcher.invoke, call)
        if isinstance(result, Submitted):
            # AWS records the service's first response, then waits for the callback or the job.
            frame.cursor = history.add("TaskSubmitted", frame.cursor, {**kind, "output": result.output})
            result = service_call(interp, result.complete, call)
        interp.sizes.check(result, resource.arn if plain_lambda else state.name)
    except StatesError as err:
        timed_out = err.name in _TIMEOUTS
        if activity is not None:
            if not activity.scheduled:
                if isinstance(err, StateEvaluationError):  # could not schedule: AWS records no activity event
                    raise
                activity.schedule()   # a provider failing without a worker (a mock)
                activity.start(None)
            event = "ActivityTimedOut" if timed_out else "ActivityFailed"
            details = _error_details(err)
        elif plain_lambda:
            event = "LambdaFunctionTimedOut" if timed_out else "LambdaFunctionFailed"
            details = _error_details(err)
        else:
            event = "TaskTimedOut" if timed_out else "TaskFailed"
            details = {**kind, **_error_details(err)}
        frame.cursor = history.add(event, frame.cursor, details)
        raise
    finally:
        if token is not None:
            close_task(token)
    if activity is not None:
        activity.schedule()   # a provider answering without a worker (a mock): scheduled and started at once
        activity.start(None)
        frame.cursor = history.add("ActivitySucceeded", frame.cursor, {"output": result})
    elif plain_lambda:
        frame.cursor = history.add("LambdaFunctionSucceeded", frame.cursor, {"output": result})
    else:
        frame.cursor = history.add("TaskSucceeded", frame.cursor, {**kind, "output": result})
    return finish(interp, state, raw_input, result, scope, next_state(state))


class ActivityEvents:
    """An activity Task's ActivityScheduled and ActivityStarted events, recorded when its provider says:
    scheduled once the activity is known to exist, started when a worker takes the task (workerName)."""

    def __init__(self, history: Any, frame: Any, details: dict) -> None:
        self.history, self.frame, self.details = history, frame, details
        self.scheduled = self.started = False

    def schedule(self) -> None:
        """Record ActivityScheduled (once); called in the execution's thread."""
        if not self.scheduled:
            self.scheduled = True
            self.frame.cursor = self.history.add("ActivityScheduled", self.frame.cursor, self.details)

    def start(self, worker_name: str | None) -> None:
        """Record ActivityStarted (once), with the worker's name when GetActivityTask gave one."""
        if not self.started:
            self.started = True
            details = {"workerName": worker_name} if worker_name is not None else {}
            self.frame.cursor = self.history.add("ActivityStarted", self.frame.cursor, details)


def _credentials(state: Any, raw_input: Any, scope: Any) -> dict | None:
    """The Task's Credentials as the Scheduled event's taskCredentials (`{"roleArn"}`), or None."""
    template = state.credentials
    if template is None:
        return None
    if state.is_jsonata:
        value = jsonata_value(template, scope.states_binding(raw_input), scope)
    else:
        value = apply_template(template, raw_input, scope)
    role = value.get("RoleArn") if isinstance(value, dict) else None
    return {"roleArn": role} if role is not None else None


def _check_headers(parameters: Any) -> None:
    """apigateway:invoke's Headers map each name to a list of values; AWS refuses anything else
    (a single string too) before the Task is scheduled."""
    headers = parameters.get("Headers") if isinstance(parameters, dict) else None
    if headers is None:
        return
    if isinstance(headers, dict) and all(
            isinstance(values, list) and not any(isinstance(v, (dict, list)) for v in values)
            for values in headers.values()):
        return
    raise StateEvaluationError(f"The Parameters '{compact_json(parameters)}' could not be used to start the "
                               f"Task: [The value of the field 'Headers' has an invalid format]")


def _error_details(err: StatesError) -> dict:
    details = {}
    if err.name is not None:
        details["error"] = err.name
    # AWS's timeout events carry no cause; a Catch still sees "Cause": "".
    if err.cause is not None and not (err.cause == "" and err.name in _TIMEOUTS):
        details["cause"] = err.cause
    return details

"""Local Python handlers for Task resources, called Lambda-style: `handler(event, context)`.

Only the functions a resources file names are ever imported: a definition cannot make sfn
import or call anything else. Whatever a handler module does (raise at import, `sys.exit`,
return something that is not JSON, raise an exception that cannot be printed), sfn reports it:
as a one-line error before the run, or as the Task's error during it; it never crashes.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any, Callable

from ..aws import Resource, function_arn, function_name, request_id
from ..errors import Location, StatesError, UserInputError
from . import NotHandled, TaskCall
from . import lambda_runtime
from .config import HandlerSpec
from .lambda_runtime import _CALLERS, _ROUTING, FunctionError, HandlerImportError, _handler_prints_to_stderr
from .sandbox import call_in_worker, load_in_workers, timeout_error


class LocalHandlers:
    """Answers plain Lambda ARNs and lambda:invoke with the user's configured Python functions."""

    def __init__(self, handlers: dict[str, HandlerSpec], base_dir: str | os.PathLike | None = None) -> None:
        self.handlers = handlers
        self.base_dir = base_dir
        self._loaded: dict[str, Callable] = {}

    def _lookup(self, key: str) -> HandlerSpec | None:
        return self.handlers.get(key) or self.handlers.get(function_name(key))

    def can_handle(self, state_name: str, resource: Resource, parameters: Any) -> bool:
        """Whether a handler is configured for this resource (lambda:invoke: checked at run time)."""
        if _lambda_invoke(resource):
            return True
        return self._lookup(resource.arn) is not None

    def load(self, specs: list[HandlerSpec] | None = None) -> Callable[[], None]:
        """Import every configured handler (each in its worker), so a bad one fails before the run.

        The workers import meanwhile; the call returned waits for them (and raises)."""
        specs = list(self.handlers.values()) if specs is None else specs
        for spec in specs:
            if spec.in_process:
                self.function(spec)
        return load_in_workers([spec for spec in specs if not spec.in_process], self.base_dir)

    def function(self, spec: HandlerSpec) -> Callable:
        """The function a spec names, imported once; a UserInputError at the spec's place if it cannot be."""
        fn = self._loaded.get(spec.target)
        if fn is None:
            fn = self._loaded[spec.target] = function_of(spec.target, self.base_dir, spec.location)
        return fn

    def invoke(self, call: TaskCall) -> Any:
        """Call the handler; wrap the result for lambda:invoke."""
        resource = call.resource
        if _lambda_invoke(resource):
            params = call.parameters if isinstance(call.parameters, dict) else {}
            name = params.get("FunctionName")
            spec = self._lookup(name) if isinstance(name, str) else None
            if spec is None:
                raise NotHandled()
            # Lambda's Invoke without a Payload hands the function an empty object, not the request.
            result = self._call(spec, function_name(name), params.get("Payload", {}), call)
            if resource.callback:
                from ..callbacks import Submitted

                # The function's response only submits the work: the callback's output is the result.
                return Submitted(lambda_invoke_response(result))
            return lambda_invoke_response(result)
        spec = self._lookup(resource.arn)
        if spec is None:
            raise NotHandled()
        return self._call(spec, resource.function or resource.arn, call.parameters, call)

    def _call(self, spec: HandlerSpec, name: str, event: Any, call: TaskCall) -> Any:
        if not spec.in_process:
            return call_in_worker(spec, name, event, call.timeout_seconds, self.base_dir)
        try:
            fn = self.function(spec)
        except UserInputError as exc:
            raise StatesError("Lambda.ResourceNotFoundException", str(exc)) from None
        context = LambdaContext(name, spec.timeout)
        event = json.loads(json.dumps(event))  # the handler gets its own copy, as over the wire
        outcome: dict[str, Any] = {}
        if not getattr(_ROUTING, "depth", 0):
            _CALLERS.add(threading.get_ident())  # this thread's own prints stay on stdout

        def target() -> None:
            try:
                with _handler_prints_to_stderr():
                    outcome["result"] = fn(event, context)
            except BaseException as exc:  # everything goes back to the caller, even from a worker thread
                outcome["error"] = exc

        # The handler runs in a thread of its own so its timeout (or the Task's) can end the wait;
        # in this process it cannot be stopped, only left behind (a worker process is killed).
        worker = threading.Thread(target=target, daemon=True, name=f"sfn-handler-{name}")
        worker.start()
        task_timeout = call.timeout_seconds
        worker.join(min(task_timeout or spec.timeout, spec.timeout))
        if worker.is_alive():
            raise timeout_error(task_timeout, spec.timeout, context.aws_request_id)
        error = outcome.get("error")
        if isinstance(error, KeyboardInterrupt):
            raise error  # Ctrl-C aborts the execution; it is not the handler's error
        if error is not None:
            # even sys.exit: the handler's failure is the Task's error
            raise handler_error(error, context.aws_request_id)
        return encode_result(outcome.get("result"), spec.target)



class LambdaContext(lambda_runtime.LambdaContext):
    """The context object a Lambda handler receives (its ARN in this process's region and account)."""

    def __init__(self, function_name: str, timeout_seconds: float | None) -> None:
        super().__init__(function_name, function_arn(function_name), timeout_seconds)


def function_of(target: str, base_dir: str | os.PathLike | None, location: Location) -> Callable:
    """The function `module:function` names, imported; a UserInputError at `location` if it cannot be."""
    try:
        return lambda_runtime.function_of(target, base_dir)
    except HandlerImportError as exc:
        raise UserInputError(exc.message, location) from None


def encode_result(value: Any, target: str) -> Any:
    """A handler's return value as Step Functions receives it from the AWS Lambda Python runtime
    (`lambda_runtime.encode_result`), or the Task's StatesError."""
    try:
        return lambda_runtime.encode_result(value, target)
    except FunctionError as exc:
        raise StatesError(exc.name, exc.cause) from None


def handler_error(exc: BaseException, invocation: str | None = None) -> StatesError:
    """A handler's exception as AWS reports a Lambda function error (`invocation`: the call's request id)."""
    error = lambda_runtime.handler_error(exc, invocation)
    return StatesError(error.name, error.cause)


def _lambda_invoke(resource: Resource) -> bool:
    """The optimized `lambda:invoke` integration (any pattern)."""
    return resource.api == "lambda:invoke"


def lambda_invoke_response(payload: Any) -> dict:
    """The result shape of arn:aws:states:::lambda:invoke."""
    request = request_id()
    return {
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request],
                "Content-Length": [str(len(json.dumps(payload)))],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": str(len(json.dumps(payload))),
                "Content-Type": "application/json",
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request,
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request},
        "StatusCode": 200,
    }

"""Local Python handlers for Task resources, called Lambda-style: `handler(event, context)`.

Only the functions a resources file names are ever imported: a definition cannot make sfn
import or call anything else.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import Location, StatesError, UserInputError
from . import NotHandled, TaskCall

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


@dataclass
class HandlerSpec:
    """`package.module:function`, and where the resources file said it."""

    target: str
    location: Location


class LambdaContext:
    """The context object a Lambda handler receives."""

    def __init__(self, function_name: str, timeout_seconds: float | None) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function_arn(function_name)
        self.memory_limit_in_mb = 128
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + (timeout_seconds if timeout_seconds else 900)

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the Task's timeout."""
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def function_arn(name: str) -> str:
    """A function name as a Lambda ARN (ARNs pass through)."""
    if name.startswith("arn:"):
        return name
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


def function_name(resource_or_name: str) -> str:
    """The function name inside a Lambda ARN (`...:function:NAME[:alias]`), or the name itself."""
    if ":function:" in resource_or_name:
        return resource_or_name.split(":function:", 1)[1].split(":", 1)[0]
    return resource_or_name


class LocalHandlers:
    """Answers plain Lambda ARNs and lambda:invoke with the user's configured Python functions."""

    def __init__(self, handlers: dict[str, HandlerSpec], base_dir: Path | None = None) -> None:
        self.handlers = handlers
        self.base_dir = base_dir
        self._loaded: dict[str, Callable] = {}

    def _lookup(self, key: str) -> HandlerSpec | None:
        return self.handlers.get(key) or self.handlers.get(function_name(key))

    def can_handle(self, state_name: str, resource: str, parameters: Any) -> bool:
        """Whether a handler is configured for this resource (lambda:invoke: checked at run time)."""
        if resource.startswith(LAMBDA_INVOKE):
            return True
        return self._lookup(resource) is not None

    def load(self) -> None:
        """Import every configured handler now, so a bad one fails before the run."""
        for key, spec in self.handlers.items():
            self._function(spec)

    def _function(self, spec: HandlerSpec) -> Callable:
        fn = self._loaded.get(spec.target)
        if fn is not None:
            return fn
        module_name, _, attr = spec.target.partition(":")
        if not module_name or not attr:
            raise UserInputError(f"handler '{spec.target}' must look like package.module:function", spec.location)
        if self.base_dir is not None and str(self.base_dir) not in sys.path:
            sys.path.insert(0, str(self.base_dir))
        try:
            module = self._import(module_name)
        except Exception as exc:  # any import failure is the user's to see, in one line
            raise UserInputError(f"cannot import module '{module_name}': {type(exc).__name__}: {exc}",
                                 spec.location) from None
        fn = getattr(module, attr, None)
        if not callable(fn):
            raise UserInputError(f"module '{module_name}' has no function '{attr}'", spec.location)
        self._loaded[spec.target] = fn
        return fn

    def _import(self, module_name: str) -> Any:
        """The module beside the resources file, even when another folder's module has its name."""
        if self.base_dir is not None:
            relative = Path(*module_name.split("."))
            for candidate in (self.base_dir / relative.with_suffix(".py"), self.base_dir / relative / "__init__.py"):
                if candidate.is_file():
                    loaded = sys.modules.get(module_name)
                    if loaded is not None and Path(getattr(loaded, "__file__", "") or "").resolve() == candidate.resolve():
                        return loaded
                    if loaded is None:
                        return importlib.import_module(module_name)
                    # Same name, other folder (two samples' handlers.py): load this file apart.
                    unique = f"{module_name}__sfn_{abs(hash(str(candidate)))}"
                    spec = importlib.util.spec_from_file_location(unique, candidate)
                    module = importlib.util.module_from_spec(spec)
                    sys.modules[unique] = module
                    spec.loader.exec_module(module)
                    return module
        return importlib.import_module(module_name)

    def invoke(self, call: TaskCall) -> Any:
        """Call the handler; wrap the result for lambda:invoke."""
        if call.resource.startswith(LAMBDA_INVOKE):
            params = call.parameters if isinstance(call.parameters, dict) else {}
            name = params.get("FunctionName")
            spec = self._lookup(name) if isinstance(name, str) else None
            if spec is None:
                raise NotHandled()
            payload = params.get("Payload", {}) if "Payload" in params else call.parameters
            result = self._call(spec, function_name(name), payload, call)
            if call.resource.endswith(".waitForTaskToken"):
                from ..callbacks import Submitted

                # The function's response only submits the work: the callback's output is the result.
                return Submitted(lambda_invoke_response(result))
            return lambda_invoke_response(result)
        spec = self._lookup(call.resource)
        if spec is None:
            raise NotHandled()
        return self._call(spec, function_name(call.resource), call.parameters, call)

    def _call(self, spec: HandlerSpec, name: str, event: Any, call: TaskCall) -> Any:
        try:
            fn = self._function(spec)
        except UserInputError as exc:
            raise StatesError("Lambda.ResourceNotFoundException", str(exc)) from None
        context = LambdaContext(name, call.timeout_seconds)
        event = json.loads(json.dumps(event))  # the handler gets its own copy, as over the wire
        outcome: dict[str, Any] = {}

        def target() -> None:
            try:
                # A handler's prints are its logs (CloudWatch's on AWS): they go to stderr, so
                # `sfn run --output json` keeps one clean object on stdout.
                with contextlib.redirect_stdout(sys.stderr):
                    outcome["result"] = fn(event, context)
            except KeyboardInterrupt:
                raise  # Ctrl-C aborts the execution; it is not the handler's error
            except BaseException as exc:  # the handler's failure (even sys.exit) is the Task's error
                outcome["error"] = exc

        if call.timeout_seconds:
            worker = threading.Thread(target=target, daemon=True, name=f"sfn-handler-{name}")
            worker.start()
            worker.join(call.timeout_seconds)
            if worker.is_alive():
                raise StatesError("States.Timeout", None)
        else:
            target()
        if "error" in outcome:
            raise handler_error(outcome["error"])
        result = outcome.get("result")
        try:
            return json.loads(json.dumps(result))
        except (TypeError, ValueError) as exc:
            raise StatesError("Lambda.InvalidResponseException",
                              f"The handler '{spec.target}' returned a value that is not JSON-serialisable: {exc}") from None


def handler_error(exc: BaseException) -> StatesError:
    """A handler's exception as AWS reports a Lambda function error."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # leave out sfn's own frame
    cause = {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": str(uuid.uuid4()),
        "stackTrace": traceback.format_list(frames),
    }
    return StatesError(type(exc).__name__, json.dumps(cause))


def lambda_invoke_response(payload: Any) -> dict:
    """The result shape of arn:aws:states:::lambda:invoke."""
    request_id = str(uuid.uuid4())
    return {
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [str(len(json.dumps(payload)))],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": str(len(json.dumps(payload))),
                "Content-Type": "application/json",
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }

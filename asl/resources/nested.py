"""Nested executions (`arn:aws:states:::states:startExecution[.sync|.sync:2|.waitForTaskToken]`) and
the AWS SDK's `aws-sdk:sfn:sendTaskSuccess` / `sendTaskFailure` / `sendTaskHeartbeat`.

The machines a definition may start are the ones the resources file declares, by name or ARN:

    machines:
      Approval: approval.asl.json                         # arn:aws:states:us-east-1:123456789012:stateMachine:Approval
      arn:aws:states:eu-west-1:111122223333:stateMachine:Ship: ship.asl.yaml

A StateMachineArn is matched by the whole ARN, else by its name. Each child runs as an execution
of its own (its own history, recorded in the store when the run has one) with the run's handlers,
topics and queues (a mock test case answers the parent's states only). Children run in this
process, one at a time, to their end before the parent goes on: fire-and-forget
`startExecution` returns AWS's start response; `.sync` / `.sync:2` wait for the child and
return DescribeExecution's shape (Input / Output as JSON text, or as JSON with `:2`); a child
that does not succeed fails the Task with States.TaskFailed, the DescribeExecution JSON as cause.
On the virtual clock a child runs on a fork of the parent's clock: the parent's time moves on by
the child's duration only for `.sync`.
"""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Location, StatesError, UserInputError
from . import Dispatcher, NotHandled, TaskCall

_PREFIX = "arn:aws:states:::"
_START = "states:startExecution"
_PATTERNS = ("", ".sync", ".sync:2", ".waitForTaskToken")
_SEND = {"aws-sdk:sfn:sendTaskSuccess", "aws-sdk:sfn:sendTaskFailure", "aws-sdk:sfn:sendTaskHeartbeat"}
MAX_DEPTH = 20   # children starting children: a cycle stops here instead of recursing forever
REGION = "us-east-1"
ACCOUNT = "123456789012"


@dataclass
class MachineSpec:
    """A state machine the resources file declares: its name, ARN and definition."""

    name: str
    arn: str
    path: Path
    machine: Any
    text: str
    location: Location

    @property
    def region(self) -> str:
        """The region part of the ARN."""
        return self.arn.split(":")[3] or REGION

    @property
    def account(self) -> str:
        """The account part of the ARN."""
        return self.arn.split(":")[4] or ACCOUNT


class NestedExecutions:
    """Runs `states:startExecution` Tasks against the declared machines."""

    def __init__(self, machines: dict[str, MachineSpec] | None = None) -> None:
        self.machines = machines or {}

    def can_handle(self, state_name: str, resource: str, parameters: Any) -> bool:
        """Every form of states:startExecution (an undeclared machine fails as AWS fails it)."""
        return _pattern(resource) is not None

    def lookup(self, arn: str) -> MachineSpec | None:
        """The declared machine a StateMachineArn names (whole ARN first, then the name)."""
        if arn in self.machines:
            return self.machines[arn]
        name = arn.split(":stateMachine:", 1)[1] if ":stateMachine:" in arn else arn
        return self.machines.get(name.split(":", 1)[0])

    def invoke(self, call: TaskCall) -> Any:
        """Start the child; the result has AWS's shape for the integration pattern."""
        pattern = _pattern(call.resource)
        if pattern is None:
            raise NotHandled()
        params = call.parameters if isinstance(call.parameters, dict) else {}
        arn = params.get("StateMachineArn")
        if not isinstance(arn, str) or not arn:
            raise _sfn_error("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
        spec = self.lookup(arn)
        if spec is None:
            raise _sfn_error("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        child_input = _input(params.get("Input"))
        name = params.get("Name") or str(uuid.uuid4())
        child = _Child(call, spec, str(name), child_input)
        response = child.start_response()
        if pattern == "":
            child.run()
            return response
        from ..callbacks import Submitted

        if pattern == ".waitForTaskToken":
            return Submitted(response, child.run)
        return Submitted(response, lambda: child.sync_result(json_values=pattern == ".sync:2"))


class _Child:
    """One child execution started by a Task."""

    def __init__(self, call: TaskCall, spec: MachineSpec, name: str, input: Any) -> None:
        self.call = call
        self.spec = spec
        self.name = name
        self.input = input
        self.parent = call.interpreter
        self.started = self.parent.clock.now()
        self.arn = f"arn:aws:states:{spec.region}:{spec.account}:execution:{spec.name}:{name}"
        self.result: Any = None

    def start_response(self) -> dict:
        """StartExecution's response as the optimized integration returns it."""
        return start_execution_response(self.arn, self.started)

    def run(self) -> Any:
        """Run the child to its end (recorded in the parent's store, if any); its ExecutionResult."""
        from ..interp.clock import VirtualClock
        from ..interp.context import ExecutionInfo
        from ..interp.machine import Interpreter

        parent_invoker = self.parent.invoker
        depth = getattr(parent_invoker, "depth", 0) + 1
        if depth > MAX_DEPTH:
            raise _sfn_error("ExecutionLimitExceeded", f"Execution Limit Exceeded: 'executions nested more than "
                                                       f"{MAX_DEPTH} deep (does a machine start itself?)'")
        clock = self.parent.clock
        if getattr(clock, "virtual", False):
            clock = VirtualClock(self.started)
        info = ExecutionInfo(machine_name=self.spec.name, name=self.name, region=self.spec.region,
                             account=self.spec.account)
        invoker = child_dispatcher(parent_invoker, depth)
        store = getattr(invoker, "store", None)
        if store is not None:
            store.start_execution(self.arn, self.name, self.spec.name, self.spec.text, self.input,
                                  self.started.isoformat())
        interp = Interpreter(self.spec.machine, clock=clock, info=info, invoker=invoker)
        self.result = interp.run(self.input)
        if store is not None:
            events = self.result.history.events
            store.finish_execution(self.arn, self.result, events[-1].timestamp.isoformat() if events else None)
        if self.result.status == "ABORTED":
            from ..interp.machine import ExecutionAborted

            # Only a stop of the whole run (Ctrl-C) aborts a child here: the parent stops too.
            raise ExecutionAborted()
        return self.result

    def sync_result(self, json_values: bool) -> dict:
        """`.sync` / `.sync:2`: run the child and wait for it; DescribeExecution's shape, or States.TaskFailed."""
        result = self.run()
        events = result.history.events
        stopped = events[-1].timestamp if events else self.started
        self._advance_parent(stopped)
        describe = self.describe(result, stopped, json_values)
        if result.status != "SUCCEEDED":
            raise StatesError("States.TaskFailed", json.dumps(describe, separators=(",", ":"), ensure_ascii=False))
        return describe

    def _advance_parent(self, stopped: datetime.datetime) -> None:
        """On the virtual clock the parent waited as long as the child ran (its TimeoutSeconds too)."""
        clock = self.parent.clock
        if not getattr(clock, "virtual", False):
            return
        waited = (stopped - self.started).total_seconds()
        timeout = self.call.timeout_seconds
        if timeout is not None and waited >= timeout:
            self.parent.sleep(timeout - (clock.now() - self.started).total_seconds())
            raise StatesError("States.Timeout", None)
        self.parent.sleep(max(waited - (clock.now() - self.started).total_seconds(), 0))

    def describe(self, result: Any, stopped: datetime.datetime, json_values: bool) -> dict:
        """DescribeExecution's fields as `.sync` returns them (keys in AWS's order)."""
        def text(value: Any) -> Any:
            return value if json_values else json.dumps(value, separators=(",", ":"), ensure_ascii=False)

        out: dict[str, Any] = {}
        if result.status != "SUCCEEDED":
            if result.cause is not None:
                out["Cause"] = result.cause
            if result.error is not None:
                out["Error"] = result.error
        out.update({"ExecutionArn": self.arn, "Input": text(self.input), "InputDetails": {"Included": True},
                    "Name": self.name})
        if result.status == "SUCCEEDED":
            out.update({"Output": text(result.output), "OutputDetails": {"Included": True}})
        out["RedriveCount"] = 0
        if result.status == "SUCCEEDED":
            out.update({"RedriveStatus": "NOT_REDRIVABLE",
                        "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven"})
        else:
            out["RedriveStatus"] = "REDRIVABLE"
        out.update({"StartDate": _millis(self.started), "StateMachineArn": self.spec.arn, "Status": result.status,
                    "StopDate": _millis(stopped)})
        return out


def child_dispatcher(parent: Any, depth: int) -> Dispatcher:
    """The parent's providers for a child, without mocks (a test case names the parent's states)."""
    from .mocks import MockProvider

    providers = [p for p in getattr(parent, "providers", []) if not isinstance(p, MockProvider)]
    dispatcher = Dispatcher(providers)
    for attr in ("store", "callbacks"):
        if hasattr(parent, attr):
            setattr(dispatcher, attr, getattr(parent, attr))
    dispatcher.depth = depth
    return dispatcher


class TaskTokenApi:
    """`aws-sdk:sfn:sendTaskSuccess` / `sendTaskFailure` / `sendTaskHeartbeat`, answering this run's tokens."""

    def can_handle(self, state_name: str, resource: str, parameters: Any) -> bool:
        """The three SDK actions."""
        return resource[len(_PREFIX):] in _SEND if resource.startswith(_PREFIX) else False

    def invoke(self, call: TaskCall) -> Any:
        """Answer the token; `{}` as the SDK returns, or AWS's Sfn.* error."""
        if not self.can_handle(call.state_name, call.resource, None):
            raise NotHandled()
        from ..callbacks import (INVALID_OUTPUT, TaskTokenError, callback_options, send_task_failure,
                                 send_task_heartbeat, send_task_success)

        action = call.resource.rsplit(":", 1)[1]
        params = call.parameters if isinstance(call.parameters, dict) else {}
        token = params.get("TaskToken")
        store = callback_options(call.interpreter).store if call.interpreter is not None else None
        try:
            if action == "sendTaskSuccess":
                output = params.get("Output")
                if isinstance(output, str):
                    try:
                        output = json.loads(output)
                    except ValueError as exc:
                        # The token is checked first, as AWS does.
                        from ..callbacks import well_formed

                        if not well_formed(token):
                            raise TaskTokenError("InvalidToken") from None
                        raise TaskTokenError(INVALID_OUTPUT, f"Invalid Output: '{exc}'") from None
                send_task_success(token, output, store=store)
            elif action == "sendTaskFailure":
                send_task_failure(token, params.get("Error"), params.get("Cause"), store=store)
            else:
                send_task_heartbeat(token, store=store)
        except TaskTokenError as exc:
            raise StatesError(f"Sfn.{exc.code}Exception", f"{exc.message} (Service: Sfn, Status Code: 400, "
                                                          f"Request ID: {uuid.uuid4()}) (SDK Attempt Count: 1)") from None
        return {}


def start_execution_response(arn: str, started: datetime.datetime) -> dict:
    """StartExecution's response as the optimized integration returns it (TaskSubmitted's output)."""
    from .messaging import _http_metadata

    request_id = str(uuid.uuid4())
    body = json.dumps({"executionArn": arn, "startDate": round(started.timestamp(), 3)}, separators=(",", ":"))
    meta = _http_metadata("application/x-amz-json-1.0", len(body), request_id, started)
    return {"ExecutionArn": arn, **meta, "StartDate": _millis(started)}


def is_sync_start(resource: str) -> bool:
    """Whether a resource starts an execution and waits for it (`.sync` or `.sync:2`)."""
    return _pattern(resource) in (".sync", ".sync:2")


def _pattern(resource: str) -> str | None:
    if not resource.startswith(_PREFIX + _START):
        return None
    rest = resource[len(_PREFIX + _START):]
    return rest if rest in _PATTERNS else None


def _input(value: Any) -> Any:
    """Parameters' Input: a JSON value, or JSON text (AWS's API takes text); none is `{}`."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise _sfn_error("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{exc}'") from None
    return value


def _sfn_error(code: str, message: str) -> StatesError:
    """An error of the optimized Step Functions integration, as AWS words it."""
    return StatesError(f"StepFunctions.{code}Exception",
                       f"{message} (Service: AWSStepFunctions; Status Code: 400; Error Code: {code}; "
                       f"Request ID: {uuid.uuid4()}; Proxy: null)")


def _millis(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1000)


def nested_from_config(config: Any) -> NestedExecutions:
    """The machines section of a ResourcesConfig; every definition is loaded and checked now."""
    from ..api import load_machine

    machines: dict[str, MachineSpec] = {}
    base = config.base_dir or Path(".")
    for key, raw in config.section("machines").items():
        where = config.location(f"/machines/{key}")
        if not isinstance(raw, str) or not raw:
            raise UserInputError(f"machine '{key}' must name its definition file", where)
        key = str(key)
        if key.startswith("arn:"):
            parts = key.split(":")
            if len(parts) < 7 or parts[2] != "states" or parts[5] != "stateMachine" or not parts[6]:
                raise UserInputError(f"'{key}' is not a state machine ARN "
                                     f"(arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)", where)
            name, arn = parts[6], key
        else:
            name, arn = key, f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{key}"
        path = (base / raw).resolve()
        if not path.is_file():
            raise UserInputError(f"machine '{key}': no definition file {raw}", where)
        from ..loader import read_text

        _, machine = load_machine(path)
        spec = MachineSpec(name, arn, path, machine, read_text(path), where)
        machines[arn] = spec
        machines.setdefault(name, spec)
    return NestedExecutions(machines)

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
from typing import Any

from ..aws import (Resource, compact_json, epoch_millis, execution_arn, sdk_v1_cause, sdk_v2_cause,
                   start_execution_response)
from ..errors import INVALID_OUTPUT, INVALID_TOKEN, ApiError, StatesError, TaskTokenError
from ..runtime import MAX_DEPTH
from . import NotHandled, TaskCall
from .config import MachineSpec

_START = "states:startExecution"
_SEND = {"aws-sdk:sfn:sendTaskSuccess", "aws-sdk:sfn:sendTaskFailure", "aws-sdk:sfn:sendTaskHeartbeat"}


class NestedExecutions:
    """Runs `states:startExecution` Tasks against the declared machines."""

    def __init__(self, machines: dict[str, MachineSpec] | None = None) -> None:
        self.machines = machines or {}

    def can_handle(self, state_name: str, resource: Resource, parameters: Any) -> bool:
        """Every form of states:startExecution (an undeclared machine fails as AWS fails it)."""
        return resource.api == _START

    def lookup(self, arn: str) -> MachineSpec | None:
        """The declared machine a StateMachineArn names (whole ARN first, then the name)."""
        if arn in self.machines:
            return self.machines[arn]
        name = arn.split(":stateMachine:", 1)[1] if ":stateMachine:" in arn else arn
        return self.machines.get(name.split(":", 1)[0])

    def invoke(self, call: TaskCall) -> Any:
        """Start the child; the result has AWS's shape for the integration pattern."""
        if not self.can_handle(call.state_name, call.resource, call.parameters):
            raise NotHandled()
        pattern = call.resource.pattern
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
        self.env = call.env
        self.spec = spec
        self.name = name
        self.input = input
        self.started = self.env.now()
        self.arn = execution_arn(spec.name, name, spec.region, spec.account)
        self.result: Any = None

    def start_response(self) -> dict:
        """StartExecution's response as the optimized integration returns it."""
        return start_execution_response(self.arn, self.started)

    def run(self) -> Any:
        """Run the child to its end (recorded like every execution); its ExecutionResult."""
        if self.env.depth + 1 > MAX_DEPTH:
            raise _sfn_error("ExecutionLimitExceeded", f"Execution Limit Exceeded: 'executions nested more than "
                                                       f"{MAX_DEPTH} deep (does a machine start itself?)'")
        try:
            self.result = self.env.start_child(self.spec, self.name, self.input, self.started)
        except ApiError as exc:  # the store refused the start (a name used already, or invalid)
            raise _sfn_error(exc.code, exc.detail) from None
        if self.result.status == "ABORTED":
            from ..errors import ExecutionAborted

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
            raise StatesError("States.TaskFailed", compact_json(describe))
        return describe

    def _advance_parent(self, stopped: datetime.datetime) -> None:
        """On the virtual clock the parent waited as long as the child ran (its TimeoutSeconds too)."""
        env = self.env
        if not env.virtual:
            return
        waited = (stopped - self.started).total_seconds()
        timeout = self.call.timeout_seconds
        if timeout is not None and waited >= timeout:
            env.sleep(timeout - (env.now() - self.started).total_seconds())
            raise StatesError("States.Timeout", None)
        env.sleep(max(waited - (env.now() - self.started).total_seconds(), 0))

    def describe(self, result: Any, stopped: datetime.datetime, json_values: bool) -> dict:
        """DescribeExecution's fields as `.sync` returns them (keys in AWS's order)."""
        def text(value: Any) -> Any:
            return value if json_values else compact_json(value)

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
        out.update({"StartDate": epoch_millis(self.started), "StateMachineArn": self.spec.arn, "Status": result.status,
                    "StopDate": epoch_millis(stopped)})
        return out


class TaskTokenApi:
    """`aws-sdk:sfn:sendTaskSuccess` / `sendTaskFailure` / `sendTaskHeartbeat`, answering this run's tokens."""

    def can_handle(self, state_name: str, resource: Resource, parameters: Any) -> bool:
        """The three SDK actions."""
        return resource.api in _SEND and resource.pattern == ""

    def invoke(self, call: TaskCall) -> Any:
        """Answer the token; `{}` as the SDK returns, or AWS's Sfn.* error."""
        if not self.can_handle(call.state_name, call.resource, None):
            raise NotHandled()
        from ..callbacks import send_task_failure, send_task_heartbeat, send_task_success, well_formed

        action = call.resource.action
        params = call.parameters if isinstance(call.parameters, dict) else {}
        token = params.get("TaskToken")
        store = call.env.store if call.env is not None else None
        try:
            if action == "sendTaskSuccess":
                output = params.get("Output")
                if isinstance(output, str):
                    try:
                        output = json.loads(output)
                    except ValueError as exc:
                        # The token is checked first, as AWS does.
                        if not well_formed(token):
                            raise TaskTokenError(INVALID_TOKEN) from None
                        raise TaskTokenError(INVALID_OUTPUT, f"Invalid Output: '{exc}'") from None
                send_task_success(token, output, store=store)
            elif action == "sendTaskFailure":
                send_task_failure(token, params.get("Error"), params.get("Cause"), store=store)
            else:
                send_task_heartbeat(token, store=store)
        except TaskTokenError as exc:
            raise StatesError(f"Sfn.{exc.code}Exception", f"{sdk_v2_cause('Sfn', exc.message, 400)} (SDK Attempt Count: 1)") from None
        return {}


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
    return StatesError(f"StepFunctions.{code}Exception", sdk_v1_cause("AWSStepFunctions", message, 400, code))

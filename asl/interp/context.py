"""The context object `$$` and the AWS-shaped names and ARNs of a local execution."""

from __future__ import annotations

import uuid
from dataclasses import field
from typing import Any

from ..record import record
from .. import aws


@record
class ExecutionInfo:
    """What `$$.Execution` and `$$.StateMachine` say about this run."""

    machine_name: str
    name: str = field(default_factory=lambda: str(uuid.uuid4()))
    start_time: str = ""
    input: Any = None
    redrive_count: int = 0
    redrive_time: str | None = None  # when the execution was last redriven (`$$.Execution.RedriveTime`)
    # Read when the run starts, so that `aws.configure` (sfn serve's AWS_DEFAULT_REGION) applies.
    region: str = field(default_factory=lambda: aws.REGION)
    account: str = field(default_factory=lambda: aws.ACCOUNT)
    express: bool = False
    # Express executions' ARNs carry a second, run-unique part after the name.
    express_suffix: str = field(default_factory=lambda: str(uuid.uuid4()))
    role: str | None = None         # the machine's role when it has one (the API's roleArn)

    @property
    def machine_arn(self) -> str:
        """arn:aws:states:REGION:ACCOUNT:stateMachine:NAME."""
        return aws.state_machine_arn(self.machine_name, self.region, self.account)

    @property
    def execution_arn(self) -> str:
        """arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME (Express: express:MACHINE:NAME:ID)."""
        return aws.execution_arn(self.machine_name, self.name, self.region, self.account,
                                 self.express_suffix if self.express else None)

    @property
    def role_arn(self) -> str:
        """The role the execution runs as: the machine's, else a local, fictional one."""
        return self.role or aws.role_arn(self.machine_name, self.account)

    def map_run_arn(self, state: Any) -> str:
        """The ARN of a Distributed Map's Map Run."""
        return aws.map_run_arn(self.machine_name, getattr(state, "label", None) or state.name, self.region,
                               self.account)

    def execution_object(self) -> dict:
        """`$$.Execution` (Express executions cannot be redriven: no RedriveCount)."""
        execution = {
            "Id": self.execution_arn,
            "Input": self.input,
            "StartTime": self.start_time,
            "Name": self.name,
            "RoleArn": self.role_arn,
        }
        if not self.express:
            execution["RedriveCount"] = self.redrive_count
            if self.redrive_time is not None:
                execution["RedriveTime"] = self.redrive_time
        return execution

    def machine_object(self) -> dict:
        """`$$.StateMachine`."""
        return {"Id": self.machine_arn, "Name": self.machine_name}
